#!/usr/bin/env bash
# Generates the issue-6 workload: a git repository of N (default 100,000) committed files in
# DIR, spread over packages/pkg-NNN/src/dNN/fileNNN.ts, with a root package.json and one per
# package; then stages 3 small files including a package.json edit (the pre-commit case).
#   usage: benches/gen_big_repo.sh DIR [N]
set -euo pipefail
dir=${1:?usage: gen_big_repo.sh DIR [N]}
n=${2:-100000}
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
git init -q -b main .
git config user.name bench
git config user.email bench@example.com
git config commit.gpgsign false
# 200 packages x 10 dirs x (n/2000) files.
per_dir=$(( n / 2000 ))
python3 - "$per_dir" <<'PY'
import os, sys
per_dir = int(sys.argv[1])
with open("package.json", "w") as f:
    f.write('{"name":"mono","version":"1.0.0","private":true,"workspaces":["packages/*"]}\n')
for p in range(200):
    pkg = f"packages/pkg-{p:03}"
    os.makedirs(pkg, exist_ok=True)
    with open(f"{pkg}/package.json", "w") as f:
        f.write(f'{{"name":"@bench/pkg-{p:03}","version":"1.0.0","files":["dist"]}}\n')
    for d in range(10):
        sub = f"{pkg}/src/d{d:02}"
        os.makedirs(sub, exist_ok=True)
        for i in range(per_dir):
            with open(f"{sub}/file{i:03}.ts", "w") as f:
                f.write(f"export const v{p}_{d}_{i} = {i};\n")
PY
git add -A
git commit -q -m "generated $n files"
# The staged change: a package.json edit plus two small files.
sed -i 's/"1.0.0"/"1.0.1"/' packages/pkg-042/package.json
echo 'export const added = 1;' > packages/pkg-042/src/d00/new.ts
echo '// edit' >> packages/pkg-107/src/d03/file000.ts
git add packages/pkg-042/package.json packages/pkg-042/src/d00/new.ts packages/pkg-107/src/d03/file000.ts
git ls-files | wc -l
