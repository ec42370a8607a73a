/**
 * Loads every locales/<lng>/<namespace>.json into one i18next instance at start-up.
 * Every sentence a person reads comes from these files; code only holds keys.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n as I18n, type Resource } from 'i18next';
import type { MessageRef } from '../core/errors.ts';

export const LOCALES = ['it', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'it';

const localesDir = path.dirname(fileURLToPath(import.meta.url));

export function loadResources(): Resource {
  const resources: Resource = {};
  for (const lng of LOCALES) {
    resources[lng] = {};
    for (const file of readdirSync(path.join(localesDir, lng)).filter((f) => f.endsWith('.json')).sort()) {
      resources[lng][file.slice(0, -'.json'.length)] = JSON.parse(readFileSync(path.join(localesDir, lng, file), 'utf8'));
    }
  }
  return resources;
}

export async function createI18n(): Promise<I18n> {
  const resources = loadResources();
  const instance = i18next.createInstance();
  await instance.init({
    resources,
    lng: DEFAULT_LOCALE,
    fallbackLng: DEFAULT_LOCALE,
    supportedLngs: [...LOCALES],
    ns: Object.keys(resources[DEFAULT_LOCALE] ?? {}),
    defaultNS: 'chat',
    // Text is escaped where it is placed (HTML pages, JSON); i18next must not escape twice.
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  // "Problema: {{problem, lowerFirst}}": a label that is also a button ("Non si vede da giorni")
  // reads in lower case inside a sentence.
  instance.services.formatter?.add('lowerFirst', (value: unknown) => {
    const text = String(value ?? '');
    return text.charAt(0).toLocaleLowerCase() + text.slice(1);
  });
  return instance;
}

export function asLocale(value: string | undefined | null): Locale {
  return value === 'en' ? 'en' : 'it';
}

/**
 * Sentences without parameters, per i18next instance: every chat turn renders its menu and
 * buttons, and the translations never change after start-up. Bounded by keys × our two locales
 * (any other locale string is rendered, not kept).
 */
const plainSentences = new WeakMap<I18n, Map<string, string>>();

/** Renders a MessageRef, nested refs in params first (a service name inside a sentence). */
export function render(i18n: I18n, ref: MessageRef, locale: string): string {
  if (!ref.params && (locale === 'it' || locale === 'en')) {
    let cache = plainSentences.get(i18n);
    if (!cache) plainSentences.set(i18n, (cache = new Map()));
    const id = `${locale}\u0000${ref.key}`;
    let text = cache.get(id);
    if (text === undefined) cache.set(id, (text = i18n.t(ref.key, { lng: locale })));
    return text;
  }
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(ref.params ?? {})) {
    params[k] = typeof v === 'object' ? render(i18n, v, locale) : v;
  }
  const text = i18n.t(ref.key, { ...params, lng: locale });
  return locale === 'it' ? elideBeforeNumbers(text) : text;
}

const ELIDED: Record<string, string> = { il: "l'", del: "dell'", al: "all'", dal: "dall'", nel: "nell'", sul: "sull'" };
// A number read with a vowel first: otto, ottanta, ottocento… (8, 80, 800, 8.000) and undici (11).
const BEFORE_VOWEL_NUMBER = /\b(il|del|al|dal|nel|sul|Il|Del|Al|Dal|Nel|Sul) (?=8|11(?![\d]|\.\d{1,2}\b))/g;

/**
 * Italian elides the article before a number said with a vowel: "l'8 marzo", "dall'11 al 20",
 * "all'80%". A template cannot know which date it gets, so the rendered sentence is fixed here.
 */
export function elideBeforeNumbers(text: string): string {
  return text.replace(BEFORE_VOWEL_NUMBER, (_match: string, word: string) => {
    const elided = ELIDED[word.toLowerCase()]!;
    return word[0] === word[0]!.toUpperCase() ? elided[0]!.toUpperCase() + elided.slice(1) : elided;
  });
}
