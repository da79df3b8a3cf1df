import { readFileSync } from "node:fs";
import fc from "fast-check";
import { expect, it } from "vitest";
import { ElfError, parseElf } from "../../src/elf/elf.js";
import { applyMutation, mutation } from "../btf/mutations.js";

const objects = ["data/sections.bpf.o", "../btf/data/kinds.bpf.o"].map(
  (path) => new Uint8Array(readFileSync(new URL(path, import.meta.url))),
);

it("parseElf on damaged input throws only ElfError", () => {
  const started = Date.now();
  fc.assert(
    fc.property(fc.integer({ min: 0, max: objects.length - 1 }), mutation, (which, m) => {
      try {
        const elf = parseElf(applyMutation(objects[which]!, m));
        for (const s of elf.sections) elf.relocationsFor(s.index);
      } catch (e) {
        if (!(e instanceof ElfError)) throw e;
      }
    }),
    { numRuns: 300 },
  );
  expect(Date.now() - started).toBeLessThan(15_000);
});
