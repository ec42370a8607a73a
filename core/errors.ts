/**
 * One error vocabulary for the whole domain. Adapters map `code` once to an HTTP status
 * (api/errors.ts) and `message` / `fields` to sentences through i18next, so a rule never
 * drifts between the web chat, Telegram, SMS and the staff API.
 */
export type ErrorCode =
  | 'VALIDATION_FAILED'
  | 'RULE_VIOLATION'
  | 'NOT_ELIGIBLE'
  | 'INSUFFICIENT_BALANCE'
  | 'NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** A sentence to show, as an i18next key ("namespace:key") and its interpolation values. */
export interface MessageRef {
  key: string;
  /** Values to interpolate; a nested ref is rendered first (a service name, a list of tariff bands). */
  params?: Record<string, string | number | MessageRef>;
}

export interface DomainErrorOptions {
  /** The regulation article the rejection enforces, e.g. "art. 6". */
  rule?: string;
  /** Input path (dotted, e.g. "criteria.autonomy") → what is wrong with it. */
  fields?: Record<string, MessageRef>;
}

/** A failure the person or client can act on. Never carries personal data in `message`. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly messageRef: MessageRef;
  readonly rule: string | undefined;
  readonly fields: Record<string, MessageRef> | undefined;

  constructor(code: ErrorCode, messageRef: MessageRef, options: DomainErrorOptions = {}) {
    super(`${code}: ${messageRef.key}`);
    this.name = 'DomainError';
    this.code = code;
    this.messageRef = messageRef;
    this.rule = options.rule;
    this.fields = options.fields;
  }
}

/** A regulation rule refused the input: always names its article. */
export class RuleViolation extends DomainError {
  constructor(rule: string, messageRef: MessageRef, fields?: Record<string, MessageRef>) {
    super('RULE_VIOLATION', messageRef, fields ? { rule, fields } : { rule });
    this.name = 'RuleViolation';
  }
}
