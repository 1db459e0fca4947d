/**
 * Node-only parallel ECDSA P-256 verification: one persistent worker thread (started lazily,
 * unref'd so it never keeps the process alive) shares a job table with the main thread through a
 * SharedArrayBuffer. `start` posts a job and returns a thenable; when the caller awaits it, the
 * main thread runs the job itself if the worker has not picked it up yet, or first runs other
 * posted jobs (newest first) while the worker finishes it (work stealing). Results are those of
 * the synchronous path (same node:crypto call on the same bytes, copied at `start`), and with the
 * worker absent, busy or not yet started every job simply runs on the main thread. No postMessage
 * round trip (about 150 us) is involved: the worker sleeps on Atomics.wait and is woken by
 * Atomics.notify.
 */
import type * as NodeWorkers from "node:worker_threads";

/** Verifies one job synchronously on the calling thread (the node backend's verifyP256). */
export type SyncVerify = (point65: Uint8Array, data: Uint8Array, signature: Uint8Array) => boolean;

const SLOTS = 16;
const DATA_MAX = 8192;
/** Per slot: 65-byte point, 64-byte signature, then the data. */
const SLOT_BYTES = 65 + 64 + DATA_MAX;
/** Control words: [doorbell, state[SLOTS], length[SLOTS], seq[SLOTS], sleeping]. */
const CTRL = 2 + 3 * SLOTS;
const SLEEPING = 1 + 3 * SLOTS;
/**
 * How long the idle worker polls for new jobs before sleeping: about one verification's gap, so
 * that back-to-back verifications do not each pay a wake-up.
 */
const SPIN_MS = 0.02;
/** How long the main thread waits for a job the worker holds before running it itself. */
const WAIT_MS = 0.12;
/**
 * Self-tuning: every CYCLE jobs, PROBE jobs go through the worker and PROBE jobs run on the
 * main thread alone; the main thread's time spent per job (verifying, copying, stealing,
 * waiting) decides which way the rest of the cycle runs. On a machine whose other core is busy
 * the worker does not pay off, and this falls back to the sequential path by measurement.
 */
const CYCLE = 1024;
const PROBE = 64;
const FREE = 0;
const POSTED = 1;
const WORKING = 2;
const DONE_TRUE = 3;
const DONE_FALSE = 4;

