// The local servers the examples talk to (not part of the library): an HTTP server and a
// `ws` WebSocketServer on one port of 127.0.0.1. Websockets echo what they get; the
// `xmpp` subprotocol is accepted when offered; `/secret` wants Basic authorization.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
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
  wss.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
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
