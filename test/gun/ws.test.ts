import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _, exit, gun, monitor, ok, on, receive, self, send, spawnMonitor, type Pid, type StreamRef } from '../../src/index.js';
import { assertReceive, inProcess, refuteReceive, refuteReceived, SimulatedClock } from '../../src/testing/index.js';
import { startHttp, startWs } from '../helpers/servers.js';
import { startWsOrigin } from '../helpers/origin.js';

async function upgraded(port: number, opts: gun.Options = {}, path = '/ws'): Promise<{ conn: Pid; ref: StreamRef }> {
  const conn = gun.open('127.0.0.1', port, opts);
  const ref = gun.wsUpgrade(conn, path);
  await assertReceive(['gun_up', conn, 'http'], 2000);
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 2000);
  return { conn, ref };
}

test('HTTP requests, then the upgrade, then frames: all on the actor’s one socket', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  await assertReceive(['gun_up', conn, 'http'], 1000);
  const get = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, get)).toString(), `hello ${srv.remotePorts[0]}`);
  const ref = gun.wsUpgrade(conn, '/ws');
  const [, , , , headers] = await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
  assert.ok(headers.some(([n]) => n === 'sec-websocket-accept'));
  gun.wsSend(conn, ['text', 'Hello!']);
  await assertReceive(['gun_ws', conn, ref, ['text', 'Hello!']]);
  assert.equal(srv.remotePorts.length, 1);
  assert.equal(gun.info(conn)?.protocol, 'ws');
}));

test('wsUpgrade before gun_up is sent once connected', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_up', conn, 'http'], 1000);
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
}));

test('extra headers are sent; protocols are offered in sec-websocket-protocol and negotiated', (t) => inProcess(async () => {
  const me = self();
  const srv = await startWs({
    wsOptions: { handleProtocols: (protocols) => (protocols.has('xmpp') ? 'xmpp' : false) },
    onConnection: (ws, req) => {
      send(me, ['server saw', [req.headers.authorization, req.headers['sec-websocket-protocol'], ws.protocol]]);
    },
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.wsUpgrade(conn, '/ws', [['authorization', 'Basic dXNlcjpwYXNz']], { protocols: [['xmpp']] });
  const [, , , , headers] = await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
  assert.deepEqual(headers.filter(([n]) => n === 'sec-websocket-protocol'), [['sec-websocket-protocol', 'xmpp']]);
  const [, seen] = await assertReceive(['server saw', _], 1000);
  assert.deepEqual(seen, ['Basic dXNlcjpwYXNz', 'xmpp', 'xmpp']);
}));

test('a refused upgrade is a gun_response, its body gun_data with the same ref; HTTP keeps working', (t) => inProcess(async () => {
  const srv = await startHttp((req, res) => {
    if (req.headers.upgrade) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end('Upgrade rejected');
    } else res.end('plain');
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_response', conn, ref, 'nofin', 400, _], 1000);
  const [, , , fin, body] = await assertReceive(['gun_data', conn, ref, _, _]);
  assert.deepEqual([fin, body.toString()], ['fin', 'Upgrade rejected']);
  const get = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, get)).toString(), 'plain');
  assert.equal(srv.remotePorts.length, 1);
}));

test('upgrade impossible on HTTP/1.0: gun_error badstate, the connection keeps working', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { httpOpts: { version: 'HTTP/1.0' } });
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_error', conn, ref, ['badstate', 'Websocket is only supported over HTTP/1.1.']], 1000);
  const get = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, get)).toString(), 'ok');
}));

test('after the upgrade: a second upgrade and HTTP requests get badstate; frames still flow', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  const { conn, ref } = await upgraded(srv.port);
  const again = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_error', conn, again, ['badstate', 'Websocket is only supported over HTTP/1.1.']], 1000);
  const get = gun.get(conn, '/');
  await assertReceive(['gun_error', conn, get, ['badstate', 'This connection only accepts Websocket frames.']], 1000);
  gun.wsSend(conn, ['text', 'still here']);
  await assertReceive(['gun_ws', conn, ref, ['text', 'still here']]);
}));

