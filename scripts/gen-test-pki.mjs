#!/usr/bin/env node
/**
 * Generates the committed test PKI in fixtures/test-pki/ ONCE (re-running replaces every key):
 *
 *   npm run build && node scripts/gen-test-pki.mjs
 *
 * Writes keys.json (private JWKs of the TEST root CA, PCK Platform CA, PCK leaf, TCB Signing and
 * QE attestation keys: test-only, never trust them), root-ca.pem, collateral.json (dcap-qvl
 * shape, valid 2026-01-01..2027-01-01), tdreport.bin (a synthetic TDREPORT) and quote-v4.dat /
 * quote-v5.dat (that TDREPORT quoted by the simulated QE). Tests rebuild variants of this PKI
 * from keys.json with createTestPki().
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodePemCertificates } from "../dist/abi/pem.js";
import { createTestPki, generateTestPkiKeys } from "../dist/sim/pki.js";
import { simulateQuote, syntheticTdReport } from "../dist/sim/qe.js";

const out = join(dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "test-pki");
mkdirSync(out, { recursive: true });
const keys = await generateTestPkiKeys();
const pki = await createTestPki(keys);
const report = syntheticTdReport({
  reportData: new TextEncoder().encode("tdx-attest test PKI sample".padEnd(64, "\0")),
});
writeFileSync(join(out, "keys.json"), `${JSON.stringify(keys, null, 2)}\n`);
writeFileSync(join(out, "root-ca.pem"), encodePemCertificates([pki.rootCa]));
writeFileSync(join(out, "collateral.json"), `${JSON.stringify(pki.collateralJson, null, 2)}\n`);
writeFileSync(join(out, "tdreport.bin"), report);
writeFileSync(join(out, "quote-v4.dat"), await simulateQuote(report, pki, { version: 4 }));
writeFileSync(join(out, "quote-v5.dat"), await simulateQuote(report, pki, { version: 5, bodyType: 3 }));
process.stdout.write(`wrote the test PKI to ${out}\n`);
