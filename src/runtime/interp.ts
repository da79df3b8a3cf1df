import { HELPER_NAMES } from "../isa/helpers.js";
import { kfuncName } from "../object/kfuncs.js";
import { RuntimeFault } from "./errors.js";
import { ACCESS_READ, ACCESS_WRITE, hex, MAX_CALL_FRAMES } from "./memory.js";
import { BAD_JUMP_OP, type DecodedProgram, END_OP } from "./program.js";
import type { NativeEntry, Vm } from "./vm.js";

/*
 * The interpreter. Representation is what makes it fast: the registers live
 * in a BigUint64Array (V8 compiles add/sub/mul/and/or/xor on typed-array
 * BigInts without allocating) with a Uint32Array over the same bytes for
 * everything that is cheaper on 32-bit halves: 32-bit ALU, moves, shifts,
 * comparisons, loads and stores. Nothing in the loop allocates.
 *
 * Semantics are the kernel's (kernel/bpf/core.c ___bpf_prog_run plus the
 * verifier's rewrites in do_misc_fixups): 32-bit results are zero-extended,
 * shift amounts are masked to the width, x / 0 = 0, x % 0 = x (32-bit:
 * zero-extended), INT_MIN / -1 = INT_MIN and INT_MIN % -1 = 0.
 */

const boundsScratch = new Float64Array(2);

/**
 * Runs `prog` from instruction `entry` in frame `baseDepth` until that frame
 * exits; returns r0. Registers r1..r5 must be set by the caller; r10 is set
 * here. Reentrant: helpers such as bpf_loop call back into it one frame
 * deeper.
 */
