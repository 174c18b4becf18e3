#!/usr/bin/env bash
# Benchmarks `leakgate files` against the floor (a plain directory walk that skips
# node_modules), `npm pack --dry-run --json --ignore-scripts`, and npm-packlist called from
# node (npm's own bundled copy), on two workloads built here:
#   big:      one package with 2,000+ files in dist/ (maps included), a 60 MB source map
#             and a node_modules of 400 packages that must be skipped;
#   monorepo: a 300-package npm workspace (each member with src/ and dist/), plus a root
#             node_modules.
# Usage: benches/packlist.sh [WORKDIR]   (needs hyperfine, node, npm; builds --release)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "hyperfine is required (apt-get install -y hyperfine)" >&2; exit 1; }
command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }

cargo build --release --bin leakgate >&2
LG="$PWD/target/release/leakgate"
WORK="${1:-$(mktemp -d /tmp/leakgate-bench.XXXXXX)}"
mkdir -p "$WORK"
NPMDIR="$(npm root -g 2>/dev/null)/npm"
echo "workdir: $WORK" >&2

# --- the big package -------------------------------------------------------------------
BIG="$WORK/big"
if [ ! -f "$BIG/package.json" ]; then
  mkdir -p "$BIG/dist/chunks" "$BIG/src" "$BIG/node_modules"
  cat > "$BIG/package.json" <<'JSON'
{"name":"big-cli","version":"1.0.0","main":"dist/cli.js","bin":{"big":"dist/cli.js"},
 "dependencies":{"dep-0":"1.0.0"}}
JSON
  printf 'src/\n*.log\ncoverage/\n' > "$BIG/.npmignore"
  printf 'node_modules/\n' > "$BIG/.gitignore"
  echo 'console.log(1)' > "$BIG/dist/cli.js"
  # A 60 MB source map with embedded sources.
  head -c 60000000 /dev/zero | tr '\0' 'a' > "$BIG/dist/cli.js.map"
  for i in $(seq 1 1100); do
    echo "export const x$i = $i;" > "$BIG/dist/chunks/c$i.js"
    echo '{"version":3,"sources":[],"mappings":""}' > "$BIG/dist/chunks/c$i.js.map"
  done
  for i in $(seq 1 300); do echo "export {}" > "$BIG/src/s$i.ts"; done
  for p in $(seq 0 399); do
    d="$BIG/node_modules/dep-$p"; mkdir -p "$d/lib"
    echo "{\"name\":\"dep-$p\",\"version\":\"1.0.0\"}" > "$d/package.json"
    for f in $(seq 1 10); do echo "module.exports=$f" > "$d/lib/f$f.js"; done
  done
  echo "# big" > "$BIG/README.md"
fi

# --- the monorepo ------------------------------------------------------------------------
MONO="$WORK/mono"
if [ ! -f "$MONO/package.json" ]; then
  mkdir -p "$MONO/packages" "$MONO/node_modules"
  echo '{"name":"mono","version":"1.0.0","private":true,"workspaces":["packages/*"]}' > "$MONO/package.json"
  printf 'node_modules\n*.log\n' > "$MONO/.gitignore"
  for p in $(seq 1 300); do
    d="$MONO/packages/p$p"; mkdir -p "$d/src" "$d/dist"
    echo "{\"name\":\"@mono/p$p\",\"version\":\"1.0.0\",\"main\":\"dist/index.js\",\"files\":[\"dist\"]}" > "$d/package.json"
    for f in $(seq 1 8); do
      echo "export const a=$f" > "$d/src/m$f.ts"
      echo "exports.a=$f" > "$d/dist/m$f.js"
      echo '{"version":3}' > "$d/dist/m$f.js.map"
    done
    echo "# p$p" > "$d/README.md"
  done
  for p in $(seq 0 99); do
    d="$MONO/node_modules/ext-$p"; mkdir -p "$d"
    echo "{\"name\":\"ext-$p\",\"version\":\"1.0.0\"}" > "$d/package.json"
    for f in $(seq 1 10); do echo "x" > "$d/f$f.js"; done
  done
fi

cat > "$WORK/packlist.js" <<JS
// npm-packlist as npm runs it: arborist's actual tree, then the walk.
const Arborist = require('$NPMDIR/node_modules/@npmcli/arborist')
const packlist = require('$NPMDIR/node_modules/npm-packlist')
const dirs = process.argv.slice(2)
;(async () => {
  let n = 0
  for (const path of dirs) {
    const tree = await new Arborist({ path }).loadActual()
    n += (await packlist(tree, { path })).length
  }
  console.log(n)
})()
JS

