/**
 * A deterministic in-memory TDX module for one platform (tdx-reference.md §1–§7, §17).
 *
 * Host SEAMCALLs are methods taking the ABI's register inputs and returning `{ status, ... }`,
 * where `status` is the 64-bit completion status (§1.2) as data; a failed call leaves every piece
 * of state unchanged. Only host-program bugs (a handle that was never a simulated page used as
 * the wrong kind, wrong buffer sizes) throw. Physical addresses of TDR/TDVPR pages are opaque
 * handles handed out by `mngCreate`/`vpCreate`.
 */
import { parseTdParams, TD_PARAMS_SIZE } from "../abi/td-params.js";
import { type CryptoBackend, defaultCrypto } from "../crypto/index.js";
import { SimulationError } from "../errors.js";
import { buildStateStatus, type Reg, regNum } from "./build-state.js";
import { tdgMrReport, tdgMrRtmrExtend, tdgVpInfo, type VpInfo, verifyReportMac } from "./guest.js";
import { MrtdAccumulator, type MrtdOptions } from "./mrtd.js";
import { createPlatform, type Platform, sysInfo, type TdSysInfo } from "./platform.js";
import * as S from "./status.js";
import {
  err,
  extendChunks,
  inBuild,
  type MemoryContext,
  memoryContext,
  pageAdd,
  pageAug,
  SEAMCALL_OK,
  type SeamcallResult,
  septAdd,
} from "./td-memory.js";
import { checkTdParams } from "./td-params-check.js";
import { newTdState, type OpState, type PageSource, type TdState, type VcpuState } from "./td-state.js";

export type { Reg } from "./build-state.js";

export { SEAMCALL_OK, type SeamcallResult } from "./td-memory.js";

const PAGE = 4096;
const ok = SEAMCALL_OK;
const BUILD = ["INITIALIZED"] as const;

/** TD-scope fields as TDH.MNG.RD would read them. */
export interface TdSnapshot {
  readonly attributes: bigint;
  readonly xfam: bigint;
  readonly maxVcpus: number;
  readonly numVcpus: number;
  readonly gpaw: number;
  readonly opState: OpState;
  /** Undefined until TDH.MR.FINALIZE. */
  readonly mrTd: Uint8Array | undefined;
  readonly mrConfigId: Uint8Array;
  readonly mrOwner: Uint8Array;
  readonly mrOwnerConfig: Uint8Array;
  readonly rtmr: readonly [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
}

export interface TdxModuleOptions {
  crypto?: CryptoBackend;
  /**
   * How TDH.MEM.PAGE.ADD keeps the page: "copy" (default, what the module does: later changes to
   * the source do not matter) or "reference" (keeps the caller's 4 KiB view; the caller promises
   * not to modify it before TDH.MR.FINALIZE, as QEMU's firmware/payload buffers are not). The
   * launch replay uses "reference" so a large image is never held twice.
   */
  pageRetention?: "copy" | "reference";
  /** Passed to each TD's MRTD accumulator (staging size). */
  mrtd?: MrtdOptions;
}

export class TdxModule {
  readonly platform: Platform;
  readonly crypto: CryptoBackend;
  private readonly mrtdOptions: MrtdOptions;
  readonly pageRetention: "copy" | "reference";
  private readonly tds = new Map<number, TdState>();
  private readonly vcpus = new Map<number, VcpuState>();
  private nextPa = 0x1_0000_0000;
  private lastTdr: number | undefined;
  private lastTd: TdState | undefined;
  /** Settings the memory SEAMCALLs need (td-memory.ts). */
  private readonly memCtx: MemoryContext;

  constructor(platform: Partial<Platform> = {}, opts: TdxModuleOptions = {}) {
    this.platform = createPlatform(platform);
    this.crypto = opts.crypto ?? defaultCrypto();
    this.mrtdOptions = opts.mrtd ?? {};
    this.pageRetention = opts.pageRetention ?? "copy";
    this.memCtx = memoryContext(this.platform.version, this.pageRetention);
  }

