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
