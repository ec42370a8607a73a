// Helpers shared by the rule modules, which match regexes on `tokens.join(' ')` (pure).

/** Index of the token that contains character `charIndex` of `tokens.join(' ')`. */
export function tokenIndexAt(text: string, charIndex: number): number {
  let n = 0;
  for (let i = 0; i < charIndex; i++) if (text.charCodeAt(i) === 32) n++;
  return n;
}

/** The tokens in [from, to) joined by spaces; bounds are clamped. */
export function tokenWindow(tokens: readonly string[], from: number, to: number): string {
  return tokens.slice(Math.max(0, from), Math.max(0, to)).join(' ');
}

/**
 * Every match of a global pattern in `text`, as `text.matchAll(pattern)` gives them, without the
 * copy of the pattern matchAll makes on every call: V8 builds a new RegExp each time, and that was
 * most of the cost of reading a short message (about twenty patterns per message). The pattern's
 * lastIndex is 0 before and after, so a loop left early leaves nothing behind. Not re-entrant for
 * the same pattern (none of the rule modules nests one).
 */
export function* matchesOf(pattern: RegExp, text: string): Generator<RegExpExecArray, void, undefined> {
  if (!pattern.global) throw new TypeError('matchesOf needs a global (g) pattern');
  pattern.lastIndex = 0;
  try {
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      // An empty match would be found again at the same place.
      if (m[0] === '') pattern.lastIndex += 1;
      yield m;
    }
  } finally {
    pattern.lastIndex = 0;
  }
}
