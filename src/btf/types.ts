// The BTF type model: one variant per BTF_KIND_* of include/uapi/linux/btf.h,
// with ids and names resolved and the packed encodings (int data, kind_flag
// bitfields, enum64 halves) unpacked.

/** BTF_KIND_* numbers, as stored in bits 24-28 of btf_type.info. */
export const BTF_KIND_NUMBERS = {
  int: 1,
  ptr: 2,
  array: 3,
  struct: 4,
  union: 5,
  enum: 6,
  fwd: 7,
  typedef: 8,
  volatile: 9,
  const: 10,
  restrict: 11,
  func: 12,
  func_proto: 13,
  var: 14,
  datasec: 15,
  float: 16,
  decl_tag: 17,
  type_tag: 18,
  enum64: 19,
} as const;

/** The names the kernel's btf_kind_str[] prints, by BTF_KIND_* number. */
export const BTF_KIND_LABELS: readonly string[] = [
  "UNKNOWN",
  "INT",
  "PTR",
  "ARRAY",
  "STRUCT",
  "UNION",
  "ENUM",
  "FWD",
  "TYPEDEF",
  "VOLATILE",
  "CONST",
  "RESTRICT",
  "FUNC",
  "FUNC_PROTO",
  "VAR",
  "DATASEC",
  "FLOAT",
  "DECL_TAG",
  "TYPE_TAG",
  "ENUM64",
];

export type Linkage = "static" | "global" | "extern";

interface TypeBase {
  readonly id: number;
  /** "" for anonymous types */
  readonly name: string;
}

export interface BtfVoid extends TypeBase {
  readonly kind: "void";
}

export interface BtfInt extends TypeBase {
  readonly kind: "int";
  /** bytes */
  readonly size: number;
  /** BTF_INT_BITS: number of value bits */
  readonly bits: number;
  /** BTF_INT_OFFSET: bit offset of the value inside the storage */
  readonly offset: number;
  readonly signed: boolean;
  readonly char: boolean;
  readonly bool: boolean;
}

/** Kinds that only point at another type through `type`. */
export interface BtfReference<K extends string> extends TypeBase {
  readonly kind: K;
  readonly type: number;
}

export type BtfPtr = BtfReference<"ptr">;
export type BtfTypedef = BtfReference<"typedef">;
export type BtfVolatile = BtfReference<"volatile">;
export type BtfConst = BtfReference<"const">;
export type BtfRestrict = BtfReference<"restrict">;
/** `name` is the tag, e.g. "user" for `__attribute__((btf_type_tag("user")))` */
export interface BtfTypeTag extends BtfReference<"type_tag"> {
  /**
   * Set (kind_flag) when the tag is a plain attribute rather than a
   * btf_type_tag: `name` is then the attribute's text, e.g. "address_space(1)".
   */
  readonly attribute?: true;
}

export interface BtfArray extends TypeBase {
  readonly kind: "array";
  readonly elemType: number;
  readonly indexType: number;
  readonly nelems: number;
}

export interface BtfMember {
  readonly name: string;
  readonly type: number;
  readonly bitOffset: number;
  /** 0 unless the member is a bitfield */
  readonly bitfieldSize: number;
}

export interface BtfComposite<K extends "struct" | "union"> extends TypeBase {
  readonly kind: K;
  readonly size: number;
  readonly members: readonly BtfMember[];
}

export type BtfStruct = BtfComposite<"struct">;
export type BtfUnion = BtfComposite<"union">;

export interface BtfEnum extends TypeBase {
  readonly kind: "enum";
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly { readonly name: string; readonly value: number }[];
}

export interface BtfEnum64 extends TypeBase {
  readonly kind: "enum64";
  readonly size: number;
  readonly signed: boolean;
  readonly values: readonly { readonly name: string; readonly value: bigint }[];
}

export interface BtfFwd extends TypeBase {
  readonly kind: "fwd";
  /** a forward `union x;` rather than `struct x;` */
  readonly union: boolean;
}

export interface BtfFunc extends TypeBase {
  readonly kind: "func";
  /** the func_proto */
  readonly type: number;
  readonly linkage: Linkage;
}

export interface BtfParam {
  /** "" for unnamed parameters and for the variadic marker */
  readonly name: string;
  /** 0 (with name "") in the last position marks a variadic function */
  readonly type: number;
}

export interface BtfFuncProto extends TypeBase {
  readonly kind: "func_proto";
  readonly returnType: number;
  readonly params: readonly BtfParam[];
}

export interface BtfVar extends TypeBase {
  readonly kind: "var";
  readonly type: number;
  readonly linkage: Linkage;
}

export interface BtfVarSecinfo {
  /** the var's type id */
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}

export interface BtfDatasec extends TypeBase {
  readonly kind: "datasec";
  /** 0 in objects straight from clang; loaders fill it in from the ELF section */
  readonly size: number;
  readonly vars: readonly BtfVarSecinfo[];
}

export interface BtfFloat extends TypeBase {
  readonly kind: "float";
  readonly size: number;
}

/** `name` is the tag string, e.g. "contains:foo:node" */
export interface BtfDeclTag extends TypeBase {
  readonly kind: "decl_tag";
  /** the tagged struct, union, func, var or typedef */
  readonly type: number;
  /** member or parameter index; -1 when the tag is on the type or var itself */
  readonly componentIdx: number;
  /** set (kind_flag) when `name` is a plain attribute's text rather than a btf_decl_tag */
  readonly attribute?: true;
}

export type BtfType =
  | BtfVoid
  | BtfInt
  | BtfPtr
  | BtfArray
  | BtfStruct
  | BtfUnion
  | BtfEnum
  | BtfFwd
  | BtfTypedef
  | BtfVolatile
  | BtfConst
  | BtfRestrict
  | BtfFunc
  | BtfFuncProto
  | BtfVar
  | BtfDatasec
  | BtfFloat
  | BtfDeclTag
  | BtfTypeTag
  | BtfEnum64;

export type BtfKind = BtfType["kind"];

/** Kinds that qualify or rename a type without changing its layout. */
export type BtfModifier = BtfTypedef | BtfVolatile | BtfConst | BtfRestrict | BtfTypeTag;

export function isModifier(t: BtfType): t is BtfModifier {
  return (
    t.kind === "typedef" ||
    t.kind === "volatile" ||
    t.kind === "const" ||
    t.kind === "restrict" ||
    t.kind === "type_tag"
  );
}

/** The kernel's label for a kind ("STRUCT", "FUNC_PROTO", ...); "VOID" for type 0. */
export function kindLabel(kind: BtfKind): string {
  return kind === "void" ? "VOID" : BTF_KIND_LABELS[BTF_KIND_NUMBERS[kind]]!;
}
