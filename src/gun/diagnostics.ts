// A connection's life as diagnostics_channel messages (in the style of undici's
// `undici:websocket:*`) and NODE_DEBUG=erlgun lines. connection.ts and ws.ts make one call per
// event; building a message costs nothing unless someone subscribes or NODE_DEBUG asks.
import { channel } from 'node:diagnostics_channel';
import { channels, debug } from '../runtime/debug.js';
import { formatTerm } from '../runtime/format.js';
import type { Pid } from '../runtime/pid.js';
import type { StateName } from './connection.js';
import type { DownReason, Headers, StreamRef } from './messages.js';

/** Which connection a message is about. */
export interface ConnectionTag {
  readonly conn: Pid;
  readonly host: string;
  readonly port: number;
}

/** On `erlgun:connection:state`. */
export interface ConnectionStateMessage extends ConnectionTag {
  readonly from: StateName;
  readonly to: StateName;
}

/** On `erlgun:connection:retry`: the next attempt starts after `wait` ms. */
export interface ConnectionRetryMessage extends ConnectionTag {
  readonly wait: number;
  readonly retriesLeft: number;
}

/** On `erlgun:connection:giveup`: out of retries, the connection exits `['shutdown', reason]`. */
export interface ConnectionGiveUpMessage extends ConnectionTag {
  readonly reason: unknown;
}

/** On `erlgun:websocket:open`: the upgrade `ref` succeeded. */
export interface WebsocketOpenMessage extends ConnectionTag {
  readonly ref: StreamRef;
  readonly headers: Headers;
}

/** On `erlgun:websocket:close`: the Websocket `ref` closed (`code` 1006: no close frame came). */
export interface WebsocketCloseMessage extends ConnectionTag {
  readonly ref: StreamRef;
  readonly code: number;
  readonly reason: string;
  readonly down: DownReason;
}

const state = channel(channels.connectionState);
const retry = channel(channels.connectionRetry);
const giveUp = channel(channels.connectionGiveUp);
const wsOpen = channel(channels.websocketOpen);
const wsClose = channel(channels.websocketClose);

export function stateChanged(c: ConnectionTag, from: StateName, to: StateName): void {
  if (from === to) return;
  if (state.hasSubscribers) state.publish({ conn: c.conn, host: c.host, port: c.port, from, to } satisfies ConnectionStateMessage);
  debug('%s %s:%d %s -> %s', c.conn, c.host, c.port, from, to);
}

export function retrying(c: ConnectionTag, wait: number, retriesLeft: number): void {
  if (retry.hasSubscribers) retry.publish({ conn: c.conn, host: c.host, port: c.port, wait, retriesLeft } satisfies ConnectionRetryMessage);
  debug('%s %s:%d retrying in %d ms (%d retries left)', c.conn, c.host, c.port, wait, retriesLeft);
}

export function gaveUp(c: ConnectionTag, reason: unknown): void {
  if (giveUp.hasSubscribers) giveUp.publish({ conn: c.conn, host: c.host, port: c.port, reason } satisfies ConnectionGiveUpMessage);
  if (debug.enabled) debug('%s %s:%d giving up: %s', c.conn, c.host, c.port, formatTerm(reason));
}

export function websocketOpened(c: ConnectionTag, ref: StreamRef, headers: Headers): void {
  if (wsOpen.hasSubscribers) wsOpen.publish({ conn: c.conn, host: c.host, port: c.port, ref, headers } satisfies WebsocketOpenMessage);
  debug('%s %s:%d websocket %s open', c.conn, c.host, c.port, ref);
}

export function websocketClosed(c: ConnectionTag, ref: StreamRef, code: number, reason: string, down: DownReason): void {
  if (wsClose.hasSubscribers) wsClose.publish({ conn: c.conn, host: c.host, port: c.port, ref, code, reason, down } satisfies WebsocketCloseMessage);
  if (debug.enabled) debug('%s %s:%d websocket %s closed %d %s', c.conn, c.host, c.port, ref, code, formatTerm(down));
}
