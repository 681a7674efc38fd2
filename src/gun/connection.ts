// The connection actor: one runtime process owning one socket. It connects, reports
// gun_up/gun_down to its owner, hands commands to the protocol in use, retries, and
// follows its owner's fate. Calls made while it is not connected wait in its mailbox
// (selective receive), exactly as Gun postpones them.
import type { Socket } from 'node:net';
import { getClock } from '../runtime/clock.js';
import { isProcessAlive } from '../runtime/info.js';
import { _, when } from '../runtime/pattern.js';
import type { Pid } from '../runtime/pid.js';
import { after, on, receive } from '../runtime/receive.js';
import { send } from '../runtime/registry.js';
import { exit, monitor, type DownMessage } from '../runtime/signals.js';
import {
  gunDown, gunStreamError, gunUp, Sentences,
  type DownReason, type GunMessage, type ProtocolName, type ReplyTo, type StreamRef,
} from './messages.js';
import { defaultRetry, type ResolvedOptions, type RetryDecision } from './options.js';
import type { ConnectionContext, OutgoingRequest, ProtocolHandler, WsUpgradeRequest } from './protocol.js';
import { HttpHandler } from './protocols/http.js';
import { connect, type Connected, type ConnectError } from './transport.js';

export type StateName = 'not_connected' | 'connecting' | 'connected' | 'connected_ws_only' | 'closing';

/** @internal the part of a connection's state that API calls read synchronously (info, wsSend) */
export interface ConnState {
  readonly conn: Pid;
  owner: Pid;
  readonly host: string;
  readonly port: number;
  readonly opts: ResolvedOptions;
  stateName: StateName;
  socket: Socket | undefined;
  handler: ProtocolHandler | undefined;
  /** Upgrades to re-issue after a reconnect (wsOpts.reconnect). */
  readonly reupgrades: WsUpgradeRequest[];
}

/** @internal messages API calls send to the actor */
export type Command =
  | { readonly $gun: 'request'; readonly req: OutgoingRequest }
  | { readonly $gun: 'data'; readonly ref: StreamRef; readonly replyTo: ReplyTo; readonly fin: boolean; readonly data: Buffer }
  | { readonly $gun: 'cancel'; readonly ref: StreamRef }
  | { readonly $gun: 'ws_upgrade'; readonly upgrade: WsUpgradeRequest }
  | { readonly $gun: 'shutdown' };

type Event =
  | { readonly $gun: 'connected'; readonly attempt: number; readonly connected: Connected }
  | { readonly $gun: 'connect_failed'; readonly attempt: number; readonly reason: ConnectError }
  | { readonly $gun: 'down'; readonly socket: Socket; readonly reason: DownReason; readonly killed: readonly StreamRef[] };

const connections = new Map<Pid, ConnState>();

/** @internal makes the state visible to info/wsSend at once, before the actor first runs */
export function trackConnection(state: ConnState): void {
  connections.set(state.conn, state);
}

/** @internal runs when the actor exits, whatever the reason (gun.close kills it from outside) */
export function forgetConnection(state: ConnState): void {
  connections.delete(state.conn);
  state.handler?.destroy();
  state.socket?.destroy();
  state.handler = undefined;
  state.socket = undefined;
}

/** @internal */
export function connectionState(conn: Pid): ConnState | undefined {
  return connections.get(conn);
}

/** Exit reason when the owner dies: Gun 2.x's, with normal/shutdown passed through. */
function ownerDownReason(reason: unknown): unknown {
  if (reason === 'normal' || reason === 'shutdown') return reason;
  if (Array.isArray(reason) && reason[0] === 'shutdown') return reason;
  return ['shutdown', ['owner_down', reason]];
}

const GRACE_MS = 15_000;

type ConnectedEvent = Extract<Event, { $gun: 'connected' }>;
type ConnectFailed = Extract<Event, { $gun: 'connect_failed' }>;
type DownEvent = Extract<Event, { $gun: 'down' }>;

