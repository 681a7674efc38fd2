// Hostile servers and careless callers. Each case is a call an attacker or a careless
// caller would make, or bytes a misbehaving server would send; each must end in a typed
// error at the call, or a gun_error / gun_down with a documented reason — never a crash,
// an uncaught exception, a hang or silence. The last test checks that nothing escaped.
import { after as afterAll, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import {
  _, exit, gun, InvalidFrameError, InvalidHeaderError, InvalidOptionError, BadArgError,
  monitor, ok, receive, register, self, spawn, on, after,
} from '../../src/index.js';
import { assertReceive, assertReceived, inProcess, refuteReceive, refuteReceived } from '../../src/testing/index.js';
import { readUntil, startHttp, startRaw, startWs } from '../helpers/servers.js';
import { clientFrames, frame, startWsOrigin, switching } from '../helpers/origin.js';

const escaped: unknown[] = [];
const onEscape = (error: unknown): void => {
  escaped.push(error);
};
process.on('uncaughtException', onEscape);
process.on('unhandledRejection', onEscape);
afterAll(() => {
  process.off('uncaughtException', onEscape);
  process.off('unhandledRejection', onEscape);
});

/** A node:http server that records each request it runs as `METHOD url body` and answers `ok`. */
async function startRecorder(): Promise<{ port: number; seen: string[]; close(): Promise<void> }> {
  const seen: string[] = [];
  const srv = await startHttp((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('latin1');
    req.on('data', (d: string) => {
      body += d;
    });
    req.on('end', () => {
      seen.push(`${req.method} ${req.url} ${body}`);
      res.end('ok');
    });
  });
  return { port: srv.port, seen, close: () => srv.close() };
}

const SMUGGLED = 'helloGET /smuggled HTTP/1.1\r\nhost: x\r\n\r\n';

// 1. The body decides the framing.
const framings: [string, [string, string][]][] = [
  ['a smaller content-length', [['content-length', '5']]],
  ['a larger content-length', [['content-length', '100']]],
  ['an equal content-length', [['content-length', String(SMUGGLED.length)]]],
  ['a duplicated content-length', [['content-length', '5'], ['Content-Length', '7']]],
  ['transfer-encoding: chunked', [['transfer-encoding', 'chunked']]],
  ['transfer-encoding and content-length', [['transfer-encoding', 'chunked'], ['content-length', '5']]],
];

for (const [what, headers] of framings) {
  test(`a body given with ${what} is framed by its own length: no smuggled request, no hang`, (t) => inProcess(async () => {
    const srv = await startRecorder();
    t.after(() => srv.close());
    const conn = gun.open('127.0.0.1', srv.port);
    const post = gun.post(conn, '/a', headers, SMUGGLED);
    assert.equal(ok(await gun.awaitBody(conn, post, 2000)).toString(), 'ok');
    const next = gun.get(conn, '/next');
    assert.equal(ok(await gun.awaitBody(conn, next, 2000)).toString(), 'ok');
    assert.deepEqual(srv.seen, [`POST /a ${SMUGGLED}`, 'GET /next ']);
  }));
}

test('a body that follows through gun.data: ambiguous framing headers are refused at the call', () => inProcess(async () => {
  const conn = gun.open('127.0.0.1', 9, { retry: 0 });
  const refused: [string, [string, string][]][] = [
    ['transfer-encoding', [['transfer-encoding', 'chunked'], ['content-length', '5']]],
    ['content-length', [['content-length', '5'], ['content-length', '5']]],
    ['content-length', [['content-length', '5, 5']]],
    ['content-length', [['content-length', '-1']]],
    ['transfer-encoding', [['transfer-encoding', 'gzip']]],
  ];
  for (const [header, headers] of refused) {
    assert.throws(() => gun.post(conn, '/a', headers), (e: unknown) => e instanceof InvalidHeaderError && e.header === header, JSON.stringify(headers));
  }
  // A request that sends no body may not announce one.
  assert.throws(() => gun.get(conn, '/', [['content-length', '5']]), InvalidHeaderError);
  assert.throws(() => gun.delete(conn, '/', [['transfer-encoding', 'chunked']]), InvalidHeaderError);
  gun.get(conn, '/', [['content-length', '0']]);
  gun.close(conn);
}));

test('gun.data: a fin short of the content-length is refused and writes nothing; the rest then completes the request', (t) => inProcess(async () => {
  const srv = await startRecorder();
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.post(conn, '/a', [['content-length', '10']]);
  gun.data(conn, ref, 'fin', 'short');
  await assertReceive(['gun_error', conn, ref, ['badstate', 'The data ends before the content-length of the request is reached.']], 1000);
  gun.data(conn, ref, 'nofin', 'hello');
  gun.data(conn, ref, 'fin', 'world');
  assert.equal(ok(await gun.awaitBody(conn, ref, 2000)).toString(), 'ok');
  assert.deepEqual(srv.seen, ['POST /a helloworld']);
}));

// 2. replyTo is checked at the call; a reply to a destination that died is dropped.
test('reqOpts.replyTo that is not a pid or a registered name is refused at the call', () => inProcess(async () => {
  const conn = gun.open('127.0.0.1', 9, { retry: 0 });
  const gone = spawn(async () => {
    register('short_lived', self());
  });
  await new Promise<void>((resolve) => setImmediate(resolve));
  for (const replyTo of ['nobody', 42, {}, 'short_lived']) {
    assert.throws(() => gun.get(conn, '/', [], { replyTo } as never), (e: unknown) => e instanceof InvalidOptionError && e.option === 'reqOpts.replyTo', String(replyTo));
  }
  assert.throws(() => gun.get(conn, '/', [], { replyto: self() } as never), InvalidOptionError);
  assert.throws(() => gun.get(conn, '/', [], [] as never), InvalidOptionError);
  void gone;
  gun.close(conn);
}));

test('a reply to a process that has died is dropped; the connection goes on', (t) => inProcess(async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const srv = await startHttp((req, res) => {
    if (req.url === '/slow') void held.then(() => res.end('late'));
    else res.end('ok');
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const listener = spawn(() => receive([on('never', () => undefined)]));
  const mref = monitor(listener);
  gun.get(conn, '/slow', [], { replyTo: listener });
  exit(listener, 'kill');
  await assertReceive(['DOWN', mref, 'process', listener, 'killed'], 1000);
  release();
  const next = gun.get(conn, '/next');
  assert.equal(ok(await gun.awaitBody(conn, next, 2000)).toString(), 'ok');
}));

// 3. Paths are origin-form; the authority comes from the connection.
test('a path that is not origin-form is refused at the call, for requests and upgrades', () => inProcess(async () => {
  const conn = gun.open('127.0.0.1', 9, { retry: 0 });
  for (const path of ['@evil.example/ws', 'ws', '/ws#frag', 'http://evil.example/', '', '*', '/a b', '/a\r\nx: y']) {
    assert.throws(() => gun.wsUpgrade(conn, path), InvalidHeaderError, `wsUpgrade ${JSON.stringify(path)}`);
    assert.throws(() => gun.get(conn, path), InvalidHeaderError, `get ${JSON.stringify(path)}`);
  }
  gun.options(conn, '*');
  gun.close(conn);
}));

test('the upgrade sends its path verbatim, with the connection\'s Host and no Authorization of its own', (t) => inProcess(async () => {
  const heads: string[] = [];
  const srv = await startWs({ onConnection: (ws, req) => {
    heads.push(`${req.url} ${req.headers.host} ${req.headers.authorization}`);
    ws.close();
  } });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.wsUpgrade(conn, '/@evil.example/../ws?a=%2F');
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
  assert.deepEqual(heads, [`/@evil.example/../ws?a=%2F 127.0.0.1:${srv.port} undefined`]);
}));

// 4. Header names and values pass Node's validators; hosts are host names.
test('a header with a control character or a byte outside Latin-1 is refused at the call', () => inProcess(async () => {
  const conn = gun.open('127.0.0.1', 9, { retry: 0 });
  for (const value of ['a\x01b', 'a\x7fb', '\x1b[31m', '€', 'a\u2028b', 'a\rb', 'a\nb', 'a\0b']) {
    assert.throws(() => gun.get(conn, '/', [['x-test', value]]), InvalidHeaderError, JSON.stringify(value));
    assert.throws(() => gun.wsUpgrade(conn, '/', { 'x-test': value }), InvalidHeaderError, JSON.stringify(value));
  }
  for (const name of ['x test', 'x:y', '', 'é']) assert.throws(() => gun.get(conn, '/', [[name, 'v']]), InvalidHeaderError, JSON.stringify(name));
  for (const headers of ['str', 42, [['only-a-name']], [null]]) assert.throws(() => gun.get(conn, '/', headers as never), InvalidHeaderError, String(headers));
  gun.get(conn, '/', [['x-latin1', 'café\t!']]);
  gun.close(conn);
}));

test('gun.open refuses a host that is a URL, a path or holds whitespace, and port 0', () => inProcess(async () => {
  for (const host of ['ws://127.0.0.1:8080/ws', '127.0.0.1/ws', 'a b', 'example.org\r\nx', 'user@example.org', '', 'example.org:80']) {
    assert.throws(() => gun.open(host, 80), (e: unknown) => e instanceof InvalidOptionError && e.option === 'host', JSON.stringify(host));
  }
  assert.throws(() => gun.open('127.0.0.1', 0), (e: unknown) => e instanceof InvalidOptionError && e.option === 'port');
  gun.close(gun.open('::1', 9, { retry: 0 }));
  gun.close(gun.open('[::1]', 9, { retry: 0 }));
  gun.close(gun.open('my-host_1.example', 9, { retry: 0 }));
}));

// 5. wsSend checks frames at the call; a refused frame changes no state.
test('gun.wsSend refuses bad frames at the call, sends nothing for them, and the Websocket goes on', (t) => inProcess(async () => {
  const closes: number[] = [];
  const srv = await startWs({ onConnection: (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('close', (code) => closes.push(code));
  } });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.wsUpgrade(conn, '/');
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
  const bad: unknown[] = ['hello', 42, ['bogus', 'x'], ['binary', 123], ['binary', 'str'], ['text', 42], ['close', 999], ['close', 1005], ['close', 2000],
    ['close', 1000, 'x'.repeat(124)], ['ping', Buffer.alloc(126)], ['close'], [['text', 'fine'], ['close', 1006]]];
  for (const frame of bad) assert.throws(() => gun.wsSend(conn, frame as never), InvalidFrameError, JSON.stringify(frame));
  gun.wsSend(conn, ref, [['text', 'still'], ['binary', new Uint8Array([1, 2]) as Buffer]]);
  await assertReceive(['gun_ws', conn, ref, ['text', 'still']], 1000);
  await assertReceive(['gun_ws', conn, ref, ['binary', Buffer.from([1, 2])]], 1000);
  gun.wsSend(conn, ['close', 4000, 'é'.repeat(61)]);
  await assertReceive(['gun_ws', conn, ref, ['close', 4000, _]], 1000);
  await assertReceive(['gun_down', conn, 'ws', 'normal', [], []], 1000);
  // No refused close reached the wire: the server saw the caller's own 4000.
  assert.deepEqual(closes, [4000]);
}));

// 6. The code in ws_error is the one ws sent.
const wsViolations: [string, () => Buffer, number][] = [
  ['a frame announcing 2^63 bytes', () => Buffer.from([0x82, 127, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 1009],
  ['a message of 16,385 fragments', () => Buffer.concat([frame(1, 'a', { fin: false }), ...Array.from({ length: 16_384 }, () => frame(0, 'a', { fin: false }))]), 1008],
  ['invalid UTF-8', () => frame(1, Buffer.from([0xff, 0xfe])), 1007],
  ['a reserved opcode', () => frame(3, 'x'), 1002],
];

for (const [what, bytes, code] of wsViolations) {
  test(`${what}: ws_error ${code}, the same code as the close frame on the wire`, (t) => inProcess(async () => {
    let wire = Buffer.alloc(0);
    const srv = await startWsOrigin(({ socket, key }) => {
      socket.on('data', (d: Buffer) => {
        wire = Buffer.concat([wire, d]);
      });
      socket.write(Buffer.concat([Buffer.from(switching(key)), bytes()]));
    });
    t.after(() => srv.close());
    const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
    const ref = gun.wsUpgrade(conn, '/');
    await assertReceive(['gun_error', conn, ref, ['ws_error', code, _]], 2000);
    await assertReceive(['gun_down', conn, 'ws', ['error', _], [], []], 2000);
    const close = clientFrames(wire).find((f) => f.opcode === 8);
    assert.equal(close?.payload.readUInt16BE(0), code);
  }));
}

// 8. Response headers are never cut.
test('a response with 1,201 headers is delivered whole; past httpOpts.maxHeaders the stream gets a gun_error and the connection goes on', (t) => inProcess(async () => {
  const many = (n: number): string => Array.from({ length: n }, (_v, i) => `x-h${i}: v\r\n`).join('');
  const srv = await startRaw((socket) => {
    let served = 0;
    socket.on('data', (d: Buffer) => {
      for (let i = d.toString().split('\r\n\r\n').length - 1; i > 0; i--) {
        socket.write(`HTTP/1.1 200 OK\r\n${many(served++ === 0 ? 1200 : 60)}content-length: 2\r\n\r\nok`);
      }
    });
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { httpOpts: { maxHeaders: 1201 } });
  const r1 = gun.get(conn, '/');
  const [, , , , , headers] = await assertReceive(['gun_response', conn, r1, 'nofin', 200, _], 2000);
  assert.equal(headers.length, 1201);
  await assertReceive(['gun_data', conn, r1, 'fin', _], 1000);
  gun.close(conn);
  const strict = gun.open('127.0.0.1', srv.port, { httpOpts: { maxHeaders: 50 } });
  const r2 = gun.get(strict, '/');
  await assertReceive(['gun_error', strict, r2, ['stream_error', 'too_many_headers', 'The response has more than 50 headers (httpOpts.maxHeaders).']], 2000);
  const r3 = gun.get(strict, '/');
  await assertReceive(['gun_error', strict, r3, ['stream_error', 'too_many_headers', _]], 2000);
  await refuteReceived(['gun_response', strict, _, _, _, _]);
  await refuteReceived(['gun_down', strict, _, _, _, _]);
}));

// 9. Options that would only fail later are refused at open.
test('gun.open refuses options that Node would only reject on connect', async () => {
  const cases: [string, Record<string, unknown>][] = [
    ['tlsOpts.ca', { transport: 'tls', tlsOpts: { ca: 123 } }],
    ['tlsOpts.minVersion', { transport: 'tls', tlsOpts: { minVersion: 'TLSv9' } }],
    ['tlsOpts.cert', { transport: 'tls', tlsOpts: { cert: 'not a certificate' } }],
    ['tlsOpts.rejectUnauthorized', { transport: 'tls', tlsOpts: { rejectUnauthorized: 'no' } }],
    ['tcpOpts.localAddress', { tcpOpts: { localAddress: 'not-an-ip' } }],
    ['tcpOpts.family', { tcpOpts: { family: 5 } }],
    ['tcpOpts.bogus', { tcpOpts: { bogus: 1 } }],
  ];
  for (const [option, opts] of cases) {
    assert.throws(() => gun.open('127.0.0.1', 443, opts), (e: unknown) => e instanceof InvalidOptionError && e.option === option, option);
  }
});

// 10. A retry policy that returns garbage ends the connection.
for (const decision of [{ retries: NaN, timeout: NaN }, { retries: 3, timeout: -1 }, { retries: 3, timeout: Infinity }, { retries: -1, timeout: 10 }, null]) {
  test(`retryFun returning ${JSON.stringify(decision)} ends the connection with retry_fun_error after one attempt`, (t) => inProcess(async () => {
    const srv = await startRaw((socket) => socket.destroy());
    t.after(() => srv.close());
    const conn = gun.open('127.0.0.1', srv.port, { retryFun: () => decision as never });
    const mref = monitor(conn);
    const ref = gun.get(conn, '/');
    await assertReceive(['DOWN', mref, 'process', conn, ['retry_fun_error', _]], 2000);
    assert.equal(srv.remotePorts.length, 1);
    assertReceived(['gun_error', conn, ref, ['closed', _]]);
  }));
}

// 11. wsUpgrade's arguments are checked as open's are.
test('gun.wsUpgrade refuses bad options, headers and replyTo at the call', () => inProcess(async () => {
  const conn = gun.open('127.0.0.1', 9, { retry: 0 });
  assert.throws(() => gun.wsUpgrade(conn, '/', [], [] as never), (e: unknown) => e instanceof InvalidOptionError && e.option === 'wsUpgrade.opts');
  assert.throws(() => gun.wsUpgrade(conn, '/', 'str' as never), InvalidHeaderError);
  // A body length on the upgrade would make the server read the first frames as that body.
  assert.throws(() => gun.wsUpgrade(conn, '/', [['content-length', '50']]), (e: unknown) => e instanceof InvalidHeaderError && e.header === 'content-length');
  assert.throws(() => gun.wsUpgrade(conn, '/', [['transfer-encoding', 'chunked']]), (e: unknown) => e instanceof InvalidHeaderError && e.header === 'transfer-encoding');
  for (const replyTo of ['nobody', 42]) {
    assert.throws(() => gun.wsUpgrade(conn, '/', [], { replyTo } as never), (e: unknown) => e instanceof InvalidOptionError && e.option === 'wsUpgrade.opts.replyTo');
  }
  assert.throws(() => gun.wsUpgrade(conn, '/', [], { compres: true } as never), (e: unknown) => e instanceof InvalidOptionError && e.option === 'wsUpgrade.opts.compres');
  gun.close(conn);
}));

// 12. Calls on the wrong pid.
test('a gun call on a live process that is not a connection throws BadArgError and sends it nothing', () => inProcess(async () => {
  assert.throws(() => gun.get(self(), '/'), BadArgError);
  assert.throws(() => gun.wsUpgrade(self(), '/'), BadArgError);
  assert.throws(() => gun.wsSend(self(), ['text', 'x']), BadArgError);
  assert.throws(() => gun.data(self(), self() as never, 'fin', 'x'), BadArgError);
  await refuteReceive(_, 20);
}));

test('a gun call on a dead connection sends nothing and gun.await answers noproc', () => inProcess(async () => {
  const conn = gun.open('127.0.0.1', 9, { retry: 0 });
  gun.close(conn);
  const ref = gun.get(conn, '/');
  assert.deepEqual(await gun.await(conn, ref, 100), ['error', 'noproc']);
}));

test('receive with a clause not made by on() throws BadArgError naming on()', () => inProcess(async () => {
  assert.throws(() => receive([['a', _]] as never, 0), (e: unknown) => e instanceof BadArgError && /on\(pattern, handler\)/.test(e.message));
  assert.throws(() => receive([on('x', () => 1), 'y'] as never, 0), BadArgError);
  assert.throws(() => receive('nope' as never, after(0, () => 1)), BadArgError);
}));

// 13. Bytes nobody asked for.
test('bytes from the server while no request is on the wire close the connection (normal), as Gun does', (t) => inProcess(async () => {
  let server: Socket | undefined;
  const srv = await startRaw((socket) => {
    server = socket;
    void readUntil(socket, (d) => d.includes('\r\n\r\n')).then(() => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.get(conn, '/');
  await assertReceive(['gun_response', conn, ref, 'nofin', 200, _], 1000);
  await assertReceive(['gun_data', conn, ref, 'fin', _], 1000);
  // The response is whole: what the server sends now answers nothing.
  server!.write('HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nbad');
  await assertReceive(['gun_down', conn, 'http', 'normal', [], []], 1000);
  await refuteReceived(['gun_response', conn, _, _, _, _]);
}));

test('a server that speaks first closes the connection (normal); a request made meanwhile goes on the next one', (t) => inProcess(async () => {
  let accepted = 0;
  const srv = await startRaw((socket) => {
    if (accepted++ === 0) {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
      return;
    }
    void readUntil(socket, (d) => d.includes('\r\n\r\n')).then(() => socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'));
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 0 });
  await assertReceive(['gun_up', conn, 'http'], 1000);
  await assertReceive(['gun_down', conn, 'http', 'normal', [], []], 1000);
  const ref = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, ref, 2000)).toString(), 'ok');
}));

test('nothing escaped as an uncaught exception or an unhandled rejection', () => {
  assert.deepEqual(escaped, []);
});
