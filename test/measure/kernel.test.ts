/**
 * QEMU's setup-header patches (tdx-reference.md §9.4) on a synthetic bzImage header; expected
 * bytes are derived in the test from the rules of §9.4.
 */
import { describe, expect, it } from "vitest";
import { readU16, readU32, toHex } from "../../src/bytes.js";
import { kernelDigest, patchKernelForQemu, qemuInitrdAddress } from "../../src/measure/kernel.js";

function bzImage(protocol: number, loadflags: number, xlf: number, initrdAddrMax = 0x7fffffff): Uint8Array {
  const k = new Uint8Array(0x1000);
  const dv = new DataView(k.buffer);
  // minimal PE header so the image is hashable
  dv.setUint16(0, 0x5a4d, true);
  dv.setUint32(0x3c, 0x40, true);
  dv.setUint32(0x40, 0x4550, true);
  dv.setUint16(0x40 + 20, 240, true);
  dv.setUint16(0x58, 0x20b, true);
  dv.setUint32(0x58 + 60, 0x200, true);
  dv.setUint32(0x58 + 108, 16, true);
  dv.setUint16(0x206, protocol, true);
  k[0x211] = loadflags;
  dv.setUint16(0x236, xlf, true);
  dv.setUint32(0x22c, initrdAddrMax, true);
  return k;
}

const GiB = 1024n ** 3n;

describe("QEMU kernel patching", () => {
  it("patches loader type, heap, cmdline pointer and initrd for a modern kernel", () => {
    const k = patchKernelForQemu(bzImage(0x20f, 0x01, 0x40), { memorySize: 4n * GiB, initrdSize: 0x123456 });
    expect(k[0x210]).toBe(0xb0);
    expect(k[0x211]).toBe(0x81);
    expect(readU16(k, 0x224)).toBe(0x20000 - 0x10000 - 0x200);
    expect(readU32(k, 0x228)).toBe(0x20000);
    // below_4g = 2 GiB for 4 GiB RAM; initrd_max = 2 GiB - 0x28000 - 1; address page-aligned
    const max = 0x80000000 - 0x28000 - 1;
    expect(readU32(k, 0x218)).toBe((max - 0x123456) & ~0xfff);
    expect(readU32(k, 0x21c)).toBe(0x123456);
  });

  it("uses initrd_addr_max at 0x22c without XLF_CAN_BE_LOADED_ABOVE_4G", () => {
    const k = bzImage(0x20f, 0x01, 0, 0x37ffffff);
    expect(qemuInitrdAddress(k, 0x20f, { memorySize: 4n * GiB, initrdSize: 0x1000 })).toBe(
      (0x37ffffff - 0x1000) & ~0xfff,
    );
  });

  it("kernel digest depends on memory below 0xB0000000 and is stable above it and at 2 GiB", () => {
    const k = bzImage(0x20f, 0x01, 0x40);
    const d = (m: bigint) => toHex(kernelDigest(k, { memorySize: m, initrdSize: 0x100000 }));
    expect(d(2n * GiB)).toBe(d(0xb0000000n));
    expect(d(0xb0000000n)).toBe(d(8n * GiB));
    expect(d(1n * GiB)).not.toBe(d(2n * GiB));
    expect(d(2n * GiB)).not.toBe(toHex(kernelDigest(k, { memorySize: 2n * GiB, patch: false })));
  });

  it("old protocols get the legacy cmdline fields", () => {
    const k = patchKernelForQemu(bzImage(0x201, 0, 0), { memorySize: GiB, cmdline: "abc" });
    expect(readU16(k, 0x20)).toBe(0xa33f);
    const cmdlineAddr = 0x9a000 - 4;
    expect(readU16(k, 0x22)).toBe(cmdlineAddr - 0x90000);
    expect(readU16(k, 0x224)).toBe(cmdlineAddr - 0x90000 - 0x200);
  });
});
