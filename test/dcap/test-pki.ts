/** Test helper: the committed test PKI (fixtures/test-pki, made by scripts/gen-test-pki.mjs). */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type VerifiedQuote, type VerifyQuoteOptions, verifyQuote } from "../../src/dcap/verify.js";
import { TdxError } from "../../src/errors.js";
import {
  createTestPki,
  TEST_PKI_NOW,
  type TestPki,
  type TestPkiKeys,
  type TestPkiOptions,
} from "../../src/sim/pki.js";
import {
  type SimulatedQeOptions,
  type SyntheticTdReportFields,
  simulateQuote,
  syntheticTdReport,
} from "../../src/sim/qe.js";

export const PKI_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "fixtures", "test-pki");
export const testKeys = JSON.parse(readFileSync(join(PKI_DIR, "keys.json"), "utf8")) as TestPkiKeys;
export const NOW = TEST_PKI_NOW;

export function pki(o: TestPkiOptions = {}): Promise<TestPki> {
  return createTestPki(testKeys, o);
}

export async function quoteFor(p: TestPki, f: SyntheticTdReportFields = {}, o: SimulatedQeOptions = {}) {
  return simulateQuote(syntheticTdReport(f), p, o);
}

/** Verifies against the PKI's own root at NOW; returns the verdict or the error code. */
export async function run(
  p: TestPki,
  quote: Uint8Array,
  o: VerifyQuoteOptions = {},
): Promise<VerifiedQuote | string> {
  try {
    return await verifyQuote(quote, p.collateral, { now: NOW, trustedRoots: [p.rootCa], ...o });
  } catch (e) {
    if (e instanceof TdxError) return e.code;
    throw e;
  }
}

export function status(r: VerifiedQuote | string): string {
  return typeof r === "string" ? r : r.status;
}
