/**
 * An object file that is well-formed ELF and BTF but breaks the conventions a
 * BPF loader relies on: a relocation against an unknown symbol, a map
 * definition without a type, an extern no table resolves.
 */
export class LoadError extends Error {
  override readonly name = "LoadError";
  /** the ELF section the problem is in, when there is one */
  readonly section: string | undefined;
  /** byte offset inside that section */
  readonly offset: number | undefined;

  constructor(message: string, where: { section?: string; offset?: number } = {}) {
    super(message);
    this.section = where.section;
    this.offset = where.offset;
  }
}
