import { VerifierReject } from "../result.js";

/**
 * Where the structural checks write the kernel's log text: one call per line,
 * without the newline. A few kernel messages end without a newline, so the
 * next log output continues on the same line; for those `endsLine` is false.
 */
export type StructureLog = (line: string, endsLine?: boolean) => void;

/** Errnos the structural checks report beyond those of ../result.ts. */
export const EBADF = 9;
export const EBUSY = 16;
export const ERANGE = 34;
export const EPROTO = 71;

/** Writes the kernel's message and throws it as the program's rejection. */
export function reject(log: StructureLog, errno: number, message: string, endsLine = true): never {
  log(message, endsLine);
  throw new VerifierReject(errno, message);
}
