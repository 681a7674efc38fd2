// Sockets that close by announcement (connection: close, HTTP/1.0): the reason is 'normal',
// what was not sent yet goes on the next connection, and nothing is lost silently.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { _, anyNumber, diagnosticsChannels, gun, ok, self, send } from '../../src/index.js';
import { assertReceive, inProcess, refuteReceive, refuteReceived } from '../../src/testing/index.js';
import { deadPort, startAnswering, startHttp, startRaw, startWs } from '../helpers/servers.js';

/** Sends each retry decision (erlgun:connection:retry) to the calling process as ['retry', message]: the event that a failed or closed connection now waits. */
function forwardRetries(t: TestContext): void {
  const me = self();
  const forward = (message: unknown): void => {
    send(me, ['retry', message]);
  };
  subscribe(diagnosticsChannels.connectionRetry, forward);
  t.after(() => unsubscribe(diagnosticsChannels.connectionRetry, forward));
}

/** A server that answers its first request with connection: close and echoes each request's path. */
function closingOnce(): ReturnType<typeof startHttp> {
  let served = 0;
  return startHttp((req, res) => {
    served++;
    res.setHeader('connection', served === 1 ? 'close' : 'keep-alive');
    res.end(`${req.url}`);
  });
}

test('expect: 100-continue keeps the connection alive (Node marked such requests the socket last)', (t) => inProcess(async () => {
  const srv = await startHttp((req, res) => {
    let n = 0;
    req.on('data', (d: Buffer) => (n += d.length));
    req.on('end', () => res.end(`got ${n}`));
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  for (let i = 0; i < 2; i++) {
    const ref = gun.post(conn, '/', [['content-type', 'text/plain'], ['expect', '100-continue']], 'hello');
    await assertReceive(['gun_inform', conn, ref, 100, _], 1000);
    assert.equal(ok(await gun.awaitBody(conn, ref, 1000)).toString(), 'got 5');
  }
  await refuteReceive(['gun_down', conn, _, _, _, _], 50);
  assert.equal(srv.remotePorts.length, 1);
}));

test('a request that asks for connection: close ends with gun_down normal, even if the server does not say close', (t) => inProcess(async () => {
  // A raw server: Node's own would echo connection: close.
  const srv = await startAnswering('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.get(conn, '/', [['connection', 'close']]);
  assert.equal(ok(await gun.awaitBody(conn, ref, 1000)).toString(), 'ok');
  await assertReceive(['gun_down', conn, 'http', 'normal', [], []], 1000);
}));

test('requests queued behind a connection: close response run on the next connection instead of failing', (t) => inProcess(async () => {
  const srv = await closingOnce();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 10 });
  const refs = ['/1', '/2', '/3'].map((path) => gun.get(conn, path));
  for (const [i, ref] of refs.entries()) assert.equal(ok(await gun.awaitBody(conn, ref, 2000)).toString(), `/${i + 1}`);
  await assertReceive(['gun_down', conn, 'http', 'normal', [], []]);
  await refuteReceive(['gun_error', conn, _, _], 20);
  assert.equal(srv.remotePorts.length, 2);
}));

test('a request made after a connection: close response waits for the next connection', (t) => inProcess(async () => {
  const srv = await closingOnce();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 10 });
  const first = gun.get(conn, '/first');
  assert.equal(ok(await gun.awaitBody(conn, first, 1000)).toString(), '/first');
  // The socket is closing but may not be closed yet: this one must not be written on it.
  const second = gun.get(conn, '/second');
  assert.equal(ok(await gun.awaitBody(conn, second, 2000)).toString(), '/second');
  assert.equal(srv.remotePorts.length, 2);
}));

test('HTTP/1.0 mode: each request gets its own connection, made at once; a close after a length-delimited body is normal', (t) => inProcess(async () => {
  const srv = await startHttp((req, res) => {
    res.setHeader('content-length', String(req.url?.length));
    res.end(`${req.url}`);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 10, httpOpts: { version: 'HTTP/1.0' } });
  const a = gun.get(conn, '/a');
  const b = gun.get(conn, '/b');
  assert.equal(ok(await gun.awaitBody(conn, a, 1000)).toString(), '/a');
  assert.equal(ok(await gun.awaitBody(conn, b, 2000)).toString(), '/b');
  await assertReceive(['gun_down', conn, 'http', 'normal', [], []]);
  assert.equal(srv.remotePorts.length, 2);
}));

