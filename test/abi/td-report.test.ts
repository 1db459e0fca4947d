import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  encodeTdInfo,
  encodeTdReport,
  encodeTeeTcbInfo,
  parseTdInfo,
  parseTdReport,
  REPORT_MAC_LAYOUT,
  REPORT_MAC_STRUCT_SIZE,
  TD_INFO_LAYOUT,
  TD_INFO_SIZE,
  TD_REPORT_LAYOUT,
  TD_REPORT_SIZE,
  TEE_TCB_INFO_LAYOUT,
  TEE_TCB_INFO_SIZE,
  tdReportReservedFindings,
} from "../../src/abi/td-report.js";

function contiguous(layout: Record<string, { offset: number; size: number }>): number {
  let next = 0;
  for (const [name, f] of Object.entries(layout)) {
    expect(f.offset, name).toBe(next);
    next = f.offset + f.size;
  }
  return next;
}

describe("TDREPORT layout (§7.3-7.5)", () => {
  it("layouts add up", () => {
    expect(contiguous(TD_REPORT_LAYOUT)).toBe(TD_REPORT_SIZE);
    expect(contiguous(REPORT_MAC_LAYOUT)).toBe(REPORT_MAC_STRUCT_SIZE);
    expect(contiguous(TEE_TCB_INFO_LAYOUT)).toBe(TEE_TCB_INFO_SIZE);
    expect(contiguous(TD_INFO_LAYOUT)).toBe(TD_INFO_SIZE);
  });

  it("decodes fields at the spec offsets", () => {
    // Each byte holds (offset mod 251) so that every field's content identifies its offset.
    const b = Uint8Array.from({ length: 1024 }, (_, i) => i % 251);
    const r = parseTdReport(b);
    expect(r.reportMac.reportType).toEqual({ type: 0, subtype: 1, version: 2, reserved: 3 });
    expect(r.reportMac.cpuSvn[0]).toBe(16);
    expect(r.reportMac.teeTcbInfoHash[0]).toBe(32);
    expect(r.reportMac.teeInfoHash[0]).toBe(80);
    expect(r.reportMac.reportData[0]).toBe(128);
    expect(r.reportMac.mac[0]).toBe(224);
    expect(r.teeTcbInfo.teeTcbSvn[0]).toBe(264 % 251);
    expect(r.teeTcbInfo.mrSeam[0]).toBe(280 % 251);
    expect(r.teeTcbInfo.mrSignerSeam[0]).toBe(328 % 251);
    expect(r.teeTcbInfo.teeTcbSvn2[0]).toBe(384 % 251);
    expect(r.teeTcbInfo.reserved).toHaveLength(112);
    expect(r.teeTcbInfo.reserved[0]).toBe(400 % 251);
    expect(r.tdInfo.mrTd[0]).toBe(528 % 251);
    expect(r.tdInfo.mrConfigId[0]).toBe(576 % 251);
    expect(r.tdInfo.mrOwner[0]).toBe(624 % 251);
    expect(r.tdInfo.mrOwnerConfig[0]).toBe(672 % 251);
    expect(r.tdInfo.rtmr.map((m) => m[0])).toEqual([720 % 251, 768 % 251, 816 % 251, 864 % 251]);
    expect(r.tdInfo.servTdHash[0]).toBe(912 % 251);
    expect(r.tdInfo.reserved[0]).toBe(960 % 251);
    expect(encodeTdReport(r)).toEqual(b);
    expect(encodeTdInfo(r.tdInfo)).toEqual(b.subarray(512));
    expect(encodeTeeTcbInfo(r.teeTcbInfo)).toEqual(b.subarray(256, 256 + 239));
    expect(parseTdInfo(b.subarray(512))).toEqual(r.tdInfo);
    expect(tdReportReservedFindings(r).map((f) => f.offset)).toEqual([3, 4, 192, 400, 960]);
  });

  it("rejects wrong sizes", () => {
    expect(() => parseTdReport(new Uint8Array(1000))).toThrow(
      expect.objectContaining({ code: "ERR_TRUNCATED" }),
    );
    expect(() => parseTdReport(new Uint8Array(2048))).toThrow(
      expect.objectContaining({ code: "ERR_BAD_LENGTH" }),
    );
    const r = parseTdReport(new Uint8Array(1024));
    expect(tdReportReservedFindings(r)).toEqual([]);
    expect(() => encodeTeeTcbInfo({ ...r.teeTcbInfo, reserved: new Uint8Array(3) })).toThrow(
      expect.objectContaining({ code: "ERR_BAD_LENGTH" }),
    );
    expect(encodeTeeTcbInfo({ ...r.teeTcbInfo, reserved: new Uint8Array(95) })).toHaveLength(239);
  });

  it("encode(parse(x)) == x for random reports", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1024, maxLength: 1024 }), (b) => {
        expect(encodeTdReport(parseTdReport(b))).toEqual(b);
      }),
      { numRuns: 200 },
    );
  });
});
