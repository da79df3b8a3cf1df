/**
 * The running kernel as an oracle: builds tools/kernel-oracle/oracle when a C
 * compiler and libbpf's headers are present, checks once that the kernel
 * accepts BPF programs from us, and asks it about one program at a time.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./corpus.js";

const oracleDir = join(repoRoot, "tools/kernel-oracle");
export const oraclePath = join(oracleDir, "oracle");

/** What `oracle OBJ PROG LEVEL` prints. */
export interface OracleAnswer {
  readonly verdict: "accept" | "reject";
  readonly errno: number;
  readonly stage: "verifier" | "kernel" | "libbpf";
  readonly log: string;
  readonly libbpf_log: string;
}

export type KernelAvailability =
  | { readonly available: true }
  | { readonly available: false; readonly reason: string };

/** The oracle's exit status when bpf() itself is refused (no privileges, BPF disabled). */
const EXIT_NO_KERNEL = 3;

function hasCommand(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

function oracleIsStale(): boolean {
  if (!existsSync(oraclePath)) return true;
  return statSync(join(oracleDir, "oracle.c")).mtimeMs > statSync(oraclePath).mtimeMs;
}

/**
 * Builds the oracle if needed and probes the kernel with a one-instruction
 * program (the oracle does that before every load). Synchronous, because
 * whether a suite runs must be known when tests are collected.
 */
export function probeKernel(probeObject: string, probeProgram: string): KernelAvailability {
  if (process.platform !== "linux")
    return { available: false, reason: `not Linux (${process.platform})` };
  if (oracleIsStale()) {
    if (!hasCommand(process.env.CC ?? "cc"))
      return {
        available: false,
        reason: "no C compiler to build the kernel oracle (apt-get install -y gcc)",
      };
    if (!existsSync("/usr/include/bpf/libbpf.h"))
      return { available: false, reason: "libbpf headers missing (apt-get install -y libbpf-dev)" };
    const build = spawnSync(join(oracleDir, "build.sh"), { encoding: "utf8" });
    if (build.status !== 0)
      return {
        available: false,
        reason: `building the kernel oracle failed: ${build.stderr.trim()}`,
      };
  }
  const probe = spawnSync(oraclePath, [probeObject, probeProgram, "1"], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  if (probe.status === EXIT_NO_KERNEL)
    return { available: false, reason: `the kernel refuses bpf(): ${probe.stderr.trim()}` };
  if (probe.status !== 0)
    return {
      available: false,
      reason: `the kernel oracle failed (exit ${probe.status ?? probe.signal}): ${probe.stderr.trim()}`,
    };
  return { available: true };
}

/** Asks the kernel about one program at log level 1. */
export function askKernel(objectPath: string, program: string): Promise<OracleAnswer> {
  return new Promise((resolve, reject) => {
    execFile(
      oraclePath,
      [objectPath, program, "1"],
      { cwd: repoRoot, maxBuffer: 1 << 30, encoding: "utf8" },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`oracle ${objectPath} ${program}: ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as OracleAnswer);
      },
    );
  });
}

/** The program names libbpf sees in an object (entry points, not static subprograms). */
export function listKernelPrograms(objectPath: string): string[] {
  return execFileSync(oraclePath, ["--list", objectPath], { cwd: repoRoot, encoding: "utf8" })
    .split("\n")
    .filter((l) => l !== "");
}

/** Runs `tasks` with at most `limit` in flight. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
