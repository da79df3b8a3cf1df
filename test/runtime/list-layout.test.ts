import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseObject } from "../../src/object/load.js";
import { placeDatasecVars } from "../../src/runtime/graph/layout.js";

const FIXTURES = join(import.meta.dirname, "../fixtures");

/** `name@offset` of each variable of a section, after placement. */
function placed(object: string, section: string): string[] {
  const btf = parseObject(new Uint8Array(readFileSync(join(FIXTURES, object)))).btf!;
  const t = btf.findByName(section, "datasec")!;
  if (t.kind !== "datasec") throw new Error("not a datasec");
  const p = placeDatasecVars(btf, t);
  if (p.kind !== "datasec") throw new Error("not a datasec");
  return p.vars.map((v) => `${btf.type(v.type).name}@${v.offset}`);
}

// Expected offsets: the symbol values `llvm-objdump-19 -t` prints for the same objects.
describe("DATASEC variables are placed where the ELF symbols put them", () => {
  it.each([
    ["list_global.o", ".data.A", ["ghead@0", "glock@16"]],
    ["list_global.o", ".data.B", ["bhead@0", "block@16"]],
    ["list_nested.o", ".data.A", ["glock@0", "outers@8"]],
    ["list_2022.o", ".data.A", ["glock@0", "ghead@8"]],
    ["list_rules_reject.o", ".data.A", ["glock@0", "pairs@8", "ghead@24"]],
    ["rbtree_refcount.o", ".data.A", ["lock@0", "tree@8", "list@24"]],
    ["global_data.o", ".rodata", ["sample_rate@0", "prefix@4", "account.____fmt@12"]],
    ["tracing_fentry.o", ".bss", ["last_mode@0", "last_ret@8"]],
  ])("%s %s", (object, section, expected) => {
    expect(placed(object, section)).toEqual(expected);
  });
});
