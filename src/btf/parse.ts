// Decoding of the raw .BTF section: header, string section and the type
// records, with the structural checks of the kernel's btf_parse_hdr,
// btf_check_sec_info, btf_parse_str_sec and the per-kind check_meta
// callbacks (kernel/bpf/btf.c). Messages reuse the kernel's texts and add
// where the fault is.

import { BtfError } from "./errors.js";
import { BtfStrings } from "./strings.js";
import { BTF_KIND_LABELS, type BtfMember, type BtfType, type Linkage } from "./types.js";

export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;
const HEADER_SIZE = 24;
const TYPE_HEADER_SIZE = 12;
/** BTF_INFO_MASK: vlen (0-15), kind (24-28), kind_flag (31) */
const INFO_MASK = 0x9f00ffff;
const INT_MASK = 0x0fffffff;
const INT_SIGNED = 1;
const INT_CHAR = 2;
const INT_BOOL = 4;
const MAX_TYPE = 0x000fffff;

const hex = (n: number): string => `0x${n.toString(16)}`;

export interface ParsedBtf {
  readonly types: BtfType[];
  readonly strings: BtfStrings;
  /** byte offset of each type record inside the .BTF data, by type id (0 for void) */
  readonly offsets: number[];
}

interface Header {
  readonly hdrLen: number;
  readonly typeOff: number;
  readonly typeLen: number;
  readonly strOff: number;
  readonly strLen: number;
}

function parseHeader(bytes: Uint8Array, view: DataView): Header {
  if (bytes.length < 2 || view.getUint16(0, true) !== BTF_MAGIC) {
    const found = bytes.length < 2 ? "data too short" : hex(view.getUint16(0, true));
    const swapped = bytes.length >= 2 && view.getUint16(0, false) === BTF_MAGIC;
    throw new BtfError(
      `Invalid magic: ${found}, expected ${hex(BTF_MAGIC)}${swapped ? " (big-endian BTF is not supported)" : ""}`,
      { offset: 0 },
    );
  }
  if (bytes.length < 8) {
    throw new BtfError(`hdr_len not found: BTF data is ${bytes.length} bytes`, { offset: 0 });
  }
  const hdrLen = view.getUint32(4, true);
  if (bytes.length < hdrLen) {
    throw new BtfError(
      `btf_header not found: hdr_len ${hdrLen} but BTF data is ${bytes.length} bytes`,
      {
        offset: 4,
      },
    );
  }
  if (hdrLen < HEADER_SIZE) {
    throw new BtfError(`btf_header not found: hdr_len ${hdrLen} is shorter than ${HEADER_SIZE}`, {
      offset: 4,
    });
  }
  for (let i = HEADER_SIZE; i < hdrLen; i++) {
    if (bytes[i] !== 0) {
      throw new BtfError(
        `Unsupported btf_header: non-zero byte at offset ${i} past the known fields`,
        {
          offset: i,
        },
      );
    }
  }
  const version = view.getUint8(2);
  if (version !== BTF_VERSION) {
    throw new BtfError(`Unsupported version: ${version}, expected ${BTF_VERSION}`, { offset: 2 });
  }
  const flags = view.getUint8(3);
  if (flags !== 0) {
    throw new BtfError(`Unsupported flags: ${hex(flags)}`, { offset: 3 });
  }
  if (bytes.length === hdrLen) {
    throw new BtfError("No data: the BTF header is not followed by any section", {
      offset: hdrLen,
    });
  }
  const header: Header = {
    hdrLen,
    typeOff: view.getUint32(8, true),
    typeLen: view.getUint32(12, true),
    strOff: view.getUint32(16, true),
    strLen: view.getUint32(20, true),
  };
  checkSections(header, bytes.length);
  return header;
}

