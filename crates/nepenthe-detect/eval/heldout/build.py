#!/usr/bin/env python3
"""Build heldout.jsonl from heldout.md with ../build.py (same format and checks),
with this set's own hard negatives.

    python3 crates/nepenthe-detect/eval/heldout/build.py [--md heldout.md] [--out heldout.jsonl]
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build  # noqa: E402  (../build.py)

NEGATIVES = {
    "luhn_fail": ["6034 1122 8890 4417", "9400 1118 9922 3344 5566 77"],
    "mod97_fail": ["GB12 3456 7890 1234 5678 00"],
}

if __name__ == "__main__":
    build.main(os.path.join(HERE, "heldout.md"), os.path.join(HERE, "heldout.jsonl"), NEGATIVES)
