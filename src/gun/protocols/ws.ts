// Websocket: `ws` does the handshake checks, framing, masking, UTF-8 checks and deflate;
// this module turns its events into gun_ws messages and Gun's close and down rules.
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket, { type ClientOptions } from 'ws';
import { getClock, startTimer, type Timer } from '../../runtime/clock.js';
import type { Pid } from '../../runtime/pid.js';
import type { Process } from '../../runtime/process.js';
import { logCrash } from '../../runtime/log.js';
import { nextTurn } from '../../runtime/microtask.js';
import { lookup } from '../../runtime/registry.js';
import { fromRawHeaders } from '../headers.js';
import {
  errorAtom, gunConnError, gunStreamError, gunWs, Sentences,
  type DownReason, type Headers, type StreamRef, type WsFrame, type WsSendFrame,
} from '../messages.js';
import { DEFAULT_CLOSING_TIMEOUT, type WsOptions } from '../options.js';
import { websocketClosed, websocketOpened } from '../diagnostics.js';
import { serverCloseReason } from '../dialect.js';
import { inActor, type ConnectionContext, type EventHandler, type ProtocolHandler, type WsUpgradeRequest } from '../protocol.js';

const MAX_TIMER = 2 ** 31 - 1;
const NO_HEADERS: Headers = Object.freeze([]);

/** What the upgrading side (the http module) hears before the Websocket is open. */
export interface Handshake {
  /** The 101 passed `ws`'s checks; `headers` are its headers. The socket now speaks Websocket. */
  upgraded(ws: WsHandler, headers: Headers): void;
  /** Any other response: the http module reads it as an ordinary one. */
  refused(req: ClientRequest, res: IncomingMessage): void;
  /** The handshake failed: `ws` rejected the 101 (accept key, subprotocol, extension…) or the request broke. */
  failed(error: Error): void;
}

/** wsOpts.maxPayload's documented default (ws's own; passing `undefined` would lift ws's limit altogether). */
export const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;

// closeTimeout is ws 8.23's; @types/ws does not list it yet.
// A function of its own: the createConnection closure then keeps nothing but the socket alive.
// The path goes on the request line as given (checked origin-form at the call): never through
// a URL, which would normalise it, or read '@host' in it as an authority.
function clientOptions(opts: WsOptions, socket: Socket, path: string, host: string, headers: Record<string, string>): ClientOptions & { closeTimeout: number } {
  const closing = opts.closingTimeout ?? DEFAULT_CLOSING_TIMEOUT;
  return {
    headers,
    createConnection: () => socket,
    finishRequest: (req: ClientRequest) => {
      req.path = path;
      inGunOrder(req, host, headers);
      req.end();
    },
    perMessageDeflate: opts.compress === true ? { serverMaxWindowBits: 15 } : false,
    maxPayload: opts.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    closeTimeout: Math.min(closing, MAX_TIMER),
    autoPong: true,
    followRedirects: false,
  };
}

// Gun's upgrade request: its own headers first, in this order, then the caller's.
const GUN_ORDER = ['connection', 'upgrade', 'sec-websocket-version', 'sec-websocket-key', 'sec-websocket-extensions', 'sec-websocket-protocol'];

/**
 * Rewrites the head ws built (the caller's headers first, Node's `Host` last) in Gun's
 * order: host, connection, upgrade, sec-websocket-version, sec-websocket-key, then the
 * caller's. Names are lowercase, as Gun writes them. A caller's `host` replaces Gun's, in
 * the caller's place. The head is stored only when the request ends, so nothing is sent yet.
 */
function inGunOrder(req: ClientRequest, host: string, caller: Readonly<Record<string, string>>): void {
  const values = new Map(req.getHeaderNames().map((name) => [name, req.getHeader(name)!] as const));
  for (const name of values.keys()) req.removeHeader(name);
  if (caller.host === undefined) req.setHeader('host', host);
  for (const name of GUN_ORDER) {
    const value = values.get(name);
    if (value !== undefined) req.setHeader(name, value);
  }
  for (const name of Object.keys(caller)) if (!GUN_ORDER.includes(name)) req.setHeader(name, values.get(name) ?? caller[name]);
}

