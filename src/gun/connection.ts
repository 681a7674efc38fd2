// The connection process: one gen_statem (otp/statem.ts, the machine `genStatem` runs)
// owning one socket. It connects, reports gun_up/gun_down to its owner, hands commands to
// the protocol in use, retries, and follows its owner's fate, with Gun 2.x's states. Socket
// events, timers and API calls are its events, in order; calls made while it is not
// connected are postponed until it is, as Gun does.
import type { Socket } from 'node:net';
import { getClock } from '../runtime/clock.js';
import type { Pid, Ref } from '../runtime/pid.js';
import type { Mailbox } from '../runtime/mailbox.js';
import type { Process } from '../runtime/process.js';
import { lookup, send } from '../runtime/registry.js';
import { exit, monitorFrom } from '../runtime/signals.js';
import { actingActor, living } from '../runtime/scheduler.js';
import { RELEASE, spawnStatem, statemOf, type Releasing } from '../otp/statem.js';
import type { HandleEventCallbacks } from '../otp/gen-statem.js';
import {
  gunConnError, gunDown, gunStreamError, gunUp, Sentences,
  type DownReason, type GunErrorReason, type GunMessage, type ProtocolName, type ReplyTo, type StreamRef, type WsSendFrame,
} from './messages.js';
import { ExitError } from '../runtime/errors.js';
import { DEFAULT_CLOSING_TIMEOUT, type ResolvedOptions, type RetryContext, type RetryDecision } from './options.js';
import { defaultRetry, diedYoung, invalidDecision, jitteredBackoff, reconnectsAtOnce } from './retry.js';
import { gaveUp, retrying, stateChanged } from './diagnostics.js';
import type { ConnectionContext, EventHandler, OutgoingRequest, ProtocolHandler, Unsent, WsUpgradeRequest } from './protocol.js';
import { startProtocol } from './protocols/index.js';
import { Reupgrades } from './reupgrade.js';
import { inDialect, wsSendRefusalTo } from './dialect.js';
import { connect, type Attempt, type Connected, type ConnectError } from './transport.js';

export type StateName = 'not_connected' | 'connecting' | 'connected' | 'connected_ws_only' | 'closing';

/** @internal messages API calls send to the actor */
export type Command =
  | { readonly $gun: 'request'; readonly req: OutgoingRequest }
  | { readonly $gun: 'data'; readonly ref: StreamRef; readonly replyTo: ReplyTo; readonly fin: boolean; readonly data: Buffer }
  | { readonly $gun: 'cancel'; readonly ref: StreamRef; readonly replyTo: ReplyTo }
  | { readonly $gun: 'ws_upgrade'; readonly upgrade: WsUpgradeRequest }
  | { readonly $gun: 'ws_send'; readonly frames: readonly WsSendFrame[]; readonly caller: Pid; readonly ref: StreamRef | undefined }
  | { readonly $gun: 'update_flow'; readonly ref: StreamRef; readonly n: number }
  | { readonly $gun: 'shutdown' };

/** What the socket, the protocol and the actor's timers tell it. */
type Event =
  | { readonly $gun: 'connected'; readonly attempt: number; readonly connected: Connected }
  | { readonly $gun: 'connect_failed'; readonly attempt: number; readonly reason: ConnectError }
  | { readonly $gun: 'down'; readonly from: ProtocolHandler; readonly reason: DownReason; readonly killed: readonly StreamRef[]; readonly unsent: readonly Unsent[]; readonly unprocessed: readonly StreamRef[] }
  | { readonly $gun: 'changed' }
  | { readonly $gun: 'events' };

type Message = Command | Event | readonly unknown[];

/** Exit reason when the owner dies: Gun 2.x's, with normal/shutdown passed through. */
function ownerDownReason(reason: unknown): unknown {
  if (reason === 'normal' || reason === 'shutdown') return reason;
  if (Array.isArray(reason) && reason[0] === 'shutdown') return reason;
  return ['shutdown', ['owner_down', reason]];
}

