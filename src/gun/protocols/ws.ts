// Websocket: `ws` does the handshake checks, framing, masking, UTF-8 checks and deflate;
// this module turns its events into gun_ws messages and Gun's close and down rules.
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket, { type ClientOptions } from 'ws';
import { getClock, type TimerHandle } from '../../runtime/clock.js';
import type { Pid } from '../../runtime/pid.js';
import type { Process } from '../../runtime/process.js';
import { lookup } from '../../runtime/registry.js';
import { fromRawHeaders } from '../headers.js';
import {
  errorAtom, gunConnError, gunStreamError, gunWs, Sentences,
  type DownReason, type Headers, type StreamRef, type WsFrame, type WsSendFrame,
} from '../messages.js';
import { DEFAULT_CLOSING_TIMEOUT, type WsOptions } from '../options.js';
import { websocketClosed, websocketOpened } from '../diagnostics.js';
import type { ConnectionContext, ProtocolHandler, WsUpgradeRequest } from '../protocol.js';

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
const DEFAULT_MAX_PAYLOAD = 100 * 1024 * 1024;

// closeTimeout is ws 8.23's; @types/ws does not list it yet.
// A function of its own: the createConnection closure then keeps nothing but the socket alive.
function clientOptions(opts: WsOptions, socket: Socket, headers: Record<string, string>): ClientOptions & { closeTimeout: number } {
  const closing = opts.closingTimeout ?? DEFAULT_CLOSING_TIMEOUT;
  return {
    headers,
    createConnection: () => socket,
    perMessageDeflate: opts.compress === true ? { serverMaxWindowBits: 15 } : false,
    maxPayload: opts.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    closeTimeout: Math.min(closing, MAX_TIMER),
    autoPong: true,
    followRedirects: false,
  };
}

// ws reports protocol errors with a code; the close code it sent goes with it.
function closeCodeOf(error: unknown): number {
  const code = errorAtom(error);
  if (code === 'ws_err_invalid_utf8') return 1007;
  if (code === 'ws_err_unsupported_message_length') return 1009;
  return 1002;
}

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
  #shutdown = false;
  #closingTimer: TimerHandle | undefined = undefined;
  #keepalive: TimerHandle | undefined = undefined;

  constructor(url: string, ctx: ConnectionContext, socket: Socket, upgrade: WsUpgradeRequest, headers: Record<string, string>, handshake: Handshake) {
    // ws emits nothing from its constructor (the request goes out on a later tick), so the fields are set in time.
    super(url, (upgrade.opts.protocols ?? []).map(([name]) => name), clientOptions(upgrade.opts, socket, headers));
    this.#ctx = ctx;
    this.#ref = upgrade.ref;
    this.#replyTo = upgrade.replyTo;
    this.#target = lookup(upgrade.replyTo);
    this.#opts = upgrade.opts;
    this.#handshake = handshake;
  }

  // Every event ws raises comes through here; there are no listeners.
  override emit(event: string | symbol, a?: unknown, b?: unknown): boolean {
    if (this.#gone) return true;
    switch (event) {
      case 'message':
        this.#target?.deliver(gunWs(this.#ctx.conn, this.#ref, b === true ? ['binary', a as Buffer] : ['text', (a as Buffer).toString()]));
        return true;
      case 'ping':
        if (this.#opts.silencePings === false) this.#deliver((a as Buffer).length === 0 ? 'ping' : ['ping', a as Buffer]);
        return true;
      case 'pong':
        if (this.#opts.silencePings === false) this.#deliver((a as Buffer).length === 0 ? 'pong' : ['pong', a as Buffer]);
        return true;
      case 'upgrade':
        this.#upgradeHeaders = fromRawHeaders((a as IncomingMessage).rawHeaders);
        return true;
      case 'open': {
        this.#open = true;
        const handshake = this.#handshake;
        const headers = this.#upgradeHeaders;
        this.#handshake = undefined;
        this.#upgradeHeaders = NO_HEADERS;
        this.#armKeepalive();
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
  }

  wsSend(frames: readonly WsSendFrame[], caller: Pid): void {
    for (const frame of frames) {
      const isClose = frame === 'close' || frame[0] === 'close';
      if (this.#closeSent || this.readyState !== WebSocket.OPEN) {
        // A close after the server's close is a no-op (1.3-style code answers close itself);
        // anything else is reported, not dropped silently.
        if (!isClose) this.#ctx.reply(caller, gunConnError(this.#ctx.conn, ['badstate', Sentences.wsClosing]));
        return;
      }
      this.#sendOne(frame);
      // As Gun 2.x: a list stops at its close frame.
      if (isClose) return;
    }
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
    this.#closeSent = true;
    this.#disarmKeepalive();
    super.close(code, reason);
    const timeout = this.#opts.closingTimeout ?? DEFAULT_CLOSING_TIMEOUT;
    if (timeout !== Infinity) this.#closingTimer = getClock().setTimeout(() => this.terminate(), timeout);
  }

  closing(): number {
    // Gun 2.x, for gun.shutdown and a gone owner alike: close 1001 ("going away"), wait for the peer.
    this.#shutdown = true;
    if (this.readyState === WebSocket.OPEN) this.#close(1001, '');
    else if (this.readyState !== WebSocket.CLOSING) this.terminate();
    return this.#opts.closingTimeout ?? DEFAULT_CLOSING_TIMEOUT;
  }

  destroy(): void {
    this.#gone = true;
    this.#handshake = undefined;
    this.#disarmKeepalive();
    if (this.#closingTimer !== undefined) getClock().clearTimeout(this.#closingTimer);
    this.terminate();
  }

  #closed(code: number, reason: Buffer): void {
    const ctx = this.#ctx;
    this.#gone = true;
    this.#disarmKeepalive();
    if (this.#closingTimer !== undefined) getClock().clearTimeout(this.#closingTimer);
    // 1006 is never sent on the wire: it means no close frame came (TCP dropped or we gave up waiting).
    const closeFrameReceived = code !== 1006;
    if (closeFrameReceived && !this.#shutdown) this.#deliver(code === 1005 ? 'close' : ['close', code, reason.toString()]);
    let down: DownReason;
    const error = this.#protocolError;
    if (error !== undefined) {
      const atom = errorAtom(error);
      if (atom.startsWith('ws_err_')) {
        ctx.reply(this.#replyTo, gunStreamError(ctx.conn, this.#ref, ['ws_error', closeCodeOf(error), (error as Error).message]));
      }
      down = ['error', atom];
    } else {
      down = closeFrameReceived || this.#closeSent ? 'normal' : 'closed';
    }
    websocketClosed(ctx, this.#ref, code, reason.toString(), down);
    ctx.down(this, down, [this.#ref]);
  }

  #armKeepalive(): void {
    const every = this.#opts.keepalive ?? Infinity;
    if (every === Infinity) return;
    const clock = getClock();
    const tick = (): void => {
      if (this.readyState !== WebSocket.OPEN) return;
      this.ping();
      this.#keepalive = clock.setTimeout(tick, every);
    };
    this.#keepalive = clock.setTimeout(tick, every);
  }

  #disarmKeepalive(): void {
    if (this.#keepalive !== undefined) getClock().clearTimeout(this.#keepalive);
    this.#keepalive = undefined;
  }
}
