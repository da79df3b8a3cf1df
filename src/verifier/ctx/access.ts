import { SCALAR_VALUE } from "../reg-types.js";

/** One load or store through the context pointer, at a fixed offset. */
export interface CtxAccess {
  readonly off: number;
  /** bytes: 1, 2, 4 or 8 */
  readonly size: number;
  readonly write: boolean;
  /** a sign-extending load (BPF_MEMSX), which pointer fields refuse */
  readonly signExtend: boolean;
  /** the program's `expected_attach_type` (enum bpf_attach_type) */
  readonly attachType: number;
}

export type CtxAccessResult =
  | {
      readonly ok: true;
      /** what a load puts in the destination register (reg-types.ts) */
      readonly regType: number;
      /**
       * The size of the field the access falls in, when the kernel converts
       * narrower loads of it (`bpf_ctx_record_field_size`); otherwise the
       * access size.
       */
      readonly ctxFieldSize: number;
    }
  | { readonly ok: false };

export const DENIED: CtxAccessResult = { ok: false };

export function allowed(
  a: CtxAccess,
  regType: number = SCALAR_VALUE,
  fieldSize?: number,
): CtxAccessResult {
  return { ok: true, regType, ctxFieldSize: fieldSize ?? a.size };
}

/**
 * The kernel's `bpf_ctx_narrow_access_ok`: a load narrower than the field is
 * fine at any power-of-two size no larger than the field.
 */
export function narrowAccessOk(size: number, fieldSize: number): boolean {
  return size <= fieldSize && (size & (size - 1)) === 0;
}
