import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Btf, BtfError, type BtfType, parseBtf } from "../../src/btf/btf.js";
import {
  ALLOCATED_OBJECT_FIELDS,
  ERRNO,
  FieldError,
  type FieldRecord,
  fieldAt,
  findSpecialFields,
  hasField,
  MAP_VALUE_FIELDS,
  mapValueFields,
  parseStructMetas,
  type StructMetas,
} from "../../src/btf/fields.js";
import { parseElf } from "../../src/elf/elf.js";
import { parseObject } from "../../src/object/load.js";
import { BtfBuilder, info, KIND } from "./builder.js";

// Every program in data/fields/ is one case; data/fields/kernel.json holds
// what Linux 6.18 said about it (record.sh): BPF_BTF_LOAD's errno, each
// map's BPF_MAP_CREATE errno, and what the verifier said through libbpf.
const DATA = new URL("data/fields/", import.meta.url);

interface KernelAnswer {
  btf_load: { errno: number; log_tail: string };
  maps: { name: string; value_type_id: number; errno: number }[];
  prog: { verdict: string; errno: number; stage: string; error: string; libbpf: string[] };
}
const KERNEL: Record<string, KernelAnswer> = JSON.parse(
  readFileSync(new URL("kernel.json", DATA), "utf8"),
);

interface Case {
  btf: Btf;
  /** map name → [value type id, BPF map type, flags, value size] */
  maps: Map<string, { valueTypeId: number; type: number; flags: number; valueSize: number }>;
}

/**
 * The object's BTF with its DATASECs laid out the way libbpf does before
 * loading (btf_fixup_datasec): section size from the ELF section, each
 * variable's offset from its symbol. clang leaves both 0.
 */
function loadCase(name: string): Case {
  const bytes = new Uint8Array(readFileSync(new URL(`${name}.o`, DATA)));
  const elf = parseElf(bytes);
  const raw = parseBtf(elf.sectionByName(".BTF")!.data);
  const types: BtfType[] = raw.types.map((t) => {
    if (t.kind !== "datasec") return t;
    const section = elf.sections.find((s) => s.name === t.name);
    if (section === undefined) return t;
    const vars = t.vars.map((v) => {
      const variable = raw.type(v.type);
      const sym = elf.symbols.find((s) => s.name === variable.name && s.shndx === section.index);
      return sym === undefined ? v : { ...v, offset: sym.value };
    });
    return { ...t, size: section.size, vars };
  });
  const btf = new Btf(types, raw.stringAt);
  return { btf, maps: mapsOf(bytes) };
}

function mapsOf(bytes: Uint8Array): Case["maps"] {
  const spec = parseObject(bytes, { name: "case" });
  const maps: Case["maps"] = new Map();
  for (const m of spec.maps) {
    if (m.valueTypeId === undefined) continue;
    maps.set(m.name, {
      valueTypeId: m.valueTypeId,
      type: m.type,
      flags: m.flags,
      valueSize: m.valueSize,
    });
  }
  return maps;
}

/** What tsbpf says BPF_BTF_LOAD returns: 0, or the errno of the FieldError. */
function btfLoadErrno(btf: Btf): { errno: number; error?: FieldError; metas?: StructMetas } {
  try {
    return { errno: 0, metas: parseStructMetas(btf) };
  } catch (e) {
    if (e instanceof FieldError) return { errno: e.errno, error: e };
    throw e;
  }
}

const CASES = readdirSync(DATA)
  .filter((f) => f.endsWith(".bpf.c"))
  .map((f) => f.slice(0, -".bpf.c".length))
  .sort();

describe("agrees with Linux 6.18 on every recorded program", () => {
  it("has a kernel answer for every program", () => {
    expect(Object.keys(KERNEL).sort()).toEqual(CASES);
  });

  for (const name of CASES) {
    it(name, () => {
      const kernel = KERNEL[name]!;
      const { btf, maps } = loadCase(name);
      const load = btfLoadErrno(btf);
      expect(load.errno, load.error?.message).toBe(kernel.btf_load.errno);
      if (load.metas === undefined) return;
      for (const m of kernel.maps) {
        const map = maps.get(m.name);
        expect(map, `map ${m.name}`).toBeDefined();
        expect(map!.valueTypeId).toBe(m.value_type_id);
        let errno = 0;
        try {
          mapValueFields(btf, map!.valueTypeId, map!.type, map!.flags, map!.valueSize, load.metas);
        } catch (e) {
          if (!(e instanceof FieldError)) throw e;
          errno = e.errno;
        }
        expect(errno, `BPF_MAP_CREATE of ${m.name}`).toBe(m.errno);
      }
    });
  }
});

