import { describe, expect, it } from "vitest";
import { r0, run } from "./run-asm.js";

// Expected values follow RFC 9669 and kernel/bpf/core.c (___bpf_prog_run) together with the
// verifier's rewrites of division (do_misc_fixups); they are worked out by hand, not recorded.
const U64 = (1n << 64n) - 1n;
const INT64_MIN = 1n << 63n;

describe("32-bit ALU zero-extends its result", () => {
  it.each([
    ["add32", "lddw %r0, 0xffffffff00000001\nadd32 %r0, 1", 2n],
    ["sub32 wraps", "mov %r0, 0\nsub32 %r0, 1", 0xffffffffn],
    ["mov32 of a negative immediate", "mov32 %r0, -1", 0xffffffffn],
    ["mov32 reg drops the high half", "lddw %r1, 0x123456789abcdef0\nmov32 %r0, %r1", 0x9abcdef0n],
    ["mul32", "lddw %r0, 0x100000003\nmul32 %r0, 0x55555556", 2n],
    ["neg32", "mov %r0, 1\nneg32 %r0", 0xffffffffn],
    ["xor32", "lddw %r0, 0xffffffffffffffff\nxor32 %r0, 0", 0xffffffffn],
  ])("%s", (_name, body, expected) => {
    expect(r0(body)).toBe(expected);
  });
});

describe("shifts mask the amount to the width", () => {
  it.each([
    ["lsh64 by 64 is by 0", "mov %r0, 3\nmov %r1, 64\nlsh %r0, %r1", 3n],
    ["lsh64 by 65 is by 1", "mov %r0, 3\nmov %r1, 65\nlsh %r0, %r1", 6n],
    ["lsh64 by 63", "mov %r0, 3\nlsh %r0, 63", INT64_MIN],
    ["rsh64 by 32", "lddw %r0, 0x8000000100000000\nrsh %r0, 32", 0x80000001n],
    ["rsh64 by 36", "lddw %r0, 0x8000000100000000\nrsh %r0, 36", 0x8000000n],
    ["arsh64 by 63", "lddw %r0, 0x8000000000000000\narsh %r0, 63", U64],
    ["arsh64 by 40", "lddw %r0, 0x8000000000000000\narsh %r0, 40", 0xffffffffff800000n],
    ["arsh64 by 4", "lddw %r0, 0x8000000000000010\narsh %r0, 4", 0xf800000000000001n],
    ["lsh32 by 32 is by 0", "mov %r0, 5\nmov %r1, 32\nlsh32 %r0, %r1", 5n],
    ["rsh32 by 33 is by 1", "mov %r0, 8\nmov %r1, 33\nrsh32 %r0, %r1", 4n],
    ["arsh32 sign-fills 32 bits only", "mov32 %r0, 0x80000000\narsh32 %r0, 4", 0xf8000000n],
    ["arsh32 by 36 is by 4", "mov32 %r0, 0x80000000\nmov %r1, 36\narsh32 %r0, %r1", 0xf8000000n],
  ])("%s", (_name, body, expected) => {
    expect(r0(body)).toBe(expected);
  });
});

