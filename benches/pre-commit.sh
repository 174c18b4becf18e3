#!/usr/bin/env bash
# Benchmark of `leakgate pre-commit` against its floor, `git diff --cached --name-only`, on
# the issue-6 workload: a generated repository of 100,000 committed files (200 workspace
# packages, benches/gen_big_repo.sh). Three scenarios, all measured side by side in ONE run
# (one hyperfine invocation, six commands), each with its own index file (GIT_INDEX_FILE:
# git, and so leakgate, read the staged change from it; the user's .git/index is untouched):
#   A. the issue's case: 3 small staged files, including a package.json edit (version bump);
#   B. a package.json edit that widens `files` (the exposure delta packs that package twice);
#   C. a staged change relevant to no package review (one .ts source edit).
# Targets: A and B <= 2x the floor, C <= 1.2x the floor (the floor of the same scenario).
#   usage: benches/pre-commit.sh [REPO_DIR] [N]
# Uses hyperfine when installed; otherwise (or with LOOP=1) its own loop in bash that
# alternates floor and leakgate run by run, so load swings on a shared machine hit both alike
# (hyperfine runs all runs of one command, then the next).
# RUNS (default 40) sets the runs per command; SKIP_BUILD=1 reuses target/release.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=${1:-/tmp/leakgate-bench-100k}
n=${2:-100000}
runs=${RUNS:-40}

[ -n "${SKIP_BUILD:-}" ] || (cd "$here" && cargo build --release --quiet --bin leakgate)
bin="$here/target/release/leakgate"

if [ ! -f "$repo/.git/index" ] || [ "$(git -C "$repo" ls-files | wc -l)" -lt "$n" ]; then
  bash "$here/benches/gen_big_repo.sh" "$repo" "$n" >/dev/null
fi
cd "$repo"
git reset -q
git checkout -q -- packages/pkg-042 packages/pkg-107
rm -f packages/pkg-042/src/d00/new.ts

idx=$(mktemp -d "${TMPDIR:-/tmp}/leakgate-bench-idx.XXXXXX")
trap 'rm -rf "$idx"; git -C "$repo" checkout -q -- packages/pkg-042 packages/pkg-107; rm -f "$repo/packages/pkg-042/src/d00/new.ts"' EXIT

# Stages a scenario into its own index: a copy of HEAD's index plus `git add` of the files.
# The blobs are written now, so the working tree may change afterwards (the review reads
# the staged blobs and HEAD's, never the working-tree copies of the staged files).
stage() {
  local name=$1
  shift
  cp .git/index "$idx/$name"
  GIT_INDEX_FILE="$idx/$name" git add "$@"
}

echo 'export const added = 1;' >packages/pkg-042/src/d00/new.ts
echo '// edit' >>packages/pkg-107/src/d03/file000.ts
# A: version bump + two small files.
sed -i 's/"1.0.0"/"1.0.1"/' packages/pkg-042/package.json
stage A packages/pkg-042/package.json packages/pkg-042/src/d00/new.ts packages/pkg-107/src/d03/file000.ts
# B: `files` widened: the package is packed twice (HEAD's and the staged package.json).
git checkout -q -- packages/pkg-042/package.json
sed -i 's/"files":\["dist"\]/"files":["dist","src"]/' packages/pkg-042/package.json
stage B packages/pkg-042/package.json packages/pkg-042/src/d00/new.ts packages/pkg-107/src/d03/file000.ts
# C: nothing relevant to any package review.
stage C packages/pkg-107/src/d03/file000.ts

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $(load)"
echo "repository: $repo, $(git ls-files | wc -l) files in the index; $runs runs per command"
for s in A B C; do
  st=0
  GIT_INDEX_FILE="$idx/$s" LEAKGATE_AMEND=0 "$bin" pre-commit >/dev/null 2>&1 || st=$?
  echo "scenario $s stages: $(GIT_INDEX_FILE="$idx/$s" git diff --cached --name-only | tr '\n' ' ')(leakgate exits $st)"
done

csv="$idx/results.csv" # command,mean_s (the floor and leakgate of each scenario)
if [ -z "${LOOP:-}" ] && command -v hyperfine >/dev/null; then
  args=()
  for s in A B C; do
    args+=(-n "$s-floor" "env GIT_INDEX_FILE=$idx/$s git diff --cached --name-only")
    args+=(-n "$s-leakgate" "env GIT_INDEX_FILE=$idx/$s LEAKGATE_AMEND=0 $bin pre-commit")
  done
  hyperfine -N -i --warmup 5 --runs "$runs" --style none --export-csv "$idx/h.csv" "${args[@]}" >/dev/null 2>&1
  tail -n +2 "$idx/h.csv" | cut -d, -f1,2 >"$csv"
  tool="hyperfine $(hyperfine --version | cut -d' ' -f2)"
else
  # Interleaved: floor and leakgate alternate, so load changes hit both alike.
  # bash's own clock ($EPOCHREALTIME, microseconds): no process is started to read it.
  : >"$idx/raw"
  for s in A B C; do
    for _ in $(seq 3); do # warmup
      GIT_INDEX_FILE="$idx/$s" git diff --cached --name-only >/dev/null
      GIT_INDEX_FILE="$idx/$s" LEAKGATE_AMEND=0 "$bin" pre-commit >/dev/null 2>&1 || true
    done
    for _ in $(seq "$runs"); do
      t0=${EPOCHREALTIME/[.,]/}
      GIT_INDEX_FILE="$idx/$s" git diff --cached --name-only >/dev/null
      t1=${EPOCHREALTIME/[.,]/}
      GIT_INDEX_FILE="$idx/$s" LEAKGATE_AMEND=0 "$bin" pre-commit >/dev/null 2>&1 || true
      t2=${EPOCHREALTIME/[.,]/}
      echo "$s-floor $(((t1 - t0)))" >>"$idx/raw"
      echo "$s-leakgate $(((t2 - t1)))" >>"$idx/raw"
    done
  done
  awk '{ s[$1] += $2; c[$1]++ } END { for (k in s) printf "%s,%.6f\n", k, s[k] / c[k] / 1e6 }' "$idx/raw" | sort >"$csv"
  tool="the bash loop (floor and leakgate alternating, \$EPOCHREALTIME)"
fi

echo "measured with $tool; load after: $(load)"
echo
echo "| scenario | floor: git diff --cached --name-only | leakgate pre-commit | ratio | target |"
echo "|---|---:|---:|---:|---:|"
awk -F, '
  { split($1, p, "-"); t[p[1], p[2]] = $2 * 1000 }
  END {
    name["A"] = "A. 3 files incl. a package.json version bump"; target["A"] = 2.0
    name["B"] = "B. 3 files incl. `files` widened (packs twice)"; target["B"] = 2.0
    name["C"] = "C. one .ts edit, nothing relevant"; target["C"] = 1.2
    for (i = 1; i <= 3; i++) {
      s = substr("ABC", i, 1); r = t[s, "leakgate"] / t[s, "floor"]
      printf "| %s | %.1f ms | %.1f ms | %.2fx | <= %.1fx %s |\n", name[s], t[s, "floor"], t[s, "leakgate"], r, target[s], (r <= target[s] ? "met" : "MISSED")
    }
  }' "$csv"
