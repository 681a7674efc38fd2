// Failures keep their text when errors come from another realm (jest and vitest's vmThreads run
// tests in a vm context, whose Error is not this realm's), and crash text keeps the whole stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInNewContext } from 'node:vm';
import { exit, ExitError, formatTerm, isErlgunError, on, receive, setLogger, spawn, spawnLink, type CrashReport } from '../../src/index.js';
import { inProcess } from '../../src/testing/index.js';

const foreignError = (message: string): Error => runInNewContext(`new Error(${JSON.stringify(message)})`) as Error;

test('an error from another realm thrown in inProcess rejects as that error, not a JSON dump', async () => {
  const thrown = foreignError('from a vm context');
  assert.equal(thrown instanceof Error, false);
  await assert.rejects(inProcess(() => {
    throw thrown;
  }), (e: unknown) => e === thrown);
});

test('a linked crash with an error from another realm reaches inProcess as that error', async () => {
  const thrown = foreignError('linked crash');
  await assert.rejects(inProcess(async () => {
    spawnLink(() => {
      throw thrown;
    });
    await receive([on('never', () => undefined)]);
  }), (e: unknown) => e === thrown);
});

test('ExitError prints an error inside its reason with name, message and stack, and keeps it as cause', async () => {
  const boom = new Error('boom');
  const err = await inProcess(() => exit(['shutdown', boom])).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ExitError);
  assert.match(err.message, /^exception exit: \[\s*'shutdown',\s*Error: boom\n\s+at /);
  assert.doesNotMatch(err.message, /\{\}/);
  const alone = new ExitError(foreignError('alone'));
  assert.match(alone.message, /^exception exit: Error: alone\n/);
  assert.ok(alone.cause !== undefined);
});

test('isErlgunError recognises an erlgun error made in another realm', () => {
  const foreign = runInNewContext(`Object.assign(new Error('x'), { code: 'ERR_BADARG' })`) as unknown;
  assert.equal(isErlgunError(foreign), true);
});

test('a crash report keeps the whole stack', async () => {
  const reports: CrashReport[] = [];
  const previous = setLogger((r) => reports.push(r));
  try {
    const level4 = (): never => {
      throw new Error('deep');
    };
    const level3 = (): never => level4();
    const level2 = (): never => level3();
    const level1 = (): never => level2();
    const pid = spawn(() => level1());
    await inProcess(async () => {
      for (let i = 0; i < 50 && reports.length === 0; i++) await new Promise((r) => setImmediate(r));
    });
    assert.equal(reports.length, 1);
    assert.equal(reports[0]?.pid, pid);
    for (const frame of ['level4', 'level3', 'level2', 'level1']) assert.match(reports[0]?.text ?? '', new RegExp(`at ${frame} `));
    assert.equal(formatTerm(reports[0]?.reason), (reports[0]?.reason as Error).stack);
  } finally {
    setLogger(previous);
  }
});
