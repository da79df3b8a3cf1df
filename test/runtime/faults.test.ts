import { describe, expect, it } from "vitest";
import { RuntimeFault } from "../../src/runtime/errors.js";
import { newVm, run } from "./run-asm.js";

function faultOf(f: () => unknown): RuntimeFault {
  try {
    f();
  } catch (e) {
    if (e instanceof RuntimeFault) return e;
    throw e;
  }
  throw new Error("expected a RuntimeFault");
}

describe("faults", () => {
  it("names register, offset, size and region for a read past the input", () => {
    const f = faultOf(() => run("mov %r0, 1\nldxw %r0, [%r1+4]\nexit", new Uint8Array(6)));
    expect(f.insn).toBe(1);
    expect(f.message).toMatch(
      /^insn 1: R1 \+4 read of 4 bytes at 0x[0-9a-f]+ runs 2 bytes past the end of memory input$/,
    );
  });

  it("reports a read above the stack frame", () => {
    const f = faultOf(() => run("ldxw %r0, [%r10+4]\nexit"));
    expect(f.message).toMatch(
      /R10 \+4 read of 4 bytes at 0x[0-9a-f]+ .*past the end of stack frame 0/,
    );
  });

  it("reports a NULL dereference", () => {
    const f = faultOf(() => run("mov %r1, 0\nstw [%r1+0], 1\nexit"));
    expect(f.message).toContain("R1 +0 write of 4 bytes at 0x0 is a NULL pointer dereference");
  });

  it("reports an address above 4 GiB", () => {
    const f = faultOf(() => run("lddw %r1, 0x100000000\nldxb %r0, [%r1+0]\nexit"));
    expect(f.message).toContain("which is not an address");
  });

  it("names an unknown helper", () => {
    expect(faultOf(() => run("call 999\nexit")).message).toBe("insn 0: unknown helper id 999");
    expect(faultOf(() => run("call 4\nexit")).message).toBe(
      "insn 0: unknown helper id 4 (bpf_probe_read is not implemented by the runtime)",
    );
  });

  it("stops an endless loop at the budget", () => {
    const f = faultOf(() => run("l:\nja l\nexit", undefined, newVm(5000)));
    expect(f.message).toContain("instruction budget of 5000 exhausted");
  });

  it("stops the default 1,000,000 budget on an endless loop", () => {
    const f = faultOf(() => run("mov %r0, 0\nl:\nadd %r0, 1\nja l\nexit"));
    expect(f.message).toContain("budget of 1000000");
  });

  it("faults on a jump outside the program", () => {
    const insns = [
      { code: 0x05, dst: 0, src: 0, off: 5, imm: 0 },
      { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 },
    ];
    const f = faultOf(() => run(insns));
    expect(f.message).toBe(
      "insn 0: jump out of range from insn 0 to 6 (the program has 2 instructions)",
    );
  });

  it("faults when running off the end", () => {
    const f = faultOf(() => run("mov %r0, 1"));
    expect(f.message).toContain("ran off the end of the program");
  });

  it("faults on an unknown opcode", () => {
    const f = faultOf(() => run([{ code: 0x8e, dst: 0, src: 0, off: 0, imm: 0 }]));
    expect(f.message).toBe("insn 0: unknown opcode 0x8e");
  });

  it("refuses a byte swap of a width other than 16, 32, 64", () => {
    const f = faultOf(() => run([{ code: 0xdc, dst: 0, src: 0, off: 0, imm: 8 }]));
    expect(f.message).toBe("insn 0: byte swap width 8 is not 16, 32 or 64");
  });

  it("refuses registers above r10", () => {
    const f = faultOf(() => run([{ code: 0xb7, dst: 12, src: 0, off: 0, imm: 1 }]));
    expect(f.message).toBe("insn 0: invalid register in dst r12");
  });

  it("faults on calls deeper than 8 frames", () => {
    const f = faultOf(() => run("call local f\nexit\nf:\ncall local f\nexit"));
    expect(f.message).toContain("call stack too deep: more than 8 frames");
  });

  it("starts the next run clean after a fault", () => {
    const vm = newVm(1000);
    faultOf(() => run("mov %r6, 7\nstdw [%r10-8], 9\nl:\nja l\nexit", undefined, vm));
    // Registers and the stack come back zeroed; the budget is whole again.
    expect(run("ldxdw %r0, [%r10-8]\nadd %r0, %r6\nexit", undefined, vm)).toBe(0n);
    expect(
      run(
        "mov %r0, 0\nmov %r1, 0\nl:\nadd %r0, 1\nadd %r1, 1\njlt %r1, 300, l\nexit",
        undefined,
        vm,
      ),
    ).toBe(300n);
  });

  it("never lets a program write outside the frame into the next one", () => {
    const f = faultOf(() => run("stdw [%r10+0], 1\nexit"));
    expect(f.message).toMatch(/R10 \+0 write of 8 bytes at 0x[0-9a-f]+ .*stack frame/);
  });
});
