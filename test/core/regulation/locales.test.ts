import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import itRules from '../../../locales/it/rules.json' with { type: 'json' };
import enRules from '../../../locales/en/rules.json' with { type: 'json' };

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const flat = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === 'string') flat.set(prefix + key, value);
    else for (const [inner, text] of flatten(value, `${prefix}${key}.`)) flat.set(inner, text);
  }
  return flat;
}

const placeholders = (text: string) => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((match) => match[1]).sort();

const it_ = flatten(itRules as Tree);
const en = flatten(enRules as Tree);
const sourceDir = join(import.meta.dirname, '../../../core/regulation');
const keysUsed = new Set(
  readdirSync(sourceDir)
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => [...readFileSync(join(sourceDir, file), 'utf8').matchAll(/'rules:([\w.]+)'/g)].map((match) => match[1] ?? '')),
);

describe('rules locale namespace', () => {
  it('has a sentence in Italian and English for every key the rules use', () => {
    expect(keysUsed.size).toBeGreaterThan(40);
    for (const key of keysUsed) {
      expect(it_.get(key), `it: ${key}`).toBeTypeOf('string');
      expect(en.get(key), `en: ${key}`).toBeTypeOf('string');
    }
  });

  it('has the same keys and placeholders in both languages', () => {
    expect([...it_.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, text] of it_) expect(placeholders(en.get(key) ?? ''), key).toEqual(placeholders(text));
  });
});
