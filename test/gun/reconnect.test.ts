import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { _, exit, gun, monitor, ok, on, receive, self, send, spawn, spawnMonitor, isProcessAlive, type Pid, type DownMessage, type Options, type TimerHandle } from '../../src/index.js';
import { assertReceive, inProcess, refuteReceive, SimulatedClock } from '../../src/testing/index.js';
import { deadPort, startHttp, startRaw } from '../helpers/servers.js';

test('server closes a connection that died young → gun_down closed → gun_up again after retryTimeout (simulated clock)', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  const clock = new SimulatedClock().install();
  t.after(() => clock.uninstall());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 1000 });
  await assertReceive(['gun_up', conn, 'http'], 1000);
  srv.server.closeAllConnections();
  await assertReceive(['gun_down', conn, 'http', 'closed', [], []], 1000);
  await clock.advance(999);
  await refuteReceive(['gun_up', conn, _], 50);
  await clock.advance(1);
  await assertReceive(['gun_up', conn, 'http'], 1000);
  const ref = gun.get(conn, '/');
  assert.equal(ok(await gun.awaitBody(conn, ref)).toString(), 'ok');
  assert.equal(srv.remotePorts.length, 2);
}));

test('a connection that was up and lived is retried at once after a drop, as in Gun 2.x; the next failure waits retryTimeout (simulated clock)', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.end('ok'));
  t.after(() => srv.close());
  const clock = new SimulatedClock().install();
  t.after(() => clock.uninstall());
  const conn = gun.open('127.0.0.1', srv.port, { retryTimeout: 5000 });
  await assertReceive(['gun_up', conn, 'http'], 1000);
  await clock.advance(5000);
  // A pooled connection the server closed for idleness: the next request must not stall 5 s.
  srv.server.closeAllConnections();
  await assertReceive(['gun_down', conn, 'http', 'closed', [], []], 1000);
  await assertReceive(['gun_up', conn, 'http'], 1000);
  // This one died young: the policy's wait applies.
  srv.server.closeAllConnections();
  await assertReceive(['gun_down', conn, 'http', 'closed', [], []], 1000);
  await refuteReceive(['gun_up', conn, _], 50);
  await clock.advance(5000);
  await assertReceive(['gun_up', conn, 'http'], 1000);
  gun.close(conn);
}));

test('live streams get gun_error closed and are listed as killed in gun_down', (t) => inProcess(async () => {
  const srv = await startHttp((req, res) => {
    res.writeHead(200, { 'content-length': '100' });
    res.write('partial');
    setTimeout(() => req.socket.destroy(), 20);
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 0 });
  const a = gun.get(conn, '/a');
  const b = gun.get(conn, '/b');
  await assertReceive(['gun_response', conn, a, 'nofin', 200, _], 1000);
  await assertReceive(['gun_error', conn, a, ['closed', 'The connection was lost.']], 1000);
  await assertReceive(['gun_error', conn, b, ['closed', 'The connection was lost.']]);
  const [, , , , killed] = await assertReceive(['gun_down', conn, 'http', 'closed', _, []]);
  assert.deepEqual(killed, [a, b]);
}));

test('retries exhausted: the actor exits [shutdown, reason], seen by a monitor', (t) => inProcess(async () => {
  let accepted = 0;
  const srv = await startRaw((socket) => {
    accepted++;
    socket.destroy();
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 2, retryTimeout: 5 });
  const mref = monitor(conn);
  await assertReceive(['gun_up', conn, 'http'], 1000);
  await assertReceive(['gun_down', conn, 'http', 'closed', [], []], 1000);
  await srv.close();
  const [, , , , reason] = await assertReceive(['DOWN', mref, 'process', conn, _], 2000);
  assert.deepEqual(reason, ['shutdown', 'econnrefused']);
  assert.equal(accepted, 1);
}));

test('a dead port with retry 0 exits [shutdown, econnrefused]; awaitUp says so', () => inProcess(async () => {
  const port = await deadPort();
  const conn = gun.open('127.0.0.1', port, { retry: 0 });
  assert.deepEqual(await gun.awaitUp(conn, 1000), ['error', ['shutdown', 'econnrefused']]);
  assert.equal(isProcessAlive(conn), false);
}));

/** A simulated clock that records the waits it is asked for, and says when a timer is set. */
class RecordingClock extends SimulatedClock {
  readonly waits: number[] = [];
  #waiting: { readonly count: number; readonly resolve: () => void }[] = [];

  override setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle = super.setTimeout(callback, ms);
    this.waits.push(ms);
    this.#waiting = this.#waiting.filter((w) => (w.count <= this.waits.length ? (w.resolve(), false) : true));
    return handle;
  }

  /** Resolves once `count` timers have been set in all. */
  timersSet(count: number): Promise<void> {
    return count <= this.waits.length ? Promise.resolve() : new Promise((resolve) => this.#waiting.push({ count, resolve }));
  }
}

function recordingClock(t: TestContext, random?: () => number): RecordingClock {
  const clock = new RecordingClock({ random }).install();
  t.after(() => clock.uninstall());
  return clock;
}

