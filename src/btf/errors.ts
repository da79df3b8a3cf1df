/**
 * Malformed or unsupported BTF / BTF.ext data. `typeId` names the type at
 * fault, `offset` the byte offset inside the .BTF (or .BTF.ext) section.
 */
export class BtfError extends Error {
  readonly typeId?: number;
  readonly offset?: number;

  constructor(message: string, where: { typeId?: number; offset?: number } = {}) {
    super(message);
    this.name = "BtfError";
    if (where.typeId !== undefined) this.typeId = where.typeId;
    if (where.offset !== undefined) this.offset = where.offset;
  }
}
