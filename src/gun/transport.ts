// TCP/TLS connect with ALPN, servername and a connect timeout on the runtime clock.
import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import { getClock } from '../runtime/clock.js';
import { errorAtom } from './messages.js';
import type { ResolvedOptions } from './options.js';

export interface Connected {
  readonly socket: Socket;
  /** The protocol chosen: ALPN's answer over TLS, the only configured one over TCP. */
  readonly protocol: 'http' | 'http2';
}

/** Why a connect attempt failed: a lowercase error atom (`'econnrefused'`, `'timeout'`), or `['tls_error', code, message]`. */
export type ConnectError = string | readonly ['tls_error', string, string];

const ALPN = { http: 'http/1.1', http2: 'h2' } as const;

export function connect(host: string, port: number, opts: ResolvedOptions): Promise<Connected> {
  return new Promise((resolve, reject) => {
    const clock = getClock();
    const { noDelay = true, ...tcpOpts } = opts.tcpOpts;
    let socket: Socket;
    if (opts.transport === 'tls') {
      socket = tls.connect({
        ...tcpOpts,
        host,
        port,
        servername: net.isIP(host) ? undefined : host,
        ALPNProtocols: opts.protocols.map((p) => ALPN[p]),
        ...opts.tlsOpts,
      });
    } else {
      socket = net.connect({ ...tcpOpts, host, port });
    }
    const event = opts.transport === 'tls' ? 'secureConnect' : 'connect';
    let timer: ReturnType<typeof clock.setTimeout> | undefined;
    const done = (error: unknown): void => {
      if (timer !== undefined) clock.clearTimeout(timer);
      socket.removeListener(event, onConnect);
      socket.removeListener('error', onError);
      if (error === undefined) return;
      socket.destroy();
      reject(connectError(error));
    };
    const onError = (error: unknown): void => done(error);
    const onConnect = (): void => {
      done(undefined);
      socket.setNoDelay(noDelay);
      const alpn = socket instanceof tls.TLSSocket ? socket.alpnProtocol : false;
      resolve({ socket, protocol: alpn === 'h2' ? 'http2' : opts.transport === 'tls' ? 'http' : opts.protocols[0] });
    };
    socket.once(event, onConnect);
    socket.once('error', onError);
    if (opts.connectTimeout !== Infinity) {
      timer = clock.setTimeout(() => done(Object.assign(new Error('connect timeout'), { code: 'TIMEOUT' })), opts.connectTimeout);
    }
  });
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO|ALTNAME|TLS|SSL|HANDSHAKE|ISSUER|CHAIN|DEPTH/;

function connectError(error: unknown): ConnectError {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && TLS_CODES.test(code)) {
    return Object.freeze(['tls_error', code.toLowerCase(), (error as Error).message] as const);
  }
  return errorAtom(error);
}
