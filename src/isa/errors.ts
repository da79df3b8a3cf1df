/** Malformed instruction bytes or fields: wrong length, a field out of range, a reserved field set. */
export class IsaError extends Error {
  /** Index of the instruction slot at fault, when there is one. */
  readonly index: number | undefined;

  constructor(message: string, index?: number) {
    super(message);
    this.name = "IsaError";
    this.index = index;
  }
}

/** Assembly text that cannot be assembled; `line` is 1-based. */
export class AsmError extends Error {
  readonly line: number;

  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
    this.name = "AsmError";
    this.line = line;
  }
}

/** A conformance test file (`*.data`) that does not follow the suite's format. */
export class ConformanceFileError extends Error {
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(message: string, file?: string, line?: number) {
    const where = file === undefined ? "" : line === undefined ? `${file}: ` : `${file}:${line}: `;
    super(where + message);
    this.name = "ConformanceFileError";
    this.file = file;
    this.line = line;
  }
}
