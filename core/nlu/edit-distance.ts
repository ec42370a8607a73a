// Weighted typo distance (pure). Plain edit distance says "perto" is as close to "porto" as to
// "petto"; people, though, mostly hit a neighbouring key, swap two letters or double/drop a
// repeated one. Those slips cost less, so the intended word wins ties.

/** Cost of one ordinary edit; a distance of 1 edit is `EDIT`, of 2 edits `2 * EDIT`. */
export const EDIT = 10;
const NEAR_KEY = 7;
const SWAP = 7;
const REPEAT = 6;

// QWERTY rows (also the Italian layout for letters); x shifted by each row's stagger.
const ROWS = ['qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const STAGGER = [0, 0.25, 0.75];
const KEY_POS = new Map<string, { x: number; y: number }>();
ROWS.forEach((row, y) => [...row].forEach((ch, col) => KEY_POS.set(ch, { x: col + (STAGGER[y] ?? 0), y })));

function substitutionCost(a: string, b: string): number {
  if (a === b) return 0;
  const p = KEY_POS.get(a);
  const q = KEY_POS.get(b);
  return p !== undefined && q !== undefined && Math.abs(p.x - q.x) <= 1 && Math.abs(p.y - q.y) <= 1 ? NEAR_KEY : EDIT;
}

/**
 * Optimal-string-alignment distance with typo-aware costs (see above), giving up as soon as it
 * must exceed `max`: returns `max + 1` then. O(|a|·|b|) on words of a dozen letters.
 */
export function typoDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) * REPEAT > max) return max + 1;
  if (a === b) return 0;
  const n = b.length;
  // Three rolling rows: two back (for swaps), previous, current.
  let twoBack = new Array<number>(n + 1).fill(0);
  let prev = new Array<number>(n + 1).fill(0);
  let cur = new Array<number>(n + 1).fill(0);
  for (let j = 1; j <= n; j++) prev[j] = (prev[j - 1] ?? 0) + (j > 1 && b[j - 1] === b[j - 2] ? REPEAT : EDIT);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1] ?? '';
    // Dropping a letter that repeats its neighbour ("spessa" → "spesa") is a cheap slip.
    const deleteCost = i > 1 && ai === a[i - 2] ? REPEAT : EDIT;
    cur[0] = (prev[0] ?? 0) + deleteCost;
    let rowMin = cur[0] ?? 0;
    for (let j = 1; j <= n; j++) {
      const bj = b[j - 1] ?? '';
      const insertCost = j > 1 && bj === b[j - 2] ? REPEAT : EDIT;
      let d = Math.min((prev[j] ?? 0) + deleteCost, (cur[j - 1] ?? 0) + insertCost, (prev[j - 1] ?? 0) + substitutionCost(ai, bj));
      if (i > 1 && j > 1 && ai === b[j - 2] && a[i - 2] === bj && ai !== bj) d = Math.min(d, (twoBack[j - 2] ?? 0) + SWAP);
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [twoBack, prev, cur] = [prev, cur, twoBack];
  }
  const result = prev[n] ?? max + 1;
  return result > max ? max + 1 : result;
}
