// Scores `understand` against a labelled set (pure: the caller reads the file and passes `now`).
// Shared by scripts/eval-nlu.ts and the test that guards the targets, so both count the same way.
import { z } from 'zod';
import { INTENTS, type Intent, type Understanding, type UnderstandContext } from './types.ts';

export const LabelledItemSchema = z.object({
  split: z.enum(['tune', 'test']),
  text: z.string(),
  intent: z.enum(INTENTS),
  family: z.string().regex(/^[1-8]$/).optional(),
  code: z.string().regex(/^[1-8][A-F]$/).optional(),
  subject: z.enum(['self', 'other']).optional(),
  when: z
    .object({
      date: z.string().optional(),
      time: z.string().optional(),
      partOfDay: z.enum(['morning', 'afternoon', 'evening']).optional(),
    })
    .optional(),
  /** A trap for the emergency detector or for the intent rules; counted separately. */
  tricky: z.boolean().optional(),
});
export type LabelledItem = z.infer<typeof LabelledItemSchema>;
export const LabelledSetSchema = z.array(LabelledItemSchema);

/** The targets on the held-out split. */
export const TARGETS = { intentAccuracy: 0.95, familyAccuracy: 0.9, emergencyRecall: 1, falseEmergencies: 0 } as const;

export interface Ratio {
  correct: number;
  total: number;
}

export interface IntentStats {
  /** Items labelled with this intent. */
  count: number;
  predicted: number;
  truePositives: number;
}

export interface Miss {
  item: LabelledItem;
  got: Understanding;
  what: 'intent' | 'family' | 'code' | 'subject' | 'when';
}

export interface SplitReport {
  items: number;
  intent: Ratio;
  family: Ratio;
  code: Ratio;
  subject: Ratio;
  when: Ratio;
  emergencyRecall: Ratio;
  falseEmergencies: number;
  tricky: Ratio;
  perIntent: Map<Intent, IntentStats>;
  /** confusion.get(expected).get(predicted) = count */
  confusion: Map<Intent, Map<Intent, number>>;
  misses: Miss[];
}

const ratio = (): Ratio => ({ correct: 0, total: 0 });
const add = (r: Ratio, ok: boolean) => {
  r.total++;
  if (ok) r.correct++;
};

export function rate(r: Ratio): number {
  return r.total === 0 ? 1 : r.correct / r.total;
}

export function evaluateSplit(
  items: readonly LabelledItem[],
  understand: (text: string, context: UnderstandContext) => Understanding,
  context: UnderstandContext,
): SplitReport {
  const report: SplitReport = {
    items: items.length,
    intent: ratio(),
    family: ratio(),
    code: ratio(),
    subject: ratio(),
    when: ratio(),
    emergencyRecall: ratio(),
    falseEmergencies: 0,
    tricky: ratio(),
    perIntent: new Map(INTENTS.map((i) => [i, { count: 0, predicted: 0, truePositives: 0 }])),
    confusion: new Map(INTENTS.map((i) => [i, new Map<Intent, number>()])),
    misses: [],
  };
  for (const item of items) {
    const got = understand(item.text, context);
    const intentOk = got.intent === item.intent;
    add(report.intent, intentOk);
    if (!intentOk) report.misses.push({ item, got, what: 'intent' });
    if (item.tricky === true) add(report.tricky, intentOk);

    const expectedStats = report.perIntent.get(item.intent);
    const predictedStats = report.perIntent.get(got.intent);
    if (expectedStats !== undefined) expectedStats.count++;
    if (predictedStats !== undefined) predictedStats.predicted++;
    if (intentOk && expectedStats !== undefined) expectedStats.truePositives++;
    const row = report.confusion.get(item.intent);
    row?.set(got.intent, (row.get(got.intent) ?? 0) + 1);

    if (item.intent === 'emergency') add(report.emergencyRecall, intentOk);
    else if (got.intent === 'emergency') report.falseEmergencies++;

    if (item.intent === 'request_help') {
      // Counted over every request_help item; a wrong intent is a wrong family too.
      const familyOk = intentOk && got.family === item.family;
      add(report.family, familyOk);
      if (intentOk && !familyOk) report.misses.push({ item, got, what: 'family' });
      if (item.code !== undefined) {
        const codeOk = intentOk && got.code === item.code;
        add(report.code, codeOk);
        if (intentOk && familyOk && !codeOk) report.misses.push({ item, got, what: 'code' });
      }
    }
    if (item.subject !== undefined) {
      const subjectOk = got.subject === item.subject;
      add(report.subject, subjectOk);
      if (!subjectOk) report.misses.push({ item, got, what: 'subject' });
    }
    if (item.when !== undefined) {
      const w = got.when;
      const whenOk = w?.date === item.when.date && w?.time === item.when.time && w?.partOfDay === item.when.partOfDay;
      add(report.when, whenOk);
      if (!whenOk) report.misses.push({ item, got, what: 'when' });
    }
  }
  return report;
}

/** The targets the split misses, as readable sentences; empty when all are met. */
export function missedTargets(r: SplitReport): string[] {
  const missed: string[] = [];
  if (rate(r.intent) < TARGETS.intentAccuracy) missed.push(`intent accuracy ${pct(rate(r.intent))} < ${pct(TARGETS.intentAccuracy)}`);
  if (rate(r.family) < TARGETS.familyAccuracy) missed.push(`family accuracy ${pct(rate(r.family))} < ${pct(TARGETS.familyAccuracy)}`);
  if (rate(r.emergencyRecall) < TARGETS.emergencyRecall) missed.push(`emergency recall ${pct(rate(r.emergencyRecall))} < 100%`);
  if (r.falseEmergencies > TARGETS.falseEmergencies) missed.push(`${r.falseEmergencies} false emergencies`);
  return missed;
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/**
 * The same message with typing mistakes, reproducibly: in about one word in four of 5+ letters,
 * one letter is dropped, doubled, swapped with its neighbour or replaced by a keyboard neighbour.
 * Used to measure robustness beyond the typos the labelled set happens to contain.
 */
export function withTypos(text: string, seed: number): string {
  let state = seed >>> 0;
  const random = () => {
    // mulberry32: tiny, deterministic, good enough to pick positions.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const neighbours: Readonly<Record<string, string>> = { a: 's', e: 'r', i: 'o', o: 'i', u: 'y', s: 'a', r: 't', t: 'r', n: 'm', m: 'n', l: 'k', c: 'v', p: 'o', d: 's' };
  return text.replace(/\p{L}{5,}/gu, (word) => {
    if (random() >= 0.25) return word;
    const i = 1 + Math.floor(random() * (word.length - 2));
    const ch = word[i] ?? '';
    switch (Math.floor(random() * 4)) {
      case 0:
        return word.slice(0, i) + word.slice(i + 1);
      case 1:
        return word.slice(0, i) + ch + word.slice(i);
      case 2:
        return word.slice(0, i) + (word[i + 1] ?? '') + ch + word.slice(i + 2);
      default:
        return word.slice(0, i) + (neighbours[ch.toLowerCase()] ?? ch) + word.slice(i + 1);
    }
  });
}
