// Guards the targets on the held-out split of the labelled set, so `npm test` fails if a
// rule change makes understanding worse. The same counting is printed by `npm run eval:nlu`.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluateSplit, LabelledSetSchema, missedTargets, rate } from '../../../core/nlu/evaluate.ts';
import { understand } from '../../../core/nlu/index.ts';

const items = LabelledSetSchema.parse(JSON.parse(readFileSync(new URL('../../fixtures/nlu/labelled.json', import.meta.url), 'utf8')));
const context = { now: new Date('2026-11-23T08:00:00Z') }; // Monday 09:00 in Rome

describe('labelled set', () => {
  it('is large and varied enough to mean something', () => {
    const test = items.filter((i) => i.split === 'test');
    expect(items.length).toBeGreaterThanOrEqual(300);
    expect(test.length).toBeGreaterThanOrEqual(150);
    expect(items.filter((i) => i.intent === 'emergency').length).toBeGreaterThanOrEqual(25);
    expect(items.filter((i) => i.tricky === true && i.intent !== 'emergency').length).toBeGreaterThanOrEqual(25);
    expect(new Set(items.map((i) => i.text)).size).toBe(items.length);
  });

  it('meets the targets on the held-out test split', () => {
    const report = evaluateSplit(
      items.filter((i) => i.split === 'test'),
      understand,
      context,
    );
    expect(missedTargets(report)).toEqual([]);
    expect(rate(report.emergencyRecall)).toBe(1);
    expect(report.falseEmergencies).toBe(0);
  });

  it('reports every missed target, which makes the eval script exit non-zero', () => {
    const test = items.filter((i) => i.split === 'test');
    const alwaysEmergency = evaluateSplit(test, () => ({ intent: 'emergency', confidence: 1 }), context);
    expect(missedTargets(alwaysEmergency)).toHaveLength(3); // intent, family, false emergencies
    const neverEmergency = evaluateSplit(test, () => ({ intent: 'unknown', confidence: 0 }), context);
    expect(missedTargets(neverEmergency).some((m) => m.startsWith('emergency recall'))).toBe(true);
  });
});
