import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  _, anyPid, exit, ok, genServer, genStatem, isProcessAlive, monitor, processFlag, self, send, setLogger, spawn, supervisor, sys, whereis,
  type From, type GenStatem, type Pid, type StatemAction,
} from '../../src/index.js';
import { sameState, spawnStatem, statemOf, type StatemView } from '../../src/otp/statem.js';
import { assertReceive, assertReceived, inProcess, refuteReceived } from '../../src/testing/index.js';
import { simulatedClock } from '../helpers/clock.js';
import { exitReasonOf, settle } from '../helpers/otp.js';

// The pushbutton of the gen_statem guide, in state_functions mode with state enter calls.
type ButtonState = 'off' | 'on';
type ButtonCall = 'push' | 'get_count';
interface ButtonData { readonly count: number; readonly observer: Pid }

function pushbutton(): GenStatem<ButtonState, ButtonData, ButtonCall, ButtonState | number, 'reset', unknown, Pid> {
  return {
    callbackMode: 'state_functions',
    stateEnter: true,
    init: (observer) => ['ok', 'off', { count: 0, observer }],
    states: {
      off(type, content, data) {
        if (type === 'enter') {
          send(data.observer, ['enter', 'off', content]);
          return 'keep_state_and_data';
        }
        if (typeof type === 'object' && content === 'push') return ['next_state', 'on', { ...data, count: data.count + 1 }, [['reply', type[1], 'on']]];
        return handleCommon(type, content, data);
      },
      on(type, content, data) {
        if (type === 'enter') {
          send(data.observer, ['enter', 'on', content]);
          return 'keep_state_and_data';
        }
        if (typeof type === 'object' && content === 'push') return ['next_state', 'off', data, [['reply', type[1], 'off']]];
        return handleCommon(type, content, data);
      },
    },
    terminate: (reason, state, data) => send(data.observer, ['terminate', reason, state, data.count]),
  };
}

function handleCommon(type: unknown, content: unknown, data: ButtonData): genStatem.EventHandlerResult<ButtonState, ButtonData, ButtonState | number> {
  if (Array.isArray(type) && type[0] === 'call' && content === 'get_count') return ['keep_state_and_data', [['reply', type[1] as From, data.count]]];
  if (type === 'cast' && content === 'reset') return ['keep_state', { ...data, count: 0 }];
  return 'keep_state_and_data';
}

test('state_functions: start runs init, the initial state enter call has the state itself as old state, calls and casts move the machine', () => inProcess(async () => {
  const me = self();
  const started = genStatem.start(pushbutton(), me);
  assert.equal(started[0], 'ok');
  const pid = ok(started);
  await assertReceive(['enter', 'off', 'off']);
  assert.equal(await genStatem.call(pid, 'push'), 'on');
  await assertReceived(['enter', 'on', 'off']);
  assert.equal(await genStatem.call(pid, 'get_count'), 1);
  await refuteReceived(['enter', _, _], 'keep_state_and_data makes no enter call');
  assert.equal(await genServer.call(pid, 'push'), 'off', 'the call protocol is gen_server\'s');
  await assertReceived(['enter', 'off', 'on']);
  assert.equal(genStatem.cast(pid, 'reset'), 'ok');
  assert.deepEqual(await sys.getState(pid), ['off', { count: 0, observer: me }]);
  await genStatem.stop(pid);
  await assertReceive(['terminate', 'normal', 'off', 0]);
}));

