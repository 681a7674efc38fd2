import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _, anyBuffer, gun, ok, processInfo, receive, on, self, spawn, send, type Pid } from '../../src/index.js';
import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import { assertReceive, inProcess, refuteReceive, refuteReceived, SimulatedClock } from '../../src/testing/index.js';
import { readUntil, startHttp, startRaw } from '../helpers/servers.js';

test('gun.open connects and sends gun_up to the owner', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.end());
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  await assertReceive(['gun_up', conn, 'http'], 1000);
}));

test('a GET delivers gun_response then gun_data with fin, on content-length and chunked bodies', (t) => inProcess(async () => {
  const srv = await startHttp((req, res) => {
    if (req.url === '/chunked') {
      res.write('ab');
      setTimeout(() => res.end('cd'), 10);
    } else {
      res.setHeader('x-dup', ['1', '2']);
      res.end('hello');
    }
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const r1 = gun.get(conn, '/', [['accept', 'text/plain']]);
  const [, , , fin, status, headers] = await assertReceive(['gun_response', conn, r1, _, _, _], 1000);
  assert.equal(fin, 'nofin');
  assert.equal(status, 200);
  assert.deepEqual(headers.filter(([n]) => n === 'x-dup'), [['x-dup', '1'], ['x-dup', '2']]);
  assert.ok(headers.every(([n]) => n === n.toLowerCase()));
  const [, , , dfin, body] = await assertReceive(['gun_data', conn, r1, _, anyBuffer]);
  assert.equal(dfin, 'fin');
  assert.equal(body.toString(), 'hello');
  const r2 = gun.get(conn, '/chunked');
  await assertReceive(['gun_response', conn, r2, 'nofin', 200, _], 1000);
  const [, , , f1, c1] = await assertReceive(['gun_data', conn, r2, _, _]);
  const [, , , f2, c2] = await assertReceive(['gun_data', conn, r2, _, _]);
  assert.deepEqual([f1, c1.toString(), f2, c2.toString()], ['nofin', 'ab', 'fin', 'cd']);
}));

test('body chunks are delivered as they arrive, not held until the next one (streaming responses)', (t) => inProcess(async () => {
  // Each response's second chunk is written only once the test has seen the first.
  const unfinished: ServerResponse[] = [];
  const srv = await startHttp((req, res) => {
    if (req.url === '/length') res.writeHead(200, { 'content-length': '11' });
    res.write('hello ');
    unfinished.push(res);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  for (const path of ['/chunked', '/length']) {
    const ref = gun.get(conn, path);
    await assertReceive(['gun_response', conn, ref, 'nofin', 200, _], 1000);
    await assertReceive(['gun_data', conn, ref, 'nofin', Buffer.from('hello ')], 1000);
    unfinished.shift()!.end('world');
    const rest = ok(await gun.awaitBody(conn, ref, 2000));
    assert.equal(rest.toString(), 'world');
  }
  // content-length tells the last chunk at once: it carries fin (checked on a fresh request).
  const ref = gun.get(conn, '/length');
  await assertReceive(['gun_data', conn, ref, 'nofin', Buffer.from('hello ')], 1000);
  unfinished.shift()!.end('world');
  await assertReceive(['gun_data', conn, ref, 'fin', Buffer.from('world')], 1000);
}));

test('a response without a body is fin at once (204, HEAD, content-length 0)', (t) => inProcess(async () => {
  const srv = await startHttp((req, res) => {
    res.statusCode = req.url === '/204' ? 204 : 200;
    res.setHeader('content-length', '0');
    res.end();
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const a = gun.get(conn, '/204');
  await assertReceive(['gun_response', conn, a, 'fin', 204, _], 1000);
  const b = gun.head(conn, '/');
  await assertReceive(['gun_response', conn, b, 'fin', 200, _], 1000);
  const c = gun.get(conn, '/empty');
  await assertReceive(['gun_response', conn, c, 'fin', 200, _], 1000);
  await refuteReceive(['gun_data', conn, _, _, _], 50);
}));

test('POST with a body, and a streamed body through gun.data nofin … fin', (t) => inProcess(async () => {
  const srv = await startHttp((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => res.end(`${req.method} ${req.headers['content-length'] ?? req.headers['transfer-encoding']} ${Buffer.concat(chunks)}`));
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const whole = gun.post(conn, '/', [['content-type', 'text/plain']], 'abc');
  assert.deepEqual(ok(await gun.awaitBody(conn, whole)).toString(), 'POST 3 abc');
  const streamed = gun.post(conn, '/', [['content-type', 'text/plain']]);
  gun.data(conn, streamed, 'nofin', 'one ');
  gun.data(conn, streamed, 'nofin', Buffer.from('two '));
  gun.data(conn, streamed, 'fin', 'three');
  assert.deepEqual(ok(await gun.awaitBody(conn, streamed)).toString(), 'POST chunked one two three');
  const put = gun.request(conn, 'PUT', '/', [['content-length', '2']]);
  gun.data(conn, put, 'fin', 'xy');
  assert.deepEqual(ok(await gun.awaitBody(conn, put)).toString(), 'PUT 2 xy');
}));

test('1xx responses arrive as gun_inform; trailers as gun_trailers', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => {
    res.writeProcessing();
    res.writeHead(200, { trailer: 'x-checksum', 'transfer-encoding': 'chunked' });
    res.write('body');
    res.addTrailers({ 'x-checksum': 'abc' });
    res.end();
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.get(conn, '/');
  await assertReceive(['gun_inform', conn, ref, 102, _], 1000);
  await assertReceive(['gun_response', conn, ref, 'nofin', 200, _]);
  const [, , , fin, data] = await assertReceive(['gun_data', conn, ref, _, _]);
  assert.deepEqual([fin, data.toString()], ['nofin', 'body']);
  const [, , , trailers] = await assertReceive(['gun_trailers', conn, ref, _]);
  assert.deepEqual(trailers, [['x-checksum', 'abc']]);
}));

test('all requests of a connection travel on its one socket, in order', (t) => inProcess(async () => {
  const seen: string[] = [];
  const srv = await startHttp((req, res) => {
    seen.push(`${req.url} ${req.socket.remotePort}`);
    res.end(req.url);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const refs = ['/1', '/2', '/3', '/4', '/5'].map((p) => gun.get(conn, p));
  for (const [i, ref] of refs.entries()) assert.equal(ok(await gun.awaitBody(conn, ref)).toString(), `/${i + 1}`);
  assert.equal(srv.remotePorts.length, 1);
  assert.deepEqual(seen, refs.map((_r, i) => `/${i + 1} ${srv.remotePorts[0]}`));
  assert.equal(gun.info(conn)?.sockPort, srv.remotePorts[0]);
}));

test('replyTo routes a stream to another process; gun.await works there', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.end('for the other'));
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const me = self();
  const other: Pid = spawn(async () => {
    const ref = await receive([on(['ref', _], ([, r]) => r)]);
    const response = await gun.await(conn, ref as never);
    const body = await gun.awaitBody(conn, ref as never);
    send(me, ['other got', response[0], body[0] === 'ok' ? body[1].toString() : body]);
  });
  const ref = gun.get(conn, '/', [], { replyTo: other });
  send(other, ['ref', ref]);
  await assertReceive(['other got', 'response', 'for the other'], 1000);
  await refuteReceive(['gun_response', _, _, _, _, _], 20);
}));

test('gun.await / awaitBody return Gun shapes; a dead connection answers an error, not a timeout', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.end('x'));
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  assert.deepEqual(await gun.awaitUp(conn), ['ok', 'http']);
  const ref = gun.get(conn, '/');
  const r = await gun.await(conn, ref);
  assert.equal(r[0], 'response');
  assert.deepEqual(await gun.awaitBody(conn, ref), ['ok', Buffer.from('x')]);
  const never = gun.get(conn, '/never-asked');
  gun.close(conn);
  assert.deepEqual(await gun.await(conn, never, 1000), ['error', 'noproc']);
  assert.deepEqual(await gun.await(conn, never, 0), ['error', 'noproc']);
}));

test('gun.await times out with [error, timeout]', (t) => inProcess(async () => {
  const srv = await startHttp(() => undefined); // never answers
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.get(conn, '/');
  assert.deepEqual(await gun.await(conn, ref, 50), ['error', 'timeout']);
}));

test('gun.flush removes a stream’s or a connection’s messages from the mailbox', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.end('x'));
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  await assertReceive(['gun_up', conn, _], 1000);
  const a = gun.get(conn, '/a');
  const b = gun.get(conn, '/b');
  await assertReceive(['gun_data', conn, b, 'fin', _], 1000);
  send(self(), 'unrelated');
  gun.flush(a);
  assert.deepEqual(processInfo(self())?.messages.map((m) => (Array.isArray(m) ? m[0] : m)), ['gun_response', 'unrelated']);
  gun.flush(conn);
  assert.deepEqual(processInfo(self())?.messages, ['unrelated']);
}));

