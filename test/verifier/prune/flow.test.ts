/**
 * The control-flow analyses pruning runs before the walk, on hand-made
 * programs whose answers follow from kernel/bpf/verifier.c's definitions:
 * successors, postorder, loops (SCC ids) and live registers.
 */
import { describe, expect, it } from "vitest";
import { assemble } from "../../../src/isa/asm.js";
import { computePostorder, insnSuccessors } from "../../../src/verifier/prune/flow.js";
import { computeLiveRegisters } from "../../../src/verifier/prune/liveness.js";
import { formatRegMask, formatStackMask } from "../../../src/verifier/prune/precision.js";
import { computeScc } from "../../../src/verifier/prune/scc.js";

// r0 = 0; r1 = 0; loop: r0 += r1; r1 += 1; if r1 < 16 goto loop; exit
const LOOP = assemble(`
  mov %r0, 0
  mov %r1, 0
loop:
  add %r0, %r1
  add %r1, 1
  jlt %r1, 16, loop
  exit`);

describe("control flow for pruning", () => {
  it("successors: fall-through first, then the target; none after exit", () => {
    expect(insnSuccessors(LOOP, 4)).toEqual([5, 2]);
    expect(insnSuccessors(LOOP, 5)).toEqual([]);
    expect(insnSuccessors(LOOP, 0)).toEqual([1]);
  });

  it("postorder from the entry", () => {
    expect(computePostorder(LOOP, [0])).toEqual({ order: [5, 4, 3, 2, 1, 0], starts: [0, 6] });
  });

  it("the loop body is one SCC; straight-line code is in none", () => {
    expect([...computeScc(LOOP)]).toEqual([0, 0, 1, 1, 1, 0]);
  });

  it("live registers before each instruction (the kernel's table for this program: ...., 0, 01, 01, 01, 0)", () => {
    const live = computeLiveRegisters(LOOP, computePostorder(LOOP, [0]), "socket_filter");
    expect([...live]).toEqual([0b0, 0b1, 0b11, 0b11, 0b11, 0b1]);
  });

  it("masks print as the kernel's mark_precise lines do", () => {
    expect(formatRegMask(0b1000010)).toBe("r1,r6");
    expect(formatStackMask(0b101n)).toBe("-8,-24");
    expect(formatStackMask(0n)).toBe("");
  });
});
