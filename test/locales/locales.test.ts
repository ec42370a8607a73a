import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createI18n, LOCALES, loadResources, render } from '../../locales/index.ts';
import { ART7_SERVICES } from '../../core/regulation/services.ts';

type Tree = { [key: string]: string | Tree };
const root = path.resolve(import.meta.dirname, '../..');

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    if (typeof v === 'string') out.set(prefix + k, v);
    else for (const [ik, iv] of flatten(v, `${prefix}${k}.`)) out.set(ik, iv);
  }
  return out;
}
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.(ts|js)$/.test(name) ? [full] : [];
  });
}
const sources = ['core', 'db', 'api', 'bot', 'main.ts']
  .map((p) => path.join(root, p))
  .flatMap((p) => {
    try {
      return statSync(p).isDirectory() ? sourceFiles(p) : [p];
    } catch {
      return [];
    }
  })
  .map((f) => readFileSync(f, 'utf8'))
  .join('\n');

const resources = loadResources();
const namespaces = Object.keys(resources.it ?? {});
const flat = Object.fromEntries(LOCALES.map((lng) => [lng, Object.fromEntries(namespaces.map((ns) => [ns, flatten((resources[lng]?.[ns] ?? {}) as Tree)]))]));

/**
 * Keys written literally ('chat:menu.prompt') and prefixes of keys built at run time
 * (`chat:offer.${intent}` in TypeScript, 'applications:status.' + status in the console scripts).
 */
const quoted = [...sources.matchAll(/['"`]([a-zA-Z]+):([\w.]+)['"`]/g)].map((m) => `${m[1]}:${m[2]}`);
const literal = new Set(quoted.filter((k) => !k.endsWith('.')));
const prefixes = [...sources.matchAll(/`([a-zA-Z]+):([\w.]*)\$\{/g)].map((m) => `${m[1]}:${m[2]}`).concat(quoted.filter((k) => k.endsWith('.')));

describe('locales', () => {
  it('has the same keys and placeholders in Italian and English, no empty sentence', () => {
    for (const ns of namespaces) {
      const itKeys = flat.it![ns]!;
      const enKeys = flat.en![ns]!;
      expect([...enKeys.keys()].sort(), ns).toEqual([...itKeys.keys()].sort());
      for (const [key, text] of itKeys) {
        expect(text.trim().length, `${ns}:${key}`).toBeGreaterThan(0);
        expect(placeholders(enKeys.get(key) ?? ''), `${ns}:${key}`).toEqual(placeholders(text));
      }
    }
  });

  it('has every key the code uses', () => {
    const missing = [...literal].filter((k) => {
      const [ns, key] = k.split(':') as [string, string];
      return namespaces.includes(ns) && !flat.it![ns]!.has(key) && ![...flat.it![ns]!.keys()].some((x) => x.startsWith(`${key}.`));
    });
    expect(missing).toEqual([]);
    for (const prefix of prefixes) {
      const [ns, key] = prefix.split(':') as [string, string];
      if (!namespaces.includes(ns)) continue;
      expect([...flat.it![ns]!.keys()].some((k) => k.startsWith(key)), prefix).toBe(true);
    }
  });

  it('uses every sentence of the chat, web and errors namespaces (no dead text)', () => {
    for (const ns of ['chat', 'web', 'errors']) {
      const unused = [...flat.it![ns]!.keys()].filter((key) => {
        const full = `${ns}:${key}`;
        if (literal.has(full)) return false;
        if (prefixes.some((p) => full.startsWith(p))) return false;
        // web: keys are read by name inside the page renderer (t('title')), errors: by code.
        if (ns === 'web' && new RegExp(`['"]${key.replace('.', '\\.')}['"]`).test(sources)) return false;
        if (ns === 'errors' && new RegExp(`'${key}'`).test(sources)) return false;
        return true;
      });
      expect(unused, ns).toEqual([]);
    }
  });

  it('names every art. 7 service in both languages', () => {
    for (const s of ART7_SERVICES) {
      expect(flat.it!.services!.get(s.code), s.code).toBeTruthy();
      expect(flat.en!.services!.get(s.code), s.code).toBeTruthy();
    }
  });

  it('writes to citizens with Lei, never tu', () => {
    for (const ns of ['chat', 'web']) {
      for (const [key, text] of flat.it![ns]!) {
        expect(text, `${ns}:${key}`).not.toMatch(/\b(tu|ti|tuo|tua|tuoi|hai|puoi|vuoi|scrivi|scegli)\b/i);
      }
    }
  });

  it('elides the article before a date said with a vowel (l\'8, dall\'11), in Italian only', async () => {
    const i18n = await createI18n();
    expect(render(i18n, { key: 'chat:balance.periodEnd', params: { date: '8 febbraio 2027' } }, 'it')).toBe("Il programma dura fino all'8 febbraio 2027.");
    expect(render(i18n, { key: 'chat:balance.periodEnd', params: { date: '13 febbraio 2027' } }, 'it')).toBe('Il programma dura fino al 13 febbraio 2027.');
    expect(render(i18n, { key: 'chat:application.statusLine', params: { date: '11 marzo 2026', status: 'ricevuta' } }, 'it')).toBe("La domanda dell'11 marzo 2026: ricevuta.");
    expect(render(i18n, { key: 'chat:balance.periodEnd', params: { date: '8 February 2027' } }, 'en')).not.toMatch(/'/);
  });
});
