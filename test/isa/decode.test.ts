import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeInsns } from "../../src/isa/decode.js";
import { encodeInsns } from "../../src/isa/encode.js";
import { IsaError } from "../../src/isa/errors.js";
import { isLddw, lddwImm64, makeLddw } from "../../src/isa/lddw.js";

function bytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.replace(/\s+/g, "").match(/../g)!, (b) => Number.parseInt(b, 16));
}

describe("decodeInsns", () => {
  it("decodes fields as RFC 9669 lays them out (little endian)", () => {
    // llvm-objdump-19: `7b 3a f8 ff 00 00 00 00  *(u64 *)(r10 - 0x8) = r3`
    expect(decodeInsns(bytes("7b3af8ff00000000"))).toEqual([
      { code: 0x7b, dst: 10, src: 3, off: -8, imm: 0 },
    ]);
    // `b7 02 00 00 f8 ff ff ff  r2 = -0x8`
    expect(decodeInsns(bytes("b7020000f8ffffff"))).toEqual([
      { code: 0xb7, dst: 2, src: 0, off: 0, imm: -8 },
    ]);
    // off and imm extremes
    expect(decodeInsns(bytes("05ff0080ffffff7f"))).toEqual([
      { code: 0x05, dst: 15, src: 15, off: -32768, imm: 0x7fffffff },
    ]);
  });

  it("honours byteOffset and byteLength, also on a subarray", () => {
    const buf = bytes("ff ff b7000000 2a000000 95000000 00000000 ee");
    const view = buf.subarray(1);
    expect(decodeInsns(view, 1, 8)).toEqual([{ code: 0xb7, dst: 0, src: 0, off: 0, imm: 42 }]);
    expect(decodeInsns(buf, 2, 16).map((i) => i.code)).toEqual([0xb7, 0x95]);
    expect(decodeInsns(new Uint8Array(0))).toEqual([]);
  });

  it("rejects a length that is not a multiple of 8, naming it", () => {
    expect(() => decodeInsns(new Uint8Array(12))).toThrow(IsaError);
    expect(() => decodeInsns(new Uint8Array(12))).toThrow(/length 12/);
    expect(() => decodeInsns(new Uint8Array(16), 0, 7)).toThrow(/length 7/);
  });

  it("rejects a range outside the buffer", () => {
    expect(() => decodeInsns(new Uint8Array(16), 8, 16)).toThrow(IsaError);
    expect(() => decodeInsns(new Uint8Array(16), -8)).toThrow(IsaError);
  });
});

describe("encodeInsns", () => {
  it("round-trips any bytes exactly", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 * 64 }), (raw) => {
        const input = raw.subarray(0, raw.length - (raw.length % 8));
        expect(encodeInsns(decodeInsns(input))).toEqual(input);
      }),
    );
  });

  it("accepts unsigned bit patterns for off and imm", () => {
    const signed = encodeInsns([{ code: 0xb7, dst: 1, src: 0, off: -1, imm: -1 }]);
    const unsigned = encodeInsns([{ code: 0xb7, dst: 1, src: 0, off: 0xffff, imm: 0xffffffff }]);
    expect(unsigned).toEqual(signed);
    expect(signed).toEqual(bytes("b701ffffffffffff"));
  });

  it("rejects fields that do not fit, naming the instruction", () => {
    const ok = { code: 0x95, dst: 0, src: 0, off: 0, imm: 0 };
    expect(() => encodeInsns([ok, { ...ok, dst: 16 }])).toThrow(/instruction 1: dst register 16/);
    expect(() => encodeInsns([{ ...ok, code: 256 }])).toThrow(IsaError);
    expect(() => encodeInsns([{ ...ok, off: 0x10000 }])).toThrow(IsaError);
    expect(() => encodeInsns([{ ...ok, imm: 2 ** 32 }])).toThrow(IsaError);
    expect(() => encodeInsns([{ ...ok, imm: 1.5 }])).toThrow(IsaError);
  });
});

describe("lddw", () => {
  // llvm-objdump-19: `18 01 00 00 89 67 45 23 00 00 00 00 01 00 00 00  r1 = 0x123456789 ll`
  const insns = decodeInsns(bytes("1801000089674523 0000000001000000"));

  it("recognises the first slot", () => {
    expect(isLddw(insns[0]!)).toBe(true);
    expect(isLddw(insns[1]!)).toBe(false);
  });

  it("joins the two halves unsigned", () => {
    expect(lddwImm64(insns, 0)).toBe(0x123456789n);
    const minusOne = decodeInsns(bytes("18010000ffffffff 00000000ffffffff"));
    expect(lddwImm64(minusOne, 0)).toBe(0xffffffffffffffffn);
  });

  it("rejects an lddw without its second slot", () => {
    expect(() => lddwImm64(insns.slice(0, 1), 0)).toThrow(IsaError);
  });

  it("builds both slots", () => {
    expect(encodeInsns(makeLddw(1, 0x123456789n))).toEqual(encodeInsns(insns));
    expect(encodeInsns(makeLddw(1, -1n))).toEqual(bytes("18010000ffffffff00000000ffffffff"));
    expect(makeLddw(2, 7n, 1)[0]).toEqual({ code: 0x18, dst: 2, src: 1, off: 0, imm: 7 });
  });
});
