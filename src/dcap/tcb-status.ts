/**
 * TCB level selection and Intel QVL's status merge (tdx-reference.md sections 16.2-16.4).
 * Intel's semantics are the reference: TDX components 0..1 are skipped when TEE_TCB_SVN[1] > 0
 * (the module identity decides), statuses converge by rule (OutOfDateConfigurationNeeded exists),
 * Revoked is a status, and TD 1.5 bodies get the TD relaunch check.
 */
import { VerifyError } from "../errors.js";
import type { IsvLevel, TcbInfo, TcbLevel, TcbStatus, TdxModuleIdentity } from "./tcb-info.js";

/** Final statuses: Intel's TCB statuses plus the two TD relaunch statuses (16.3). */
export type QuoteStatus = TcbStatus | "TDRelaunchAdvised" | "TDRelaunchAdvisedConfigurationNeeded";

export interface PlatformMatch {
  sgxLevel: TcbLevel;
  tdxLevel: TcbLevel;
}

function sgxMatches(level: TcbLevel, comps: readonly number[], pceSvn: number): boolean {
  for (let i = 0; i < 16; i++) if ((comps[i] ?? 0) < (level.sgxComponents[i] ?? 0)) return false;
  return pceSvn >= level.pceSvn;
}

function tdxMatches(level: TcbLevel, svn: Uint8Array): boolean {
  const start = (svn[1] ?? 0) > 0 ? 2 : 0;
  const want = level.tdxComponents ?? [];
  for (let i = start; i < 16; i++) if ((svn[i] ?? 0) < (want[i] ?? 0)) return false;
  return true;
}

/**
 * Intel's ordering (TcbLevelCheck.cpp): descending by SGX components, then PCESVN, then TDX
 * components. PCS already serves this order; sorting makes hand-made collateral behave the same.
 */
