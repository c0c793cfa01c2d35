#!/usr/bin/env python3
"""Build blind.jsonl from blind.md with ../build.py (same format and checks),
with this set's own hard negatives.

    python3 crates/nepenthe-detect/eval/blind/build.py [--md blind.md] [--out blind.jsonl]

Besides the card and IBAN negatives that ../build.py checks (they must fail Luhn / mod-97
and appear in the text), this set lists SSN- and NINO-shaped negatives: ../build.py only
checks that they appear in the text, and the loop below checks that they fail the same
structural rules that gold SSNs and NINOs must pass.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import build  # noqa: E402  (../build.py)

NEGATIVES = {
    "luhn_fail": ["4201 4872 0272 7252", "5470 8741 2645 8950", "6011 1151 3711 6649",
                  "4843 2903 5428 9608"],
    "mod97_fail": ["ES91 2100 0418 4502 0005 1333", "GB71 BARC 2091 7743 0188 53",
                   "IE20 AIBK 9310 4755 1203 85", "DE05 7602 6000 0812 5540 78"],
    "ssn_invalid": ["512-00-3381", "666-42-1180", "000-52-6618", "912-44-0187"],
    "nino_invalid": ["TN 12 34 56 A", "VL 58 20 13 A"],
}

if __name__ == "__main__":
    bad = [s for s in NEGATIVES["ssn_invalid"] if not build.check_value("US_SSN", s, "negative")]
    bad += [s for s in NEGATIVES["nino_invalid"] if not build.check_value("UK_NINO", s, "negative")]
    if bad:
        raise SystemExit(f"negatives that pass their structural check: {bad}")
    build.main(os.path.join(HERE, "blind.md"), os.path.join(HERE, "blind.jsonl"), NEGATIVES)
