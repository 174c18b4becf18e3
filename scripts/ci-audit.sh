#!/usr/bin/env bash
# Audits what a release would really upload: `npm pack` (every workspace's pack with
# --workspaces), then `leakgate audit --tarball` on the tarballs, as SARIF for code scanning
# and as the human report for the log. The GitHub Action (action.yml) is a thin wrapper
# around this script; GitLab CI or any shell step runs it the same way. Run it after the
# build: npm packs what is on disk.
#
# Usage: scripts/ci-audit.sh [--workspaces] [--sarif FILE] [--fail-on error|never] [DIR]
#   DIR            the package (or monorepo root) to pack; default: the current directory
#   --workspaces   pack every workspace (`npm pack --workspaces`) instead of DIR's package
#   --sarif FILE   where the SARIF log goes (default: leakgate.sarif in $RUNNER_TEMP, else
#                  $TMPDIR or /tmp: never in the package, where a later publish could ship it)
#   --fail-on      error (default): exit 1 when a finding blocks; never: always exit 0
#                  (still exit 2 when leakgate or npm could not run)
# Environment:
#   LEAKGATE          the command that runs leakgate (default: DIR's or the repository's
#                     node_modules/.bin/leakgate, then `leakgate` on PATH, then the npm
#                     package through `npm exec`)
#   LEAKGATE_VERSION  the npm package version `npm exec` runs (default: latest)
#   GITHUB_OUTPUT     when set (GitHub Actions), receives `sarif=FILE` and `exit-code=N`
# Exit codes: leakgate's (0 nothing blocking, 1 blocking findings, 2 error).
set -eu

workspaces=false
sarif=""
fail_on=error
dir=.
while [ $# -gt 0 ]; do
  case "$1" in
    --workspaces) workspaces=true ;;
    --sarif) sarif="${2:?--sarif needs a file}"; shift ;;
    --sarif=*) sarif="${1#--sarif=}" ;;
    --fail-on) fail_on="${2:?--fail-on needs error or never}"; shift ;;
    --fail-on=*) fail_on="${1#--fail-on=}" ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "ci-audit: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) dir="$1" ;;
  esac
  shift
done
case "$fail_on" in
  error|never) ;;
  *) echo "ci-audit: --fail-on must be error or never, not '$fail_on'" >&2; exit 2 ;;
esac

cd "$dir" || { echo "ci-audit: $dir: no such directory" >&2; exit 2; }
if [ ! -f package.json ]; then
  echo "ci-audit: $(pwd): no package.json here; pass the package's directory" >&2
  exit 2
fi
[ -n "$sarif" ] || sarif="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/leakgate.sarif"
case "$sarif" in /*) ;; *) sarif="$(pwd)/$sarif" ;; esac

# Which leakgate: the project's own first, as the git hooks do.
if [ -z "${LEAKGATE:-}" ]; then
  top="$(git rev-parse --show-toplevel 2>/dev/null || pwd)"
  for candidate in "node_modules/.bin/leakgate" "$top/node_modules/.bin/leakgate"; do
    if [ -x "$candidate" ]; then LEAKGATE="$candidate"; break; fi
  done
fi
if [ -z "${LEAKGATE:-}" ] && command -v leakgate >/dev/null 2>&1; then
  LEAKGATE="$(command -v leakgate)"
fi
if [ -z "${LEAKGATE:-}" ]; then
  LEAKGATE="npm exec --yes --package=leakgate@${LEAKGATE_VERSION:-latest} -- leakgate"
fi

# A path runs as one word (it may hold spaces); anything else is a command line.
leakgate() {
  if [ -f "$LEAKGATE" ]; then "$LEAKGATE" "$@"; else $LEAKGATE "$@"; fi
}

packs="$(mktemp -d)"
trap 'rm -rf "$packs"' EXIT
if [ "$workspaces" = true ]; then
  set -- --workspaces
else
  set --
fi
echo "ci-audit: npm pack${*:+ $*} (into a temporary directory)" >&2
# npm prints the tarball names on stdout; the tarballs themselves are what counts.
if ! npm pack "$@" --pack-destination "$packs" >/dev/null; then
  echo "ci-audit: npm pack failed (is the project built and installed?)" >&2
  exit 2
fi
set --
for tgz in "$packs"/*.tgz; do
  [ -f "$tgz" ] || continue
  # npm packs a private workspace but never publishes it: not part of the release.
  if tar -xzOf "$tgz" package/package.json 2>/dev/null |
    node -e 'process.exit(JSON.parse(require("fs").readFileSync(0, "utf8")).private === true ? 0 : 1)' 2>/dev/null; then
    echo "ci-audit: skipped $(basename "$tgz"): a private package, which npm never publishes" >&2
    continue
  fi
  set -- "$@" --tarball "$tgz"
done
if [ $# -eq 0 ]; then
  echo "ci-audit: npm pack made no tarball of a publishable package" >&2
  exit 2
fi

# SARIF first (its exit code is the verdict), then the same audit for people reading the log.
status=0
leakgate audit "$@" --format sarif >"$sarif" || status=$?
if [ "$status" -ge 2 ]; then
  echo "ci-audit: leakgate could not audit the tarballs (exit $status)" >&2
  leakgate audit "$@" >&2 || true
  exit 2
fi
leakgate audit "$@" --color never || true
echo "ci-audit: SARIF written to $sarif" >&2

if [ -n "${GITHUB_OUTPUT:-}" ]; then
  {
    echo "sarif=$sarif"
    echo "exit-code=$status"
  } >>"$GITHUB_OUTPUT"
fi
if [ "$fail_on" = never ]; then
  exit 0
fi
exit "$status"
