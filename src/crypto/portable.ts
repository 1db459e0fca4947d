/**
 * Portable backend: @noble/hashes for hashing, WebCrypto (`globalThis.crypto.subtle`) for ECDSA.
 * Runs in browsers, Deno, Bun and Node.
 */
import { sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import type { CryptoBackend, HashAlgorithm, HashContext } from "./types.js";

const NOBLE = { sha1, sha256, sha384, sha512 } as const;

function subtle(): SubtleCrypto | undefined {
  const c = (globalThis as { crypto?: Crypto }).crypto;
  return c?.subtle;
}

function rawPoint(publicKey: Uint8Array): Uint8Array | undefined {
  if (publicKey.length === 64) {
    const p = new Uint8Array(65);
    p[0] = 4;
    p.set(publicKey, 1);
    return p;
  }
  if (publicKey.length === 65 && publicKey[0] === 4) return publicKey;
  return undefined;
}

/** The part of a noble hash instance the context needs. */
interface NobleHash {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
  clone(): NobleHash;
}

/** A HashContext over a noble hash; `clone` is noble's `.clone()`. */
function wrapHash(h: NobleHash): HashContext {
  const ctx: HashContext = {
    update(data) {
      h.update(data);
      return ctx;
    },
    digest: () => h.digest(),
    clone: () => wrapHash(h.clone()),
  };
  return ctx;
}

export const portableCrypto: CryptoBackend = {
  name: "noble",
  createHash(alg: HashAlgorithm): HashContext {
    return wrapHash(NOBLE[alg].create());
  },
  hash(alg, data) {
    return NOBLE[alg](data);
  },
  async verifyP256(publicKey, data, signature) {
    const s = subtle();
    if (!s) throw new Error("portableCrypto: WebCrypto (crypto.subtle) is not available in this runtime");
    const point = rawPoint(publicKey);
    if (!point || signature.length !== 64) return false;
    try {
      const key = await s.importKey(
        "raw",
        point as BufferSource,
        { name: "ECDSA", namedCurve: "P-256" },
        false,
        ["verify"],
      );
      return await s.verify(
        { name: "ECDSA", hash: "SHA-256" },
        key,
        signature as BufferSource,
        data as BufferSource,
      );
    } catch {
      return false;
    }
  },
};