// The actor's clauses are built once for all connections: a connection's own values (its
// socket, attempt number, owner monitor) are checked after the match, and stale messages
// from an earlier socket or attempt are dropped. Thousands of connections share them.
const COMMANDS: ReadonlySet<unknown> = new Set<Command['$gun']>(['request', 'data', 'cancel', 'ws_upgrade', 'shutdown']);
const ON_DOWN_SIGNAL = on(['DOWN', _, 'process', _, _], (m) => m);
const ON_SHUTDOWN = on({ $gun: 'shutdown' }, (m) => m as Extract<Command, { $gun: 'shutdown' }>);
const ON_CONNECTED = on({ $gun: 'connected' }, (m) => m as ConnectedEvent);
const ON_CONNECT_FAILED = on({ $gun: 'connect_failed' }, (m) => m as ConnectFailed);
const ON_PROTOCOL_DOWN = on({ $gun: 'down' }, (m) => m as DownEvent);
const ON_COMMAND = on({ $gun: when((v) => COMMANDS.has(v)) }, (m) => m as Command);
const CONNECTING = [ON_CONNECTED, ON_CONNECT_FAILED, ON_DOWN_SIGNAL, ON_SHUTDOWN] as const;
const WAITING = [ON_DOWN_SIGNAL, ON_SHUTDOWN] as const;
const CONNECTED = [ON_PROTOCOL_DOWN, ON_COMMAND, ON_DOWN_SIGNAL] as const;
const CLOSING = [ON_PROTOCOL_DOWN] as const;
// Array.isArray does not narrow readonly tuples.
const isDownSignal = (msg: unknown): msg is DownMessage => Array.isArray(msg);

/** @internal the actor's body */
export async function runConnection(state: ConnState): Promise<void> {
  const { opts, conn } = state;
  const ownerRef = monitor(state.owner);
  let retriesLeft = opts.retry;
  let shortLived = 0;
  let attempt = 0;

  const retryDecision = (reason: DownReason | ConnectError): RetryDecision => {
    const context = { reason: typeof reason === 'string' || reason[0] === 'error' ? reason as DownReason | string : reason[1], shortLived, opts };
    if (opts.retryFun) return opts.retryFun(retriesLeft, context);
    if (state.reupgrades.length > 0) return jitteredBackoff(retriesLeft, opts);
    return defaultRetry(retriesLeft, context);
  };

  /** The owner died: follow it (Gun 2.x reasons). Other DOWN messages are not ours: ignored. */
  const onSignal = (msg: readonly unknown[]): void => {
    if (msg[1] === ownerRef) exit(ownerDownReason(msg[4]));
  };

  for (;;) {
    // connecting
    state.stateName = 'connecting';
    const id = ++attempt;
    connect(state.host, state.port, opts).then(
      (connected) => {
        if (isProcessAlive(conn)) send(conn, { $gun: 'connected', attempt: id, connected } satisfies Event);
        else connected.socket.destroy();
      },
      (reason: ConnectError) => send(conn, { $gun: 'connect_failed', attempt: id, reason } satisfies Event),
    );
    let outcome: ConnectedEvent | ConnectFailed | undefined;
    while (outcome === undefined) {
      const msg = await receive(CONNECTING);
      if (isDownSignal(msg)) onSignal(msg);
      else if (msg.$gun === 'shutdown') exit('shutdown');
      else if (msg.attempt === id) outcome = msg;
      else if (msg.$gun === 'connected') msg.connected.socket.destroy();
    }
    if (outcome.$gun === 'connect_failed') {
      if (retriesLeft <= 0) exit(['shutdown', outcome.reason]);
      await waitToRetry(retryDecision(outcome.reason));
      continue;
    }

    // connected
    const { socket } = outcome.connected;
    const connectedAt = getClock().now();
    state.socket = socket;
    const ctx = context(state, socket);
    state.handler = new HttpHandler(ctx);
    state.stateName = 'connected';
    retriesLeft = opts.retry;
    send(state.owner, gunUp(conn, 'http'));
    for (const upgrade of state.reupgrades) state.handler.wsUpgrade?.(upgrade);

    const down = await connectedLoop(state, socket, ownerRef);
    const protocol: ProtocolName = state.handler?.name ?? 'http';
    state.handler?.destroy();
    state.handler = undefined;
    socket.destroy();
    state.socket = undefined;
    state.stateName = 'not_connected';
    send(state.owner, gunDown(conn, protocol, down.reason, down.killed));
    shortLived = getClock().now() - connectedAt < Math.max(opts.retryTimeout, 1000) ? shortLived + 1 : 0;
    if (retriesLeft <= 0) exit(['shutdown', down.reason]);
    await waitToRetry(retryDecision(down.reason));
  }

  async function waitToRetry(decision: RetryDecision): Promise<void> {
    state.stateName = 'not_connected';
    retriesLeft = Math.max(0, decision.retries);
    const clock = getClock();
    const deadline = clock.now() + Math.max(0, decision.timeout);
    for (;;) {
      const left = Math.max(0, deadline - clock.now());
      const msg = await receive(WAITING, after(left, () => undefined));
      if (msg === undefined) return;
      if (isDownSignal(msg)) onSignal(msg);
      else exit('shutdown');
    }
  }
}

