import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseTdReport } from "../../src/abi/td-report.js";
import { toHex } from "../../src/bytes.js";
import { defaultCrypto } from "../../src/crypto/index.js";
import { SimulationError } from "../../src/errors.js";
import { MrtdAccumulator } from "../../src/module/mrtd.js";
import { defaultPlatform } from "../../src/module/platform.js";
import { TdxModule } from "../../src/module/tdx-module.js";
import { initializedTd, newModule, PAGE, readyTd, sept, tdParamsBytes, vcpu } from "./helpers.js";

const sha384 = (b: Uint8Array) => defaultCrypto().hash("sha384", b);

describe("TdxModule host-side error paths beyond §17", () => {
  it("TDH.MNG.INIT before KEY.CONFIG, before all TDCS pages, or with a bad TD_PARAMS buffer", () => {
    const m = newModule();
    const { tdr } = m.mngCreate();
    expect(m.mngInit(tdr, tdParamsBytes()).status).toBe(0x8000081000000000n);
    m.mngKeyConfig(tdr);
    expect(m.mngInit(tdr, tdParamsBytes()).status).toBe(0xc000060600000000n);
    for (let i = 0; i < m.platform.tdcsPages; i++) expect(m.mngAddCx(tdr).status).toBe(0n);
    expect(m.mngAddCx(tdr).status).toBe(0xc000061000000000n);
    expect(m.mngInit(tdr, new Uint8Array(1000)).status).toBe(0xc000010000000002n);
    expect(m.mngInit(tdr, tdParamsBytes()).status).toBe(0n);
    expect(m.mngAddCx(tdr).status).toBe(0xc000060800000000n);
  });
  it("unknown TDR/TDVPR handles are operand errors on the register that carries them", () => {
    const m = newModule();
    expect(m.mngInit(12345, tdParamsBytes()).status).toBe(0xc000010000000001n);
    expect(m.memPageAdd(12345, 0, PAGE).status).toBe(0xc000010000000002n);
    expect(m.vpInit(777).status).toBe(0xc000010000000001n);
    expect(m.mrFinalize(-1).status).toBe(0xc000010000000001n);
  });
  it("reserved areas (20..23, 232..255, tail) → + RDX; CPUID_CONFIG outside the mask → + 69 with the leaf in RCX", () => {
    for (const off of [20, 240, 256 + 12 * 16, 1023]) {
      const m = newModule();
      const b = tdParamsBytes();
      b[off] = 1;
      expect(m.mngInit(readyTd(m), b).status, `offset ${off}`).toBe(0xc000010000000002n);
    }
    const leaves = defaultPlatform().cpuidConfig.map((l, i) => (i === 1 ? { ...l, ecx: 0 } : l));
    const m = new TdxModule({ cpuidConfig: leaves });
    const p = tdParamsBytes();
    p[256 + 16 + 8] = 1; // cpuidConfig[1].ecx bit 0
    const r = m.mngInit(readyTd(m), p);
    expect(r.status).toBe(0xc000010000000045n);
    expect(r.rcx).toBe(0x7n);
    const m2 = newModule();
    expect(m2.mngInit(readyTd(m2), tdParamsBytes("1.5", { ia32ArchCapabilitiesConfig: 1n })).status).toBe(
      0xc000010000000048n,
    );
  });
  it("VP.INIT without all TDCX pages → TDCX_NUM_INCORRECT (1.0: TDVPX_NUM_INCORRECT)", () => {
    for (const [v, want] of [
      ["1.5", 0xc000061000000000n],
      ["1.0", 0xc000070300000000n],
    ] as const) {
      const m = newModule(v);
      const tdr = initializedTd(m);
      const { tdvpr } = m.vpCreate(tdr);
      expect(m.vpInit(tdvpr as number).status).toBe(want);
    }
  });
  it("a second SEPT.ADD of the same region fails; misaligned SEPT.ADD is + RCX", () => {
    const m = newModule();
    const tdr = initializedTd(m);
    expect(m.memSeptAdd(tdr, 0x200000).status).toBe(0n);
    expect(m.memSeptAdd(tdr, 0x200000).status).toBe(0xc0000b0d00000001n);
    expect(m.memSeptAdd(tdr, 0x201000).status).toBe(0xc000010000000001n);
  });
});

