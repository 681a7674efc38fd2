// Websocket over HTTP/2 (RFC 8441) against a node:http2 server that allows extended CONNECT and
// frames with ws's Receiver and Sender. One Websocket is one stream: closing it (either side)
// leaves the connection and its other streams up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _, gun, monitor, ok } from '../../src/index.js';
import { assertReceive, inProcess, refuteReceived } from '../../src/testing/index.js';
import { testCert } from '../helpers/certs.js';
import { startWsH2 } from '../helpers/ws-h2-server.js';

const h2c = { protocols: ['http2'] as const };

/** A GET answered on the same connection: everything sent before it on that connection has been handled. */
async function barrier(conn: ReturnType<typeof gun.open>): Promise<void> {
  const ref = gun.get(conn, '/barrier');
  assert.equal(ok(await gun.awaitBody(conn, ref, 2000)).toString(), 'hello');
}

test('RFC 8441 over h2c: an upgrade sent before the server SETTINGS waits for them; CONNECT :protocol websocket, gun_upgrade, then gun_ws echoes', (t) => inProcess(async () => {
  const srv = await startWsH2();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, h2c);
  const ref = gun.wsUpgrade(conn, '/echo', [['x-who', 'test']], { protocols: [['chat']] });
  await assertReceive(['gun_up', conn, 'http2'], 2000);
  const [, , , protocols, headers] = await assertReceive(['gun_upgrade', conn, ref, _, _], 2000);
  assert.deepEqual(protocols, ['websocket']);
  assert.ok(headers.some(([n, v]) => n === 'sec-websocket-protocol' && v === 'chat'));
  const h = srv.connects[0];
  assert.deepEqual([h[':method'], h[':protocol'], h[':path'], h[':scheme'], h['sec-websocket-version'], h['x-who']], ['CONNECT', 'websocket', '/echo', 'http', '13', 'test']);
  gun.wsSend(conn, ref, ['text', 'Hello!']);
  gun.wsSend(conn, ref, [['binary', Buffer.from([1, 2, 3])], ['text', 'a list']]);
  assert.deepEqual(await assertReceive(['gun_ws', conn, ref, _], 2000), ['gun_ws', conn, ref, ['text', 'Hello!']]);
  assert.deepEqual(await assertReceive(['gun_ws', conn, ref, _], 2000), ['gun_ws', conn, ref, ['binary', Buffer.from([1, 2, 3])]]);
  assert.deepEqual(await assertReceive(['gun_ws', conn, ref, _], 2000), ['gun_ws', conn, ref, ['text', 'a list']]);
  assert.deepEqual(srv.log, ['connect /echo', 'text Hello!', 'binary 3', 'text a list']);
  gun.close(conn);
}));

test('RFC 8441 over TLS (ALPN h2): the echo arrives', (t) => inProcess(async () => {
  const srv = await startWsH2({ tls: true });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { transport: 'tls', protocols: ['http2', 'http'], tlsOpts: { ca: testCert().cert } });
  assert.deepEqual(await gun.awaitUp(conn, 2000), ['ok', 'http2']);
  const ref = gun.wsUpgrade(conn, '/secure');
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 2000);
  assert.equal(srv.connects[0][':scheme'], 'https');
  gun.wsSend(conn, ref, ['text', 'over tls']);
  await assertReceive(['gun_ws', conn, ref, ['text', 'over tls']], 2000);
  gun.close(conn);
}));

