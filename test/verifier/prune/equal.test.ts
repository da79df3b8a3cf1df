/**
 * `regsafe` / `stacksafe` / `states_equal` as kernel/bpf/verifier.c defines
 * them for a privileged loader: what an old (explored, safe) state must
 * share with the current one for the current path to be pruned.
 */
import { describe, expect, it } from "vitest";
import { markKnown } from "../../../src/verifier/bounds.js";
import { IdMap, regsafe, stacksafe, statesEqual } from "../../../src/verifier/prune/equal.js";
import {
  markRegKnown,
  markRegPointer,
  markRegUnknown,
  notInitReg,
  type RegState,
} from "../../../src/verifier/reg-state.js";
import {
  PTR_TO_CTX,
  PTR_TO_MAP_VALUE,
  PTR_TO_PACKET,
  SCALAR_VALUE,
} from "../../../src/verifier/reg-types.js";
import {
  copyState,
  growStack,
  initialState,
  STACK_MISC,
  STACK_SPILL,
  STACK_ZERO,
} from "../../../src/verifier/state.js";

function scalar(value?: bigint, precise = false): RegState {
  const r = notInitReg();
  if (value === undefined) markRegUnknown(r);
  else markRegKnown(r, value);
  r.precise = precise;
  return r;
}

function range(min: bigint, max: bigint, precise: boolean): RegState {
  const r = scalar(undefined, precise);
  r.umin = min;
  r.umax = max;
  r.smin = min;
  r.smax = max;
  r.u32Min = Number(min);
  r.u32Max = Number(max);
  r.s32Min = Number(min);
  r.s32Max = Number(max);
  r.varOff = { value: 0n, mask: 0xffn };
  return r;
}

describe("regsafe", () => {
  it("an imprecise old scalar accepts any current scalar", () => {
    expect(regsafe(scalar(5n), scalar(7n), new IdMap(1000), "not-exact")).toBe(true);
  });

  it("a precise old scalar needs the current range inside its own", () => {
    expect(regsafe(range(0n, 10n, true), scalar(7n), new IdMap(1000), "not-exact")).toBe(true);
    expect(regsafe(range(0n, 10n, true), scalar(11n), new IdMap(1000), "not-exact")).toBe(false);
    expect(regsafe(range(0n, 10n, true), range(0n, 20n, false), new IdMap(1000), "not-exact")).toBe(
      false,
    );
  });

  it("inside a loop with open paths (RANGE_WITHIN) ranges count even when imprecise", () => {
    expect(regsafe(range(0n, 10n, false), scalar(11n), new IdMap(1000), "range-within")).toBe(
      false,
    );
    expect(regsafe(range(0n, 10n, false), scalar(3n), new IdMap(1000), "range-within")).toBe(true);
  });

  it("an old register nobody reads (NOT_INIT) accepts anything, except when compared within ranges", () => {
    expect(regsafe(notInitReg(), scalar(1n), new IdMap(1000), "not-exact")).toBe(true);
    expect(regsafe(notInitReg(), scalar(1n), new IdMap(1000), "range-within")).toBe(false);
    expect(regsafe(notInitReg(), notInitReg(), new IdMap(1000), "range-within")).toBe(true);
  });

  it("pointer types must match; a scalar never stands in for a pointer", () => {
    const ctx = notInitReg();
    markRegPointer(ctx, PTR_TO_CTX);
    expect(regsafe(ctx, scalar(0n), new IdMap(1000), "not-exact")).toBe(false);
    expect(regsafe(ctx, { ...ctx }, new IdMap(1000), "not-exact")).toBe(true);
  });

  it("packet pointers need at least the old readable range", () => {
    const old = notInitReg();
    markRegPointer(old, PTR_TO_PACKET, { range: 14 });
    const shorter = { ...old, range: 8 };
    const longer = { ...old, range: 20 };
    expect(regsafe(old, longer, new IdMap(1000), "not-exact")).toBe(true);
    expect(regsafe(old, shorter, new IdMap(1000), "not-exact")).toBe(false);
  });

  it("ids map one to one: two old registers sharing an id need one current id", () => {
    const a = notInitReg();
    markRegPointer(a, PTR_TO_MAP_VALUE, { mapIndex: 0, id: 1 });
    const idmap = new IdMap(1000);
    expect(regsafe(a, { ...a, id: 5 }, idmap, "not-exact")).toBe(true);
    expect(regsafe(a, { ...a, id: 6 }, idmap, "not-exact")).toBe(false);
  });

  it("EXACT compares everything, precision aside", () => {
    expect(regsafe(scalar(1n), scalar(1n, true), new IdMap(1000), "exact")).toBe(true);
    expect(regsafe(scalar(1n), scalar(2n), new IdMap(1000), "exact")).toBe(false);
  });
});

describe("stacksafe and states_equal", () => {
  it("old data (STACK_MISC) accepts a spilled scalar or zeros; an old spill needs one", () => {
    const old = initialState();
    growStack(old.frames[0]!, 8);
    old.frames[0]!.stack[0]!.slotType.fill(STACK_MISC);
    const cur = copyState(old);
    const slot = cur.frames[0]!.stack[0]!;
    slot.slotType.fill(STACK_SPILL);
    slot.spilled = scalar(3n);
    expect(stacksafe(old.frames[0]!, cur.frames[0]!, new IdMap(1000), "not-exact")).toBe(true);
    cur.frames[0]!.stack[0]!.slotType.fill(STACK_ZERO);
    expect(stacksafe(old.frames[0]!, cur.frames[0]!, new IdMap(1000), "not-exact")).toBe(true);

    const spilledPtr = initialState();
    growStack(spilledPtr.frames[0]!, 8);
    const ptrSlot = spilledPtr.frames[0]!.stack[0]!;
    ptrSlot.slotType.fill(STACK_SPILL);
    markRegPointer(ptrSlot.spilled, PTR_TO_CTX);
    expect(stacksafe(spilledPtr.frames[0]!, old.frames[0]!, new IdMap(1000), "not-exact")).toBe(
      false,
    );
  });

  it("a state equals its copy, and not one with a different precise constant", () => {
    const a = initialState();
    const r6 = a.frames[0]!.regs[6]!;
    markRegKnown(r6, 4n);
    r6.precise = true;
    const b = copyState(a);
    expect(statesEqual(a, b, "not-exact", 1000)).toBe(true);
    markKnown(b.frames[0]!.regs[6]!, 5n);
    expect(b.frames[0]!.regs[6]!.type).toBe(SCALAR_VALUE);
    expect(statesEqual(a, b, "not-exact", 1000)).toBe(false);
  });
});
