#!/usr/bin/env bash
# The cost of encryption: the same store benchmark built with and without AES-GCM
# (the plaintext build uses a separate target directory and is never used for real data).
set -euo pipefail
cd "$(dirname "$0")/.."
T="${CARGO_TARGET_DIR:-/var/tmp/nepenthe-target}"
CARGO_TARGET_DIR="$T" cargo run --release -q -p nepenthe-store --example crypto_cost
CARGO_TARGET_DIR="$T-plaintext" cargo run --release -q -p nepenthe-store --example crypto_cost \
  --features nepenthe-crypto/insecure-plaintext-bench
