import { describe, expect, it } from 'vitest';
import { understand } from '../../../core/nlu/index.ts';

const now = new Date('2026-11-23T08:00:00Z');
const read = (text: string) => understand(text, { now });

describe('emergency detection (runs before every other rule)', () => {
  it.each([
    ['mia mamma è caduta e non si rialza', 'fall'],
    ['SONO CADUTA NN RIESCO AD ALZARMI', 'fall'],
    ['sono per terra da stamattina', 'fall'],
    ['my mother fell and hit her head', 'fall'],
    ['mio marito non respira', 'breathing'],
    ['sta soffocando', 'breathing'],
    ["can't breathe", 'breathing'],
    ['ha un forte dolore al petto', 'chest_pain'],
    ['chest pain', 'chest_pain'],
    ['è svenuta in cucina', 'unconscious'],
    ['non si sveglia', 'unconscious'],
    ['ha la bocca storta e non riesce a parlare', 'stroke'],
    ['il braccio che non si muove', 'stroke'],
    ['perde tanto sangue', 'bleeding'],
    ['sento odore di gas', 'gas'],
    ['GAS!!!', 'gas'],
    ['c è fumo in casa', 'fire'],
    ['incendio', 'fire'],
    ['la cucina ha preso fuoco', 'fire'],
    ['ha le convulsioni', 'other'],
    ['voglio farla finita', 'other'],
    ['chiamate l ambulanza', 'other'],
    ['ci sono i ladri in casa', 'other'],
    ["qualcuno è entrato in casa mia", 'other'],
    ["c'è un uomo che vuole entrare", 'other'],
    ['stanno forzando la porta', 'other'],
  ])('"%s" is an emergency (%s)', (text, kind) => {
    const u = read(text);
    expect(u.intent).toBe('emergency');
    expect(u.emergencyKind).toBe(kind);
    expect(u.signals?.[0]).toMatch(/^emergency:/);
  });

  it.each([
    // negation
    ['non sento odore di gas, volevo sapere le ore'],
    ['non c è fumo, era il vapore della pentola'],
    // fear, hypothesis, advice
    ['ho paura di cadere quando faccio il bagno'],
    ['se cado in casa cosa devo fare?'],
    ['in caso di incendio cosa devo fare?'],
    // habitual symptoms
    ['respira male quando fa le scale, vorrei aiuto per la spesa'],
    ['perde sangue dal naso ogni tanto, serve qualcuno per accompagnarlo dal medico'],
    ['si lamenta sempre di dolori al petto, il medico dice che è ansia'],
    // a past event told calmly, with a request
    ['ieri sono caduta ma sto bene, vorrei qualcuno che mi aiuti a camminare'],
    ['mia mamma ha avuto un ictus due anni fa, ora serve aiuto per lavarla'],
    ['dopo l infarto di marzo mio padre non può fare sforzi, chi gli fa la spesa?'],
    ['la pentola ha preso fuoco ieri ma l ho spenta subito, tutto ok'],
    ["l'ambulanza l'ha portata in ospedale ieri, sospendete le visite"],
    // a fall without harm, or emergency words in ordinary senses
    ['mio marito è caduto ma si è rialzato da solo, sta bene'],
    ['il gas della bolletta è aumentato'],
    ['fumo una sigaretta e poi ti scrivo'],
    ['devo fare gli esami del sangue giovedì'],
    ['i fuochi d artificio mi spaventano'],
    ['la caldaia a gas è rotta, chi chiamo?'],
    ['non riesco ad alzarmi dal letto la mattina'],
    ['I smoke too much but I need help with shopping'],
    // a break-in feared, or long past
    ['ho paura dei ladri'],
    ['la settimana scorsa sono entrati i ladri, vorrei parlare con qualcuno'],
  ])('"%s" is not an emergency', (text) => {
    expect(read(text).intent).not.toBe('emergency');
  });

  it('reads a calm past fall with a request as request_help for walking', () => {
    expect(read('ieri sono caduta ma sto bene, vorrei qualcuno che mi aiuti a camminare')).toMatchObject({
      intent: 'request_help',
      family: '5',
      code: '5B',
      subject: 'self',
    });
  });

  it('keeps a past fall an emergency when it is still going on or urgent', () => {
    expect(read('è caduta ieri sera e da allora non si alza dal letto, vorrei aiuto').intent).toBe('emergency');
    expect(read('ha avuto un infarto ieri, chiamate il 118, serve aiuto').intent).toBe('emergency');
  });

  it('treats a distant past as history unless the symptom is back now', () => {
    expect(read('mio padre ha avuto un infarto l anno scorso e adesso non può fare la spesa').intent).toBe('request_help');
    expect(read("l'anno scorso ha avuto un infarto e adesso ha di nuovo dolore al petto").intent).toBe('emergency');
    expect(read('ieri sono caduta e ora non riesco ad alzarmi dal letto, vorrei aiuto').intent).toBe('emergency');
  });

  it('survives typos in the words that matter', () => {
    expect(read('SONO CADUTO NON MI PSSO ALZARE').intent).toBe('emergency');
    expect(read('la signora ha prso i sensi').intent).toBe('emergency');
    expect(read('ho un dolore fortissimo al perto').intent).toBe('emergency');
    expect(read('la signora ha ripreso i sensi, sta bene').intent).not.toBe('emergency');
    expect(read("ai sensi dell'art. 4 vorrei fare domanda").intent).not.toBe('emergency');
    expect(read('la signora non apre la porta, sento odore di gs sul pianerottolo').intent).toBe('emergency');
  });

  it('never reads a person\'s name as a danger word', () => {
    expect(read('buongiorno sono Laura').intent).not.toBe('emergency');
    expect(read('sono Lara, la vicina').intent).not.toBe('emergency');
    expect(read('ho visto un ladro in casa').intent).toBe('emergency');
  });

  it('puts emergencies before everything else in the same message', () => {
    expect(read('quante ore ho ancora? mia madre non respira').intent).toBe('emergency');
    expect(read('buongiorno, sento puzza di gas dalla porta della signora del terzo piano').intent).toBe('emergency');
  });
});
