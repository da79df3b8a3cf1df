import { readFileSync } from "node:fs";
import { isInputError } from "../api.js";

/** Exit codes shared by every command. */
export const EXIT_OK = 0;
/** a program was rejected / a test failed */
export const EXIT_FAILED = 1;
/** the input could not be used at all */
export const EXIT_BAD_INPUT = 2;
/** tsbpf itself failed: a bug (EX_SOFTWARE) */
export const EXIT_INTERNAL = 70;

/** Where a command writes; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** a transient status line for long batches; shown only on a terminal */
  progress?(text: string | undefined): void;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  progress: (text) => {
    if (!process.stderr.isTTY) return;
    process.stderr.write(
      text === undefined
        ? "\r\x1b[K"
        : `\r\x1b[K${text.slice(0, (process.stderr.columns ?? 80) - 1)}`,
    );
  },
};

/** What every command needs from the shell around it. */
export interface CliContext {
  readonly io: CliIo;
  /** records the exit code of the command that ran */
  exit(code: number): void;
}

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
    if (code === "EISDIR") throw new UsageError("is a directory, not a file");
    if (code === "EACCES") throw new UsageError("permission denied");
    throw new UsageError(`cannot read: ${(err as Error).message}`);
  }
}

function where(err: unknown): string {
  const e = err as {
    section?: string;
    offset?: number;
    typeId?: number;
    line?: number;
    index?: number;
  };
  const parts: string[] = [];
  if (e.section !== undefined) parts.push(`section ${e.section}`);
  if (e.offset !== undefined) parts.push(`offset ${e.offset}`);
  if (e.typeId !== undefined) parts.push(`type id ${e.typeId}`);
  if (e.line !== undefined) parts.push(`line ${e.line}`);
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}

/**
 * Runs a command body and turns what it throws into one line on stderr and an
 * exit code: 2 for input tsbpf cannot use, 70 (with a request to report it)
 * for anything else. Stack traces only under --debug.
 */
export async function runCommand(
  ctx: CliContext,
  file: string | undefined,
  debug: boolean,
  body: () => number | Promise<number>,
): Promise<void> {
  try {
    ctx.exit(await body());
  } catch (err) {
    const prefix = file === undefined ? "tsbpf: " : `tsbpf: ${file}: `;
    if (err instanceof UsageError || isInputError(err)) {
      const kind = err instanceof UsageError ? "" : `${err.name}: `;
      ctx.io.err(`${prefix}${kind}${err.message}${where(err)}\n`);
      if (debug) ctx.io.err(`${(err as Error).stack}\n`);
      ctx.exit(EXIT_BAD_INPUT);
    } else {
      const e = err as Error | undefined;
      ctx.io.err(`${prefix}internal error: ${e?.message ?? String(err)}\n`);
      ctx.io.err(
        debug
          ? `${e?.stack}\n`
          : "(run again with --debug for the stack trace, and please report it)\n",
      );
      ctx.exit(EXIT_INTERNAL);
    }
  }
}

export function toJson(value: unknown): string {
  return `${JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2)}\n`;
}
