// HTTP/2 against real node:http2 servers: h2c with prior knowledge (protocols: ['http2'] over
// tcp) and TLS where ALPN picks. Gun's messages per stream; streams run concurrently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2, { type Http2Server, type Http2SecureServer, type ServerHttp2Stream, type IncomingHttpHeaders } from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { _, gun, InvalidOptionError, monitor, ok, self, send } from '../../src/index.js';
import { assertReceive, inProcess, refuteReceived } from '../../src/testing/index.js';
import { testCert } from '../helpers/certs.js';
import { startHttps } from '../helpers/servers.js';

type OnStream = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void;

async function listen<S extends Http2Server | Http2SecureServer>(server: S, onStream: OnStream): Promise<{ port: number; server: S; close(): Promise<void> }> {
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    // A stream this test resets errors on the server side too; that is the test's doing.
    stream.on('error', () => undefined);
    onStream(stream, headers);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    close: () => new Promise<void>((resolve) => {
      for (const s of sessions) s.destroy();
      server.close(() => resolve());
    }),
  };
}

const h2c = (onStream: OnStream) => listen(http2.createServer(), onStream);
const echoPath: OnStream = (stream, headers) => {
  stream.respond({ ':status': 200, 'x-path': String(headers[':path']) });
  stream.end(`you asked for ${headers[':path']}`);
};

test('h2c with prior knowledge: gun_up http2, then gun_response and gun_data fin for a GET', (t) => inProcess(async () => {
  const srv = await h2c(echoPath);
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { protocols: ['http2'] });
  assert.deepEqual(await gun.awaitUp(conn), ['ok', 'http2']);
  const ref = gun.get(conn, '/hello', [['accept', 'text/plain'], ['connection', 'keep-alive']]);
  const [, , , fin, status, headers] = await assertReceive(['gun_response', conn, ref, _, _, _], 1000);
  assert.deepEqual([fin, status], ['nofin', 200]);
  assert.ok(headers.some(([n, v]) => n === 'x-path' && v === '/hello'));
  assert.ok(headers.every(([n]) => !n.startsWith(':')), 'no pseudo-headers');
  assert.equal(ok(await gun.awaitBody(conn, ref, 1000)).toString(), 'you asked for /hello');
  assert.equal(gun.info(conn)?.protocol, 'http2');
  gun.close(conn);
}));

test('h2: many concurrent streams on one connection, each answered on its own ref', (t) => inProcess(async () => {
  const held: ServerHttp2Stream[] = [];
  const srv = await h2c((stream, headers) => {
    // Answer in reverse order once all 20 are open: they are truly concurrent.
    held.push(stream);
    stream.respond({ ':status': 200 });
    stream.write(String(headers[':path']));
    if (held.length === 20) for (const s of held.reverse()) s.end();
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { protocols: ['http2'] });
  const refs = Array.from({ length: 20 }, (_v, i) => gun.get(conn, `/${i}`));
  for (const [i, ref] of refs.entries()) assert.equal(ok(await gun.awaitBody(conn, ref, 2000)).toString(), `/${i}`);
  gun.close(conn);
}));

test('h2: a POST body, a streamed body with gun.data, 1xx as gun_inform, trailers as gun_trailers', (t) => inProcess(async () => {
  const srv = await h2c((stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      stream.additionalHeaders({ ':status': 103, link: '</style.css>' });
      stream.respond({ ':status': 200 }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'x-checksum': 'abc' }));
      stream.end(`${headers[':method']} ${Buffer.concat(chunks).toString()}`);
    });
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { protocols: ['http2'] });
  const post = gun.post(conn, '/', [['content-type', 'text/plain']], 'whole');
  await assertReceive(['gun_inform', conn, post, 103, [['link', '</style.css>']]], 1000);
  assert.deepEqual(ok(await gun.awaitBody(conn, post, 1000)).toString(), 'POST whole');
  const streamed = gun.put(conn, '/', [['content-type', 'text/plain']]);
  gun.data(conn, streamed, 'nofin', 'a');
  gun.data(conn, streamed, 'fin', 'b');
  const [, body, trailers] = await gun.awaitBody(conn, streamed, 1000);
  assert.equal((body as Buffer).toString(), 'PUT ab');
  assert.deepEqual(trailers, [['x-checksum', 'abc']]);
  gun.close(conn);
}));

