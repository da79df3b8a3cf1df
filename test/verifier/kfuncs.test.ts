/**
 * Local objects, lists and trees in the verifier: every program of the
 * list and tree fixtures against the verdict and closing error lines Linux
 * 6.18 gave for it (test/fixtures/kernel-verdicts.json), level-1 logs of
 * rejected programs line for line against logs the kernel wrote
 * (data/kfuncs/*.kernel.log, from tools/kernel-oracle), and the pieces the
 * rules are built from: records of global data sections, lock identity,
 * ownership transfer.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { objectNameFromPath, parseObject } from "../../src/api.js";
import type { ObjectSpec } from "../../src/object/spec.js";
import { VerifierEnv } from "../../src/verifier/env.js";
import {
  convertOwningToNonOwning,
  invalidateNonOwningRefs,
} from "../../src/verifier/graph/ownership.js";
import { mapRecordOf, structRecord } from "../../src/verifier/graph/records.js";
import { verifyProgram } from "../../src/verifier/index.js";
import { formatReg } from "../../src/verifier/log.js";
import { notInitReg } from "../../src/verifier/reg-state.js";
import {
  MEM_ALLOC,
  NON_OWN_REF,
  PTR_MAYBE_NULL,
  PTR_TO_BTF_ID,
  SCALAR_VALUE,
} from "../../src/verifier/reg-types.js";
import { initialState, newStackSlot, STACK_SPILL } from "../../src/verifier/state.js";

const fixtures = join(import.meta.dirname, "..", "fixtures");
const logs = join(import.meta.dirname, "data", "kfuncs");

interface KernelAnswer {
  verdict: "accept" | "reject";
  errno: number;
  stage: string;
  errors: string[];
}
const kernel: Record<string, KernelAnswer> = JSON.parse(
  readFileSync(join(fixtures, "kernel-verdicts.json"), "utf8"),
);

const specs = new Map<string, ObjectSpec>();
function object(file: string): ObjectSpec {
  let spec = specs.get(file);
  if (spec === undefined) {
    const path = join(fixtures, file);
    spec = parseObject(new Uint8Array(readFileSync(path)), { name: objectNameFromPath(path) });
    specs.set(file, spec);
  }
  return spec;
}

function verify(file: string, name: string, logLevel = 0) {
  const spec = object(file);
  const program = spec.programs.find((p) => p.name === name);
  if (program === undefined) throw new Error(`${file} has no program ${name}`);
  return verifyProgram(spec, program, { logLevel });
}

const GRAPH_FIXTURES = [
  "list_errors_reject.o",
  "list_rules_reject.o",
  "list_global.o",
  "list_map_value.o",
  "list_nested.o",
  "rbtree_refcount.o",
];

const cases = GRAPH_FIXTURES.flatMap((file) =>
  object(file).programs.map((p) => ({
    file,
    name: p.name,
    expected: kernel[`${file}:${p.name}`]!,
  })),
);

describe("list and tree fixtures against the kernel's verdicts", () => {
  it("covers every program with a recorded verifier verdict", () => {
    expect(cases.length).toBeGreaterThanOrEqual(38);
    for (const c of cases) {
      expect(c.expected, `${c.file}:${c.name}`).toBeDefined();
      expect(c.expected.stage).toBe("verifier");
    }
  });

  it.each(cases)("$file:$name", ({ file, name, expected }) => {
    const result = verify(file, name);
    expect(result.verdict).toBe(expected.verdict);
    expect(result.errors).toEqual(expected.errors);
    if (expected.verdict === "reject") expect(result.errno).toBe(expected.errno);
  });
});

/**
 * What may differ between the kernel's log and ours: the kernel prints the
 * map's or map value's kernel address and vmlinux kfunc ids, tsbpf `map[id:N]` and
 * its own kfunc ids, and the padding before `;` follows the instruction's
 * length.
 */
