import { z } from 'zod';
import { RuleViolation } from '../errors.ts';
import { checkIseeValidity, findIseeBand, type IseeValidity } from './isee.ts';
import { parseWithRule, type FieldErrors } from './validation.ts';

/** Art. 5 criteria, in the article's order. */
export const CRITERIA = ['autonomy', 'family', 'network', 'stress', 'housing', 'economic'] as const;
export type Criterion = (typeof CRITERIA)[number];

/** The criteria a social worker scores; `economic` always comes from the ISEE. */
export const SCORED_CRITERIA = ['autonomy', 'family', 'network', 'stress', 'housing'] as const;
export type ScoredCriterion = (typeof SCORED_CRITERIA)[number];

/** Art. 5 weights: each criterion's maximum; they add up to 100. */
export const CRITERION_MAXIMA: Readonly<Record<Criterion, number>> = {
  autonomy: 40,
  family: 15,
  network: 5,
  stress: 15,
  housing: 5,
  economic: 20,
};

/** One indicator of art. 6 as the social worker fills it: a level from 0 to `maxLevel`. */
export interface ItemScale {
  id: string;
  /** Art. 6 numbering of the indicator, as printed in the regulation. */
  indicator: string;
  maxLevel: number;
  /** Points per level; maxLevel × pointsPerLevel summed over a criterion's items = its maximum. */
  pointsPerLevel: number;
}

const dependency = (id: string, indicator: string): ItemScale => ({ id, indicator, maxLevel: 4, pointsPerLevel: 1 });

/**
 * The per-item scales that replace the missing annex 1 (see docs/regulation-rules.md for what
 * each level means). Higher level = more need, like the points. Autonomy: ten items on a 0–4
 * dependency scale = 40. Family: "no family" yes/no worth 3, three resource items 0–4 = 15.
 * Network: services used 0–5 = 5. Stress: 0–5 × 3 = 15. Housing: condition 0–3 + barriers 0–2 = 5.
 */
export const ITEM_SCALES: Readonly<Record<ScoredCriterion, readonly ItemScale[]>> = {
  autonomy: [
    dependency('personalHygiene', '1.1'),
    dependency('dressingAndFeeding', '1.2'),
    dependency('mobility', '1.3'),
    dependency('continence', '1.4'),
    dependency('protectiveSupervision', '1.5'),
    dependency('takingMedicines', '1.6'),
    dependency('cleaningTheHome', '1.7'),
    dependency('preparingMeals', '1.8'),
    dependency('cleaningClothes', '1.9'),
    dependency('shopping', '1.10'),
  ],
  family: [
    { id: 'noFamily', indicator: '3.1', maxLevel: 1, pointsPerLevel: 3 },
    { id: 'resourcesInsideHousehold', indicator: '3.2', maxLevel: 4, pointsPerLevel: 1 },
    { id: 'resourcesOutsideHousehold', indicator: '3.3', maxLevel: 4, pointsPerLevel: 1 },
    { id: 'interventionNetwork', indicator: '3.4', maxLevel: 4, pointsPerLevel: 1 },
  ],
  network: [{ id: 'servicesUsed', indicator: '4.2', maxLevel: 5, pointsPerLevel: 1 }],
  stress: [{ id: 'familyUnderStress', indicator: '5.2', maxLevel: 5, pointsPerLevel: 3 }],
  housing: [
    { id: 'homeCondition', indicator: '6.1', maxLevel: 3, pointsPerLevel: 1 },
    { id: 'architecturalBarriers', indicator: '6.2', maxLevel: 2, pointsPerLevel: 1 },
  ],
};

/** Points a criterion gets from its item levels (already validated against ITEM_SCALES). */
export function pointsFromItems(criterion: ScoredCriterion, levels: readonly number[]): number {
  return ITEM_SCALES[criterion].reduce((sum, scale, index) => sum + (levels[index] ?? 0) * scale.pointsPerLevel, 0);
}

const points = (criterion: Criterion) => z.number().int().min(0).max(CRITERION_MAXIMA[criterion]);

function itemLevels(criterion: ScoredCriterion) {
  const [first, ...rest] = ITEM_SCALES[criterion].map((scale) => z.number().int().min(0).max(scale.maxLevel));
  if (first === undefined) throw new Error(`no items for ${criterion}`);
  return z.tuple([first, ...rest]);
}

/**
 * Art. 5–6 input the staff API previews: points of the five scored criteria, the ISEE in euro
 * cents and, optionally, the item levels each criterion's points must come from.
 */
export const assessmentPreviewInput = z.strictObject({
  criteria: z.strictObject({
    autonomy: points('autonomy'),
    family: points('family'),
    network: points('network'),
    stress: points('stress'),
    housing: points('housing'),
  }),
  iseeCents: z.number().int().min(0),
  items: z
    .strictObject({
      autonomy: itemLevels('autonomy').optional(),
      family: itemLevels('family').optional(),
      network: itemLevels('network').optional(),
      stress: itemLevels('stress').optional(),
      housing: itemLevels('housing').optional(),
    })
    .optional(),
});
export type AssessmentPreviewInput = z.infer<typeof assessmentPreviewInput>;

