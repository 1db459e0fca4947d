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

  /** Entries stored unkeyed (see memo), and the number of entries per kind. */
  private unkeyed: { kind: string; buf: Uint8Array; promise: Promise<unknown> }[] = [];
  private readonly kinds = new Map<string, number>();

  get size(): number {
    return this.entries.size + this.unkeyed.length;
  }

  /** Content key of `parts` (each length-prefixed, so boundaries cannot shift); one hash call. */
  key(kind: string, parts: readonly Uint8Array[]): string {
    return this.keyOf(kind, framed(parts));
  }

  private keyOf(kind: string, buf: Uint8Array): string {
    return `${kind}:${toHex(this.crypto.hash("sha256", buf))}`;
  }

  /**
   * Returns the cached result for these bytes, computing (and caching) it on a miss; `compute`
   * gets views of a private copy of the parts (safe to keep in the result). The first
   * entry of a kind is stored unkeyed (its framed bytes, a private copy) and hashed only when a
   * second lookup of that kind comes: with one entry a lookup cannot hit anything else, so a
   * fresh cache never pays for the content hash (cold verification).
   */
  memo<T>(
    kind: string,
    parts: readonly Uint8Array[],
    compute: (own: Uint8Array[]) => Promise<T>,
  ): Promise<T> {
    const buf = framed(parts);
    const own = () => unframed(buf, parts.length);
    const kinds = this.kinds.get(kind) ?? 0;
    if (kinds === 0) {
      const p = compute(own());
      const entry = { kind, buf, promise: p as Promise<unknown> };
      this.unkeyed.push(entry);
      this.kinds.set(kind, 1);
      p.catch(() => this.dropUnkeyed(entry));
      return p;
    }
    this.keyPending(kind);
    const k = this.keyOf(kind, buf);
    const hit = this.entries.get(k);
    if (hit) return hit as Promise<T>;
    if (this.entries.size >= this.maxEntries) this.clear();
    const p = compute(own());
    this.entries.set(k, p);
    this.kinds.set(kind, (this.kinds.get(kind) ?? 0) + 1);
    p.catch(() => {
      if (this.entries.get(k) === p) {
        this.entries.delete(k);
        this.kinds.set(kind, Math.max(0, (this.kinds.get(kind) ?? 1) - 1));
      }
    });
    return p;
  }

  /** Moves the unkeyed entries of `kind` into the keyed map. */
  private keyPending(kind: string): void {
    for (let i = this.unkeyed.length - 1; i >= 0; i--) {
      const e = this.unkeyed[i];
      if (e?.kind !== kind) continue;
      this.unkeyed.splice(i, 1);
      const k = this.keyOf(kind, e.buf);
      if (!this.entries.has(k)) this.entries.set(k, e.promise);
      else this.kinds.set(kind, Math.max(0, (this.kinds.get(kind) ?? 1) - 1));
      e.promise.catch(() => {
        if (this.entries.get(k) === e.promise) {
          this.entries.delete(k);
          this.kinds.set(kind, Math.max(0, (this.kinds.get(kind) ?? 1) - 1));
        }
      });
    }
  }

  private dropUnkeyed(entry: { kind: string; buf: Uint8Array; promise: Promise<unknown> }): void {
    const i = this.unkeyed.indexOf(entry);
    if (i < 0) return;
    this.unkeyed.splice(i, 1);
    this.kinds.set(entry.kind, Math.max(0, (this.kinds.get(entry.kind) ?? 1) - 1));
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
    this.unkeyed = [];
    this.kinds.clear();
  }
}

/** Views of the `n` parts inside a `framed` buffer. */
function unframed(buf: Uint8Array, n: number): Uint8Array[] {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: Uint8Array[] = [];
  let o = 0;
  for (let i = 0; i < n; i++) {
    const len = dv.getUint32(o);
    out.push(buf.subarray(o + 4, o + 4 + len));
    o += 4 + len;
  }
  return out;
}

/** The parts, each prefixed by its 32-bit length, in one new buffer (a private copy). */
function framed(parts: readonly Uint8Array[]): Uint8Array {
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
  return buf;
}
