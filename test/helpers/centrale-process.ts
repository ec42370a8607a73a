/** Runs main.ts in a child process, as `npm start` does, on ephemeral PGlite unless told otherwise. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../..');

export interface CentraleProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  /** SIGTERM and wait: the exit code. */
  stop(): Promise<number | null>;
  /** Sends `signal` (e.g. SIGKILL, a crash) and waits for the exit. */
  kill(signal: NodeJS.Signals): Promise<number | null>;
  /** null while the process runs. */
  exitCode(): number | null;
  /** True once the process has exited, whatever the way. */
  exited(): boolean;
}

/** A free loopback port, for processes that must know their PUBLIC_URL before they start. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export function startCentraleProcess(env: Record<string, string> = {}, options: { startTimeoutMs?: number } = {}): Promise<CentraleProcess> {
  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const child = spawn(process.execPath, ['--import', 'tsx', 'main.ts'], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATABASE_URL: 'memory://', DEMO_DATA: 'off', CENTRALE_ADMIN_PASSWORD: 'test-admin-password', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let done = false;
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code, signal) => {
      done = true;
      resolve(code ?? (signal ? -1 : null));
    }),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`centrale did not start within ${startTimeoutMs / 1000} s:\n${out}`)), startTimeoutMs);
    child.stdout!.on('data', () => {
      const m = /Web chat:\s+(http:\/\/localhost:\d+)\//.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        child,
        url: m[1]!.replace('localhost', '127.0.0.1'),
        output: () => out,
        async stop() {
          if (!done) child.kill('SIGTERM');
          return exited;
        },
        async kill(signal) {
          if (!done) child.kill(signal);
          return exited;
        },
        exitCode: () => (done ? (child.exitCode ?? -1) : null),
        exited: () => done,
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`centrale exited with ${code}:\n${out}`));
    });
  });
}