describe("MRTD through the module", () => {
  it("PAGE.ADD hashes the GPA only; MR.EXTEND hashes the chunk (reference accumulator)", () => {
    const m = newModule();
    const tdr = initializedTd(m);
    vcpu(m, tdr);
    sept(m, tdr, 0x1000);
    const page = Uint8Array.from({ length: 4096 }, (_, i) => i & 0xff);
    m.memPageAdd(tdr, 0x1000, page);
    page.fill(0); // the module copied the source: later changes must not matter
    for (let i = 0; i < 16; i++) m.mrExtend(tdr, 0x1000 + i * 256);
    m.mrFinalize(tdr);
    const ref = new MrtdAccumulator();
    const orig = Uint8Array.from({ length: 4096 }, (_, i) => i & 0xff);
    ref.pageAdd(0x1000);
    for (let i = 0; i < 16; i++) ref.extend(0x1000 + i * 256, orig.subarray(i * 256, i * 256 + 256));
    expect(toHex(m.mngRd(tdr).td?.mrTd ?? new Uint8Array())).toBe(toHex(ref.finalize()));
  });

  it("failed calls leave the state (and MRTD) unchanged: random call sequences vs a clean replay", () => {
    const call = fc.record({
      op: fc.constantFrom("add", "extend", "aug", "sept", "vp"),
      page: fc.integer({ min: 0, max: 1100 }),
      off: fc.constantFrom(0, 0x80, 0x100, 0xf00, 0x1),
    });
    fc.assert(
      fc.property(fc.array(call, { maxLength: 40 }), (calls) => {
        const m = newModule();
        const tdr = initializedTd(m, { maxVcpus: 2 });
        const ok: typeof calls = [];
        for (const c of calls) {
          const gpa = c.page * 4096 + c.off;
          const s =
            c.op === "add"
              ? m.memPageAdd(tdr, gpa, PAGE).status
              : c.op === "extend"
                ? m.mrExtend(tdr, gpa).status
                : c.op === "aug"
                  ? m.memPageAug(tdr, gpa).status
                  : c.op === "sept"
                    ? m.memSeptAdd(tdr, gpa).status
                    : m.vpCreate(tdr).status;
          if (s === 0n) ok.push(c);
        }
        vcpu(m, tdr);
        m.mrFinalize(tdr);
        // Replaying only the successful calls must give the same MRTD.
        const m2 = newModule();
        const tdr2 = initializedTd(m2, { maxVcpus: 2 });
        for (const c of ok) {
          const gpa = c.page * 4096 + c.off;
          const s =
            c.op === "add"
              ? m2.memPageAdd(tdr2, gpa, PAGE).status
              : c.op === "extend"
                ? m2.mrExtend(tdr2, gpa).status
                : c.op === "aug"
                  ? m2.memPageAug(tdr2, gpa).status
                  : c.op === "sept"
                    ? m2.memSeptAdd(tdr2, gpa).status
                    : m2.vpCreate(tdr2).status;
          expect(s).toBe(0n);
        }
        vcpu(m2, tdr2);
        m2.mrFinalize(tdr2);
        expect(toHex(m.mngRd(tdr).td?.mrTd ?? new Uint8Array())).toBe(
          toHex(m2.mngRd(tdr2).td?.mrTd ?? new Uint8Array()),
        );
      }),
      { numRuns: 80 },
    );
  });
});

