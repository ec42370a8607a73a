// A throwaway PostgreSQL cluster for integration tests: initdb into a temporary directory, start on a
// free loopback port, stop and delete everything afterwards. The `postgres` vitest project runs the
// same integration tests as the `pglite` one against it, so that behaviour PGlite does not share with
// a real server (separate connections, locking, a server that goes away) is exercised too.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants as fsConstants, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { appendFile, chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import postgres from 'postgres';

export interface PostgresCluster {
  /** admin URL to the `postgres` database, e.g. postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
  /** stop the server but keep its data (for fault-injection tests) */
  halt(): Promise<void>;
  /** start it again on the same port after halt() */
  restart(): Promise<void>;
}

export interface PostgresBinaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

const MIN_MAJOR = 15;
const PREFERRED_MAJOR = 15;
// Where Debian/Ubuntu's postgresql-<major> packages put the server binaries (off the PATH).
const DEBIAN_ROOT = '/usr/lib/postgresql';
const READY_TIMEOUT_MS = 30_000;
const LOG_TAIL_LINES = 40;

const INSTALL_HINT = [
  'Install the server with:',
  '  apt-get update && apt-get install -y postgresql',
  `(Debian/Ubuntu put the binaries in ${DEBIAN_ROOT}/<major>/bin, which is searched even when it is not on PATH;`,
  ` elsewhere put initdb, pg_ctl and postgres ${MIN_MAJOR} or newer on PATH.)`,
  'To skip the PostgreSQL integration tests explicitly instead, run with CENTRALE_SKIP_POSTGRES=1.',
].join('\n');

// ---------------------------------------------------------------------------------------------
// Binaries
// ---------------------------------------------------------------------------------------------

interface BinarySearch {
  found: (PostgresBinaries & { major: number }) | null;
  /** candidates looked at and why they were not used, for the error message */
  rejected: string[];
}

let cachedSearch: BinarySearch | undefined;

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function majorVersion(binary: string): number | null {
  // `postgres --version` is answered before the refuse-to-run-as-root check, so this works as root.
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) return null;
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(result.stdout);
  return match ? Number(match[1]) : null;
}

function candidateDirectories(): string[] {
  const dirs: string[] = [];
  for (const entry of (process.env.PATH ?? '').split(delimiter)) {
    if (!entry || !isExecutableFile(join(entry, 'initdb'))) continue;
    // /usr/local/bin/initdb (or a Homebrew shim) is often a symlink into the real bin directory:
    // resolve it so that initdb, pg_ctl and postgres all come from one installation.
    try {
      dirs.push(dirname(realpathSync(join(entry, 'initdb'))));
    } catch {
      // dangling symlink: the plain entry below is checked (and rejected) instead
    }
    dirs.push(entry);
  }
  let majors: number[] = [];
  try {
    majors = readdirSync(DEBIAN_ROOT)
      .map(Number)
      .filter((major) => Number.isInteger(major) && major >= MIN_MAJOR);
  } catch {
    // no Debian-style installation
  }
  // Production runs 15: prefer it, otherwise the newest available.
  majors.sort((a, b) => Number(b === PREFERRED_MAJOR) - Number(a === PREFERRED_MAJOR) || b - a);
  for (const major of majors) dirs.push(join(DEBIAN_ROOT, String(major), 'bin'));
  return [...new Set(dirs)];
}

function searchPostgresBinaries(): BinarySearch {
  if (cachedSearch) return cachedSearch;
  const rejected: string[] = [];
  let found: BinarySearch['found'] = null;
  for (const dir of candidateDirectories()) {
    const bins: PostgresBinaries = { initdb: join(dir, 'initdb'), pg_ctl: join(dir, 'pg_ctl'), postgres: join(dir, 'postgres') };
    const missing = Object.values(bins).filter((path) => !isExecutableFile(path));
    if (missing.length > 0) {
      rejected.push(`${dir}: missing ${missing.map((path) => path.slice(dir.length + 1)).join(', ')}`);
      continue;
    }
    const majors = Object.values(bins).map(majorVersion);
    const [major] = majors;
    if (major == null || majors.some((other) => other !== major)) {
      rejected.push(`${dir}: inconsistent or unreadable versions (${majors.join(', ')})`);
      continue;
    }
    if (major < MIN_MAJOR) {
      rejected.push(`${dir}: version ${major} is older than ${MIN_MAJOR}`);
      continue;
    }
    found = { ...bins, major };
    break;
  }
  cachedSearch = { found, rejected };
  return cachedSearch;
}

