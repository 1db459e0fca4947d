/**
 * Authenticode (tdx-reference.md §12.7) on small PE images built here. The expected digest is
 * computed independently: the test knows where it put every field, so it concatenates the
 * covered byte ranges itself (from its own layout constants) and hashes them with node:crypto.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { isTdxError } from "../../src/errors.js";
import { authenticodeHash } from "../../src/firmware/pe-authenticode.js";

interface Built {
  pe: Uint8Array;
  checksum: number;
  certDir: number;
  sizeOfHeaders: number;
  sections: { ptr: number; size: number }[];
  certSize: number;
}

/** PE32+ with two sections stored in reverse table order, optional cert table and trailing bytes. */
function buildPe(opts: { numRva: number; certSize: number; trailing: number; plus?: boolean }): Built {
  const plus = opts.plus ?? true;
  const lfanew = 0x80;
  const optSize = plus ? 240 : 224;
  const opt = lfanew + 24;
  const table = opt + optSize;
  const sizeOfHeaders = 0x400;
  const sections = [
    { ptr: 0x800, size: 0x200 },
    { ptr: 0x400, size: 0x400 },
  ];
  const dataEnd = 0xa00;
  const size = dataEnd + opts.trailing + opts.certSize;
  const pe = new Uint8Array(size);
  for (let i = 0; i < size; i++) pe[i] = (i * 7 + 3) & 0xff; // arbitrary non-zero content
  const dv = new DataView(pe.buffer);
  dv.setUint16(0, 0x5a4d, true);
  dv.setUint32(0x3c, lfanew, true);
  dv.setUint32(lfanew, 0x4550, true);
  dv.setUint16(lfanew + 6, sections.length, true);
  dv.setUint16(lfanew + 20, optSize, true);
  dv.setUint16(opt, plus ? 0x20b : 0x10b, true);
  dv.setUint32(opt + 60, sizeOfHeaders, true);
  dv.setUint32(opt + (plus ? 108 : 92), opts.numRva, true);
  const certDir = opt + (plus ? 112 : 96) + 32;
  dv.setUint32(certDir, opts.certSize ? dataEnd + opts.trailing : 0, true);
  dv.setUint32(certDir + 4, opts.certSize, true);
  sections.forEach((s, i) => {
    dv.setUint32(table + 40 * i + 16, s.size, true);
    dv.setUint32(table + 40 * i + 20, s.ptr, true);
  });
  // a third, empty section (SizeOfRawData 0) must be ignored
  dv.setUint16(lfanew + 6, 3, true);
  dv.setUint32(table + 80 + 16, 0, true);
  dv.setUint32(table + 80 + 20, 0x9999, true);
  return { pe, checksum: opt + 64, certDir, sizeOfHeaders, sections, certSize: opts.certSize };
}

function expected(b: Built, withCertDir: boolean, dstack = false): string {
  const h = createHash("sha384");
  const { pe } = b;
  h.update(pe.subarray(0, b.checksum));
  if (withCertDir) {
    h.update(pe.subarray(b.checksum + 4, b.certDir));
    h.update(pe.subarray(b.certDir + 8, b.sizeOfHeaders));
  } else h.update(pe.subarray(b.checksum + 4, b.sizeOfHeaders));
  h.update(pe.subarray(0x400, 0x800)); // lower PointerToRawData first
  h.update(pe.subarray(0x800, 0xa00));
  const hashed = 0xa00;
  const trailingOk = dstack ? b.certSize > 0 : true;
  if (trailingOk && pe.length > hashed + b.certSize) h.update(pe.subarray(hashed, pe.length - b.certSize));
  if (dstack && pe.length % 8 !== 0) h.update(new Uint8Array(8 - (pe.length % 8)));
  return h.digest("hex");
}

