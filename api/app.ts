/**
 * The Hono app: system routes, staff API (/api/v1, described in /openapi.json), web chat,
 * citizen page and docs. Built from explicit dependencies so that tests make their own.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { getCookie } from 'hono/cookie';
import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { DomainError } from '../core/errors.ts';
import { prepareHotQueries } from '../db/hot-queries.ts';
import { configureRateLimits } from '../db/rate-limit.ts';
import { touchSession } from '../db/staff.ts';
import { asLocale } from '../locales/index.ts';
import type { AppDeps, AppEnv } from './context.ts';
import { sendError, validationError } from './errors.ts';
import { adminRoutes } from './routes/admin.ts';
import { applicationRoutes } from './routes/applications.ts';
import { authRoutes, STAFF_COOKIE } from './routes/auth.ts';
import { chatRecordRoutes } from './routes/chat-records.ts';
import { docsRoutes } from './routes/docs.ts';
import { documentRoutes } from './routes/documents.ts';
import { healthRoutes } from './routes/health.ts';
import { inboxRoutes } from './routes/inbox.ts';
import { consoleRoutes } from './routes/console.ts';
import { consoleCasesRoutes } from './routes/console-cases.ts';
import { consolePeopleRoutes } from './routes/console-people.ts';
import { consoleAdminRoutes } from './routes/console-admin.ts';
import { consoleCheckinRoutes } from './routes/console-checkins.ts';
import { consoleLightRoutes } from './routes/console-light.ts';
import { checkinRoutes } from './routes/checkins.ts';
import { communityRoutes } from './routes/community.ts';
import { channelAdminRoutes } from './routes/channel-admin.ts';
import { privacyRoutes } from './routes/privacy.ts';
import { reportRoutes } from './routes/reports.ts';
import { peopleRoutes } from './routes/people.ts';
import { programmeRoutes } from './routes/programmes.ts';
import { regulationRoutes } from './routes/regulation.ts';
import { resourceRoutes } from './routes/resources.ts';
import { SMS_INBOUND_PATH, SMS_STATUS_PATH, smsRoutes } from './routes/sms.ts';
import { TELEGRAM_WEBHOOK_PATH, telegramRoutes } from './routes/telegram.ts';
import { webChatRoutes } from './routes/web-chat.ts';
import { memoHmacHex } from './security.ts';
import { renderChatPage } from './web/chat-page.ts';

export const MAX_BODY_BYTES = 64 * 1024;
/** A document upload (multipart): the file limit (api/routes/documents.ts) plus room for the form. */
export const MAX_DOCUMENT_BODY_BYTES = 10 * 1024 * 1024 + 64 * 1024;
const DOCUMENT_UPLOAD_PATH = /^\/api\/v1\/people\/[^/]+\/documents$/;
const staticDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'web', 'static');
const STATIC_TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };
/** Writing lastSeenAt on every request would cost a write per read; a minute is precise enough. */
const SESSION_TOUCH_MS = 60_000;

/** Errors that mean the database cannot be reached right now (so: 503, try again). */
function isUnavailable(err: unknown): boolean {
  // drizzle wraps the driver's error (DrizzleQueryError): the code is on its cause.
  const cause = (err as { cause?: unknown } | null)?.cause;
  if (cause && cause !== err && isUnavailable(cause)) return true;
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', '57P01', '57P02', '57P03', '53300'].includes(code) ||
    code.startsWith('08') ||
    (typeof e?.message === 'string' && /PGlite is closed/i.test(e.message))
  );
}

/** The SQLSTATE of a database error, looking through drizzle's wrapper (DrizzleQueryError). */
function sqlState(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | null, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

/**
 * Text PostgreSQL refuses to store: NUL in text or jsonb (22P05, 22021). It can arrive inside any
 * JSON string or form field, so it is answered as invalid input wherever it shows, never a 500;
 * the statement failed, so nothing of it was stored.
 */
const UNSTORABLE_TEXT = new Set(['22P05', '22021']);

const PROVIDER_WEBHOOK_PATHS = new Set([TELEGRAM_WEBHOOK_PATH, SMS_INBOUND_PATH, SMS_STATUS_PATH]);

/**
 * hono's bodyLimit, without its cost when the request declares its length: hono reads
 * `c.req.raw.body` first, which makes @hono/node-server build a full Request and a web stream for
 * every request (about a tenth of a webhook's time), and loses its fast path for `c.req.json()`.
 * Node's HTTP parser delivers exactly Content-Length bytes, so the header is as good as counting.
 * Chunked bodies (no Content-Length) are counted by hono's middleware as before.
 */
function declaredBodyLimit(maxSize: number, onError: Parameters<typeof bodyLimit>[0]['onError'] & {}): MiddlewareHandler<AppEnv> {
  const counted = bodyLimit({ maxSize, onError });
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared !== undefined && /^\d{1,15}$/.test(declared) && c.req.header('transfer-encoding') === undefined) {
      if (Number(declared) > maxSize) return onError(c);
      await next();
      return;
    }
    return counted(c, next);
  };
}

