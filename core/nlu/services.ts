// Art. 7 service recogniser (pure): finds which service families/codes a message talks about.
// Each family has phrase patterns; the code within a family comes from nearby qualifiers that the
// regulation itself uses to tell codes apart — in bed vs in the bathroom (2A/2B, 2C/2D, 3A/3B),
// simple vs complex care (1A/1B, 4A/4B, 5A/5B, 5C/5D, 5E/5F), meal vs help eating (6A/6B),
// ordinary cleaning vs linen (7A/7B). With no qualifier the code is left out rather than guessed,
// except where the issue fixes a default (getting up → 1B, walking → 5B, putting to bed → 4B...).
import { matchesOf, tokenIndexAt } from './token-text.ts';
import type { ServiceMention } from './types.ts';

export interface FoundService extends ServiceMention {
  /** Token position of the mention, used to pick the one the person asks for. */
  at: number;
  rule: string;
}

interface ServiceRule {
  rule: string;
  family: string;
  pattern: RegExp;
  /** Chooses the code from the words around the mention and the whole message. */
  code: (near: string, whole: string) => string | undefined;
}

// Heavier care needs: two operators, a hoist, a bedridden or paralysed person.
const COMPLEX = /\b(sollevatore|due (persone|operatori)|non (e )?(piu )?autosufficient\w*|pesa (tanto|molto)|completamente|immobil\w*|paralizzat\w*|allettat\w*|bedridden|hoist|two people|paraly\w*)\b/;
const IN_BED = /\b(letto|allettat\w*|in bed|bedridden|spugnatur\w*)\b/;
const IN_BATHROOM = /\b((in|al|nel) bagno|bathroom|lavandino|sink)\b/;
const TUB = /\b(vasca|tub)\b/;
const NOT_A_PERSON = String.raw`(?! (i |il |la |le |lo |gli |the )?(pavimenti|pavimento|piatti|vetri|finestre|panni|vestiti|biancheria|casa|pentole|capelli|dishes|floors?|clothes|windows|machine|hair))`;

const always =
  (code: string) =>
  (): string =>
    code;
const complexOr =
  (complex: string, simple: string | undefined) =>
  (_near: string, whole: string): string | undefined =>
    COMPLEX.test(whole) ? complex : simple;

const RULES: readonly ServiceRule[] = [
  { rule: 'getting-up', family: '1', pattern: /\b(alzar\w*|rialzar\w*|alza|alzo|tirar(la|lo|mi) su|get(ting)? (up|out of bed)|out of bed)\b/g, code: complexOr('1A', '1B') },
  { rule: 'dressing', family: '1', pattern: /\b(vestir(e|si|mi|la|lo|ti|gli)|vest[ae]|dress(ed|ing)?)\b/g, code: complexOr('1A', undefined) },
  { rule: 'hair', family: '2', pattern: /\b(capelli|hair)\b/g, code: (near) => (IN_BED.test(near) ? '2C' : IN_BATHROOM.test(near) ? '2D' : undefined) },
  { rule: 'nails-feet', family: '2', pattern: /\b(unghi\w*|pedicure|nails|toenails|feet|foot)\b|(?<!\bin )\bpiedi\b/g, code: always('2E') },
  {
    rule: 'hygiene',
    family: '2',
    pattern: new RegExp(String.raw`\b(igien\w*|intima|lavar(e|si|mi|la|lo|li|le|ti|gli)|lav[ai]|lavata|wash(ing)?|personal care)\b` + NOT_A_PERSON, 'g'),
    code: (near) => (IN_BED.test(near) ? '2A' : IN_BATHROOM.test(near) ? '2B' : undefined),
  },
  {
    rule: 'bath',
    family: '3',
    pattern: /(?<!\b(?:in|al|nel|del|dal|nei|dei|un) )\bbagn[oi]\b(?! di casa)|\b(vasca|spugnatur\w*|docci\w*|bath(e|ing|s)?|shower\w*|tub)\b/g,
    code: (near) => (TUB.test(near) ? '3B' : IN_BED.test(near) ? '3A' : undefined),
  },
  { rule: 'to-bed', family: '4', pattern: /\b(mett\w*|mess[oa]|portar\w*|andare|vado|coricar\w*) (\w+ )?a letto\b|\bcoricar\w*|\b(put|putting|get|getting) (\w+ ){0,2}to bed\b|\bgo(ing)? to bed\b/g, code: complexOr('4A', '4B') },
  { rule: 'repositioning', family: '5', pattern: /\b(girar\w*|cambiar\w*|spostar\w*|muover\w*) (\w+ ){0,2}(nel|a|sul) letto\b|\b(cambi\w* (di |la )?posizione|piaghe|decubit\w*|reposition\w*|turn (him|her) (over|in bed))\b/g, code: complexOr('5C', '5D') },
  { rule: 'wheelchair', family: '5', pattern: /\b(carrozzin\w*|carrozzella|sedia a rotelle|wheelchair)\b/g, code: complexOr('5E', '5F') },
  { rule: 'walking', family: '5', pattern: /\b(cammin\w*|deambulazione|sorregg\w*|passeggiat\w*|stare in piedi|walk(ing)?)\b/g, code: complexOr('5A', '5B') },
  { rule: 'moving', family: '5', pattern: /\b(spostar(la|lo|mi|si|ti)|muover(la|lo|si|mi)|mobilizza\w*)\b/g, code: () => undefined },
  { rule: 'help-eating', family: '6', pattern: /\b(imbocc\w*|aiutar\w* a mangiare|mangiare da sol[oa]|non (riesce|riesco) (piu )?a mangiare|feed(ing)? (her|him|me)|help (her|him|me) eat)\b/g, code: always('6B') },
  { rule: 'meal', family: '6', pattern: /\b(pranz\w*|pasto|pasti|cena|cene|colazione|cucinar\w*|cucini|da mangiare|meals?|cook(ing)?|lunch|dinner|food)\b/g, code: always('6A') },
  { rule: 'linen', family: '7', pattern: /\b(biancheria|armadio|stirar\w*|bucato|lavatrice|panni|ironing|laundry|linen)\b/g, code: always('7B') },
  { rule: 'cleaning', family: '7', pattern: /\b(pulizi\w*|pulir\w*|pulisc\w*|pulit[oaie]|faccende|sporc\w*|disordine|pavimenti|pavimento|riordinar\w* (la )?casa|clean(ing)?|housework|tidy(ing)?)\b/g, code: always('7A') },
  {
    rule: 'errands',
    family: '8',
    pattern: /\b(spesa|commission\w*|accompagn\w*(?! a (camminare|fare (una )?passeggiat\w*))|(in|alla|dalla|al|dal) (posta|banca|farmacia|medico|dottore|dottoressa|dentista|ambulatorio|supermercato)|farmaci\w*|medicin\w*|pension\w*|esami|prelievo|analisi|visita (medica|dal|in)|shopping|errands?|groceries|pharmacy|(take|drive|bring) (me|her|him) to|doctor)\b/g,
    code: always('8A'),
  },
];