test('RFC 8441: our close ends only that stream: the server close reply as gun_ws, no gun_down, the other Websocket and HTTP go on', (t) => inProcess(async () => {
  const srv = await startWsH2();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, h2c);
  const a = gun.wsUpgrade(conn, '/a');
  const b = gun.wsUpgrade(conn, '/b');
  await assertReceive(['gun_upgrade', conn, a, _, _], 2000);
  await assertReceive(['gun_upgrade', conn, b, _, _], 2000);
  gun.wsSend(conn, a, [['close', 1000, 'done'], ['text', 'after close: not sent']]);
  assert.deepEqual(await assertReceive(['gun_ws', conn, a, _], 2000), ['gun_ws', conn, a, ['close', 1000, '']]);
  await srv.seen(/^end$/);
  gun.wsSend(conn, b, ['text', 'still here']);
  await assertReceive(['gun_ws', conn, b, ['text', 'still here']], 2000);
  await barrier(conn);
  assert.deepEqual(srv.log.filter((l) => !l.startsWith('connect')), ['close 1000', 'end', 'text still here']);
  await refuteReceived(['gun_down', conn, _, _, _, _]);
  await refuteReceived(['gun_error', conn, _, _]);
  await refuteReceived(['gun_ws', conn, a, _]);
  assert.equal(gun.info(conn)?.protocol, 'http2');
  gun.close(conn);
}));

test('RFC 8441: the server closing first gets its close answered; the owner gets the close as gun_ws and nothing more', (t) => inProcess(async () => {
  const srv = await startWsH2();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, h2c);
  const ref = gun.wsUpgrade(conn, '/server-closes');
  await assertReceive(['gun_upgrade', conn, ref, _, _], 2000);
  gun.wsSend(conn, ref, ['text', 'close please']);
  assert.deepEqual(await assertReceive(['gun_ws', conn, ref, _], 2000), ['gun_ws', conn, ref, ['close', 1000, 'bye']]);
  assert.equal(await srv.seen(/^close /), 'close 1000');
  await barrier(conn);
  await refuteReceived(['gun_down', conn, _, _, _, _]);
  await refuteReceived(['gun_error', conn, _, _]);
  // A frame for the closed stream is refused to its caller, not sent.
  gun.wsSend(conn, ref, ['text', 'too late']);
  await assertReceive(['gun_error', conn, ['badstate', _]], 2000);
  gun.close(conn);
}));

test('RFC 8441: pings are answered; delivered only with silencePings: false', (t) => inProcess(async () => {
  const srv = await startWsH2();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, h2c);
  const quiet = gun.wsUpgrade(conn, '/quiet');
  const loud = gun.wsUpgrade(conn, '/loud', [], { silencePings: false });
  await assertReceive(['gun_upgrade', conn, quiet, _, _], 2000);
  await assertReceive(['gun_upgrade', conn, loud, _, _], 2000);
  gun.wsSend(conn, quiet, [['text', 'ping me'], ['text', 'then this']]);
  await assertReceive(['gun_ws', conn, quiet, ['text', 'then this']], 2000);
  gun.wsSend(conn, loud, [['text', 'ping me'], ['text', 'then this']]);
  assert.deepEqual(await assertReceive(['gun_ws', conn, loud, _], 2000), ['gun_ws', conn, loud, ['ping', Buffer.from('p')]]);
  await assertReceive(['gun_ws', conn, loud, ['text', 'then this']], 2000);
  await srv.seenTimes(/^pong p$/, 2);
  await refuteReceived(['gun_ws', conn, quiet, ['ping', _]]);
  gun.close(conn);
}));

test('RFC 8441: a refused upgrade delivers the response and its body on the same ref, and nothing more', (t) => inProcess(async () => {
  const srv = await startWsH2();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, h2c);
  const ref = gun.wsUpgrade(conn, '/refuse');
  // Waits for the upgrade's outcome, then is refused: there is no Websocket to send it on.
  gun.wsSend(conn, ref, ['text', 'too early']);
  await assertReceive(['gun_response', conn, ref, 'nofin', 403, _], 2000);
  assert.deepEqual(await assertReceive(['gun_data', conn, ref, _, _], 2000), ['gun_data', conn, ref, 'fin', Buffer.from('no websocket here')]);
  await assertReceive(['gun_error', conn, ['badstate', 'Connection needs to be upgraded to Websocket before the gun:ws_send/1 function can be used.']], 2000);
  await barrier(conn);
  // Our side of the CONNECT ended with the response (Gun 2.4.1 leaves it half open).
  assert.deepEqual(srv.log, ['connect /refuse', 'end /refuse']);
  await refuteReceived(['gun_error', conn, ref, _]);
  await refuteReceived(['gun_upgrade', conn, ref, _, _]);
  await refuteReceived(['gun_down', conn, _, _, _, _]);
  gun.close(conn);
}));

