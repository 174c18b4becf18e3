#!/usr/bin/env bash
# The npm route end to end, on this machine (Linux x64 or arm64, glibc): builds the release
# binary, lays out the leakgate package and the platform packages (scripts/npm-packages.js),
# `npm pack`s them, and installs the tarballs into throwaway git repositories with npm, pnpm,
# yarn (berry: node-modules linker, then Plug'n'Play) and bun. In each: the launcher runs the
# binary, `leakgate install` registers the hooks, a commit staging `.env` is blocked (exit 1)
# and a clean one passes (exit 0), all with a PATH that has no Rust toolchain and no other
# leakgate (under yarn's Plug'n'Play, which has no node_modules/.bin for the shims, leakgate
# runs through `yarn leakgate pre-commit` instead). Then, for npm and pnpm, a husky project:
# a fresh clone plus the package manager's install gets working hooks (the committed husky
# block runs node_modules/.bin/leakgate).
#
#   scripts/npm-smoke.sh                    # everything (builds with cargo build --release)
#   scripts/npm-smoke.sh --binary PATH      # use this binary instead of building one
#   scripts/npm-smoke.sh --only npm,pnpm    # some package managers (npm pnpm yarn yarn-pnp bun)
#   scripts/npm-smoke.sh --keep             # keep the temporary directory to poke at
#
# Needs node, npm and git; installs pnpm, yarn (@yarnpkg/cli-dist) and bun, and husky, from
# the npm registry into target/npm-smoke/tools (reused by later runs). The platform packages
# this machine can't build are packed without a binary; the package managers get all of them
# from a registry on 127.0.0.1 (scripts/npm-smoke-registry.js, set for the @leakgate scope
# only), so they choose by os/cpu/libc as they will from the real registry, and the script
# checks they installed exactly this machine's. The leakgate package itself is installed from
# its tarball (`file:`). Exits 1 when any step fails.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
binary=
only="npm pnpm yarn yarn-pnp bun"
keep=no
while [ $# -gt 0 ]; do
  case $1 in
    --binary) binary=$2; shift ;;
    --only) only=${2//,/ }; shift ;;
    --keep) keep=yes ;;
    -h | --help) sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "npm-smoke: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

PNPM_VERSION=12.26.0
YARN_VERSION=4.18.1
BUN_VERSION=1.4.5
HUSKY_VERSION=9.1.7

say() { printf 'npm-smoke: %s\n' "$*" >&2; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64-gnu ;;
  Linux-aarch64) platform=linux-arm64-gnu ;;
  *) say "this script runs on Linux x64/arm64 with glibc, not $(uname -s) $(uname -m)"; exit 2 ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/leakgate-npm-smoke.XXXXXX")