test('out of retries, the requests still waiting for a connection get gun_error closed, not silence', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => {
    res.setHeader('connection', 'close');
    res.end('ok');
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const first = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, first, 1000)).toString(), 'ok');
  const late = gun.get(conn, '/late');
  await assertReceive(['gun_down', conn, 'http', 'normal', [], []], 1000);
  await assertReceive(['gun_error', conn, late, ['closed', 'The connection was lost.']], 1000);
  // The same for a request made before a first connect that fails.
  const dead = gun.open('127.0.0.1', await deadPort(), { retry: 0 });
  const never = gun.get(dead, '/');
  await assertReceive(['gun_error', dead, never, ['closed', 'The connection was lost.']], 1000);
}));

test('a request carried to the next connection takes the body chunks gun.data gave it meanwhile', (t) => inProcess(async () => {
  let served = 0;
  const srv = await startHttp((req, res) => {
    served++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.setHeader('connection', served === 1 ? 'close' : 'keep-alive');
      res.end(`${req.method} ${req.url} ${Buffer.concat(chunks)}`);
    });
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const first = gun.get(conn, '/first');
  const upload = gun.post(conn, '/upload', [['content-type', 'text/plain']]);
  gun.data(conn, upload, 'nofin', 'xy');
  gun.data(conn, upload, 'fin', 'z');
  assert.equal(ok(await gun.awaitBody(conn, first, 1000)).toString(), 'GET /first ');
  assert.equal(ok(await gun.awaitBody(conn, upload, 1000)).toString(), 'POST /upload xyz');
}));

