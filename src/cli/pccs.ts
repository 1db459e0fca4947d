/**
 * Node-only collateral fetching from Intel PCS or a PCCS (v4 API, tdx-reference.md section 15.1)
 * with an on-disk cache keyed by TEE/FMSPC (TCB info), TEE (QE identity) and CA (PCK CRL).
 * A cached item is reused until its own nextUpdate has passed (TCB info / QE identity
 * `nextUpdate`, CRL nextUpdate), then fetched again. Everything fetched is verified later by the
 * core exactly like offline collateral: the cache is a convenience, never a trust decision.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fromHex, toHex } from "../bytes.js";
import { type Collateral, collateralFromPcs, splitSignedBody } from "../dcap/collateral.js";
import { parseQeIdentity, parseTcbInfo } from "../dcap/tcb-info.js";
import { parseCrl } from "../dcap/x509.js";
import { CollateralError } from "../errors.js";

export interface PccsOptions {
  /** Base URL, e.g. https://api.trustedservices.intel.com or https://pccs.example:8081 */
  baseUrl: string;
  /** Cache directory (default ~/.cache/tdx-attest/pccs). */
  cacheDir?: string;
  /** Time used to decide whether a cached item is still current (ms; default now). */
  now?: number;
  /** Injected fetch (tests); default globalThis.fetch. */
  fetch?: typeof fetch;
}

/** One cached response: body (hex) and the issuer-chain header. */
interface Entry {
  body: string;
  chain?: string;
  nextUpdate: number;
}

export function defaultCacheDir(): string {
  return join(process.env["XDG_CACHE_HOME"] ?? join(homedir(), ".cache"), "tdx-attest", "pccs");
}

async function get(
  o: PccsOptions,
  path: string,
  header?: string[],
): Promise<{ body: Uint8Array; chain?: string }> {
  const url = `${o.baseUrl.replace(/\/+$/, "")}${path}`;
  let res: Response;
  try {
    res = await (o.fetch ?? fetch)(url);
  } catch (e) {
    throw new CollateralError("ERR_COLLATERAL_FETCH", `GET ${url}: ${(e as Error).message}`, { field: url });
  }
  if (!res.ok)
    throw new CollateralError("ERR_COLLATERAL_FETCH", `GET ${url}: HTTP ${res.status}`, { field: url });
  const body = new Uint8Array(await res.arrayBuffer());
  if (!header) return { body };
  const chain = header.map((h) => res.headers.get(h)).find((v) => v);
  if (!chain)
    throw new CollateralError("ERR_COLLATERAL_FETCH", `GET ${url}: no ${header.join(" / ")} header`, {
      field: url,
    });
  return { body, chain };
}

/** Reads a cache entry if it is still current at `now`. */
function cached(dir: string, key: string, now: number): Entry | undefined {
  try {
    const e = JSON.parse(readFileSync(join(dir, `${key}.json`), "utf8")) as Entry;
    if (typeof e.body === "string" && typeof e.nextUpdate === "number" && now <= e.nextUpdate) return e;
  } catch {
    // missing or unreadable: fetch again
  }
  return undefined;
}

function store(dir: string, key: string, e: Entry): void {
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `${key}.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(e));
  renameSync(tmp, join(dir, `${key}.json`));
}

async function item(
  o: PccsOptions,
  key: string,
  path: string,
  header: string[] | undefined,
  nextUpdate: (body: Uint8Array) => number,
): Promise<Entry> {
  const dir = o.cacheDir ?? defaultCacheDir();
  const now = o.now ?? Date.now();
  const hit = cached(dir, key, now);
  if (hit) return hit;
  const r = await get(o, path, header);
  const e: Entry = {
    body: toHex(r.body),
    nextUpdate: nextUpdate(r.body),
    ...(r.chain ? { chain: r.chain } : {}),
  };
  store(dir, key, e);
  return e;
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** DER CRL from a body that is DER, PEM or PCCS's hex text. */
function crlDer(body: Uint8Array): Uint8Array {
  if (body[0] === 0x30) return body;
  const t = text(body).trim();
  if (/^[0-9a-fA-F]+$/.test(t)) return fromHex(t, "rootcacrl");
  return body;
}

/**
 * Fetches (or loads from the cache) the collateral for a platform: TCB info for `fmspc`, the
 * QE identity, the PCK CRL of `ca` and the root CA CRL (PCCS `/sgx/certification/v4/rootcacrl`).
 */
export async function fetchCollateral(
  o: PccsOptions,
  fmspc: string,
  ca: "platform" | "processor",
  tee: "tdx" | "sgx",
): Promise<Collateral> {
  if (!/^[0-9a-fA-F]{12}$/.test(fmspc))
    throw new CollateralError("ERR_COLLATERAL_FORMAT", `fmspc: "${fmspc}" is not 6 bytes of hex`);
  const f = fmspc.toLowerCase();
  const tcb = await item(
    o,
    `tcb-${tee}-${f}`,
    `/${tee}/certification/v4/tcb?fmspc=${f}`,
    ["TCB-Info-Issuer-Chain", "SGX-TCB-Info-Issuer-Chain"],
    (b) => parseTcbInfo(text(splitSignedBody(text(b), "tcbInfo").signed)).nextUpdate,
  );
  const qe = await item(
    o,
    `qe-${tee}`,
    `/${tee}/certification/v4/qe/identity`,
    ["SGX-Enclave-Identity-Issuer-Chain"],
    (b) => parseQeIdentity(text(splitSignedBody(text(b), "enclaveIdentity").signed)).nextUpdate,
  );
  const pckCrl = await item(
    o,
    `pckcrl-${ca}`,
    `/sgx/certification/v4/pckcrl?ca=${ca}&encoding=der`,
    ["SGX-PCK-CRL-Issuer-Chain"],
    (b) => parseCrl(crlDer(b), "pckCrl").nextUpdate,
  );
  const root = await item(
    o,
    "rootcacrl",
    "/sgx/certification/v4/rootcacrl",
    undefined,
    (b) => parseCrl(crlDer(b), "rootCaCrl").nextUpdate,
  );
  return collateralFromPcs({
    tcbInfo: text(fromHex(tcb.body)),
    tcbInfoIssuerChain: tcb.chain ?? "",
    qeIdentity: text(fromHex(qe.body)),
    qeIdentityIssuerChain: qe.chain ?? "",
    pckCrl: crlDer(fromHex(pckCrl.body)),
    pckCrlIssuerChain: pckCrl.chain ?? "",
    rootCaCrl: crlDer(fromHex(root.body)),
  });
}