export function createApp(deps: AppDeps) {
  const { i18n, logger } = deps;
  const hot = prepareHotQueries(deps.database.db);
  configureRateLimits(deps.config.rateLimits);
  const app = new OpenAPIHono<AppEnv>({
    // Validation failures of OpenAPI routes get the same error body as everything else.
    defaultHook: (result, c) => {
      if (!result.success) return sendError(c, i18n, validationError(result.error.issues));
    },
  });

  app.use('*', requestId({ headerName: 'X-Request-Id', limitLength: 64 }));
  // NUL can be part of no valid id or filter, and PostgreSQL refuses it in text (a 500): refuse it
  // in the path or the query string as invalid input, before any route sees it (found by fuzzing).
  app.use('*', async (c, next) => {
    if (/%00/.test(c.req.url) || c.req.url.includes('\u0000')) {
      return sendError(c, i18n, new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }));
    }
    await next();
  });
  // The request line has fixed keys (ids, method, route pattern, status, time) and the numeric ids
  // a route adds (`logIds`), none of which the redaction list names: redacting it changed nothing
  // and cost ~20× the line itself on every request.
  const requestLog = logger.child({}, { redact: [] });
  app.use('*', async (c, next) => {
    const started = performance.now();
    await next();
    // Ids, method, route and status only: never bodies, queries or names.
    requestLog.info(
      { ...c.get('logIds'), requestId: c.get('requestId'), method: c.req.method, route: c.req.routePath, status: c.res.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  });
  const browserHeaders = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      formAction: ["'self'"],
    },
    referrerPolicy: 'same-origin',
  });
  // Provider webhooks are server-to-server POSTs answered with an empty body (or TwiML) that no
  // browser renders. Their security headers were ~5% of a Telegram update's CPU: setting them turns
  // @hono/node-server's cached response into a full web Response with undici Headers.
  app.use('*', (c, next) => (PROVIDER_WEBHOOK_PATHS.has(c.req.path) ? next() : browserHeaders(c, next)));
  const tooLarge = (c: Parameters<typeof sendError>[0]) => sendError(c, i18n, new DomainError('PAYLOAD_TOO_LARGE', { key: 'errors:PAYLOAD_TOO_LARGE' }));
  const smallBodies = declaredBodyLimit(MAX_BODY_BYTES, tooLarge);
  const documentBodies = declaredBodyLimit(MAX_DOCUMENT_BODY_BYTES, (c) => sendError(c, i18n, new DomainError('PAYLOAD_TOO_LARGE', { key: 'errors:documentTooLarge' })));
  // Document uploads are the one place for large bodies; everything else stays under 64 KiB.
  app.use('*', (c, next) => (DOCUMENT_UPLOAD_PATH.test(c.req.path) ? documentBodies(c, next) : smallBodies(c, next)));

  // Staff session from the cookie (keyed hash → row), with idle timeout.
  const sessionKeyOf = memoHmacHex(deps.sessionSecret);
  app.use('/api/*', async (c, next) => {
    c.set('staff', undefined);
    c.set('staffSessionKey', undefined);
    const token = getCookie(c, STAFF_COOKIE);
    if (token && token.length <= 200) {
      const key = sessionKeyOf(token);
      const now = deps.now();
      const idleSince = new Date(now.getTime() - deps.config.sessionIdleMinutes * 60_000);
      const session = await hot.findLiveStaffSession(key, now, idleSince);
      if (session) {
        c.set('staff', session.staff);
        c.set('staffSessionKey', key);
        if (now.getTime() - session.lastSeenAt.getTime() > SESSION_TOUCH_MS) {
          await touchSession(deps.database.db, key, now);
          hot.sessionTouched(key, now);
        }
      }
    }
    await next();
  });

  // Cookie-authenticated writes must come from our own pages: refuse a foreign Origin.
  // Requests without Origin (curl, other servers) carry no ambient browser credentials risk.
  app.use('/api/*', async (c, next) => {
    const unsafe = !['GET', 'HEAD', 'OPTIONS'].includes(c.req.method);
    const origin = c.req.header('origin');
    if (unsafe && origin && getCookie(c, STAFF_COOKIE) !== undefined) {
      const allowed = new Set([new URL(deps.config.publicUrl).origin, new URL(c.req.url).origin]);
      if (!allowed.has(origin)) return sendError(c, i18n, new DomainError('FORBIDDEN', { key: 'errors:crossSiteRequest' }));
    }
    await next();
  });

  app.route('/', healthRoutes(deps));
  app.route('/', authRoutes(deps, hot));
  app.route('/', regulationRoutes(deps));
  app.route('/', peopleRoutes(deps));
  app.route('/', documentRoutes(deps));
  app.route('/', applicationRoutes(deps));
  app.route('/', programmeRoutes(deps));
  app.route('/', resourceRoutes(deps));
  app.route('/', adminRoutes(deps));
  app.route('/', chatRecordRoutes(deps));
  app.route('/', inboxRoutes(deps));
  app.route('/', consoleRoutes(deps));
  app.route('/', consoleCasesRoutes(deps));
  app.route('/', consolePeopleRoutes(deps));
  app.route('/', consoleAdminRoutes(deps));
  app.route('/', consoleCheckinRoutes(deps));
  app.route('/', consoleLightRoutes(deps));
  app.route('/', checkinRoutes(deps));
  app.route('/', communityRoutes(deps));
  app.route('/', channelAdminRoutes(deps));
  app.route('/', privacyRoutes(deps));
  app.route('/', reportRoutes(deps));
  app.route('/', webChatRoutes(deps, hot));
  app.route('/', telegramRoutes(deps));
  app.route('/', smsRoutes(deps));
  app.route('/', docsRoutes());

  app.get('/', (c) => c.html(renderChatPage(i18n, asLocale(c.req.query('lang')))));
  app.get('/static/:file', async (c) => {
    const file = c.req.param('file');
    const type = STATIC_TYPES[path.extname(file)];
    if (!type || !/^[a-z0-9-]+\.[a-z]+$/.test(file)) return sendError(c, i18n, new DomainError('NOT_FOUND', { key: 'errors:routeNotFound' }));
    try {
      return c.body(await readFile(path.join(staticDir, file), 'utf8'), 200, { 'content-type': type, 'cache-control': 'no-cache' });
    } catch {
      return sendError(c, i18n, new DomainError('NOT_FOUND', { key: 'errors:routeNotFound' }));
    }
  });

  app.openAPIRegistry.registerComponent('securitySchemes', 'staffSession', {
    type: 'apiKey',
    in: 'cookie',
    name: STAFF_COOKIE,
    description: 'Set by POST /api/v1/auth/login',
  });
  app.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'centrale staff API',
      version: '1',
      description:
        'Staff API of centrale, the centrale operativa for home care (SAD) with social vouchers of the Ambito dell’Abbiatense. Errors always have the body { error: { code, message, requestId, rule?, fields? } }.',
    },
  });

  app.notFound((c) => sendError(c, i18n, new DomainError('NOT_FOUND', { key: 'errors:routeNotFound' })));
  app.onError((err, c) => {
    if (err instanceof DomainError) return sendError(c, i18n, err);
    if (err instanceof HTTPException) {
      if (err.status === 413) return sendError(c, i18n, new DomainError('PAYLOAD_TOO_LARGE', { key: 'errors:PAYLOAD_TOO_LARGE' }));
      if (err.status === 400) return sendError(c, i18n, new DomainError('VALIDATION_FAILED', { key: 'errors:malformedJson' }, { fields: { '(body)': { key: 'errors:malformedJson' } } }));
      if (err.status === 401) return sendError(c, i18n, new DomainError('UNAUTHORIZED', { key: 'errors:UNAUTHORIZED' }));
      // The OpenAPI validator refuses a body of the wrong content type itself.
      if (err.status === 415) return sendError(c, i18n, new DomainError('UNSUPPORTED_MEDIA_TYPE', { key: 'errors:UNSUPPORTED_MEDIA_TYPE' }));
    }
    const state = sqlState(err);
    if (state && UNSTORABLE_TEXT.has(state)) {
      logger.warn({ requestId: c.get('requestId'), sqlState: state }, 'unstorable text refused');
      return sendError(c, i18n, new DomainError('VALIDATION_FAILED', { key: 'errors:unstorableText' }));
    }
    if (isUnavailable(err)) {
      logger.warn({ requestId: c.get('requestId'), err }, 'database unavailable');
      return sendError(c, i18n, new DomainError('UNAVAILABLE', { key: 'errors:UNAVAILABLE' }));
    }
    logger.error({ requestId: c.get('requestId'), err }, 'unhandled error');
    return sendError(c, i18n, new DomainError('INTERNAL', { key: 'errors:INTERNAL' }));
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
