#!/usr/bin/env bash
# The README's test command: installs what the tests need (only what is missing), then runs
# type-check, lint and every test against the real local servers.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
printf '\n== type-check\n'
npx tsc --noEmit
printf '\n== lint\n'
npx eslint .
printf '\n== tests\n'
node scripts/run-tests.mjs "$@"