test('RFC 8441: without SETTINGS_ENABLE_CONNECT_PROTOCOL, badstate at once and no CONNECT is sent', (t) => inProcess(async () => {
  const srv = await startWsH2({ enableConnectProtocol: false });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, h2c);
  const ref = gun.wsUpgrade(conn, '/nope');
  const [, , , reason] = await assertReceive(['gun_error', conn, ref, ['badstate', _]], 2000);
  assert.deepEqual(reason, ['badstate', 'The server does not allow Websocket over HTTP/2: its SETTINGS have no SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441).']);
  await barrier(conn);
  assert.deepEqual(srv.connects, []);
  await refuteReceived(['gun_down', conn, _, _, _, _]);
  gun.close(conn);
}));

test('RFC 8441: maxPayload: a larger message is ws_error 1009 for that stream only', (t) => inProcess(async () => {
  const srv = await startWsH2();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, h2c);
  const ref = gun.wsUpgrade(conn, '/small', [], { maxPayload: 10 });
  await assertReceive(['gun_upgrade', conn, ref, _, _], 2000);
  gun.wsSend(conn, ref, ['text', 'big 100']);
  await assertReceive(['gun_error', conn, ref, ['ws_error', 1009, _]], 2000);
  assert.equal(await srv.seen(/^close /), 'close 1009');
  await barrier(conn);
  await refuteReceived(['gun_ws', conn, ref, _]);
  await refuteReceived(['gun_down', conn, _, _, _, _]);
  gun.close(conn);
}));

test('RFC 8441: flow: at zero no gun_ws comes until updateFlow', (t) => inProcess(async () => {
  const srv = await startWsH2();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, h2c);
  const ref = gun.wsUpgrade(conn, '/flow', [], { flow: 1 });
  await assertReceive(['gun_upgrade', conn, ref, _, _], 2000);
  gun.wsSend(conn, ref, ['text', 'one']);
  await assertReceive(['gun_ws', conn, ref, ['text', 'one']], 2000);
  gun.wsSend(conn, ref, ['text', 'two']);
  await srv.seen(/^text two$/);
  await barrier(conn);
  await refuteReceived(['gun_ws', conn, ref, _]);
  gun.updateFlow(conn, ref, 1);
  await assertReceive(['gun_ws', conn, ref, ['text', 'two']], 2000);
  gun.close(conn);
}));

test('RFC 8441: closingTimeout: a server that never answers our close; gun_error closed for that stream, the connection stays', (t) => inProcess(async () => {
  const srv = await startWsH2();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, h2c);
  const ref = gun.wsUpgrade(conn, '/mute', [], { closingTimeout: 100 });
  await assertReceive(['gun_upgrade', conn, ref, _, _], 2000);
  gun.wsSend(conn, ref, [['text', 'mute'], 'close']);
  await assertReceive(['gun_error', conn, ref, ['closed', 'The server did not answer the close frame within closingTimeout.']], 2000);
  await barrier(conn);
  await refuteReceived(['gun_down', conn, _, _, _, _]);
  gun.close(conn);
}));

test('RFC 8441: the connection lost under a Websocket stream: gun_error closed for it, then gun_down http2 with it killed', (t) => inProcess(async () => {
  const srv = await startWsH2();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { ...h2c, retry: 0 });
  const ref = gun.wsUpgrade(conn, '/dropped');
  await assertReceive(['gun_upgrade', conn, ref, _, _], 2000);
  gun.wsSend(conn, ref, ['text', 'drop']);
  await assertReceive(['gun_error', conn, ref, ['closed', 'The connection was lost.']], 2000);
  await assertReceive(['gun_down', conn, 'http2', _, [ref], []], 2000);
  await refuteReceived(['gun_ws', conn, ref, _]);
}));

