// Misbehaving peers: raw net servers writing hand-made bytes. Each one must end in
// gun_error / gun_down with a reason; the owner never crashes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _, gun, isProcessAlive, monitor, on, receive, self, send, spawnMonitor } from '../../src/index.js';
import { assertReceive, inProcess, refuteReceive, refuteReceived } from '../../src/testing/index.js';
import { readUntil, startAnswering, startRaw, startWs } from '../helpers/servers.js';
import { clientFrames, frame, startWsOrigin, switching } from '../helpers/origin.js';

test('a garbage status line: gun_error protocol_error on the stream, then gun_down with the parse error', (t) => inProcess(async () => {
  const srv = await startAnswering('NOT HTTP AT ALL\r\n\r\n');
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.get(conn, '/');
  const [, , , reason] = await assertReceive(['gun_error', conn, ref, ['connection_error', 'protocol_error', _]], 1000);
  assert.match(String(reason[2]), /Parse Error/);
  const [, , , down, killed] = await assertReceive(['gun_down', conn, 'http', _, _, []], 1000);
  assert.deepEqual(down, ['error', 'hpe_invalid_constant']);
  assert.deepEqual(killed, [ref]);
}));

test('a truncated body (server closes mid-body): gun_error closed, gun_down closed', (t) => inProcess(async () => {
  const srv = await startAnswering('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly a bit', 'end');
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.get(conn, '/');
  await assertReceive(['gun_response', conn, ref, 'nofin', 200, _], 1000);
  await assertReceive(['gun_error', conn, ref, ['closed', 'The connection was lost.']], 1000);
  await assertReceive(['gun_down', conn, 'http', 'closed', [ref], []], 1000);
}));

