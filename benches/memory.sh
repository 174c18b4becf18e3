#!/usr/bin/env bash
# Peak memory of leakgate on the issue-13 workloads, driven the way a user drives it:
#   a. `git commit` of a staged SIZE_MB source map (one embedded source, a token near its
#      end) and a SIZE_MB plain data file (a token near its end): the pre-commit hook;
#   b. `git push` of that commit (made with --no-verify) to a local bare remote: the
#      pre-push hook;
#   c. `leakgate audit` of a package of FILES small files (a token in the last one).
# Each must block (exit 1) having read everything: the tokens are at the end on purpose.
# For each it prints the exit code, the wall time, the peak resident memory of leakgate's
# own process (VmHWM, sampled from /proc every 20 ms: the high-water mark only grows, so
# the last sample is its peak up to its last 20 ms) and of every process of the run
# (getrusage RUSAGE_CHILDREN: git included, which inflates and compresses the blobs).
#
#   usage: benches/memory.sh [SIZE_MB] [FILES]      (defaults: 1024 and 1000000)
# LEAKGATE=path picks the binary (default: target/release/leakgate, else target/debug).
# Needs git, python3 and about 2 x SIZE_MB + 4 KiB x FILES of free disk under $TMPDIR.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
size_mb=${1:-1024}
files=${2:-1000000}
bin=${LEAKGATE:-}
if [ -z "$bin" ]; then
    bin="$here/target/release/leakgate"
    [ -x "$bin" ] || bin="$here/target/debug/leakgate"
fi
[ -x "$bin" ] || { echo "no leakgate binary: cargo build --release (or set LEAKGATE)" >&2; exit 2; }
bindir=$(mktemp -d "${TMPDIR:-/tmp}/leakgate-mem-bin.XXXXXX")
work=$(mktemp -d "${TMPDIR:-/tmp}/leakgate-mem.XXXXXX")
trap 'rm -rf "$work" "$bindir"' EXIT
# The hooks find leakgate on PATH; a copy named `leakgate` makes it findable by name.
cp "$bin" "$bindir/leakgate"
export PATH="$bindir:$PATH" LEAKGATE_BIN="$bindir/leakgate"
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@leakgate.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@leakgate.invalid

# peak LABEL CMD...: runs CMD, prints exit code, time and peak memory; the output goes to
# $work/LABEL.log.
peak() {
    python3 - "$work" "$@" <<'PY'
import os, resource, subprocess, sys, time

work, label, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]

def descendants(root):
    kids = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(pid))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, []))
    return out

def hwm(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            fields = dict(l.split(":", 1) for l in f if ":" in l)
        return fields["Name"].strip(), int(fields["VmHWM"].split()[0])
    except (OSError, KeyError, ValueError):
        return None, 0

log = open(os.path.join(work, label + ".log"), "wb")
start = time.time()
child = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
own = 0
while child.poll() is None:
    for pid in descendants(child.pid):
        name, kb = hwm(pid)
        if name == "leakgate":
            own = max(own, kb)
    time.sleep(0.02)
took = time.time() - start
every = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(f"{label:<34} exit {child.returncode}  {took:7.1f} s  leakgate peak {own / 1024:7.1f} MiB"
      f"  any process {every / 1024:7.1f} MiB")
PY
}

# Writes $2 MiB to $1: a source map whose one embedded source is JavaScript lines ($3 =
# map), or plain text lines; either way a GitHub-token-shaped string (never a real one) at
# the end (the map's last source line; 4 KiB before the end of the data).
make_big() {
    python3 - "$1" "$2" "$3" <<'PY'
import random, string, sys
path, mib, kind = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rng = random.Random(13)
token = "ghp_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36))
total = mib * 1024 * 1024
if kind == "map":
    head = b'{"version":3,"file":"big.js","sources":["src/big.ts"],"sourcesContent":["'
    line = b"export const value = compute(input, options);\\n"
    tail = f'const key = \\"{token}\\";\\n"],"names":[],"mappings":"AAAA"}}\n'.encode()
else:
    head = b""
    line = b"plain data line, nothing to see here, 0123456789 abcdefghij\n"
    tail = f"TOKEN={token}\n".encode()
tail += b"x" * 4096 + b"\n" if kind != "map" else b""
body = total - len(head) - len(tail)
block = line * (8 * 1024 * 1024 // len(line))
with open(path, "wb") as f:
    f.write(head)
    left = body
    while left > 0:
        piece = block[: min(left, len(block))]
        f.write(piece)
        left -= len(piece)
    f.write(tail)
PY
}

echo "leakgate: $("$bin" --version 2>/dev/null || echo "$bin")"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1 /proc/loadavg)"
echo "workload: ${size_mb} MiB map + ${size_mb} MiB data file; ${files} files"

# a. pre-commit.
repo="$work/repo"
git init -q -b main "$repo"
cd "$repo"
printf '{"name":"big","version":"1.0.0"}\n' > package.json
git add package.json && git commit -q -m init
git init -q --bare "$work/remote.git"
git remote add origin "$work/remote.git"
git push -q origin main
leakgate install >/dev/null
mkdir -p dist data
make_big dist/big.js.map "$size_mb" map
make_big data/blob.txt "$size_mb" data
# Loose objects at the lowest compression: the benchmark is leakgate, not zlib.
git -c core.looseCompression=1 add dist/big.js.map data/blob.txt
peak "a. git commit (pre-commit hook)" git commit -q -m big
grep -E '^(error|warning)' "$work/a. git commit (pre-commit hook).log" | sed 's/^/    /' | head -6

# b. pre-push.
git commit -q --no-verify -m big
peak "b. git push (pre-push hook)" git push -q origin main
grep -E '^(error|warning)' "$work/b. git push (pre-push hook).log" | sed 's/^/    /' | head -6
cd "$work"
rm -rf "$repo" "$work/remote.git"

# c. audit of FILES small files (1,000 per directory).
pkg="$work/pkg"
python3 - "$pkg" "$files" <<'PY'
import os, random, string, sys
pkg, n = sys.argv[1], int(sys.argv[2])
os.makedirs(pkg)
with open(os.path.join(pkg, "package.json"), "w") as f:
    f.write('{"name":"many","version":"1.0.0"}\n')
rng = random.Random(13)
token = "ghp_" + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(36))
for i in range(n):
    d = os.path.join(pkg, "lib", f"d{i // 1000:04}")
    if i % 1000 == 0:
        os.makedirs(d)
    with open(os.path.join(d, f"f{i % 1000:03}.js"), "w") as f:
        f.write(f"module.exports = {i};\n" if i < n - 1 else f'module.exports = "{token}";\n')
PY
peak "c. leakgate audit (${files} files)" leakgate audit "$pkg"
grep -E '^(error|warning)' "$work/c. leakgate audit (${files} files).log" | sed 's/^/    /' | head -6
