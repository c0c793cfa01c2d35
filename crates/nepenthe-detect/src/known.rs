//! The document's known contact in the text: its values found wherever they
//! appear ([`matches`]), and spans found by other detectors flagged as the
//! contact's own ([`mark`]).
//!
//! Both run once per document with a contact that is usually new (every
//! interaction carries its own), so nothing here builds an automaton or
//! allocates per value: the search patterns live in one byte arena, and each
//! word start (the tokenizer's token starts, plus letters after a joining
//! ' ’ or -) is compared with the patterns that begin with its byte.

use crate::contact::KnownContact;
use crate::names::Tok;
use crate::patterns::{self, DateHit};
use crate::{word_bounded, Cand, Doc, EntityType};

/// `fold(a) == fold(b)` (letters and digits only, lower-cased), without
/// building either; bytewise when both are ASCII.
fn fold_eq(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        fn key(s: &str) -> impl Iterator<Item = u8> + '_ {
            s.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_lowercase())
        }
        key(a).eq(key(b))
    } else {
        fold_chars(a).eq(fold_chars(b))
    }
}

/// Letters and digits only, lower-cased: how contact values are compared.
fn fold_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
}

fn fold_into(s: &str, out: &mut Vec<u8>) {
    out.clear();
    if s.is_ascii() {
        out.extend(
            s.bytes()
                .filter(u8::is_ascii_alphanumeric)
                .map(|b| b.to_ascii_lowercase()),
        );
    } else {
        let mut buf = [0u8; 4];
        for c in fold_chars(s) {
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
}

/// The last nine digits of `s` as a number (which keeps leading zeros
/// apart: the nine positions are fixed) and how many digits `s` has.
fn last9_digits(s: &str) -> (u64, usize) {
    let (mut acc, mut n) = (0u64, 0usize);
    for b in s.bytes().filter(u8::is_ascii_digit) {
        acc = (acc * 10 + u64::from(b - b'0')) % 1_000_000_000;
        n += 1;
    }
    (acc, n)
}

/// The first eight bytes of `b` as a little-endian word (zero-padded) and
/// the mask of the bytes present.
#[inline]
fn word8(b: &[u8]) -> (u64, u64) {
    match b.get(..8) {
        Some(w) => (u64::from_le_bytes(w.try_into().unwrap_or([0; 8])), u64::MAX),
        None => {
            let mut buf = [0u8; 8];
            buf[..b.len()].copy_from_slice(b);
            let mask = if b.is_empty() {
                0
            } else {
                u64::MAX >> (64 - 8 * b.len())
            };
            (u64::from_le_bytes(buf), mask)
        }
    }
}

/// Search patterns, ASCII-lower-cased, in one arena.
#[derive(Default)]
struct Patterns {
    bytes: Vec<u8>,
    /// (start, end) in `bytes`, type, reason.
    items: Vec<(usize, usize, EntityType, &'static str)>,
}

impl Patterns {
    fn get(&self, k: usize) -> &[u8] {
        let (s, e, _, _) = self.items[k];
        &self.bytes[s..e]
    }

    fn contains(&self, p: &[u8]) -> bool {
        self.items
            .iter()
            .any(|&(s, e, _, _)| e - s == p.len() && self.bytes[s..e] == *p)
    }

    fn push_lowered(&mut self, p: &str, t: EntityType, why: &'static str) {
        let s = self.bytes.len();
        self.bytes
            .extend(p.as_bytes().iter().map(u8::to_ascii_lowercase));
        let (head, new) = self.bytes.split_at(s);
        let dup = self
            .items
            .iter()
            .any(|&(a, b, _, _)| b - a == new.len() && head[a..b] == *new);
        if dup {
            self.bytes.truncate(s);
        } else {
            self.items.push((s, self.bytes.len(), t, why));
        }
    }

    /// Adds a value (trimmed; two characters at least). The text is searched
    /// with ASCII letters lower-cased, so a value with other capitals
    /// (ZOË) also gets its fully lower-cased form (zoë).
    fn add(&mut self, p: &str, t: EntityType, why: &'static str) {
        let p = p.trim();
        if p.chars().nth(1).is_none() {
            return;
        }
        if !p.is_ascii() {
            let low = p.to_lowercase();
            let same = low.bytes().eq(p.bytes().map(|b| b.to_ascii_lowercase()));
            if !same && !self.contains(low.as_bytes()) {
                self.push_lowered(&low, t, why);
            }
        }
        self.push_lowered(p, t, why);
    }
}

/// Finds the known contact's values wherever they appear: any case, phone
/// numbers and postcodes with or without spaces, the first or last name alone,
/// and dates of birth in any written form.
#[inline(never)]
pub(crate) fn matches(
    doc: &Doc<'_>,
    toks: &[Tok],
    c: &KnownContact,
    dates: &[DateHit],
    out: &mut Vec<Cand>,
) {
    let mut pats = Patterns {
        bytes: Vec::with_capacity(256),
        items: Vec::with_capacity(16),
    };
    let mut scratch = String::with_capacity(64);
    // `prefix` and the bytes of `v` that `keep` accepts; `keep` either drops
    // every byte >= 0x80 or none, so the result stays UTF-8.
    fn filtered<'a>(v: &str, out: &'a mut String, prefix: &str, keep: fn(&u8) -> bool) -> &'a str {
        out.clear();
        out.push_str(prefix);
        let mut bytes = std::mem::take(out).into_bytes();
        bytes.extend(v.bytes().filter(keep));
        *out = String::from_utf8(bytes).unwrap_or_default();
        out
    }
    for f in &c.first_name {
        for l in &c.last_name {
            scratch.clear();
            scratch.push_str(f);
            scratch.push(' ');
            scratch.push_str(l);
            pats.add(&scratch, EntityType::Person, "known contact: full name");
        }
    }
    for (t, v) in c.values() {
        match t {
            EntityType::PhoneNumber => {
                const WHY: &str = "known contact: phone number";
                pats.add(v, t, WHY);
                pats.add(filtered(v, &mut scratch, "", u8::is_ascii_digit), t, WHY);
                if let Some(rest) = v.trim().strip_prefix("+44") {
                    pats.add(
                        filtered(rest, &mut scratch, "0", u8::is_ascii_digit),
                        t,
                        WHY,
                    );
                }
            }
            EntityType::Postcode => {
                pats.add(v, t, "known contact: postcode");
                let squeezed = filtered(v, &mut scratch, "", |&b| b != b' ');
                pats.add(squeezed, t, "known contact: postcode");
            }
            // Dates are matched by value below, in any written form.
            EntityType::DateOfBirth => {}
            EntityType::Person => {
                for part in v.split_whitespace() {
                    pats.add(part, t, "known contact: name");
                }
                pats.add(v, t, "known contact: name");
            }
            _ => pats.add(v, t, "known contact value"),
        }
    }
    if !pats.items.is_empty() {
        search(doc, toks, &pats, out);
    }
    // Dates of birth: any date in the text equal to a known one.
    let dobs = c
        .date_of_birth
        .iter()
        .chain(
            c.custom
                .iter()
                .filter(|(k, _)| k.to_ascii_lowercase().contains("birth"))
                .flat_map(|(_, v)| v),
        )
        .filter_map(|s| patterns::parse_iso_date(s));
    let mut known: Vec<(u32, u32, u32)> = Vec::new();
    known.extend(dobs);
    if !known.is_empty() {
        for (bs, be, ymd) in dates {
            if ymd.iter().any(|d| known.contains(d)) {
                let mut cand = Cand::new(
                    *bs,
                    *be,
                    EntityType::DateOfBirth,
                    0.98,
                    "known contact: date of birth",
                );
                cand.known = true;
                out.push(cand);
            }
        }
    }
}

/// Every occurrence of every pattern that is a whole word (not glued to
/// letters or digits on either side); occurrences of one pattern do not
/// overlap (leftmost first). Candidates come out pattern by pattern.
#[inline(never)]
fn search(doc: &Doc<'_>, toks: &[Tok], pats: &Patterns, out: &mut Vec<Cand>) {
    let hay = doc.lower.as_bytes();
    // Patterns chained by first byte (head[b] = 1 + first pattern, next[k] =
    // 1 + the following one), each with its first eight bytes as a word and
    // mask, so that most comparisons are one AND and one compare.
    let n = pats.items.len().min(u16::MAX as usize - 1);
    let mut head = [0u16; 256];
    let mut next = vec![0u16; n];
    let mut prefix: Vec<(u64, u64)> = Vec::with_capacity(n);
    let mut firsts: Vec<u8> = Vec::with_capacity(n);
    for k in 0..n {
        let p = pats.get(k);
        prefix.push(word8(p));
    }
    for k in (0..n).rev() {
        let b = pats.get(k)[0];
        if head[b as usize] == 0 {
            firsts.push(b);
        }
        next[k] = head[b as usize];
        head[b as usize] = k as u16 + 1;
    }
    let mut hits: Vec<(usize, usize)> = Vec::new();
    let try_at = |i: usize, hits: &mut Vec<(usize, usize)>| {
        let (w, _) = word8(&hay[i..]);
        let mut h = head[hay[i] as usize];
        while h != 0 {
            let k = (h - 1) as usize;
            let (pw, pm) = prefix[k];
            if w & pm == pw {
                let p = pats.get(k);
                if p.len() <= hay.len() - i && (p.len() <= 8 || hay[i + 8..].starts_with(&p[8..])) {
                    hits.push((k, i));
                }
            }
            h = next[k];
        }
    };
    // Values starting with a letter or digit can only match at a word
    // start: the start of a token, or a letter right after a ' ’ or - that
    // the tokenizer kept inside a word ("O'Brien"). Elsewhere the character
    // before is a letter or digit, and `word_bounded` would refuse the match.
    if firsts.iter().any(u8::is_ascii_alphanumeric) {
        for t in toks {
            let b = hay[t.bs];
            if head[b as usize] != 0 && b.is_ascii_alphanumeric() {
                try_at(t.bs, &mut hits);
            }
        }
        for p in memchr::memchr3_iter(b'-', b'\'', 0xE2, hay) {
            // ’ is E2 80 99 in UTF-8.
            let i = if hay[p] == 0xE2 { p + 3 } else { p + 1 };
            if i < hay.len() && hay[i].is_ascii_alphanumeric() {
                try_at(i, &mut hits);
            }
        }
    }
    // Values starting with anything else ("+44 ...", "(020) ...", "ó ..."):
    // every occurrence of that byte not right after an ASCII letter or digit.
    for &b in firsts.iter().filter(|b| !b.is_ascii_alphanumeric()) {
        for i in memchr::memchr_iter(b, hay) {
            if i == 0 || !hay[i - 1].is_ascii_alphanumeric() {
                try_at(i, &mut hits);
            }
        }
    }
    hits.sort_unstable();
    hits.dedup();
    let mut from = (usize::MAX, 0usize);
    for (k, bs) in hits {
        let (s, e, t, why) = pats.items[k];
        let be = bs + (e - s);
        if from.0 == k && bs < from.1 {
            continue;
        }
        from = (k, be);
        if !word_bounded(doc.text, bs, be) {
            continue;
        }
        let score = match t {
            EntityType::StreetAddress | EntityType::Postcode => 0.93,
            _ => 0.97,
        };
        let mut cand = Cand::new(bs, be, t, score, why);
        cand.known = true;
        out.push(cand);
    }
}

/// Marks spans whose value is one of the contact's own, whichever detector
/// found them (the e-mail pattern outranks the contact matcher, for example).
#[inline(never)]
pub(crate) fn mark(text: &str, c: &KnownContact, spans: &mut [Cand]) {
    if spans.iter().all(|s| s.known) {
        return;
    }
    let nonempty = |v: &&str| fold_chars(v).next().is_some();
    let values: Vec<(EntityType, &str)> = c.values().collect();
    let values = || values.iter().copied();
    let (mut folded, mut part) = (Vec::new(), Vec::new());
    for sp in spans.iter_mut().filter(|s| !s.known) {
        let value = &text[sp.bs..sp.be];
        sp.known = match sp.ty {
            EntityType::Person => value.split_whitespace().all(|w| {
                values()
                    .filter(|(t, _)| *t == EntityType::Person)
                    .flat_map(|(_, v)| v.split_whitespace())
                    .filter(nonempty)
                    .any(|p| fold_eq(w, p))
            }),
            EntityType::PhoneNumber => {
                let (d, n) = last9_digits(value);
                n >= 9
                    && values().any(|(t, v)| {
                        t == EntityType::PhoneNumber && nonempty(&v) && {
                            let (k, m) = last9_digits(v);
                            m >= 9 && k == d
                        }
                    })
            }
            EntityType::StreetAddress | EntityType::Postcode => {
                fold_into(value, &mut folded);
                values().any(|(t, v)| {
                    matches!(t, EntityType::Postcode | EntityType::StreetAddress) && {
                        fold_into(v, &mut part);
                        !part.is_empty() && memchr::memmem::find(&folded, &part).is_some()
                    }
                })
            }
            ty => values().any(|(t, v)| t == ty && nonempty(&v) && fold_eq(value, v)),
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str, contact: &str) -> Vec<(String, bool)> {
        let c: KnownContact = serde_json::from_str(contact).unwrap();
        let doc = Doc {
            text,
            lower: text.to_ascii_lowercase(),
        };
        let mut out = Vec::new();
        let toks = crate::names::tokenize(text);
        matches(&doc, &toks, &c, &[], &mut out);
        out.iter()
            .map(|c| (text[c.bs..c.be].to_string(), c.known))
            .collect()
    }

    #[test]
    fn whole_words_any_case_and_spacing() {
        let c = r#"{"FirstName":"Ann","LastName":"Lee","PhoneNumber":"+44 7700 900123","Postcode":"LS1 4AB"}"#;
        let got = found("ANN lee, not Annabel or Leeds; 07700900123 or LS14AB", c);
        let values: Vec<&str> = got.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(values, ["ANN lee", "ANN", "lee", "07700900123", "LS14AB"]);
        assert!(got.iter().all(|(_, k)| *k));
    }

    #[test]
    fn inside_joined_words() {
        let got = found(
            "mary-anne o’brien and o'brien, not marianne",
            r#"{"FirstName":"Anne","LastName":"Brien"}"#,
        );
        let values: Vec<&str> = got.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(values, ["anne", "brien", "brien"]);
    }

    #[test]
    fn non_ascii_capitals_and_overlaps() {
        let c = r#"{"FirstName":"ZOË","LastName":"Ó Súilleabháin"}"#;
        let got = found("zoë ó súilleabháin and Zoë", c);
        let values: Vec<&str> = got.iter().map(|(v, _)| v.as_str()).collect();
        assert!(values.contains(&"zoë ó súilleabháin"), "{values:?}");
        assert_eq!(
            values
                .iter()
                .filter(|v| **v == "zoë" || **v == "Zoë")
                .count(),
            2
        );
        // A value next to a letter is not a match.
        assert!(found("xann", r#"{"FirstName":"Ann"}"#).is_empty());
        // Occurrences of one value do not overlap (the parts are values too).
        let got = found("aa aa aa", r#"{"Custom Name":"aa aa"}"#);
        let values: Vec<&str> = got.iter().map(|(v, _)| v.as_str()).collect();
        assert_eq!(values, ["aa", "aa", "aa", "aa aa"]);
    }

    #[test]
    fn marks_the_contacts_own_values() {
        let c: KnownContact = serde_json::from_str(
            r#"{"FirstName":"Zoë","LastName":"Smith","PhoneNumber":"+44 7700 900123","StreetAddress":"1 High St","EmailAddress":"Z@X.COM"}"#,
        )
        .unwrap();
        let text =
            "ZOE? no: zoë smith, 07700 900 123, 1 high st, z@x.com, 07700 900 999, Zoë Jones";
        let span = |v: &str, ty| {
            let bs = text.find(v).unwrap();
            Cand::new(bs, bs + v.len(), ty, 0.9, "t")
        };
        let mut spans = vec![
            span("zoë smith", EntityType::Person),
            span("07700 900 123", EntityType::PhoneNumber),
            span("1 high st", EntityType::StreetAddress),
            span("z@x.com", EntityType::EmailAddress),
            span("07700 900 999", EntityType::PhoneNumber),
            span("Zoë Jones", EntityType::Person),
            span("ZOE", EntityType::Person),
        ];
        mark(text, &c, &mut spans);
        let known: Vec<bool> = spans.iter().map(|s| s.known).collect();
        assert_eq!(known, [true, true, true, true, false, false, false]);
    }
}
