/**
 * Console pages for the person file, programmes (with the printable care contract) and the
 * provider view (issue #7). Pages are shells that /static/console-people.js fills from the JSON
 * API, so every read of a file goes through the API's own scope checks and audit. The pages
 * that name a record check its scope here too, so that a record outside the caller's comuni
 * answers a not-found page (404, audited) and never a shell.
 */
import { Hono, type Context } from 'hono';
import { DomainError } from '../../core/errors.ts';
import { romeDate } from '../../core/regulation/calendar.ts';
import { recordAudit } from '../../db/audit.ts';
import { loadCareContract } from '../../db/console-people.ts';
import { listComuni } from '../../db/comuni.ts';
import type { StaffIdentity } from '../../db/staff.ts';
import type { Locale } from '../../locales/index.ts';
import type { AppDeps, AppEnv } from '../context.ts';
import { loadPersonInScope, loadProgrammeInScope } from '../scope.ts';
import { renderCareContract } from '../web/console/care-contract.ts';
import { renderNotFound, renderPeople, renderPerson, type ComuneOption } from '../web/console/people.ts';
import { renderProgramme, renderProgrammeNew, renderProgrammes } from '../web/console/programme-pages.ts';
import { renderProvider, renderProviderStatement } from '../web/console/provider-pages.ts';
import { consolePageKit } from './console.ts';

const PEOPLE_ROLES = ['admin', 'social_worker', 'operator'] as const;
const PROGRAMME_ROLES = ['admin', 'social_worker'] as const;
const PROVIDER_ROLES = ['provider'] as const;

export function consolePeopleRoutes(deps: AppDeps) {
  const kit = consolePageKit(deps);
  const { db } = deps.database;

  /** The comuni the staff member serves (admin: all), for selects and for names in lists. */
  async function comuniFor(staff: StaffIdentity): Promise<{ mine: ComuneOption[]; names: Record<string, string> }> {
    const all = await listComuni(db);
    const names = Object.fromEntries(all.map((c) => [c.id, c.name]));
    const mine = all.filter((c) => staff.role === 'admin' || staff.comuni.includes(c.id)).map((c) => ({ id: c.id, name: c.name }));
    return { mine, names };
  }

  /**
   * Runs the API's scope check for a record named in the URL. The shared scope helpers read the
   * staff member from the request context, which page routes do not set, so it is set here.
   * A refusal is audited by the helper; the page then shows "not found" with status 404.
   */
  async function inScope<T>(c: Context<AppEnv>, staff: StaffIdentity, check: () => Promise<T>): Promise<T | undefined> {
    c.set('staff', staff);
    try {
      return await check();
    } catch (err) {
      if (err instanceof DomainError && err.code === 'NOT_FOUND') return undefined;
      throw err;
    }
  }

  /** A provider's resources (the console session does not carry them; see db/console-people.ts). */
  const resourcesOf = async (staff: StaffIdentity) => staff.resources;

  const notFoundPage = (c: Context<AppEnv>, staff: StaffIdentity, locale: Locale) => c.html(renderNotFound(deps.i18n, locale, staff), 404);

  return new Hono<AppEnv>()
    .get('/staff/people', async (c) => {
      const page = await kit.pageFor(c, PEOPLE_ROLES);
      if (page instanceof Response) return page;
      const { mine, names } = await comuniFor(page.staff);
      return c.html(renderPeople(deps.i18n, page.locale, page.staff, mine, names));
    })
    .get('/staff/people/:id', async (c) => {
      const page = await kit.pageFor(c, PEOPLE_ROLES);
      if (page instanceof Response) return page;
      const id = c.req.param('id');
      // Scope only (no read audit here): the file itself is read, and audited, by the API.
      const person = await inScope(c, page.staff, () => loadPersonInScope(deps, c, id));
      if (!person) return notFoundPage(c, page.staff, page.locale);
      const { mine, names } = await comuniFor(page.staff);
      return c.html(renderPerson(deps.i18n, page.locale, page.staff, person.id, names, mine));
    })
    .get('/staff/programmes', async (c) => {
      const page = await kit.pageFor(c, PROGRAMME_ROLES);
      if (page instanceof Response) return page;
      const { mine, names } = await comuniFor(page.staff);
      return c.html(renderProgrammes(deps.i18n, page.locale, page.staff, mine, names));
    })
    .get('/staff/programmes/new', async (c) => {
      const page = await kit.pageFor(c, PROGRAMME_ROLES);
      if (page instanceof Response) return page;
      const personId = c.req.query('personId') ?? '';
      const person = await inScope(c, page.staff, () => loadPersonInScope(deps, c, personId));
      if (!person || !person.comuneId) return notFoundPage(c, page.staff, page.locale);
      const renewId = c.req.query('renew');
      let renew: string | null = null;
      if (renewId !== undefined) {
        const programme = await inScope(c, page.staff, () => loadProgrammeInScope(deps, c, renewId));
        if (!programme || programme.personId !== person.id) return notFoundPage(c, page.staff, page.locale);
        renew = programme.id;
      }
      const { names } = await comuniFor(page.staff);
      return c.html(renderProgrammeNew(deps.i18n, page.locale, page.staff, { personId: person.id, comuneId: person.comuneId, renew, today: romeDate(deps.now()), comuneNames: names }));
    })
    .get('/staff/programmes/:id', async (c) => {
      const page = await kit.pageFor(c, PROGRAMME_ROLES);
      if (page instanceof Response) return page;
      const programme = await inScope(c, page.staff, () => loadProgrammeInScope(deps, c, c.req.param('id')));
      if (!programme) return notFoundPage(c, page.staff, page.locale);
      const { names } = await comuniFor(page.staff);
      return c.html(renderProgramme(deps.i18n, page.locale, page.staff, programme.id, names));
    })
    .get('/staff/programmes/:id/contract', async (c) => {
      const page = await kit.pageFor(c, PROGRAMME_ROLES);
      if (page instanceof Response) return page;
      const scoped = await inScope(c, page.staff, () => loadProgrammeInScope(deps, c, c.req.param('id')));
      const data = scoped ? await loadCareContract(db, scoped.id) : undefined;
      if (!scoped || !data) return notFoundPage(c, page.staff, page.locale);
      // The contract shows the person's details: a read of their file.
      await recordAudit(db, { actorType: 'staff', actorId: page.staff.id, action: 'person.read', subjectType: 'person', subjectId: scoped.personId, comuneId: scoped.comuneId, reason: `care contract ${scoped.id}`, requestId: c.get('requestId') });
      return c.html(renderCareContract(deps.i18n, page.locale, data, romeDate(deps.now())));
    })
    .get('/staff/provider', async (c) => {
      const page = await kit.pageFor(c, PROVIDER_ROLES);
      if (page instanceof Response) return page;
      const { names } = await comuniFor(page.staff);
      return c.html(renderProvider(deps.i18n, page.locale, page.staff, { week: c.req.query('week') ?? '', today: romeDate(deps.now()), comuni: names, resources: await resourcesOf(page.staff) }));
    })
    .get('/staff/provider/statement', async (c) => {
      const page = await kit.pageFor(c, PROVIDER_ROLES);
      if (page instanceof Response) return page;
      const { names } = await comuniFor(page.staff);
      const today = romeDate(deps.now());
      const requested = c.req.query('month') ?? '';
      const month = /^\d{4}-(0[1-9]|1[0-2])$/.test(requested) ? requested : today.slice(0, 7);
      return c.html(renderProviderStatement(deps.i18n, page.locale, page.staff, { month, comuni: names, resources: await resourcesOf(page.staff) }));
    });
}
