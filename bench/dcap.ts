/**
 * DCAP verification throughput on the real fixture quotes/dcapqvl-tdx-v4.dat with
 * collateral/dcapqvl-tdx-b0c06f.json at 2025-07-01T00:00:00Z, against @phala/dcap-qvl in the
 * same process. Cold: a fresh collateral cache per quote (every collateral and PCK chain
 * signature is checked again); warm: one cache shared by all quotes.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { defaultCrypto } from "../src/crypto/index.js";
import { CollateralCache } from "../src/dcap/cache.js";
import { collateralFromJson } from "../src/dcap/collateral.js";
import { verifyQuote } from "../src/dcap/verify.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = process.env["TDX_ATTEST_FIXTURES"] ?? resolve(here, "..", "..", "..", "shared", "fixtures");
const quote = new Uint8Array(readFileSync(join(fixtures, "quotes/dcapqvl-tdx-v4.dat")));
const collateralText = readFileSync(join(fixtures, "collateral/dcapqvl-tdx-b0c06f.json"), "utf8");
const NOW = new Date("2025-07-01T00:00:00Z");

interface DcapQvl {
  verify(quote: Uint8Array, collateral: unknown, now: number): { status: string };
}
const qvl = createRequire(import.meta.url)("@phala/dcap-qvl") as DcapQvl;

/** Runs `fn` repeatedly for about `ms` milliseconds after a warm-up; returns operations per second. */
async function rate(fn: () => unknown, ms: number): Promise<number> {
  for (let i = 0; i < 20; i++) await fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 10; i++) await fn();
    n += 10;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

async function main(): Promise<void> {
  const crypto = defaultCrypto();
  const qvlCollateral = JSON.parse(collateralText) as unknown;
  const nowSec = NOW.getTime() / 1000;
  const baseline = qvl.verify(quote, qvlCollateral, nowSec).status;
  const ours = (await verifyQuote(quote, collateralFromJson(collateralText), { now: NOW })).status;
  if (baseline !== ours) throw new Error(`status differs: dcap-qvl ${baseline}, tdx-attest ${ours}`);

  const ms = Number(process.env["BENCH_MS"] ?? 2000);
  const gc = (globalThis as { gc?: () => void }).gc;
  const qvlRate = await rate(() => qvl.verify(quote, qvlCollateral, nowSec), ms);
  gc?.();
  // Warm: one cache; the same collateral object for every quote (identity fast path).
  const warmCache = new CollateralCache(crypto);
  const collateral = collateralFromJson(collateralText);
  const warmRate = await rate(() => verifyQuote(quote, collateral, { now: NOW, cache: warmCache }), ms);
  gc?.();
  // Cold: a fresh cache per quote, so every certificate, CRL, TCB info and QE identity is parsed
  // and every signature checked again; the collateral is loaded once from its JSON text.
  const coldRate = await rate(
    () => verifyQuote(quote, collateral, { now: NOW, cache: new CollateralCache(crypto) }),
    ms,
  );
  gc?.();
  // Cold including loading: also decodes the dcap-qvl JSON object (hex CRLs, PEM chains) per quote,
  // which is what dcap-qvl's verify does with the same object.
  const coldLoadRate = await rate(
    () =>
      verifyQuote(quote, collateralFromJson(qvlCollateral), { now: NOW, cache: new CollateralCache(crypto) }),
    ms,
  );

  const line = (name: string, r: number) =>
    `${name.padEnd(36)} ${r.toFixed(0).padStart(8)} quotes/s  ${(r / qvlRate).toFixed(1).padStart(6)}x dcap-qvl`;
  process.stdout.write(`crypto backend: ${crypto.name}; status ${ours} (both)\n`);
  process.stdout.write(`${line("@phala/dcap-qvl verify", qvlRate)}\n`);
  process.stdout.write(`${line("tdx-attest cold (fresh cache)", coldRate)}\n`);
  process.stdout.write(`${line("tdx-attest cold + collateral load", coldLoadRate)}\n`);
  process.stdout.write(`${line("tdx-attest warm (cached collateral)", warmRate)}\n`);
  const ok = coldRate >= 10 * qvlRate && warmRate >= 25 * qvlRate;
  process.stdout.write(`targets (cold >= 10x, warm >= 25x): ${ok ? "met" : "NOT met"}\n`);
}

await main();
