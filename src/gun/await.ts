// await / awaitBody / awaitUp / flush, written as ordinary receives with a monitor, so a
// dead connection answers ['error', reason] instead of a timeout. Gun 1.3's result shapes.
import type { WaitOptions } from '../runtime/abort.js';
import { _ } from '../runtime/pattern.js';
import { Pid } from '../runtime/pid.js';
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
 * Waits for the next message of a stream (default 5000 ms, per message). A connection-wide
 * `gun_error` and the connection's death are answered as `['error', reason]`; `opts.signal`
 * stops the wait (rejects with `signal.reason`), as it does for `awaitBody` and `awaitUp`.
 */
export async function awaitStream(conn: Pid, ref: StreamRef, timeout = 5000, opts?: WaitOptions): Promise<AwaitResult> {
  const mref = monitor(conn);
  try {
    return await receive([
      on(['gun_inform', conn, ref, _, _], ([, , , status, headers]) => ['inform', status, headers] as const),
      on(['gun_response', conn, ref, _, _, _], ([, , , fin, status, headers]) => ['response', fin, status, headers] as const),
      on(['gun_data', conn, ref, _, _], ([, , , fin, data]) => ['data', fin, data] as const),
      on(['gun_trailers', conn, ref, _], ([, , , headers]) => ['trailers', headers] as const),
      on(['gun_upgrade', conn, ref, _, _], ([, , , protocols, headers]) => ['upgrade', protocols, headers] as const),
      on(['gun_ws', conn, ref, _], ([, , , frame]) => ['ws', frame] as const),
      on(['gun_error', conn, ref, _], ([, , , reason]) => ['error', reason] as const),
      on(['gun_error', conn, _], ([, , reason]) => ['error', reason] as const),
      on(['DOWN', mref, 'process', conn, _], ([, , , , reason]) => ['error', reason] as const),
    ], after(timeout, () => ['error', 'timeout'] as const), opts);
  } finally {
    demonitor(mref, { flush: true });
  }
}

/**
 * Collects a response body until `'fin'` (or trailers): `['ok', body]` / `['ok', body, trailers]`.
 * Unlike Gun's await_body it also takes the stream's `gun_response` (and `gun_inform`), so calling
 * it right after a request leaves nothing behind in the mailbox; a `'fin'` response is an empty body.
 */
export async function awaitBody(conn: Pid, ref: StreamRef, timeout = 5000, opts?: WaitOptions): Promise<AwaitBodyResult> {
  const chunks: Buffer[] = [];
  for (;;) {
    const r = await awaitStream(conn, ref, timeout, opts);
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

/** Waits for `gun_up` (default 5000 ms): `['ok', protocol]`, or `['error', reason]` if the connection dies, or `['error', 'timeout']`. */
export async function awaitUp(conn: Pid, timeout = 5000, opts?: WaitOptions): Promise<readonly ['ok', 'http' | 'http2'] | readonly ['error', unknown]> {
  const mref = monitor(conn);
  try {
    return await receive([
      on(['gun_up', conn, _], ([, , protocol]) => ['ok', protocol] as const),
      on(['DOWN', mref, 'process', conn, _], ([, , , , reason]) => ['error', reason] as const),
    ], after(timeout, () => ['error', 'timeout'] as const), opts);
  } finally {
    demonitor(mref, { flush: true });
  }
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