/** A special social situation (art. 5): recorded beside the score, never changing a criterion. */
export const specialSituationNote = z.strictObject({
  reason: z.string().trim().min(1),
  author: z.string().trim().min(1),
});
export type SpecialSituationNote = z.infer<typeof specialSituationNote>;

/** The full assessment a social worker records: the preview input, the ISEE's year and an optional note. */
export const assessmentInput = assessmentPreviewInput.extend({
  iseeYear: z.number().int().min(1990),
  specialSituation: specialSituationNote.optional(),
});
export type AssessmentInput = z.infer<typeof assessmentInput>;

/** The band used in a breakdown: id, bounds in cents (null = no upper bound) and points. */
export interface IseeBandUsed {
  id: string;
  minCents: number;
  maxCents: number | null;
  points: number;
}

/** The answer to a preview: each criterion's points, the ISEE band used and the total. */
export interface AssessmentBreakdown {
  criteria: Record<Criterion, number>;
  total: number;
  iseeBand: IseeBandUsed;
}

export const assessmentBreakdownOutput = z.object({
  criteria: z.object({
    autonomy: z.number().int(),
    family: z.number().int(),
    network: z.number().int(),
    stress: z.number().int(),
    housing: z.number().int(),
    economic: z.number().int(),
  }),
  total: z.number().int(),
  iseeBand: z.object({ id: z.string(), minCents: z.number().int(), maxCents: z.number().int().nullable(), points: z.number().int() }),
});

export interface ScoredAssessment extends AssessmentBreakdown {
  isee: IseeValidity;
  /** The ISEE has expired: the score stands but the application must be rescored with a new one. */
  rescoreRequired: boolean;
  specialSituation: SpecialSituationNote | null;
  /** The item levels the points came from, when given. */
  items: Partial<Record<ScoredCriterion, number[]>>;
}

// A criterion above its art. 5 maximum names art. 5; every other problem is art. 6.
const ruleOfIssues = (issues: readonly { code: string; path: readonly PropertyKey[] }[]): string =>
  issues.some((issue) => issue.code === 'too_big' && issue.path.length === 2 && issue.path[0] === 'criteria') ? 'art. 5' : 'art. 6';

function breakDown(input: AssessmentPreviewInput): AssessmentBreakdown {
  const mismatches: FieldErrors = {};
  for (const criterion of SCORED_CRITERIA) {
    const levels = input.items?.[criterion];
    if (levels === undefined) continue;
    const fromItems = pointsFromItems(criterion, levels);
    const given = input.criteria[criterion];
    if (fromItems !== given) {
      mismatches[`criteria.${criterion}`] = { key: 'rules:pointsDoNotMatchItems', params: { given, fromItems } };
    }
  }
  if (Object.keys(mismatches).length > 0) throw new RuleViolation('art. 6', { key: 'rules:assessmentInvalid' }, mismatches);

  const band = findIseeBand(input.iseeCents);
  const criteria: Record<Criterion, number> = { ...input.criteria, economic: band.points };
  const total = CRITERIA.reduce((sum, criterion) => sum + criteria[criterion], 0);
  return { criteria, total, iseeBand: { id: band.id, minCents: band.minCents, maxCents: band.maxCents, points: band.points } };
}

/**
 * Art. 5–6: validates an assessment and explains its score. Points must be whole numbers within
 * each criterion's maximum (art. 5) and, where item levels are given, equal to the points
 * derived from them (art. 6); nothing is ever clamped. Throws RuleViolation with per-field messages.
 */
export function previewAssessment(raw: unknown): AssessmentBreakdown {
  return breakDown(parseWithRule(assessmentPreviewInput, raw, ruleOfIssues, 'rules:assessmentInvalid'));
}

/**
 * Art. 4–6: scores a recorded assessment on `today`: the breakdown, the ISEE's validity
 * (an expired one flags `rescoreRequired`) and the special-situation note kept beside it.
 */
export function scoreAssessment(raw: unknown, today: string): ScoredAssessment {
  const input = parseWithRule(assessmentInput, raw, ruleOfIssues, 'rules:assessmentInvalid');
  const breakdown = breakDown(input);
  const isee = checkIseeValidity(input.iseeYear, today);
  const items: Partial<Record<ScoredCriterion, number[]>> = {};
  for (const criterion of SCORED_CRITERIA) {
    const levels = input.items?.[criterion];
    if (levels !== undefined) items[criterion] = [...levels];
  }
  return { ...breakdown, isee, rescoreRequired: isee.expired, specialSituation: input.specialSituation ?? null, items };
}
