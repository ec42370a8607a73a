/**
 * Light on-demand services (issue #9): the small, temporary help that volunteer associations and
 * occasional helpers can take on beside the accredited providers — accompaniment, shopping,
 * errands, company. Pure: no I/O.
 *
 * Which services count as light (a reading the issue leaves to us):
 * - art. 7 code 8A "accompaniment (shopping, errands)", or a chat request that named only
 *   family 8 (the chat leaves the code out when it cannot tell);
 * - COMPAGNIA ("company"), which art. 7 lacks: a comune that wants it adds it as an extra
 *   service with that code, and resources can then offer it.
 * Personal care (families 1–7) is never light: it stays with accredited providers.
 */
/** Resource kinds, as db/schema.ts RESOURCE_KINDS (core does not import db/). */
export type ResourceKind = 'accredited_provider' | 'volunteer_association' | 'occasional_helper' | 'family_assistant';

export const LIGHT_SERVICE_CODES = ['8A', 'COMPAGNIA'] as const;
/** Resource kinds that may take light requests (providers already have the programmes). */
export const LIGHT_RESOURCE_KINDS: readonly ResourceKind[] = ['volunteer_association', 'occasional_helper'];

const LIGHT = new Set<string>(LIGHT_SERVICE_CODES);
/** Art. 7 family 8 holds 8A only, so a family-only request means 8A. */
const FAMILY_DEFAULT: Record<string, string> = { '8': '8A' };

/**
 * The service code a request stands for: its code in capitals, or the family's only light code
 * when the chat recorded just the family ("8"). Null when nothing usable was recorded.
 */
export function requestServiceCode(request: { service: string | null; family: string | null }): string | null {
  const service = request.service?.trim().toUpperCase() ?? '';
  if (service !== '' && FAMILY_DEFAULT[service] === undefined) return service;
  const family = (service !== '' ? service : request.family?.trim()) ?? '';
  return FAMILY_DEFAULT[family] ?? null;
}

/** Whether a service code is a light one. */
export function isLightService(code: string | null | undefined): boolean {
  return typeof code === 'string' && LIGHT.has(code.trim().toUpperCase());
}

/** Whether a help request may go to a volunteer or helper: on demand, a light service, still open. */
export function isOpenLightRequest(request: { kind: string; status: string; service: string | null; family: string | null; resourceId: string | null }): boolean {
  return request.kind === 'on_demand' && request.status === 'new' && request.resourceId === null && isLightService(requestServiceCode(request));
}

export interface LightResource {
  kind: ResourceKind;
  active: boolean;
  services: readonly string[];
  comuni: readonly string[];
}

/** Why a resource cannot take a request, in the order staff should fix it; null when it can. */
export type TakeRefusal = 'not_light' | 'kind' | 'inactive' | 'comune' | 'service';

/**
 * Whether `resource` may take a light request for `service` in `comuneId`: the service must be
 * light, the resource a volunteer association or occasional helper, active, serving the comune
 * and offering the service (codes compared in capitals).
 */
export function checkResourceCanTake(resource: LightResource, request: { comuneId: string | null; service: string | null }): TakeRefusal | null {
  if (!isLightService(request.service)) return 'not_light';
  if (!LIGHT_RESOURCE_KINDS.includes(resource.kind)) return 'kind';
  if (!resource.active) return 'inactive';
  if (request.comuneId === null || !resource.comuni.includes(request.comuneId)) return 'comune';
  const code = request.service!.trim().toUpperCase();
  if (!resource.services.some((s) => s.trim().toUpperCase() === code)) return 'service';
  return null;
}
