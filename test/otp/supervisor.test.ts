import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import {
  _, anyPid, exit, genServer, isProcessAlive, monitor, ok, processFlag, self, send, on, receive, setLogger, spawn, spawnLink, supervisor, TIMEOUT,
  type ChildSpec, type GenServer, type Pid, type SupFlags,
} from '../../src/index.js';
import { assertReceive, assertReceived, inProcess, refuteReceived } from '../../src/testing/index.js';
import { simulatedClock } from '../helpers/clock.js';


/** Crash reports of children that die on purpose would clutter the output; collected instead. */
function quietCrashes(t: TestContext): void {
  const previous = setLogger(() => undefined);
  t.after(() => setLogger(previous));
}

/** A trapping worker that tells `observer` when it starts and terminates; a cast ['exit', reason] ends it. */
function worker(id: string, observer: Pid): GenServer<null, never, unknown, readonly ['exit', unknown]> {
  return {
    init: () => {
      processFlag('trap_exit', true);
      send(observer, ['started', id, self()]);
      return ['ok', null];
    },
    handleCast: ([, reason], state) => ['stop', reason, state],
    terminate: (reason) => send(observer, ['terminated', id, reason]),
  };
}

function child(id: string, observer: Pid, extra: Partial<ChildSpec> = {}): ChildSpec {
  return { id, start: () => genServer.startLink(worker(id, observer), undefined), ...extra };
}

function sup(flags: SupFlags, children: readonly ChildSpec[]): Pid {
  return ok(supervisor.startLink({ init: () => ['ok', [flags, children]] }, undefined));
}

const ids = ['a', 'b', 'c'] as const;

async function startedPids(): Promise<Record<string, Pid>> {
  const out: Record<string, Pid> = {};
  for (const id of ids) out[id] = (await assertReceived(['started', id, anyPid]))[2];
  return out;
}

/** The calling test process traps exits and starts a supervisor of workers a, b and c, which report to it. */
async function supervisedABC(flags: SupFlags): Promise<{ s: Pid; pids: Record<string, Pid> }> {
  const me = self();
  processFlag('trap_exit', true);
  const s = sup(flags, ids.map((id) => child(id, me)));
  return { s, pids: await startedPids() };
}

test('children start in order before startLink returns; whichChildren and countChildren report them', () => inProcess(async () => {
  const { s, pids } = await supervisedABC({});
  assert.deepEqual(await supervisor.whichChildren(s), ids.map((id) => [id, pids[id], 'worker']));
  assert.deepEqual(await supervisor.countChildren(s), { specs: 3, active: 3, supervisors: 0, workers: 3 });
}));

test('one_for_one restarts only the child that died', () => inProcess(async () => {
  const { s, pids } = await supervisedABC({ strategy: 'one_for_one', intensity: 5 });
  genServer.cast(pids.b, ['exit', 'crash']);
  await assertReceive(['terminated', 'b', 'crash']);
  const [, , b2] = await assertReceive(['started', 'b', anyPid]);
  assert.notEqual(b2, pids.b);
  assert.deepEqual((await supervisor.whichChildren(s)).map(([, pid]) => pid), [pids.a, b2, pids.c]);
  await refuteReceived(['terminated', _, _]);
}));

test('one_for_all stops the others in reverse order, then starts all in order', () => inProcess(async () => {
  const { pids } = await supervisedABC({ strategy: 'one_for_all', intensity: 5 });
  genServer.cast(pids.a, ['exit', 'crash']);
  await assertReceive(['terminated', 'a', 'crash']);
  await assertReceive(['terminated', 'c', 'shutdown']);
  await assertReceive(['terminated', 'b', 'shutdown']);
  for (const id of ids) await assertReceive(['started', id, anyPid]);
}));

test('rest_for_one restarts the child that died and those started after it, not those before', () => inProcess(async () => {
  const { s, pids } = await supervisedABC({ strategy: 'rest_for_one', intensity: 5 });
  genServer.cast(pids.b, ['exit', 'crash']);
  await assertReceive(['terminated', 'b', 'crash']);
  await assertReceive(['terminated', 'c', 'shutdown']);
  await assertReceive(['started', 'b', anyPid]);
  await assertReceive(['started', 'c', anyPid]);
  const now = await supervisor.whichChildren(s);
  assert.equal(now[0][1], pids.a);
  await refuteReceived(['terminated', 'a', _]);
}));

