// Evaluates core/nlu on the labelled set: per split (tune/test) precision/recall per intent,
// intent/family/code/subject/date accuracy, emergency recall and false emergencies, a confusion
// table, and speed. Exits 1 if the held-out test split misses a target of the issue.
//   npm run eval:nlu                 summary + the tune split's mistakes
//   npm run eval:nlu -- --show-test  also list the test split's mistakes (look only once you
//                                    stop tuning, or the test split is no longer held out)
import { readFileSync } from 'node:fs';
import { understand } from '../core/nlu/index.ts';
import { evaluateSplit, LabelledSetSchema, missedTargets, pct, rate, withTypos, type Ratio, type SplitReport } from '../core/nlu/evaluate.ts';
import { INTENTS, type Intent, type UnderstandContext } from '../core/nlu/types.ts';

const FIXTURE = new URL('../test/fixtures/nlu/labelled.json', import.meta.url);
// Monday 23 November 2026, 09:00 in Rome (UTC+1 in winter).
const context: UnderstandContext = { now: new Date('2026-11-23T08:00:00Z') };

const ABBREVIATION: Readonly<Record<Intent, string>> = {
  request_help: 'help',
  voucher_balance: 'vouch',
  application_status: 'stat',
  apply_info: 'apply',
  report_person: 'rep',
  talk_to_operator: 'oper',
  suspend_service: 'susp',
  cancel_booking: 'canc',
  emergency: 'EMRG',
  providers: 'prov',
  complaint: 'compl',
  greeting: 'greet',
  unknown: 'unk',
};

const items = LabelledSetSchema.parse(JSON.parse(readFileSync(FIXTURE, 'utf8')));
const showTest = process.argv.includes('--show-test');

let failed = false;
for (const split of ['tune', 'test'] as const) {
  const subset = items.filter((i) => i.split === split);
  const report = evaluateSplit(subset, understand, context);
  printReport(split, report);
  if (split === 'tune' || showTest) printMisses(report);
  if (split === 'test') {
    const missed = missedTargets(report);
    console.log(missed.length === 0 ? 'TEST TARGETS: all met' : `TEST TARGETS MISSED: ${missed.join('; ')}`);
    failed = missed.length > 0;
  }
}
printTypoRobustness();
printSpeed();
process.exitCode = failed ? 1 : 0;

function printReport(split: string, r: SplitReport): void {
  const line = (label: string, x: Ratio) => `${label.padEnd(20)} ${pct(rate(x)).padStart(6)}  (${x.correct}/${x.total})`;
  console.log(`\n=== ${split.toUpperCase()} split: ${r.items} messages ===`);
  console.log(`${'intent'.padEnd(20)} ${'prec'.padStart(6)} ${'recall'.padStart(6)} ${'n'.padStart(4)}`);
  for (const intent of INTENTS) {
    const s = r.perIntent.get(intent);
    if (s === undefined || (s.count === 0 && s.predicted === 0)) continue;
    const precision = s.predicted === 0 ? '-' : pct(s.truePositives / s.predicted);
    const recall = s.count === 0 ? '-' : pct(s.truePositives / s.count);
    console.log(`${intent.padEnd(20)} ${precision.padStart(6)} ${recall.padStart(6)} ${String(s.count).padStart(4)}`);
  }
  console.log('');
  console.log(`[${split}] ${line('intent accuracy', r.intent)}`);
  console.log(`[${split}] ${line('family accuracy', r.family)}`);
  console.log(`[${split}] ${line('code accuracy', r.code)}`);
  console.log(`[${split}] ${line('subject accuracy', r.subject)}`);
  console.log(`[${split}] ${line('date/time accuracy', r.when)}`);
  console.log(`[${split}] ${line('tricky items', r.tricky)}`);
  console.log(`[${split}] ${line('emergency recall', r.emergencyRecall)}`);
  console.log(`[${split}] ${'false emergencies'.padEnd(20)} ${String(r.falseEmergencies).padStart(6)}`);
  printConfusion(r);
}

function printConfusion(r: SplitReport): void {
  const used = INTENTS.filter((i) => (r.perIntent.get(i)?.count ?? 0) + (r.perIntent.get(i)?.predicted ?? 0) > 0);
  const width = 6;
  console.log('\nconfusion (rows = expected, columns = predicted)');
  console.log(''.padEnd(width) + used.map((i) => ABBREVIATION[i].padStart(width)).join(''));
  for (const expected of used) {
    const row = r.confusion.get(expected);
    const cells = used.map((predicted) => {
      const n = row?.get(predicted) ?? 0;
      return (n === 0 ? '.' : String(n)).padStart(width);
    });
    console.log(ABBREVIATION[expected].padEnd(width) + cells.join(''));
  }
}

function printMisses(r: SplitReport): void {
  if (r.misses.length === 0) return;
  console.log(`\nmistakes (${r.misses.length}):`);
  for (const m of r.misses) {
    const expected =
      m.what === 'intent' ? m.item.intent
      : m.what === 'family' ? `family ${m.item.family ?? '-'}`
      : m.what === 'code' ? `code ${m.item.code ?? '-'}`
      : m.what === 'subject' ? `subject ${m.item.subject ?? '-'}`
      : `when ${JSON.stringify(m.item.when)}`;
    const got =
      m.what === 'intent' ? m.got.intent
      : m.what === 'family' ? `family ${m.got.family ?? '-'}`
      : m.what === 'code' ? `code ${m.got.code ?? '-'}`
      : m.what === 'subject' ? `subject ${m.got.subject ?? '-'}`
      : `when ${JSON.stringify(m.got.when)}`;
    console.log(`  [${m.what}] expected ${expected}, got ${got}: "${m.item.text}"  {${(m.got.signals ?? []).join(', ')}}`);
  }
}

// Informational, not a target: the test split again with machine-made typos (3 seeds).
function printTypoRobustness(): void {
  const test = items.filter((i) => i.split === 'test');
  console.log('\ntest split with injected typos (about 1 word in 4 of 5+ letters; informational):');
  for (const seed of [1, 2, 3]) {
    const noisy = test.map((item, n) => ({ ...item, text: withTypos(item.text, seed * 100_003 + n) }));
    const r = evaluateSplit(noisy, understand, context);
    console.log(
      `[test+typos seed ${seed}] intent ${pct(rate(r.intent))}, family ${pct(rate(r.family))}, ` +
        `emergency recall ${pct(rate(r.emergencyRecall))}, false emergencies ${r.falseEmergencies}`,
    );
  }
}

function printSpeed(): void {
  const texts = items.map((i) => i.text);
  for (const t of texts) understand(t, context); // warm-up (JIT, spelling cache)
  const rounds = 20;
  const start = performance.now();
  for (let k = 0; k < rounds; k++) for (const t of texts) understand(t, context);
  const perMessage = ((performance.now() - start) * 1000) / (rounds * texts.length);
  console.log(`\nspeed: ${perMessage.toFixed(1)} µs per message (mean over ${rounds * texts.length} calls)`);
}