test('an RST mid-body: gun_down with [error, econnreset]', (t) => inProcess(async () => {
  const srv = await startRaw((socket) => {
    void readUntil(socket, (d) => d.includes('\r\n\r\n')).then(() => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\npartial');
      setTimeout(() => socket.resetAndDestroy(), 20);
    });
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.get(conn, '/');
  await assertReceive(['gun_error', conn, ref, ['closed', _]], 1000);
  await assertReceive(['gun_down', conn, 'http', ['error', 'econnreset'], [ref], []], 1000);
}));

const handshakeFailures: [string, (key: string, offered: string | undefined) => string, gun.WsOptions, string][] = [
  ['a wrong sec-websocket-accept', (key) => switching(key, [], 'AAAAAAAAAAAAAAAAAAAAAAAAAAA='), {}, 'Invalid Sec-WebSocket-Accept header'],
  ['a subprotocol that was not offered', (key) => switching(key, ['sec-websocket-protocol: other']), { protocols: [['xmpp']] }, 'Server sent an invalid subprotocol'],
  ['a subprotocol when none was offered', (key) => switching(key, ['sec-websocket-protocol: other']), {}, 'Server sent a subprotocol but none was requested'],
  ['an extension that was not requested', (key) => switching(key, ['sec-websocket-extensions: permessage-deflate']), {}, 'Server sent a Sec-WebSocket-Extensions header but no extension was requested'],
];

for (const [what, response, wsOpts, message] of handshakeFailures) {
  test(`the handshake fails on ${what}: gun_error names it, gun_down normal, then the retry policy`, (t) => inProcess(async () => {
    const srv = await startWsOrigin(({ socket, key, header }) => socket.write(response(key, header('sec-websocket-protocol'))));
    t.after(() => srv.close());
    const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
    const mref = monitor(conn);
    const ref = gun.wsUpgrade(conn, '/ws', [], wsOpts);
    await assertReceive(['gun_up', conn, 'http'], 1000);
    await assertReceive(['gun_error', conn, ref, ['closed', ['ws_handshake', message]]], 1000);
    await assertReceive(['gun_down', conn, 'http', 'normal', [ref], []], 1000);
    await assertReceive(['DOWN', mref, 'process', conn, ['shutdown', 'normal']], 1000);
    // The connection is gone, and what it sent came before its DOWN.
    await refuteReceived(['gun_upgrade', _, _, _, _]);
  }));
}

test('frames in the same read as the 101 are delivered, in order', (t) => inProcess(async () => {
  const srv = await startWsOrigin(({ socket, key }) => {
    socket.write(Buffer.concat([Buffer.from(switching(key)), frame(1, 'first'), frame(1, 'second'), frame(2, Buffer.from([7]))]));
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
  await assertReceive(['gun_ws', conn, ref, ['text', 'first']], 1000);
  await assertReceive(['gun_ws', conn, ref, ['text', 'second']]);
  await assertReceive(['gun_ws', conn, ref, ['binary', Buffer.from([7])]]);
}));

test('invalid UTF-8 in a text frame: close 1007 to the server, gun_error ws_error 1007, gun_down', (t) => inProcess(async () => {
  let sent = Buffer.alloc(0);
  const srv = await startWsOrigin(({ socket, key }) => {
    socket.on('data', (d: Buffer) => {
      sent = Buffer.concat([sent, d]);
    });
    socket.write(Buffer.concat([Buffer.from(switching(key)), frame(1, 'ok'), frame(1, Buffer.from([0xff, 0xfe]))]));
    setTimeout(() => socket.end(), 50);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_ws', conn, ref, ['text', 'ok']], 1000);
  await assertReceive(['gun_error', conn, ref, ['ws_error', 1007, _]], 1000);
  await assertReceive(['gun_down', conn, 'ws', ['error', 'ws_err_invalid_utf8'], [], []], 1000);
  const closes = clientFrames(sent).filter((f) => f.opcode === 8);
  assert.equal(closes[0]?.payload.readUInt16BE(0), 1007);
}));

test('a protocol violation (RSV bits set): close 1002, gun_error ws_error 1002, gun_down', (t) => inProcess(async () => {
  let sent = Buffer.alloc(0);
  const srv = await startWsOrigin(({ socket, key }) => {
    socket.on('data', (d: Buffer) => {
      sent = Buffer.concat([sent, d]);
    });
    socket.write(Buffer.concat([Buffer.from(switching(key)), frame(1, 'x', { rsv: 4 })]));
    setTimeout(() => socket.end(), 50);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_upgrade', conn, ref, _, _], 1000);
  await assertReceive(['gun_error', conn, ref, ['ws_error', 1002, _]], 1000);
  await assertReceive(['gun_down', conn, 'ws', ['error', _], [], []], 1000);
  assert.equal(clientFrames(sent).find((f) => f.opcode === 8)?.payload.readUInt16BE(0), 1002);
}));

/** A binary frame header announcing `length` payload bytes (64-bit length form), without the payload. */
function bigFrameHeader(length: number): Buffer {
  const header = Buffer.alloc(10);
  header[0] = 0x82;
  header[1] = 127;
  header.writeBigUInt64BE(BigInt(length), 2);
  return header;
}

test('a message over the default maxPayload (100 MiB): close 1009, gun_error ws_error 1009, gun_down', (t) => inProcess(async () => {
  let sent = Buffer.alloc(0);
  const srv = await startWsOrigin(({ socket, key }) => {
    socket.on('data', (d: Buffer) => {
      sent = Buffer.concat([sent, d]);
    });
    // The header alone is enough: the length is checked before any payload is read.
    socket.write(Buffer.concat([Buffer.from(switching(key)), bigFrameHeader(100 * 1024 * 1024 + 1)]));
    setTimeout(() => socket.end(), 50);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_upgrade', conn, ref, _, _], 1000);
  await assertReceive(['gun_error', conn, ref, ['ws_error', 1009, _]], 1000);
  await assertReceive(['gun_down', conn, 'ws', ['error', 'ws_err_unsupported_message_length'], [], []], 1000);
  assert.equal(clientFrames(sent).find((f) => f.opcode === 8)?.payload.readUInt16BE(0), 1009);
}));

test('wsOpts.maxPayload: a message of that size is delivered, one byte more closes with 1009', (t) => inProcess(async () => {
  const srv = await startWsOrigin(({ socket, key }) => {
    socket.write(Buffer.concat([Buffer.from(switching(key)), frame(2, Buffer.alloc(1024, 1)), frame(2, Buffer.alloc(1025, 2))]));
    setTimeout(() => socket.end(), 50);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0, wsOpts: { maxPayload: 1024 } });
  const mref = monitor(conn);
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_ws', conn, ref, ['binary', Buffer.alloc(1024, 1)]], 1000);
  await assertReceive(['gun_error', conn, ref, ['ws_error', 1009, _]], 1000);
  await assertReceive(['gun_down', conn, 'ws', ['error', 'ws_err_unsupported_message_length'], [], []], 1000);
  // The connection is gone (retry 0): whatever it sent came before its DOWN.
  await assertReceive(['DOWN', mref, 'process', conn, _], 1000);
  await refuteReceived(['gun_ws', conn, ref, _]);
}));

test('garbage after the 101 (a reserved opcode): reported, and the owner lives on', (t) => inProcess(async () => {
  const srv = await startWsOrigin(({ socket, key }) => {
    socket.write(Buffer.concat([Buffer.from(switching(key)), Buffer.from([0x83, 0x01, 0x41])]));
    setTimeout(() => socket.end(), 30);
  });
  t.after(() => srv.close());
  const me = self();
  const [owner, ownerRef] = spawnMonitor(async () => {
    const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
    const connRef = monitor(conn);
    const ref = gun.wsUpgrade(conn, '/ws');
    await assertReceive(['gun_error', conn, ref, ['ws_error', 1002, _]], 1000);
    await assertReceive(['gun_down', conn, 'ws', _, [], []], 1000);
    await assertReceive(['DOWN', connRef, 'process', conn, _], 1000);
    send(me, 'connection gone');
    await receive([on('stop', () => undefined)]);
  });
  await assertReceive('connection gone', 2000);
  assert.ok(isProcessAlive(owner), 'the owner outlived its connection');
  send(owner, 'stop');
  await assertReceive(['DOWN', ownerRef, 'process', owner, 'normal']);
}));

test('an RST in the middle of a frame: gun_down closed, the partial frame is not delivered', (t) => inProcess(async () => {
  const srv = await startWsOrigin(({ socket, key }) => {
    const whole = frame(1, 'x'.repeat(100));
    socket.write(Buffer.concat([Buffer.from(switching(key)), whole.subarray(0, 50)]));
    setTimeout(() => socket.resetAndDestroy(), 30);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_upgrade', conn, ref, _, _], 1000);
  await assertReceive(['gun_down', conn, 'ws', 'closed', [], []], 1000);
  await refuteReceive(['gun_ws', conn, ref, _], 20);
}));

test('keepalive: a peer that answers nothing after a ping is taken for dead: gun_down keepalive_timeout, then the retry policy', (t) => inProcess(async () => {
  let sent = Buffer.alloc(0);
  const srv = await startWsOrigin(({ socket, key }) => {
    socket.on('data', (d: Buffer) => {
      sent = Buffer.concat([sent, d]);
    });
    socket.write(switching(key));
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0, wsOpts: { keepalive: 30 } });
  const mref = monitor(conn);
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
  await assertReceive(['gun_down', conn, 'ws', ['error', 'keepalive_timeout'], [], []], 1000);
  await assertReceive(['DOWN', mref, 'process', conn, ['shutdown', ['error', 'keepalive_timeout']]], 1000);
  assert.equal(clientFrames(sent).filter((f) => f.opcode === 9).length, 1);
}));

test('keepalive: a peer that answers pings stays up across many of them', (t) => inProcess(async () => {
  const me = self();
  const srv = await startWs({ onConnection: (ws) => {
    let pings = 0;
    ws.on('ping', () => {
      if (++pings === 4) send(me, 'four pings');
    });
  } });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0, wsOpts: { keepalive: 100 } });
  const ref = gun.wsUpgrade(conn, '/ws');
  await assertReceive(['gun_upgrade', conn, ref, ['websocket'], _], 1000);
  await assertReceive('four pings', 2000);
  // Had a ping gone unanswered, the down would have come three intervals ago.
  refuteReceived(['gun_down', conn, _, _, _, _]);
  gun.close(conn);
}));
