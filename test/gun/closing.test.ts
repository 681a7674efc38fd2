// Sockets that close by announcement (connection: close, HTTP/1.0): the reason is 'normal',
// what was not sent yet goes on the next connection, and nothing is lost silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _, gun, ok } from '../../src/index.js';
import { assertReceive, inProcess, refuteReceive } from '../../src/testing/index.js';
import { deadPort, readUntil, startHttp, startRaw } from '../helpers/servers.js';

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
  const srv = await startRaw((socket) => {
    void readUntil(socket, (d) => d.includes('\r\n\r\n')).then(() => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.get(conn, '/', [['connection', 'close']]);
  assert.equal(ok(await gun.awaitBody(conn, ref, 1000)).toString(), 'ok');
  await assertReceive(['gun_down', conn, 'http', 'normal', [], []], 1000);
}));

test('requests queued behind a connection: close response run on the next connection instead of failing', (t) => inProcess(async () => {
  let served = 0;
  const srv = await startHttp((req, res) => {
    served++;
    res.setHeader('connection', served === 1 ? 'close' : 'keep-alive');
    res.end(`${req.url}`);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 10 });
  const refs = ['/1', '/2', '/3'].map((path) => gun.get(conn, path));
  for (const [i, ref] of refs.entries()) assert.equal(ok(await gun.awaitBody(conn, ref, 2000)).toString(), `/${i + 1}`);
  await assertReceive(['gun_down', conn, 'http', 'normal', [], []]);
  await refuteReceive(['gun_error', conn, _, _], 20);
  assert.equal(srv.remotePorts.length, 2);
}));

test('a request made after a connection: close response waits for the next connection', (t) => inProcess(async () => {
  let served = 0;
  const srv = await startHttp((req, res) => {
    served++;
    res.setHeader('connection', served === 1 ? 'close' : 'keep-alive');
    res.end(`${req.url}`);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 10 });
  const first = gun.get(conn, '/first');
  assert.equal(ok(await gun.awaitBody(conn, first, 1000)).toString(), '/first');
  // The socket is closing but may not be closed yet: this one must not be written on it.
  const second = gun.get(conn, '/second');
  assert.equal(ok(await gun.awaitBody(conn, second, 2000)).toString(), '/second');
  assert.equal(srv.remotePorts.length, 2);
}));

test('HTTP/1.0 mode: each request gets its own connection; the closes are normal', (t) => inProcess(async () => {
  const srv = await startHttp((req, res) => res.end(`${req.url}`));
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
