/**
 * The stack accesses the liveness analysis hears about (`bpf_mark_stack_read`
 * and `bpf_mark_stack_write`): checks that read or write stack call these.
 */
import type { VerifierEnv } from "../env.js";
import { pruneContext } from "./context.js";

/** Instruction `env.insnIdx` may read stack slot `spi` of frame `frameno`. */
export function markStackRead(env: VerifierEnv, frameno: number, spi: number): void {
  pruneContext(env)?.stackLiveness.markStackRead(
    env.state,
    frameno,
    env.insnIdx,
    1n << BigInt(spi),
  );
}

/** Instruction `env.insnIdx` surely writes all 8 bytes of stack slot `spi` of frame `frameno`. */
export function markStackWrite(env: VerifierEnv, frameno: number, spi: number): void {
  pruneContext(env)?.stackLiveness.markStackWrite(frameno, 1n << BigInt(spi));
}
