/**
 * Per-address limits behind a reverse proxy: with TRUSTED_PROXIES the client is read from
 * X-Forwarded-For (only the hops our proxies added), without it the header is ignored, since
 * anyone can send it. Real sockets: the socket address is what a proxy would have.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';

const LIMITS = { RATE_LIMIT_CHAT_SESSIONS_PER_ADDRESS: '2/60' };

describe.skipIf(postgresSkipped)('client address behind a proxy', () => {
  let behindProxy: TestApp;
  let direct: TestApp;
  let proxyUrl: string;
  let directUrl: string;
  beforeAll(async () => {
    behindProxy = await createTestApp({ demoData: false, env: { ...LIMITS, TRUSTED_PROXIES: 'loopback' } });
    direct = await createTestApp({ demoData: false, env: LIMITS });
    proxyUrl = await behindProxy.listen();
    directUrl = await direct.listen();
  });
  afterAll(async () => {
    await behindProxy?.close();
    await direct?.close();
  });

  const newSession = async (base: string, forwardedFor?: string) =>
    (await fetch(`${base}/chat/web/sessions`, { method: 'POST', headers: { 'content-type': 'application/json', ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) }, body: '{}' })).status;

  it('behind a trusted proxy, each forwarded client has its own web-chat session limit', async () => {
    expect(await newSession(proxyUrl, '203.0.113.1')).toBe(201);
    expect(await newSession(proxyUrl, '203.0.113.1')).toBe(201);
    expect(await newSession(proxyUrl, '203.0.113.1')).toBe(429);
    // Another citizen behind the same proxy is not held back by the first.
    expect(await newSession(proxyUrl, '203.0.113.2')).toBe(201);
  });

  it('a client cannot escape its limit by prepending an address of its own choosing', async () => {
    // The proxy appends what it saw (203.0.113.1); the left part came from the client.
    expect(await newSession(proxyUrl, '198.51.100.7, 203.0.113.1')).toBe(429);
  });

  it('without TRUSTED_PROXIES the header is ignored: every request counts for the socket address', async () => {
    expect(await newSession(directUrl, '203.0.113.10')).toBe(201);
    expect(await newSession(directUrl, '203.0.113.11')).toBe(201);
    expect(await newSession(directUrl, '203.0.113.12')).toBe(429);
  });

  it('refuses a TRUSTED_PROXIES that is not a list of addresses, ranges or known names', () => {
    expect(() => loadConfig({ DATABASE_URL: 'memory://', TRUSTED_PROXIES: 'proxy.example.org' })).toThrow(ConfigError);
    expect(() => loadConfig({ DATABASE_URL: 'memory://', TRUSTED_PROXIES: 'proxy.example.org' })).toThrow(/TRUSTED_PROXIES/);
    expect(loadConfig({ DATABASE_URL: 'memory://', TRUSTED_PROXIES: ' 10.0.0.0/8, loopback ,::1' }).trustedProxies).toEqual(['10.0.0.0/8', 'loopback', '::1']);
    expect(loadConfig({ DATABASE_URL: 'memory://' }).trustedProxies).toEqual([]);
  });
});
