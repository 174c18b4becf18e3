#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ (the working corpus cargo-fuzz grows; not committed) from the
# committed seeds (fuzz/seeds/, fuzz/regressions/) and the test fixtures. Extra directories
# given as arguments (checkouts of real projects) add their package.json files, ignore files,
# scripts, bundler configs, source maps and tarballs of a few of their directories.
#
#   fuzz/seed.sh [DIR...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
corpus="$here/corpus"
targets=(package_json pattern sourcemap tar config js shell)
for t in "${targets[@]}"; do mkdir -p "$corpus/$t"; done

# Committed seeds and every kept regression input.
for t in "${targets[@]}"; do
    for d in "$here/seeds/$t" "$here/regressions/$t"; do
        [ -d "$d" ] && cp -f "$d"/* "$corpus/$t/" 2>/dev/null || true
    done
done

python3 - "$root" "$corpus" "$@" <<'PY'
import hashlib, io, json, os, sys, tarfile

root, corpus, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
MAX = 64 * 1024  # libFuzzer's inputs stay small; bigger files are cut

def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    data = data[:MAX]
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(corpus, target, name), "wb") as f:
        f.write(data)

def unescape(s):
    return s.replace("\\n", "\n").replace("\\t", "\t").replace("\\\\", "\\")

# The packlist fixtures: package.json texts, ignore files, and their paths as match input.
fixture = os.path.join(root, "tests/fixtures/packlist.txt")
paths = []
for line in open(fixture, encoding="utf-8"):
    line = line.rstrip("\n")
    if line.startswith("===") or line.startswith("#") or not line:
        if paths:
            put("pattern", "\n".join(paths[:1] + paths[1:40]))
        paths = []
        continue
    name, sep, body = line.partition(" = ")
    if sep and name.endswith("package.json"):
        text = unescape(body)
        put("package_json", text)
        try:
            files = json.loads(text).get("files") or []
            for f in files if isinstance(files, list) else []:
                if isinstance(f, str):
                    paths.insert(0, f)
        except (ValueError, AttributeError):
            pass
    elif sep and name.rsplit("/", 1)[-1] in (".npmignore", ".gitignore"):
        rules = unescape(body)
        put("pattern", rules)
        paths = [r for r in rules.split("\n") if r] + paths
    else:
        paths.append(name.split(" ")[0])

# Source maps and the files beside them, with the target's leading kind byte:
# 0 .map, 1 .js, 2 .css, 3 .wasm, 4 other, 5 .html.
KIND = {".map": 0, ".js": 1, ".mjs": 1, ".cjs": 1, ".css": 2, ".wasm": 3, ".html": 5}
def maps_under(d):
    for dirpath, _, names in os.walk(d):
        if "node_modules" in dirpath.split(os.sep) or "/.git" in dirpath:
            continue
        for n in names:
            ext = os.path.splitext(n)[1]
            if ext in KIND:
                p = os.path.join(dirpath, n)
                if os.path.getsize(p) <= MAX:
                    yield p, KIND[ext]
for p, k in maps_under(os.path.join(root, "tests/fixtures/sourcemaps")):
    data = open(p, "rb").read()
    put("sourcemap", bytes([k]) + data)
    if k == 1:
        put("js", data)

# Tarballs (uncompressed: the target reads the tar stream) of the map fixtures, in the
# three header formats npm meets: ustar, GNU long names, PAX.
fixtures = os.path.join(root, "tests/fixtures/sourcemaps")
for i, name in enumerate(sorted(os.listdir(fixtures))[:12]):
    fmt = [tarfile.USTAR_FORMAT, tarfile.GNU_FORMAT, tarfile.PAX_FORMAT][i % 3]
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt) as tf:
        tf.add(os.path.join(fixtures, name), arcname="package/" + name * (1 + i % 3))
    put("tar", buf.getvalue())

# The default config and the documentation's config examples.
import glob, re
put("config", open(os.path.join(root, "config/default.toml"), "rb").read())
for md in [os.path.join(root, "README.md")] + glob.glob(os.path.join(root, "docs/*.md")):
    for m in re.finditer(r"```toml\n(.*?)```", open(md, encoding="utf-8").read(), re.S):
        put("config", m.group(1))

# Real projects: package.json files, their scripts, ignore files, bundler configs, maps.
CONFIGS = ("vite.config", "webpack.config", "rollup.config", "tsup.config", "esbuild", "bunfig")
for d in extra:
    n = 0
    for dirpath, dirs, names in os.walk(d):
        dirs[:] = [x for x in dirs if x not in ("node_modules", ".git")]
        for name in names:
            p = os.path.join(dirpath, name)
            if os.path.getsize(p) > MAX or n > 400:
                continue
            if name == "package.json":
                n += 1
                text = open(p, "rb").read()
                put("package_json", text)
                try:
                    scripts = json.loads(text).get("scripts") or {}
                    for s in scripts.values() if isinstance(scripts, dict) else []:
                        if isinstance(s, str):
                            put("shell", s)
                except (ValueError, AttributeError, UnicodeDecodeError):
                    pass
            elif name in (".npmignore", ".gitignore"):
                n += 1
                put("pattern", open(p, "rb").read())
            elif name.startswith(CONFIGS) or name.startswith("tsconfig"):
                n += 1
                put("js", open(p, "rb").read())
            elif name.endswith(".sh"):
                n += 1
                put("shell", open(p, "rb").read())
            elif os.path.splitext(name)[1] in KIND and name.endswith(".map"):
                n += 1
                put("sourcemap", bytes([0]) + open(p, "rb").read())
PY
for t in "${targets[@]}"; do
    printf '%-13s %5d inputs\n' "$t" "$(find "$corpus/$t" -type f | wc -l)"
done
