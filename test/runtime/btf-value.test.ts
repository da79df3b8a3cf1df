import { describe, expect, it } from "vitest";
import { Btf, type BtfType } from "../../src/btf/btf.js";
import { decodeBtfValue } from "../../src/runtime/btf-value.js";

const int = (id: number, name: string, size: number, signed: boolean): BtfType => ({
  kind: "int",
  id,
  name,
  size,
  bits: size * 8,
  offset: 0,
  signed,
  char: false,
  bool: false,
});

// C:  enum color { RED, GREEN = 5 };
//     struct s { int a; unsigned long long b; char name[6]; enum color c; unsigned f1:3, f2:5; _Bool ok; };
//     section: const volatile unsigned rate; const volatile char prefix[8]; (at offset 4)
const types: BtfType[] = [
  { kind: "void", id: 0, name: "" },
  int(1, "int", 4, true),
  int(2, "unsigned long long", 8, false),
  int(3, "char", 1, true),
  { kind: "array", id: 4, name: "", elemType: 3, indexType: 1, nelems: 6 },
  {
    kind: "enum",
    id: 5,
    name: "color",
    size: 4,
    signed: false,
    values: [
      { name: "RED", value: 0 },
      { name: "GREEN", value: 5 },
    ],
  },
  int(6, "unsigned int", 4, false),
  {
    kind: "int",
    id: 7,
    name: "_Bool",
    size: 1,
    bits: 8,
    offset: 0,
    signed: false,
    char: false,
    bool: true,
  },
  {
    kind: "struct",
    id: 8,
    name: "s",
    size: 32,
    members: [
      { name: "a", type: 1, bitOffset: 0, bitfieldSize: 0 },
      { name: "b", type: 2, bitOffset: 64, bitfieldSize: 0 },
      { name: "name", type: 4, bitOffset: 128, bitfieldSize: 0 },
      { name: "c", type: 5, bitOffset: 192, bitfieldSize: 0 },
      { name: "f1", type: 6, bitOffset: 224, bitfieldSize: 3 },
      { name: "f2", type: 6, bitOffset: 227, bitfieldSize: 5 },
      { name: "ok", type: 7, bitOffset: 232, bitfieldSize: 0 },
    ],
  },
  { kind: "const", id: 9, name: "", type: 3 },
  { kind: "array", id: 10, name: "", elemType: 9, indexType: 1, nelems: 8 },
  { kind: "var", id: 11, name: "rate", type: 6, linkage: "global" },
  { kind: "var", id: 12, name: "prefix", type: 10, linkage: "global" },
  {
    kind: "datasec",
    id: 13,
    name: ".rodata",
    size: 12,
    vars: [
      { type: 11, offset: 0, size: 4 },
      { type: 12, offset: 4, size: 8 },
    ],
  },
];
const btf = new Btf(types, () => "");

describe("decodeBtfValue", () => {
  it("decodes a struct with integers, a char array, an enum, bitfields and a bool", () => {
    const bytes = new Uint8Array(32);
    const v = new DataView(bytes.buffer);
    v.setInt32(0, -3, true);
    v.setBigUint64(8, 1n << 63n, true);
    bytes.set(new TextEncoder().encode("eth0"), 16);
    v.setUint32(24, 5, true);
    bytes[28] = 0b10101_110; // f1 = 6 (low 3 bits), f2 = 21
    bytes[29] = 1;
    expect(decodeBtfValue(btf, 8, bytes)).toEqual({
      a: -3,
      b: 1n << 63n,
      name: "eth0",
      c: "GREEN",
      f1: 6,
      f2: 21,
      ok: true,
    });
  });

  it("decodes a DATASEC by variable, through const qualifiers", () => {
    const bytes = new Uint8Array(12);
    bytes[0] = 4;
    bytes.set(new TextEncoder().encode("tsbpf"), 4);
    expect(decodeBtfValue(btf, 13, bytes)).toEqual({ rate: 4, prefix: "tsbpf" });
  });

  it("gives an enum value without a name as a number", () => {
    expect(decodeBtfValue(btf, 5, Uint8Array.from([7, 0, 0, 0]))).toBe(7);
  });

  it("refuses bytes shorter than the type", () => {
    expect(() => decodeBtfValue(btf, 8, new Uint8Array(4))).toThrow(
      /needs 32 bytes at offset 0, the value has 4/,
    );
  });
});
