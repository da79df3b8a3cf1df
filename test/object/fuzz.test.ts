/**
 * Bad input is an expected case: whatever bytes the loader is given, it
 * either produces an ObjectSpec or throws one of tsbpf's typed errors, and it
 * does so quickly. fast-check truncates and mutates the real fixtures.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isInputError, parseObject } from "../../src/api.js";

const fixtures = join(import.meta.dirname, "../fixtures");
const objects = readdirSync(fixtures)
  .filter((f) => f.endsWith(".o"))
  .map((f) => new Uint8Array(readFileSync(join(fixtures, f))));

function loadsOrThrowsTyped(bytes: Uint8Array): void {
  const started = performance.now();
  try {
    parseObject(bytes, { name: "fuzz" });
  } catch (err) {
    if (!isInputError(err)) throw err;
  }
  expect(performance.now() - started).toBeLessThan(2000);
}

describe("parseObject on damaged fixtures", () => {
  it("loads every fixture undamaged", () => {
    expect(objects.length).toBeGreaterThan(20);
    for (const bytes of objects) expect(parseObject(bytes).programs.length).toBeGreaterThan(0);
  });

  it("truncated anywhere: typed error or success", () => {
    fc.assert(
      fc.property(
        fc.nat(objects.length - 1),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (which, fraction) => {
          const bytes = objects[which]!;
          loadsOrThrowsTyped(bytes.subarray(0, Math.floor(bytes.length * fraction)));
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 300) },
    );
  });

  it("bytes overwritten anywhere: typed error or success", () => {
    fc.assert(
      fc.property(
        fc.nat(objects.length - 1),
        fc.array(
          fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        (which, edits) => {
          const bytes = objects[which]!.slice();
          for (const [at, value] of edits) bytes[Math.floor(at * (bytes.length - 1))] = value;
          loadsOrThrowsTyped(bytes);
        },
      ),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 500) },
    );
  });
});
