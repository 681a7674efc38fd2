// Message dialects on real servers: each connection sends Gun 1.3's messages (dialect '1.3',
// the default) or Gun 2.x's (dialect '2'). The owner's mailbox is asserted message by
// message, in order, for each dialect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2, { type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { _, gun, InvalidOptionError, ok, on, receive, self, send, spawn, type Pid, type StreamRef } from '../../src/index.js';
import { assertReceive, inProcess, refuteReceive, refuteReceived } from '../../src/testing/index.js';
import { readUntil, startHttp, startRaw, startWs } from '../helpers/servers.js';

const LOST = 'The connection was lost.';

async function upgraded(port: number, opts: gun.Options): Promise<{ conn: Pid; ref: StreamRef }> {
  const conn = gun.open('127.0.0.1', port, opts);
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_up', conn, 'http'], 2000);
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 2000);
  return { conn, ref };
}

test('dialect: an unknown value is an InvalidOptionError at open; both known values and the default are accepted', () => inProcess(async () => {
  assert.throws(() => gun.open('127.0.0.1', 1, { dialect: 'x' as never }), (err: unknown) => err instanceof InvalidOptionError && /dialect/.test((err as Error).message));
  assert.throws(() => gun.open('127.0.0.1', 1, { dialect: 2 as never }), InvalidOptionError);
  for (const dialect of [undefined, '1.3', '2'] as const) {
    const conn = gun.open('127.0.0.1', 1, { dialect, retry: 0 });
    gun.close(conn);
  }
}));

test('HTTP: the server closes an idle connection → 1.3: gun_down(http, closed, [], []); 2: gun_down(http, closed, [])', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  const idle = async (dialect: '1.3' | '2'): Promise<Pid> => {
    const conn = gun.open('127.0.0.1', srv.port, { retry: 0, dialect });
    await assertReceive(['gun_up', conn, 'http'], 1000);
    assert.equal(ok(await gun.awaitBody(conn, gun.get(conn, '/'))).toString(), 'ok');
    srv.server.closeAllConnections();
    return conn;
  };
  const c13 = await idle('1.3');
  await assertReceive(['gun_down', c13, 'http', 'closed', [], []], 1000);
  const c2 = await idle('2');
  await assertReceive(['gun_down', c2, 'http', 'closed', []], 1000);
}));

test('HTTP: a stream cut by the server → 1.3: gun_error {closed, "…lost."} and gun_down killed [ref] with six elements; 2: gun_error closed, five elements', (t) => inProcess(async () => {
  const srv = await startRaw((socket) => {
    void readUntil(socket, (d) => d.includes('\r\n\r\n')).then(() => socket.destroy());
  });
  t.after(() => srv.close());
  const c13 = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const r13 = gun.get(c13, '/');
  await assertReceive(['gun_up', c13, 'http'], 1000);
  await assertReceive(['gun_error', c13, r13, ['closed', LOST]], 1000);
  await assertReceive(['gun_down', c13, 'http', 'closed', [r13], []], 1000);
  const c2 = gun.open('127.0.0.1', srv.port, { retry: 0, dialect: '2' });
  const r2 = gun.get(c2, '/');
  await assertReceive(['gun_up', c2, 'http'], 1000);
  await assertReceive(['gun_error', c2, r2, 'closed'], 1000);
  await assertReceive(['gun_down', c2, 'http', 'closed', [r2]], 1000);
}));

