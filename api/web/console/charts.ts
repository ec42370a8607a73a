/**
 * Server-side inline SVG charts for the staff dashboard (issue #7): no chart library, no
 * client code, nothing from a CDN. Each chart is an <svg role="img"> named by its <title> and
 * <desc>; the page puts the same figures in a data table beside it, which is what screen
 * readers and keyboard users read. All text goes through hono/html, so it is escaped.
 */
import { html } from 'hono/html';

export interface Series {
  name: string;
  /** CSS class giving the colour (see console-admin.css). */
  className: string;
}

export interface BarRow {
  label: string;
  /** null: nothing to measure yet (no bar, and `noValue` in its place, never a 0 that reads as "fast"). */
  values: readonly (number | null)[];
  /** A marker drawn across the row (e.g. the allocation), if any. */
  marker?: number | null;
}

export interface BarChartInput {
  id: string;
  title: string;
  desc: string;
  series: readonly Series[];
  rows: readonly BarRow[];
  /** Legend entry of the marker, when rows carry one. */
  markerName?: string;
  /** Written where a value is null (default "—"). */
  noValue?: string;
}

const LABEL_WIDTH = 215;
const BAR_AREA = 420;
const ROW_HEIGHT = 16;
const ROW_GAP = 10;

/** Short numbers on the bars (12.345 → "12.345" in Italian, "12,345" in English). */
function fmt(value: number, locale: string): string {
  return value.toLocaleString(locale === 'en' ? 'en-GB' : 'it-IT', { maximumFractionDigits: 1 });
}

/** Horizontal grouped bars, one group per row, scaled to the largest value (or marker). */
export function barChart(input: BarChartInput, locale: string) {
  const max = Math.max(1, ...input.rows.flatMap((r) => [...r.values.map((v) => v ?? 0), r.marker ?? 0]));
  const groupHeight = input.series.length * ROW_HEIGHT + ROW_GAP;
  const legendHeight = 28;
  const height = legendHeight + input.rows.length * groupHeight + 10;
  const width = LABEL_WIDTH + BAR_AREA + 70;
  const scale = (v: number) => Math.round((v / max) * BAR_AREA);
  const titleId = `${input.id}-title`;
  const descId = `${input.id}-desc`;
  let legendX = 0;
  const legend = [...input.series.map((s) => ({ name: s.name, className: s.className })), ...(input.markerName ? [{ name: input.markerName, className: 'marker' }] : [])].map((s) => {
    const x = legendX;
    legendX += 28 + s.name.length * 8;
    return html`<g transform="translate(${x},4)"><rect class="${s.className}" width="16" height="14"></rect><text x="22" y="12">${s.name}</text></g>`;
  });
  const groups = input.rows.map((row, i) => {
    const y = legendHeight + i * groupHeight;
    return html`<g transform="translate(0,${y})">
<text class="label" x="${LABEL_WIDTH - 8}" y="${(input.series.length * ROW_HEIGHT) / 2 + 5}" text-anchor="end">${row.label}</text>
${row.values.map((v, j) =>
  v === null
    ? html`<text class="value none" x="${LABEL_WIDTH + 4}" y="${j * ROW_HEIGHT + 11}">${input.noValue ?? '—'}</text>`
    : html`<rect class="${input.series[j]!.className}" x="${LABEL_WIDTH}" y="${j * ROW_HEIGHT}" width="${Math.max(v > 0 ? 2 : 0, scale(v))}" height="${ROW_HEIGHT - 3}"></rect><text class="value" x="${LABEL_WIDTH + scale(v) + 4}" y="${j * ROW_HEIGHT + 11}">${fmt(v, locale)}</text>`,
)}
${row.marker !== undefined && row.marker !== null ? html`<line class="marker" x1="${LABEL_WIDTH + scale(row.marker)}" x2="${LABEL_WIDTH + scale(row.marker)}" y1="-3" y2="${input.series.length * ROW_HEIGHT}"></line>` : ''}
</g>`;
  });
  return html`<svg class="chart" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" focusable="false">
<title id="${titleId}">${input.title}</title>
<desc id="${descId}">${input.desc}</desc>
${legend}
${groups}
</svg>`;
}