function compareLevels(a: TcbLevel, b: TcbLevel): number {
  for (let i = 0; i < 16; i++) {
    const d = (b.sgxComponents[i] ?? 0) - (a.sgxComponents[i] ?? 0);
    if (d !== 0) return d;
  }
  if (a.pceSvn !== b.pceSvn) return b.pceSvn - a.pceSvn;
  for (let i = 0; i < 16; i++) {
    const d = (b.tdxComponents?.[i] ?? 0) - (a.tdxComponents?.[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export function sortedLevels(info: TcbInfo): TcbLevel[] {
  return [...info.tcbLevels].sort(compareLevels);
}

/** Selects the SGX and (for TDX) the TDX level (16.2); no match → ERR_TCB_NOT_SUPPORTED. */
export function selectTcbLevel(
  info: TcbInfo,
  pckComponents: readonly number[],
  pceSvn: number,
  teeTcbSvn: Uint8Array | undefined,
): PlatformMatch {
  const levels = sortedLevels(info);
  const sgxLevel = levels.find((l) => sgxMatches(l, pckComponents, pceSvn));
  const tdxLevel = teeTcbSvn
    ? levels.find((l) => sgxMatches(l, pckComponents, pceSvn) && tdxMatches(l, teeTcbSvn))
    : sgxLevel;
  if (!sgxLevel || !tdxLevel) {
    throw new VerifyError(
      "ERR_TCB_NOT_SUPPORTED",
      `TcbInfo.tcbLevels: no TCB level matches the platform (PCK SVNs ${pckComponents.join(",")}, PCESVN ${pceSvn}` +
        (teeTcbSvn ? `, TEE_TCB_SVN ${[...teeTcbSvn].join(",")})` : ")"),
      { field: "tcbInfo.tcbLevels" },
    );
  }
  return { sgxLevel, tdxLevel };
}

/** `TDX_%02X` identity for a module major version (case-insensitive match, 16.2). */
export function moduleIdentityFor(info: TcbInfo, major: number): TdxModuleIdentity | undefined {
  const want = `TDX_${major.toString(16).toUpperCase().padStart(2, "0")}`;
  return info.tdxModuleIdentities.find((m) => m.id.toUpperCase() === want);
}

/** First ISV level with isvsvn ≤ `svn` in descending order, or undefined. */
export function isvLevelFor(levels: readonly IsvLevel[], svn: number): IsvLevel | undefined {
  return [...levels].sort((a, b) => b.isvSvn - a.isvSvn).find((l) => svn >= l.isvSvn);
}

/** TDX module status (TdxModuleCheck.cpp, 16.2): undefined level means "module check passed, no level". */
export function moduleLevel(info: TcbInfo, teeTcbSvn: Uint8Array): IsvLevel | undefined {
  const major = teeTcbSvn[1] ?? 0;
  if (major === 0) return undefined;
  const identity = moduleIdentityFor(info, major);
  if (!identity) {
    throw new VerifyError(
      "ERR_TDX_MODULE_MISMATCH",
      `TcbInfo.tdxModuleIdentities: no identity for module major version ${major}`,
      {
        field: "tcbInfo.tdxModuleIdentities",
      },
    );
  }
  const level = isvLevelFor(identity.tcbLevels, teeTcbSvn[0] ?? 0);
  if (!level) {
    throw new VerifyError(
      "ERR_TCB_NOT_SUPPORTED",
      `TcbInfo.tdxModuleIdentities[${identity.id}]: no level for module SVN ${teeTcbSvn[0] ?? 0}`,
      { field: "tcbInfo.tdxModuleIdentities" },
    );
  }
  return level;
}

/** Intel's convergence of a platform status with a module or QE status (16.3). */
export function converge(platform: QuoteStatus, other: TcbStatus | undefined): QuoteStatus {
  if (other === "Revoked" || platform === "Revoked") return "Revoked";
  if (other === "OutOfDate") {
    if (platform === "UpToDate" || platform === "SWHardeningNeeded") return "OutOfDate";
    if (platform === "ConfigurationNeeded" || platform === "ConfigurationAndSWHardeningNeeded") {
      return "OutOfDateConfigurationNeeded";
    }
  }
  return platform;
}

export interface RelaunchInput {
  sgxStatus: TcbStatus;
  tdxStatus: QuoteStatus;
  moduleStatus: TcbStatus | undefined;
  qeStatus: TcbStatus;
  teeTcbSvn2: Uint8Array;
  info: TcbInfo;
}

/** TD relaunch check for TD 1.5 bodies (TDRelaunchCheck.cpp, 16.4). */
export function relaunchStatus(s: QuoteStatus, r: RelaunchInput): QuoteStatus {
  if (r.qeStatus === "OutOfDate" || r.qeStatus === "Revoked") return s;
  const sgxOk = ["UpToDate", "SWHardeningNeeded", "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded"];
  if (!sgxOk.includes(r.sgxStatus)) return s;
  if (r.tdxStatus !== "OutOfDate" && r.tdxStatus !== "OutOfDateConfigurationNeeded") return s;
  if (r.moduleStatus !== "OutOfDate") return s;
  const latest = sortedLevels(r.info)[0];
  const svn2 = r.teeTcbSvn2;
  const late = (svn2[2] ?? 0) >= (latest?.tdxComponents?.[2] ?? 0);
  let moduleCurrent: boolean;
  if ((svn2[1] ?? 0) === 0) {
    moduleCurrent = (svn2[0] ?? 0) >= (latest?.tdxComponents?.[0] ?? 0);
  } else {
    const id = moduleIdentityFor(r.info, svn2[1] ?? 0);
    if (!id) {
      throw new VerifyError(
        "ERR_TDX_MODULE_MISMATCH",
        `TcbInfo.tdxModuleIdentities: no identity for TEE_TCB_SVN2 major ${svn2[1]}`,
        {
          field: "tcbInfo.tdxModuleIdentities",
        },
      );
    }
    const top = [...id.tcbLevels].sort((a, b) => b.isvSvn - a.isvSvn)[0];
    if (!top) {
      throw new VerifyError("ERR_TCB_NOT_SUPPORTED", `TcbInfo.tdxModuleIdentities[${id.id}]: no TCB levels`, {
        field: "tcbInfo.tdxModuleIdentities",
      });
    }
    moduleCurrent = (svn2[0] ?? 0) >= top.isvSvn;
  }
  if (!late || !moduleCurrent) return s;
  const config = r.sgxStatus.includes("Configuration") || r.tdxStatus.includes("Configuration");
  return config ? "TDRelaunchAdvisedConfigurationNeeded" : "TDRelaunchAdvised";
}

/** Union of advisory IDs in order, deduplicated (dcap-qvl's rule; Intel's is UNCONFIRMED, 16.3). */
export function mergeAdvisories(...lists: (readonly string[] | undefined)[]): string[] {
  const out: string[] = [];
  for (const l of lists) for (const a of l ?? []) if (!out.includes(a)) out.push(a);
  return out;
}
