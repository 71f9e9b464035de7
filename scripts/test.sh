#!/usr/bin/env bash
# The README's test command (and CI's, .ci/run): installs what the tests need (only what is
# missing; scripts/setup.sh --test says what, what needs root and how long before it starts),
# then type-check, lint and every test against real servers.
#   scripts/test.sh [path-substring...]   arguments go to scripts/run-tests.mjs
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(find src test -name '*.test.ts' -not -path '*/node_modules/*' | wc -l)
cat <<PLAN
== scripts/test.sh: setup, then type-check and lint (about 2 min), then the ${files} test files
   (about 25 min on 2 cores; the first run a few more: the image test debootstraps its base and
   builds the image, the package test packs and installs the npm package). A cold machine adds
   the setup below, mostly the Go-built test peers (about 45 min, cached in ~/.cache/tide).
PLAN
scripts/setup.sh --test
printf '\n== type-check\n'
npx tsc --noEmit
printf '\n== lint\n'
npx eslint .
printf '\n== tests\n'
node scripts/run-tests.mjs "$@"
