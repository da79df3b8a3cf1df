/** A malformed or unsupported ELF object; `section` and `offset` say where. */
export class ElfError extends Error {
  readonly section?: string;
  readonly offset?: number;

  constructor(message: string, where: { section?: string; offset?: number } = {}) {
    super(message);
    this.name = "ElfError";
    if (where.section !== undefined) this.section = where.section;
    if (where.offset !== undefined) this.offset = where.offset;
  }
}
