import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { auditLog, channelIdentities, consents, delegations, people } from '../../db/schema.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { postgresSkipped } from '../helpers/test-db.ts';

// Valid codici fiscali (check characters computed with codice-fiscale-js).
const FRANCO = { cf: 'BNCFNC41E02A127K', birthDate: '1941-05-02' };
const LAURA = { cf: 'BNCLRA73P54F205T', birthDate: '1973-09-14' };
const ANNA = { cf: 'VRDNNA45C43C733W', birthDate: '1945-03-03' };

interface ErrorBody { error: { code: string; message: string; fields?: Record<string, string> } }
interface PersonFile {
  person: Record<string, unknown> & { id: string; comuneId: string | null };
  delegates: { delegationId: string; kind: string; revokedAt: string | null; person: Record<string, unknown> & { id: string }; consents?: { id: string; purpose: string; withdrawnAt: string | null }[] }[];
  actsFor?: { personId: string }[];
  consents?: { id: string; purpose: string; withdrawnAt: string | null }[];
  channels?: { channel: string; addressHint: string | null; reachable: boolean }[];
}

describe.skipIf(postgresSkipped)('people API', () => {
  let t: TestApp;
  let f: CaseFixtures;
  const cookies: Record<string, string> = {};
  const as = (user: string) => ({ headers: { cookie: cookies[user]! } });
  const get = (user: string, path: string) => t.request(path, as(user));
  const post = (user: string, path: string, body: unknown) => t.json(path, body, as(user));
  const patch = (user: string, path: string, body: unknown) => t.json(path, body, { method: 'PATCH', ...as(user) });
  const db = () => t.db.database.db;
  const auditCount = async (action: string, subjectId: string, outcome: 'ok' | 'denied' = 'ok') =>
    (await db().select({ n: count() }).from(auditLog).where(and(eq(auditLog.action, action), eq(auditLog.subjectId, subjectId), eq(auditLog.outcome, outcome))))[0]!.n;
  const deniedCount = async (subjectId: string) =>
    (await db().select({ n: count() }).from(auditLog).where(and(eq(auditLog.subjectId, subjectId), eq(auditLog.outcome, 'denied'))))[0]!.n;
  let franco: string;

  beforeAll(async () => {
    t = await createTestApp();
    f = await createCaseFixtures(t.db.database.db);
    for (const u of ['paola', 'sara', 'giorgio', 'marco', 'ilsole']) cookies[u] = await t.login(u);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('create', () => {
    it('registers a person with a normalised, checked codice fiscale, audited', async () => {
      const res = await post('sara', '/api/v1/people', {
        givenName: 'Franco', familyName: 'Bianchi', birthDate: FRANCO.birthDate, codiceFiscale: ` ${FRANCO.cf.toLowerCase().slice(0, 8)} ${FRANCO.cf.toLowerCase().slice(8)}`,
        phone: '+39 333 111 2222', comuneId: 'albairate', livesAlone: true, familySupport: true,
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { person: { id: string; codiceFiscale: string; phone: string; comuneId: string } };
      expect(body.person).toMatchObject({ codiceFiscale: FRANCO.cf, phone: '+393331112222', comuneId: 'albairate' });
      franco = body.person.id;
      expect(await auditCount('person.create', franco)).toBe(1);
    });

    it('refuses a codice fiscale already registered with 409 CONFLICT, creating nothing', async () => {
      const res = await post('paola', '/api/v1/people', { givenName: 'Altro', familyName: 'Nome', codiceFiscale: FRANCO.cf, comuneId: 'abbiategrasso' });
      expect(res.status).toBe(409);
      expect(((await res.json()) as ErrorBody).error.code).toBe('CONFLICT');
      expect((await db().select({ n: count() }).from(people).where(eq(people.codiceFiscale, FRANCO.cf)))[0]!.n).toBe(1);
    });

    it('lets exactly one of several simultaneous registrations of one codice fiscale through', async () => {
      const CARLO = { cf: 'RSSMRA38A60A010G', birthDate: '1938-01-20' };
      const results = await Promise.all(
        Array.from({ length: 6 }, () => post('paola', '/api/v1/people', { givenName: 'Maria', familyName: 'Rossi', codiceFiscale: CARLO.cf, birthDate: CARLO.birthDate, comuneId: 'abbiategrasso' })),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      expect((await db().select({ n: count() }).from(people).where(eq(people.codiceFiscale, CARLO.cf)))[0]!.n).toBe(1);
    });

    it('refuses an invalid codice fiscale or a birth date that contradicts it, naming the field', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ codiceFiscale: 'BNCFNC41E02A127X' }, 'codiceFiscale'], // wrong check character
        [{ codiceFiscale: 'NOT-A-CODE' }, 'codiceFiscale'],
        [{ codiceFiscale: ANNA.cf, birthDate: '1945-03-04' }, 'birthDate'],
        [{ birthDate: '2999-01-01' }, 'birthDate'],
        [{ birthDate: '1945-02-30' }, 'birthDate'],
      ];
      const before = (await db().select({ n: count() }).from(people))[0]!.n;
      for (const [extra, field] of cases) {
        const res = await post('sara', '/api/v1/people', { givenName: 'Anna', familyName: 'Verdi', comuneId: 'cisliano', ...extra });
        expect(res.status, JSON.stringify(extra)).toBe(400);
        expect(Object.keys(((await res.json()) as ErrorBody).error.fields ?? {}), JSON.stringify(extra)).toContain(field);
      }
      expect((await db().select({ n: count() }).from(people))[0]!.n).toBe(before);
    });

    it('refuses a comune outside the caller’s scope with 404 (audited), an unknown one with 400, unknown fields with 400', async () => {
      const res = await post('sara', '/api/v1/people', { givenName: 'Mario', familyName: 'Rossi', comuneId: 'abbiategrasso' });
      expect(res.status).toBe(404);
      expect(await deniedCount('abbiategrasso')).toBeGreaterThan(0);
      expect((await post('paola', '/api/v1/people', { givenName: 'Mario', familyName: 'Rossi', comuneId: 'milano' })).status).toBe(400);
      expect((await post('paola', '/api/v1/people', { givenName: 'Mario', familyName: 'Rossi', comuneId: 'albairate', isAdmin: true })).status).toBe(400);
      expect((await post('paola', '/api/v1/people', { givenName: '', familyName: 'Rossi', comuneId: 'albairate' })).status).toBe(400);
      const text = await t.request('/api/v1/people', { method: 'POST', headers: { cookie: cookies.paola!, 'content-type': 'text/plain' }, body: 'Mario Rossi' });
      expect(text.status).toBe(415);
      expect((await t.request('/api/v1/people', { method: 'POST', headers: { cookie: cookies.paola!, 'content-type': 'application/json' }, body: '{"givenName":' })).status).toBe(400);
    });

    it('lets the operator register a person (from a call or a segnalazione), not a provider', async () => {
      expect((await post('marco', '/api/v1/people', { givenName: 'Anna', familyName: 'Verdi', codiceFiscale: ANNA.cf, birthDate: ANNA.birthDate, comuneId: 'cisliano' })).status).toBe(201);
      expect((await post('ilsole', '/api/v1/people', { givenName: 'Anna', familyName: 'Neri', comuneId: 'albairate' })).status).toBe(403);
    });
  });

  describe('search', () => {
    it('finds people in scope by name words, codice fiscale and comune, with minimal fields', async () => {
      const res = await get('sara', '/api/v1/people?q=bianchi%20fran');
      expect(res.status).toBe(200);
      const body = (await res.json()) as { people: Record<string, unknown>[]; nextOffset: number | null };
      expect(body.people.map((p) => p.id)).toEqual([franco]);
      expect(Object.keys(body.people[0]!).sort()).toEqual(['birthDate', 'comuneId', 'familyName', 'givenName', 'id']);
      const byCf = (await (await get('sara', `/api/v1/people?codiceFiscale=${FRANCO.cf.toLowerCase()}`)).json()) as { people: { id: string }[] };
      expect(byCf.people.map((p) => p.id)).toEqual([franco]);
      const byQ = (await (await get('sara', `/api/v1/people?q=${FRANCO.cf}`)).json()) as { people: { id: string }[] };
      expect(byQ.people.map((p) => p.id)).toEqual([franco]);
      // Like-wildcards in the query are plain characters.
      expect(((await (await get('sara', '/api/v1/people?q=%25')).json()) as { people: unknown[] }).people).toEqual([]);
    });

    it('never shows another comune’s people', async () => {
      const body = (await (await get('giorgio', '/api/v1/people?q=franco%20bianchi')).json()) as { people: unknown[] };
      expect(body.people).toEqual([]);
      const all = (await (await get('giorgio', '/api/v1/people?limit=200')).json()) as { people: { comuneId: string | null }[] };
      expect(all.people.length).toBeGreaterThan(0);
      expect(all.people.every((p) => p.comuneId === 'abbiategrasso' || p.comuneId === null)).toBe(true);
      const filtered = (await (await get('giorgio', '/api/v1/people?comuneId=albairate')).json()) as { people: unknown[] };
      expect(filtered.people).toEqual([]);
    });

    it('pages with limit and offset', async () => {
      const first = (await (await get('paola', '/api/v1/people?limit=1')).json()) as { people: { id: string }[]; nextOffset: number | null };
      expect(first.people).toHaveLength(1);
      expect(first.nextOffset).toBe(1);
      const second = (await (await get('paola', '/api/v1/people?limit=1&offset=1')).json()) as { people: { id: string }[] };
      expect(second.people[0]!.id).not.toBe(first.people[0]!.id);
      expect((await get('paola', '/api/v1/people?limit=0')).status).toBe(400);
      expect((await get('paola', '/api/v1/people?limit=abc')).status).toBe(400);
      expect((await get('paola', '/api/v1/people?codiceFiscale=XYZ')).status).toBe(400);
    });

    it('shows a provider only the people of its programmes', async () => {
      const body = (await (await get('ilsole', '/api/v1/people?limit=200')).json()) as { people: { id: string }[] };
      const ids = body.people.map((p) => p.id);
      expect(ids).toContain(f.albairate.personId);
      for (const hidden of [f.abbiategrasso.personId, f.albairate.delegatePersonId, franco]) expect(ids).not.toContain(hidden);
    });
  });

  describe('the person’s file', () => {
    it('shows profile, delegates with their consents, own consents and channels without raw addresses; every read audited', async () => {
      const { personId } = f.albairate;
      await db().insert(channelIdentities).values({ channel: 'sms', address: '+393331234567', personId });
      await db().insert(channelIdentities).values({ channel: 'telegram', address: '987654321', personId, reachable: false });
      const before = await auditCount('person.read', personId);
      const res = await get('sara', `/api/v1/people/${personId}`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(text).not.toContain('+393331234567');
      expect(text).not.toContain('987654321');
      const file = JSON.parse(text) as PersonFile;
      expect(file.person).toMatchObject({ id: personId, comuneId: 'albairate', birthDate: '1940-03-15', livesAlone: true });
      expect(file.delegates).toHaveLength(1);
      expect(file.delegates[0]).toMatchObject({ delegationId: f.albairate.delegationId, kind: 'relative', relationship: 'figlia', revokedAt: null, person: { id: f.albairate.delegatePersonId } });
      expect(file.delegates[0]!.consents!.map((c) => c.id)).toEqual([f.albairate.consentId]);
      expect(file.channels!.map((c) => [c.channel, c.addressHint, c.reachable]).sort()).toEqual([['sms', '…567', true], ['telegram', null, false]]);
      await get('paola', `/api/v1/people/${personId}`);
      expect(await auditCount('person.read', personId)).toBe(before + 2);
    });

    it('answers 404 for another comune’s person (audited) and for unknown or malformed ids', async () => {
      const { personId } = f.albairate;
      const deniedBefore = await deniedCount(personId);
      const readsBefore = await auditCount('person.read', personId);
      const res = await get('giorgio', `/api/v1/people/${personId}`);
      expect(res.status).toBe(404);
      expect(await deniedCount(personId)).toBe(deniedBefore + 1);
      expect(await auditCount('person.read', personId)).toBe(readsBefore);
      expect((await get('sara', '/api/v1/people/00000000-0000-4000-8000-000000000000')).status).toBe(404);
      expect((await get('sara', '/api/v1/people/not-a-uuid')).status).toBe(404);
      expect((await get('sara', "/api/v1/people/1'%20or%201=1")).status).toBe(404);
    });

    it('gives a provider its programme’s person without codice fiscale, consents or channels, and nothing else', async () => {
      const res = await get('ilsole', `/api/v1/people/${f.albairate.personId}`);
      expect(res.status).toBe(200);
      const file = (await res.json()) as PersonFile;
      expect(file.person).not.toHaveProperty('codiceFiscale');
      expect(file.person).not.toHaveProperty('certifiedInvalidity');
      expect(file).not.toHaveProperty('consents');
      expect(file).not.toHaveProperty('channels');
      expect(file.delegates[0]!.person).not.toHaveProperty('email');
      expect((await get('ilsole', `/api/v1/people/${f.abbiategrasso.personId}`)).status).toBe(404);
      expect((await get('ilsole', `/api/v1/people/${franco}`)).status).toBe(404);
    });

    it('lets the operator read a file (they answer the phone)', async () => {
      expect((await get('marco', `/api/v1/people/${f.abbiategrasso.personId}`)).status).toBe(200);
    });
  });

  describe('update', () => {
    it('changes only the fields sent, audited by field names', async () => {
      const res = await patch('sara', `/api/v1/people/${franco}`, { address: 'Via Roma 1, Albairate', familySupport: false });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { person: Record<string, unknown> };
      expect(body.person).toMatchObject({ address: 'Via Roma 1, Albairate', familySupport: false, livesAlone: true, codiceFiscale: FRANCO.cf });
      const [row] = await db().select({ reason: auditLog.reason }).from(auditLog).where(and(eq(auditLog.action, 'person.update'), eq(auditLog.subjectId, franco)));
      expect(row!.reason).toBe('fields: address, familySupport');
    });

    it('refuses moving a person to a comune outside the caller’s scope (403, unchanged), allows one inside', async () => {
      const res = await patch('sara', `/api/v1/people/${franco}`, { comuneId: 'abbiategrasso' });
      expect(res.status).toBe(403);
      expect((await db().select({ c: people.comuneId }).from(people).where(eq(people.id, franco)))[0]!.c).toBe('albairate');
      expect((await patch('sara', `/api/v1/people/${franco}`, { comuneId: 'cisliano' })).status).toBe(200);
      expect((await patch('sara', `/api/v1/people/${franco}`, { comuneId: 'albairate' })).status).toBe(200);
    });

    it('checks codice fiscale and birth date together, refuses duplicates and empty changes', async () => {
      expect((await patch('sara', `/api/v1/people/${franco}`, { birthDate: '1941-05-03' })).status).toBe(400);
      expect((await patch('sara', `/api/v1/people/${franco}`, { codiceFiscale: ANNA.cf })).status).toBe(400); // Anna's date is not Franco's
      expect((await patch('sara', `/api/v1/people/${franco}`, { codiceFiscale: ANNA.cf, birthDate: ANNA.birthDate })).status).toBe(409);
      expect((await patch('sara', `/api/v1/people/${franco}`, {})).status).toBe(400);
      expect((await db().select({ cf: people.codiceFiscale, b: people.birthDate }).from(people).where(eq(people.id, franco)))[0]).toEqual({ cf: FRANCO.cf, b: FRANCO.birthDate });
    });

    it('is for admin and social workers of the comune only', async () => {
      expect((await patch('marco', `/api/v1/people/${franco}`, { address: 'x' })).status).toBe(403);
      expect((await patch('ilsole', `/api/v1/people/${f.albairate.personId}`, { address: 'x' })).status).toBe(403);
      expect((await patch('giorgio', `/api/v1/people/${franco}`, { address: 'x' })).status).toBe(404);
    });
  });

  describe('delegates and consents', () => {
    let laura: string;
    let delegationId: string;

    it('adds a new delegate with the consent record; the delegate (no comune) becomes visible to the beneficiary’s social worker only', async () => {
      const res = await post('sara', `/api/v1/people/${franco}/delegates`, {
        delegate: { givenName: 'Laura', familyName: 'Bianchi', codiceFiscale: LAURA.cf, birthDate: LAURA.birthDate, phone: '+39 347 555 0101', comuneId: null },
        kind: 'relative',
        relationship: 'figlia',
        consent: { method: 'signed_form', givenAt: '2026-01-12T10:30:00+01:00', givenBy: 'Franco Bianchi' },
      });
      expect(res.status).toBe(201);
      const body = (await res.json()) as { delegation: { id: string; delegatePersonId: string; kind: string }; consent: { purpose: string; delegationId: string; givenAt: string } };
      laura = body.delegation.delegatePersonId;
      delegationId = body.delegation.id;
      expect(body.consent).toMatchObject({ purpose: 'delegation', delegationId, givenAt: '2026-01-12T09:30:00.000Z' });
      const file = (await (await get('sara', `/api/v1/people/${franco}`)).json()) as PersonFile;
      expect(file.delegates.map((d) => d.person.id)).toEqual([laura]);
      const lauraFile = (await (await get('sara', `/api/v1/people/${laura}`)).json()) as PersonFile;
      expect(lauraFile.actsFor!.map((a) => a.personId)).toEqual([franco]);
      expect((await get('giorgio', `/api/v1/people/${laura}`)).status).toBe(404);
    });

    it('links an existing person, refuses the same delegation twice, self-delegation and ambiguous bodies', async () => {
      const other = (await (await post('sara', '/api/v1/people', { givenName: 'Paolo', familyName: 'Bianchi', comuneId: 'albairate' })).json()) as { person: { id: string } };
      const body = { delegatePersonId: other.person.id, kind: 'support_administrator', consent: { method: 'verbal', givenAt: '2026-01-12T10:30:00Z' } };
      expect((await post('sara', `/api/v1/people/${franco}/delegates`, body)).status).toBe(201);
      const again = await post('sara', `/api/v1/people/${franco}/delegates`, body);
      expect(again.status).toBe(409);
      expect((await post('sara', `/api/v1/people/${franco}/delegates`, { ...body, delegatePersonId: franco })).status).toBe(400);
      expect((await post('sara', `/api/v1/people/${franco}/delegates`, { ...body, delegate: { givenName: 'X', familyName: 'Y' } })).status).toBe(400);
      expect((await post('sara', `/api/v1/people/${franco}/delegates`, { ...body, delegatePersonId: f.abbiategrasso.personId })).status).toBe(404);
      expect((await post('sara', `/api/v1/people/${franco}/delegates`, { ...body, kind: 'boss' })).status).toBe(400);
      expect((await post('sara', `/api/v1/people/${franco}/delegates`, { ...body, delegatePersonId: undefined, delegate: { givenName: 'Z', familyName: 'Z' }, consent: { method: 'verbal', givenAt: '2999-01-01T00:00:00Z' } })).status).toBe(400);
      const active = await db().select({ n: count() }).from(delegations).where(eq(delegations.personId, franco));
      expect(active[0]!.n).toBe(2);
    });

    it('revokes a delegation and withdraws its consent; a second revoke is a conflict', async () => {
      const res = await post('sara', `/api/v1/people/${franco}/delegates/${delegationId}/revoke`, { reason: 'richiesta della famiglia' });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { delegation: { revokedAt: string | null } }).delegation.revokedAt).not.toBeNull();
      const [consent] = await db().select({ w: consents.withdrawnAt }).from(consents).where(eq(consents.delegationId, delegationId));
      expect(consent!.w).not.toBeNull();
      expect((await post('sara', `/api/v1/people/${franco}/delegates/${delegationId}/revoke`, {})).status).toBe(409);
      // Another person's delegation through this person's path is not found.
      expect((await post('sara', `/api/v1/people/${franco}/delegates/${f.albairate.delegationId}/revoke`, {})).status).toBe(404);
      expect((await post('sara', `/api/v1/people/${franco}/delegates/nope/revoke`, {})).status).toBe(404);
      // Revoked: Laura no longer acts for anyone Sara serves, so her file is out of scope.
      expect((await get('sara', `/api/v1/people/${laura}`)).status).toBe(404);
    });

    it('records and withdraws a consent', async () => {
      const res = await post('sara', `/api/v1/people/${franco}/consents`, { purpose: 'check_ins', method: 'verbal', givenAt: '2026-02-01T09:00:00Z', givenBy: 'il beneficiario' });
      expect(res.status).toBe(201);
      const { consent } = (await res.json()) as { consent: { id: string; purpose: string; withdrawnAt: string | null } };
      expect(consent).toMatchObject({ purpose: 'check_ins', withdrawnAt: null });
      expect((await post('sara', `/api/v1/people/${franco}/consents/${consent.id}/withdraw`, { withdrawnAt: '2026-01-01T00:00:00Z' })).status).toBe(400);
      expect((await post('sara', `/api/v1/people/${franco}/consents/${consent.id}/withdraw`, {})).status).toBe(200);
      expect((await post('sara', `/api/v1/people/${franco}/consents/${consent.id}/withdraw`, {})).status).toBe(409);
      const file = (await (await get('sara', `/api/v1/people/${franco}`)).json()) as PersonFile;
      expect(file.consents!.find((c) => c.id === consent.id)!.withdrawnAt).not.toBeNull();
      expect(await auditCount('consent.withdraw', consent.id)).toBe(1);
    });

    it('refuses consents for unknown purposes, future dates and other people’s delegations', async () => {
      expect((await post('sara', `/api/v1/people/${franco}/consents`, { purpose: 'marketing', method: 'verbal', givenAt: '2026-02-01T09:00:00Z' })).status).toBe(400);
      expect((await post('sara', `/api/v1/people/${franco}/consents`, { purpose: 'contact', method: 'verbal', givenAt: '2999-02-01T09:00:00Z' })).status).toBe(400);
      expect((await post('sara', `/api/v1/people/${franco}/consents`, { purpose: 'delegation', method: 'verbal', givenAt: '2026-02-01T09:00:00Z', delegationId: f.albairate.delegationId })).status).toBe(400);
      expect((await post('sara', `/api/v1/people/${franco}/consents/${f.albairate.consentId}/withdraw`, {})).status).toBe(404);
      expect((await post('marco', `/api/v1/people/${franco}/consents`, { purpose: 'contact', method: 'verbal', givenAt: '2026-02-01T09:00:00Z' })).status).toBe(403);
    });
  });

  it('never logs names, codici fiscali or phone numbers', () => {
    const logs = t.logs.join('\n');
    for (const secret of [FRANCO.cf, LAURA.cf, 'Bianchi', '3331112222', '+393331234567']) expect(logs).not.toContain(secret);
  });
});