test('gun.cancel stops a stream’s messages; the connection keeps working', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => {
    res.write('part');
    setTimeout(() => res.end('rest'), 30);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.get(conn, '/');
  await assertReceive(['gun_response', conn, ref, 'nofin', 200, _], 1000);
  gun.cancel(conn, ref);
  await refuteReceive(['gun_data', conn, ref, _, _], 80);
  const next = gun.get(conn, '/next');
  assert.deepEqual(ok(await gun.awaitBody(conn, next)).toString(), 'partrest');
}));

test('gun.cancel of a ref the connection does not know (finished, or never made) answers badstate, as Gun does', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, ref, 1000)).toString(), 'ok');
  gun.cancel(conn, ref);
  await assertReceive(['gun_error', conn, ref, ['badstate', 'The stream cannot be found.']], 1000);
}));

test('a cancelled stream is not reported when the connection is lost, nor listed as killed', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.write('part'));
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.get(conn, '/');
  await assertReceive(['gun_data', conn, ref, 'nofin', _], 1000);
  gun.cancel(conn, ref); // queued before the loss: the connection handles it first
  await srv.close();
  await assertReceive(['gun_down', conn, 'http', 'closed', [], []], 1000);
  await refuteReceive(['gun_error', conn, ref, _], 20);
}));

