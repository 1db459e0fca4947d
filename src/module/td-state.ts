/**
 * Per-TD and per-VCPU state of the simulated module (tdx-reference.md §17 "state that must
 * survive"): OP_STATE, the MRTD context, RTMRs, NUM_VCPUS/MAX_VCPUS, per-page SEPT state and
 * VCPU states and indexes.
 */
import type { MrtdAccumulator } from "./mrtd.js";

/** 1.5 OP_STATE values used by a non-migrating TD (§4.1). */
export type OpState = "UNINITIALIZED" | "INITIALIZED" | "RUNNABLE";

/** Secure-EPT leaf state of a 4 KiB GPA: MAPPED after PAGE.ADD, PENDING after PAGE.AUG. */
export interface PageEntry {
  state: "MAPPED" | "PENDING";
  /** Plaintext copy made by PAGE.ADD (dropped at TDH.MR.FINALIZE, when nothing reads it). */
  data: Uint8Array | undefined;
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
  /** 2 MiB regions whose 4 KiB SEPT page exists (TDH.MEM.SEPT.ADD level 1). */
  readonly sept: Set<number>;
  /** 4 KiB page number → leaf entry. */
  readonly pages: Map<number, PageEntry>;
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
    sept: new Set(),
    pages: new Map(),
  };
}
