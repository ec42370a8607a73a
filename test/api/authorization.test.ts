/**
 * The authorization matrix over every route in /openapi.json: for each staff route and each demo
 * account, a role the route does not allow gets 403, a record outside the caller's comuni (or,
 * for a provider, outside its resources) gets 404, and an allowed in-scope call gets neither.
 * A route missing from the matrix fails the test, so a new route cannot skip its check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffRole } from '../../db/schema.ts';
import { createCaseFixtures, type CaseFixtures, type Side } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { AUTHZ_MATRIX } from './authz/index.ts';
import type { AuthzEntry, AuthzRequest } from './authz/types.ts';

/** Routes anyone may call (no staff session). */
// Logout is idempotent: without a session it simply answers 204.
const PUBLIC = new Set(['get /health', 'get /ready', 'post /api/v1/auth/login', 'post /api/v1/auth/logout']);

/** The demo accounts: role, the side they can see, the side they cannot (null: they see both). */
const ACCOUNTS: { username: string; role: StaffRole; inside: Side; outside: Side | null }[] = [
  { username: 'paola', role: 'admin', inside: 'albairate', outside: null },
  { username: 'sara', role: 'social_worker', inside: 'albairate', outside: 'abbiategrasso' },
  { username: 'giorgio', role: 'social_worker', inside: 'abbiategrasso', outside: 'albairate' },
  { username: 'marco', role: 'operator', inside: 'albairate', outside: null },
  { username: 'ilsole', role: 'provider', inside: 'albairate', outside: 'abbiategrasso' },
];

let t: TestApp;
let f: CaseFixtures;
const cookies: Record<string, string> = {};
let spec: { paths: Record<string, Record<string, unknown>> };

beforeAll(async () => {
  t = await createTestApp();
  f = await createCaseFixtures(t.db.database.db);
  for (const a of ACCOUNTS) cookies[a.username] = await t.login(a.username);
  spec = (await (await t.request('/openapi.json')).json()) as typeof spec;
});
afterAll(async () => {
  await t?.close();
});

const key = (e: { method: string; path: string }) => `${e.method} ${e.path}`;

async function call(entry: AuthzEntry, req: AuthzRequest, cookie?: string): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = cookie ? { cookie } : {};
  let body: BodyInit | undefined;
  if (req.body instanceof FormData) body = req.body;
  else if (req.body !== undefined) {
    body = JSON.stringify(req.body);
    headers['content-type'] = 'application/json';
  }
  const res = await t.request(req.url, { method: entry.method.toUpperCase(), headers, ...(body !== undefined ? { body } : {}) });
  return { status: res.status, body: await res.text() };
}

// Each check walks the whole matrix (over 150 routes × 5 accounts): minutes, not the default 30 s.
const MATRIX_TIMEOUT_MS = 300_000;

describe('authorization matrix', () => {
  it('lists every route of /openapi.json exactly once', () => {
    const documented = Object.entries(spec.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method} ${path}`))
      .filter((k) => !PUBLIC.has(k))
      .sort();
    const matrix = AUTHZ_MATRIX.map(key).sort();
    expect(new Set(matrix).size, 'duplicate rows in the matrix').toBe(matrix.length);
    expect(matrix).toEqual(documented);
  });

  it('answers 401 without a session on every staff route', async () => {
    for (const entry of AUTHZ_MATRIX) {
      const res = await call(entry, await entry.request(f, 'albairate'));
      expect(res.status, key(entry)).toBe(401);
    }
  }, MATRIX_TIMEOUT_MS);

  it('answers 403 to every role the route does not allow', async () => {
    for (const entry of AUTHZ_MATRIX) {
      for (const a of ACCOUNTS.filter((x) => !entry.roles.includes(x.role))) {
        const res = await call(entry, await entry.request(f, a.inside), cookies[a.username]);
        expect(res.status, `${key(entry)} as ${a.username}`).toBe(403);
      }
    }
  }, MATRIX_TIMEOUT_MS);

  it('answers 404 for a record outside the caller’s scope', async () => {
    for (const entry of AUTHZ_MATRIX.filter((e) => e.scoped)) {
      for (const a of ACCOUNTS.filter((x) => entry.roles.includes(x.role) && x.outside)) {
        const res = await call(entry, await entry.request(f, a.outside!), cookies[a.username]);
        expect(res.status, `${key(entry)} as ${a.username}: ${res.body}`).toBe(404);
      }
    }
  }, MATRIX_TIMEOUT_MS);

  it('lets an allowed role reach an in-scope record (no 401, 403, 404 or 5xx)', async () => {
    for (const entry of AUTHZ_MATRIX) {
      for (const a of ACCOUNTS.filter((x) => entry.roles.includes(x.role))) {
        const res = await call(entry, await entry.request(f, a.inside), cookies[a.username]);
        expect([401, 403, 404].includes(res.status) || res.status >= 500, `${key(entry)} as ${a.username}: ${res.status} ${res.body}`).toBe(false);
      }
    }
  }, MATRIX_TIMEOUT_MS);

  it('audits every refusal', async () => {
    const rows = await t.db.database.db.execute(`select count(*)::int as n from audit_log where outcome = 'denied'` as never);
    const n = ((rows as unknown as { rows?: { n: number }[] }).rows ?? (rows as unknown as { n: number }[]))[0]!.n;
    expect(n).toBeGreaterThan(0);
  });
});
