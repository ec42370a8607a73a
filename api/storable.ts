/**
 * Text PostgreSQL can store. `text` refuses NUL and `jsonb` refuses both "\u0000" and lone UTF-16
 * surrogates (a broken client or a fuzzer sends them): stored as is they fail the INSERT, so the
 * request would end in a 500 and a webhook provider would redeliver it forever. Each becomes U+FFFD,
 * so the message is kept and the person still gets an answer.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function storableText(value: string): string {
  return value.replace(UNSTORABLE, '\uFFFD');
}

/** Deeper than any real update or form: refused rather than walked (and stored) at all. */
export const MAX_JSON_DEPTH = 64;

/** The same, through every string (keys too) of a parsed JSON value; undefined when nested too deeply. */
export function storable<T>(value: T, depth = 0): T | undefined {
  if (typeof value === 'string') return storableText(value) as T;
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_JSON_DEPTH) return undefined;
  const walk = (v: unknown) => {
    const out = storable(v, depth + 1);
    if (out === undefined && v !== undefined) throw TOO_DEEP;
    return out;
  };
  try {
    if (Array.isArray(value)) return value.map(walk) as T;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [storableText(k), walk(v)])) as T;
  } catch (err) {
    if (err === TOO_DEEP) return undefined;
    throw err;
  }
}
const TOO_DEEP = new Error('too deep');
