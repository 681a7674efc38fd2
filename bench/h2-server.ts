// The HTTP/2 benchmark's server, run as its own process (pinned with taskset by h2.ts): an
// h2c node:http2 server answering every GET with a small fixed body. It prints its port.
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';

const body = Buffer.from('hello from h2\n');
const server = http2.createServer({ settings: { maxConcurrentStreams: 1000 } });
server.on('stream', (stream) => {
  stream.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': body.length });
  stream.end(body);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as AddressInfo).port}\n`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
