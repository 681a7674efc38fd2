#!/usr/bin/env node
// Runs test/frameworks' one suite under node:test, vitest (threads, forks, vmThreads) and jest
// (ESM, CommonJS) against the package as built from src/ (npm ci there links it and runs its
// prepare script, which rebuilds dist/): each run must pass. Then runs the suite's
// deliberately failing tests (ERLGUN_FAILING=1) and checks what each runner printed: the
// pattern as written and the mailbox dump, the linked crash's own message, no JSON dump.
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'test', 'frameworks');
const bin = (name) => join(dir, 'node_modules', '.bin', name);
const vmModules = { NODE_OPTIONS: '--experimental-vm-modules --no-warnings=ExperimentalWarning' };
const runners = [
  ['node:test', process.execPath, ['--test', '--test-reporter=spec', 'node-test.test.mjs']],
  ['vitest threads', bin('vitest'), ['run', '--pool=threads']],
  ['vitest forks', bin('vitest'), ['run', '--pool=forks']],
  ['vitest vmThreads', bin('vitest'), ['run', '--pool=vmThreads']],
  ['jest ESM', bin('jest'), ['-c', 'jest.esm.config.mjs'], vmModules],
  ['jest CommonJS', bin('jest'), ['-c', 'jest.cjs.config.cjs']],
];
const mustShow = ["Pattern: [ 'never', _ ]", 'Process mailbox (1 message):', "  [ 'hello', 1 ]", 'linked boom'];
const mustNotShow = ['__wildcard', 'exception exit', '{"generatedMessage"'];
const failures = [];

function run(cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: 'true', ...env }, timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

console.log('$ npm ci (test/frameworks)');
const install = run('npm', ['ci', '--no-audit', '--no-fund']);
if (install.status !== 0) {
  console.error(install.output);
  process.exit(1);
}

for (const [name, cmd, args, env] of runners) {
  const passing = run(cmd, args, env);
  const ok = passing.status === 0;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: the suite passes`);
  if (!ok) {
    console.log(passing.output);
    failures.push(`${name} suite`);
  }
  const failing = run(cmd, args, { ...env, ERLGUN_FAILING: '1' });
  const missing = mustShow.filter((s) => !failing.output.includes(s));
  const unwanted = mustNotShow.filter((s) => failing.output.includes(s));
  const shown = failing.status !== 0 && missing.length === 0 && unwanted.length === 0;
  console.log(`${shown ? 'ok  ' : 'FAIL'} ${name}: failures show the pattern, the mailbox and the crash`);
  if (!shown) {
    console.log(`exit ${failing.status}; missing ${JSON.stringify(missing)}; unwanted ${JSON.stringify(unwanted)}\n${failing.output}`);
    failures.push(`${name} failure text`);
  }
}

if (failures.length > 0) {
  console.error(`framework check: ${failures.length} failure(s): ${failures.join('; ')}`);
  process.exit(1);
}
console.log('framework check: all passed');
