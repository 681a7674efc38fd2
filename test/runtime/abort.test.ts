// AbortSignal on waits (receive, gun.await, gun.awaitBody, gun.awaitUp) and the messages() iterator.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _, anyNumber, gun, messages, on, processInfo, receive, self, send, spawn, TIMEOUT } from '../../src/index.js';
import { inProcess } from '../../src/testing/index.js';
import { deadPort, startHttp } from '../helpers/servers.js';

/** Aborts `controller` from another process, once the caller has started waiting (a microtask later). */
function abortFromElsewhere(controller: AbortController, reason?: unknown): void {
  spawn(() => controller.abort(reason));
}

const isAbortError = (e: unknown): boolean => e instanceof Error && e.name === 'AbortError';

test('an aborted receive rejects with AbortError and leaves the mailbox as it was; the process receives again', () => inProcess(async () => {
  const me = self();
  send(me, 'unrelated');
  const controller = new AbortController();
  abortFromElsewhere(controller);
  await assert.rejects(receive([on('never', () => 1)], undefined, { signal: controller.signal }), isAbortError);
  assert.deepEqual(processInfo(me)?.messages, ['unrelated']);
  send(me, 'next');
  assert.equal(await receive([on('next', () => 'ok')], 1000), 'ok');
}));

test('a receive with a signal already aborted rejects at once with its reason and takes nothing', () => inProcess(async () => {
  send(self(), 'there');
  const reason = new Error('stop');
  await assert.rejects(receive([on('there', () => 1)], 1000, { signal: AbortSignal.abort(reason) }), (e) => e === reason);
  assert.deepEqual(processInfo(self())?.messages, ['there']);
}));

test('receive with a signal that never aborts returns the match, or its after/timeout', () => inProcess(async () => {
  const { signal } = new AbortController();
  const me = self();
  spawn(() => send(me, ['n', 1]));
  assert.equal(await receive([on(['n', anyNumber], ([, n]) => n)], undefined, { signal }), 1);
  assert.equal(await receive([on('never', () => 1)], 5, { signal }), TIMEOUT);
}));

test('gun.await, gun.awaitBody and gun.awaitUp stop on abort; their monitors leave nothing behind', (t) => inProcess(async () => {
  const silent = new AbortController();
  const partial = new AbortController();
  // The server aborts each wait once the request has reached it: the client is waiting by then.
  const srv = await startHttp((req, res) => {
    if (req.url === '/silent') silent.abort();
    else res.writeHead(200, { 'content-length': '10' }).write('part', () => partial.abort());
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  await assert.rejects(gun.await(conn, gun.get(conn, '/silent'), Infinity, { signal: silent.signal }), isAbortError);
  // A second connection: the first one's socket waits for /silent's response (no pipelining).
  const conn2 = gun.open('127.0.0.1', srv.port);
  await assert.rejects(gun.awaitBody(conn2, gun.get(conn2, '/partial'), Infinity, { signal: partial.signal }), isAbortError);

  const down = gun.open('127.0.0.1', await deadPort(), { retryTimeout: 60_000 });
  const up = new AbortController();
  abortFromElsewhere(up);
  await assert.rejects(gun.awaitUp(down, Infinity, { signal: up.signal }), isAbortError);
  assert.deepEqual((processInfo(self())?.messages ?? []).filter((m) => Array.isArray(m) && m[0] === 'DOWN'), []);
}));

test('messages() yields matching messages in order, queued ones first, and leaves the others', () => inProcess(async () => {
  const me = self();
  send(me, ['n', 1]);
  send(me, 'other');
  send(me, ['n', 2]);
  spawn(() => send(me, ['n', 3]));
  const seen: number[] = [];
  for await (const [, n] of messages(['n', anyNumber])) {
    seen.push(n);
    if (n === 3) break;
  }
  assert.deepEqual(seen, [1, 2, 3]);
  assert.deepEqual(processInfo(me)?.messages, ['other']);
}));

test('messages() ends with the abort reason when its signal aborts', () => inProcess(async () => {
  const controller = new AbortController();
  send(self(), ['tick', 1]);
  const seen: unknown[] = [];
  await assert.rejects((async () => {
    for await (const m of messages(['tick', _], { signal: controller.signal })) {
      seen.push(m);
      abortFromElsewhere(controller);
    }
  })(), isAbortError);
  assert.deepEqual(seen, [['tick', 1]]);
}));