test('a request made right behind the upgrade waits for it, then gets badstate: the socket speaks Websocket', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.wsUpgrade(conn, '/ws');
  const get = gun.get(conn, '/');
  await assertReceive(['gun_up', conn, 'http'], 1000);
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
  await assertReceive(['gun_error', conn, get, ['badstate', 'This connection only accepts Websocket frames.']]);
  await refuteReceive(['gun_response', conn, get, _, _, _], 30);
}));

test('wsSend before the upgrade: the owner gets the badstate connection error', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  await assertReceive(['gun_up', conn, 'http'], 1000);
  gun.wsSend(conn, ['text', 'too early']);
  await assertReceive(['gun_error', conn, ['badstate', 'Connection needs to be upgraded to Websocket before the gun:ws_send/1 function can be used.']]);
}));

test('wsSend while a queued upgrade waits behind a request: the frame goes out once the upgrade completes (both Gun versions)', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const get = gun.get(conn, '/x');
  const ref = gun.wsUpgrade(conn, '/echo');
  await assertReceive(['gun_response', conn, get, _, 200, _], 1000);
  gun.wsSend(conn, ['text', 'x']);
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
  await assertReceive(['gun_ws', conn, ref, ['text', 'x']], 1000);
  refuteReceived(['gun_error', conn, _]);
}));

test('wsSend made before gun_up, with the upgrade: sent after it, in order', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.wsUpgrade(conn, '/echo');
  gun.wsSend(conn, ['text', 'one']);
  gun.wsSend(conn, ref, [['text', 'two'], ['text', 'three']]);
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
  for (const text of ['one', 'two', 'three']) await assertReceive(['gun_ws', conn, ref, ['text', text]], 1000);
}));

test('wsSend waiting for an upgrade that the server refuses: the owner gets badstate once the refusal comes', (t) => inProcess(async () => {
  const srv = await startWs({ wsOptions: { verifyClient: (_info, done) => done(false, 403) } });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.wsUpgrade(conn, '/echo');
  gun.wsSend(conn, ['text', 'never']);
  await assertReceive(['gun_response', conn, ref, 'nofin', 403, _], 1000);
  await assertReceive(['gun_error', conn, ['badstate', 'Connection needs to be upgraded to Websocket before the gun:ws_send/1 function can be used.']], 1000);
}));

test('the upgrade request is written as Gun writes it: host, connection, upgrade, version, key, then the caller\'s headers', (t) => inProcess(async () => {
  const me = self();
  const srv = await startWsOrigin(({ head }) => send(me, ['head', head]));
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  gun.wsUpgrade(conn, '/ws?x=1', [['authorization', 'Basic dXNlcjpwYXNz'], ['x-custom', 'a']], { protocols: [['xmpp']] });
  const [, head] = await assertReceive(['head', _], 1000);
  const lines = (head as string).split('\r\n');
  assert.equal(lines[0], 'GET /ws?x=1 HTTP/1.1');
  assert.deepEqual(lines.slice(1).filter((l) => l !== '').map((l) => l.slice(0, l.indexOf(':'))),
    ['host', 'connection', 'upgrade', 'sec-websocket-version', 'sec-websocket-key', 'sec-websocket-protocol', 'authorization', 'x-custom']);
  assert.ok(lines.includes(`host: 127.0.0.1:${srv.port}`));
  gun.close(conn);
}));

test('wsSend of a list sends in order (1.3 and 2.x forms); text, binary, Buffer text', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  const { conn, ref } = await upgraded(srv.port);
  gun.wsSend(conn, [['text', 'a'], ['binary', Buffer.from([1, 2, 3])], ['text', Buffer.from('c')]]);
  gun.wsSend(conn, ref, [['text', 'd'], ['text', 'e']]);
  gun.wsSend(conn, ref, ['text', 'f']);
  const got: unknown[] = [];
  for (let i = 0; i < 6; i++) got.push((await assertReceive(['gun_ws', conn, ref, _]))[3]);
  assert.deepEqual(got, [['text', 'a'], ['binary', Buffer.from([1, 2, 3])], ['text', 'c'], ['text', 'd'], ['text', 'e'], ['text', 'f']]);
}));

