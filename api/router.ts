import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './context.ts';
import { validationError } from './errors.ts';

/**
 * A router for a group of staff API routes. Sub-apps do not inherit the parent's validation hook,
 * so every router gets the same one: an invalid request becomes the one error body (400 with
 * per-field messages) through app.onError.
 */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error.issues);
    },
  });
}
