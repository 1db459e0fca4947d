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
  checkCa,
  checkCn,
  checkCrl,
  checkedRoot,
  checkIssuedBy,
  checkLeaf,
  checkNotRevoked,
  checkValidity,
  pinnedRoot,
  signedCertificate,
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

/** Signature checks, names and SGX extension of the chain (time-independent, cached by content). */
export function authenticatePck(
  chain: readonly Uint8Array[],
  anchors: readonly Certificate[],
  crypto: CryptoBackend,
  cache: CollateralCache,
  known?: { ca: Certificate; root: Certificate },
): Promise<VerifiedPck> {
  return cache.memo("pck", [...chain, ...anchors.map((a) => a.der)], () =>
    authenticate(chain, anchors, crypto, known),
  );
}

/**
 * `known` is the PCK CA certificate already authenticated (under `known.root`) from the
 * collateral's PCK CRL issuer chain: when the quote carries byte-identical certificates, its
 * signature is not checked a second time.
 */
async function authenticate(
  chain: readonly Uint8Array[],
  anchors: readonly Certificate[],
  crypto: CryptoBackend,
  known: { ca: Certificate; root: Certificate } | undefined,
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
  const same =
    known && equalBytes(known.root.der, root.der) && equalBytes(known.ca.der, chain[1] as Uint8Array);
  const intermediate = same
    ? known.ca
    : await signedCertificate(chain[1] as Uint8Array, root.publicKey, `${F}[1]`, crypto);
  checkIssuedBy(intermediate, root, `${F}[1]`);
  checkCn(intermediate, PCK_CA_NAMES, `${F}[1]`);
  checkCa(intermediate, `${F}[1]`, true);
  const leaf = await signedCertificate(chain[0] as Uint8Array, intermediate.publicKey, `${F}[0]`, crypto);
  checkIssuedBy(leaf, intermediate, `${F}[0]`);
  checkCn(leaf, [PCK_LEAF_NAME], `${F}[0]`);
  checkLeaf(leaf, `${F}[0]`);
  const extensions = parsePckExtensions(leaf);
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
