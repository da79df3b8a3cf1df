import type { Insn } from "../isa/insn.js";
import type { VerifierEnv } from "./env.js";
import type { WalkControl } from "./jmp.js";
import { EINVAL } from "./result.js";

export function checkHelperCall(env: VerifierEnv, insn: Insn, _walk: WalkControl): void {
  env.reject(EINVAL, `helper call #${insn.imm}: not yet verified by tsbpf`);
}
