/**
 * The CSV writer of the staff exports (issue #7), shaped for Excel in Italy: `;` separator (the
 * comma is the decimal mark there), CRLF line ends, a UTF-8 byte-order mark (without it Excel
 * reads UTF-8 as Windows-1252 and breaks accents), fields quoted only when they need it.
 *
 * Formula injection: a cell that starts with = + - @ (or tab / carriage return, which some
 * spreadsheet programs skip before looking for those) would run as a formula when the file is
 * opened. Such cells get a leading apostrophe, the spreadsheet convention for "this is text".
 * Every cell is treated the same way, numbers included, so no value can slip through by type.
 */

export const CSV_SEPARATOR = ';';
export const CSV_EOL = '\r\n';
export const CSV_BOM = '\uFEFF';

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[";\r\n]|^\s|\s$/;

/** The cell's text as a spreadsheet should show it, formula characters neutralised. */
export function neutraliseCell(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'boolean' ? (value ? 'true' : 'false') : String(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** One field: neutralised, then quoted (inner quotes doubled) when it holds ; " CR LF or edge spaces. */
export function csvField(value: CsvValue): string {
  const text = neutraliseCell(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return values.map(csvField).join(CSV_SEPARATOR);
}

/** The whole file: BOM, header line, one line per row, every line ended by CRLF. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  let out = CSV_BOM + csvLine(header) + CSV_EOL;
  for (const row of rows) out += csvLine(row) + CSV_EOL;
  return out;
}
