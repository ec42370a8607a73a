/** Child processes for the bench: servers under test run apart from the load generator. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

export interface BenchProcess {
  child: ChildProcess;
  url: string;
  /** Resident set size of the process now, in MB (Linux /proc; 0 elsewhere). */
  rssMb(): number;
  stop(): Promise<void>;
}

export function startBenchProcess(args: string[], env: Record<string, string>, ready: RegExp): Promise<BenchProcess> {
  // Compiled JavaScript (dist/, npm run build) runs as production does, without the TypeScript loader.
  const loader = args[0]?.endsWith('.js') ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start within 90 s:\n${out}`)), 90_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = ready.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      // Keep draining the pipes so a chatty child never blocks on a full buffer.
      child.stdout!.resume();
      child.stderr!.resume();
      resolve({
        child,
        url: m[1]!.startsWith('http') ? m[1]!.replace('localhost', '127.0.0.1') : `http://127.0.0.1:${m[1]}`,
        rssMb() {
          try {
            const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            return kb ? Math.round(Number(kb[1]) / 1024) : 0;
          } catch {
            return 0;
          }
        },
        async stop() {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d) => (out += d));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited:\n${out}`));
    });
  });
}

export function startBaseline(mode: 'bare' | 'insert', databaseUrl: string): Promise<BenchProcess> {
  return startBenchProcess(['bench/baseline-server.ts', mode], { DATABASE_URL: databaseUrl }, /listening (\d+)/);
}
