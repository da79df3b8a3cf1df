// The .BTF.ext section: per ELF section func info, line info and CO-RE
// relocation records (struct btf_ext_header and the bpf_func_info,
// bpf_line_info and bpf_core_relo records of include/uapi/linux/bpf.h).
// The record sizes come from the section itself so newer, longer records
// still parse; checks follow libbpf's btf_ext_parse / btf_ext_setup_info.

import type { Btf } from "./btf.js";
import { BtfError } from "./errors.js";

export interface BtfExtFuncInfo {
  /** instruction index (byte offset / 8) within the ELF section */
  readonly insn: number;
  /** the FUNC type */
  readonly typeId: number;
}

export interface BtfExtLineInfo {
  readonly insn: number;
  readonly fileName: string;
  readonly line: number;
  readonly column: number;
  /** the source line, as clang stored it */
  readonly text: string;
}

export interface BtfExtCoreRelo {
  readonly insn: number;
  /** the local root type of the access */
  readonly typeId: number;
  /** "0:1:2": the access path; for enum value relocations the enumerator index */
  readonly accessStr: string;
  /** BPF_CORE_* */
  readonly kind: number;
}

export interface BtfExt {
  /** keyed by ELF section name */
  readonly funcInfo: ReadonlyMap<string, readonly BtfExtFuncInfo[]>;
  readonly lineInfo: ReadonlyMap<string, readonly BtfExtLineInfo[]>;
  readonly coreRelos: ReadonlyMap<string, readonly BtfExtCoreRelo[]>;
}

/** enum bpf_core_relo_kind */
export const BPF_CORE_FIELD_BYTE_OFFSET = 0;
export const BPF_CORE_FIELD_BYTE_SIZE = 1;
export const BPF_CORE_FIELD_EXISTS = 2;
export const BPF_CORE_FIELD_SIGNED = 3;
export const BPF_CORE_FIELD_LSHIFT_U64 = 4;
export const BPF_CORE_FIELD_RSHIFT_U64 = 5;
export const BPF_CORE_TYPE_ID_LOCAL = 6;
export const BPF_CORE_TYPE_ID_TARGET = 7;
export const BPF_CORE_TYPE_EXISTS = 8;
export const BPF_CORE_TYPE_SIZE = 9;
export const BPF_CORE_ENUMVAL_EXISTS = 10;
export const BPF_CORE_ENUMVAL_VALUE = 11;
export const BPF_CORE_TYPE_MATCHES = 12;

/** libbpf's names for the relocation kinds (core_relo_kind_str), by kind number. */
export const CORE_RELO_KIND_NAMES: readonly string[] = [
  "byte_off",
  "byte_sz",
  "field_exists",
  "signed",
  "lshift_u64",
  "rshift_u64",
  "local_type_id",
  "target_type_id",
  "type_exists",
  "type_size",
  "enumval_exists",
  "enumval_value",
  "type_matches",
];

const BTF_EXT_MAGIC = 0xeb9f;
const BTF_EXT_VERSION = 1;
/** header up to and including line_info_len; core_relo_off/len follow when hdr_len allows */
const MIN_HEADER_SIZE = 24;
const CORE_HEADER_SIZE = 32;
const INSN_SIZE = 8;

const hex = (n: number): string => `0x${n.toString(16)}`;

interface InfoKind<T> {
  readonly name: string;
  /** smallest record size this parser understands */
  readonly minRecord: number;
  readonly decode: (view: DataView, at: number, insn: number) => T;
}

/**
 * One info section: a record size, then for each ELF section
 * { sec_name_off, num_info, records[num_info] }.
 */
function parseInfo<T>(
  view: DataView,
  btf: Btf,
  start: number,
  length: number,
  kind: InfoKind<T>,
): Map<string, T[]> {
  const out = new Map<string, T[]>();
  if (length === 0) return out;
  const end = start + length;
  const fail = (text: string, offset: number): never => {
    throw new BtfError(`.BTF.ext ${kind.name} at offset ${hex(offset)}: ${text}`, { offset });
  };
  if (length < 4) fail("record size not found", start);
  const recordSize = view.getUint32(start, true);
  if (recordSize < kind.minRecord || recordSize % 4 !== 0) {
    fail(
      `record size ${recordSize} is invalid (at least ${kind.minRecord}, a multiple of 4)`,
      start,
    );
  }
  let at = start + 4;
  while (at < end) {
    if (end - at < 8) fail("section header is not found", at);
    const nameOff = view.getUint32(at, true);
    const count = view.getUint32(at + 4, true);
    const name = stringOf(btf, nameOff, () => fail(`invalid section name offset ${nameOff}`, at));
    if (count === 0) fail(`section "${name}" has incorrect num_records 0`, at);
    const records = at + 8;
    if ((end - records) / recordSize < count) {
      fail(
        `section "${name}" has ${count} records of ${recordSize} bytes, past the end of the data`,
        at,
      );
    }
    const list = out.get(name) ?? [];
    for (let i = 0; i < count; i++) {
      const rec = records + i * recordSize;
      const byteOff = view.getUint32(rec, true);
      if (byteOff % INSN_SIZE !== 0) {
        fail(
          `section "${name}" record ${i}: insn_off ${byteOff} is not a multiple of ${INSN_SIZE}`,
          rec,
        );
      }
      try {
        list.push(kind.decode(view, rec, byteOff / INSN_SIZE));
      } catch (e) {
        if (e instanceof BtfError) fail(`section "${name}" record ${i}: ${e.message}`, rec);
        throw e;
      }
    }
    out.set(name, list);
    at = records + count * recordSize;
  }
  return out;
}

