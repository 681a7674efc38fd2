#!/usr/bin/env node
// Checks the package as a user gets it: packs it, inspects the tarball, installs it into a
// fresh project, type-checks a strict consumer under nodenext and bundler resolution, runs an
// ESM and a CommonJS program, and runs publint and arethetypeswrong. Exits non-zero on any failure.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const work = mkdtempSync(join(tmpdir(), 'erlgun-package-'));
const failures = [];

function run(cmd, args, cwd) {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function check(what, ok, detail = '') {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${!ok && detail ? `\n     ${detail}` : ''}`);
  if (!ok) failures.push(what);
}

try {
  // 1. The tarball: what it holds.
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], root));
  const tarball = join(work, packed.filename);
  const files = new Set(packed.files.map((f) => f.path));
  for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json']) check(`tarball has ${f}`, files.has(f));
  const targets = [];
  for (const [entry, conditions] of Object.entries(pkg.exports)) {
    for (const target of typeof conditions === 'string' ? [conditions] : Object.values(conditions)) targets.push([entry, target]);
  }
  const missingTargets = targets.filter(([, t]) => !files.has(posix.normalize(t)));
  check('every export condition points at a file in the tarball', missingTargets.length === 0, JSON.stringify(missingTargets));
  check('exports has ./package.json', pkg.exports['./package.json'] === './package.json');
  check('sideEffects is declared', pkg.sideEffects === false);
  const danglingMaps = [];
  for (const f of files) {
    if (!f.endsWith('.map')) continue;
    const map = JSON.parse(readFileSync(join(root, f), 'utf8'));
    for (const s of map.sources) if (!files.has(posix.join(posix.dirname(f), s))) danglingMaps.push(`${f} → ${s}`);
  }
  check('every source map points at a shipped file', danglingMaps.length === 0, danglingMaps.slice(0, 5).join(', '));

  // 2. A consumer project with the tarball installed from it, as `npm install erlgun` would.
  const app = join(work, 'app');
  run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }));
  const tsVersion = JSON.parse(readFileSync(join(root, 'node_modules/typescript/package.json'), 'utf8')).version;
  const nodeTypes = JSON.parse(readFileSync(join(root, 'node_modules/@types/node/package.json'), 'utf8')).version;
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, `typescript@${tsVersion}`, `@types/node@${nodeTypes}`], app);
  const installed = join(app, 'node_modules', 'erlgun');

  // 3. Strict type checks with both resolutions; `ctx.opts` must be typed (not `any`).
  const consumer = `import { _, diagnosticsChannels, gun, messages, on, receive, self, send, spawn, type ConnectionRetryMessage, type Pid, type WaitOptions } from 'erlgun';
import { spawn as spawnOnly, receive as receiveOnly } from 'erlgun/runtime';
import { assertReceive, configure, inProcess } from 'erlgun/testing';
const retryChannel: 'erlgun:connection:retry' = diagnosticsChannels.connectionRetry;
const wait = (m: ConnectionRetryMessage): number => m.wait;
const opts: WaitOptions = { signal: AbortSignal.timeout(10) };
const iterator: AsyncIterable<readonly ['tick', number]> = messages(['tick', 0 as number], opts);
configure({ assertReceiveTimeout: 200 });
void retryChannel; void wait; void iterator;
const pid: Pid = spawn(() => undefined);
send(self(), ['hello', pid]);
const got: string = await receive([on(['hello', _], () => 'hi')]);
gun.open('localhost', 80, {
  retryFun: (left, ctx) => {
    const wait: number = ctx.opts.retryTimeout;
    // @ts-expect-error ctx.opts is typed: a number is no string
    const wrong: string = ctx.opts.retryTimeout;
    return { retries: left - 1, timeout: wait + wrong.length };
  },
});
void spawnOnly; void receiveOnly; void got;
await inProcess(async () => { await assertReceive(_, 0).catch(() => undefined); });
export {};
`;
  writeFileSync(join(app, 'consumer.mts'), consumer);
  writeFileSync(join(app, 'consumer-cjs.cts'), `import erlgun = require('erlgun');\nimport testing = require('erlgun/testing');\nconst p: erlgun.Pid = erlgun.spawn(() => undefined);\nvoid p; void testing.assertReceive;\n`);
  const base = { strict: true, skipLibCheck: false, noEmit: true, target: 'ES2022', lib: ['ES2023'], types: ['node'] };
  const configs = {
    'tsconfig.nodenext.json': { compilerOptions: { ...base, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['consumer.mts', 'consumer-cjs.cts'] },
    'tsconfig.bundler.json': { compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler' }, files: ['consumer.mts'] },
  };
  for (const [file, config] of Object.entries(configs)) {
    writeFileSync(join(app, file), JSON.stringify(config, null, 2));
    try {
      run(process.execPath, [join(app, 'node_modules/typescript/bin/tsc'), '-p', file], app);
      check(`strict consumer type-checks (${file}, skipLibCheck: false)`, true);
    } catch (e) {
      check(`strict consumer type-checks (${file}, skipLibCheck: false)`, false, String(e.stdout ?? e));
    }
  }

  // 4. Programs: ESM and CommonJS each spawn, receive, and fetch over a real socket.
  const program = (load) => `${load}
const http = require_('node:http');
const server = http.createServer((req, res) => res.end('hi ' + req.url)).listen(0, '127.0.0.1', async () => {
  const pid = spawn(async () => { const m = await receive([on(['ping', _], ([, from]) => from)]); send(m, 'pong'); });
  send(pid, ['ping', self()]);
  const pong = await receive([on('pong', (m) => m)], 1000);
  const conn = gun.open('127.0.0.1', server.address().port);
  const ref = gun.get(conn, '/x');
  const [, body] = await gun.awaitBody(conn, ref);
  gun.close(conn);
  server.close();
  console.log(pong, String(body), typeof runtime.spawn, typeof testing.assertReceive, version);
});
`;
  writeFileSync(join(app, 'esm.mjs'), program(`import { _, gun, on, receive, self, send, spawn } from 'erlgun';
import * as runtime from 'erlgun/runtime';
import * as testing from 'erlgun/testing';
import { createRequire } from 'node:module';
const require_ = createRequire(import.meta.url);
const { version } = require_('erlgun/package.json');`));
  writeFileSync(join(app, 'cjs.cjs'), program(`const { _, gun, on, receive, self, send, spawn } = require('erlgun');
const runtime = require('erlgun/runtime');
const testing = require('erlgun/testing');
const require_ = require;
const { version } = require('erlgun/package.json');`));
  for (const file of ['esm.mjs', 'cjs.cjs']) {
    let out = '';
    try {
      out = run(process.execPath, [file], app).trim();
    } catch (e) {
      out = String(e.stdout ?? e);
    }
    check(`${file} runs (spawn, receive, gun over a socket)`, out === `pong hi /x function function ${pkg.version}`, out);
  }

  // 5. erlgun/runtime must not load the client: no ws, net or tls in its import graph.
  const seen = new Set();
  const outside = new Set();
  const walk = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*'([^']+)'|import\s*\(\s*'([^']+)'\s*\)/g)) {
      if (spec === undefined) continue;
      if (spec.startsWith('.')) walk(resolve(dirname(file), spec));
      else outside.add(spec);
    }
  };
  walk(join(installed, 'dist/runtime/index.js'));
  const client = [...seen].filter((f) => f.includes(`${join('dist', 'gun')}`));
  const heavy = [...outside].filter((s) => /^(node:)?(net|tls|http|https|http2)$|^ws(\/|$)/.test(s));
  check('erlgun/runtime imports no ws, net, tls or client module', client.length === 0 && heavy.length === 0 && seen.size > 5, `${[...outside].join(', ')} ${client.join(', ')}`);

  // 6. The linters.
  for (const [name, args] of [['publint', ['run', '--strict', installed]], ['attw', [tarball, '--profile', 'node16', '--ignore-rules', 'cjs-resolves-to-esm']]]) {
    try {
      console.log(run(bin(name), args, root));
      check(name, true);
    } catch (e) {
      check(name, false, String(e.stdout ?? e));
    }
  }
} finally {
  if (failures.length === 0) rmSync(work, { recursive: true, force: true });
  else console.log(`left ${work} for inspection`);
}
if (failures.length > 0) {
  console.error(`package check: ${failures.length} failure(s): ${failures.join('; ')}`);
  process.exit(1);
}
console.log('package check: all passed');
