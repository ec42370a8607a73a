// Emergency detector (pure). Runs before every other rule: a person in danger must be told
// "call 112" before anything else, so this module prefers recall — any trigger counts — and
// only four narrow, explainable guards can silence a trigger:
//   1. negation right before it ("non sento odore di gas", "no fire");
//   2. a hypothesis or fear before it ("ho paura di...", "se dovesse...", "in caso di...");
//   3. a habitual/chronic reading for symptoms ("respira male quando fa le scale", "perde sangue
//      dal naso ogni tanto") — never for falls, gas or fire;
//   4. history: a past-time marker near the trigger and either a calm telling (reassurance or a
//      request for ordinary help: "ieri sono caduta ma sto bene, vorrei...") or a distant past
//      ("due anni fa", "l'anno scorso") — never when there is urgency, a consequence still going
//      on ("da allora", "ora non riesce ad alzarsi") or the symptom is back ("adesso di nuovo").
// A fall needs more than the verb: an injury, not being able to get up, being on the floor, or
// an urgent/present tone ("aiuto!", "adesso"); "sono caduta ma sto bene" alone is not an emergency.
import { matchesOf, tokenIndexAt, tokenWindow } from './token-text.ts';
import type { EmergencyKind } from './types.ts';

export interface EmergencyFinding {
  kind: EmergencyKind;
  /** Rule name, e.g. "gas-smell", for `signals`. */
  rule: string;
}

interface Trigger {
  kind: EmergencyKind;
  rule: string;
  pattern: RegExp;
  /** The pattern itself is negative ("non respira"), so a preceding negation is not a denial. */
  negativeForm?: boolean;
  /** A symptom that can be habitual ("quando fa le scale", "ogni tanto"); such wording silences it. */
  chronic?: boolean;
}

/** The whole message is the alarm word, possibly with "aiuto"/"presto" around it. */
function alarmOnly(words: string): RegExp {
  const cry = '(aiuto|help|sos|presto|subito|c e|ce)';
  return new RegExp(String.raw`^(${cry} )*(${words})( (${words}|${cry}))*$`, 'g');
}

