/**
 * tdx-reference.md §17 "Simulator conformance checklist": one test per row, for both module
 * generations where the row gives both values.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TD_PARAMS_LAYOUT } from "../../src/abi/td-params.js";
import { TdxModule } from "../../src/module/tdx-module.js";
import { initializedTd, newModule, PAGE, readyTd, sept, tdParamsBytes, vcpu } from "./helpers.js";

const initWith = (m: TdxModule, patch: Parameters<typeof tdParamsBytes>[1]) =>
  m.mngInit(readyTd(m), tdParamsBytes(m.platform.version, patch)).status;

describe("§17 TDH.MNG.INIT rows", () => {
  it("MAX_VCPUS = 0 → OPERAND_INVALID + 68", () => {
    expect(initWith(newModule(), { maxVcpus: 0 })).toBe(0xc000010000000044n);
    expect(initWith(newModule("1.0"), { maxVcpus: 0 })).toBe(0xc000010000000044n);
  });
  it("MAX_VCPUS = 577: rejected by a newer module (576 per TD), accepted by 1.0 / 1.5.01", () => {
    expect(initWith(newModule(), { maxVcpus: 577 })).toBe(0xc000010000000044n);
    expect(initWith(newModule(), { maxVcpus: 576 })).toBe(0n);
    expect(initWith(new TdxModule({ version: "1.5", checkMaxVcpusAtInit: false }), { maxVcpus: 577 })).toBe(
      0n,
    );
    expect(initWith(newModule("1.0"), { maxVcpus: 577 })).toBe(0n);
  });
  it("ATTRIBUTES bit 1 → + 64", () => {
    expect(initWith(newModule(), { attributes: 2n })).toBe(0xc000010000000040n);
    // MIGRATABLE excludes DEBUG (1.5); MIGRATABLE is reserved in 1.0.
    expect(initWith(newModule(), { attributes: (1n << 29n) | 1n })).toBe(0xc000010000000040n);
    expect(initWith(newModule("1.0"), { attributes: 1n << 29n })).toBe(0xc000010000000040n);
  });
  it("XFAM bit 0 clear, AVX-512 partial, CET_U ≠ CET_S → + 65", () => {
    expect(initWith(newModule(), { xfam: 0x602e6n })).toBe(0xc000010000000041n);
    expect(initWith(newModule(), { xfam: 0x60267n })).toBe(0xc000010000000041n);
    expect(initWith(newModule(), { xfam: 0x602e7n | (1n << 11n) })).toBe(0xc000010000000041n);
    expect(initWith(newModule(), { xfam: 0x602e7n | (3n << 11n) })).toBe(0n);
  });
  it("EPTP_CONTROLS ∉ {0x1E, 0x26}, or 0x26 unsupported → + 67", () => {
    expect(initWith(newModule(), { eptpControls: 0x1fn })).toBe(0xc000010000000043n);
    expect(initWith(newModule(), { eptpControls: 0x26n })).toBe(0n);
    expect(initWith(new TdxModule({ pml5: false }), { eptpControls: 0x26n })).toBe(0xc000010000000043n);
  });
  it("CONFIG_FLAGS reserved bit, or GPAW = 1 with 4-level EPT → + 66", () => {
    expect(initWith(newModule(), { configFlags: 1n << 5n })).toBe(0xc000010000000042n);
    expect(initWith(newModule(), { configFlags: 5n, eptpControls: 0x1en })).toBe(0xc000010000000042n);
    expect(initWith(newModule(), { configFlags: 5n, eptpControls: 0x26n })).toBe(0n);
    expect(initWith(newModule("1.0"), { configFlags: 4n })).toBe(0xc000010000000042n);
  });
  it("TSC_FREQUENCY 3 or 401 → + 70", () => {
    expect(initWith(newModule(), { tscFrequency: 3 })).toBe(0xc000010000000046n);
    expect(initWith(newModule(), { tscFrequency: 401 })).toBe(0xc000010000000046n);
    expect(initWith(newModule(), { tscFrequency: 400 })).toBe(0n);
  });
  it("non-zero byte in 42..79 → + RDX", () => {
    for (const off of [42, 79]) {
      const m = newModule();
      const b = tdParamsBytes();
      b[off] = 1;
      expect(m.mngInit(readyTd(m), b).status).toBe(0xc000010000000002n);
    }
  });
  it("NUM_L2_VMS = 4 → + 71 (1.0: reserved → + RDX)", () => {
    expect(initWith(newModule(), { numL2Vms: 4 })).toBe(0xc000010000000047n);
    expect(initWith(newModule(), { numL2Vms: 3 })).toBe(0n);
    expect(initWith(newModule("1.0"), { numL2Vms: 1 })).toBe(0xc000010000000002n);
  });
  it("second TDH.MNG.INIT → OP_STATE_INCORRECT (1.0: TD_INITIALIZED)", () => {
    for (const [v, want] of [
      ["1.5", 0xc000060800000000n],
      ["1.0", 0xc000060100000000n],
    ] as const) {
      const m = newModule(v);
      const tdr = initializedTd(m);
      expect(m.mngInit(tdr, tdParamsBytes(v)).status).toBe(want);
    }
  });
});

describe("§17 build-phase rows", () => {
  it("PAGE.ADD / MR.EXTEND / VP.CREATE / MR.FINALIZE before MNG.INIT → OP_STATE_INCORRECT (1.0: TD_NOT_INITIALIZED)", () => {
    for (const [v, want] of [
      ["1.5", 0xc000060800000000n],
      ["1.0", 0xc000060000000000n],
    ] as const) {
      const m = newModule(v);
      const tdr = readyTd(m);
      expect(m.memPageAdd(tdr, 0x1000, PAGE).status).toBe(want);
      expect(m.mrExtend(tdr, 0x1000).status).toBe(want);
      expect(m.vpCreate(tdr).status).toBe(want);
      expect(m.mrFinalize(tdr).status).toBe(want);
    }
  });
  it("PAGE.ADD of an already-added GPA → EPT_ENTRY_STATE_INCORRECT + RCX (1.0: EPT_ENTRY_NOT_FREE + RCX)", () => {
    for (const [v, want] of [
      ["1.5", 0xc0000b0d00000001n],
      ["1.0", 0xc0000b0200000001n],
    ] as const) {
      const m = newModule(v);
      const tdr = initializedTd(m);
      sept(m, tdr, 0x1000);
      expect(m.memPageAdd(tdr, 0x1000, PAGE).status).toBe(0n);
      expect(m.memPageAdd(tdr, 0x1000, PAGE).status).toBe(want);
    }
  });
  it("PAGE.ADD with GPA not 4K aligned, level bits set, or shared → OPERAND_INVALID + RCX", () => {
    const m = newModule();
    const tdr = initializedTd(m);
    sept(m, tdr, 0);
    expect(m.memPageAdd(tdr, 0x800, PAGE).status).toBe(0xc000010000000001n);
    expect(m.memPageAdd(tdr, 0x1001, PAGE).status).toBe(0xc000010000000001n);
    expect(m.memPageAdd(tdr, 2n ** 47n, PAGE).status).toBe(0xc000010000000001n);
  });
  it("MR.EXTEND with GPA not 256-aligned → OPERAND_INVALID + RCX", () => {
    const m = newModule();
    const tdr = initializedTd(m);
    sept(m, tdr, 0x1000);
    m.memPageAdd(tdr, 0x1000, PAGE);
    expect(m.mrExtend(tdr, 0x1080).status).toBe(0xc000010000000001n);
  });
  it("MR.EXTEND on a never-added GPA with parent SEPT → EPT_ENTRY_NOT_PRESENT (no operand)", () => {
    const m = newModule();
    const tdr = initializedTd(m);
    sept(m, tdr, 0x1000);
    expect(m.mrExtend(tdr, 0x2000).status).toBe(0xc0000b0300000000n);
    // A PAGE.AUGed (PENDING) page is not MAPPED either.
    expect(m.memPageAug(tdr, 0x3000).status).toBe(0n);
    expect(m.mrExtend(tdr, 0x3000).status).toBe(0xc0000b0300000000n);
  });
  it("MR.EXTEND where the SEPT walk stops above 4K → EPT_ENTRY_NOT_PRESENT + RCX", () => {
    const m = newModule();
    const tdr = initializedTd(m);
    expect(m.mrExtend(tdr, 0x400000).status).toBe(0xc0000b0300000001n);
  });
  it("PAGE.ADD where the SEPT walk stops above 4K → EPT_WALK_FAILED + RCX", () => {
    const m = newModule();
    const tdr = initializedTd(m);
    expect(m.memPageAdd(tdr, 0x400000, PAGE).status).toBe(0xc0000b0000000001n);
  });
  it("VP.INIT number MAX_VCPUS + 1 → MAX_VCPUS_EXCEEDED (VP.CREATE itself succeeds)", () => {
    const m = newModule();
    const tdr = initializedTd(m, { maxVcpus: 2 });
    vcpu(m, tdr);
    vcpu(m, tdr);
    const third = vcpu(m, tdr, false);
    expect(m.vpInit(third, 0n, 2).status).toBe(0xc000070500000000n);
    expect(m.mngRd(tdr).td?.numVcpus).toBe(2);
  });
  it("VP.INIT twice on the same VCPU → VCPU_STATE_INCORRECT", () => {
    const m = newModule();
    const tdr = initializedTd(m);
    const vp = vcpu(m, tdr);
    expect(m.vpInit(vp).status).toBe(0xc000070000000000n);
  });
  it("MR.FINALIZE with no initialized VCPU → NO_VCPUS (1.0: succeeds)", () => {
    const m = newModule();
    const tdr = initializedTd(m);
    vcpu(m, tdr, false);
    expect(m.mrFinalize(tdr).status).toBe(0xc000060900000000n);
    const m0 = newModule("1.0");
    expect(m0.mrFinalize(initializedTd(m0)).status).toBe(0n);
  });
  it("any build call after MR.FINALIZE → OP_STATE_INCORRECT (1.0: TD_FINALIZED)", () => {
    for (const [v, want] of [
      ["1.5", 0xc000060800000000n],
      ["1.0", 0xc000060300000000n],
    ] as const) {
      const m = newModule(v);
      const tdr = initializedTd(m);
      const spare = vcpu(m, tdr, false);
      vcpu(m, tdr);
      sept(m, tdr, 0x1000);
      m.memPageAdd(tdr, 0x1000, PAGE);
      expect(m.mrFinalize(tdr).status).toBe(0n);
      expect(m.memPageAdd(tdr, 0x2000, PAGE).status).toBe(want);
      expect(m.mrExtend(tdr, 0x1000).status).toBe(want);
      expect(m.mrFinalize(tdr).status).toBe(want);
      expect(m.vpCreate(tdr).status).toBe(want);
      expect(m.vpAddCx(spare).status).toBe(want);
      expect(m.vpInit(spare).status).toBe(want);
    }
  });
});

describe("§17 guest rows", () => {
  function running() {
    const m = newModule();
    const tdr = initializedTd(m);
    const vp = vcpu(m, tdr);
    m.mrFinalize(tdr);
    return { m, tdr, vp };
  }
  it("TDG.MR.RTMR.EXTEND index 4 → + RDX; 32-byte-aligned GPA → + RCX (GPA checked first)", () => {
    const { m, vp } = running();
    const d = new Uint8Array(48);
    expect(m.tdgMrRtmrExtend(vp, 4, d).status).toBe(0xc000010000000002n);
    expect(m.tdgMrRtmrExtend(vp, 0, d, 0x1020).status).toBe(0xc000010000000001n);
    expect(m.tdgMrRtmrExtend(vp, 4, d, 0x1020).status).toBe(0xc000010000000001n);
    expect(m.tdgMrRtmrExtend(vp, 3, d, 0x1040).status).toBe(0n);
  });
  it("TDG.MR.REPORT sub-type 1 → + R8", () => {
    const { m, vp } = running();
    expect(m.tdgMrReport(vp, new Uint8Array(64), 1).status).toBe(0xc000010000000008n);
  });
});

it("layout sanity: TD_PARAMS reserved42 is where §17 says", () => {
  expect(TD_PARAMS_LAYOUT.reserved42).toEqual({ offset: 42, size: 38 });
});

it("TDH.MNG.INIT on arbitrary TD_PARAMS bytes returns a status and never throws (fuzz)", () => {
  fc.assert(
    fc.property(
      fc.uint8Array({ minLength: 1024, maxLength: 1024 }),
      fc.constantFrom("1.0", "1.5"),
      (bytes, v) => {
        const m = newModule(v as "1.0" | "1.5");
        const tdr = readyTd(m);
        const r = m.mngInit(tdr, bytes);
        expect(typeof r.status).toBe("bigint");
        expect(m.mngRd(tdr).td !== undefined).toBe(r.status === 0n);
      },
    ),
    { numRuns: 200 },
  );
});
