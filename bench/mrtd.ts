/**
 * MRTD benchmark (npm run bench): MRTD throughput of a full launch replay (QEMU -> KVM -> module)
 * as a ratio to raw SHA-384 throughput of the same backend over the same number of bytes (the
 * MRTD byte stream: 128 per PAGE.ADD, 384 per MR.EXTEND), measured in the same run. Target ≥ 0.8.
 * Cases: the Debian OVMF fixture (case K) and a synthetic 256 MiB measured payload (allocated once,
 * never copied by the replay); for the latter, peak RSS must stay below payload + 64 MiB.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type CryptoBackend, nodeCrypto, portableCrypto } from "../src/crypto/index.js";
import { measureLaunch } from "../src/measure/launch.js";

const MiB = 1024 * 1024;
const here = dirname(fileURLToPath(import.meta.url));
/** Repository root from dist-bench/bench/ or bench/. */
const repoRoot = resolve(here, here.includes("dist-bench") ? "../.." : "..");
const FIXTURE = "firmware/debian-bookworm-ovmf-2022.11.fd";

/** Path of the OVMF fixture; exits with a clear message when it is missing. */
function fixturePath(): string {
  const dir = process.env["TDX_ATTEST_FIXTURES"]
    ? resolve(process.env["TDX_ATTEST_FIXTURES"])
    : resolve(repoRoot, "..", "shared", "fixtures");
  const p = join(dir, FIXTURE);
  if (!existsSync(p)) {
    process.stderr.write(
      `bench/mrtd: missing fixture ${p} (set TDX_ATTEST_FIXTURES to the shared fixtures folder)\n`,
    );
    process.exit(1);
  }
  return p;
}

function readFixture(p: string): Uint8Array {
  const b = readFileSync(p);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

const gc = (globalThis as { gc?: () => void }).gc;

/**
 * Raw SHA-384 of `total` bytes streamed from `source` in 64 KiB updates (wrapping around): the
 * same number of bytes as the MRTD stream, read from the same memory the replay reads.
 */
function rawSha384Ms(crypto: CryptoBackend, source: Uint8Array, total: number): number {
  const step = 64 * 1024;
  const t0 = performance.now();
  const h = crypto.createHash("sha384");
  let left = total;
  let at = 0;
  while (left > 0) {
    const n = Math.min(left, step, source.length - at);
    h.update(source.subarray(at, at + n));
    left -= n;
    at = at + n === source.length ? 0 : at + n;
  }
  h.digest();
  return performance.now() - t0;
}

interface Row {
  name: string;
  backend: string;
  bytesHashed: number;
  mrtdMs: number;
  rawMs: number;
}

function report(r: Row): void {
  const mbs = (ms: number) => (r.bytesHashed / MiB / (ms / 1000)).toFixed(0);
  const ratio = r.rawMs / r.mrtdMs;
  process.stdout.write(
    `${r.name.padEnd(28)} ${r.backend.padEnd(6)} ${(r.bytesHashed / MiB).toFixed(1).padStart(7)} MiB hashed  MRTD ${mbs(r.mrtdMs).padStart(5)} MiB/s  raw SHA-384 ${mbs(r.rawMs).padStart(5)} MiB/s  ratio ${ratio.toFixed(3)} ${ratio >= 0.8 ? "(ok, target >= 0.8)" : "(BELOW target 0.8)"}\n`,
  );
}

/** Best of `n` runs of both the replay and the raw hash over the replay's byte count. */
function benchOvmf(fw: Uint8Array, crypto: CryptoBackend, n: number): Row {
  let mrtdMs = Number.POSITIVE_INFINITY;
  let rawMs = Number.POSITIVE_INFINITY;
  let bytesHashed = 0;
  // Warm-up (JIT), untimed.
  for (let i = 0; i < n; i++)
    rawSha384Ms(crypto, fw, measureLaunch({ firmware: fw }, { crypto }).stats.bytesHashed);
  gc?.();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const g = measureLaunch({ firmware: fw, qemuVersion: "9.0" }, { crypto });
    mrtdMs = Math.min(mrtdMs, performance.now() - t0);
    bytesHashed = g.stats.bytesHashed;
    rawMs = Math.min(rawMs, rawSha384Ms(crypto, fw, bytesHashed));
  }
  return { name: "OVMF 2022.11 (case K)", backend: crypto.name, bytesHashed, mrtdMs, rawMs };
}

/** A deterministic payload, allocated and filled once before timing (it is the "payload" in RSS). */
function payloadBytes(size: number): Uint8Array {
  const b = new Uint8Array(size);
  const v = new Uint32Array(b.buffer);
  for (let i = 0; i < v.length; i++) v[i] = Math.imul(i, 0x9e3779b1) >>> 0;
  return b;
}

function benchPayload(
  size: number,
  crypto: CryptoBackend,
  reps: number,
): Row & { peakRss: number; baseRss: number } {
  gc?.();
  const baseRss = process.memoryUsage().rss;
  const data = payloadBytes(size);
  let peakRss = process.memoryUsage().rss;
  let mrtdMs = Number.POSITIVE_INFINITY;
  let rawMs = Number.POSITIVE_INFINITY;
  let bytesHashed = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    const g = measureLaunch({ payloads: [{ gpa: 0x100000, data }] }, { crypto });
    mrtdMs = Math.min(mrtdMs, performance.now() - t0);
    bytesHashed = g.stats.bytesHashed;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    rawMs = Math.min(rawMs, rawSha384Ms(crypto, data, bytesHashed));
  }
  return {
    name: `payload ${size / MiB} MiB (measured)`,
    backend: crypto.name,
    bytesHashed,
    mrtdMs,
    rawMs,
    peakRss,
    baseRss,
  };
}

/** Each case runs in its own process (clean heap and RSS baseline), like bench/run.ts does. */
function runCase(which: string): void {
  const node = nodeCrypto();
  const backend = which.endsWith("noble") || !node ? portableCrypto : node;
  if (which.startsWith("payload")) {
    const size = which === "payload-noble" ? 32 * MiB : 256 * MiB;
    const p = benchPayload(size, backend, which === "payload-noble" ? 1 : 3);
    report(p);
    const limit = size + 64 * MiB;
    process.stdout.write(
      `${"".padEnd(28)} peak RSS ${(p.peakRss / MiB).toFixed(0)} MiB (process baseline ${(p.baseRss / MiB).toFixed(0)} MiB); limit payload + 64 MiB = ${limit / MiB} MiB: ${p.peakRss < limit ? "ok" : "EXCEEDED"}\n`,
    );
    return;
  }
  report(benchOvmf(readFixture(fixturePath()), backend, backend.name === "node" ? 40 : 5));
}

function main(): void {
  const which = process.argv[2];
  if (which) {
    runCase(which);
    return;
  }
  fixturePath(); // fail early and clearly when the fixture is missing
  const cases = nodeCrypto()
    ? ["payload", "ovmf", "ovmf-noble", "payload-noble"]
    : ["payload-noble", "ovmf-noble"];
  const self = fileURLToPath(import.meta.url);
  for (const c of cases) {
    const r = spawnSync(process.execPath, ["--expose-gc", self, c], { stdio: "inherit" });
    if (r.status !== 0) process.exitCode = 1;
  }
}

main();
