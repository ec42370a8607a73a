import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped, testDbKind } from '../helpers/test-db.ts';

describe.skipIf(postgresSkipped)('system routes, docs and errors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ demoData: false });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers /health and names the database on /ready', async () => {
    expect(await (await t.request('/health')).json()).toEqual({ status: 'ok' });
    const ready = await t.request('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ db: testDbKind });
  });

  it('publishes the OpenAPI spec and a docs page with local assets', async () => {
    const spec = (await (await t.request('/openapi.json')).json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toBe('3.1.0');
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/v1/auth/login', '/api/v1/auth/logout', '/api/v1/auth/me']));
    const page = await (await t.request('/docs')).text();
    const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets.every((a) => a.startsWith('/docs/assets/'))).toBe(true);
    for (const asset of assets) expect((await t.request(asset)).status).toBe(200);
  });

  it('serves the Italian chat page with a strict content security policy', async () => {
    const res = await t.request('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const html = await res.text();
    expect(html).toMatch(/<html lang="it">/);
    expect(html).toMatch(/112/);
    expect((await t.request('/static/chat.js')).status).toBe(200);
    expect((await (await t.request('/?lang=en')).text())).toMatch(/<html lang="en">/);
  });

  it('keeps the security headers on API answers, errors included (only provider webhooks go without)', async () => {
    const res = await t.request('/api/v1/people');
    expect(res.status).toBe(401);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
  });

  it('answers unknown routes and files with the error body', async () => {
    for (const path of ['/nope', '/static/../../config.ts', '/static/secret.txt', '/docs/assets/package.json']) {
      const res = await t.request(path);
      expect(res.status).toBe(404);
    }
    const body = (await (await t.request('/nope')).json()) as { error: { code: string; requestId: string } };
    expect(body.error.code).toBe('NOT_FOUND');
    expect(body.error.requestId).toMatch(/\S/);
  });
});