test('awaitUp, await and awaitBody in both dialects, errors included', (t) => inProcess(async () => {
  // Answers each request head at once, and drops the socket on GET /cut.
  const srv = await startRaw((socket) => {
    socket.on('data', (d: Buffer) => {
      if (d.includes('GET /cut')) socket.destroy();
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
  });
  t.after(() => srv.close());
  for (const [dialect, lost] of [['1.3', ['closed', LOST]], ['2', 'closed']] as const) {
    const conn = gun.open('127.0.0.1', srv.port, { retry: 1, retryTimeout: 10, dialect });
    assert.deepEqual(await gun.awaitUp(conn), ['ok', 'http'], dialect);
    const a = gun.get(conn, '/');
    assert.equal(ok(await gun.awaitBody(conn, a)).toString(), 'ok', dialect);
    const b = gun.get(conn, '/cut');
    assert.deepEqual(await gun.await(conn, b), ['error', lost], dialect);
    // Reconnected: awaitUp skips the gun_down and takes the new gun_up.
    assert.deepEqual(await gun.awaitUp(conn), ['ok', 'http'], dialect);
    const c = gun.get(conn, '/cut');
    assert.deepEqual(await gun.awaitBody(conn, c), ['error', lost], dialect);
    gun.close(conn);
    gun.flush(conn);
  }
}));

test('Websocket: the server closes (close frame) → 1.3: gun_down(ws, closed, [], []); 2: gun_down(ws, normal, [ref])', (t) => inProcess(async () => {
  const srv = await startWs({ onConnection: (ws) => ws.close(4000, 'bye') });
  t.after(() => srv.close());
  const a = await upgraded(srv.port, { retry: 0 });
  await assertReceive(['gun_ws', a.conn, a.ref, ['close', 4000, 'bye']], 1000);
  await assertReceive(['gun_down', a.conn, 'ws', 'closed', [], []], 1000);
  const b = await upgraded(srv.port, { retry: 0, dialect: '2' });
  await assertReceive(['gun_ws', b.conn, b.ref, ['close', 4000, 'bye']], 1000);
  await assertReceive(['gun_down', b.conn, 'ws', 'normal', [b.ref]], 1000);
}));

test('Websocket: the client closes → 1.3: gun_down(ws, normal, [], []); 2: gun_down(ws, normal, [ref])', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  const a = await upgraded(srv.port, { retry: 0 });
  gun.wsSend(a.conn, ['close', 1000, 'done']);
  await assertReceive(['gun_ws', a.conn, a.ref, ['close', 1000, 'done']], 1000);
  await assertReceive(['gun_down', a.conn, 'ws', 'normal', [], []], 1000);
  const b = await upgraded(srv.port, { retry: 0, dialect: '2' });
  gun.wsSend(b.conn, b.ref, ['close', 1000, 'done']);
  await assertReceive(['gun_ws', b.conn, b.ref, ['close', 1000, 'done']], 1000);
  await assertReceive(['gun_down', b.conn, 'ws', 'normal', [b.ref]], 1000);
}));

test('Websocket: TCP dropped without a close frame → 1.3: gun_down(ws, closed, [], []); 2: gun_down(ws, closed, [ref])', (t) => inProcess(async () => {
  // The server drops the TCP connection when the client's first frame comes (after the upgrade, whatever the machine's speed).
  const srv = await startWs({ onConnection: (ws) => ws.once('message', () => ws.terminate()) });
  t.after(() => srv.close());
  const a = await upgraded(srv.port, { retry: 0 });
  gun.wsSend(a.conn, a.ref, ['text', 'drop me']);
  await assertReceive(['gun_down', a.conn, 'ws', 'closed', [], []], 1000);
  const b = await upgraded(srv.port, { retry: 0, dialect: '2' });
  gun.wsSend(b.conn, b.ref, ['text', 'drop me']);
  await assertReceive(['gun_down', b.conn, 'ws', 'closed', [b.ref]], 1000);
}));

/**
 * A helper process (not the owner) upgrades the owner's connection and sends a frame; it
 * reports every message it gets to the owner as ['helper got', msg].
 */
function helperUpgrades(conn: Pid): Pid {
  const owner = self();
  return spawn(async () => {
    const ref = gun.wsUpgrade(conn, '/ws');
    send(owner, ['helper ref', ref]);
    for (;;) {
      await receive([
        on('send', () => gun.wsSend(conn, ref, ['text', 'from helper'])),
        on(_, (msg) => send(owner, ['helper got', msg])),
      ]);
    }
  });
}

