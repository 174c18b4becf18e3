#!/usr/bin/env bash
# False-positive corpus: `npm pack` 800+ real published packages into a work dir and run
# `leakgate audit --tarball` over each tarball. NOT run in CI (it needs the npm registry,
# several GB of disk and a few minutes); run it by hand after changing a rule, and record
# what it finds in docs/false-positives.md.
#
#   scripts/fp-corpus.sh [WORK_DIR]            # download (once), build, audit, summarise
#   FP_STEP=download scripts/fp-corpus.sh DIR  # only fetch the tarballs
#   FP_STEP=audit scripts/fp-corpus.sh DIR     # only audit what is in DIR/tgz
#
# Results: DIR/results.tsv (one line per package, rule and severity) and DIR/blocked.tsv
# (every error finding: package, rule, file:line:col, message). DIR/failed.txt lists names
# npm could not pack.
#
# Every finding on these packages is presumed a false positive until shown otherwise:
# published packages rarely ship live credentials, so each blocking line is either a leak
# to report (redacted) in docs/false-positives.md or a rule to fix.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

PACKAGES=(
  # the most-depended-upon (first corpus)
  lodash react react-dom typescript express chalk commander debug axios moment tslib uuid
  semver glob yargs minimist async bluebird underscore classnames dotenv fs-extra body-parser
  qs cookie cors helmet morgan ws node-fetch got superagent form-data rxjs core-js @types/node
  zod yup joi date-fns dayjs luxon immer redux @reduxjs/toolkit mobx vue svelte jquery three d3
  chart.js graphql @apollo/client socket.io socket.io-client
  # build tools (big minified bundles, source maps)
  webpack esbuild vite rollup @babel/core @babel/parser prettier eslint postcss autoprefixer
  sass less terser tailwindcss next nuxt @swc/core ts-node nodemon
  # tests
  jest mocha chai sinon supertest nock vitest @playwright/test playwright-core puppeteer-core
  # credentials-heavy SDKs (documented example keys, key parsers, PEM handling)
  aws-sdk @aws-sdk/client-s3 @aws-sdk/credential-providers firebase firebase-admin
  @google-cloud/storage google-auth-library stripe openai @anthropic-ai/sdk @octokit/rest
  @slack/web-api @sendgrid/mail twilio jsonwebtoken jose node-forge crypto-js bcryptjs ssh2
  sshpk passport passport-oauth2 oauth nodemailer
  # databases and servers
  mongoose mongodb mysql2 pg redis ioredis sequelize typeorm knex prisma @prisma/client fastify
  koa hapi @nestjs/core
  # CLIs and misc
  npm inquirer ora yaml js-yaml xml2js ajv handlebars ejs pug marked highlight.js prismjs
  dompurify pino winston cheerio sharp
  # the most-downloaded dependencies (transitive everywhere)
  ansi-styles supports-color has-flag color-convert color-name escape-string-regexp strip-ansi
  ansi-regex string-width wrap-ansi emoji-regex cliui y18n yargs-parser get-caller-file
  picomatch micromatch braces fill-range to-regex-range is-number anymatch chokidar readdirp
  glob-parent is-glob normalize-path minimatch brace-expansion balanced-match inherits once
  wrappy graceful-fs signal-exit which isexe cross-spawn path-key execa get-stream is-stream
  onetime mimic-fn lru-cache yallist ms safe-buffer string_decoder readable-stream buffer
  base64-js ieee754 events punycode source-map source-map-js source-map-support
  @jridgewell/trace-mapping @jridgewell/sourcemap-codec @jridgewell/gen-mapping magic-string
  acorn acorn-walk estraverse esutils esprima @babel/types @babel/generator @babel/traverse
  @babel/template @babel/runtime @babel/code-frame @babel/compat-data @babel/preset-env
  @babel/helper-plugin-utils regenerator-runtime browserslist caniuse-lite electron-to-chromium
  node-releases update-browserslist-db picocolors nanoid postcss-value-parser json5 jsesc
  globals resolve is-core-module function-bind hasown has-symbols get-intrinsic call-bind
  es-errors object-inspect side-channel mime mime-types mime-db iconv-lite safer-buffer depd
  http-errors statuses on-finished raw-body bytes content-type type-is negotiator accepts vary
  encodeurl escape-html etag fresh send serve-static finalhandler path-to-regexp proxy-addr
  ipaddr.js cookie-signature content-disposition tough-cookie universalify jsonfile fast-glob
  @nodelib/fs.walk fastq reusify run-parallel merge2 ignore slash globby p-limit p-locate
  locate-path find-up path-exists yocto-queue pkg-dir make-dir resolve-from callsites
  import-fresh camelcase decamelize kind-of is-plain-object extend deepmerge clone lodash.merge
  lodash.debounce lodash.isequal lodash.get json-schema-traverse fast-deep-equal
  fast-json-stable-stringify uri-js ajv-formats ajv-keywords schema-utils tapable
  enhanced-resolve watchpack webpack-sources terser-webpack-plugin loader-runner neo-async
  jest-worker serialize-javascript @types/react @types/express @types/lodash @types/jest
  csstype prop-types react-is loose-envify js-tokens object-assign scheduler
  hoist-non-react-statics @typescript-eslint/parser @typescript-eslint/eslint-plugin
  @typescript-eslint/typescript-estree eslint-scope espree eslint-visitor-keys
  eslint-plugin-react eslint-plugin-import eslint-plugin-react-hooks eslint-config-prettier
  eslint-plugin-prettier @eslint/js @eslint/eslintrc levn optionator esquery esrecurse
  file-entry-cache flat-cache flatted keyv strip-json-comments kleur colors cli-cursor
  cli-spinners log-symbols figures mute-stream through through2 split2 pump end-of-stream
  duplexify xtend tar tar-stream tar-fs minipass minizlib chownr mkdirp rimraf yazl yauzl
  adm-zip archiver jszip pako fflate buffer-crc32 bl http-proxy http-proxy-middleware
  agent-base https-proxy-agent http-proxy-agent socks socks-proxy-agent proxy-from-env
  follow-redirects whatwg-url node-domexception web-streams-polyfill undici undici-types
  cross-fetch isomorphic-fetch abort-controller eventemitter3 mitt shortid @paralleldrive/cuid2
  ulid bignumber.js bn.js decimal.js big.js long moment-timezone date-fns-tz chrono-node
  pretty-bytes filesize numeral validator libphonenumber-js google-libphonenumber i18next
  react-i18next intl-messageformat vue-i18n valibot class-validator class-transformer
  reflect-metadata inversify tsyringe fp-ts ramda lodash-es immutable localforage idb dexie
  sql.js better-sqlite3 sqlite3 pg-pool mysql tedious cassandra-driver neo4j-driver kafkajs
  amqplib bullmq bull @redis/client nats mqtt
  # the biggest bundled CLIs and dev tools (OAuth client ids, dev certificates, tunnels)
  wrangler vercel netlify-cli firebase-tools @angular/cli aws-cdk aws-cdk-lib @sentry/cli turbo
  nx @vercel/ncc pnpm yarn @nestjs/cli @ionic/cli expo eas-cli @expo/cli react-native
  @react-native-community/cli serverless @shopify/cli localtunnel ngrok miniflare supabase
  heroku @salesforce/cli @azure/static-web-apps-cli @google/clasp @capacitor/cli cordova
  storybook gatsby-cli @vue/cli create-react-app create-next-app astro @sveltejs/kit
  webpack-cli parcel @parcel/core snyk renovate semantic-release release-it lerna
  @changesets/cli verdaccio http-server serve live-server browser-sync pm2
  @angular-devkit/build-angular @microsoft/rush @rushstack/eslint-patch @biomejs/biome
  @cloudflare/workers-types @railway/cli @vue/language-core vue-tsc @volar/language-core mkcert
  devcert office-addin-dev-certs @vitejs/plugin-basic-ssl @vitejs/plugin-react @expo/config
  react-scripts webpack-dev-server @storybook/react @storybook/core-common
  # vendor SDKs: cloud, email, auth, error reporting, analytics, search, AI, data
  @aws-sdk/client-dynamodb @aws-sdk/client-lambda @aws-sdk/client-sts @aws-sdk/client-sqs
  @aws-sdk/client-sns @aws-sdk/client-secrets-manager @aws-sdk/client-cognito-identity-provider
  @aws-sdk/lib-storage @aws-sdk/s3-request-presigner @aws-sdk/lib-dynamodb @aws-sdk/client-ssm
  @aws-sdk/client-kms @aws-sdk/client-ses @aws-sdk/client-ec2 @smithy/smithy-client
  @aws-amplify/core aws-amplify @aws-amplify/auth googleapis @google-cloud/pubsub
  @google-cloud/firestore @google-cloud/bigquery @google-cloud/secret-manager
  @google-cloud/functions-framework @google/generative-ai @google/genai @google-cloud/logging
  @google-cloud/aiplatform gaxios gcp-metadata @azure/storage-blob @azure/identity
  @azure/msal-node @azure/msal-browser @azure/cosmos @azure/keyvault-secrets @azure/service-bus
  @azure/event-hubs applicationinsights @azure/core-rest-pipeline @azure/openai
  @azure/data-tables @stripe/stripe-js mailgun.js postmark @mailchimp/mailchimp_marketing
  resend @firebase/app @firebase/auth @firebase/firestore @supabase/supabase-js
  @supabase/auth-js @supabase/ssr @supabase/postgrest-js @supabase/realtime-js @sentry/node
  @sentry/browser @sentry/react @sentry/nextjs @sentry/webpack-plugin @sentry/core @sentry/vue
  @sentry/react-native posthog-js posthog-node @segment/analytics-next @segment/analytics-node
  analytics-node mixpanel mixpanel-browser @amplitude/analytics-browser
  @amplitude/analytics-node amplitude-js @datadog/browser-rum @datadog/browser-logs dd-trace
  @datadog/datadog-api-client newrelic @bugsnag/js @bugsnag/browser @bugsnag/node rollbar
  logrocket @honeybadger-io/js launchdarkly-js-client-sdk @launchdarkly/node-server-sdk
  @auth0/auth0-react auth0 @auth0/nextjs-auth0 @clerk/clerk-js @clerk/nextjs next-auth
  @auth/core @okta/okta-auth-js openid-client passport-google-oauth20 passport-github2
  @octokit/core octokit @slack/bolt discord.js telegraf node-telegram-bot-api algoliasearch
  @algolia/client-search @docsearch/js @docsearch/react meilisearch @elastic/elasticsearch
  @pinecone-database/pinecone cohere-ai @mistralai/mistralai replicate langchain
  @langchain/core @langchain/openai ai @ai-sdk/openai @vercel/analytics @vercel/speed-insights
  @vercel/kv @vercel/blob @vercel/postgres @upstash/redis @planetscale/database
  @neondatabase/serverless drizzle-orm @clickhouse/client snowflake-sdk
  @intercom/messenger-js-sdk @hotjar/browser react-ga4 @vercel/og
  # blockchain SDKs (contract addresses, provider keys)
  ethers web3 viem wagmi @solana/web3.js @metamask/sdk @coinbase/wallet-sdk @uniswap/sdk-core
  @openzeppelin/contracts hardhat @rainbow-me/rainbowkit @walletconnect/ethereum-provider
  @web3-react/core @reown/appkit @wagmi/core
  # packages that ship source maps, UI libraries and frameworks
  @angular/core @angular/common @angular/router @angular/forms @angular/platform-browser
  @angular/compiler @angular/animations @angular/material @angular/cdk zone.js @ngrx/store
  preact lit @lit/reactive-element solid-js @tanstack/react-query @tanstack/query-core
  react-router react-router-dom @remix-run/router swr zustand jotai valtio xstate framer-motion
  @emotion/react @emotion/styled styled-components @mui/material antd @chakra-ui/react
  bootstrap @popperjs/core @floating-ui/dom tippy.js sweetalert2 quill @tiptap/core
  prosemirror-view codemirror @codemirror/view monaco-editor ace-builds pdfjs-dist mapbox-gl
  leaflet ol @turf/turf fabric konva pixi.js phaser @babylonjs/core echarts apexcharts recharts
  highcharts ag-grid-community handsontable @fullcalendar/core video.js hls.js howler tone
  sockjs-client @microsoft/signalr protobufjs @grpc/grpc-js graphql-ws @apollo/server urql
  relay-runtime @headlessui/react @radix-ui/react-dialog lucide-react react-icons
  @heroicons/react clsx tailwind-merge class-variance-authority react-hook-form formik
  @hookform/resolvers react-select react-datepicker react-dropzone react-toastify
  react-hot-toast @tanstack/react-table ag-grid-react @reach/router vue-router pinia vuex
  @vue/runtime-dom @vue/compiler-sfc nuxt3 quasar vuetify element-plus primevue @ionic/core
  @ionic/angular @capacitor/core @sveltejs/vite-plugin-svelte ember-source backbone knockout
  alpinejs htmx.org stimulus @hotwired/turbo markdown-it remark rehype unified
  mdast-util-to-markdown micromark shiki katex mathjax mermaid vega vega-lite
  plotly.js-dist-min
  # test runners and browsers
  puppeteer playwright selenium-webdriver webdriverio cypress @testing-library/react
  @testing-library/jest-dom @testing-library/user-event msw nyc c8 istanbul-lib-coverage ava
  tap tape uvu karma jasmine-core @vitest/ui happy-dom jsdom
  # bundler plugins and loaders
  esbuild-wasm @esbuild/linux-x64 rollup-plugin-visualizer @rollup/plugin-node-resolve
  @rollup/plugin-commonjs @rollup/plugin-typescript tsup unbuild microbundle @swc/helpers
  babel-loader css-loader style-loader sass-loader postcss-loader file-loader url-loader
  mini-css-extract-plugin html-webpack-plugin copy-webpack-plugin
  fork-ts-checker-webpack-plugin ts-loader @vue/compiler-dom lightningcss cssnano
)

