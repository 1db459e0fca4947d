/**
 * Per-TD and per-VCPU state of the simulated module (tdx-reference.md §17 "state that must
 * survive"): OP_STATE, the MRTD context, RTMRs, NUM_VCPUS/MAX_VCPUS, per-page SEPT state and
 * VCPU states and indexes.
 */
import type { MrtdAccumulator } from "./mrtd.js";

/** 1.5 OP_STATE values used by a non-migrating TD (§4.1). */
export type OpState = "UNINITIALIZED" | "INITIALIZED" | "RUNNABLE";

/** Secure-EPT leaf states of the 4 KiB pages of a region (one byte per page). */
export const LEAF_FREE = 0;
export const LEAF_MAPPED = 1;
export const LEAF_PENDING = 2;

/**
 * A 2 MiB GPA region whose 4 KiB SEPT page exists (TDH.MEM.SEPT.ADD level 1): 512 leaf states
 * and, once a page is added, one 2 MiB slab holding the plaintext copies PAGE.ADD made (one
 * allocation per region instead of one per page; dropped at TDH.MR.FINALIZE).
 */
/**
 * Guest-physical contents produced on demand (a lazily read file, a zero-extended section):
 * `readPage` fills `out` (4096 bytes) with the bytes at `offset` (a multiple of 4096 from the
 * caller's point of view). Must return the same bytes for the same offset until TDH.MR.FINALIZE.
 */
export interface PageProvider {
  readonly byteLength: number;
  readPage(offset: number, out: Uint8Array): void;
}

/** Where TDH.MEM.PAGE.ADD reads a source page: a buffer or a page provider (the model's R9). */
export type PageSource = Uint8Array | PageProvider;

export interface SeptRegion {
  readonly leaf: Uint8Array;
  data: Uint8Array | undefined;
  /**
   * "reference" retention: per page, the caller's source (for buffers a whole-buffer view shared
   * by all pages from the same ArrayBuffer; providers as given, re-read at MR.EXTEND) and the
   * page's byte offset in it. No per-page objects, and a provider's pages are never held.
   */
  refSources: (PageSource | undefined)[] | undefined;
  refOffsets: Float64Array | undefined;
}

export interface TdState {
  readonly tdr: number;
  keysConfigured: boolean;
  tdcsPages: number;
  opState: OpState;
  attributes: bigint;
  xfam: bigint;
  maxVcpus: number;
  numVcpus: number;
  /** 48 or 52 (CONFIG_FLAGS.GPAW). */
  gpaw: number;
  mrConfigId: Uint8Array;
  mrOwner: Uint8Array;
  mrOwnerConfig: Uint8Array;
  mrtd: MrtdAccumulator | undefined;
  mrTd: Uint8Array | undefined;
  rtmr: [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  servTdHash: Uint8Array;
  /** 2 MiB region number → its SEPT page (absent: the walk stops above 4K). */
  readonly sept: Map<number, SeptRegion>;
  /** Lookup cache for `sept` (key and region of the last lookup). */
  lastRegionKey: number;
  lastRegion: SeptRegion | undefined;
}

export interface VcpuState {
  readonly tdvpr: number;
  readonly td: TdState;
  state: "UNINITIALIZED" | "INITIALIZED";
  tdcxPages: number;
  vcpuIndex: number | undefined;
  x2apicId: number;
  /** Guest RCX at reset (KVM/QEMU: the TD HOB GPA, §6.2). */
  initialRcx: bigint;
}

export function newTdState(tdr: number): TdState {
  return {
    tdr,
    keysConfigured: false,
    tdcsPages: 0,
    opState: "UNINITIALIZED",
    attributes: 0n,
    xfam: 0n,
    maxVcpus: 0,
    numVcpus: 0,
    gpaw: 48,
    mrConfigId: new Uint8Array(48),
    mrOwner: new Uint8Array(48),
    mrOwnerConfig: new Uint8Array(48),
    mrtd: undefined,
    mrTd: undefined,
    rtmr: [new Uint8Array(48), new Uint8Array(48), new Uint8Array(48), new Uint8Array(48)],
    servTdHash: new Uint8Array(48),
    sept: new Map(),
    lastRegionKey: -1,
    lastRegion: undefined,
  };
}
