/**
 * ECDSA P-256 key generation and signing through WebCrypto (`crypto.subtle`), runtime-agnostic
 * and asynchronous. Used only by the simulator (test PKI, simulated QE); verification goes
 * through CryptoBackend.verifyP256. Keys travel as JWK so committed test keys load anywhere.
 */
import { fromBase64 } from "../bytes.js";

export interface P256Signer {
  /** Private JWK (kty EC, crv P-256, with d). */
  jwk: JsonWebKey;
  /** Uncompressed public point, 65 bytes (0x04 || x || y). */
  publicKey: Uint8Array;
  /** ECDSA-SHA256 over `data`; raw r || s (64 bytes). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

function subtle(): SubtleCrypto {
  const s = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!s) throw new Error("p256-sign: WebCrypto (crypto.subtle) is not available in this runtime");
  return s;
}

const ALG = { name: "ECDSA", namedCurve: "P-256" } as const;

/** Imports a private JWK as a signer. */
export async function importP256Signer(jwk: JsonWebKey): Promise<P256Signer> {
  if (jwk.kty !== "EC" || jwk.crv !== "P-256" || !jwk.d || !jwk.x || !jwk.y) {
    throw new Error("p256-sign: expected a private EC P-256 JWK");
  }
  const key = await subtle().importKey("jwk", jwk, ALG, false, ["sign"]);
  const publicKey = new Uint8Array(65);
  publicKey[0] = 4;
  publicKey.set(fromBase64(jwk.x, "jwk.x"), 1);
  publicKey.set(fromBase64(jwk.y, "jwk.y"), 33);
  return {
    jwk,
    publicKey,
    async sign(data) {
      const sig = await subtle().sign({ name: "ECDSA", hash: "SHA-256" }, key, data as BufferSource);
      return new Uint8Array(sig);
    },
  };
}

/** Generates a fresh P-256 key pair and returns it as a signer. */
export async function generateP256Signer(): Promise<P256Signer> {
  const pair = (await subtle().generateKey(ALG, true, ["sign", "verify"])) as CryptoKeyPair;
  const jwk = await subtle().exportKey("jwk", pair.privateKey);
  return importP256Signer({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, d: jwk.d } as JsonWebKey);
}
