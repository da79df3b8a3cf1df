/**
 * The closing error lines of a kernel verifier log: what the verifier said
 * about why it stopped, without the path that led there.
 *
 * A log at level 1 or 2 is the walk of the verifier over the failing path
 * followed by the statistics line. Lines that belong to the walk:
 *
 *   `12: (61) r1 = *(u32 *)(r1 +0)  ; R1=pkt(r=0)`  instruction, with the
 *                                                  registers it changed
 *   `12: R1=ctx() R10=fp0`                          a state at instruction 12
 *   `; return v->a; @ file.c:12`                    source line from line info
 *   `from 4 to 7: R0=...`                           a branch taken
 *   `caller:` `callee:` `returning from callee:` `to caller at 5:`
 *   ` frame1: R1=...`                               call/return frame states
 *   `Validating f() func#1...`,
 *   `Func#1 ('f') is global and assumed valid.`,
 *   `Func#1 ('f') is safe for any args that match its prototype`
 *                                                   global subprograms
 *   `func#1 @5`, `Live regs before insn:`, `mark_precise: ...`,
 *   `last_idx ...`, `regs=... stack=... before ...`, `parent ...`  (level 2)
 *
 * The closing error lines are the non-empty lines after the last walk line
 * and before the first `processed N insns (limit ...)` line after it (to the
 * end of the log when there is none). A log with no walk lines at all (a
 * program refused by the control-flow check before any instruction was
 * simulated, or a level-1 log whose walk the kernel discarded after the
 * walk succeeded, as it does before the combined stack check) is closing
 * error lines from its first line on. An accepted program's log gives lines
 * only when the verifier printed something after the walk (it normally
 * prints nothing).
 *
 * Known limit: an informational line the kernel prints before the walk
 * (`Global function f() doesn't return scalar. Only those are supported.`)
 * would count as an error line in a log that has no walk at all.
 */

const WALK_LINE =
  /^(\d+: |; |from \d+ to \d+: |caller:$|callee:$|returning from callee:$|to caller at \d+:$|\s*frame\d+: |Validating .* func#\d+\.\.\.$|Func#\d+ \(.*\) is (global and assumed valid\.|safe for any args that match its prototype)$|func#\d+ @\d+$|Live regs before insn:|mark_precise: |last_idx \d+ |regs=\S* stack=\S* before |parent )/;

const STATS_LINE = /^processed \d+ insns \(limit \d+\) /;

/**
 * @param {string} log the verifier log as the kernel wrote it
 * @returns {string[]} the closing error lines, in order
 */
export function closingErrorLines(log) {
  const lines = log.split("\n").filter((line) => line.trim() !== "");
  let end = lines.findLastIndex((line) => STATS_LINE.test(line));
  if (end < 0) end = lines.length;
  let start = end;
  while (start > 0 && !WALK_LINE.test(lines[start - 1])) start--;
  return lines.slice(start, end);
}

/**
 * Why libbpf or the kernel refused a program before the verifier ran: libbpf's
 * warnings without the generic lines that follow every failure.
 *
 * @param {string} libbpfLog libbpf's messages
 * @returns {string[]}
 */
export function libbpfRefusalLines(libbpfLog) {
  return libbpfLog
    .split("\n")
    .filter(
      (line) =>
        line !== "" &&
        !/failed to load object|: failed to load: -?\d+$|permission error while running as root/.test(
          line,
        ),
    );
}