describe("PE/COFF Authenticode", () => {
  it("skips CheckSum, the certificate directory entry and the certificate table (PE32+)", () => {
    const b = buildPe({ numRva: 16, certSize: 0x48, trailing: 0x33 });
    expect(toHex(authenticodeHash(b.pe))).toBe(expected(b, true));
  });

  it("PE32 with trailing data and no certificate table hashes the trailing bytes", () => {
    const b = buildPe({ numRva: 16, certSize: 0, trailing: 0x21, plus: false });
    expect(toHex(authenticodeHash(b.pe))).toBe(expected(b, true));
  });

  it("NumberOfRvaAndSizes <= 4 hashes the whole header after CheckSum", () => {
    const b = buildPe({ numRva: 4, certSize: 0, trailing: 0 });
    expect(toHex(authenticodeHash(b.pe))).toBe(expected(b, false));
  });

  it("dstack's variant drops trailing data without a certificate table and pads to 8 bytes", () => {
    const noCert = buildPe({ numRva: 16, certSize: 0, trailing: 0x21 });
    expect(toHex(authenticodeHash(noCert.pe, { dstackPadding: true }))).toBe(expected(noCert, true, true));
    expect(toHex(authenticodeHash(noCert.pe, { dstackPadding: true }))).not.toBe(
      toHex(authenticodeHash(noCert.pe)),
    );
    const withCert = buildPe({ numRva: 16, certSize: 0x48, trailing: 0x33 });
    expect(toHex(authenticodeHash(withCert.pe, { dstackPadding: true }))).toBe(
      expected(withCert, true, true),
    );
  });

  it("malformed images give ERR_PE_FORMAT, never another exception", () => {
    const b = buildPe({ numRva: 16, certSize: 0x48, trailing: 0x33 });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0x400 }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: b.pe.length }),
        (at, v, cut) => {
          const c = b.pe.slice(0, cut);
          if (at + 4 <= c.length) new DataView(c.buffer).setUint32(at, v, true);
          try {
            authenticodeHash(c);
          } catch (e) {
            expect(isTdxError(e) && e.code === "ERR_PE_FORMAT").toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("PE/COFF Authenticode: other image shapes", () => {
  it("a PE header at offset 0 without an MZ stub hashes like edk2 (e_lfanew not used)", () => {
    const b = buildPe({ numRva: 16, certSize: 0, trailing: 0x10 });
    // Move "PE\0\0" + COFF + optional header + section table to offset 0 (no DOS header).
    const shift = 0x80;
    const pe = new Uint8Array(b.pe.length);
    pe.set(b.pe.subarray(shift, 0x400), 0);
    pe.set(b.pe.subarray(0x400), 0x400);
    const moved: Built = { ...b, pe, checksum: b.checksum - shift, certDir: b.certDir - shift };
    expect(toHex(authenticodeHash(pe))).toBe(expected(moved, true));
  });

  it("NumberOfRvaAndSizes 0 hashes the whole header after CheckSum even with a certificate table", () => {
    const b = buildPe({ numRva: 0, certSize: 0x20, trailing: 0 });
    // Without the directory the certificate bytes are ordinary trailing data (edk2 step 6, CertSize 0).
    const h = createHash("sha384");
    h.update(b.pe.subarray(0, b.checksum)).update(b.pe.subarray(b.checksum + 4, 0x400));
    h.update(b.pe.subarray(0x400, 0xa00)).update(b.pe.subarray(0xa00));
    expect(toHex(authenticodeHash(b.pe))).toBe(h.digest("hex"));
  });

  it("section data cut short is ERR_PE_FORMAT naming the section header's offset", () => {
    const b = buildPe({ numRva: 16, certSize: 0, trailing: 0 });
    let err: unknown;
    try {
      authenticodeHash(b.pe.subarray(0, 0x900));
    } catch (e) {
      err = e;
    }
    expect(isTdxError(err) && err.code === "ERR_PE_FORMAT").toBe(true);
    const table = 0x80 + 24 + 240;
    expect((err as { at?: { offset?: number } }).at?.offset).toBe(table); // sections[0]: ptr 0x800
    expect((err as Error).message).toMatch(/sections\[0\].*past the image/);
  });
});
