#!/bin/sh
# Builds and installs leakgate, then registers its hooks in the git repository you run this
# from (your current directory, which need not be this checkout).
#
#   ./install.sh                 # binary into $CARGO_HOME/bin (~/.cargo/bin)
#   PREFIX=/usr/local ./install.sh   # binary into $PREFIX/bin
#   ./install.sh --no-hooks      # binary only
#   ./install.sh --debug         # unoptimised build (fast; for trying things out)
#
# Re-runnable: cargo rebuilds only what changed and `leakgate install` changes no byte the
# second time. Needs only cargo (and git for the hooks).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
hooks=yes
profile=
for arg in "$@"; do
  case $arg in
    --no-hooks) hooks=no ;;
    --debug) profile=--debug ;;
    -h | --help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

command -v cargo >/dev/null 2>&1 || {
  echo "install.sh: cargo not found; install Rust from https://rustup.rs and run this again" >&2
  exit 1
}

if [ -n "${PREFIX:-}" ]; then
  root=$PREFIX
else
  root=${CARGO_HOME:-$HOME/.cargo}
fi
locked=
[ -f "$here/Cargo.lock" ] && locked=--locked

echo "install.sh: building leakgate from $here and installing it into $root/bin"
# --force: reinstall even when cargo thinks this version is already there (a newer checkout
# keeps the version number); --root puts the binary in $root/bin.
# shellcheck disable=SC2086
cargo install --path "$here" $locked $profile --force --root "$root"
bin=$root/bin/leakgate
"$bin" --version >/dev/null || { echo "install.sh: $bin does not run" >&2; exit 1; }
echo "install.sh: installed $bin ($("$bin" --version))"

case ":$PATH:" in
  *":$root/bin:"*) ;;
  *) echo "install.sh: note: $root/bin is not on your PATH; the hooks still find $bin when it is \$CARGO_HOME/bin or ~/.cargo/bin, otherwise set LEAKGATE_BIN=$bin" ;;
esac

if [ "$hooks" = no ]; then
  echo "install.sh: --no-hooks: not registering hooks"
  exit 0
fi
if ! command -v git >/dev/null 2>&1; then
  echo "install.sh: git not found; not registering hooks"
  exit 0
fi
if [ "$(git rev-parse --is-bare-repository 2>/dev/null)" = true ]; then
  echo "install.sh: $(pwd) is a bare repository; not registering hooks (run \`leakgate install\` in a clone)"
  exit 0
fi
if [ "$(git rev-parse --is-inside-work-tree 2>/dev/null)" != true ]; then
  echo "install.sh: $(pwd) is not inside a git repository; not registering hooks."
  echo "install.sh: run \`leakgate install\` in each repository to protect (or rerun this from there)."
  exit 0
fi
echo "install.sh: registering the hooks in $(git rev-parse --show-toplevel)"
"$bin" install