describe("division and modulo", () => {
  it.each([
    ["div64 by zero gives 0", "mov %r0, 7\nmov %r1, 0\ndiv %r0, %r1", 0n],
    [
      "mod64 by zero leaves the dividend",
      "lddw %r0, 0x1234567890\nmov %r1, 0\nmod %r0, %r1",
      0x1234567890n,
    ],
    ["div32 by zero gives 0", "mov %r0, 7\nmov32 %r1, 0\ndiv32 %r0, %r1", 0n],
    [
      "mod32 by zero leaves the dividend zero-extended",
      "lddw %r0, 0x1234567890\nmov %r1, 0\nmod32 %r0, %r1",
      0x34567890n,
    ],
    ["div64 imm treats the sign-extended imm as unsigned", "mov %r0, -1\ndiv %r0, -1", 1n],
    ["div32 is unsigned", "mov32 %r0, -8\ndiv32 %r0, 2", 0x7ffffffcn],
    [
      "sdiv64 INT_MIN / -1 is INT_MIN",
      "lddw %r0, 0x8000000000000000\nmov %r1, -1\nsdiv %r0, %r1",
      INT64_MIN,
    ],
    ["smod64 INT_MIN % -1 is 0", "lddw %r0, 0x8000000000000000\nmov %r1, -1\nsmod %r0, %r1", 0n],
    ["sdiv32 INT_MIN / -1 is INT_MIN", "mov32 %r0, 0x80000000\nsdiv32 %r0, -1", 0x80000000n],
    ["smod32 INT_MIN % -1 is 0", "mov32 %r0, 0x80000000\nsmod32 %r0, -1", 0n],
    ["sdiv64 truncates toward zero", "mov %r0, -7\nsdiv %r0, 2", U64 - 2n],
    ["smod64 takes the dividend's sign", "mov %r0, -7\nsmod %r0, 2", U64],
    ["smod64 by zero leaves the dividend", "mov %r0, -7\nmov %r1, 0\nsmod %r0, %r1", U64 - 6n],
    ["sdiv64 by zero gives 0", "mov %r0, -7\nmov %r1, 0\nsdiv %r0, %r1", 0n],
    [
      "smod32 by zero leaves the dividend, zero-extended",
      "mov %r0, -7\nmov %r1, 0\nsmod32 %r0, %r1",
      0xfffffff9n,
    ],
    ["smod32 of a positive by a negative", "mov %r0, 7\nsmod32 %r0, -2", 1n],
  ])("%s", (_name, body, expected) => {
    expect(r0(body)).toBe(expected);
  });
});

describe("sign extension", () => {
  it.each([
    ["movsx8 64", "mov %r1, 0x80\nmovsx864 %r0, %r1", U64 - 127n],
    ["movsx16 64", "mov %r1, 0x8000\nmovsx1664 %r0, %r1", U64 - 0x7fffn],
    ["movsx32 64", "mov32 %r1, 0x80000000\nmovsx3264 %r0, %r1", 0xffffffff80000000n],
    ["movsx8 32 zero-extends the 32-bit result", "mov %r1, 0xff\nmovsx832 %r0, %r1", 0xffffffffn],
    ["movsx16 32", "mov %r1, 0x7fff\nmovsx1632 %r0, %r1", 0x7fffn],
    ["mov64 imm sign-extends", "mov %r0, -2", U64 - 1n],
  ])("%s", (_name, body, expected) => {
    expect(r0(body)).toBe(expected);
  });

  it("sign-extending loads", () => {
    const mem = Uint8Array.from([0x80, 0xff, 0x00, 0x80, 0x7f]);
    expect(run("ldxsb %r0, [%r1]\nexit", mem)).toBe(U64 - 127n);
    expect(run("ldxsh %r0, [%r1+2]\nexit", mem)).toBe(U64 - 0x7fffn);
    expect(run("ldxsw %r0, [%r1]\nexit", mem)).toBe(0xffffffff8000ff80n);
    expect(run("ldxsb %r0, [%r1+4]\nexit", mem)).toBe(0x7fn);
    expect(run("ldxw %r0, [%r1]\nexit", mem)).toBe(0x8000ff80n);
  });
});