const TRIGGERS: readonly Trigger[] = [
  // Lying on the floor or collapsed is an emergency even without the word "caduta".
  { kind: 'fall', rule: 'on-the-floor', pattern: /\b(sono|e|sta|giace|rimast[oa]|trovat[oa]|stes[oa]|sdraiat[oa]) (ancora )?(a|per) terra\b|\b(is|s|lying|lies|still) on the floor\b/g },
  { kind: 'fall', rule: 'cannot-get-up-from-floor', pattern: /\bnon (mi |si )?(riesc\w*|posso|puo) (piu )?(a |ad )?(mi |si )?(alzar\w*|rialzar\w*) da terra\b/g, negativeForm: true },
  { kind: 'fall', rule: 'collapsed', pattern: /\b(accasciat[oa]|collapsed)\b/g },
  { kind: 'breathing', rule: 'not-breathing', pattern: /\bnon (riesc\w* (piu )?a |riesco (piu )?a |puo |riesce (piu )?a )?respir\w*/g, negativeForm: true },
  { kind: 'breathing', rule: 'hard-to-breathe', pattern: /\b(fatica|difficolta) a respirare\b|\brespira (male|a fatica|con fatica|malissimo)\b|\b(manca|mancare|mancando) (il respiro|l aria|il fiato)\b|\bsoffoc\w*|\baffanno\b|\blabbra (viola|blu)\b|\bdiventat[oa] (blu|viola|cianotic\w*)\b|\bcianotic\w*/g },
  { kind: 'breathing', rule: 'not-breathing-en', pattern: /\b(not breathing|can t breathe?|cannot breathe?|stopped breathing|choking|short of breath|struggling to breathe|turning blue|lips (are )?blue|(trouble|difficulty|struggling|hard time) breathing|hard to breathe|can t catch (her|his|my) breath)\b/g },
  { kind: 'chest_pain', rule: 'chest-pain', pattern: /\b(dolor\w*|male|stretta|peso|oppressione) (\w+ ){0,2}(al|nel|sul) petto\b|\binfarto\b|\battacco (di cuore|cardiaco)\b|\barresto cardiaco\b/g },
  { kind: 'chest_pain', rule: 'chest-pain-en', pattern: /\b(chest pains?|pain in (his|her|my) chest|heart attack|chest (hurts|is tight))\b/g },
  { kind: 'unconscious', rule: 'fainted', pattern: /\b(ha|ho|abbia|avere|aver) (?!ripres|riacquistat)\w+ (i sensi|conoscenza)\b|\b(svenut[oa]|sviene|svenendo|svenimento|perso (i sensi|conoscenza)|priv[oa] di sensi|incoscient\w*|non si sveglia\w*|non (risponde|reagisce) piu|fainted|passed out|unconscious|won t wake|not waking|unresponsive|not responding|not moving|isn t moving)\b/g },
  { kind: 'stroke', rule: 'face-drooping', pattern: /\b(bocca|faccia|viso) (tutta |tutto )?stort[oa]\b|\bstort[oa] (la )?(bocca|faccia)\b|\bface (is )?drooping\b/g },
  { kind: 'stroke', rule: 'cannot-speak', pattern: /\bnon (riesc\w*|riesco|riesce|puo) (piu )?a parlare\b|\bnon parla piu\b|\bparla (strano|in modo strano|male all improvviso)\b|\bbiascica\w*|\b(slurred|can t speak|cannot speak)\b/g, negativeForm: true },
  { kind: 'stroke', rule: 'limb-not-moving', pattern: /\bnon (muove|muovo|sente|sento) (piu )?(il |la )?(braccio|gamba|mano|lato)\b|\b(braccio|gamba|mano) che non si muove\b|\b(braccio|gamba) (paralizzat\w*|bloccat\w*)\b|\bcan t move (his|her|my) (arm|leg)\b/g, negativeForm: true },
  { kind: 'stroke', rule: 'stroke-word', pattern: /\b(ictus|paresi|emiparesi|stroke)\b/g },
  { kind: 'bleeding', rule: 'heavy-bleeding', pattern: /\bperd\w* (tanto |molto |parecchio |un sacco di )?sangue\b|\b(tanto|molto|pieno di|piena di|pozza di) sangue\b|\bsangue (dappertutto|ovunque)\b|\bsangue (\w+ ){0,3}(che )?non si ferma\b|\bnon si ferma (\w+ ){0,2}sangue\b|\bemorragi\w*|\bsanguin(a|ando|ano)\b|\bc e (del |tanto |molto )?sangue\b|\besce (tanto |molto )?sangue\b|\b(bleeding|blood everywhere|lot of blood)\b/g },
  { kind: 'gas', rule: 'gas-smell', pattern: /\b(odore|puzza|puzzo|fuga|perdita|perde|sento|sentiamo|senti|esce) (\w+ ){0,2}(gas|gs|gaz)\b|\b(gas leak|leaking gas|smells? (of |like )?gas)\b/g },
  { kind: 'fire', rule: 'fire', pattern: /\bfuoco\b(?! (del|nel|dal) (camino|caminetto|fornello|gas)| lento| basso| medio| alto| di sant| d art\w*)|\bincendi\w*|\bfiamme\b|\b(prende|preso|prendendo|andando|va|andata|andato) (a )?fuoco\b|\bc e (il )?fuoco\b|\b(brucia|bruciando) (la |il |l )?(casa|cucina|appartamento|tutto)\b|\b(on fire|fire|flames)\b/g },
  { kind: 'fire', rule: 'smoke', pattern: /\b(c e|esce|uscire|pieno di|piena di|tanto|molto) (del |tanto |molto )?fumo\b|\bfumo (che esce|in casa|dalla|dal|dalle|dai|nel|nella|ovunque|dappertutto|nero)\b|\bvedo (del )?fumo\b|\b(odore|puzza) di (bruciato|fumo)\b|\b(there s|there is|full of|see|smell of|smells of) smoke\b|\bsmoke (coming|everywhere|in the|from)\b/g },
  // Someone breaking in, or inside, while an old person is at home alone: 112 first.
  { kind: 'other', rule: 'intruder', pattern: /\b(ladro|ladri|ladra|ladre|rapinatore|rapinatori|intruso|intrusi|burglars?|intruders?)\b|\b(qualcuno|uno sconosciuto|sconosciuti|un uomo|una donna|degli uomini|delle persone) (\w+ ){0,2}(e entrato|e entrata|sono entrati|vuole entrare|vogliono entrare|cerca di entrare|cercano di entrare|sta entrando|stanno entrando|sta forzando|stanno forzando)\b|\b(hanno|ha|stanno|sta) (forzato|forzando|sfondato|sfondando) (la |il |l )?(porta|finestra|serratura|portone)\b|\bsomeone (is )?(breaking in|trying to (get|break) in|in my (house|home|flat))\b/g },
  { kind: 'other', rule: 'seizure', pattern: /\b(convulsion\w*|crisi epilettic\w*|attacco epilettic\w*|seizures?)\b/g },
  { kind: 'other', rule: 'self-harm', pattern: /\b(farla finita|uccider(mi|si)|togliermi la vita|suicid\w*|kill myself|end my life)\b/g },
  { kind: 'other', rule: 'poisoning-burn', pattern: /\b(overdose|avvelenat\w*|intossicat\w*|ustion\w*)\b|\b(ha|ho|abbia|hanno|has|have) \w+ (\w+ )?(troppe|tutte le|too many|all the|all her|all his) (\w+ )?(pastiglie|pillole|medicine|compresse|gocce|pills|tablets)\b/g },
  // A message that is only an alarm word ("GAS!!!", "fuoco", "CADUTA") or a doubled cry for help
  // has no ordinary reading.
  { kind: 'gas', rule: 'alarm-word', pattern: alarmOnly('gas') },
  { kind: 'fire', rule: 'alarm-word', pattern: alarmOnly('fuoco|incendio|fumo|fiamme|fire|smoke') },
  { kind: 'fall', rule: 'alarm-word', pattern: alarmOnly('caduta|caduto|cascata|cascato') },
  { kind: 'other', rule: 'alarm-word', pattern: alarmOnly('ambulanza|soccorso|emergenza|ambulance|emergency') },
  { kind: 'other', rule: 'cry-for-help', pattern: /\b(aiuto aiuto|help help|sos)\b/g },
  // "numero di emergenza" / "emergency number" is a question, not an alarm.
  { kind: 'other', rule: 'ambulance', pattern: /\b(ambulanza|ambulance|pronto soccorso)\b|(?<!\b(numero|numeri|contatto|contatti) (di |d )?)\b(emergenza|emergency)\b(?! (number|numbers|contact|contacts))|\b(il|al|chiamate|chiamare|chiamo|chiama|call|dial) (112|118|911)\b/g },
  { kind: 'other', rule: 'feels-very-ill', pattern: /\b(sta|sto) (malissimo|molto male|tanto male)\b|\b(mi sento|si sente) (molto |tanto )?male\b|\bsta morendo\b|\bdying\b|\bmalore\b/g, chronic: true },
];

