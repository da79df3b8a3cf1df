/**
 * The control-flow facts pruning's analyses share: an instruction's
 * successors (`bpf_insn_successors`) and each function's instructions in
 * postorder (`compute_postorder`), the order the kernel iterates its
 * data-flow analyses in, which decides how many passes they take.
 */
import type { Insn } from "../../isa/insn.js";
import { BPF_CALL, BPF_EXIT, BPF_JA, BPF_JMP, BPF_JMP32 } from "../../isa/opcodes.js";
import { isLdimm64, jumpOffset } from "../cfg.js";

/** `bpf_insn_successors`: fall-through first, then the jump target. */
export function insnSuccessors(insns: readonly Insn[], idx: number): number[] {
  const insn = insns[idx]!;
  const cls = insn.code & 0x07;
  const size = isLdimm64(insn) ? 2 : 1;
  if (cls !== BPF_JMP && cls !== BPF_JMP32) return [idx + size];
  const op = insn.code & 0xf0;
  if (op === BPF_EXIT) return [];
  if (op === BPF_CALL) return [idx + 1];
  if (op === BPF_JA) return [idx + jumpOffset(insn) + 1];
  return [idx + 1, idx + insn.off + 1];
}

export interface Postorder {
  /** every reachable instruction, function by function, each function in postorder */
  readonly order: readonly number[];
  /** where each function's part of `order` starts; one extra entry for the end */
  readonly starts: readonly number[];
}

const DISCOVERED = 1;
const EXPLORED = 2;

/** `compute_postorder`: a depth-first walk from each function's entry. */
export function computePostorder(
  insns: readonly Insn[],
  subprogStarts: readonly number[],
): Postorder {
  const order: number[] = [];
  const starts: number[] = [];
  const state = new Uint8Array(insns.length);
  for (const start of subprogStarts) {
    starts.push(order.length);
    const stack = [start];
    do {
      const top = stack[stack.length - 1]!;
      state[top]! |= DISCOVERED;
      if (state[top]! & EXPLORED) {
        order.push(top);
        stack.pop();
        continue;
      }
      for (const s of insnSuccessors(insns, top)) {
        if (s < insns.length && !state[s]) {
          stack.push(s);
          state[s]! |= DISCOVERED;
        }
      }
      state[top]! |= EXPLORED;
    } while (stack.length > 0);
  }
  starts.push(order.length);
  return { order, starts };
}
