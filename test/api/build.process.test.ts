/**
 * `npm run build` + `node dist/main.js`, the production way to run centrale: the compiled copy
 * must find everything it reads at run time (migrations, translations, static files) and the
 * project root above dist/ (where data/ lives). Built once, on the PGlite project only.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDbKind } from '../helpers/test-db.ts';

const root = path.resolve(import.meta.dirname, '../..');
const buildRoot = path.join(root, '.build-test', String(process.pid));
const dist = path.join(buildRoot, 'dist');

describe.skipIf(testDbKind !== 'pglite')('the compiled build (npm run build, node dist/main.js)', () => {
  let child: ChildProcess | undefined;
  let url = '';
  let output = '';
  beforeAll(async () => {
    await promisify(execFile)(process.execPath, [path.join(root, 'scripts', 'build.mjs'), '--out', dist], { cwd: root, timeout: 110_000 });
    child = spawn(process.execPath, [path.join(dist, 'main.js')], {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: 'memory://', LOG_LEVEL: 'warn', DATA_DIR: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d) => (output += d));
    url = await new Promise<string>((resolve, reject) => {
      // Migrations and demo data take ~10 s alone; on 2 cores shared with other test files, several times that.
      const timer = setTimeout(() => reject(new Error(`no start within 120 s:\n${output}`)), 120_000);
      child!.stdout!.on('data', (d) => {
        output += d;
        const m = /Web chat:\s+(http:\/\/localhost:\d+)\//.exec(output);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!.replace('localhost', '127.0.0.1'));
        }
      });
      child!.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
    });
  }, 240_000);
  afterAll(() => {
    child?.kill('SIGKILL');
    rmSync(buildRoot, { recursive: true, force: true });
  });

  it('starts with migrations applied and the demo data, and keeps data/ beside dist/, not inside it', async () => {
    expect((await fetch(`${url}/ready`)).status).toBe(200);
    expect(existsSync(path.join(buildRoot, 'data', 'admin-password.txt'))).toBe(true);
    expect(existsSync(path.join(dist, 'data'))).toBe(false);
  });

  it('serves the chat page and its static files, and answers in Italian from the translations', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('lang="it"');
    const scripts = [...(await (await fetch(`${url}/`)).text()).matchAll(/src="(\/static\/[^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) expect((await fetch(`${url}${src}`)).status).toBe(200);
    const session = (await (await fetch(`${url}/chat/web/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as { sessionId: string; token: string };
    const res = await fetch(`${url}/chat/web/sessions/${session.sessionId}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
      body: JSON.stringify({ text: 'buongiorno' }),
    });
    expect(res.status).toBe(200);
    const body = JSON.stringify(await res.json());
    expect(body).toMatch(/Buongiorno|Lei|aiut/);
    expect(body).not.toMatch(/channels:|chat:[a-z]/); // a missing translation shows its key
  });
});
