export { verifyProgram } from "./verify.js";
export type { VerifyOptions, VerifyResult } from "./result.js";
