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
  'demo.ts': [/\[ 'gun_up', <0\.\d+\.0>, 'http' \]/, /socket is 127\.0\.0\.1:(\d+)\)/, /'gun_response', .*'nofin', 200/, /'gun_data', .*'fin'/, /'gun_upgrade', .*\[ 'websocket' \]/,
    /the GET and the upgrade used the same connection/, /'gun_ws', .*\[ 'text', 'Hello!' \]/, /'gun_ws', .*\[ 'text', 'a list' \]/, /'gun_ws', .*'binary'/,
    /'gun_ws', .*\[ 'close', 1000, 'bye' \]/, /'gun_down', .*'ws', 'normal'/, /'gun_up', .*'http'/, /a new connection/],
  'http.ts': [/^status: 200$/m, /^data: \{"login":"ninenines",$/m, /^data \(fin\): "name":"Nine Nines"\}$/m, /^await: 200 nofin$/m, /^awaitBody: \{"login":"ninenines","name":"Nine Nines"\}$/m],
  'connect.ts': [/^up: http$/m, /^gun_down: http closed 0 killed$/m, /^gun_up: http$/m, /^body: hello from \/after-restart$/m],
  'websocket.ts': [/^upgraded: /m, /^upgraded: /m, /^upgraded: /m, /^negotiated: xmpp$/m, /^frame: text Hello!$/m, /^frame: text one$/m, /^frame: binary two$/m, /^frame: close$/m, /^gun_down: ws normal$/m, /^gun_up again: http$/m],
  'http2.ts': [/^up: http2$/m, /^status: 200 nofin$/m, /^body: hello over h2 from \/first$/m, /^body: hello over h2 from \/second$/m],
  'websocket-h2.ts': [/^up: http2$/m, /^upgraded: \[ 'websocket' \]$/m, /^upgraded: \[ 'websocket' \]$/m, /^chat: \[ 'text', 'Hello!' \]$/m, /^feed: \[ 'binary', <Buffer 62 79 74 65 73> \]$/m,
    /^feed: \[ 'text', 'more' \]$/m, /^chat: \[ 'close', 1000, '' \]$/m, /^feed: \[ 'text', 'still here' \]$/m, /^body: hello over h2 from \/after$/m, /^protocol: http2$/m],
  'otp.ts': [/^count: 3$/m, /^idle ticks: 1$/m, /^crashed: asked to crash; restarted: true$/m, /^count after restart: 0$/m, /^call to nobody: \[ 'noproc', \[ 'gen_server', 'call'/m, /^stopped: ok$/m],
  'gen-statem.ts': [/^locked$/m, /^code length: 3$/m, /^open$/m, /^state: open$/m, /^locked$/m, /^state: locked, buttons: \[9\]$/m, /^terminate: normal in locked$/m, /^stopped: ok$/m],
  'ws-client-server.ts': [/^client: gun_up http$/m, /^client: gun_upgrade, subscribing to prices$/m, /^main: feed subscribed prices$/m, /^main: feed prices 2$/m,
    /^main: the server drops the connection$/m, /^client: gun_down ws /m, /^client: gun_up http$/m, /^client: gun_upgrade, subscribing to prices$/m, /^main: feed subscribed prices$/m,
    /^main: same client process: true; upgrades: 2$/m, /^main: killing the client$/m, /^client: gun_upgrade, subscribing to prices$/m, /^main: feed prices 2$/m,
    /^main: new client process: true; upgrades: 1$/m, /^main: stopped: ok$/m],
  'http-pool.ts': [/^\/a -> 200 hello from \/a$/m, /^\/f -> 200 hello from \/f$/m, /^pool: up: 1, 2, 3$/m, /^status: \{ up: 3, idle: 3, out: 0, waiting: 0 \}$/m,
    /^pool: down: 1, 2, 3$/m, /^pool: up: 1, 2, 3$/m, /^after the drop: 200 hello from \/again$/m, /^borrower exited: crashed$/m, /^status: \{ up: 3, idle: 3, out: 0, waiting: 0 \}$/m, /^stopped: ok$/m],
  // A node:test file run as a script: TAP on stdout, exit code 1 if a test failed.
  'exunit-style.test.ts': [/^# tests 6$/m, /^# pass 6$/m, /^# fail 0$/m],
  'processes.ts': [/^count: 42$/m, /^took: second$/m, /^then: first$/m, /^after: timeout$/m, /^down: <0\.\d+\.0> exited normal$/m, /^exit: <0\.\d+\.0> crashed$/m],
};

// node --test marks its children with NODE_TEST_CONTEXT; a node:test example run with it would
// report to this runner's protocol instead of printing TAP.
const withoutTestContext = Object.fromEntries(Object.entries(process.env).filter(([key]) => key !== 'NODE_TEST_CONTEXT'));

const examples = readdirSync(new URL('../examples/', import.meta.url)).filter((f) => f.endsWith('.ts') && !f.startsWith('_'));

test('every example has expectations', () => {
  assert.deepEqual(examples.filter((f) => !(f in expected)), []);
});

// Run a few at a time: each is a Node process of its own, and one after the other they take
// longer than a test file may on a loaded machine.
test('every example runs and prints what it should', { concurrency: 3 }, async (t) => {
  await Promise.all(examples.map((file) => t.test(`examples/${file} runs and prints what it should`, async () => {
    const { stdout } = await run(process.execPath, ['--conditions=erlgun-source', '--import', 'tsx', `examples/${file}`], { cwd: root, env: withoutTestContext, timeout: 60_000 });
    let rest = stdout;
    for (const re of expected[file] ?? []) {
      const m = re.exec(rest);
      assert.ok(m, `examples/${file}: expected ${re} in order; output was:\n${stdout}`);
      rest = rest.slice(m.index + m[0].length);
    }
  })));
});
