// Real local servers for tests: each listens on 127.0.0.1, port 0, and `close()` ends it
// and every connection it has (ky's helper idea).
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { WebSocketServer, type ServerOptions, type WebSocket } from 'ws';
import type { TestCert } from './certs.js';

export interface Started<S> {
  readonly port: number;
  readonly server: S;
  /** Remote ports of the sockets the server accepted, in order. */
  readonly remotePorts: number[];
  close(): Promise<void>;
}

function track<S extends net.Server>(server: S, port: number): Started<S> {
  const sockets = new Set<Socket>();
  const remotePorts: number[] = [];
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    remotePorts.push(socket.remotePort ?? 0);
    socket.on('close', () => sockets.delete(socket));
  });
  return {
    port,
    server,
    remotePorts,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

async function listen<S extends net.Server>(server: S, port = 0): Promise<Started<S>> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return track(server, (server.address() as AddressInfo).port);
}

/** A node:http server. */
export function startHttp(handler: RequestListener, port?: number): Promise<Started<http.Server>> {
  const server = http.createServer(handler);
  server.keepAliveTimeout = 60_000;
  return listen(server, port);
}

/** A node:https server with the test's certificate. */
export function startHttps(handler: RequestListener, cert: TestCert, port?: number): Promise<Started<https.Server>> {
  return listen(https.createServer({ key: cert.key, cert: cert.cert }, handler), port);
}

interface WsServer extends Started<http.Server> {
  readonly wss: WebSocketServer;
  /** The server side of each accepted Websocket, in order. */
  readonly clients: WebSocket[];
}

/**
 * An http server with a `ws` WebSocketServer on it. Plain requests get `hello <remotePort>`;
 * Websockets echo every message unless `onConnection` is given.
 */
export async function startWs(
  opts: { onConnection?: (ws: WebSocket, req: IncomingMessage) => void; onRequest?: (req: IncomingMessage, res: ServerResponse) => void; wsOptions?: ServerOptions } = {},
  port?: number,
): Promise<WsServer> {
  const server = http.createServer(opts.onRequest ?? ((req, res) => res.end(`hello ${req.socket.remotePort}`)));
  server.keepAliveTimeout = 60_000;
  const wss = new WebSocketServer({ ...opts.wsOptions, server });
  const clients: WebSocket[] = [];
  wss.on('connection', (ws, req) => {
    clients.push(ws);
    if (opts.onConnection) opts.onConnection(ws, req);
    else ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const started = await listen(server, port);
  return {
    ...started,
    wss,
    clients,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      await started.close();
    },
  };
}

/** A raw TCP server for misbehaving peers: `onSocket` gets each accepted socket. */
export function startRaw(onSocket: (socket: Socket) => void, port?: number): Promise<Started<net.Server>> {
  return listen(net.createServer(onSocket), port);
}

/** A raw server that answers the first request head of each connection with `response`, then ends the socket if `then` is 'end'. */
export function startAnswering(response: string, then?: 'end'): Promise<Started<net.Server>> {
  return startRaw((socket) => {
    void readUntil(socket, (d) => d.includes('\r\n\r\n')).then(() => (then === 'end' ? socket.end(response) : socket.write(response)));
  });
}

/** A port nothing listens on (bound, then released). */
export async function deadPort(): Promise<number> {
  const s = await startRaw(() => undefined);
  await s.close();
  return s.port;
}

/** Reads from a socket until `predicate(allBytesSoFar)` holds. */
export function readUntil(socket: Socket, predicate: (data: Buffer) => boolean): Promise<Buffer> {
  return new Promise((resolve) => {
    let acc = Buffer.alloc(0);
    const onData = (d: Buffer): void => {
      acc = Buffer.concat([acc, d]);
      if (predicate(acc)) {
        socket.removeListener('data', onData);
        resolve(acc);
      }
    };
    socket.on('data', onData);
  });
}