  /** TDH.SYS.INFO (leaf 32). */
  sysInfo(): TdSysInfo {
    return sysInfo(this.platform);
  }

  /** TDH.MNG.CREATE (leaf 9): a new TD root page; the TD needs KEY.CONFIG and ADDCX next. */
  mngCreate(): SeamcallResult & { tdr: number } {
    const tdr = this.allocPa();
    this.tds.set(tdr, newTdState(tdr));
    return { ...ok, tdr };
  }

  /** TDH.MNG.KEY.CONFIG (leaf 8): key programming is a no-op step here; moves to KEYS_CONFIGURED. */
  mngKeyConfig(tdr: Reg): SeamcallResult {
    const td = this.td(tdr);
    if (!td) return err(S.TDX_OPERAND_INVALID, S.OPERAND.RCX);
    if (td.keysConfigured || td.opState !== "UNINITIALIZED") return err(S.TDX_OP_STATE_INCORRECT);
    td.keysConfigured = true;
    return ok;
  }

  /** TDH.MNG.ADDCX (leaf 1): adds one TDCS page. */
  mngAddCx(tdr: Reg): SeamcallResult {
    const td = this.td(tdr);
    if (!td) return err(S.TDX_OPERAND_INVALID, S.OPERAND.RDX);
    const st = buildStateStatus(td, ["UNINITIALIZED"], this.platform.version);
    if (st !== S.TDX_SUCCESS) return { status: st };
    if (td.tdcsPages >= this.platform.tdcsPages) return err(S.TDX_TDCX_NUM_INCORRECT);
    td.tdcsPages++;
    return ok;
  }

  /**
   * TDH.MNG.INIT (leaf 21): validates the 1024-byte TD_PARAMS in §3.1 order, then stores the TD
   * configuration, opens the MRTD context and zeroes the RTMRs (§3.2). TD_PARAMS is not hashed.
   */
  mngInit(tdr: Reg, tdParams: Uint8Array): SeamcallResult & { rcx?: bigint } {
    const td = this.td(tdr);
    if (!td) return err(S.TDX_OPERAND_INVALID, S.OPERAND.RCX);
    if (!td.keysConfigured) return err(S.TDX_TD_KEYS_NOT_CONFIGURED);
    if (td.tdcsPages < this.platform.tdcsPages) return err(S.TDX_TDCS_NOT_ALLOCATED);
    const st = buildStateStatus(td, ["UNINITIALIZED"], this.platform.version);
    if (st !== S.TDX_SUCCESS) return { status: st };
    if (!(tdParams instanceof Uint8Array) || tdParams.length !== TD_PARAMS_SIZE)
      return err(S.TDX_OPERAND_INVALID, S.OPERAND.RDX);
    const p = parseTdParams(tdParams, { numCpuidConfig: this.platform.numCpuidConfig });
    const check = checkTdParams(p, this.platform);
    if (check.status !== S.TDX_SUCCESS) return check;
    Object.assign(td, {
      attributes: p.attributes,
      xfam: p.xfam,
      maxVcpus: p.maxVcpus,
      gpaw: (p.configFlags & 1n) === 1n ? 52 : 48,
      mrConfigId: p.mrConfigId.slice(),
      mrOwner: p.mrOwner.slice(),
      mrOwnerConfig: p.mrOwnerConfig.slice(),
      mrtd: new MrtdAccumulator(this.crypto, this.mrtdOptions),
      rtmr: [new Uint8Array(48), new Uint8Array(48), new Uint8Array(48), new Uint8Array(48)],
      numVcpus: 0,
      opState: "INITIALIZED",
    } satisfies Partial<TdState>);
    return ok;
  }

