import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BtfError, parseBtf } from "../../src/btf/btf.js";
import { parseElf } from "../../src/elf/elf.js";

// Type ids and facts below are those `bpftool btf dump file data/kinds.bpf.o`
// prints; C spellings and layouts follow from data/kinds.bpf.c.
const elf = parseElf(new Uint8Array(readFileSync(new URL("data/kinds.bpf.o", import.meta.url))));
const btf = parseBtf(elf.sectionByName(".BTF")!.data);

describe("parseBtf: every kind clang emits", () => {
  it("numbers types from 1 with void at 0", () => {
    expect(btf.types).toHaveLength(66);
    expect(btf.types[0]).toEqual({ kind: "void", id: 0, name: "" });
    expect(btf.types.every((t, i) => t.id === i)).toBe(true);
  });

  it("int", () => {
    expect(btf.type(4)).toEqual({
      kind: "int",
      id: 4,
      name: "int",
      size: 4,
      bits: 32,
      offset: 0,
      signed: true,
      char: false,
      bool: false,
    });
    expect(btf.type(26)).toMatchObject({ name: "unsigned char", size: 1, bits: 8, signed: false });
    expect(btf.type(49)).toMatchObject({
      name: "unsigned long long",
      size: 8,
      bits: 64,
      signed: false,
    });
  });

  it("ptr, const, volatile, restrict, typedef, type_tag", () => {
    expect(btf.type(1)).toEqual({ kind: "ptr", id: 1, name: "", type: 2 });
    expect(btf.type(3)).toEqual({ kind: "volatile", id: 3, name: "", type: 4 });
    expect(btf.type(6)).toEqual({ kind: "const", id: 6, name: "", type: 7 });
    expect(btf.type(33)).toEqual({ kind: "restrict", id: 33, name: "", type: 34 });
    expect(btf.type(12)).toEqual({ kind: "typedef", id: 12, name: "callback_t", type: 13 });
    expect(btf.type(17)).toEqual({ kind: "type_tag", id: 17, name: "user", type: 4 });
    expect(btf.type(18)).toEqual({ kind: "ptr", id: 18, name: "", type: 17 });
  });

  it("array", () => {
    expect(btf.type(28)).toEqual({
      kind: "array",
      id: 28,
      name: "",
      elemType: 27,
      indexType: 29,
      nelems: 2,
    });
    expect(btf.type(27)).toMatchObject({ elemType: 25, nelems: 3 });
  });

  it("struct members with byte offsets in bits", () => {
    const kitchen = btf.type(2);
    expect(kitchen).toMatchObject({ kind: "struct", name: "kitchen", size: 112 });
    if (kitchen.kind !== "struct") throw new Error("unreachable");
    expect(kitchen.members.map((m) => [m.name, m.type, m.bitOffset, m.bitfieldSize])).toEqual([
      ["counter", 3, 0, 0],
      ["label", 5, 64, 0],
      ["fwd", 8, 128, 0],
      ["ufwd", 10, 192, 0],
      ["cb", 12, 256, 0],
      ["uptr", 18, 320, 0],
      ["color", 19, 384, 0],
      ["big", 20, 448, 0],
      ["num", 21, 512, 0],
      ["bits", 24, 576, 0],
      ["matrix", 28, 672, 0],
    ]);
  });

  it("struct bitfields (kind_flag encoding)", () => {
    expect(btf.type(24)).toEqual({
      kind: "struct",
      id: 24,
      name: "bits",
      size: 12,
      members: [
        { name: "a", type: 25, bitOffset: 0, bitfieldSize: 3 },
        { name: "b", type: 25, bitOffset: 3, bitfieldSize: 5 },
        { name: "c", type: 4, bitOffset: 32, bitfieldSize: 0 },
        { name: "d", type: 26, bitOffset: 64, bitfieldSize: 1 },
      ],
    });
  });

  it("union", () => {
    expect(btf.type(21)).toMatchObject({
      kind: "union",
      name: "number",
      size: 8,
      members: [
        { name: "i", type: 4, bitOffset: 0 },
        { name: "f", type: 22, bitOffset: 0 },
        { name: "d", type: 23, bitOffset: 0 },
      ],
    });
  });

  it("enum with a negative value, enum64 with a value past 2^32", () => {
    expect(btf.type(19)).toEqual({
      kind: "enum",
      id: 19,
      name: "color",
      size: 4,
      signed: true,
      values: [
        { name: "RED", value: 0 },
        { name: "GREEN", value: 5 },
        { name: "BLUE", value: -1 },
      ],
    });
    expect(btf.type(20)).toEqual({
      kind: "enum64",
      id: 20,
      name: "big",
      size: 8,
      signed: false,
      values: [
        { name: "SMALL", value: 1n },
        { name: "HUGE", value: 0x123456789n },
      ],
    });
  });

  it("fwd for struct and union", () => {
    expect(btf.type(9)).toEqual({ kind: "fwd", id: 9, name: "opaque", union: false });
    expect(btf.type(11)).toEqual({ kind: "fwd", id: 11, name: "opaque_union", union: true });
  });

  it("func and func_proto", () => {
    expect(btf.type(31)).toEqual({
      kind: "func",
      id: 31,
      name: "global_sum",
      type: 30,
      linkage: "global",
    });
    expect(btf.type(39)).toEqual({
      kind: "func",
      id: 39,
      name: "add",
      type: 38,
      linkage: "static",
    });
    expect(btf.type(30)).toEqual({
      kind: "func_proto",
      id: 30,
      name: "",
      returnType: 4,
      params: [
        { name: "k", type: 1 },
        { name: "n", type: 4 },
      ],
    });
    expect(btf.type(14)).toMatchObject({
      params: [
        { name: "", type: 15 },
        { name: "", type: 16 },
      ],
    });
  });

  it("var and datasec", () => {
    expect(btf.type(42)).toEqual({
      kind: "var",
      id: 42,
      name: "counter",
      type: 4,
      linkage: "global",
    });
    expect(btf.type(45)).toEqual({
      kind: "var",
      id: 45,
      name: "answer",
      type: 44,
      linkage: "static",
    });
    expect(btf.type(62)).toEqual({
      kind: "datasec",
      id: 62,
      name: ".bss",
      size: 0,
      vars: [
        { type: 42, offset: 0, size: 4 },
        { type: 43, offset: 0, size: 112 },
        { type: 59, offset: 0, size: 8 },
      ],
    });
  });

  it("float", () => {
    expect(btf.type(22)).toEqual({ kind: "float", id: 22, name: "float", size: 4 });
    expect(btf.type(23)).toEqual({ kind: "float", id: 23, name: "double", size: 8 });
  });

  it("decl_tag on a member, a var and a parameter", () => {
    expect(btf.type(51)).toEqual({
      kind: "decl_tag",
      id: 51,
      name: "contains:foo:node",
      type: 46,
      componentIdx: 1,
    });
    expect(btf.type(54)).toEqual({
      kind: "decl_tag",
      id: 54,
      name: "contains:foo:node",
      type: 53,
      componentIdx: -1,
    });
    expect(btf.type(32)).toEqual({
      kind: "decl_tag",
      id: 32,
      name: "arg:n",
      type: 31,
      componentIdx: 1,
    });
  });
});

