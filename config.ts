import path from 'node:path';
import { fileURLToPath } from 'node:url';
import proxyaddr from 'proxy-addr';
import { z } from 'zod';

/**
 * The project root, so that `data/` resolves the same whatever the working directory, and the
 * same when running the compiled copy in dist/ (npm run build).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
export const projectRoot = path.basename(here) === 'dist' ? path.dirname(here) : here;

const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const databaseUrl = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v))
  .refine((v) => v === undefined || v === 'memory://' || /^postgres(ql)?:\/\//.test(v), {
    message: 'must be empty (PGlite in data/pglite), "memory://" (ephemeral PGlite) or a postgres:// URL',
  });

export interface RateLimitPolicy {
  limit: number;
  windowSeconds: number;
}
export type RateLimitName =
  | 'loginPerUsername'
  | 'loginPerAddress'
  | 'chatSessionsPerAddress'
  | 'linkPerConversation'
  | 'linkPerAddress'
  | 'linkPerOrigin'
  | 'linkOverall';
export type RateLimitConfig = Record<RateLimitName, RateLimitPolicy>;

/** Rate-limit defaults (table in docs/security.md); each is overridden by its RATE_LIMIT_* variable. */
export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  loginPerUsername: { limit: 10, windowSeconds: 900 },
  loginPerAddress: { limit: 50, windowSeconds: 900 },
  // A municipal office shares one address among many citizens: generous.
  chatSessionsPerAddress: { limit: 600, windowSeconds: 60 },
  linkPerConversation: { limit: 5, windowSeconds: 86_400 },
  linkPerAddress: { limit: 10, windowSeconds: 3_600 },
  linkPerOrigin: { limit: 20, windowSeconds: 3_600 },
  linkOverall: { limit: 300, windowSeconds: 60 },
};

/** RATE_LIMIT_LOGIN_PER_USERNAME etc., by limit name. */
export const RATE_LIMIT_ENV: Record<RateLimitName, string> = {
  loginPerUsername: 'RATE_LIMIT_LOGIN_PER_USERNAME',
  loginPerAddress: 'RATE_LIMIT_LOGIN_PER_ADDRESS',
  chatSessionsPerAddress: 'RATE_LIMIT_CHAT_SESSIONS_PER_ADDRESS',
  linkPerConversation: 'RATE_LIMIT_LINK_PER_CONVERSATION',
  linkPerAddress: 'RATE_LIMIT_LINK_PER_ADDRESS',
  linkPerOrigin: 'RATE_LIMIT_LINK_PER_ORIGIN',
  linkOverall: 'RATE_LIMIT_LINK_OVERALL',
};