test('restart types: permanent always, transient only after an abnormal exit, temporary never (and its spec is dropped)', (t) => inProcess(async () => {
  quietCrashes(t);
  const me = self();
  processFlag('trap_exit', true);
  const s = sup({ intensity: 10 }, [child('p', me, { restart: 'permanent' }), child('t', me, { restart: 'transient' }), child('x', me, { restart: 'temporary' })]);
  const [, , p] = await assertReceived(['started', 'p', anyPid]);
  const [, , tr] = await assertReceived(['started', 't', anyPid]);
  const [, , x] = await assertReceived(['started', 'x', anyPid]);
  genServer.cast(p, ['exit', 'normal']);
  await assertReceive(['started', 'p', anyPid]);
  genServer.cast(tr, ['exit', 'normal']);
  await assertReceive(['terminated', 't', 'normal']);
  genServer.cast(x, ['exit', 'crash']);
  await assertReceive(['terminated', 'x', 'crash']);
  const which = await supervisor.whichChildren(s);
  assert.deepEqual(which.map(([id, pid]) => [id, pid instanceof Object]), [['p', true], ['t', false]]);
  await refuteReceived(['started', _, _]);
  assert.deepEqual(await supervisor.restartChild(s, 't').then(([tag]) => tag), 'ok');
  const [, , tr2] = await assertReceive(['started', 't', anyPid]);
  genServer.cast(tr2, ['exit', 'crash']);
  await assertReceive(['started', 't', anyPid]);
}));

test('more than intensity restarts within period: the children are shut down in reverse order and the supervisor exits shutdown', (t) => inProcess(async () => {
  quietCrashes(t);
  simulatedClock(t);
  const { s, pids } = await supervisedABC({ intensity: 2, period: 5 });
  let { a } = pids;
  for (let i = 0; i < 2; i++) {
    genServer.cast(a, ['exit', 'crash']);
    a = (await assertReceive(['started', 'a', anyPid]))[2];
  }
  genServer.cast(a, ['exit', 'crash']);
  await assertReceive(['terminated', 'a', 'crash']);
  await assertReceive(['terminated', 'c', 'shutdown']);
  await assertReceive(['terminated', 'b', 'shutdown']);
  await assertReceive(['EXIT', s, 'shutdown']);
  await refuteReceived(['started', _, _]);
}));

test('restarts spread wider than the period never reach the intensity', (t) => inProcess(async () => {
  quietCrashes(t);
  const clock = simulatedClock(t);
  const me = self();
  processFlag('trap_exit', true);
  const s = sup({ intensity: 1, period: 5 }, [child('a', me)]);
  let [, , a] = await assertReceived(['started', 'a', anyPid]);
  for (let i = 0; i < 5; i++) {
    await clock.advance(5001);
    genServer.cast(a, ['exit', 'crash']);
    a = (await assertReceive(['started', 'a', anyPid]))[2];
  }
  assert.equal(isProcessAlive(s), true);
}));

test("shutdown: brutal_kill kills at once (no terminate); ms waits for a stuck child that long, then kills; 'infinity' waits", (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const me = self();
  processFlag('trap_exit', true);
  const s = sup({}, [
    child('brutal', me, { shutdown: 'brutal_kill' }),
    { id: 'slow', start: () => ['ok', slowToStop(me)], shutdown: 1000 },
  ]);
  const [, , brutal] = await assertReceived(['started', 'brutal', anyPid]);
  const [, , slow] = await assertReceive(['started', 'slow', anyPid]);
  const mref = monitor(brutal);
  assert.equal(await supervisor.terminateChild(s, 'brutal'), 'ok');
  await assertReceived(['DOWN', mref, 'process', brutal, 'killed']);
  await refuteReceived(['terminated', 'brutal', _]);
  const slowRef = monitor(slow);
  const terminating = supervisor.terminateChild(s, 'slow');
  await clock.advance(999);
  await assertReceive(['draining', 'slow']);
  await refuteReceived(['DOWN', slowRef, _, _, _]);
  await clock.advance(1);
  await assertReceive(['DOWN', slowRef, 'process', slow, 'killed']);
  assert.equal(await terminating, 'ok');
}));

test('startChild, terminateChild, restartChild, deleteChild and their errors, as Erlang names them', () => inProcess(async () => {
  const me = self();
  processFlag('trap_exit', true);
  const s = sup({}, [child('a', me)]);
  const [, , a] = await assertReceived(['started', 'a', anyPid]);
  assert.deepEqual(await supervisor.startChild(s, child('a', me)), ['error', ['already_started', a]]);
  const [tag, b] = await supervisor.startChild(s, child('b', me));
  assert.equal(tag, 'ok');
  await assertReceived(['started', 'b', b]);
  assert.deepEqual(await supervisor.deleteChild(s, 'b'), ['error', 'running']);
  assert.equal(await supervisor.terminateChild(s, 'b'), 'ok');
  await assertReceived(['terminated', 'b', 'shutdown']);
  assert.deepEqual(await supervisor.whichChildren(s), [['a', a, 'worker'], ['b', undefined, 'worker']]);
  assert.deepEqual(await supervisor.startChild(s, child('b', me)), ['error', ['already_present', 'b']]);
  assert.deepEqual(await supervisor.countChildren(s), { specs: 2, active: 1, supervisors: 0, workers: 2 });
  const [again] = await supervisor.restartChild(s, 'b');
  assert.equal(again, 'ok');
  await assertReceived(['started', 'b', anyPid]);
  assert.deepEqual(await supervisor.restartChild(s, 'b'), ['error', 'running']);
  await supervisor.terminateChild(s, 'b');
  assert.equal(await supervisor.deleteChild(s, 'b'), 'ok');
  assert.deepEqual(await supervisor.deleteChild(s, 'b'), ['error', 'not_found']);
  assert.deepEqual(await supervisor.terminateChild(s, 'zz'), ['error', 'not_found']);
  assert.deepEqual(await supervisor.startChild(s, { id: 'bad', start: () => ['error', 'no_port'] }), ['error', 'no_port']);
  assert.deepEqual((await supervisor.whichChildren(s)).map(([id]) => id), ['a']);
}));

