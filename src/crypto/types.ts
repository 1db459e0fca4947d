/**
 * The one crypto seam of the toolkit (style.md: jose's narrow runtime interface).
 *
 * Hashing is synchronous and incremental, because MRTD is one running SHA-384 fed page by page
 * and WebCrypto's one-shot async `digest` cannot do that. ECDSA verification may be synchronous
 * (node:crypto) or asynchronous (WebCrypto); callers `await` the result either way.
 */

/** An incremental hash. `digest()` may be called once; the context is unusable afterwards. */
export interface HashContext {
  update(data: Uint8Array): HashContext;
  digest(): Uint8Array;
  /**
   * An independent context holding the same state (node `Hash.copy()`, noble `.clone()`): the
   * digest of the prefix so far without closing this one (running MRTD values in launch traces).
   */
  clone(): HashContext;
}

export type HashAlgorithm = "sha256" | "sha384" | "sha512" | "sha1";

export interface CryptoBackend {
  /** Short name for benchmarks and diagnostics ("node", "noble"). */
  readonly name: string;
  createHash(alg: HashAlgorithm): HashContext;
  /** One-shot hash; implementations may be faster than createHash().update().digest(). */
  hash(alg: HashAlgorithm, data: Uint8Array): Uint8Array;
  /**
   * ECDSA P-256 with SHA-256 over `data`. `publicKey` is the uncompressed point, 64 bytes
   * (x || y, as in quotes) or 65 bytes (0x04 || x || y); `signature` is raw r || s (64 bytes).
   * Returns false (never throws) for a malformed key or signature: hostile input must not escape
   * as an exception (noble-curves `verify`).
   */
  verifyP256(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean | Promise<boolean>;
  /**
   * Optional: starts the same check so that it may run on another core while the caller goes on
   * (the Node backend's worker thread). The result equals `verifyP256`'s on the same arguments;
   * the bytes are read before this returns. Callers fall back to `verifyP256` when absent.
   */
  startVerifyP256?(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): PromiseLike<boolean>;
}

/** Starts a P-256 check through `startVerifyP256` when the backend has it, else `verifyP256`. */
export function startVerifyP256(
  crypto: CryptoBackend,
  publicKey: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): boolean | PromiseLike<boolean> {
  return crypto.startVerifyP256
    ? crypto.startVerifyP256(publicKey, data, signature)
    : crypto.verifyP256(publicKey, data, signature);
}
