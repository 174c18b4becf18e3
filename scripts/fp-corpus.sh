#!/usr/bin/env bash
# False-positive corpus: `npm pack` 100+ popular real packages into a temp dir and run
# leakgate's content checks over each tarball. NOT run in CI (it needs the npm registry
# and a few hundred MB of disk); run it by hand after changing a rule, and record what it
# finds in docs/false-positives.md.
#
#   scripts/fp-corpus.sh [WORK_DIR]      # results: WORK_DIR/results.tsv
#
# Every finding on these packages is presumed a false positive until shown otherwise:
# popular packages don't ship live credentials, so each line is either a documented
# example, a test fixture, or a rule to fix.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

PACKAGES=(
  # the most-depended-upon
  lodash react react-dom typescript express chalk commander debug axios moment tslib uuid
  semver glob yargs minimist async bluebird underscore classnames dotenv fs-extra
  body-parser qs cookie cors helmet morgan ws node-fetch got superagent form-data
  rxjs core-js @types/node zod yup joi date-fns dayjs luxon immer redux @reduxjs/toolkit
  mobx vue svelte jquery three d3 chart.js graphql @apollo/client socket.io socket.io-client
  # build tools (big minified bundles, source maps)
  webpack esbuild vite rollup @babel/core @babel/parser prettier eslint postcss
  autoprefixer sass less terser tailwindcss next nuxt @swc/core ts-node nodemon
  # tests
  jest mocha chai sinon supertest nock vitest @playwright/test playwright-core puppeteer-core
  # credentials-heavy SDKs (documented example keys, key parsers, PEM handling)
  aws-sdk @aws-sdk/client-s3 @aws-sdk/credential-providers firebase firebase-admin
  @google-cloud/storage google-auth-library stripe openai @anthropic-ai/sdk @octokit/rest
  @slack/web-api @sendgrid/mail twilio jsonwebtoken jose node-forge crypto-js bcryptjs
  ssh2 sshpk passport passport-oauth2 oauth nodemailer
  # databases and servers
  mongoose mongodb mysql2 pg redis ioredis sequelize typeorm knex prisma @prisma/client
  fastify koa hapi @nestjs/core
  # CLIs and misc
  npm inquirer ora yaml js-yaml xml2js ajv handlebars ejs pug marked highlight.js
  prismjs dompurify pino winston cheerio sharp
)

work=${1:-$(mktemp -d -t leakgate-fp-XXXXXX)}
mkdir -p "$work/tgz" "$work/pkg"
echo "work dir: $work (${#PACKAGES[@]} packages)" >&2

# One npm call for all of them (about as fast as one package); lifecycle scripts off.
if ! ls "$work"/tgz/*.tgz >/dev/null 2>&1; then
  (cd "$work/tgz" && npm pack --ignore-scripts --silent "${PACKAGES[@]}" >/dev/null)
fi

# Release: the corpus is 143 real tarballs (~800 MB unpacked); a debug build is ~10x slower.
cargo build --release --quiet --bin leakgate --example fp_scan
leakgate=$repo/target/release/leakgate
scan=$repo/target/release/examples/fp_scan

# Use the real audit when it exists; otherwise the checks directly over the unpacked files.
mode=example
tarballs=("$work"/tgz/*.tgz)
first=${tarballs[0]}
set +e
"$leakgate" audit --tarball "$first" --format json >/dev/null 2>&1
rc=$?
set -e
if [ "$rc" -le 1 ]; then mode=audit; fi
echo "mode: $mode" >&2

results=$work/results.tsv
: > "$results"
dirs=()
for tgz in "$work"/tgz/*.tgz; do
  base=$(basename "$tgz" .tgz)
  if [ "$mode" = audit ]; then
    set +e
    "$leakgate" audit --tarball "$tgz" --format json > "$work/$base.json" 2>"$work/$base.err"
    echo -e "$base\texit=$?" >> "$results"
    set -e
  else
    dest=$work/pkg/$base
    if [ ! -d "$dest" ]; then
      mkdir -p "$dest"
      tar xzf "$tgz" -C "$dest" --strip-components=1 --no-same-owner --no-same-permissions
    fi
    dirs+=("$dest")
  fi
done
if [ "$mode" = example ]; then
  "$scan" "${dirs[@]}" >> "$results"
elif command -v python3 >/dev/null 2>&1; then
  # One line per package and rule (with the severity) from the JSON reports.
  python3 - "$work" >> "$results" <<'PY'
import collections, glob, json, os, sys
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    try:
        report = json.load(open(path))
    except ValueError:
        continue
    counts = collections.Counter((f["rule"], f.get("severity")) for f in report.get("findings", []))
    for (rule, severity), n in sorted(counts.items()):
        print(f"{os.path.basename(path)[:-5]}\t{rule}\t{severity}\t{n}")
PY
fi

count=${#tarballs[@]}
findings=$(grep -vc '^#' "$results" || true)
echo "$count tarballs, $findings finding lines -> $results" >&2
grep -v '^#' "$results" | cut -f2 | sort | uniq -c | sort -rn >&2 || true
grep '^#total' "$results" >&2 || true
