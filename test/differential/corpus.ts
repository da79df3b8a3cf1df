/**
 * The differential corpus: every program of every fixture object
 * (test/fixtures/*.o) and example object (examples/*.o), named the way
 * test/fixtures/kernel-verdicts.json keys them: `file.o:prog` for fixtures,
 * `examples/file.o:prog` for examples.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { objectNameFromPath, parseObject } from "../../src/api.js";
import type { ObjectSpec, ProgramSpec } from "../../src/object/spec.js";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

export interface CorpusObject {
  /** path relative to the repository root, as the oracle is given it */
  readonly path: string;
  /** the key prefix: `file.o` or `examples/file.o` */
  readonly key: string;
}

export interface CorpusProgram {
  readonly key: string;
  readonly object: CorpusObject;
  readonly name: string;
}

/** Recorded kernel answer for one program (test/fixtures/kernel-verdicts.json). */
export interface RecordedVerdict {
  readonly verdict: "accept" | "reject";
  readonly errno: number;
  /** who decided: the verifier, the kernel before verifying, or libbpf before asking */
  readonly stage: "verifier" | "kernel" | "libbpf";
  readonly errors: readonly string[];
}

export function corpusObjects(): CorpusObject[] {
  const objects: CorpusObject[] = [];
  for (const [dir, prefix] of [
    ["test/fixtures", ""],
    ["examples", "examples/"],
  ] as const) {
    for (const file of readdirSync(join(repoRoot, dir)).sort()) {
      if (file.endsWith(".o")) objects.push({ path: `${dir}/${file}`, key: `${prefix}${file}` });
    }
  }
  return objects;
}

export function readRecordedVerdicts(): Record<string, RecordedVerdict> {
  return JSON.parse(readFileSync(join(repoRoot, "test/fixtures/kernel-verdicts.json"), "utf8"));
}

export const agreementListPath = join(repoRoot, "test/differential/expected-agreement.json");

/** The programs committed to agree with the kernel (verdict and closing error lines). */
export function readAgreementList(): string[] {
  const list: unknown = JSON.parse(readFileSync(agreementListPath, "utf8"));
  if (!Array.isArray(list) || !list.every((k) => typeof k === "string"))
    throw new Error(`${agreementListPath}: expected a JSON array of "file.o:prog" strings`);
  return list;
}

export interface ParsedObject {
  readonly object: CorpusObject;
  /** undefined when tsbpf cannot parse the object; then `error` says why */
  readonly spec: ObjectSpec | undefined;
  readonly error: string | undefined;
}

export function parseCorpusObject(object: CorpusObject): ParsedObject {
  try {
    const bytes = new Uint8Array(readFileSync(join(repoRoot, object.path)));
    return {
      object,
      spec: parseObject(bytes, { name: objectNameFromPath(object.path) }),
      error: undefined,
    };
  } catch (err) {
    return { object, spec: undefined, error: err instanceof Error ? err.message : String(err) };
  }
}

export function programKey(object: CorpusObject, program: ProgramSpec | string): string {
  return `${object.key}:${typeof program === "string" ? program : program.name}`;
}
