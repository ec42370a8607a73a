/** decideTurn (core/conversation/service.ts): the engine's turn, rendered in the person's language. */
import { describe, expect, it } from 'vitest';
import { decideTurn } from '../../../core/conversation/service.ts';
import { initialState } from '../../../core/conversation/engine.ts';
import { createI18n, render } from '../../../locales/index.ts';

const now = new Date('2026-11-23T09:00:00Z');

describe('decideTurn', () => {
  it('answers, and goes on, in the language the person clearly writes', async () => {
    const i18n = await createI18n();
    const r = (ref: Parameters<typeof render>[1], locale: string) => render(i18n, ref, locale);
    const view = (locale: string) => ({ channel: 'sms' as const, locale, state: initialState() as unknown as Record<string, unknown>, handling: 'bot' as const });
    const english = decideTurn(r, now, view('it'), { body: 'Hello, I need help with shopping please', input: { kind: 'text' } });
    expect(english.locale).toBe('en');
    expect(english.replies.at(-1)!.body).toMatch(/^In which comune/);
    // An Italian phone set to English: Italian from the first Italian sentence.
    const italian = decideTurn(r, now, view('en'), { body: 'buongiorno vorrei aiuto per la spesa', input: { kind: 'text' } });
    expect(italian.locale).toBe('it');
    expect(italian.replies.at(-1)!.body).toMatch(/^In quale Comune/);
    // An answer in the middle of a request is not a choice of language: an Italian address, in English.
    const asked = decideTurn(r, now, view('en'), { body: 'I need help with shopping please', input: { kind: 'text' } });
    const address = decideTurn(r, now, { ...view('en'), state: asked.state }, { body: 'Abbiategrasso, via della Repubblica di fronte alla chiesa', input: { kind: 'text' } });
    expect(address.locale).toBeUndefined();
    // Unclear text, or a chosen option, leaves the language as it is.
    for (const body of ['ok', 'help', 'Maria Rossi']) expect(decideTurn(r, now, view('it'), { body, input: { kind: 'text' } }).locale, body).toBeUndefined();
  });
});
