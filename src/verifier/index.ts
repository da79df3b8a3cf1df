export type { VerifyOptions, VerifyResult } from "./result.js";
export { verifyProgram } from "./verify.js";
