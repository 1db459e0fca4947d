import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { encodeTdReport, parseTdReport } from "../../src/abi/td-report.js";
import { toHex } from "../../src/bytes.js";
import { runCli } from "../support/cli.js";

const dir = mkdtempSync(join(tmpdir(), "tdx-attest-report-"));

/** A TDREPORT with recognisable fields: DEBUG + SEPT_VE_DISABLE, MRTD = 0x11.., RTMR2 = 0x22... */
function sampleReport(): Uint8Array {
  const r = parseTdReport(new Uint8Array(1024));
  r.reportMac.reportType.type = 0x81;
  r.tdInfo.attributes = 0x10000001n;
  r.tdInfo.mrTd = new Uint8Array(48).fill(0x11);
  r.tdInfo.rtmr[2] = new Uint8Array(48).fill(0x22);
  return encodeTdReport(r);
}

describe("tdx-attest report show", () => {
  it("prints the TDREPORT fields (binary and hex input)", async () => {
    const f = join(dir, "r.bin");
    writeFileSync(f, sampleReport());
    const r = await runCli(["report", "show", f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/REPORTTYPE\s+type 0x81/);
    expect(r.stdout).toMatch(/ATTRIBUTES\s+0100001000000000 \(DEBUG SEPT_VE_DISABLE\)/);
    expect(r.stdout).toMatch(new RegExp(`MRTD\\s+${"11".repeat(48)}`));
    expect(r.stdout).toMatch(new RegExp(`RTMR2\\s+${"22".repeat(48)}`));
    const h = join(dir, "r.hex");
    writeFileSync(h, toHex(sampleReport()));
    expect((await runCli(["report", "show", h])).stdout).toBe(r.stdout);
  });

  it("--json shape and reserved-area findings", async () => {
    const b = sampleReport();
    b[1000] = 1;
    const f = join(dir, "r2.bin");
    writeFileSync(f, b);
    const j = JSON.parse((await runCli(["report", "show", f, "--json"])).stdout);
    expect(j.ok).toBe(true);
    expect(j.tdInfo.mrTd).toBe("11".repeat(48));
    expect(j.tdInfo.attributeNames).toEqual(["DEBUG", "SEPT_VE_DISABLE"]);
    expect(j.reservedNonZero).toEqual([{ field: "TdReport.tdInfo.reserved", offset: 960, length: 64 }]);
  });

  it("a short file is ERR_TRUNCATED (text and JSON)", async () => {
    const f = join(dir, "short.bin");
    writeFileSync(f, new Uint8Array(1000));
    const r = await runCli(["report", "show", f]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^tdx-attest: ERR_TRUNCATED: TdReport/);
    const j = await runCli(["report", "show", f, "--json"]);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { code: "ERR_TRUNCATED" } });
    expect((await runCli(["report", "--help"])).stdout).toContain("usage: tdx-attest report show");
  });
});