test('fragments are joined; pings are answered and silenced by default', (t) => inProcess(async () => {
  let pongs = 0;
  const srv = await startWs({
    onConnection: (ws) => {
      ws.on('pong', () => pongs++);
      ws.send('frag', { fin: false });
      ws.ping('p1');
      ws.send('mented', { fin: true });
      ws.send(Buffer.from('bin'), { binary: true });
    },
  });
  t.after(() => srv.close());
  const { conn, ref } = await upgraded(srv.port);
  await assertReceive(['gun_ws', conn, ref, ['text', 'fragmented']], 1000);
  await assertReceive(['gun_ws', conn, ref, ['binary', Buffer.from('bin')]]);
  await refuteReceive(['gun_ws', conn, ref, _], 30);
  assert.equal(pongs, 1);
}));

test('silencePings: false delivers pings and pongs; keepalive sends pings', (t) => inProcess(async () => {
  const srv = await startWs({ onConnection: (ws) => ws.ping('p1') });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { wsOpts: { silencePings: false, keepalive: 30 } });
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_upgrade', conn, ref, _, _], 1000);
  await assertReceive(['gun_ws', conn, ref, ['ping', Buffer.from('p1')]], 1000);
  await assertReceive(['gun_ws', conn, ref, 'pong'], 1000);
}));

test('the server closes: its close frame is delivered, then gun_down ws closed (Gun 1.3: no ref), then a reconnect', (t) => inProcess(async () => {
  const srv = await startWs({
    onConnection: (ws) => {
      ws.send('last words');
      ws.close(4000, 'bye');
    },
  });
  t.after(() => srv.close());
  const { conn, ref } = await upgraded(srv.port, { retryTimeout: 10 });
  await assertReceive(['gun_ws', conn, ref, ['text', 'last words']], 1000);
  await assertReceive(['gun_ws', conn, ref, ['close', 4000, 'bye']], 1000);
  await assertReceive(['gun_down', conn, 'ws', 'closed', [], []], 1000);
  await assertReceive(['gun_up', conn, 'http'], 1000);
}));

test('a close frame without a code is delivered as close', (t) => inProcess(async () => {
  const srv = await startWs({ onConnection: (ws) => ws.close() });
  t.after(() => srv.close());
  const { conn, ref } = await upgraded(srv.port, { retry: 0 });
  await assertReceive(['gun_ws', conn, ref, 'close'], 1000);
  await assertReceive(['gun_down', conn, 'ws', 'closed', [], []], 1000);
}));

test('the owner sends close: clean handshake, the echo is delivered, gun_down normal, reconnect and gun_up http', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  const { conn, ref } = await upgraded(srv.port, { retryTimeout: 10 });
  gun.wsSend(conn, [['text', 'before'], ['close', 1000, 'done'], ['text', 'never sent']]);
  await assertReceive(['gun_ws', conn, ref, ['text', 'before']], 1000);
  await assertReceive(['gun_ws', conn, ref, ['close', 1000, 'done']], 1000);
  await assertReceive(['gun_down', conn, 'ws', 'normal', [], []], 1000);
  await assertReceive(['gun_up', conn, 'http'], 1000);
  await refuteReceive(['gun_error', conn, _], 20);
  assert.equal(srv.remotePorts.length, 2);
}));

test('frames sent after the close are reported, not silently dropped', (t) => inProcess(async () => {
  const srv = await startWs({ onConnection: (ws) => ws.pause() });
  t.after(() => srv.close());
  const { conn } = await upgraded(srv.port, { retry: 0 });
  gun.wsSend(conn, 'close');
  gun.wsSend(conn, ['text', 'late']);
  await assertReceive(['gun_error', conn, ['badstate', 'The Websocket is closing: the frame was not sent.']]);
  gun.wsSend(conn, 'close');
  await refuteReceive(['gun_error', conn, _], 20);
}));

