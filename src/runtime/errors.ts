/**
 * A run that had to stop: a bad memory access, a jump outside the program, an
 * unknown helper, an exhausted instruction budget. `insn` is the index (in
 * slots, as the kernel counts) of the instruction that faulted, when the fault
 * happened while a program was running.
 */
export class RuntimeFault extends Error {
  readonly insn: number | undefined;

  constructor(message: string, insn?: number) {
    super(insn === undefined ? message : `insn ${insn}: ${message}`);
    this.name = "RuntimeFault";
    this.insn = insn;
  }
}

/**
 * A map operation from the host that the kernel would refuse; `errno` is the
 * kernel's negative error number (-ENOENT, -EEXIST, -E2BIG, -EINVAL, -EPERM).
 */
export class MapError extends Error {
  readonly errno: number;

  constructor(message: string, errno: number) {
    super(message);
    this.name = "MapError";
    this.errno = errno;
  }
}

export const EPERM = 1;
export const ENOENT = 2;
export const E2BIG = 7;
export const ENOMEM = 12;
export const EBUSY = 16;
export const EEXIST = 17;
export const EINVAL = 22;
export const ENOSPC = 28;
export const ENOTSUPP = 524;