registry_pid=
cleanup() {
  [ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null || true
  if [ "$keep" = yes ]; then say "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- the binary and the packages ---------------------------------------------------------
if [ -z "$binary" ]; then
  say "building the release binary (cargo build --release --locked)"
  (cd "$root" && cargo build --release --locked --quiet)
  binary=$root/target/release/leakgate
fi
binary=$(cd "$(dirname "$binary")" && pwd)/$(basename "$binary")
version=$("$binary" --version | awk '{print $NF}')
say "binary $binary ($version) as @leakgate/$platform"

node "$root/scripts/npm-packages.js" build "$work/packages" --binary "$platform=$binary" >&2
mkdir -p "$work/tarballs"
for dir in "$work/packages"/*/; do
  (cd "$dir" && npm pack --silent --pack-destination "$work/tarballs" >/dev/null)
done
tarball() { # tarball PACKAGE-DIR-NAME → its .tgz
  if [ "$1" = leakgate ]; then echo "$work/tarballs/leakgate-$version.tgz"
  else echo "$work/tarballs/leakgate-$1-$version.tgz"; fi
}
[ -f "$(tarball leakgate)" ] && [ -f "$(tarball "$platform")" ] || { say "npm pack produced no tarballs"; exit 1; }

# The @leakgate scope's registry, on 127.0.0.1 (a port the kernel picks).
node "$root/scripts/npm-smoke-registry.js" "$work/packages" "$work/tarballs" "$work/port" &
registry_pid=$!
for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { say "the local registry did not start"; exit 1; }
registry=http://127.0.0.1:$(cat "$work/port")
say "@leakgate packages served by $registry"

# --- tools ---------------------------------------------------------------------------------
tools=$root/target/npm-smoke/tools
want="pnpm@$PNPM_VERSION @yarnpkg/cli-dist@$YARN_VERSION bun@$BUN_VERSION"
if [ "$(cat "$tools/.installed" 2>/dev/null)" != "$want" ]; then
  say "installing $want into $tools"
  rm -rf "$tools" && mkdir -p "$tools"
  echo '{"private":true}' >"$tools/package.json"
  # shellcheck disable=SC2086
  (cd "$tools" && npm install --no-audit --no-fund --loglevel=error $want >&2)
  echo "$want" >"$tools/.installed"
fi

# The hooks run with no Rust toolchain and no leakgate anywhere but the project's
# node_modules: PATH keeps node, npm, git and the package managers only.
clean_path=$tools/node_modules/.bin:/usr/local/bin:/usr/bin:/bin
home=$work/home
mkdir -p "$home"
in_clean_env() {
  env -u LEAKGATE_BIN -u LEAKGATE_BINARY_PATH -u CARGO_HOME -u RUSTUP_HOME -u LEAKGATE_SKIP \
    PATH="$clean_path" HOME="$home" npm_config_cache="$work/npm-cache" \
    GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL="$work/gitconfig" "$@"
}
git config --file "$work/gitconfig" user.name "npm smoke"
git config --file "$work/gitconfig" user.email "smoke@leakgate.invalid"
git config --file "$work/gitconfig" init.defaultBranch main
if in_clean_env sh -c 'command -v cargo || command -v leakgate' >/dev/null; then
  say "the clean PATH ($clean_path) still has cargo or leakgate"
  exit 1
fi

# --- checks --------------------------------------------------------------------------------
# Results go to a file: checks run in subshells (cd), which can't set the caller's variables.
: >"$work/results"
pass() { echo "ok    $1" >>"$work/results"; say "ok: $1"; }
fail() { echo "FAIL  $1" >>"$work/results"; say "FAIL: $1"; }

# expect DIR CODE LABEL COMMAND…: runs COMMAND in DIR in the clean environment; its output
# goes to the log and to $work/last.out. Returns whether the exit code was CODE.
expect() {
  local dir=$1 code=$2 label=$3 got=0
  shift 3
  (cd "$dir" && in_clean_env "$@") >"$work/last.out" 2>&1 || got=$?
  { echo "### $label: $*"; cat "$work/last.out"; } >>"$work/log"
  if [ "$got" -eq "$code" ]; then pass "$label (exit $got)"; return 0; fi
  fail "$label: exit $got, wanted $code"
  sed 's/^/    /' "$work/last.out" >&2
  return 1
}

# package.json of a project depending on the leakgate tarball (EXTRA-JSON merged in).
write_package_json() { # DIR EXTRA-JSON
  node -e '
    const [dir, extra, tarball] = process.argv.slice(1);
    const more = JSON.parse(extra || "{}");
    const pkg = { name: "smoke-app", version: "1.0.0", private: true, ...more,
      devDependencies: { ...(more.devDependencies || {}), leakgate: `file:${tarball}` } };
    require("fs").writeFileSync(`${dir}/package.json`, JSON.stringify(pkg, null, 2) + "\n");
  ' "$1" "${2:-}" "$(tarball leakgate)"
}

install_cmd() { # PM → the install command
  case $1 in
    npm) echo "npm install --no-audit --no-fund" ;;
    pnpm) echo "pnpm install --no-frozen-lockfile" ;;
    yarn | yarn-pnp) echo "yarn install" ;;
    bun) echo "bun install" ;;
  esac
}
exec_cmd() { # PM → how to run a package's bin
  case $1 in
    npm) echo "npm exec --" ;;
    pnpm) echo "pnpm exec" ;;
    yarn | yarn-pnp) echo "yarn" ;;
    bun) echo "bun x" ;;
  esac
}

new_project() { # PM DIR [EXTRA-JSON]
  local pm=$1 dir=$2
  mkdir -p "$dir"
  in_clean_env git init -q "$dir"
  printf 'node_modules/\n.yarn/\n.pnp.*\n' >"$dir/.gitignore"
  write_package_json "$dir" "${3:-}"
  # Each package manager's own way of naming the @leakgate scope's registry.
  case $pm in
    npm | pnpm) echo "@leakgate:registry=$registry/" >"$dir/.npmrc" ;;
    yarn | yarn-pnp)
      local linker=node-modules
      [ "$pm" = yarn-pnp ] && linker=pnp
      cat >"$dir/.yarnrc.yml" <<EOF
nodeLinker: $linker
enableTelemetry: false
enableImmutableInstalls: false
enableGlobalCache: false
unsafeHttpWhitelist:
  - "127.0.0.1"
npmScopes:
  leakgate:
    npmRegistryServer: "$registry"
    # Packed a moment ago: not to be held back as too new (a scope has its own setting).
    npmMinimalAgeGate: 0
EOF
      ;;
    bun) printf '[install.scopes]\nleakgate = "%s/"\n' "$registry" >"$dir/bunfig.toml" ;;
  esac
}

# Which platform packages the package manager put on disk (it must be exactly this one).
check_platform_packages() { # PM DIR
  local pm=$1 dir=$2 found=
  found=$(cd "$dir" && find . -path '*/@leakgate/*/package.json' -not -path './.git/*' 2>/dev/null |
    sed 's|.*/@leakgate/\([^/]*\)/package.json|\1|' | sort -u | tr '\n' ' ')
  if [ "$pm" = yarn-pnp ]; then
    # PnP keeps packages in zip archives; only unplugged ones are directories.
    found=$(cd "$dir" && ls .yarn/unplugged 2>/dev/null | sed -n 's/^@leakgate-\([a-z0-9-]*\)-npm-.*/\1/p' | sort -u | tr '\n' ' ')
  fi
  case " $found " in
    *" $platform "*) ;;
    *) fail "$pm: @leakgate/$platform is not installed (found: ${found:-nothing})"; return 1 ;;
  esac
  local other
  for other in $found; do
    [ "$other" = "$platform" ] && continue
    case $other in
      *-musl) say "note: $pm also installed @leakgate/$other (same os/cpu, other libc)" ;;
      *) fail "$pm: installed @leakgate/$other, which doesn't fit this machine"; return 1 ;;
    esac
  done
  pass "$pm: installed @leakgate/$platform and no other platform's binary (${found% })"
}

