/**
 * ISTAT over-65 import (art. 15 needs each comune's resident population over 65).
 *
 * The input is ISTAT's "Popolazione residente al 1° gennaio per età" per comune (demo.istat.it),
 * semicolon-separated: an optional title line, a header such as
 * `Codice comune;Comune;Età;Totale Maschi;Totale Femmine;Totale`, one row per comune and age
 * 0…100 ("100 e oltre" counts as 100) and a final "Totale" (or 999) row per comune, which is
 * skipped. Ages ≥ 65 are summed per comune. Comuni are matched by name, accents, case and
 * punctuation ignored ("Vermezzo con Zelo" = "VERMEZZO CON ZELO"); names that match no comune of
 * the ambito are reported, not fatal. Pure: no I/O.
 */
import { parse } from 'csv-parse/sync';
import { DomainError, type MessageRef } from '../errors.ts';

/** The age from which a resident counts for art. 15. */
export const OVER65_FROM_AGE = 65;
/** At most this many bad lines are listed in one rejection. */
const MAX_REPORTED_ERRORS = 10;

export interface IstatComuneTotal {
  /** The name as written in the file. */
  name: string;
  /** ISTAT's code when the file has a "Codice comune" column. */
  istatCode: string | null;
  over65: number;
  /** Residents of every age (from the age rows, not from the file's own total row). */
  total: number;
}

export interface IstatMatch {
  matched: { comuneId: string; name: string; istatCode: string | null; over65: number }[];
  /** Names in the file that are not comuni of the ambito. */
  unknown: string[];
  /** Comuni of the ambito absent from the file (their figures stay as they are). */
  missing: string[];
}