describe("guest side", () => {
  function running(version: "1.0" | "1.5" = "1.5") {
    const m = newModule(version);
    const tdr = initializedTd(m, { maxVcpus: 8, mrOwner: new Uint8Array(48).fill(0xaa) });
    const vp = vcpu(m, tdr);
    m.mrFinalize(tdr);
    return { m, tdr, vp };
  }

  it("guest calls before finalize are host-program bugs (SimulationError)", () => {
    const m = newModule();
    const tdr = initializedTd(m);
    const vp = vcpu(m, tdr);
    expect(() => m.tdgVpInfo(vp)).toThrow(SimulationError);
  });

  it("TDG.VP.INFO reports GPAW, ATTRIBUTES, NUM_VCPUS and MAX_VCPUS (§6.3)", () => {
    const { m, vp } = running();
    const i = m.tdgVpInfo(vp);
    expect(i.rcx).toBe(48n);
    expect(i.rdx).toBe(1n << 28n);
    expect(i.r8).toBe(1n | (8n << 32n));
    expect(i.r9).toBe(0n);
    expect(i.r10).toBe(1n);
    expect(i.maxVcpus).toBe(8);
  });

  it("TDG.MR.RTMR.EXTEND matches the §7.1 vector", () => {
    const { m, tdr, vp } = running();
    const data = sha384(new TextEncoder().encode("abc"));
    expect(toHex(data)).toBe(
      "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
    );
    expect(m.tdgMrRtmrExtend(vp, 2, data).status).toBe(0n);
    expect(toHex(m.mngRd(tdr).td?.rtmr[2] ?? new Uint8Array())).toBe(
      "93732e3733514a841c982cfa75ea76ab55fe011acb9cd980ef4523913c65be1b0998e04d77f8c174f81a82151619ca40",
    );
  });

  for (const version of ["1.5", "1.0"] as const) {
    it(`TDG.MR.REPORT builds a real-layout TDREPORT (${version})`, () => {
      const { m, tdr, vp } = running(version);
      m.tdgMrRtmrExtend(vp, 0, new Uint8Array(48).fill(1));
      const rd = Uint8Array.from({ length: 64 }, (_, i) => i);
      const r = m.tdgMrReport(vp, rd);
      expect(r.status).toBe(0n);
      const bytes = r.report as Uint8Array;
      const rep = parseTdReport(bytes);
      const td = m.mngRd(tdr).td;
      expect(rep.reportMac.reportType).toEqual({ type: 0x81, subtype: 0, version: 0, reserved: 0 });
      expect(toHex(rep.reportMac.reportData)).toBe(toHex(rd));
      expect(toHex(rep.tdInfo.mrTd)).toBe(toHex(td?.mrTd ?? new Uint8Array()));
      expect(toHex(rep.tdInfo.rtmr[0])).toBe(toHex(td?.rtmr[0] ?? new Uint8Array()));
      expect(toHex(rep.tdInfo.mrOwner)).toBe("aa".repeat(48));
      expect(toHex(rep.tdInfo.servTdHash)).toBe("00".repeat(48));
      // TEE_INFO_HASH over all 512 TDINFO bytes, TEE_TCB_INFO_HASH over the 239 bytes (§7.2).
      expect(toHex(rep.reportMac.teeInfoHash)).toBe(toHex(sha384(bytes.subarray(512, 1024))));
      expect(toHex(rep.reportMac.teeTcbInfoHash)).toBe(toHex(sha384(bytes.subarray(256, 495))));
      expect(rep.teeTcbInfo.valid).toBe(version === "1.5" ? 0x301ffn : 0x1ffn);
      expect(toHex(rep.teeTcbInfo.mrSeam)).toBe(toHex(m.platform.mrSeam));
      expect(rep.teeTcbInfo.teeTcbSvn[1]).toBe(version === "1.5" ? 1 : 0);
      expect(m.verifyReport(bytes)).toBe(true);
      for (const off of [0, 130, 300, 600, 1000]) {
        const t = bytes.slice();
        t[off] = (t[off] as number) ^ 1;
        expect(m.verifyReport(t), `flip at ${off}`).toBe(false);
      }
      expect(new TdxModule({ reportMacKey: new Uint8Array(32) }).verifyReport(bytes)).toBe(false);
    });
  }

  it("TDG.MR.REPORT buffer alignment: RCX then RDX", () => {
    const { m, vp } = running();
    const rd = new Uint8Array(64);
    expect(m.tdgMrReport(vp, rd, 0, { report: 0x1200, reportData: 0x1001 }).status).toBe(0xc000010000000001n);
    expect(m.tdgMrReport(vp, rd, 0, { report: 0x1000, reportData: 0x1001 }).status).toBe(0xc000010000000002n);
    expect(m.tdgMrReport(vp, rd, 0, { report: 0x1000, reportData: 0x2040 }).status).toBe(0n);
  });
});