test('start with a name registers it before init; a taken name is already_started; init stop, ignore, a throw and a bad result are start errors', (t) => inProcess(async () => {
  const logged: unknown[] = [];
  const previous = setLogger((report) => logged.push(report.reason));
  t.after(() => setLogger(previous));
  const me = self();
  const pid = ok(genStatem.start(pushbutton(), me, { name: 'button' }));
  assert.equal(whereis('button'), pid);
  assert.deepEqual(genStatem.start(pushbutton(), me, { name: 'button' }), ['error', ['already_started', pid]]);
  assert.equal(await genStatem.call<ButtonCall, ButtonState>('button', 'push'), 'on');
  await genStatem.stop('button');
  const base = { callbackMode: 'handle_event_function', handleEvent: (): 'keep_state_and_data' => 'keep_state_and_data' } as const;
  assert.deepEqual(genStatem.start<null, null, never, unknown, never, unknown, undefined, never>({ ...base, init: () => ['stop', 'no'] }, undefined), ['error', 'no']);
  assert.equal(genStatem.start<null, null, never, unknown, never, unknown, undefined, never>({ ...base, init: () => 'ignore' }, undefined), 'ignore');
  const boom = new Error('init failed');
  assert.deepEqual(genStatem.start<null, null, never, unknown, never, unknown, undefined, never>({ ...base, init: () => { throw boom; } }, undefined), ['error', boom]);
  const bad = genStatem.start({ ...base, init: () => ['ok', 'only-state'] as never }, undefined);
  assert.deepEqual(bad, ['error', ['bad_return_from_init', ['ok', 'only-state']]]);
  processFlag('trap_exit', true);
  assert.deepEqual(genStatem.startLink<null, null, never, unknown, never, unknown, undefined, never>({ ...base, init: () => ['stop', 'no'] }, undefined), ['error', 'no']);
  await refuteReceived(['EXIT', _, _], 'a trapping caller gets no EXIT for a failed startLink');
  assert.deepEqual(logged, ['no', boom, ['bad_return_from_init', ['ok', 'only-state']]], 'an unlinked machine that fails to start is logged');
}));

/** A handle_event_function machine that reports every event and answers what `script` says for it. */
type Script = (type: unknown, content: unknown, state: unknown, data: unknown) => genStatem.EventHandlerResult<unknown, unknown> | undefined;
function recorder(observer: Pid, script: Script, opts: { stateEnter?: boolean; state?: unknown; actions?: readonly StatemAction[] } = {}): GenStatem<unknown, unknown, unknown, unknown, unknown, unknown, undefined, unknown> {
  return {
    callbackMode: 'handle_event_function',
    stateEnter: opts.stateEnter ?? false,
    init: () => (opts.actions ? ['ok', opts.state ?? 'a', null, opts.actions] : ['ok', opts.state ?? 'a', null]),
    handleEvent: (type, content, state, data) => {
      send(observer, ['event', type, content, state]);
      return script(type, content, state, data) ?? 'keep_state_and_data';
    },
    terminate: (reason, state) => send(observer, ['terminate', reason, state]),
  };
}

test('postpone keeps a message until the state changes; the postponed are then retried first, in order; a change to an equal state retries nothing', () => inProcess(async () => {
  const me = self();
  const isA = (state: unknown): boolean => (state as { name: string }).name === 'a';
  const pid = ok(genStatem.start(recorder(me, (type, content, state) => {
    if (type !== 'info') return undefined;
    if (content === 'go') return ['next_state', { name: 'b', n: [1] }, null];
    if (content === 'back' || content === 'same') return ['next_state', { name: 'a' }, null];
    if (isA(state) && typeof content === 'number') return ['keep_state_and_data', ['postpone']];
    return undefined;
  }, { state: { name: 'a' } }), undefined));
  send(pid, 1);
  send(pid, 2);
  send(pid, 'go');
  send(pid, 3);
  await assertReceive(['event', 'info', 1, { name: 'a' }]);
  await assertReceive(['event', 'info', 2, { name: 'a' }]);
  await assertReceive(['event', 'info', 'go', { name: 'a' }]);
  await assertReceive(['event', 'info', 1, { name: 'b', n: [1] }]);
  await assertReceive(['event', 'info', 2, _]);
  await assertReceive(['event', 'info', 3, _]);
  send(pid, 'back');
  send(pid, 4);
  send(pid, 'same');
  await assertReceive(['event', 'info', 'back', { name: 'b', n: [1] }]);
  await assertReceive(['event', 'info', 4, { name: 'a' }]);
  await assertReceive(['event', 'info', 'same', { name: 'a' }]);
  await settle();
  await refuteReceived(['event', 'info', 4, _], 'a state =:= the last does not retry postponed events');
  send(pid, 'go');
  await assertReceive(['event', 'info', 'go', { name: 'a' }]);
  await assertReceive(['event', 'info', 4, { name: 'b', n: [1] }]);
}));