test('initial connect makes 1 + retry attempts, retryTimeout apart', (t) => inProcess(async () => {
  const clock = recordingClock(t);
  const port = await deadPort();
  const conn = gun.open('127.0.0.1', port, { retry: 2, retryTimeout: 500 });
  const mref = monitor(conn);
  for (let attempt = 1; attempt <= 2; attempt++) {
    await clock.timersSet(attempt); // the attempt failed: the retry waits
    assert.equal(clock.waits[attempt - 1], 500);
    await clock.advance(499);
    assert.equal(clock.waits.length, attempt, 'no new attempt before retryTimeout');
    await clock.advance(1);
  }
  await assertReceive(['DOWN', mref, 'process', conn, ['shutdown', 'econnrefused']], 1000);
  assert.equal(clock.waits.length, 2);
}));

test('the retry counter resets after each successful connect (retry 1 survives three closes)', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.end());
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, { retry: 1, retryTimeout: 5 });
  for (let i = 0; i < 3; i++) {
    await assertReceive(['gun_up', conn, 'http'], 2000);
    srv.server.closeAllConnections();
    await assertReceive(['gun_down', conn, 'http', 'closed', [], []], 1000);
  }
  await assertReceive(['gun_up', conn, 'http'], 2000);
}));

/**
 * The first `count` retry waits of a connection to a peer that accepts and closes at once,
 * each taken on a simulated clock whose jitter comes from `random`.
 */
