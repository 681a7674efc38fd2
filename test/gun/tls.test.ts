import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TLSSocket } from 'node:tls';
import { _, gun, monitor, ok } from '../../src/index.js';
import { assertReceive, inProcess } from '../../src/testing/index.js';
import { testCert } from '../helpers/certs.js';
import { startHttps } from '../helpers/servers.js';

const cert = testCert();

test('over TLS with the test CA: gun_up, a GET, info says tls; ALPN offers http/1.1', (t) => inProcess(async () => {
  let alpn: string | false | null | undefined;
  const srv = await startHttps((req, res) => {
    alpn = (req.socket as TLSSocket).alpnProtocol;
    res.end('secure');
  }, cert);
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { transport: 'tls', tlsOpts: { ca: cert.cert } });
  await assertReceive(['gun_up', conn, 'http'], 2000);
  const ref = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, ref)).toString(), 'secure');
  assert.equal(gun.info(conn)?.transport, 'tls');
  assert.equal(alpn, 'http/1.1');
}));

test('certificates are verified by default: a self-signed server is refused, and the reason says why', (t) => inProcess(async () => {
  const srv = await startHttps((_req, res) => res.end(), cert);
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { transport: 'tls', retry: 0 });
  const mref = monitor(conn);
  const [, , , , reason] = await assertReceive(['DOWN', mref, 'process', conn, _], 2000);
  assert.ok(Array.isArray(reason) && reason[0] === 'shutdown', String(reason));
  const [, [tag, code, message]] = reason as [string, [string, string, string]];
  assert.equal(tag, 'tls_error');
  assert.equal(code, 'depth_zero_self_signed_cert');
  assert.match(message, /self[- ]signed/i);
}));

test('tlsOpts pass through: rejectUnauthorized false connects to a self-signed server', (t) => inProcess(async () => {
  const srv = await startHttps((_req, res) => res.end('ok'), cert);
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { transport: 'tls', tlsOpts: { rejectUnauthorized: false } });
  const ref = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, ref)).toString(), 'ok');
}));

test('the servername is set from the host: localhost matches the certificate', (t) => inProcess(async () => {
  let servername: string | false | undefined;
  const srv = await startHttps((req, res) => {
    servername = (req.socket as TLSSocket & { servername?: string | false }).servername;
    res.end('named');
  }, cert);
  t.after(() => srv.close());
  const conn = gun.open('localhost', srv.port, { transport: 'tls', tlsOpts: { ca: cert.cert }, tcpOpts: { family: 4 } });
  const ref = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, ref)).toString(), 'named');
  assert.equal(servername, 'localhost');
}));

test('a Websocket upgrade works over TLS too', (t) => inProcess(async () => {
  const { WebSocketServer } = await import('ws');
  const srv = await startHttps((_req, res) => res.end(), cert);
  const wss = new WebSocketServer({ server: srv.server });
  wss.on('connection', (ws) => ws.on('message', (d, b) => ws.send(d, { binary: b })));
  t.after(async () => {
    wss.close();
    await srv.close();
  });
  const conn = gun.open('127.0.0.1', srv.port, { transport: 'tls', tlsOpts: { ca: cert.cert } });
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 2000);
  gun.wsSend(conn, ['text', 'over tls']);
  await assertReceive(['gun_ws', conn, ref, ['text', 'over tls']], 1000);
}));
