import { inspect } from 'node:util';

/** Prints a message or exit reason readably: pids as <0.4.0>, refs as #Ref<0.7>, errors with their stack head. */
export function formatTerm(value: unknown): string {
  if (value instanceof Error) {
    const stack = value.stack?.split('\n').slice(0, 3).join('\n    ') ?? String(value);
    return stack;
  }
  return inspect(value, { depth: 6, breakLength: 120, maxArrayLength: 20, maxStringLength: 200 });
}
