// Interpreter benchmark: nanoseconds per executed BPF instruction for three
// workloads, each next to a plain JavaScript loop doing the same work in the
// same process, so the ratio means something on any machine.
// Run with `npm run bench` (it builds dist/ first).
import { assemble } from "../dist/isa/asm.js";
import { createRuntime } from "../dist/runtime/index.js";

// Short runs, many of them, best kept: on a shared machine a long run is likely to be
// preempted, which would measure the neighbours instead of the interpreter.
const ITERATIONS = 200_000;
const ROUNDS = 25;
const BPF_MAP_TYPE_ARRAY = 2;

function program(name, asm) {
  return {
    name,
    section: "syscall",
    type: "syscall",
    attachTo: undefined,
    insns: withMapRefs(assemble(asm)),
    funcInfo: [],
    lineInfo: [],
    license: "GPL",
  };
}

// `lddw %rN, 0x7fff0000` stands for a reference to map 0 (BPF_PSEUDO_MAP_FD).
function withMapRefs(insns) {
  return insns.map((insn) =>
    insn.code === 0x18 && insn.imm >>> 0 === 0x7fff0000 ? { ...insn, src: 1, imm: 0 } : insn,
  );
}

const ALU = `
  mov %r0, 1
  lddw %r2, 6364136223846793005
  lddw %r3, 1442695040888963407
  mov %r4, 0
loop:
  mul %r0, %r2
  add %r0, %r3
  mov %r5, %r0
  rsh %r5, 33
  xor %r0, %r5
  add %r4, 1
  jlt %r4, ${ITERATIONS}, loop
  exit`;

const MAP_HEAVY = `
  mov %r6, 0
loop:
  mov %r1, %r6
  and %r1, 15
  stxw [%r10-4], %r1
  lddw %r1, 0x7fff0000
  mov %r2, %r10
  add %r2, -4
  call 1
  jeq %r0, 0, skip
  ldxdw %r1, [%r0+0]
  add %r1, %r6
  stxdw [%r0+0], %r1
skip:
  add %r6, 1
  jlt %r6, ${ITERATIONS}, loop
  mov %r0, 0
  exit`;

const CALL_HEAVY = `
  mov %r6, 0
  mov %r7, 0
loop:
  mov %r1, %r6
  mov %r2, %r7
  call local f
  mov %r7, %r0
  add %r6, 1
  jlt %r6, ${ITERATIONS}, loop
  mov %r0, %r7
  exit
f:
  mov %r0, %r1
  xor %r0, %r2
  add %r0, 3
  exit`;

const spec = {
  programs: [program("alu", ALU), program("map", MAP_HEAVY), program("call", CALL_HEAVY)],
  maps: [
    {
      name: "counters",
      type: BPF_MAP_TYPE_ARRAY,
      keySize: 4,
      valueSize: 8,
      maxEntries: 16,
      flags: 0,
      keyTypeId: undefined,
      valueTypeId: undefined,
      innerMap: undefined,
      section: undefined,
      initialValue: undefined,
      readOnly: false,
    },
  ],
  license: "GPL",
  kernelVersion: undefined,
  btf: undefined,
  btfExt: undefined,
};

// Plain JavaScript doing the same work, on the same representation (a BigUint64Array).
function aluBaseline() {
  const r = new BigUint64Array(6);
  r[0] = 1n;
  r[2] = 6364136223846793005n;
  r[3] = 1442695040888963407n;
  for (let i = 0; i < ITERATIONS; i++) {
    r[0] = r[0] * r[2];
    r[0] = r[0] + r[3];
    r[5] = r[0] >> 33n;
    r[0] = r[0] ^ r[5];
  }
  return r[0];
}

function mapBaseline() {
  const values = new Float64Array(16);
  for (let i = 0; i < ITERATIONS; i++) {
    values[i & 15] += i;
  }
  return values[0];
}

function callBaseline() {
  const f = (a, b) => (a ^ b) + 3;
  let acc = 0;
  for (let i = 0; i < ITERATIONS; i++) acc = f(i, acc) >>> 0;
  return acc;
}

function timeJs(fn) {
  let best = Infinity;
  for (let k = 0; k < ROUNDS; k++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0));
  }
  return best;
}

const runtime = createRuntime(spec, { budget: 100 * ITERATIONS });

function timeBpf(name) {
  let best = Infinity;
  let insns = 0;
  for (let k = 0; k < ROUNDS; k++) {
    const r = runtime.run(name);
    insns = r.insns;
    best = Math.min(best, r.durationNs);
  }
  return { ns: best, insns };
}

// The ALU workload must compute what the plain loop computes.
const expected = aluBaseline() & 0xffffffffn;
const got = runtime.run("alu").retval;
if (BigInt(got) !== expected) {
  throw new Error(`ALU workload returned ${got}, the JavaScript loop ${expected}`);
}

// Warm up first, as a program that runs often would be: the interpreter has then seen every
// workload's instructions and V8 has compiled it for all of them.
for (let k = 0; k < 5; k++) {
  for (const name of ["alu", "map", "call"]) runtime.run(name);
  aluBaseline();
  mapBaseline();
  callBaseline();
}

const rows = [
  ["ALU loop (mul/add/mov/rsh/xor)", "alu", aluBaseline],
  ["map-heavy loop (array lookup + update)", "map", mapBaseline],
  ["call-heavy loop (bpf-to-bpf call)", "call", callBaseline],
];

console.log(`tsbpf interpreter, Node ${process.version}, best of ${ROUNDS} runs`);
console.log(
  "workload                                  insns/run   ns/insn   baseline ns/iter   ratio",
);
for (const [label, name, baseline] of rows) {
  const { ns, insns } = timeBpf(name);
  const base = timeJs(baseline);
  const nsPerInsn = ns / insns;
  const ratio = ns / base;
  console.log(
    `${label.padEnd(40)} ${String(insns).padStart(11)} ${nsPerInsn.toFixed(2).padStart(9)} ${(base / ITERATIONS).toFixed(2).padStart(18)} ${ratio.toFixed(1).padStart(6)}x`,
  );
}
console.log("ratio: interpreter time / plain JavaScript time for the same work");
