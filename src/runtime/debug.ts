// What a program can watch without changing its code: `NODE_DEBUG=erlgun` (util.debuglog) and
// diagnostics_channel channels, published only while someone subscribes (hasSubscribers), so an
// unwatched program pays one property read per event.
import { channel } from 'node:diagnostics_channel';
import { debuglog } from 'node:util';
import type { CrashReport } from './log.js';

/** Writes to stderr when `NODE_DEBUG` names `erlgun`; `debug.enabled` tells whether it will. */
export const debug = debuglog('erlgun');

/** The names of erlgun's diagnostics_channel channels. */
export const channels = {
  /** A process crashed and nothing links to or monitors it (the crash report's payload). */
  processCrash: 'erlgun:process:crash',
  /** A connection changed state (`ConnectionStateMessage`). */
  connectionState: 'erlgun:connection:state',
  /** A connection will retry after `wait` ms (`ConnectionRetryMessage`). */
  connectionRetry: 'erlgun:connection:retry',
  /** A connection is out of retries and exits (`ConnectionGiveUpMessage`). */
  connectionGiveUp: 'erlgun:connection:giveup',
  /** A Websocket upgrade succeeded (`WebsocketOpenMessage`). */
  websocketOpen: 'erlgun:websocket:open',
  /** A Websocket closed (`WebsocketCloseMessage`). */
  websocketClose: 'erlgun:websocket:close',
} as const;

const crash = channel(channels.processCrash);

/** A crash report, published on `erlgun:process:crash` (the logger prints it already: no debug line). */
export function crashed(report: CrashReport): void {
  if (crash.hasSubscribers) crash.publish(report);
}
