import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearLanguage, INTENTS, understand } from '../../../core/nlu/index.ts';

const now = new Date('2026-11-23T08:00:00Z');
const read = (text: string, locale?: 'it' | 'en') => understand(text, locale === undefined ? { now } : { now, locale });

describe('understand: art. 7 services', () => {
  it.each([
    ['vorrei aiuto per fare la spesa', '8', '8A'],
    ['mia mamma non riesce più a lavarsi', '2', undefined],
    ['vorrei aiuto per l igiene in bagno', '2', '2B'],
    ['serve l igiene intima a letto', '2', '2A'],
    ['HO BISOGNO DEL BAGNO NELLA VASCA', '3', '3B'],
    ['mi serve qualcuno per il pranzo', '6', '6A'],
    ['serve qualcuno che la imbocchi', '6', '6B'],
    ['vorrei le pulizie di casa', '7', '7A'],
    ['non riesco ad alzarmi dal letto', '1', '1B'],
    ['ci vogliono due persone per alzarlo dal letto', '1', '1A'],
    ['qualcuno che mi aiuti a camminare', '5', '5B'],
    ['serve qualcuno per metterla a letto la sera', '4', '4B'],
    ['è in carrozzina, serve aiuto per spostarla', '5', '5F'],
    ['chi mi taglia le unghie dei piedi?', '2', '2E'],
    ['I need help with my shopping', '8', '8A'],
  ])('"%s" → family %s, code %s', (text, family, code) => {
    const u = read(text);
    expect(u.intent).toBe('request_help');
    expect(u.family).toBe(family);
    expect(u.code).toBe(code);
  });

  it('picks the service asked for, not one merely described', () => {
    expect(read('cammino col deambulatore, mi serve qualcuno per la spesa').family).toBe('8');
  });

  it('lists every service mentioned', () => {
    expect(read('vorrei aiuto per lavarmi, il pranzo e la spesa').services).toEqual([
      { family: '2' },
      { family: '6', code: '6A' },
      { family: '8', code: '8A' },
    ]);
  });
});

describe('understand: intents', () => {
  it.each([
    ['QUANTE ORE HO ANCORA', 'voucher_balance'],
    ['come si fa x avere aiuto in casa', 'apply_info'],
    ['a che punto è la mia domanda?', 'application_status'],
    ['la signora Ferri non ritira la posta da una settimana', 'report_person'],
    ['voglio parlare con una persona', 'talk_to_operator'],
    ['vado in ospedale per una settimana a marzo', 'suspend_service'],
    ['vorrei spostare la visita di giovedì', 'cancel_booking'],
    ['quali cooperative ci sono?', 'providers'],
    ['oggi non è venuto nessuno', 'complaint'],
    ['la signora che viene non è mai puntuale', 'complaint'],
    ["l'operatrice arriva sempre tardi", 'complaint'],
    ['arrivo tardi domani', 'unknown'],
    ['cosa devo portare per la domanda?', 'apply_info'],
    ['cosa devo portare in ospedale', 'unknown'],
    ['le hanno rubato la pensione', 'unknown'],
    ['buongiorno', 'greeting'],
    ['che tempo fa?', 'unknown'],
    ['How many hours do I have left?', 'voucher_balance'],
    ['How do I apply for home care?', 'apply_info'],
    ['mi avete risposto alla domanda?', 'application_status'],
    ['non ho ricevuto la lettera del comune', 'application_status'],
    ['quando scade il voucher?', 'voucher_balance'],
    ['fino a quando ho il servizio?', 'voucher_balance'],
    ['quanti soldi ho nel voucher', 'voucher_balance'],
    ['devo rinnovare la domanda?', 'apply_info'],
    ['posso cambiare operatrice?', 'talk_to_operator'],
    ['vorrei cambiare il giorno della visita', 'cancel_booking'],
    ['VIENE DOMANI LA RAGAZZA?', 'voucher_balance'],
    ["domani viene l'operatrice?", 'voucher_balance'],
    ['viene domani mia figlia', 'unknown'],
    ['VIENE MERCOLEDI?', 'voucher_balance'],
    ['DOMANI VIENE?', 'voucher_balance'],
    ['CHE GIORNI VIENE LA RAGAZZA', 'voucher_balance'],
    ['la ragazza viene sempre tardi', 'complaint'],
    ['come faccio a registrare il contratto della badante', 'talk_to_operator'],
    ['How can I register my contract as a family assistant?', 'talk_to_operator'],
    ['How do I register my regular contract?', 'talk_to_operator'],
    ['how can I record my regular work contract', 'talk_to_operator'],
    ['lavoro con contratto regolare, come registro il contratto?', 'talk_to_operator'],
    ['quando arriva la risposta scritta?', 'application_status'],
    ["quando arriva l'operatrice?", 'voucher_balance'],
    ["can I move Thursday's visit to Friday?", 'cancel_booking'],
    // People's names are not typos: "Laura" is not "ladra", "Marta" not "morta".
    ['buongiorno, sono Laura la figlia di Franco Colombo', 'greeting'],
    ['sono Marta, mia mamma ha bisogno di aiuto', 'request_help'],
  ])('"%s" → %s', (text, intent) => {
    expect(read(text).intent).toBe(intent);
  });

  it('lets a definite request outweigh a service word', () => {
    expect(read('annullate la spesa di sabato').intent).toBe('cancel_booking');
    expect(read('ho ancora ore per la spesa?').intent).toBe('voucher_balance');
  });

  it('resolves the date of a request', () => {
    expect(read('domani mattina potete mandare qualcuno per la spesa?').when).toEqual({ date: '2026-11-24', partOfDay: 'morning' });
  });

  it('explains itself through signals', () => {
    expect(read('annullate la spesa di sabato').signals).toContain('cancel_booking:annullare');
  });
});

