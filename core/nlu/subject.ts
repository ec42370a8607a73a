// Who the message is about (pure): the writer ('self') or someone else ('other') — a relative,
// a neighbour, "la signora del terzo piano". Weighted cues, each one explainable:
//   other: a possessive + relative that is the object of the need ("per mia mamma", "a mio padre"),
//          a relative or third party as the subject of a verb ("mio padre non riesce", "la signora
//          non ritira la posta"), third-person clitics on care verbs ("lavarla", "la metta a letto"),
//          third-person pronouns ("lei", "she");
//   self:  first-person forms ("riesco", "vorrei", "mi", "I"), and a relative who is only the
//          helper or the messenger ("mia figlia mi ha detto...").
// Ties go to 'self': the writer is the default subject of a message.

const REL = String.raw`(mamma|madre|papa|padre|babbo|marito|moglie|nonna|nonno|zia|zio|suocera|suocero|sorella|fratello|figlia|figlio|cognata|cognato|cugina|cugino|compagna|compagno|nipote|genitori|mother|mum|mom|father|dad|husband|wife|grandmother|grandma|grandfather|grandpa|granny|aunt|uncle|sister|brother|son|daughter|parents)`;
const THIRD = String.raw`(signora|signore|signor|vicina|vicino|vicini|inquilina|inquilino|condomino|neighbou?r|lady|old man|old woman|old lady)`;

interface Cue {
  pattern: RegExp;
  weight: number;
}

const OTHER: readonly Cue[] = [
  { pattern: new RegExp(String.raw`\b(per|a|di|al|alla|con|for|help|helping|put|take|bring|wash|feed|get|with) (la |il |lo )?((mia|mio|sua|suo|my|his|her) )?${REL}\b`), weight: 3 },
  { pattern: new RegExp(String.raw`\b(mia|mio|my|la|il|sua|suo)? ?${REL} (non |si |ne |gli |le )?(e|ha|sta|vive|abita|deve|avrebbe|cammina|mangia|va|entra|riesce|is|has|needs|can|fell|had|was|won|lives|hasn)\b`), weight: 3 },
  { pattern: new RegExp(String.raw`\b(mia|mio|my) ${REL}\b`), weight: 1.5 },
  { pattern: new RegExp(String.raw`^${REL}\b`), weight: 2 },
  { pattern: new RegExp(String.raw`\b${THIRD}\b`), weight: 3 },
  { pattern: /(?<!\bsono )\banzian[oa]\b|\bold (man|woman|lady|person)\b/, weight: 3 },
  { pattern: /\b(lavar|alzar|rialzar|metter|aiutar|accompagnar|spostar|girar|vestir|imboccar|muover|portar|tirar|cambiar)(la|lo|gli|le)\b/, weight: 3 },
  { pattern: /\b(la|lo|gli|le) (lavi|lava|metta|aiuti|aiuta|accompagni|imbocchi|imbocca|vesta|sorregga|porti)\b/, weight: 3 },
  { pattern: /\b(lei|lui|she|he|her|him|his)\b/, weight: 1.5 },
  { pattern: /\b(si e \w+t[oa]|e (cadut|svenut|scivolat)[oa]|ha (un|una|la|il|le|i|avuto)|sta soffocando|perde)\b/, weight: 1 },
  { pattern: /\bnon (muove|parla|respira|risponde|riesce|cammina|mangia|apre|esce|ritira|si alza|si muove|si sveglia)\b/, weight: 1.5 },
];

const SELF: readonly Cue[] = [
  { pattern: /\b(io|sono|sto|ho|riesco|posso|vorrei|cerco|faccio|vado|devo|avrei|chiedo|cammino|mi|me|myself)\b|\bi (m|am|need|can|want|have|would|d|think|live)\b/, weight: 1.5 },
  { pattern: /\b(mi|ci) (sono|serve|servirebbe|aiuti|aiuta|accompagn\w*|porti|faccia|prepari)\b|\b(i need|i can t|help me)\b/, weight: 1.5 },
  { pattern: new RegExp(String.raw`\b${REL} (mi|ci) \w+`), weight: 2 },
];

/** Every pattern, for the spelling lexicon. */
export const SUBJECT_PATTERNS: readonly RegExp[] = [...OTHER, ...SELF].map((c) => c.pattern);

/** 'other' when the message is mostly about someone else, 'self' otherwise. */
export function detectSubject(tokens: readonly string[]): 'self' | 'other' {
  const text = tokens.join(' ');
  const score = (cues: readonly Cue[]) => cues.reduce((sum, c) => (c.pattern.test(text) ? sum + c.weight : sum), 0);
  return score(OTHER) > score(SELF) ? 'other' : 'self';
}