/** initdb, pg_ctl and postgres (major ≥ 15) from one directory, or null when none is installed. */
export function findPostgresBinaries(): PostgresBinaries | null {
  const { found } = searchPostgresBinaries();
  return found ? { initdb: found.initdb, pg_ctl: found.pg_ctl, postgres: found.postgres } : null;
}

// ---------------------------------------------------------------------------------------------
// Running as the postgres OS user when we are root
// ---------------------------------------------------------------------------------------------

interface ServerUser {
  /** null: run as the current user */
  account: { uid: number; gid: number } | null;
  command(cmd: string, args: string[]): [string, string[]];
}

function idOf(flag: '-u' | '-g'): number | null {
  const result = spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.trim()) : null;
}

function resolveServerUser(): ServerUser {
  if (process.getuid?.() !== 0) return { account: null, command: (cmd, args) => [cmd, args] };
  // initdb and postgres refuse to run as root, so they run as the `postgres` OS user, which
  // Debian's package creates; create it only when it is missing (e.g. a hand-built server).
  if (idOf('-u') === null) {
    const created = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { encoding: 'utf8' });
    if (created.status !== 0) {
      throw new Error(
        'PostgreSQL refuses to run as root and there is no `postgres` OS user to run it as; ' +
          `creating one with \`useradd --system postgres\` failed: ${(created.stderr || String(created.error ?? '')).trim()}\n` +
          'Create that user, or run the tests as an unprivileged user.\n' +
          INSTALL_HINT,
      );
    }
  }
  const uid = idOf('-u');
  const gid = idOf('-g');
  if (uid === null || gid === null) throw new Error('cannot read the uid/gid of the `postgres` OS user (`id postgres` failed)');
  return { account: { uid, gid }, command: (cmd, args) => ['runuser', ['-u', 'postgres', '--', cmd, ...args]] };
}

/** Can `account` reach (search) `dir`? Checks every ancestor, as the kernel does. */
function traversable(dir: string, account: { uid: number; gid: number }): boolean {
  for (let current = dir; ; current = dirname(current)) {
    let mode: number;
    let owner: number;
    let group: number;
    try {
      ({ mode, uid: owner, gid: group } = statSync(current));
    } catch {
      return false;
    }
    const bit = owner === account.uid ? 0o100 : group === account.gid ? 0o010 : 0o001;
    if ((mode & bit) === 0) return false;
    if (dirname(current) === current) return true;
  }
}

// ---------------------------------------------------------------------------------------------
// Processes
// ---------------------------------------------------------------------------------------------

interface RunResult {
  code: number | null;
  output: string;
}

function run(command: [string, string[]], cwd: string): Promise<RunResult> {
  const [cmd, args] = command;
  return new Promise((resolve) => {
    // cwd is the cluster directory: as the postgres user the caller's cwd (e.g. /root/...) may be
    // unreadable, and initdb/pg_ctl warn about that.
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ code: null, output: output + String(error) }));
    child.on('close', (code) => resolve({ code, output }));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function logTail(logFile: string): Promise<string> {
  try {
    const lines = (await readFile(logFile, 'utf8')).trimEnd().split('\n');
    return lines.slice(-LOG_TAIL_LINES).join('\n');
  } catch {
    return '(no server log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retries a real protocol round trip: proves TCP, authentication and the database all work. */
async function waitUntilAcceptingQueries(url: string, deadline: number): Promise<void> {
  let lastError: unknown;
  while (Date.now() < deadline) {
    const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      return;
    } catch (error) {
      lastError = error;
    } finally {
      await sql.end({ timeout: 1 });
    }
    await sleep(100);
  }
  throw new Error(`PostgreSQL did not accept queries within ${READY_TIMEOUT_MS / 1000} s: ${String(lastError)}`);
}

// Servers still running when the process exits (a crashed run, a forgotten stop()): the 'exit'
// handler must be synchronous, hence spawnSync/rmSync. One listener for all clusters.
const exitCleanups = new Set<() => void>();
let exitHookInstalled = false;

function onProcessExit(cleanup: () => void): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const fn of exitCleanups) {
        try {
          fn();
        } catch {
          // best effort: keep cleaning up the others
        }
      }
    });
  }
  exitCleanups.add(cleanup);
  return () => exitCleanups.delete(cleanup);
}

