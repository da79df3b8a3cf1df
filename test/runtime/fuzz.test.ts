import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Insn } from "../../src/isa/insn.js";
import { RuntimeFault } from "../../src/runtime/errors.js";
import { newVm, run } from "./run-asm.js";

// Any instruction stream either runs to an exit or stops with a RuntimeFault:
// never another exception, never a hang, and the machine stays usable.
const insn: fc.Arbitrary<Insn> = fc.record({
  code: fc.oneof(
    fc.integer({ min: 0, max: 255 }),
    fc.constantFrom(
      0x07,
      0x0f,
      0x61,
      0x63,
      0x79,
      0x7b,
      0x85,
      0x95,
      0xc3,
      0xdb,
      0x18,
      0x25,
      0x05,
      0xbf,
      0xb7,
    ),
  ),
  dst: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constant(10), fc.integer({ min: 0, max: 15 })),
  src: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constant(10), fc.integer({ min: 0, max: 15 })),
  off: fc.oneof(fc.integer({ min: -16, max: 16 }), fc.integer({ min: -32768, max: 32767 })),
  imm: fc.oneof(
    fc.integer({ min: -64, max: 64 }),
    fc.constantFrom(16, 32, 64, 0xe1, 0xf1, 0x01, 0x100, 0x110, -1),
    fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  ),
});

describe("interpreter fuzz", () => {
  it("only ever returns or faults", () => {
    const vm = newVm(5000);
    fc.assert(
      fc.property(
        fc.array(insn, { minLength: 1, maxLength: 24 }),
        fc.uint8Array({ maxLength: 32 }),
        (insns, mem) => {
          try {
            const r0 = run(insns, mem.length > 0 ? mem : undefined, vm);
            expect(typeof r0).toBe("bigint");
          } catch (e) {
            if (!(e instanceof RuntimeFault)) throw e;
          }
        },
      ),
      { numRuns: 3000 },
    );
    // the machine still runs a plain program afterwards
    expect(run("mov %r0, 42\nexit", undefined, vm)).toBe(42n);
  });
});
