import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runConformanceCase } from "../../src/runtime/conformance.js";

const SUITE = join(import.meta.dirname, "../../../shared/conformance/tests");
const files = readdirSync(SUITE)
  .filter((f) => f.endsWith(".data"))
  .sort();

describe("BPF conformance suite", () => {
  it("has all 313 files", () => {
    expect(files.length).toBe(313);
  });

  it.each(files)("%s", (file) => {
    const outcome = runConformanceCase(readFileSync(join(SUITE, file), "utf8"), file);
    expect(outcome.status, outcome.message).toBe("pass");
  });
});
