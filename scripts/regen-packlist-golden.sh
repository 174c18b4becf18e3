#!/usr/bin/env bash
# Regenerates tests/golden/packlist/*.json: npm's own answer (`npm pack --dry-run --json
# --ignore-scripts`) for every fixture of tests/fixtures/packlist.txt. Run it after adding
# a fixture or when npm changes; review the diff before committing it.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v npm >/dev/null || { echo "npm is required" >&2; exit 1; }
echo "npm $(npm --version 2>/dev/null)"
cargo test --test packlist npm_regenerate_goldens -- --ignored --exact --nocapture
git status --short tests/golden/packlist | head -50