async function retryWaits(t: TestContext, opts: Options, reconnectingUpgrade: boolean, count: number, random?: () => number): Promise<number[]> {
  const clock = recordingClock(t, random);
  let accepted = 0;
  const srv = await startRaw((socket) => {
    accepted++;
    socket.destroy();
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port, opts);
  if (reconnectingUpgrade) gun.wsUpgrade(conn, '/ws', [], { reconnect: true });
  const waits: number[] = [];
  for (let i = 0; i < count; i++) {
    await assertReceive(['gun_down', conn, 'http', _, _, _], 1000);
    const wait = clock.waits[clock.waits.length - 1];
    waits.push(wait);
    await clock.advance(wait - 1);
    assert.equal(accepted, i + 1, 'no reconnect before the wait is over');
    await clock.advance(1);
  }
  gun.close(conn);
  return waits;
}

test('an accept-and-close peer does not cause a reconnect storm: the default policy backs off', (t) => inProcess(async () => {
  // Gun 2.x made 6,000+ connects in 1.5 s with retry_timeout 0.
  assert.deepEqual(await retryWaits(t, { retryTimeout: 0 }, false, 4), [100, 200, 400, 800]);
}));

test('wsOpts.reconnect backs off on an accept-and-close peer: the default policy doubling, plus 0–50 % jitter', async (t) => {
  // It was a flat 50–100 ms: a storm of ~15 connects a second.
  await t.test('no jitter', (tt) => inProcess(async () => {
    assert.deepEqual(await retryWaits(tt, { retryTimeout: 0 }, true, 4, () => 0), [100, 200, 400, 800]);
  }));
  await t.test('the most jitter', (tt) => inProcess(async () => {
    assert.deepEqual(await retryWaits(tt, { retryTimeout: 0 }, true, 4, () => 0.999_999), [150, 300, 600, 1200]);
  }));
});

test('wsOpts.reconnect never waits less than retryTimeout', (t) => inProcess(async () => {
  const waits = await retryWaits(t, { retryTimeout: 200 }, true, 3, () => 0);
  assert.deepEqual(waits, [200, 400, 800]);
}));

test('retryFun decides the backoff; it gets the retries left and the reason', () => inProcess(async () => {
  const calls: [number, unknown][] = [];
  const port = await deadPort();
  const conn = gun.open('127.0.0.1', port, {
    retry: 3,
    retryFun: (retriesLeft, context) => {
      calls.push([retriesLeft, context.reason]);
      return { retries: retriesLeft - 1, timeout: 1 };
    },
  });
  const mref = monitor(conn);
  await assertReceive(['DOWN', mref, 'process', conn, ['shutdown', 'econnrefused']], 1000);
  assert.deepEqual(calls, [[3, 'econnrefused'], [2, 'econnrefused'], [1, 'econnrefused']]);
}));

test('requests made while disconnected are sent after the reconnect', (t) => inProcess(async () => {
  const clock = recordingClock(t);
  const port = await deadPort();
  const conn = gun.open('127.0.0.1', port, { retryTimeout: 50 });
  const ref = gun.get(conn, '/queued');
  await clock.timersSet(1); // the first attempt failed
  const srv = await startHttp((req, res) => res.end(`got ${req.url}`), port);
  t.after(() => srv.close());
  await clock.advance(50);
  await assertReceive(['gun_up', conn, 'http'], 1000);
  assert.equal(ok(await gun.awaitBody(conn, ref)).toString(), 'got /queued');
}));

test('connectTimeout ends an attempt that hangs', (t) => inProcess(async () => {
  // A listener with a full backlog never completes the handshake; a non-routable address is not allowed here,
  // so the timeout is tested through the simulated clock against a TLS server that never answers the handshake.
  const srv = await startRaw(() => undefined);
  t.after(() => srv.close());
  const clock = recordingClock(t);
  const conn = gun.open('127.0.0.1', srv.port, { transport: 'tls', connectTimeout: 300, retry: 0 });
  const mref = monitor(conn);
  await clock.timersSet(1); // the attempt started
  await clock.advance(299);
  assert.equal(gun.info(conn)?.stateName, 'connecting');
  await clock.advance(1);
  await assertReceive(['DOWN', mref, 'process', conn, ['shutdown', 'timeout']], 1000);
}));

/** A raw server that keeps its sockets open: `accepted` and `closed` resolve at the first socket's accept and close. */
async function startHolding(t: TestContext): Promise<{ port: number; accepted: Promise<void>; closed: Promise<void> }> {
  let onAccept!: () => void;
  let onClose!: () => void;
  const accepted = new Promise<void>((resolve) => {
    onAccept = resolve;
  });
  const closed = new Promise<void>((resolve) => {
    onClose = resolve;
  });
  const srv = await startRaw((socket) => {
    socket.resume().on('close', onClose);
    onAccept();
  });
  t.after(() => srv.close());
  return { port: srv.port, accepted, closed };
}

test('gun.close while the TLS handshake hangs closes the socket at once', (t) => inProcess(async () => {
  // The server never closes: only the client's close can end the socket (the test times out otherwise).
  const srv = await startHolding(t);
  const conn = gun.open('127.0.0.1', srv.port, { transport: 'tls', retry: 0 });
  await srv.accepted;
  assert.equal(gun.info(conn)?.stateName, 'connecting');
  gun.close(conn);
  assert.equal(isProcessAlive(conn), false);
  await srv.closed;
}));

test('owner exits → the connection closes its socket and exits [shutdown, [owner_down, reason]]', (t) => inProcess(async () => {
  const srv = await startHolding(t);
  const me = self();
  const [owner, oref] = spawnMonitor(async () => {
    const conn = gun.open('127.0.0.1', srv.port);
    send(me, ['conn', conn]);
    await receive([on('crash', () => exit('boom'))]);
  });
  const conn = await receive([on(['conn', _], ([, c]) => c as Pid)]);
  const cref = monitor(conn);
  await srv.accepted;
  send(owner, 'crash');
  await assertReceive(['DOWN', oref, 'process', owner, 'boom'], 1000);
  const [, , , , reason] = await assertReceive(['DOWN', cref, 'process', conn, _], 1000) as DownMessage;
  assert.deepEqual(reason, ['shutdown', ['owner_down', 'boom']]);
  await srv.closed;
}));

test('an owner that exits normal takes the connection down with normal; during a retry wait too', (t) => inProcess(async () => {
  const clock = recordingClock(t);
  const port = await deadPort();
  const me = self();
  const owner = spawn(async () => {
    send(me, ['conn', gun.open('127.0.0.1', port, { retryTimeout: 60_000 })]);
    await receive([on('stop', () => undefined)]);
  });
  const conn = await receive([on(['conn', _], ([, c]) => c as Pid)]);
  const cref = monitor(conn);
  await clock.timersSet(1); // the attempt failed: the connection waits to retry
  assert.equal(gun.info(conn)?.stateName, 'not_connected');
  send(owner, 'stop');
  await assertReceive(['DOWN', cref, 'process', conn, 'normal'], 1000);
}));

test('gun.close is immediate: no gun_down, monitors see shutdown', (t) => inProcess(async () => {
  const srv = await startHttp((_req, res) => res.end());
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  await assertReceive(['gun_up', conn, 'http'], 1000);
  const mref = monitor(conn);
  gun.close(conn);
  await assertReceive(['DOWN', mref, 'process', conn, 'shutdown']);
  await refuteReceive(['gun_down', conn, _, _, _, _], 30);
}));

test('gun.shutdown lets the running response finish, refuses queued ones, exits shutdown without gun_down', (t) => inProcess(async () => {
  // The response ends once the refusal was seen: /b is still queued behind it when shutdown comes.
  const finish: (() => void)[] = [];
  const srv = await startHttp((_req, res) => {
    res.write('slow ');
    finish.push(() => res.end('done'));
  });
  t.after(() => srv.close());
  const conn = gun.open('127.0.0.1', srv.port);
  const a = gun.get(conn, '/a');
  const b = gun.get(conn, '/b');
  await assertReceive(['gun_response', conn, a, 'nofin', 200, _], 1000);
  const mref = monitor(conn);
  gun.shutdown(conn);
  await assertReceive(['gun_error', conn, b, ['closing', _]], 1000);
  for (const end of finish.splice(0)) end();
  assert.equal(ok(await gun.awaitBody(conn, a)).toString(), 'slow done');
  await assertReceive(['DOWN', mref, 'process', conn, 'shutdown'], 1000);
  await refuteReceive(['gun_down', conn, _, _, _, _], 30);
}));
