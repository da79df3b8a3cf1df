import { describe, expect, it } from "vitest";
import { decodeInsns } from "../../src/isa/decode.js";
import { disassemble, formatInsn } from "../../src/isa/disasm.js";
import type { Insn } from "../../src/isa/insn.js";

function fromHex(hex: string): Insn[] {
  return decodeInsns(Uint8Array.from(hex.match(/../g)!, (b) => Number.parseInt(b, 16)));
}

function insn(code: number, dst = 0, src = 0, off = 0, imm = 0): Insn {
  return { code, dst, src, off, imm };
}

/**
 * [index, instruction bytes, text] from a real verifier log (Linux 6.18,
 * log level 2) of a socket filter built with clang-19 -mcpu=v4 from inline
 * assembly covering every instruction form clang emits; the register state
 * annotations after ";" are cut off. Bytes are those of the object file;
 * the two slots that libbpf rewrites before loading are adjusted below.
 */
const KERNEL_LOG: readonly [number, string, string][] = [
  [0, "bf16000000000000", "(bf) r6 = r1"],
  [1, "b700000000000000", "(b7) r0 = 0"],
  [2, "b401000005000000", "(b4) w1 = 5"],
  [3, "b7020000f8ffffff", "(b7) r2 = -8"],
  [4, "07020000f8ffffff", "(07) r2 += -8"],
  [5, "0402000003000000", "(04) w2 += 3"],
  [6, "bf61000000000000", "(bf) r1 = r6"],
  [7, "bc21000000000000", "(bc) w1 = w2"],
  [8, "b703000007000000", "(b7) r3 = 7"],
  [9, "2f23000000000000", "(2f) r3 *= r2"],
  [10, "3c23000000000000", "(3c) w3 /= w2"],
  [11, "9f23000000000000", "(9f) r3 %= r2"],
  [12, "3f23010000000000", "(3f) r3 s/= r2"],
  [13, "9c23010000000000", "(9c) w3 s%= w2"],
  [14, "3703010003000000", "(37) r3 s/= 3"],
  [15, "4703000010000000", "(47) r3 |= 16"],
  [16, "5f23000000000000", "(5f) r3 &= r2"],
  [17, "6703000002000000", "(67) r3 <<= 2"],
  [18, "7403000001000000", "(74) w3 >>= 1"],
  [19, "c703000001000000", "(c7) r3 s>>= 1"],
  [20, "a7030000ffffffff", "(a7) r3 ^= -1"],
  [21, "8703000000000000", "(87) r3 = -r3"],
  [22, "8403000000000000", "(84) w3 = -w3"],
  [23, "dc03000010000000", "(dc) r3 = be16 r3"],
  [24, "d403000020000000", "(d4) r3 = le32 r3"],
  [25, "dc03000040000000", "(dc) r3 = be64 r3"],
  [26, "d703000010000000", "(d7) r3 = bswap16 r3"],
  [27, "d703000040000000", "(d7) r3 = bswap64 r3"],
  [28, "bf34080000000000", "(bf) r4 = (s8)r3"],
  [29, "bc34100000000000", "(bc) w4 = (s16)w3"],
  [30, "bf34200000000000", "(bf) r4 = (s32)r3"],
  [31, "7b3af8ff00000000", "(7b) *(u64 *)(r10 -8) = r3"],
  [32, "633af0ff00000000", "(63) *(u32 *)(r10 -16) = r3"],
  [33, "6a0aeeff07000000", "(6a) *(u16 *)(r10 -18) = 7"],
  [34, "720aedffffffffff", "(72) *(u8 *)(r10 -19) = -1"],
  [35, "620ae8ff00000000", "(62) *(u32 *)(r10 -24) = 0"],
  [36, "79a5f8ff00000000", "(79) r5 = *(u64 *)(r10 -8)"],
  [37, "91a5edff00000000", "(91) r5 = *(s8 *)(r10 -19)"],
  [38, "89a5eeff00000000", "(89) r5 = *(s16 *)(r10 -18)"],
  [39, "81a5f0ff00000000", "(81) r5 = *(s32 *)(r10 -16)"],
  [40, "71a5edff00000000", "(71) r5 = *(u8 *)(r10 -19)"],
  [41, "db2af8ff00000000", "(db) lock *(u64 *)(r10 -8) += r2"],
  [42, "c32af0ff00000000", "(c3) lock *(u32 *)(r10 -16) += r2"],
  [43, "db2af8ff40000000", "(db) lock *(u64 *)(r10 -8) |= r2"],
  [44, "db2af8ff50000000", "(db) lock *(u64 *)(r10 -8) &= r2"],
  [45, "db2af8ffa0000000", "(db) lock *(u64 *)(r10 -8) ^= r2"],
  [46, "db2af8ff01000000", "(db) r2 = atomic64_fetch_add((u64 *)(r10 -8), r2)"],
  [47, "c32af0ff51000000", "(c3) r2 = atomic_fetch_and((u32 *)(r10 -16), r2)"],
  [48, "db2af8ff41000000", "(db) r2 = atomic64_fetch_or((u64 *)(r10 -8), r2)"],
  [49, "db2af8ffa1000000", "(db) r2 = atomic64_fetch_xor((u64 *)(r10 -8), r2)"],
  [50, "db2af8ffe1000000", "(db) r2 = atomic64_xchg((u64 *)(r10 -8), r2)"],
  [51, "c32af0ffe1000000", "(c3) r2 = atomic_xchg((u32 *)(r10 -16), r2)"],
  [52, "db2af8fff1000000", "(db) r0 = atomic64_cmpxchg((u64 *)(r10 -8), r0, r2)"],
  [53, "c32af0fff1000000", "(c3) r0 = atomic_cmpxchg((u32 *)(r10 -16), r0, r2)"],
  [54, "b701000005000000", "(b7) r1 = 5"],
  [55, "18010000896745230000000001000000", "(18) r1 = 0x123456789"],
  [57, "18010000ffffffff00000000ffffffff", "(18) r1 = 0xffffffffffffffff"],
  [59, "1500000000000000", "(15) if r0 == 0x0 goto pc+0"],
  [60, "5d10000000000000", "(5d) if r0 != r1 goto pc+0"],
  [61, "26000000f0ffffff", "(26) if w0 > 0xfffffff0 goto pc+0"],
  [62, "ce10000000000000", "(ce) if w0 s< w1 goto pc+0"],
  [63, "75000000feffffff", "(75) if r0 s>= 0xfffffffe goto pc+0"],
  [64, "4500000003000000", "(45) if r0 & 0x3 goto pc+0"],
  [65, "bd10000000000000", "(bd) if r0 <= r1 goto pc+0"],
  [66, "0500000000000000", "(05) goto pc+0"],
  [67, "0600000000000000", "(06) gotol pc+0"],
  [68, "b707000000000000", "(b7) r7 = 0"],
  [69, "3000000003000000", "(30) r0 = *(u8 *)skb[3]"],
  [70, "4870000000000000", "(48) r0 = *(u16 *)skb[r7 + 0]"],
  [71, "4070000000000000", "(40) r0 = *(u32 *)skb[r7 + 0]"],
  [72, "620afcff00000000", "(62) *(u32 *)(r10 -4) = 0"],
  [73, "bfa2000000000000", "(bf) r2 = r10"],
  [74, "07020000fcffffff", "(07) r2 += -4"],
  [75, "18010000000000000000000000000000", "(18) r1 = 0xffff88810b6c2800"],
  [77, "8500000001000000", "(85) call bpf_map_lookup_elem#1"],
  [78, "bf01000000000000", "(bf) r1 = r0"],
  [79, "b400000000000000", "(b4) w0 = 0"],
  [80, "1501020000000000", "(15) if r1 == 0x0 goto pc+2"],
  [81, "7911000000000000", "(79) r1 = *(u64 *)(r1 +0)"],
  [82, "85100000ffffffff", "(85) call pc+1"],
  [83, "9500000000000000", "(95) exit"],
];

