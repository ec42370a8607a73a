import { createRoute, z } from '@hono/zod-openapi';
import { createRouter } from '../router.ts';
import type { AppDeps } from '../context.ts';

const health = createRoute({
  method: 'get',
  path: '/health',
  tags: ['System'],
  summary: 'Liveness: the process answers',
  responses: { 200: { description: 'Alive', content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } } } },
});

const ready = createRoute({
  method: 'get',
  path: '/ready',
  tags: ['System'],
  summary: 'Readiness: the database answers',
  responses: {
    200: { description: 'Ready', content: { 'application/json': { schema: z.object({ db: z.enum(['pglite', 'postgres']) }) } } },
    503: { description: 'Database unreachable', content: { 'application/json': { schema: z.object({ db: z.enum(['pglite', 'postgres']), ready: z.literal(false) }) } } },
  },
});

/** /ready answers 503 when the database has not answered within this time. */
const READY_TIMEOUT_MS = 2000;

export function healthRoutes(deps: AppDeps) {
  return createRouter()
    .openapi(health, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(ready, async (c) => {
      // A server that does not answer at all (a partition, not a refusal) must not hang the probe.
      const ok = await Promise.race([deps.database.ping(), new Promise<false>((resolve) => setTimeout(() => resolve(false), READY_TIMEOUT_MS).unref())]);
      return ok ? c.json({ db: deps.database.kind }, 200) : c.json({ db: deps.database.kind, ready: false as const }, 503);
    });
}