const CHANGED: Event = Object.freeze({ $gun: 'changed' });
/** Socket, library and timer events are waiting in the connection's event queue. */
const EVENTS: Event = Object.freeze({ $gun: 'events' });

/**
 * The machine's state: Gun 2.x's state name, and how many times a protocol said that what
 * postponed calls wait on has settled (an upgrade's outcome). Postponed calls are offered
 * again when it changes (gen_statem's rule).
 */
type ConnState = readonly [StateName, number];

/** The machine's own timeouts (generic ones: a change of state does not cancel them). */
type TimeoutName = 'retry' | 'closing';

/** The states with no upgrade settled yet, shared by every connection. */
const SETTLED: Readonly<Record<StateName, ConnState>> = {
  not_connected: Object.freeze(['not_connected', 0] as const),
  connecting: Object.freeze(['connecting', 0] as const),
  connected: Object.freeze(['connected', 0] as const),
  connected_ws_only: Object.freeze(['connected_ws_only', 0] as const),
  closing: Object.freeze(['closing', 0] as const),
};

/** No requests carried over: shared, so that an idle connection holds no array of its own. */
const NONE: readonly Unsent[] = Object.freeze([]);

const POSTPONE = Object.freeze(['keep_state_and_data', Object.freeze(['postpone'])] as const);
const CONNECT = Object.freeze([Object.freeze(['next_event', 'internal', 'connect'] as const)]);

interface Args {
  readonly owner: Pid;
  readonly host: string;
  readonly port: number;
  readonly opts: ResolvedOptions;
}