describe('understand: subject and language', () => {
  it.each([
    ['mia mamma non riesce più a lavarsi', 'other'],
    ['mio padre ha bisogno di aiuto per la spesa', 'other'],
    ['vorrei aiuto per mia madre', 'other'],
    ['la signora del terzo piano vive sola e non esce', 'other'],
    ['my father needs help getting out of bed', 'other'],
    ['non riesco a lavarmi da sola', 'self'],
    ['mia figlia mi ha detto di scrivervi, vorrei aiuto per la spesa', 'self'],
    ['I need help with cleaning', 'self'],
  ])('"%s" → %s', (text, subject) => {
    expect(read(text).subject).toBe(subject);
  });

  it('detects English and falls back to the channel locale', () => {
    expect(read('I need help with my shopping').language).toBe('en');
    expect(read('vorrei aiuto per la spesa').language).toBe('it');
    expect(read('ok', 'en').language).toBe('en');
  });
});

describe('understand: properties', () => {
  const known = new Set<string>(INTENTS);
  const check = (u: ReturnType<typeof understand>) => {
    expect(known.has(u.intent)).toBe(true);
    expect(u.confidence).toBeGreaterThanOrEqual(0);
    expect(u.confidence).toBeLessThanOrEqual(1);
    if (u.when?.date !== undefined) expect(u.when.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    if (u.when?.time !== undefined) expect(u.when.time).toMatch(/^([01]\d|2[0-3]):[0-5]\d$/);
  };

  it('never throws and returns a known intent for arbitrary text up to 5,000 characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 5000 }), (text) => check(read(text))),
      { seed: 42, numRuns: 200 },
    );
  });

  it('handles emoji-only and whitespace-only messages', () => {
    const emoji = fc.array(fc.constantFrom('😊', '👍', '🙏', '❤️', '🚑', '🔥', '👵🏻', '\u200d', ' ', '\n'), { maxLength: 50 });
    fc.assert(
      fc.property(emoji, (parts) => {
        const u = read(parts.join(''));
        check(u);
        expect(['unknown', 'greeting']).toContain(u.intent);
      }),
      { seed: 42 },
    );
  });

  it('never throws on word salad from its own vocabulary, at any now', () => {
    const words = ['non', 'gas', 'caduta', 'ieri', 'alle', '10', 'domani', 'spesa', 'mia', 'mamma', 'x', 'nn', 'il', '3', 'dicembre', 'fumo', 'ore', 'lunedi', '29', 'febbraio', ':', '/', 'pm'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { maxLength: 40 }), fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01') }), (parts, at) => {
        check(understand(parts.join(' '), { now: at }));
      }),
      { seed: 42 },
    );
  });

  it('is insensitive to case and accents', () => {
    const samples = [
      'Mia mamma è caduta e non si rialza',
      'vorrei qualcuno che mi faccia la spesa giovedì',
      'perché non è venuto nessuno?',
      'quante ore mi restano',
      'la signora del terzo piano non ritira più la posta',
    ];
    const stripAccents = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '');
    fc.assert(
      fc.property(fc.constantFrom(...samples), fc.array(fc.boolean(), { minLength: 80, maxLength: 80 }), (text, upper) => {
        const mixed = [...text].map((ch, i) => (upper[i % upper.length] === true ? ch.toUpperCase() : ch)).join('');
        const base = read(text);
        for (const variant of [mixed, stripAccents(text), text.toUpperCase()]) {
          const u = read(variant);
          expect(u.intent).toBe(base.intent);
          expect(u.family).toBe(base.family);
          expect(u.when).toEqual(base.when);
        }
      }),
      { seed: 42 },
    );
  });
});

describe('clearLanguage', () => {
  it('names a language only when the text is clearly written in it', () => {
    expect(clearLanguage('Hello, I work as badante for a couple in Rosate. Which cooperatives are there?')).toBe('en');
    expect(clearLanguage('Hi, I need help with shopping')).toBe('en');
    expect(clearLanguage('buongiorno vorrei aiuto per la spesa')).toBe('it');
    expect(clearLanguage('QUANTE ORE HO ANCORA')).toBe('it');
    for (const unclear of ['ok', 'grazie', 'help', 'thank you', 'ok grazie', '3', 'Maria Rossi', 'via Roma 12', 'I miei figli non vengono mai']) expect(clearLanguage(unclear), unclear).toBeUndefined();
  });
});
