// Run by test/gun/diagnostics.test.ts with NODE_DEBUG=erlgun: a connection to a dead port
// connects, retries once and gives up.
import { _, gun, monitor, on, receive } from '../../src/index.js';
import { deadPort } from './servers.js';

const port = await deadPort();
const conn = gun.open('127.0.0.1', port, { retry: 1, retryTimeout: 10 });
const ref = monitor(conn);
await receive([on(['DOWN', ref, 'process', conn, _], () => undefined)]);
