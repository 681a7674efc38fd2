// The benchmark's Websocket server, run as its own process (pinned with taskset by ws.ts).
// One-way tests write pre-built frames straight to the socket in big chunks, so the server
// is never the bottleneck. The first text message of a connection says what to do:
//   oneway:<count>:<bytes>:<text|binary>   then the server streams, and waits
//   echo                                    every later message is sent back
// A line on stdin is answered on stdout with the number of sockets still open; "reset" first resets them all.
import type { AddressInfo, Socket } from 'node:net';
import * as wsModule from 'ws';
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, backlog: 4096 });

interface SenderStatic {
  frame(data: Buffer, options: { fin: boolean; rsv1: boolean; opcode: number; mask: boolean; readOnly: boolean }): Buffer[];
}
// Sender is exported by ws's ESM wrapper but not declared in @types/ws.
const Sender = (wsModule as unknown as { Sender: SenderStatic }).Sender;

function prebuilt(count: number, bytes: number, opcode: number): Buffer[] {
  const payload = Buffer.alloc(bytes, 0x61);
  const one = Buffer.concat(Sender.frame(payload, { fin: true, rsv1: false, opcode, mask: false, readOnly: false }));
  const perChunk = Math.max(1, Math.floor(65536 / one.length));
  const chunk = Buffer.concat(Array.from({ length: perChunk }, () => one));
  const out: Buffer[] = [];
  let left = count;
  while (left >= perChunk) {
    out.push(chunk);
    left -= perChunk;
  }
  if (left > 0) out.push(chunk.subarray(0, left * one.length));
  return out;
}

async function stream(socket: Socket, chunks: Buffer[]): Promise<void> {
  for (const c of chunks) {
    if (!socket.write(c)) await new Promise((r) => socket.once('drain', r));
  }
}

wss.on('connection', (ws) => {
  ws.once('message', (data) => {
    const [cmd, count, bytes, kind] = data.toString().split(':');
    if (cmd === 'oneway') {
      const socket = (ws as unknown as { _socket: Socket })._socket;
      void stream(socket, prebuilt(Number(count), Number(bytes), kind === 'binary' ? 2 : 1));
    } else if (cmd === 'echo') {
      ws.on('message', (d, isBinary) => ws.send(d, { binary: isBinary }));
    }
  });
});

// The sockets still open. A benchmark waits for none before a round, so the teardown of the
// last round is not billed to the next one; and it has this side reset them all (RST), so
// no TIME_WAIT is left behind: 100,000 connections in a minute would otherwise fill the
// ephemeral port range, and every connect() would pay for the search.
const sockets = new Set<Socket>();
wss.on('listening', () => {
  process.stdout.write(`${(wss.address() as AddressInfo).port}\n`);
});
(wss as unknown as { _server: import('node:net').Server })._server.on('connection', (socket: Socket) => {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
});
// stdin: "reset" resets every socket; every line is answered with the number still open.
process.stdin.on('data', (line: Buffer) => {
  if (line.toString().startsWith('reset')) for (const socket of sockets) socket.resetAndDestroy();
  process.stdout.write(`${sockets.size}\n`);
});
process.stdin.on('end', () => process.exit(0));
