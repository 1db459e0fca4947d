/**
 * Writes a CC event log in TDVF's format (tdx-reference.md §12.1-12.2): the SHA-1-format Spec ID
 * header record (MR index 1, one algorithm: SHA-384), TCG_PCR_EVENT2 records, the log area filled
 * with 0xFF up to LAML, and the 56-byte CCEL ACPI table pointing at it. Used by the simulated
 * guest firmware; `parseTcg2Log` reads the result back.
 */
import { asciiBytes, ByteWriter, concatBytes, u16le, u32le } from "../bytes.js";
import { ConfigError } from "../errors.js";
import { CC_TYPE, CCEL_TABLE_SIZE } from "./ccel-table.js";
import { SPEC_ID_SIGNATURE } from "./tcg2.js";
import { EV, type TcgEvent, TPM_ALG } from "./types.js";

/** `TCG_EfiSpecIDEvent` for a SHA-384-only log (TDVF values, §12.2). */
export function specIdEventData(vendorInfo = new Uint8Array()): Uint8Array {
  return concatBytes(
    asciiBytes(SPEC_ID_SIGNATURE),
    u32le(0), // platformClass
    new Uint8Array([0, 2, 0, 2]), // minor, major, errata, uintnSize
    u32le(1),
    u16le(TPM_ALG.SHA384),
    u16le(48),
    new Uint8Array([vendorInfo.length]),
    vendorInfo,
  );
}

function recordSize(e: TcgEvent): number {
  return 12 + e.digests.reduce((n, d) => n + 2 + d.digest.length, 0) + 4 + e.data.length;
}

/** Encodes the log; with `areaSize` the result is padded with 0xFF to that size (the CCEL area). */
export function encodeTcg2Log(events: readonly TcgEvent[], areaSize?: number): Uint8Array {
  const spec = specIdEventData();
  const size = 32 + spec.length + events.reduce((n, e) => n + recordSize(e), 0);
  if (areaSize !== undefined && size > areaSize) {
    throw new ConfigError("ERR_CONFIG", `event log: ${size} bytes exceed the ${areaSize}-byte log area`, {
      field: "laml",
    });
  }
  const w = new ByteWriter(areaSize ?? size);
  w.u32(1).u32(EV.NO_ACTION).zeros(20).u32(spec.length).raw(spec);
  for (const e of events) {
    w.u32(e.mrIndex).u32(e.eventType).u32(e.digests.length);
    for (const d of e.digests) w.u16(d.algorithmId).raw(d.digest);
    w.u32(e.data.length).raw(e.data);
  }
  w.bytes.fill(0xff, w.pos);
  return w.bytes;
}

/** The CCEL ACPI table (§12.1) for a log area at `lasa` of `laml` bytes, checksum fixed up. */
export function encodeCcelTable(laml: bigint, lasa: bigint): Uint8Array {
  const w = new ByteWriter(CCEL_TABLE_SIZE);
  w.raw(asciiBytes("CCEL")).u32(CCEL_TABLE_SIZE).u8(1).u8(0);
  w.raw(asciiBytes("TDXATT")).raw(asciiBytes("SIMTDVF ")).u32(1).raw(asciiBytes("TDXA")).u32(1);
  w.u8(CC_TYPE.TDX).u8(0).u16(0).u64(laml).u64(lasa);
  const t = w.bytes;
  let sum = 0;
  for (const b of t) sum = (sum + b) & 0xff;
  t[9] = (0x100 - sum) & 0xff;
  return t;
}
