// Processes start and actors run when a test runner's fake timers have replaced the global
// queueMicrotask (jest's do by default): erlgun keeps the one it found at load.
import { test } from 'node:test';
import { gun, self, send, spawn } from '../../src/index.js';
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