export function interpret(
  vm: Vm,
  program: DecodedProgram,
  entry: number,
  baseDepth: number,
): bigint {
  const R = vm.regs;
  const R32 = vm.regs32;
  const RS = vm.signedRegs;
  const memory = vm.memory;
  let dv = memory.view;
  let prog = program;
  let op = prog.op;
  let halvesA = prog.halves;
  let srcA = prog.src;
  let offA = prog.off;
  let immA = prog.imm;
  let immLo = prog.immLo;
  let immHi = prog.immHi;
  let imm64 = prog.imm64;
  let depth = baseDepth;
  let left = vm.remaining;
  // Bounds of the last region (or array element) a read and a write hit.
  let rLo = 0;
  let rHi = 0;
  let wLo = 0;
  let wHi = 0;
  let unmaps = memory.unmaps;
  const saved = vm.savedRegs;
  const retPc = vm.returnPc;
  const retProg = vm.returnProgram;
  const framePointer = vm.framePointer(depth);
  R32[20] = framePointer;
  R32[21] = 0;
  let pc = entry;

  for (;;) {
    const i = pc++;
    if (--left < 0) {
      vm.remaining = 0;
      throw new RuntimeFault(`instruction budget of ${vm.budget} exhausted (an endless loop?)`, i);
    }
    const halves = halvesA[i]!;
    const d2 = halves & 0xff;
    const s2 = halves >> 8;
    switch (op[i]) {
      // ---- ALU (32-bit): result zero-extended into the 64-bit register ----
      case 0x04: // add32 imm
        R32[d2] = R32[d2]! + immA[i]!;
        R32[d2 + 1] = 0;
        break;
      case 0x0c: // add32 reg
        R32[d2] = R32[d2]! + R32[s2]!;
        R32[d2 + 1] = 0;
        break;
      case 0x14: // sub32 imm
        R32[d2] = R32[d2]! - immA[i]!;
        R32[d2 + 1] = 0;
        break;
      case 0x1c: // sub32 reg
        R32[d2] = R32[d2]! - R32[s2]!;
        R32[d2 + 1] = 0;
        break;
      case 0x24: // mul32 imm
        R32[d2] = Math.imul(R32[d2]!, immA[i]!);
        R32[d2 + 1] = 0;
        break;
      case 0x2c: // mul32 reg
        R32[d2] = Math.imul(R32[d2]!, R32[s2]!);
        R32[d2 + 1] = 0;
        break;
      case 0x34: // div32 imm
        R32[d2] = udiv32(R32[d2]!, immA[i]! >>> 0);
        R32[d2 + 1] = 0;
        break;
      case 0x3c: // div32 reg
        R32[d2] = udiv32(R32[d2]!, R32[s2]!);
        R32[d2 + 1] = 0;
        break;
      case 0x44: // or32 imm
        R32[d2] = R32[d2]! | immA[i]!;
        R32[d2 + 1] = 0;
        break;
      case 0x4c: // or32 reg
        R32[d2] = R32[d2]! | R32[s2]!;
        R32[d2 + 1] = 0;
        break;
      case 0x54: // and32 imm
        R32[d2] = R32[d2]! & immA[i]!;
        R32[d2 + 1] = 0;
        break;
      case 0x5c: // and32 reg
        R32[d2] = R32[d2]! & R32[s2]!;
        R32[d2 + 1] = 0;
        break;
      case 0x64: // lsh32 imm
        R32[d2] = R32[d2]! << (immA[i]! & 31);
        R32[d2 + 1] = 0;
        break;
      case 0x6c: // lsh32 reg
        R32[d2] = R32[d2]! << (R32[s2]! & 31);
        R32[d2 + 1] = 0;
        break;
      case 0x74: // rsh32 imm
        R32[d2] = R32[d2]! >>> (immA[i]! & 31);
        R32[d2 + 1] = 0;
        break;
      case 0x7c: // rsh32 reg
        R32[d2] = R32[d2]! >>> (R32[s2]! & 31);
        R32[d2 + 1] = 0;
        break;
      case 0x84: // neg32
        R32[d2] = -R32[d2]!;
        R32[d2 + 1] = 0;
        break;
      case 0x94: // mod32 imm
        R32[d2] = umod32(R32[d2]!, immA[i]! >>> 0);
        R32[d2 + 1] = 0;
        break;
      case 0x9c: // mod32 reg
        R32[d2] = umod32(R32[d2]!, R32[s2]!);
        R32[d2 + 1] = 0;
        break;
      case 0xa4: // xor32 imm
        R32[d2] = R32[d2]! ^ immA[i]!;
        R32[d2 + 1] = 0;
        break;
      case 0xac: // xor32 reg
        R32[d2] = R32[d2]! ^ R32[s2]!;
        R32[d2 + 1] = 0;
        break;
      case 0xb4: // mov32 imm
        R32[d2] = immA[i]!;
        R32[d2 + 1] = 0;
        break;
      case 0xbc: // mov32 reg; movsx32 with off 8 or 16
        R32[d2] = signExtend32(R32[s2]!, offA[i]!);
        R32[d2 + 1] = 0;
        break;
      case 0xc4: // arsh32 imm
        R32[d2] = (R32[d2]! | 0) >> (immA[i]! & 31);
        R32[d2 + 1] = 0;
        break;
      case 0xcc: // arsh32 reg
        R32[d2] = (R32[d2]! | 0) >> (R32[s2]! & 31);
        R32[d2 + 1] = 0;
        break;
      case 0xd4: // le16/32/64: a truncation on a little-endian machine
        byteOrder(R32, d2, immA[i]!, false);
        break;
      case 0xdc: // be16/32/64
        byteOrder(R32, d2, immA[i]!, true);
        break;
      case 0xe4: // sdiv32 imm
        R32[d2] = sdiv32(R32[d2]! | 0, immA[i]!);
        R32[d2 + 1] = 0;
        break;
      case 0xec: // sdiv32 reg
        R32[d2] = sdiv32(R32[d2]! | 0, R32[s2]! | 0);
        R32[d2 + 1] = 0;
        break;
      case 0xf4: // smod32 imm
        R32[d2] = smod32(R32[d2]! | 0, immA[i]!);
        R32[d2 + 1] = 0;
        break;
      case 0xfc: // smod32 reg
        R32[d2] = smod32(R32[d2]! | 0, R32[s2]! | 0);
        R32[d2 + 1] = 0;
        break;

      // ---- ALU64 ----
      case 0x07: // add imm
        R[d2 >> 1] = R[d2 >> 1]! + imm64[i]!;
        break;
      case 0x0f: // add reg
        R[d2 >> 1] = R[d2 >> 1]! + R[s2 >> 1]!;
        break;
      case 0x17: // sub imm
        R[d2 >> 1] = R[d2 >> 1]! - imm64[i]!;
        break;
      case 0x1f: // sub reg
        R[d2 >> 1] = R[d2 >> 1]! - R[s2 >> 1]!;
        break;
      case 0x27: // mul imm
        R[d2 >> 1] = R[d2 >> 1]! * imm64[i]!;
        break;
      case 0x2f: // mul reg
        R[d2 >> 1] = R[d2 >> 1]! * R[s2 >> 1]!;
        break;
      case 0x37: {
        // div imm: the divisor is the sign-extended immediate, taken as unsigned
        const b = BigInt.asUintN(64, imm64[i]!);
        R[d2 >> 1] = b === 0n ? 0n : R[d2 >> 1]! / b;
        break;
      }
      case 0x3f: {
        const b = R[s2 >> 1]!;
        R[d2 >> 1] = b === 0n ? 0n : R[d2 >> 1]! / b;
        break;
      }
      case 0x47: // or imm
        R32[d2] = R32[d2]! | immLo[i]!;
        R32[d2 + 1] = R32[d2 + 1]! | immHi[i]!;
        break;
      case 0x4f:
        R32[d2] = R32[d2]! | R32[s2]!;
        R32[d2 + 1] = R32[d2 + 1]! | R32[s2 + 1]!;
        break;
      case 0x57: // and imm
        R32[d2] = R32[d2]! & immLo[i]!;
        R32[d2 + 1] = R32[d2 + 1]! & immHi[i]!;
        break;
      case 0x5f:
        R32[d2] = R32[d2]! & R32[s2]!;
        R32[d2 + 1] = R32[d2 + 1]! & R32[s2 + 1]!;
        break;
      case 0x67: // lsh imm
        shiftLeft64(R32, d2, immA[i]! & 63);
        break;
      case 0x6f:
        shiftLeft64(R32, d2, R32[s2]! & 63);
        break;
      case 0x77: // rsh imm
        shiftRight64(R32, d2, immA[i]! & 63);
        break;
      case 0x7f:
        shiftRight64(R32, d2, R32[s2]! & 63);
        break;
      case 0x87: // neg
        R[d2 >> 1] = -R[d2 >> 1]!;
        break;
      case 0x97: {
        // mod imm
        const b = BigInt.asUintN(64, imm64[i]!);
        if (b !== 0n) R[d2 >> 1] = R[d2 >> 1]! % b;
        break;
      }
      case 0x9f: {
        const b = R[s2 >> 1]!;
        if (b !== 0n) R[d2 >> 1] = R[d2 >> 1]! % b;
        break;
      }
      case 0xa7: // xor imm
        R32[d2] = R32[d2]! ^ immLo[i]!;
        R32[d2 + 1] = R32[d2 + 1]! ^ immHi[i]!;
        break;
      case 0xaf:
        R32[d2] = R32[d2]! ^ R32[s2]!;
        R32[d2 + 1] = R32[d2 + 1]! ^ R32[s2 + 1]!;
        break;
      case 0xb7: // mov imm (sign-extended)
        R32[d2] = immLo[i]!;
        R32[d2 + 1] = immHi[i]!;
        break;
      case 0xbf: {
        // mov reg; movsx with off 8, 16, 32 (off 1 is an arena address cast: a plain move here)
        const o = offA[i]!;
        if (o === 0 || o === 1) {
          R32[d2] = R32[s2]!;
          R32[d2 + 1] = R32[s2 + 1]!;
        } else {
          const v = signExtend32(R32[s2]!, o === 32 ? 0 : o) | 0;
          R32[d2] = v;
          R32[d2 + 1] = v >> 31;
        }
        break;
      }
      case 0xc7: // arsh imm
        arithShiftRight64(R32, d2, immA[i]! & 63);
        break;
      case 0xcf:
        arithShiftRight64(R32, d2, R32[s2]! & 63);
        break;
      case 0xd7: // bswap16/32/64
        byteOrder(R32, d2, immA[i]!, true);
        break;
      case 0xe7: // sdiv imm
        RS[d2 >> 1] = sdiv64(RS[d2 >> 1]!, imm64[i]!);
        break;
      case 0xef:
        RS[d2 >> 1] = sdiv64(RS[d2 >> 1]!, RS[s2 >> 1]!);
        break;
      case 0xf7: {
        // smod imm
        const b = imm64[i]!;
        if (b !== 0n) RS[d2 >> 1] = b === -1n ? 0n : RS[d2 >> 1]! % b;
        break;
      }
      case 0xff: {
        const b = RS[s2 >> 1]!;
        if (b !== 0n) RS[d2 >> 1] = b === -1n ? 0n : RS[d2 >> 1]! % b;
        break;
      }

      // ---- 64-bit immediate load ----
      case 0x18: // lddw (the value was resolved when the program was decoded)
        R32[d2] = immLo[i]!;
        R32[d2 + 1] = immHi[i]!;
        pc++;
        break;

      // ---- loads: dst = *(size *)(src + off) ----
      case 0x61: {
        const a = R32[s2]! + offA[i]!;
        if (R32[s2 + 1] !== 0 || a < rLo || a + 4 > rHi) {
          if (!readable(vm, R32[s2 + 1]!, a, 4)) throw accessFault(vm, i, s2, offA[i]!, 4, false);
          rLo = boundsScratch[0]!;
          rHi = boundsScratch[1]!;
        }
        R32[d2] = dv.getUint32(a, true);
        R32[d2 + 1] = 0;
        break;
      }
      case 0x69: {
        const a = R32[s2]! + offA[i]!;
        if (R32[s2 + 1] !== 0 || a < rLo || a + 2 > rHi) {
          if (!readable(vm, R32[s2 + 1]!, a, 2)) throw accessFault(vm, i, s2, offA[i]!, 2, false);
          rLo = boundsScratch[0]!;
          rHi = boundsScratch[1]!;
        }
        R32[d2] = dv.getUint16(a, true);
        R32[d2 + 1] = 0;
        break;
      }
      case 0x71: {
        const a = R32[s2]! + offA[i]!;
        if (R32[s2 + 1] !== 0 || a < rLo || a + 1 > rHi) {
          if (!readable(vm, R32[s2 + 1]!, a, 1)) throw accessFault(vm, i, s2, offA[i]!, 1, false);
          rLo = boundsScratch[0]!;
          rHi = boundsScratch[1]!;
        }
        R32[d2] = dv.getUint8(a);
        R32[d2 + 1] = 0;
        break;
      }
      case 0x79: {
        const a = R32[s2]! + offA[i]!;
        if (R32[s2 + 1] !== 0 || a < rLo || a + 8 > rHi) {
          if (!readable(vm, R32[s2 + 1]!, a, 8)) throw accessFault(vm, i, s2, offA[i]!, 8, false);
          rLo = boundsScratch[0]!;
          rHi = boundsScratch[1]!;
        }
        const lo = dv.getUint32(a, true);
        R32[d2 + 1] = dv.getUint32(a + 4, true);
        R32[d2] = lo;
        break;
      }
      // ---- sign-extending loads ----
      case 0x81: {
        const a = R32[s2]! + offA[i]!;
        if (R32[s2 + 1] !== 0 || a < rLo || a + 4 > rHi) {
          if (!readable(vm, R32[s2 + 1]!, a, 4)) throw accessFault(vm, i, s2, offA[i]!, 4, false);
          rLo = boundsScratch[0]!;
          rHi = boundsScratch[1]!;
        }
        const v = dv.getInt32(a, true);
        R32[d2] = v;
        R32[d2 + 1] = v >> 31;
        break;
      }
      case 0x89: {
        const a = R32[s2]! + offA[i]!;
        if (R32[s2 + 1] !== 0 || a < rLo || a + 2 > rHi) {
          if (!readable(vm, R32[s2 + 1]!, a, 2)) throw accessFault(vm, i, s2, offA[i]!, 2, false);
          rLo = boundsScratch[0]!;
          rHi = boundsScratch[1]!;
        }
        const v = dv.getInt16(a, true);
        R32[d2] = v;
        R32[d2 + 1] = v >> 31;
        break;
      }
      case 0x91: {
        const a = R32[s2]! + offA[i]!;
        if (R32[s2 + 1] !== 0 || a < rLo || a + 1 > rHi) {
          if (!readable(vm, R32[s2 + 1]!, a, 1)) throw accessFault(vm, i, s2, offA[i]!, 1, false);
          rLo = boundsScratch[0]!;
          rHi = boundsScratch[1]!;
        }
        const v = dv.getInt8(a);
        R32[d2] = v;
        R32[d2 + 1] = v >> 31;
        break;
      }

      // ---- stores of an immediate: *(size *)(dst + off) = imm ----
      case 0x62:
      case 0x6a:
      case 0x72:
      case 0x7a: {
        const code = op[i]!;
        const size = code === 0x62 ? 4 : code === 0x6a ? 2 : code === 0x72 ? 1 : 8;
        const a = R32[d2]! + offA[i]!;
        if (R32[d2 + 1] !== 0 || a < wLo || a + size > wHi) {
          if (!writable(vm, R32[d2 + 1]!, a, size)) {
            throw accessFault(vm, i, d2, offA[i]!, size, true);
          }
          wLo = boundsScratch[0]!;
          wHi = boundsScratch[1]!;
        }
        const v = immA[i]!;
        if (size === 4) dv.setInt32(a, v, true);
        else if (size === 2) dv.setInt16(a, v, true);
        else if (size === 1) dv.setInt8(a, v);
        else {
          dv.setInt32(a, v, true);
          dv.setInt32(a + 4, v >> 31, true);
        }
        break;
      }
      // ---- stores of a register: *(size *)(dst + off) = src ----
      case 0x63: {
        const a = R32[d2]! + offA[i]!;
        if (R32[d2 + 1] !== 0 || a < wLo || a + 4 > wHi) {
          if (!writable(vm, R32[d2 + 1]!, a, 4)) throw accessFault(vm, i, d2, offA[i]!, 4, true);
          wLo = boundsScratch[0]!;
          wHi = boundsScratch[1]!;
        }
        dv.setUint32(a, R32[s2]!, true);
        break;
      }
      case 0x6b: {
        const a = R32[d2]! + offA[i]!;
        if (R32[d2 + 1] !== 0 || a < wLo || a + 2 > wHi) {
          if (!writable(vm, R32[d2 + 1]!, a, 2)) throw accessFault(vm, i, d2, offA[i]!, 2, true);
          wLo = boundsScratch[0]!;
          wHi = boundsScratch[1]!;
        }
        dv.setUint16(a, R32[s2]!, true);
        break;
      }
      case 0x73: {
        const a = R32[d2]! + offA[i]!;
        if (R32[d2 + 1] !== 0 || a < wLo || a + 1 > wHi) {
          if (!writable(vm, R32[d2 + 1]!, a, 1)) throw accessFault(vm, i, d2, offA[i]!, 1, true);
          wLo = boundsScratch[0]!;
          wHi = boundsScratch[1]!;
        }
        dv.setUint8(a, R32[s2]!);
        break;
      }
      case 0x7b: {
        const a = R32[d2]! + offA[i]!;
        if (R32[d2 + 1] !== 0 || a < wLo || a + 8 > wHi) {
          if (!writable(vm, R32[d2 + 1]!, a, 8)) throw accessFault(vm, i, d2, offA[i]!, 8, true);
          wLo = boundsScratch[0]!;
          wHi = boundsScratch[1]!;
        }
        dv.setUint32(a, R32[s2]!, true);
        dv.setUint32(a + 4, R32[s2 + 1]!, true);
        break;
      }
      // ---- atomics (and load-acquire / store-release) ----
      case 0xc3:
      case 0xcb:
      case 0xd3:
      case 0xdb:
        atomic(vm, i, op[i]!, d2, s2, offA[i]!, immA[i]!);
        break;

      // ---- legacy packet loads: r0 = ntoh(*(size *)(skb->data + imm [+ src])) ----
      case 0x20:
      case 0x28:
      case 0x30:
      case 0x40:
      case 0x48:
      case 0x50:
        if (!legacyPacketLoad(vm, i, op[i]!, s2, immA[i]!)) {
          // The kernel ends the program with r0 = 0 when the load is out of the packet.
          vm.remaining = left;
          return 0n;
        }
        break;

      // ---- jumps (64-bit compares on halves) ----
      case 0x05: // ja
        pc += offA[i]!;
        break;
      case 0x06: // gotol (ja with a 32-bit offset)
        pc += immA[i]!;
        break;
      case 0x15:
        if (R32[d2] === immLo[i] && R32[d2 + 1] === immHi[i]) pc += offA[i]!;
        break;
      case 0x1d:
        if (R32[d2] === R32[s2] && R32[d2 + 1] === R32[s2 + 1]) pc += offA[i]!;
        break;
      case 0x55:
        if (R32[d2] !== immLo[i] || R32[d2 + 1] !== immHi[i]) pc += offA[i]!;
        break;
      case 0x5d:
        if (R32[d2] !== R32[s2] || R32[d2 + 1] !== R32[s2 + 1]) pc += offA[i]!;
        break;
      case 0x45:
        if ((R32[d2]! & immLo[i]!) !== 0 || (R32[d2 + 1]! & immHi[i]!) !== 0) pc += offA[i]!;
        break;
      case 0x4d:
        if ((R32[d2]! & R32[s2]!) !== 0 || (R32[d2 + 1]! & R32[s2 + 1]!) !== 0) pc += offA[i]!;
        break;
      case 0x25: {
        const dh = R32[d2 + 1]!;
        const sh = immHi[i]!;
        if (dh > sh || (dh === sh && R32[d2]! > immLo[i]!)) pc += offA[i]!;
        break;
      }
      case 0x2d: {
        const dh = R32[d2 + 1]!;
        const sh = R32[s2 + 1]!;
        if (dh > sh || (dh === sh && R32[d2]! > R32[s2]!)) pc += offA[i]!;
        break;
      }
      case 0x35: {
        const dh = R32[d2 + 1]!;
        const sh = immHi[i]!;
        if (dh > sh || (dh === sh && R32[d2]! >= immLo[i]!)) pc += offA[i]!;
        break;
      }
      case 0x3d: {
        const dh = R32[d2 + 1]!;
        const sh = R32[s2 + 1]!;
        if (dh > sh || (dh === sh && R32[d2]! >= R32[s2]!)) pc += offA[i]!;
        break;
      }
      case 0xa5: {
        const dh = R32[d2 + 1]!;
        const sh = immHi[i]!;
        if (dh < sh || (dh === sh && R32[d2]! < immLo[i]!)) pc += offA[i]!;
        break;
      }
      case 0xad: {
        const dh = R32[d2 + 1]!;
        const sh = R32[s2 + 1]!;
        if (dh < sh || (dh === sh && R32[d2]! < R32[s2]!)) pc += offA[i]!;
        break;
      }
      case 0xb5: {
        const dh = R32[d2 + 1]!;
        const sh = immHi[i]!;
        if (dh < sh || (dh === sh && R32[d2]! <= immLo[i]!)) pc += offA[i]!;
        break;
      }
      case 0xbd: {
        const dh = R32[d2 + 1]!;
        const sh = R32[s2 + 1]!;
        if (dh < sh || (dh === sh && R32[d2]! <= R32[s2]!)) pc += offA[i]!;
        break;
      }
      case 0x65: {
        const dh = R32[d2 + 1]! | 0;
        const sh = immHi[i]! | 0;
        if (dh > sh || (dh === sh && R32[d2]! > immLo[i]!)) pc += offA[i]!;
        break;
      }
      case 0x6d: {
        const dh = R32[d2 + 1]! | 0;
        const sh = R32[s2 + 1]! | 0;
        if (dh > sh || (dh === sh && R32[d2]! > R32[s2]!)) pc += offA[i]!;
        break;
      }
      case 0x75: {
        const dh = R32[d2 + 1]! | 0;
        const sh = immHi[i]! | 0;
        if (dh > sh || (dh === sh && R32[d2]! >= immLo[i]!)) pc += offA[i]!;
        break;
      }
      case 0x7d: {
        const dh = R32[d2 + 1]! | 0;
        const sh = R32[s2 + 1]! | 0;
        if (dh > sh || (dh === sh && R32[d2]! >= R32[s2]!)) pc += offA[i]!;
        break;
      }
      case 0xc5: {
        const dh = R32[d2 + 1]! | 0;
        const sh = immHi[i]! | 0;
        if (dh < sh || (dh === sh && R32[d2]! < immLo[i]!)) pc += offA[i]!;
        break;
      }
      case 0xcd: {
        const dh = R32[d2 + 1]! | 0;
        const sh = R32[s2 + 1]! | 0;
        if (dh < sh || (dh === sh && R32[d2]! < R32[s2]!)) pc += offA[i]!;
        break;
      }
      case 0xd5: {
        const dh = R32[d2 + 1]! | 0;
        const sh = immHi[i]! | 0;
        if (dh < sh || (dh === sh && R32[d2]! <= immLo[i]!)) pc += offA[i]!;
        break;
      }
      case 0xdd: {
        const dh = R32[d2 + 1]! | 0;
        const sh = R32[s2 + 1]! | 0;
        if (dh < sh || (dh === sh && R32[d2]! <= R32[s2]!)) pc += offA[i]!;
        break;
      }
      case 0xe5: // may_goto: falls through until the loop allowance is used up
        if (vm.mayGotoLeft > 0) vm.mayGotoLeft--;
        else pc += offA[i]!;
        break;

      // ---- 32-bit jumps ----
      case 0x16:
        if (R32[d2] === immA[i]! >>> 0) pc += offA[i]!;
        break;
      case 0x1e:
        if (R32[d2] === R32[s2]) pc += offA[i]!;
        break;
      case 0x56:
        if (R32[d2] !== immA[i]! >>> 0) pc += offA[i]!;
        break;
      case 0x5e:
        if (R32[d2] !== R32[s2]) pc += offA[i]!;
        break;
      case 0x46:
        if ((R32[d2]! & immA[i]!) !== 0) pc += offA[i]!;
        break;
      case 0x4e:
        if ((R32[d2]! & R32[s2]!) !== 0) pc += offA[i]!;
        break;
      case 0x26:
        if (R32[d2]! > immA[i]! >>> 0) pc += offA[i]!;
        break;
      case 0x2e:
        if (R32[d2]! > R32[s2]!) pc += offA[i]!;
        break;
      case 0x36:
        if (R32[d2]! >= immA[i]! >>> 0) pc += offA[i]!;
        break;
      case 0x3e:
        if (R32[d2]! >= R32[s2]!) pc += offA[i]!;
        break;
      case 0xa6:
        if (R32[d2]! < immA[i]! >>> 0) pc += offA[i]!;
        break;
      case 0xae:
        if (R32[d2]! < R32[s2]!) pc += offA[i]!;
        break;
      case 0xb6:
        if (R32[d2]! <= immA[i]! >>> 0) pc += offA[i]!;
        break;
      case 0xbe:
        if (R32[d2]! <= R32[s2]!) pc += offA[i]!;
        break;
      case 0x66:
        if ((R32[d2]! | 0) > immA[i]!) pc += offA[i]!;
        break;
      case 0x6e:
        if ((R32[d2]! | 0) > (R32[s2]! | 0)) pc += offA[i]!;
        break;
      case 0x76:
        if ((R32[d2]! | 0) >= immA[i]!) pc += offA[i]!;
        break;
      case 0x7e:
        if ((R32[d2]! | 0) >= (R32[s2]! | 0)) pc += offA[i]!;
        break;
      case 0xc6:
        if ((R32[d2]! | 0) < immA[i]!) pc += offA[i]!;
        break;
      case 0xce:
        if ((R32[d2]! | 0) < (R32[s2]! | 0)) pc += offA[i]!;
        break;
      case 0xd6:
        if ((R32[d2]! | 0) <= immA[i]!) pc += offA[i]!;
        break;
      case 0xde:
        if ((R32[d2]! | 0) <= (R32[s2]! | 0)) pc += offA[i]!;
        break;

      // ---- calls and exit ----
      case 0x85:
      case 0x8d: {
        let target = -1;
        let helperId = immA[i]!;
        const kind = srcA[i]!;
        if (op[i] === 0x8d) {
          // callx: the register holds a function pointer into this program or a helper id
          const lo = R32[d2]!;
          const text = prog.text;
          if (
            R32[d2 + 1] === 0 &&
            lo >= text.start &&
            lo < text.end &&
            (lo - text.start) % 8 === 0
          ) {
            target = (lo - text.start) / 8;
          } else if (R32[d2 + 1] === 0 && lo < 0x10000) {
            helperId = lo;
          } else {
            throw new RuntimeFault(
              `callx R${d2 >> 1} = ${hex(Number(R[d2 >> 1]!))} is not a function address`,
              i,
            );
          }
        } else if (kind === 1) {
          target = pc + immA[i]!;
          if (target < 0 || target >= prog.length) {
            throw new RuntimeFault(
              `call to insn ${target} is outside the program (0..${prog.length - 1})`,
              i,
            );
          }
        }
        if (target >= 0) {
          // bpf-to-bpf call: a fresh frame; r6..r9 and r10 come back on exit
          if (depth + 1 >= MAX_CALL_FRAMES) {
            throw new RuntimeFault(`call stack too deep: more than ${MAX_CALL_FRAMES} frames`, i);
          }
          const base = depth * 8;
          for (let k = 0; k < 8; k++) saved[base + k] = R32[12 + k]!;
          retPc[depth] = pc;
          retProg[depth] = prog;
          depth++;
          R32[20] = memory.frames[depth]!.end;
          R32[21] = 0;
          // Like the kernel, a callee's frame is not cleared (runs start with zeroed frames).
          pc = target;
          break;
        }
        const entryFn =
          kind === 2 && op[i] === 0x85 ? vm.kfuncs.get(helperId) : vm.helpers.get(helperId);
        if (entryFn === undefined) {
          throw new RuntimeFault(
            kind === 2 && op[i] === 0x85 ? unknownKfunc(helperId) : unknownHelper(helperId),
            i,
          );
        }
        vm.remaining = left;
        vm.depth = depth;
        vm.pc = i;
        vm.program = prog;
        R[0] = callNative(vm, entryFn, i);
        left = vm.remaining;
        // The memory may have grown (a new buffer) or lost regions (stale cached bounds).
        dv = memory.view;
        if (memory.unmaps !== unmaps) {
          unmaps = memory.unmaps;
          rLo = rHi = wLo = wHi = 0;
        }
        const next = vm.tailCallTarget;
        if (next !== undefined) {
          vm.tailCallTarget = undefined;
          prog = next;
          op = prog.op;
          halvesA = prog.halves;
          srcA = prog.src;
          offA = prog.off;
          immA = prog.imm;
          immLo = prog.immLo;
          immHi = prog.immHi;
          imm64 = prog.imm64;
          pc = 0;
        }
        break;
      }
      case 0x95: // exit
        if (depth === baseDepth) {
          vm.remaining = left;
          return R[0]!;
        }
        depth--;
        {
          const base = depth * 8;
          for (let k = 0; k < 8; k++) R32[12 + k] = saved[base + k]!;
          R32[20] = memory.frames[depth]!.end;
          R32[21] = 0;
          pc = retPc[depth]!;
          const back = retProg[depth]!;
          if (back !== prog) {
            prog = back;
            op = prog.op;
            halvesA = prog.halves;
            srcA = prog.src;
            offA = prog.off;
            immA = prog.imm;
            immLo = prog.immLo;
            immHi = prog.immHi;
            imm64 = prog.imm64;
          }
        }
        break;

      case END_OP:
        throw new RuntimeFault(
          `ran off the end of the program (${prog.length} instructions) without an exit`,
          i,
        );
      case BAD_JUMP_OP: {
        const insn = prog.insns[i]!;
        const delta = (insn.code & 7) === 6 && (insn.code & 0xf0) === 0 ? insn.imm : insn.off;
        throw new RuntimeFault(
          `jump out of range from insn ${i} to ${i + delta + 1} (the program has ${prog.length} instructions)`,
          i,
        );
      }
      default:
        throw new RuntimeFault(`unknown opcode 0x${op[i]!.toString(16).padStart(2, "0")}`, i);
    }
  }
}

