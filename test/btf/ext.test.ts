import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BtfError, parseBtf } from "../../src/btf/btf.js";
import {
  BPF_CORE_ENUMVAL_VALUE,
  BPF_CORE_FIELD_BYTE_OFFSET,
  BPF_CORE_FIELD_BYTE_SIZE,
  BPF_CORE_TYPE_EXISTS,
  BPF_CORE_TYPE_ID_LOCAL,
  parseBtfExt,
} from "../../src/btf/ext.js";
import { parseElf } from "../../src/elf/elf.js";
import { BtfBuilder, buildBtfExt, extInfo, info, KIND } from "./builder.js";

function load(path: string) {
  const elf = parseElf(new Uint8Array(readFileSync(new URL(path, import.meta.url))));
  const btf = parseBtf(elf.sectionByName(".BTF")!.data);
  return { elf, btf, ext: parseBtfExt(elf.sectionByName(".BTF.ext")!.data, btf) };
}

describe("parseBtfExt on clang objects", () => {
  // data/core.bpf.c: the relocations follow from its builtins (kind
  // numbers from enum bpf_core_relo_kind), the instruction indices from
  // `llvm-objdump-19 -d`, the type ids from `bpftool btf dump`.
  const core = load("data/core.bpf.o");

  it("reads CO-RE relocations per section", () => {
    expect([...core.ext.coreRelos.keys()]).toEqual(["tracepoint/sched/sched_switch"]);
    expect(core.ext.coreRelos.get("tracepoint/sched/sched_switch")).toEqual([
      { insn: 0, typeId: 2, accessStr: "0:2", kind: BPF_CORE_FIELD_BYTE_OFFSET }, // t->parent
      { insn: 1, typeId: 2, accessStr: "0:1", kind: BPF_CORE_FIELD_BYTE_OFFSET }, // ->tgid
      { insn: 2, typeId: 2, accessStr: "0", kind: BPF_CORE_TYPE_ID_LOCAL }, // btf_type_id(*t, 0)
      { insn: 5, typeId: 2, accessStr: "0:0", kind: BPF_CORE_FIELD_BYTE_SIZE }, // field_info(t->pid, 1)
      { insn: 7, typeId: 2, accessStr: "0", kind: BPF_CORE_TYPE_EXISTS }, // type_info(*t, 0)
      { insn: 9, typeId: 6, accessStr: "1", kind: BPF_CORE_ENUMVAL_VALUE }, // SLEEPING
    ]);
  });

  it("reads func info", () => {
    expect(core.ext.funcInfo.get("tracepoint/sched/sched_switch")).toEqual([
      { insn: 0, typeId: 5 },
    ]);
    expect(core.ext.funcInfo.get("xdp")).toEqual([{ insn: 0, typeId: 9 }]);
  });

  it("reads line info: file, line, column and source text", () => {
    const lines = core.ext.lineInfo.get("tracepoint/sched/sched_switch")!;
    expect(lines[0]).toEqual({
      insn: 0,
      fileName: "./core.bpf.c",
      line: 15,
      column: 47,
      text: "\tint pid = __builtin_preserve_access_index(t->parent->tgid);",
    });
    expect(lines.at(-1)).toMatchObject({
      line: 20,
      text: "\treturn pid + id + size + exists + running;",
    });
    expect(core.ext.lineInfo.get("xdp")).toEqual([
      { insn: 0, fileName: "./core.bpf.c", line: 31, column: 2, text: "\treturn helper(7);" },
    ]);
  });

  it("has one func info per function and as many line records as .rel.BTF.ext says", () => {
    // data/sections.bpf.o: `llvm-readelf-19 -r` lists one R_BPF_64_NODYLD32
    // per record: func info .text/xdp/socket, then 3 + 9 + 2 line records
    const { ext } = load("../elf/data/sections.bpf.o");
    expect([...ext.funcInfo].map(([name, recs]) => [name, recs.map((r) => r.typeId)])).toEqual([
      [".text", [13]],
      ["xdp", [16]],
      ["socket", [18]],
    ]);
    expect([...ext.lineInfo].map(([name, recs]) => [name, recs.length])).toEqual([
      [".text", 3],
      ["xdp", 9],
      ["socket", 2],
    ]);
    expect(ext.coreRelos.size).toBe(0);
  });
});

