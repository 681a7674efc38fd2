import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  _, anyPid, exit, ok, genServer, isProcessAlive, monitor, on, match, processFlag, receive, setLogger, processInfo, self, send, spawn, spawnLink, supervisor, sys, whereis,
  type From, type GenServer, type Pid,
} from '../../src/index.js';
import { assertReceive, assertReceived, inProcess, refuteReceived } from '../../src/testing/index.js';
import { simulatedClock } from '../helpers/clock.js';
import { exitReasonOf, settle } from '../helpers/otp.js';

type CounterCall = readonly ['get'] | readonly ['add', number] | readonly ['later'] | readonly ['crash'] | readonly ['stop', string];
type CounterCast = readonly ['inc'] | readonly ['answer', number];
interface CounterState { n: number; waiting: From[]; log: unknown[] }

/** A server that reports every callback to `observer`. */
function counter(observer: Pid): GenServer<CounterState, CounterCall, number, CounterCast, unknown, number> {
  return {
    init: (n) => {
      send(observer, ['init', self()]);
      return ['ok', { n, waiting: [], log: [] }];
    },
    handleCall: (req, from, state) => {
      switch (req[0]) {
        case 'get': return ['reply', state.n, state];
        case 'add': return ['reply', state.n + req[1], { ...state, n: state.n + req[1] }];
        case 'later': return ['noreply', { ...state, waiting: [...state.waiting, from] }];
        case 'crash': throw new Error('crashed in handleCall');
        case 'stop': return ['stop', req[1], state.n, state];
      }
    },
    handleCast: (req, state) => {
      if (req[0] === 'inc') return ['noreply', { ...state, n: state.n + 1 }];
      for (const from of state.waiting) genServer.reply(from, req[1]);
      return ['noreply', { ...state, waiting: [] }];
    },
    handleInfo: (msg, state) => {
      send(observer, ['info', msg]);
      return ['noreply', state];
    },
    terminate: (reason, state) => {
      send(observer, ['terminate', reason, state.n]);
    },
  };
}

test('start runs init before it returns; call round trips, cast is handled in order, the state carries over', () => inProcess(async () => {
  const me = self();
  const started = genServer.start(counter(me), 10);
  assert.equal(started[0], 'ok');
  const pid = ok(started);
  await assertReceived(['init', pid]);
  assert.equal(await genServer.call(pid, ['add', 5]), 15);
  assert.equal(genServer.cast(pid, ['inc']), 'ok');
  const n: number = await genServer.call(pid, ['get']);
  assert.equal(n, 16);
  send(pid, 'hello');
  await assertReceive(['info', 'hello']);
  assert.deepEqual(processInfo(me)?.monitors, [], 'no monitor is left behind');
  assert.deepEqual(processInfo(me)?.messages, []);
}));

test('a name is registered before init; a second start under it returns already_started; calls and casts go by name', () => inProcess(async () => {
  const me = self();
  const pid = ok(genServer.start(counter(me), 1, { name: 'counter_a' }));
  assert.equal(whereis('counter_a'), pid);
  assert.deepEqual(genServer.start(counter(me), 1, { name: 'counter_a' }), ['error', ['already_started', pid]]);
  genServer.cast('counter_a', ['inc']);
  assert.equal(await genServer.call<CounterCall, number>('counter_a', ['get']), 2);
  assert.equal(genServer.cast('nobody', ['inc']), 'ok', 'a cast to an unknown name is not an error');
  await genServer.stop('counter_a');
  assert.equal(whereis('counter_a'), undefined);
}));

test("init's ['stop', reason], 'ignore' and a throw: start returns ['error', reason] / 'ignore' and no process is left", (t) => inProcess(async () => {
  const logged: unknown[] = [];
  const previous = setLogger((report) => logged.push(report.reason));
  t.after(() => setLogger(previous));
  const boom = new Error('init failed');
  const stopping: GenServer<null> = { init: () => ['stop', 'no_config'] };
  const ignoring: GenServer<null> = { init: () => 'ignore' };
  const throwing: GenServer<null> = { init: () => { throw boom; } };
  assert.deepEqual(genServer.start(stopping, undefined, { name: 'failing' }), ['error', 'no_config']);
  assert.equal(whereis('failing'), undefined, 'the name is released');
  assert.equal(genServer.start(ignoring, undefined), 'ignore');
  assert.deepEqual(genServer.start(throwing, undefined), ['error', boom]);
  assert.deepEqual(processInfo(self())?.messages, []);
  assert.deepEqual(logged, ['no_config', boom], 'an unlinked server that fails to start is logged, as a crash report is');
}));