commit_checks() { # LABEL DIR
  local label=$1 dir=$2
  printf 'API_TOKEN=%s\n' "smoke-$$-secret" >"$dir/.env"
  (cd "$dir" && in_clean_env git add -f .env)
  if expect "$dir" 1 "$label: commit staging .env is blocked" git commit -q -m "add .env"; then
    grep -q "file/denied" "$work/last.out" && pass "$label: the block says file/denied" ||
      fail "$label: the blocked commit did not say file/denied"
  fi
  (cd "$dir" && in_clean_env git rm -q --cached .env)
  echo "ok" >"$dir/clean.txt"
  (cd "$dir" && in_clean_env git add clean.txt)
  expect "$dir" 0 "$label: clean commit passes" git commit -q -m "clean" || true
}

run_pm() { # PM
  local pm=$1 dir=$work/$1/project
  say "--- $pm"
  new_project "$pm" "$dir"
  # shellcheck disable=SC2046
  expect "$dir" 0 "$pm: $(install_cmd "$pm") of the tarballs" $(install_cmd "$pm") || return 0
  check_platform_packages "$pm" "$dir" || true
  if [ "$pm" != yarn-pnp ]; then
    if [ -x "$dir/node_modules/.bin/leakgate" ]; then pass "$pm: node_modules/.bin/leakgate is there"
    else fail "$pm: no node_modules/.bin/leakgate"; fi
  fi
  # shellcheck disable=SC2046
  if expect "$dir" 0 "$pm: $(exec_cmd "$pm") leakgate --version" $(exec_cmd "$pm") leakgate --version; then
    if grep -q "leakgate $version" "$work/last.out"; then pass "$pm: the launcher ran leakgate $version"
    else fail "$pm: --version said $(cat "$work/last.out")"; fi
  fi
  # shellcheck disable=SC2046
  expect "$dir" 0 "$pm: $(exec_cmd "$pm") leakgate install" $(exec_cmd "$pm") leakgate install || return 0
  (cd "$dir" && in_clean_env git add -A && in_clean_env git commit -q --no-verify -m "app")
  if [ "$pm" = yarn-pnp ]; then
    # Plug'n'Play has no node_modules/.bin for the hooks to find: leakgate runs through yarn
    # (`yarn leakgate pre-commit`, e.g. from a husky script). Check that, not the shims.
    printf 'API_TOKEN=%s\n' "smoke-$$-secret" >"$dir/.env"
    (cd "$dir" && in_clean_env git add -f .env)
    expect "$dir" 1 "$pm: yarn leakgate pre-commit with .env staged blocks" yarn leakgate pre-commit || true
    (cd "$dir" && in_clean_env git rm -q --cached .env)
    expect "$dir" 0 "$pm: yarn leakgate pre-commit with nothing staged passes" yarn leakgate pre-commit || true
    say "note: $pm: the installed shims don't run leakgate under Plug'n'Play (no node_modules/.bin)"
    return 0
  fi
  commit_checks "$pm" "$dir"
  # shellcheck disable=SC2046
  if expect "$dir" 0 "$pm: $(exec_cmd "$pm") leakgate doctor" $(exec_cmd "$pm") leakgate doctor; then
    say "$pm: doctor: $(grep -E '^  [a-z]+ +(binary|npm) ' "$work/last.out" | tr -s ' ' | tr '\n' '|')"
  fi
}