function normalize(log: string): string[] {
  return log
    .split("\n")
    .filter((line) => !line.startsWith("processed ") && line !== "")
    .map((line) =>
      line
        .replace(/= 0xffff[0-9a-f]{12}/, "= <map>")
        .replace(/= map\[id:\d+\](\[0\]\+\d+)?/, "= <map>")
        .replace(/(call bpf_[a-z_]+)#\d+/, "$1#<kfunc>")
        .replace(/\s+;/, " ;"),
    );
}

const logCases = readdirSync(logs)
  .filter((f) => f.endsWith(".kernel.log"))
  .map((f) => {
    const [file, name] = f.replace(".kernel.log", "").split(".");
    return { file: `${file}.o`, name: name!, path: join(logs, f) };
  });

describe("level-1 logs of rejected programs, line for line with the kernel's", () => {
  it("has kernel logs to compare with", () => {
    expect(logCases.length).toBeGreaterThanOrEqual(6);
  });

  it.each(logCases)("$file:$name", ({ file, name, path }) => {
    const ours = verify(file, name, 1).log;
    expect(normalize(ours)).toEqual(normalize(readFileSync(path, "utf8")));
  });
});

describe("special-field records the rules consult", () => {
  it("lays out a global data section whose DATASEC offsets the compiler left at 0", () => {
    // llvm-objdump -t: ghead at 0x0 and glock at 0x10 of .data.A
    const spec = object("list_errors_reject.o");
    const map = spec.maps.find((m) => m.section === ".data.A")!;
    const record = mapRecordOf(spec, map)!;
    expect(record.spinLockOffset).toBe(16);
    const head = record.fields.find((f) => f.kind === "list_head")!;
    expect(head.offset).toBe(0);
    expect(head.contains?.structName).toBe("foo");
    expect(head.contains?.nodeOffset).toBe(0);
  });

  it("finds three fields in a section with the lock first", () => {
    // llvm-objdump -t: glock 0x0, pairs 0x8, ghead 0x18
    const spec = object("list_rules_reject.o");
    const record = mapRecordOf(spec, spec.maps.find((m) => m.section === ".data.A")!)!;
    expect(record.fields.map((f) => [f.kind, f.offset])).toEqual([
      ["spin_lock", 0],
      ["list_head", 8],
      ["list_head", 24],
    ]);
    expect(record.fields[1]!.contains).toMatchObject({
      structName: "pair",
      nodeName: "second",
      nodeOffset: 32,
    });
  });

  it("gives allocated structs their record from program BTF", () => {
    const spec = object("list_rules_reject.o");
    const env = new VerifierEnv(spec, spec.programs[0]!, 0, initialState());
    const pair = spec.btf!.findByName("pair", "struct")!;
    expect(structRecord(env, pair.id)?.fields.map((f) => [f.kind, f.offset])).toEqual([
      ["list_node", 8],
      ["list_node", 32],
    ]);
  });
});

describe("register printing", () => {
  const spec = object("list_errors_reject.o");
  const env = new VerifierEnv(spec, spec.programs[0]!, 0, initialState());
  const foo = spec.btf!.findByName("foo", "struct")!.id;

  it("prints an object that may be NULL as the kernel does", () => {
    const reg = notInitReg();
    Object.assign(reg, {
      type: PTR_TO_BTF_ID | MEM_ALLOC | PTR_MAYBE_NULL,
      btfId: foo,
      id: 2,
      refObjId: 2,
    });
    expect(formatReg(reg, env.frame, env.names)).toBe("ptr_or_null_foo(id=2,ref_obj_id=2)");
  });

  it("marks a non-owning reference", () => {
    const reg = notInitReg();
    Object.assign(reg, { type: PTR_TO_BTF_ID | MEM_ALLOC | NON_OWN_REF, btfId: foo, off: 8 });
    expect(formatReg(reg, env.frame, env.names)).toBe("ptr_foo(non_own_ref,off=8)");
  });
});

describe("ownership rules beyond the fixtures' closing lines", () => {
  it("turns every copy of a pushed pointer non-owning, and unusable after unlock", () => {
    const spec = object("list_errors_reject.o");
    const env = new VerifierEnv(spec, spec.programs[0]!, 0, initialState());
    const foo = spec.btf!.findByName("foo", "struct")!.id;
    const owning = { type: PTR_TO_BTF_ID | MEM_ALLOC, btfId: foo, refObjId: 7 };
    Object.assign(env.reg(2), owning);
    Object.assign(env.reg(6), owning);
    env.frame.stack.push(newStackSlot());
    const slot = env.frame.stack[0]!;
    slot.slotType.fill(STACK_SPILL);
    Object.assign(slot.spilled, owning);
    env.state.refs = [
      { id: 0, insnIdx: 1, kind: "lock", lockPtr: "map:1" },
      { id: 7, insnIdx: 3, kind: "ptr" },
    ];
    env.state.activeLock = { ptr: "map:1", id: 0 };
    convertOwningToNonOwning(env, 7);
    for (const reg of [env.reg(2), env.reg(6), slot.spilled]) {
      expect(reg.type).toBe(PTR_TO_BTF_ID | MEM_ALLOC | NON_OWN_REF);
      expect(reg.refObjId).toBe(0);
    }
    invalidateNonOwningRefs(env);
    for (const reg of [env.reg(2), env.reg(6), slot.spilled]) expect(reg.type).toBe(SCALAR_VALUE);
  });

  it("types a popped node as its container at the node's offset", () => {
    const log = verify("list_global.o", "drain_global", 2).log;
    expect(log).toMatch(/R0=ptr_or_null_foo\(id=\d+,ref_obj_id=\d+,off=8\)/);
  });

  it("keeps the id of an object holding a lock after its NULL check (it names the lock)", () => {
    const result = verify("list_nested.o", "build_nested", 2);
    expect(result.verdict).toBe("accept");
  });
});
