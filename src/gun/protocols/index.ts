// The one table that turns a negotiated protocol (ALPN's answer over TLS, the configured one
// over TCP) into the module that speaks it. The connection knows modules only through it.
import type { Socket } from 'node:net';
import type { ConnectionContext, ProtocolHandler } from '../protocol.js';
import { HttpHandler } from './http.js';
import { Http2Handler } from './http2.js';

/** Protocols a connection can start on a fresh socket (Websocket comes only by upgrade). */
type StartProtocol = 'http' | 'http2';

type Start = (ctx: ConnectionContext, socket: Socket) => ProtocolHandler & { readonly name: StartProtocol };

const MODULES: Readonly<Partial<Record<StartProtocol, Start>>> = {
  http: (ctx, socket) => new HttpHandler(ctx, socket),
  http2: (ctx, socket) => new Http2Handler(ctx, socket),
};

/** The module for `protocol` on `socket`, or `undefined` when erlgun does not speak it yet. */
export function startProtocol(protocol: StartProtocol, ctx: ConnectionContext, socket: Socket): (ProtocolHandler & { readonly name: StartProtocol }) | undefined {
  return MODULES[protocol]?.(ctx, socket);
}
