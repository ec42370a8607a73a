/**
 * *Un buono per amico* (issue #9): a comune may let voucher hours be redeemed with volunteer
 * associations for the services it chooses. The hours come out of the same programme ledger as
 * any other redemption (art. 11 still holds: whole hours, never below zero), so this file only
 * decides whether the volunteer may redeem at all. Pure: no I/O.
 */
import { DomainError, RuleViolation, type MessageRef } from '../errors.ts';
import type { LightResource } from './light-services.ts';

/** The rule named in a refusal: the comune's *Un buono per amico* choice of services. */
export const VOLUNTEER_VOUCHER_RULE = 'un buono per amico';

export interface VolunteerRedemptionCheck {
  hours: unknown;
  /** The service delivered, as sent (compared in capitals). */
  service: string;
  resource: LightResource;
  comuneId: string;
  /** comune_settings.volunteer_voucher_services */
  allowedServices: readonly string[];
  /** The programme's services: a voucher pays only for services of its programme (art. 11). */
  programmeServices: readonly string[];
}

const upper = (s: string) => s.trim().toUpperCase();

/** Whether the comune lets volunteer associations redeem vouchers for `service`. */
export function isVolunteerVoucherService(allowedServices: readonly string[], service: string): boolean {
  return allowedServices.some((s) => upper(s) === upper(service));
}

/**
 * Checks a volunteer redemption before the ledger is touched. In order:
 * hours not whole (or < 1) → RuleViolation art. 11 (400);
 * the resource is not an active volunteer association serving the comune and offering the
 * service → NOT_ELIGIBLE (422) on `resourceId`;
 * the comune does not allow the service with volunteers → NOT_ELIGIBLE (422) rule "un buono per amico";
 * the service is not one of the programme's → NOT_ELIGIBLE (422) rule "art. 11".
 * Returns the service code in capitals.
 */
export function checkVolunteerRedemption(input: VolunteerRedemptionCheck): string {
  if (typeof input.hours !== 'number' || !Number.isSafeInteger(input.hours) || input.hours < 1) {
    throw new RuleViolation('art. 11', { key: 'rules:wholeHoursOnly' }, { hours: { key: 'rules:wholeHoursOnly' } });
  }
  const service = upper(input.service);
  const r = input.resource;
  let resourceProblem: MessageRef | null = null;
  if (r.kind !== 'volunteer_association') resourceProblem = { key: 'community:error.notVolunteerAssociation' };
  else if (!r.active) resourceProblem = { key: 'community:error.resourceInactive' };
  else if (!r.comuni.includes(input.comuneId)) resourceProblem = { key: 'community:error.resourceNotServingComune' };
  else if (!r.services.some((s) => upper(s) === service)) resourceProblem = { key: 'community:error.resourceNotOfferingService', params: { code: service } };
  if (resourceProblem) {
    throw new DomainError('NOT_ELIGIBLE', resourceProblem, { rule: VOLUNTEER_VOUCHER_RULE, fields: { resourceId: resourceProblem } });
  }
  if (!isVolunteerVoucherService(input.allowedServices, service)) {
    const ref = { key: 'community:error.serviceNotAllowedWithVolunteers', params: { code: service } };
    throw new DomainError('NOT_ELIGIBLE', ref, { rule: VOLUNTEER_VOUCHER_RULE, fields: { service: ref } });
  }
  if (!input.programmeServices.some((s) => upper(s) === service)) {
    const ref = { key: 'community:error.serviceNotInProgramme', params: { code: service } };
    throw new DomainError('NOT_ELIGIBLE', ref, { rule: 'art. 11', fields: { service: ref } });
  }
  return service;
}
