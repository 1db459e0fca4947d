/** Node-only entry point ("tdx-attest/node"): the node:crypto backend and the CLI runner. */

export { main as runCli } from "./cli/main.js";
export { fetchCollateral, type PccsOptions } from "./cli/pccs.js";
export { nodeCrypto } from "./crypto/index.js";