describe("page retention modes", () => {
  it("'reference' and 'copy' give the same MRTD for the same calls (both page orders)", () => {
    const pages = Array.from({ length: 6 }, (_, p) =>
      Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + p) & 0xff),
    );
    const run = (pageRetention: "copy" | "reference", twoPass: boolean) => {
      const m = new TdxModule({}, { pageRetention });
      const tdr = initializedTd(m);
      vcpu(m, tdr);
      sept(m, tdr, 0xffe00000);
      const gpa = (p: number) => 0xffe00000 + p * 4096;
      const ext = (p: number) => {
        for (let c = 0; c < 16; c++) expect(m.mrExtend(tdr, gpa(p) + c * 256).status).toBe(0n);
      };
      pages.forEach((src, p) => {
        expect(m.memPageAdd(tdr, gpa(p), src).status).toBe(0n);
        if (!twoPass) ext(p);
      });
      if (twoPass) for (let p = 0; p < pages.length; p++) ext(p);
      m.mrFinalize(tdr);
      return toHex(m.mngRd(tdr).td?.mrTd ?? new Uint8Array());
    };
    for (const twoPass of [false, true]) expect(run("reference", twoPass)).toBe(run("copy", twoPass));
    expect(run("copy", true)).not.toBe(run("copy", false));
  });

  it("extendFromPage equals extend (page cache never serves stale pages)", () => {
    const a = new MrtdAccumulator();
    const b = new MrtdAccumulator(undefined, { stagingSize: 512 });
    const buf = Uint8Array.from({ length: 3 * 4096 }, (_, i) => (i * 13) & 0xff);
    for (const [page, chunk] of [
      [0, 0],
      [1, 256],
      [0, 512],
      [2, 3840],
      [1, 256],
    ] as const) {
      const off = page * 4096 + chunk;
      a.extend(0x1000 + off, buf.slice(off, off + 256));
      b.extendFromPage(0x1000 + off, buf, page * 4096, chunk);
      b.pageAdd(0x9000);
      a.pageAdd(0x9000);
    }
    expect(toHex(b.finalize())).toBe(toHex(a.finalize()));
  });
});

describe("mrExtendPage (16 × TDH.MR.EXTEND in one call)", () => {
  it("gives the same MRTD and the same statuses as 16 single calls", () => {
    const src = Uint8Array.from({ length: 4096 }, (_, i) => (i * 5) & 0xff);
    const run = (paged: boolean) => {
      const m = newModule();
      const tdr = initializedTd(m);
      vcpu(m, tdr);
      sept(m, tdr, 0x10000);
      m.memPageAdd(tdr, 0x10000, src);
      if (paged) expect(m.mrExtendPage(tdr, 0x10000).status).toBe(0n);
      else for (let i = 0; i < 16; i++) expect(m.mrExtend(tdr, 0x10000 + i * 256).status).toBe(0n);
      expect(m.mrExtendPage(tdr, 0x10100).status).toBe(0xc000010000000001n);
      expect(m.mrExtendPage(tdr, 0x11000).status).toBe(0xc0000b0300000000n);
      expect(m.mrExtendPage(tdr, 0x400000).status).toBe(0xc0000b0300000001n);
      m.mrFinalize(tdr);
      expect(m.mrExtendPage(tdr, 0x10000).status).toBe(0xc000060800000000n);
      return toHex(m.mngRd(tdr).td?.mrTd ?? new Uint8Array());
    };
    expect(run(true)).toBe(run(false));
  });
});
