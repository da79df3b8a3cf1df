import { describe, expect, it } from "vitest";
import { assemble } from "../../src/isa/asm.js";
import { encodeInsns } from "../../src/isa/encode.js";
import { AsmError } from "../../src/isa/errors.js";

function hexOf(text: string): string {
  return Array.from(encodeInsns(assemble(text)), (b) => b.toString(16).padStart(2, "0")).join("");
}

function asmError(text: string): AsmError {
  try {
    assemble(text);
  } catch (e) {
    if (e instanceof AsmError) return e;
    throw e;
  }
  throw new Error(`assembled without error: ${text}`);
}

/**
 * Expected bytes are llvm-objdump-19's for the same instruction written in
 * LLVM syntax (clang-19 -mcpu=v4 / llvm-mc-19), shown in the comment.
 */
const ENCODINGS: [string, string][] = [
  ["mov32 %r1, 5", "b401000005000000"], // w1 = 0x5
  ["mov %r2, -8", "b7020000f8ffffff"], // r2 = -0x8
  ["add %r2, -8", "07020000f8ffffff"], // r2 += -0x8
  ["add32 %r2, 3", "0402000003000000"], // w2 += 0x3
  ["mov %r1, %r6", "bf61000000000000"], // r1 = r6
  ["mov32 %r1, %r2", "bc21000000000000"], // w1 = w2
  ["mul %r3, %r2", "2f23000000000000"], // r3 *= r2
  ["div32 %r3, %r2", "3c23000000000000"], // w3 /= w2
  ["mod %r3, %r2", "9f23000000000000"], // r3 %= r2
  ["sdiv %r3, %r2", "3f23010000000000"], // r3 s/= r2
  ["smod32 %r3, %r2", "9c23010000000000"], // w3 s%= w2
  ["sdiv %r3, 3", "3703010003000000"], // r3 s/= 0x3
  ["or %r3, 0x10", "4703000010000000"], // r3 |= 0x10
  ["and %r3, %r2", "5f23000000000000"], // r3 &= r2
  ["lsh %r3, 2", "6703000002000000"], // r3 <<= 0x2
  ["rsh32 %r3, 1", "7403000001000000"], // w3 >>= 0x1
  ["arsh %r3, 1", "c703000001000000"], // r3 s>>= 0x1
  ["xor %r3, -1", "a7030000ffffffff"], // r3 ^= -0x1
  ["neg %r3", "8703000000000000"], // r3 = -r3
  ["neg32 %r3", "8403000000000000"], // w3 = -w3
  ["be16 %r3", "dc03000010000000"], // r3 = be16 r3
  ["le32 %r3", "d403000020000000"], // r3 = le32 r3
  ["be64 %r3", "dc03000040000000"], // r3 = be64 r3
  ["bswap16 %r3", "d703000010000000"], // r3 = bswap16 r3
  ["swap64 %r3", "d703000040000000"], // r3 = bswap64 r3
  ["movsx864 %r4, %r3", "bf34080000000000"], // r4 = (s8)r3
  ["movsx1632 %r4, %r3", "bc34100000000000"], // w4 = (s16)w3
  ["movsx3264 %r4, %r3", "bf34200000000000"], // r4 = (s32)r3
  ["stxdw [%r10-8], %r3", "7b3af8ff00000000"], // *(u64 *)(r10 - 0x8) = r3
  ["stxw [%r10-16], %r3", "633af0ff00000000"], // *(u32 *)(r10 - 0x10) = w3
  ["sth [%r10-18], 7", "6a0aeeff07000000"], // *(u16 *)(r10 - 0x12) = 0x7
  ["stb [%r10-19], -1", "720aedffffffffff"], // *(u8 *)(r10 - 0x13) = -0x1
  ["stw [%r10-24], 0", "620ae8ff00000000"], // *(u32 *)(r10 - 0x18) = 0x0
  ["ldxdw %r5, [%r10-8]", "79a5f8ff00000000"], // r5 = *(u64 *)(r10 - 0x8)
  ["ldxsb %r5, [%r10-19]", "91a5edff00000000"], // r5 = *(s8 *)(r10 - 0x13)
  ["ldxsh %r5, [%r10-18]", "89a5eeff00000000"], // r5 = *(s16 *)(r10 - 0x12)
  ["ldxsw %r5, [%r10-16]", "81a5f0ff00000000"], // r5 = *(s32 *)(r10 - 0x10)
  ["ldxb %r5, [%r10-0x13]", "71a5edff00000000"], // w5 = *(u8 *)(r10 - 0x13)
  ["ldxdw %r1, [%r1]", "7911000000000000"], // r1 = *(u64 *)(r1 + 0x0)
  ["lock add [%r10-8], %r2", "db2af8ff00000000"], // lock *(u64 *)(r10 - 0x8) += r2
  ["lock add32 [%r10-16], %r2", "c32af0ff00000000"], // lock *(u32 *)(r10 - 0x10) += w2
  ["lock or [%r10-8], %r2", "db2af8ff40000000"], // lock *(u64 *)(r10 - 0x8) |= r2
  ["lock and [%r10-8], %r2", "db2af8ff50000000"], // lock *(u64 *)(r10 - 0x8) &= r2
  ["lock xor [%r10-8], %r2", "db2af8ffa0000000"], // lock *(u64 *)(r10 - 0x8) ^= r2
  ["lock fetch add [%r10-8], %r2", "db2af8ff01000000"], // r2 = atomic_fetch_add(...)
  ["lock fetch and32 [%r10-16], %r2", "c32af0ff51000000"], // w2 = atomic_fetch_and(...)
  ["lock fetch or [%r10-8], %r2", "db2af8ff41000000"], // r2 = atomic_fetch_or(...)
  ["lock fetch xor [%r10-8], %r2", "db2af8ffa1000000"], // r2 = atomic_fetch_xor(...)
  ["lock xchg [%r10-8], %r2", "db2af8ffe1000000"], // r2 = xchg_64(r10 - 0x8, r2)
  ["lock xchg32 [%r10-16], %r2", "c32af0ffe1000000"], // w2 = xchg32_32(r10 - 0x10, w2)
  ["lock cmpxchg [%r10-8], %r2", "db2af8fff1000000"], // r0 = cmpxchg_64(r10 - 0x8, r0, r2)
  ["lock cmpxchg32 [%r10-16], %r2", "c32af0fff1000000"], // w0 = cmpxchg32_32(...)
  ["lddw %r1, 0x123456789", "18010000896745230000000001000000"], // r1 = 0x123456789 ll
  ["lddw %r1, -1", "18010000ffffffff00000000ffffffff"], // r1 = -0x1 ll
  ["lddw %r1, 0xffffffffffffffff", "18010000ffffffff00000000ffffffff"],
  ["jeq %r0, 0, +0", "1500000000000000"], // if r0 == 0x0 goto +0x0
  ["jne %r0, %r1, +0", "5d10000000000000"], // if r0 != r1 goto +0x0
  ["jgt32 %r0, 0xfffffff0, +0", "26000000f0ffffff"], // if w0 > -0x10 goto +0x0
  ["jslt32 %r0, %r1, +0", "ce10000000000000"], // if w0 s< w1 goto +0x0
  ["jsge %r0, -2, +0", "75000000feffffff"], // if r0 s>= -0x2 goto +0x0
  ["jset %r0, 3, +0", "4500000003000000"], // if r0 & 0x3 goto +0x0
  ["jle %r0, %r1, +0", "bd10000000000000"], // if r0 <= r1 goto +0x0
  ["jeq32 %r1, 5, -3", "1601fdff05000000"], // if w1 == 0x5 goto -0x3
  ["ja +0", "0500000000000000"], // goto +0x0
  ["ja32 -2", "06000000feffffff"], // gotol -0x2
  ["ldabsb 3", "3000000003000000"], // r0 = *(u8 *)skb[0x3]
  ["ldindh %r7, 0", "4870000000000000"], // r0 = *(u16 *)skb[r7]
  ["ldindw %r7, 0", "4070000000000000"], // r0 = *(u32 *)skb[r7]
  ["call 1", "8500000001000000"], // call 0x1
  ["callx %r2", "8d02000000000000"], // callx r2
  ["call %r2", "8d02000000000000"],
  ["call local -1", "85100000ffffffff"], // call -0x1
  ["exit", "9500000000000000"], // exit
];

