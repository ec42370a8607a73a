// Turns raw chat/SMS text into a flat list of plain lowercase tokens (pure, no I/O).
// Everything downstream (rules, dates, subject) matches on this one canonical form, so a
// message typed in ALL CAPS, without accents, with "nn"/"x"/"xké" or with "ciaooo" reads the
// same as its tidy version.

/** SMS/chat shorthand → what it stands for. Keys are already lowercased and accent-free. */
const SHORTHAND: ReadonlyMap<string, string> = new Map([
  ['nn', 'non'],
  ['x', 'per'],
  ['xke', 'perche'],
  ['xk', 'perche'],
  ['xche', 'perche'],
  ['pk', 'perche'],
  ['pke', 'perche'],
  ['pq', 'perche'],
  ['cmq', 'comunque'],
  // "qlc" is written for qualcuno/qualcosa/qualche alike; qualcuno is the reading that matters here
  // ("qlc mi può aiutare?").
  ['qlc', 'qualcuno'],
  ['qlcn', 'qualcuno'],
  ['qlcu', 'qualcuno'],
  ['qlc1', 'qualcuno'],
  ['qualc1', 'qualcuno'],
  ['qlcs', 'qualcosa'],
  ['qcs', 'qualcosa'],
  ['ke', 'che'],
  ['k', 'che'],
  ['ki', 'chi'],
  ['tt', 'tutto'],
  ['tnt', 'tanto'],
  ['mlt', 'molto'],
  ['sn', 'sono'],
  ['cn', 'con'],
  ['nnt', 'niente'],
  ['dp', 'dopo'],
  ['cm', 'come'],
  ['qnd', 'quando'],
  ['qndo', 'quando'],
  ['qnt', 'quante'],
  ['qnte', 'quante'],
  ['qnti', 'quanti'],
  ['qto', 'quanto'],
  ['ank', 'anche'],
  ['anke', 'anche'],
  ['ankora', 'ancora'],
  ['bn', 'bene'],
  ['grz', 'grazie'],
  ['msg', 'messaggio'],
  ['sett', 'settimana'],
  ['dmn', 'domani'],
  ['xfavore', 'per favore'],
  ['xfav', 'per favore'],
  ['xf', 'per favore'],
  ['pf', 'per favore'],
  ['perfavore', 'per favore'],
  ['nonriesco', 'non riesco'],
  ['xo', 'pero'],
  ['cs', 'cosa'],
  ['qst', 'questo'],
  ['qsto', 'questo'],
  ['qsta', 'questa'],
  ['sl', 'solo'],
  ['tel', 'telefono'],
  ['nr', 'numero'],
  ['num', 'numero'],
  ['dott', 'dottore'],
  ['dr', 'dottore'],
  ['sig', 'signor'],
  ['sigr', 'signor'],
  ['sigra', 'signora'],
  ['gg', 'giorni'],
  ['altroieri', 'l altro ieri'],
  ['domattina', 'domani mattina'],
  ['stamani', 'stamattina'],
  ['stamane', 'stamattina'],
  // English chat forms; apostrophes become spaces, so "can't" and "cant" both end up "can t".
  ['pls', 'please'],
  ['plz', 'please'],
  ['thx', 'thanks'],
  ['u', 'you'],
  ['im', 'i m'],
  ['dont', 'don t'],
  ['cant', 'can t'],
  ['wont', 'won t'],
  ['didnt', 'didn t'],
  ['hasnt', 'hasn t'],
  ['havent', 'haven t'],
  ['isnt', 'isn t'],
  ['doesnt', 'doesn t'],
]);

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u']);

/**
 * Lowercase, strip accents and punctuation, keep "15:30" and "3/12" intact, collapse
 * "ciaooo"/"aiutooo", expand SMS shorthand. Returns tokens (never empty strings).
 */
export function normaliseTokens(raw: string): string[] {
  let s = raw
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[’‘`´]/g, "'");
  // "nn riesco + ad alzarmi": a lone "+" is "più" in SMS Italian.
  s = s.replace(/(^|\s)\+(?=\s|[a-z])/g, ' piu ');
  // "15.30" and "15:30" are both times; "2°" and "2º" ordinals lose the sign.
  s = s.replace(/(\d{1,2})[.:](\d{2})(?!\d)/g, '$1:$2').replace(/(\d)[°º]/g, '$1 ');
  s = s.replace(/[^a-z0-9:/]+/g, ' ');
  // ":" and "/" survive only between digits ("15:30", "3/12/2026").
  s = s.replace(/(?<!\d)[:/]+|[:/]+(?!\d)/g, ' ');

  const out: string[] = [];
  for (const rawToken of s.split(' ')) {
    if (rawToken === '') continue;
    const token = collapseRepeats(rawToken);
    const hours = /^(\d{1,2})h$/.exec(token);
    if (hours?.[1] !== undefined) {
      out.push(hours[1], 'ore');
      continue;
    }
    // "sig.ra" arrives as "sig" "ra".
    if (token === 'ra' && out[out.length - 1] === 'signor') {
      out[out.length - 1] = 'signora';
      continue;
    }
    const expanded = SHORTHAND.get(token);
    if (expanded === undefined) out.push(token);
    else for (const part of expanded.split(' ')) out.push(part);
  }
  return out;
}

/** "aiutooo" → "aiuto", "nooo" → "no", "ciaoo" → "ciao"; doubled consonants stay ("mamma"). */
function collapseRepeats(token: string): string {
  if (/\d/.test(token)) return token;
  let t = token.replace(/([a-z])\1{2,}/g, (_m, c: string) => (VOWELS.has(c) ? c : c + c));
  // Italian words do not end in "aa"/"oo"; chat stretches them ("ciaoo", "aiutoo").
  if (t.length >= 5 && /(aa|oo)$/.test(t)) t = t.slice(0, -1);
  return t;
}