describe("parseBtfExt on bad input", () => {
  const b = new BtfBuilder();
  b.int();
  const proto = b.type(0, info(KIND.FUNC_PROTO), 1);
  const func = b.type(b.str("f"), info(KIND.FUNC, 1), proto);
  const sec = b.str("xdp");
  const file = b.str("a.c");
  const btf = parseBtf(b.build());
  const goodFunc = extInfo(8, [
    {
      nameOff: sec,
      records: [
        [0, func],
        [16, func],
      ],
    },
  ]);
  const goodLine = extInfo(16, [{ nameOff: sec, records: [[8, file, file, (7 << 10) | 3]] }]);

  function extError(bytes: Uint8Array): BtfError {
    try {
      parseBtfExt(bytes, btf);
    } catch (e) {
      expect(e).toBeInstanceOf(BtfError);
      return e as BtfError;
    }
    throw new Error("expected a BtfError");
  }

  it("parses hand-built records, with or without the CO-RE header fields", () => {
    const ext = parseBtfExt(buildBtfExt(goodFunc, goodLine, []), btf);
    expect(ext.funcInfo.get("xdp")).toEqual([
      { insn: 0, typeId: func },
      { insn: 2, typeId: func },
    ]);
    expect(ext.lineInfo.get("xdp")).toEqual([
      { insn: 1, fileName: "a.c", text: "a.c", line: 7, column: 3 },
    ]);
    const short = parseBtfExt(buildBtfExt(goodFunc, goodLine, [], 24), btf);
    expect(short.funcInfo.get("xdp")).toHaveLength(2);
    expect(short.coreRelos.size).toBe(0);
  });

  it("honours a larger record size", () => {
    const wide = extInfo(12, [{ nameOff: sec, records: [[8, func, 0xdead]] }]);
    expect(parseBtfExt(buildBtfExt(wide, [], []), btf).funcInfo.get("xdp")).toEqual([
      { insn: 1, typeId: func },
    ]);
  });

  it("rejects a bad magic, version or header length", () => {
    const good = buildBtfExt(goodFunc, goodLine, []);
    const bad = (at: number, value: number) => {
      const copy = good.slice();
      copy[at] = value;
      return copy;
    };
    expect(extError(bad(0, 0)).message).toMatch(/Invalid magic/);
    expect(extError(bad(2, 2)).message).toMatch(/Unsupported version 2/);
    expect(extError(bad(4, 8)).message).toMatch(/hdr_len 8 is invalid/);
    expect(extError(good.slice(0, 3)).message).toMatch(/Invalid magic/);
  });

  it("rejects a subsection past the end of .BTF.ext", () => {
    const good = buildBtfExt(goodFunc, goodLine, []);
    const e = extError(good.slice(0, good.length - 4));
    expect(e.message).toMatch(/line_info section \(off:\d+ len:\d+\) is beyond the end/);
    expect(e.offset).toBe(16);
  });

  it("rejects a bad record size", () => {
    expect(extError(buildBtfExt(extInfo(4, []), [], [])).message).toMatch(
      /func_info .*record size 4 is invalid/,
    );
    expect(extError(buildBtfExt([], extInfo(18, []), [])).message).toMatch(
      /line_info .*record size 18 is invalid/,
    );
  });

  it("rejects a section with no records or with records past the end", () => {
    expect(extError(buildBtfExt([8, sec, 0], [], [])).message).toMatch(/incorrect num_records 0/);
    expect(extError(buildBtfExt([8, sec, 3, 0, func], [], [])).message).toMatch(
      /section "xdp" has 3 records of 8 bytes, past the end/,
    );
  });

  it("rejects a bad section name, type id, string or instruction offset", () => {
    expect(
      extError(buildBtfExt(extInfo(8, [{ nameOff: 9999, records: [[0, func]] }]), [], [])).message,
    ).toMatch(/invalid section name offset 9999/);
    expect(
      extError(buildBtfExt(extInfo(8, [{ nameOff: sec, records: [[0, 77]] }]), [], [])).message,
    ).toMatch(/record 0: type id 77 out of range/);
    expect(
      extError(buildBtfExt([], extInfo(16, [{ nameOff: sec, records: [[0, 5000, 0, 0]] }]), []))
        .message,
    ).toMatch(/line_info .*record 0: .*Invalid name_offset:5000/);
    expect(
      extError(buildBtfExt(extInfo(8, [{ nameOff: sec, records: [[4, func]] }]), [], [])).message,
    ).toMatch(/insn_off 4 is not a multiple of 8/);
    const core = extInfo(16, [{ nameOff: sec, records: [[0, 1, 7777, 0]] }]);
    expect(extError(buildBtfExt([], [], core)).message).toMatch(
      /core_relo .*Invalid name_offset:7777/,
    );
  });
});
