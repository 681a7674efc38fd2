// What the OTP behaviour tests share.
import assert from 'node:assert/strict';
import { ExitError } from '../../src/index.js';

/** The reason a call or stop exited its caller with. */
export async function exitReasonOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ExitError) return error.reason;
    throw error;
  }
  assert.fail('expected an exit');
}

/** A macrotask later: every woken process has run. */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));