  /** TDH.VP.CREATE (leaf 10): does not look at NUM_VCPUS/MAX_VCPUS (§6.1). */
  vpCreate(tdr: Reg): SeamcallResult & { tdvpr?: number } {
    const td = this.td(tdr);
    if (!td) return err(S.TDX_OPERAND_INVALID, S.OPERAND.RDX);
    if (!inBuild(td)) return { status: buildStateStatus(td, BUILD, this.platform.version) };
    const tdvpr = this.allocPa();
    this.vcpus.set(tdvpr, {
      tdvpr,
      td,
      state: "UNINITIALIZED",
      tdcxPages: 0,
      vcpuIndex: undefined,
      x2apicId: 0,
      initialRcx: 0n,
    });
    return { ...ok, tdvpr };
  }

  /** TDH.VP.ADDCX (leaf 4): one TDCX page for a VCPU not yet initialized. */
  vpAddCx(tdvpr: Reg): SeamcallResult {
    const vp = this.vcpu(tdvpr);
    if (!vp) return err(S.TDX_OPERAND_INVALID, S.OPERAND.RDX);
    const st = buildStateStatus(vp.td, BUILD, this.platform.version);
    if (st !== S.TDX_SUCCESS) return { status: st };
    if (vp.state !== "UNINITIALIZED") return err(S.TDX_VCPU_STATE_INCORRECT);
    if (vp.tdcxPages >= this.platform.tdcxPages) return err(this.tdcxCountError());
    vp.tdcxPages++;
    return ok;
  }

  /** TDH.VP.INIT (leaf 22): MAX_VCPUS is enforced here, not at VP.CREATE (§6.2). */
  vpInit(tdvpr: Reg, rcx: Reg = 0n, x2apicId = 0): SeamcallResult {
    const vp = this.vcpu(tdvpr);
    if (!vp) return err(S.TDX_OPERAND_INVALID, S.OPERAND.RCX);
    const td = vp.td;
    if (!inBuild(td)) return { status: buildStateStatus(td, BUILD, this.platform.version) };
    if (vp.state !== "UNINITIALIZED") return err(S.TDX_VCPU_STATE_INCORRECT);
    if (vp.tdcxPages !== this.platform.tdcxPages) return err(this.tdcxCountError());
    if (td.numVcpus >= td.maxVcpus) return err(S.TDX_MAX_VCPUS_EXCEEDED);
    vp.vcpuIndex = td.numVcpus++;
    vp.state = "INITIALIZED";
    vp.x2apicId = x2apicId;
    vp.initialRcx = BigInt(rcx);
    return ok;
  }

  /** TDH.MEM.SEPT.ADD (leaf 3), level 1 only: creates the 4 KiB SEPT page of a 2 MiB region. */
  memSeptAdd(tdr: Reg, gpa: Reg, level = 1): SeamcallResult {
    const td = this.td(tdr);
    return td ? septAdd(td, gpa, level, this.memCtx) : err(S.TDX_OPERAND_INVALID, S.OPERAND.RDX);
  }

  /**
   * TDH.MEM.PAGE.ADD (leaf 2): copies the 4 KiB source into the TD and extends MRTD with the
   * GPA block (§5.1). `gpa` carries the level in bits 2:0 (must be 0 = 4 KiB).
   */
  memPageAdd(tdr: Reg, gpa: Reg, source: Uint8Array): SeamcallResult {
    const td = this.td(tdr);
    const exact = source instanceof Uint8Array && source.length === PAGE;
    return td
      ? pageAdd(td, gpa, exact ? source : undefined, 0, this.memCtx)
      : err(S.TDX_OPERAND_INVALID, S.OPERAND.RDX);
  }

  /**
   * TDH.MEM.PAGE.ADD with the source page named by (buffer or page provider, byte offset), the
   * model's counterpart of R9's physical address: no per-page view is needed, and with
   * "reference" retention a provider's page is not read until TDH.MR.EXTEND needs it. A source
   * without 4096 bytes at `offset` is TDX_OPERAND_INVALID on R9, as `memPageAdd` reports.
   */
  memPageAddFrom(tdr: Reg, gpa: Reg, source: PageSource, offset: number): SeamcallResult {
    const td = this.td(tdr);
    return td ? pageAdd(td, gpa, source, offset, this.memCtx) : err(S.TDX_OPERAND_INVALID, S.OPERAND.RDX);
  }

