import { checkReferences } from "./check.js";
import { BtfError } from "./errors.js";
import { formatType } from "./format.js";
import { alignOf, sizeOf, skipModifiers } from "./layout.js";
import { declaration } from "./names.js";
import { parseRawBtf } from "./parse.js";
import type { BtfDeclTag, BtfKind, BtfType } from "./types.js";

export { BtfError } from "./errors.js";
export * from "./types.js";

/** A parsed, validated .BTF section: the type graph of one object. */
export class Btf {
  /** index = type id; types[0] is void */
  readonly types: readonly BtfType[];
  /** the string at a string-section offset; a BtfError for offsets past its end */
  readonly stringAt: (offset: number) => string;
  private byName: Map<string, BtfType[]> | undefined;
  private tags: Map<number, BtfDeclTag[]> | undefined;

  constructor(types: readonly BtfType[], stringAt: (offset: number) => string) {
    this.types = types;
    this.stringAt = stringAt;
  }

  type(id: number): BtfType {
    const t = Number.isInteger(id) ? this.types[id] : undefined;
    if (t === undefined) {
      throw new BtfError(`type id ${id} out of range (${this.types.length} types)`, { typeId: id });
    }
    return t;
  }

  /** The first type with this name (and kind, when given); ids in order. */
  findByName(name: string, kind?: BtfKind): BtfType | undefined {
    if (this.byName === undefined) {
      this.byName = new Map();
      for (const t of this.types) {
        if (t.name === "") continue;
        const list = this.byName.get(t.name);
        if (list === undefined) this.byName.set(t.name, [t]);
        else list.push(t);
      }
    }
    const candidates = this.byName.get(name) ?? [];
    return kind === undefined ? candidates[0] : candidates.find((t) => t.kind === kind);
  }

  /** Skips typedef/const/volatile/restrict/type_tag to the type they stand for. */
  resolve(id: number): BtfType {
    return skipModifiers(this.types, this.type(id).id);
  }

  /** Size in bytes (pointers 8, arrays n * element); a BtfError for void, fwd, func and func_proto. */
  sizeof(id: number): number {
    return sizeOf(this.types, this.type(id).id);
  }

  alignof(id: number): number {
    return alignOf(this.types, this.type(id).id);
  }

  /** The C spelling: "int", "struct foo", "struct foo *", "const char *", "unsigned int [4]". */
  typeName(id: number): string {
    return declaration((i) => this.types[i], this.type(id).id, "");
  }

  /**
   * Names of the decl tags on type `id`: those on the type itself when
   * `componentIdx` is omitted (or -1), else those on that member or parameter.
   */
  declTags(id: number, componentIdx = -1): string[] {
    return this.declTagTypes(id, componentIdx).map((t) => t.name);
  }

  /** The DECL_TAG types behind `declTags`, for callers that need their ids or attribute flag. */
  declTagTypes(id: number, componentIdx = -1): BtfDeclTag[] {
    if (this.tags === undefined) {
      this.tags = new Map();
      for (const t of this.types) {
        if (t.kind !== "decl_tag") continue;
        const list = this.tags.get(t.type);
        if (list === undefined) this.tags.set(t.type, [t]);
        else list.push(t);
      }
    }
    return (this.tags.get(id) ?? []).filter((t) => t.componentIdx === componentIdx);
  }

  /**
   * A C declaration: structs and unions with member offsets, sizes and decl
   * tags as `__attribute__((btf_decl_tag("...")))`; enums with values; funcs
   * as prototypes; vars with linkage (`static int x;`).
   */
  format(id: number): string {
    return formatType(this, id);
  }
}

/** Parses .BTF section bytes, validating them as the kernel does at BPF_BTF_LOAD. */
export function parseBtf(bytes: Uint8Array): Btf {
  const parsed = parseRawBtf(bytes);
  checkReferences(parsed);
  const { strings } = parsed;
  return new Btf(parsed.types, (offset) => strings.at(offset));
}
