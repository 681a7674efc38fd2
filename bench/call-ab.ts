// A/B of a genServer.call round trip between two compiled builds, in one Node process:
// both builds are loaded side by side and their runs alternate (A then B, then B then A…),
// so load from other programs on the machine falls on both alike. CPU time (user + system)
// per call and per send + receive pair; the verdict is the median of the per-round B ÷ A
// ratios of the call. See bench/README.md ("genServer.call: A/B of two builds").
//
//   npx tsc -p tsconfig.bench.json --outDir node_modules/.cache/erlgun-bench-a   # on the old commit
//   npx tsc -p tsconfig.bench.json --outDir node_modules/.cache/erlgun-bench-b   # on the new one
//   node node_modules/.cache/erlgun-bench-b/bench/call-ab.js erlgun-bench-a erlgun-bench-b
import { fileURLToPath } from 'node:url';

type Erlgun = typeof import('../src/index.js');
const CALLS = Number(process.env.CALLS ?? 20_000);
const ROUNDS = Number(process.env.ROUNDS ?? 10);
const cache = fileURLToPath(new URL('../../', import.meta.url));

const cpuNs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
};

async function load(build: string): Promise<{ calls(): Promise<number>; pairs(): Promise<number> }> {
  const { _, anyPid, genServer, ok, on, receive, self, send, spawn } = (await import(`${cache}${build}/src/index.js`)) as Erlgun;
  const inProcess = <T>(body: () => Promise<T>): Promise<T> => new Promise((resolve, reject) => {
    spawn(async () => body().then(resolve, reject));
  });
  return {
    calls: () => inProcess(async () => {
      const server = ok(genServer.start<null, number, number, never, unknown, undefined>({ init: () => ['ok', null], handleCall: (n, _from, s) => ['reply', n, s] }, undefined));
      let sum = 0;
      const t0 = cpuNs();
      for (let i = 0; i < CALLS; i++) sum += await genServer.call(server, i);
      const ns = (cpuNs() - t0) / CALLS;
      if (sum !== (CALLS * (CALLS - 1)) / 2) throw new Error('a call got a wrong reply');
      await genServer.stop(server);
      return ns;
    }),
    pairs: () => inProcess(async () => {
      const echo = spawn(async () => {
        const clauses = [on([anyPid, _], ([from, n]) => send(from, ['echo', n])), on('stop', () => 'stop')] as const;
        while ((await receive(clauses)) !== 'stop');
      });
      const answer = [on(['echo', _], ([, n]) => n as number)] as const;
      const me = self();
      let sum = 0;
      const t0 = cpuNs();
      for (let i = 0; i < CALLS; i++) {
        send(echo, [me, i]);
        sum += await receive(answer);
      }
      const ns = (cpuNs() - t0) / CALLS;
      if (sum !== (CALLS * (CALLS - 1)) / 2) throw new Error('a pair got a wrong answer');
      send(echo, 'stop');
      return ns;
    }),
  };
}

const [nameA, nameB] = process.argv.slice(2);
if (nameA === undefined || nameB === undefined) throw new Error('usage: call-ab.js <build A> <build B> (directories under node_modules/.cache)');
const builds = [[nameA, await load(nameA)], [nameB, await load(nameB)]] as const;
for (const [, b] of builds) for (let i = 0; i < 2; i++) await b.calls().then(() => b.pairs());

const seen = builds.map(() => ({ call: [] as number[], pair: [] as number[] }));
for (let round = 0; round < ROUNDS; round++) {
  for (const k of round % 2 === 0 ? [0, 1] : [1, 0]) {
    seen[k]!.call.push(await builds[k]![1].calls());
    seen[k]!.pair.push(await builds[k]![1].pairs());
  }
}
const median = (xs: readonly number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1]!;
builds.forEach(([name], k) => {
  const { call, pair } = seen[k]!;
  console.log(`${name}: call ${median(call).toFixed(0)} ns, pair ${median(pair).toFixed(0)} ns (CPU), call ÷ pair ${(median(call) / median(pair)).toFixed(2)}×`);
});
const ratios = seen[1]!.call.map((b, i) => b / seen[0]!.call[i]!);
console.log(`call, ${nameB} ÷ ${nameA}: median of ${ROUNDS} rounds ${median(ratios).toFixed(3)} [${ratios.map((r) => r.toFixed(2)).join(' ')}]`);
process.exit(0);