test('repeat_state keeps postponed events postponed and repeats the state enter call; next_state to the same state makes none', () => inProcess(async () => {
  const me = self();
  const pid = ok(genStatem.start(recorder(me, (type, content) => {
    if (type === 'enter') return undefined;
    if (content === 'repeat') return 'repeat_state_and_data';
    if (content === 'repeat_d') return ['repeat_state', 'd2'];
    if (content === 'same') return ['next_state', 'a', null];
    if (content === 'x') return ['keep_state_and_data', [['postpone', true]]];
    if (content === 'go') return ['next_state', 'b', null];
    return undefined;
  }, { stateEnter: true }), undefined));
  await assertReceive(['event', 'enter', 'a', 'a']);
  send(pid, 'x');
  send(pid, 'repeat');
  await assertReceive(['event', 'info', 'x', 'a']);
  await assertReceive(['event', 'info', 'repeat', 'a']);
  await assertReceive(['event', 'enter', 'a', 'a']);
  send(pid, 'same');
  send(pid, 'repeat_d');
  await assertReceive(['event', 'info', 'same', 'a']);
  await assertReceive(['event', 'info', 'repeat_d', 'a']);
  await assertReceive(['event', 'enter', 'a', 'a']);
  assert.deepEqual(await sys.getState(pid), ['a', 'd2']);
  await refuteReceived(['event', 'info', 'x', _]);
  send(pid, 'go');
  await assertReceive(['event', 'info', 'go', 'a']);
  await assertReceive(['event', 'enter', 'a', 'b']);
  await assertReceive(['event', 'info', 'x', 'b']);
}));

test('next_event inserts events before queued messages, in order; an inserted event can be postponed and is retried on a change of state', () => inProcess(async () => {
  const me = self();
  const pid = ok(genStatem.start(recorder(me, (type, content, state) => {
    if (type === 'info' && content === 'start') return ['keep_state_and_data', [['next_event', 'internal', 'i1'], ['next_event', 'cast', 'c2']]];
    if (type === 'internal' && content === 'i1') return ['keep_state_and_data', [['next_event', 'internal', 'i1.1']]];
    if (type === 'internal' && content === 'wait' && state === 'a') return ['keep_state_and_data', ['postpone']];
    if (type === 'info' && content === 'postpone_internal') return ['keep_state_and_data', [['next_event', 'internal', 'wait']]];
    if (type === 'info' && content === 'go') return ['next_state', 'b', null];
    return undefined;
  }, { actions: [['next_event', 'internal', 'from_init']] }), undefined));
  send(pid, 'start');
  send(pid, 'after');
  await assertReceive(['event', 'internal', 'from_init', 'a']);
  await assertReceive(['event', 'info', 'start', 'a']);
  await assertReceive(['event', 'internal', 'i1', 'a']);
  await assertReceive(['event', 'internal', 'i1.1', 'a']);
  await assertReceive(['event', 'cast', 'c2', 'a']);
  await assertReceive(['event', 'info', 'after', 'a']);
  send(pid, 'postpone_internal');
  await assertReceive(['event', 'internal', 'wait', 'a']);
  send(pid, 'go');
  await assertReceive(['event', 'info', 'go', 'a']);
  await assertReceive(['event', 'internal', 'wait', 'b']);
}));

test('the event timeout fires after its time unless any event comes first; a bare number is its time and content', (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const me = self();
  const pid = ok(genStatem.start(recorder(me, (type, content) => {
    if (content === 'arm') return ['keep_state_and_data', [['timeout', 1000, 'idle']]];
    if (content === 'arm_n') return ['keep_state_and_data', [500]];
    if (content === 'arm_inf') return ['keep_state_and_data', [['timeout', 'infinity', 'never']]];
    return type === 'timeout' ? 'keep_state_and_data' : undefined;
  }), undefined));
  send(pid, 'arm');
  await assertReceive(['event', 'info', 'arm', 'a']);
  await clock.advance(999);
  await refuteReceived(['event', 'timeout', _, _]);
  await clock.advance(1);
  await assertReceive(['event', 'timeout', 'idle', 'a']);
  send(pid, 'arm');
  await assertReceive(['event', 'info', 'arm', 'a']);
  await clock.advance(600);
  send(pid, 'poke');
  await assertReceive(['event', 'info', 'poke', 'a']);
  await clock.advance(1000);
  await refuteReceived(['event', 'timeout', _, _], 'any event cancels the event timeout');
  send(pid, 'arm_n');
  await assertReceive(['event', 'info', 'arm_n', 'a']);
  await clock.advance(500);
  await assertReceive(['event', 'timeout', 500, 'a']);
  send(pid, 'arm_inf');
  await assertReceive(['event', 'info', 'arm_inf', 'a']);
  await clock.advance(100_000);
  await refuteReceived(['event', 'timeout', _, _]);
}));

