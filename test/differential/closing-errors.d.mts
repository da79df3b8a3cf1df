/** The closing error lines of a kernel verifier log; see closing-errors.mjs. */
export declare function closingErrorLines(log: string): string[];
/** libbpf's reasons for refusing a program before the verifier ran. */
export declare function libbpfRefusalLines(libbpfLog: string): string[];
