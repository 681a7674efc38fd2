import { test } from 'node:test';
import assert from 'node:assert/strict';
import { _, after, anyBuffer, anyNumber, anyPid, anyString, flush, makeRef, on, receive, receiveNow, self, send, spawn, spawnMonitor, TIMEOUT, when, processInfo, type Pid } from '../../src/index.js';
import { assertReceive, inProcess } from '../../src/testing/index.js';

test('receive takes the oldest matching message and leaves the others in order', () => inProcess(async () => {
  const me = self();
  for (const m of [['a', 1], ['b', 1], ['a', 2], ['b', 2], ['c', 1]]) send(me, m);
  assert.deepEqual(await receive([on(['b', _], (m) => m)]), ['b', 1]);
  assert.deepEqual(await receive([on(['c', _], (m) => m)]), ['c', 1]);
  assert.deepEqual(flush(), [['a', 1], ['a', 2], ['b', 2]]);
}));

test('clauses are tried in order for each message, oldest message first', () => inProcess(async () => {
  send(self(), 'x');
  send(self(), 'y');
  const got = await receive([on('y', () => 'clause y'), on('x', () => 'clause x')]);
  assert.equal(got, 'clause x');
}));

test('a waiting receive takes a message that arrives later, unmatched ones stay queued', () => inProcess(async () => {
  const me = self();
  spawn(() => {
    send(me, 'noise');
    send(me, ['reply', 42]);
  });
  assert.equal(await receive([on(['reply', anyNumber], ([, n]) => n)]), 42);
  assert.deepEqual(processInfo(me)?.messages, ['noise']);
}));

test('timeout 0 polls: TIMEOUT when nothing matches, the after handler when given', () => inProcess(async () => {
  send(self(), 'other');
  assert.equal(await receive([on('nope', () => 1)], 0), TIMEOUT);
  assert.equal(await receive([on('nope', () => 1)], after(0, () => 'after')), 'after');
  assert.equal(processInfo(self())?.messageQueueLen, 1);
}));

test('a timed receive runs its after branch when nothing matches in time', () => inProcess(async () => {
  const t0 = performance.now();
  const got = await receive([on('never', () => 'no')], after(30, () => 'timed out'));
  assert.equal(got, 'timed out');
  assert.ok(performance.now() - t0 >= 25);
}));

test('the handler runs in the receiving process (self() inside it)', () => inProcess(async () => {
  const me = self();
  spawn(() => send(me, 'hi'));
  assert.equal(await receive([on('hi', () => self())]), me);
}));

test('a throwing handler rejects the receive', () => inProcess(async () => {
  send(self(), 'boom');
  await assert.rejects(receive([on('boom', () => { throw new Error('handler'); })]), /handler/);
}));

test('patterns: literals, wildcard, pids/refs by identity, tuples by length, objects by listed keys, Buffers by content, guards and type matchers', () => inProcess(async () => {
  const me = self();
  const ref = makeRef();
  const other = makeRef();
  const check = async (pattern: unknown, yes: unknown[], no: unknown[]) => {
    for (const m of [...no, ...yes]) send(me, m);
    for (const m of yes) assert.deepEqual(await receive([on(pattern, (x) => x)], 0), m, `expected ${String(pattern)} to match`);
    assert.equal(await receive([on(pattern, (x) => x)], 0), TIMEOUT);
    assert.deepEqual(flush(), no);
  };
  await check('a', ['a'], ['b', 1, null]);
  await check(7, [7], ['7', 8]);
  await check(null, [null], [undefined, 0]);
  await check(true, [true], [1, 'true']);
  await check(['t', _], [['t', 1], ['t', ['x']]], [['t'], ['t', 1, 2], ['u', 1], 't']);
  await check([ref], [[ref]], [[other], [String(ref)]]);
  await check([me, _], [[me, 1]], [[spawn(() => undefined), 1]]);
  await check({ type: 'x', n: anyNumber }, [{ type: 'x', n: 1, extra: true }], [{ type: 'x' }, { type: 'x', n: '1' }, ['x', 1]]);
  // An object pattern is a map pattern: never a tuple, pid, ref or Buffer, even one with the keys.
  await check({}, [{}, { any: 1 }], [[], ['EXIT', me, 'normal'], me, ref, Buffer.from('x')]);
  await check({ length: 2 }, [{ length: 2 }], [['a', 'b'], Buffer.from('ab')]);
  await check(Buffer.from('hi'), [Buffer.from('hi')], [Buffer.from('ho'), 'hi']);
  await check(['s', anyString], [['s', 'x']], [['s', 1]]);
  await check(['b', anyBuffer], [['b', Buffer.alloc(1)]], [['b', 'x']]);
  await check(when((v) => typeof v === 'number' && v > 5), [6, 10], [5, '9']);
  await check(['temp', when(anyNumber, (t) => t > 30)], [['temp', 31]], [['temp', 30], ['temp', '40']]);
}));

