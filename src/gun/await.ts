// await / awaitBody / awaitUp / flush, written as ordinary receives with a monitor, so a
// dead connection answers ['error', reason] instead of a timeout. Gun 1.3's result shapes.
import type { WaitOptions } from '../runtime/abort.js';
import { _ } from '../runtime/pattern.js';
import { Pid, Ref } from '../runtime/pid.js';
import { after, on, receive } from '../runtime/receive.js';
import { current } from '../runtime/scheduler.js';
import { demonitor, monitor } from '../runtime/signals.js';
import type { GunErrorReason, Headers, IsFin, StreamRef, WsFrame } from './messages.js';

export type AwaitResult =
  | readonly ['inform', number, Headers]
  | readonly ['response', IsFin, number, Headers]
  | readonly ['data', IsFin, Buffer]
  | readonly ['trailers', Headers]
  | readonly ['upgrade', readonly ['websocket'], Headers]
  | readonly ['ws', WsFrame]
  | readonly ['error', GunErrorReason | unknown];

export type AwaitBodyResult = readonly ['ok', Buffer] | readonly ['ok', Buffer, Headers] | readonly ['error', GunErrorReason | unknown];

/**
 * Gun's optional trailing arguments: `(timeout)`, `(mref)` or `(timeout, mref)`. With a
 * monitor ref of the caller's own on the connection, no monitor is made or removed (Gun's
 * `await/4`, `await_body/4`, `await_up/3`), and its DOWN is what ends the wait.
 */
function waitArgs(a: number | Ref | undefined, b: Ref | WaitOptions | undefined, c: WaitOptions | undefined): [number, Ref | undefined, WaitOptions | undefined] {
  if (a instanceof Ref) return [5000, a, b instanceof Ref ? undefined : b];
  if (b instanceof Ref) return [a ?? 5000, b, c];
  return [a ?? 5000, undefined, b];
}

/** The trailing arguments of `gun.await`, `gun.awaitBody` and `gun.awaitUp`. */
type WaitArgs = [timeout?: number, opts?: WaitOptions] | [timeout: number, mref: Ref, opts?: WaitOptions] | [mref: Ref, opts?: WaitOptions];

/** Runs `wait` with a monitor on `conn`: the caller's, or one made for the wait and removed after it. */
async function monitored<T>(conn: Pid, given: Ref | undefined, wait: (mref: Ref) => Promise<T>): Promise<T> {
  if (given !== undefined) return wait(given);
  const mref = monitor(conn);
  try {
    return await wait(mref);
  } finally {
    demonitor(mref, { flush: true });
  }
}

/**
 * Waits for the next message of a stream (default 5000 ms, per message). A connection-wide
 * `gun_error` and the connection's death are answered as `['error', reason]`.
 * `gun.await(conn, ref, timeout?, mref?)` or `gun.await(conn, ref, mref)`, as Gun's
 * `await/2,3,4`; a last `{ signal }` stops the wait (rejects with `signal.reason`), as it
 * does for `awaitBody` and `awaitUp`.
 */
export async function awaitStream(conn: Pid, ref: StreamRef, ...args: WaitArgs): Promise<AwaitResult> {
  const [timeout, given, opts] = waitArgs(...(args as [number | Ref | undefined, Ref | WaitOptions | undefined, WaitOptions | undefined]));
  return monitored(conn, given, (mref) => receive([
    on(['gun_inform', conn, ref, _, _], ([, , , status, headers]) => ['inform', status, headers] as const),
    on(['gun_response', conn, ref, _, _, _], ([, , , fin, status, headers]) => ['response', fin, status, headers] as const),
    on(['gun_data', conn, ref, _, _], ([, , , fin, data]) => ['data', fin, data] as const),
    on(['gun_trailers', conn, ref, _], ([, , , headers]) => ['trailers', headers] as const),
    on(['gun_upgrade', conn, ref, _, _], ([, , , protocols, headers]) => ['upgrade', protocols, headers] as const),
    on(['gun_ws', conn, ref, _], ([, , , frame]) => ['ws', frame] as const),
    on(['gun_error', conn, ref, _], ([, , , reason]) => ['error', reason] as const),
    on(['gun_error', conn, _], ([, , reason]) => ['error', reason] as const),
    on(['DOWN', mref, 'process', conn, _], ([, , , , reason]) => ['error', reason] as const),
  ], after(timeout, () => ['error', 'timeout'] as const), opts));
}

/**
 * Collects a response body until `'fin'` (or trailers): `['ok', body]` / `['ok', body, trailers]`.
 * Unlike Gun's await_body it also takes the stream's `gun_response` (and `gun_inform`), so calling
 * it right after a request leaves nothing behind in the mailbox; a `'fin'` response is an empty body.
 */
export async function awaitBody(conn: Pid, ref: StreamRef, ...args: WaitArgs): Promise<AwaitBodyResult> {
  const [timeout, given, opts] = waitArgs(...(args as [number | Ref | undefined, Ref | WaitOptions | undefined, WaitOptions | undefined]));
  const chunks: Buffer[] = [];
  for (;;) {
    const r = await (given === undefined ? awaitStream(conn, ref, timeout, opts) : awaitStream(conn, ref, timeout, given, opts));
    switch (r[0]) {
      case 'data':
        chunks.push(r[2]);
        if (r[1] === 'fin') return ['ok', Buffer.concat(chunks)];
        break;
      case 'trailers':
        return ['ok', Buffer.concat(chunks), r[1]];
      case 'error':
        return r;
      case 'response':
        if (r[1] === 'fin') return ['ok', Buffer.concat(chunks)];
        break;
      default:
        // inform/upgrade/ws are not part of a body: keep waiting.
        break;
    }
  }
}

/**
 * Waits for `gun_up` (default 5000 ms): `['ok', protocol]`, or `['error', reason]` if the
 * connection dies, or `['error', 'timeout']`. `gun.awaitUp(conn, timeout?, mref?)` or
 * `gun.awaitUp(conn, mref)`, as Gun's `await_up/1,2,3`.
 */
export async function awaitUp(conn: Pid, ...args: WaitArgs): Promise<readonly ['ok', 'http' | 'http2'] | readonly ['error', unknown]> {
  const [timeout, given, opts] = waitArgs(...(args as [number | Ref | undefined, Ref | WaitOptions | undefined, WaitOptions | undefined]));
  return monitored(conn, given, (mref) => receive([
    on(['gun_up', conn, _], ([, , protocol]) => ['ok', protocol] as const),
    on(['DOWN', mref, 'process', conn, _], ([, , , , reason]) => ['error', reason] as const),
  ], after(timeout, () => ['error', 'timeout'] as const), opts));
}

const TAGS = new Set(['gun_up', 'gun_down', 'gun_upgrade', 'gun_response', 'gun_inform', 'gun_data', 'gun_trailers', 'gun_push', 'gun_error', 'gun_ws', 'gun_sse']);

/**
 * Removes from the caller's mailbox every Gun message of a connection (given its pid) or
 * of one stream (given its ref). Every tag is flushed, unlike Gun's own flush.
 */
export function flush(connOrRef: Pid | StreamRef): void {
  const byConn = (m: readonly unknown[]) => m[1] === connOrRef;
  const byRef = (m: readonly unknown[]) => m[2] === connOrRef && m[0] !== 'gun_up' && m[0] !== 'gun_down';
  const test = connOrRef instanceof Pid ? byConn : byRef;
  current().mailbox.removeAll((m) => Array.isArray(m) && TAGS.has(m[0] as string) && test(m));
}
