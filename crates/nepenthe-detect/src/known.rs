//! The document's known contact in the text: its values found wherever they
//! appear ([`matches`]), and spans found by other detectors flagged as the
//! contact's own ([`mark`]).
//!
//! Both run once per document with a contact that is usually new (every
//! interaction carries its own), so nothing here builds an automaton or
//! allocates per value: the search patterns live in one byte arena, and one
//! pass over the text checks each word start against the patterns that begin
//! with its byte.

use crate::contact::KnownContact;
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

fn fold_into(s: &str, out: &mut String) {
    out.clear();
    out.extend(fold_chars(s));
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
pub(crate) fn matches(doc: &Doc<'_>, c: &KnownContact, dates: &[DateHit], out: &mut Vec<Cand>) {
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
        search(doc, &pats, out);
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
fn search(doc: &Doc<'_>, pats: &Patterns, out: &mut Vec<Cand>) {
    let hay = doc.lower.as_bytes();
    // Patterns chained by first byte (head[b] = 1 + first pattern, next[k] =
    // 1 + the following one); one SIMD byte search per distinct first byte,
    // and a comparison only where that byte starts a word.
    let n = pats.items.len().min(u16::MAX as usize - 1);
    let mut head = [0u16; 256];
    let mut next = vec![0u16; n];
    let mut firsts: Vec<u8> = Vec::with_capacity(n);
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
        let mut h = head[hay[i] as usize];
        while h != 0 {
            let k = (h - 1) as usize;
            if hay[i..].starts_with(pats.get(k)) {
                hits.push((k, i));
            }
            h = next[k];
        }
    };
    // Values starting with a letter or digit: every ASCII word start.
    if firsts.iter().any(u8::is_ascii_alphanumeric) {
        for i in WordStarts::new(hay) {
            try_at(i, &mut hits);
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

/// Positions of `hay` (ASCII letters lower-cased) where an ASCII letter or
/// digit follows anything else, found 64 bytes at a time as bit masks.
struct WordStarts<'a> {
    hay: &'a [u8],
    /// Start of the current 64-byte block.
    base: usize,
    /// Word starts left in the current block, bit i for byte `base + i`.
    bits: u64,
    /// 1 when the last byte of the previous block was a letter or digit.
    carry: u64,
}

impl<'a> WordStarts<'a> {
    fn new(hay: &'a [u8]) -> Self {
        let mut w = WordStarts {
            hay,
            base: 0,
            bits: 0,
            carry: 0,
        };
        w.bits = w.block(0);
        w
    }

    /// Word-start bits of the block at `base`; updates `carry`.
    fn block(&mut self, base: usize) -> u64 {
        let alnum = match self.hay.get(base..base + 64) {
            Some(b) => alnum_mask(b.try_into().unwrap_or(&[0; 64])),
            None => {
                let mut buf = [0u8; 64];
                buf[..self.hay.len() - base].copy_from_slice(&self.hay[base..]);
                alnum_mask(&buf)
            }
        };
        let prev = (alnum << 1) | self.carry;
        self.carry = alnum >> 63;
        alnum & !prev
    }
}

/// Bit i set when `block[i]` is in `'0'..='9'` or `'a'..='z'`: eight bytes
/// per word (SWAR range checks), high bits gathered by one multiplication.
fn alnum_mask(block: &[u8; 64]) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut out = 0u64;
    for (k, w) in block.chunks_exact(8).enumerate() {
        let x = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        // Per byte, high bit set when the byte is in range (no carries
        // between bytes: every sum stays below 0x100).
        let x7 = x & !HI;
        let ge0 = x7 + ONES * u64::from(0x80 - b'0');
        let gt9 = x7 + ONES * u64::from(0x7f - b'9');
        let gea = x7 + ONES * u64::from(0x80 - b'a');
        let gtz = x7 + ONES * u64::from(0x7f - b'z');
        let hi = ((ge0 & !gt9) | (gea & !gtz)) & !x & HI;
        // Byte i's high bit to bit i.
        out |= (hi.wrapping_mul(0x0002_0408_1020_4081) >> 56) << (8 * k);
    }
    out
}

impl Iterator for WordStarts<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        while self.bits == 0 {
            self.base += 64;
            if self.base >= self.hay.len() {
                return None;
            }
            self.bits = self.block(self.base);
        }
        let i = self.base + self.bits.trailing_zeros() as usize;
        self.bits &= self.bits - 1;
        Some(i)
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
    let (mut folded, mut part) = (String::new(), String::new());
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
                        !part.is_empty() && folded.contains(part.as_str())
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
        matches(&doc, &c, &[], &mut out);
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
    fn word_starts_match_a_byte_by_byte_scan() {
        let texts = [
            "",
            "a",
            " ab  cd,e-f9 +44 (020) x",
            "zoë ó súilleabháin 07700900123",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b",
            "0123456789 abcdefghijklmnopqrstuvwxyz {|}~ /:@[`",
        ];
        // Long texts: word starts on and across 64-byte block edges.
        let mut long: Vec<String> = Vec::new();
        let mut x = 7u32;
        for len in [63, 64, 65, 127, 128, 129, 300] {
            let mut t = String::new();
            while t.len() < len {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                t.push([' ', 'a', '9', '-', 'é', ',', 'z', 'q', '0'][(x >> 16) as usize % 9]);
            }
            long.push(t);
        }
        for t in texts.iter().copied().chain(long.iter().map(String::as_str)) {
            let hay = t.to_ascii_lowercase();
            let hay = hay.as_bytes();
            let expect: Vec<usize> = (0..hay.len())
                .filter(|&i| {
                    hay[i].is_ascii_alphanumeric()
                        && (i == 0 || !hay[i - 1].is_ascii_alphanumeric())
                })
                .collect();
            assert_eq!(WordStarts::new(hay).collect::<Vec<_>>(), expect, "{t:?}");
        }
        for b in 0..=255u8 {
            for a in [b'x', b' ', 0xc3] {
                let hay = [a, b, a];
                let expect: Vec<usize> = (0..3)
                    .filter(|&i| {
                        hay[i].is_ascii_alphanumeric()
                            && (i == 0 || !hay[i - 1].is_ascii_alphanumeric())
                    })
                    .collect();
                // Upper-case letters never reach this scan (the text is lower-cased).
                if !hay.iter().any(u8::is_ascii_uppercase) {
                    assert_eq!(WordStarts::new(&hay).collect::<Vec<_>>(), expect, "{hay:?}");
                }
            }
        }
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
