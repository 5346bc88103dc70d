// Benchmark of the join's proof of work: what solving a challenge costs a client at each difficulty
// (median and p99 time, hashes tried), with the page's own solver (web/src/proof-of-work/solve.ts,
// the code the Web Worker runs, loaded as TypeScript by Node's type stripping), and what verifying a
// join's solution costs the server (waiting-room/proof-of-work.ts) beside one raw SHA-256 and one raw
// HMAC-SHA-256 in the same run. Every solution is verified by the server code, so a solver that
// drifted from the verifier fails here. In-process, no stack needed. Prints only JSON on stdout.
//   node dist/loadtests/proof-of-work-cost.js
//   (BENCH_POW_BITS=0,12,16,18,20 BENCH_POW_SECONDS=30 BENCH_POW_MAX_SAMPLES=100 BENCH_VERIFY_OPS=50000)
import { createHash, createHmac } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ProofOfWork, proofOfWorkKey } from '../waiting-room/proof-of-work.js';
import { percentile } from './bench-stats.js';

const bitsList = (process.env.BENCH_POW_BITS ?? '0,12,16,18,20').split(',').map(Number);
// Per difficulty: as many solves as fit in this budget (at least 3), at most the cap.
const secondsPerDifficulty = Number(process.env.BENCH_POW_SECONDS ?? 30);
const maxSamples = Number(process.env.BENCH_POW_MAX_SAMPLES ?? 100);
const verifyOps = Number(process.env.BENCH_VERIFY_OPS ?? 50_000);

/** The browser solver's shape (web/ is an island: its types are not imported, its file is loaded). */
interface Solver {
  solveChallenge(challenge: string, bits: number): Promise<{ solution: string; hashes: number }>;
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..').replace(/\/dist$/, '');

function round(value: number, digits = 2): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

async function main(): Promise<void> {
  const solver = (await import(pathToFileURL(path.join(root, 'web/src/proof-of-work/solve.ts')).href)) as Solver;
  const pow = new ProofOfWork(proofOfWorkKey('bench-secret-bench-secret-bench-secret'), Date.now);
  const eventId = 'bench-pow';

  const solving = [];
  for (const bits of bitsList) {
    const millis: number[] = [];
    const hashes: number[] = [];
    const started = performance.now();
    while (millis.length < maxSamples && (millis.length < 3 || performance.now() - started < secondsPerDifficulty * 1000)) {
      const { challenge } = pow.issue(eventId, bits);
      const t0 = performance.now();
      const solved = await solver.solveChallenge(challenge, bits);
      millis.push(performance.now() - t0);
      hashes.push(solved.hashes);
      pow.verify(eventId, { challenge, solution: solved.solution });
    }
    millis.sort((a, b) => a - b);
    hashes.sort((a, b) => a - b);
    const totalHashes = hashes.reduce((sum, value) => sum + value, 0);
    const totalMs = millis.reduce((sum, value) => sum + value, 0);
    solving.push({
      bits,
      samples: millis.length,
      expectedHashes: 2 ** bits,
      medianHashes: percentile(hashes, 0.5),
      meanHashes: Math.round(totalHashes / hashes.length),
      medianMs: round(percentile(millis, 0.5)),
      p99Ms: round(percentile(millis, 0.99)),
      maxMs: round(millis[millis.length - 1]!),
      hashesPerSecond: Math.round(totalHashes / (totalMs / 1000)),
      // Single solves vary widely (the tries are geometric): the average solve at this run's rate.
      expectedMsAtMeasuredRate: Math.round((2 ** bits / (totalHashes / totalMs)) * 10) / 10,
    });
  }

  // Server side: one honest 16-bit solution verified over and over (verify spends nothing itself;
  // the join script's SET NX is part of the join's Redis round trip, measured by waiting-room-join.js).
  const { challenge } = pow.issue(eventId, 16);
  const proof = { challenge, solution: (await solver.solveChallenge(challenge, 16)).solution };
  const hmacKey = proofOfWorkKey('bench-secret-bench-secret-bench-secret');
  const timeOps = (run: () => unknown): number => {
    for (let i = 0; i < 1_000; i += 1) run();
    const t0 = performance.now();
    for (let i = 0; i < verifyOps; i += 1) run();
    return ((performance.now() - t0) * 1000) / verifyOps;
  };
  const verifyMicros = timeOps(() => pow.verify(eventId, proof));
  const sha256Micros = timeOps(() => createHash('sha256').update(`${proof.challenge}:${proof.solution}`).digest());
  const hmacMicros = timeOps(() => createHmac('sha256', hmacKey).update(proof.challenge).digest());
  const issueMicros = timeOps(() => pow.issue(eventId, 16));

  process.stdout.write(
    `${JSON.stringify(
      {
        node: process.version,
        solver: 'web/src/proof-of-work/solve.ts (crypto.subtle SHA-256, batches of 256)',
        solving,
        server: {
          ops: verifyOps,
          verifyMicrosPerJoin: round(verifyMicros),
          issueMicrosPerChallenge: round(issueMicros),
          rawSha256Micros: round(sha256Micros),
          rawHmacSha256Micros: round(hmacMicros),
          rawSha256HashesPerSecond: Math.round(1e6 / sha256Micros),
        },
      },
      null,
      2,
    )}\n`,
  );
}

await main();
