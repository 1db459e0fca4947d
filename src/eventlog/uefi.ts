/**
 * UEFI structures carried in event data: GUIDs (EFI byte order), UEFI_VARIABLE_DATA
 * (tdx-reference.md §12.5), UEFI_IMAGE_LOAD_EVENT (§12.4) and a compact device-path text.
 */
import { ByteReader, concatBytes, fromHex, fromUtf16le, toHex, u64le, utf16le } from "../bytes.js";
import { ParseError } from "../errors.js";

/** GUIDs used by TDVF measurements (§12.5). */
export const EFI_GLOBAL_VARIABLE = "8be4df61-93ca-11d2-aa0d-00e098032b8c";
export const EFI_IMAGE_SECURITY_DATABASE = "d719b2cb-3d3a-4596-a3bc-dad00e67656f";

/** Formats 16 bytes in EFI byte order (first three groups little-endian). */
export function formatGuid(b: Uint8Array): string {
  const h = toHex(b);
  const le = (s: string) => (s.match(/../g) ?? []).reverse().join("");
  return `${le(h.slice(0, 8))}-${le(h.slice(8, 12))}-${le(h.slice(12, 16))}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Encodes a GUID string in EFI byte order. */
export function guidBytes(guid: string): Uint8Array {
  const m = /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i.exec(guid);
  if (!m)
    throw new ParseError("ERR_BAD_ENCODING", `guid: ${JSON.stringify(guid)} is not a GUID`, {
      field: "guid",
    });
  const rev = (s: string) => fromHex(s).reverse();
  return concatBytes(
    rev(m[1] as string),
    rev(m[2] as string),
    rev(m[3] as string),
    fromHex(m[4] as string),
    fromHex(m[5] as string),
  );
}

/** UEFI_VARIABLE_DATA (§12.5). */
export interface UefiVariableData {
  readonly guid: string;
  readonly name: string;
  readonly data: Uint8Array;
}

export function parseUefiVariableData(bytes: Uint8Array, base = 0): UefiVariableData {
  const r = new ByteReader(bytes, "UefiVariableData", base);
  const guid = formatGuid(r.subarray(16, "variableName"));
  const nameLen = r.u64("unicodeNameLength");
  const dataLen = r.u64("variableDataLength");
  if (nameLen > BigInt(r.remaining) || dataLen > BigInt(r.remaining)) r.need(r.remaining + 1, "unicodeName");
  const name = fromUtf16le(r.subarray(Number(nameLen) * 2, "unicodeName"));
  const data = r.take(Number(dataLen), "variableData");
  r.end();
  return { guid, name, data };
}

export function encodeUefiVariableData(v: UefiVariableData): Uint8Array {
  return concatBytes(
    guidBytes(v.guid),
    u64le(BigInt(v.name.length)),
    u64le(BigInt(v.data.length)),
    utf16le(v.name),
    v.data,
  );
}

/** UEFI_IMAGE_LOAD_EVENT (§12.4). */
export interface UefiImageLoadEvent {
  readonly imageLocationInMemory: bigint;
  readonly imageLengthInMemory: bigint;
  readonly imageLinkTimeAddress: bigint;
  readonly devicePath: Uint8Array;
  /** Readable device path, e.g. `Fv(…)/FvFile(…)` or `\EFI\BOOT\BOOTX64.EFI`. */
  readonly devicePathText: string;
}

export function parseImageLoadEvent(bytes: Uint8Array, base = 0): UefiImageLoadEvent {
  const r = new ByteReader(bytes, "UefiImageLoadEvent", base);
  const imageLocationInMemory = r.u64("imageLocationInMemory");
  const imageLengthInMemory = r.u64("imageLengthInMemory");
  const imageLinkTimeAddress = r.u64("imageLinkTimeAddress");
  const len = r.u64("lengthOfDevicePath");
  if (len > BigInt(r.remaining)) r.need(r.remaining + 1, "devicePath");
  const devicePath = r.take(Number(len), "devicePath");
  r.end();
  return {
    imageLocationInMemory,
    imageLengthInMemory,
    imageLinkTimeAddress,
    devicePath,
    devicePathText: devicePathText(devicePath),
  };
}

/** Best-effort text of an EFI device path; unknown nodes print as `Node(type,sub)`. */
export function devicePathText(dp: Uint8Array): string {
  const parts: string[] = [];
  let pos = 0;
  while (pos + 4 <= dp.length) {
    const type = dp[pos] as number;
    const sub = dp[pos + 1] as number;
    const len = (dp[pos + 2] as number) | ((dp[pos + 3] as number) << 8);
    if (len < 4 || pos + len > dp.length) break;
    const body = dp.subarray(pos + 4, pos + len);
    pos += len;
    if (type === 0x7f) break;
    parts.push(nodeText(type, sub, body));
  }
  return parts.join("/");
}

function nodeText(type: number, sub: number, body: Uint8Array): string {
  if (type === 4 && sub === 4) return fromUtf16le(body).replace(/\0+$/, "");
  if (type === 4 && sub === 6 && body.length === 16) return `FvFile(${formatGuid(body)})`;
  if (type === 4 && sub === 7 && body.length === 16) return `Fv(${formatGuid(body)})`;
  if (type === 4 && sub === 3 && body.length >= 16) return `VenMedia(${formatGuid(body.subarray(0, 16))})`;
  if (type === 4 && sub === 1 && body.length >= 4) return `HD(${(body[0] ?? 0) | ((body[1] ?? 0) << 8)})`;
  if (type === 1 && sub === 1 && body.length >= 2)
    return `Pci(0x${(body[1] ?? 0).toString(16)},0x${(body[0] ?? 0).toString(16)})`;
  if (type === 2 && sub === 1) return "PciRoot";
  return `Node(${type},${sub})`;
}
