#!/usr/bin/env bash
# Adds every program that now agrees with the kernel (verdict and closing
# error lines) to test/differential/expected-agreement.json. Programs are
# only ever added: one that stops agreeing fails the differential suite
# until it is fixed. Needs what the suite needs: root, BPF, cc and libbpf-dev.
#
# Usage: tools/update-agreement.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TSBPF_UPDATE_AGREEMENT=1 npx vitest run test/differential/kernel.test.ts