/** "<attempts>/<seconds>", e.g. "10/900"; windows at most a day (old windows are swept after one). */
function rateLimitEnv() {
  const policy = z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .trim()
      .regex(/^\d{1,7}\/\d{1,6}$/, { message: 'must be "<attempts>/<seconds>", e.g. "10/900"' })
      .transform((v) => {
        const [limit, windowSeconds] = v.split('/').map(Number) as [number, number];
        return { limit, windowSeconds };
      })
      .refine((p) => p.limit >= 1 && p.windowSeconds >= 1 && p.windowSeconds <= 86_400, { message: 'attempts at least 1, window 1 to 86400 seconds' })
      .optional(),
  );
  return Object.fromEntries(Object.values(RATE_LIMIT_ENV).map((k) => [k, policy])) as Record<string, typeof policy>;
}

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().trim().min(1).default('0.0.0.0'),
  DATABASE_URL: databaseUrl,
  DATA_DIR: optionalText,
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  SESSION_SECRET: optionalText.refine((v) => v === undefined || v.length >= 32, {
    message: 'must be at least 32 characters',
  }),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  CENTRALE_ADMIN_PASSWORD: optionalText.refine((v) => v === undefined || v.length >= 12, {
    message: 'must be at least 12 characters',
  }),
  DEMO_DATA: flag.optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Reverse proxies whose X-Forwarded-For is believed: addresses, CIDR ranges, or the names
  // loopback, linklocal, uniquelocal, comma-separated. Empty: the header is ignored (it is forgeable).
  TRUSTED_PROXIES: z
    .string()
    .optional()
    .transform((v) => (v ?? '').split(',').map((x) => x.trim()).filter((x) => x !== ''))
    .refine(
      (list) => {
        try {
          proxyaddr.compile(list);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'must be comma-separated IP addresses, CIDR ranges (10.0.0.0/8) or loopback, linklocal, uniquelocal' },
    ),
  TELEGRAM_BOT_TOKEN: optionalText,
  TELEGRAM_MODE: z.enum(['polling', 'webhook']).default('polling'),
  TELEGRAM_WEBHOOK_SECRET: optionalText.refine((v) => v === undefined || /^[A-Za-z0-9_-]{1,256}$/.test(v), {
    message: 'may contain only A-Z, a-z, 0-9, _ and - (Telegram’s rule), 1 to 256 characters',
  }),
  TELEGRAM_API_ROOT: z.url({ protocol: /^https?$/ }).default('https://api.telegram.org'),
  SMS_PROVIDER: z.enum(['off', 'log', 'twilio']).default('off'),
  TWILIO_ACCOUNT_SID: optionalText,
  TWILIO_AUTH_TOKEN: optionalText,
  TWILIO_FROM: optionalText,
  TWILIO_API_ROOT: z.url({ protocol: /^https?$/ }).default('https://api.twilio.com'),
  /** Outbound queue: Telegram messages per second per bot, and the minimum gap per chat. */
  OUTBOUND_TELEGRAM_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(30),
  OUTBOUND_TELEGRAM_PER_CHAT_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  OUTBOUND_SMS_PER_SECOND: z.coerce.number().int().min(1).max(1000).default(10),
  /** Reminder and urgent-alert sweep interval (seconds); 0 turns the channel workers off. */
  CHANNEL_WORKER_INTERVAL_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** Days a handled raw Telegram update / SMS webhook is kept (db/inbound-retention.ts). */
  INBOUND_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(7),
  /** Days a sent outbound message stays in the queue (db/outbound-retention.ts; at least 3, see there). */
  OUTBOUND_RETENTION_DAYS: z.coerce.number().int().min(3).max(3650).default(30),
  ...rateLimitEnv(),
});

export type DatabaseConfig =
  | { kind: 'pglite'; dataDir: string | undefined /* undefined = in memory */ }
  | { kind: 'postgres'; url: string };

export type TelegramConfig =
  | { enabled: false }
  | { enabled: true; token: string; apiRoot: string; mode: 'polling' }
  | { enabled: true; token: string; apiRoot: string; mode: 'webhook'; webhookSecret: string };

export type SmsConfig =
  | { provider: 'off' }
  /** Development: messages are kept in memory and logged by id; signatures checked if a token is set. */
  | { provider: 'log'; from: string; authToken: string | undefined }
  | { provider: 'twilio'; accountSid: string; authToken: string; from: string; apiRoot: string };