/**
 * Calls the function at instruction `target` of `program` one frame below the
 * current one, with r1..r5 = `args`, and returns its r0; the caller's registers
 * are restored afterwards. Used by helpers that take callbacks (bpf_loop).
 */
export function callFunction(
  vm: Vm,
  program: DecodedProgram,
  target: number,
  args: readonly bigint[],
): bigint {
  const saved = vm.regs.slice();
  const savedPc = vm.pc;
  const savedDepth = vm.depth;
  const depth = vm.depth + 1;
  vm.framePointer(depth);
  for (let k = 0; k < 5; k++) vm.regs[k + 1] = args[k] ?? 0n;
  try {
    return interpret(vm, program, target, depth);
  } finally {
    const remaining = vm.remaining;
    vm.regs.set(saved);
    vm.pc = savedPc;
    vm.depth = savedDepth;
    vm.remaining = remaining;
  }
}

/** Runs a helper or kfunc; a fault it raises without a location gets the call's. */
function callNative(vm: Vm, entry: NativeEntry, insn: number): bigint {
  try {
    return entry.fn(vm);
  } catch (e) {
    if (e instanceof RuntimeFault) {
      if (e.insn !== undefined) throw e;
      throw new RuntimeFault(`${entry.name}: ${e.message}`, insn);
    }
    if (e instanceof RangeError || e instanceof TypeError) {
      throw new RuntimeFault(`${entry.name} failed: ${e.message}`, insn);
    }
    throw e;
  }
}