test('the state timeout survives other events, is cancelled by a change of state, restarted by a new one, cancelled by cancel or infinity, updated by update', (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const me = self();
  const pid = ok(genStatem.start(recorder(me, (type, content, state) => {
    if (type === 'state_timeout') return undefined;
    switch (content) {
      case 'arm': return ['keep_state_and_data', [['state_timeout', 1000, `st_${String(state)}`]]];
      case 'rearm': return ['keep_state_and_data', [['state_timeout', 300, 'rearmed']]];
      case 'go': return ['next_state', state === 'a' ? 'b' : 'a', null];
      case 'go_arm': return ['next_state', 'c', null, [['state_timeout', 200, 'in_c']]];
      case 'cancel': return ['keep_state_and_data', [['state_timeout', 'cancel']]];
      case 'inf': return ['keep_state_and_data', [['state_timeout', Infinity, 'x']]];
      case 'update': return ['keep_state_and_data', [['state_timeout', 'update', 'updated']]];
      default: return undefined;
    }
  }), undefined));
  send(pid, 'arm');
  await assertReceive(['event', 'info', 'arm', 'a']);
  await clock.advance(500);
  send(pid, 'other');
  await assertReceive(['event', 'info', 'other', 'a']);
  await clock.advance(500);
  await assertReceive(['event', 'state_timeout', 'st_a', 'a']);
  send(pid, 'arm');
  send(pid, 'go');
  await assertReceive(['event', 'info', 'go', 'a']);
  await clock.advance(2000);
  await refuteReceived(['event', 'state_timeout', _, _], 'a change of state cancels it');
  send(pid, 'arm');
  send(pid, 'rearm');
  await assertReceive(['event', 'info', 'rearm', 'b']);
  await clock.advance(300);
  await assertReceive(['event', 'state_timeout', 'rearmed', 'b']);
  await clock.advance(1000);
  await refuteReceived(['event', 'state_timeout', _, _]);
  send(pid, 'go_arm');
  await assertReceive(['event', 'info', 'go_arm', 'b']);
  await clock.advance(200);
  await assertReceive(['event', 'state_timeout', 'in_c', 'c'], undefined, 'one set with the change of state runs in the new state');
  for (const cancel of ['cancel', 'inf']) {
    send(pid, 'arm');
    send(pid, cancel);
    await assertReceive(['event', 'info', cancel, 'c']);
    await clock.advance(2000);
    await refuteReceived(['event', 'state_timeout', _, _]);
  }
  send(pid, 'arm');
  send(pid, 'update');
  await assertReceive(['event', 'info', 'update', 'c']);
  await clock.advance(1000);
  await assertReceive(['event', 'state_timeout', 'updated', 'c']);
  send(pid, 'update');
  await assertReceive(['event', 'state_timeout', 'updated', 'c'], undefined, 'update with no timer running is a zero timeout');
}));

test('generic timeouts run by name, survive events and changes of state, and are cancelled by name', (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const me = self();
  const pid = ok(genStatem.start(recorder(me, (type, content) => {
    if (type !== 'info') return undefined;
    if (content === 'arm') return ['keep_state_and_data', [[['timeout', 'x'], 100, 'x1'], [['timeout', 'y'], 200, 'y1']]];
    if (content === 'go') return ['next_state', 'b', null];
    if (content === 'cancel_y') return ['keep_state_and_data', [[['timeout', 'y'], 'cancel']]];
    return undefined;
  }), undefined));
  send(pid, 'arm');
  send(pid, 'go');
  await assertReceive(['event', 'info', 'go', 'a']);
  await clock.advance(100);
  await assertReceive(['event', ['timeout', 'x'], 'x1', 'b']);
  await clock.advance(100);
  await assertReceive(['event', ['timeout', 'y'], 'y1', 'b']);
  send(pid, 'arm');
  send(pid, 'cancel_y');
  await assertReceive(['event', 'info', 'cancel_y', 'b']);
  await clock.advance(500);
  await assertReceive(['event', ['timeout', 'x'], 'x1', 'b']);
  await refuteReceived(['event', ['timeout', 'y'], _, _]);
}));

