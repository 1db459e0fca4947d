/**
 * Named bits of the TDX u64 flag words: TD ATTRIBUTES (tdx-reference.md §2.2), XFAM (§2.3) and
 * CONFIG_FLAGS (§2.5). Tables are data so that the CLI, JSON views and launch configurations all
 * use the same names; unknown set bits are reported as `BIT<n>` rather than dropped, so a view of
 * a flag word never hides a bit.
 */
import { ParseError } from "../errors.js";

export interface FlagBit {
  readonly bit: number;
  readonly name: string;
  readonly description: string;
}

/** TD ATTRIBUTES (TD_PARAMS offset 0, TDINFO/quote TDATTRIBUTES), §2.2. */
export const TD_ATTRIBUTE_BITS: readonly FlagBit[] = [
  { bit: 0, name: "DEBUG", description: "debuggable TD: the host can read and write TD state" },
  { bit: 16, name: "ICSSD", description: "newer modules only (reserved in 1.0/1.5.01)" },
  { bit: 27, name: "LASS", description: "linear address space separation; newer modules only" },
  { bit: 28, name: "SEPT_VE_DISABLE", description: "EPT violations on pending pages do not raise #VE" },
  { bit: 29, name: "MIGRATABLE", description: "1.5: TD may be migrated (reserved in 1.0)" },
  { bit: 30, name: "PKS", description: "supervisor protection keys" },
  { bit: 31, name: "KL", description: "Key Locker" },
  { bit: 63, name: "PERFMON", description: "TD may use the PMU" },
];

/** XFAM: XSAVE feature bits the TD may use (XCR0/IA32_XSS numbering), §2.3. */
export const XFAM_BITS: readonly FlagBit[] = [
  { bit: 0, name: "X87", description: "x87 state (must be 1)" },
  { bit: 1, name: "SSE", description: "SSE state (must be 1)" },
  { bit: 2, name: "AVX", description: "AVX (YMM upper halves)" },
  { bit: 5, name: "AVX512_OPMASK", description: "AVX-512 opmask registers" },
  { bit: 6, name: "AVX512_ZMM_HI256", description: "AVX-512 upper halves of ZMM0-15" },
  { bit: 7, name: "AVX512_HI16_ZMM", description: "AVX-512 ZMM16-31" },
  { bit: 8, name: "PT", description: "Intel Processor Trace" },
  { bit: 9, name: "PKRU", description: "user protection keys" },
  { bit: 11, name: "CET_U", description: "CET user state" },
  { bit: 12, name: "CET_S", description: "CET supervisor state" },
  { bit: 14, name: "ULI", description: "user interrupts" },
  { bit: 15, name: "LBR", description: "architectural LBR" },
  { bit: 17, name: "AMX_TILECFG", description: "AMX tile configuration" },
  { bit: 18, name: "AMX_TILEDATA", description: "AMX tile data" },
];

/** CONFIG_FLAGS (1.0: EXEC_CONTROLS), TD_PARAMS offset 32, §2.5. */
export const CONFIG_FLAG_BITS: readonly FlagBit[] = [
  { bit: 0, name: "GPAW", description: "guest physical address width 52 (shared bit 51) instead of 48" },
  { bit: 1, name: "FLEXIBLE_PENDING_VE", description: "1.5: the TD controls pending-#VE behaviour" },
  { bit: 2, name: "NO_RBP_MOD", description: "1.5: TDH.VP.ENTER does not modify RBP" },
  { bit: 3, name: "MAXPA_VIRT", description: "newer modules: virtualised MAX_PA" },
];

/** Attribute bit values for code that tests single flags. */
export const TD_ATTRIBUTES = {
  DEBUG: 1n << 0n,
  ICSSD: 1n << 16n,
  LASS: 1n << 27n,
  SEPT_VE_DISABLE: 1n << 28n,
  MIGRATABLE: 1n << 29n,
  PKS: 1n << 30n,
  KL: 1n << 31n,
  PERFMON: 1n << 63n,
} as const;

/** Names of the set bits of `value`, low bit first; unnamed bits appear as `BIT<n>`. */
export function flagNames(table: readonly FlagBit[], value: bigint): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit++) {
    if (((value >> BigInt(bit)) & 1n) === 0n) continue;
    out.push(table.find((f) => f.bit === bit)?.name ?? `BIT${bit}`);
  }
  return out;
}

/**
 * Inverse of `flagNames`: accepts table names (case-insensitive) and `BIT<n>`; anything else is
 * ERR_BAD_VALUE naming `field`, so a typo in a launch configuration cannot silently drop a flag.
 */
export function parseFlagNames(table: readonly FlagBit[], names: readonly string[], field = "flags"): bigint {
  let v = 0n;
  for (const raw of names) {
    const name = raw.trim().toUpperCase();
    const named = table.find((f) => f.name === name);
    const m = /^BIT(\d{1,2})$/.exec(name);
    const bit = named?.bit ?? (m ? Number(m[1]) : -1);
    if (bit < 0 || bit > 63) {
      throw new ParseError("ERR_BAD_VALUE", `${field}: unknown flag name '${raw}'`, { field });
    }
    v |= 1n << BigInt(bit);
  }
  return v;
}

export const attributeNames = (v: bigint): string[] => flagNames(TD_ATTRIBUTE_BITS, v);
export const parseAttributeNames = (names: readonly string[]): bigint =>
  parseFlagNames(TD_ATTRIBUTE_BITS, names, "attributes");
export const xfamNames = (v: bigint): string[] => flagNames(XFAM_BITS, v);
export const parseXfamNames = (names: readonly string[]): bigint => parseFlagNames(XFAM_BITS, names, "xfam");
export const configFlagNames = (v: bigint): string[] => flagNames(CONFIG_FLAG_BITS, v);
export const parseConfigFlagNames = (names: readonly string[]): bigint =>
  parseFlagNames(CONFIG_FLAG_BITS, names, "configFlags");

/**
 * A u64 flag word as quotes print it: the 8 little-endian bytes in memory order as hex
 * (e.g. SEPT_VE_DISABLE = "0000001000000000").
 */
export function u64MemoryHex(v: bigint): string {
  let s = "";
  for (let i = 0; i < 8; i++)
    s += Number((v >> BigInt(8 * i)) & 0xffn)
      .toString(16)
      .padStart(2, "0");
  return s;
}
