import type { TestContext } from 'node:test';
import { SimulatedClock } from '../../src/testing/index.js';

/** A simulated clock for one test, put back when the test ends. */
export function simulatedClock(t: TestContext): SimulatedClock {
  const clock = new SimulatedClock().install();
  t.after(() => clock.uninstall());
  return clock;
}
