#!/usr/bin/env python3
"""Computes the fictitious checksum-bearing values used in blind.md.

    python3 gen_vals.py

Prints Luhn-valid card numbers (from hand-picked prefixes and random bodies, fixed seed),
mod-97-valid IBANs (hand-picked fictitious BBANs, check digits computed) and, for the hard
negatives, the same numbers with the last digit changed so that they FAIL their check.
Only the numbers are generated; all document text in blind.md is written by hand.
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from build import luhn_ok, mod97_ok  # noqa: E402  (../build.py: the checks the set is built with)


def luhn_complete(prefix, length):
    rng_body = prefix + "".join(RNG.choice("0123456789") for _ in range(length - 1 - len(prefix)))
    for c in "0123456789":
        if luhn_ok(rng_body + c):
            return rng_body + c


def iban(cc, bban):
    v = int("".join(str(int(c, 36)) for c in bban + cc + "00"))
    return f"{cc}{98 - v % 97:02d}{bban}"


def group4(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


RNG = random.Random(31337)
CARDS = [("4", 16), ("4", 16), ("4", 16), ("4", 16), ("4", 16), ("51", 16), ("54", 16),
         ("2221", 16), ("2720", 16), ("37", 15), ("34", 15), ("6011", 16), ("4", 16), ("55", 16)]
BBANS = [("GB", "NWBK56007812345698"), ("GB", "MIDL40442261557831"), ("GB", "BARC20917743018852"),
         ("GB", "LOYD77914430265517"), ("GB", "SRLG60837192640055"), ("IE", "AIBK93104755120384"),
         ("IE", "BOFI90583316274509"), ("FR", "30006000011234567890189"), ("DE", "50010517540361928170"),
         ("NL", "RABO0318457620"), ("ES", "00491500052718903461"), ("GB", "HLFX11017284560391"),
         ("FR", "10278060110002075530145"), ("DE", "760260000812554077"),
         ("ES", "01822370420201534567")]

if __name__ == "__main__":
    print("# cards (Luhn-valid)")
    for pre, n in CARDS:
        c = luhn_complete(pre, n)
        assert luhn_ok(c)
        bad = c[:-1] + str((int(c[-1]) + 3) % 10)
        assert not luhn_ok(bad)
        print(f"card {c}  grouped {group4(c)}  luhn-fail-variant {group4(bad)}")
    print("# IBANs (mod-97-valid)")
    for cc, b in BBANS:
        i = iban(cc, b)
        assert mod97_ok(i)
        bad = i[:-1] + str((int(i[-1]) + 1) % 10)
        assert not mod97_ok(bad)
        print(f"iban {i}  grouped {group4(i)}  mod97-fail-variant {group4(bad)}")
