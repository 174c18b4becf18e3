#!/bin/sh
# The March 2026 leak, replayed in a throwaway repository, with leakgate's hooks installed:
#
#   1. a clean commit passes;
#   2. adding `--sourcemap` to the Bun build script is blocked at `git commit`;
#   3. the same edit committed with --no-verify, then a build that leaves dist/cli.js.map
#      (with sourcesContent) next to dist/cli.js, is blocked at `git push`;
#   4. the fix (no map, no flag) commits and pushes.
#
#   scripts/demo.sh           # uses `leakgate` from LEAKGATE_BIN, PATH or ~/.cargo/bin
#   scripts/demo.sh --keep    # keep the demo repository and print where it is
#
# Everything happens under a fresh temporary directory (a repository and a bare "remote");
# nothing outside it is touched. Exits 0 when every step behaved as described, 1 otherwise.
set -eu

keep=no
for arg in "$@"; do
  case $arg in
    --keep) keep=yes ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

bin=${LEAKGATE_BIN:-}
if [ -z "$bin" ]; then
  bin=$(command -v leakgate 2>/dev/null || true)
fi
if [ -z "$bin" ]; then
  for candidate in "${CARGO_HOME:-$HOME/.cargo}/bin/leakgate" "$HOME/.cargo/bin/leakgate"; do
    if [ -x "$candidate" ]; then bin=$candidate; break; fi
  done
fi
if [ -z "$bin" ] || ! "$bin" --version >/dev/null 2>&1; then
  echo "demo.sh: leakgate not found: run ./install.sh first (or set LEAKGATE_BIN)" >&2
  exit 2
fi
# The hooks find the same binary through LEAKGATE_BIN.
LEAKGATE_BIN=$bin
export LEAKGATE_BIN

tmp=$(mktemp -d "${TMPDIR:-/tmp}/leakgate-demo.XXXXXX")
if [ "$keep" = no ]; then
  trap 'rm -rf "$tmp"' EXIT
fi
repo=$tmp/acme-cli
failures=0

if [ -t 1 ]; then
  say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
  say() { printf '\n== %s\n' "$*"; }
fi
expect() { # expect blocked|passed EXIT-CODE WHAT
  if { [ "$1" = blocked ] && [ "$2" -ne 0 ]; } || { [ "$1" = passed ] && [ "$2" -eq 0 ]; }; then
    echo "demo: as expected, $3 $1"
  else
    echo "demo: UNEXPECTED: $3 was supposed to be $1 (exit $2)"
    failures=$((failures + 1))
  fi
}
run() { # run CMD...: prints the command, runs it, returns its exit code without stopping the demo
  echo "\$ $*"
  set +e
  "$@"
  code=$?
  set -e
  return 0
}

# A repository of its own: the user's git config (identity, hooks, templates) stays out of it.
git init -q --bare "$tmp/remote.git"
git init -q -b main "$repo"
cd "$repo"
git config user.name "Demo Developer"
git config user.email "demo@example.com"
git config commit.gpgsign false
git remote add origin "$tmp/remote.git"

mkdir -p src
cat >package.json <<'EOF'
{
  "name": "@acme/cli",
  "version": "1.0.0",
  "license": "SEE LICENSE IN README.md",
  "bin": { "acme": "dist/cli.js" },
  "files": ["dist"],
  "scripts": {
    "build": "bun build src/cli.ts --outdir dist --target node"
  }
}
EOF
printf 'dist/\nnode_modules/\n' >.gitignore
# The team's policy: the codename of the unreleased feature must never ship.
printf 'codenames = ["Orchid"]\n' >leakgate.toml
printf '# @acme/cli\nProprietary. All rights reserved.\n' >README.md
cat >src/cli.ts <<'EOF'
import { login } from "./auth";
// Codename ORCHID: the unreleased agent mode lives behind this flag.
export function main(argv: string[]) { return login(argv[2]); }
EOF
cat >src/auth.ts <<'EOF'
export function login(user: string) { return fetch(`/internal/auth/${user}`); }
EOF

say "leakgate install"
"$bin" install

say "1. a clean first commit"
git add -A
run git commit -q -m "acme cli"
expect passed "$code" "the clean commit"

say "2. the build script gains --sourcemap"
sed 's/--target node/--target node --sourcemap/' package.json >package.json.new
mv package.json.new package.json
git add package.json
run git commit -q -m "build: keep source maps for debugging"
expect blocked "$code" "the commit"

say "3. committed anyway (--no-verify), built, pushed"
git commit -q --no-verify -m "build: keep source maps for debugging"
mkdir -p dist
# What `bun build --sourcemap` leaves in dist/: the bundle, its map, the map embedding every source.
printf '#!/usr/bin/env node\nfunction login(u){return fetch("/internal/auth/"+u)}\n//# sourceMappingURL=cli.js.map\n' >dist/cli.js
{
  printf '{"version":3,"sources":["../src/cli.ts","../src/auth.ts"],"sourcesContent":['
  for f in src/cli.ts src/auth.ts; do
    # JSON-escape the file: backslashes, quotes, newlines.
    sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' "$f" | awk 'BEGIN{ORS="\\n"}{print}' | sed 's/^/"/; s/$/"/'
    [ "$f" = src/cli.ts ] && printf ','
  done
  printf '],"names":[],"mappings":"AAAA"}\n'
} >dist/cli.js.map
run git push -q origin main
expect blocked "$code" "the push"

say "4. the fix: no --sourcemap, no map"
sed 's/ --sourcemap//' package.json >package.json.new
mv package.json.new package.json
rm dist/cli.js.map
printf '#!/usr/bin/env node\nfunction login(u){return fetch("/internal/auth/"+u)}\n' >dist/cli.js
git add package.json
run git commit -q -m "build: no source maps in the published package"
expect passed "$code" "the fixing commit"
run git push -q origin main
expect passed "$code" "the push"

say "what npm would ship now (leakgate files)"
"$bin" files

echo
if [ "$keep" = yes ]; then
  echo "demo: the repository is kept at $repo"
fi
if [ "$failures" -ne 0 ]; then
  echo "demo: $failures step(s) did not behave as expected"
  exit 1
fi
echo "demo: every step behaved as expected"