const FALL_EVENT = /\b(cadut[oaie]|cascat[oa]|scivolat[oa]|inciampat[oa]|ruzzolat[oa]|fell|fallen|slipped|tripped)\b/g;
const FALL_HARM = new RegExp(
  [
    // Any modal verb, so that a typo in it ("non mi psso alzare") does not hide the harm.
    String.raw`\bnon (mi |si |ti )?\w+( piu)?( a| ad)?( mi| si)? (alza\w*|rialza\w*|muover\w*|tirar\w* su)\b`,
    String.raw`\bnon (mi |si )?(alza|rialza|muove|muovo|alzo|rialzo|sveglia)\b`,
    String.raw`\b(a|per) terra\b|\bsul pavimento\b`,
    String.raw`\b(battut|sbattut)\w* (la )?testa\b|\bsangue\b|\brott[oaie]\b|\bfrattur\w*`,
    String.raw`\b(si e|mi sono) fatt[oa] (molto )?male\b|\b(ha|ho) (molto |tanto )?male\b|\bnon risponde\b`,
    String.raw`\b(can t|cannot|unable to) (get up|move|stand)\b|\bon the floor\b|\bhit (her|his|my) head\b|\bbleeding\b|\bhurt (herself|himself|myself)\b|\bbroke\b`,
  ].join('|'),
);

