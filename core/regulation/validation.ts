import type { z } from 'zod';
import { RuleViolation, type MessageRef } from '../errors.ts';
import { parseIsoDate } from './calendar.ts';
import type { DateTime } from 'luxon';

/** Input path (dotted, e.g. "criteria.autonomy") → what is wrong with it. */
export type FieldErrors = Record<string, MessageRef>;

type Params = NonNullable<MessageRef['params']>;

/** Builds a message reference, leaving `params` out when there are none. */
export function messageRef(key: string, params?: Params): MessageRef {
  return params === undefined ? { key } : { key, params };
}

/**
 * Collects per-field problems so one rejection lists them all: a form can then show
 * every mistake at once instead of one per round trip.
 */
export class FieldErrorCollector {
  readonly fields: FieldErrors = {};
  /**
   * The article the next problems break, when one check covers several articles (a programme
   * is art. 7, 8, 10 and 11 at once); the rejection names the article of the first problem.
   */
  rule: string | undefined;
  private firstRule: string | undefined;

  /** Records a problem; the first one found for a path wins (it is usually the most basic). */
  add(path: string, key: string, params?: Params): void {
    if (this.fields[path] !== undefined) return;
    this.fields[path] = messageRef(key, params);
    this.firstRule ??= this.rule;
  }

  get isEmpty(): boolean {
    return Object.keys(this.fields).length === 0;
  }

  /** Throws a RuleViolation naming the first problem's article, else `rule`, when any problem was recorded. */
  throwIfAny(rule: string, key: string, params?: Params): void {
    if (!this.isEmpty) throw new RuleViolation(this.firstRule ?? rule, messageRef(key, params), { ...this.fields });
  }
}

/** Checks an integer in [min, max]; records the problem under `path` and returns false if not. */
export function checkWholeNumber(
  errors: FieldErrorCollector,
  value: unknown,
  path: string,
  bounds: { min: number; max?: number },
): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    errors.add(path, value === undefined ? 'rules:required' : 'rules:wholeNumberRequired');
    return false;
  }
  if (!Number.isSafeInteger(value)) {
    errors.add(path, 'rules:wholeNumberRequired');
    return false;
  }
  if (value < bounds.min) {
    errors.add(path, bounds.min === 0 ? 'rules:negativeNotAllowed' : 'rules:belowMinimum', { min: bounds.min });
    return false;
  }
  if (bounds.max !== undefined && value > bounds.max) {
    errors.add(path, 'rules:aboveMaximum', { max: bounds.max });
    return false;
  }
  return true;
}

/** Checks a calendar date 'YYYY-MM-DD' that exists; returns it as a UTC-midnight DateTime. */
export function checkIsoDate(errors: FieldErrorCollector, value: unknown, path: string): DateTime | null {
  if (value === undefined || value === null || value === '') {
    errors.add(path, 'rules:required');
    return null;
  }
  const date = parseIsoDate(value);
  if (date === null) errors.add(path, 'rules:invalidDate');
  return date;
}

/** Checks a non-blank text (a reason, an author); returns it trimmed. */
export function checkText(errors: FieldErrorCollector, value: unknown, path: string): string | null {
  if (typeof value !== 'string' || value.trim() === '') {
    errors.add(path, 'rules:required');
    return null;
  }
  return value.trim();
}

type ZodIssue = z.ZodError['issues'][number];

/** Dotted path of a zod issue; the whole input is called "input". */
export function issuePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'input' : path.map(String).join('.');
}

/**
 * Turns zod issues into our field messages, so a schema used by the HTTP layer for OpenAPI
 * rejects with the same i18n keys as the hand-written checks.
 */
export function fieldsFromZodIssues(issues: readonly ZodIssue[], raw: unknown): FieldErrors {
  const errors = new FieldErrorCollector();
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) errors.add(issuePath([...issue.path, key]), 'rules:unknownField');
      continue;
    }
    const path = issuePath(issue.path);
    const [key, params] = describeIssue(issue, valueAt(raw, issue.path));
    errors.add(path, key, params);
  }
  return errors.fields;
}

// zod 4 leaves the offending value out of issues unless asked, so read it from the input.
function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeIssue(issue: ZodIssue, value: unknown): [string, Params | undefined] {
  switch (issue.code) {
    case 'invalid_type': {
      if (value === undefined) return ['rules:required', undefined];
      if (issue.expected === 'int' || issue.expected === 'number') return ['rules:wholeNumberRequired', undefined];
      return ['rules:invalidType', { expected: String(issue.expected) }];
    }
    case 'too_big': {
      if (issue.origin === 'array') return ['rules:wrongItemCount', { count: Number(issue.maximum) }];
      if (issue.origin === 'string') return ['rules:textTooLong', { max: Number(issue.maximum) }];
      return ['rules:aboveMaximum', { max: Number(issue.maximum) }];
    }
    case 'too_small': {
      if (issue.origin === 'array') {
        const count = Number(issue.minimum);
        return count === 1 && issue.exact !== true ? ['rules:atLeastOneItem', undefined] : ['rules:wrongItemCount', { count }];
      }
      if (issue.origin === 'string') return ['rules:required', undefined];
      const min = Number(issue.minimum);
      return min === 0 ? ['rules:negativeNotAllowed', undefined] : ['rules:belowMinimum', { min }];
    }
    case 'invalid_format':
      return ['rules:invalidFormat', undefined];
    default:
      return ['rules:invalidValue', undefined];
  }
}

/**
 * Parses `raw` with `schema`; on failure throws a RuleViolation whose fields come from the
 * zod issues. `ruleFor` picks the article from the issues (e.g. a maximum of art. 5).
 */
export function parseWithRule<S extends z.ZodType>(
  schema: S,
  raw: unknown,
  rule: string | ((issues: readonly ZodIssue[]) => string),
  key: string,
): z.output<S> {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  throw new RuleViolation(typeof rule === 'string' ? rule : rule(issues), messageRef(key), fieldsFromZodIssues(issues, raw));
}
