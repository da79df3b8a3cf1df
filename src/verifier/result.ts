/** What verifying one program produces: the same facts the kernel's BPF_PROG_LOAD reports. */
export interface VerifyResult {
  readonly verdict: "accept" | "reject";
  /** the log's closing error lines, in order; empty when accepted */
  readonly errors: readonly string[];
  /** the kernel's errno for a rejection (EINVAL = 22, EACCES = 13, E2BIG = 7, ...) */
  readonly errno: number;
  /** the instruction the error was found at */
  readonly insn: number | undefined;
  /** `file.c:45` of that instruction, from line info */
  readonly source: string | undefined;
  /** the statistics line's numbers */
  readonly processed: number;
  readonly maxStatesPerInsn: number;
  readonly totalStates: number;
  readonly peakStates: number;
  readonly markRead: number;
  readonly verifyTimeUs: number;
  /** the log at the requested level ("" at level 0) */
  readonly log: string;
}

export interface VerifyOptions {
  /** 0 (no log), 1 (the failing path), 2 (every instruction); 4 adds statistics only */
  readonly logLevel?: number;
}

export const EPERM = 1;
export const ENOENT = 2;
export const E2BIG = 7;
export const EACCES = 13;
export const EFAULT = 14;
export const EINVAL = 22;
export const ENOSPC = 28;
export const ENOTSUP = 524;

/**
 * A rule the program breaks. Thrown from deep inside a check and caught by the
 * main loop; the message lines were already written to the log.
 */
export class VerifierReject extends Error {
  override readonly name = "VerifierReject";
  constructor(
    readonly errno: number,
    message: string,
  ) {
    super(message);
  }
}
