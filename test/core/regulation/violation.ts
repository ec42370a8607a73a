import { expect } from 'vitest';
import { DomainError, RuleViolation } from '../../../core/errors.ts';

/** Runs `fn`, expecting it to throw; returns what it threw. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, got none');
}

/**
 * Expects a RuleViolation naming `rule`; `fields` maps each expected input path to its
 * message key (other fields may be present too). Returns the violation for further checks.
 */
export function expectViolation(fn: () => unknown, rule: string, fields: Record<string, string> = {}): RuleViolation {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(RuleViolation);
  const violation = error as RuleViolation;
  expect(violation.code).toBe('RULE_VIOLATION');
  expect(violation.rule).toBe(rule);
  for (const [path, key] of Object.entries(fields)) expect(violation.fields?.[path]?.key, path).toBe(key);
  return violation;
}

/** Expects a DomainError (not a RuleViolation) with `code` and `rule`. */
export function expectDomainError(fn: () => unknown, code: string, rule?: string): DomainError {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(DomainError);
  const domainError = error as DomainError;
  expect(domainError.code).toBe(code);
  if (rule !== undefined) expect(domainError.rule).toBe(rule);
  return domainError;
}
