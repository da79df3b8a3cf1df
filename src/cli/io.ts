import { readFileSync } from "node:fs";
import { isInputError } from "../api.js";

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** a program was rejected / a test failed */
export const EXIT_FAILED = 1;
/** the input could not be used at all */
export const EXIT_BAD_INPUT = 2;

/** An input problem the CLI found itself (missing file, unknown program name). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export function readInput(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new UsageError("no such file");
    if (code === "EISDIR") throw new UsageError("is a directory, not an object file");
    if (code === "EACCES") throw new UsageError("permission denied");
    throw new UsageError(`cannot read: ${(err as Error).message}`);
  }
}

function where(err: unknown): string {
  const e = err as { section?: string; offset?: number; typeId?: number; line?: number };
  const parts: string[] = [];
  if (e.section !== undefined) parts.push(`section ${e.section}`);
  if (e.offset !== undefined) parts.push(`offset ${e.offset}`);
  if (e.typeId !== undefined) parts.push(`type id ${e.typeId}`);
  if (e.line !== undefined) parts.push(`line ${e.line}`);
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}

/**
 * Runs a command body and turns what it throws into one line on stderr and an
 * exit code: 2 for input tsbpf cannot use, and a bug report (with the stack
 * only under --debug) for anything else.
 */
export async function runCommand(
  file: string | undefined,
  debug: boolean,
  body: () => number | Promise<number>,
): Promise<void> {
  let code: number;
  try {
    code = await body();
  } catch (err) {
    const prefix = file === undefined ? "tsbpf: " : `tsbpf: ${file}: `;
    if (err instanceof UsageError || isInputError(err)) {
      const kind = err instanceof UsageError ? "" : `${err.name}: `;
      process.stderr.write(`${prefix}${kind}${err.message}${where(err)}\n`);
      if (debug) process.stderr.write(`${(err as Error).stack}\n`);
      code = EXIT_BAD_INPUT;
    } else {
      process.stderr.write(
        `${prefix}internal error: ${(err as Error)?.message ?? String(err)}\n` +
          (debug ? `${(err as Error)?.stack}\n` : "(run again with --debug for the stack trace, and please report it)\n"),
      );
      code = 70;
    }
  }
  process.exitCode = code;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
