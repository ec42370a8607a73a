import { describe, expect, it } from 'vitest';
import { typoDistance } from '../../../core/nlu/edit-distance.ts';
import { normaliseTokens } from '../../../core/nlu/normalise.ts';
import { correctSpelling, wordsInPatterns } from '../../../core/nlu/spelling.ts';

const norm = (s: string) => normaliseTokens(s).join(' ');

describe('normaliseTokens', () => {
  it('lowercases and strips accents', () => {
    expect(norm('PERCHÉ È COSÌ? Più tardi, papà')).toBe('perche e cosi piu tardi papa');
  });

  it('turns apostrophes and punctuation into token breaks', () => {
    expect(norm("c'è l'operatrice... dov’è?!")).toBe('c e l operatrice dov e');
  });

  it('expands SMS shorthand', () => {
    expect(norm('nn riesco x la spesa xké cmq qlc mi aiuta')).toBe('non riesco per la spesa perche comunque qualcuno mi aiuta');
    expect(norm('XCHÈ nn ke')).toBe('perche non che');
    expect(norm('nn riesco + ad alzarmi')).toBe('non riesco piu ad alzarmi');
    expect(norm('sig.ra Rossi, 2h a settimana')).toBe('signora rossi 2 ore a settimana');
  });

  it('collapses stretched letters but keeps Italian double consonants', () => {
    expect(norm('ciaooo AIUTOOOO mamma')).toBe('ciao aiuto mamma');
    expect(norm('ciaoo grazieeee nooo')).toBe('ciao grazie no');
  });

  it('keeps times and numeric dates, drops ordinal signs', () => {
    expect(norm('alle 15.30 il 3/12/2026, al 2° piano')).toBe('alle 15:30 il 3/12/2026 al 2 piano');
    expect(norm('ore 9:05')).toBe('ore 9:05');
  });

  it('returns no tokens for emoji or punctuation only', () => {
    expect(normaliseTokens('😊👍 ?!...')).toEqual([]);
    expect(normaliseTokens('')).toEqual([]);
  });
});

describe('typoDistance', () => {
  it('charges one ordinary edit 10', () => {
    expect(typoDistance('igene', 'igiene', 20)).toBe(10);
    expect(typoDistance('camminare', 'camminare', 20)).toBe(0);
    expect(typoDistance('caduta', 'cadute', 20)).toBe(10);
  });

  it('charges the usual slips less: neighbouring key, swapped letters, doubled letter', () => {
    expect(typoDistance('perto', 'petto', 20)).toBeLessThan(typoDistance('perto', 'perso', 20));
    expect(typoDistance('auito', 'aiuto', 20)).toBeLessThan(typoDistance('auito', 'abito', 20));
    expect(typoDistance('spessa', 'spesa', 20)).toBeLessThan(10);
    expect(typoDistance('lavrae', 'lavare', 20)).toBeLessThan(10);
  });

  it('stops at max + 1', () => {
    expect(typoDistance('abc', 'xyz', 10)).toBe(11);
    expect(typoDistance('a', 'abcdef', 20)).toBe(21);
  });
});

describe('correctSpelling', () => {
  const fix = (s: string) => correctSpelling(s.split(' ')).join(' ');

  it('repairs typos in domain words', () => {
    expect(fix('camminnare spessa igene lavrmi acompagnare respra')).toBe('camminare spesa igiene lavarmi accompagnare respira');
  });

  it('never rewrites everyday words into domain words', () => {
    expect(fix('sposa venuta casa salgo camino cambiare servizio tirarla buon')).toBe('sposa venuta casa salgo camino cambiare servizio tirarla buon');
  });

  it('prefers the usual slip when two words are equally far', () => {
    expect(fix('perto auito tesra')).toBe('petto aiuto testa');
  });

  it('leaves short tokens, numbers and far-off words alone', () => {
    expect(fix('qui 15:30 xyzzy tavolino')).toBe('qui 15:30 xyzzy tavolino');
  });

  it('takes whole words, not stems, from rule patterns', () => {
    expect(wordsInPatterns([/\b(il servizio|cammin\w*|lavar(mi|si)|accolt\w*)\b/])).toEqual(['servizio']);
  });
});
