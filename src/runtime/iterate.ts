// The mailbox as an async iterable (effect's Mailbox.toStream, WebSocketStream's readable):
// `for await (const m of messages(pattern))` takes each matching message in order and leaves
// the others queued. It must run in the process whose mailbox it reads.
import { abortable, type WaitOptions } from './abort.js';
import type { Matched, ValidPattern } from './pattern-types.js';
import { on, receive, receiveNow, TIMEOUT } from './receive.js';

/**
 * Yields every message matching `pattern`, oldest first, forever: leave the loop with `break`
 * or `return`, or abort `opts.signal` (the loop then throws `signal.reason`). Messages already
 * queued are taken without a promise each.
 * @example for await (const [, , , frame] of messages(['gun_ws', conn, ref, _])) handle(frame);
 */
export async function* messages<const P>(pattern: P & ValidPattern<P>, opts?: WaitOptions): AsyncGenerator<Matched<P>, never, undefined> {
  const clauses = [on<P, Matched<P>>(pattern, (m) => m)] as const;
  const signal = opts?.signal;
  for (;;) {
    signal?.throwIfAborted();
    const queued = receiveNow(clauses);
    yield queued !== TIMEOUT ? queued : await abortable(signal, () => receive(clauses));
  }
}
