#!/usr/bin/env bash
# Regenerates tests/fixtures/sourcemaps/: the fixture project capycli-src/ built by real
# bundlers and compilers in each of their source-map modes, plus the hand-made edge cases
# (handmade-*, derived from the esbuild-linked output). The tools are installed with npm, at
# the versions pinned below, into a scratch directory (nothing is installed globally).
# NOT run in CI (it needs the npm registry and ~1 GB of disk). See
# tests/fixtures/sourcemaps/README.md for what each directory holds.
#
#   scripts/gen-sourcemap-fixtures.sh           # rebuild, then replace the generated dirs
#   scripts/gen-sourcemap-fixtures.sh --check   # rebuild, compare with the committed dirs
#
# WORK=<dir> builds there instead of a fresh temp dir and keeps it (tools already installed
# there at these pins are reused). Review `git status tests/fixtures/sourcemaps` afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
dest=$repo/tests/fixtures/sourcemaps
project=$dest/capycli-src

check=0
case "${1:-}" in
--check) check=1 ;;
"") ;;
*)
    echo "usage: $0 [--check]" >&2
    exit 2
    ;;
esac
command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }
[ -f "$project/package.json" ] || { echo "missing $project" >&2; exit 1; }

if [ -n "${WORK:-}" ]; then
    mkdir -p "$WORK"
    work=$(cd "$WORK" && pwd)
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/leakgate-sourcemaps.XXXXXX")
    trap 'rm -rf "$work"' EXIT
fi

# Two tool prefixes: `tsc` is TypeScript 7 (the native compiler, no JS API) in the first and
# TypeScript 5.9 in the second, which ts-loader, ncc and @rollup/plugin-typescript load.
# tsup brings its own esbuild and vite its rolldown (the rolldown CLI used below): the
# overrides pin those too.
PINS1=(
    bun@1.4.5 esbuild@0.28.2 typescript@7.0.2 webpack@5.112.2 webpack-cli@7.3.1 vite@8.3.8
    rollup@4.68.7 tsup@8.5.1 @swc/core@1.16.22 @swc/cli@0.8.1 @babel/core@7.29.13
    @babel/cli@7.29.7 @babel/preset-typescript@7.29.7 terser@5.51.2 uglify-js@3.19.3
    @vercel/ncc@0.45.0 ts-loader@9.6.2 tslib@2.8.1
)
OVERRIDES1='{ "tsup": { "esbuild": "0.27.7" }, "rolldown": "1.2.19" }'
PINS2=(
    typescript@5.9.3 @rspack/cli@2.2.8 @rspack/core@2.3.2 parcel@2.16.4 rollup@4.68.7
    @rollup/plugin-typescript@12.3.1 tslib@2.8.1 ts-loader@9.6.2 @vercel/ncc@0.45.0
)
OVERRIDES2='{}'

# install_tools DIR OVERRIDES PACKAGE...: installs the packages into DIR unless a previous
# run already did.
install_tools() {
    local dir=$1 overrides=$2
    shift 2
    local want="$overrides $*"
    if [ -f "$dir/.pins" ] && [ "$(cat "$dir/.pins")" = "$want" ]; then
        return
    fi
    rm -rf "$dir"
    mkdir -p "$dir"
    echo "{ \"name\": \"fixture-tools\", \"private\": true, \"overrides\": $overrides }" >"$dir/package.json"
    echo "installing into $dir: $*" >&2
    # No install scripts: every binary used here comes in an optional platform package.
    (cd "$dir" && npm install --no-audit --no-fund --ignore-scripts --save-exact "$@" >/dev/null)
    echo "$want" >"$dir/.pins"
}
# The layout matters: maps record paths relative to fixproj/out/<dir>/, and parcel names one
# of its helpers ../tools2/node_modules/... (and hashes that file's absolute path into the
# helper's id, so parcel-* differ by that id from one scratch dir to the next).
t1=$work/tools
t2=$work/tools2
install_tools "$t1" "$OVERRIDES1" "${PINS1[@]}"
install_tools "$t2" "$OVERRIDES2" "${PINS2[@]}"
b1=$t1/node_modules/.bin
b2=$t2/node_modules/.bin
# bun's own bin is a stub until its install script links the binary of the platform package
# in: run that binary directly.
bun=
for b in "$t1"/node_modules/@oven/bun-*/bin/bun; do
    if "$b" --version >/dev/null 2>&1; then
        bun=$b
        break
    fi
done
[ -n "$bun" ] || { echo "no working bun binary under $t1/node_modules/@oven" >&2; exit 1; }

