/**
 * Pure summaries behind the staff dashboard (issue #7): waiting times of applications and the
 * first-response times of the inbox, computed from plain rows so that they are easy to test.
 */

/** Median of a list (null when empty); the mean of the middle pair for even lengths. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function mean(values: readonly number[]): number | null {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : null;
}

/** Upper limits (minutes, included) of the first-response buckets; the last bucket is open. */
export const FIRST_RESPONSE_BUCKETS = [5, 15, 60, 240] as const;

export interface FirstResponseSummary {
  targetMinutes: number;
  handedOver: number;
  answered: number;
  withinTarget: number;
  medianMinutes: number | null;
  /** Answered conversations per bucket (≤5, ≤15, ≤60, ≤240, more), then the unanswered ones. */
  buckets: { key: string; count: number }[];
}

/**
 * Minutes from the handover to the first staff message of each conversation (null: not yet
 * answered), summarised against the target.
 */
export function summariseFirstResponses(minutes: readonly (number | null)[], targetMinutes: number): FirstResponseSummary {
  const answered = minutes.filter((m): m is number => m !== null);
  const counts = [...FIRST_RESPONSE_BUCKETS.map(() => 0), 0];
  for (const m of answered) {
    const i = FIRST_RESPONSE_BUCKETS.findIndex((limit) => m <= limit);
    counts[i === -1 ? FIRST_RESPONSE_BUCKETS.length : i]! += 1;
  }
  const keys = [...FIRST_RESPONSE_BUCKETS.map((l) => `upTo${l}`), 'more'];
  const med = median(answered);
  return {
    targetMinutes,
    handedOver: minutes.length,
    answered: answered.length,
    withinTarget: answered.filter((m) => m <= targetMinutes).length,
    medianMinutes: med === null ? null : Math.round(med),
    buckets: [...keys.map((key, i) => ({ key, count: counts[i]! })), { key: 'unanswered', count: minutes.length - answered.length }],
  };
}