function metasOf(name: string): { btf: Btf; metas: StructMetas; maps: Case["maps"] } {
  const { btf, maps } = loadCase(name);
  return { btf, metas: parseStructMetas(btf), maps };
}

function mapRecord(name: string, map: string): FieldRecord | undefined {
  const { btf, metas, maps } = metasOf(name);
  const m = maps.get(map)!;
  return mapValueFields(btf, m.valueTypeId, m.type, m.flags, m.valueSize, metas).record;
}

function brief(record: FieldRecord | undefined): string[] {
  return (record?.fields ?? []).map((f) => {
    const held =
      f.contains && `->${f.contains.structName}.${f.contains.nodeName}@${f.contains.nodeOffset}`;
    return `${f.kind}@${f.offset} ${f.path}${held ?? ""}`;
  });
}

describe("the offsets the verifier quotes come from these records", () => {
  // Each expected line is the kernel's own, from kernel.json.
  it.each([
    ["ver_nested_unlocked", ".data.D"],
    ["ver_array_unlocked", ".data.C"],
  ])("%s: the lock of a head's allocation", (name, map) => {
    const record = mapRecord(name, map)!;
    expect(`bpf_spin_lock at off=${record.spinLockOffset} must be held for bpf_list_head`).toBe(
      KERNEL[name]!.prog.error,
    );
  });

  it("ver_wrong_node: the node offset a contains: tag resolves to", () => {
    const { btf } = metasOf("ver_wrong_node");
    const head = mapRecord("ver_wrong_node", ".data.A")!.fields.find(
      (f) => f.kind === "list_head",
    )!;
    const bar = btf.findByName("bar", "struct")!;
    const barNode = findSpecialFields(btf, bar.id, ALLOCATED_OBJECT_FIELDS).fields[0]!;
    expect(
      `operation on bpf_list_head expects arg#1 bpf_list_node at offset=${head.contains!.nodeOffset} in struct ${head.contains!.structName}, but arg is at offset=${barNode.offset} in struct bar`,
    ).toBe(KERNEL.ver_wrong_node!.prog.error);
  });

  it("map_nested_two_locks: a lock in each of two nested structs; the later one is the map's", () => {
    const record = mapRecord("map_nested_two_locks", "values")!;
    expect(brief(record)).toEqual(["spin_lock@0 a.lock", "spin_lock@8 b.lock"]);
    expect(KERNEL.map_nested_two_locks!.prog.error).toBe(
      `off 0 doesn't point to 'struct bpf_spin_lock' that is at ${record.spinLockOffset}`,
    );
  });

  it("a map whose value fields the kernel could not parse acts as if it had none", () => {
    // The verifier then finds no lock or no head there, as kernel.json shows.
    for (const [name, map, code] of [
      ["map_global_two_locks", ".data.A", "E2BIG"],
      ["map_global_lock_array", ".data.A", "EINVAL"],
      ["map_global_missing_contains", ".data.A", "EINVAL"],
      ["map_global_unknown_struct", ".data.A", "ENOENT"],
      ["map_global_missing_node", ".data.A", "ENOENT"],
      ["map_lock_array", "values", "EINVAL"],
    ] as const) {
      const { btf, metas, maps } = metasOf(name);
      const m = maps.get(map)!;
      const result = mapValueFields(btf, m.valueTypeId, m.type, m.flags, m.valueSize, metas);
      expect(result.record, name).toBeUndefined();
      expect(result.ignored?.code, name).toBe(code);
      expect(KERNEL[name]!.prog.error, name).toBe(`map '${map}' has no valid bpf_spin_lock`);
    }
    const head = metasOf("map_global_head_without_lock");
    const data = head.maps.get(".data.A")!;
    const result = mapValueFields(
      head.btf,
      data.valueTypeId,
      data.type,
      data.flags,
      data.valueSize,
      head.metas,
    );
    expect(result.ignored?.code).toBe("EINVAL");
    expect(KERNEL.map_global_head_without_lock!.prog.error).toBe(
      "bpf_list_head not found at offset=0",
    );
  });

  it("a refused BTF leaves libbpf without program BTF", () => {
    for (const [name, answer] of Object.entries(KERNEL)) {
      if (answer.btf_load.errno === 0 || !name.startsWith("meta_")) continue;
      expect(answer.prog.error, name).toBe("bpf_obj_new/bpf_percpu_obj_new requires prog BTF");
      expect(answer.prog.libbpf.join("\n"), name).toContain("BTF is optional, ignoring");
    }
  });
});

