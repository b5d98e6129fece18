#!/usr/bin/env bash
# Runs the linters and the whole test suite, then prints the closing line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."

status=0
failed=()
echo "== lint (biome, clang-format, tsc on tests)"
npx biome check || { status=1; failed+=("biome check"); }
bash scripts/clang-format-check.sh || { status=1; failed+=("clang-format"); }
npx tsc -p tsconfig.test.json || { status=1; failed+=("tsc -p tsconfig.test.json"); }

echo "== tests (vitest)"
report=$(mktemp --suffix=.json)
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
vitest_status=$?
if [ ! -s "$report" ]; then
  # A crashed test process makes vitest stop without a report (README, Known problems: a native heap
  # corruption did this until it was fixed). The suite then runs once more; the crash stays in the log.
  echo "== vitest ended without a report (a test process crashed: see above); running the suite once more"
  npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
  vitest_status=$?
fi
[ $vitest_status -ne 0 ] && { status=1; failed+=("vitest (exit $vitest_status)"); }

node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
const skipped = (r.numPendingTests || 0) + (r.numTodoTests || 0);
console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report" || { echo "0 passed, 1 failed"; status=1; }
rm -f "$report"
# The closing lines name every step that failed, so the tail of a CI log says why it is red.
for step in "${failed[@]}"; do echo "FAILED: $step (see its output above)"; done
exit $status