function stringOf(btf: Btf, offset: number, onError: () => never): string {
  try {
    return btf.stringAt(offset);
  } catch (e) {
    if (e instanceof BtfError) onError();
    throw e;
  }
}

function typeIdIn(btf: Btf, id: number): number {
  btf.type(id);
  return id;
}

/** Parses .BTF.ext bytes; strings and type ids refer to `btf`. */
export function parseBtfExt(bytes: Uint8Array, btf: Btf): BtfExt {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint16(0, true) !== BTF_EXT_MAGIC) {
    throw new BtfError(`.BTF.ext: Invalid magic, expected ${hex(BTF_EXT_MAGIC)}`, { offset: 0 });
  }
  if (view.getUint8(2) !== BTF_EXT_VERSION) {
    throw new BtfError(`.BTF.ext: Unsupported version ${view.getUint8(2)}`, { offset: 2 });
  }
  if (view.getUint8(3) !== 0) {
    throw new BtfError(`.BTF.ext: Unsupported flags ${hex(view.getUint8(3))}`, { offset: 3 });
  }
  if (bytes.length < 8) throw new BtfError(".BTF.ext: hdr_len not found", { offset: 4 });
  const hdrLen = view.getUint32(4, true);
  if (hdrLen < MIN_HEADER_SIZE || hdrLen > bytes.length) {
    throw new BtfError(
      `.BTF.ext: hdr_len ${hdrLen} is invalid (at least ${MIN_HEADER_SIZE}, section is ${bytes.length} bytes)`,
      { offset: 4 },
    );
  }
  const sectionAt = (field: number, name: string): { start: number; length: number } => {
    const off = view.getUint32(field, true);
    const len = view.getUint32(field + 4, true);
    if (off % 4 !== 0) {
      throw new BtfError(
        `.BTF.ext: ${name} section (off:${off} len:${len}) is not aligned to 4 bytes`,
        {
          offset: field,
        },
      );
    }
    if (off + len > bytes.length - hdrLen) {
      throw new BtfError(
        `.BTF.ext: ${name} section (off:${off} len:${len}) is beyond the end of the ELF section .BTF.ext (${bytes.length} bytes)`,
        { offset: field },
      );
    }
    return { start: hdrLen + off, length: len };
  };

  const func = sectionAt(8, "func_info");
  const line = sectionAt(16, "line_info");
  const core =
    hdrLen >= CORE_HEADER_SIZE ? sectionAt(24, "core_relo") : { start: hdrLen, length: 0 };

  const funcInfo = parseInfo(view, btf, func.start, func.length, {
    name: "func_info",
    minRecord: 8,
    decode: (v, at, insn) => ({ insn, typeId: typeIdIn(btf, v.getUint32(at + 4, true)) }),
  });
  const lineInfo = parseInfo(view, btf, line.start, line.length, {
    name: "line_info",
    minRecord: 16,
    decode: (v, at, insn) => {
      const lineCol = v.getUint32(at + 12, true);
      return {
        insn,
        fileName: btf.stringAt(v.getUint32(at + 4, true)),
        text: btf.stringAt(v.getUint32(at + 8, true)),
        line: lineCol >>> 10,
        column: lineCol & 0x3ff,
      };
    },
  });
  const coreRelos = parseInfo(view, btf, core.start, core.length, {
    name: "core_relo",
    minRecord: 16,
    decode: (v, at, insn) => ({
      insn,
      typeId: typeIdIn(btf, v.getUint32(at + 4, true)),
      accessStr: btf.stringAt(v.getUint32(at + 8, true)),
      kind: v.getUint32(at + 12, true),
    }),
  });
  return { funcInfo, lineInfo, coreRelos };
}