const NEGATORS = new Set(['non', 'nessun', 'nessuna', 'nessuno', 'niente', 'senza', 'not', 'never', 'nothing', 'no']);
const HYPOTHETICAL = new Set(['paura', 'timore', 'rischio', 'rischia', 'pericolo', 'se', 'caso', 'qualora', 'afraid', 'worried', 'scared', 'if', 'case', 'evitare', 'prevenire', 'potrebbe', 'might']);
const CHRONIC_KINDS = new Set<EmergencyKind>(['breathing', 'chest_pain', 'bleeding', 'unconscious', 'stroke']);
const CHRONIC = /\b(quando|ogni|spesso|sempre|di solito|a volte|da (mesi|anni|settimane|tempo|giorni)|sometimes|when|every|often|usually|for (months|years|weeks))\b/;
const PAST = /(?<!\bda )\bieri\b|\bscors[oa]\b|\b(giorni|giorno|settimane|settimana|mesi|mese|anni|anno|tempo|volta|po) fa\b|\bdopo (l|la|il) (caduta|infarto|ictus|intervento|operazione|ricovero|emorragia)\b|\b(ha|ho|aveva|avevo) avuto\b|\bin passato\b|\btante volte\b|\b(ago|yesterday|last (week|month|year|night)|had a|had an)\b/;
// An event weeks or years ago is history, whatever else the message says — unless something is
// happening again now (checked next to the trigger, see `isHistory`).
const DISTANT_PAST = /\b(settimana|mese|anno) scors[oa]\b|\b(settimane|mesi|anni|tempo) fa\b|\b(un|una|due|tre|qualche) (settimana|mese|anno) fa\b|\bin passato\b|\blast (month|year)\b|\b(months|years|weeks) ago\b/;
const PRESENT_AGAIN = /\b(adesso|ora|di nuovo|ancora|oggi|stamattina|stasera|now|again|today)\b/;
const CALM = /\b(sto|sta|stiamo|stanno) (bene|meglio)\b|\b(niente|nulla) di grave\b|\b(non )?(mi sono|si e) fatt[oa] (niente|nulla)\b|\btutto (bene|a posto)\b|\be a casa\b|\btornat[oa] a casa\b|\bdimess[oa]\b|\btutto ok\b|\b(e venuto|venuto) il tecnico\b|\b(riparat[oa]|risolt[oa])\b|\b(ho|l ho|abbiamo|l abbiamo) spent[oa]\b|\bspent[oa] subito\b|\b(fine|ok|okay|better) now\b|\b(is|s|m) (fine|ok|okay)\b|\brecovered\b/;
const REQUEST = /\b(vorrei|mi serv\w*|serve|servirebbe|servono|ho bisogno|ha bisogno|avrei bisogno|avrebbe bisogno|cerco|qualcuno (che|per)|potete|aiuto per|need|needs|help with|someone to)\b|\bchi (mi|gli|le|la|lo|ci) (\w+ )?(fa|porta|accompagna|aiuta|lava)\b/;
// Urgency, or a consequence still going on ("da allora non si alza"), rules out a calm past event.
const URGENT = /\b(chiamate|chiamare|chiamo|mandate|serve|ci vuole) (l |un |il )?(ambulanza|112|118)\b|\b(venite|vieni|venga|mandate|chiamate) (subito|presto)\b|\bfate presto\b|\b(correte|urgente|urgenza|aiuto aiuto|help help|hurry|quick|right now|in questo momento|proprio ora|da allora|da quel momento|since then|da ieri|da stamattina|da stanotte|ancora (a|per) terra)\b/;
const PRESENT_FALL = /\b(aiuto|help|subito|adesso|appena|correte|presto|just now|right now|proprio ora)\b/;