test('a silent server after our close: gun_down comes after closingTimeout', (t) => inProcess(async () => {
  const srv = await startWs({ onConnection: (ws) => ws.pause() });
  t.after(() => srv.close());
  const { conn } = await upgraded(srv.port, { retry: 0, wsOpts: { closingTimeout: 100 } });
  const t0 = performance.now();
  gun.wsSend(conn, 'close');
  await assertReceive(['gun_down', conn, 'ws', 'normal', [], []], 1000);
  assert.ok(performance.now() - t0 >= 90);
}));

test('TCP drops without a close frame: gun_down closed; frames before it are all delivered first', (t) => inProcess(async () => {
  const srv = await startWs({
    // The drop comes when the client's first frame does: after the 50, whatever the machine's speed.
    onConnection: (ws) => {
      for (let i = 0; i < 50; i++) ws.send(`m${i}`);
      ws.once('message', () => ws.terminate());
    },
  });
  t.after(() => srv.close());
  const { conn, ref } = await upgraded(srv.port, { retry: 0 });
  gun.wsSend(conn, ref, ['text', 'drop me']);
  for (let i = 0; i < 50; i++) await assertReceive(['gun_ws', conn, ref, ['text', `m${i}`]], 1000);
  await assertReceive(['gun_down', conn, 'ws', 'closed', [], []], 1000);
  await refuteReceive(['gun_ws', conn, ref, _], 20);
}));

test('owner exits: close 1001 to the server, then the connection exits', (t) => inProcess(async () => {
  const me = self();
  const srv = await startWs({ onConnection: (ws) => ws.on('close', (code) => send(me, ['server saw close', code])) });
  t.after(() => srv.close());
  const [owner, oref] = spawnMonitor(async () => {
    const { conn } = await upgraded(srv.port);
    send(me, ['conn', conn]);
    await receive([on('die', () => exit('bye'))]);
  });
  const conn = await receive([on(['conn', _], ([, c]) => c as Pid)]);
  const cref = monitor(conn);
  send(owner, 'die');
  await assertReceive(['DOWN', oref, _, _, 'bye'], 1000);
  await assertReceive(['server saw close', 1001], 1000);
  await assertReceive(['DOWN', cref, 'process', conn, ['shutdown', ['owner_down', 'bye']]], 1000);
}));

test('gun.shutdown after the upgrade: close 1001, the server\'s close reply delivered (Gun 2.x), a clean exit, no gun_down', (t) => inProcess(async () => {
  const me = self();
  const srv = await startWs({ onConnection: (ws) => ws.on('close', (code) => send(me, ['server saw close', code])) });
  t.after(() => srv.close());
  const { conn, ref } = await upgraded(srv.port);
  const mref = monitor(conn);
  gun.shutdown(conn);
  await assertReceive(['server saw close', 1001], 1000);
  await assertReceive(['gun_ws', conn, ref, ['close', 1001, '']], 1000);
  await assertReceive(['DOWN', mref, 'process', conn, 'shutdown'], 1000);
  await refuteReceive(['gun_down', _, _, _, _, _], 20);
}));

test('gun.shutdown waits for the upgrade own closingTimeout, also when it is longer than 15 s (simulated clock)', (t) => inProcess(async () => {
  // The server never reads our close frame, so only the timeout ends the wait.
  const srv = await startWs({ onConnection: (ws) => ws.pause() });
  t.after(() => srv.close());
  const clock = new SimulatedClock().install();
  t.after(() => clock.uninstall());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.wsUpgrade(conn, '/ws', [], { closingTimeout: 30_000 });
  await assertReceive(['gun_upgrade', conn, ref, _, _], 1000);
  const mref = monitor(conn);
  gun.shutdown(conn);
  await clock.advance(29_000);
  await refuteReceive(['DOWN', mref, _, _, _], 50);
  await clock.advance(1_000);
  await assertReceive(['DOWN', mref, 'process', conn, 'shutdown'], 1000);
}));

