// Invalid options are rejected at open with the option path named (Gun's {error, {options, …}}),
// and no process is started.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gun, InvalidOptionError, isErlgunError, processInfo, self, type Options } from '../../src/index.js';
import { inProcess } from '../../src/testing/index.js';
import { deadPort } from '../helpers/servers.js';

const bad: [string, unknown, string][] = [
  ['retry -1', { retry: -1 }, 'retry'],
  ['retry 1.5', { retry: 1.5 }, 'retry'],
  ['retryTimeout -1', { retryTimeout: -1 }, 'retryTimeout'],
  ['connectTimeout -5', { connectTimeout: -5 }, 'connectTimeout'],
  ["connectTimeout 'x'", { connectTimeout: 'x' }, 'connectTimeout'],
  ['protocols []', { protocols: [] }, 'protocols'],
  ["protocols ['http', 'http']", { protocols: ['http', 'http'] }, 'protocols'],
  ["protocols ['spdy']", { protocols: ['spdy'] }, 'protocols'],
  ["protocols ['http2', 'http'] over tcp (no ALPN)", { protocols: ['http2', 'http'] }, 'protocols'],
  ["transport 'udp'", { transport: 'udp' }, 'transport'],
  ['an unknown key', { foo: 1 }, 'foo'],
  ["tlsOpts 'x'", { tlsOpts: 'x' }, 'tlsOpts'],
  ['httpOpts.keepalive 0', { httpOpts: { keepalive: 0 } }, 'httpOpts.keepalive'],
  ["httpOpts.version 'HTTP/2'", { httpOpts: { version: 'HTTP/2' } }, 'httpOpts.version'],
  ['httpOpts.foo', { httpOpts: { foo: 1 } }, 'httpOpts.foo'],
  ['wsOpts.keepalive -1', { wsOpts: { keepalive: -1 } }, 'wsOpts.keepalive'],
  ['wsOpts.closingTimeout 0', { wsOpts: { closingTimeout: 0 } }, 'wsOpts.closingTimeout'],
  ["wsOpts.protocols [['bad name']]", { wsOpts: { protocols: [['bad name']] } }, 'wsOpts.protocols'],
  ["wsOpts.protocols [['xmpp'], ['xmpp']] (offered twice)", { wsOpts: { protocols: [['xmpp'], ['xmpp']] } }, 'wsOpts.protocols'],
  ["wsOpts.compress 'yes'", { wsOpts: { compress: 'yes' } }, 'wsOpts.compress'],
  ['wsOpts.silencePings 1', { wsOpts: { silencePings: 1 } }, 'wsOpts.silencePings'],
  ['retryFun 3', { retryFun: 3 }, 'retryFun'],
  // Set by the connection itself: they would connect elsewhere or negotiate a protocol it does not speak.
  ["tlsOpts.ALPNProtocols ['h2']", { tlsOpts: { ALPNProtocols: ['h2'] } }, 'tlsOpts.ALPNProtocols'],
  ["tlsOpts.host '127.0.0.1'", { tlsOpts: { host: '127.0.0.1' } }, 'tlsOpts.host'],
  ['tcpOpts.port 81', { tcpOpts: { port: 81 } }, 'tcpOpts.port'],
  ["tcpOpts.path '/tmp/x.sock'", { tcpOpts: { path: '/tmp/x.sock' } }, 'tcpOpts.path'],
];

for (const [what, opts, path] of bad) {
  test(`gun.open rejects ${what}, naming \`${path}\``, () => inProcess(async () => {
    const before = processInfo(self())!;
    const err = (() => {
      try {
        gun.open('127.0.0.1', 80, opts as Options);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    assert.ok(err instanceof InvalidOptionError, `${what}: expected InvalidOptionError, got ${String(err)}`);
    assert.equal(err.code, 'ERR_INVALID_OPTION');
    assert.equal(err.option, path);
    assert.ok(err.message.includes(`\`${path}\``), err.message);
    assert.ok(isErlgunError(err));
    // No process was started: nothing monitors the caller, nothing arrives.
    assert.deepEqual(processInfo(self())!.monitoredBy, before.monitoredBy);
  }));
}

test('host and port are checked too', () => {
  assert.throws(() => gun.open('', 80), { code: 'ERR_INVALID_OPTION', option: 'host' });
  assert.throws(() => gun.open('127.0.0.1', 70000), { code: 'ERR_INVALID_OPTION', option: 'port' });
});

test('valid options are accepted (Infinity timeouts, retry 0)', () => inProcess(async () => {
  const port = await deadPort();
  const conn = gun.open('127.0.0.1', port, {
    connectTimeout: Infinity, retry: 0, retryTimeout: 0, protocols: ['http'], transport: 'tcp',
    httpOpts: { keepalive: Infinity, version: 'HTTP/1.1' }, wsOpts: { keepalive: Infinity, compress: true, protocols: [['xmpp']], silencePings: false, closingTimeout: 100 },
  });
  gun.close(conn);
}));

test('wsUpgrade checks its own options, under wsUpgrade.opts', () => inProcess(async () => {
  const conn = gun.open('127.0.0.1', await deadPort(), { retry: 0 });
  assert.throws(() => gun.wsUpgrade(conn, '/', [], { keepalive: -1 }), { code: 'ERR_INVALID_OPTION', option: 'wsUpgrade.opts.keepalive' });
  gun.close(conn);
}));

test('header injection and bad names are refused with InvalidHeaderError', () => inProcess(async () => {
  const conn = gun.open('127.0.0.1', await deadPort(), { retry: 0 });
  for (const call of [
    () => gun.get(conn, '/a\r\nb'),
    () => gun.get(conn, '/a b'),
    () => gun.get(conn, '/', [['x', 'a\r\nInjected: 1']]),
    () => gun.get(conn, '/', [['bad name', 'v']]),
    () => gun.post(conn, '/', { 'x-evil': 'a\nb' }, 'body'),
    () => gun.wsUpgrade(conn, '/', [['authorization', 'Basic x\r\n']]),
  ]) {
    assert.throws(call, (e: unknown) => isErlgunError(e) && e.code === 'ERR_INVALID_HEADER');
  }
  gun.close(conn);
}));