test('gun.data: on a request without a streamed body it is "already closed"; past the content-length it is refused, nothing written', (t) => inProcess(async () => {
  const bodies: string[] = [];
  const srv = await startHttp((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(`${req.method} ${req.url} ${Buffer.concat(chunks)}`);
      res.end('ok');
    });
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const get = gun.get(conn, '/get');
  gun.data(conn, get, 'fin', 'x');
  await assertReceive(['gun_error', conn, get, ['badstate', 'The stream has already been closed.']], 1000);
  const put = gun.put(conn, '/put', [['content-length', '3']]);
  gun.data(conn, put, 'nofin', 'ab');
  gun.data(conn, put, 'fin', 'cGET /smuggled HTTP/1.1\r\n\r\n');
  await assertReceive(['gun_error', conn, put, ['badstate', 'The data is longer than the content-length of the request.']], 1000);
  gun.data(conn, put, 'fin', 'c');
  assert.equal(ok(await gun.awaitBody(conn, put, 1000)).toString(), 'ok');
  // A smuggled request would have reached the server on this socket before the next one.
  assert.equal(ok(await gun.awaitBody(conn, gun.get(conn, '/last'), 1000)).toString(), 'ok');
  assert.deepEqual(bodies, ['GET /get ', 'PUT /put abc', 'GET /last ']);
}));

