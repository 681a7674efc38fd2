import { test } from 'node:test';
import assert, { AssertionError } from 'node:assert/strict';
import { _, anyNumber, anyString, CaseClauseError, isErlgunError, makeRef, match, matches, on, self, when, type Pid } from '../../src/index.js';
import { assertMatch } from '../../src/testing/index.js';

test('match applies the first clause whose pattern matches, in order, and returns its result', () => {
  const classify = (v: unknown): string => match(v, [
    on(['temp', when(anyNumber, (t) => t > 30)], ([, t]) => `hot ${t}`),
    on(['temp', anyNumber], ([, t]) => `ok ${t.toFixed(0)}`),
    on(_, () => 'other'),
  ]);
  assert.equal(classify(['temp', 35]), 'hot 35');
  assert.equal(classify(['temp', 20]), 'ok 20');
  assert.equal(classify(['temp', 'x']), 'other');
});

test('match with no matching clause throws CaseClauseError (ERR_CASE_CLAUSE) carrying the value', () => {
  const value = ['gun_down', self(), 'http', 'closed', []];
  const err = (() => {
    try {
      match(value, [on(['gun_down', _, _, _, _, _], () => 1)]);
    } catch (error) {
      return error;
    }
  })();
  assert.ok(err instanceof CaseClauseError);
  assert.ok(isErlgunError(err));
  assert.equal(err.code, 'ERR_CASE_CLAUSE');
  assert.equal(err.value, value);
  assert.match(err.message, /no case clause matching \[ 'gun_down', <0\.\d+\.0>, 'http', 'closed', \[\] \]/);
});

test('match refuses an empty clause list and clauses not made with on()', () => {
  assert.throws(() => match(1, []), { code: 'ERR_BADARG' });
  assert.throws(() => match(1, [(() => 1) as never]), { code: 'ERR_BADARG' });
});

test('a handler error propagates out of match unchanged', () => {
  const boom = new Error('boom');
  assert.throws(() => match('x', [on('x', () => { throw boom; })]), (e) => e === boom);
});

test('matches is a type guard: the value is narrowed as a receive clause narrows it', () => {
  const pid = self();
  const value: unknown = ['who', pid, 'ann'];
  if (matches(['who', _, anyString], value)) {
    const name: string = value[2];
    assert.equal(name.toUpperCase(), 'ANN');
  } else {
    assert.fail('should match');
  }
  assert.equal(matches(['who', _, anyString], ['who', pid, 1]), false);
});

test('assertMatch returns the narrowed value', () => {
  const ref = makeRef();
  const [, r, n] = assertMatch(['ok', ref, anyNumber], ['ok', ref, 7] as unknown);
  assert.equal(r, ref);
  assert.equal(n + 1, 8);
});

test('assertMatch fails with an AssertionError that prints the pattern and the value', () => {
  const pid: Pid = self();
  const err = (() => {
    try {
      assertMatch(['ok', anyNumber], ['error', pid]);
    } catch (error) {
      return error;
    }
  })();
  assert.ok(err instanceof AssertionError);
  assert.equal(err.operator, 'fail');
  assert.match(err.message, /Pattern: \[ 'ok', anyNumber \]/);
  assert.match(err.message, /Value: {3}\[ 'error', <0\.\d+\.0> \]/);
  assert.deepEqual(err.actual, ['error', pid]);
});
