// Hand-assembles .BTF and .BTF.ext sections for the malformed-input tests,
// following the layouts of include/uapi/linux/btf.h.

export const KIND = {
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

export const info = (kind: number, vlen = 0, kflag = false): number =>
  ((kflag ? 0x80000000 : 0) | (kind << 24) | vlen) >>> 0;

/** BTF_INT_ENCODING << 24 | BTF_INT_OFFSET << 16 | BTF_INT_BITS */
export const intData = (bits: number, encoding = 0, offset = 0): number =>
  ((encoding << 24) | (offset << 16) | bits) >>> 0;

export class BtfBuilder {
  private readonly strings: number[] = [0];
  private readonly words: number[] = [];
  private count = 0;
  /** extra header bytes after the 24 standard ones */
  headerTail: number[] = [];

  str(s: string): number {
    const off = this.strings.length;
    this.strings.push(...new TextEncoder().encode(s), 0);
    return off;
  }

  /** Appends one type record given as u32 words; returns its id. */
  type(...words: number[]): number {
    this.words.push(...words);
    return this.count++ + 1;
  }

  /** The standard `int`: 4 bytes, signed, 32 bits. */
  int(name = "int"): number {
    return this.type(this.str(name), info(KIND.INT), 4, intData(32, 1));
  }

  build(): Uint8Array {
    const hdrLen = 24 + this.headerTail.length;
    const typeLen = this.words.length * 4;
    const strLen = this.strings.length;
    const bytes = new Uint8Array(hdrLen + typeLen + strLen);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, 0xeb9f, true);
    view.setUint8(2, 1);
    view.setUint32(4, hdrLen, true);
    view.setUint32(8, 0, true);
    view.setUint32(12, typeLen, true);
    view.setUint32(16, typeLen, true);
    view.setUint32(20, strLen, true);
    bytes.set(this.headerTail, 24);
    this.words.forEach((w, i) => {
      view.setUint32(hdrLen + i * 4, w, true);
    });
    bytes.set(this.strings, hdrLen + typeLen);
    return bytes;
  }
}

/** One .BTF.ext info section: record size, then { sec_name_off, num_info, records }. */
export function extInfo(
  recordSize: number,
  sections: { nameOff: number; records: number[][] }[],
): number[] {
  const words = [recordSize];
  for (const s of sections) {
    words.push(s.nameOff, s.records.length);
    for (const r of s.records) words.push(...r);
  }
  return words;
}

/** A .BTF.ext section with func_info, line_info and core_relo subsections (u32 words each). */
export function buildBtfExt(
  func: number[],
  line: number[],
  core: number[],
  hdrLen = 32,
): Uint8Array {
  const body = [...func, ...line, ...core];
  const bytes = new Uint8Array(hdrLen + body.length * 4);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, 0xeb9f, true);
  view.setUint8(2, 1);
  view.setUint32(4, hdrLen, true);
  view.setUint32(8, 0, true);
  view.setUint32(12, func.length * 4, true);
  view.setUint32(16, func.length * 4, true);
  view.setUint32(20, line.length * 4, true);
  if (hdrLen >= 32) {
    view.setUint32(24, (func.length + line.length) * 4, true);
    view.setUint32(28, core.length * 4, true);
  }
  body.forEach((w, i) => {
    view.setUint32(hdrLen + i * 4, w, true);
  });
  return bytes;
}
