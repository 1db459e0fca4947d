/**
 * Backend selection: node:crypto when the runtime has it, the portable backend otherwise.
 * Every core function takes an optional `crypto` argument that defaults to `defaultCrypto()`.
 */
import { createNodeCrypto, loadNodeCrypto, type NodeCryptoOptions } from "./node.js";
import { portableCrypto } from "./portable.js";
import type { CryptoBackend } from "./types.js";

export type { NodeCryptoOptions } from "./node.js";
export { portableCrypto } from "./portable.js";
export type { CryptoBackend, HashAlgorithm, HashContext } from "./types.js";
export { startVerifyP256 } from "./types.js";

let chosen: CryptoBackend | undefined;

/** The backend used when a caller passes none. */
export function defaultCrypto(): CryptoBackend {
  if (!chosen) {
    const nc = loadNodeCrypto();
    chosen = nc ? createNodeCrypto(nc) : portableCrypto;
  }
  return chosen;
}

/**
 * The node:crypto backend, or undefined outside Node. `{ parallel: false }` leaves out
 * `startVerifyP256` (no worker thread: every check runs on the calling thread).
 */
export function nodeCrypto(options?: NodeCryptoOptions): CryptoBackend | undefined {
  const nc = loadNodeCrypto();
  return nc ? createNodeCrypto(nc, options) : undefined;
}

/** Overrides the default backend (tests, benchmarks, embedders). */
export function setDefaultCrypto(backend: CryptoBackend): void {
  chosen = backend;
}

export function sha384(data: Uint8Array, crypto: CryptoBackend = defaultCrypto()): Uint8Array {
  return crypto.hash("sha384", data);
}

export function sha256(data: Uint8Array, crypto: CryptoBackend = defaultCrypto()): Uint8Array {
  return crypto.hash("sha256", data);
}