/** Lower case, accents removed, anything but letters and digits collapsed to one space. */
export function normaliseComuneName(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function invalid(key: string, fields: Record<string, MessageRef>, params?: MessageRef['params']): DomainError {
  return new DomainError('VALIDATION_FAILED', params ? { key, params } : { key }, { fields });
}

interface Columns {
  name: number;
  age: number;
  code: number | null;
  total: number | null;
  males: number | null;
  females: number | null;
}

function findColumns(row: readonly string[]): Columns | null {
  const cells = row.map((cell) => normaliseComuneName(cell));
  const index = (test: (cell: string) => boolean) => {
    const i = cells.findIndex(test);
    return i < 0 ? null : i;
  };
  const name = index((c) => c === 'comune' || c === 'denominazione' || c === 'denominazione comune');
  // "Età", or "Et?" when the file was read in the wrong encoding.
  const age = index((c) => c === 'eta' || c === 'et' || c === 'classe di eta' || /^et\s?a?$/.test(c));
  const total = index((c) => c === 'totale');
  const males = index((c) => c === 'totale maschi' || c === 'maschi');
  const females = index((c) => c === 'totale femmine' || c === 'femmine');
  if (name === null || age === null) return null;
  if (total === null && (males === null || females === null)) return null;
  return { name, age, code: index((c) => c === 'codice comune' || c === 'codice istat' || c === 'codice'), total, males, females };
}

const COUNT = /^\d{1,9}$/;

function readCount(cell: string | undefined): number | null {
  const value = (cell ?? '').trim();
  return COUNT.test(value) ? Number(value) : null;
}

/** Age of a row, 'total' for the comune's total row, null when unreadable. */
function readAge(cell: string | undefined): number | 'total' | null {
  const value = normaliseComuneName(cell ?? '');
  if (value === 'totale' || value === '999') return 'total';
  const match = /^(\d{1,3})(?: e (?:oltre|piu))?$/.exec(value);
  if (!match) return null;
  const age = Number(match[1]);
  return age <= 120 ? age : null;
}

/**
 * Parses the file and sums residents aged 65 and over per comune. Anything that is not this
 * layout (no header, a row whose age or count is not a whole number, an age given twice) is
 * refused with VALIDATION_FAILED and every bad line listed under `csv.line.N` (1-based).
 */
export function parseIstatOver65(text: string): IstatComuneTotal[] {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw invalid('admin:istat.empty', { csv: { key: 'admin:istat.empty' } });
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes(';') || !firstLine.includes(',') ? ';' : ',';
  let rows: string[][];
  try {
    rows = parse(body, { delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, trim: true }) as string[][];
  } catch {
    throw invalid('admin:istat.unreadable', { csv: { key: 'admin:istat.unreadable' } });
  }
  // The header is one of the first lines (ISTAT puts a title line before it).
  let headerAt = -1;
  let columns: Columns | null = null;
  for (let i = 0; i < Math.min(rows.length, 5) && !columns; i++) {
    columns = findColumns(rows[i]!);
    if (columns) headerAt = i;
  }
  if (!columns) throw invalid('admin:istat.noHeader', { csv: { key: 'admin:istat.noHeader' } });

  const byName = new Map<string, IstatComuneTotal & { ages: Set<number> }>();
  const fields: Record<string, MessageRef> = {};
  let errors = 0;
  const fail = (line: number, key: string) => {
    errors += 1;
    if (errors <= MAX_REPORTED_ERRORS) fields[`csv.line.${line}`] = { key, params: { line } };
  };
  for (let i = headerAt + 1; i < rows.length; i++) {
    const row = rows[i]!;
    const line = i + 1;
    // Notes after the data ("Fonte: ISTAT", "Dati provvisori"): one cell, no comune, no age.
    if (row.filter((cell) => cell.trim() !== '').length <= 1) continue;
    const name = (row[columns.name] ?? '').trim();
    const age = readAge(row[columns.age]);
    if (name === '' || age === null) {
      fail(line, 'admin:istat.badAge');
      continue;
    }
    let count: number | null;
    if (columns.total !== null) count = readCount(row[columns.total]);
    else {
      const males = readCount(row[columns.males!]);
      const females = readCount(row[columns.females!]);
      count = males === null || females === null ? null : males + females;
    }
    if (count === null) {
      fail(line, 'admin:istat.badNumber');
      continue;
    }
    if (age === 'total') continue;
    const key = normaliseComuneName(name);
    let entry = byName.get(key);
    if (!entry) {
      const code = columns.code === null ? '' : (row[columns.code] ?? '').trim();
      entry = { name, istatCode: code === '' ? null : code, over65: 0, total: 0, ages: new Set() };
      byName.set(key, entry);
    }
    if (entry.ages.has(age)) {
      fail(line, 'admin:istat.duplicateAge');
      continue;
    }
    entry.ages.add(age);
    entry.total += count;
    if (age >= OVER65_FROM_AGE) entry.over65 += count;
  }
  if (errors > 0) throw invalid('admin:istat.badLines', fields, { count: errors });
  if (byName.size === 0) throw invalid('admin:istat.noRows', { csv: { key: 'admin:istat.noRows' } });
  return [...byName.values()].map(({ name, istatCode, over65, total }) => ({ name, istatCode, over65, total }));
}

/** Matches the file's comuni to the ambito's by normalised name. */
export function matchIstatComuni(totals: readonly IstatComuneTotal[], comuni: readonly { id: string; name: string }[]): IstatMatch {
  const byName = new Map(comuni.map((c) => [normaliseComuneName(c.name), c]));
  const matched: IstatMatch['matched'] = [];
  const unknown: string[] = [];
  const seen = new Set<string>();
  for (const total of totals) {
    const comune = byName.get(normaliseComuneName(total.name));
    if (!comune) unknown.push(total.name);
    else {
      seen.add(comune.id);
      matched.push({ comuneId: comune.id, name: comune.name, istatCode: total.istatCode, over65: total.over65 });
    }
  }
  return { matched, unknown, missing: comuni.filter((c) => !seen.has(c.id)).map((c) => c.id) };
}
