/**
 * `npm run build`: compiles centrale to plain JavaScript in dist/ (same layout as the sources)
 * and copies the files it reads at run time next to the modules that read them. Production runs
 * `node dist/main.js`: no TypeScript loader in the process, so less memory and a faster start.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
// `--out DIR` builds elsewhere (the build test); the directory must be called dist, which is how
// config.ts finds the project root above it.
const outIndex = process.argv.indexOf('--out');
const dist = outIndex > 0 ? path.resolve(process.argv[outIndex + 1] ?? '') : path.join(root, 'dist');
if (path.basename(dist) !== 'dist') throw new Error(`the output directory must be named dist: ${dist}`);
rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', dist], { stdio: 'inherit' });

// Read through import.meta.url at run time: migrations (db/migrate.ts), static files (api/app.ts),
// translations (locales/index.ts).
cpSync(path.join(root, 'db', 'migrations'), path.join(dist, 'db', 'migrations'), { recursive: true });
cpSync(path.join(root, 'api', 'web', 'static'), path.join(dist, 'api', 'web', 'static'), { recursive: true });
for (const entry of readdirSync(path.join(root, 'locales'), { withFileTypes: true })) {
  if (!entry.isDirectory()) continue;
  mkdirSync(path.join(dist, 'locales', entry.name), { recursive: true });
  cpSync(path.join(root, 'locales', entry.name), path.join(dist, 'locales', entry.name), { recursive: true });
}
console.log(`built ${path.relative(root, dist) || dist}/ — run it with: node ${path.relative(root, path.join(dist, 'main.js'))}`);