test('Websocket reply_to → 1.3: gun_upgrade and gun_ws go to the owner, whoever upgraded; 2: to the process that upgraded. gun_down goes to the owner in both', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  const c13 = gun.open('127.0.0.1', srv.port, { retry: 0 });
  await assertReceive(['gun_up', c13, 'http'], 1000);
  const h13 = helperUpgrades(c13);
  const r13 = (await assertReceive(['helper ref', _], 1000))[1] as StreamRef;
  await assertReceive(['gun_upgrade', c13, r13, ['websocket'], _], 1000);
  send(h13, 'send');
  await assertReceive(['gun_ws', c13, r13, ['text', 'from helper']], 1000);
  await refuteReceive(['helper got', _], 20);
  srv.clients.at(-1)!.terminate();
  await assertReceive(['gun_down', c13, 'ws', 'closed', [], []], 1000);

  const c2 = gun.open('127.0.0.1', srv.port, { retry: 0, dialect: '2' });
  await assertReceive(['gun_up', c2, 'http'], 1000);
  const h2 = helperUpgrades(c2);
  const r2 = (await assertReceive(['helper ref', _], 1000))[1] as StreamRef;
  await assertReceive(['helper got', ['gun_upgrade', c2, r2, ['websocket'], _]], 1000);
  send(h2, 'send');
  await assertReceive(['helper got', ['gun_ws', c2, r2, ['text', 'from helper']]], 1000);
  refuteReceived(['gun_upgrade', c2, _, _, _]);
  refuteReceived(['gun_ws', c2, _, _]);
  srv.clients.at(-1)!.terminate();
  await assertReceive(['gun_down', c2, 'ws', 'closed', [r2]], 1000);
  await refuteReceive(['helper got', ['gun_down', _, _, _, _]], 20);
}));

test('an explicit replyTo is honoured in both dialects', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  const me = self();
  const other = spawn(async () => {
    for (;;) await receive([on(_, (msg) => send(me, ['other got', msg]))]);
  });
  for (const dialect of ['1.3', '2'] as const) {
    const conn = gun.open('127.0.0.1', srv.port, { retry: 0, dialect });
    const ref = gun.wsUpgrade(conn, '/ws', [], { replyTo: other });
    await assertReceive(['gun_up', conn, 'http'], 1000);
    await assertReceive(['other got', ['gun_upgrade', conn, ref, ['websocket'], _]], 1000);
    gun.close(conn);
  }
}));

test('wsSend with no Websocket, from a non-owner → 1.3: the owner gets Gun 1.3\'s badstate; 2: the caller gets Gun 2.x\'s', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  const me = self();
  const sendFrom = (conn: Pid): Pid => spawn(async () => {
    gun.wsSend(conn, ['text', 'too early']);
    await receive([on(_, (msg) => send(me, ['caller got', msg]))]);
  });
  const c13 = gun.open('127.0.0.1', srv.port);
  await assertReceive(['gun_up', c13, 'http'], 1000);
  sendFrom(c13);
  await assertReceive(['gun_error', c13, ['badstate', 'Connection needs to be upgraded to Websocket before the gun:ws_send/1 function can be used.']], 1000);
  const c2 = gun.open('127.0.0.1', srv.port, { dialect: '2' });
  await assertReceive(['gun_up', c2, 'http'], 1000);
  sendFrom(c2);
  await assertReceive(['caller got', ['gun_error', c2, ['badstate',
    'This connection does not currently accept Websocket frames. The Websocket upgrade was not performed. This may happen as a result of automatic reconnect.']]], 1000);
  refuteReceived(['gun_error', c2, _]);
  gun.close(c13);
  gun.close(c2);
}));

test('wsUpgrade on HTTP/1.0 and a second upgrade → 1.3: "only supported over HTTP/1.1"; 2: Gun 2.x\'s sentences', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  for (const [dialect, http10, again] of [
    ['1.3', 'Websocket is only supported over HTTP/1.1.', 'Websocket is only supported over HTTP/1.1.'],
    ['2', 'Websocket cannot be used over an HTTP/1.0 connection.', 'This connection only accepts Websocket frames.'],
  ] as const) {
    const c10 = gun.open('127.0.0.1', srv.port, { dialect, httpOpts: { version: 'HTTP/1.0' } });
    const r10 = gun.wsUpgrade(c10, '/ws');
    await assertReceive(['gun_up', c10, 'http'], 1000);
    await assertReceive(['gun_error', c10, r10, ['badstate', http10]], 1000);
    gun.close(c10);
    const { conn } = await upgraded(srv.port, { dialect });
    const second = gun.wsUpgrade(conn, '/ws');
    await assertReceive(['gun_error', conn, second, ['badstate', again]], 1000);
    gun.close(conn);
  }
}));