describe("assemble", () => {
  it.each(ENCODINGS)("%s", (text, hex) => {
    expect(hexOf(text)).toBe(hex);
  });

  it("resolves labels forwards and backwards, relative to the next slot", () => {
    const insns = assemble(
      [
        "start:",
        "  lddw %r1, 0x100000000  # two slots",
        "  jeq %r1, 0, done",
        "  ja start",
        "done: exit",
      ].join("\n"),
    );
    expect(insns.map((i) => i.off)).toEqual([0, 0, 1, -4, 0]);
  });

  it("resolves `call local` to imm and `ja32` labels to imm", () => {
    const insns = assemble("call local f\nexit\nf:\nja32 f\nexit");
    expect(insns[0]).toMatchObject({ code: 0x85, src: 1, imm: 1 });
    expect(insns[2]).toMatchObject({ code: 0x06, imm: -1, off: 0 });
  });

  it("takes the label `exit` to mean the first exit instruction", () => {
    const insns = assemble("jne %r0, %r1, exit\nmov %r0, 1\nexit\nexit");
    expect(insns[0]!.off).toBe(1);
  });

  it("accepts `call helper N` and `call runtime N`", () => {
    expect(assemble("call helper 5")[0]).toMatchObject({ code: 0x85, src: 0, imm: 5 });
    expect(assemble("call runtime 7")[0]).toMatchObject({ code: 0x85, src: 2, imm: 7 });
  });

  it("takes immediates as int32 decimal or 32-bit hex patterns", () => {
    expect(assemble("mov32 %r0, 0xffffffff")[0]!.imm).toBe(-1);
    expect(assemble("mov32 %r0, -2147483648")[0]!.imm).toBe(-2147483648);
    expect(assemble("mov32 %r0, 2147483647")[0]!.imm).toBe(2147483647);
    expect(asmError("mov32 %r0, 2147483648").message).toContain("Invalid immediate");
    expect(asmError("mov32 %r0, 0x100000000").message).toContain("Invalid immediate");
    expect(asmError("mov %r0, 1x").message).toContain("Invalid immediate: 1x");
  });

  it("reports errors with their line number", () => {
    const e = asmError("mov %r0, 1\n\n  or %r0, %r50\nexit");
    expect(e.line).toBe(3);
    expect(e.message).toBe("line 3: Invalid register: %r50 (registers are %r0 to %r10)");
    expect(() => assemble("exit\nbad", { firstLine: 10 })).toThrow(
      /^line 11: Invalid mnemonic: bad/,
    );
  });

  it.each([
    ["ldxq %r0, %r1", "Invalid mnemonic: ldxq"],
    ["ldxb %r0, %r1", "Invalid memory operand: %r1"],
    ["ldxb %r0, [%r1+0x10000]", "Invalid offset"],
    ["ldxb %r0, [%r1-32769]", "Invalid offset"],
    ["lddw %r0", "Invalid number of operands for lddw"],
    ["add %r0, 1, 2", "Invalid number of operands for add"],
    ["exit %r0", "Invalid number of operands for exit"],
    ["lock or [%r10-8]", "Invalid number of operands for lock"],
    ["lock", "Invalid number of operands for lock"],
    ["lock nand [%r10-8], %r1", "Invalid atomic operation: nand"],
    ["ja NOT_A_LABEL", "Invalid label: NOT_A_LABEL"],
    ["ja 3", "Invalid jump target: 3"],
    ["call local", "Invalid immediate: local"],
    ["call far 1", "Invalid call mode: far"],
    ["mov %r11, 1", "Invalid register: %r11"],
    ["movsx3232 %r0, %r1", "Invalid mnemonic: movsx3232"],
    ["ldxsdw %r0, [%r1]", "Invalid mnemonic: ldxsdw"],
    ["lddw %r0, 0x10000000000000000", "Invalid immediate"],
    ["a:\na:\nexit", "Duplicate label: a (first defined at line 1)"],
  ])("rejects %s", (text, message) => {
    expect(asmError(text).message).toContain(message);
  });

  it("rejects a jump whose label is beyond a 16-bit offset", () => {
    const far = `ja end\n${"mov %r0, 0\n".repeat(40000)}end: exit`;
    expect(asmError(far).message).toContain("beyond the 16-bit offset");
  });

  it("assembles an empty text to no instructions", () => {
    expect(assemble("# nothing\n\n")).toEqual([]);
  });
});
