// TCP/TLS connect with ALPN, servername and a connect timeout on the runtime clock.
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import { getClock, type TimerHandle } from '../runtime/clock.js';
import { errorAtom } from './messages.js';
import type { ResolvedOptions } from './options.js';

export interface Connected {
  readonly socket: Socket;
  /** The protocol chosen: ALPN's answer over TLS, the only configured one over TCP. */
  readonly protocol: 'http' | 'http2';
}

/** Why a connect attempt failed: a lowercase error atom (`'econnrefused'`, `'timeout'`), or `['tls_error', code, message]`. */
export type ConnectError = string | readonly ['tls_error', string, string];

/** A connect under way. */
export interface Attempt {
  /** Gives up: destroys the socket and clears the timeout; the callback is not called. */
  cancel(): void;
}

const ALPN = { http: 'http/1.1', http2: 'h2' } as const;

/** Connects and calls `done` once, with the connected socket or the reason it failed. */
export function connect(host: string, port: number, opts: ResolvedOptions, done: (result: Connected | ConnectError) => void): Attempt {
  const clock = getClock();
  const { noDelay = true, ...tcpOpts } = opts.tcpOpts;
  let socket: Socket;
  try {
    socket = opts.transport === 'tls'
      ? tls.connect({ ...tcpOpts, host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: opts.protocols.map((p) => ALPN[p]), ...opts.tlsOpts })
      : net.connect({ ...tcpOpts, host, port });
  } catch (error) {
    // Options are checked at open; whatever Node still refuses is a failed attempt with a reason, not a throw.
    let cancelled = false;
    queueMicrotask(() => {
      if (!cancelled) done(connectError(error));
    });
    return {
      cancel: () => {
        cancelled = true;
      },
    };
  }
  const event = opts.transport === 'tls' ? 'secureConnect' : 'connect';
  let timer: TimerHandle | undefined;
  const stop = (): void => {
    if (timer !== undefined) clock.clearTimeout(timer);
    socket.removeListener(event, onConnect);
    socket.removeListener('error', onError);
  };
  const onError = (error: unknown): void => {
    stop();
    socket.destroy();
    done(connectError(error));
  };
  const onConnect = (): void => {
    stop();
    socket.setNoDelay(noDelay);
    const alpn = socket instanceof tls.TLSSocket ? socket.alpnProtocol : false;
    done({ socket, protocol: alpn === 'h2' ? 'http2' : opts.transport === 'tls' ? 'http' : opts.protocols[0] });
  };
  socket.once(event, onConnect);
  socket.once('error', onError);
  if (opts.connectTimeout !== Infinity) {
    timer = clock.setTimeout(() => onError(Object.assign(new Error('connect timeout'), { code: 'TIMEOUT' })), opts.connectTimeout);
  }
  return {
    cancel: () => {
      stop();
      socket.destroy();
    },
  };
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO|ALTNAME|TLS|SSL|HANDSHAKE|ISSUER|CHAIN|DEPTH/;

function connectError(error: unknown): ConnectError {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TLS_CODES.test(code)) {
    return Object.freeze(['tls_error', code.toLowerCase(), (error as Error).message] as const);
  }
  return errorAtom(error);
}
