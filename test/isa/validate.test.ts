import { describe, expect, it } from "vitest";
import { assemble } from "../../src/isa/asm.js";
import { IsaError } from "../../src/isa/errors.js";
import type { Insn } from "../../src/isa/insn.js";
import { validateInsns } from "../../src/isa/validate.js";

function insn(code: number, dst = 0, src = 0, off = 0, imm = 0): Insn {
  return { code, dst, src, off, imm };
}

const EXIT = insn(0x95);

describe("validateInsns", () => {
  it("accepts the forms clang emits for -mcpu=v4", () => {
    const program = assemble(`
      mov %r1, 1
      sdiv32 %r1, 3
      smod %r1, %r1
      movsx1664 %r2, %r1
      movsx3264 %r2, %r1
      ldxsw %r3, [%r10-4]
      bswap32 %r3
      be16 %r3
      lock fetch xor32 [%r10-8], %r1
      lock cmpxchg [%r10-8], %r1
      lddw %r0, 0x123456789
      ja32 +0
      call local f
      callx %r2
      ldabsh 12
      ldindb %r1, 2
      exit
    f:
      exit`);
    expect(() => validateInsns(program)).not.toThrow();
    // kfunc call (off selects the module BTF), may_goto, arena cast, load-acquire
    expect(() =>
      validateInsns([
        insn(0x85, 0, 2, 1, 1234),
        insn(0xe5, 0, 0, 1),
        insn(0xbf, 1, 2, 1, 0x10000),
        insn(0xdb, 1, 2, 0, 0x100),
        insn(0xd3, 1, 2, 0, 0x110),
        insn(0x18, 1, 1, 0, 3),
        insn(0, 0, 0, 0, 0),
        EXIT,
      ]),
    ).not.toThrow();
  });

  it.each([
    ["alu imm with src set", insn(0x07, 0, 1, 0, 1), "unused field src must be 0, is 1"],
    ["alu reg with imm set", insn(0x0f, 0, 1, 0, 1), "unused field imm must be 0, is 1"],
    ["alu imm with off set", insn(0x04, 0, 0, 1, 1), "unused field off must be 0, is 1"],
    ["mov with off 1 (not a cast)", insn(0xbc, 0, 1, 1), "unused field off must be 0, is 1"],
    ["movsx32 from 32 bits", insn(0xbc, 0, 1, 32), "unused field off must be 0, is 32"],
    ["arena cast to space 2", insn(0xbf, 0, 1, 1, 2), "addr_space_cast"],
    ["neg with imm", insn(0x87, 0, 0, 0, 1), "unused field imm"],
    ["neg with reg source", insn(0x8f, 0, 1), "neg must use source K"],
    ["be with src", insn(0xdc, 0, 1, 0, 16), "unused field src"],
    ["byte swap of 8 bits", insn(0xd4, 0, 0, 0, 8), "width must be 16, 32 or 64"],
    ["alu op 0xe0", insn(0xe7), "unknown ALU operation 0xe0"],
    ["ja with dst", insn(0x05, 1), "unused field dst"],
    ["ja with imm", insn(0x05, 0, 0, 0, 1), "unused field imm"],
    ["call with dst", insn(0x85, 1, 0, 0, 1), "unused field dst"],
    ["helper call with off", insn(0x85, 0, 0, 1, 1), "unused field off"],
    ["call kind 3", insn(0x85, 0, 3, 0, 1), "unknown call kind"],
    ["exit with src", insn(0x95, 0, 1), "unused field src"],
    ["jmp32 exit", insn(0x96), "exit is only defined"],
    ["jeq imm with src", insn(0x15, 0, 1), "unused field src"],
    ["jgt reg with imm", insn(0x2d, 0, 1, 0, 1), "unused field imm"],
    ["jump op 0xf0", insn(0xf5), "unknown jump operation 0xf0"],
    ["ldx with imm", insn(0x79, 0, 10, -8, 1), "unused field imm"],
    ["ldxsdw", insn(0x99, 0, 1), "cannot have size DW"],
    ["st with src", insn(0x7a, 10, 1, -8), "unused field src"],
    ["stx with imm", insn(0x63, 10, 0, -4, 1), "unused field imm"],
    ["atomic of 16 bits", insn(0xcb, 10, 1, -8, 0), "32- or 64-bit access"],
    ["atomic op sub", insn(0xdb, 10, 1, -8, 0x10), "unknown atomic operation 0x10"],
    ["register r11", insn(0xb7, 11, 0, 0, 1), "invalid dst register r11"],
    ["source register r12", insn(0xbf, 0, 12), "invalid src register r12"],
    ["ld imm of size W", insn(0x00, 0, 0, 0, 1), "must have size DW"],
  ])("rejects %s", (_name, bad, message) => {
    let error: unknown;
    try {
      validateInsns([insn(0xb7), bad, EXIT]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(IsaError);
    expect((error as IsaError).message).toContain(message);
    expect((error as IsaError).message).toMatch(/^instruction 1 \(opcode 0x[0-9a-f]{2}\): /);
    expect((error as IsaError).index).toBe(1);
  });

  it("checks both slots of an lddw", () => {
    expect(() => validateInsns([insn(0x18, 1, 0, 0, 1)])).toThrow(/missing its second slot/);
    expect(() => validateInsns([insn(0x18, 1, 0, 0, 1), insn(0x95)])).toThrow(
      /instruction 1: second slot/,
    );
    expect(() => validateInsns([insn(0x18, 1, 7, 0, 1), insn(0)])).toThrow(/unknown lddw kind/);
  });
});
