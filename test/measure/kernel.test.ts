/**
 * QEMU's setup-header patches (tdx-reference.md §9.4) on a synthetic bzImage header; expected
 * bytes are derived in the test from the rules of §9.4.
 */
import { describe, expect, it } from "vitest";
import { readU16, readU32, toHex } from "../../src/bytes.js";
import { ConfigError } from "../../src/errors.js";
import {
  bootProtocol,
  kernelDigest,
  patchKernelForQemu,
  qemuInitrdAddress,
} from "../../src/measure/kernel.js";

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
  dv.setUint32(0x202, 0x53726448, true); // "HdrS"
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
    const cmdlineAddr = 0x9a000 - 16; // QEMU reserves (strlen + 16) & ~15 bytes
    expect(readU16(k, 0x22)).toBe(cmdlineAddr - 0x90000);
    expect(readU16(k, 0x224)).toBe(cmdlineAddr - 0x90000 - 0x200);
  });
});

/** bzImage header with the "HdrS" magic (kept for readability; `bzImage` already writes it). */
function withMagic(k: Uint8Array): Uint8Array {
  new DataView(k.buffer, k.byteOffset).setUint32(0x202, 0x53726448, true);
  return k;
}

/** The same header with the magic cleared: QEMU then treats the image as protocol 0. */
function withoutMagic(k: Uint8Array): Uint8Array {
  new DataView(k.buffer, k.byteOffset).setUint32(0x202, 0, true);
  return k;
}

describe("QEMU x86_load_linux() edge cases (§9.4)", () => {
  it("old kernels: the cmdline reservation is strlen + 1 rounded up to 16 bytes", () => {
    for (const [cmdline, reserved] of [
      ["", 16],
      ["abc", 16],
      ["x".repeat(15), 16],
      ["x".repeat(16), 32],
      ["é", 16],
    ] as const) {
      const k = patchKernelForQemu(withMagic(bzImage(0x201, 1, 0)), { memorySize: GiB, cmdline });
      expect(readU16(k, 0x22)).toBe(0x9a000 - reserved - 0x90000);
      expect(readU16(k, 0x224)).toBe(0x9a000 - reserved - 0x90000 - 0x200);
    }
  });

  it("protocol 0x202+ without LOADED_HIGH is a low kernel with cmd_line_ptr below 0x9A000", () => {
    const k = patchKernelForQemu(withMagic(bzImage(0x20f, 0, 0x40)), { memorySize: GiB, cmdline: "a" });
    expect(readU32(k, 0x228)).toBe(0x9a000 - 16);
    expect(readU16(k, 0x224)).toBe(0x9a000 - 16 - 0x90000 - 0x200);
  });

  it("protocol 0x20C without XLF_CAN_BE_LOADED_ABOVE_4G uses initrd_addr_max; a zero field does not fit", () => {
    const k = withMagic(bzImage(0x20c, 1, 0, 0x3fffffff));
    expect(readU32(patchKernelForQemu(k, { memorySize: 4n * GiB, initrdSize: 0x2000 }), 0x218)).toBe(
      (0x3fffffff - 0x2000) & ~0xfff,
    );
    const zero = withMagic(bzImage(0x20c, 1, 0, 0));
    expect(() => patchKernelForQemu(zero, { memorySize: 4n * GiB, initrdSize: 0x2000 })).toThrow(
      /does not fit/,
    );
  });

  it("vga= sets vid_mode at 0x1FA like QEMU; a bad value is a ConfigError", () => {
    const k = withMagic(bzImage(0x20f, 1, 0x40));
    const mode = (cmdline: string) => readU16(patchKernelForQemu(k, { memorySize: GiB, cmdline }), 0x1fa);
    expect(mode("console=ttyS0")).toBe(0);
    expect(mode("vga=normal quiet")).toBe(0xffff);
    expect(mode("vga=ext")).toBe(0xfffe);
    expect(mode("vga=ask")).toBe(0xfffd);
    expect(mode("root=/dev/vda vga=0x317")).toBe(0x317);
    expect(mode("vga=791 quiet")).toBe(791);
    expect(mode("vga=017")).toBe(0o17);
    expect(() => mode("vga=auto")).toThrow(/vga=/);
    expect(() => mode("vga=12x")).toThrow(/vga=/);
  });
});

describe("boot protocol without the HdrS magic (QEMU x86_load_linux, §9.4)", () => {
  it('reads 0x206 only when "HdrS" is at 0x202', () => {
    expect(bootProtocol(bzImage(0x20f, 1, 0x40))).toBe(0x20f);
    expect(bootProtocol(withoutMagic(bzImage(0x20f, 1, 0x40)))).toBe(0);
  });

  it("protocol 0: legacy cmdline fields, no loader type, heap or cmd_line_ptr patches", () => {
    const raw = withoutMagic(bzImage(0x20f, 1, 0x40));
    const k = patchKernelForQemu(raw, { memorySize: GiB, cmdline: "abc" });
    const cmdlineAddr = 0x9a000 - 16; // low kernel: (strlen + 16) & ~15 bytes below 0x9A000
    expect(readU16(k, 0x20)).toBe(0xa33f);
    expect(readU16(k, 0x22)).toBe(cmdlineAddr - 0x90000);
    // Everything QEMU patches only for protocol >= 0x200/0x201/0x202 is left as it was.
    expect(k[0x210]).toBe(raw[0x210]);
    expect(k[0x211]).toBe(1);
    expect(readU16(k, 0x224)).toBe(0);
    expect(readU32(k, 0x228)).toBe(0);
  });

  it("protocol 0 with an initrd is a ConfigError (QEMU: kernel too old for a ramdisk)", () => {
    const k = withoutMagic(bzImage(0x20f, 1, 0x40));
    expect(() => patchKernelForQemu(k, { memorySize: GiB, initrdSize: 0x1000 })).toThrow(ConfigError);
    expect(() => patchKernelForQemu(k, { memorySize: GiB, initrdSize: 0x1000 })).toThrow(
      /too old for an initrd/,
    );
  });
});
