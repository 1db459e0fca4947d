/**
 * dstack-mr's Authenticode variant (tdx-reference.md §12.7) on an image whose last section's
 * SizeOfRawData runs a few bytes past the end of the file: dstack-mr hashes what the file has of
 * it, counts the full size, and zero-pads the file size to 8 bytes (the effect of reading past a
 * pool buffer that is zero up to the next 8-byte boundary). The edk2 rule refuses such an image.
 * The expected digest is written out longhand here.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { toHex } from "../../src/bytes.js";
import { ParseError } from "../../src/errors.js";
import { authenticodeHash } from "../../src/firmware/pe-authenticode.js";

function truncatedPe(): Uint8Array {
  const pe = new Uint8Array(0xa00 - 3);
  for (let i = 0; i < pe.length; i++) pe[i] = (i * 5 + 1) & 0xff;
  const dv = new DataView(pe.buffer);
  const lfanew = 0x80;
  const opt = lfanew + 24;
  dv.setUint16(0, 0x5a4d, true);
  dv.setUint32(0x3c, lfanew, true);
  dv.setUint32(lfanew, 0x4550, true);
  dv.setUint16(lfanew + 6, 2, true);
  dv.setUint16(lfanew + 20, 240, true);
  dv.setUint16(opt, 0x20b, true);
  dv.setUint32(opt + 60, 0x400, true);
  dv.setUint32(opt + 108, 6, true);
  dv.setBigUint64(opt + 112 + 32, 0n, true); // no certificate table
  const table = opt + 240;
  dv.setUint32(table + 16, 0x400, true);
  dv.setUint32(table + 20, 0x400, true);
  dv.setUint32(table + 40 + 16, 0x200, true); // [0x800, 0xa00): 3 bytes past the end
  dv.setUint32(table + 40 + 20, 0x800, true);
  return pe;
}

describe("Authenticode: a section running past the end of the file", () => {
  it("dstack variant: partial section, then zero padding to 8 bytes", () => {
    const pe = truncatedPe();
    const opt = 0x80 + 24;
    const h = createHash("sha384");
    h.update(pe.subarray(0, opt + 64));
    h.update(pe.subarray(opt + 68, opt + 112 + 32));
    h.update(pe.subarray(opt + 112 + 40, 0x400));
    h.update(pe.subarray(0x400, 0x800));
    h.update(pe.subarray(0x800));
    h.update(new Uint8Array(8 - (pe.length % 8)));
    expect(toHex(authenticodeHash(pe, { dstackPadding: true }))).toBe(h.digest("hex"));
  });
  it("edk2 rule: ERR_PE_FORMAT naming the section", () => {
    expect(() => authenticodeHash(truncatedPe())).toThrow(ParseError);
    expect(() => authenticodeHash(truncatedPe())).toThrow(/sections\[1\]/);
  });
});
