// Runs every program in examples/ as a user would (undici's test/examples.js idea).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

// What each example must print (one regexp per line of interest, in order).
const expected: Record<string, RegExp[]> = {
  'processes.ts': [/^count: 42$/m, /^took: second$/m, /^then: first$/m, /^after: timeout$/m, /^down: <0\.\d+\.0> exited normal$/m, /^exit: <0\.\d+\.0> crashed$/m],
};

const examples = readdirSync(new URL('../examples/', import.meta.url)).filter((f) => f.endsWith('.ts') && !f.startsWith('_'));

test('every example has expectations', () => {
  assert.deepEqual(examples.filter((f) => !(f in expected)), []);
});

for (const file of examples) {
  test(`examples/${file} runs and prints what it should`, async () => {
    const { stdout } = await run(process.execPath, ['--conditions=erlgun-source', '--import', 'tsx', `examples/${file}`], { cwd: root, timeout: 60_000 });
    let rest = stdout;
    for (const re of expected[file] ?? []) {
      const m = re.exec(rest);
      assert.ok(m, `examples/${file}: expected ${re} in order; output was:\n${stdout}`);
      rest = rest.slice(m.index + m[0].length);
    }
  });
}
