import { type ObjectSpec, objectNameFromPath, type ProgramSpec, parseObject } from "../api.js";
import { readInput, UsageError } from "./io.js";

export function loadObjectFile(path: string): ObjectSpec {
  return parseObject(readInput(path), { name: objectNameFromPath(path) });
}

/** The programs a `--prog NAME` option selects: all of them without it. */
export function selectPrograms(spec: ObjectSpec, name: string | undefined): readonly ProgramSpec[] {
  if (name === undefined) return spec.programs;
  const found = spec.programs.filter((p) => p.name === name);
  if (found.length === 0) {
    const known = spec.programs.map((p) => p.name).join(", ") || "none";
    throw new UsageError(`no program named '${name}' (programs: ${known})`);
  }
  return found;
}
