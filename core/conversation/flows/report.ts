/**
 * Segnalazione (art. 4, ex officio): a portiere, custode or neighbour reports someone in need.
 * One question per message; immediate risk gets "call 112" first and an urgent alert, then the
 * report goes on. The reporter gets a reference and may later ask its status, nothing else.
 */
import { ask, intentOnly, plain, readYesNo, ref, say, toMenu, type Choice, type FlowCtx, type FlowInput } from '../kit.ts';
import type { EngineState, FlowValue, TurnContext, TurnResult, Understood } from '../types.ts';
import { comuneChoices, pickComune } from './help.ts';

type Data = Record<string, FlowValue>;

const ROLES = ['portiere', 'custode', 'neighbour', 'relative', 'other'] as const;
export const PROBLEMS = ['not_seen', 'confused', 'not_eating', 'home_neglected', 'needs_help', 'other'] as const;

const ROLE_WORDS: [RegExp, (typeof ROLES)[number]][] = [
  [/portier|portinai|porter|concierge/, 'portiere'],
  [/custode|caretaker/, 'custode'],
  [/vicin|neighbo/, 'neighbour'],
  [/figli|nipot|parent|fratell|sorell|relative|famil/, 'relative'],
];

const PROBLEM_WORDS: [RegExp, (typeof PROBLEMS)[number]][] = [
  [/posta|non (si )?vede|non esce|non apre|not (been )?seen|mail|\bpost\b|(not|never) (go|goes|gone|going) out|not open/, 'not_seen'],
  [/confus|non ricord|smarrit|confused/, 'confused'],
  [/mangia|cibo|magr|spesa|eat|food|shopping/, 'not_eating'],
  [/sporc|odore|puzz|rifiut|disordin|dirty|smell/, 'home_neglected'],
  // Living alone is asked on its own (askAlone): "sola" here made "vorrei solo segnalare" a need.
  [/aiut|bisogno|non ce la fa|help|cope/, 'needs_help'],
];

/** Every problem a text names, in the order of the choices; "other" when it names none. */
export function problemsNamedIn(text: string): (typeof PROBLEMS)[number][] {
  const t = plain(text);
  const named = PROBLEMS.filter((p) => PROBLEM_WORDS.some(([re, q]) => q === p && re.test(t)));
  return named.length > 0 ? named : ['other'];
}

/** A first message that tells the story ("la signora del terzo piano non esce più…"), not only "voglio segnalare". */
const TELLS_A_STORY = (text: string) => text.trim().split(/\s+/).length >= 8;

/** "Vive sola", "abita da solo": the answer to "does the person live alone?", told unasked. */
const LIVES_ALONE = /\b(vive|abita|sta|vivono) (da )?sol[oa]\b|\blives (on her own|on his own|alone)\b/;

const triple = (): Choice[] => [
  { action: 'yes', label: ref('chat:common.yes') },
  { action: 'no', label: ref('chat:common.no') },
  { action: 'unknown', label: ref('chat:common.dontKnow') },
];

/** The writer saying who they are ("sono il portiere", "faccio la custode"): not someone else they mention. */
const SELF_ROLE = /\b(sono|faccio) (il |la |lo |l |un |una )?(portier\w*|portinai\w*|custode|vicin[oa]|figli[oa]|nipote)\b|\bi am (the |a )?(porter|concierge|caretaker|neighbou?r)\b/;

export function startReport(state: EngineState, understood: Understood, text = ''): TurnResult {
  const said = SELF_ROLE.exec(plain(text))?.[0];
  const role = said ? ROLE_WORDS.find(([re]) => re.test(said))?.[1] : undefined;
  // The first message's own words go to the social worker with the report (and may name the comune).
  const data: Data = TELLS_A_STORY(text) ? { opening: text.trim().slice(0, 1000) } : {};
  if (role) return ask(state, { name: 'report', step: 'reporter_name', data: { ...data, role } }, understood, ref('chat:report.askReporterName'), [], [say('chat:report.intro')]);
  return ask(state, { name: 'report', step: 'role', data }, understood, ref('chat:report.askRole'), ROLES.map((r) => ({ action: r, label: ref(`chat:report.role.${r}`) })), [say('chat:report.intro')]);
}

