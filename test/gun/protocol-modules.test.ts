// The protocol modules on their own, as Gun tests gun_http and gun_ws: a fake connection
// context and an in-memory stream instead of a socket. What a module writes is read as
// bytes; what it tells its connection (replies, protocol switch, down) is recorded in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { _, makeRef, self } from '../../src/index.js';
import { matches } from '../../src/runtime/pattern.js';
import { HttpHandler } from '../../src/gun/protocols/http.js';
import type { OutgoingRequest, WsUpgradeRequest } from '../../src/gun/protocol.js';
import { assertReceive } from '../../src/testing/index.js';
import { fakeContext, fakeWire } from '../helpers/fake-connection.js';

const get = (path: string, extra: Partial<OutgoingRequest> = {}): OutgoingRequest =>
  ({ ref: makeRef(), replyTo: self(), method: 'GET', path, headers: [], body: undefined, bodyFollows: false, flow: Infinity, ...extra });

/** An HTTP module on a fake wire, with GET /a and GET /b asked of it. */
function twoRequests() {
  const ctx = fakeContext();
  const wire = fakeWire();
  const http = new HttpHandler(ctx, wire.socket);
  const a = get('/a');
  const b = get('/b');
  http.request(a);
  http.request(b);
  return { ctx, wire, http, a, b };
}

test('http: one request at a time on the wire, Gun\'s host header (no :80), replies in order', async () => {
  const { ctx, wire, http, a, b } = twoRequests();
  const head = await wire.until((t) => t.includes('\r\n\r\n'));
  assert.equal(head, 'GET /a HTTP/1.1\r\nhost: example.org\r\nconnection: keep-alive\r\n\r\n');
  wire.push('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
  await wire.until((t) => t.includes('GET /b'));
  wire.push('HTTP/1.1 204 No Content\r\n\r\n');
  const told = await ctx.atLeast(3);
  assert.ok(matches(['reply', ['gun_response', _, a.ref, 'nofin', 200, _]], told[0]));
  assert.ok(matches(['reply', ['gun_data', _, a.ref, 'fin', Buffer.from('ok')]], told[1]));
  assert.ok(matches(['reply', ['gun_response', _, b.ref, 'fin', 204, _]], told[2]));
  http.destroy();
});

test('http: bytes while no request is on the wire make the module report a normal down', async () => {
  const ctx = fakeContext();
  const wire = fakeWire();
  new HttpHandler(ctx, wire.socket);
  wire.push('HTTP/1.1 200 OK\r\n\r\n');
  const [told] = await ctx.atLeast(1);
  assert.deepEqual(told, ['down', 'normal', [], []]);
});

test('http: a body delimited by the close ends with fin, then a closed down that lists its stream', async () => {
  const ctx = fakeContext();
  const wire = fakeWire();
  const http = new HttpHandler(ctx, wire.socket);
  const a = get('/');
  http.request(a);
  await wire.until((t) => t.includes('\r\n\r\n'));
  wire.push('HTTP/1.0 200 OK\r\n\r\nuntil the close');
  wire.end();
  const told = await ctx.atLeast(3);
  assert.ok(matches(['reply', ['gun_response', _, a.ref, 'nofin', 200, _]], told[0]));
  assert.ok(matches(['reply', ['gun_data', _, a.ref, 'fin', Buffer.from('until the close')]], told[1]));
  assert.deepEqual(told[2], ['down', 'closed', [a.ref], []]);
});

test('http: a cancelled stream is still read (to keep the wire in sync) but tells nothing', async () => {
  const { ctx, wire, http, a, b } = twoRequests();
  http.cancel(a.ref, self());
  await wire.until((t) => t.includes('GET /a'));
  wire.push('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nhello');
  await wire.until((t) => t.includes('GET /b'));
  wire.push('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n');
  const [told] = await ctx.atLeast(1);
  assert.ok(matches(['reply', ['gun_response', _, b.ref, 'fin', 200, _]], told));
  http.destroy();
});

test('ws: the upgrade goes out in Gun\'s order; a 101 with frames in the same read switches the protocol and delivers them', async () => {
  const ctx = fakeContext();
  const wire = fakeWire();
  const http = new HttpHandler(ctx, wire.socket);
  const upgrade: WsUpgradeRequest = { ref: makeRef(), replyTo: self(), path: '/ws', headers: [['x-a', '1']], opts: {} };
  http.wsUpgrade(upgrade);
  const head = await wire.until((t) => t.includes('\r\n\r\n'));
  assert.deepEqual(head.split('\r\n').slice(1, -2).map((l) => l.split(':')[0]), ['host', 'connection', 'upgrade', 'sec-websocket-version', 'sec-websocket-key', 'x-a']);
  const key = /sec-websocket-key: (.*)\r\n/.exec(head)![1];
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  wire.push(Buffer.concat([
    Buffer.from(`HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: ${accept}\r\n\r\n`),
    Buffer.from([0x81, 2]), Buffer.from('hi'),
  ]));
  const told = await ctx.atLeast(2);
  assert.ok(matches(['reply', ['gun_upgrade', _, upgrade.ref, ['websocket'], _]], told[0]));
  assert.equal(told[1][0], 'switch');
  // The frame that came with the 101 goes straight to the reply-to's mailbox, not through the context.
  assert.equal(told.length, 2);
  await assertReceive(['gun_ws', _, upgrade.ref, ['text', 'hi']], 1000);
  (told[1][1] as { destroy(): void }).destroy();
});