/** Finds a medical or safety emergency happening now; `undefined` when there is none. */
export function detectEmergency(
  tokens: readonly string[],
  /** The message also asks for something ordinary: an art. 7 service ("...chi gli fa la spesa?")
   *  or another intent's strong cue ("sospendete le visite"). */
  asksForSomethingElse = false,
): EmergencyFinding | undefined {
  const text = tokens.join(' ');
  const urgent = URGENT.test(text);
  const calmPastContext = !urgent && (asksForSomethingElse || CALM.test(text) || REQUEST.test(text));

  for (const trigger of TRIGGERS) {
    for (const m of matchesOf(trigger.pattern, text)) {
      const at = tokenIndexAt(text, m.index);
      if (!trigger.negativeForm && isNegated(tokens, at)) continue;
      if (isHypothetical(tokens, at)) continue;
      if ((trigger.chronic ?? CHRONIC_KINDS.has(trigger.kind)) && isChronic(tokens, at)) continue;
      if (isHistory(tokens, at, urgent, calmPastContext)) continue;
      return { kind: trigger.kind, rule: trigger.rule };
    }
  }

  for (const m of matchesOf(FALL_EVENT, text)) {
    const at = tokenIndexAt(text, m.index);
    if (isNegated(tokens, at) || isHypothetical(tokens, at)) continue;
    const from = Math.max(0, at - 12);
    const around = tokenWindow(tokens, from, at + 13);
    const harm = FALL_HARM.exec(around);
    // "ieri è caduta e ora non riesce ad alzarsi": the harm is still going on.
    const harmAt = harm === null ? -1 : from + tokenIndexAt(around, harm.index);
    const ongoing = harm !== null && PRESENT_AGAIN.test(tokenWindow(tokens, harmAt - 3, harmAt));
    if (!ongoing && isHistory(tokens, at, urgent, calmPastContext)) continue;
    if (harm !== null) return { kind: 'fall', rule: 'fall-with-harm' };
    if (!PAST.test(around) && PRESENT_FALL.test(text)) return { kind: 'fall', rule: 'fall-now' };
  }
  return undefined;
}

function isNegated(tokens: readonly string[], at: number): boolean {
  for (let i = Math.max(0, at - 2); i < at; i++) {
    const t = tokens[i];
    // A message that opens with "no, c'è fumo!" is not denying the smoke.
    if (t === 'no' && i === 0) continue;
    if (t !== undefined && NEGATORS.has(t)) return true;
  }
  return false;
}

function isHypothetical(tokens: readonly string[], at: number): boolean {
  for (let i = Math.max(0, at - 5); i < at; i++) {
    const t = tokens[i];
    if (t !== undefined && HYPOTHETICAL.has(t)) return true;
  }
  return false;
}

function isChronic(tokens: readonly string[], at: number): boolean {
  return CHRONIC.test(tokenWindow(tokens, at, at + 8)) || CHRONIC.test(tokenWindow(tokens, at - 3, at));
}

/** A past event near the trigger, told calmly or long ago, and not happening again now. */
function isHistory(tokens: readonly string[], at: number, urgent: boolean, calmPastContext: boolean): boolean {
  if (urgent || PRESENT_AGAIN.test(tokenWindow(tokens, at - 4, at))) return false;
  const around = tokenWindow(tokens, at - 10, at + 11);
  return (calmPastContext && PAST.test(around)) || DISTANT_PAST.test(around);
}

/** The guards' words, so that the spelling corrector can repair them too ("nessnu" → "nessun"). */
export const EMERGENCY_GUARD_WORDS: readonly string[] = [...NEGATORS, ...HYPOTHETICAL];

/** Every pattern of the detector, for the spelling lexicon. */
export const EMERGENCY_PATTERNS: readonly RegExp[] = [...TRIGGERS.map((t) => t.pattern), FALL_EVENT, FALL_HARM, CHRONIC, PAST, DISTANT_PAST, PRESENT_AGAIN, CALM, REQUEST, URGENT, PRESENT_FALL];
