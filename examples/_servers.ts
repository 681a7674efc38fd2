// The local servers the examples talk to (not part of the library): an HTTP server and a
// `ws` WebSocketServer on one port of 127.0.0.1. Websockets echo what they get; the
// `xmpp` subprotocol is accepted when offered; `/secret` wants Basic authorization.
// On `/feed`, a text frame `subscribe <topic>` is answered `subscribed <topic>`, then
// `<topic> <n>` every 20 ms (n counts from 1 on each connection) until the socket closes.
import http from 'node:http';
import http2, { type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import * as wsLib from 'ws';
import { WebSocketServer } from 'ws';

interface DemoServer {
  readonly port: number;
  /** Drops every open connection (the server keeps listening). */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startDemoServer(port = 0): Promise<DemoServer> {
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/organizations/')) {
      res.setHeader('content-type', 'application/json');
      res.write('{"login":"ninenines",');
      setTimeout(() => res.end('"name":"Nine Nines"}'), 20);
      return;
    }
    res.end(`hello from ${req.url}`);
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const wss = new WebSocketServer({
    server,
    handleProtocols: (protocols) => (protocols.has('xmpp') ? 'xmpp' : false),
    verifyClient: (info: { req: http.IncomingMessage }) => !info.req.url?.startsWith('/secret') || info.req.headers.authorization === 'Basic dXNlcm5hbWU6cGFzc3dvcmQ=',
  });
  wss.on('connection', (ws, req) => {
    if (req.url !== '/feed') {
      ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    ws.on('message', (data) => {
      const topic = /^subscribe (\S+)$/.exec(data.toString())?.[1];
      if (topic === undefined || timer !== undefined) return;
      ws.send(`subscribed ${topic}`);
      let n = 0;
      timer = setInterval(() => ws.send(`${topic} ${++n}`), 20);
    });
    ws.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    dropConnections: () => {
      for (const s of sockets) s.destroy();
    },
    close: () => new Promise<void>((resolve) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

// An HTTP/2 server without TLS (h2c) that allows Websocket over HTTP/2 (RFC 8441): GETs are
// answered 'hello over h2 from <path>'; an extended CONNECT :protocol websocket echoes,
// framed by ws's own Receiver and Sender.
interface Framing {
  Receiver: new (options: { isServer: boolean }) => {
    write(chunk: Buffer): boolean;
    on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): unknown;
    on(event: 'conclude', listener: (code: number) => void): unknown;
  };
  Sender: new (socket: ServerHttp2Stream, extensions: Record<string, never>) => {
    send(data: Buffer, options: { binary: boolean; fin: boolean; mask: boolean; compress: boolean }): void;
    close(code: number | undefined, reason: string, mask: boolean): void;
  };
}

export async function startH2Server(): Promise<{ readonly port: number; close(): Promise<void> }> {
  const { Receiver, Sender } = wsLib as unknown as Framing;
  const server = http2.createServer({ settings: { enableConnectProtocol: true } });
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined);
    if (headers[':method'] !== 'CONNECT') {
      stream.respond({ ':status': 200, 'content-type': 'text/plain' });
      stream.end(`hello over h2 from ${headers[':path']}`);
      return;
    }
    stream.respond({ ':status': 200 });
    const receiver = new Receiver({ isServer: true });
    const sender = new Sender(stream, {});
    receiver.on('message', (data, isBinary) => sender.send(data, { binary: isBinary, fin: true, mask: false, compress: false }));
    receiver.on('conclude', (code) => {
      sender.close(code === 1005 ? undefined : code, '', false);
      stream.end();
    });
    stream.on('data', (chunk: Buffer) => receiver.write(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sessions) s.destroy();
      server.close(() => resolve());
    }),
  };
}
