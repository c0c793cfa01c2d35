#!/usr/bin/env bash
# GET /api/v2/conversations/{id} under constant load against a release build on SQLite.
# Usage: scripts/bench-api.sh [RATE] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/nepenthe-target}"
RATE="${1:-2000}"; SECS="${2:-10}"
cargo build --release -q -p nepenthe --bin nepenthe --example gen_import --example load_get
B="$CARGO_TARGET_DIR/release"
dir=$(mktemp -d); trap 'kill $srv 2>/dev/null || true; rm -rf "$dir"' EXIT
"$B/nepenthe" keys generate > "$dir/kek"
export NEPENTHE_KEY_FILE="$dir/kek" NEPENTHE_DATABASE_URL="sqlite://$dir/db.sqlite" NEPENTHE_LOG=warn
"$B/examples/gen_import" --interactions 10000 --out "$dir/data.jsonl" 2>/dev/null
"$B/nepenthe" import "$dir/data.jsonl" --tenant 101 --create-tenant >/dev/null
TOKEN=$("$B/nepenthe" token create --tenant 101 --role agent 2>/dev/null)
"$B/nepenthe" serve --listen 127.0.0.1:18181 >/dev/null 2>&1 & srv=$!
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:18181/healthz >/dev/null && break; sleep 0.1; done
"$B/examples/load_get" --url "http://127.0.0.1:18181/api/v2/conversations/I0000004242" --token "$TOKEN" --rate "$RATE" --seconds "$SECS"
