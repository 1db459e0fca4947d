/**
 * Content-addressed cache of parsed and signature-checked collateral (certificates, CRLs, TCB
 * info, QE identity). Keys are SHA-256 over the length-prefixed input bytes plus the verifying
 * key, so a result is reused only for the very same bytes checked with the very same key; time
 * windows are never cached (they are checked at every verification with its own `now`).
 * Failures are not cached.
 */
import { equalBytes, toHex } from "../bytes.js";
import type { CryptoBackend } from "../crypto/types.js";
import { type Certificate, parseCertificate } from "./x509.js";

export class CollateralCache {
  private readonly entries = new Map<string, Promise<unknown>>();
  private readonly certs = new Map<string, { der: Uint8Array; cert: Certificate }[]>();

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

  /**
   * A certificate parsed once per cache (the PCK CA appears in the quote and the collateral).
   * Bucketed by length and a cheap 32-bit FNV-1a of the bytes, confirmed by full comparison:
   * a native hash call costs more than the parse it saves for a 700-byte certificate.
   */
  certificate(der: Uint8Array, field: string): Certificate {
    let h = 0x811c9dc5;
    for (let i = 0; i < der.length; i++) h = Math.imul(h ^ (der[i] as number), 0x01000193);
    const k = `${der.length}:${h >>> 0}`;
    const bucket = this.certs.get(k);
    const hit = bucket?.find((e) => equalBytes(e.der, der));
    if (hit) return hit.cert;
    // Parsed from a private copy, so later changes to the caller's buffer cannot reach the cache.
    const cert = parseCertificate(der.slice(), field);
    if (this.certs.size >= this.maxEntries) this.certs.clear();
    if (bucket) bucket.push({ der: cert.der, cert });
    else this.certs.set(k, [{ der: cert.der, cert }]);
    return cert;
  }

  clear(): void {
    this.certs.clear();
    this.entries.clear();
  }
}