// The close code ws sent for each of its receiver errors (ws/lib/receiver.js); a zlib error
// in permessage-deflate is 1007.
const CLOSE_CODES: Readonly<Record<string, number>> = {
  ws_err_invalid_utf8: 1007,
  ws_err_too_many_buffered_parts: 1008,
  ws_err_unsupported_message_length: 1009,
  ws_err_unsupported_data_payload_length: 1009,
};

/** The close code `ws` sent on the wire for `error`: its own status code when it carries one, else by error code. */
export function closeCodeOf(error: unknown): number {
  // ws keeps the code it sent under a symbol of its own; read it when it is there.
  const symbol = Object.getOwnPropertySymbols(error).find((sym) => sym.description === 'status-code');
  const sent = symbol === undefined ? undefined : (error as Record<symbol, unknown>)[symbol];
  if (typeof sent === 'number') return sent;
  const code = errorAtom(error);
  return CLOSE_CODES[code] ?? (code.startsWith('z_') ? 1007 : 1002);
}

const KEEPALIVE_TIMEOUT = Object.freeze({ code: 'KEEPALIVE_TIMEOUT' });
const INTERNAL_ERROR = Object.freeze({ code: 'INTERNAL_ERROR' });

/**
 * The Websocket of one upgrade, from the request to the close. It is `ws`'s WebSocket with
 * `emit` routing each event straight to its handling: a connection then keeps no listener
 * closures, and a message costs one call from `ws`'s receiver to the reply-to's mailbox.
 * Frames that come in the same read as the 101 go through the same path, so none is lost.
 */
export class WsHandler extends WebSocket implements ProtocolHandler {
  readonly name = 'ws' as const;
  readonly #ctx: ConnectionContext;
  readonly #ref: StreamRef;
  readonly #replyTo: Pid;
  /** The reply-to's process, looked up once (a dead one ignores deliveries). */
  readonly #target: Process | undefined;
  readonly #opts: WsOptions;
  #handshake: Handshake | undefined;
  #upgradeHeaders: Headers = NO_HEADERS;
  #open = false;
  #gone = false;
  #closeSent = false;
  #protocolError: unknown = undefined;
  #closingTimer: Timer | undefined = undefined;
  #keepalive: Timer | undefined = undefined;
  readonly #socket: Socket;
  /** Messages the reply-to may still be sent before reading stops (Gun 2.x flow control). */
  #flow: number;

  constructor(origin: string, host: string, ctx: ConnectionContext, socket: Socket, upgrade: WsUpgradeRequest, headers: Record<string, string>, handshake: Handshake) {
    // ws emits nothing from its constructor (the request goes out on a later tick), so the fields are set in time.
    super(`${origin}/`, (upgrade.opts.protocols ?? []).map(([name]) => name), clientOptions(upgrade.opts, socket, upgrade.path, host, headers));
    this.#socket = socket;
    this.#flow = upgrade.opts.flow ?? Infinity;
    this.#ctx = ctx;
    this.#ref = upgrade.ref;
    this.#replyTo = upgrade.replyTo;
    this.#target = lookup(upgrade.replyTo);
    this.#opts = upgrade.opts;
    this.#handshake = handshake;
  }