test("a supervisor's parent exit shuts the children down in reverse start order, each waited for, then the supervisor exits", () => inProcess(async () => {
  const me = self();
  const parent = spawn(async () => {
    send(me, ['sup', sup({}, ids.map((id) => child(id, me)))]);
    await receive([on('never', () => undefined)]);
  });
  const [, s] = await assertReceive(['sup', anyPid]);
  const mref = monitor(s);
  await startedPids();
  exit(parent, 'shutdown');
  // In arrival order: each child is gone before the next is asked, and the supervisor last.
  const arrivals: unknown[] = [];
  for (let i = 0; i < 4; i++) arrivals.push(await receive([on(_, (m) => m)], 1000));
  assert.deepEqual(arrivals, [['terminated', 'c', 'shutdown'], ['terminated', 'b', 'shutdown'], ['terminated', 'a', 'shutdown'], ['DOWN', mref, 'process', s, 'shutdown']]);
  assert.equal(await receive([on(_, (m) => m)], 0), TIMEOUT);
}));

test('genServer.stop(sup) stops the children first, in reverse order; a nested supervisor stops its own children before it goes', () => inProcess(async () => {
  const me = self();
  const inner: ChildSpec = { id: 'inner', type: 'supervisor', start: () => supervisor.startLink({ init: () => ['ok', [{}, [child('x', me), child('y', me)]]] }, undefined) };
  const s = ok(supervisor.start({ init: () => ['ok', [{}, [child('a', me), inner, child('z', me)]]] }, undefined));
  assert.deepEqual(await supervisor.countChildren(s), { specs: 3, active: 3, supervisors: 1, workers: 2 });
  assert.equal(await genServer.stop(s, 'shutdown'), 'ok');
  const order: unknown[] = [];
  for (let i = 0; i < 4; i++) order.push((await assertReceive(['terminated', _, 'shutdown']))[1]);
  assert.deepEqual(order, ['z', 'y', 'x', 'a']);
}));

test("a child that fails to start in init: the earlier ones are stopped and startLink returns ['error', ['shutdown', ['failed_to_start_child', id, reason]]]", () => inProcess(async () => {
  const me = self();
  processFlag('trap_exit', true);
  const result = supervisor.startLink({ init: () => ['ok', [{}, [child('a', me), { id: 'b', start: () => ['error', 'eaddrinuse'] }, child('c', me)]]] }, undefined);
  assert.deepEqual(result, ['error', ['shutdown', ['failed_to_start_child', 'b', 'eaddrinuse']]]);
  await assertReceived(['started', 'a', anyPid]);
  await assertReceive(['terminated', 'a', 'shutdown']);
  await refuteReceived(['started', 'c', _]);
}));

test('a restart whose start fails is tried again from the mailbox, each try counted against the intensity', (t) => inProcess(async () => {
  quietCrashes(t);
  const me = self();
  processFlag('trap_exit', true);
  let starts = 0;
  const flaky: ChildSpec = {
    id: 'flaky',
    start: () => {
      starts++;
      send(me, ['start_attempt', starts]);
      return starts === 1 || starts === 4 ? genServer.startLink(worker('flaky', me), undefined) : ['error', 'not_yet'];
    },
  };
  const s = sup({ intensity: 3, period: 5 }, [flaky]);
  const [, , first] = await assertReceived(['started', 'flaky', anyPid]);
  genServer.cast(first, ['exit', 'crash']);
  await assertReceive(['start_attempt', 4]);
  const [, , again] = await assertReceive(['started', 'flaky', anyPid]);
  assert.deepEqual(await supervisor.whichChildren(s), [['flaky', again, 'worker']]);
  genServer.cast(again, ['exit', 'crash']);
  await assertReceive(['EXIT', s, 'shutdown']);
}));

/** A plain linked process that traps exits and, asked to shut down, starts draining and never finishes. */
function slowToStop(observer: Pid): Pid {
  return spawnLink(async () => {
    processFlag('trap_exit', true);
    send(observer, ['started', 'slow', self()]);
    for (;;) await receive([on(['EXIT', _, 'shutdown'], () => send(observer, ['draining', 'slow']))]);
  });
}
