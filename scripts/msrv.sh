#!/usr/bin/env bash
# Check the `rust-version` of Cargo.toml: the crate (every target, every feature) builds with that
# toolchain, and the release before it fails. Needs rustup; with --install it installs the two
# toolchains (minimal profile, network needed), otherwise it skips a toolchain that is not installed.
# Not part of .ci/run (two extra builds, about 3 minutes on 2 cores).
set -euo pipefail
cd "$(dirname "$0")/.."
install=0
[[ "${1:-}" == "--install" ]] && install=1
if ! command -v rustup >/dev/null; then
  echo "msrv: rustup not found, skipped"
  exit 0
fi
msrv=$(sed -n 's/^rust-version = "\([0-9.]*\)"/\1/p' Cargo.toml)
major=${msrv%%.*}
minor=${msrv#*.}
minor=${minor%%.*}
before="$major.$((minor - 1))"
have() { rustup toolchain list | grep -q "^$1[.-]"; }
check() { # toolchain -> exit status of cargo check
  # --ignore-rust-version: otherwise cargo refuses the older toolchain before compiling anything
  cargo "+$1" check --ignore-rust-version --all-targets --all-features --target-dir "target/msrv-$1" \
    >"target/msrv-$1.log" 2>&1
}
mkdir -p target
status=0
for tc in "$msrv" "$before"; do
  if ! have "$tc"; then
    if [[ $install == 1 ]]; then
      rustup toolchain install "$tc" --profile minimal
    else
      echo "msrv: toolchain $tc not installed, skipped (run with --install)"
      continue
    fi
  fi
  if check "$tc"; then
    result=builds
  else
    result=fails
  fi
  echo "msrv: Rust $tc $result (log: target/msrv-$tc.log)"
  if [[ $tc == "$msrv" && $result == fails ]]; then
    echo "msrv: rust-version $msrv does not build"
    status=1
  fi
  if [[ $tc == "$before" && $result == builds ]]; then
    echo "msrv: Rust $before builds too; rust-version $msrv could be lowered"
  fi
done
exit $status