test('gun.close after the upgrade is immediate: the server sees no close frame', (t) => inProcess(async () => {
  const me = self();
  const srv = await startWs({ onConnection: (ws) => ws.on('close', (code) => send(me, ['server saw close', code])) });
  t.after(() => srv.close());
  const { conn } = await upgraded(srv.port);
  gun.close(conn);
  await assertReceive(['server saw close', 1006], 1000);
}));

test('wsOpts.reconnect re-issues the upgrade after a reconnect and delivers a fresh gun_upgrade', (t) => inProcess(async () => {
  let n = 0;
  const srv = await startWs({
    onConnection: (ws) => {
      n++;
      if (n === 1) ws.close(1001, 'restart');
      else ws.send('welcome back');
    },
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 20 });
  const ref = gun.wsUpgrade(conn, '/ws', [], { reconnect: true });
  await assertReceive(['gun_up', conn, 'http'], 1000);
  await assertReceive(['gun_upgrade', conn, ref, _, _], 1000);
  await assertReceive(['gun_ws', conn, ref, ['close', 1001, 'restart']], 1000);
  await assertReceive(['gun_down', conn, 'ws', 'closed', [], []], 1000);
  await assertReceive(['gun_up', conn, 'http'], 1000);
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
  await assertReceive(['gun_ws', conn, ref, ['text', 'welcome back']], 1000);
}));

test('compress: permessage-deflate is negotiated through ws', (t) => inProcess(async () => {
  const srv = await startWs({ wsOptions: { perMessageDeflate: true } });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.wsUpgrade(conn, '/ws', [], { compress: true });
  const [, , , , headers] = await assertReceive(['gun_upgrade', conn, ref, _, _], 1000);
  assert.match(headers.find(([n]) => n === 'sec-websocket-extensions')?.[1] ?? '', /permessage-deflate/);
  const big = 'x'.repeat(10_000);
  gun.wsSend(conn, ['text', big]);
  await assertReceive(['gun_ws', conn, ref, ['text', big]], 1000);
}));

test('replyTo in wsUpgrade options sends the upgrade and frames to another process', (t) => inProcess(async () => {
  const srv = await startWs();
  t.after(() => srv.close());
  const me = self();
  const conn = gun.open('127.0.0.1', srv.port);
  const [other] = spawnMonitor(async () => {
    const ref = await receive([on(['gun_upgrade', conn, _, _, _], ([, , r]) => r)]);
    gun.wsSend(conn, ref, ['text', 'from other']);
    const text = await receive([on(['gun_ws', conn, ref, ['text', _]], ([, , , [, s]]) => s)]);
    send(me, ['other got', text]);
  });
  gun.wsUpgrade(conn, '/ws', [], { replyTo: other });
  await assertReceive(['other got', 'from other'], 1000);
}));

test('wsUpgrade options override the connection wsOpts key by key; a key given as undefined keeps the connection value', (t) => inProcess(async () => {
  const srv = await startWs({ onConnection: (ws) => ws.send(Buffer.alloc(2000, 7)) });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0, wsOpts: { maxPayload: 4096, silencePings: true } });
  // Another key overridden: the connection maxPayload (4096) is kept, so 2000 bytes pass.
  const first = gun.wsUpgrade(conn, '/ws', [], { silencePings: false });
  await assertReceive(['gun_ws', conn, first, ['binary', Buffer.alloc(2000, 7)]], 1000);
  gun.close(conn);
  const conn2 = gun.open('127.0.0.1', srv.port, { retry: 0, wsOpts: { maxPayload: 1024 } });
  // maxPayload: undefined is "not given": the connection's 1024 still applies, so 2000 bytes close with 1009.
  const second = gun.wsUpgrade(conn2, '/ws', [], { maxPayload: undefined });
  await assertReceive(['gun_error', conn2, second, ['ws_error', 1009, _]], 1000);
  // The message would have been delivered before the error that closed on it.
  await refuteReceived(['gun_ws', conn2, second, ['binary', _]]);
}));
