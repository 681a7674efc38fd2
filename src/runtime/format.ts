import { inspect, types } from 'node:util';

/**
 * True for Error objects from any realm: a test runner's vm context (jest, vitest's vmThreads)
 * has its own `Error`, so `instanceof Error` is false for errors made there or in Node's core.
 */
export function isError(value: unknown): value is Error {
  return value instanceof Error || types.isNativeError(value);
}

/** Prints a message or exit reason readably: pids as <0.4.0>, refs as #Ref<0.7>, errors with their whole stack. */
export function formatTerm(value: unknown): string {
  if (isError(value)) return value.stack ?? `${value.name}: ${value.message}`;
  return inspect(value, { depth: 6, breakLength: 120, maxArrayLength: 20, maxStringLength: 200 });
}
