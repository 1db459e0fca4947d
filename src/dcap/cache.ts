/**
 * Content-addressed cache of parsed and signature-checked collateral (certificates, CRLs, TCB
 * info, QE identity). Keys are SHA-256 over the length-prefixed input bytes plus the verifying
 * key, so a result is reused only for the very same bytes checked with the very same key; time
 * windows are never cached (they are checked at every verification with its own `now`).
 * Failures are not cached.
 */
import { toHex } from "../bytes.js";
import type { CryptoBackend } from "../crypto/types.js";
import { type Certificate, parseCertificate } from "./x509.js";

export class CollateralCache {
  private readonly entries = new Map<string, Promise<unknown>>();
  private readonly parsed = new Map<string, unknown>();

  constructor(
    private readonly crypto: CryptoBackend,
    /** Entries kept before the cache is cleared (a crude bound against unbounded growth). */
    readonly maxEntries = 2048,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Content key of `parts` (each length-prefixed, so boundaries cannot shift); one hash call. */
  key(kind: string, parts: readonly Uint8Array[]): string {
    let n = 0;
    for (const p of parts) n += 4 + p.length;
    const buf = new Uint8Array(n);
    const dv = new DataView(buf.buffer);
    let o = 0;
    for (const p of parts) {
      dv.setUint32(o, p.length);
      buf.set(p, o + 4);
      o += 4 + p.length;
    }
    return `${kind}:${toHex(this.crypto.hash("sha256", buf))}`;
  }

  /** Returns the cached result for these bytes, computing (and caching) it on a miss. */
  memo<T>(kind: string, parts: readonly Uint8Array[], compute: () => Promise<T>): Promise<T> {
    const k = this.key(kind, parts);
    const hit = this.entries.get(k);
    if (hit) return hit as Promise<T>;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    const p = compute();
    this.entries.set(k, p);
    p.catch(() => this.entries.delete(k));
    return p;
  }

  /** Synchronous variant for pure parsing (failures throw and are not cached). */
  memoSync<T>(kind: string, parts: readonly Uint8Array[], compute: () => T): T {
    const k = this.key(kind, parts);
    const hit = this.parsed.get(k);
    if (hit !== undefined) return hit as T;
    const v = compute();
    if (this.parsed.size >= this.maxEntries) this.parsed.clear();
    this.parsed.set(k, v);
    return v;
  }

  /** A certificate parsed once per cache (the PCK CA appears in the quote and the collateral). */
  certificate(der: Uint8Array, field: string): Certificate {
    return this.memoSync("x509", [der], () => parseCertificate(der, field));
  }

  clear(): void {
    this.parsed.clear();
    this.entries.clear();
  }
}
