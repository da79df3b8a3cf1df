/**
 * tsbpf's verifier run in worker threads with a time limit per program: a
 * verifier under construction may loop forever on a program it does not
 * handle yet, and one such program must not stop the suite from reporting
 * on all the others. Workers need plain JavaScript, so src/ is first
 * compiled (type-stripped, no type check) into a temporary directory.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { Worker } from "node:worker_threads";
import ts from "typescript";
import type { TsbpfOutcome } from "./compare.js";
import { repoRoot } from "./corpus.js";

/** Compiles every src/**.ts to ES modules under a fresh temporary directory; returns it. */
export function compileSources(): string {
  const out = mkdtempSync(join(tmpdir(), "tsbpf-differential-"));
  const srcRoot = join(repoRoot, "src");
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        const { outputText } = ts.transpileModule(readFileSync(path, "utf8"), {
          compilerOptions: {
            module: ts.ModuleKind.ESNext,
            target: ts.ScriptTarget.ES2022,
            verbatimModuleSyntax: false,
          },
          fileName: path,
        });
        const target = join(out, relative(srcRoot, path)).replace(/\.ts$/, ".js");
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, outputText);
      }
    }
  };
  walk(srcRoot);
  writeFileSync(join(out, "package.json"), '{ "type": "module" }\n');
  return out;
}

export interface VerifyJob {
  readonly objectPath: string;
  readonly objectName: string;
  readonly programName: string;
}

interface Pending {
  readonly resolve: (outcome: TsbpfOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

/** One worker; replaced by a fresh one when a job runs past the limit. */
class VerifyWorker {
  private worker: Worker;
  private pending: Pending | undefined;
  private nextId = 0;

  constructor(private readonly compiledRoot: string) {
    this.worker = this.start();
  }

  private start(): Worker {
    const worker = new Worker(new URL("./verify-worker.mjs", import.meta.url), {
      workerData: { compiledRoot: this.compiledRoot, repoRoot },
    });
    worker.on("message", (msg: { verdict: TsbpfOutcome["verdict"]; errors: string[] }) => {
      this.settle({ verdict: msg.verdict, errors: msg.errors } as TsbpfOutcome);
    });
    worker.on("error", (err) => {
      this.settle({ verdict: "error", errors: [`the verifier worker died: ${err.message}`] });
      this.worker = this.start();
    });
    return worker;
  }

  private settle(outcome: TsbpfOutcome): void {
    const pending = this.pending;
    if (pending === undefined) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }

  run(job: VerifyJob, timeoutMs: number): Promise<TsbpfOutcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.settle({ verdict: "error", errors: [`tsbpf did not finish within ${timeoutMs} ms`] });
        void this.worker.terminate();
        this.worker = this.start();
      }, timeoutMs);
      this.pending = { resolve, timer };
      this.worker.postMessage({ id: this.nextId++, ...job });
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

/** Verifies every job with tsbpf, `parallel` at a time, each within `timeoutMs`. */
export async function verifyAll(
  jobs: readonly VerifyJob[],
  parallel: number,
  timeoutMs: number,
): Promise<TsbpfOutcome[]> {
  const compiledRoot = compileSources();
  const workers = Array.from(
    { length: Math.max(1, Math.min(parallel, jobs.length)) },
    () => new VerifyWorker(compiledRoot),
  );
  const results: TsbpfOutcome[] = new Array(jobs.length);
  let next = 0;
  try {
    await Promise.all(
      workers.map(async (worker) => {
        while (next < jobs.length) {
          const i = next++;
          results[i] = await worker.run(jobs[i]!, timeoutMs);
        }
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    rmSync(compiledRoot, { recursive: true, force: true });
  }
  return results;
}