proj=$work/fixproj
out=$proj/out
logs=$work/logs
rm -rf "$proj" "$logs"
mkdir -p "$proj/cfg" "$out" "$logs"
cp -R "$project/." "$proj/"

# ---- configuration files the bundlers read (written here, not kept in the repository) ----
cat >"$proj/cfg/webpack.config.js" <<'EOF'
// webpack and rspack. DEVTOOL: a devtool value or "false"; OUTDIR: absolute output dir;
// RSPACK=1: rspack's builtin swc loader instead of ts-loader; WP_ABS_URL=1: the map is
// written by SourceMapDevToolPlugin with a comment pointing at an absolute https URL.
const path = require("path");
const env = process.env;
const ts = env.RSPACK
  ? { test: /\.ts$/, loader: "builtin:swc-loader", type: "javascript/auto",
      options: { jsc: { parser: { syntax: "typescript" } } } }
  : { test: /\.ts$/, loader: require.resolve(env.TOOLS2 + "/node_modules/ts-loader"),
      options: { compiler: env.TOOLS2 + "/node_modules/typescript", transpileOnly: true,
                 compilerOptions: { sourceMap: true } } };
const plugins = [];
if (env.WP_ABS_URL) {
  const { SourceMapDevToolPlugin } = require(env.TOOLS1 + "/node_modules/webpack");
  plugins.push(new SourceMapDevToolPlugin({
    filename: "[file].map",
    append: "\n//# sourceMappingURL=https://sourcemaps.example.invalid/capycli/0.3.1/[url]",
  }));
}
module.exports = {
  mode: "production",
  target: "node",
  context: path.resolve(__dirname, ".."),
  entry: "./src/index.ts",
  devtool: env.DEVTOOL === "false" ? false : env.DEVTOOL,
  output: { path: env.OUTDIR, filename: "index.js", library: { type: "commonjs2" } },
  resolve: { extensions: [".ts", ".js"] },
  module: { rules: [ts] },
  plugins,
};
EOF
cat >"$proj/cfg/vite.config.mjs" <<'EOF'
// Library build. SM: build.sourcemap ("false", "true", "inline", "hidden"); EXCLUDE=1 drops
// sourcesContent; OUTDIR: absolute output dir.
const env = process.env;
const sourcemap = { false: false, true: true }[env.SM] ?? env.SM;
export default {
  root: new URL("..", import.meta.url).pathname,
  logLevel: "warn",
  build: {
    outDir: env.OUTDIR,
    emptyOutDir: true,
    minify: false,
    sourcemap,
    lib: { entry: "src/index.ts", formats: ["es"], fileName: "index" },
    ...(env.EXCLUDE ? { rolldownOptions: { output: { sourcemapExcludeSources: true } } } : {}),
  },
};
EOF
cat >"$proj/cfg/rollup.config.mjs" <<'EOF'
// rollup + @rollup/plugin-typescript (TypeScript 5.9). SM: output.sourcemap ("true",
// "inline", "hidden"); EXCLUDE=1: sourcemapExcludeSources; TS_INLINE=1: TypeScript's
// inlineSources; OUTDIR: absolute output dir.
const env = process.env;
const lib = env.TOOLS2 + "/node_modules/";
const { default: typescript } = await import(lib + "@rollup/plugin-typescript/dist/es/index.js");
const { default: ts } = await import(lib + "typescript/lib/typescript.js");
const sourcemap = { false: false, true: true }[env.SM] ?? env.SM;
export default {
  input: "src/index.ts",
  plugins: [typescript({
    typescript: ts,
    tsconfig: "./tsconfig.json",
    compilerOptions: {
      outDir: env.OUTDIR, rootDir: undefined, module: "esnext", moduleResolution: "bundler",
      sourceMap: sourcemap !== false, inlineSources: !!env.TS_INLINE,
    },
  })],
  output: { dir: env.OUTDIR, format: "cjs", sourcemap, sourcemapExcludeSources: !!env.EXCLUDE },
};
EOF

# ---- the builds: each writes $out/<name>/, logs to $logs/<name>.log ----
failed=()
built=()
# build NAME COMMAND...: runs COMMAND in the project dir (NAME is the output dir).
build() {
    local name=$1
    shift
    echo "== $name" >&2
    if (cd "$proj" && "$@") >"$logs/$name.log" 2>&1; then
        built+=("$name")
    else
        echo "FAILED $name (log: $logs/$name.log)" >&2
        failed+=("$name")
    fi
}
export TOOLS1=$t1 TOOLS2=$t2

