#!/usr/bin/env bash
# Free-text detection benchmark: throughput on generated corpora and accuracy
# (shared scorer) on generated and hand-written sets.
#
#   scripts/bench-detect.sh [REPEAT]        # default REPEAT=20
#
# Needs python3 with the generator's requirements (a venv is made under /tmp
# on first use) and ../shared/bench beside the repository. Optionally compares
# against another bench binary: BASE=/path/to/old/bench scripts/bench-detect.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/nepenthe-target}"
REPEAT="${1:-20}"
SHARED="${SHARED:-../shared/bench}"
VENV="${GEN_VENV:-/tmp/gen-venv}"

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q -r "$SHARED/requirements-gen.txt"
fi
for spec in 7:2000 11:2000 99:500; do
  seed=${spec%%:*}; n=${spec#*:}
  f=/tmp/cc_s${seed}_n${n}.jsonl
  [ -s "$f" ] || "$VENV/bin/python" "$SHARED/gen_corpus.py" --n "$n" --seed "$seed" --out "$f" >/dev/null
done

cargo build --release -q -p nepenthe-detect --example bench
NEW="$CARGO_TARGET_DIR/release/examples/bench"

echo "## throughput (1 thread; CPU time per run -> MB/s per core)"
for i in 1 2 3; do
  if [ -n "${BASE:-}" ]; then echo -n "base: "; "$BASE" /tmp/cc_s7_n2000.jsonl --repeat "$REPEAT"; fi
  echo -n "new:  "; "$NEW" /tmp/cc_s7_n2000.jsonl --repeat "$REPEAT"
done
echo -n "2 threads: "; "$NEW" /tmp/cc_s7_n2000.jsonl --repeat "$REPEAT" --threads 2

echo "## accuracy"
for gold in /tmp/cc_s7_n2000.jsonl /tmp/cc_s11_n2000.jsonl /tmp/cc_s99_n500.jsonl \
            crates/nepenthe-detect/eval/handwritten.jsonl crates/nepenthe-detect/eval/heldout/heldout.jsonl \
            crates/nepenthe-detect/eval/blind/blind.jsonl; do
  [ -s "$gold" ] || continue
  pred=/tmp/pred_$(basename "$gold")
  "$NEW" "$gold" --repeat 1 --out "$pred" >/dev/null
  echo "### $gold"
  python3 "$SHARED/score.py" --gold "$gold" --pred "$pred" | grep -E "overall|^\| [A-Z_]+ "
done