test('with requests waiting, an announced close reconnects at once (no retryTimeout, no backoff)', (t) => inProcess(async () => {
  const srv = await startHttp((req, res) => {
    res.setHeader('connection', 'close');
    res.end(`${req.url}`);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port); // retryTimeout 5000
  const t0 = performance.now();
  const refs = ['/1', '/2', '/3'].map((path) => gun.get(conn, path));
  for (const [i, ref] of refs.entries()) assert.equal(ok(await gun.awaitBody(conn, ref, 1000)).toString(), `/${i + 1}`);
  assert.ok(performance.now() - t0 < 1000, `${Math.round(performance.now() - t0)} ms`);
  assert.equal(srv.remotePorts.length, 3);
}));

test('a reconnecting upgrade queued behind a connection: close response is issued once on the next connection', (t) => inProcess(async () => {
  // Socket 1 answers the GET with connection: close; later sockets answer the upgrade with a bad accept key.
  const requests: string[] = [];
  let sockets = 0;
  const srv = await startRaw((socket) => {
    const id = ++sockets;
    let buffered = '';
    socket.on('data', (d: Buffer) => {
      buffered += d.toString();
      for (let end = buffered.indexOf('\r\n\r\n'); end >= 0; end = buffered.indexOf('\r\n\r\n')) {
        requests.push(`${id} ${buffered.slice(0, end).split('\r\n')[0]}`);
        buffered = buffered.slice(end + 4);
        if (id === 1) setTimeout(() => socket.end('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 4\r\n\r\nslow'), 50);
        else socket.write('HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: bogus\r\n\r\n');
      }
    });
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 1, retryTimeout: 10 });
  const get = gun.get(conn, '/slow');
  const ws = gun.wsUpgrade(conn, '/ws', [], { reconnect: true });
  assert.equal(ok(await gun.awaitBody(conn, get, 1000)).toString(), 'slow');
  await assertReceive(['gun_down', conn, 'http', 'normal', [], []], 1000);
  await assertReceive(['gun_error', conn, ws, ['closed', ['ws_handshake', _]]], 1000);
  await refuteReceive(['gun_error', conn, ws, ['closed', 'The connection was lost.']], 50);
  assert.deepEqual(requests.filter((r) => r.startsWith('2 ')), ['2 GET /ws HTTP/1.1']);
}));

test('an answer that comes before the request body is finished (417 to an expect) ends the socket: the next request goes on a new one', (t) => inProcess(async () => {
  const me = self();
  const heads: string[][] = [];
  const srv = await startRaw((socket) => {
    const seen: string[] = [];
    const nth = heads.push(seen);
    socket.on('data', (d: Buffer) => {
      const line = d.toString().split('\r\n')[0];
      seen.push(line);
      send(me, ['server read', nth, line]);
      if (seen.length === 1) socket.write('HTTP/1.1 417 Expectation Failed\r\ncontent-length: 0\r\n\r\n');
    });
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 10 });
  const upload = gun.post(conn, '/upload', [['expect', '100-continue']]);
  await assertReceive(['gun_response', conn, upload, 'fin', 417, _], 1000);
  await assertReceive(['gun_down', conn, 'http', 'normal', [], []], 1000);
  gun.get(conn, '/next');
  await assertReceive(['gun_up', conn, 'http'], 1000);
  await assertReceive(['gun_up', conn, 'http'], 1000);
  await assertReceive(['server read', 2, 'GET /next HTTP/1.1'], 1000);
  // The GET was never written behind the unfinished chunked body.
  await refuteReceived(['server read', 1, 'GET /next HTTP/1.1']);
  assert.deepEqual(heads.map((h) => h[0]), ['POST /upload HTTP/1.1', 'GET /next HTTP/1.1']);
}));

test('a chunk held for one turn is not delivered after a parse error, nor after gun.close', (t) => inProcess(async () => {
  const srv = await startAnswering('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\nZZZ\r\n');
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.get(conn, '/');
  await assertReceive(['gun_error', conn, ref, ['connection_error', 'protocol_error', _]], 1000);
  await assertReceive(['gun_down', conn, 'http', _, [ref], []], 1000);
  await refuteReceive(['gun_data', conn, ref, _, _], 30);
  const srv2 = await startAnswering('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n');
  t.after(() => srv2.close());
  const conn2 = gun.open('127.0.0.1', srv2.port, { retry: 0 });
  const ref2 = gun.get(conn2, '/');
  await assertReceive(['gun_response', conn2, ref2, 'nofin', 200, _], 1000);
  gun.close(conn2);
  await refuteReceive(['gun_data', conn2, ref2, _, _], 30);
}));

test('waiting requests: a cancelled one gets nothing when the retries run out; gun.shutdown answers the others with closing', (t) => inProcess(async () => {
  forwardRetries(t);
  const port = await deadPort();
  const conn = gun.open('127.0.0.1', port, { retry: 1, retryTimeout: 50 });
  const cancelled = gun.get(conn, '/a');
  gun.cancel(conn, cancelled);
  const kept = gun.get(conn, '/b');
  await assertReceive(['gun_error', conn, kept, ['closed', 'The connection was lost.']], 1000);
  await refuteReceive(['gun_error', conn, cancelled, _], 30);
  const srvless = gun.open('127.0.0.1', port, { retryTimeout: 60_000 });
  // Its first attempt has failed: the request below waits for the next one.
  await assertReceive(['retry', { conn: srvless }], 1000);
  const waiting = gun.get(srvless, '/c');
  gun.shutdown(srvless);
  await assertReceive(['gun_error', srvless, waiting, ['closing', 'The connection is shutting down.']], 1000);
}));

test('a carried upload without content-length stays chunked: chunks given after the carry follow it, nothing past its end', (t) => inProcess(async () => {
  let served = 0;
  const uploads: string[] = [];
  const srv = await startHttp((req, res) => {
    const first = served++ === 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST') uploads.push(`${req.headers['transfer-encoding']} ${Buffer.concat(chunks)}`);
      // The first answer waits, so the upload is still queued when the close is announced.
      setTimeout(() => {
        if (first) res.setHeader('connection', 'close');
        res.end('ok');
      }, first ? 50 : 0);
    });
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 10 });
  const slow = gun.get(conn, '/slow');
  const upload = gun.post(conn, '/upload', [['content-type', 'text/plain']]);
  gun.data(conn, upload, 'nofin', 'x1-');
  assert.equal(ok(await gun.awaitBody(conn, slow, 1000)).toString(), 'ok');
  await assertReceive(['gun_down', conn, 'http', 'normal', [], []], 1000);
  gun.data(conn, upload, 'fin', 'x2');
  assert.equal(ok(await gun.awaitBody(conn, upload, 1000)).toString(), 'ok');
  assert.deepEqual(uploads, ['chunked x1-x2']);
}));

test('a request cancelled while it waits for the next connection is never sent', (t) => inProcess(async () => {
  const seen: string[] = [];
  let served = 0;
  const srv = await startHttp((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const first = served++ === 0;
    setTimeout(() => {
      if (first) res.setHeader('connection', 'close');
      res.end('x');
    }, first ? 50 : 0);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 200 });
  gun.get(conn, '/slow');
  const charge = gun.post(conn, '/charge', [], 'pay');
  await assertReceive(['gun_down', conn, 'http', 'normal', [], []], 1000);
  gun.cancel(conn, charge);
  const after = gun.get(conn, '/after');
  assert.equal(ok(await gun.awaitBody(conn, after, 2000)).toString(), 'x');
  assert.deepEqual(seen, ['GET /slow', 'GET /after']);
  await refuteReceive(['gun_error', conn, charge, _], 20);
}));