/** btf_check_sec_info: the type and string sections tile the data after the header exactly. */
function checkSections(h: Header, size: number): void {
  const secs = [
    { name: "type", off: h.typeOff, len: h.typeLen, field: 8 },
    { name: "string", off: h.strOff, len: h.strLen, field: 16 },
  ].sort((a, b) => a.off - b.off || a.len - b.len);
  const expected = size - h.hdrLen;
  let total = 0;
  for (const sec of secs) {
    const where = `${sec.name} section (off:${sec.off} len:${sec.len}, data after the header is ${expected} bytes)`;
    if (expected < sec.off) {
      throw new BtfError(`Invalid section offset: ${where}`, { offset: sec.field });
    }
    if (total < sec.off) {
      throw new BtfError(`Unsupported section found: gap before the ${where}`, {
        offset: sec.field,
      });
    }
    if (total > sec.off) {
      throw new BtfError(`Section overlap found: ${where}`, { offset: sec.field });
    }
    if (expected - total < sec.len) {
      throw new BtfError(`Total section length too long: ${where}`, { offset: sec.field + 4 });
    }
    total += sec.len;
  }
  if (total !== expected) {
    throw new BtfError(
      `Unsupported section found: ${expected - total} bytes after the type and string sections`,
      { offset: h.hdrLen + total },
    );
  }
  if (h.strOff + h.strLen !== expected) {
    throw new BtfError("String section is not at the end", { offset: 16 });
  }
}

function linkage(value: number): Linkage | undefined {
  return value === 0 ? "static" : value === 1 ? "global" : value === 2 ? "extern" : undefined;
}

