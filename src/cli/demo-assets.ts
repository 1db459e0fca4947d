/**
 * Embedded demo inputs, generated (no files, no network): a small synthetic TDVF image with the
 * sections a real one has (BFV and CFV measured into MRTD, TD_HOB and TempMem unmeasured;
 * tdx-reference.md section 10) and a small synthetic PE32+ bzImage-style kernel (boot protocol
 * 2.15, so QEMU's direct-boot setup-header patching applies, section 9.4). Deterministic: the
 * same bytes on every run.
 */

import { readU32 } from "../bytes.js";
import { TDVF_ATTR_MR_EXTEND } from "../firmware/tdvf.js";
import { buildTdvfImage } from "../firmware/tdvf-builder.js";

function pattern(size: number, seed: number): Uint8Array {
  const b = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    // xorshift32: cheap deterministic filler so pages differ.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

/** A synthetic TDVF: BFV ending at 4 GiB, CFV below it, TD_HOB and TempMem in low memory. */
export function syntheticTdvf(): Uint8Array {
  const bfvSize = 0x40000;
  const cfvSize = 0x10000;
  const top = 0x1_0000_0000;
  return buildTdvfImage({
    sections: [
      {
        type: "BFV",
        gpa: top - bfvSize,
        memorySize: bfvSize,
        attributes: TDVF_ATTR_MR_EXTEND,
        raw: pattern(bfvSize, 0xb1f),
      },
      {
        type: "CFV",
        gpa: top - bfvSize - cfvSize,
        memorySize: cfvSize,
        attributes: TDVF_ATTR_MR_EXTEND,
        raw: pattern(cfvSize, 0xcf),
      },
      { type: "TD_HOB", gpa: 0x809000, memorySize: 0x2000 },
      { type: "TEMP_MEM", gpa: 0x80b000, memorySize: 0x10000 },
    ],
  });
}

/**
 * A synthetic PE32+ kernel with a Linux setup header (boot protocol 2.15, LOADED_HIGH,
 * XLF_CAN_BE_LOADED_ABOVE_4G) and one section; `seed` varies the body (a "new kernel build").
 */
export function syntheticKernel(seed = 1): Uint8Array {
  const k = pattern(0x3000, seed);
  k.fill(0, 0, 0x400);
  const dv = new DataView(k.buffer);
  dv.setUint16(0, 0x5a4d, true); // "MZ"
  dv.setUint32(0x3c, 0x40, true); // e_lfanew
  dv.setUint32(0x40, 0x4550, true); // "PE\0\0"
  dv.setUint16(0x46, 1, true); // NumberOfSections
  dv.setUint16(0x54, 240, true); // SizeOfOptionalHeader (PE32+)
  dv.setUint16(0x58, 0x20b, true); // PE32+ magic
  dv.setUint32(0x58 + 60, 0x400, true); // SizeOfHeaders
  dv.setUint32(0x58 + 108, 16, true); // NumberOfRvaAndSizes
  const sec = 0x58 + 240;
  dv.setUint32(sec + 16, 0x2c00, true); // SizeOfRawData
  dv.setUint32(sec + 20, 0x400, true); // PointerToRawData
  dv.setUint32(0x202, 0x53726448, true); // "HdrS": QEMU reads the protocol only with it
  dv.setUint16(0x206, 0x20f, true); // boot protocol 2.15
  k[0x211] = 1; // loadflags: LOADED_HIGH
  dv.setUint16(0x236, 0x40, true); // xloadflags: XLF_CAN_BE_LOADED_ABOVE_4G
  return k;
}

/**
 * Processor entries (Local APIC type 0, x2APIC type 9) of the MADT inside QEMU's
 * `etc/acpi/tables` blob, found by walking the concatenated ACPI tables (36-byte headers,
 * signature "APIC"; entries after the 8-byte local-APIC address and flags). Lets the demo show
 * what the changed ACPI event contains instead of asserting it. Undefined when there is no MADT.
 */
export function madtProcessorCount(tables: Uint8Array): number | undefined {
  const sig = (o: number) => String.fromCharCode(...tables.subarray(o, o + 4));
  for (let off = 0; off + 36 <= tables.length; ) {
    const len = readU32(tables, off + 4);
    if (len < 36 || off + len > tables.length) return undefined;
    if (sig(off) === "APIC") {
      let n = 0;
      for (let e = off + 44; e + 2 <= off + len; ) {
        const type = tables[e] as number;
        const elen = tables[e + 1] as number;
        if (elen < 2) return undefined;
        if (type === 0 || type === 9) n++;
        e += elen;
      }
      return n;
    }
    off += len;
  }
  return undefined;
}