test('startLink links before init; a trapping caller gets the error, not also an EXIT (OTP 26)', () => inProcess(async () => {
  processFlag('trap_exit', true);
  const pid = ok(genServer.startLink(counter(self()), 0));
  assert.deepEqual(processInfo(pid as Pid)?.links, [self()]);
  assert.deepEqual(genServer.startLink({ init: () => ['stop', 'bad'] } satisfies GenServer<null>, undefined), ['error', 'bad']);
  await settle();
  await refuteReceived(['EXIT', _, _]);
}));

test('call to an unknown name or a dead pid exits the caller with noproc, as gen_server:call does', () => inProcess(async () => {
  assert.deepEqual(await exitReasonOf(genServer.call('nobody', ['get'])), ['noproc', ['gen_server', 'call', ['nobody', ['get'], 5000]]]);
  const dead = spawn(() => undefined);
  await settle();
  assert.deepEqual(await exitReasonOf(genServer.call(dead, 'x', 100)), ['noproc', ['gen_server', 'call', [dead, 'x', 100]]]);
  assert.deepEqual(processInfo(self())?.messages, [], 'the noproc DOWN was flushed');
}));

test('an uncaught call exit ends the calling process with that reason', () => inProcess(async () => {
  const caller = spawn(async () => {
    await genServer.call('nobody', ['get']);
  });
  const mref = monitor(caller);
  await assertReceive(['DOWN', mref, 'process', caller, ['noproc', ['gen_server', 'call', ['nobody', ['get'], 5000]]]]);
}));

test('call times out on the clock with a timeout exit, and the late reply never reaches the caller', (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const me = self();
  const pid = ok(genServer.start(counter(me), 0));
  const caller = spawn(async () => {
    send(me, ['timed_out', await exitReasonOf(genServer.call(pid, ['later'], 1000))]);
    await receive([on('check', () => undefined)]);
    send(me, ['caller_mailbox', processInfo(self())?.messages, processInfo(self())?.monitors]);
  });
  await clock.advance(999);
  assert.equal((await sys.getState<CounterState>(pid)).waiting.length, 1, 'the server holds the call');
  await refuteReceived(['timed_out', _]);
  await clock.advance(1);
  await assertReceive(['timed_out', ['timeout', ['gen_server', 'call', [pid, ['later'], 1000]]]]);
  genServer.cast(pid, ['answer', 42]);
  assert.equal(await genServer.call(pid, ['get']), 0, 'the server has handled the answer cast');
  send(caller, 'check');
  await assertReceive(['caller_mailbox', [], []]);
}));

test('calls with one timeout share a queue: answered calls in between, held calls each time out on time (past a sweep of the queue)', (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const me = self();
  const pid = ok(genServer.start(counter(me), 0));
  // 200 answered calls empty the queue again and again; then 100 held calls, each from its own
  // process, 1 ms apart, with answered calls among them (past the queue's sweep threshold).
  for (let i = 0; i < 200; i++) assert.equal(await genServer.call(pid, ['get'], 1000), 0);
  for (let i = 0; i < 100; i++) {
    spawn(async () => send(me, ['held', i, await exitReasonOf(genServer.call(pid, ['later'], 1000))]));
    await settle();
    assert.equal(await genServer.call(pid, ['add', 1], 1000), i + 1);
    await clock.advance(1);
  }
  // Held call i was made at i ms and times out at 1000 + i ms; now is 100 ms.
  await clock.advance(899);
  await refuteReceived(['held', _, _]);
  for (let i = 0; i < 100; i++) {
    await clock.advance(1);
    await assertReceive(['held', i, ['timeout', _]]);
    await refuteReceived(['held', _, _]);
  }
}));

test('call with timeout 0 times out, as receive … after 0 does before the reply can be there; a bad timeout is a BadArgError', () => inProcess(async () => {
  const pid = ok(genServer.start(counter(self()), 0));
  await assertReceived(['init', pid]);
  assert.deepEqual(await exitReasonOf(genServer.call(pid, ['get'], 0)), ['timeout', ['gen_server', 'call', [pid, ['get'], 0]]]);
  assert.throws(() => genServer.call(pid, ['get'], -1), { code: 'ERR_BADARG' });
  assert.equal(await genServer.call(pid, ['get'], Infinity), 0);
  await settle();
  assert.deepEqual(processInfo(self())?.messages, []);
}));

