/**
 * The kernel-differential suite: every program of every fixture and example
 * object goes through the running kernel's verifier (tools/kernel-oracle)
 * and through tsbpf's verifier, and the two must reach the same verdict
 * and, for a rejection, print the same closing error lines.
 *
 * - The kernel is asked live. Without it (no C compiler or libbpf headers to
 *   build the oracle, not root, BPF disabled, not Linux) the live part is
 *   skipped, visibly, with the reason in its name; a skip is not a pass.
 * - Live kernel answers must equal test/fixtures/kernel-verdicts.json, so the
 *   recorded data other tests rely on stays honest.
 * - tsbpf's verifier grows instruction by instruction, so only the programs
 *   in expected-agreement.json are asserted to agree; the rest are reported
 *   in a summary. `TSBPF_UPDATE_AGREEMENT=1` (tools/update-agreement.sh)
 *   adds every program that now agrees to that list; nothing removes one.
 */
import { writeFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { objectNameFromPath } from "../../src/api.js";
import {
  type Comparison,
  compareOutcomes,
  type KernelOutcome,
  kernelOutcome,
  type TsbpfOutcome,
} from "./compare.js";
import {
  agreementListPath,
  type CorpusObject,
  corpusObjects,
  parseCorpusObject,
  programKey,
  readAgreementList,
  readRecordedVerdicts,
} from "./corpus.js";
import { askKernel, listKernelPrograms, mapLimit, probeKernel } from "./oracle.js";
import { verifyAll } from "./tsbpf-pool.js";

const objects = corpusObjects();
const recorded = readRecordedVerdicts();
const agreementList = readAgreementList();
const updateAgreement = process.env.TSBPF_UPDATE_AGREEMENT === "1";
/** How long tsbpf may take on one program before it counts as a failure (it may still be looping). */
const tsbpfTimeoutMs = Number(process.env.TSBPF_DIFFERENTIAL_TIMEOUT_MS ?? 20_000);

const kernel = probeKernel("test/fixtures/verifier_scalars.o", "mov_imm_exit");
const skipReason = kernel.available ? "" : kernel.reason;
if (!kernel.available)
  console.warn(`differential: SKIPPED, the kernel cannot be asked: ${skipReason}`);

describe("the differential corpus and its recorded kernel verdicts", () => {
  const parsed = objects.map(parseCorpusObject);

  it("has at least 150 programs", () => {
    expect(Object.keys(recorded).length).toBeGreaterThanOrEqual(150);
  });

  it("records a kernel verdict for every program tsbpf finds in every object", () => {
    const missing: string[] = [];
    for (const { object, spec } of parsed) {
      for (const program of spec?.programs ?? []) {
        const key = programKey(object, program);
        if (recorded[key] === undefined) missing.push(key);
      }
    }
    expect(missing).toEqual([]);
  });

  it("records only programs of objects that exist", () => {
    const prefixes = new Set(objects.map((o) => o.key));
    const stale = Object.keys(recorded).filter(
      (key) => !prefixes.has(key.slice(0, key.lastIndexOf(":"))),
    );
    expect(stale).toEqual([]);
  });

  it("records closing error lines for every rejection", () => {
    const bare = Object.entries(recorded)
      .filter(([, v]) => v.verdict === "reject" && v.errors.length === 0)
      .map(([key]) => key);
    expect(bare).toEqual([]);
  });

  it("lists in expected-agreement.json only recorded programs, sorted, without duplicates", () => {
    expect(agreementList.filter((key) => recorded[key] === undefined)).toEqual([]);
    expect(agreementList).toEqual([...new Set(agreementList)].sort());
  });
});

interface ProgramResult {
  readonly key: string;
  readonly kernel: KernelOutcome;
  readonly tsbpf: TsbpfOutcome;
  readonly comparison: Comparison;
}

function summarize(results: readonly ProgramResult[]): string {
  const of = (kind: Comparison["kind"]) => results.filter((r) => r.comparison.kind === kind);
  const compared = results.filter((r) => r.comparison.kind !== "not-verified");
  const lines = [
    `differential: ${of("agree").length}/${compared.length} programs agree with the kernel (verdict+errors)` +
      `; ${of("verdict").length} verdict mismatches, ${of("errors").length} error-line mismatches, ` +
      `${of("tsbpf-error").length} tsbpf failures; ${of("not-verified").length} refused by the kernel before verifying (not compared)`,
  ];
  const rejected = compared.filter((r) => r.kernel.verdict === "reject");
  const rejectedAgree = rejected.filter((r) => r.comparison.kind === "agree").length;
  lines.push(
    `differential: ${rejectedAgree}/${rejected.length} kernel rejections reproduced with the kernel's error lines`,
  );
  for (const kind of ["verdict", "errors", "tsbpf-error"] as const) {
    for (const r of of(kind)) {
      const c = r.comparison;
      if (c.kind === kind) lines.push(`  ${kind} ${r.key}: ${c.detail}`);
    }
  }
  return lines.join("\n");
}

describe.skipIf(!kernel.available)(
  `tsbpf against the running kernel${kernel.available ? "" : ` (SKIPPED: ${skipReason})`}`,
  () => {
    let results: ProgramResult[] = [];
    const kernelLists = new Map<string, string[]>();

    beforeAll(async () => {
      const jobs: { object: CorpusObject; name: string }[] = [];
      for (const object of objects) {
        const names = listKernelPrograms(object.path);
        kernelLists.set(object.key, names);
        for (const name of names) jobs.push({ object, name });
      }
      const [answers, outcomes] = await Promise.all([
        mapLimit(jobs, 8, ({ object, name }) => askKernel(object.path, name)),
        verifyAll(
          jobs.map(({ object, name }) => ({
            objectPath: object.path,
            objectName: objectNameFromPath(object.path),
            programName: name,
          })),
          4,
          tsbpfTimeoutMs,
        ),
      ]);
      results = jobs.map(({ object, name }, i) => {
        const kernelSide = kernelOutcome(answers[i]!);
        const tsbpfSide = outcomes[i]!;
        return {
          key: programKey(object, name),
          kernel: kernelSide,
          tsbpf: tsbpfSide,
          comparison: compareOutcomes(kernelSide, tsbpfSide),
        };
      });
    }, 900_000);

    it("finds the same programs in every object as libbpf does", () => {
      const differences: string[] = [];
      for (const object of objects) {
        const spec = parseCorpusObject(object).spec;
        const ours = (spec?.programs ?? []).map((p) => p.name).sort();
        const libbpf = [...(kernelLists.get(object.key) ?? [])].sort();
        if (ours.join(",") !== libbpf.join(","))
          differences.push(`${object.key}: libbpf ${libbpf}, tsbpf ${ours}`);
      }
      expect(differences).toEqual([]);
    });

    it("gets from the kernel the verdicts and error lines recorded in kernel-verdicts.json", () => {
      const drift: string[] = [];
      for (const r of results) {
        const saved = recorded[r.key];
        const live = { verdict: r.kernel.verdict, stage: r.kernel.stage, errors: r.kernel.errors };
        const was = saved && { verdict: saved.verdict, stage: saved.stage, errors: saved.errors };
        if (JSON.stringify(live) !== JSON.stringify(was))
          drift.push(
            `${r.key}: recorded ${JSON.stringify(was)}, kernel now ${JSON.stringify(live)}`,
          );
      }
      expect(
        drift,
        "re-record with tools/kernel-oracle/record-verdicts.sh if the kernel changed",
      ).toEqual([]);
    });

    it("agrees with the kernel on every program of expected-agreement.json", () => {
      const byKey = new Map(results.map((r) => [r.key, r]));
      const broken = agreementList
        .map((key) => {
          const r = byKey.get(key);
          if (r === undefined) return `${key}: not in the corpus`;
          const c = r.comparison;
          return c.kind === "agree"
            ? undefined
            : `${key}: ${c.kind}${"detail" in c ? ` ${c.detail}` : ""}`;
        })
        .filter((line) => line !== undefined);
      expect(broken).toEqual([]);
    });

    it("reports agreement over the whole corpus", () => {
      console.log(summarize(results));
      const agreeing = results.filter((r) => r.comparison.kind === "agree").map((r) => r.key);
      const added = agreeing.filter((key) => !agreementList.includes(key));
      if (updateAgreement) {
        const next = [...new Set([...agreementList, ...agreeing])].sort();
        writeFileSync(agreementListPath, `${JSON.stringify(next, null, 2)}\n`);
        console.log(`differential: added ${added.length} program(s) to ${agreementListPath}`);
      } else if (added.length > 0) {
        console.log(
          `differential: ${added.length} program(s) agree but are not in expected-agreement.json; add them with tools/update-agreement.sh`,
        );
      }
      expect(results.length).toBeGreaterThan(0);
    });
  },
);
