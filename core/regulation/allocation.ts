import { z } from 'zod';
import { RuleViolation } from '../errors.ts';
import { FieldErrorCollector, parseWithRule } from './validation.ts';

/** Art. 15: every comune is guaranteed at least this many hours per week of the period. */
export const FLOOR_HOURS_PER_WEEK = 5;

const comuneId = z.string().trim().min(1);

/** Art. 15 allocation request: the yearly budget in whole hours, the weeks of the period, each comune's over-65 residents. */
export const allocationInput = z.strictObject({
  budgetHours: z.number().int().min(0),
  weeks: z.number().int().min(1).max(53),
  comuni: z.array(z.strictObject({ comuneId, over65: z.number().int().min(0) })).min(1),
});
export type AllocationInput = z.infer<typeof allocationInput>;

export const allocationOutput = z.object({
  shares: z.array(z.object({ comuneId: z.string(), hours: z.number().int() })),
});
export type AllocationResult = z.infer<typeof allocationOutput>;

interface Weighted {
  id: string;
  weight: bigint;
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Shares `total` whole hours in proportion to the weights by largest remainder: everyone gets
 * the floor of their exact share, the hours left go one each to the largest remainders, ties to
 * the smaller id. Exact (BigInt), so the sum is always `total`. Weights must not all be zero.
 */
function apportion(total: number, items: readonly Weighted[]): Map<string, number> {
  const sum = items.reduce((acc, item) => acc + item.weight, 0n);
  const result = new Map<string, number>();
  if (items.length === 0) return result;
  const big = BigInt(total);
  const parts = items.map((item) => ({ id: item.id, quotient: (big * item.weight) / sum, remainder: (big * item.weight) % sum }));
  let left = big - parts.reduce((acc, part) => acc + part.quotient, 0n);
  // All remainders share the denominator `sum`, so comparing them compares the fractions.
  const order = [...parts].sort((a, b) => (a.remainder === b.remainder ? byId(a.id, b.id) : a.remainder > b.remainder ? -1 : 1));
  const extra = new Set<string>();
  for (const part of order) {
    if (left === 0n) break;
    extra.add(part.id);
    left -= 1n;
  }
  for (const part of parts) result.set(part.id, Number(part.quotient) + (extra.has(part.id) ? 1 : 0));
  return result;
}

function checkUniqueIds(errors: FieldErrorCollector, ids: readonly string[]): void {
  const seen = new Set<string>();
  ids.forEach((id, index) => {
    if (seen.has(id)) errors.add(`comuni.${index}.comuneId`, 'rules:duplicateId');
    seen.add(id);
  });
}

/**
 * Art. 15: shares the yearly budget among the comuni in proportion to their over-65
 * population, guaranteeing each the floor of 5 h/week × weeks: a comune whose proportional share
 * is below the floor gets the floor and the rest is shared again among the others, until none is
 * below. Whole hours by largest remainder (ties to the smaller comuneId), summing exactly to the
 * budget. A budget below every floor together is a RuleViolation "art. 15", never a silent cut.
 * Shares come back in the input's order.
 */
export function allocateHours(raw: unknown): AllocationResult {
  const input = parseWithRule(allocationInput, raw, 'art. 15', 'rules:allocationInvalid');
  const errors = new FieldErrorCollector();
  checkUniqueIds(errors, input.comuni.map((comune) => comune.comuneId));
  if (input.comuni.every((comune) => comune.over65 === 0)) errors.add('comuni', 'rules:noOver65Population');
  errors.throwIfAny('art. 15', 'rules:allocationInvalid');

  const floorHours = FLOOR_HOURS_PER_WEEK * input.weeks;
  const requiredHours = floorHours * input.comuni.length;
  if (input.budgetHours < requiredHours) {
    const params = { budgetHours: input.budgetHours, requiredHours, floorHours };
    throw new RuleViolation('art. 15', { key: 'rules:budgetBelowFloors', params }, { budgetHours: { key: 'rules:budgetBelowFloors', params } });
  }

  const floored = new Set<string>();
  let rest = input.comuni;
  let remaining = BigInt(input.budgetHours);
  for (;;) {
    const population = rest.reduce((acc, comune) => acc + BigInt(comune.over65), 0n);
    const budget = remaining;
    // share = budget × over65 / population < floor, compared without division.
    const below = rest.filter((comune) => budget * BigInt(comune.over65) < BigInt(floorHours) * population);
    if (below.length === 0) break;
    for (const comune of below) floored.add(comune.comuneId);
    remaining -= BigInt(floorHours * below.length);
    rest = rest.filter((comune) => !floored.has(comune.comuneId));
  }

  // The budget covers every floor, so `rest` is never empty here (see docs/regulation-rules.md).
  const proportional = apportion(
    Number(remaining),
    rest.map((comune) => ({ id: comune.comuneId, weight: BigInt(comune.over65) })),
  );
  return {
    shares: input.comuni.map((comune) => ({
      comuneId: comune.comuneId,
      hours: floored.has(comune.comuneId) ? floorHours : (proportional.get(comune.comuneId) ?? 0),
    })),
  };
}

/** Art. 15 year-end data per comune: hours allocated, hours actually used (redeemed), hours of need expressed. */
export const redistributionInput = z.strictObject({
  comuni: z
    .array(
      z.strictObject({
        comuneId,
        allocatedHours: z.number().int().min(0),
        usedHours: z.number().int().min(0),
        needHours: z.number().int().min(0),
      }),
    )
    .min(1),
});
export type RedistributionInput = z.infer<typeof redistributionInput>;

export interface RedistributionShare {
  comuneId: string;
  allocatedHours: number;
  usedHours: number;
  /** Allocated but not used: given up to the pool. */
  unspentHours: number;
  /** Received from the pool. */
  receivedHours: number;
  /** allocated − unspent + received. */
  finalHours: number;
}

export interface RedistributionResult {
  /** Sum of unspent hours. */
  poolHours: number;
  /** Pool hours no comune could take (every recipient's unmet need is covered): back to the ambito. */
  unassignedHours: number;
  shares: RedistributionShare[];
}

/**
 * Art. 15: year-end redistribution of unspent hours "by volume of activity relative to expressed
 * need". Comuni that did not use their allocation give the unused hours to a pool. The others
 * (they used it all) receive from it if their expressed need exceeds their activity, in
 * proportion to their activity (hours used), each capped at its unmet need (need − used); what a
 * cap leaves is shared again among the uncapped, and what nobody can take is `unassignedHours`.
 * Whole hours by largest remainder; received + unassigned = pool exactly.
 */
export function redistributeUnspentHours(raw: unknown): RedistributionResult {
  const input = parseWithRule(redistributionInput, raw, 'art. 15', 'rules:redistributionInvalid');
  const errors = new FieldErrorCollector();
  checkUniqueIds(errors, input.comuni.map((comune) => comune.comuneId));
  errors.throwIfAny('art. 15', 'rules:redistributionInvalid');

  const unspent = new Map(input.comuni.map((comune) => [comune.comuneId, Math.max(0, comune.allocatedHours - comune.usedHours)]));
  const poolHours = [...unspent.values()].reduce((acc, hours) => acc + hours, 0);
  const recipients = input.comuni
    .filter((comune) => unspent.get(comune.comuneId) === 0 && comune.usedHours > 0 && comune.needHours > comune.usedHours)
    .map((comune) => ({ id: comune.comuneId, weight: BigInt(comune.usedHours), cap: comune.needHours - comune.usedHours }));

  const received = new Map<string, number>();
  let rest = recipients;
  let remaining = BigInt(poolHours);
  for (;;) {
    const weight = rest.reduce((acc, recipient) => acc + recipient.weight, 0n);
    if (rest.length === 0 || remaining === 0n) break;
    const budget = remaining;
    // share = budget × weight / total ≥ cap: this comune is capped.
    const capped = rest.filter((recipient) => budget * recipient.weight >= BigInt(recipient.cap) * weight);
    if (capped.length === 0) break;
    for (const recipient of capped) received.set(recipient.id, recipient.cap);
    remaining -= BigInt(capped.reduce((acc, recipient) => acc + recipient.cap, 0));
    rest = rest.filter((recipient) => !received.has(recipient.id));
  }
  // Uncapped shares are below their caps, so rounding one up never passes a cap.
  const shared = rest.length === 0 ? new Map<string, number>() : apportion(Number(remaining), rest);
  for (const [id, hours] of shared) received.set(id, hours);
  const unassignedHours = rest.length === 0 ? Number(remaining) : 0;

  return {
    poolHours,
    unassignedHours,
    shares: input.comuni.map((comune) => {
      const given = unspent.get(comune.comuneId) ?? 0;
      const got = received.get(comune.comuneId) ?? 0;
      return {
        comuneId: comune.comuneId,
        allocatedHours: comune.allocatedHours,
        usedHours: comune.usedHours,
        unspentHours: given,
        receivedHours: got,
        finalHours: comune.allocatedHours - given + got,
      };
    }),
  };
}
