// Websocket after the 101: `ws` does the framing, masking, UTF-8 checks and deflate;
// this module turns its events into gun_ws messages and Gun's close and down rules.
import type { Socket } from 'node:net';
import WebSocket, { type ClientOptions } from 'ws';
import { getClock, type TimerHandle } from '../../runtime/clock.js';
import type { Pid } from '../../runtime/pid.js';
import { lookup } from '../../runtime/registry.js';
import { errorAtom, gunConnError, gunStreamError, gunWs, Sentences, type DownReason, type ReplyTo, type StreamRef, type WsFrame, type WsSendFrame } from '../messages.js';
import type { WsOptions } from '../options.js';
import type { ConnectionContext, ProtocolHandler } from '../protocol.js';

const MAX_TIMER = 2 ** 31 - 1;

/** `ws` client options from Gun's ws options. */
// closeTimeout is ws 8.23's; @types/ws does not list it yet.
// Built here, not inside the http module's methods: the createConnection closure must not
// share a scope with them, or the WebSocket would keep the whole HTTP handler alive.
export function wsClientOptions(opts: WsOptions, socket: Socket, headers: Record<string, string>): ClientOptions & { closeTimeout: number } {
  const closing = opts.closingTimeout ?? 15000;
  return {
    headers,
    createConnection: () => socket,
    perMessageDeflate: opts.compress === true ? { serverMaxWindowBits: 15 } : false,
    maxPayload: opts.maxPayload,
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

export class WsHandler implements ProtocolHandler {
  readonly name = 'ws' as const;
  readonly #ctx: ConnectionContext;
  readonly #ws: WebSocket;
  readonly #ref: StreamRef;
  readonly #replyTo: ReplyTo;
  readonly #opts: WsOptions;
  #open = false;
  #closeSent = false;
  #protocolError: unknown;
  #shutdown = false;
  #closingTimer: TimerHandle | undefined;
  #keepalive: TimerHandle | undefined;

  constructor(ctx: ConnectionContext, ws: WebSocket, ref: StreamRef, replyTo: ReplyTo, opts: WsOptions) {
    this.#ctx = ctx;
    this.#ws = ws;
    this.#ref = ref;
    this.#replyTo = replyTo;
    this.#opts = opts;
    const conn = ctx.conn;
    // The hot path: one delivery per message, straight to the reply-to's mailbox (resolved once).
    const target = lookup(replyTo);
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      target?.deliver(gunWs(conn, ref, isBinary ? ['binary', data] : ['text', data.toString()]));
    });
    if (opts.silencePings === false) {
      ws.on('ping', (data: Buffer) => ctx.reply(replyTo, gunWs(conn, ref, data.length === 0 ? 'ping' : ['ping', data])));
      ws.on('pong', (data: Buffer) => ctx.reply(replyTo, gunWs(conn, ref, data.length === 0 ? 'pong' : ['pong', data])));
    }
    ws.on('open', () => {
      this.#open = true;
      this.#armKeepalive();
    });
    ws.on('error', (error) => {
      if (this.#open) this.#protocolError ??= error;
    });
    ws.on('close', (code: number, reason: Buffer) => {
      // Before 'open' the handshake failed or was refused: the http module reports that.
      if (this.#open) this.#closed(code, reason);
    });
  }

  get isOpen(): boolean {
    return this.#open;
  }

  wsSend(frames: readonly WsSendFrame[], caller: Pid): void {
    for (const frame of frames) {
      const isClose = frame === 'close' || frame[0] === 'close';
      if (this.#closeSent || this.#ws.readyState !== WebSocket.OPEN) {
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
    const ws = this.#ws;
    if (typeof frame === 'string') {
      if (frame === 'close') this.#close(undefined, undefined);
      else if (frame === 'ping') ws.ping();
      else ws.pong();
      return;
    }
    switch (frame[0]) {
      case 'text':
        ws.send(frame[1], { binary: false });
        return;
      case 'binary':
        ws.send(frame[1], { binary: true });
        return;
      case 'close':
        this.#close(frame[1], frame[2]);
        return;
      case 'ping':
        ws.ping(frame[1]);
        return;
      case 'pong':
        ws.pong(frame[1]);
        return;
    }
  }

  /** Starts the close handshake: our close frame, then wait for the server's, up to closingTimeout. */
  #close(code: number | undefined, reason: string | undefined): void {
    if (this.#closeSent) return;
    this.#closeSent = true;
    this.#disarmKeepalive();
    this.#ws.close(code, reason);
    const timeout = this.#opts.closingTimeout ?? 15000;
    if (timeout !== Infinity) this.#closingTimer = getClock().setTimeout(() => this.#ws.terminate(), timeout);
  }

  closing(): void {
    // Gun 2.x, for gun.shutdown and a gone owner alike: close 1001 ("going away"), wait for the peer.
    this.#shutdown = true;
    if (this.#ws.readyState === WebSocket.OPEN) this.#close(1001, '');
    else if (this.#ws.readyState !== WebSocket.CLOSING) this.#ws.terminate();
  }

  destroy(): void {
    this.#disarmKeepalive();
    if (this.#closingTimer !== undefined) getClock().clearTimeout(this.#closingTimer);
    this.#ws.removeAllListeners();
    this.#ws.on('error', () => undefined);
    this.#ws.terminate();
  }

  #closed(code: number, reason: Buffer): void {
    const ctx = this.#ctx;
    this.#disarmKeepalive();
    if (this.#closingTimer !== undefined) getClock().clearTimeout(this.#closingTimer);
    // 1006 is never sent on the wire: it means no close frame came (TCP dropped or we gave up waiting).
    const closeFrameReceived = code !== 1006;
    if (closeFrameReceived && !this.#shutdown) {
      const frame: WsFrame = code === 1005 ? 'close' : ['close', code, reason.toString()];
      ctx.reply(this.#replyTo, gunWs(ctx.conn, this.#ref, frame));
    }
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
    this.#ws.removeAllListeners();
    this.#ws.on('error', () => undefined);
    ctx.down(down, [this.#ref]);
  }

  #armKeepalive(): void {
    const every = this.#opts.keepalive ?? Infinity;
    if (every === Infinity) return;
    const clock = getClock();
    const tick = (): void => {
      if (this.#ws.readyState !== WebSocket.OPEN) return;
      this.#ws.ping();
      this.#keepalive = clock.setTimeout(tick, every);
    };
    this.#keepalive = clock.setTimeout(tick, every);
  }

  #disarmKeepalive(): void {
    if (this.#keepalive !== undefined) getClock().clearTimeout(this.#keepalive);
    this.#keepalive = undefined;
  }
}
