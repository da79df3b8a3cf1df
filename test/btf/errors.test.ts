import { describe, expect, it } from "vitest";
import { BtfError, parseBtf } from "../../src/btf/btf.js";
import { BtfBuilder, info, intData, KIND } from "./builder.js";

// Each case breaks one rule the kernel's btf_parse (kernel/bpf/btf.c)
// enforces at BPF_BTF_LOAD; messages start with the kernel's text.

function btfError(bytes: Uint8Array): BtfError {
  try {
    parseBtf(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(BtfError);
    return e as BtfError;
  }
  throw new Error("expected a BtfError");
}

function withInt(): BtfBuilder {
  const b = new BtfBuilder();
  b.int();
  return b;
}

function edit(bytes: Uint8Array, change: (v: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  change(new DataView(copy.buffer));
  return copy;
}

describe("BTF header", () => {
  const good = withInt().build();

  it("parses a minimal valid BTF", () => {
    expect(parseBtf(good).types.map((t) => t.kind)).toEqual(["void", "int"]);
  });

  it("Invalid magic", () => {
    const e = btfError(edit(good, (v) => v.setUint16(0, 0x1234, true)));
    expect(e.message).toMatch(/^Invalid magic: 0x1234/);
    expect(e.offset).toBe(0);
    expect(btfError(edit(good, (v) => v.setUint16(0, 0xeb9f, false))).message).toMatch(
      /big-endian/,
    );
    expect(btfError(new Uint8Array(0)).message).toMatch(/^Invalid magic/);
  });

  it("Unsupported version and flags", () => {
    expect(btfError(edit(good, (v) => v.setUint8(2, 2))).message).toMatch(
      /^Unsupported version: 2/,
    );
    expect(btfError(edit(good, (v) => v.setUint8(3, 1))).message).toMatch(/^Unsupported flags/);
  });

  it("hdr_len not found / btf_header not found", () => {
    expect(btfError(good.slice(0, 6)).message).toMatch(/^hdr_len not found/);
    expect(btfError(edit(good, (v) => v.setUint32(4, 4096, true))).message).toMatch(
      /^btf_header not found/,
    );
  });

  it("Unsupported btf_header: unknown non-zero header fields", () => {
    const b = withInt();
    b.headerTail = [0, 0, 0, 0];
    expect(parseBtf(b.build()).types).toHaveLength(2);
    b.headerTail = [0, 1, 0, 0];
    const e = btfError(b.build());
    expect(e.message).toMatch(/^Unsupported btf_header/);
    expect(e.offset).toBe(25);
  });

  it("No data", () => {
    expect(btfError(good.slice(0, 24)).message).toMatch(/^No data/);
  });

  it("Total section length too long: a section past the end", () => {
    const e = btfError(edit(good, (v) => v.setUint32(20, 4096, true)));
    expect(e.message).toMatch(/^Total section length too long: string section/);
  });

  it("Invalid section offset", () => {
    expect(btfError(edit(good, (v) => v.setUint32(16, 4096, true))).message).toMatch(
      /^Invalid section offset/,
    );
  });

  it("Section overlap found", () => {
    expect(btfError(edit(good, (v) => v.setUint32(16, 4, true))).message).toMatch(
      /^Section overlap found/,
    );
  });

  it("Unsupported section found: trailing bytes", () => {
    const padded = new Uint8Array(good.length + 4);
    padded.set(good);
    expect(btfError(padded).message).toMatch(/^Unsupported section found/);
  });

  it("Invalid string section: not NUL-terminated, not starting with NUL", () => {
    expect(btfError(edit(good, (v) => v.setUint8(good.length - 1, 0x41))).message).toMatch(
      /^Invalid string section: it does not end with NUL/,
    );
    expect(btfError(edit(good, (v) => v.setUint8(24 + 16, 0x41))).message).toMatch(
      /^Invalid string section: it does not start with NUL/,
    );
  });

  it("No type found", () => {
    const b = new BtfBuilder();
    b.str("x");
    expect(btfError(b.build()).message).toMatch(/^No type found/);
  });
});

describe("BTF type records", () => {
  it("Invalid name_offset", () => {
    const b = new BtfBuilder();
    b.type(999, info(KIND.INT), 4, intData(32, 1));
    const e = btfError(b.build());
    expect(e.message).toBe("[1] at offset 0x18: INT Invalid name_offset:999");
    expect(e.typeId).toBe(1);
    expect(e.offset).toBe(0x18);
  });

  it("Invalid kind", () => {
    const b = withInt();
    b.type(0, info(20), 0);
    const e = btfError(b.build());
    expect(e.message).toBe("[2] at offset 0x28: Invalid kind:20");
    expect(e.typeId).toBe(2);
  });

  it("Invalid btf_info", () => {
    const b = new BtfBuilder();
    b.type(0, info(KIND.PTR) | 0x10000, 0);
    expect(btfError(b.build()).message).toMatch(/Invalid btf_info:/);
  });

  it("a truncated record: meta_left", () => {
    const b = new BtfBuilder();
    b.type(0, info(KIND.STRUCT, 2), 8, 0, 0, 0);
    expect(btfError(b.build()).message).toMatch(
      /^\[1\] at offset 0x18: STRUCT '' meta_left:12 meta_needed:24/,
    );
  });

  it("int: bits past the size, unsupported encoding", () => {
    const b = new BtfBuilder();
    b.type(b.str("int"), info(KIND.INT), 4, intData(40, 1));
    expect(btfError(b.build()).message).toMatch(/INT 'int' nr_bits exceeds type_size/);
    const c = new BtfBuilder();
    c.type(c.str("int"), info(KIND.INT), 4, intData(32, 3));
    expect(btfError(c.build()).message).toMatch(/Unsupported encoding:3/);
  });

  it("a member name past the string section", () => {
    const b = withInt();
    b.type(b.str("s"), info(KIND.STRUCT, 1), 4, 5000, 1, 0);
    expect(btfError(b.build()).message).toMatch(
      /^\[2\] at offset 0x28: STRUCT 's' member 0 Invalid name_offset:5000/,
    );
  });

  it("Invalid type_id: a reference past the last type", () => {
    const b = withInt();
    b.type(0, info(KIND.PTR), 7);
    const e = btfError(b.build());
    expect(e.message).toMatch(
      /^\[2\] PTR '' at offset 0x28: Invalid type_id: type_id is 7, only 3 types/,
    );
    expect(e.typeId).toBe(2);
  });

  it("Invalid type_id: a FUNC whose type is not a FUNC_PROTO", () => {
    const b = withInt();
    b.type(b.str("f"), info(KIND.FUNC, 1), 1);
    expect(btfError(b.build()).message).toMatch(
      /FUNC 'f' .*Invalid type_id: 1 is not a FUNC_PROTO/,
    );
  });

  it("Invalid component_idx on a decl tag", () => {
    const b = withInt();
    const s = b.type(b.str("s"), info(KIND.STRUCT, 1), 4, b.str("a"), 1, 0);
    b.type(b.str("tag"), info(KIND.DECL_TAG), s, 1);
    expect(btfError(b.build()).message).toMatch(/DECL_TAG 'tag' .*Invalid component_idx:1/);
  });

  it("Loop detected: a modifier that refers to itself", () => {
    const b = new BtfBuilder();
    b.type(0, info(KIND.CONST), 2);
    b.type(0, info(KIND.VOLATILE), 1);
    const e = btfError(b.build());
    expect(e.message).toMatch(/Loop detected: \[1\] -> \[2\] -> \[1\]/);
  });

  it("Loop detected: a struct that contains itself", () => {
    const b = withInt();
    b.type(b.str("a"), info(KIND.STRUCT, 1), 4, b.str("self"), 2, 0);
    expect(btfError(b.build()).message).toMatch(/STRUCT 'a' .*Loop detected/);
  });

  it("Loop detected: pointers that point at each other", () => {
    const b = new BtfBuilder();
    b.type(0, info(KIND.PTR), 2);
    b.type(0, info(KIND.CONST), 1);
    expect(btfError(b.build()).message).toMatch(/Loop detected/);
  });

  it("accepts a struct that points at itself", () => {
    const b = withInt();
    b.type(b.str("node"), info(KIND.STRUCT, 2), 16, b.str("next"), 3, 0, b.str("v"), 1, 64);
    b.type(0, info(KIND.PTR), 2);
    const btf = parseBtf(b.build());
    expect(btf.typeName(3)).toBe("struct node *");
    expect(btf.sizeof(2)).toBe(16);
  });

  it("accepts a const pointer back to a struct that contains the pointer's owner", () => {
    // struct a { const struct b *p; }; struct b { struct a inner; };
    const b = new BtfBuilder();
    const a = b.type(b.str("a"), info(KIND.STRUCT, 1), 8, b.str("p"), 2, 0);
    b.type(0, info(KIND.PTR), 3);
    b.type(0, info(KIND.CONST), 4);
    b.type(b.str("b"), info(KIND.STRUCT, 1), 8, b.str("inner"), a, 0);
    const btf = parseBtf(b.build());
    expect(btf.typeName(2)).toBe("const struct b *");
    expect(btf.sizeof(4)).toBe(8);
  });

  it("accepts a function pointer typedef whose prototype takes a pointer to its owner", () => {
    // struct s { handler_t *h; }; typedef int handler_t(const struct s *);
    const b = withInt();
    b.type(b.str("s"), info(KIND.STRUCT, 1), 8, b.str("h"), 3, 0); // 2
    b.type(0, info(KIND.PTR), 4); // 3
    b.type(b.str("handler_t"), info(KIND.TYPEDEF), 5); // 4
    b.type(0, info(KIND.FUNC_PROTO, 1), 1, 0, 6); // 5
    b.type(0, info(KIND.PTR), 7); // 6
    b.type(0, info(KIND.CONST), 2); // 7
    expect(parseBtf(b.build()).typeName(6)).toBe("const struct s *");
  });

  it("accepts type tags with kind_flag as attributes, rejects kind_flag on other modifiers", () => {
    const b = new BtfBuilder();
    b.type(b.str("address_space(1)"), info(KIND.TYPE_TAG, 0, true), 0);
    b.type(0, info(KIND.PTR), 1);
    const btf = parseBtf(b.build());
    expect(btf.type(1)).toEqual({
      kind: "type_tag",
      id: 1,
      name: "address_space(1)",
      type: 0,
      attribute: true,
    });
    expect(btf.typeName(2)).toBe("void __attribute__((address_space(1))) *");
    const c = new BtfBuilder();
    c.type(0, info(KIND.CONST, 0, true), 0);
    expect(btfError(c.build()).message).toMatch(/CONST '' Invalid btf_info kind_flag/);
  });

  it("accepts a variadic prototype and spells it", () => {
    const b = withInt();
    b.type(0, info(KIND.FUNC_PROTO, 2), 1, b.str("fmt"), 1, 0, 0);
    b.type(b.str("printk"), info(KIND.FUNC, 2), 2);
    const btf = parseBtf(b.build());
    expect(btf.type(2)).toMatchObject({
      params: [
        { name: "fmt", type: 1 },
        { name: "", type: 0 },
      ],
    });
    expect(btf.format(3)).toBe("extern int printk(int fmt, ...);");
  });
});
