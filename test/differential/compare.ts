/**
 * One program's outcome on both sides and whether they agree: the same
 * verdict and, for a rejection, the same closing error lines in the same
 * order.
 */
import { closingErrorLines, libbpfRefusalLines } from "./closing-errors.mjs";
import type { OracleAnswer } from "./oracle.js";

export interface KernelOutcome {
  readonly verdict: "accept" | "reject";
  readonly stage: "verifier" | "kernel" | "libbpf";
  readonly errors: readonly string[];
}

export type TsbpfOutcome =
  | { readonly verdict: "accept" | "reject"; readonly errors: readonly string[] }
  /** tsbpf threw instead of answering (not implemented yet, or a bug) */
  | { readonly verdict: "error"; readonly errors: readonly string[] };

export function kernelOutcome(answer: OracleAnswer): KernelOutcome {
  let errors: string[] = [];
  if (answer.verdict === "reject")
    errors =
      answer.stage === "verifier"
        ? closingErrorLines(answer.log)
        : libbpfRefusalLines(answer.libbpf_log);
  return { verdict: answer.verdict, stage: answer.stage, errors };
}

export type Comparison =
  | { readonly kind: "agree" }
  /** the kernel refused the program before its verifier ran (lockdown, a kfunc libbpf cannot resolve): nothing to compare */
  | { readonly kind: "not-verified" }
  | { readonly kind: "verdict"; readonly detail: string }
  | { readonly kind: "errors"; readonly detail: string }
  | { readonly kind: "tsbpf-error"; readonly detail: string };

export function compareOutcomes(kernel: KernelOutcome, tsbpf: TsbpfOutcome): Comparison {
  if (kernel.stage !== "verifier") return { kind: "not-verified" };
  if (tsbpf.verdict === "error") return { kind: "tsbpf-error", detail: tsbpf.errors.join(" / ") };
  if (tsbpf.verdict !== kernel.verdict)
    return {
      kind: "verdict",
      detail: `kernel ${kernel.verdict}${describeErrors(kernel.errors)}, tsbpf ${tsbpf.verdict}${describeErrors(tsbpf.errors)}`,
    };
  if (kernel.verdict === "reject" && !sameLines(kernel.errors, tsbpf.errors))
    return {
      kind: "errors",
      detail: `kernel${describeErrors(kernel.errors)}, tsbpf${describeErrors(tsbpf.errors)}`,
    };
  return { kind: "agree" };
}

function sameLines(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((line, i) => line === b[i]);
}

function describeErrors(errors: readonly string[]): string {
  return errors.length === 0 ? "" : ` [${errors.map((e) => JSON.stringify(e)).join(", ")}]`;
}