describe("Btf queries", () => {
  it("type() rejects ids out of range", () => {
    expect(() => btf.type(66)).toThrow(BtfError);
    expect(() => btf.type(66)).toThrow("type id 66 out of range (66 types)");
    expect(() => btf.type(-1)).toThrow(BtfError);
  });

  it("findByName, optionally by kind", () => {
    expect(btf.findByName("foo")?.id).toBe(56);
    expect(btf.findByName("contains:foo:node", "decl_tag")?.id).toBe(51);
    expect(btf.findByName(".bss", "datasec")?.id).toBe(62);
    expect(btf.findByName("kitchen", "var")?.id).toBe(43);
    expect(btf.findByName("kitchen", "struct")?.id).toBe(2);
    expect(btf.findByName("kitchen", "union")).toBeUndefined();
    expect(btf.findByName("missing")).toBeUndefined();
  });

  it("resolve skips typedefs and qualifiers but not pointers", () => {
    expect(btf.resolve(12).id).toBe(13); // callback_t -> ptr
    expect(btf.resolve(44).id).toBe(4); // const volatile int -> int
    expect(btf.resolve(17).id).toBe(4); // type_tag -> int
    expect(btf.resolve(48).id).toBe(49); // __u64
    expect(btf.resolve(1).id).toBe(1);
  });

  it("sizeof", () => {
    expect(btf.sizeof(2)).toBe(112);
    expect(btf.sizeof(46)).toBe(40);
    expect(btf.sizeof(28)).toBe(24); // unsigned int [2][3]
    expect(btf.sizeof(1)).toBe(8);
    expect(btf.sizeof(20)).toBe(8); // enum64
    expect(btf.sizeof(44)).toBe(4);
    expect(btf.sizeof(24)).toBe(12);
    expect(btf.sizeof(43)).toBe(112); // var kitchen
    expect(btf.sizeof(12)).toBe(8); // typedef of a pointer
    expect(() => btf.sizeof(9)).toThrow(/has no size: it is FWD/);
    expect(() => btf.sizeof(31)).toThrow(BtfError);
    expect(() => btf.sizeof(0)).toThrow(BtfError);
  });

  it("alignof", () => {
    expect(btf.alignof(2)).toBe(8);
    expect(btf.alignof(24)).toBe(4);
    expect(btf.alignof(46)).toBe(8);
    expect(btf.alignof(52)).toBe(1); // char [16]
    expect(btf.alignof(21)).toBe(8);
    expect(btf.alignof(28)).toBe(4);
  });

  it("typeName spells types as C does", () => {
    expect(btf.typeName(0)).toBe("void");
    expect(btf.typeName(4)).toBe("int");
    expect(btf.typeName(2)).toBe("struct kitchen");
    expect(btf.typeName(1)).toBe("struct kitchen *");
    expect(btf.typeName(5)).toBe("const char *");
    expect(btf.typeName(15)).toBe("void *");
    expect(btf.typeName(27)).toBe("unsigned int [3]");
    expect(btf.typeName(28)).toBe("unsigned int [2][3]");
    expect(btf.typeName(11)).toBe("union opaque_union");
    expect(btf.typeName(10)).toBe("union opaque_union *");
    expect(btf.typeName(19)).toBe("enum color");
    expect(btf.typeName(20)).toBe("enum big");
    expect(btf.typeName(12)).toBe("callback_t");
    expect(btf.typeName(13)).toBe("int (*)(void *, long)");
    expect(btf.typeName(44)).toBe("const volatile int");
    expect(btf.typeName(33)).toBe("int *restrict");
    expect(btf.typeName(18)).toBe('int __attribute__((btf_type_tag("user"))) *');
    expect(btf.typeName(31)).toBe("int global_sum(struct kitchen *k, int n)");
  });

  it("declTags by target and component", () => {
    expect(btf.declTags(46, 1)).toEqual(["contains:foo:node"]);
    expect(btf.declTags(46)).toEqual([]);
    expect(btf.declTags(46, 0)).toEqual([]);
    expect(btf.declTags(53)).toEqual(["contains:foo:node"]);
    expect(btf.declTags(31, 1)).toEqual(["arg:n"]);
  });

  it("stringAt reads the string section and rejects offsets past it", () => {
    expect(btf.stringAt(0)).toBe("");
    expect(() => btf.stringAt(1_000_000)).toThrow(BtfError);
  });
});