# A husky project committed with its leakgate block; a fresh clone gets working hooks from
# the package manager's install alone (husky's prepare script activates them).
run_clone() { # PM
  local pm=$1 dir=$work/$1/husky clone=$work/$1/clone
  say "--- $pm: husky project, fresh clone"
  new_project "$pm" "$dir" "{\"scripts\":{\"prepare\":\"husky\"},\"devDependencies\":{\"husky\":\"$HUSKY_VERSION\"}}"
  # shellcheck disable=SC2046
  expect "$dir" 0 "$pm+husky: $(install_cmd "$pm")" $(install_cmd "$pm") || return 0
  # shellcheck disable=SC2046
  expect "$dir" 0 "$pm+husky: leakgate install (husky block)" $(exec_cmd "$pm") leakgate install || return 0
  if grep -q '# >>> leakgate >>>' "$dir/.husky/pre-commit"; then pass "$pm+husky: .husky/pre-commit has the block"
  else fail "$pm+husky: no leakgate block in .husky/pre-commit"; fi
  (cd "$dir" && in_clean_env git add -A && in_clean_env git commit -q --no-verify -m "husky + leakgate")
  in_clean_env git clone -q "$dir" "$clone"
  # shellcheck disable=SC2046
  expect "$clone" 0 "$pm+husky clone: $(install_cmd "$pm")" $(install_cmd "$pm") || return 0
  if [ "$(cd "$clone" && in_clean_env git config core.hooksPath)" = .husky/_ ]; then
    pass "$pm+husky clone: the install activated husky"
  else
    fail "$pm+husky clone: core.hooksPath is not set"
  fi
  commit_checks "$pm+husky clone" "$clone"
}

for pm in $only; do
  case $pm in
    npm | pnpm | yarn | yarn-pnp | bun) run_pm "$pm" ;;
    *) say "unknown package manager $pm"; exit 2 ;;
  esac
  case $pm in npm | pnpm) run_clone "$pm" ;; esac
done

echo
echo "npm-smoke: leakgate $version, @leakgate/$platform, node $(node --version), npm $(npm --version)"
sed 's/^/  /' "$work/results"
if grep -q '^FAIL' "$work/results"; then
  echo "npm-smoke: FAILED (log: $work/log)"
  keep=yes
  exit 1
fi
echo "npm-smoke: all passed"