work=${1:-$(mktemp -d -t leakgate-fp-XXXXXX)}
mkdir -p "$work/tgz" "$work/out"
work=$(cd "$work" && pwd)
step=${FP_STEP:-all}
echo "work dir: $work (${#PACKAGES[@]} packages)" >&2

# Fetch in batches of 40 (one npm call each, about as fast as one package); a batch with a
# name npm can't pack is retried one package at a time so one bad name costs one package.
# Lifecycle scripts are off: the tarball is what the registry serves, nothing runs.
fetch() {
  local done_list=$work/fetched.txt
  touch "$done_list"
  : > "$work/failed.txt"
  local todo=()
  for p in "${PACKAGES[@]}"; do
    grep -qxF -- "$p" "$done_list" || todo+=("$p")
  done
  echo "to fetch: ${#todo[@]}" >&2
  local i=0
  while [ "$i" -lt "${#todo[@]}" ]; do
    local batch=("${todo[@]:i:40}")
    i=$((i + 40))
    if (cd "$work/tgz" && npm pack --ignore-scripts --silent "${batch[@]}" >/dev/null 2>>"$work/npm.log"); then
      printf '%s\n' "${batch[@]}" >> "$done_list"
      continue
    fi
    for p in "${batch[@]}"; do
      if (cd "$work/tgz" && npm pack --ignore-scripts --silent "$p" >/dev/null 2>>"$work/npm.log"); then
        echo "$p" >> "$done_list"
      else
        echo "$p" >> "$work/failed.txt"
      fi
    done
  done
  echo "fetched: $(wc -l < "$done_list"), failed: $(wc -l < "$work/failed.txt")" >&2
}

