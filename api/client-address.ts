/**
 * The address a request came from, for per-address rate limits. Behind a reverse proxy every
 * request arrives from the proxy: the client is then read from X-Forwarded-For, but only the hops
 * added by proxies listed in TRUSTED_PROXIES are believed (the header is otherwise forgeable by
 * anyone). proxy-addr walks the header from the right, as Express's "trust proxy" does.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import proxyaddr from 'proxy-addr';

type Trust = (address: string, hop: number) => boolean;
const compiled = new WeakMap<readonly string[], Trust>();

function trustFor(trustedProxies: readonly string[]): Trust {
  let trust = compiled.get(trustedProxies);
  if (!trust) {
    trust = proxyaddr.compile([...trustedProxies]);
    compiled.set(trustedProxies, trust);
  }
  return trust;
}

export function clientAddress(c: Context, trustedProxies: readonly string[]): string {
  let socketAddress: string | undefined;
  try {
    socketAddress = getConnInfo(c).remote.address;
  } catch {
    socketAddress = undefined; // not served by @hono/node-server (app.request in tests)
  }
  if (!socketAddress) return 'unknown';
  if (trustedProxies.length === 0) return socketAddress;
  const forwardedFor = c.req.header('x-forwarded-for');
  // proxy-addr reads a Node request; these are the only fields it looks at.
  const request = { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}, connection: { remoteAddress: socketAddress }, socket: { remoteAddress: socketAddress } };
  return proxyaddr(request as unknown as Parameters<typeof proxyaddr>[0], trustFor(trustedProxies));
}