test('1,000 messages keep their order through selective receives', () => inProcess(async () => {
  const me = self();
  for (let i = 0; i < 1000; i++) send(me, [i % 2 === 0 ? 'even' : 'odd', i]);
  const odds: number[] = [];
  for (let i = 0; i < 500; i++) odds.push(await receive([on(['odd', anyNumber], ([, n]) => n)]));
  assert.deepEqual(odds, Array.from({ length: 500 }, (_v, i) => 2 * i + 1));
  const evens: number[] = [];
  for (let i = 0; i < 500; i++) evens.push(await receive([on([_, anyNumber], ([, n]) => n)]));
  assert.deepEqual(evens, Array.from({ length: 500 }, (_v, i) => 2 * i));
}));

test('receive rejects bad arguments with a BadArgError', () => inProcess(async () => {
  await assert.rejects(async () => receive([]), { code: 'ERR_BADARG' });
  assert.throws(() => after(-1, () => 0), { code: 'ERR_BADARG' });
  // Neither a number nor after(ms, fn): refused, not read as "time out at once".
  assert.throws(() => receive([on('x', () => 0)], '5' as unknown as number), { code: 'ERR_BADARG' });
}));

test('receiveNow takes a queued match synchronously, keeps the rest in order, and returns TIMEOUT otherwise', () => inProcess(async () => {
  const me = self();
  const clauses = [on(['n', anyNumber], ([, n]) => n * 10)] as const;
  assert.equal(receiveNow(clauses), TIMEOUT);
  send(me, 'other');
  send(me, ['n', 1]);
  send(me, ['n', 2]);
  assert.equal(receiveNow(clauses), 10);
  assert.equal(receiveNow(clauses), 20);
  assert.equal(receiveNow(clauses), TIMEOUT);
  assert.deepEqual(processInfo(me)?.messages, ['other']);
}));

test("a guard that throws counts as no match: the sender's send does not throw, and the guard runs as the receiver", () => inProcess(async () => {
  const me = self();
  const guardSelf: unknown[] = [];
  const risky = when((m) => {
    guardSelf.push(self());
    if (m === 'x') throw new Error('guard');
    return false;
  });
  const [sender, mref] = spawnMonitor(() => {
    send(me, 'x');
    send(me, 'y');
  });
  assert.equal(await receive([on(risky, () => 'risky'), on('y', () => 'y')]), 'y');
  await assertReceive(['DOWN', mref, 'process', sender, 'normal']);
  assert.deepEqual(flush(), ['x']);
  assert.ok(guardSelf.length >= 2 && guardSelf.every((pid) => pid === me), 'the guard ran in the receiving process');
}));

test('a receive that waits tests each new message once, even after many were taken from behind an unread one', () => inProcess(async () => {
  const me = self();
  send(me, 'unread');
  let tests = 0;
  const counted = [on(when((m) => {
    tests++;
    return typeof m === 'number';
  }), (n) => n as number)];
  spawn(async () => {
    for (let i = 0; i < 1000; i++) {
      send(me, i);
      await null;
    }
  });
  let sum = 0;
  for (let i = 0; i < 1000; i++) sum += await receive(counted);
  assert.equal(sum, 499_500);
  assert.ok(tests <= 2000, `${tests} pattern tests for 1,000 receives behind one unread message`);
  assert.deepEqual(flush(), ['unread']);
}));

const N = 100_000;

/**
 * Arms a `setTimeout(0)`, lets `exchange` run N exchanges between processes (it calls
 * `counted` per exchange and `done` at the end), and checks the timer fired before the end.
 */
async function timerFiresDuring(exchange: (counted: () => void, done: () => void) => void): Promise<void> {
  let exchanges = 0;
  let atTimer = -1;
  setTimeout(() => {
    atTimer = exchanges;
  }, 0);
  const me = self();
  exchange(() => {
    exchanges++;
  }, () => send(me, 'done'));
  await receive([on('done', () => undefined)]);
  assert.ok(atTimer >= 0 && atTimer < N, `the timer fired after ${atTimer} of ${N} exchanges`);
}

test('a due timer fires while two processes play ping-pong (it used to wait for all of them)', () => inProcess(() => timerFiresDuring((counted, done) => {
  const pong = spawn(async () => {
    const ping = [on(['ping', _], ([, from]) => from as Pid)];
    for (let i = 0; i < N; i++) send(await receive(ping), 'pong');
  });
  spawn(async () => {
    const mine = self();
    const gotPong = [on('pong', () => counted())];
    for (let i = 0; i < N; i++) {
      send(pong, ['ping', mine]);
      await receive(gotPong);
    }
    done();
  });
})));

test('two processes that never wait (each always finds a message queued) still let a due timer fire', () => inProcess(() => timerFiresDuring((counted, done) => {
  const x = [on('x', () => undefined)];
  const a = spawn(async () => {
    const b = await receive([on(['peer', anyPid], ([, pid]) => pid)]);
    for (let i = 0; i < N; i++) {
      await receive(x);
      counted();
      send(b, 'x');
    }
    done();
  });
  const b = spawn(async () => {
    for (let i = 0; i < N; i++) {
      await receive(x);
      send(a, 'x');
    }
  });
  for (const m of [['peer', b], 'x', 'x']) send(a, m);
  for (const m of ['x', 'x']) send(b, m);
})));
