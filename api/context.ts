import type { i18n as I18n } from 'i18next';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { StaffIdentity } from '../db/staff.ts';
import type { Logger } from '../logger.ts';
import type { LiveHub } from './live-hub.ts';

/** Everything the HTTP app needs, passed in explicitly (no globals: tests build their own). */
export interface AppDeps {
  config: Config;
  database: Database;
  i18n: I18n;
  logger: Logger;
  live: LiveHub;
  /** Keys cookie-session ids before they are stored (see db/staff.ts). */
  sessionSecret: string;
  now: () => Date;
}

export interface AppEnv {
  Variables: {
    requestId: string;
    /** Ids a route adds to its request's log line (numbers and flags only, never text). */
    logIds: Record<string, number | boolean> | undefined;
    staff: StaffIdentity | undefined;
    staffSessionKey: string | undefined;
  };
}
