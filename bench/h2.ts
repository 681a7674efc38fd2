// HTTP/2 requests per second: 100 concurrent GETs × 100 rounds on one connection, erlgun
// (the script's process owns the connection and receives gun_response + gun_data per
// stream) against a raw node:http2 client doing the same on its own session, in the same
// run, alternating which goes first. The server runs in its own pinned process.
import { execFileSync, spawn as spawnChild } from 'node:child_process';
import http2 from 'node:http2';
import { fileURLToPath } from 'node:url';
import { _, gun, on, receive, receiveNow, TIMEOUT, type Pid, type StreamRef } from './runtime-api.js';
import { fmt, printTable, sampleOf, spread } from './table.js';

const CONCURRENT = 100;
const ROUNDS = 100;
const PAIRS = 15;

execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });

async function startServer(): Promise<{ port: number; stop(): void }> {
  const script = fileURLToPath(new URL('./h2-server.js', import.meta.url));
  const child = spawnChild('taskset', ['-c', '1', process.execPath, script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = Number(await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()))));
  return { port, stop: () => child.stdin!.end() };
}

/** erlgun: 100 gun.get per round, then every stream's fin is received before the next round. */
async function erlgunRun(conn: Pid): Promise<number> {
  const start = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    const open = new Set<StreamRef>();
    for (let i = 0; i < CONCURRENT; i++) open.add(gun.get(conn, '/'));
    const clauses = [
      on(['gun_data', conn, _, 'fin', _], ([, , ref]) => open.delete(ref)),
      on(['gun_response', conn, _, _, _, _], ([, , ref, fin]) => fin === 'fin' && open.delete(ref)),
    ] as const;
    while (open.size > 0) if (receiveNow(clauses) === TIMEOUT) await receive(clauses);
  }
  return (CONCURRENT * ROUNDS) / ((performance.now() - start) / 1000);
}

/** raw node:http2: the same 100 requests per round, each read to its end. */
async function rawRun(session: http2.ClientHttp2Session): Promise<number> {
  const start = performance.now();
  for (let round = 0; round < ROUNDS; round++) {
    await Promise.all(Array.from({ length: CONCURRENT }, () => new Promise<void>((resolve, reject) => {
      const stream = session.request({ ':path': '/' });
      stream.on('data', () => undefined);
      stream.on('end', resolve);
      stream.on('error', reject);
    })));
  }
  return (CONCURRENT * ROUNDS) / ((performance.now() - start) / 1000);
}

const server = await startServer();
const conn = gun.open('127.0.0.1', server.port, { protocols: ['http2'], retry: 0 });
const up = await gun.awaitUp(conn);
if (up[0] !== 'ok' || up[1] !== 'http2') throw new Error(`bench: no HTTP/2 connection: ${String(up)}`);
const session = http2.connect(`http://127.0.0.1:${server.port}`);
await new Promise<void>((resolve) => session.once('connect', () => resolve()));

for (let i = 0; i < 2; i++) {
  await erlgunRun(conn);
  await rawRun(session);
}
const ratios: number[] = [];
const ours: number[] = [];
const theirs: number[] = [];
for (let i = 0; i < PAIRS; i++) {
  let e: number;
  let r: number;
  if (i % 2 === 0) {
    e = await erlgunRun(conn);
    r = await rawRun(session);
  } else {
    r = await rawRun(session);
    e = await erlgunRun(conn);
  }
  ours.push(e);
  theirs.push(r);
  ratios.push(e / r);
}
const r = sampleOf(ratios);
printTable(`HTTP/2 — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, client on CPU 0, server on CPU 1`, 'raw node:http2', [{
  case: `${CONCURRENT} concurrent GETs × ${ROUNDS} rounds on one connection (requests/s)`,
  erlgun: fmt(sampleOf(ours).median, 0),
  anchor: fmt(sampleOf(theirs).median, 0),
  ratio: `${fmt(r.median)}×`,
  note: `target ≥ 0.8×: ${r.median >= 0.8 ? 'met' : 'NOT met'}`,
}]);
console.log(`\nratio = median of the erlgun ÷ raw ratios of ${PAIRS} runs made back to back, alternating which goes first, after two warm-up rounds each. Middle half of those ratios: ${fmt(r.p25)}–${fmt(r.p75)}×; spread of erlgun's runs ${spread(sampleOf(ours))}.`);
gun.close(conn);
session.close();
server.stop();
