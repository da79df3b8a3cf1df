import { assemble } from "../../src/isa/asm.js";
import type { Insn } from "../../src/isa/insn.js";
import { installStandardHelpers } from "../../src/runtime/helpers/index.js";
import { interpret } from "../../src/runtime/interp.js";
import { ACCESS_RW } from "../../src/runtime/memory.js";
import { decodeProgram } from "../../src/runtime/program.js";
import { Vm } from "../../src/runtime/vm.js";

/** Runs assembly (or instructions) in raw mode on `vm`; returns r0 as an unsigned 64-bit value. */
export function run(code: string | Insn[], mem?: Uint8Array, vm: Vm = newVm()): bigint {
  const insns = typeof code === "string" ? assemble(code) : code;
  const program = decodeProgram("test", insns, vm.memory);
  vm.beginRun(program);
  try {
    let addr = 0;
    if (mem !== undefined) {
      const region = vm.memory.allocRegion(mem.length, "memory", "input", ACCESS_RW);
      vm.memory.bytes.set(mem, region.start);
      addr = region.start;
      vm.atRunEnd.push(() => vm.memory.freeRegion(region));
    }
    vm.regs[1] = BigInt(addr);
    vm.regs[2] = BigInt(mem?.length ?? 0);
    return interpret(vm, program, 0, 0);
  } finally {
    vm.endRun();
  }
}

export function newVm(budget?: number): Vm {
  const vm = new Vm(budget === undefined ? {} : { budget });
  installStandardHelpers(vm);
  return vm;
}

/** r0 of a program made of `body` followed by exit. */
export function r0(body: string): bigint {
  return run(`${body}\nexit`);
}