function unknownHelper(id: number): string {
  const name = HELPER_NAMES[id];
  return name === undefined || id === 0
    ? `unknown helper id ${id}`
    : `unknown helper id ${id} (${name} is not implemented by the runtime)`;
}

function unknownKfunc(id: number): string {
  const name = kfuncName(id);
  return name === undefined
    ? `unknown kfunc id ${id}`
    : `unknown kfunc id ${id} (${name} is not implemented by the runtime)`;
}

function readable(vm: Vm, high: number, addr: number, size: number): boolean {
  return high === 0 && vm.memory.resolve(addr, size, ACCESS_READ, boundsScratch);
}

function writable(vm: Vm, high: number, addr: number, size: number): boolean {
  return high === 0 && vm.memory.resolve(addr, size, ACCESS_WRITE, boundsScratch);
}

/** "R3 +8 read of 4 bytes at 0x... is 4 bytes past the end of map value arr[3]" */
function accessFault(
  vm: Vm,
  insn: number,
  reg2: number,
  off: number,
  size: number,
  write: boolean,
): RuntimeFault {
  const reg = reg2 >> 1;
  const value = vm.regs[reg]!;
  const sign = off < 0 ? "-" : "+";
  const what = `R${reg} ${sign}${Math.abs(off)} ${write ? "write" : "read"} of ${size} bytes`;
  if (vm.regs32[reg2 + 1] !== 0) {
    return new RuntimeFault(
      `${what} through R${reg} = 0x${value.toString(16)}, which is not an address`,
      insn,
    );
  }
  const addr = vm.regs32[reg2]! + off;
  if (addr < 0) {
    return new RuntimeFault(`${what} at ${addr} is a negative address`, insn);
  }
  const why = vm.memory.explain(addr, size, write ? ACCESS_WRITE : ACCESS_READ);
  return new RuntimeFault(`${what} at ${hex(addr)} ${why}`, insn);
}