test('silencePings: false delivers pings and pongs in both dialects; the default delivers none', (t) => inProcess(async () => {
  const srv = await startWs({ onConnection: (ws) => ws.ping('p1') });
  t.after(() => srv.close());
  for (const dialect of ['1.3', '2'] as const) {
    const { conn, ref } = await upgraded(srv.port, { dialect, wsOpts: { silencePings: false } });
    await assertReceive(['gun_ws', conn, ref, ['ping', Buffer.from('p1')]], 1000);
    gun.wsSend(conn, ref, ['ping', 'q1']);
    await assertReceive(['gun_ws', conn, ref, ['pong', Buffer.from('q1')]], 1000);
    gun.close(conn);
  }
  const quiet = await upgraded(srv.port, { dialect: '2' });
  await refuteReceive(['gun_ws', quiet.conn, quiet.ref, _], 50);
  gun.close(quiet.conn);
}));

test('HTTP/2 GOAWAY: a stream above the last stream id → 1.3: listed in gun_down\'s last element; 2: gun_error goaway, gun_down without it', (t) => inProcess(async () => {
  let first: ServerHttp2Stream | undefined;
  const server = http2.createServer();
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream) => {
    stream.on('error', () => undefined);
    if (first === undefined) {
      first = stream;
      stream.respond({ ':status': 200 });
      return;
    }
    // The second stream: the server goes away having processed only the first.
    stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, first.id!);
    stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
    first.end('first done');
    first.session!.close();
    first = undefined;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => {
    for (const s of sessions) s.destroy();
    server.close(() => resolve());
  }));
  const port = (server.address() as AddressInfo).port;
  for (const dialect of ['1.3', '2'] as const) {
    const conn = gun.open('127.0.0.1', port, { protocols: ['http2'], retry: 0, dialect });
    const a = gun.get(conn, '/a');
    await assertReceive(['gun_response', conn, a, 'nofin', 200, _], 1000);
    const b = gun.get(conn, '/b');
    assert.equal(ok(await gun.awaitBody(conn, a, 1000)).toString(), 'first done');
    if (dialect === '1.3') {
      await assertReceive(['gun_down', conn, 'http2', 'normal', [], [b]], 1000);
      refuteReceived(['gun_error', conn, b, _]);
    } else {
      await assertReceive(['gun_error', conn, b, ['goaway', 'no_error', 'The connection is going away.']], 1000);
      await assertReceive(['gun_down', conn, 'http2', 'normal', []], 1000);
    }
  }
}));

test('gun.shutdown refuses a queued request → 1.3: [closing, sentence]; 2: Gun 2.x\'s [closing, shutdown]', (t) => inProcess(async () => {
  // The response ends only once the test has seen the refusal: /b is still queued behind it when shutdown comes.
  const finish: (() => void)[] = [];
  const srv = await startHttp((_req, res) => {
    res.write('slow ');
    finish.push(() => res.end('done'));
  });
  t.after(() => srv.close());
  for (const [dialect, reason] of [['1.3', ['closing', 'The connection is shutting down.']], ['2', ['closing', 'shutdown']]] as const) {
    const conn = gun.open('127.0.0.1', srv.port, { dialect });
    const a = gun.get(conn, '/a');
    const b = gun.get(conn, '/b');
    await assertReceive(['gun_response', conn, a, 'nofin', 200, _], 1000);
    gun.shutdown(conn);
    await assertReceive(['gun_error', conn, b, reason], 1000);
    for (const end of finish.splice(0)) end();
    assert.equal(ok(await gun.awaitBody(conn, a)).toString(), 'slow done');
  }
}));

test('the owner dies: a queued stream replying to another process → 1.3: [closing, sentence]; 2: [closing, owner_down]', (t) => inProcess(async () => {
  const finish: (() => void)[] = [];
  const srv = await startHttp((_req, res) => {
    res.write('slow ');
    finish.push(() => res.end('done'));
  });
  t.after(() => {
    for (const end of finish.splice(0)) end();
    return srv.close();
  });
  const me = self();
  for (const [dialect, reason] of [['1.3', ['closing', 'The connection is shutting down.']], ['2', ['closing', 'owner_down']]] as const) {
    spawn(async () => {
      const conn = gun.open('127.0.0.1', srv.port, { dialect });
      const a = gun.get(conn, '/a');
      const b = gun.get(conn, '/b', [], { replyTo: me });
      send(me, ['queued', conn, b]);
      await assertReceive(['gun_response', conn, a, 'nofin', 200, _], 1000);
    });
    const [, conn, b] = await assertReceive(['queued', _, _], 1000);
    await assertReceive(['gun_error', conn as Pid, b as StreamRef, reason], 1000);
    for (const end of finish.splice(0)) end();
  }
}));
