import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyTestDatabase, postgresSkipped, testDbKind, type TestDatabase } from '../helpers/test-db.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Runs main.ts as `npm start` does, in a child process, and waits for its URLs. */
function startCentrale(env: Record<string, string>): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], { cwd: root, env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start within 100 s:\n${out}`)), 100_000);
    child.stdout!.on('data', () => {
      const m = /Web chat:\s+(http:\/\/localhost:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]!.replace('localhost', '127.0.0.1'), output: () => out });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
}

describe.skipIf(postgresSkipped)('npm start (main.ts in a real process)', () => {
  let dataDir: string;
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'centrale-main-'));
    if (testDbKind === 'postgres') db = await createEmptyTestDatabase();
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts on an empty database, is ready, writes generated passwords 0600 (never to the log) and stops on SIGTERM', async () => {
    const env: Record<string, string> =
      testDbKind === 'postgres'
        ? { DATABASE_URL: db!.url!, SESSION_SECRET: 'x'.repeat(40), DEMO_DATA: 'on', DATA_DIR: dataDir }
        : { DATA_DIR: dataDir };
    const { child, url, output } = await startCentrale(env);
    const ready = await fetch(`${url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ db: testDbKind });

    const file = path.join(dataDir, 'admin-password.txt');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const passwords = readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
    expect(passwords.map((p) => p[0])).toEqual(expect.arrayContaining(['admin', 'sara', 'marco']));
    for (const [, , password] of passwords) expect(output()).not.toContain(password!);
    if (testDbKind === 'pglite') expect(statSync(path.join(dataDir, 'pglite')).mode & 0o777).toBe(0o700);

    const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: passwords.find((p) => p[0] === 'admin')![2] }) });
    expect(login.status).toBe(200);

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 120_000); // a real process opening a new PGlite directory: slow on a loaded 2-core machine

  it('refuses to start with a readable message when the configuration is wrong', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], { cwd: root, env: { ...process.env, PORT: 'abc', DATABASE_URL: 'mysql://nope' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(2);
    expect(err).toMatch(/PORT:/);
    expect(err).toMatch(/DATABASE_URL:/);
  });
});
