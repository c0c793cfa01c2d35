#!/usr/bin/env python3
"""List, per document, each false negative (missed gold span) and false positive.

    python3 crates/nepenthe-detect/eval/misses.py --gold handwritten.jsonl --pred /tmp/hw_pred.jsonl
        [--offsets chars|bytes] [--summary]

Uses score.py's own matching (imported from /work/shared/bench or $NT_SCORE_DIR):
overlap >= half of the longer span, label compatible via score.py's ALIASES, and
neighbouring address spans merged on both sides exactly as the scorer does.
A prediction that overlaps gold with the wrong label is printed as "wrong type".
"""
import argparse
import bisect
import os
import sys
from collections import Counter

sys.path.insert(0, os.environ.get("NT_SCORE_DIR", "/work/shared/bench"))
import score  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--gold", default=os.path.join(here, "handwritten.jsonl"))
    ap.add_argument("--pred", default="/tmp/hw_pred.jsonl")
    ap.add_argument("--offsets", choices=["chars", "bytes"], default="chars")
    ap.add_argument("--min-overlap", type=float, default=0.5)
    ap.add_argument("--summary", action="store_true", help="only the per-type FN/FP counts")
    a = ap.parse_args()
    sc = score.Scorer(min_overlap=a.min_overlap)
    gold = score.load_jsonl(a.gold)
    preds = {r["id"]: r.get("spans", []) for r in score.load_jsonl(a.pred)}
    fn_c, fp_c = Counter(), Counter()

    def match(g, p):
        return score._overlap(g[0], g[1], p[0], p[1]) >= a.min_overlap * max(g[1] - g[0], p[1] - p[0])

    for doc in gold:
        text = doc["text"]
        P = []
        bmap = score._byte_to_char_map(text) if a.offsets == "bytes" else None
        for s in preds.get(doc["id"], []):
            if a.offsets == "bytes":
                s0 = bisect.bisect_left(bmap, s.get("bstart", s.get("start")))
                s1 = bisect.bisect_left(bmap, s.get("bend", s.get("end")))
            else:
                s0, s1 = int(s["start"]), int(s["end"])
            if 0 <= s0 < s1 <= len(text):
                P.append((s0, s1, str(s.get("type", s.get("label", "?")))))
        G = [(g["start"], g["end"], score.GOLD_ALIASES.get(g["type"], g["type"])) for g in doc["spans"]]
        G = score._merge_addresses(G, text, lambda t: t == "ADDRESS")
        P = score._merge_addresses(P, text, lambda t: "ADDRESS" in sc.compat(t))
        lines = []
        for g in G:
            if not any(match(g, p) and g[2] in sc.compat(p[2]) for p in P):
                fn_c[g[2]] += 1
                near = [p for p in P if score._overlap(g[0], g[1], p[0], p[1])]
                why = ""
                if near:
                    why = "  (overlapped by " + ", ".join(f"{p[2]} {text[p[0]:p[1]]!r}" for p in near) + ")"
                lines.append(f"  FN {g[2]:<14} {text[g[0]:g[1]]!r}{why}")
        for p in P:
            c = sc.compat(p[2])
            if not any(match(g, p) and g[2] in c for g in G):
                bucket = c[0] if c else "OTHER:" + score.norm_label(p[2])
                fp_c[bucket] += 1
                near = [g for g in G if score._overlap(g[0], g[1], p[0], p[1])]
                why = ""
                if near:
                    why = "  (gold " + ", ".join(f"{g[2]} {text[g[0]:g[1]]!r}" for g in near) + ")"
                lines.append(f"  FP {p[2]:<14} {text[p[0]:p[1]]!r}{why}")
        if lines and not a.summary:
            print(f"{doc['id']} [{doc.get('kind')}/{doc.get('style')}]")
            print("\n".join(lines))
    print("\nfalse negatives by type: " + ", ".join(f"{k}={v}" for k, v in fn_c.most_common()))
    print("false positives by type: " + ", ".join(f"{k}={v}" for k, v in fp_c.most_common()))


if __name__ == "__main__":
    main()