function udiv32(a: number, b: number): number {
  return b === 0 ? 0 : Math.floor(a / b);
}

function umod32(a: number, b: number): number {
  return b === 0 ? a : a % b;
}

/** Signed 32-bit division; by zero gives 0, INT_MIN / -1 gives INT_MIN (stored modulo 2^32). */
function sdiv32(a: number, b: number): number {
  return b === 0 ? 0 : Math.trunc(a / b);
}

/** Signed 32-bit modulo; by zero leaves the dividend, INT_MIN % -1 is 0. */
function smod32(a: number, b: number): number {
  return b === 0 ? a : b === -1 ? 0 : a % b;
}

function sdiv64(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  if (b === -1n) return -a; // INT64_MIN / -1 wraps to INT64_MIN, as the kernel's rewrite to neg does
  return a / b;
}

/** Sign-extends the low `bits` (8 or 16) of `v`; 0 leaves it as is. */
function signExtend32(v: number, bits: number): number {
  if (bits === 8) return (v << 24) >> 24;
  if (bits === 16) return (v << 16) >> 16;
  return v;
}

function shiftLeft64(R32: Uint32Array, d2: number, n: number): void {
  if (n === 0) return;
  const lo = R32[d2]!;
  if (n < 32) {
    R32[d2 + 1] = (R32[d2 + 1]! << n) | (lo >>> (32 - n));
    R32[d2] = lo << n;
  } else {
    R32[d2 + 1] = lo << (n - 32);
    R32[d2] = 0;
  }
}

