// ExUnit-style options of the assertions, and their waiting in real time under fake timers.
import { test, mock } from 'node:test';
import assert, { AssertionError } from 'node:assert/strict';
import { _, anyNumber, self, send } from '../../src/index.js';
import { assertReceive, assertReceived, configure, inProcess, refuteReceive, refuteReceived } from '../../src/testing/index.js';

const failure = (p: Promise<unknown>): Promise<AssertionError> => p.then(
  () => assert.fail('expected the assertion to fail'),
  (e: unknown) => {
    assert.ok(e instanceof AssertionError);
    return e;
  },
);

test('configure changes the default waits of assertReceive and refuteReceive', () => inProcess(async () => {
  const previous = configure({ assertReceiveTimeout: 10, refuteReceiveTimeout: 15 });
  try {
    assert.deepEqual(previous, { assertReceiveTimeout: 10, refuteReceiveTimeout: 15 });
    assert.match((await failure(assertReceive('never'))).message, /^Assertion failed, no matching message after 10ms\n/);
    const t0 = performance.now();
    await refuteReceive('never');
    assert.ok(performance.now() - t0 < 90, 'refuteReceive waited its configured 15 ms, not 100');
  } finally {
    configure({ assertReceiveTimeout: 100, refuteReceiveTimeout: 100 });
  }
  assert.match((await failure(assertReceive('never'))).message, /after 100ms/);
  assert.throws(() => configure({ assertReceiveTimeout: -1 }), /assertReceiveTimeout/);
}));

test('a failure message replaces the first line; the pattern and the mailbox are still shown', () => inProcess(async () => {
  send(self(), 'other');
  assert.equal((await failure(assertReceive('never', 0, 'no hello from the server'))).message,
    "no hello from the server\nPattern: 'never'\nProcess mailbox (1 message):\n  'other'");
  assert.match((await failure(assertReceived('never', 'custom'))).message, /^custom\nPattern: 'never'\n/);
  send(self(), 'bad');
  assert.match((await failure(refuteReceived('bad', 'should not come'))).message, /^should not come\nPattern: 'bad'\nMessage: 'bad'\n/);
}));

test('expected: is the pattern as written, with _ and matchers by name', () => inProcess(async () => {
  const err = await failure(assertReceived(['tick', _, ['text', anyNumber]]));
  assert.equal(err.expected, "[ 'tick', _, [ 'text', anyNumber ] ]");
  assert.equal(err.operator, 'fail');
}));

test('assertions wait in real time while the global timers are faked', () => inProcess(async () => {
  mock.timers.enable({ apis: ['setTimeout', 'setInterval', 'Date'] });
  try {
    const t0 = process.hrtime.bigint();
    assert.match((await failure(assertReceive('never', 30))).message, /after 30ms/);
    await refuteReceive('never', 10);
    assert.ok(process.hrtime.bigint() - t0 >= 35_000_000n);
  } finally {
    mock.timers.reset();
  }
}));
