import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { matchIstatComuni, normaliseComuneName, parseIstatOver65 } from '../../../core/admin/istat.ts';
import { DomainError } from '../../../core/errors.ts';
import { DEMO_COMUNI } from '../../../db/demo-comuni.ts';

const fixture = readFileSync(path.resolve(import.meta.dirname, '../../fixtures/istat/popolazione-eta-abbiatense-2024.csv'), 'utf8');

function expectRejected(csv: string, key: string): DomainError {
  try {
    parseIstatOver65(csv);
  } catch (err) {
    expect(err).toBeInstanceOf(DomainError);
    const e = err as DomainError;
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.messageRef.key).toBe(key);
    return e;
  }
  throw new Error('not rejected');
}

describe('ISTAT over-65 import', () => {
  it('normalises names: accents, case and punctuation do not matter', () => {
    expect(normaliseComuneName('VERMEZZO CON ZELO')).toBe('vermezzo con zelo');
    expect(normaliseComuneName('  Cassinetta  di Lugagnano ')).toBe('cassinetta di lugagnano');
    expect(normaliseComuneName('Cantù')).toBe(normaliseComuneName('CANTU'));
    expect(normaliseComuneName("Sant'Angelo Lodigiano")).toBe('sant angelo lodigiano');
  });

  it('sums ages 65 and over per comune, skipping the title line and the Totale rows', () => {
    const totals = parseIstatOver65(fixture);
    expect(totals).toHaveLength(15);
    // Recompute from the file by hand: every row with an age ≥ 65.
    const expected = new Map<string, number>();
    const all = new Map<string, number>();
    for (const line of fixture.split(/\r?\n/).slice(2)) {
      const [, name, age, , , total] = line.split(';');
      if (!name || age === 'Totale') continue;
      all.set(name, (all.get(name) ?? 0) + Number(total));
      if (Number(age) >= 65) expected.set(name, (expected.get(name) ?? 0) + Number(total));
    }
    for (const t of totals) {
      expect(t.over65, t.name).toBe(expected.get(t.name));
      expect(t.total, t.name).toBe(all.get(t.name));
      expect(t.over65).toBeGreaterThan(0);
    }
    expect(totals[0]).toMatchObject({ name: 'Abbiategrasso', istatCode: '015002' });
  });

  it('matches the 14 comuni of the ambito and reports the others as unknown', () => {
    const match = matchIstatComuni(parseIstatOver65(fixture), DEMO_COMUNI);
    expect(match.matched.map((m) => m.comuneId).sort()).toEqual(DEMO_COMUNI.map((c) => c.id).sort());
    expect(match.unknown).toEqual(['Robecco sul Naviglio']);
    expect(match.missing).toEqual([]);
  });

  it('reads the sexes when there is no Totale column, "100 e oltre", a BOM, commas and upper-case names', () => {
    const csv = '\uFEFFComune,Età,Totale maschi,Totale femmine\nVERMEZZO CON ZELO,64,10,11\nVERMEZZO CON ZELO,65,5,6\nVERMEZZO CON ZELO,100 e oltre,1,2\n';
    const totals = parseIstatOver65(csv);
    expect(totals).toEqual([{ name: 'VERMEZZO CON ZELO', istatCode: null, over65: 14, total: 35 }]);
    const match = matchIstatComuni(totals, DEMO_COMUNI);
    expect(match.matched).toEqual([{ comuneId: 'vermezzo-con-zelo', name: 'Vermezzo con Zelo', istatCode: null, over65: 14 }]);
    expect(match.missing).toHaveLength(13);
  });

  it('refuses garbage with a clear message, listing every bad line', () => {
    expectRejected('', 'admin:istat.empty');
    expectRejected('hello world\nthis is not a csv\n', 'admin:istat.noHeader');
    expectRejected('Comune;Età;Totale\n', 'admin:istat.noRows');
    const bad = expectRejected('Comune;Età;Totale\nAlbairate;64;100\nAlbairate;sessanta;3\nAlbairate;65;tanti\nAlbairate;65;7\nAlbairate;65;8\n', 'admin:istat.badLines');
    expect(bad.messageRef.params).toEqual({ count: 3 });
    expect(Object.keys(bad.fields ?? {}).sort()).toEqual(['csv.line.3', 'csv.line.4', 'csv.line.6']);
    expect(bad.fields?.['csv.line.3']?.key).toBe('admin:istat.badAge');
    expect(bad.fields?.['csv.line.4']?.key).toBe('admin:istat.badNumber');
    expect(bad.fields?.['csv.line.6']?.key).toBe('admin:istat.duplicateAge');
    expectRejected('Comune;Età;Totale\nAlbairate;65;-4\n', 'admin:istat.badLines');
    expectRejected('Comune;Età;Totale\nAlbairate;65;1.5\n', 'admin:istat.badLines');
  });
});