test('h2: gun.cancel resets one stream (RST_STREAM), the others go on', (t) => inProcess(async () => {
  const me = self();
  const srv = await h2c((stream, headers) => {
    if (headers[':path'] === '/slow') {
      stream.on('close', () => {
        if (stream.rstCode === http2.constants.NGHTTP2_CANCEL) send(me, 'server saw the cancel');
      });
      stream.respond({ ':status': 200 });
      stream.write('partial');
      return;
    }
    echoPath(stream, headers);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { protocols: ['http2'] });
  const slow = gun.get(conn, '/slow');
  await assertReceive(['gun_response', conn, slow, 'nofin', 200, _], 1000);
  gun.cancel(conn, slow);
  await assertReceive('server saw the cancel', 2000);
  const other = gun.get(conn, '/other');
  assert.equal(ok(await gun.awaitBody(conn, other, 1000)).toString(), 'you asked for /other');
  refuteReceived(['gun_error', conn, slow, _]);
  gun.close(conn);
}));

test('h2: a stream the server resets gets a stream_error; the connection stays up', (t) => inProcess(async () => {
  const srv = await h2c((stream, headers) => {
    if (headers[':path'] === '/reset') stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    else echoPath(stream, headers);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { protocols: ['http2'] });
  const reset = gun.get(conn, '/reset');
  await assertReceive(['gun_error', conn, reset, ['stream_error', 'internal_error', _]], 1000);
  const next = gun.get(conn, '/next');
  assert.equal(ok(await gun.awaitBody(conn, next, 1000)).toString(), 'you asked for /next');
  refuteReceived(['gun_down', conn, _, _, _, _]);
  gun.close(conn);
}));

test('h2: the server going away mid-stream: gun_error closed for the stream, gun_down http2 with it killed, then a reconnect', (t) => inProcess(async () => {
  const srv = await h2c((stream, headers) => {
    if (headers[':path'] === '/hang') {
      stream.respond({ ':status': 200, 'content-length': '100' });
      stream.write('part');
      setImmediate(() => stream.session?.destroy());
      return;
    }
    echoPath(stream, headers);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { protocols: ['http2'], retryTimeout: 10 });
  const ref = gun.get(conn, '/hang');
  await assertReceive(['gun_error', conn, ref, ['closed', 'The connection was lost.']], 1000);
  await assertReceive(['gun_down', conn, 'http2', _, [ref], []], 1000);
  await assertReceive(['gun_up', conn, 'http2'], 2000);
  gun.close(conn);
}));

test('GOAWAY: streams at or below the last stream id finish; those above it are listed as unprocessed in gun_down, with no gun_error', (t) => inProcess(async () => {
  let first: ServerHttp2Stream | undefined;
  let connections = 0;
  const srv = await h2c((stream, headers) => {
    if (connections === 1 && first === undefined) {
      first = stream;
      stream.respond({ ':status': 200 });
      return;
    }
    if (connections === 1) {
      // The second stream: the server goes away having processed only the first.
      stream.session!.goaway(http2.constants.NGHTTP2_NO_ERROR, first!.id!);
      stream.close(http2.constants.NGHTTP2_REFUSED_STREAM);
      first!.end('first done');
      first!.session!.close();
      return;
    }
    echoPath(stream, headers);
  });
  srv.server.on('session', () => connections++);
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { protocols: ['http2'], retryTimeout: 10 });
  const a = gun.get(conn, '/a');
  await assertReceive(['gun_response', conn, a, 'nofin', 200, _], 1000);
  const b = gun.get(conn, '/b');
  assert.equal(ok(await gun.awaitBody(conn, a, 1000)).toString(), 'first done');
  await assertReceive(['gun_down', conn, 'http2', 'normal', [], [b]], 1000);
  refuteReceived(['gun_error', conn, b, _]);
  await assertReceive(['gun_up', conn, 'http2'], 2000);
  const c = gun.get(conn, '/c');
  assert.equal(ok(await gun.awaitBody(conn, c, 1000)).toString(), 'you asked for /c');
  gun.close(conn);
}));

/** A TCP relay to `port` that can go silent: `cut()` drops every byte from then on, both ways, and keeps the sockets open. */
async function startRelay(port: number): Promise<{ port: number; cut(): void; close(): Promise<void> }> {
  let cut = false;
  const sockets = new Set<net.Socket>();
  const relay = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
    }
    client.on('data', (d) => cut || upstream.write(d));
    upstream.on('data', (d) => cut || client.write(d));
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  return {
    port: (relay.address() as AddressInfo).port,
    cut: () => {
      cut = true;
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      relay.close(() => resolve());
    }),
  };
}

