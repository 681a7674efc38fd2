// Behaviours docs/gun-differences.md claims for erlgun, each pinned by a test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _, gun, monitor, ok, processInfo, self, send } from '../../src/index.js';
import { assertReceive, inProcess } from '../../src/testing/index.js';
import { startWs } from '../helpers/servers.js';

test('gun.await on a Websocket ref: the upgrade first, then [ws, frame] for frames and the server close', (t) => inProcess(async () => {
  const srv = await startWs({
    onConnection: (ws) => {
      ws.send('hi');
      ws.close(4321, 'x');
    },
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.wsUpgrade(conn, '/ws');
  const [tag, protocols, headers] = await gun.await(conn, ref, 1000);
  assert.deepEqual([tag, protocols], ['upgrade', ['websocket']]);
  assert.ok((headers as gun.Headers).some(([n]) => n === 'sec-websocket-accept'));
  assert.deepEqual(await gun.await(conn, ref, 1000), ['ws', ['text', 'hi']]);
  assert.deepEqual(await gun.await(conn, ref, 1000), ['ws', ['close', 4321, 'x']]);
  await assertReceive(['gun_down', conn, 'ws', 'closed', [], []], 1000);
}));

test('gun.flush(conn) removes that connection’s gun_upgrade and gun_ws messages too; other messages stay', (t) => inProcess(async () => {
  const srv = await startWs({
    onConnection: (ws) => {
      ws.send('a');
      ws.send('b');
      ws.send('last');
    },
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.wsUpgrade(conn, '/ws');
  const other = gun.open('127.0.0.1', srv.port);
  const otherRef = gun.wsUpgrade(other, '/ws');
  // Frames arrive in order: once 'last' is here, everything before it is in the mailbox.
  await assertReceive(['gun_ws', conn, ref, ['text', 'last']], 1000);
  await assertReceive(['gun_ws', other, otherRef, ['text', 'last']], 1000);
  send(self(), 'unrelated');
  const before = processInfo(self())?.messages ?? [];
  const tagsOf = (c: unknown): unknown[] => before.filter((m) => Array.isArray(m) && m[1] === c).map((m) => (m as unknown[])[0]);
  assert.deepEqual(tagsOf(conn), ['gun_up', 'gun_upgrade', 'gun_ws', 'gun_ws']);
  assert.deepEqual(tagsOf(other), ['gun_up', 'gun_upgrade', 'gun_ws', 'gun_ws']);
  gun.flush(conn);
  assert.deepEqual(processInfo(self())?.messages, before.filter((m) => !(Array.isArray(m) && m[1] === conn)));
  await assertReceive(['gun_upgrade', other, otherRef, ['websocket'], _], 0);
  await assertReceive(['gun_ws', other, otherRef, ['text', 'a']], 0);
  await assertReceive('unrelated', 0);
}));

test('protocols offered, the server picks none: the upgrade succeeds with no protocol selected, as in Gun', (t) => inProcess(async () => {
  const srv = await startWs({ wsOptions: { handleProtocols: () => false } });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.wsUpgrade(conn, '/ws', [], { protocols: [['xmpp'], ['mqtt']] });
  const [, , , , headers] = await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
  assert.deepEqual(headers.filter(([n]) => n === 'sec-websocket-protocol'), []);
  gun.wsSend(conn, ['text', 'still works']);
  await assertReceive(['gun_ws', conn, ref, ['text', 'still works']], 1000);
  gun.close(conn);
}));

test('a server close with a code: the server gets that same code echoed back', (t) => inProcess(async () => {
  const me = self();
  const srv = await startWs({
    onConnection: (ws) => {
      ws.on('close', (code) => send(me, ['server saw close', code]));
      ws.close(4321, 'x');
    },
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_ws', conn, ref, ['close', 4321, 'x']], 1000);
  await assertReceive(['server saw close', 4321], 1000);
  await assertReceive(['gun_down', conn, 'ws', 'closed', [], []], 1000);
}));

test('wsSend while the connection is down (waiting to retry) with no upgrade to wait for: the owner gets badstate without waiting for the reconnect', (t) => inProcess(async () => {
  const srv = await startWs({ onConnection: (ws) => ws.close(1000) });
  t.after(() => srv.close());
  // retry: 1 with a long wait keeps the connection alive, down, after gun_down (retry: 0 would end it).
  const conn = gun.open('127.0.0.1', srv.port, { retry: 1, retryTimeout: 60_000 });
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_ws', conn, ref, ['close', 1000, '']], 1000);
  await assertReceive(['gun_down', conn, 'ws', 'closed', [], []], 1000);
  assert.equal(gun.info(conn)?.stateName, 'not_connected');
  gun.wsSend(conn, ref, ['text', 'too late']);
  await assertReceive(['gun_error', conn, ['badstate', 'Connection needs to be upgraded to Websocket before the gun:ws_send/1 function can be used.']]);
  gun.close(conn);
}));

test('wsUpgrade while a request body is streaming: gun_error badstate; the body finishes, then an upgrade works', (t) => inProcess(async () => {
  const srv = await startWs({
    onRequest: (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => res.end(`${req.method} ${Buffer.concat(chunks)}`));
    },
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const post = gun.post(conn, '/', [['content-type', 'text/plain']]);
  gun.data(conn, post, 'nofin', 'one ');
  const early = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_up', conn, 'http'], 1000);
  await assertReceive(['gun_error', conn, early, ['badstate', 'Websocket cannot be upgraded while a request body is being sent.']], 1000);
  gun.data(conn, post, 'fin', 'two');
  assert.equal(ok(await gun.awaitBody(conn, post, 1000)).toString(), 'POST one two');
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
}));

test('gun.awaitUp / gun.await / gun.awaitBody take the caller\'s own monitor ref (Gun\'s await_up/3, await/4, await_body/4)', (t) => inProcess(async () => {
  const srv = await startWs({ onRequest: (_req, res) => res.end('body') });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const mref = monitor(conn);
  assert.deepEqual(await gun.awaitUp(conn, mref), ['ok', 'http']);
  const ref = gun.get(conn, '/');
  assert.deepEqual((await gun.await(conn, ref, 1000, mref)).slice(0, 3), ['response', 'nofin', 200]);
  assert.equal(ok(await gun.awaitBody(conn, ref, mref)).toString(), 'body');
  // The caller's monitor is still there: the connection's death ends a wait through it.
  const never = gun.get(conn, '/never');
  gun.close(conn);
  assert.deepEqual(await gun.await(conn, never, mref), ['error', 'shutdown']);
}));
