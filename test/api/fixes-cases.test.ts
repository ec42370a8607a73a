/**
 * Fixes to the case routes (session 3): service codes compared in one canonical form, the art. 8
 * preview of a request using the person's own record, and the older PATCH routes going the same
 * way as the console's (the citizen is told; resource and schedule only through /confirm).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { helpRequests, messages, people, resources, segnalazioni } from '../../db/schema.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';

/** The next Sunday or Monday at least a week ahead, as a Rome date. */
function nextDay(weekday: 0 | 1): string {
  let d = new Date(Date.now() + 7 * 86_400_000);
  while (d.getUTCDay() !== weekday) d = new Date(d.getTime() + 86_400_000);
  return d.toISOString().slice(0, 10);
}

describe('case route fixes', () => {
  let t: TestApp;
  let f: CaseFixtures;
  let marco: string;
  let sara: string;
  beforeAll(async () => {
    t = await createTestApp();
    f = await createCaseFixtures(t.db.database.db);
    marco = await t.login('marco');
    sara = await t.login('sara');
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const patch = (url: string, body: unknown, cookie: string) => t.request(url, { method: 'PATCH', headers: { cookie, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  /** A web-chat conversation, to see what the citizen is told. */
  async function conversation(): Promise<string> {
    const session = (await (await t.json('/chat/web/sessions', { locale: 'it' })).json()) as { sessionId: string };
    const r = (await t.db.database.db.execute(`select conversation_id as id from web_chat_sessions where id = '${session.sessionId}'` as never)) as unknown as { rows?: { id: string }[] } | { id: string }[];
    return (Array.isArray(r) ? r : r.rows!)[0]!.id;
  }
  const systemMessages = async (conversationId: string) =>
    (await t.db.database.db.select({ body: messages.body, author: messages.author }).from(messages).where(eq(messages.conversationId, conversationId))).filter((m) => m.author === 'system');

  it('resources filter by service in any case, as the chat and the fixtures store it', async () => {
    const ids = async (service: string) => {
      const res = await t.request(`/api/v1/resources?comune=albairate&service=${encodeURIComponent(service)}`, { headers: { cookie: sara } });
      expect(res.status).toBe(200);
      return ((await res.json()) as { resources: { id: string }[] }).resources.map((r) => r.id);
    };
    // The fixture resource stores "2a"; the canonical code is "2A".
    expect(await ids('2A')).toContain(f.albairate.resourceId);
    expect(await ids('2a')).toContain(f.albairate.resourceId);
    expect(await ids(' 2a ')).toContain(f.albairate.resourceId);
    expect(await ids('2')).toContain(f.albairate.resourceId); // a bare family (chat without a precise service)
    expect(await ids('7A')).not.toContain(f.albairate.resourceId);
  });

  it('confirming refuses a resource that does not offer the requested service', async () => {
    const file = await f.createFile('albairate');
    const start = `${nextDay(1)}T09:00`;
    await t.db.database.db.update(helpRequests).set({ service: '7A' }).where(eq(helpRequests.id, file.helpRequestId));
    const bad = await t.json(`/api/v1/help-requests/${file.helpRequestId}/confirm`, { resourceId: file.resourceId, start, hours: 1 }, { headers: { cookie: marco } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields.resourceId).toMatch(/servizio/);
    // Lower case on the request side is the same code as the resource's.
    await t.db.database.db.update(helpRequests).set({ service: '2A' }).where(eq(helpRequests.id, file.helpRequestId));
    await t.db.database.db.update(resources).set({ services: ['1a', '2a', '4a'] }).where(eq(resources.id, file.resourceId));
    const ok = await t.json(`/api/v1/help-requests/${file.helpRequestId}/confirm`, { resourceId: file.resourceId, start, hours: 1 }, { headers: { cookie: marco } });
    expect(ok.status).toBe(200);
  });

  it('the art. 8 preview of a request uses the person\'s record (Sunday only for people alone)', async () => {
    const file = await f.createFile('albairate');
    const check = (start: string, hours = 1) => t.json(`/api/v1/help-requests/${file.helpRequestId}/check`, { start, hours }, { headers: { cookie: marco } });
    const sunday = `${nextDay(0)}T09:00`;
    await t.db.database.db.update(people).set({ livesAlone: false, familySupport: true }).where(eq(people.id, file.personId));
    expect((await check(sunday)).status).toBe(400);
    await t.db.database.db.update(people).set({ livesAlone: true, familySupport: false }).where(eq(people.id, file.personId));
    const alone = await check(sunday);
    expect(alone.status).toBe(200);
    expect(((await alone.json()) as { visits: unknown[] }).visits).toHaveLength(1);
    // The same time window as the confirmation: fields named as on the form.
    const late = await check(`${nextDay(1)}T19:00`, 3);
    expect(late.status).toBe(400);
    expect(Object.keys(((await late.json()) as { error: { fields: Record<string, string> } }).error.fields)).toContain('start');
    expect((await t.json('/api/v1/help-requests/not-a-uuid/check', { start: sunday, hours: 1 }, { headers: { cookie: marco } })).status).toBe(404);
    // Out of scope: Giorgio does not see Albairate.
    const giorgio = await t.login('giorgio');
    expect((await t.json(`/api/v1/help-requests/${file.helpRequestId}/check`, { start: sunday, hours: 1 }, { headers: { cookie: giorgio } })).status).toBe(404);
  });

  it('PATCH of a help request tells the person when it closes and no longer sets resource or schedule', async () => {
    const file = await f.createFile('albairate');
    const conv = await conversation();
    await t.db.database.db.update(helpRequests).set({ conversationId: conv }).where(eq(helpRequests.id, file.helpRequestId));
    const url = `/api/v1/help-requests/${file.helpRequestId}`;
    const greeting = (await systemMessages(conv)).length; // the chat's own welcome
    expect((await patch(url, { resourceId: file.resourceId }, marco)).status).toBe(400);
    expect((await patch(url, { status: 'scheduled' }, marco)).status).toBe(400);
    const take = await patch(url, { takeInCharge: true }, marco);
    expect(take.status).toBe(200);
    expect(((await take.json()) as { helpRequest: { status: string }; informed: boolean }).informed).toBe(false);
    expect(await systemMessages(conv)).toHaveLength(greeting);
    const done = await patch(url, { status: 'cancelled' }, marco);
    expect(done.status).toBe(200);
    const body = (await done.json()) as { helpRequest: { status: string; resourceId: string | null }; informed: boolean };
    expect(body.helpRequest.status).toBe('cancelled');
    expect(body.informed).toBe(true);
    expect(await systemMessages(conv)).toHaveLength(greeting + 1);
    expect((await patch(url, { status: 'done' }, marco)).status).toBe(409);
  });

  it('PATCH of a segnalazione tells the reporter, like the console', async () => {
    const file = await f.createFile('albairate');
    const conv = await conversation();
    await t.db.database.db.update(segnalazioni).set({ conversationId: conv }).where(eq(segnalazioni.id, file.segnalazioneId));
    const url = `/api/v1/segnalazioni/${file.segnalazioneId}`;
    const greeting = (await systemMessages(conv)).length;
    const take = await patch(url, { status: 'taken_in_charge' }, sara);
    expect(take.status).toBe(200);
    expect(((await take.json()) as { informed: boolean }).informed).toBe(true);
    const told = await systemMessages(conv);
    expect(told).toHaveLength(greeting + 1);
    expect(told.at(-1)!.body).toContain('presa in carico');
    // Repeating the same status tells nothing twice.
    expect(((await (await patch(url, { status: 'taken_in_charge' }, sara)).json()) as { informed: boolean }).informed).toBe(false);
    expect(await systemMessages(conv)).toHaveLength(greeting + 1);
  });
});
