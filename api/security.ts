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
