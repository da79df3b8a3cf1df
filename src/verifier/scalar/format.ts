/**
 * How the kernel log prints a scalar register (`kernel/bpf/log.c`:
 * `print_reg_state`, `print_scalar_ranges`, `verbose_snum`/`verbose_unum`,
 * `tnum_strn`), Linux 6.18:
 *
 * - a constant prints as its value: `5`, `-1`, `0xffffffff`; numbers in
 *   [-32768, 32767] are decimal, everything else `%#llx` of the s64;
 * - otherwise `scalar(` + attributes + `)`: ranges that are not at their
 *   default (smin=S64_MIN, umax=U64_MAX, ...) in the order
 *   smin, smax, umin, umax, smin32, smax32, umin32, umax32, with equal
 *   values merged into the first (`smax=umax=0xffffffff`), never merging a
 *   negative with a non-negative; then `var_off=(value; mask)` unless the
 *   tnum is fully unknown.
 *
 * Ids and the precision mark (`P` before the type) are the register-state
 * layer's: pass them in `ScalarFormatExtras`.
 */

import {
  S32_MAX,
  S32_MIN,
  S64_MAX,
  S64_MIN,
  type ScalarBounds,
  toU64,
  U32_MAX,
  U64_MAX,
} from "../bounds.js";
import { hex, tnumIsConst, tnumIsUnknown, tnumToString } from "../tnum.js";

const SNUM_MIN_DECIMAL = -32768n;
const SNUM_MAX_DECIMAL = 32767n;
const UNUM_MAX_DECIMAL = 65535n;

function isSnumDecimal(n: bigint): boolean {
  return n >= SNUM_MIN_DECIMAL && n <= SNUM_MAX_DECIMAL;
}

/** `verbose_snum`: decimal in [-32768, 32767], else `%#llx` of the 64-bit pattern. */
export function formatSnum(n: bigint): string {
  return isSnumDecimal(n) ? n.toString() : hex(toU64(n));
}

/** `verbose_unum`: decimal up to 65535, else `%#llx`. */
export function formatUnum(n: bigint): string {
  return n <= UNUM_MAX_DECIMAL ? n.toString() : hex(n);
}

interface MinMax {
  readonly name: string;
  /** The u64 the kernel holds in its table (signed values as s64 bit patterns). */
  readonly val: bigint;
  omit: boolean;
}

/**
 * `print_scalar_ranges`: the comma-separated range attributes, e.g.
 * `smin=0,smax=umax=0xffffffff` (empty when every range is at its default).
 */
export function formatScalarRanges(bnd: ScalarBounds): string {
  const s32ForTable = (v: number): bigint => {
    // Hex-printed s32 bounds are shown as u32 so they are not sign-extended.
    const s = BigInt(v);
    return isSnumDecimal(s) ? toU64(s) : BigInt(v >>> 0);
  };
  const table: MinMax[] = [
    { name: "smin", val: toU64(bnd.smin), omit: bnd.smin === S64_MIN },
    { name: "smax", val: toU64(bnd.smax), omit: bnd.smax === S64_MAX },
    { name: "umin", val: bnd.umin, omit: bnd.umin === 0n },
    { name: "umax", val: bnd.umax, omit: bnd.umax === U64_MAX },
    { name: "smin32", val: s32ForTable(bnd.s32Min), omit: bnd.s32Min === S32_MIN },
    { name: "smax32", val: s32ForTable(bnd.s32Max), omit: bnd.s32Max === S32_MAX },
    { name: "umin32", val: BigInt(bnd.u32Min), omit: bnd.u32Min === 0 },
    { name: "umax32", val: BigInt(bnd.u32Max), omit: bnd.u32Max === U32_MAX },
  ];
  const isNeg = (m: MinMax): boolean => m.name[0] === "s" && BigInt.asIntN(64, m.val) < 0n;
  const parts: string[] = [];
  for (let i = 0; i < table.length; i++) {
    const m1 = table[i] as MinMax;
    if (m1.omit) continue;
    const neg1 = isNeg(m1);
    let text = `${m1.name}=`;
    // Only same-kind bounds (min with min, max with max) merge: stride 2.
    for (let j = i + 2; j < table.length; j += 2) {
      const m2 = table[j] as MinMax;
      if (m2.omit || m2.val !== m1.val) continue;
      if (isNeg(m2) !== neg1) continue;
      m2.omit = true;
      text += `${m2.name}=`;
    }
    text += m1.name[0] === "s" ? formatSnum(BigInt.asIntN(64, m1.val)) : formatUnum(m1.val);
    parts.push(text);
  }
  return parts.join(",");
}

export interface ScalarFormatExtras {
  /** The register's id (0: none); printed first as `id=N`. */
  readonly id?: number;
  /** With an id: the constant delta of a linked register (`id=1+4`). */
  readonly addConstOffset?: number;
  /** The precision mark: the kernel prints `P` before the value. */
  readonly precise?: boolean;
}

/**
 * The scalar register as `print_reg_state` prints it after `R1=`:
 * `5`, `-1`, `scalar()`, `scalar(id=2,smin=0,smax=umax=0xffffffff,var_off=(0x0; 0xffffffff))`.
 */
export function formatScalar(bnd: ScalarBounds, extras: ScalarFormatExtras = {}): string {
  const p = extras.precise ? "P" : "";
  if (tnumIsConst(bnd.varOff)) return p + formatSnum(BigInt.asIntN(64, bnd.varOff.value));
  const parts: string[] = [];
  let idPart = "";
  if (extras.id) {
    idPart = `id=${extras.id}`;
    if (extras.addConstOffset !== undefined) {
      const off = extras.addConstOffset;
      idPart += off >= 0 ? `+${off}` : `${off}`;
    }
    parts.push(idPart);
  }
  const ranges = formatScalarRanges(bnd);
  if (ranges) parts.push(ranges);
  if (!tnumIsUnknown(bnd.varOff)) parts.push(`var_off=${tnumToString(bnd.varOff)}`);
  return `${p}scalar(${parts.join(",")})`;
}