test('an announced close that served no request (a refused reconnecting upgrade) follows the retry policy, no storm', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => {
    res.writeHead(503, { connection: 'close', 'content-length': '0' });
    res.end();
  });
  t.after(() => srv.close());
  forwardRetries(t);
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 1000 });
  gun.wsUpgrade(conn, '/ws', [], { reconnect: true });
  gun.get(conn, '/waiting');
  // The close is followed by the policy's wait, not by a reconnect at once.
  const [, { wait }] = await assertReceive(['retry', { conn, wait: anyNumber }], 1000);
  assert.ok(wait >= 1000, `waits at least retryTimeout, got ${wait}`);
  gun.close(conn);
  assert.equal(srv.remotePorts.length, 1);
}));

test('a connection: close response cut short is a loss (closed), not a normal close', (t) => inProcess(async () => {
  const srv = await startAnswering('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 10\r\n\r\nshort', 'end');
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.get(conn, '/');
  await assertReceive(['gun_error', conn, ref, ['closed', 'The connection was lost.']], 1000);
  await assertReceive(['gun_down', conn, 'http', 'closed', [ref], []], 1000);
}));

test('a whole body decides its framing: a transfer-encoding given with it is replaced by its content-length', (t) => inProcess(async () => {
  const heads: string[] = [];
  const srv = await startHttp((req, res) => {
    heads.push(`${req.headers['transfer-encoding']} ${req.headers['content-length']}`);
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.post(conn, '/', [['transfer-encoding', 'chunked']], 'abc');
  assert.equal(ok(await gun.awaitBody(conn, ref, 1000)).toString(), 'ok');
  assert.deepEqual(heads, ['undefined 3']);
}));

test('a request waiting behind a reconnecting upgrade that the server refuses with a close still runs', (t) => inProcess(async () => {
  const srv = await startHttp((req, res) => {
    if (req.url === '/ws') res.writeHead(503, { connection: 'close', 'content-length': '0' });
    res.end(req.url === '/ws' ? undefined : 'served');
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 10 });
  const ws = gun.wsUpgrade(conn, '/ws', [], { reconnect: true });
  const get = gun.get(conn, '/x');
  await assertReceive(['gun_response', conn, ws, 'fin', 503, _], 1000);
  assert.equal(ok(await gun.awaitBody(conn, get, 2000)).toString(), 'served');
  gun.close(conn);
}));

test('gun.cancel of a reconnecting upgrade stops it being issued again', (t) => inProcess(async () => {
  const srv = await startWs({ onConnection: (ws) => ws.close(1001, 'restart') });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 200 });
  const ref = gun.wsUpgrade(conn, '/ws', [], { reconnect: true });
  await assertReceive(['gun_up', conn, 'http'], 1000);
  await assertReceive(['gun_upgrade', conn, ref, _, _], 1000);
  await assertReceive(['gun_down', conn, 'ws', 'closed', [], []], 1000);
  gun.cancel(conn, ref);
  await assertReceive(['gun_up', conn, 'http'], 2000);
  // A request made now is answered after anything issued at the reconnect: an upgrade issued
  // again would be written first (and would take the connection to ws).
  const probe = gun.get(conn, '/probe');
  assert.match(ok(await gun.awaitBody(conn, probe, 1000)).toString(), /^hello /);
  await refuteReceived(['gun_upgrade', conn, ref, _, _]);
  await refuteReceived(['gun_error', conn, ref, _]);
  assert.equal(srv.clients.length, 1);
  gun.close(conn);
}));

test('a body delimited by the close (HTTP/1.0, no length): its data ends with fin, then gun_down closed with its ref, as Gun reports it', (t) => inProcess(async () => {
  const srv = await startAnswering('HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the close', 'end');
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, ref, 1000)).toString(), 'until the close');
  await assertReceive(['gun_down', conn, 'http', 'closed', [ref], []], 1000);
  await refuteReceived(['gun_error', conn, ref, _]);
}));

test('HTTP/1.0 mode against a server that delimits bodies by the close: each close is closed [ref], and waiting requests reconnect at once', (t) => inProcess(async () => {
  const srv = await startHttp((req, res) => res.end(`${req.url}`));
  t.after(() => srv.close());
  // A retry wait this long would fail the test: the reconnect must not wait for it.
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 60_000, httpOpts: { version: 'HTTP/1.0' } });
  const a = gun.get(conn, '/a');
  const b = gun.get(conn, '/b');
  assert.equal(ok(await gun.awaitBody(conn, a, 1000)).toString(), '/a');
  assert.equal(ok(await gun.awaitBody(conn, b, 2000)).toString(), '/b');
  await assertReceive(['gun_down', conn, 'http', 'closed', [a], []]);
  await assertReceive(['gun_down', conn, 'http', 'closed', [b], []]);
  gun.close(conn);
}));