/** Every pattern, for the spelling lexicon. */
export const SERVICE_PATTERNS: readonly RegExp[] = [...RULES.map((r) => r.pattern), COMPLEX, IN_BED, IN_BATHROOM, TUB];

/** All art. 7 services mentioned, in order of appearance, one per family and position. */
export function findServices(tokens: readonly string[]): FoundService[] {
  const text = tokens.join(' ');
  const found: FoundService[] = [];
  for (const r of RULES) {
    for (const m of matchesOf(r.pattern, text)) {
      const at = tokenIndexAt(text, m.index);
      // Two rules on the same words (e.g. "lavarmi i capelli") keep only the first, more specific one.
      if (found.some((f) => f.at === at)) continue;
      const near = tokens.slice(Math.max(0, at - 8), at + 9).join(' ');
      const code = r.code(near, text);
      found.push(code === undefined ? { family: r.family, at, rule: r.rule } : { family: r.family, code, at, rule: r.rule });
    }
  }
  return refine(found).sort((a, b) => a.at - b.at);
}

function refine(found: FoundService[]): FoundService[] {
  let out = found;
  const has = (rule: string) => out.some((f) => f.rule === rule);
  // A wheelchair or bed-repositioning mention says how the person is moved; "spostarla" adds nothing.
  if (has('wheelchair') || has('repositioning')) out = out.filter((f) => f.rule !== 'moving');
  // "Lavarla nella vasca/doccia" is a bath (3), more precise than generic hygiene (2, no code).
  if (out.some((f) => f.family === '3')) out = out.filter((f) => !(f.rule === 'hygiene' && f.code === undefined));
  // Help eating (6B) includes the meal (6A).
  if (has('help-eating')) out = out.filter((f) => f.rule !== 'meal');
  return out;
}

// Request cues: the service named after one of these is the one asked for ("cammino col
// deambulatore, mi serve qualcuno per la spesa" asks for shopping, not walking).
const ASK = /\b(vorrei|mi serv\w*|serve|servirebbe\w*|servono|bisogno|aiuto|aiutare|aiuti|qualcuno|una persona|potete|mandate|chi (mi|gli|le|la|lo)|cerco|non riesc\w*|non ce la|help|need|needs|someone|can you|could you)\b/;

/** The service the person asks for: the first one named after a request cue, else the first one. */
export function primaryService(tokens: readonly string[], services: readonly FoundService[]): FoundService | undefined {
  const text = tokens.join(' ');
  const cue = ASK.exec(text);
  if (cue !== null) {
    const cueAt = tokenIndexAt(text, cue.index);
    const after = services.find((s) => s.at >= cueAt);
    if (after !== undefined) return after;
  }
  return services[0];
}