/** Runs commands on the live socket until it goes down; exits on shutdown or owner death. */
async function connectedLoop(state: ConnState, socket: Socket, ownerRef: unknown): Promise<DownEvent> {
  for (;;) {
    const msg = await receive(CONNECTED);
    if (isDownSignal(msg)) {
      if (msg[1] !== ownerRef) continue;
      await closeGracefully(state, socket, 'owner_down');
      exit(ownerDownReason(msg[4]));
    } else if (msg.$gun === 'down') {
      if (msg.socket === socket) return msg;
    } else if (msg.$gun === 'shutdown') {
      await closeGracefully(state, socket, 'shutdown');
      exit('shutdown');
    } else {
      dispatch(state, msg);
    }
  }
}

/** Hands a command to the protocol in use; an operation it lacks is answered with badstate. */
function dispatch(state: ConnState, msg: Exclude<Command, { $gun: 'shutdown' }>): void {
  const conn = state.conn;
  const handler = state.handler!;
  switch (msg.$gun) {
    case 'request':
      if (handler.request) handler.request(msg.req);
      else send(msg.req.replyTo, gunStreamError(conn, msg.req.ref, ['badstate', Sentences.wsOnly]));
      break;
    case 'data':
      if (handler.data) handler.data(msg.ref, msg.replyTo, msg.fin, msg.data);
      else send(msg.replyTo, gunStreamError(conn, msg.ref, ['badstate', Sentences.wsOnly]));
      break;
    case 'cancel':
      handler.cancel?.(msg.ref);
      break;
    case 'ws_upgrade':
      if (msg.upgrade.opts.reconnect === true && !state.reupgrades.includes(msg.upgrade)) state.reupgrades.push(msg.upgrade);
      if (handler.wsUpgrade) handler.wsUpgrade(msg.upgrade);
      else send(msg.upgrade.replyTo, gunStreamError(conn, msg.upgrade.ref, ['badstate', Sentences.wsOnlyHttp11]));
      break;
  }
}

/** Graceful close (gun.shutdown, owner gone): the protocol finishes or says goodbye; no gun_down. */
async function closeGracefully(state: ConnState, socket: Socket, why: 'shutdown' | 'owner_down'): Promise<void> {
  state.stateName = 'closing';
  state.reupgrades.length = 0;
  state.handler?.closing(why);
  const wsGrace = state.opts.wsOpts.closingTimeout ?? GRACE_MS;
  const grace = Math.min(Math.max(GRACE_MS, wsGrace === Infinity ? GRACE_MS : wsGrace) + 1000, 2 ** 31 - 1);
  const clock = getClock();
  const deadline = clock.now() + grace;
  for (;;) {
    const msg = await receive(CLOSING, after(Math.max(0, deadline - clock.now()), () => undefined));
    if (msg === undefined || msg.socket === socket) return;
  }
}

function context(state: ConnState, socket: Socket): ConnectionContext {
  return {
    conn: state.conn,
    socket,
    host: state.host,
    port: state.port,
    opts: state.opts,
    owner: () => state.owner,
    reply: (to: ReplyTo, msg: GunMessage) => void send(to, msg),
    switchProtocol: (handler: ProtocolHandler) => {
      if (state.socket !== socket) return;
      state.handler = handler;
      state.stateName = 'connected_ws_only';
    },
    down: (reason: DownReason, killed: readonly StreamRef[]) => {
      send(state.conn, { $gun: 'down', socket, reason, killed } satisfies Event);
    },
  };
}

/** wsOpts.reconnect's default: exponential from retryTimeout, capped at 30 s, with jitter (half to full). */
function jitteredBackoff(retriesLeft: number, opts: ResolvedOptions): RetryDecision {
  const failures = Math.max(0, opts.retry - retriesLeft);
  const ceiling = Math.min(Math.max(opts.retryTimeout, 100) * 2 ** Math.min(failures, 16), 30_000);
  return { retries: retriesLeft - 1, timeout: Math.round(ceiling * (0.5 + Math.random() / 2)) };
}