describe("byte swaps", () => {
  it.each([
    ["be16 keeps 16 bits", "lddw %r0, 0x1122334455667788\nbe16 %r0", 0x8877n],
    ["be32", "lddw %r0, 0x1122334455667788\nbe32 %r0", 0x88776655n],
    ["be64", "lddw %r0, 0x1122334455667788\nbe64 %r0", 0x8877665544332211n],
    ["le16 truncates", "lddw %r0, 0x1122334455667788\nle16 %r0", 0x7788n],
    ["le32 truncates", "lddw %r0, 0x1122334455667788\nle32 %r0", 0x55667788n],
    ["le64 is the identity", "lddw %r0, 0x1122334455667788\nle64 %r0", 0x1122334455667788n],
    ["bswap16", "lddw %r0, 0x1122334455667788\nbswap16 %r0", 0x8877n],
    ["bswap64", "lddw %r0, 0x1122334455667788\nbswap64 %r0", 0x8877665544332211n],
  ])("%s", (_name, body, expected) => {
    expect(r0(body)).toBe(expected);
  });
});

describe("atomics", () => {
  it("fetch_add returns the old value in the source register", () => {
    expect(
      r0(
        "stdw [%r10-8], 40\nmov %r1, 2\nlock fetch add [%r10-8], %r1\nmov %r0, %r1\nldxdw %r2, [%r10-8]\nlsh %r0, 8\nor %r0, %r2",
      ),
    ).toBe((40n << 8n) | 42n);
  });
  it("32-bit fetch zero-extends the old value", () => {
    expect(r0("stw [%r10-8], -1\nmov %r1, -1\nlock fetch xor32 [%r10-8], %r1\nmov %r0, %r1")).toBe(
      0xffffffffn,
    );
  });
  it("xchg swaps", () => {
    expect(
      r0(
        "stdw [%r10-8], 7\nmov %r1, 9\nlock xchg [%r10-8], %r1\nldxdw %r0, [%r10-8]\nlsh %r0, 8\nor %r0, %r1",
      ),
    ).toBe(0x907n);
  });
  it("cmpxchg writes on a match and always returns the old value in r0", () => {
    expect(
      r0(
        "stdw [%r10-8], 5\nmov %r0, 5\nmov %r1, 6\nlock cmpxchg [%r10-8], %r1\nldxdw %r2, [%r10-8]\nlsh %r2, 8\nor %r0, %r2",
      ),
    ).toBe(0x605n);
    expect(
      r0(
        "stdw [%r10-8], 5\nmov %r0, 4\nmov %r1, 6\nlock cmpxchg [%r10-8], %r1\nldxdw %r2, [%r10-8]\nlsh %r2, 8\nor %r0, %r2",
      ),
    ).toBe(0x505n);
  });
  it("add, or, and without fetch leave the source alone", () => {
    expect(
      r0(
        "stdw [%r10-8], 12\nmov %r1, 10\nlock and [%r10-8], %r1\nlock or [%r10-8], %r1\nldxdw %r0, [%r10-8]\nadd %r0, %r1",
      ),
    ).toBe(10n + 10n);
  });
});

describe("calls", () => {
  it("a callee gets a fresh frame and r6-r9 survive it", () => {
    const prog = `
      mov %r6, 1
      stdw [%r10-8], 77
      call local f
      ldxdw %r1, [%r10-8]
      add %r0, %r1
      add %r0, %r6
      exit
    f:
      mov %r6, 100
      ldxdw %r0, [%r10-8]
      stdw [%r10-8], 5
      exit`;
    // the callee's [r10-8] is a zeroed fresh slot: 0 + 77 + 1
    expect(run(prog)).toBe(78n);
  });

  it("callx calls a helper by number", () => {
    expect(r0("mov %r2, 8\ncallx %r2")).toBe(0n);
  });

  it("jumps: signed and unsigned 64-bit compares differ", () => {
    expect(r0("mov %r0, 0\nmov %r1, -1\njgt %r1, 1, +1\nexit\nmov %r0, 1")).toBe(1n);
    expect(r0("mov %r0, 0\nmov %r1, -1\njsgt %r1, 1, +1\nexit\nmov %r0, 1")).toBe(0n);
    expect(r0("mov %r0, 0\nlddw %r1, 0x100000000\njgt32 %r1, 0, +1\nexit\nmov %r0, 1")).toBe(0n);
  });
});
