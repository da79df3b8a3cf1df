import type { SpecialFieldKind } from "./kinds.js";

/** What a list head or tree root holds, from its `contains:<struct>:<node>` tag. */
export interface GraphRootContains {
  /** the held struct's id in the same BTF */
  readonly structId: number;
  readonly structName: string;
  /** the node member's name inside that struct */
  readonly nodeName: string;
  /** byte offset of that member */
  readonly nodeOffset: number;
}

export interface SpecialField {
  readonly kind: SpecialFieldKind;
  /** byte offset inside the struct or data section */
  readonly offset: number;
  readonly size: number;
  /** member path from the parsed type, e.g. `inner.head`, `ghead_array[1]`, for messages */
  readonly path: string;
  /** graph roots (list_head, rb_root) only */
  readonly contains?: GraphRootContains;
  /** kptrs and uptrs only: the pointed-to struct, modifiers skipped */
  readonly pointeeId?: number;
}

/** The kernel's `struct btf_record`: the special fields of one type, by offset. */
export interface FieldRecord {
  /** the struct or DATASEC the record describes */
  readonly typeId: number;
  /** sorted by offset; empty when the type has none */
  readonly fields: readonly SpecialField[];
  readonly kinds: ReadonlySet<SpecialFieldKind>;
  /** offsets of the one-per-allocation fields; -1 when absent */
  readonly spinLockOffset: number;
  readonly resSpinLockOffset: number;
  readonly timerOffset: number;
  readonly wqOffset: number;
  readonly refcountOffset: number;
  readonly taskWorkOffset: number;
}

/**
 * The field whose bytes include `offset` (btf_record_find), optionally only
 * of the given kinds; undefined when no field covers it.
 */
export function fieldAt(
  record: FieldRecord | undefined,
  offset: number,
  kinds?: ReadonlySet<SpecialFieldKind>,
): SpecialField | undefined {
  if (record === undefined) return undefined;
  const { fields } = record;
  let lo = 0;
  let hi = fields.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = fields[mid]!;
    if (offset < f.offset) hi = mid - 1;
    else if (offset >= f.offset + f.size) lo = mid + 1;
    else return kinds === undefined || kinds.has(f.kind) ? f : undefined;
  }
  return undefined;
}

/** True when the record has a field of any of the given kinds (btf_record_has_field). */
export function hasField(record: FieldRecord | undefined, ...kinds: SpecialFieldKind[]): boolean {
  return record !== undefined && kinds.some((k) => record.kinds.has(k));
}
