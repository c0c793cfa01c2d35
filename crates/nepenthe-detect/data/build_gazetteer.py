#!/usr/bin/env python3
"""Rebuild the name gazetteers embedded in nepenthe-detect.

Sources (both openly licensed, both maintained as packages on PyPI):
  * US Census Bureau 1990 name frequency files (public domain), as shipped in
    the `names` package 0.3.0 (MIT): dist.male.first, dist.female.first,
    dist.all.last (the 25,000 most frequent surnames are kept);
  * Faker (MIT) person providers, first and last names of every Latin-script
    locale below (European, Irish, Indian English, Nigerian, Ghanaian, Kenyan,
    Swahili, Zulu, Vietnamese, Latin American, ...).
A name that is also an ordinary lower-case English word in the system word
list (Debian `wamerican`, /usr/share/dict/american-english) is written with a
trailing "\t1" flag: the detector only accepts such names with a stronger cue.

    python build_gazetteer.py NAMES_PKG_DIR FAKER_PERSON_PROVIDERS_DIR OUT_DIR [--census-only]

--census-only leaves the Faker lists out (used to measure how much the
detector depends on the generator's own name lists; see docs/benchmarks/detect.md).
"""
import importlib.util
import os
import sys
import unicodedata

LOCALES = ["en", "en_GB", "en_US", "en_IE", "en_IN", "en_NZ", "en_PK", "ga_IE", "fr_FR",
           "fr_BE", "fr_CH", "fr_CA", "de_DE", "de_AT", "de_CH", "es_ES", "es_MX", "es",
           "it_IT", "nl_NL", "nl_BE", "pl_PL", "pt_PT", "pt_BR", "sv_SE", "da_DK", "no_NO",
           "fi_FI", "cs_CZ", "sk_SK", "hu_HU", "ro_RO", "hr_HR", "sl_SI", "lt_LT", "lv_LV",
           "et_EE", "is_IS", "tr_TR",
           # Latin-script African, South-East Asian and Latin American locales.
           "en_KE", "en_NG", "ha_NG", "ig_NG", "yo_NG", "tw_GH", "sw", "zu_ZA", "vi_VN",
           "en_TH", "es_AR", "es_CL", "es_CO"]


def norm(s):
    return unicodedata.normalize("NFC", s.strip()).lower()


def census(path, limit=None):
    out = []
    with open(path) as f:
        for i, line in enumerate(f):
            if limit and i >= limit:
                break
            out.append(norm(line.split()[0]))
    return out


def faker_lists(pdir, loc):
    path = os.path.join(pdir, loc, "__init__.py")
    if not os.path.exists(path):
        return [], []
    spec = importlib.util.spec_from_file_location("faker.providers.person." + loc, path,
                                                  submodule_search_locations=[])
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    P = mod.Provider
    firsts, lasts = [], []
    for attr in ("first_names", "first_names_male", "first_names_female"):
        v = getattr(P, attr, None)
        # Some locales define these as properties computed per instance: skipped.
        if isinstance(v, (list, tuple, dict)) and v:
            firsts += list(v.keys() if isinstance(v, dict) else v)
    for attr in ("last_names", "last_names_male", "last_names_female"):
        v = getattr(P, attr, None)
        if isinstance(v, (list, tuple, dict)) and v:
            lasts += list(v.keys() if isinstance(v, dict) else v)
    return firsts, lasts


def split_words(names):
    out = set()
    for n in names:
        for w in n.replace("-", " ").split():
            w = norm(w)
            if len(w) >= 2 and all(c.isalpha() or c == "'" for c in w):
                out.add(w)
    return out


def main():
    npkg, fdir, outd = sys.argv[1:4]
    words = set()
    with open("/usr/share/dict/american-english", encoding="utf-8", errors="ignore") as f:
        for line in f:
            w = line.strip()
            if w and w[0].islower() and "'" not in w:
                words.add(w)
    firsts = census(os.path.join(npkg, "dist.male.first")) + census(os.path.join(npkg, "dist.female.first"))
    lasts = census(os.path.join(npkg, "dist.all.last"), 25000)
    for loc in ([] if "--census-only" in sys.argv else LOCALES):
        f, l = faker_lists(fdir, loc)
        firsts += f
        lasts += l
    F, L = split_words(firsts), split_words(lasts)
    for name, S in (("first_names.txt", F), ("surnames.txt", L)):
        with open(os.path.join(outd, name), "w", encoding="utf-8") as f:
            for w in sorted(S):
                f.write(w + ("\t1" if w in words else "") + "\n")
        print(name, len(S), "ambiguous", sum(1 for w in S if w in words))


if __name__ == "__main__":
    main()
