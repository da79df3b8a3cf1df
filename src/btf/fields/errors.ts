import { BtfError } from "../errors.js";

/** The errno values the kernel's special-field parsing returns (negated there). */
export const ERRNO = {
  ENOENT: 2,
  E2BIG: 7,
  EACCES: 13,
  EFAULT: 14,
  EEXIST: 17,
  EINVAL: 22,
  ELOOP: 40,
  EOPNOTSUPP: 95,
} as const;

export type ErrnoName = keyof typeof ERRNO;

/**
 * Where the kernel applies a check: `btf_load` when BPF_BTF_LOAD parses the
 * struct metas of program BTF, `map_create` when BPF_MAP_CREATE checks a
 * map's value type.
 */
export type FieldCheckStage = "btf_load" | "map_create";

/**
 * Special fields the kernel refuses. `errno` is the positive errno the kernel
 * returns for the same BTF; `typeId` the struct or DATASEC being parsed;
 * `member` the member or variable path inside it (`inner.head`,
 * `ghead_array`), when one is to blame.
 */
export class FieldError extends BtfError {
  readonly errno: number;
  readonly code: ErrnoName;
  readonly member?: string;

  constructor(code: ErrnoName, message: string, where: { typeId?: number; member?: string } = {}) {
    super(`${message} (${code})`, where.typeId === undefined ? {} : { typeId: where.typeId });
    this.name = "FieldError";
    this.code = code;
    this.errno = ERRNO[code];
    if (where.member !== undefined) this.member = where.member;
  }
}
