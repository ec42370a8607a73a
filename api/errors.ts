/**
 * One error body everywhere: { error: { code, message, requestId, rule?, fields? } }.
 * Domain error codes map once to HTTP statuses here; messages come from locales/.
 */
import type { Context } from 'hono';
import type { i18n as I18n } from 'i18next';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';
import { DomainError, type ErrorCode, type MessageRef } from '../core/errors.ts';
import { render, type Locale } from '../locales/index.ts';

export const STATUS_BY_CODE: Record<ErrorCode, ContentfulStatusCode> = {
  VALIDATION_FAILED: 400,
  RULE_VIOLATION: 400,
  NOT_ELIGIBLE: 422,
  INSUFFICIENT_BALANCE: 409,
  NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string; rule?: string; fields?: Record<string, string> };
}

/** The language of error messages: English when the client prefers it, Italian otherwise. */
export function requestLocale(c: Context): Locale {
  const header = c.req.header('accept-language') ?? '';
  for (const part of header.split(',')) {
    const tag = part.split(';')[0]?.trim().toLowerCase() ?? '';
    if (tag.startsWith('it')) return 'it';
    if (tag.startsWith('en')) return 'en';
  }
  return 'it';
}

export function errorBody(c: Context, i18n: I18n, error: DomainError): ErrorBody {
  const locale = requestLocale(c);
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: render(i18n, error.messageRef, locale),
      requestId: (c.get('requestId') as string | undefined) ?? '',
    },
  };
  if (error.rule) body.error.rule = error.rule;
  if (error.fields) {
    body.error.fields = Object.fromEntries(Object.entries(error.fields).map(([k, ref]) => [k, render(i18n, ref, locale)]));
  }
  return body;
}

export function sendError(c: Context, i18n: I18n, error: DomainError) {
  return c.json(errorBody(c, i18n, error), STATUS_BY_CODE[error.code]);
}

/** Turns zod issues into per-field message refs (paths dotted, e.g. "criteria.autonomy"). */
export function fieldsFromZod(issues: readonly z.core.$ZodIssue[]): Record<string, MessageRef> {
  const fields: Record<string, MessageRef> = {};
  for (const issue of issues) {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
    for (const path of keys) {
      const name = path.map(String).join('.') || '(body)';
      if (!fields[name]) fields[name] = messageForIssue(issue);
    }
  }
  return fields;
}

function messageForIssue(issue: z.core.$ZodIssue): MessageRef {
  switch (issue.code) {
    case 'invalid_type':
      // zod 4 issues carry no input by default; its message says what was received.
      return /received undefined/.test(issue.message)
        ? { key: 'errors:field.required' }
        : issue.expected === 'int'
          ? { key: 'errors:field.notInteger' }
          : { key: 'errors:field.invalidType', params: { expected: issue.expected } };
    case 'too_small':
      return issue.origin === 'string'
        ? { key: 'errors:field.tooShort', params: { minimum: String(issue.minimum) } }
        : { key: 'errors:field.tooSmall', params: { minimum: String(issue.minimum) } };
    case 'too_big':
      return issue.origin === 'string'
        ? { key: 'errors:field.tooLong', params: { maximum: String(issue.maximum) } }
        : { key: 'errors:field.tooBig', params: { maximum: String(issue.maximum) } };
    case 'invalid_value':
      return { key: 'errors:field.invalidValue' };
    case 'invalid_format':
      return { key: 'errors:field.invalidFormat' };
    case 'unrecognized_keys':
      return { key: 'errors:field.unknownField' };
    case 'custom':
      return typeof issue.params?.key === 'string' ? { key: issue.params.key } : { key: 'errors:field.invalid' };
    default:
      return { key: 'errors:field.invalid' };
  }
}

export function validationError(issues: readonly z.core.$ZodIssue[]): DomainError {
  return new DomainError('VALIDATION_FAILED', { key: 'errors:VALIDATION_FAILED' }, { fields: fieldsFromZod(issues) });
}
