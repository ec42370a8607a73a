/**
 * The staff inbox API (issue #7) and the console pages' server side, through the real HTTP app.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, conversations, outboundMessages } from '../../db/schema.ts';
import { createCaseFixtures, type CaseFixtures } from '../helpers/case-fixtures.ts';
import { createTestApp, type TestApp } from '../helpers/test-app.ts';
import { handedOverConversation } from './authz/inbox.ts';

let t: TestApp;
let f: CaseFixtures;
const cookie: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  f = await createCaseFixtures(t.db.database.db);
  for (const u of ['paola', 'sara', 'giorgio', 'marco', 'ilsole']) cookie[u] = await t.login(u);
});
afterAll(async () => {
  await t?.close();
});

const get = (url: string, who: string) => t.request(url, { headers: { cookie: cookie[who]! } });
const post = (url: string, who: string, body: unknown = {}) => t.json(url, body, { headers: { cookie: cookie[who]! } });
type Summary = { id: string; urgent: boolean; handling: string; assignedStaffId: string | null; firstResponseAt: string | null; firstResponseDueAt: string | null; handedOverAt: string; preview: string | null };
const list = async (who: string, view = 'all') => ((await (await get(`/api/v1/inbox?view=${view}&limit=500`, who)).json()) as { conversations: Summary[] }).conversations;

describe('inbox API', () => {
  it('lists urgent conversations first and keeps each social worker to their comuni', async () => {
    const normal = await handedOverConversation(f, 'albairate');
    const urgent = await handedOverConversation(f, 'albairate', { urgent: true });
    const other = await handedOverConversation(f, 'abbiategrasso');
    const unknown = await handedOverConversation(f, 'albairate', { comuneId: null });

    const sara = await list('sara');
    const ids = sara.map((c) => c.id);
    expect(ids).toContain(normal);
    expect(ids.indexOf(urgent)).toBeLessThan(ids.indexOf(normal));
    expect(sara.every((c, i) => i === 0 || !c.urgent || sara[i - 1]!.urgent)).toBe(true);
    expect(ids).not.toContain(other);
    expect(ids).not.toContain(unknown);
    expect(sara.find((c) => c.id === normal)!.preview).toBe('voglio parlare con un operatore');
    const due = sara.find((c) => c.id === normal)!;
    expect(new Date(due.firstResponseDueAt!).getTime() - new Date(due.handedOverAt).getTime()).toBe(15 * 60_000);

    const marco = (await list('marco')).map((c) => c.id);
    expect(marco).toEqual(expect.arrayContaining([normal, urgent, other, unknown]));
    expect((await list('giorgio')).map((c) => c.id)).toContain(other);
    expect((await get('/api/v1/inbox', 'ilsole')).status).toBe(403);
    expect((await get(`/api/v1/inbox/conversations/${other}`, 'sara')).status).toBe(404);
    expect((await get(`/api/v1/inbox/conversations/${unknown}`, 'sara')).status).toBe(404);
    expect((await get('/api/v1/inbox/conversations/not-a-uuid', 'sara')).status).toBe(404);
    expect((await get('/api/v1/inbox?view=everything', 'sara')).status).toBe(400);
  });

  it('reads an audited transcript, replies as staff, assigns and times the first response', async () => {
    const id = await handedOverConversation(f, 'albairate');
    const res = await get(`/api/v1/inbox/conversations/${id}`, 'sara');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { messages: { author: string; channel: string; text: string }[] };
    expect(body.messages).toEqual([expect.objectContaining({ author: 'person', channel: 'web', text: 'voglio parlare con un operatore' })]);
    const audits = await t.db.database.db.select().from(auditLog).where(and(eq(auditLog.subjectId, id), eq(auditLog.action, 'conversation.read')));
    expect(audits).toHaveLength(1);

    expect((await list('sara', 'unassigned')).map((c) => c.id)).toContain(id);
    const reply = await post(`/api/v1/inbox/conversations/${id}/reply`, 'sara', { text: '  Buongiorno, sono Sara.  ' });
    expect(reply.status).toBe(201);
    const [row] = await t.db.database.db.select().from(conversations).where(eq(conversations.id, id));
    expect(row!.handling).toBe('human');
    expect(row!.assignedStaffId).not.toBeNull();
    const mine = await list('sara', 'mine');
    const summary = mine.find((c) => c.id === id)!;
    expect(summary.firstResponseAt).not.toBeNull();
    expect((await list('sara', 'unassigned')).map((c) => c.id)).not.toContain(id);
    const after = (await (await get(`/api/v1/inbox/conversations/${id}`, 'sara')).json()) as { messages: { author: string; text: string; staffName: string | null }[] };
    expect(after.messages.at(-1)).toEqual(expect.objectContaining({ author: 'staff', text: 'Buongiorno, sono Sara.' }));
    expect(after.messages.at(-1)!.staffName).toBeTruthy();

    // Web conversations are not queued for Telegram/SMS.
    expect(await t.db.database.db.select().from(outboundMessages).where(eq(outboundMessages.conversationId, id))).toHaveLength(0);
    expect((await post(`/api/v1/inbox/conversations/${id}/reply`, 'sara', { text: '   ' })).status).toBe(400);
    expect((await post(`/api/v1/inbox/conversations/${id}/reply`, 'sara', { text: 'x'.repeat(4001) })).status).toBe(400);
    expect((await post(`/api/v1/inbox/conversations/${id}/reply`, 'sara', { text: 'ok', extra: 1 })).status).toBe(400);
  });

  it('queues a reply on the SMS channel at once, exactly once', async () => {
    const id = await handedOverConversation(f, 'albairate', { channel: 'sms' });
    expect((await post(`/api/v1/inbox/conversations/${id}/reply`, 'marco', { text: 'La richiamiamo oggi.' })).status).toBe(201);
    const queued = await t.db.database.db.select().from(outboundMessages).where(eq(outboundMessages.conversationId, id));
    expect(queued).toHaveLength(1);
    expect(queued[0]).toEqual(expect.objectContaining({ channel: 'sms', body: 'La richiamiamo oggi.', status: 'queued' }));
    expect(queued[0]!.dedupeKey).toBe(`msg:${queued[0]!.messageId}`);
  });

  it('assigns only to colleagues who may see the conversation; resolves and hands back', async () => {
    const id = await handedOverConversation(f, 'albairate');
    const detail = (await (await get(`/api/v1/inbox/conversations/${id}`, 'paola')).json()) as { assignees: { id: string; displayName: string }[] };
    const names = detail.assignees.map((a) => a.displayName);
    const giorgio = (await (await get('/api/v1/auth/me', 'giorgio')).json()) as { staff: { id: string } };
    expect(detail.assignees.map((a) => a.id)).not.toContain(giorgio.staff.id);
    expect(names.length).toBeGreaterThan(1);
    const refused = await post(`/api/v1/inbox/conversations/${id}/assign`, 'paola', { staffId: giorgio.staff.id });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { fields: Record<string, string> } }).error.fields.staffId).toMatch(/comune/);
    const sara = (await (await get('/api/v1/auth/me', 'sara')).json()) as { staff: { id: string } };
    const ok = await post(`/api/v1/inbox/conversations/${id}/assign`, 'paola', { staffId: sara.staff.id });
    expect(ok.status).toBe(200);
    expect((await list('sara', 'mine')).map((c) => c.id)).toContain(id);

    expect((await post(`/api/v1/inbox/conversations/${id}/notes`, 'sara', { text: 'Richiamare la figlia <b>domani</b>' })).status).toBe(201);
    const withNote = (await (await get(`/api/v1/inbox/conversations/${id}`, 'sara')).json()) as { notes: { text: string }[]; messages: unknown[] };
    expect(withNote.notes.map((n) => n.text)).toEqual(['Richiamare la figlia <b>domani</b>']);
    expect(withNote.messages).toHaveLength(1); // a note is never a message to the person

    expect((await post(`/api/v1/inbox/conversations/${id}/resolve`, 'sara')).status).toBe(200);
    expect((await list('sara')).map((c) => c.id)).not.toContain(id);
    expect((await post(`/api/v1/inbox/conversations/${id}/reply`, 'sara', { text: 'ancora' })).status).toBe(409);

    // An emergency nobody answered is closed only with what was done, kept as a note.
    const alarm = await handedOverConversation(f, 'albairate', { urgent: true });
    const refusedClose = await post(`/api/v1/inbox/conversations/${alarm}/resolve`, 'marco');
    expect(refusedClose.status).toBe(400);
    expect(((await refusedClose.json()) as { error: { fields: Record<string, string> } }).error.fields.reason).toMatch(/che cosa è stato fatto/);
    expect((await list('marco')).map((c) => c.id)).toContain(alarm);
    expect((await post(`/api/v1/inbox/conversations/${alarm}/resolve`, 'marco', { reason: '   ' })).status).toBe(400);
    expect((await post(`/api/v1/inbox/conversations/${alarm}/resolve`, 'marco', { reason: 'Chiamato il 112, la signora è in ospedale.' })).status).toBe(200);
    const closed = (await (await get(`/api/v1/inbox/conversations/${alarm}`, 'marco')).json()) as { notes: { text: string }[] };
    expect(closed.notes.map((n) => n.text)).toEqual(['Chiamato il 112, la signora è in ospedale.']);

    const back = await handedOverConversation(f, 'albairate', { urgent: true });
    const res = await post(`/api/v1/inbox/conversations/${back}/hand-back`, 'marco');
    expect(((await res.json()) as { conversation: { handling: string; urgent: boolean } }).conversation).toEqual(expect.objectContaining({ handling: 'bot', urgent: false }));
  });

  it('keeps canned replies per comune; only admins manage them', async () => {
    const a = await post('/api/v1/inbox/canned-replies', 'paola', { comuneId: 'albairate', title: 'Orari', text: 'Lo sportello è aperto il martedì.' });
    expect(a.status).toBe(201);
    const b = await post('/api/v1/inbox/canned-replies', 'paola', { comuneId: 'abbiategrasso', title: 'Orari Abbiategrasso', text: 'Lunedì.' });
    expect(b.status).toBe(201);
    expect((await post('/api/v1/inbox/canned-replies', 'paola', { comuneId: 'atlantide', title: 'x', text: 'y' })).status).toBe(400);
    expect((await post('/api/v1/inbox/canned-replies', 'sara', { comuneId: 'albairate', title: 'x', text: 'y' })).status).toBe(403);
    const titles = (who: string) => get('/api/v1/inbox/canned-replies', who).then(async (r) => ((await r.json()) as { cannedReplies: { title: string }[] }).cannedReplies.map((c) => c.title));
    expect(await titles('sara')).toContain('Orari');
    expect(await titles('sara')).not.toContain('Orari Abbiategrasso');
    expect(await titles('giorgio')).toContain('Orari Abbiategrasso');
    const id = ((await a.json()) as { cannedReply: { id: string } }).cannedReply.id;
    expect((await t.request(`/api/v1/inbox/canned-replies/${id}`, { method: 'DELETE', headers: { cookie: cookie.paola! } })).status).toBe(204);
    expect((await t.request(`/api/v1/inbox/canned-replies/${id}`, { method: 'DELETE', headers: { cookie: cookie.paola! } })).status).toBe(404);
  });

  it('streams live events for conversations in scope only', async () => {
    expect((await t.request('/api/v1/inbox/events')).status).toBe(401);
    expect((await get('/api/v1/inbox/events', 'ilsole')).status).toBe(403);
    const base = await t.listen();
    const controller = new AbortController();
    const res = await fetch(`${base}/api/v1/inbox/events`, { headers: { cookie: cookie.sara! }, signal: controller.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (needle: string) => {
      while (!text.includes(needle)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('stream ended');
        text += decoder.decode(value);
      }
    };
    await readUntil('event: ready');
    const outside = await handedOverConversation(f, 'abbiategrasso');
    const inside = await handedOverConversation(f, 'albairate');
    await post(`/api/v1/inbox/conversations/${outside}/notes`, 'giorgio', { text: 'fuori' });
    await post(`/api/v1/inbox/conversations/${inside}/notes`, 'sara', { text: 'dentro' });
    await readUntil(inside);
    expect(text).not.toContain(outside);
    expect(text).not.toContain('dentro'); // ids and states only, never text
    controller.abort();
  });
});

describe('console pages', () => {
  it('sends visitors without a session to the login page, in Italian first', async () => {
    const res = await t.request('/staff/inbox?view=mine');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/staff/login?lang=it&next=%2Fstaff%2Finbox%3Fview%3Dmine');
    const login = await t.request('/staff/login?next=https://evil.example/');
    const html = await login.text();
    expect(html).toContain('Accesso del personale');
    expect(html).toContain('"next":"/staff"');
    // /staff opens each role's own first page: the inbox for an operator, the calendar for a cooperative.
    expect((await t.request('/staff', { headers: { cookie: await t.login('marco') } })).headers.get('location')).toMatch(/^\/staff\/inbox\?/);
    expect((await t.request('/staff', { headers: { cookie: await t.login('admin') } })).headers.get('location')).toMatch(/^\/staff\/inbox\?/);
    expect((await t.request('/staff', { headers: { cookie: await t.login('ilsole') } })).headers.get('location')).toMatch(/^\/staff\/provider\?/);
    expect(html).not.toContain('<script>');
    expect(await (await t.request('/staff/login?lang=en')).text()).toContain('Staff login');
  });

  it('shows navigation by role and refuses the inbox to providers', async () => {
    const inbox = await get('/staff/inbox', 'marco');
    expect(inbox.status).toBe(200);
    const html = await inbox.text();
    expect(html).toContain('Conversazioni affidate al personale');
    expect(html).toContain('href="/staff/inbox?lang=it"');
    expect(html).not.toContain('href="/docs"');
    expect(await (await get('/staff/inbox', 'paola')).text()).toContain('href="/docs"');
    const provider = await get('/staff/inbox', 'ilsole');
    expect(provider.status).toBe(403);
    expect(await provider.text()).not.toContain('href="/staff/inbox?lang=it"');
    expect((await get('/staff/conversations/x', 'marco')).status).toBe(200);
  });
});
