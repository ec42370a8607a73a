import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CSV_BOM, csvField, neutraliseCell, toCsv, type CsvValue } from '../../../core/export/csv.ts';

/** A strict parse as Excel-like readers see the file: `;`, CRLF, quotes, BOM stripped. */
function read(text: string): string[][] {
  return parse(text, { delimiter: ';', record_delimiter: '\r\n', bom: true, relax_quotes: false, relax_column_count: false, skip_empty_lines: false }) as string[][];
}

/** Text with the characters that matter here turning up often. */
const cellText = fc.string({ unit: fc.oneof(fc.constantFrom('=', '+', '-', '@', '\t', '\r', '\n', ';', '"', ' ', "'", 'à', '€', '\u00A0'), fc.string({ minLength: 1, maxLength: 1, unit: 'grapheme' })), maxLength: 30 });
const cell: fc.Arbitrary<CsvValue> = fc.oneof(cellText, fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null));

describe('CSV writer', () => {
  it('round-trips every cell through a strict CSV parse, formula cells neutralised', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 5 }), fc.array(fc.array(cell, { minLength: 1, maxLength: 5 }), { maxLength: 8 }), (header, rawRows) => {
        const width = header.length;
        const rows = rawRows.map((r) => Array.from({ length: width }, (_, i) => r[i % r.length]));
        const text = toCsv(header, rows);
        expect(text.startsWith(CSV_BOM)).toBe(true);
        expect(text.endsWith('\r\n')).toBe(true);
        const parsed = read(text);
        expect(parsed).toEqual([header.map(neutraliseCell), ...rows.map((r) => r.map(neutraliseCell))]);
        for (const line of parsed) for (const value of line) expect(value).not.toMatch(/^[=+\-@\t\r]/);
      }),
      { numRuns: 300 },
    );
  });

  it('never lets a cell start with a formula character', () => {
    fc.assert(
      fc.property(cell, (value) => {
        const out = neutraliseCell(value);
        expect(out).not.toMatch(/^[=+\-@\t\r]/);
        // Only the apostrophe is added, nothing else changes.
        const plain = value === null || value === undefined ? '' : String(value);
        expect(out === plain || out === `'${plain}`).toBe(true);
      }),
    );
  });

  it('quotes only where needed and neutralises the classic payloads', () => {
    expect(csvField('Rossi')).toBe('Rossi');
    expect(csvField('Rossi; Bianchi')).toBe('"Rossi; Bianchi"');
    expect(csvField('dice "ciao"')).toBe('"dice ""ciao"""');
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+39 02 123')).toBe("'+39 02 123");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-5)).toBe("'-5");
    expect(csvField(null)).toBe('');
    expect(toCsv(['a', 'b'], [['1', 'x\ny']])).toBe('\uFEFFa;b\r\n1;"x\ny"\r\n');
  });
});