  /** TDH.MEM.PAGE.AUG (leaf 6): maps a PENDING page; never measured. */
  memPageAug(tdr: Reg, gpa: Reg): SeamcallResult {
    const td = this.td(tdr);
    return td ? pageAug(td, gpa, this.memCtx) : err(S.TDX_OPERAND_INVALID, S.OPERAND.RDX);
  }

  /** TDH.MR.EXTEND (leaf 16): extends MRTD with the 256-byte chunk at `gpa` (§5.2). */
  mrExtend(tdr: Reg, gpa: Reg): SeamcallResult {
    const td = this.td(tdr);
    return td ? extendChunks(td, gpa, 1, this.memCtx) : err(S.TDX_OPERAND_INVALID, S.OPERAND.RDX);
  }

  /**
   * Exactly 16 × TDH.MR.EXTEND at gpa, gpa + 0x100, …, gpa + 0xF00 (one 4 KiB page): the same
   * checks (they are identical for the 16 chunks of a page, so the first call's status is every
   * call's status), the same MRTD bytes, one JS call. The KVM model's hot loop uses it; on
   * failure nothing is extended, as with the first of 16 failing calls.
   */
  mrExtendPage(tdr: Reg, gpa: Reg): SeamcallResult {
    const g = regNum(gpa);
    if (g !== undefined && g % PAGE !== 0) return err(S.TDX_OPERAND_INVALID, S.OPERAND.RCX);
    const td = this.td(tdr);
    return td ? extendChunks(td, gpa, PAGE / 256, this.memCtx) : err(S.TDX_OPERAND_INVALID, S.OPERAND.RDX);
  }

  /** TDH.MR.FINALIZE (leaf 17): closes MRTD; 1.5 needs ≥ 1 initialized VCPU (§5.3). */
  mrFinalize(tdr: Reg): SeamcallResult {
    const td = this.td(tdr);
    if (!td) return err(S.TDX_OPERAND_INVALID, S.OPERAND.RCX);
    if (!inBuild(td)) return { status: buildStateStatus(td, BUILD, this.platform.version) };
    if (this.platform.version === "1.5" && td.numVcpus === 0) return err(S.TDX_NO_VCPUS);
    td.mrTd = td.mrtd?.finalize();
    td.mrtd = undefined;
    // No service TD can be bound in this model: SERVTD_HASH stays 48 zero bytes (§7.5).
    td.servTdHash = new Uint8Array(48);
    td.opState = "RUNNABLE";
    for (const r of td.sept.values()) {
      r.data = undefined;
      r.refSources = undefined;
      r.refOffsets = undefined;
    }
    return ok;
  }

  /**
   * TDH.MNG.RD (leaf 11), simplified: a snapshot of the TD-scope fields instead of one field per
   * call. Allowed once TDH.MNG.INIT ran (§4.2).
   */
  mngRd(tdr: Reg): SeamcallResult & { td?: TdSnapshot } {
    const td = this.td(tdr);
    if (!td) return err(S.TDX_OPERAND_INVALID, S.OPERAND.RCX);
    const st = buildStateStatus(td, ["INITIALIZED", "RUNNABLE"], this.platform.version);
    if (st !== S.TDX_SUCCESS) return { status: st };
    const { attributes, xfam, maxVcpus, numVcpus, gpaw, opState } = td;
    const copy = (b: Uint8Array | undefined) => b?.slice();
    return {
      ...ok,
      td: {
        attributes,
        xfam,
        maxVcpus,
        numVcpus,
        gpaw,
        opState,
        mrTd: copy(td.mrTd),
        mrConfigId: td.mrConfigId.slice(),
        mrOwner: td.mrOwner.slice(),
        mrOwnerConfig: td.mrOwnerConfig.slice(),
        rtmr: [td.rtmr[0].slice(), td.rtmr[1].slice(), td.rtmr[2].slice(), td.rtmr[3].slice()],
      },
    };
  }

