import { conformanceInsns, parseConformanceFile } from "../isa/conformance-file.js";
import { validateInsns } from "../isa/validate.js";
import { installStandardHelpers } from "./helpers/index.js";
import { interpret } from "./interp.js";
import { ACCESS_RW } from "./memory.js";
import { decodeProgram } from "./program.js";
import { Vm } from "./vm.js";

export interface ConformanceOutcome {
  readonly status: "pass" | "fail" | "skip";
  readonly message?: string;
}

/**
 * Runs one file of the BPF conformance suite in raw mode: r1 points at the
 * `-- mem` bytes (0 when there are none), r2 holds their length, r10 is the
 * frame pointer of a 512-byte stack. Passes when r0 at exit equals
 * `-- result`, or, for an `-- error` case, when the run fails with a message
 * containing that text.
 */
export function runConformanceCase(text: string, name: string): ConformanceOutcome {
  let expectedError: string | undefined;
  try {
    const testCase = parseConformanceFile(text, name);
    expectedError = testCase.error;
    const insns = conformanceInsns(testCase);
    // malformed instructions (reserved fields set, bad registers) never run
    validateInsns(insns);
    const vm = new Vm();
    installStandardHelpers(vm);
    const program = decodeProgram(name, insns, vm.memory);
    vm.beginRun(program);
    try {
      let memAddr = 0;
      if (testCase.mem.length > 0) {
        const region = vm.memory.allocRegion(testCase.mem.length, "memory", "input", ACCESS_RW);
        vm.memory.bytes.set(testCase.mem, region.start);
        memAddr = region.start;
      }
      vm.regs[1] = BigInt(memAddr);
      vm.regs[2] = BigInt(testCase.mem.length);
      const r0 = interpret(vm, program, 0, 0);
      if (expectedError !== undefined) {
        return {
          status: "fail",
          message: `expected an error "${expectedError}", got r0 = 0x${r0.toString(16)}`,
        };
      }
      if (testCase.result === undefined) return { status: "skip", message: "no -- result" };
      if (r0 !== testCase.result) {
        return {
          status: "fail",
          message: `r0 = 0x${r0.toString(16)}, expected 0x${testCase.result.toString(16)}`,
        };
      }
      return { status: "pass" };
    } finally {
      vm.endRun();
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (expectedError !== undefined && message.includes(expectedError)) {
      return { status: "pass", message };
    }
    return { status: "fail", message };
  }
}
