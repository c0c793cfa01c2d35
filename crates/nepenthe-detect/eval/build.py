#!/usr/bin/env python3
"""Build handwritten.jsonl (gold, score.py format) from handwritten.md.

    python3 crates/nepenthe-detect/eval/build.py [--md handwritten.md] [--out handwritten.jsonl]

Markdown format: each document starts with `## <id> key=value ...`; an optional
`contact: {json}` line follows; the rest (up to the next `## `) is the text, with gold
spans marked inline as `[[TYPE:text]]`. Everything before the first `## ` is a preamble.
Also runs sanity checks on the values (Luhn for cards, mod-97 for IBANs, NINO prefix,
SSN area) and on the hard negatives listed in NEGATIVES (which must FAIL those checks).
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TYPES = {"PERSON", "EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "IBAN_CODE", "US_SSN",
         "UK_NINO", "IP_ADDRESS", "DATE_OF_BIRTH", "ADDRESS", "STREET_ADDRESS", "POSTCODE"}
MARK = re.compile(r"\[\[([A-Z_]+):(.+?)\]\]")
HEADER = re.compile(r"^## (\S+)(.*)$")

# Hard negatives that look like PII but must fail the checksum / validity rule.
NEGATIVES = {
    "luhn_fail": ["4539 1488 0343 6468", "5105 1051 0510 5101", "1000-2000-3000-4001"],
    "mod97_fail": ["GB12 3456 7890 1234 5678 00", "GB00NWBK60161331926819", "DE89370400440532013001"],
}


def luhn_ok(s):
    d = [int(c) for c in s if c.isdigit()][::-1]
    t = 0
    for i, x in enumerate(d):
        if i % 2:
            x *= 2
            if x > 9:
                x -= 9
        t += x
    return t % 10 == 0


def mod97_ok(s):
    s = re.sub(r"\s+", "", s).upper()
    s = s[4:] + s[:4]
    try:
        return int("".join(str(int(c, 36)) for c in s)) % 97 == 1
    except ValueError:
        return False


def is_spoken(s):
    return not any(c.isdigit() for c in s)


def check_value(typ, val, where):
    errs = []
    if typ == "CREDIT_CARD" and not is_spoken(val) and not luhn_ok(val):
        errs.append(f"{where}: card {val!r} fails Luhn")
    if typ == "IBAN_CODE" and not mod97_ok(val):
        errs.append(f"{where}: IBAN {val!r} fails mod-97")
    if typ == "UK_NINO" and not is_spoken(val):
        v = re.sub(r"\s+", "", val).upper()
        if (not re.fullmatch(r"[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\d{6}[A-D]", v)
                or v[:2] in {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}):
            errs.append(f"{where}: NINO {val!r} invalid")
    if typ == "US_SSN" and not is_spoken(val):
        v = re.sub(r"\D", "", val)
        if len(v) != 9 or v[:3] in ("000", "666") or v[0] == "9" or v[3:5] == "00" or v[5:] == "0000":
            errs.append(f"{where}: SSN {val!r} invalid")
    return errs


def parse(md_text):
    docs = []
    cur = None
    for line in md_text.split("\n"):
        m = HEADER.match(line)
        if m:
            cur = {"id": m.group(1), "meta": dict(kv.split("=", 1) for kv in m.group(2).split()),
                   "contact": None, "lines": []}
            docs.append(cur)
            continue
        if cur is None:
            continue
        if not cur["lines"] and cur["contact"] is None and line.startswith("contact: "):
            cur["contact"] = json.loads(line[len("contact: "):])
            continue
        cur["lines"].append(line)
    out = []
    for d in docs:
        raw = "\n".join(d["lines"]).strip("\n") + "\n"
        text, spans, pos = [], [], 0
        n = 0  # code points emitted so far
        for m in MARK.finditer(raw):
            pre = raw[pos:m.start()]
            if "[[" in pre or "]]" in pre:
                raise SystemExit(f"{d['id']}: stray markup near {pre[-40:]!r}")
            text.append(pre)
            n += len(pre)
            typ, val = m.group(1), m.group(2)
            if typ not in TYPES:
                raise SystemExit(f"{d['id']}: unknown type {typ}")
            spans.append({"start": n, "end": n + len(val), "type": typ, "text": val})
            text.append(val)
            n += len(val)
            pos = m.end()
        tail = raw[pos:]
        if "[[" in tail or "]]" in tail:
            raise SystemExit(f"{d['id']}: stray markup near {tail[:40]!r}")
        text.append(tail)
        text = "".join(text)
        for s in spans:
            s["bstart"] = len(text[:s["start"]].encode("utf-8"))
            s["bend"] = s["bstart"] + len(s["text"].encode("utf-8"))
            assert text[s["start"]:s["end"]] == s["text"], (d["id"], s)
            assert text.encode("utf-8")[s["bstart"]:s["bend"]].decode("utf-8") == s["text"], (d["id"], s)
        rec = {"id": d["id"], "kind": d["meta"].get("kind", "?"), "style": d["meta"].get("style", "?"),
               "country": d["meta"].get("country", "?"), "text": text,
               "spans": [{k: s[k] for k in ("start", "end", "bstart", "bend", "type", "text")} for s in spans],
               "contact": d["contact"]}
        out.append(rec)
    return out


def main(md=os.path.join(HERE, "handwritten.md"), out=os.path.join(HERE, "handwritten.jsonl"),
         negatives=None):
    """Builds `out` from `md`; `negatives` (default NEGATIVES) must fail their checks and
    appear in the text. Other sets (heldout/) call this with their own."""
    negatives = NEGATIVES if negatives is None else negatives
    ap = argparse.ArgumentParser()
    ap.add_argument("--md", default=md)
    ap.add_argument("--out", default=out)
    a = ap.parse_args()
    with open(a.md, encoding="utf-8") as f:
        docs = parse(f.read())
    ids = [d["id"] for d in docs]
    assert len(ids) == len(set(ids)), "duplicate ids"
    errs = []
    for d in docs:
        for s in d["spans"]:
            errs += check_value(s["type"], s["text"], d["id"])
    for s in negatives["luhn_fail"]:
        if luhn_ok(s):
            errs.append(f"negative {s!r} passes Luhn")
    for s in negatives["mod97_fail"]:
        if mod97_ok(s):
            errs.append(f"negative {s!r} passes mod-97")
    alltext = "\n".join(d["text"] for d in docs)
    for ss in negatives.values():
        for s in ss:
            if s not in alltext:
                errs.append(f"negative {s!r} not found in any document")
    if errs:
        print("\n".join(errs), file=sys.stderr)
        raise SystemExit(1)
    with open(a.out, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")
    from collections import Counter
    c = Counter(s["type"] for d in docs for s in d["spans"])
    print(f"{len(docs)} documents, {sum(c.values())} gold spans -> {a.out}")
    print(", ".join(f"{k}={v}" for k, v in sorted(c.items())))


if __name__ == "__main__":
    main()
