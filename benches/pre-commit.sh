#!/usr/bin/env bash
# Benchmark of `leakgate pre-commit` against its floor, `git diff --cached --name-only`, on
# the issue-6 workload: a generated repository of 100,000 committed files (200 workspace
# packages, benches/gen_big_repo.sh). Each scenario is measured side by side in one
# hyperfine run, with the floor first:
#   A. the issue's case: 3 small staged files, including a package.json edit (version bump);
#   B. a package.json edit that changes `files` (the exposure delta packs that package twice);
#   C. a staged change relevant to no package review (one .ts source edit).
# Targets: A and B <= 2x the floor, C <= 1.2x the floor.
#   usage: benches/pre-commit.sh [REPO_DIR] [N]     (needs hyperfine: apt-get install -y hyperfine)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
repo=${1:-/tmp/leakgate-bench-100k}
n=${2:-100000}
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install -y hyperfine)" >&2; exit 1; }

[ -n "${SKIP_BUILD:-}" ] || (cd "$here" && cargo build --release --quiet)
bin="$here/target/release/leakgate"

if [ ! -f "$repo/.git/index" ] || [ "$(git -C "$repo" ls-files | wc -l)" -lt "$n" ]; then
  bash "$here/benches/gen_big_repo.sh" "$repo" "$n" >/dev/null
fi
cd "$repo"
echo "repository: $repo, $(git ls-files | wc -l) files in the index; $(nproc) cores"

# Back to HEAD's index, then stage the scenario's files (only `git add` of named paths).
reset_stage() {
  git reset -q
  git checkout -q -- packages/pkg-042 packages/pkg-107
  rm -f packages/pkg-042/src/d00/new.ts
}

run() {
  local name=$1
  shift
  echo
  echo "== $name: $(git diff --cached --name-only | tr '\n' ' ')"
  "$bin" pre-commit >/dev/null 2>&1 && status=0 || status=$?
  echo "(leakgate pre-commit exits $status here)"
  LEAKGATE_AMEND=0 hyperfine -N --warmup 5 --runs "${RUNS:-40}" --style basic \
    --export-markdown "/tmp/leakgate-bench-$name.md" -i \
    -n floor 'git diff --cached --name-only' \
    -n leakgate "$bin pre-commit" | grep -E "Time|±|faster|slower|x " || true
  cat "/tmp/leakgate-bench-$name.md"
}

# A: version bump + two small files.
reset_stage
sed -i 's/"1.0.0"/"1.0.1"/' packages/pkg-042/package.json
echo 'export const added = 1;' > packages/pkg-042/src/d00/new.ts
echo '// edit' >> packages/pkg-107/src/d03/file000.ts
git add packages/pkg-042/package.json packages/pkg-042/src/d00/new.ts packages/pkg-107/src/d03/file000.ts
run A-three-files-incl-package-json

# B: `files` widened: the package is packed twice (HEAD's and the staged package.json).
reset_stage
sed -i 's/"files":\["dist"\]/"files":["dist","src"]/' packages/pkg-042/package.json
echo 'export const added = 1;' > packages/pkg-042/src/d00/new.ts
echo '// edit' >> packages/pkg-107/src/d03/file000.ts
git add packages/pkg-042/package.json packages/pkg-042/src/d00/new.ts packages/pkg-107/src/d03/file000.ts
run B-files-widened

# C: nothing relevant to any package review.
reset_stage
echo '// edit' >> packages/pkg-107/src/d03/file000.ts
git add packages/pkg-107/src/d03/file000.ts
run C-irrelevant-source-edit

reset_stage
