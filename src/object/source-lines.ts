import type { LineInfo, ProgramSpec } from "./spec.js";

/**
 * The line info record in force at an instruction: the last one that starts at
 * or before it, as the kernel's `find_linfo` picks it.
 */
export function lineInfoAt(program: ProgramSpec, insn: number): LineInfo | undefined {
  let found: LineInfo | undefined;
  for (const rec of program.lineInfo) {
    if (rec.insn > insn) break;
    found = rec;
  }
  return found;
}

/** `file.c:12` for an instruction, or undefined without line info. */
export function sourceLocation(program: ProgramSpec, insn: number): string | undefined {
  const rec = lineInfoAt(program, insn);
  return rec === undefined ? undefined : `${fileBaseName(rec.file)}:${rec.line}`;
}

/** The file name as the verifier log shows it: without its directories. */
export function fileBaseName(file: string): string {
  return file.slice(file.lastIndexOf("/") + 1);
}

/**
 * The log's source annotation: `; return v->a; @ file.c:12`, the source's
 * leading blanks trimmed and the file named without its directories, as the
 * kernel prints it.
 */
export function formatSourceLine(rec: LineInfo): string {
  return `; ${rec.text.trimStart()} @ ${fileBaseName(rec.file)}:${rec.line}`;
}

/** Two records for the same source line (different columns): the log prints the line once. */
export function isSameSourceLine(a: LineInfo, b: LineInfo): boolean {
  return a.text === b.text && a.file === b.file;
}