/** A name has letters: a phone number or "?" given for a name is asked again. */
function nameIn(input: FlowInput): string | undefined {
  const name = freeText(input, 2, 100);
  return name && /\p{L}.*\p{L}/u.test(name) ? name : undefined;
}

/**
 * The person's name as a first message gives it, after a title: "la signora Maria Rossi", "il
 * signor Bianchi", "la sig.ra Anna Verdi", "Mrs Ferri". Capitalised words only, so "la signora
 * del terzo piano" names nobody.
 */
const TITLED_NAME = /(?:\b[Ll]a\s+[Ss]ig(?:nora|\.\s?ra|ra)|\b[Ii]l\s+[Ss]ig(?:nore|nor|\.)|\b(?:Mrs|Mr|Ms|Miss)\.?)\s+((?:\p{Lu}[\p{L}'’]*\s+){0,3}\p{Lu}[\p{L}'’]+)/u;
export function titledNameIn(text: string): string | undefined {
  return TITLED_NAME.exec(text)?.[1]?.trim();
}

/**
 * A street and number a first message gives ("sono il portiere di via Roma 12"); the street's name
 * is capitalised, so "la via è lunga 3 km" is none.
 */
const STREET = /\b((?:[Vv]ia|[Vv]iale|[Pp]iazza|[Pp]iazzale|[Cc]orso|[Ll]argo|[Vv]icolo|[Ss]trada|[Ll]ocalità)\s+(?:(?:de[il]|della|delle|degli|dello|d[ai]|[Ss]an|[Ss]anta)\s+)?\p{Lu}[^,.;:!?\n\d]{0,60}?\s\d{1,4}(?:\s?[a-zA-Z](?!\p{L}))?(?:\/\w{1,3})?(?:,?\s+scala\s+[a-zA-Z0-9]{1,2}(?![\p{L}\d]))?)/u;
export function streetIn(text: string): string | undefined {
  return STREET.exec(text)?.[1]?.trim();
}

/** What the first message already said, offered as a one-tap answer to the question it answers. */
function saidChoice(found: string | undefined): Choice[] {
  return found ? [{ action: 'said', label: ref('chat:common.plainText', { text: found }) }] : [];
}
const openingOf = (data: Data) => (typeof data.opening === 'string' ? data.opening : '');

/** The one comune a text names, if it names exactly one. */
function onlyComuneNamedIn(fc: FlowCtx, text: string): string | undefined {
  const t = plain(text);
  const named = fc.data.comuni.filter((c) => t.includes(plain(c.name)));
  return named.length === 1 ? named[0]!.id : undefined;
}

function tri(input: FlowInput): boolean | null | undefined {
  const a = input.kind === 'option' ? input.action : readYesNo(input.text);
  return a === 'yes' ? true : a === 'no' ? false : a === 'unknown' ? null : undefined;
}

function freeText(input: FlowInput, min = 2, max = 200): string | undefined {
  if (input.kind !== 'text') return undefined;
  const t = input.text.trim();
  return t.length >= min ? t.slice(0, max) : undefined;
}

export function reportStep(fc: FlowCtx, input: FlowInput): TurnResult | undefined {
  const { state, flow, ctx } = fc;
  const data: Data = { ...flow.data };
  const understood = intentOnly('report_person');
  const go = (step: string, question: string, choices: Choice[] = [], preface: ReturnType<typeof say>[] = [], effects: TurnResult['effects'] = []) =>
    ask(state, { name: 'report', step, data }, understood, ref(question), choices, preface, effects);
  // The problem the first message told ("non esce da giorni") is not asked again: the recap shows it.
  const toProblem = () => {
    const told = problemsNamedIn(openingOf(data));
    if (told[0] === 'other') return go('problem', 'chat:report.askProblem', problemChoices());
    data.problems = told;
    data.details = openingOf(data);
    return go('details', 'chat:report.askDetails', [{ action: 'skip', label: ref('chat:report.nothingToAdd') }]);
  };
  // "Ha 80 anni, vive sola" already answered whether she lives alone.
  const afterDetails = () => {
    if (LIVES_ALONE.test(plain(`${openingOf(data)} ${typeof data.details === 'string' ? data.details : ''}`))) {
      data.livesAlone = true;
      return go('aware', 'chat:report.askAware', triple());
    }
    return go('alone', 'chat:report.askAlone', triple());
  };
  const recap = (preface: ReturnType<typeof say>[] = []) => {
    const comune = fc.data.comuni.find((c) => c.id === data.comuneId)?.name ?? String(data.comuneId);
    const problems = (data.problems as string[]).map((p) => ref(`chat:report.problem.${p}`));
    const listed = problems.slice(1).reduce((list, next) => ref('chat:report.problemList', { list, next }), problems[0]!);
    const question = ref(problems.length > 1 ? 'chat:report.confirmMany' : 'chat:report.confirm', { name: String(data.subjectName), address: String(data.address), comune, problem: listed });
    return ask(state, { name: 'report', step: 'confirm', data }, understood, question, yesNo(), preface);
  };
  switch (flow.step) {
    case 'role': {
      const t = input.kind === 'text' ? plain(input.text) : '';
      const role = input.kind === 'option' ? ROLES.find((r) => r === input.action) : ROLE_WORDS.find(([re]) => re.test(t))?.[1] ?? (t.length >= 3 ? 'other' : undefined);
      if (!role) return undefined;
      data.role = role;
      return go('reporter_name', 'chat:report.askReporterName');
    }
    case 'reporter_name': {
      const name = nameIn(input);
      if (!name) return undefined;
      data.reporterName = name;
      return go('subject_name', 'chat:report.askSubjectName', saidChoice(titledNameIn(openingOf(data))));
    }
    case 'subject_name': {
      const name = input.kind === 'option' && input.action === 'said' ? titledNameIn(openingOf(data)) : nameIn(input);
      if (!name) return undefined;
      data.subjectName = name;
      return go('address', 'chat:report.askAddress', saidChoice(streetIn(openingOf(data))));
    }
    case 'address': {
      const address = input.kind === 'option' && input.action === 'said' ? streetIn(openingOf(data)) : freeText(input, 3, 200);
      if (!address) return undefined;
      data.address = address;
      // The address names the comune, or else the first message did ("sono il portiere di via Roma 12
      // ad Abbiategrasso"); the recap shows it before anything is sent.
      const comune =
        pickComune(fc.data, { kind: 'text', text: address, understanding: { intent: 'unknown', confidence: 0 } }) ??
        (typeof data.opening === 'string' ? onlyComuneNamedIn(fc, data.opening) : undefined);
      if (comune) {
        data.comuneId = comune;
        return toProblem();
      }
      return go('comune', 'chat:report.askComune', comuneChoices(fc.data));
    }
    case 'comune': {
      const comune = pickComune(fc.data, input);
      if (!comune) return undefined;
      data.comuneId = comune;
      return toProblem();
    }
    case 'problem': {
      if (input.kind === 'option') {
        const problem = PROBLEMS.find((p) => p === input.action);
        if (!problem) return undefined;
        data.problems = [problem];
      } else {
        if (plain(input.text).length < 3) return undefined;
        // "non esce più e non fa la spesa": both problems, as the reporter told them.
        data.problems = problemsNamedIn(input.text);
      }
      const told = input.kind === 'text' ? input.text.trim().slice(0, 1000) : undefined;
      const details = [data.opening, told].filter((d): d is string => typeof d === 'string' && d !== '');
      if (details.length > 0) data.details = details.join(' — ');
      return go('details', 'chat:report.askDetails', [{ action: 'skip', label: ref('chat:report.nothingToAdd') }]);
    }
    case 'details': {
      if (input.kind === 'text') {
        const extra = input.text.trim().slice(0, 1000);
        if (!/^(no|niente|nulla|no grazie|nothing|none|nope)[.!]?$/.test(plain(extra))) {
          data.details = [data.details, extra].filter(Boolean).join(' — ').slice(0, 2000);
          // "e non fa neanche la spesa": a problem told here joins the ones already known.
          const known = (data.problems as string[] | undefined) ?? [];
          const added: string[] = problemsNamedIn(extra).filter((p) => p !== 'other');
          if (added.length > 0) data.problems = PROBLEMS.filter((p) => (known.includes(p) && p !== 'other') || added.includes(p));
        }
      } else if (input.action !== 'skip') return undefined;
      return afterDetails();
    }
    case 'alone': {
      const v = tri(input);
      if (v === undefined) return undefined;
      data.livesAlone = v;
      return go('aware', 'chat:report.askAware', triple());
    }
    case 'aware': {
      const v = tri(input);
      if (v === undefined) return undefined;
      data.aware = v;
      return go('risk', 'chat:report.askRisk', [
        { action: 'yes', label: ref('chat:report.riskYes') },
        { action: 'no', label: ref('chat:report.riskNo') },
      ]);
    }
    case 'risk': {
      const v = tri(input);
      if (v === undefined || v === null) return undefined;
      data.risk = v;
      if (v) {
        // Danger now: 112 first, the report recorded at once as immediate, an urgent alert to staff.
        const created = createSegnalazione(state, ctx, understood, data);
        return {
          ...created,
          replies: [say('chat:emergency.call112'), say('chat:emergency.alerted')],
          effects: [...created.effects, { kind: 'handover', urgent: true, reason: 'segnalazione_risk' }],
          finish: (results) => ({ replies: [say('chat:report.recorded', { reference: results.reference ?? '' })], state: { v: 1, menu: state.menu, step: 'menu' } }),
        };
      }
      return go('consent', 'chat:report.askConsent', yesNo());
    }
    case 'consent': {
      const v = tri(input);
      if (v === undefined || v === null) return undefined;
      data.consent = v;
      return recap();
    }
    case 'confirm': {
      const v = tri(input);
      if (v === false) return toMenu(state, ctx, [say('chat:common.cancelled')], understood);
      if (v === true) return createSegnalazione(state, ctx, understood, data);
      // "Aspetta, è al terzo piano scala B": one more detail before sending, not a new report.
      if (input.kind !== 'text' || !addsDetail(input)) return undefined;
      const extra = input.text.trim().slice(0, 1000);
      data.details = [data.details, extra].filter(Boolean).join(' — ').slice(0, 2000);
      return recap([say('chat:report.added', { text: extra.length > 80 ? `${extra.slice(0, 79)}…` : extra })]);
    }
  }
  return undefined;
}

/**
 * Text at the recap that adds to the report rather than asks for something else: anything but a
 * greeting and a clear other request ("quante ore ho?", "a che punto è S-1001?"), which the engine
 * answers instead.
 */
function addsDetail(input: Extract<FlowInput, { kind: 'text' }>): boolean {
  const { intent, confidence } = input.understanding;
  if (intent === 'greeting' || intent === 'emergency') return false;
  if (intent !== 'unknown' && intent !== 'report_person' && confidence >= 0.6) return false;
  return /\p{L}.*\p{L}/u.test(input.text);
}

function yesNo(): Choice[] {
  return [
    { action: 'yes', label: ref('chat:common.yes') },
    { action: 'no', label: ref('chat:common.no') },
  ];
}

function problemChoices(): Choice[] {
  return PROBLEMS.map((p) => ({ action: p, label: ref(`chat:report.problem.${p}`) }));
}

function createSegnalazione(state: EngineState, ctx: TurnContext, understood: Understood, data: Data): TurnResult {
  const risk = data.risk === true;
  const problems = (data.problems as string[] | undefined) ?? [];
  const urgency = risk ? 'immediate' : data.livesAlone === true && problems.some((p) => p === 'not_seen' || p === 'not_eating') ? 'high' : 'normal';
  return {
    state,
    replies: [],
    understood,
    effects: [
      {
        kind: 'create_segnalazione',
        reporterName: typeof data.reporterName === 'string' ? data.reporterName : null,
        reporterRole: String(data.role ?? 'other'),
        subjectName: String(data.subjectName),
        subjectAddress: String(data.address),
        comuneId: String(data.comuneId),
        problems,
        details: typeof data.details === 'string' ? data.details : null,
        livesAlone: typeof data.livesAlone === 'boolean' ? data.livesAlone : null,
        personAware: typeof data.aware === 'boolean' ? data.aware : null,
        immediateRisk: risk,
        consentToContact: typeof data.consent === 'boolean' ? data.consent : null,
        urgency,
      },
    ],
    finish: (results) => toMenu(state, ctx, [say('chat:report.recorded', { reference: results.reference ?? '' }), say('chat:report.next')], understood),
  };
}
