/** Runs main.ts in a child process, as `npm start` does, on ephemeral PGlite unless told otherwise. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface CentraleProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

export function startCentraleProcess(env: Record<string, string> = {}): Promise<CentraleProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: 'memory://', DEMO_DATA: 'off', CENTRALE_ADMIN_PASSWORD: 'test-admin-password', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`centrale did not start within 60 s:\n${out}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /Web chat:\s+(http:\/\/localhost:\d+)\//.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        child,
        url: m[1]!.replace('localhost', '127.0.0.1'),
        output: () => out,
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`centrale exited with ${code}:\n${out}`));
    });
  });
}
