/**
 * PCK certificate chain from the quote's certification data up to the pinned root
 * (tdx-reference.md section 16.1 steps 2-5): signatures, names, CA constraints, validity at
 * `now`, root CA CRL for the intermediate, PCK CRL (same issuer as the leaf) for the leaf.
 */
import { equalBytes } from "../bytes.js";
import type { CryptoBackend } from "../crypto/types.js";
import { VerifyError } from "../errors.js";
import type { CollateralCache } from "./cache.js";
import {
  certificateCheck,
  checkCa,
  checkCn,
  checkCrl,
  checkedRoot,
  checkIssuedBy,
  checkLeaf,
  checkNotRevoked,
  checkSignatures,
  checkValidity,
  pinnedRoot,
} from "./chain.js";
import { type PckExtensions, parsePckExtensions } from "./sgx-extension.js";
import type { AuthenticatedCollateral } from "./verify-collateral.js";
import { PCK_CA_NAMES } from "./verify-collateral.js";
import type { Certificate } from "./x509.js";

export const PCK_LEAF_NAME = "Intel SGX PCK Certificate";

export interface VerifiedPck {
  root: Certificate;
  leaf: Certificate;
  intermediate: Certificate;
  extensions: PckExtensions;
  /** "platform" or "processor", from the intermediate's CN. */
  ca: "platform" | "processor";
}

const F = "Quote.pckCertificateChain";

/**
 * Raw bytes of the collateral's PCK CRL issuer chain. When the quote's CA and root are the very
 * same bytes, the CA's signature is left to the collateral authentication, which verifyQuote
 * requires to succeed as well (one ECDSA check fewer per cold verification).
 */
export interface KnownCa {
  caDer: Uint8Array;
  rootDer: Uint8Array;
}

/** Signature checks, names and SGX extension of the chain (time-independent, cached by content). */
export function authenticatePck(
  chain: readonly Uint8Array[],
  anchors: readonly Certificate[],
  crypto: CryptoBackend,
  cache: CollateralCache,
  known?: KnownCa,
): Promise<VerifiedPck> {
  const skipCa =
    known !== undefined &&
    chain.length === 3 &&
    equalBytes(known.caDer, chain[1] as Uint8Array) &&
    equalBytes(known.rootDer, chain[2] as Uint8Array);
  const parts = [...chain, ...anchors.map((a) => a.der), Uint8Array.of(skipCa ? 1 : 0)];
  return cache.memo("pck", parts, () => authenticate(chain, anchors, crypto, cache, skipCa));
}

async function authenticate(
  chain: readonly Uint8Array[],
  anchors: readonly Certificate[],
  crypto: CryptoBackend,
  cache: CollateralCache,
  skipCa: boolean,
): Promise<VerifiedPck> {
  if (chain.length !== 3) {
    throw new VerifyError(
      "ERR_CERT_CHAIN",
      `${F}: expected 3 certificates (PCK, CA, root), found ${chain.length}`,
      {
        field: F,
      },
    );
  }
  const root = checkedRoot(pinnedRoot(chain[2], anchors, `${F}[2]`));
  const intermediate = cache.certificate(chain[1] as Uint8Array, `${F}[1]`);
  checkIssuedBy(intermediate, root, `${F}[1]`);
  checkCn(intermediate, PCK_CA_NAMES, `${F}[1]`);
  checkCa(intermediate, `${F}[1]`, true);
  const leaf = cache.certificate(chain[0] as Uint8Array, `${F}[0]`);
  checkIssuedBy(leaf, intermediate, `${F}[0]`);
  checkCn(leaf, [PCK_LEAF_NAME], `${F}[0]`);
  checkLeaf(leaf, `${F}[0]`);
  const extensions = parsePckExtensions(leaf);
  await checkSignatures(
    [
      ...(skipCa ? [] : [certificateCheck(intermediate, root.publicKey, `${F}[1]`)]),
      certificateCheck(leaf, intermediate.publicKey, `${F}[0]`),
    ],
    crypto,
  );
  const ca = intermediate.subjectCn === PCK_CA_NAMES[0] ? "platform" : "processor";
  return { root, leaf, intermediate, extensions, ca };
}

/** Time and revocation checks of the PCK chain against authenticated collateral. */
export function checkPckAt(p: VerifiedPck, col: AuthenticatedCollateral, now: number): void {
  checkValidity(p.root, now, `${F}[2]`);
  checkValidity(p.intermediate, now, `${F}[1]`);
  checkValidity(p.leaf, now, `${F}[0]`);
  checkNotRevoked(p.intermediate, col.rootCrl, `${F}[1]`);
  // The PCK CRL must come from the leaf's own CA (Platform vs Processor CRL, 16.1 step 5).
  checkCrl(col.pckCrl, p.intermediate, now, "collateral.pckCrl");
  checkNotRevoked(p.leaf, col.pckCrl, `${F}[0]`, "ERR_PCK_REVOKED");
}
