import { inspect } from 'node:util';

const SHOWN = 10;

/** Prints a pattern the way it was written (`_`, matchers by name, pids and refs readable). */
export function formatPattern(pattern: unknown): string {
  return inspect(pattern, { depth: 8, breakLength: Infinity });
}

/** Prints the last messages of a mailbox, ExUnit style. */
export function formatMailbox(messages: readonly unknown[]): string {
  if (messages.length === 0) return 'The process mailbox is empty.';
  const shown = messages.slice(-SHOWN);
  const head = messages.length > SHOWN
    ? `Process mailbox (showing last ${SHOWN} of ${messages.length} messages):`
    : `Process mailbox (${messages.length} message${messages.length === 1 ? '' : 's'}):`;
  return [head, ...shown.map((m) => '  ' + inspect(m, { depth: 8, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 120 }))].join('\n');
}