describe("Btf.format", () => {
  it("shows a bpf_list_head member with its offset, size and contains tag", () => {
    expect(btf.format(46)).toBe(
      [
        "struct holder {",
        "\tint lock; /* offset 0, size 4 */",
        '\tstruct bpf_list_head head __attribute__((btf_decl_tag("contains:foo:node"))); /* offset 8, size 16 */',
        "\tchar name[16]; /* offset 24, size 16 */",
        "\t/* size: 40 */",
        "};",
      ].join("\n"),
    );
  });

  it("shows the node struct the tag names", () => {
    expect(btf.format(56)).toBe(
      [
        "struct foo {",
        "\tstruct bpf_list_node node; /* offset 0, size 24 */",
        "\tint value; /* offset 24, size 4 */",
        "\t/* size: 32 */",
        "};",
      ].join("\n"),
    );
  });

  it("shows bitfields with bit offsets", () => {
    expect(btf.format(24)).toContain("\tunsigned int b : 5; /* bit offset 3, bits 5 */");
    expect(btf.format(24)).toContain("\tint c; /* offset 4, size 4 */");
  });

  it("declares members of every shape", () => {
    const text = btf.format(2);
    expect(text).toContain("\tconst char *label; /* offset 8, size 8 */");
    expect(text).toContain("\tcallback_t cb; /* offset 32, size 8 */");
    expect(text).toContain(
      '\tint __attribute__((btf_type_tag("user"))) *uptr; /* offset 40, size 8 */',
    );
    expect(text).toContain("\tunsigned int matrix[2][3]; /* offset 84, size 24 */");
    expect(text).toContain("\tvolatile int counter; /* offset 0, size 4 */");
  });

  it("declares enums, typedefs, funcs and vars", () => {
    expect(btf.format(19)).toBe("enum color {\n\tRED = 0,\n\tGREEN = 5,\n\tBLUE = -1,\n};");
    expect(btf.format(20)).toContain("\tHUGE = 4886718345,");
    expect(btf.format(12)).toBe("typedef int (*callback_t)(void *, long);");
    expect(btf.format(39)).toBe("static int add(int *restrict a, const int *restrict b);");
    expect(btf.format(31)).toBe(
      'int global_sum(struct kitchen *k, int n __attribute__((btf_decl_tag("arg:n"))));',
    );
    expect(btf.format(45)).toBe("static const volatile int answer;");
    expect(btf.format(43)).toBe("struct kitchen kitchen;");
    expect(btf.format(53)).toBe(
      'struct holder global_holder __attribute__((btf_decl_tag("contains:foo:node")));',
    );
    expect(btf.format(9)).toBe("struct opaque;");
  });
});

