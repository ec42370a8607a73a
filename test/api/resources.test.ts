/**
 * Resources of the open system through the real HTTP app: lists and filters for every role,
 * admin-only changes, the accredited providers of a comune (art. 10 free choice).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAccreditedProviders } from '../../db/resources.ts';
import { auditLog, resources } from '../../db/schema.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';

interface Resource { id: string; kind: string; name: string; services: string[]; comuni: string[]; active: boolean; accreditedUntil: string | null; email: string | null }
interface ErrorBody { error: { code: string; rule?: string; fields?: Record<string, string> } }

describe.skipIf(postgresSkipped)('resources API', () => {
  let t: TestApp;
  const cookies: Record<string, string> = {};
  const as = (user: string, init: RequestInit = {}) => ({ ...init, headers: { cookie: cookies[user]! } });
  const get = (user: string, url: string) => t.request(url, as(user));
  const send = (user: string, method: string, url: string, body: unknown) => t.json(url, body, as(user, { method }));
  const list = async (user: string, query: string) => ((await (await get(user, `/api/v1/resources${query}`)).json()) as { resources: Resource[] }).resources;

  beforeAll(async () => {
    t = await createTestApp();
    for (const u of ['paola', 'sara', 'marco', 'ilsole']) cookies[u] = await t.login(u);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('lists resources to every role, filtered by comune, kind and service', async () => {
    for (const u of ['sara', 'marco', 'ilsole']) expect((await get(u, '/api/v1/resources')).status).toBe(200);
    const rosate = await list('sara', '?comune=rosate');
    expect(rosate.length).toBeGreaterThan(0);
    for (const r of rosate) expect(r.comuni).toContain('rosate');
    expect(new Set(rosate.map((r) => r.kind))).toEqual(new Set(['accredited_provider', 'occasional_helper', 'family_assistant']));
    const volunteers = await list('marco', '?kind=volunteer_association');
    expect(volunteers.map((r) => r.name)).toContain('Auser Abbiategrasso');
    for (const r of volunteers) expect(r.kind).toBe('volunteer_association');
    const bath = await list('ilsole', '?service=3b');
    expect(bath.length).toBeGreaterThan(0);
    for (const r of bath) expect(r.services).toContain('3B');
    expect(await list('sara', '?comune=milano')).toEqual([]);
    expect((await get('sara', '/api/v1/resources?kind=robot')).status).toBe(400);
    expect((await t.request('/api/v1/resources')).status).toBe(401);
  });

  it('creates a resource (admins only): services normalised and checked against art. 7 and the comuni’s extra services', async () => {
    const body = { kind: 'volunteer_association', name: 'Amici del Naviglio', services: ['8a', '8A'], comuni: ['ozzero', 'besate'], email: 'amici@naviglio.example', availability: 'sabato mattina' };
    expect((await send('sara', 'POST', '/api/v1/resources', body)).status).toBe(403);
    const res = await send('paola', 'POST', '/api/v1/resources', body);
    expect(res.status).toBe(201);
    const created = (await res.json()) as Resource;
    expect(created).toMatchObject({ kind: 'volunteer_association', services: ['8A'], comuni: ['besate', 'ozzero'], active: true, accreditedUntil: null });
    expect((await get('marco', `/api/v1/resources/${created.id}`)).status).toBe(200);
    // Abbiategrasso's demo settings add the extra service ACC-SCUOLA: valid there, not in Albairate.
    expect((await send('paola', 'POST', '/api/v1/resources', { kind: 'occasional_helper', name: 'Accompagnatore', services: ['ACC-SCUOLA'], comuni: ['abbiategrasso'] })).status).toBe(201);
    const elsewhere = await send('paola', 'POST', '/api/v1/resources', { kind: 'occasional_helper', name: 'Accompagnatore 2', services: ['ACC-SCUOLA'], comuni: ['albairate'] });
    expect(elsewhere.status).toBe(400);
    expect(((await elsewhere.json()) as ErrorBody).error).toMatchObject({ rule: 'art. 7', fields: { 'services.0': expect.any(String) } });
  });

  it('refuses bad resources with the field named, and saves nothing', async () => {
    const before = (await t.db.database.db.select({ id: resources.id }).from(resources)).length;
    const cases: [unknown, string][] = [
      [{ kind: 'accredited_provider', name: 'X', services: ['9Z'], comuni: ['rosate'] }, 'services.0'],
      [{ kind: 'accredited_provider', name: 'X', comuni: ['milano'] }, 'comuni.0'],
      [{ kind: 'accredited_provider', name: 'X', comuni: [] }, 'comuni'],
      [{ kind: 'accredited_provider', name: '', comuni: ['rosate'] }, 'name'],
      [{ kind: 'robot', name: 'X', comuni: ['rosate'] }, 'kind'],
      [{ kind: 'accredited_provider', name: 'X', comuni: ['rosate'], email: 'non-una-mail' }, 'email'],
      [{ kind: 'accredited_provider', name: 'X', comuni: ['rosate'], accreditedUntil: '2026-02-30' }, 'accreditedUntil'],
      [{ kind: 'accredited_provider', name: 'X'.repeat(201), comuni: ['rosate'] }, 'name'],
      [{ kind: 'accredited_provider', name: 'X', comuni: ['rosate'], owner: 'me' }, 'owner'],
    ];
    for (const [body, field] of cases) {
      const res = await send('paola', 'POST', '/api/v1/resources', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(((await res.json()) as ErrorBody).error.fields, JSON.stringify(body)).toHaveProperty([field]);
    }
    expect((await t.db.database.db.select({ id: resources.id }).from(resources)).length).toBe(before);
  });

  it('lists the accredited providers a citizen may choose from: active, serving the comune, accreditation not expired', async () => {
    const providers = async (comune: string) => ((await (await get('marco', `/api/v1/comuni/${comune}/providers`)).json()) as { providers: Resource[] }).providers;
    const before = await providers('rosate');
    expect(before.map((p) => p.name)).toContain('Cooperativa Il Sole');
    for (const p of before) expect(p.kind).toBe('accredited_provider');
    const expired = (await (await send('paola', 'POST', '/api/v1/resources', { kind: 'accredited_provider', name: 'Cooperativa Scaduta', services: ['2B'], comuni: ['rosate'], accreditedUntil: '2020-12-31' })).json()) as Resource;
    const fresh = (await (await send('paola', 'POST', '/api/v1/resources', { kind: 'accredited_provider', name: 'Cooperativa Nuova', services: ['2b'], comuni: ['rosate'], accreditedUntil: '2099-12-31' })).json()) as Resource;
    const after = await providers('rosate');
    expect(after.map((p) => p.id)).toContain(fresh.id);
    expect(after.map((p) => p.id)).not.toContain(expired.id);
    expect(after.map((p) => p.id)).toEqual((await listAccreditedProviders(t.db.database.db, 'rosate')).map((p) => p.id));
    expect((await get('marco', '/api/v1/comuni/milano/providers')).status).toBe(404);

    // Deactivated: gone from the choice and from the default list, still there with active=all.
    const off = await send('paola', 'PATCH', `/api/v1/resources/${fresh.id}`, { active: false });
    expect(off.status).toBe(200);
    expect((await providers('rosate')).map((p) => p.id)).not.toContain(fresh.id);
    expect((await list('sara', '?comune=rosate')).map((r) => r.id)).not.toContain(fresh.id);
    expect((await list('sara', '?comune=rosate&active=all')).map((r) => r.id)).toContain(fresh.id);
    const audits = await t.db.database.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.subjectId, fresh.id));
    expect(audits.map((a) => a.action).sort()).toEqual(['resource.create', 'resource.deactivate']);
  });

  it('updates only the fields sent; comuni changes re-check services; unknown or malformed ids answer 404', async () => {
    const created = (await (await send('paola', 'POST', '/api/v1/resources', { kind: 'accredited_provider', name: 'Cooperativa Mobile', services: ['2B', '8A'], comuni: ['gaggiano'] })).json()) as Resource;
    const res = await send('paola', 'PATCH', `/api/v1/resources/${created.id}`, { comuni: ['gaggiano', 'rosate'], availability: 'lun–ven' });
    expect(res.status).toBe(200);
    expect((await res.json()) as Resource).toMatchObject({ name: 'Cooperativa Mobile', services: ['2B', '8A'], comuni: ['gaggiano', 'rosate'] });
    expect((await send('paola', 'PATCH', `/api/v1/resources/${created.id}`, { services: ['ZZ9'] })).status).toBe(400);
    expect((await send('sara', 'PATCH', `/api/v1/resources/${created.id}`, { name: 'No' })).status).toBe(403);
    for (const id of ['nope', '00000000-0000-4000-8000-000000000000']) {
      expect((await get('sara', `/api/v1/resources/${id}`)).status).toBe(404);
      expect((await send('paola', 'PATCH', `/api/v1/resources/${id}`, { name: 'X' })).status).toBe(404);
    }
  });
});
