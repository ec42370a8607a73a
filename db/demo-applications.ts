/**
 * Demo people and applications: every demo comune gets a waiting list of its own size, with
 * ties on total points (and on autonomy points, and on the date) so the art. 6 tie-breaks show.
 * Invented names, no codici fiscali (an invented code could be a real person's). Deterministic:
 * a fixed seed gives the same demo every time.
 */
import type { Tx } from './client.ts';
import { DEMO_COMUNI } from './demo-comuni.ts';
import { applicationDetails, applications, people, type ApplicationStatus } from './schema.ts';

const GIVEN = ['Maria', 'Giuseppe', 'Anna', 'Giovanni', 'Rosa', 'Franco', 'Angela', 'Luigi', 'Teresa', 'Carlo', 'Lucia', 'Mario', 'Franca', 'Pietro', 'Giuseppina', 'Antonio', 'Carla', 'Bruno', 'Elena', 'Sergio'];
const FAMILY = ['Rossi', 'Colombo', 'Bianchi', 'Ferrari', 'Brambilla', 'Galli', 'Fumagalli', 'Villa', 'Sala', 'Crippa', 'Cattaneo', 'Ferri', 'Bonfanti', 'Riva', 'Mauri', 'Longoni', 'Pozzi', 'Sironi', 'Gatti', 'Moretti'];

/** mulberry32: a tiny seeded PRNG, enough for reproducible demo data. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The written answer of a demo application: three weeks after it, never after today (09:00 UTC). */
export function answerDay(applicationDate: string, today: Date): Date {
  const sent = new Date(`${applicationDate}T09:00:00Z`).getTime() + 21 * 86_400_000;
  return new Date(Math.min(sent, today.getTime()));
}

export async function seedDemoApplications(tx: Tx, today: Date): Promise<number> {
  const random = prng(20261122);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const day = (daysAgo: number) => new Date(today.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  let total = 0;
  for (const comune of DEMO_COMUNI) {
    // 13 rows give at least 10 on the waiting list (rows 2, 5 and 11 are still being investigated).
    const n = Math.max(13, Math.round(comune.over65 / 150));
    const personRows = Array.from({ length: n }, () => ({
      comuneId: comune.id,
      givenName: pick(GIVEN),
      familyName: pick(FAMILY),
      birthDate: `${1930 + Math.floor(random() * 28)}-${String(1 + Math.floor(random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`,
      livesAlone: random() < 0.45,
      familySupport: random() < 0.6,
    }));
    const inserted = await tx.insert(people).values(personRows).returning({ id: people.id });
    const rows = inserted.map((p, i) => {
      // A narrow range of scores makes ties common; every fourth person copies the previous one's
      // total (with fewer autonomy points), every eighth their total, autonomy points and date,
      // so that each art. 6 tie-break shows in every comune.
      const autonomy = 10 + Math.floor(random() * 6) * 4;
      const others = 20 + Math.floor(random() * 5) * 5;
      const status: ApplicationStatus = i % 9 === 2 ? 'under_investigation' : i % 11 === 5 ? 'received' : 'waiting_list';
      const scored = status === 'waiting_list';
      return {
        personId: p.id,
        comuneId: comune.id,
        origin: (i % 5 === 0 ? 'delegate' : i % 13 === 0 ? 'ex_officio' : 'citizen') as 'citizen' | 'delegate' | 'ex_officio',
        status,
        applicationDate: day(5 + Math.floor(random() * 200)),
        totalPoints: scored ? Math.min(100, autonomy + others) : null,
        autonomyPoints: scored ? autonomy : null,
      };
    });
    for (let i = 1; i < rows.length; i++) {
      const prev = rows[i - 1]!;
      const row = rows[i]!;
      if (row.status !== 'waiting_list' || prev.status !== 'waiting_list') continue;
      if (i % 4 === 0) {
        row.totalPoints = prev.totalPoints;
        row.autonomyPoints = i % 8 === 0 ? prev.autonomyPoints : Math.max(0, (prev.autonomyPoints ?? 0) - 4);
        if (i % 8 === 0) row.applicationDate = prev.applicationDate;
      }
    }
    const saved = await tx.insert(applications).values(rows).returning({ id: applications.id, status: applications.status, applicationDate: applications.applicationDate });
    // Art. 4: a place on the waiting list was told in writing within 30 days (without it every
    // demo application read "in ritardo" and the really late ones were lost among them).
    const answered = saved.filter((a) => a.status === 'waiting_list').map((a) => ({ applicationId: a.id, answerOutcome: 'waiting_list', answerSentAt: answerDay(a.applicationDate, today), answerSentVia: 'post' }));
    if (answered.length > 0) await tx.insert(applicationDetails).values(answered);
    total += rows.length;
  }
  return total;
}
