/**
 * Event self-check: for event types whose digest is defined over the event's own data
 * (tdx-reference.md §12.4-12.5), recompute it and list the records whose digest does not match
 * (a forged or corrupted log). Types whose digest covers something outside the log (images,
 * fw_cfg blobs, HOBs, initrd) cannot be checked and are counted as unchecked.
 */
import { concatBytes, equalBytes, fromUtf8, toHex, u32le, utf8 } from "../bytes.js";
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { isTdxError } from "../errors.js";
import { EV, sha384Digest, type TcgEvent } from "./types.js";
import { parseUefiVariableData } from "./uefi.js";

export interface ForgedEvent {
  readonly seq: number;
  readonly mrIndex: number;
  readonly eventType: number;
  readonly logged: string;
  readonly computed: string;
}

export interface SelfCheckResult {
  readonly checked: number;
  readonly unchecked: number;
  readonly forged: readonly ForgedEvent[];
}

/** Upstream grub: `grub_cmd: <cmd>` / `kernel_cmdline: <line>`, digest over the text, no NUL. */
const GRUB_COLON_PREFIXES = ["grub_cmd: ", "kernel_cmdline: "];
/** Distribution grub (RHEL family): `grub_cmd <cmd>\0…`, digest over the command and its NUL. */
const GRUB_RH_PREFIX = "grub_cmd ";

/** dstack runtime-event digest: SHA-384(u32 LE type || ":" || name || ":" || payload). */
export function dstackRuntimeDigest(
  eventType: number,
  name: string,
  payload: Uint8Array,
  crypto: CryptoBackend = defaultCrypto(),
): Uint8Array {
  return crypto.hash("sha384", concatBytes(u32le(eventType), utf8(":"), utf8(name), utf8(":"), payload));
}

/** The bytes the digest is defined over, or undefined if it is not over the event data. */
export function digestedBytes(e: TcgEvent): Uint8Array | undefined {
  switch (e.eventType) {
    case EV.EFI_VARIABLE_DRIVER_CONFIG:
    case EV.EFI_VARIABLE_AUTHORITY:
    case EV.EFI_VARIABLE_BOOT2:
      // A record that is not a named UEFI variable (OVMF ≥ 202505 logs a sentinel blob for its
      // authority event and hashes firmware-internal data) cannot be checked.
      return parseUefiVariableData(e.data).name === "" ? undefined : e.data;
    case EV.SEPARATOR:
    case EV.EFI_ACTION:
    case EV.EFI_GPT_EVENT:
    case EV.TDX_ATTEST_VCPU_INFO:
      return e.data;
    case EV.EFI_VARIABLE_BOOT:
      return parseUefiVariableData(e.data).data;
    case EV.IPL:
      return grubDigestedBytes(e.data);
    default:
      return undefined;
  }
}

/** The bytes a grub EV_IPL digest covers (§12.4), or undefined for other EV_IPL producers. */
function grubDigestedBytes(data: Uint8Array): Uint8Array | undefined {
  const nul = data.indexOf(0);
  const text = fromUtf8(nul < 0 ? data : data.subarray(0, nul));
  const p = GRUB_COLON_PREFIXES.find((x) => text.startsWith(x));
  if (p !== undefined && nul < 0) return utf8(text.slice(p.length));
  if (text.startsWith(GRUB_RH_PREFIX) && nul >= 0) return data.subarray(GRUB_RH_PREFIX.length, nul + 1);
  return undefined;
}

/** Recomputes self-describing digests (SHA-384 only) and lists mismatches. */
export function selfCheckEvents(
  events: readonly TcgEvent[],
  crypto: CryptoBackend = defaultCrypto(),
): SelfCheckResult {
  let checked = 0;
  let unchecked = 0;
  const forged: ForgedEvent[] = [];
  for (const e of events) {
    if (e.eventType === EV.NO_ACTION) continue;
    if (e.dataOmitted) {
      unchecked++;
      continue;
    }
    const logged = sha384Digest(e);
    let candidates: Uint8Array[] = [];
    try {
      candidates = candidateDigests(e, crypto);
    } catch (err) {
      if (!isTdxError(err)) throw err; // data not in its type's layout: cannot be checked
    }
    const computed = candidates[0];
    if (!logged || !computed) {
      unchecked++;
      continue;
    }
    checked++;
    if (!candidates.some((c) => equalBytes(logged, c))) {
      forged.push({
        seq: e.seq,
        mrIndex: e.mrIndex,
        eventType: e.eventType,
        logged: toHex(logged),
        computed: toHex(computed),
      });
    }
  }
  return { checked, unchecked, forged };
}

/**
 * Acceptable digests of an event, first = the canonical one. EV_EFI_VARIABLE_BOOT2 is hashed over
 * the whole UEFI_VARIABLE_DATA by the TCG spec but over the variable data only by OVMF ≥ 202505
 * (dstack-mr's model), so both are accepted.
 */
function candidateDigests(e: TcgEvent, crypto: CryptoBackend): Uint8Array[] {
  if (e.eventType === EV.DSTACK_RUNTIME) {
    return e.name === undefined ? [] : [dstackRuntimeDigest(e.eventType, e.name, e.data, crypto)];
  }
  const b = digestedBytes(e);
  if (b === undefined) return [];
  const out = [crypto.hash("sha384", b)];
  if (e.eventType === EV.EFI_VARIABLE_BOOT2)
    out.push(crypto.hash("sha384", parseUefiVariableData(e.data).data));
  return out;
}