describe("findSpecialFields: what is found", () => {
  it("global data: heads, arrays of heads, a struct holding lock and head", () => {
    expect(brief(mapRecord("ok_globals", ".data.A"))).toEqual([
      "list_head@0 ghead->foo.node@0",
      "spin_lock@16 glock",
    ]);
    expect(brief(mapRecord("ok_globals", ".data.C"))).toEqual([
      "list_head@0 ghead_array[0]->foo.node@0",
      "list_head@16 ghead_array[1]->foo.node@0",
      "spin_lock@32 glock_c",
      "list_head@40 ghead_array_one->foo.node@0",
    ]);
    expect(brief(mapRecord("ok_globals", ".data.D"))).toEqual([
      "spin_lock@8 ghead_nested.inner.lock",
      "list_head@16 ghead_nested.inner.head->foo.node@0",
    ]);
  });

  it("a hash map value with every kind it may hold", () => {
    const { btf } = metasOf("ok_map_fields");
    const record = mapRecord("ok_map_fields", "values")!;
    expect(brief(record)).toEqual([
      "timer@0 timer",
      "wq@16 wq",
      "kptr_ref@32 owned",
      "kptr_unref@40 borrowed",
      "kptr_percpu@48 percpu",
      "kptr_ref@56 many[0]",
      "kptr_ref@64 many[1]",
      "refcount@72 ref",
    ]);
    const foo = btf.findByName("foo", "struct")!.id;
    expect(record.fields.filter((f) => f.pointeeId !== undefined).map((f) => f.pointeeId)).toEqual(
      Array(5).fill(foo),
    );
    expect([
      record.timerOffset,
      record.wqOffset,
      record.refcountOffset,
      record.spinLockOffset,
    ]).toEqual([0, 16, 72, -1]);
  });

  it("an allocated object that holds a list and is on one", () => {
    const { btf, metas } = metasOf("ok_object_list");
    const outer = btf.findByName("outer", "struct")!;
    expect(brief(metas.get(outer.id))).toEqual([
      "list_node@0 node",
      "spin_lock@24 lock",
      "list_head@32 inner->foo.node@0",
    ]);
    expect(brief(mapRecord("ok_object_list", ".data.A"))).toEqual([
      "spin_lock@0 glock",
      "list_head@8 ghead->outer.node@0",
    ]);
  });

  it("struct metas: only structs with a special struct or kptr as a direct member", () => {
    const { btf, metas } = metasOf("ok_globals");
    expect([...metas.keys()].map((id) => btf.type(id).name).sort()).toEqual([
      "foo",
      "head_nested_inner",
    ]);
    // arrays hide their element from the scan; the kernel accepts these
    for (const name of ["meta_lock_array", "meta_node_array"]) {
      const other = metasOf(name);
      const names = [...other.metas.keys()].map((id) => other.btf.type(id).name);
      expect(names, name).toEqual(["foo"]);
    }
  });

  it("unions hide what they hold", () => {
    const { btf, metas } = metasOf("ok_union_ignored");
    const holder = btf.findByName("holder", "struct")!;
    expect(brief(metas.get(holder.id))).toEqual(["list_node@0 node"]);
  });

  it("res_spin_lock in a nested struct", () => {
    const record = mapRecord("ok_res_spin_lock", "values")!;
    expect(brief(record)).toEqual(["res_spin_lock@8 inner.lock"]);
    expect(record.resSpinLockOffset).toBe(8);
  });

  it("`allowed` limits the kinds looked for", () => {
    const { btf } = metasOf("ok_object_list");
    const outer = btf.findByName("outer", "struct")!.id;
    expect(brief(findSpecialFields(btf, outer, MAP_VALUE_FIELDS))).toEqual([
      "spin_lock@24 lock",
      "list_head@32 inner->foo.node@0",
    ]);
    expect(brief(findSpecialFields(btf, outer, new Set(["list_node"])))).toEqual([
      "list_node@0 node",
    ]);
  });
});

