/**
 * TCB info v3 (tdx-reference.md section 15.2) and QE identity v2 (section 15.4): strict models of
 * the signed JSON objects. Parsing happens only after the signature over the exact bytes has been
 * checked (verify-collateral.ts), so these functions see authenticated text.
 */
import { arr, date, formatError, hex, int, type Json, obj, parseJson, str, strings } from "./json-fields.js";

/** Intel's TCB statuses (platform levels; module and QE levels use a subset). */
export const TCB_STATUSES = [
  "UpToDate",
  "SWHardeningNeeded",
  "ConfigurationNeeded",
  "ConfigurationAndSWHardeningNeeded",
  "OutOfDate",
  "OutOfDateConfigurationNeeded",
  "Revoked",
] as const;
export type TcbStatus = (typeof TCB_STATUSES)[number];

export interface TcbLevel {
  sgxComponents: number[];
  pceSvn: number;
  /** TDX TCB info only: 16 SVNs compared with TEE_TCB_SVN. */
  tdxComponents?: number[];
  tcbDate: string;
  tcbStatus: TcbStatus;
  advisoryIds: string[];
}

/** A level keyed by one ISVSVN (QE identity levels and TDX module identity levels). */
export interface IsvLevel {
  isvSvn: number;
  tcbDate: string;
  tcbStatus: TcbStatus;
  advisoryIds: string[];
}

export interface TdxModuleIdentity {
  id: string;
  mrSigner: Uint8Array; // 48
  attributes: Uint8Array; // 8
  attributesMask: Uint8Array; // 8
  tcbLevels: IsvLevel[];
}

export interface TcbInfo {
  id: "TDX" | "SGX";
  version: 3;
  issueDate: number;
  nextUpdate: number;
  fmspc: Uint8Array; // 6
  pceId: Uint8Array; // 2
  tcbType: number;
  tcbEvaluationDataNumber: number;
  /** TDX only. */
  tdxModule?: Omit<TdxModuleIdentity, "id" | "tcbLevels">;
  tdxModuleIdentities: TdxModuleIdentity[];
  tcbLevels: TcbLevel[];
}

export interface QeIdentity {
  id: "TD_QE" | "QE";
  version: 2;
  issueDate: number;
  nextUpdate: number;
  tcbEvaluationDataNumber: number;
  miscselect: number;
  miscselectMask: number;
  attributes: Uint8Array; // 16
  attributesMask: Uint8Array; // 16
  mrSigner: Uint8Array; // 32
  isvProdId: number;
  tcbLevels: IsvLevel[];
}

/** TDX module identity levels: Intel QVL's VALID_MODULE_TCB_STATUSES (TcbStatus.h). */
export const MODULE_STATUSES: readonly TcbStatus[] = ["UpToDate", "OutOfDate", "Revoked"];
/** QE identity levels: the statuses Intel's EnclaveIdentityV2 parser accepts (no SWHardening*). */
export const QE_STATUSES: readonly TcbStatus[] = [
  "UpToDate",
  "ConfigurationNeeded",
  "OutOfDate",
  "OutOfDateConfigurationNeeded",
  "Revoked",
];

/** A status from `allowed`; any other string (even another structure's status) is a format error. */
function status(o: Json, path: string, allowed: readonly string[] = TCB_STATUSES): TcbStatus {
  const s = str(o, "tcbStatus", path);
  if (!allowed.includes(s)) throw formatError(`${path}.tcbStatus`, `unknown status "${s}"`);
  return s as TcbStatus;
}

/** 16 `{svn}` components; paths are built only on failure (this runs for every level). */
function svns(v: unknown, path: string): number[] {
  const a = arr(v, path);
  if (a.length !== 16) throw formatError(path, `expected 16 components, found ${a.length}`);
  const out = new Array<number>(16);
  for (let i = 0; i < 16; i++) {
    const c = a[i];
    const svn = typeof c === "object" && c !== null && !Array.isArray(c) ? (c as Json)["svn"] : undefined;
    if (typeof svn !== "number" || !Number.isInteger(svn) || svn < 0 || svn > 255) {
      throw formatError(`${path}[${i}].svn`, "expected an integer in 0..255");
    }
    out[i] = svn;
  }
  return out;
}

function tcbLevel(v: unknown, path: string, tdx: boolean): TcbLevel {
  const o = obj(v, path);
  const tcb = obj(o["tcb"], `${path}.tcb`);
  date(o, "tcbDate", path);
  const level: TcbLevel = {
    sgxComponents: svns(tcb["sgxtcbcomponents"], `${path}.tcb.sgxtcbcomponents`),
    pceSvn: int(tcb, "pcesvn", `${path}.tcb`, 0xffff),
    tcbDate: str(o, "tcbDate", path),
    tcbStatus: status(o, path),
    advisoryIds: strings(o, "advisoryIDs", path),
  };
  if (tdx) level.tdxComponents = svns(tcb["tdxtcbcomponents"], `${path}.tcb.tdxtcbcomponents`);
  return level;
}