  // Every event ws raises comes through here; there are no listeners. Each is handled inside
  // the connection actor, in order; whatever the handling throws (a bug) closes this Websocket
  // with a reason; nothing is raised into ws or Node.
  override emit(event: string | symbol, a?: unknown, b?: unknown): boolean {
    if (this.#gone) return true;
    // ws reads the response's headers right after this event: the subprotocol fix-up cannot wait.
    if (event === 'upgrade') return this.#guarded(event, a, b);
    if (event === 'message') this.#ctx.run(WsHandler.#onMessage as EventHandler, this, a, b);
    else this.#ctx.run(WsHandler.#onEvent as EventHandler, this, event, a, b);
    return true;
  }

  // Static, so that a Websocket holds no closure of its own for them.
  static #onEvent(ws: WsHandler, event: string | symbol, a: unknown, b: unknown): void {
    if (!ws.#gone) ws.#guarded(event, a, b);
  }

  // The one event of every frame, on its own short path: a throw here (a bug) ends the connection with internal_error.
  static #onMessage(ws: WsHandler, data: Buffer, isBinary: boolean): void {
    if (ws.#gone) return;
    ws.#target?.deliver(gunWs(ws.#ctx.conn, ws.#ref, isBinary ? ['binary', data] : ['text', data.toString()]));
    if (--ws.#flow === 0) ws.pause();
  }

  #guarded(event: string | symbol, a: unknown, b: unknown): boolean {
    try {
      return this.#handle(event, a, b);
    } catch (error) {
      logCrash(this.#ctx.conn, error);
      this.#protocolError ??= INTERNAL_ERROR;
      this.terminate();
      return true;
    }
  }

  #handle(event: string | symbol, a: unknown, b: unknown): boolean {
    switch (event) {
      case 'ping':
        if (this.#opts.silencePings === false) this.#deliver((a as Buffer).length === 0 ? 'ping' : ['ping', a as Buffer]);
        return true;
      case 'pong':
        if (this.#opts.silencePings === false) this.#deliver((a as Buffer).length === 0 ? 'pong' : ['pong', a as Buffer]);
        return true;
      case 'upgrade': {
        const res = a as IncomingMessage;
        this.#upgradeHeaders = fromRawHeaders(res.rawHeaders);
        // Gun accepts a 101 that selects none of the offered subprotocols; ws would refuse it
        // ("Server sent no subprotocol"). ws checks right after this event, so the first offer is
        // put in for it to find; the owner's headers (above) still show that none was selected.
        // One that was not offered is still refused by ws.
        const offered = this.#opts.protocols ?? [];
        if (offered.length > 0 && res.headers['sec-websocket-protocol'] === undefined) res.headers['sec-websocket-protocol'] = offered[0][0];
        return true;
      }
      case 'open': {
        this.#open = true;
        const handshake = this.#handshake;
        const headers = this.#upgradeHeaders;
        this.#handshake = undefined;
        this.#upgradeHeaders = NO_HEADERS;
        this.#armKeepalive();
        // Frames that came with the 101 may have used the whole flow while ws could not pause yet.
        if (this.#flow <= 0) this.pause();
        websocketOpened(this.#ctx, this.#ref, headers);
        handshake?.upgraded(this, headers);
        return true;
      }
      case 'unexpected-response':
        this.#handshake?.refused(a as ClientRequest, b as IncomingMessage);
        return true;
      case 'error':
        if (this.#open) this.#protocolError ??= a;
        else this.#handshake?.failed(a as Error);
        return true;
      case 'close':
        // Before 'open' the handshake failed or was refused: the http module reports that.
        if (this.#open) this.#closed(a as number, b as Buffer);
        return true;
      default:
        return false;
    }
  }

  #deliver(frame: WsFrame): void {
    this.#target?.deliver(gunWs(this.#ctx.conn, this.#ref, frame));
    if (--this.#flow === 0) this.pause();
  }

  /**
   * Gives the reply-to `n` more messages (gun.updateFlow); reading resumes once there is room.
   * Frames already read when reading stopped are still delivered, so the count may go below zero.
   */
  updateFlow(ref: StreamRef, n: number): void {
    if (ref !== this.#ref) return;
    this.#flow += n;
    if (this.#flow > 0 && this.isPaused) this.resume();
  }

  wsSend(frames: readonly WsSendFrame[], caller: Pid): boolean {
    for (const frame of frames) {
      const isClose = frame === 'close' || frame[0] === 'close';
      if (this.#closeSent || this.readyState !== WebSocket.OPEN) {
        // A close after the server's close is a no-op (1.3-style code answers close itself);
        // anything else is reported, not dropped silently.
        if (!isClose) this.#ctx.reply(caller, gunConnError(this.#ctx.conn, ['badstate', Sentences.wsClosing]));
        return true;
      }
      this.#sendOne(frame);
      // As Gun 2.x: a list stops at its close frame.
      if (isClose) return true;
    }
    return true;
  }

  #sendOne(frame: WsSendFrame): void {
    if (typeof frame === 'string') {
      if (frame === 'close') this.#close(undefined, undefined);
      else if (frame === 'ping') this.ping();
      else this.pong();
      return;
    }
    switch (frame[0]) {
      case 'text':
        this.send(frame[1], { binary: false });
        return;
      case 'binary':
        this.send(frame[1], { binary: true });
        return;
      case 'close':
        this.#close(frame[1], frame[2]);
        return;
      case 'ping':
        this.ping(frame[1]);
        return;
      case 'pong':
        this.pong(frame[1]);
        return;
    }
  }

  /** Starts the close handshake: our close frame, then wait for the server's, up to closingTimeout. */
  #close(code: number | undefined, reason: string | undefined): void {
    if (this.#closeSent) return;
    super.close(code, reason);
    this.#closeSent = true;
    this.#disarmKeepalive();
    const timeout = this.#opts.closingTimeout ?? DEFAULT_CLOSING_TIMEOUT;
    if (timeout !== Infinity) this.#closingTimer = startTimer(timeout, inActor(this.#ctx, () => this.terminate()));
  }

  closing(): number {
    // Gun 2.x, for gun.shutdown and a gone owner alike: close 1001 ("going away"), wait for the peer.
    if (this.readyState === WebSocket.OPEN) this.#close(1001, '');
    else if (this.readyState !== WebSocket.CLOSING) this.terminate();
    return this.#opts.closingTimeout ?? DEFAULT_CLOSING_TIMEOUT;
  }

  destroy(): void {
    this.#gone = true;
    this.#handshake = undefined;
    this.#disarmKeepalive();
    this.#closingTimer?.cancel();
    this.terminate();
  }

  #closed(code: number, reason: Buffer): void {
    const ctx = this.#ctx;
    this.#gone = true;
    this.#disarmKeepalive();
    this.#closingTimer?.cancel();
    // 1006 is never sent on the wire: it means no close frame came (TCP dropped or we gave up waiting).
    const closeFrameReceived = code !== 1006;
    // Also after gun.shutdown: the server's reply to our 1001 is delivered, as Gun 2.x does.
    if (closeFrameReceived) this.#deliver(code === 1005 ? 'close' : ['close', code, reason.toString()]);
    let down: DownReason;
    const error = this.#protocolError;
    if (error !== undefined) {
      const atom = errorAtom(error);
      if (atom.startsWith('ws_err_')) {
        ctx.reply(this.#replyTo, gunStreamError(ctx.conn, this.#ref, ['ws_error', closeCodeOf(error), (error as Error).message]));
      }
      down = ['error', atom];
    } else {
      // A close the server began: Gun 1.3 says 'closed', Gun 2.x 'normal' (dialect.ts).
      down = this.#closeSent ? 'normal' : closeFrameReceived ? serverCloseReason(ctx.opts.dialect) : 'closed';
    }
    websocketClosed(ctx, this.#ref, code, reason.toString(), down);
    ctx.down(this, down, [this.#ref]);
  }

  /**
   * Pings every `keepalive` ms. A peer that sent nothing at all (no pong, no frame) between
   * one ping and the next tick is taken for dead: the socket is closed and the connection
   * goes down with ['error', 'keepalive_timeout'], then follows the retry policy.
   */
  #armKeepalive(): void {
    const every = this.#opts.keepalive ?? Infinity;
    if (every === Infinity) return;
    const clock = getClock();
    let readAtPing = -1;
    const ping = (): void => {
      // While flow control holds reading, no pong can be read either: nothing to judge by.
      readAtPing = this.isPaused ? -1 : this.#socket.bytesRead;
      this.ping();
      this.#keepalive = startTimer(every, tick, clock);
    };
    const silent = (): boolean => !this.isPaused && readAtPing === this.#socket.bytesRead;
    const tick = inActor(this.#ctx, (): void => {
      if (this.readyState !== WebSocket.OPEN) return;
      if (!silent()) {
        ping();
        return;
      }
      // A timer that fires late (a busy or paused event loop) runs before the socket reads
      // waiting in the same turn: judge only once they are in, in the next turn.
      nextTurn(inActor(this.#ctx, () => {
        if (this.readyState !== WebSocket.OPEN) return;
        if (!silent()) {
          ping();
          return;
        }
        this.#protocolError ??= KEEPALIVE_TIMEOUT;
        this.terminate();
      }));
    });
    this.#keepalive = startTimer(every, tick, clock);
  }

  #disarmKeepalive(): void {
    this.#keepalive?.cancel();
    this.#keepalive = undefined;
  }
}
