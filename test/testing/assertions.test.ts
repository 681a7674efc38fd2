import { test } from 'node:test';
import assert, { AssertionError } from 'node:assert/strict';
import { _, anyNumber, makeRef, processInfo, self, send, spawn } from '../../src/index.js';
import { assertReceive, assertReceived, inProcess, refuteReceive, refuteReceived } from '../../src/testing/index.js';

test('assertReceive takes the first matching message and keeps the rest in order', () => inProcess(async () => {
  const me = self();
  send(me, ['a', 1]);
  send(me, ['b', 2]);
  send(me, ['b', 3]);
  assert.deepEqual(await assertReceive(['b', _]), ['b', 2]);
  assert.deepEqual(processInfo(me)?.messages, [['a', 1], ['b', 3]]);
}));

test('assertReceive waits for a message that comes later', () => inProcess(async () => {
  const me = self();
  spawn(async () => {
    await new Promise((r) => setTimeout(r, 20));
    send(me, 'late');
  });
  assert.equal(await assertReceive('late'), 'late');
}));

test('assertReceive fails after 100 ms by default with the pattern and the mailbox in the message', () => inProcess(async () => {
  const me = self();
  const ref = makeRef();
  send(me, ['gun_up', me, 'http']);
  send(me, ['other', ref]);
  const t0 = performance.now();
  const err = await assertReceive(['gun_ws', me, ref, ['text', _]]).then(() => undefined, (e: unknown) => e);
  const waited = performance.now() - t0;
  assert.ok(err instanceof AssertionError);
  assert.ok(waited >= 95, `waited ${waited} ms`);
  assert.equal(err.message, [
    'Assertion failed, no matching message after 100ms',
    `Pattern: [ 'gun_ws', ${me}, ${ref}, [ 'text', _ ] ]`,
    'Process mailbox (2 messages):',
    `  [ 'gun_up', ${me}, 'http' ]`,
    `  [ 'other', ${ref} ]`,
  ].join('\n'));
}));

test('the failure message shows the last 10 messages of a long mailbox', () => inProcess(async () => {
  for (let i = 0; i < 12; i++) send(self(), ['n', i]);
  const err = await assertReceived(['missing', anyNumber]).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof AssertionError);
  const lines = err.message.split('\n');
  assert.equal(lines[0], 'Assertion failed, no matching message in the mailbox');
  assert.equal(lines[1], "Pattern: [ 'missing', anyNumber ]");
  assert.equal(lines[2], 'Process mailbox (showing last 10 of 12 messages):');
  assert.equal(lines[3], "  [ 'n', 2 ]");
  assert.equal(lines.at(-1), "  [ 'n', 11 ]");
}));

test('an empty mailbox is said to be empty', () => inProcess(async () => {
  await assert.rejects(assertReceived('x'), (e: unknown) => e instanceof AssertionError && e.message.endsWith('The process mailbox is empty.'));
}));

test('assertReceived does not wait', () => inProcess(async () => {
  const me = self();
  spawn(() => send(me, 'soon'));
  await assert.rejects(assertReceived('soon'), AssertionError);
  await assertReceive('soon');
}));

test('refuteReceive passes when nothing matches in time and fails, naming the message, when one does', () => inProcess(async () => {
  send(self(), 'ignored');
  await refuteReceive('unwanted', 20);
  await refuteReceived('unwanted');
  send(self(), ['unwanted', 1]);
  const err = await refuteReceived(['unwanted', _]).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof AssertionError);
  assert.equal(err.message, [
    'Assertion failed, unexpectedly received a message matching the pattern',
    "Pattern: [ 'unwanted', _ ]",
    "Message: [ 'unwanted', 1 ]",
    'Process mailbox (1 message):',
    "  'ignored'",
  ].join('\n'));
}));