/** Decodes the type records; reference targets are checked afterwards, once all ids exist. */
function parseTypes(view: DataView, h: Header, strings: BtfStrings): ParsedBtf {
  const types: BtfType[] = [{ kind: "void", id: 0, name: "" }];
  const offsets: number[] = [0];
  const start = h.hdrLen + h.typeOff;
  const end = start + h.typeLen;
  if (h.typeOff % 4 !== 0) {
    throw new BtfError(`Unaligned type_off: ${h.typeOff}`, { offset: 8 });
  }
  if (h.typeLen === 0) {
    throw new BtfError("No type found: the type section is empty", { offset: 12 });
  }
  let at = start;
  while (at < end) {
    const id = types.length;
    if (id > MAX_TYPE) {
      throw new BtfError(`Too many types: more than ${MAX_TYPE}`, { typeId: id, offset: at });
    }
    const left = end - at;
    const fail = (text: string): never => {
      throw new BtfError(`[${id}] at offset ${hex(at)}: ${text}`, { typeId: id, offset: at });
    };
    if (left < TYPE_HEADER_SIZE) fail(`meta_left:${left} meta_needed:${TYPE_HEADER_SIZE}`);
    const nameOff = view.getUint32(at, true);
    const info = view.getUint32(at + 4, true);
    const sizeOrType = view.getUint32(at + 8, true);
    if ((info & ~INFO_MASK) >>> 0 !== 0) fail(`Invalid btf_info:${(info >>> 0).toString(16)}`);
    const kindNo = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const kflag = info >>> 31 === 1;
    if (kindNo === 0 || kindNo >= BTF_KIND_LABELS.length) fail(`Invalid kind:${kindNo}`);
    const label = BTF_KIND_LABELS[kindNo]!;
    if (!strings.has(nameOff)) fail(`${label} Invalid name_offset:${nameOff}`);
    const name = strings.at(nameOff);
    const where = (text: string): never => fail(`${label} '${name}' ${text}`);
    const extra = at + TYPE_HEADER_SIZE;
    const need = (bytes: number): void => {
      if (left - TYPE_HEADER_SIZE < bytes) {
        where(`meta_left:${left - TYPE_HEADER_SIZE} meta_needed:${bytes}`);
      }
    };
    const noVlen = (): void => {
      if (vlen !== 0) where("vlen != 0");
    };
    const noKflag = (): void => {
      if (kflag) where("Invalid btf_info kind_flag");
    };
    const str = (offset: number, what: string): string => {
      if (!strings.has(offset)) where(`${what} Invalid name_offset:${offset}`);
      return strings.at(offset);
    };
    let type: BtfType;
    let size = TYPE_HEADER_SIZE;
    switch (kindNo) {
      case 1: {
        noVlen();
        noKflag();
        need(4);
        const data = view.getUint32(extra, true);
        if ((data & ~INT_MASK) >>> 0 !== 0) where(`Invalid int_data:${data.toString(16)}`);
        const bits = data & 0xff;
        const offset = (data >>> 16) & 0xff;
        const encoding = (data >>> 24) & 0x0f;
        if (bits > 128) where(`nr_bits exceeds 128`);
        if (Math.ceil((offset + bits) / 8) > sizeOrType) where("nr_bits exceeds type_size");
        if (![1, 2, 4, 8, 16].includes(sizeOrType)) where(`Unsupported size:${sizeOrType}`);
        if (
          encoding !== 0 &&
          encoding !== INT_SIGNED &&
          encoding !== INT_CHAR &&
          encoding !== INT_BOOL
        ) {
          where(`Unsupported encoding:${encoding}`);
        }
        type = {
          kind: "int",
          id,
          name,
          size: sizeOrType,
          bits,
          offset,
          signed: encoding === INT_SIGNED,
          char: encoding === INT_CHAR,
          bool: encoding === INT_BOOL,
        };
        size += 4;
        break;
      }
      case 2:
      case 8:
      case 9:
      case 10:
      case 11:
      case 18: {
        noVlen();
        // kind_flag on a type tag marks an attribute; on the others it is invalid
        if (kindNo !== 18) noKflag();
        const kind = (["ptr", "typedef", "volatile", "const", "restrict", "type_tag"] as const)[
          [2, 8, 9, 10, 11, 18].indexOf(kindNo)
        ]!;
        if ((kind === "typedef" || kind === "type_tag") && name === "") where("Invalid name");
        if (
          (kind === "ptr" || kind === "volatile" || kind === "const" || kind === "restrict") &&
          name !== ""
        ) {
          where("Invalid name");
        }
        type =
          kind === "type_tag" && kflag
            ? { kind, id, name, type: sizeOrType, attribute: true }
            : { kind, id, name, type: sizeOrType };
        break;
      }
      case 3: {
        noVlen();
        noKflag();
        if (name !== "") where("Invalid name");
        if (sizeOrType !== 0) where("size != 0");
        need(12);
        type = {
          kind: "array",
          id,
          name,
          elemType: view.getUint32(extra, true),
          indexType: view.getUint32(extra + 4, true),
          nelems: view.getUint32(extra + 8, true),
        };
        size += 12;
        break;
      }
      case 4:
      case 5: {
        need(vlen * 12);
        const members: BtfMember[] = [];
        for (let i = 0; i < vlen; i++) {
          const m = extra + i * 12;
          const raw = view.getUint32(m + 8, true);
          // kind_flag: high 8 bits are the bitfield size, low 24 the bit offset
          const bitOffset = kflag ? raw & 0xffffff : raw;
          const bitfieldSize = kflag ? raw >>> 24 : 0;
          const memberName = str(view.getUint32(m, true), `member ${i}`);
          if (Math.ceil(bitOffset / 8) > sizeOrType) {
            where(`member ${i} '${memberName}' Member bits_offset exceeds its struct size`);
          }
          members.push({
            name: memberName,
            type: view.getUint32(m + 4, true),
            bitOffset,
            bitfieldSize,
          });
        }
        type = { kind: kindNo === 4 ? "struct" : "union", id, name, size: sizeOrType, members };
        size += vlen * 12;
        break;
      }
      case 6:
      case 19: {
        const wide = kindNo === 19;
        if (![1, 2, 4, 8].includes(sizeOrType)) where(`Unexpected size:${sizeOrType}`);
        const stride = wide ? 12 : 8;
        need(vlen * stride);
        if (wide) {
          const values: { name: string; value: bigint }[] = [];
          for (let i = 0; i < vlen; i++) {
            const e = extra + i * stride;
            const bits =
              (BigInt(view.getUint32(e + 8, true)) << 32n) | BigInt(view.getUint32(e + 4, true));
            values.push({
              name: str(view.getUint32(e, true), `enumerator ${i}`),
              value: kflag ? BigInt.asIntN(64, bits) : bits,
            });
          }
          type = { kind: "enum64", id, name, size: sizeOrType, signed: kflag, values };
        } else {
          const values: { name: string; value: number }[] = [];
          for (let i = 0; i < vlen; i++) {
            const e = extra + i * stride;
            values.push({
              name: str(view.getUint32(e, true), `enumerator ${i}`),
              value: kflag ? view.getInt32(e + 4, true) : view.getUint32(e + 4, true),
            });
          }
          type = { kind: "enum", id, name, size: sizeOrType, signed: kflag, values };
        }
        size += vlen * stride;
        break;
      }
      case 7:
        noVlen();
        if (name === "") where("Invalid name");
        type = { kind: "fwd", id, name, union: kflag };
        break;
      case 12: {
        noKflag();
        if (name === "") where("Invalid name");
        const l = linkage(vlen);
        if (l === undefined) where(`Invalid func linkage:${vlen}`);
        type = { kind: "func", id, name, type: sizeOrType, linkage: l! };
        break;
      }
      case 13: {
        noKflag();
        if (name !== "") where("Invalid name");
        need(vlen * 8);
        const params = [];
        for (let i = 0; i < vlen; i++) {
          const p = extra + i * 8;
          params.push({
            name: str(view.getUint32(p, true), `arg#${i + 1}`),
            type: view.getUint32(p + 4, true),
          });
        }
        type = { kind: "func_proto", id, name, returnType: sizeOrType, params };
        size += vlen * 8;
        break;
      }
      case 14: {
        noVlen();
        noKflag();
        if (name === "") where("Invalid name");
        need(4);
        const raw = view.getUint32(extra, true);
        const l = linkage(raw);
        if (l === undefined) where(`Linkage not supported:${raw}`);
        type = { kind: "var", id, name, type: sizeOrType, linkage: l! };
        size += 4;
        break;
      }
      case 15: {
        noKflag();
        if (name === "") where("Invalid name");
        need(vlen * 12);
        const vars = [];
        for (let i = 0; i < vlen; i++) {
          const v = extra + i * 12;
          vars.push({
            type: view.getUint32(v, true),
            offset: view.getUint32(v + 4, true),
            size: view.getUint32(v + 8, true),
          });
        }
        type = { kind: "datasec", id, name, size: sizeOrType, vars };
        size += vlen * 12;
        break;
      }
      case 16:
        noVlen();
        noKflag();
        if (![2, 4, 8, 12, 16].includes(sizeOrType)) where(`Invalid type_size:${sizeOrType}`);
        type = { kind: "float", id, name, size: sizeOrType };
        break;
      default: {
        // 17: decl_tag
        noVlen();
        if (name === "") where("Invalid name");
        need(4);
        const componentIdx = view.getInt32(extra, true);
        if (componentIdx < -1) where(`Invalid component_idx:${componentIdx}`);
        type = kflag
          ? { kind: "decl_tag", id, name, type: sizeOrType, componentIdx, attribute: true }
          : { kind: "decl_tag", id, name, type: sizeOrType, componentIdx };
        size += 4;
        break;
      }
    }
    types.push(type);
    offsets.push(at);
    at += size;
  }
  return { types, strings, offsets };
}

/** Parses and structurally validates .BTF section bytes (references are checked by the caller). */
export function parseRawBtf(bytes: Uint8Array): ParsedBtf {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = parseHeader(bytes, view);
  const strStart = header.hdrLen + header.strOff;
  const strings = new BtfStrings(bytes.subarray(strStart, strStart + header.strLen), strStart);
  return parseTypes(view, header, strings);
}