describe("formatInsn matches the kernel verifier log", () => {
  it.each(KERNEL_LOG)("insn %i: %s → %s", (index, hex, expected) => {
    let insns = fromHex(hex);
    if (index === 82) {
      // libbpf appends the subprogram right after `exit` at 83: call pc+1.
      insns = [{ ...insns[0]!, imm: 1 }];
    }
    if (index === 75) {
      // libbpf turns the map reference into src=BPF_PSEUDO_MAP_FD; the kernel
      // then prints the map's address, which a caller supplies.
      insns = [{ ...insns[0]!, src: 1 }, insns[1]!];
      expect(formatInsn(insns, 0, { ldImm64: () => "0xffff88810b6c2800" })).toBe(expected);
      return;
    }
    expect(formatInsn(insns, 0)).toBe(expected);
  });
});

describe("formatInsn forms checked against kernel/bpf/disasm.c", () => {
  const cases: [string, Insn[], string][] = [
    ["mov imm", [insn(0xb7, 0, 0, 0, 0)], "(b7) r0 = 0"],
    ["alu64 imm is signed decimal", [insn(0x07, 1, 0, 0, -8)], "(07) r1 += -8"],
    ["alu32 reg uses w", [insn(0x1c, 3, 4)], "(1c) w3 -= w4"],
    ["movsx 32-bit", [insn(0xbc, 1, 2, 8)], "(bc) w1 = (s8)w2"],
    ["movsx off 24 is a plain mov", [insn(0xbf, 1, 2, 24)], "(bf) r1 = r2"],
    ["sdiv32 imm", [insn(0x34, 1, 0, 1, -3)], "(34) w1 s/= -3"],
    ["smod64 imm", [insn(0x97, 1, 0, 1, 7)], "(97) r1 s%= 7"],
    ["div with off 2 is unsigned text", [insn(0x3f, 1, 2, 2)], "(3f) r1 /= r2"],
    ["le16", [insn(0xd4, 1, 0, 0, 16)], "(d4) r1 = le16 r1"],
    ["be32", [insn(0xdc, 2, 0, 0, 32)], "(dc) r2 = be32 r2"],
    ["bswap32", [insn(0xd7, 2, 0, 0, 32)], "(d7) r2 = bswap32 r2"],
    ["arsh32", [insn(0xcc, 2, 3)], "(cc) w2 s>>= w3"],
    ["alu op 0xe0 has no name", [insn(0xe4, 0, 0, 0, 1)], "(e4) w0 (null) 1"],
    ["addr_space_cast", [insn(0xbf, 1, 2, 1, 0x10000)], "(bf) r1 = addr_space_cast(r2, 1, 0)"],
    ["ldx u16", [insn(0x69, 1, 2, 6)], "(69) r1 = *(u16 *)(r2 +6)"],
    ["stx u8", [insn(0x73, 1, 2, -1)], "(73) *(u8 *)(r1 -1) = r2"],
    ["st u64", [insn(0x7a, 10, 0, -8, -5)], "(7a) *(u64 *)(r10 -8) = -5"],
    ["fetch_add 32", [insn(0xc3, 1, 2, 0, 0x01)], "(c3) r2 = atomic_fetch_add((u32 *)(r1 +0), r2)"],
    ["load_acquire", [insn(0xdb, 1, 2, 8, 0x100)], "(db) r1 = load_acquire((u64 *)(r2 +8))"],
    ["store_release", [insn(0xd3, 1, 2, 4, 0x110)], "(d3) store_release((u8 *)(r1 +4), r2)"],
    ["unknown atomic op", [insn(0xdb, 1, 2, 0, 0x02)], "BUG_db"],
    ["stx mode IMM", [insn(0x03, 1, 2)], "BUG_03"],
    ["st mode ABS", [insn(0x22, 1)], "BUG_st_22"],
    ["nospec", [insn(0xc2)], "(c2) nospec"],
    ["ldx mode ABS", [insn(0x21, 1, 2)], "BUG_ldx_21"],
    ["ld mode MEM", [insn(0x60, 1, 2)], "BUG_ld_60"],
    ["ld imm of size W", [insn(0x00, 1, 0, 0, 5)], "BUG_ld_00"],
    ["ld_ind", [insn(0x50, 0, 1, 0, 3)], "(50) r0 = *(u8 *)skb[r1 + 3]"],
    ["ld_abs dw", [insn(0x38, 0, 0, 0, -1)], "(38) r0 = *(u64 *)skb[-1]"],
    ["lddw small", [insn(0x18, 1, 0, 0, 5), insn(0, 0, 0, 0, 0)], "(18) r1 = 0x5"],
    [
      "lddw high word pads low word",
      [insn(0x18, 1, 0, 0, 5), insn(0, 0, 0, 0, 1)],
      "(18) r1 = 0x100000005",
    ],
    ["helper 0", [insn(0x85, 0, 0, 0, 0)], "(85) call bpf_unspec#0"],
    ["last helper", [insn(0x85, 0, 0, 0, 211)], "(85) call bpf_cgrp_storage_delete#211"],
    ["unknown helper", [insn(0x85, 0, 0, 0, 212)], "(85) call unknown#212"],
    ["negative helper id", [insn(0x85, 0, 0, 0, -1)], "(85) call unknown#-1"],
    ["bpf-to-bpf call backwards", [insn(0x85, 0, 1, 0, -7)], "(85) call pc-7"],
    ["kfunc without a name", [insn(0x85, 0, 2, 0, 1234)], "(85) call kernel-function#1234"],
    ["call with src 3", [insn(0x85, 0, 3, 0, 1)], "(85) call unknown#1"],
    ["jmp32 call is still a call", [insn(0x86, 0, 0, 0, 1)], "(86) call bpf_map_lookup_elem#1"],
    ["jmp32 exit is a comparison", [insn(0x96, 0, 0, 0, 0)], "(96) if w0 exit 0x0 goto pc+0"],
    ["ja with reg source", [insn(0x0d, 0, 0, 0, 0)], "(0d) if r0 jmp r0 goto pc+0"],
    ["goto backwards", [insn(0x05, 0, 0, -3)], "(05) goto pc-3"],
    ["gotol uses imm", [insn(0x06, 0, 0, 0, -70000)], "(06) gotol pc-70000"],
    ["may_goto", [insn(0xe5, 0, 0, 5)], "(e5) may_goto pc+5"],
    ["jcond with src 1 has no name", [insn(0xe5, 0, 1, 5)], "(e5) if r0 (null) 0x0 goto pc+5"],
    ["jset32 reg", [insn(0x4e, 1, 2, 3)], "(4e) if w1 & w2 goto pc+3"],
    ["jslt imm -1", [insn(0xc5, 1, 0, -2, -1)], "(c5) if r1 s< 0xffffffff goto pc-2"],
    ["raw high register nibbles print as numbers", [insn(0xbf, 15, 11)], "(bf) r15 = r11"],
  ];

  it.each(cases)("%s", (_name, insns, expected) => {
    expect(formatInsn(insns, 0)).toBe(expected);
  });

  it("names kfuncs through the callback, with the instruction", () => {
    const call = insn(0x85, 0, 2, 1, 100);
    const seen: [number, Insn][] = [];
    const text = formatInsn([call], 0, {
      kfuncName: (imm, i) => {
        seen.push([imm, i]);
        return "bpf_obj_new_impl";
      },
    });
    expect(text).toBe("(85) call bpf_obj_new_impl#100");
    expect(seen).toEqual([[100, call]]);
  });

  it("hides map pointers when pointer leaks are not allowed", () => {
    const lddw = [insn(0x18, 1, 1, 0, 7), insn(0, 0, 0, 0, 0)];
    expect(formatInsn(lddw, 0)).toBe("(18) r1 = 0x7");
    expect(formatInsn(lddw, 0, { allowPtrLeaks: false })).toBe("(18) r1 = 0x0");
    const plain = [insn(0x18, 1, 0, 0, 7), insn(0, 0, 0, 0, 0)];
    expect(formatInsn(plain, 0, { allowPtrLeaks: false })).toBe("(18) r1 = 0x7");
  });

  it("passes the lddw's slots to ldImm64 and falls back when it declines", () => {
    const lddw = [insn(0x18, 2, 2, 0, 3), insn(0, 0, 0, 0, 0)];
    expect(formatInsn(lddw, 0, { ldImm64: (insns, i) => `map[id:${insns[i]!.imm}]+0` })).toBe(
      "(18) r2 = map[id:3]+0",
    );
    expect(formatInsn(lddw, 0, { ldImm64: () => undefined })).toBe("(18) r2 = 0x3");
  });

  it("does not throw on a truncated lddw or an index past the end", () => {
    expect(formatInsn([insn(0x18, 1, 0, 0, 9)], 0)).toBe("(18) r1 = 0x9");
    expect(() => formatInsn([], 3)).not.toThrow();
  });
});

describe("disassemble", () => {
  it("numbers lines like the verifier log, lddw taking two indices", () => {
    const insns = [
      insn(0xb7, 0, 0, 0, 0),
      insn(0x18, 1, 0, 0, 0x5),
      insn(0, 0, 0, 0, 0),
      insn(0x15, 0, 0, 1, 0),
      insn(0x95),
    ];
    expect(disassemble(insns)).toEqual([
      "0: (b7) r0 = 0",
      "1: (18) r1 = 0x5",
      "3: (15) if r0 == 0x0 goto pc+1",
      "4: (95) exit",
    ]);
  });

  it("reproduces the whole kernel log listing of the straight-line part", () => {
    const text = KERNEL_LOG.filter(([i]) => i <= 71);
    const hex = text.map(([, h]) => h).join("");
    expect(disassemble(fromHex(hex))).toEqual(text.map(([i, , t]) => `${i}: ${t}`));
  });
});
