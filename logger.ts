/**
 * pino JSON logs. Logs carry ids, never personal data: the redaction list below is a safety net
 * for fields that must never be logged (names, codici fiscali, phone numbers, message text,
 * the `detail` of PostgreSQL errors, which echoes values); the code logs ids only.
 */
import pino, { type Logger, type DestinationStream } from 'pino';

export type { Logger };

export const REDACTED_PATHS = [
  'password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'cookie', '*.cookie',
  'req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie',
  'text', '*.text', 'body', '*.body', 'Body', '*.Body', 'message_text',
  'name', '*.name', 'givenName', '*.givenName', 'familyName', '*.familyName', 'displayName', '*.displayName',
  'codiceFiscale', '*.codiceFiscale', 'codice_fiscale', '*.codice_fiscale',
  'phone', '*.phone', 'From', '*.From', 'To', '*.To', 'email', '*.email', 'address', '*.address',
  'detail', '*.detail', 'err.detail', 'error.detail', 'where', '*.where', 'parameters', '*.parameters', 'query', '*.query',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'centrale' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: serializeError },
    },
    destination,
  );
}

/**
 * The service's stdout: each line is written off the event loop (a request never waits for the
 * terminal or the log collector), lines that pile up meanwhile go out in one write, and whatever
 * is still buffered is written synchronously when the process exits.
 */
export function stdoutDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}

/** Errors are logged by type, code and stack frames only: messages of driver errors may echo values. */
export function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { type: typeof err };
  const e = err as Error & { code?: unknown; severity?: unknown; routine?: unknown; cause?: unknown };
  // drizzle wraps the driver's error as "Failed query: <sql> params: <values>": the values are
  // personal data (message text, names). Log the wrapper's frames and the driver error's code.
  const wrapped = e.message.startsWith('Failed query') || e.name === 'DrizzleQueryError';
  const source = (wrapped && e.cause instanceof Error ? e.cause : e) as Error & { code?: unknown; routine?: unknown };
  const out: Record<string, unknown> = { type: e.name, code: source.code ?? e.code, stack: redactStack(e.stack) };
  if (wrapped) out.cause = source === e ? undefined : source.name;
  // PostgreSQL error messages can quote values ("Key (codice_fiscale)=(...) already exists" lives in
  // `detail`, but some messages quote input too): keep the SQLSTATE code and routine, drop text.
  if (typeof out.code === 'string' && /^[0-9A-Z]{5}$/.test(out.code)) out.routine = source.routine;
  else if (!wrapped) out.message = e.message;
  return out;
}

function redactStack(stack: string | undefined): string | undefined {
  // Only the frames: the first lines repeat the message (which may span lines and carry values).
  return stack
    ?.split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 11)
    .join('\n');
}
