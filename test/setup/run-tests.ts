// `npm test`: the type check and the test run side by side instead of one after the other.
// tsc takes ~40 s of one core; vitest's first ~40 s (global setups: PostgreSQL cluster, PGlite
// template build) mostly keep one core busy too, so on a 2-core CI box the check is nearly free.
// The run fails if either fails; tsc's report is printed after the tests so it is not interleaved.
// Extra arguments go to vitest (`npm test -- --project unit`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const bin = (name: string) => join(root, 'node_modules', '.bin', name);

function run(command: string, args: string[], capture: boolean): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: capture ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error) => resolve({ code: 1, output: `${output}${String(error)}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const started = Date.now();
const typecheck = run(bin('tsc'), ['-p', 'tsconfig.json'], true).then((r) => ({ ...r, seconds: (Date.now() - started) / 1000 }));
const tests = await run(bin('vitest'), ['run', ...process.argv.slice(2)], false);
const tsc = await typecheck;
if (tsc.code === 0) {
  console.log(`typecheck (tsc -p tsconfig.json): no errors (${tsc.seconds.toFixed(0)} s, alongside the tests)`);
} else {
  process.stdout.write(tsc.output);
  console.error(`typecheck (tsc -p tsconfig.json) FAILED with exit code ${tsc.code}`);
}
process.exitCode = tests.code !== 0 ? tests.code : tsc.code;
