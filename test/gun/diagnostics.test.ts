// diagnostics_channel channels and NODE_DEBUG=erlgun, each seen from a real connection.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  _, anyNumber, diagnosticsChannels as channels, gun, self, send, setLogger, spawn, type CrashReport, type WebsocketOpenMessage,
} from '../../src/index.js';
import { assertReceive, inProcess } from '../../src/testing/index.js';
import { startHttp, startWs } from '../helpers/servers.js';
import { startWsH2 } from '../helpers/ws-h2-server.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Forwards what is published on `name` to the calling process's mailbox as [name, message]. */
function watch(t: TestContext, name: string): void {
  const me = self();
  const forward = (message: unknown): void => {
    send(me, [name, message]);
  };
  subscribe(name, forward);
  t.after(() => unsubscribe(name, forward));
}

test('erlgun:connection:state, :retry and :giveup follow a connection whose server goes away', (t) => inProcess(async () => {
  for (const name of [channels.connectionState, channels.connectionRetry, channels.connectionGiveUp]) watch(t, name);
  const srv = await startHttp((_req, res) => res.end('ok'));
  const conn = gun.open('127.0.0.1', srv.port, { retry: 1, retryTimeout: 10 });
  const state = (from: string, to: string) => [channels.connectionState, { conn, host: '127.0.0.1', port: srv.port, from, to }];
  await assertReceive(state('not_connected', 'connecting'), 1000);
  await assertReceive(state('connecting', 'connected'), 1000);
  await assertReceive(['gun_up', conn, 'http']);
  await srv.close();
  await assertReceive(state('connected', 'not_connected'), 1000);
  const [, retry] = await assertReceive([channels.connectionRetry, { conn, wait: anyNumber, retriesLeft: 0 }], 1000);
  assert.ok(retry.wait >= 10, `waits at least retryTimeout, got ${retry.wait}`);
  await assertReceive(state('not_connected', 'connecting'), 5000);
  await assertReceive([channels.connectionGiveUp, { conn, port: srv.port, reason: _ }], 1000);
}));

test('erlgun:websocket:open and :close report an upgrade and its close handshake', (t) => inProcess(async () => {
  watch(t, channels.websocketOpen);
  watch(t, channels.websocketClose);
  const srv = await startWs();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
  const [, open] = await assertReceive([channels.websocketOpen, { conn, ref, headers: _ }]);
  assert.ok((open as WebsocketOpenMessage).headers.some(([name]) => name === 'sec-websocket-accept'));
  gun.wsSend(conn, ref, ['close', 1000, 'bye']);
  await assertReceive([channels.websocketClose, { conn, ref, code: 1000, reason: 'bye', down: 'normal' }], 1000);
}));

/** Like `watch`, with the pid of the process the publisher ran in: [name, message, self()]. */
function watchWithPublisher(t: TestContext, name: string): void {
  const me = self();
  const forward = (message: unknown): void => {
    send(me, [name, message, self()]);
  };
  subscribe(name, forward);
  t.after(() => unsubscribe(name, forward));
}

test('socket events are handled inside the connection process: the 101 and the close reply, over HTTP/1.1 and HTTP/2', (t) => inProcess(async () => {
  watchWithPublisher(t, channels.websocketOpen);
  watchWithPublisher(t, channels.websocketClose);
  const h1 = await startWs();
  t.after(() => h1.close());
  const h2 = await startWsH2();
  t.after(() => h2.close());
  for (const [port, opts] of [[h1.port, {}], [h2.port, { protocols: ['http2'] as const }]] as const) {
    const conn = gun.open('127.0.0.1', port, opts);
    const ref = gun.wsUpgrade(conn, '/echo');
    await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 2000);
    // Both are published while a socket event is handled: the 101 (or the CONNECT's 200) read, then the server's close frame.
    await assertReceive([channels.websocketOpen, { conn, ref, headers: _ }, conn], 1000);
    gun.wsSend(conn, ref, ['close', 1000, 'bye']);
    await assertReceive([channels.websocketClose, { conn, ref, code: 1000, reason: _, down: _ }, conn], 2000);
    gun.close(conn);
  }
}));

test('erlgun:process:crash carries the crash report of a process nothing watches', (t) => inProcess(async () => {
  watch(t, channels.processCrash);
  const previous = setLogger(() => undefined);
  t.after(() => setLogger(previous));
  const pid = spawn(() => {
    throw new Error('unwatched');
  });
  const [, report] = await assertReceive([channels.processCrash, { pid, reason: _, text: _ }]);
  assert.match((report as CrashReport).text, /Error in process <0\.\d+\.0> with exit value: Error: unwatched/);
}));

test('NODE_DEBUG=erlgun prints state changes, "retrying in N ms" and "giving up"; without it, nothing', async () => {
  const args = ['--conditions=erlgun-source', '--import', 'tsx', 'test/helpers/debug-child.ts'];
  const { stderr } = await run(process.execPath, args, { cwd: root, env: { ...process.env, NODE_DEBUG: 'erlgun' } });
  assert.match(stderr, /^ERLGUN \d+: <0\.\d+\.0> 127\.0\.0\.1:\d+ not_connected -> connecting$/m);
  assert.match(stderr, /^ERLGUN \d+: <0\.\d+\.0> 127\.0\.0\.1:\d+ retrying in \d+ ms \(0 retries left\)$/m);
  assert.match(stderr, /^ERLGUN \d+: <0\.\d+\.0> 127\.0\.0\.1:\d+ giving up: 'econnrefused'$/m);
  const quiet = await run(process.execPath, args, { cwd: root, env: { ...process.env, NODE_DEBUG: '' } });
  assert.doesNotMatch(quiet.stderr, /ERLGUN/);
});
