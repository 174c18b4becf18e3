#!/usr/bin/env bash
# Installs the publishers the differential tests compare leakgate with (pnpm 12.26,
# yarn berry 4.18 as @yarnpkg/cli-dist, bun 1.4) into one cache folder, once, and prints
# their paths as `name=path` lines. Safe to run from several test binaries at once: a lock
# file serialises the install and a marker file says it finished.
#
#   scripts/publishers.sh [CACHE_DIR]     (default: $CARGO_TARGET_DIR or target/, + /publishers)
#
# Exit 0 with the paths; exit 3 when the package registry can't be reached (the caller
# decides whether that may skip); exit 1 on any other failure.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cache="${1:-${CARGO_TARGET_DIR:-$here/target}/publishers}"
mkdir -p "$cache"

# The versions leakgate's publisher rules were written against (docs/publishers.md).
specs=(pnpm@12.26 @yarnpkg/cli-dist@4.18 bun@1.4)
marker="$cache/installed-$(printf '%s ' "${specs[@]}" | tr -c 'a-zA-Z0-9.\n' '_')"

# The native binaries of this platform (optional dependencies), not the packages' wrappers:
# the wrappers need install scripts, which are not run.
native() {
    local found
    found="$(ls -d $1 2>/dev/null | head -n 1)"
    [ -n "$found" ] && [ -x "$found" ] || { echo "no $2 binary for this platform under $cache" >&2; return 1; }
    echo "$found"
}

print_paths() {
    echo "pnpm=$(native "$cache/node_modules/@pnpm/exe.*/pnpm" pnpm)"
    echo "yarn=$cache/node_modules/@yarnpkg/cli-dist/bin/yarn.js"
    echo "bun=$(native "$cache/node_modules/@oven/bun-*/bin/bun" bun)"
}

if [ -f "$marker" ]; then
    print_paths
    exit 0
fi

exec 9>"$cache/.lock"
flock 9
if [ ! -f "$marker" ]; then
    log="$cache/install.log"
    # The packages' install scripts are not needed: the platform binaries come as optional
    # dependencies and each bin entry finds them.
    if ! npm install --prefix "$cache" --no-audit --no-fund --no-save --ignore-scripts \
        --loglevel=error "${specs[@]}" >"$log" 2>&1; then
        cat "$log" >&2
        if grep -qE 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH' "$log"; then
            exit 3
        fi
        exit 1
    fi
    print_paths >/dev/null
    touch "$marker"
fi
print_paths