test('gun.awaitBody right after a request whose response has no body gives an empty body', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => {
    res.statusCode = 204;
    res.end();
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.get(conn, '/');
  assert.deepEqual(await gun.awaitBody(conn, ref, 1000), ['ok', Buffer.alloc(0)]);
}));

test('gun.info tells the socket and origin, and does not crash while disconnected', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.end());
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 60_000 });
  const before = gun.info(conn);
  assert.equal(before?.originPort, srv.port);
  await assertReceive(['gun_up', conn, 'http'], 1000);
  const up = gun.info(conn)!;
  assert.deepEqual({ ...up, sockPort: 0 }, { owner: self(), stateName: 'connected', transport: 'tcp', originHost: '127.0.0.1', originPort: srv.port, protocol: 'http', sockIp: '127.0.0.1', sockPort: 0 });
  await srv.close();
  await assertReceive(['gun_down', conn, 'http', 'closed', [], []], 1000);
  assert.deepEqual(gun.info(conn), { owner: self(), stateName: 'not_connected', transport: 'tcp', originHost: '127.0.0.1', originPort: srv.port });
  gun.close(conn);
  assert.equal(gun.info(conn), undefined);
}));

test('HTTP/1.0 mode sends HTTP/1.0 requests; the server closes after a body delimited by the close: gun_down closed with its ref (as Gun), then a reconnect', (t) => inProcess(async () => {
  const versions: string[] = [];
  const srv = await startHttp((req, res) => {
    versions.push(req.httpVersion);
    res.end('old');
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { httpOpts: { version: 'HTTP/1.0' }, retryTimeout: 10 });
  await assertReceive(['gun_up', conn, 'http'], 1000);
  const ref = gun.get(conn, '/');
  assert.deepEqual(ok(await gun.awaitBody(conn, ref)).toString(), 'old');
  await assertReceive(['gun_down', conn, 'http', 'closed', [ref], []], 1000);
  await assertReceive(['gun_up', conn, 'http'], 1000);
  assert.deepEqual(versions, ['1.0']);
}));

test('keepalive writes a bare CRLF while idle (Gun 1.3 ping); the connection stays usable', (t) => inProcess(async () => {
  const clock = new SimulatedClock().install();
  t.after(() => clock.uninstall());
  let serverSide!: Socket;
  let onAccept!: () => void;
  const accepted = new Promise<void>((resolve) => {
    onAccept = resolve;
  });
  const srv = await startRaw((socket) => {
    serverSide = socket;
    onAccept();
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { httpOpts: { keepalive: 1000 } });
  await assertReceive(['gun_up', conn, 'http'], 1000);
  await accepted;
  const received = readUntil(serverSide, (d) => d.length >= 4);
  await clock.advance(1000);
  await clock.advance(1000);
  assert.equal((await received).toString(), '\r\n\r\n', 'one bare CRLF per idle keepalive period');
  const head = readUntil(serverSide, (d) => d.includes('\r\n\r\n'));
  const ref = gun.get(conn, '/');
  assert.match((await head).toString(), /^GET \/ HTTP\/1\.1\r\n/);
  serverSide.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nstill fine');
  assert.deepEqual(ok(await gun.awaitBody(conn, ref)).toString(), 'still fine');
}));

test('a HEAD response without content-length keeps the connection, as Gun does; the next request goes on the same socket', (t) => inProcess(async () => {
  const srv = await startRaw((socket) => {
    socket.on('data', (d: Buffer) => {
      const heads = d.toString().split('\r\n\r\n').slice(0, -1);
      for (const head of heads) {
        socket.write(head.startsWith('HEAD') ? 'HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\n' : 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      }
    });
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const head = gun.head(conn, '/');
  await assertReceive(['gun_response', conn, head, 'fin', 200, _], 1000);
  const get = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, get, 1000)).toString(), 'ok');
  assert.equal(srv.remotePorts.length, 1);
  refuteReceived(['gun_down', conn, _, _, _, _]);
}));