function shiftRight64(R32: Uint32Array, d2: number, n: number): void {
  if (n === 0) return;
  const hi = R32[d2 + 1]!;
  if (n < 32) {
    R32[d2] = (R32[d2]! >>> n) | (hi << (32 - n));
    R32[d2 + 1] = hi >>> n;
  } else {
    R32[d2] = hi >>> (n - 32);
    R32[d2 + 1] = 0;
  }
}

function arithShiftRight64(R32: Uint32Array, d2: number, n: number): void {
  if (n === 0) return;
  const hi = R32[d2 + 1]! | 0;
  if (n < 32) {
    R32[d2] = (R32[d2]! >>> n) | (hi << (32 - n));
    R32[d2 + 1] = hi >> n;
  } else {
    R32[d2] = hi >> (n - 32);
    R32[d2 + 1] = hi >> 31;
  }
}

function bswap16(v: number): number {
  return ((v & 0xff) << 8) | ((v >>> 8) & 0xff);
}

function bswap32(v: number): number {
  return (
    (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | ((v >>> 24) & 0xff)) >>> 0
  );
}

/** le/be/bswap: keep (and on `swap` reverse) the low `width` bits, zero the rest. */
function byteOrder(R32: Uint32Array, d2: number, width: number, swap: boolean): void {
  const lo = R32[d2]!;
  if (width === 16) {
    R32[d2] = swap ? bswap16(lo) : lo & 0xffff;
    R32[d2 + 1] = 0;
  } else if (width === 32) {
    R32[d2] = swap ? bswap32(lo) : lo;
    R32[d2 + 1] = 0;
  } else if (swap) {
    R32[d2] = bswap32(R32[d2 + 1]!);
    R32[d2 + 1] = bswap32(lo);
  }
}

