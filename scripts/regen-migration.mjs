#!/usr/bin/env node
// Development helper: regenerates the newest, not-yet-released migration from db/schema.ts.
// Usage: node scripts/regen-migration.mjs <tag-without-number>   (e.g. case_management)
// It removes the last journal entry only if its tag ends with that name, then runs drizzle-kit.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const name = process.argv[2];
if (!name) throw new Error('usage: regen-migration.mjs <name>');
const journalPath = 'db/migrations/meta/_journal.json';
const journal = JSON.parse(readFileSync(journalPath, 'utf8'));
const last = journal.entries.at(-1);
if (last && last.tag.endsWith(`_${name}`)) {
  journal.entries.pop();
  writeFileSync(journalPath, JSON.stringify(journal, null, 2));
  rmSync(`db/migrations/${last.tag}.sql`, { force: true });
  rmSync(`db/migrations/meta/${String(last.idx).padStart(4, '0')}_snapshot.json`, { force: true });
}
execFileSync('npx', ['drizzle-kit', 'generate', '--name', name], { stdio: 'inherit' });
