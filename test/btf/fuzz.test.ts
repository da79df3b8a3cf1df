import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Btf, BtfError, parseBtf } from "../../src/btf/btf.js";
import { parseBtfExt } from "../../src/btf/ext.js";
import { parseElf } from "../../src/elf/elf.js";
import { applyMutation, mutation } from "./mutations.js";

// Damaged BTF must give a BtfError, never another exception or a hang;
// whatever parses must also survive every query.
const objects = [
  "data/kinds.bpf.o",
  "data/core.bpf.o",
  "data/ksyms.bpf.o",
  "../elf/data/sections.bpf.o",
].map((path) => {
  const elf = parseElf(new Uint8Array(readFileSync(new URL(path, import.meta.url))));
  return { btf: elf.sectionByName(".BTF")!.data, ext: elf.sectionByName(".BTF.ext")!.data };
});

function onlyBtfErrors(run: () => void): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof BtfError)) throw e;
  }
}

function queryAll(btf: Btf): void {
  for (const t of btf.types) {
    onlyBtfErrors(() => btf.typeName(t.id));
    onlyBtfErrors(() => btf.format(t.id));
    onlyBtfErrors(() => btf.sizeof(t.id));
    onlyBtfErrors(() => btf.alignof(t.id));
    onlyBtfErrors(() => btf.resolve(t.id));
    btf.declTags(t.id);
  }
}

describe("BTF parsers on damaged input", () => {
  it("parseBtf throws only BtfError", () => {
    const started = Date.now();
    fc.assert(
      fc.property(fc.integer({ min: 0, max: objects.length - 1 }), mutation, (which, m) => {
        const bytes = applyMutation(objects[which]!.btf, m);
        onlyBtfErrors(() => queryAll(parseBtf(bytes)));
      }),
      { numRuns: 300 },
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("parseBtfExt throws only BtfError", () => {
    const parsed = objects.map((o) => parseBtf(o.btf));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: objects.length - 1 }), mutation, (which, m) => {
        const bytes = applyMutation(objects[which]!.ext, m);
        onlyBtfErrors(() => parseBtfExt(bytes, parsed[which]!));
      }),
      { numRuns: 300 },
    );
  });
});