test('http2Opts.keepalive: PINGs the server acknowledges keep the connection; past keepaliveTolerance unanswered ones it goes down keepalive_timeout', (t) => inProcess(async () => {
  const me = self();
  const srv = await h2c(echoPath);
  srv.server.on('session', (session) => {
    let pings = 0;
    session.on('ping', () => {
      if (++pings === 5) send(me, 'five pings');
    });
  });
  const relay = await startRelay(srv.port);
  t.after(async () => {
    await relay.close();
    await srv.close();
  });
  const conn = gun.open('127.0.0.1', relay.port, { protocols: ['http2'], retry: 0, http2Opts: { keepalive: 50, keepaliveTolerance: 4 } });
  const mref = monitor(conn);
  const ref = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, ref, 1000)).toString(), 'you asked for /');
  await assertReceive('five pings', 2000);
  refuteReceived(['gun_down', conn, _, _, _, _]);
  relay.cut();
  await assertReceive(['gun_down', conn, 'http2', ['error', 'keepalive_timeout'], [], []], 2000);
  await assertReceive(['DOWN', mref, 'process', conn, ['shutdown', ['error', 'keepalive_timeout']]], 1000);
}));

test('http2Opts are checked at open: keys, keepalive, tolerance, and settings node:http2 can send', () => {
  for (const [option, http2Opts] of [
    ['http2Opts.keepalive', { keepalive: 0 }],
    ['http2Opts.keepaliveTolerance', { keepaliveTolerance: -1 }],
    ['http2Opts.settings', { settings: { initialWindowSize: -5 } }],
    ['http2Opts.settings', { settings: 'x' }],
    ['http2Opts.bogus', { bogus: 1 }],
  ] as const) {
    assert.throws(() => gun.open('127.0.0.1', 80, { http2Opts } as never), (e: unknown) => e instanceof InvalidOptionError && e.option === option, option);
  }
});

test('http2Opts.settings are sent to the server', (t) => inProcess(async () => {
  let seen: http2.Settings | undefined;
  const srv = await h2c((stream, headers) => {
    seen = stream.session?.remoteSettings;
    echoPath(stream, headers);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { protocols: ['http2'], http2Opts: { settings: { initialWindowSize: 1_000_000, maxConcurrentStreams: 77 } } });
  const ref = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, ref, 1000)).toString(), 'you asked for /');
  assert.equal(seen?.initialWindowSize, 1_000_000);
  assert.equal(seen?.maxConcurrentStreams, 77);
  gun.close(conn);
}));

test('TLS with the default protocols (Gun 1.3\'s [http2, http]): an h2 server gives gun_up http2, an HTTP/1.1-only one gun_up http', (t) => inProcess(async () => {
  const cert = testCert();
  const h2srv = await listen(http2.createSecureServer({ key: cert.key, cert: cert.cert }), echoPath);
  const h1srv = await startHttps((_req, res) => res.end('h1'), cert);
  t.after(async () => {
    await h2srv.close();
    await h1srv.close();
  });
  const h2 = gun.open('127.0.0.1', h2srv.port, { transport: 'tls', tlsOpts: { ca: cert.cert } });
  assert.deepEqual(await gun.awaitUp(h2), ['ok', 'http2']);
  const h1 = gun.open('127.0.0.1', h1srv.port, { transport: 'tls', tlsOpts: { ca: cert.cert } });
  assert.deepEqual(await gun.awaitUp(h1), ['ok', 'http']);
  gun.close(h2);
  gun.close(h1);
}));