test('RFC 8441: gun.shutdown closes each Websocket stream with 1001, delivers the server close reply, then a clean exit', (t) => inProcess(async () => {
  const srv = await startWsH2();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, h2c);
  const ref = gun.wsUpgrade(conn, '/bye');
  await assertReceive(['gun_upgrade', conn, ref, _, _], 2000);
  const mref = monitor(conn);
  gun.shutdown(conn);
  assert.deepEqual(await assertReceive(['gun_ws', conn, ref, _], 2000), ['gun_ws', conn, ref, ['close', 1001, '']]);
  await assertReceive(['DOWN', mref, 'process', conn, 'shutdown'], 2000);
  assert.equal(await srv.seen(/^close /), 'close 1001');
  await refuteReceived(['gun_error', conn, ref, _]);
}));

test('RFC 8441: frames sent before gun_upgrade wait for it; the 1.3 form goes to the only Websocket, and is refused with two', (t) => inProcess(async () => {
  const srv = await startWsH2();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, h2c);
  const first = gun.wsUpgrade(conn, '/first');
  gun.wsSend(conn, first, ['text', 'early, by ref']);
  gun.wsSend(conn, ['text', 'early, 1.3 form']);
  await assertReceive(['gun_upgrade', conn, first, _, _], 2000);
  assert.deepEqual(await assertReceive(['gun_ws', conn, first, _], 2000), ['gun_ws', conn, first, ['text', 'early, by ref']]);
  assert.deepEqual(await assertReceive(['gun_ws', conn, first, _], 2000), ['gun_ws', conn, first, ['text', 'early, 1.3 form']]);
  const second = gun.wsUpgrade(conn, '/second');
  await assertReceive(['gun_upgrade', conn, second, _, _], 2000);
  gun.wsSend(conn, ['text', 'to which?']);
  await assertReceive(['gun_error', conn, ['badstate', 'Several Websockets share this connection: gun.wsSend needs the stream reference.']], 2000);
  await refuteReceived(['gun_ws', conn, _, _]);
  gun.close(conn);
}));

test('RFC 8441: gun.cancel on a Websocket resets only its stream and sends its owner nothing more', (t) => inProcess(async () => {
  const srv = await startWsH2();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, h2c);
  const ref = gun.wsUpgrade(conn, '/cancelled');
  await assertReceive(['gun_upgrade', conn, ref, _, _], 2000);
  gun.cancel(conn, ref);
  assert.equal(await srv.seen(/^reset /), 'reset 8');
  await barrier(conn);
  await refuteReceived(['gun_error', conn, ref, _]);
  await refuteReceived(['gun_ws', conn, ref, _]);
  await refuteReceived(['gun_down', conn, _, _, _, _]);
  gun.close(conn);
}));

test('RFC 8441: the server resetting or ending a Websocket stream without a close frame: gun_error closed for it only, the connection stays', (t) => inProcess(async () => {
  const srv = await startWsH2();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, h2c);
  const ref = gun.wsUpgrade(conn, '/reset');
  const other = gun.wsUpgrade(conn, '/hang-up');
  await assertReceive(['gun_upgrade', conn, ref, _, _], 2000);
  await assertReceive(['gun_upgrade', conn, other, _, _], 2000);
  gun.wsSend(conn, ref, ['text', 'reset']);
  await assertReceive(['gun_error', conn, ref, ['closed', 'The Websocket stream ended without a close frame. (code 2)']], 2000);
  gun.wsSend(conn, other, ['text', 'hang up']);
  await assertReceive(['gun_error', conn, other, ['closed', 'The Websocket stream ended without a close frame.']], 2000);
  assert.equal(await srv.seen(/^end$/), 'end');
  await barrier(conn);
  await refuteReceived(['gun_ws', conn, ref, _]);
  await refuteReceived(['gun_down', conn, _, _, _, _]);
  gun.close(conn);
}));