# bun: CLI modes, the bare flag, minified, and the JS API's `sourcemap: true`
build bun-default "$bun" build src/index.ts --target node --outdir "$out/bun-default"
for m in none linked inline external; do
    build "bun-$m" "$bun" build src/index.ts --target node --outdir "$out/bun-$m" --sourcemap=$m
done
build bun-bare-flag "$bun" build src/index.ts --target node --outdir "$out/bun-bare-flag" --sourcemap
build bun-linked-minify "$bun" build src/index.ts --target node --outdir "$out/bun-linked-minify" \
    --sourcemap=linked --minify
build bun-api-true "$bun" -e "await Bun.build({ entrypoints: ['./src/index.ts'], target: 'node',
    outdir: '$out/bun-api-true', sourcemap: true })"

# esbuild
esb() { build "esbuild-$1" "$b1/esbuild" src/index.ts --bundle --platform=node --outfile="$out/esbuild-$1/index.js" "${@:2}"; }
esb none
for m in linked external inline both; do esb "$m" --sourcemap=$m; done
esb linked-no-sources-content --sourcemap --sources-content=false
esb linked-source-root --sourcemap --source-root=https://git.internal.example.invalid/capycli/raw/main/
esb linked-minify --minify --sourcemap
build esbuild-css-linked "$b1/esbuild" assets/report.css --bundle --outfile="$out/esbuild-css-linked/report.css" --sourcemap
build esbuild-css-inline "$b1/esbuild" assets/report.css --bundle --outfile="$out/esbuild-css-inline/report.css" \
    --sourcemap=inline

# webpack (ts-loader) and rspack (builtin:swc-loader): devtool values
for d in false source-map hidden-source-map nosources-source-map inline-source-map eval-source-map \
    cheap-module-source-map eval; do
    build "webpack-$d" env DEVTOOL=$d OUTDIR="$out/webpack-$d" "$b1/webpack" --config cfg/webpack.config.js
done
build webpack-plugin-absolute-url env DEVTOOL=false WP_ABS_URL=1 OUTDIR="$out/webpack-plugin-absolute-url" \
    "$b1/webpack" --config cfg/webpack.config.js
for d in false source-map hidden-source-map nosources-source-map inline-source-map; do
    build "rspack-$d" env RSPACK=1 DEVTOOL=$d OUTDIR="$out/rspack-$d" "$b2/rspack" build --config cfg/webpack.config.js
done

# vite (rolldown inside): build.sourcemap
for m in false true inline hidden; do
    build "vite-$m" env SM=$m OUTDIR="$out/vite-$m" "$b1/vite" build --config cfg/vite.config.mjs
done
build vite-true-exclude-sources env SM=true EXCLUDE=1 OUTDIR="$out/vite-true-exclude-sources" \
    "$b1/vite" build --config cfg/vite.config.mjs

# rollup + @rollup/plugin-typescript: output.sourcemap
for m in true inline hidden; do
    build "rollup-$m" env SM=$m OUTDIR="$out/rollup-$m" "$b2/rollup" -c cfg/rollup.config.mjs
done
build rollup-true-exclude-sources env SM=true EXCLUDE=1 OUTDIR="$out/rollup-true-exclude-sources" \
    "$b2/rollup" -c cfg/rollup.config.mjs
build rollup-true-ts-inlineSources env SM=true TS_INLINE=1 OUTDIR="$out/rollup-true-ts-inlineSources" \
    "$b2/rollup" -c cfg/rollup.config.mjs

# rolldown CLI
build rolldown-file "$b1/rolldown" src/index.ts -d "$out/rolldown-file" -p node -s
build rolldown-inline "$b1/rolldown" src/index.ts -d "$out/rolldown-inline" -p node -s inline
build rolldown-hidden "$b1/rolldown" src/index.ts -d "$out/rolldown-hidden" -p node -s hidden
build rolldown-file-baseurl "$b1/rolldown" src/index.ts -d "$out/rolldown-file-baseurl" -p node -s \
    --sourcemapBaseUrl https://sourcemaps.example.invalid/capycli/0.3.1/

# tsup
build tsup-sourcemap "$b1/tsup" src/index.ts --format cjs --out-dir "$out/tsup-sourcemap" --sourcemap --silent
build tsup-inline "$b1/tsup" src/index.ts --format cjs --out-dir "$out/tsup-inline" --sourcemap inline --silent