/** BPF_STX | BPF_ATOMIC: read-modify-write of memory, with the old value in src (fetch) or r0 (cmpxchg). */
function atomic(
  vm: Vm,
  insn: number,
  code: number,
  d2: number,
  s2: number,
  off: number,
  imm: number,
): void {
  const R32 = vm.regs32;
  const size = code === 0xdb ? 8 : code === 0xc3 ? 4 : code === 0xcb ? 2 : 1;
  if (imm === 0x100) {
    // load-acquire: dst = *(src + off)
    const a = R32[s2]! + off;
    if (!readable(vm, R32[s2 + 1]!, a, size)) throw accessFault(vm, insn, s2, off, size, false);
    loadInto(vm, a, size, d2);
    return;
  }
  const a = R32[d2]! + off;
  if (imm === 0x110) {
    // store-release: *(dst + off) = src
    if (!writable(vm, R32[d2 + 1]!, a, size)) throw accessFault(vm, insn, d2, off, size, true);
    storeFrom(vm, a, size, s2);
    return;
  }
  if (size < 4)
    throw new RuntimeFault(`atomic operation 0x${imm.toString(16)} on ${size} bytes`, insn);
  if (!writable(vm, R32[d2 + 1]!, a, size) || !readable(vm, R32[d2 + 1]!, a, size)) {
    throw accessFault(vm, insn, d2, off, size, true);
  }
  const dv = vm.memory.view;
  const R = vm.regs;
  if (size === 4) {
    const old = dv.getUint32(a, true);
    const v = R32[s2]!;
    let next: number;
    switch (imm & ~1) {
      case 0x00:
        next = (old + v) >>> 0;
        break;
      case 0x40:
        next = (old | v) >>> 0;
        break;
      case 0x50:
        next = (old & v) >>> 0;
        break;
      case 0xa0:
        next = (old ^ v) >>> 0;
        break;
      case 0xe0:
        if (imm !== 0xe1) throw unknownAtomic(insn, imm);
        next = v;
        break;
      case 0xf0:
        if (imm !== 0xf1) throw unknownAtomic(insn, imm);
        next = R32[0] === old ? v : old;
        R32[0] = old;
        R32[1] = 0;
        dv.setUint32(a, next, true);
        return;
      default:
        throw unknownAtomic(insn, imm);
    }
    dv.setUint32(a, next, true);
    if (imm & 1) {
      R32[s2] = old;
      R32[s2 + 1] = 0;
    }
    return;
  }
  const old = dv.getBigUint64(a, true);
  const v = R[s2 >> 1]!;
  let next: bigint;
  switch (imm & ~1) {
    case 0x00:
      next = BigInt.asUintN(64, old + v);
      break;
    case 0x40:
      next = old | v;
      break;
    case 0x50:
      next = old & v;
      break;
    case 0xa0:
      next = old ^ v;
      break;
    case 0xe0:
      if (imm !== 0xe1) throw unknownAtomic(insn, imm);
      next = v;
      break;
    case 0xf0:
      if (imm !== 0xf1) throw unknownAtomic(insn, imm);
      next = R[0] === old ? v : old;
      R[0] = old;
      dv.setBigUint64(a, next, true);
      return;
    default:
      throw unknownAtomic(insn, imm);
  }
  dv.setBigUint64(a, next, true);
  if (imm & 1) R[s2 >> 1] = old;
}

