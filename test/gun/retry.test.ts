// The retry policies are pure functions of the facts the connection passes them: each rule
// is checked here without sockets or clocks (the connection's use of them is in reconnect.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkOptions } from '../../src/gun/options.js';
import { defaultRetry, diedYoung, doubledWait, invalidDecision, jitteredBackoff, reconnectsAtOnce } from '../../src/gun/retry.js';

const opts = (o: Record<string, unknown> = {}) => checkOptions('127.0.0.1', 80, o);
const context = (shortLived: number, o: Record<string, unknown> = {}) => ({ reason: 'closed' as const, shortLived, opts: opts(o) });

test('defaultRetry waits retryTimeout, doubling from at least 100 ms while connections die young, up to 60 s', () => {
  assert.deepEqual(defaultRetry(5, context(0)), { retries: 4, timeout: 5000 });
  assert.deepEqual(defaultRetry(5, context(1)), { retries: 4, timeout: 5000 });
  assert.deepEqual(defaultRetry(5, context(2)), { retries: 4, timeout: 10_000 });
  assert.deepEqual(defaultRetry(5, context(20)), { retries: 4, timeout: 60_000 });
  assert.deepEqual(defaultRetry(3, context(0, { retryTimeout: 0 })), { retries: 2, timeout: 0 });
  assert.deepEqual([1, 2, 3].map((n) => defaultRetry(3, context(n, { retryTimeout: 0 })).timeout), [100, 200, 400]);
  assert.equal(doubledWait(10, 40), 100 * 2 ** 16, 'the growth stops after 16 doublings');
});

test('jitteredBackoff adds 0–50 % to the doubled wait, never less than retryTimeout, at most 30 s', () => {
  const at = (random: number, retriesLeft: number, shortLived = 0) => jitteredBackoff(retriesLeft, context(shortLived, { retry: 5, retryTimeout: 1000 }), () => random).timeout;
  assert.equal(at(0, 5), 1000);
  assert.equal(at(0.5, 5), 1250);
  assert.equal(at(0, 4), 1000, 'one failed attempt: doubledWait(1000, 1)');
  assert.equal(at(0, 3), 2000);
  assert.equal(at(0.999, 3), 2999);
  assert.equal(at(0, 3, 2), 8000, 'failed attempts and young deaths both count');
  assert.equal(at(0.9, 0, 10), 30_000);
  assert.deepEqual(jitteredBackoff(2, context(0), () => 0).retries, 1);
});

test('a connection died young when it lived less than max(retryTimeout, 1000) ms; one that lived is retried at once', () => {
  assert.equal(diedYoung(999, opts({ retryTimeout: 10 })), true);
  assert.equal(diedYoung(1000, opts({ retryTimeout: 10 })), false);
  assert.equal(diedYoung(4999, opts({ retryTimeout: 5000 })), true);
  assert.equal(reconnectsAtOnce(0), true);
  assert.equal(reconnectsAtOnce(1), false);
});

test('invalidDecision accepts whole numbers only', () => {
  for (const ok of [{ retries: 0, timeout: 0 }, { retries: Infinity, timeout: 2 ** 31 - 1 }, { retries: 3, timeout: 10 }]) assert.equal(invalidDecision(ok), undefined, JSON.stringify(ok));
  for (const bad of [null, 3, {}, { retries: NaN, timeout: NaN }, { retries: 1, timeout: -1 }, { retries: 1, timeout: Infinity }, { retries: -1, timeout: 1 }, { retries: 1.5, timeout: 1 }, { retries: 1, timeout: 2 ** 31 }]) {
    assert.match(invalidDecision(bad) ?? '', /^retryFun returned /, JSON.stringify(bad));
  }
});