/**
 * A detached shell that outlives us: when this process disappears without running its 'exit'
 * handlers (SIGKILL, an OOM kill, a SIGTERM with no handler), it stops the server and removes the
 * directory, so no postmaster is left behind. stop() kills it.
 */
function spawnWatchdog(rootDir: string, stopCommand: [string, string[]]): number | undefined {
  const script =
    'parent=$1; dir=$2; shift 2; ' +
    'while kill -0 "$parent" 2>/dev/null; do sleep 1; done; ' +
    'if [ -d "$dir" ]; then "$@" >/dev/null 2>&1; rm -rf "$dir"; fi';
  try {
    const child = spawn('/bin/sh', ['-c', script, 'centrale-pg-watchdog', String(process.pid), rootDir, stopCommand[0], ...stopCommand[1]], {
      detached: true,
      stdio: 'ignore',
    });
    child.on('error', () => {}); // no /bin/sh: the 'exit' handler still covers the ordinary cases
    child.unref();
    return child.pid;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// The cluster
// ---------------------------------------------------------------------------------------------

function quoteConf(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function isPortConflict(text: string): boolean {
  return /could not bind|Address already in use|could not create any TCP\/IP sockets/i.test(text);
}

export async function startPostgresCluster(options: { log?: (line: string) => void } = {}): Promise<PostgresCluster> {
  const log = options.log ?? (() => {});
  const startedAt = Date.now();
  const { found: bins, rejected } = searchPostgresBinaries();
  if (!bins) {
    throw new Error(
      `PostgreSQL ${MIN_MAJOR}+ server binaries (initdb, pg_ctl, postgres) not found on PATH or in ${DEBIAN_ROOT}/<major>/bin.\n` +
        (rejected.length > 0 ? `Rejected:\n${rejected.map((line) => `  ${line}`).join('\n')}\n` : '') +
        'The `postgres` test project runs the integration tests against a real PostgreSQL server.\n' +
        INSTALL_HINT,
    );
  }
  const user = resolveServerUser();

  // The os.tmpdir() of root may be somewhere the postgres user cannot reach (e.g. under /root);
  // /tmp always can be. Parent directories are not chmod-ed: that would weaken the caller's setup.
  const bases = [tmpdir(), '/tmp'];
  const base = user.account ? bases.find((dir) => traversable(dir, user.account!)) : bases[0];
  if (!base) {
    throw new Error(`the postgres OS user cannot traverse ${bases.join(' or ')}; set TMPDIR to a directory it can reach`);
  }
  const rootDir = await mkdtemp(join(base, 'centrale-pg-'));
  const dataDir = join(rootDir, 'data');
  const logFile = join(rootDir, 'postgres.log');
  const pg = (binary: string, args: string[]) => user.command(binary, args);
  // Always immediate: the data is either thrown away (stop) or meant to survive a crash (halt).
  const pgCtlStop = () => pg(bins.pg_ctl, ['stop', '-D', dataDir, '-m', 'immediate', '-s', '-w', '-t', '30']);

  let state: 'starting' | 'running' | 'halted' | 'stopped' = 'starting';
  let port = 0;
  let stopping: Promise<void> | undefined;
  let watchdogPid: number | undefined;
  let removeExitHook = () => {};

  const killWatchdog = () => {
    if (watchdogPid === undefined) return;
    try {
      process.kill(-watchdogPid, 'SIGKILL'); // its process group: the shell and its `sleep`
    } catch {
      // already gone
    }
    watchdogPid = undefined;
  };

  const stopSync = () => {
    killWatchdog();
    if (state !== 'stopped') {
      // Also when 'halted': a failed restart() may have left a postmaster behind.
      const [cmd, args] = pgCtlStop();
      spawnSync(cmd, args, { cwd: rootDir, stdio: 'ignore', timeout: 30_000 });
    }
    state = 'stopped';
    rmSync(rootDir, { recursive: true, force: true });
  };

  const url = () => `postgres://postgres@127.0.0.1:${port}/postgres`;

  const pgCtlStart = async (): Promise<RunResult> =>
    run(pg(bins.pg_ctl, ['start', '-D', dataDir, '-l', logFile, '-s', '-w', '-t', String(READY_TIMEOUT_MS / 1000), '-o', `-p ${port}`]), rootDir);

  const startServer = async (allowNewPort: boolean): Promise<void> => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    // The free port is only free when we looked: another process may take it before the server
    // binds. On the first start, pick another one; restart() must keep its port.
    for (let attempt = 1; ; attempt++) {
      const result = await pgCtlStart();
      if (result.code === 0) break;
      const tail = await logTail(logFile);
      if (allowNewPort && attempt < 3 && isPortConflict(tail)) {
        port = await freePort();
        continue;
      }
      throw new Error(`pg_ctl start failed (exit ${result.code}): ${result.output.trim()}\n--- ${logFile} (tail) ---\n${tail}`);
    }
    try {
      await waitUntilAcceptingQueries(url(), deadline);
    } catch (error) {
      throw new Error(`${(error as Error).message}\n--- ${logFile} (tail) ---\n${await logTail(logFile)}`);
    }
  };

  try {
    // Registered first so that a failure or exit during start-up still removes the directory.
    removeExitHook = onProcessExit(stopSync);
    if (user.account) await chown(rootDir, user.account.uid, user.account.gid);

    const initdb = await run(
      pg(bins.initdb, ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8', '--locale=C', '--no-instructions']),
      rootDir,
    );
    if (initdb.code !== 0) throw new Error(`initdb failed (exit ${initdb.code}):\n${initdb.output.trim()}`);

    // Settings live in postgresql.conf rather than on the command line so that restart() (and a
    // developer running pg_ctl by hand on a kept directory) gets exactly the same server.
    // Unix sockets are limited to ~107 bytes; the tests use TCP, so a too-long path just disables them.
    const socketDir = `${rootDir}/.s.PGSQL.65535`.length < 100 ? rootDir : '';
    await appendFile(
      join(dataDir, 'postgresql.conf'),
      [
        '',
        '# centrale test cluster: throwaway, loopback only (trust auth), durability traded for speed.',
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = ${quoteConf(socketDir)}`,
        'fsync = off',
        'full_page_writes = off',
        // synchronous_commit stays on: with fsync = off a commit costs a write() and no flush, and
        // halt() stops the server the way a crash does, so committed rows must already be in the WAL
        // for "data written before halt() is still there after restart()" to hold.
        'synchronous_commit = on',
        'max_connections = 200',
        'shared_buffers = 128MB',
        "timezone = 'UTC'",
        '',
      ].join('\n'),
    );

    port = await freePort();
    watchdogPid = spawnWatchdog(rootDir, pgCtlStop());
    await startServer(true);
    state = 'running';
  } catch (error) {
    stopSync();
    removeExitHook();
    throw error;
  }

  log(`PostgreSQL ${bins.major} test cluster ready at ${url()} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (data: ${dataDir})`);

  const cluster: PostgresCluster = {
    url: url(),
    port, // fixed from here on: restart() reuses it
    dataDir,
    stop() {
      stopping ??= (async () => {
        killWatchdog();
        let failure: string | undefined;
        if (state !== 'stopped') {
          // Also when 'halted' (then pg_ctl just finds no server): a failed restart() may have
          // left a postmaster behind.
          const result = await run(pgCtlStop(), rootDir);
          if (result.code !== 0 && state === 'running') failure = `pg_ctl stop failed (exit ${result.code}): ${result.output.trim()}`;
        }
        state = 'stopped';
        removeExitHook();
        // Removed even on failure: a postmaster whose lock file disappears shuts itself down.
        await rm(rootDir, { recursive: true, force: true });
        if (failure) throw new Error(failure);
      })();
      return stopping;
    },
    async halt() {
      if (state === 'halted') return;
      if (state !== 'running') throw new Error('halt(): the PostgreSQL test cluster is stopped');
      // immediate = the server vanishes as in a crash: clients see broken connections and the
      // next start replays the WAL.
      const result = await run(pgCtlStop(), rootDir);
      if (result.code !== 0) throw new Error(`pg_ctl stop failed (exit ${result.code}): ${result.output.trim()}\n${await logTail(logFile)}`);
      state = 'halted';
    },
    async restart() {
      if (state === 'running') return;
      if (state !== 'halted') throw new Error('restart(): the PostgreSQL test cluster is stopped');
      await startServer(false);
      state = 'running';
    },
  };
  return cluster;
}