test('zero timeouts run after the inserted events and before the next message; a zero event timeout is cancelled by an inserted event', () => inProcess(async () => {
  const me = self();
  const pid = ok(genStatem.start(recorder(me, (type, content) => {
    if (type === 'info' && content === 'go') {
      return ['keep_state_and_data', [['state_timeout', 0, 'st0'], ['next_event', 'internal', 'i'], [['timeout', 'g'], 0, 'g0']]];
    }
    if (type === 'info' && content === 'event0') return ['keep_state_and_data', [0, ['next_event', 'internal', 'cancels']]];
    if (type === 'info' && content === 'event0_alone') return ['keep_state_and_data', [['timeout', 0, 'e0']]];
    return undefined;
  }), undefined));
  send(pid, 'go');
  send(pid, 'next');
  await assertReceive(['event', 'info', 'go', 'a']);
  await assertReceive(['event', 'internal', 'i', 'a']);
  await assertReceive(['event', 'state_timeout', 'st0', 'a']);
  await assertReceive(['event', ['timeout', 'g'], 'g0', 'a']);
  await assertReceive(['event', 'info', 'next', 'a']);
  send(pid, 'event0');
  await assertReceive(['event', 'internal', 'cancels', 'a']);
  send(pid, 'event0_alone');
  send(pid, 'later');
  await assertReceive(['event', 'info', 'event0_alone', 'a']);
  await assertReceive(['event', 'timeout', 'e0', 'a']);
  await assertReceive(['event', 'info', 'later', 'a']);
  await refuteReceived(['event', 'timeout', 0, _]);
}));

test('a state enter call may not change the state, postpone or insert events', () => inProcess(async () => {
  const me = self();
  const cases: [string, genStatem.EventHandlerResult<unknown, unknown>, unknown][] = [
    ['change', ['next_state', 'c', null], ['bad_state_enter_return_from_state_function', ['next_state', 'c', null]]],
    ['postpone', ['keep_state_and_data', ['postpone']], ['bad_state_enter_action_from_state_function', 'postpone']],
    ['insert', ['keep_state_and_data', [['next_event', 'internal', 1]]], ['bad_state_enter_action_from_state_function', ['next_event', 'internal', 1]]],
  ];
  for (const [, result, reason] of cases) {
    const pid = ok(genStatem.start(recorder(me, (type, content, state) => {
      if (type === 'enter') return state === 'a' ? undefined : result;
      return content === 'go' ? ['next_state', 'b', null] : undefined;
    }, { stateEnter: true }), undefined));
    await assertReceive(['event', 'enter', 'a', 'a']);
    const mref = monitor(pid);
    send(pid, 'go');
    await assertReceive(['terminate', reason, 'b']);
    await assertReceive(['DOWN', mref, 'process', pid, reason]);
  }
  const pid = ok(genStatem.start(recorder(me, (type) => (type === 'enter' ? ['next_state', 'a', 'enter_data'] : undefined), { stateEnter: true }), undefined));
  await assertReceive(['event', 'enter', 'a', 'a']);
  assert.deepEqual(await sys.getState(pid), ['a', 'enter_data'], 'next_state to the same state is allowed');
}));