# tsc: 5.9 (JS) and 7 (native), per-file output
for v in 5 7; do
    tsc=$b1/tsc
    [ $v = 5 ] && tsc=$b2/tsc
    build "tsc$v-sourceMap" "$tsc" -p . --outDir "$out/tsc$v-sourceMap" --sourceMap
    build "tsc$v-sourceMap-inlineSources" "$tsc" -p . --outDir "$out/tsc$v-sourceMap-inlineSources" \
        --sourceMap --inlineSources
    build "tsc$v-inlineSourceMap" "$tsc" -p . --outDir "$out/tsc$v-inlineSourceMap" --inlineSourceMap
    build "tsc$v-inlineSourceMap-inlineSources" "$tsc" -p . --outDir "$out/tsc$v-inlineSourceMap-inlineSources" \
        --inlineSourceMap --inlineSources
    build "tsc$v-declarationMap" "$tsc" -p . --outDir "$out/tsc$v-declarationMap" --declaration --declarationMap
done

# swc, per-file output
swc() {
    build "swc-$1" "$b1/swc" src -d "$out/swc-$1" --strip-leading-paths -C jsc.parser.syntax=typescript \
        -C module.type=commonjs "${@:2}"
}
swc true -s true
swc inline -s inline
swc true-no-sources-content -s true -C inlineSourcesContent=false

# babel, per-file output
for m in true inline both; do
    build "babel-$m" "$b1/babel" src -d "$out/babel-$m" --extensions .ts \
        --presets "$t1/node_modules/@babel/preset-typescript" --source-maps $m
done

# parcel (maps on by default)
build parcel-default "$b2/parcel" build src/index.ts --dist-dir "$out/parcel-default" --no-cache --no-scope-hoist
build parcel-no-source-maps "$b2/parcel" build src/index.ts --dist-dir "$out/parcel-no-source-maps" --no-cache \
    --no-scope-hoist --no-source-maps

# terser and uglify-js minifying the esbuild output, run from out/ so `sources` name it
in_out() { cd "$out" && "$@"; }
# min NAME TOOL INPUT MAP-OPTIONS
min() {
    mkdir -p "$out/$1"
    build "$1" in_out "$2" "$3" -c -m -o "$1/index.js" --source-map "$4"
}
min terser-url "$b1/terser" esbuild-none/index.js "url='index.js.map'"
min terser-includeSources "$b1/terser" esbuild-none/index.js "url='index.js.map',includeSources"
min terser-inline-chained "$b1/terser" esbuild-linked/index.js "content='esbuild-linked/index.js.map',url=inline"
min uglify-includeSources "$b1/uglifyjs" esbuild-none/index.js "url='index.js.map',includeSources"
min uglify-inline "$b1/uglifyjs" esbuild-none/index.js url=inline

# @vercel/ncc (ts-loader inside, TypeScript 5.9)
build ncc-default "$b2/ncc" build src/index.ts -o "$out/ncc-default" -q
build ncc-s "$b2/ncc" build src/index.ts -o "$out/ncc-s" -s -q
build ncc-s-no-register "$b2/ncc" build src/index.ts -o "$out/ncc-s-no-register" -s --no-source-map-register -q

# ---- hand-made edge cases, derived from esbuild-linked ----
cat >"$work/handmade.mjs" <<'EOF'
// Writes out/handmade-<case>/ from out/esbuild-linked/index.js{,.map}.
import fs from "node:fs";
import path from "node:path";

