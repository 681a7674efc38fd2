// Processes start and actors run when a test runner's fake timers have replaced the global
// queueMicrotask (jest's do by default): erlgun keeps the one it found at load.
import { test } from 'node:test';
import { anyNumber, gun, on, receive, self, send, spawn } from '../../src/index.js';
import { assertReceive, inProcess } from '../../src/testing/index.js';
import { startHttp } from '../helpers/servers.js';

/** Runs `body` with a global queueMicrotask that never runs anything, as under a frozen fake clock. */
async function withFrozenMicrotasks<T>(body: () => Promise<T>): Promise<T> {
  const real = globalThis.queueMicrotask;
  globalThis.queueMicrotask = () => undefined;
  try {
    return await body();
  } finally {
    globalThis.queueMicrotask = real;
  }
}

test('spawned processes and the connection actor run while the global queueMicrotask is faked', async (t) => {
  const srv = await startHttp((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  await withFrozenMicrotasks(() => inProcess(async () => {
    const me = self();
    spawn(() => send(me, 'started'));
    await assertReceive('started', 1000);
    const conn = gun.open('127.0.0.1', srv.port);
    await assertReceive(['gun_up', conn, 'http'], 1000);
  }));
});

/** Runs `body` with a global setImmediate that never fires, as jest's fake timers have it. */
async function withFrozenImmediates<T>(body: () => Promise<T>): Promise<T> {
  const real = globalThis.setImmediate;
  globalThis.setImmediate = (() => undefined) as unknown as typeof setImmediate;
  try {
    return await body();
  } finally {
    globalThis.setImmediate = real;
  }
}

test('a burst longer than one scheduling budget completes while the global setImmediate is faked', () => withFrozenImmediates(() => inProcess(async () => {
  const me = self();
  const echo = spawn(async () => {
    for (;;) await receive([on(['ping', anyNumber], ([, n]) => send(me, ['pong', n]))]);
  });
  for (let n = 0; n < 3000; n++) {
    send(echo, ['ping', n]);
    await receive([on(['pong', n], () => undefined)]);
  }
})));