test('stop results run terminate and exit; stop_and_reply replies first; bad results and actions stop with Erlang\'s reasons; a throw runs terminate', () => inProcess(async () => {
  const me = self();
  const cases: [unknown, genStatem.EventHandlerResult<unknown, unknown> | 'throw', unknown][] = [
    ['stop', 'stop', 'normal'],
    ['stop2', ['stop', 'shutdown'], 'shutdown'],
    ['stop3', ['stop', 'bye', 'new_data'], 'bye'],
    ['bad', ['nonsense'] as never, ['bad_return_from_state_function', ['nonsense']]],
    ['bad_action', ['keep_state_and_data', [['dance']]] as never, ['bad_action_from_state_function', ['dance']]],
    ['not_a_list', ['keep_state_and_data', 'postpone'] as never, ['bad_action_from_state_function', 'postpone']],
  ];
  for (const [msg, result, reason] of cases) {
    const pid = ok(genStatem.start(recorder(me, (type, content) => (type === 'info' && content === msg ? result as genStatem.EventHandlerResult<unknown, unknown> : undefined)), undefined));
    const mref = monitor(pid);
    send(pid, msg);
    await assertReceive(['terminate', reason, 'a']);
    await assertReceive(['DOWN', mref, 'process', pid, reason]);
  }
  const boom = new Error('state callback failed');
  const thrower = ok(genStatem.start(recorder(me, (type) => {
    if (type === 'cast') throw boom;
    return undefined;
  }), undefined));
  const tref = monitor(thrower);
  genStatem.cast(thrower, 'x');
  await assertReceive(['terminate', boom, 'a']);
  await assertReceive(['DOWN', tref, 'process', thrower, boom]);
  const replier = ok(genStatem.start(recorder(me, (type) => (Array.isArray(type) && type[0] === 'call' ? ['stop_and_reply', 'done', [['reply', type[1] as From, 'bye']], 'd'] : undefined)), undefined));
  assert.equal(await genStatem.call(replier, 'quit'), 'bye');
  await assertReceive(['terminate', 'done', 'a']);
}));

test('reply answers a call later; call to a dead machine or one that times out exits the caller with gen_statem in the reason', (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const me = self();
  let waiting: From | undefined;
  const pid = ok(genStatem.start(recorder(me, (type, content) => {
    if (Array.isArray(type) && type[0] === 'call' && content === 'later') {
      waiting = type[1] as From;
      return undefined;
    }
    if (type === 'cast') {
      genStatem.reply(waiting!, content);
      return undefined;
    }
    return undefined;
  }), undefined));
  spawn(async () => send(me, ['answer', await genStatem.call(pid, 'later')]));
  await assertReceive(['event', ['call', _], 'later', 'a']);
  genStatem.cast(pid, 42);
  await assertReceive(['answer', 42]);
  spawn(async () => send(me, ['timed_out', await exitReasonOf(genStatem.call(pid, 'later', 1000))]));
  await assertReceive(['event', ['call', _], 'later', 'a']);
  await clock.advance(1000);
  await assertReceive(['timed_out', ['timeout', ['gen_statem', 'call', [pid, 'later', 1000]]]]);
  assert.deepEqual(await exitReasonOf(genStatem.call('nobody', 'x')), ['noproc', ['gen_statem', 'call', ['nobody', 'x', 5000]]]);
  assert.deepEqual(await exitReasonOf(genStatem.stop('nobody')), ['noproc', ['gen_statem', 'stop', ['nobody', 'normal', Infinity]]]);
}));

test("a trapping machine runs terminate when its parent exits; another process's EXIT is an info event; a killed one runs no terminate", () => inProcess(async () => {
  const me = self();
  const parent = spawn(async () => {
    send(me, ['machine', ok(genStatem.startLink(recorder(me, () => undefined), undefined))]);
    await new Promise(() => undefined);
  });
  const [, machine] = await assertReceive(['machine', anyPid]);
  // trap_exit is set as the machine (a state callback could do it too).
  await sys.replaceState(machine, (sd) => {
    processFlag('trap_exit', true);
    return sd;
  });
  const mref = monitor(machine);
  exit(parent, 'shutdown');
  await assertReceive(['terminate', 'shutdown', 'a']);
  await assertReceive(['DOWN', mref, 'process', machine, 'shutdown']);
  const other = ok(genStatem.start(recorder(me, () => undefined), undefined));
  const oref = monitor(other);
  exit(other, 'kill');
  await assertReceive(['DOWN', oref, 'process', other, 'killed']);
  await refuteReceived(['terminate', _, _]);
}));

test('sys.replaceState takes and returns [state, data]; a bad result leaves the machine as it was', () => inProcess(async () => {
  const me = self();
  const pid = ok(genStatem.start(pushbutton(), me));
  const replaced = await sys.replaceState<[ButtonState, ButtonData]>(pid, ([, data]) => ['on', { ...data, count: 7 }]);
  assert.deepEqual(replaced, ['on', { count: 7, observer: me }]);
  assert.equal(await genStatem.call(pid, 'get_count'), 7);
  assert.equal(await genStatem.call(pid, 'push'), 'off');
  await assert.rejects(sys.replaceState(pid, () => 'not a pair'), TypeError);
  assert.deepEqual(await sys.getState(pid), ['off', { count: 7, observer: me }]);
  assert.equal(isProcessAlive(pid), true);
}));