const out = process.argv[2];
const js = fs.readFileSync(path.join(out, "esbuild-linked/index.js"), "utf8");
const map = JSON.parse(fs.readFileSync(path.join(out, "esbuild-linked/index.js.map"), "utf8"));
// The bundle without its sourceMappingURL comment, ending in one newline.
const code = js.slice(0, js.lastIndexOf("//# sourceMappingURL=")).replace(/\n+$/, "") + "\n";
// Compact JSON, ASCII only: non-ASCII characters as \u escapes (the map has a "…").
const ascii = (s) => s.replace(/[\u0080-\uffff]/g, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
const json = (v) => ascii(JSON.stringify(v));
const compact = json(map);
const base64 = Buffer.from(compact).toString("base64");
// Percent-encodes all but ALPHA / DIGIT / "-._~" (encodeURIComponent also keeps !'()*).
const percent = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
const put = (rel, data) => {
  const file = path.join(out, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
};
const linked = (dir, comment = "//# sourceMappingURL=index.js.map") => put(`${dir}/index.js`, code + comment + "\n");

// `//@` is the legacy annotation prefix, still honoured.
linked("handmade-legacy-at", "//@ sourceMappingURL=index.js.map");
put("handmade-legacy-at/index.js.map", compact);
// A data: URL that is percent-encoded JSON, not base64.
linked("handmade-data-url-percent-encoded", "//# sourceMappingURL=data:application/json," + percent(compact));
// base64 data: URLs with an upper-case charset and with the text/json type.
put("handmade-data-url-charset-variants/index.js",
  code + "//# sourceMappingURL=data:application/json;charset=UTF-8;base64," + base64 + "\n");
put("handmade-data-url-charset-variants/other.js", code + "//# sourceMappingURL=data:text/json;base64," + base64 + "\n");
// An index map: one section holding the whole map.
linked("handmade-index-map");
put("handmade-index-map/index.js.map",
  json({ version: 3, file: "index.js", sections: [{ offset: { line: 0, column: 0 }, map }] }));
// Comments pointing out of the package: a relative climb and a file:// path.
linked("handmade-url-outside-package", "//# sourceMappingURL=../../../build/sourcemaps/index.js.map");
put("handmade-url-outside-package/abs.js",
  code + "//# sourceMappingURL=file:///home/ci/build/capycli/dist/index.js.map\n");
// A map served from a storage bucket (fake bucket id), its sourceRoot naming a source archive.
const bucket = "https://pub-00000000000000000000000000000000.r2.dev/capycli-0.3.1";
put("handmade-remote-archive-url/cli.js", code + `//# sourceMappingURL=${bucket}/cli.js.map\n`);
const remote = { ...map };
delete remote.sourcesContent;
remote.sourceRoot = `${bucket}-src.zip/`;
put("handmade-remote-archive-url/cli.js.map", json(remote));
// The only annotation-like text is inside a template literal: not a link.
put("handmade-not-trailing/index.js", "const help = `\n//# sourceMappingURL=decoy.js.map\n// `;\n" + code);
// The XSSI guard line before the JSON.
linked("handmade-xssi-prefix");
put("handmade-xssi-prefix/index.js.map", ")]}'\n" + compact);
// A complete map under a name that is not *.map, referenced by nothing.
put("handmade-renamed-map/debug-info.json", compact);
// CRLF line ends, blanks around the annotation, a trailing empty line.
put("handmade-crlf-whitespace/index.js",
  code.replaceAll("\n", "\r\n") + "//#   sourceMappingURL=index.js.map   \r\n\r\n");
put("handmade-crlf-whitespace/index.js.map", compact);
// Two annotations: the last one counts.
put("handmade-multiple-annotations/index.js",
  "//# sourceMappingURL=stale.js.map\n" + code + "//# sourceMappingURL=index.js.map\n");
put("handmade-multiple-annotations/index.js.map", compact);
// A WebAssembly module whose custom section "sourceMappingURL" names its map.
const uleb = (n) => {
  const bytes = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    bytes.push(b);
  } while (n);
  return Buffer.from(bytes);
};
const section = Buffer.concat([uleb(16), Buffer.from("sourceMappingURL"), Buffer.from("module.wasm.map")]);
put("handmade-wasm-custom-section/module.wasm",
  Buffer.concat([Buffer.from("\0asm"), Buffer.from([1, 0, 0, 0]), Buffer.from([0]), uleb(section.length), section]));
put("handmade-wasm-custom-section/module.wasm.map", json({
  version: 3, sources: ["../../src/capy.wat"],
  sourcesContent: [";; Capybara internal wasm helper\n(module)\n"], names: [], mappings: "",
}));
// sourcesContent present, every entry null.
linked("handmade-sourcescontent-all-null");
put("handmade-sourcescontent-all-null/index.js.map",
  json({ ...map, sourcesContent: map.sources.map(() => null) }));
EOF
build handmade node "$work/handmade.mjs" "$out"
if [ "${built[*]: -1}" = handmade ]; then
    unset 'built[-1]'
    for d in "$out"/handmade-*/; do
        d=${d%/}
        built+=("${d##*/}")
    done
fi

# ---- compare with (or replace) the committed fixtures ----
same=()
differ=()
for d in "${built[@]}"; do
    if diff -r "$out/$d" "$dest/$d" >/dev/null 2>&1; then
        same+=("$d")
    else
        differ+=("$d")
    fi
done
echo "identical (${#same[@]}): ${same[*]}"
echo "different (${#differ[@]}): ${differ[*]}"
[ ${#failed[@]} -eq 0 ] || echo "failed (${#failed[@]}): ${failed[*]}"
if [ $check = 0 ]; then
    for d in "${differ[@]}"; do
        rm -rf "${dest:?}/$d"
        cp -R "$out/$d" "$dest/$d"
    done
    echo "replaced ${#differ[@]} dirs under tests/fixtures/sourcemaps"
else
    echo "(--check: nothing replaced${WORK:+; the outputs are in $out})"
fi
[ ${#failed[@]} -eq 0 ]
