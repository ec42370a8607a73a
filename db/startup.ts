/**
 * Start-up work on the database, serialised across instances by the migration lock:
 * migrations, the `admin` account, demo data on an empty database.
 */
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { count, eq, sql } from 'drizzle-orm';
import type { Db, Tx } from './client.ts';
import { seedDemoApplications } from './demo-applications.ts';
import { seedCommunityDemo } from './community.ts';
import { seedDemoCase } from './demo-case.ts';
import { DEMO_COMUNI } from './demo-comuni.ts';
import { migrate } from './migrate.ts';
import { comuni, staffUsers, type StaffRole } from './schema.ts';
import { createStaffUser } from './staff.ts';

export interface GeneratedCredential {
  username: string;
  role: StaffRole;
  password: string;
}

export interface StartupReport {
  migrationsApplied: number;
  adminCreated: boolean;
  demoLoaded: boolean;
  /** Passwords made up at this start: to be written once to a 0600 file, never logged. */
  generated: GeneratedCredential[];
}

export function generatePassword(): string {
  // 18 random bytes → 24 URL-safe characters; no ambiguous symbols to copy by hand.
  return randomBytes(18).toString('base64url');
}

/** Demo staff: one of each role, scoped like the personas (Sara: Albairate and Cisliano only). */
const DEMO_STAFF: { username: string; role: StaffRole; displayName: string; comuni: string[] | 'all' }[] = [
  { username: 'sara', role: 'social_worker', displayName: 'Sara (assistente sociale, Albairate e Cisliano)', comuni: ['albairate', 'cisliano'] },
  { username: 'giorgio', role: 'social_worker', displayName: 'Giorgio (assistente sociale, Abbiategrasso)', comuni: ['abbiategrasso'] },
  { username: 'marco', role: 'operator', displayName: 'Marco (operatore della centrale)', comuni: 'all' },
  { username: 'ilsole', role: 'provider', displayName: 'Cooperativa Il Sole', comuni: ['abbiategrasso', 'albairate', 'cisliano', 'gaggiano', 'rosate'] },
  { username: 'paola', role: 'admin', displayName: 'Paola (ufficio di piano)', comuni: 'all' },
];

async function ensureAdmin(tx: Tx, configuredPassword: string | undefined): Promise<{ created: boolean; generated?: GeneratedCredential }> {
  const [existing] = await tx.select({ id: staffUsers.id, passwordHash: staffUsers.passwordHash }).from(staffUsers).where(sql`lower(${staffUsers.username}) = 'admin'`);
  if (existing) {
    // CENTRALE_ADMIN_PASSWORD is authoritative: setting it is also how a lost password is reset.
    if (configuredPassword && !(await verify(existing.passwordHash, configuredPassword))) {
      await tx.update(staffUsers).set({ passwordHash: await hash(configuredPassword) }).where(eq(staffUsers.id, existing.id));
    }
    return { created: false };
  }
  const password = configuredPassword ?? generatePassword();
  await createStaffUser(tx, { username: 'admin', passwordHash: await hash(password), role: 'admin', displayName: 'Amministratore', comuni: [] });
  return configuredPassword ? { created: true } : { created: true, generated: { username: 'admin', role: 'admin', password } };
}

/** Loads demo data when the database has no comuni yet (so never over real data). */
async function seedDemo(tx: Tx): Promise<{ loaded: boolean; generated: GeneratedCredential[] }> {
  const [row] = await tx.select({ n: count() }).from(comuni);
  if ((row?.n ?? 0) > 0) return { loaded: false, generated: [] };
  await tx.insert(comuni).values(DEMO_COMUNI.map((c) => ({ id: c.id, name: c.name, over65: c.over65, over65Illustrative: true, patronDay: c.patronDay ?? null })));
  const generated: GeneratedCredential[] = [];
  const allComuni = DEMO_COMUNI.map((c) => c.id);
  for (const s of DEMO_STAFF) {
    const password = generatePassword();
    await createStaffUser(tx, { username: s.username, passwordHash: await hash(password), role: s.role, displayName: s.displayName, comuni: s.comuni === 'all' ? allComuni : s.comuni });
    generated.push({ username: s.username, role: s.role, password });
  }
  const now = new Date();
  await seedDemoApplications(tx, now);
  await seedDemoCase(tx, now);
  await seedCommunityDemo(tx);
  return { loaded: true, generated };
}

export async function prepareDatabase(db: Db, options: { adminPassword: string | undefined; demoData: boolean }): Promise<StartupReport> {
  let report: Omit<StartupReport, 'migrationsApplied'> = { adminCreated: false, demoLoaded: false, generated: [] };
  const { applied } = await migrate(db, async (tx) => {
    // Demo comuni first: demo staff are scoped to them.
    const demo = options.demoData ? await seedDemo(tx) : { loaded: false, generated: [] };
    const admin = await ensureAdmin(tx, options.adminPassword);
    report = {
      adminCreated: admin.created,
      demoLoaded: demo.loaded,
      generated: [...(admin.generated ? [admin.generated] : []), ...demo.generated],
    };
  });
  return { migrationsApplied: applied.length, ...report };
}
