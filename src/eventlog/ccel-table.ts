/**
 * The CCEL ACPI table (tdx-reference.md §12.1): tells the guest where the CC event log lives.
 * Parsing checks signature, length and checksum so a wrong file is refused, not misread.
 */
import { ByteReader, fromUtf8 } from "../bytes.js";
import { hexOffset, ParseError } from "../errors.js";

export const CCEL_TABLE_SIZE = 56;

/** CC Type values (§12.1). */
export const CC_TYPE = { NONE: 0, SEV: 1, TDX: 2, AP_TEE: 3, ARM_CCA: 4 } as const;

export interface CcelTable {
  readonly signature: string;
  readonly length: number;
  readonly revision: number;
  readonly checksum: number;
  /** True when all `length` bytes sum to 0 mod 256 (ACPI rule). */
  readonly checksumValid: boolean;
  readonly oemId: string;
  readonly oemTableId: string;
  readonly oemRevision: number;
  readonly creatorId: string;
  readonly creatorRevision: number;
  readonly ccType: number;
  readonly ccSubtype: number;
  /** Log area minimum length (LAML). */
  readonly laml: bigint;
  /** Log area start address, a guest physical address (LASA). */
  readonly lasa: bigint;
}

function fail(msg: string, field: string, offset: number): never {
  throw new ParseError("ERR_CCEL_TABLE", `CcelTable.${field}: ${msg} at ${hexOffset(offset)}`, {
    field: `CcelTable.${field}`,
    offset,
  });
}

/**
 * Parses the 56-byte CCEL table (or its TDX-only predecessor TDEL, same size and log fields). A bad signature, a length outside [56, buffer] or (unless
 * `allowBadChecksum`) a wrong checksum throws ERR_CCEL_TABLE.
 */
export function parseCcelTable(bytes: Uint8Array, opts: { allowBadChecksum?: boolean } = {}): CcelTable {
  const r = new ByteReader(bytes, "CcelTable");
  const signature = fromUtf8(r.subarray(4, "signature"));
  if (signature !== "CCEL" && signature !== "TDEL")
    fail(`signature is ${JSON.stringify(signature)}, expected "CCEL" (or the older "TDEL")`, "signature", 0);
  const length = r.u32("length");
  if (length < CCEL_TABLE_SIZE || length > bytes.length) {
    fail(`declares ${length} bytes, ${bytes.length} available (minimum ${CCEL_TABLE_SIZE})`, "length", 4);
  }
  const revision = r.u8("revision");
  const checksum = r.u8("checksum");
  let sum = 0;
  for (let i = 0; i < length; i++) sum = (sum + (bytes[i] as number)) & 0xff;
  const checksumValid = sum === 0;
  if (!checksumValid && !opts.allowBadChecksum)
    fail(`bytes sum to 0x${sum.toString(16)}, not 0`, "checksum", 9);
  const oemId = fromUtf8(r.subarray(6, "oemId"));
  const oemTableId = fromUtf8(r.subarray(8, "oemTableId"));
  const oemRevision = r.u32("oemRevision");
  const creatorId = fromUtf8(r.subarray(4, "creatorId"));
  const creatorRevision = r.u32("creatorRevision");
  // TDEL (TDX GHCI, before ACPI 6.5 CCEL) has 4 reserved bytes where CCEL has CC type/subtype;
  // LAML and LASA sit at the same offsets (40, 48). A TDEL table always describes a TDX log.
  const tdel = signature === "TDEL";
  const ccType = tdel ? CC_TYPE.TDX : r.u8("ccType");
  const ccSubtype = tdel ? 0 : r.u8("ccSubtype");
  r.skip(tdel ? 4 : 2, "reserved");
  const laml = r.u64("laml");
  const lasa = r.u64("lasa");
  return {
    signature,
    length,
    revision,
    checksum,
    checksumValid,
    oemId,
    oemTableId,
    oemRevision,
    creatorId,
    creatorRevision,
    ccType,
    ccSubtype,
    laml,
    lasa,
  };
}
