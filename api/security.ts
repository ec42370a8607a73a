/** Small crypto helpers shared by the routes. */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** A random secret for bearer tokens and cookies (256 bits, URL-safe). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Keyed hash: what is stored for a cookie session, so a copy of the table opens nothing. */
export function hmacHex(secret: string, value: string): string {
  return createHmac('sha256', secret).update(value).digest('hex');
}

/**
 * `hmacHex` remembered for the values seen lately: every staff request turns its session cookie
 * into the session's key, and the HMAC was a visible share of a cheap request (a waiting-list
 * page). Bounded: a full memo starts again, so random cookies cost only the HMAC they always did.
 */
export function memoHmacHex(secret: string, max = 10_000): (value: string) => string {
  const memo = new Map<string, string>();
  return (value) => {
    let key = memo.get(value);
    if (key === undefined) {
      if (memo.size >= max) memo.clear();
      key = hmacHex(secret, value);
      memo.set(value, key);
    }
    return key;
  };
}

/** Constant-time comparison of two strings (false when lengths differ). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Checked before a path id reaches Postgres, which would reject a malformed uuid with an error. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
