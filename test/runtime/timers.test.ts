import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _, after, cancelTimer, on, processInfo, readTimer, receive, self, send, sendAfter, spawnMonitor, exit, register } from '../../src/index.js';
import { startTimer } from '../../src/runtime/clock.js';
import { assertReceive, assertReceived, inProcess, refuteReceived, SimulatedClock } from '../../src/testing/index.js';
import { simulatedClock } from '../helpers/clock.js';


test('sendAfter delivers on the simulated clock, not before', (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  sendAfter(1000, self(), 'tick');
  await clock.advance(999);
  await refuteReceived('tick');
  await clock.advance(1);
  await assertReceived('tick');
}));

test('cancelTimer returns the time left and stops the message; false once fired', (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const ref = sendAfter(500, self(), 'late');
  await clock.advance(200);
  assert.equal(readTimer(ref), 300);
  assert.equal(cancelTimer(ref), 300);
  await clock.advance(1000);
  await refuteReceived('late');
  const ref2 = sendAfter(10, self(), 'fired');
  await clock.advance(10);
  assert.equal(cancelTimer(ref2), false);
}));

test('sendAfter to a registered name resolves the name when it fires', (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  register('timer-target', self());
  sendAfter(50, 'timer-target', 'by name');
  await clock.advance(50);
  await assertReceived('by name');
}));

test('a receive after timeout fires exactly at its time on the simulated clock', (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const [p, ref] = spawnMonitor(async () => {
    const r = await receive([on('never', () => 'msg')], after(1000, () => 'timeout'));
    exit(['result', r, clock.now()]);
  });
  await clock.advance(999);
  assert.equal(clock.pending, 1);
  await clock.advance(1);
  const [, , , , reason] = await assertReceive(['DOWN', ref, 'process', p, _]);
  assert.deepEqual(reason, ['result', 'timeout', 1000]);
}));

test('a message that arrives before the after time cancels the timer', (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const me = self();
  sendAfter(300, me, 'early');
  const pending = receive([on('early', () => clock.now())], after(1000, () => -1));
  await clock.advance(300);
  assert.equal(await pending, 300);
  assert.equal(clock.pending, 0);
}));

test('cancelTimer after setClock cancels on the clock the timer runs on', () => inProcess(async () => {
  const clock = new SimulatedClock().install();
  const ref = sendAfter(100, self(), 'from the old clock');
  await clock.advance(40);
  clock.uninstall();
  assert.equal(readTimer(ref), 60);
  assert.equal(cancelTimer(ref), 60);
  await clock.advance(100);
  await refuteReceived('from the old clock');
}));

test('a timer for a pid is cancelled when that process dies (readTimer and cancelTimer say false)', (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const [pid, mref] = spawnMonitor(() => receive([on('never', () => undefined)]));
  const ref = sendAfter(1000, pid, 'for the dead');
  exit(pid, 'kill');
  await assertReceive(['DOWN', mref, 'process', pid, 'killed']);
  assert.equal(readTimer(ref), false);
  assert.equal(cancelTimer(ref), false);
  await clock.advance(1000);
}));

test('readTimer and cancelTimer report whole milliseconds on the real clock', () => inProcess(async () => {
  const ref = sendAfter(1000, self(), 'later');
  await new Promise((r) => setTimeout(r, 3));
  const read = readTimer(ref);
  assert.ok(typeof read === 'number' && Number.isInteger(read) && read > 0 && read <= 1000, String(read));
  const cancelled = cancelTimer(ref);
  assert.ok(typeof cancelled === 'number' && Number.isInteger(cancelled), String(cancelled));
}));

/** Node's pending timers: what keeps a script alive. */
const liveTimeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

test('a sendAfter to a dead pid, or to a process that then exits, leaves no timer keeping Node alive', () => inProcess(async () => {
  const before = liveTimeouts();
  const [dead, deadRef] = spawnMonitor(() => undefined);
  await assertReceive(['DOWN', deadRef, 'process', dead, 'normal']);
  const ref = sendAfter(60_000, dead, 'never');
  assert.equal(liveTimeouts(), before, 'no timer for a dead pid');
  assert.equal(readTimer(ref), false);
  const [pid, mref] = spawnMonitor(async () => {
    sendAfter(60_000, self(), 'to myself');
    await receive([on('go', () => undefined)], after(60_000, () => undefined));
  });
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(liveTimeouts(), before + 2, 'its sendAfter and its receive timeout are pending');
  exit(pid, 'kill');
  await assertReceive(['DOWN', mref, 'process', pid, 'killed']);
  assert.equal(liveTimeouts(), before, 'both were cancelled when it exited');
}));

test('a timer is cancelled on the clock it was set on, whatever clock is current then', (t) => {
  const before = liveTimeouts();
  const timer = startTimer(60_000, () => undefined);
  assert.equal(liveTimeouts(), before + 1);
  const clock = simulatedClock(t);
  const simulated = startTimer(100, () => undefined);
  clock.uninstall();
  timer.cancel();
  simulated.cancel();
  assert.equal(liveTimeouts(), before, 'the real timer was cleared on the real clock');
  assert.equal(clock.pending, 0, 'the simulated one on the simulated clock');
});
test("receive([], after(ms, fn)) is Erlang's `receive after T -> … end`: it sleeps ms and leaves the mailbox alone", (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const me = self();
  const [pid, mref] = spawnMonitor(async () => {
    send(self(), 'queued');
    const got = await receive([], after(1000, () => 'slept'));
    send(me, ['woke', got, processInfo(self())?.messages]);
  });
  await clock.advance(999);
  await refuteReceived(['woke', _, _]);
  await clock.advance(1);
  await assertReceived(['woke', 'slept', ['queued']]);
  await assertReceive(['DOWN', mref, 'process', pid, 'normal']);
}));

test('an exit signal reaches a process waiting in receive([], after(ms, fn))', (t) => inProcess(async () => {
  simulatedClock(t);
  const [pid, mref] = spawnMonitor(async () => {
    await receive([], after(60_000, () => 'slept'));
  });
  await new Promise((r) => setImmediate(r));
  assert.equal(processInfo(pid)?.status, 'waiting');
  exit(pid, 'bye');
  await assertReceived(['DOWN', mref, 'process', pid, 'bye']);
  await assert.rejects(async () => receive([]), { code: 'ERR_BADARG' }, 'an empty receive with no timeout would wait forever');
}));