function isvLevel(v: unknown, path: string, allowed: readonly TcbStatus[]): IsvLevel {
  const o = obj(v, path);
  date(o, "tcbDate", path);
  return {
    isvSvn: int(obj(o["tcb"], `${path}.tcb`), "isvsvn", `${path}.tcb`, 0xffff),
    tcbDate: str(o, "tcbDate", path),
    tcbStatus: status(o, path, allowed),
    advisoryIds: strings(o, "advisoryIDs", path),
  };
}

function moduleIdentity(v: unknown, path: string): TdxModuleIdentity {
  const o = obj(v, path);
  return {
    id: str(o, "id", path),
    mrSigner: hex(o, "mrsigner", path, 48),
    attributes: hex(o, "attributes", path, 8),
    attributesMask: hex(o, "attributesMask", path, 8),
    tcbLevels: arr(o["tcbLevels"], `${path}.tcbLevels`).map((l, i) =>
      isvLevel(l, `${path}.tcbLevels[${i}]`, MODULE_STATUSES),
    ),
  };
}

/**
 * tcbType 0 is the only defined type: each component is compared by its own SVN (16.2). Another
 * value would give the components another meaning, so it is refused rather than ignored.
 */
function tcbType(o: Json, p: string): number {
  const t = int(o, "tcbType", p);
  if (t !== 0) throw formatError(`${p}.tcbType`, `unsupported TCB type ${t} (only 0 is defined)`);
  return t;
}

/** Parses the text of a `tcbInfo` object (v3 only; id TDX or SGX). */
export function parseTcbInfo(text: string): TcbInfo {
  const p = "tcbInfo";
  const o = obj(parseJson(text, p), p);
  const id = str(o, "id", p);
  if (id !== "TDX" && id !== "SGX") throw formatError(`${p}.id`, `expected "TDX" or "SGX", got "${id}"`);
  if (int(o, "version", p) !== 3) throw formatError(`${p}.version`, "only TCB info version 3 is supported");
  const tdx = id === "TDX";
  const levels = arr(o["tcbLevels"], `${p}.tcbLevels`).map((l, i) =>
    tcbLevel(l, `${p}.tcbLevels[${i}]`, tdx),
  );
  if (levels.length === 0) throw formatError(`${p}.tcbLevels`, "no TCB levels");
  const info: TcbInfo = {
    id,
    version: 3,
    issueDate: date(o, "issueDate", p),
    nextUpdate: date(o, "nextUpdate", p),
    fmspc: hex(o, "fmspc", p, 6),
    pceId: hex(o, "pceId", p, 2),
    tcbType: tcbType(o, p),
    tcbEvaluationDataNumber: int(o, "tcbEvaluationDataNumber", p),
    tdxModuleIdentities: [],
    tcbLevels: levels,
  };
  if (tdx) {
    const m = obj(o["tdxModule"], `${p}.tdxModule`);
    info.tdxModule = {
      mrSigner: hex(m, "mrsigner", `${p}.tdxModule`, 48),
      attributes: hex(m, "attributes", `${p}.tdxModule`, 8),
      attributesMask: hex(m, "attributesMask", `${p}.tdxModule`, 8),
    };
    const ids = o["tdxModuleIdentities"];
    if (ids !== undefined) {
      info.tdxModuleIdentities = arr(ids, `${p}.tdxModuleIdentities`).map((m2, i) =>
        moduleIdentity(m2, `${p}.tdxModuleIdentities[${i}]`),
      );
    }
  }
  return info;
}

/** Parses the text of an `enclaveIdentity` object (v2; id TD_QE or QE). */
export function parseQeIdentity(text: string): QeIdentity {
  const p = "enclaveIdentity";
  const o = obj(parseJson(text, p), p);
  const id = str(o, "id", p);
  if (id !== "TD_QE" && id !== "QE") throw formatError(`${p}.id`, `expected "TD_QE" or "QE", got "${id}"`);
  if (int(o, "version", p) !== 2)
    throw formatError(`${p}.version`, "only QE identity version 2 is supported");
  const u32 = (k: string) => new DataView(hex(o, k, p, 4).buffer).getUint32(0, true);
  const levels = arr(o["tcbLevels"], `${p}.tcbLevels`).map((l, i) =>
    isvLevel(l, `${p}.tcbLevels[${i}]`, QE_STATUSES),
  );
  if (levels.length === 0) throw formatError(`${p}.tcbLevels`, "no TCB levels");
  return {
    id,
    version: 2,
    issueDate: date(o, "issueDate", p),
    nextUpdate: date(o, "nextUpdate", p),
    tcbEvaluationDataNumber: int(o, "tcbEvaluationDataNumber", p),
    miscselect: u32("miscselect"),
    miscselectMask: u32("miscselectMask"),
    attributes: hex(o, "attributes", p, 16),
    attributesMask: hex(o, "attributesMask", p, 16),
    mrSigner: hex(o, "mrsigner", p, 32),
    isvProdId: int(o, "isvprodid", p, 0xffff),
    tcbLevels: levels,
  };
}