export interface OutboundConfig {
  telegramPerSecond: number;
  telegramPerChatMs: number;
  smsPerSecond: number;
  /** Seconds between reminder / alert / recovery sweeps; 0 = channel workers off. */
  workerIntervalSeconds: number;
}

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  /** True when PUBLIC_URL is https: cookies get the Secure flag. */
  secureCookies: boolean;
  database: DatabaseConfig;
  /** Where PGlite data, generated passwords and secrets live (mode 0700). */
  dataDir: string;
  sessionSecret: string | undefined;
  sessionIdleMinutes: number;
  /** Proxies whose X-Forwarded-For gives the client address (api/client-address.ts); empty: none. */
  trustedProxies: readonly string[];
  adminPassword: string | undefined;
  demoData: boolean;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  telegram: TelegramConfig;
  sms: SmsConfig;
  outbound: OutboundConfig;
  /** Days a handled raw provider update is kept before it is deleted. */
  inboundRetentionDays: number;
  /** Days a sent (or cancelled) outbound message is kept before it is deleted. */
  outboundRetentionDays: number;
  /** Attempt limits (db/rate-limit.ts), defaults overridden by RATE_LIMIT_* variables. */
  rateLimits: RateLimitConfig;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads the environment once, at start-up, and fails fast with one readable line per wrong
 * variable, so a misconfigured deployment never half-starts.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, root = projectRoot): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const dataDir = e.DATA_DIR ? path.resolve(root, e.DATA_DIR) : path.join(root, 'data');

  const database: DatabaseConfig =
    e.DATABASE_URL === undefined
      ? { kind: 'pglite', dataDir: path.join(dataDir, 'pglite') }
      : e.DATABASE_URL === 'memory://'
        ? { kind: 'pglite', dataDir: undefined }
        : { kind: 'postgres', url: e.DATABASE_URL };

  // With a shared server several instances must agree on the secret: a generated one would differ.
  if (database.kind === 'postgres' && !e.SESSION_SECRET) {
    problems.push('SESSION_SECRET: required when DATABASE_URL points to PostgreSQL (at least 32 characters)');
  }

  let telegram: TelegramConfig = { enabled: false };
  if (e.TELEGRAM_BOT_TOKEN) {
    if (e.TELEGRAM_MODE === 'webhook') {
      if (!e.TELEGRAM_WEBHOOK_SECRET) problems.push('TELEGRAM_WEBHOOK_SECRET: required when TELEGRAM_MODE=webhook');
      if (!e.PUBLIC_URL) problems.push('PUBLIC_URL: required when TELEGRAM_MODE=webhook (Telegram must reach it)');
      telegram = {
        enabled: true,
        token: e.TELEGRAM_BOT_TOKEN,
        apiRoot: e.TELEGRAM_API_ROOT,
        mode: 'webhook',
        webhookSecret: e.TELEGRAM_WEBHOOK_SECRET ?? '',
      };
    } else {
      telegram = { enabled: true, token: e.TELEGRAM_BOT_TOKEN, apiRoot: e.TELEGRAM_API_ROOT, mode: 'polling' };
    }
  }

  let sms: SmsConfig = { provider: 'off' };
  if (e.SMS_PROVIDER === 'log') sms = { provider: 'log', from: e.TWILIO_FROM ?? 'centrale', authToken: e.TWILIO_AUTH_TOKEN };
  if (e.SMS_PROVIDER === 'twilio') {
    for (const k of ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const) {
      if (!e[k]) problems.push(`${k}: required when SMS_PROVIDER=twilio`);
    }
    if (!e.PUBLIC_URL) problems.push('PUBLIC_URL: required when SMS_PROVIDER=twilio (signatures are computed on it)');
    sms = {
      provider: 'twilio',
      accountSid: e.TWILIO_ACCOUNT_SID ?? '',
      authToken: e.TWILIO_AUTH_TOKEN ?? '',
      from: e.TWILIO_FROM ?? '',
      apiRoot: e.TWILIO_API_ROOT.replace(/\/+$/, ''),
    };
  }

  if (problems.length > 0) throw new ConfigError(problems);

  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    secureCookies: publicUrl.startsWith('https:'),
    database,
    dataDir,
    sessionSecret: e.SESSION_SECRET,
    sessionIdleMinutes: e.SESSION_IDLE_MINUTES,
    trustedProxies: e.TRUSTED_PROXIES,
    adminPassword: e.CENTRALE_ADMIN_PASSWORD,
    // Demo people must never appear in a real deployment by accident: on only for PGlite by default.
    demoData: e.DEMO_DATA ?? database.kind === 'pglite',
    logLevel: e.LOG_LEVEL,
    telegram,
    sms,
    outbound: {
      telegramPerSecond: e.OUTBOUND_TELEGRAM_PER_SECOND,
      telegramPerChatMs: e.OUTBOUND_TELEGRAM_PER_CHAT_MS,
      smsPerSecond: e.OUTBOUND_SMS_PER_SECOND,
      workerIntervalSeconds: e.CHANNEL_WORKER_INTERVAL_SECONDS,
    },
    inboundRetentionDays: e.INBOUND_RETENTION_DAYS,
    outboundRetentionDays: e.OUTBOUND_RETENTION_DAYS,
    rateLimits: Object.fromEntries(
      (Object.keys(DEFAULT_RATE_LIMITS) as RateLimitName[]).map((name) => [name, (e as unknown as Record<string, RateLimitPolicy | undefined>)[RATE_LIMIT_ENV[name]] ?? DEFAULT_RATE_LIMITS[name]]),
    ) as RateLimitConfig,
  };
}
