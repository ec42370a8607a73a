// Italian or English? (pure). Counts frequent function words of each language; the locale of
// the channel breaks ties, then Italian, since centrale's public is mostly Italian.

const EN = new Set(['the', 'is', 'are', 'my', 'i', 'you', 'can', 'to', 'and', 'of', 'help', 'need', 'needs', 'please', 'have', 'has', 'how', 'what', 'with', 'for', 'there', 'she', 'he', 'not', 'don', 'get', 'on', 'do', 'does', 'someone', 'her', 'his', 'it', 'this', 'that', 'hello', 'hi', 'thanks', 'thank', 'good', 'morning', 'which', 'who', 'any', 'am', 'me', 'was', 'left', 'want', 'would', 'could', 'will', 'fell', 'hours']);
const IT = new Set(['il', 'la', 'di', 'che', 'e', 'non', 'per', 'mi', 'sono', 'ho', 'un', 'una', 'lo', 'le', 'del', 'della', 'con', 'da', 'si', 'ha', 'mia', 'mio', 'vorrei', 'aiuto', 'come', 'quante', 'ore', 'buongiorno', 'ciao', 'salve', 'grazie', 'casa', 'qualcuno', 'domani', 'oggi', 'alle', 'al', 'nel', 'piu', 'ancora', 'posso', 'serve', 'cosa', 'chi', 'dove', 'quando', 'perche', 'sta', 'ci', 'c', 'gli', 'dal', 'alla', 'ma', 'se', 'anche', 'molto']);

export function detectLanguage(tokens: readonly string[], fallback: 'it' | 'en' | undefined): 'it' | 'en' {
  let en = 0;
  let it = 0;
  for (const t of tokens) {
    if (EN.has(t)) en++;
    if (IT.has(t)) it++;
  }
  if (en > it) return 'en';
  if (it > en) return 'it';
  return fallback ?? 'it';
}

/** At least this many common words of one language, and none of the other, make a text clearly written in it. */
const CLEAR_WORDS = 3;

/**
 * The language a text is clearly written in, or undefined: "Hello, I need help with shopping" is
 * English, "buongiorno vorrei aiuto per la spesa" Italian, "ok grazie" or "help" neither. Used to
 * answer in the person's language when it is not the one the channel suggested.
 */
export function clearLanguageOf(tokens: readonly string[]): 'it' | 'en' | undefined {
  let en = 0;
  let it = 0;
  for (const t of tokens) {
    if (EN.has(t)) en++;
    if (IT.has(t)) it++;
  }
  if (en >= CLEAR_WORDS && it === 0) return 'en';
  if (it >= CLEAR_WORDS && en === 0) return 'it';
  return undefined;
}