describe("extern kfuncs and ksyms before a loader resolves them", () => {
  // `bpftool btf dump file data/ksyms.bpf.o`: clang lists the extern FUNCs
  // in the .ksyms DATASEC next to the extern VAR
  const ksyms = parseBtf(
    parseElf(
      new Uint8Array(readFileSync(new URL("data/ksyms.bpf.o", import.meta.url))),
    ).sectionByName(".BTF")!.data,
  );

  it("accepts FUNC entries in a DATASEC", () => {
    expect(ksyms.type(16)).toEqual({
      kind: "datasec",
      id: 16,
      name: ".ksyms",
      size: 0,
      vars: [
        { type: 7, offset: 0, size: 0 },
        { type: 9, offset: 0, size: 0 },
        { type: 11, offset: 0, size: 4 },
      ],
    });
    expect(ksyms.type(7)).toEqual({
      kind: "func",
      id: 7,
      name: "bpf_obj_new_impl",
      type: 5,
      linkage: "extern",
    });
    expect(ksyms.type(11)).toEqual({
      kind: "var",
      id: 11,
      name: "bpf_prog_active",
      type: 10,
      linkage: "extern",
    });
  });

  it("formats them as extern declarations", () => {
    expect(ksyms.format(7)).toBe("extern void *bpf_obj_new_impl(unsigned long long, void *);");
    expect(ksyms.format(11)).toBe("extern const int bpf_prog_active;");
    expect(ksyms.format(16)).toBe(
      [
        'SEC(".ksyms") {',
        "\textern void *bpf_obj_new_impl(unsigned long long, void *); /* offset 0, size 0 */",
        "\textern void bpf_obj_drop_impl(void *, void *); /* offset 0, size 0 */",
        "\tconst int bpf_prog_active; /* offset 0, size 4 */",
        "\t/* size: 0 */",
        "};",
      ].join("\n"),
    );
  });
});