echo "== sanity: file counts" >&2
echo "big:  leakgate $("$LG" files "$BIG" | wc -l) files, npm-packlist $(node "$WORK/packlist.js" "$BIG") files" >&2
MEMBERS=$(ls -d "$MONO"/packages/*)
echo "mono: leakgate $("$LG" files --workspaces "$MONO" | grep -vc '^#\|^$') lines" >&2

echo "== peak memory (max RSS) of leakgate files" >&2
/usr/bin/time -f "big: %M KB" "$LG" files "$BIG" >/dev/null
/usr/bin/time -f "mono --workspaces: %M KB" "$LG" files --workspaces "$MONO" >/dev/null

# Instructions are repeatable where wall time is not (a loaded or noisy VM): one thread, so
# rayon's idle spinning doesn't count. Only where valgrind is installed.
if command -v valgrind >/dev/null; then
  echo "== instructions (callgrind, RAYON_NUM_THREADS=1; user space only)" >&2
  for args in "files $BIG" "files $MONO" "files --workspaces $MONO" "files --workspaces --json $MONO"; do
    out="$WORK/callgrind.out"
    # shellcheck disable=SC2086 # $args is a list of words on purpose
    n=$(RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$out" "$LG" $args 2>&1 >/dev/null |
      sed -n 's/.*Collected : *//p')
    echo "leakgate ${args/$WORK\//}: $n instructions" >&2
    rm -f "$out"
  done
fi

# Paths only: leakgate lists directories by kind (no stat), as find does. With --json it
# reports each file's size and mode, so its floor is a find that stats (-printf %s %m).
hyperfine -N --warmup 2 --min-runs 10 --export-markdown "$WORK/big-fast.md" \
  -n "leakgate files (big)" "$LG files $BIG" \
  -n "find, skipping node_modules (big)" "find $BIG -name node_modules -prune -o -type f -print" \
  -n "leakgate files --json (big)" "$LG files --json $BIG" \
  -n "find -printf size+mode, skipping node_modules (big)" "find $BIG -name node_modules -prune -o -type f -printf '%s %m %p\\n'"
# Every publisher's packlist on the same tree, against the same floor (docs/publishers.md).
hyperfine -N --warmup 2 --min-runs 10 --export-markdown "$WORK/big-publishers.md" \
  -n "find, skipping node_modules (big)" "find $BIG -name node_modules -prune -o -type f -print" \
  -n "leakgate files --publisher npm (big)" "$LG files --publisher npm $BIG" \
  -n "leakgate files --publisher pnpm (big)" "$LG files --publisher pnpm $BIG" \
  -n "leakgate files --publisher yarn (big)" "$LG files --publisher yarn $BIG" \
  -n "leakgate files --publisher bun (big)" "$LG files --publisher bun $BIG"
hyperfine --runs 3 --export-markdown "$WORK/big-npm.md" \
  -n "npm-packlist via node (big)" "node $WORK/packlist.js $BIG" \
  -n "npm pack --dry-run (big)" "cd $BIG && npm pack --dry-run --json --ignore-scripts >/dev/null 2>&1"

hyperfine -N --warmup 2 --min-runs 10 --export-markdown "$WORK/mono-fast.md" \
  -n "leakgate files --workspaces (mono)" "$LG files --workspaces $MONO" \
  -n "leakgate files, the root only (mono)" "$LG files $MONO" \
  -n "find, skipping node_modules (mono)" "find $MONO -name node_modules -prune -o -type f -print" \
  -n "leakgate files --workspaces --json (mono)" "$LG files --workspaces --json $MONO" \
  -n "find -printf size+mode, skipping node_modules (mono)" "find $MONO -name node_modules -prune -o -type f -printf '%s %m %p\\n'"
hyperfine -N --warmup 2 --min-runs 10 --export-markdown "$WORK/mono-publishers.md" \
  -n "find, skipping node_modules (mono)" "find $MONO -name node_modules -prune -o -type f -print" \
  -n "leakgate files --publisher npm, the root (mono)" "$LG files --publisher npm $MONO" \
  -n "leakgate files --publisher pnpm, the root (mono)" "$LG files --publisher pnpm $MONO" \
  -n "leakgate files --publisher yarn, the root (mono)" "$LG files --publisher yarn $MONO" \
  -n "leakgate files --publisher bun, the root (mono)" "$LG files --publisher bun $MONO"
hyperfine --runs 2 --export-markdown "$WORK/mono-npm.md" \
  -n "npm-packlist via node, every member (mono)" "node $WORK/packlist.js $MONO/packages/*" \
  -n "npm pack --dry-run --workspaces (mono)" "cd $MONO && npm pack --dry-run --json --ignore-scripts --workspaces >/dev/null 2>&1"

cat "$WORK"/big-fast.md "$WORK"/big-publishers.md "$WORK"/big-npm.md "$WORK"/mono-fast.md "$WORK"/mono-publishers.md "$WORK"/mono-npm.md