test('TLS: ALPN offers the protocols in the caller\'s order (Gun 2.4.1 reversed them)', (t) => inProcess(async () => {
  const cert = testCert();
  const offers: string[][] = [];
  const server = tls.createServer({ key: cert.key, cert: cert.cert, ALPNCallback: ({ protocols }) => {
    offers.push(protocols);
    return protocols.includes('http/1.1') ? 'http/1.1' : undefined;
  } }, (socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const port = (server.address() as AddressInfo).port;
  for (const protocols of [['http2', 'http'], ['http', 'http2']] as const) {
    const conn = gun.open('127.0.0.1', port, { transport: 'tls', protocols, tlsOpts: { ca: cert.cert }, retry: 0 });
    assert.deepEqual(await gun.awaitUp(conn), ['ok', 'http']);
    gun.close(conn);
  }
  assert.deepEqual(offers, [['h2', 'http/1.1'], ['http/1.1', 'h2']]);
}));

test('TLS: ALPN picks h2 from the offered protocols, HTTP/1.1 from a server that has only that; the Websocket upgrade on h2 without extended CONNECT is refused with badstate', (t) => inProcess(async () => {
  const cert = testCert();
  const srv = await listen(http2.createSecureServer({ key: cert.key, cert: cert.cert, allowHTTP1: true }), echoPath);
  t.after(() => srv.close());
  const tlsOpts = { ca: cert.cert };
  const h2 = gun.open('127.0.0.1', srv.port, { transport: 'tls', protocols: ['http2', 'http'], tlsOpts });
  assert.deepEqual(await gun.awaitUp(h2), ['ok', 'http2']);
  const ref = gun.get(h2, '/tls');
  assert.equal(ok(await gun.awaitBody(h2, ref, 1000)).toString(), 'you asked for /tls');
  const ws = gun.wsUpgrade(h2, '/ws');
  await assertReceive(['gun_error', h2, ws, ['badstate', 'The server does not allow Websocket over HTTP/2: its SETTINGS have no SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441).']], 1000);
  gun.close(h2);
  const https = await startHttps((_req, res) => res.end('h1'), cert);
  t.after(() => https.close());
  const h1 = gun.open('127.0.0.1', https.port, { transport: 'tls', protocols: ['http2', 'http'], tlsOpts });
  assert.deepEqual(await gun.awaitUp(h1), ['ok', 'http']);
  const r1 = gun.get(h1, '/');
  assert.equal(ok(await gun.awaitBody(h1, r1, 1000)).toString(), 'h1');
  gun.close(h1);
}));

test('h2 server push is off: the client SETTINGS disable it (gun_push cannot name its original stream), so the server may not push', (t) => inProcess(async () => {
  let pushAllowed: boolean | undefined;
  const srv = await h2c((stream) => {
    pushAllowed = stream.pushAllowed;
    stream.respond({ ':status': 200 });
    stream.end('no push');
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { protocols: ['http2'] });
  const ref = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, ref, 1000)).toString(), 'no push');
  assert.equal(pushAllowed, false);
  gun.close(conn);
}));

test('h2 server push enabled by the user: each pushed stream is refused with REFUSED_STREAM, the request is answered', (t) => inProcess(async () => {
  let refused: Promise<number> | undefined;
  const srv = await h2c((stream) => {
    stream.pushStream({ ':path': '/pushed' }, (error, pushed) => {
      if (error) throw error;
      refused = new Promise((resolve) => pushed.on('close', () => resolve(pushed.rstCode)));
      pushed.on('error', () => undefined);
      pushed.respond({ ':status': 200 });
      // Left open: only the client's RST_STREAM can close it.
      pushed.write('pushed body');
      stream.respond({ ':status': 200 });
      stream.end('main');
    });
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { protocols: ['http2'], http2Opts: { settings: { enablePush: true } } });
  const ref = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, ref, 1000)).toString(), 'main');
  assert.equal(await refused, http2.constants.NGHTTP2_REFUSED_STREAM);
  await refuteReceived(['gun_push', conn, _, _, _, _, _]);
  gun.close(conn);
}));