test('reply(from, value) answers a call deferred past handleCall', () => inProcess(async () => {
  const me = self();
  const pid = ok(genServer.start(counter(me), 0));
  for (let i = 0; i < 2; i++) spawn(async () => send(me, ['answered', await genServer.call(pid, ['later'])]));
  while ((await sys.getState<CounterState>(pid)).waiting.length < 2) await settle();
  genServer.cast(pid, ['answer', 7]);
  await assertReceive(['answered', 7]);
  await assertReceive(['answered', 7]);
}));

test('a throw in a callback runs terminate with the error and exits the server; the caller exits with [reason, call]', () => inProcess(async () => {
  const me = self();
  const pid = ok(genServer.start(counter(me), 3));
  const mref = monitor(pid);
  const reason = await exitReasonOf(genServer.call(pid, ['crash']));
  const [error, where] = reason as [Error, unknown];
  assert.equal(error.message, 'crashed in handleCall');
  assert.deepEqual(where, ['gen_server', 'call', [pid, ['crash'], 5000]]);
  await assertReceive(['terminate', error, 3]);
  await assertReceive(['DOWN', mref, 'process', pid, error]);
}));

test("['stop', reason, reply, state] from handleCall: terminate runs, the caller gets the reply, the server exits reason", () => inProcess(async () => {
  const pid = ok(genServer.start(counter(self()), 9));
  const mref = monitor(pid);
  assert.equal(await genServer.call(pid, ['stop', 'done']), 9);
  await assertReceived(['terminate', 'done', 9]);
  await assertReceive(['DOWN', mref, 'process', pid, 'done']);
}));

test("a callback's bad return value exits the server with ['bad_return_value', value]", () => inProcess(async () => {
  const bad: GenServer<null, never, unknown, string> = { init: () => ['ok', null], handleCast: () => ['nonsense'] as never };
  const pid = ok(genServer.start(bad, undefined));
  const mref = monitor(pid);
  genServer.cast(pid, 'x');
  await assertReceive(['DOWN', mref, 'process', pid, ['bad_return_value', ['nonsense']]]);
}));

test("a timeout action: handleInfo('timeout') after ms without a message; a message first cancels it", (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const me = self();
  const idle: GenServer<number, never, unknown, string> = {
    init: () => ['ok', 0, 1000],
    handleCast: (msg, n) => (msg === 'quiet' ? ['noreply', n] : ['noreply', n + 1, 1000]),
    handleInfo: (msg, n) => {
      send(me, ['info', msg, n]);
      return ['noreply', n];
    },
  };
  const pid = ok(genServer.start(idle, undefined));
  await clock.advance(999);
  genServer.cast(pid, 'poke');
  await clock.advance(999);
  await refuteReceived(['info', _, _]);
  await clock.advance(1);
  await assertReceived(['info', 'timeout', 1]);
  await clock.advance(5000);
  await refuteReceived(['info', _, _]);
  genServer.cast(pid, 'poke');
  await clock.advance(500);
  genServer.cast(pid, 'quiet');
  await clock.advance(5000);
  // A message whose callback sets no new timeout still cancels the pending one.
  await refuteReceived(['info', _, _]);
}));

test("handleContinue: init's ['continue', x] runs before any message, even one already queued", () => inProcess(async () => {
  const me = self();
  const log: unknown[] = [];
  const server: GenServer<string, never, unknown, string> = {
    init: () => {
      send(self(), ['$gen_cast', 'first message']);
      return ['ok', 'initial', ['continue', 'load']];
    },
    handleContinue: (what, state) => {
      log.push(['continue', what, state]);
      return ['noreply', 'loaded'];
    },
    handleCast: (msg, state) => {
      log.push(['cast', msg, state]);
      send(me, 'done');
      return ['noreply', state];
    },
  };
  genServer.start(server, undefined);
  await assertReceive('done');
  assert.deepEqual(log, [['continue', 'load', 'initial'], ['cast', 'first message', 'loaded']]);
}));

