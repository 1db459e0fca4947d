/**
 * `tdx-attest verify` in-process, with --collateral files and with --pccs against a local PCS
 * stand-in on 127.0.0.1 (started here; no other address is ever contacted) that serves the case B
 * collateral with Intel's real header names (tdx-reference.md section 15.1).
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromHex } from "../../src/bytes.js";
import { runCli } from "../support/cli.js";
import { fixturePath, fixtureText } from "../support/fixtures.js";

const QUOTE = fixturePath("quotes/dcapqvl-tdx-v4.dat");
const COLLATERAL = fixturePath("collateral/dcapqvl-tdx-b0c06f.json");
const AT = "2025-07-01T00:00:00Z";

describe("verify --collateral", () => {
  it("human output: one verdict line then details; exit 0", async () => {
    const r = await runCli(["verify", QUOTE, "--collateral", COLLATERAL, "--at", AT]);
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toBe(
      "OK: UpToDate (TDX quote v4, FMSPC b0c06f000000, TCB date 2024-03-13T00:00:00Z)",
    );
    expect(r.stdout).toContain("advisories:        none");
  });
  it("--json: the verdict with ok true", async () => {
    const r = await runCli(["verify", QUOTE, "--collateral", COLLATERAL, "--at", AT, "--json"]);
    const j = JSON.parse(r.stdout);
    expect([r.code, j.ok, j.status, j.fmspc, j.td.debug, j.quote.header.version]).toEqual([
      0,
      true,
      "UpToDate",
      "b0c06f000000",
      false,
      4,
    ]);
  });
  it("failure: ok false with the error code, non-zero exit", async () => {
    const r = await runCli([
      "verify",
      QUOTE,
      "--collateral",
      COLLATERAL,
      "--at",
      "2025-07-20T00:00:00Z",
      "--json",
    ]);
    const j = JSON.parse(r.stdout);
    expect([j.ok, j.error.code]).toEqual([false, "ERR_TCB_INFO_EXPIRED"]);
    expect(r.code).not.toBe(0);
    const h = await runCli(["verify", QUOTE, "--collateral", COLLATERAL, "--at", "2025-07-20T00:00:00Z"]);
    expect(h.stdout).toMatch(/^FAILED: ERR_TCB_INFO_EXPIRED: /);
    expect(h.code).toBe(4);
  });
  it("SGX quote: rejected by default, accepted with --tee sgx; a wrong --root fails", async () => {
    const sgx = fixturePath("quotes/dcapqvl-sgx-v3.dat");
    const col = fixturePath("collateral/dcapqvl-sgx-00a067.json");
    expect((await runCli(["verify", sgx, "--collateral", col, "--at", AT])).stdout).toContain(
      "ERR_UNSUPPORTED_TEE_TYPE",
    );
    const ok = await runCli(["verify", sgx, "--collateral", col, "--at", AT, "--tee", "sgx", "--json"]);
    expect(JSON.parse(ok.stdout).advisoryIds).toEqual(["INTEL-SA-00289", "INTEL-SA-00615"]);
    const root = join(process.cwd(), "fixtures", "test-pki", "root-ca.pem");
    const bad = await runCli([
      "verify",
      QUOTE,
      "--collateral",
      COLLATERAL,
      "--at",
      AT,
      "--root",
      root,
      "--json",
    ]);
    expect(JSON.parse(bad.stdout).error.code).toBe("ERR_UNTRUSTED_ROOT");
  });
  it("usage errors: no collateral source, bad --at", async () => {
    expect((await runCli(["verify", QUOTE])).code).toBe(2);
    expect((await runCli(["verify", QUOTE, "--collateral", COLLATERAL, "--at", "yesterday"])).code).toBe(2);
  });
});

describe("verify --pccs (local server on 127.0.0.1)", () => {
  let server: Server;
  let base = "";
  const hits: string[] = [];
  const cacheDir = mkdtempSync(join(tmpdir(), "tdx-attest-pccs-"));
  beforeAll(async () => {
    const c = JSON.parse(fixtureText("collateral/dcapqvl-tdx-b0c06f.json")) as Record<string, string>;
    const routes: Record<string, [string | Uint8Array, Record<string, string>]> = {
      "/tdx/certification/v4/tcb?fmspc=b0c06f000000": [
        `{"tcbInfo":${c["tcb_info"]},"signature":"${c["tcb_info_signature"]}"}`,
        { "TCB-Info-Issuer-Chain": encodeURIComponent(c["tcb_info_issuer_chain"]!) },
      ],
      "/tdx/certification/v4/qe/identity": [
        `{"enclaveIdentity":${c["qe_identity"]},"signature":"${c["qe_identity_signature"]}"}`,
        { "SGX-Enclave-Identity-Issuer-Chain": encodeURIComponent(c["qe_identity_issuer_chain"]!) },
      ],
      "/sgx/certification/v4/pckcrl?ca=platform&encoding=der": [
        fromHex(c["pck_crl"]!),
        { "SGX-PCK-CRL-Issuer-Chain": encodeURIComponent(c["pck_crl_issuer_chain"]!) },
      ],
      // PCCS returns the root CA CRL as hex text.
      "/sgx/certification/v4/rootcacrl": [c["root_ca_crl"]!, {}],
    };
    server = createServer((req, res) => {
      hits.push(req.url ?? "");
      const r = routes[req.url ?? ""];
      if (!r) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, r[1]).end(r[0]);
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const addr = server.address();
    if (!addr || typeof addr === "string") throw new Error("no address");
    base = `http://127.0.0.1:${addr.port}`;
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it("fetches with the real header names, verifies, and caches by FMSPC/CA", async () => {
    const r = await runCli(["verify", QUOTE, "--pccs", base, "--cache-dir", cacheDir, "--at", AT, "--json"]);
    expect(JSON.parse(r.stdout).status).toBe("UpToDate");
    expect(hits.length).toBe(4);
    expect(readdirSync(cacheDir).sort()).toEqual([
      "pckcrl-platform.json",
      "qe-tdx.json",
      "rootcacrl.json",
      "tcb-tdx-b0c06f000000.json",
    ]);
    // Second run: everything is current at AT, so nothing is fetched.
    const again = await runCli([
      "verify",
      QUOTE,
      "--pccs",
      base,
      "--cache-dir",
      cacheDir,
      "--at",
      AT,
      "--json",
    ]);
    expect(JSON.parse(again.stdout).status).toBe("UpToDate");
    expect(hits.length).toBe(4);
  });
  it("honours nextUpdate: stale cache entries are fetched again", async () => {
    const before = hits.length;
    const r = await runCli([
      "verify",
      QUOTE,
      "--pccs",
      base,
      "--cache-dir",
      cacheDir,
      "--at",
      "2025-07-20T00:00:00Z",
      "--json",
    ]);
    // TCB info, QE identity and PCK CRL expired on 2025-07-19 and are refetched; the root CRL (2026) is not.
    expect(hits.slice(before).sort()).toEqual([
      "/sgx/certification/v4/pckcrl?ca=platform&encoding=der",
      "/tdx/certification/v4/qe/identity",
      "/tdx/certification/v4/tcb?fmspc=b0c06f000000",
    ]);
    expect(JSON.parse(r.stdout).error.code).toBe("ERR_TCB_INFO_EXPIRED");
  });
  it("a server without the collateral → ERR_COLLATERAL_FETCH", async () => {
    const empty = mkdtempSync(join(tmpdir(), "tdx-attest-pccs-"));
    const r = await runCli([
      "verify",
      fixturePath("quotes/gcp-v4.dat"),
      "--pccs",
      base,
      "--cache-dir",
      empty,
      "--at",
      AT,
      "--json",
    ]);
    expect(JSON.parse(r.stdout).error.code).toBe("ERR_COLLATERAL_FETCH");
    expect(r.code).toBe(5);
    rmSync(empty, { recursive: true, force: true });
  });
  it("--batch with --pccs: collateral per quote (cached); a quote whose FMSPC the server lacks fails alone", async () => {
    const cache = mkdtempSync(join(tmpdir(), "tdx-attest-pccs-"));
    const dir = mkdtempSync(join(tmpdir(), "tdx-attest-batch-"));
    writeFileSync(join(dir, "1.dat"), readFileSync(QUOTE));
    writeFileSync(join(dir, "2.dat"), readFileSync(QUOTE));
    writeFileSync(join(dir, "3-gcp.dat"), readFileSync(fixturePath("quotes/gcp-v4.dat")));
    const before = hits.length;
    const r = await runCli([
      "verify",
      "--batch",
      dir,
      "--pccs",
      base,
      "--cache-dir",
      cache,
      "--at",
      AT,
      "--json",
    ]);
    const j = JSON.parse(r.stdout);
    expect(r.code).toBe(1);
    expect(j.results.map((e: { ok: boolean }) => e.ok)).toEqual([true, true, false]);
    expect(j.results[2].error.code).toBe("ERR_COLLATERAL_FETCH");
    // The second quote reuses the cache: 4 fetches for FMSPC b0c06f, then the failed TCB info.
    expect(hits.length - before).toBe(5);
    rmSync(cache, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });
});