/** Worker body (CommonJS, evaluated from a string so no file path has to resolve at run time). */
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const nc = require("node:crypto");
const { ctrl: cb, data: db, slots: S, slotBytes: SB } = workerData;
const ctrl = new Int32Array(cb);
const data = new Uint8Array(db);
const prefix = Buffer.from("3059301306072a8648ce3d020106082a8648ce3d030107034200", "hex");
const keys = new Map();
function next() {
  let best = -1, bestSeq = 0;
  for (let i = 0; i < S; i++) {
    if (Atomics.load(ctrl, 1 + i) !== 1) continue;
    const seq = Atomics.load(ctrl, 1 + 2 * S + i);
    if (best < 0 || seq < bestSeq) { best = i; bestSeq = seq; }
  }
  return best;
}
function run(i) {
  const base = i * SB;
  const len = Atomics.load(ctrl, 1 + S + i);
  const point = Buffer.from(data.slice(base, base + 65));
  const sig = Buffer.from(data.slice(base + 65, base + 129));
  const msg = Buffer.from(data.slice(base + 129, base + 129 + len));
  let ok = false;
  try {
    const id = point.toString("latin1");
    let key = keys.get(id);
    if (!key) {
      key = nc.createPublicKey({ key: Buffer.concat([prefix, point]), format: "der", type: "spki" });
      if (keys.size > 4096) keys.clear();
      keys.set(id, key);
    }
    ok = nc.verify("sha256", msg, { key, dsaEncoding: "ieee-p1363" }, sig);
  } catch { ok = false; }
  Atomics.store(ctrl, 1 + i, ok ? 3 : 4);
  Atomics.notify(ctrl, 1 + i);
}
const SLEEPING = 1 + 3 * S;
for (;;) {
  let i = next();
  if (i < 0) {
    const until = performance.now() + ${SPIN_MS};
    while ((i = next()) < 0 && performance.now() < until);
  }
  if (i < 0) {
    Atomics.store(ctrl, SLEEPING, 1);
    const bell = Atomics.load(ctrl, 0);
    if (next() < 0) Atomics.wait(ctrl, 0, bell);
    Atomics.store(ctrl, SLEEPING, 0);
    continue;
  }
  if (Atomics.compareExchange(ctrl, 1 + i, 1, 2) === 1) run(i);
}
`;

interface Job {
  slot: number;
  seq: number;
  result?: boolean;
}

export interface ParallelVerifier {
  /** Posts a verification; the thenable resolves to exactly what `verify` would return. */
  start(point65: Uint8Array, data: Uint8Array, signature: Uint8Array): PromiseLike<boolean>;
}

type WorkerCtor = typeof NodeWorkers.Worker;

/**
 * A parallel verifier, or undefined when worker threads or SharedArrayBuffer are unavailable
 * (the caller then stays sequential).
 */
export function createParallelVerifier(verify: SyncVerify): ParallelVerifier | undefined {
  const p = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const wt = p?.getBuiltinModule?.("node:worker_threads") as typeof NodeWorkers | undefined;
  if (!wt || typeof SharedArrayBuffer !== "function" || typeof Atomics.wait !== "function") return undefined;
  const Worker: WorkerCtor = wt.Worker;
  const ctrlBuf = new SharedArrayBuffer(CTRL * 4);
  const dataBuf = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
  const ctrl = new Int32Array(ctrlBuf);
  const bytes = new Uint8Array(dataBuf);
  const jobs: (Job | undefined)[] = new Array(SLOTS).fill(undefined);
  let seq = 0;
  let worker: NodeWorkers.Worker | undefined;
  let failed = false;
  let inCycle = 0;
  let useWorkerNow = true;
  /** Main-thread milliseconds and jobs, alone and with the worker, over the current probes. */
  let spentAlone = 0;
  let spentWorker = 0;
  let nAlone = 0;
  let nWorker = 0;

  const state = (i: number) => Atomics.load(ctrl, 1 + i);

  function ensureWorker(): void {
    if (worker || failed) return;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { ctrl: ctrlBuf, data: dataBuf, slots: SLOTS, slotBytes: SLOT_BYTES },
      });
      worker.unref();
      // A dead worker leaves its jobs POSTED (the main thread steals them) or WORKING (handled
      // by `settle`, which then runs the job itself).
      worker.on("error", () => {
        failed = true;
      });
      worker.on("exit", () => {
        failed = true;
      });
    } catch {
      failed = true;
    }
  }

  /** Moves a finished slot's result into its job (unless already known) and frees the slot. */
  function harvest(i: number): void {
    const s = state(i);
    if (s !== DONE_TRUE && s !== DONE_FALSE) return;
    const job = jobs[i];
    if (job && job.result === undefined) job.result = s === DONE_TRUE;
    jobs[i] = undefined;
    Atomics.store(ctrl, 1 + i, FREE);
  }

  /** Runs slot `i`'s job on this thread from the slot's bytes (they stay put until FREE). */
  function runHere(i: number): boolean {
    const base = i * SLOT_BYTES;
    const len = Atomics.load(ctrl, 1 + SLOTS + i);
    return verify(
      bytes.subarray(base, base + 65),
      bytes.subarray(base + 129, base + 129 + len),
      bytes.subarray(base + 65, base + 129),
    );
  }

  function freeSlot(): number {
    for (let i = 0; i < SLOTS; i++) {
      harvest(i);
      if (state(i) === FREE) return i;
    }
    return -1;
  }

  /** Runs a posted job on this thread if the worker has not claimed it. */
  function steal(i: number): boolean {
    const job = jobs[i];
    if (!job || Atomics.compareExchange(ctrl, 1 + i, POSTED, WORKING) !== POSTED) return false;
    job.result = runHere(i);
    jobs[i] = undefined;
    Atomics.store(ctrl, 1 + i, FREE);
    return true;
  }

  /** The newest posted job other than `except`, or -1. */
  function newestPosted(except: number): number {
    let best = -1;
    let bestSeq = -1;
    for (let i = 0; i < SLOTS; i++) {
      const job = jobs[i];
      if (i !== except && job && state(i) === POSTED && job.seq > bestSeq) {
        best = i;
        bestSeq = job.seq;
      }
    }
    return best;
  }

  /** True when slot `i` left WORKING within WAIT_MS. */
  function spinWhileWorking(i: number): boolean {
    const until = performance.now() + WAIT_MS;
    while (state(i) === WORKING) if (performance.now() > until) return false;
    return true;
  }

  function settle(job: Job): boolean {
    for (;;) {
      if (job.result !== undefined) return job.result;
      const i = job.slot;
      harvest(i);
      if (job.result !== undefined || steal(i)) continue;
      const other = newestPosted(i);
      if (other >= 0) {
        steal(other);
        continue;
      }
      // The worker holds this job. Wait about one verification for it; if the worker is slow
      // (descheduled on a loaded machine, or dead), run the job here as well: the result is the
      // same, and the slot is freed when the worker reports (harvest).
      // Spin rather than Atomics.wait: a blocked main thread loses its CPU on a busy machine and
      // waits a scheduler tick (milliseconds) to get it back.
      if (!failed && spinWhileWorking(i)) continue;
      if (state(i) === WORKING) job.result = runHere(i);
    }
  }

  /** Which way the next job runs (see CYCLE). */
  function useWorker(): boolean {
    if (failed) return false;
    const k = inCycle++;
    if (inCycle >= CYCLE) inCycle = 0;
    if (k < PROBE) return true;
    if (k < 2 * PROBE) return false;
    if (k === 2 * PROBE && nAlone > 0 && nWorker > 0) {
      // Keep the worker unless it clearly does not pay (probes are short and noisy).
      useWorkerNow = spentWorker / nWorker < 0.9 * (spentAlone / nAlone);
      spentAlone = 0;
      spentWorker = 0;
      nAlone = 0;
      nWorker = 0;
    }
    return useWorkerNow;
  }

  function alone(point65: Uint8Array, data: Uint8Array, signature: Uint8Array): PromiseLike<boolean> {
    const t = performance.now();
    const r = verify(point65, data, signature);
    spentAlone += performance.now() - t;
    nAlone++;
    return Promise.resolve(r);
  }

  function timedSettle(job: Job): boolean {
    if (job.result !== undefined) return job.result;
    const t = performance.now();
    const r = settle(job);
    spentWorker += performance.now() - t;
    return r;
  }

  return {
    start(point65, data, signature) {
      ensureWorker();
      const t = performance.now();
      const i = data.length <= DATA_MAX && useWorker() ? freeSlot() : -1;
      if (i < 0) return alone(point65, data, signature);
      const base = i * SLOT_BYTES;
      bytes.set(point65, base);
      bytes.set(signature, base + 65);
      bytes.set(data, base + 129);
      const job: Job = { slot: i, seq: seq++ };
      jobs[i] = job;
      Atomics.store(ctrl, 1 + SLOTS + i, data.length);
      Atomics.store(ctrl, 1 + 2 * SLOTS + i, job.seq | 0);
      Atomics.store(ctrl, 1 + i, POSTED);
      Atomics.add(ctrl, 0, 1);
      // One wake-up per sleep (a futex call per job costs more than it saves).
      if (Atomics.compareExchange(ctrl, SLEEPING, 1, 2) === 1) Atomics.notify(ctrl, 0);
      spentWorker += performance.now() - t;
      nWorker++;
      return {
        // biome-ignore lint/suspicious/noThenProperty: a lazy thenable on purpose: the job is settled (stolen, waited for or re-run) only when the caller awaits it
        then: (ok, ko) => Promise.resolve(timedSettle(job)).then(ok, ko),
      };
    },
  };
}