/** @internal the machine's data; `info` reads it synchronously */
export class Connection implements ConnectionContext {
  get conn(): Pid {
    return this.#proc.pid;
  }
  readonly owner: Pid;
  readonly host: string;
  readonly port: number;
  readonly opts: ResolvedOptions;
  #state: StateName = 'not_connected';
  get stateName(): StateName { return this.#state; }
  set stateName(to: StateName) { stateChanged(this, this.#state, to); this.#state = to; }
  socket: Socket | undefined = undefined;
  handler: ProtocolHandler | undefined = undefined;
  /** Requests and upgrades a closing socket never sent: they run first on the next connection. */
  #carry: readonly Unsent[] = NONE;
  /** Upgrades to re-issue after a reconnect (wsOpts.reconnect). */
  readonly #reupgrades = new Reupgrades();
  readonly #ownerRef: Ref;
  /** The actor's own mailbox: calls postponed while there is no connection wait there. */
  get #mailbox(): Mailbox {
    return this.#proc.mailbox;
  }
  #retriesLeft: number;
  /** Consecutive connections that died young (the default retry policy backs off on them). */
  #shortLived = 0;
  #attempt = 0;
  #connectedAt = 0;
  #connecting: Attempt | undefined = undefined;
  /** The state last reported to the machine. */
  #reported: ConnState = SETTLED.not_connected;
  /** Timeouts to start with the event's result. */
  #actions: unknown[] | undefined = undefined;
  /** What the actor exits with once a graceful close is over. */
  #closedReason: unknown = undefined;
  /** How many times a protocol said that what postponed calls wait on has changed. */
  #changes = 0;
  readonly #proc: Process;
  /**
   * Events from outside the actor (socket reads, library callbacks, timers), five slots each:
   * handler and arguments. One `events` message in the mailbox stands for all of them, so a
   * burst read in one go costs one mailbox hop, as one `{tcp, …}` message does in Gun.
   */
  #events: unknown[] | undefined = undefined;

  private constructor(proc: Process, { owner, host, port, opts }: Args) {
    this.owner = owner;
    this.host = host;
    this.port = port;
    this.opts = opts;
    this.#retriesLeft = opts.retry;
    this.#proc = proc;
    // Gun monitors its owner from the start; a dead owner's DOWN (noproc) is then the first message.
    this.#ownerRef = monitorFrom(proc, owner);
  }

  /** Starts the machine for `gun.open`; the caller is the owner. */
  static start(owner: Pid, host: string, port: number, opts: ResolvedOptions): Pid {
    return spawnStatem(MACHINE, { owner, host, port, opts }).pid;
  }

  /** `init`: the first connect is the machine's first event, as in Gun 2.x (so `open` returns at once). */
  static init(args: Args): readonly ['ok', ConnState, Connection, typeof CONNECT] {
    const conn = new Connection(living(), args);
    return ['ok', conn.#reported, conn, CONNECT];
  }

  /** One event of the machine: the state it leads to, or a postpone. */
  event(type: unknown, content: unknown): unknown {
    let handled: boolean;
    try {
      if (type === 'info') handled = this.#handle(content);
      else if (type === 'internal') {
        this.#connect();
        handled = true;
      }
      else handled = this.#timeout((type as readonly ['timeout', TimeoutName])[1], content);
    } catch (error) {
      // exit(reason) is how the connection ends on purpose; anything else thrown here is a bug,
      // and its exit reason is still a documented term, not a raw Error.
      if (error instanceof ExitError) throw error;
      throw new ExitError(['internal_error', String((error as Error)?.message ?? error)]);
    }
    return handled ? this.#result() : POSTPONE;
  }

  /** What the machine is told after an event: the same state (nothing allocated), or the new one, with the timeouts to start. */
  #result(): unknown {
    const actions = this.#actions;
    this.#actions = undefined;
    const reported = this.#reported;
    if (reported[0] === this.#state && reported[1] === this.#changes) return actions === undefined ? 'keep_state_and_data' : ['keep_state_and_data', actions];
    const next: ConnState = (this.#reported = this.#changes === 0 ? SETTLED[this.#state] : [this.#state, this.#changes]);
    return actions === undefined ? ['next_state', next, this] : ['next_state', next, this, actions];
  }

  #timeout(name: TimeoutName, content: unknown): boolean {
    if (name === 'retry') {
      if (this.stateName === 'not_connected' && content === this.#attempt) this.#connect();
    } else if (this.stateName === 'closing') this.#exitClosed();
    return true;
  }

  #startTimeout(name: TimeoutName, ms: number, content: unknown): void {
    (this.#actions ??= []).push([['timeout', name], ms, content]);
  }

  #handle(msg: unknown): boolean {
    const m = msg as Message;
    if (Array.isArray(m)) {
      // Only the owner's monitor sends this actor DOWN messages.
      if (m[0] === 'DOWN' && m[1] === this.#ownerRef) return this.#ownerDown(m[4]);
      return true;
    }
    const event = m as Command | Event;
    switch (event.$gun) {
      case 'connected':
        if (this.stateName === 'connecting' && event.attempt === this.#attempt) this.#up(event.connected);
        else event.connected.socket.destroy();
        return true;
      case 'connect_failed':
        if (this.stateName === 'connecting' && event.attempt === this.#attempt) this.#connectFailed(event.reason);
        return true;
      case 'down':
        if (event.from !== this.handler) return true;
        for (const command of event.unsent) {
          // A reconnecting upgrade is re-issued on every connection anyway.
          if (command.$gun === 'ws_upgrade' && this.#reupgrades.has(command.upgrade)) continue;
          this.#carry = [...this.#carry, command];
        }
        if (this.stateName === 'closing') this.#exitClosed();
        this.#down(event.reason, event.killed, event.unprocessed);
        return true;
      case 'changed':
        // A new state: calls postponed for the protocol's sake are offered again.
        this.#changes++;
        return true;
      case 'events':
        this.#runEvents();
        return true;
      case 'ws_send':
        return this.#wsSend(event.frames, event.caller, event.ref);
      case 'update_flow':
        // A stream exists only on a connection: while there is none, there is nothing to resume.
        this.handler?.updateFlow?.(event.ref, event.n);
        return true;
      case 'shutdown':
        if (this.stateName === 'closing') return false;
        if (this.handler === undefined) {
          this.#closedReason = 'shutdown';
          this.#refuseWaiting(['closing', Sentences.shuttingDown]);
          exit('shutdown');
        }
        this.#closeGracefully('shutdown', 'shutdown');
        return true;
      default:
        // A cancelled reconnecting upgrade is not issued again; while down, that is all the cancel does.
        if (event.$gun === 'cancel' && this.#reupgrades.forget(event.ref)) {
          if (this.handler === undefined) return true;
        }
        // Requests, body data, cancels and upgrades wait until there is a socket to run them on.
        if (this.handler === undefined || this.stateName === 'closing') return false;
        if (this.handler.accepts?.(event.$gun, commandRef(event)) === false) return false;
        this.#dispatch(event);
        return true;
    }
  }

  #ownerDown(reason: unknown): boolean {
    if (this.stateName === 'closing') return false;
    if (this.handler === undefined) {
      this.#closedReason = ownerDownReason(reason);
      this.#refuseWaiting(['closing', Sentences.shuttingDown], true);
      exit(ownerDownReason(reason));
    }
    this.#closeGracefully(ownerDownReason(reason), 'owner_down');
    return true;
  }

  #connect(): void {
    this.stateName = 'connecting';
    const attempt = ++this.#attempt;
    const conn = this.conn;
    this.#connecting = connect(this.host, this.port, this.opts, (result) => {
      const event: Event = typeof result === 'object' && 'socket' in result
        ? { $gun: 'connected', attempt, connected: result }
        : { $gun: 'connect_failed', attempt, reason: result };
      const proc = lookup(conn);
      if (proc !== undefined) proc.deliver(event);
      else if (event.$gun === 'connected') event.connected.socket.destroy();
    });
  }

  #connectFailed(reason: ConnectError): void {
    this.#connecting = undefined;
    if (this.#retriesLeft <= 0) this.#giveUp(reason);
    this.#waitToRetry(this.#retryDecision(typeof reason === 'string' ? reason : reason[1]));
  }

  #up({ socket, protocol }: Connected): void {
    const handler = startProtocol(protocol, this, socket);
    if (handler === undefined) {
      // open refuses protocols erlgun does not speak, so ALPN cannot pick one; should it, that
      // is a failed attempt with a reason, never a socket spoken to in the wrong protocol.
      socket.destroy();
      this.#connectFailed(`unsupported_protocol_${protocol}`);
      return;
    }
    this.#connecting = undefined;
    this.#connectedAt = getClock().now();
    this.socket = socket;
    this.handler = handler;
    this.stateName = 'connected';
    this.#retriesLeft = this.opts.retry;
    send(this.owner, gunUp(this.conn, handler.name));
    // What waited goes first: a re-issued upgrade, once accepted, leaves no room for HTTP after it,
    // and one the server refuses with a close would otherwise keep them waiting forever.
    this.#dropCancelled();
    const carried = this.#carry;
    this.#carry = NONE;
    for (const command of carried) this.#dispatch(command);
    for (const upgrade of this.#reupgrades.all) this.handler.wsUpgrade?.(upgrade);
  }

  #down(reason: DownReason, killed: readonly StreamRef[], unprocessed: readonly StreamRef[]): void {
    const protocol: ProtocolName = this.handler?.name ?? 'http';
    const served = this.handler?.served ?? 0;
    this.#dropSocket();
    this.stateName = 'not_connected';
    this.reply(this.owner, gunDown(this.conn, protocol, reason, killed, unprocessed));
    if (this.#retriesLeft <= 0) this.#giveUp(reason);
    // An HTTP close after serving a request (announced by connection: close or HTTP/1.0, or
    // ending a body delimited by the close) is no failure: with requests waiting, the next
    // connection is made at once (one per request, as 1.0 is). One that served none (a refused
    // reconnecting upgrade) follows the retry policy.
    if ((reason === 'normal' || reason === 'closed') && protocol === 'http' && served > 0 && this.#hasWaiting()) {
      this.#shortLived = 0;
      this.#connect();
      return;
    }
    this.#shortLived = diedYoung(getClock().now() - this.#connectedAt, this.opts) ? this.#shortLived + 1 : 0;
    if (reconnectsAtOnce(this.#shortLived)) {
      this.#connect();
      return;
    }
    this.#waitToRetry(this.#retryDecision(reason));
  }

  /**
   * Out of retries: exits ['shutdown', reason]. The requests and upgrades that were waiting for
   * a connection (made while down, or left unsent by a closing socket) get a gun_error first,
   * so none is lost silently.
   */
  #giveUp(reason: DownReason | ConnectError): never {
    gaveUp(this, reason);
    this.#refuseWaiting(['closed', Sentences.connectionLost]);
    exit(['shutdown', reason]);
  }

  /** The end of a graceful close: the waiting requests are told so (except an owner that is gone). */
  #exitClosed(): never {
    this.#refuseWaiting(['closing', Sentences.shuttingDown], this.#closedReason !== 'shutdown');
    exit(this.#closedReason);
  }

  /** Answers the requests and upgrades that wait for a connection (carried or postponed), except cancelled ones (and the owner's, when it is gone). */
  #refuseWaiting(reason: GunErrorReason, ownerGone = false): void {
    this.#dropCancelled();
    const waiting = [...this.#carry, ...this.#mailbox.filter(isWaitingCommand)];
    this.#carry = NONE;
    for (const command of waiting) {
      const { replyTo, ref } = streamOf(command);
      if (!(ownerGone && replyTo === this.owner)) this.reply(replyTo, gunStreamError(this.conn, ref, reason));
    }
  }

  /**
   * Requests that wait for a connection and were cancelled meanwhile are never sent: they and
   * their cancel and data commands leave the carry and the mailbox (a cancel would otherwise
   * come too late, after the request went out).
   */
  #dropCancelled(): void {
    if (!this.#mailbox.some(isCancel)) return;
    const cancelled = new Set(this.#mailbox.filter(isCancel).map((c) => c.ref));
    const waiting = new Set([...this.#carry, ...this.#mailbox.filter(isWaitingCommand)].map(commandRef));
    const drop = new Set([...cancelled].filter((ref) => waiting.has(ref)));
    if (drop.size === 0) return;
    this.#mailbox.removeAll((m) => isStreamCommand(m) && drop.has(commandRef(m)));
    this.#carry = this.#carry.filter((c) => !drop.has(commandRef(c)));
  }

  /** Requests or upgrades wait for a connection. */
  #hasWaiting(): boolean {
    return this.#carry.length > 0 || this.#mailbox.some(isWaitingCommand);
  }

  #retryDecision(reason: DownReason | string): RetryDecision {
    const context = { reason, shortLived: this.#shortLived, opts: this.opts };
    if (this.opts.retryFun) return this.#askRetryFun(this.opts.retryFun, context);
    if (this.#reupgrades.used) {
      const clock = getClock();
      return jitteredBackoff(this.#retriesLeft, context, () => clock.random?.() ?? Math.random());
    }
    return defaultRetry(this.#retriesLeft, context);
  }

  /**
   * The caller's retry policy. A decision that is not whole numbers (NaN, negative, Infinity
   * as a wait) or a throw ends the connection with ['retry_fun_error', why], rather than reconnecting in a tight loop.
   */
  #askRetryFun(retryFun: NonNullable<ResolvedOptions['retryFun']>, context: RetryContext): RetryDecision {
    let decision: unknown;
    try {
      decision = retryFun(this.#retriesLeft, context);
    } catch (error) {
      this.#badRetryFun(`retryFun threw: ${String((error as Error)?.message ?? error)}`);
    }
    const why = invalidDecision(decision);
    if (why !== undefined) this.#badRetryFun(why);
    return decision as RetryDecision;
  }

  #badRetryFun(why: string): never {
    // Its exit is a crash: logged unless a monitor or link hears of it.
    const reason = ['retry_fun_error', why] as const;
    this.#refuseWaiting(['closed', Sentences.connectionLost]);
    exit(reason);
  }

  #waitToRetry(decision: RetryDecision): void {
    this.stateName = 'not_connected';
    this.#retriesLeft = Math.max(0, decision.retries);
    const timeout = Math.max(0, decision.timeout);
    retrying(this, timeout, this.#retriesLeft);
    if (timeout === 0) {
      this.#connect();
      return;
    }
    this.#startTimeout('retry', timeout, this.#attempt);
  }

  /** Hands a command to the protocol in use; an operation it lacks is answered with badstate. */
  #dispatch(msg: StreamCommand): void {
    const conn = this.conn;
    const handler = this.handler!;
    switch (msg.$gun) {
      case 'request':
        if (handler.request) handler.request(msg.req);
        else this.reply(msg.req.replyTo, gunStreamError(conn, msg.req.ref, ['badstate', Sentences.wsOnly]));
        break;
      case 'data':
        if (handler.data) handler.data(msg.ref, msg.replyTo, msg.fin, msg.data);
        else this.reply(msg.replyTo, gunStreamError(conn, msg.ref, ['badstate', Sentences.wsOnly]));
        break;
      case 'cancel':
        handler.cancel?.(msg.ref, msg.replyTo);
        break;
      case 'ws_upgrade':
        if (msg.upgrade.opts.reconnect === true) this.#reupgrades.remember(msg.upgrade);
        if (handler.wsUpgrade) handler.wsUpgrade(msg.upgrade);
        else this.reply(msg.upgrade.replyTo, gunStreamError(conn, msg.upgrade.ref, ['badstate', Sentences.wsOnlyHttp11]));
        break;
    }
  }

  /**
   * Frames go to the Websocket; while an upgrade is queued or under way (on this socket, or
   * waiting for the next one) they wait for it, in order; with none, the owner is told.
   */
  #wsSend(frames: readonly WsSendFrame[], caller: Pid, ref: StreamRef | undefined): boolean {
    const handler = this.handler;
    if (handler?.wsSend) return handler.wsSend(frames, caller, ref);
    if (handler?.awaitsUpgrade?.() === true || (handler === undefined && this.#upgradeWaits())) return false;
    this.reply(wsSendRefusalTo(this, caller), gunConnError(this.conn, ['badstate', Sentences.wsSendBeforeUpgrade]));
    return true;
  }

  /** An upgrade waits for the next connection. */
  #upgradeWaits(): boolean {
    if (this.#reupgrades.pending || this.#carry.some((c) => c.$gun === 'ws_upgrade')) return true;
    return this.#mailbox.some((m) => commandTag(m) === 'ws_upgrade');
  }

  /** Graceful close (gun.shutdown, owner gone): the protocol finishes or says goodbye; no gun_down. */
  #closeGracefully(exitReason: unknown, why: 'shutdown' | 'owner_down'): void {
    this.stateName = 'closing';
    this.#closedReason = exitReason;
    this.#reupgrades.clear();
    // The protocol's own timeout (this upgrade's closingTimeout) ends the wait; this one is the backstop,
    // also for closingTimeout: Infinity.
    const wait = this.handler?.closing(why) ?? 0;
    const grace = Math.min((wait === Infinity ? DEFAULT_CLOSING_TIMEOUT : wait) + 1000, 2 ** 31 - 1);
    this.#startTimeout('closing', grace, undefined);
  }

  #dropSocket(): void {
    this.handler?.destroy();
    this.socket?.destroy();
    this.handler = undefined;
    this.socket = undefined;
  }

  /** Runs when the process exits, whatever the reason (gun.close kills it from outside); the machine cancels its timeouts. */
  release(): void {
    this.#connecting?.cancel();
    this.#connecting = undefined;
    this.#dropSocket();
  }

  // ConnectionContext: what the protocol handlers ask of their connection.

  run(fn: EventHandler, a?: unknown, b?: unknown, c?: unknown, d?: unknown): void {
    if (actingActor() === this.#proc) {
      fn(a, b, c, d);
      return;
    }
    // Made on first use: a connection that only waits holds no array.
    const events = (this.#events ??= []);
    events.push(fn, a, b, c, d);
    if (events.length === 5) this.#proc.deliver(EVENTS);
  }

  #runEvents(): void {
    const events = this.#events;
    if (events === undefined) return;
    // Events a handler causes run inline (the actor is running); the queue only grows from outside.
    try {
      for (let i = 0; i < events.length; i += 5) (events[i] as EventHandler)(events[i + 1], events[i + 2], events[i + 3], events[i + 4]);
    } finally {
      events.length = 0;
    }
  }

  reply(to: ReplyTo, msg: GunMessage): void {
    // The one place messages leave in the connection's dialect (dialect.ts).
    send(to, inDialect(this.opts.dialect, this.handler?.name, msg, this.#closedReason === 'shutdown' ? 'shutdown' : 'owner_down'));
  }

  switchProtocol(from: ProtocolHandler, to: ProtocolHandler): void {
    if (this.handler !== from) return;
    this.handler = to;
    // A new state name: the calls postponed for the upgrade are offered again.
    this.stateName = 'connected_ws_only';
  }

  changed(from: ProtocolHandler): void {
    if (this.handler === from) send(this.conn, CHANGED);
  }

  down(from: ProtocolHandler, reason: DownReason, killed: readonly StreamRef[], unsent: readonly Unsent[] = [], unprocessed: readonly StreamRef[] = []): void {
    send(this.conn, { $gun: 'down', from, reason, killed, unsent, unprocessed } satisfies Event);
  }
}

type StreamCommand = Exclude<Command, { $gun: 'shutdown' } | { $gun: 'ws_send' } | { $gun: 'update_flow' }>;

const commandTag = (msg: unknown): unknown => (msg as { $gun?: unknown } | null)?.$gun;

function isCancel(msg: unknown): msg is Extract<Command, { $gun: 'cancel' }> {
  return commandTag(msg) === 'cancel';
}

function isWaitingCommand(msg: unknown): msg is Unsent {
  const tag = commandTag(msg);
  return tag === 'request' || tag === 'ws_upgrade';
}

function isStreamCommand(msg: unknown): msg is StreamCommand {
  const tag = commandTag(msg);
  return tag === 'request' || tag === 'ws_upgrade' || tag === 'cancel' || tag === 'data';
}

function streamOf(command: Unsent): OutgoingRequest | WsUpgradeRequest {
  return command.$gun === 'request' ? command.req : command.upgrade;
}

function commandRef(command: StreamCommand): StreamRef {
  return command.$gun === 'request' || command.$gun === 'ws_upgrade' ? streamOf(command).ref : command.ref;
}

type Machine = HandleEventCallbacks<ConnState, Connection, never, unknown, never, Message, Args, TimeoutName>;

const MACHINE: Machine & Releasing<Connection> = {
  callbackMode: 'handle_event_function',
  init: (args) => Connection.init(args),
  handleEvent: (type, content, _state, conn) => conn.event(type, content) as ReturnType<Machine['handleEvent']>,
  [RELEASE]: (conn) => conn.release(),
};

/** @internal the connection behind a connection pid, while it is alive */
export function connectionState(conn: Pid): Connection | undefined {
  return statemOf(conn, MACHINE)?.data;
}