  /** The MRTD so far (a clone of the running hash before FINALIZE), for traces. */
  peekMrtd(tdr: Reg): Uint8Array | undefined {
    const td = this.td(tdr);
    return td?.mrTd?.slice() ?? td?.mrtd?.peek();
  }

  /** Bytes fed to SHA-384 for this TD's MRTD so far (benchmarks). */
  mrtdBytesHashed(tdr: Reg): number {
    return this.td(tdr)?.mrtd?.bytesHashed ?? 0;
  }

  // ---- guest side (TDCALL), issued by the VCPU identified by its TDVPR -------------------

  /** TDG.VP.INFO (TDCALL leaf 1, §6.3). */
  tdgVpInfo(tdvpr: Reg): VpInfo {
    return tdgVpInfo(this.runningVcpu(tdvpr, "TDG.VP.INFO"), this.platform);
  }

  /** TDG.MR.RTMR.EXTEND (TDCALL leaf 2, §7.1); `gpa` (optional) is the 48-byte buffer's GPA. */
  tdgMrRtmrExtend(tdvpr: Reg, index: Reg, data: Uint8Array, gpa?: Reg): SeamcallResult {
    return tdgMrRtmrExtend(this.runningVcpu(tdvpr, "TDG.MR.RTMR.EXTEND"), index, data, gpa, this.crypto);
  }

  /** TDG.MR.REPORT (TDCALL leaf 4, §7.2): a 1024-byte TDREPORT_STRUCT. */
  tdgMrReport(
    tdvpr: Reg,
    reportData: Uint8Array,
    subtype: Reg = 0n,
    gpas: { report?: Reg; reportData?: Reg } = {},
  ): SeamcallResult & { report?: Uint8Array } {
    return tdgMrReport(
      this.runningVcpu(tdvpr, "TDG.MR.REPORT"),
      this.platform,
      reportData,
      subtype,
      gpas,
      this.crypto,
    );
  }

  /** Checks a TDREPORT's simulated MAC (what TDG.MR.VERIFYREPORT does on the same platform). */
  verifyReport(report: Uint8Array): boolean {
    return verifyReportMac(report, this.platform, this.crypto);
  }

  // ---- helpers ---------------------------------------------------------------------------

  private allocPa(): number {
    const pa = this.nextPa;
    this.nextPa += PAGE;
    return pa;
  }

  private td(tdr: Reg): TdState | undefined {
    if (tdr === this.lastTdr) return this.lastTd; // hot path: a launch targets one TD
    const n = regNum(tdr);
    const td = n === undefined ? undefined : this.tds.get(n);
    if (td && typeof tdr === "number") {
      this.lastTdr = tdr;
      this.lastTd = td;
    }
    return td;
  }

  private vcpu(tdvpr: Reg): VcpuState | undefined {
    const n = regNum(tdvpr);
    return n === undefined ? undefined : this.vcpus.get(n);
  }

  /** Guest calls need a running VCPU: anything else is a host-program bug, not an ABI status. */
  private runningVcpu(tdvpr: Reg, call: string): VcpuState {
    const vp = this.vcpu(tdvpr);
    if (vp?.state !== "INITIALIZED" || vp.td.opState !== "RUNNABLE") {
      throw new SimulationError(
        "ERR_SIMULATION",
        `${call}: VCPU ${String(tdvpr)} is not running (TD not finalized or VCPU not initialized)`,
      );
    }
    return vp;
  }

  private tdcxCountError(): bigint {
    return this.platform.version === "1.5" ? S.TDX_TDCX_NUM_INCORRECT : S.TDX_TDVPX_NUM_INCORRECT;
  }
}