describe("fieldAt (btf_record_find)", () => {
  const record = mapRecord("ok_map_value", "lists")!;

  it("finds the field covering an offset", () => {
    expect(brief(record)).toEqual(["spin_lock@4 lock", "list_head@8 head->foo.node@0"]);
    expect(fieldAt(record, 0)).toBeUndefined();
    expect(fieldAt(record, 4)?.kind).toBe("spin_lock");
    expect(fieldAt(record, 7)?.kind).toBe("spin_lock");
    expect(fieldAt(record, 8)?.kind).toBe("list_head");
    expect(fieldAt(record, 23)?.kind).toBe("list_head");
    expect(fieldAt(record, 24)).toBeUndefined();
    expect(fieldAt(undefined, 0)).toBeUndefined();
  });

  it("filters by kind", () => {
    expect(fieldAt(record, 8, new Set(["list_head"]))?.offset).toBe(8);
    expect(fieldAt(record, 8, new Set(["rb_root"]))).toBeUndefined();
    expect(hasField(record, "rb_root", "spin_lock")).toBe(true);
    expect(hasField(record, "timer")).toBe(false);
  });
});

describe("messages name the struct and member", () => {
  function loadError(name: string): FieldError {
    const { error } = btfLoadErrno(loadCase(name).btf);
    expect(error, name).toBeInstanceOf(FieldError);
    return error!;
  }

  it.each([
    [
      "meta_missing_contains",
      "head",
      /^struct holder, member "head": struct bpf_list_head needs a "contains:<struct>:<node>" decl tag/,
    ],
    [
      "meta_duplicate_contains",
      "head",
      /has 2 "contains:" decl tags \("contains:foo:node", "contains:foo:data"\)/,
    ],
    ["meta_unknown_struct", "head", /names struct nosuch, which the program's BTF does not define/],
    [
      "meta_missing_node",
      "head",
      /^struct holder, member "head": bpf_list_head holds struct foo, which has no member named "link" \(ENOENT\)$/,
    ],
    ["meta_node_wrong_type", "head", /its member "data" is int, not struct bpf_list_node/],
    ["meta_typedef_node", "head", /its member "node" is node_t, not struct bpf_list_node/],
    ["meta_packed_node", "head", /sits at bit offset 32, not a multiple of 8 bytes/],
    [
      "meta_head_without_lock",
      "head",
      /^struct holder, member "head": bpf_list_head needs a bpf_spin_lock in the same struct/,
    ],
    ["meta_nested_head_without_lock", "head", /^struct bucket, member "head"/],
    ["meta_two_locks", "b", /^struct holder, member "b" is a second struct bpf_spin_lock/],
    ["meta_too_many_fields", "heads", /past the kernel's limit of 11/],
    [
      "meta_self_cycle",
      "head",
      /^struct self is a list\/tree node and, through "head", holds struct self/,
    ],
  ])("%s", (name, member, pattern) => {
    const error = loadError(name);
    expect(error.message).toMatch(pattern);
    expect(error.member).toBe(member);
    expect(error.typeId).toBeGreaterThan(0);
    expect(error.errno).toBe(ERRNO[error.code]);
    expect(error.errno).toBe(KERNEL[name]!.btf_load.errno);
  });

  it("map type refusals name the map type and what may hold the field", () => {
    const { btf, metas, maps } = metasOf("map_percpu_list");
    const m = maps.get("values")!;
    expect(() => mapValueFields(btf, m.valueTypeId, m.type, m.flags, m.valueSize, metas)).toThrow(
      /^struct value, member "lock" is a bpf_spin_lock, which a percpu_array map cannot hold \(only hash, array, /,
    );
  });
});

describe("hand-built BTF that clang never emits", () => {
  // Layouts follow include/uapi/linux/btf.h; expectations follow
  // btf_parse_fields and btf_parse_graph_root in kernel/bpf/btf.c.
  function structType(
    b: BtfBuilder,
    name: string,
    size: number,
    members: [string, number, number][],
  ) {
    const words = [b.str(name), info(KIND.STRUCT, members.length), size];
    for (const [m, type, byteOffset] of members) words.push(b.str(m), type, byteOffset * 8);
    return b.type(...words);
  }

  function base() {
    const b = new BtfBuilder();
    const int = b.int();
    const lock = structType(b, "bpf_spin_lock", 4, [["val", int, 0]]);
    const refcount = structType(b, "bpf_refcount", 4, [["val", int, 0]]);
    return { b, int, lock, refcount };
  }

  it("fields found out of offset order count as overlapping (EEXIST)", () => {
    const { b, lock, refcount } = base();
    const s = structType(b, "holder", 8, [
      ["ref", refcount, 4],
      ["lock", lock, 0],
    ]);
    const btf = parseBtf(b.build());
    expect(() => findSpecialFields(btf, s, ALLOCATED_OBJECT_FIELDS)).toThrow(
      expect.objectContaining({ code: "EEXIST", errno: 17, member: "lock" }),
    );
  });

  it("fields sharing bytes are EEXIST", () => {
    const { b, lock, refcount } = base();
    const s = structType(b, "holder", 4, [
      ["lock", lock, 0],
      ["ref", refcount, 0],
    ]);
    expect(() => findSpecialFields(parseBtf(b.build()), s)).toThrow(
      /overlaps the special field before it/,
    );
  });

  it("a held struct with two members of the node's name is EINVAL", () => {
    const { b, int, lock } = base();
    const six = b.type(0, info(KIND.ARRAY), 0, int, int, 6);
    const four = b.type(0, info(KIND.ARRAY), 0, int, int, 4);
    const node = structType(b, "bpf_list_node", 24, [["__opaque", six, 0]]);
    const head = structType(b, "bpf_list_head", 16, [["__opaque", four, 0]]);
    structType(b, "foo", 48, [
      ["node", node, 0],
      ["node", node, 24],
    ]);
    const holder = structType(b, "holder", 24, [
      ["lock", lock, 0],
      ["head", head, 8],
    ]);
    b.type(b.str("contains:foo:node"), info(KIND.DECL_TAG), holder, 1);
    const btf = parseBtf(b.build());
    expect(() => findSpecialFields(btf, holder)).toThrow(
      expect.objectContaining({
        code: "EINVAL",
        message: expect.stringMatching(/two members named "node"/),
      }),
    );
  });

  it("only structs and data sections have fields", () => {
    const { b, lock } = base();
    const u = b.type(b.str("u"), info(KIND.UNION, 1), 4, b.str("lock"), lock, 0);
    const btf = parseBtf(b.build());
    expect(() => findSpecialFields(btf, u)).toThrow(expect.objectContaining({ code: "EINVAL" }));
    expect(() => findSpecialFields(btf, 1)).toThrow(FieldError);
  });

  it("a special struct of the wrong size is plain data", () => {
    const { b, int } = base();
    const bigLock = structType(b, "bpf_spin_lock", 8, [["val", int, 0]]);
    const s = structType(b, "holder", 8, [["lock", bigLock, 0]]);
    expect(findSpecialFields(parseBtf(b.build()), s).fields).toEqual([]);
  });

  it("never throws anything but BtfError on mutated inputs", () => {
    for (const name of CASES) {
      const { btf } = loadCase(name);
      for (const t of btf.types) {
        if (t.kind !== "struct" && t.kind !== "datasec") continue;
        try {
          findSpecialFields(btf, t.id);
        } catch (e) {
          expect(e, `${name} type ${t.id}`).toBeInstanceOf(BtfError);
        }
      }
    }
  });
});