test('internal: spawnStatem starts a handle_event_function machine at once, and statemOf reaches its state and data by pid', () => inProcess(async () => {
  const mod: genStatem.HandleEventCallbacks<string, { hits: number }, never, unknown, never, 'hit'> = {
    callbackMode: 'handle_event_function',
    init: () => ['ok', 'ready', { hits: 0 }],
    handleEvent: (type, content, _state, data) => (type === 'info' && content === 'hit' ? ['next_state', 'hit', { hits: data.hits + 1 }] : 'keep_state_and_data'),
  };
  const view: StatemView<string, { hits: number }> = spawnStatem(mod, undefined);
  assert.equal(view.currentState, 'ready');
  assert.equal(statemOf(view.pid, mod), view);
  assert.equal(statemOf(view.pid, { ...mod }), undefined, 'another callbacks object is not this machine');
  assert.equal(statemOf(self(), mod), undefined);
  send(view.pid, 'hit');
  await settle();
  assert.equal(view.currentState, 'hit');
  assert.deepEqual(view.data, { hits: 1 });
  exit(view.pid, 'kill');
  assert.equal(statemOf(view.pid, mod), undefined);
}));

test("states compare as Erlang's =:= does: arrays and plain objects by content, anything else by identity", () => {
  assert.equal(sameState('a', 'a'), true);
  assert.equal(sameState(1, '1'), false);
  assert.equal(sameState(NaN, NaN), true);
  assert.equal(sameState(['a', { n: [1, 2] }], ['a', { n: [1, 2] }]), true);
  assert.equal(sameState(['a', { n: [1, 2] }], ['a', { n: [1, 3] }]), false);
  assert.equal(sameState({ a: 1, b: 2 }, { b: 2, a: 1 }), true, 'a map has no key order');
  assert.equal(sameState({ a: 1 }, { a: 1, b: undefined }), false);
  assert.equal(sameState([1], { 0: 1 }), false);
  assert.equal(sameState(new Map(), new Map()), false, 'class instances are compared by identity');
  const pid = self();
  assert.equal(sameState([pid], [pid]), true);
});

test("init's actions start timeouts on the first turn; 'hibernate' and ['postpone', false] are accepted and change nothing", (t) => inProcess(async () => {
  const clock = simulatedClock(t);
  const me = self();
  const pid = ok(genStatem.start(recorder(me, (type, content) => {
    if (type === 'info' && content === 'h') return ['keep_state_and_data', ['hibernate', ['hibernate', true], ['postpone', true], ['postpone', false]]];
    return undefined;
  }, { stateEnter: true, actions: [['state_timeout', 100, 'from_init'], 'hibernate'] }), undefined));
  await assertReceive(['event', 'enter', 'a', 'a']);
  send(pid, 'h');
  await assertReceive(['event', 'info', 'h', 'a']);
  await clock.advance(100);
  await assertReceive(['event', 'state_timeout', 'from_init', 'a']);
  await settle();
  await refuteReceived(['event', 'info', 'h', _], "['postpone', false] after 'postpone': not postponed");
}));

test('a supervisor runs a genStatem child: it is restarted when it crashes and stopped with the supervisor', () => inProcess(async () => {
  const me = self();
  processFlag('trap_exit', true);
  const sup = ok(supervisor.startLink({
    init: () => ['ok', [{ strategy: 'one_for_one' }, [{ id: 'button', start: () => genStatem.startLink(pushbutton(), me, { name: 'sup_button' }), shutdown: 1000 }]]],
  }, undefined));
  await assertReceive(['enter', 'off', 'off']);
  const first = whereis('sup_button')!;
  exit(first, 'crash');
  await assertReceive(['enter', 'off', 'off']);
  assert.notEqual(whereis('sup_button'), first);
  assert.equal(await genStatem.call<ButtonCall, ButtonState>('sup_button', 'push'), 'on');
  await genServer.stop(sup, 'shutdown');
  assert.equal(whereis('sup_button'), undefined);
  await refuteReceived(['terminate', _, _, _], 'a child that does not trap exits is ended by the signal, as in Erlang');
}));
