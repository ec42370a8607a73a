import { asc, eq } from 'drizzle-orm';
import type { Queryable } from './client.ts';
import { comuni } from './schema.ts';

export async function listComuni(q: Queryable) {
  return q.select({ id: comuni.id, name: comuni.name, over65: comuni.over65 }).from(comuni).orderBy(asc(comuni.name));
}

export async function comuneExists(q: Queryable, id: string): Promise<boolean> {
  return (await q.select({ id: comuni.id }).from(comuni).where(eq(comuni.id, id))).length > 0;
}