audit() {
  # Release: the corpus is several GB unpacked; a debug build is ~10x slower.
  cargo build --release --quiet --bin leakgate
  local leakgate=$repo/target/release/leakgate
  local start=$SECONDS
  for tgz in "$work"/tgz/*.tgz; do
    local base
    base=$(basename "$tgz" .tgz)
    set +e
    "$leakgate" audit --tarball "$tgz" --format json > "$work/out/$base.json" 2>"$work/out/$base.err"
    echo "$?" > "$work/out/$base.rc"
    set -e
  done
  echo "audited $(ls "$work"/tgz/*.tgz | wc -l) tarballs in $((SECONDS - start)) s" >&2
  # One line per package, rule and severity; every error finding in blocked.tsv.
  python3 - "$work" <<'PY'
import collections, glob, json, os, sys
work = sys.argv[1]
results = open(os.path.join(work, "results.tsv"), "w")
blocked = open(os.path.join(work, "blocked.tsv"), "w")
per_rule = collections.Counter()
exits = collections.Counter()
for path in sorted(glob.glob(os.path.join(work, "out", "*.json"))):
    base = os.path.basename(path)[:-5]
    rc = open(path[:-5] + ".rc").read().strip()
    exits[rc] += 1
    try:
        report = json.load(open(path))
    except ValueError:
        print(f"{base}\t<no report: exit {rc}>", file=results)
        continue
    findings = report.get("findings", [])
    counts = collections.Counter((f["rule"], f.get("severity")) for f in findings)
    for (rule, severity), n in sorted(counts.items()):
        print(f"{base}\t{rule}\t{severity}\t{n}", file=results)
        per_rule[(rule, severity)] += n
    for f in findings:
        if f.get("severity") == "error":
            where = f"{f.get('file', '')}:{f.get('line', '')}:{f.get('column', '')}"
            print(f"{base}\t{f['rule']}\t{where}\t{f.get('message', '')}", file=blocked)
print("exit codes:", dict(sorted(exits.items())), file=sys.stderr)
for (rule, severity), n in sorted(per_rule.items(), key=lambda x: (-x[1], x[0])):
    print(f"{n:7d}  {severity:8s} {rule}", file=sys.stderr)
PY
  echo "blocked packages: $(cut -f1 "$work/blocked.tsv" | sort -u | wc -l) ($work/blocked.tsv)" >&2
}

case $step in
  download) fetch ;;
  audit) audit ;;
  *) fetch; audit ;;
esac
