/**
 * PE/COFF Authenticode image hash as OVMF/TDVF measures EFI applications into RTMR1
 * (tdx-reference.md §12.7, edk2 `MeasureBootPeCoff.c`): the whole file except the CheckSum
 * field, the certificate-table directory entry and the certificate table itself, with sections
 * hashed in file order. dstack-mr's variant (trailing data only with a certificate table, then
 * zero padding of the file size to 8 bytes) is available as an option.
 */
import { readU16, readU32 } from "../bytes.js";
import { type CryptoBackend, defaultCrypto, type HashAlgorithm } from "../crypto/index.js";
import { hexOffset, ParseError } from "../errors.js";

export interface AuthenticodeOptions {
  readonly algorithm?: HashAlgorithm;
  /** dstack-mr's rule (§12.7): trailing data only if a certificate table exists, then pad to 8. */
  readonly dstackPadding?: boolean;
  readonly crypto?: CryptoBackend;
}

/** Byte ranges of the image that Authenticode hashes, in hashing order. */
export interface AuthenticodeLayout {
  readonly ranges: readonly (readonly [number, number])[];
  /** Zero bytes appended at the end (dstack padding only). */
  readonly padding: number;
}

const SECURITY_DIRECTORY = 4;

function peError(field: string, msg: string, offset: number): ParseError {
  return new ParseError("ERR_PE_FORMAT", `PeImage.${field}: ${msg} at ${hexOffset(offset)}`, {
    field: `PeImage.${field}`,
    offset,
  });
}

function u32At(pe: Uint8Array, off: number, field: string): number {
  if (off < 0 || off + 4 > pe.length) throw peError(field, `needs 4 bytes, image has ${pe.length}`, off);
  return readU32(pe, off);
}

function u16At(pe: Uint8Array, off: number, field: string): number {
  if (off < 0 || off + 2 > pe.length) throw peError(field, `needs 2 bytes, image has ${pe.length}`, off);
  return readU16(pe, off);
}

/** Computes which ranges are hashed (exposed so tests and diagnostics can inspect it). */
export function authenticodeLayout(
  pe: Uint8Array,
  opts: { dstackPadding?: boolean } = {},
): AuthenticodeLayout {
  // edk2 reads e_lfanew only behind an MZ header; otherwise the PE header starts at offset 0.
  const lfanew = u16At(pe, 0, "dosSignature") === 0x5a4d ? u32At(pe, 0x3c, "e_lfanew") : 0;
  if (u32At(pe, lfanew, "signature") !== 0x00004550)
    throw peError("signature", "no MZ header and no PE\\0\\0 signature", lfanew);
  const coff = lfanew + 4;
  const numSections = u16At(pe, coff + 2, "numberOfSections");
  const optSize = u16At(pe, coff + 16, "sizeOfOptionalHeader");
  const opt = coff + 20;
  const magic = u16At(pe, opt, "optionalHeader.magic");
  if (magic !== 0x10b && magic !== 0x20b)
    throw peError("optionalHeader.magic", `0x${magic.toString(16)} is neither PE32 nor PE32+`, opt);
  const plus = magic === 0x20b;
  const checksumOff = opt + 64;
  const numRva = u32At(pe, opt + (plus ? 108 : 92), "optionalHeader.numberOfRvaAndSizes");
  const certDirOff = opt + (plus ? 112 : 96) + SECURITY_DIRECTORY * 8;
  const sizeOfHeaders = u32At(pe, opt + 60, "optionalHeader.sizeOfHeaders");
  const hasCertDir = numRva > SECURITY_DIRECTORY;
  if (sizeOfHeaders > pe.length || sizeOfHeaders < (hasCertDir ? certDirOff + 8 : checksumOff + 4)) {
    throw peError(
      "optionalHeader.sizeOfHeaders",
      `${sizeOfHeaders} is outside the image (${pe.length} bytes)`,
      opt + 60,
    );
  }
  const ranges: [number, number][] = [[0, checksumOff]];
  if (hasCertDir) ranges.push([checksumOff + 4, certDirOff], [certDirOff + 8, sizeOfHeaders]);
  else ranges.push([checksumOff + 4, sizeOfHeaders]);
  let sum = sizeOfHeaders;
  const table = opt + optSize;
  if (table + numSections * 40 > pe.length)
    throw peError("sectionTable", `${numSections} sections run past the image`, table);
  const sections: { ptr: number; size: number }[] = [];
  for (let i = 0; i < numSections; i++) {
    const size = readU32(pe, table + 40 * i + 16);
    const ptr = readU32(pe, table + 40 * i + 20);
    if (size === 0) continue;
    // dstack-mr hashes what the file has of a section running past its end (counting the full
    // size) and zero-pads to 8 bytes; edk2 would read past its buffer, so that rule refuses.
    if (ptr + size > pe.length && !opts.dstackPadding)
      throw peError(
        `sections[${i}]`,
        `raw data [${ptr}, ${ptr + size}) past the image (${pe.length})`,
        table + 40 * i,
      );
    sections.push({ ptr, size });
  }
  sections.sort((a, b) => a.ptr - b.ptr); // stable, like edk2's insertion sort
  for (const s of sections) {
    if (s.ptr < pe.length) ranges.push([s.ptr, Math.min(s.ptr + s.size, pe.length)]);
    sum += s.size;
  }
  const certSize = hasCertDir ? u32At(pe, certDirOff + 4, "certificateTable.size") : 0;
  const certAddr = hasCertDir ? u32At(pe, certDirOff, "certificateTable.offset") : 0;
  const trailingAllowed = opts.dstackPadding ? certAddr > 0 && certSize > 0 : true;
  if (trailingAllowed && pe.length > sum && pe.length > sum + certSize)
    ranges.push([sum, pe.length - certSize]);
  const padding = opts.dstackPadding && pe.length % 8 !== 0 ? 8 - (pe.length % 8) : 0;
  return { ranges, padding };
}

/** Authenticode digest (default SHA-384) of a PE/COFF image. Throws ERR_PE_FORMAT on bad headers. */
export function authenticodeHash(pe: Uint8Array, opts: AuthenticodeOptions = {}): Uint8Array {
  const layout = authenticodeLayout(pe, opts.dstackPadding ? { dstackPadding: true } : {});
  const h = (opts.crypto ?? defaultCrypto()).createHash(opts.algorithm ?? "sha384");
  for (const [a, b] of layout.ranges) h.update(pe.subarray(a, b));
  if (layout.padding > 0) h.update(new Uint8Array(layout.padding));
  return h.digest();
}