function unknownAtomic(insn: number, imm: number): RuntimeFault {
  return new RuntimeFault(`unknown atomic operation 0x${imm.toString(16)}`, insn);
}

function loadInto(vm: Vm, a: number, size: number, d2: number): void {
  const dv = vm.memory.view;
  const R32 = vm.regs32;
  R32[d2 + 1] = size === 8 ? dv.getUint32(a + 4, true) : 0;
  R32[d2] =
    size === 1 ? dv.getUint8(a) : size === 2 ? dv.getUint16(a, true) : dv.getUint32(a, true);
}

function storeFrom(vm: Vm, a: number, size: number, s2: number): void {
  const dv = vm.memory.view;
  const R32 = vm.regs32;
  if (size === 1) dv.setUint8(a, R32[s2]!);
  else if (size === 2) dv.setUint16(a, R32[s2]!, true);
  else {
    dv.setUint32(a, R32[s2]!, true);
    if (size === 8) dv.setUint32(a + 4, R32[s2 + 1]!, true);
  }
}

/** Returns false when the load is outside the packet (the program then ends with 0). */
function legacyPacketLoad(vm: Vm, insn: number, code: number, s2: number, imm: number): boolean {
  if (vm.packetEnd === 0) {
    throw new RuntimeFault("ldabs/ldind needs a socket buffer context with packet data", insn);
  }
  const size = (code & 0x18) === 0 ? 4 : (code & 0x18) === 0x08 ? 2 : 1;
  const indirect = (code & 0xe0) === 0x40;
  const offset = (indirect ? vm.regs32[s2]! | 0 : 0) + imm;
  const len = vm.packetEnd - vm.packetStart;
  if (offset < 0 || offset + size > len) return false;
  const a = vm.packetStart + offset;
  const dv = vm.memory.view;
  vm.regs32[0] = size === 4 ? dv.getUint32(a) : size === 2 ? dv.getUint16(a) : dv.getUint8(a);
  vm.regs32[1] = 0;
  return true;
}