test("stop(server, reason) runs terminate, waits for the exit and resolves 'ok'; noproc for a dead server; terminate's throw is the caller's exit", () => inProcess(async () => {
  const pid = ok(genServer.start(counter(self()), 4));
  const mref = monitor(pid);
  assert.equal(await genServer.stop(pid, 'shutdown'), 'ok');
  await assertReceived(['terminate', 'shutdown', 4]);
  await assertReceived(['DOWN', mref, 'process', pid, 'shutdown']);
  assert.deepEqual(await exitReasonOf(genServer.stop(pid)), ['noproc', ['gen_server', 'stop', [pid, 'normal', Infinity]]]);
  const boom = new Error('terminate failed');
  const other = ok(genServer.start({ init: () => ['ok', null], terminate: () => { throw boom; } } satisfies GenServer<null>, undefined));
  assert.equal(await exitReasonOf(genServer.stop(other)), boom);
}));

test("a trapping server runs terminate when its parent exits; another linked process's EXIT goes to handleInfo", () => inProcess(async () => {
  const me = self();
  const trapping: GenServer<null> = {
    init: () => {
      processFlag('trap_exit', true);
      spawnLink(() => exit('other_died'));
      return ['ok', null];
    },
    handleInfo: (msg, state) => {
      send(me, ['info', match(msg, [on(['EXIT', _, _], ([, , why]) => why), on(_, () => 'other')])]);
      return ['noreply', state];
    },
    terminate: (reason) => send(me, ['terminate', reason]),
  };
  const parent = spawn(async () => {
    send(me, ['server', ok(genServer.startLink(trapping, undefined))]);
    await new Promise(() => undefined);
  });
  const [, server] = await assertReceive(['server', anyPid]);
  const mref = monitor(server);
  await assertReceive(['info', 'other_died']);
  exit(parent, 'shutdown');
  await assertReceive(['terminate', 'shutdown']);
  await assertReceive(['DOWN', mref, 'process', server, 'shutdown']);
}));

test('a killed server does not run terminate', () => inProcess(async () => {
  const pid = ok(genServer.start(counter(self()), 0));
  const mref = monitor(pid);
  exit(pid, 'kill');
  await assertReceive(['DOWN', mref, 'process', pid, 'killed']);
  await refuteReceived(['terminate', _, _]);
}));

test('sys.getState and sys.replaceState read and replace the state between messages', () => inProcess(async () => {
  const pid = ok(genServer.start(counter(self()), 1));
  assert.equal((await sys.getState<CounterState>(pid)).n, 1);
  const replaced = await sys.replaceState<CounterState>(pid, (s) => ({ ...s, n: 100 }));
  assert.equal(replaced.n, 100);
  assert.equal(await genServer.call(pid, ['get']), 100);
  const oops = new Error('bad fun');
  await assert.rejects(sys.replaceState<CounterState>(pid, () => { throw oops; }), (e) => e === oops);
  assert.equal(await genServer.call(pid, ['get']), 100, 'a failing fun leaves the state and the server as they were');
}));

test("stop(server, reason, timeout) times out with ['timeout', …] while the server takes longer to go, and leaves it running", (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const me = self();
  // A supervisor whose child ignores 'shutdown' and has shutdown 'infinity': stopping it waits for that child.
  const stubborn = (): Pid => spawnLink(async () => {
    processFlag('trap_exit', true);
    send(me, ['stubborn_up', self()]);
    for (;;) await receive([on(_, () => undefined)]);
  });
  const s = ok(supervisor.start({ init: () => ['ok', [{}, [{ id: 'x', start: () => ['ok', stubborn()], shutdown: 'infinity' }]]] }, undefined));
  const [, child] = await assertReceive(['stubborn_up', anyPid]);
  const stopping = exitReasonOf(genServer.stop(s, 'shutdown', 1000));
  await clock.advance(1000);
  assert.deepEqual(await stopping, ['timeout', ['gen_server', 'stop', [s, 'shutdown', 1000]]]);
  assert.equal(isProcessAlive(s), true);
  exit(child, 'kill');
  exit(s, 'kill');
}));

test('a call to oneself exits with calling_self instead of deadlocking', () => inProcess(async () => {
  const reason = await exitReasonOf(genServer.call(self(), 'x'));
  assert.deepEqual(reason, ['calling_self', ['gen_server', 'call', [self(), 'x', 5000]]]);
  assert.equal(isProcessAlive(self()), true);
}));
