import { z } from '@hono/zod-openapi';

/** The error body of every failure, as documented in /openapi.json. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'VALIDATION_FAILED' }),
      message: z.string().openapi({ example: 'I dati inviati non sono validi. Controlli i campi indicati.' }),
      requestId: z.string(),
      rule: z.string().optional().openapi({ example: 'art. 6' }),
      fields: z.record(z.string(), z.string()).optional(),
    }),
  })
  .openapi('Error');

export function errorResponses(...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 503)[]) {
  const descriptions: Record<number, string> = {
    400: 'Invalid input', 401: 'Not logged in', 403: 'Not allowed for this role or origin', 404: 'Not found (or outside your comuni)',
    409: 'Conflict', 413: 'Body over 64 KiB', 422: 'Not eligible', 429: 'Too many attempts', 503: 'Database unavailable',
  };
  return Object.fromEntries(
    statuses.map((s) => [s, { description: descriptions[s]!, content: { 'application/json': { schema: ErrorSchema } } }]),
  ) as Record<number, { description: string; content: { 'application/json': { schema: typeof ErrorSchema } } }>;
}

export const staffSecurity = [{ staffSession: [] as string[] }];
