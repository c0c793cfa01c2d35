//! The document's known contact in the text: its values found wherever they
//! appear ([`matches`]), and spans found by other detectors flagged as the
//! contact's own ([`mark`]).
//!
//! Both run once per document with a contact that is usually new (every
//! interaction carries its own), so nothing here builds an automaton or
//! allocates per value: the search patterns live in one byte arena, and each
//! word start (the tokenizer's token starts, plus letters after a joining
//! ' ’ or -) is compared with the patterns that begin with its byte. ASCII
//! values and text take byte-wise fast paths throughout.

use crate::contact::KnownContact;
use crate::names::Tok;
use crate::patterns::{self, DateHit};
use crate::{word_bounded, Cand, Doc, EntityType};
use std::cell::RefCell;

/// Calls `f` on the contact's values in [`KnownContact::values`] order until
/// it returns true, without the cost of that iterator when there are no
/// custom attributes. White-space-only values are included (every caller
/// here ignores them anyway: they fold to nothing and trim to nothing).
#[inline]
fn any_value<'a>(c: &'a KnownContact, mut f: impl FnMut(EntityType, &'a str) -> bool) -> bool {
    if !c.custom.is_empty() {
        return c.values().any(|(t, v)| f(t, v));
    }
    let std = [
        (EntityType::Person, &c.first_name),
        (EntityType::Person, &c.last_name),
        (EntityType::EmailAddress, &c.email_address),
        (EntityType::PhoneNumber, &c.phone_number),
        (EntityType::StreetAddress, &c.street_address),
        (EntityType::Postcode, &c.postcode),
        (EntityType::DateOfBirth, &c.date_of_birth),
    ];
    std.into_iter()
        .any(|(t, vs)| vs.iter().any(|v| f(t, v.as_str())))
}

/// Whether any value of type `ty` satisfies `f` (in no particular order).
#[inline]
fn any_of_type<'a>(
    c: &'a KnownContact,
    ty: EntityType,
    mut f: impl FnMut(&'a str) -> bool,
) -> bool {
    if !c.custom.is_empty() {
        return c.values().any(|(t, v)| t == ty && f(v));
    }
    let vs: &[&'a Vec<String>] = match ty {
        EntityType::Person => &[&c.first_name, &c.last_name],
        EntityType::EmailAddress => &[&c.email_address],
        EntityType::PhoneNumber => &[&c.phone_number],
        EntityType::StreetAddress => &[&c.street_address],
        EntityType::Postcode => &[&c.postcode],
        EntityType::DateOfBirth => &[&c.date_of_birth],
        _ => &[],
    };
    vs.iter().any(|v| v.iter().any(|s| f(s.as_str())))
}

/// `str::trim`, byte-wise while the ends are ASCII.
#[inline]
fn trim(s: &str) -> &str {
    // Usually there is nothing to trim: both ends are printable ASCII.
    let solid = |c: Option<&u8>| c.is_some_and(|&c| c > b' ' && c < 0x7f);
    let b = s.as_bytes();
    if solid(b.first()) && solid(b.last()) {
        return s;
    }
    trim_ends(s)
}

/// [`trim`] when an end is white space or not printable ASCII.
fn trim_ends(s: &str) -> &str {
    let b = s.as_bytes();
    // ASCII white space as `char::is_whitespace` has it: \t \n \v \f \r and space.
    let ws = |c: u8| c == b' ' || (b'\t'..=b'\r').contains(&c);
    let (mut i, mut j) = (0, b.len());
    while i < j && ws(b[i]) {
        i += 1;
    }
    while j > i && ws(b[j - 1]) {
        j -= 1;
    }
    if i < j && (b[i] >= 0x80 || b[j - 1] >= 0x80) {
        // A non-ASCII end may be Unicode white space.
        return s[i..j].trim();
    }
    &s[i..j]
}

/// `s.split_whitespace()`, byte-wise when `s` is ASCII.
fn words(s: &str) -> Words<'_> {
    if s.is_ascii() {
        Words::Ascii(s)
    } else {
        Words::Other(s.split_whitespace())
    }
}

/// The iterator of [`words`]: the rest of an ASCII string, or the standard one.
enum Words<'a> {
    Ascii(&'a str),
    Other(std::str::SplitWhitespace<'a>),
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            Words::Other(it) => it.next(),
            Words::Ascii(rest) => {
                // ASCII white space as `char::is_whitespace` has it.
                let ws = |c: &u8| *c == b' ' || (b'\t'..=b'\r').contains(c);
                let b = rest.as_bytes();
                let start = b.iter().position(|c| !ws(c))?;
                let end = b[start..]
                    .iter()
                    .position(ws)
                    .map_or(b.len(), |n| start + n);
                let word = &rest[start..end];
                *rest = &rest[end..];
                Some(word)
            }
        }
    }
}

/// Letters and digits only, ASCII-lower-cased, compared without building
/// either side.
fn ascii_key_eq(a: &[u8], b: &[u8]) -> bool {
    let (mut i, mut j) = (0, 0);
    loop {
        while i < a.len() && !a[i].is_ascii_alphanumeric() {
            i += 1;
        }
        while j < b.len() && !b[j].is_ascii_alphanumeric() {
            j += 1;
        }
        match (a.get(i), b.get(j)) {
            (Some(x), Some(y)) => {
                if !x.eq_ignore_ascii_case(y) {
                    return false;
                }
            }
            (None, None) => return true,
            _ => return false,
        }
        i += 1;
        j += 1;
    }
}

/// `fold(a) == fold(b)` (letters and digits only, lower-cased), without
/// building either; bytewise when both are ASCII.
fn fold_eq(a: &str, b: &str) -> bool {
    // Equal up to ASCII case: the same characters up to case, so the same fold.
    if a.len() == b.len() && a.eq_ignore_ascii_case(b) {
        return true;
    }
    if a.is_ascii() && b.is_ascii() {
        ascii_key_eq(a.as_bytes(), b.as_bytes())
    } else {
        fold_chars(a).eq(fold_chars(b))
    }
}

/// Whether `s` has a letter or digit (its fold is not empty).
#[inline]
fn nonempty(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_alphanumeric())
        || (!s.is_ascii() && s.chars().any(char::is_alphanumeric))
}

/// Letters and digits only, lower-cased: how contact values are compared.
fn fold_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
}

/// ASCII letters and digits lower-cased; 0 for every other byte.
static ASCII_FOLD: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            t[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    t
};

fn fold_into(s: &str, out: &mut Vec<u8>) {
    out.clear();
    fold_append(s, out);
}

/// Appends the fold of `s` to `out`.
fn fold_append(s: &str, out: &mut Vec<u8>) {
    if s.is_ascii() {
        // Every byte written, the count advanced past letters and digits only.
        let mut n = out.len();
        out.resize(n + s.len(), 0);
        for &b in s.as_bytes() {
            let f = ASCII_FOLD[b as usize];
            out[n] = f;
            n += usize::from(f != 0);
        }
        out.truncate(n);
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
#[inline(always)]
fn word8(b: &[u8]) -> (u64, u64) {
    match b.first_chunk::<8>() {
        Some(w) => (u64::from_le_bytes(*w), u64::MAX),
        None => {
            let mask = if b.is_empty() {
                0
            } else {
                u64::MAX >> (64 - 8 * b.len())
            };
            (padded(b), mask)
        }
    }
}

/// The bytes of `b` (eight at most) as a little-endian word, zero-padded:
/// from four bytes on, two overlapping loads (the bytes they share are the
/// same), without a copy.
#[inline(always)]
fn padded(b: &[u8]) -> u64 {
    let n = b.len();
    if n >= 4 {
        let lo = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        let hi = u32::from_le_bytes([b[n - 4], b[n - 3], b[n - 2], b[n - 1]]);
        u64::from(lo) | u64::from(hi) << (8 * (n - 4))
    } else {
        b.iter().rev().fold(0, |w, &c| w << 8 | u64::from(c))
    }
}

/// The eight bytes of `w` with ASCII capitals lower-cased (SWAR: a byte
/// without its top bit is `A..=Z` when adding 0x3F carries into the top bit
/// and adding 0x25 does not).
#[inline(always)]
fn lower8(w: u64) -> u64 {
    const HI: u64 = 0x8080_8080_8080_8080;
    let x = w & !HI;
    let upper = (x + 0x3F3F_3F3F_3F3F_3F3F) & !(x + 0x2525_2525_2525_2525) & !w & HI;
    w | (upper >> 2)
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

    /// Takes `bytes[s..]` (already lower-cased) as a pattern unless it is
    /// one already.
    #[inline]
    fn commit(&mut self, s: usize, t: EntityType, why: &'static str) {
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

    fn push_lowered(&mut self, p: &str, t: EntityType, why: &'static str) {
        // Whole words written (a short last one zero-padded), then the
        // padding cut off.
        let s = self.bytes.len();
        for chunk in p.as_bytes().chunks(8) {
            self.bytes
                .extend_from_slice(&lower8(padded(chunk)).to_le_bytes());
        }
        self.bytes.truncate(s + p.len());
        self.commit(s, t, why);
    }

    /// Adds a value (trimmed; two characters at least). The text is searched
    /// with ASCII letters lower-cased, so a value with other capitals
    /// (ZOË) also gets its fully lower-cased form (zoë).
    fn add(&mut self, p: &str, t: EntityType, why: &'static str) {
        let p = trim(p);
        if p.len() < 2 || (p.len() < 5 && p.chars().nth(1).is_none()) {
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

    /// Adds `prefix` and the digits of `v` (what `add` would make of them:
    /// digits need no trimming or lower-casing).
    fn add_digits(&mut self, prefix: &[u8], v: &str, t: EntityType, why: &'static str) {
        let s = self.bytes.len();
        self.bytes.extend_from_slice(prefix);
        // Every byte written, the end advanced past digits only.
        let mut n = self.bytes.len();
        self.bytes.resize(n + v.len(), 0);
        let out = &mut self.bytes[n..];
        let mut m = 0;
        for &b in v.as_bytes() {
            out[m] = b;
            m += usize::from(b.is_ascii_digit());
        }
        n += m;
        self.bytes.truncate(n);
        if n - s < 2 {
            self.bytes.truncate(s);
        } else {
            self.commit(s, t, why);
        }
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
    thread_local! {
        /// The pattern arena and a scratch string, kept from one document
        /// to the next.
        static ARENA: RefCell<(Patterns, String)> = RefCell::default();
    }
    ARENA.with(|arena| {
        let (pats, scratch) = &mut *arena.borrow_mut();
        pats.bytes.clear();
        pats.items.clear();
        add_values(c, pats, scratch);
        if !pats.items.is_empty() {
            search(doc, toks, pats, out);
        }
    });
    // Dates of birth: any date in the text equal to a known one.
    if dates.is_empty() {
        return;
    }
    let mut dobs = c
        .date_of_birth
        .iter()
        .chain(
            c.custom
                .iter()
                .filter(|(k, _)| k.to_ascii_lowercase().contains("birth"))
                .flat_map(|(_, v)| v),
        )
        .filter_map(|s| iso_date(s));
    // Usually one: the first on the stack, any others in `more`.
    let Some(first) = dobs.next() else {
        return;
    };
    let more: Vec<(u32, u32, u32)> = dobs.collect();
    for (bs, be, ymd) in dates {
        if ymd.iter().any(|d| *d == first || more.contains(d)) {
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

/// The contact's search patterns, in `pats`.
fn add_values(c: &KnownContact, pats: &mut Patterns, scratch: &mut String) {
    for f in &c.first_name {
        for l in &c.last_name {
            scratch.clear();
            scratch.push_str(f);
            scratch.push(' ');
            scratch.push_str(l);
            pats.add(scratch, EntityType::Person, "known contact: full name");
        }
    }
    any_value(c, |t, v| {
        match t {
            EntityType::PhoneNumber => {
                const WHY: &str = "known contact: phone number";
                pats.add(v, t, WHY);
                pats.add_digits(b"", v, t, WHY);
                if let Some(rest) = trim(v).strip_prefix("+44") {
                    pats.add_digits(b"0", rest, t, WHY);
                }
            }
            EntityType::Postcode => {
                pats.add(v, t, "known contact: postcode");
                // Without a space, the squeezed value is `v` again.
                if v.as_bytes().contains(&b' ') {
                    scratch.clear();
                    v.split(' ').for_each(|part| scratch.push_str(part));
                    pats.add(scratch, t, "known contact: postcode");
                }
            }
            // Dates are matched by value below, in any written form.
            EntityType::DateOfBirth => {}
            // One word of printable ASCII: its only part is `v` itself.
            EntityType::Person if v.bytes().all(|b| b > b' ' && b < 0x7f) => {
                pats.add(v, t, "known contact: name");
            }
            EntityType::Person => {
                let mut parts = 0;
                for part in v.split_whitespace() {
                    pats.add(part, t, "known contact: name");
                    parts += 1;
                }
                // A single part is `v` trimmed: added already.
                if parts != 1 {
                    pats.add(v, t, "known contact: name");
                }
            }
            _ => pats.add(v, t, "known contact value"),
        }
        false
    });
}

/// [`patterns::parse_iso_date`], without its allocation for the plain
/// `YYYY-MM-DD` form (where its day-first reading never applies: the year
/// would be two digits).
fn iso_date(s: &str) -> Option<(u32, u32, u32)> {
    let b = s.as_bytes();
    let plain = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !plain {
        return patterns::parse_iso_date(s);
    }
    let num =
        |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'));
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    (y > 1000 && crate::validate::date(y, m, d)).then_some((y, m, d))
}

/// Up to this many patterns and hits live on the stack.
const STACK: usize = 32;

/// Occurrences as `pattern << 48 | start` (so that sorting orders them by
/// pattern, then position), on the stack until there are many.
struct Hits {
    buf: [u64; STACK],
    len: usize,
    spill: Vec<u64>,
}

impl Hits {
    #[inline(always)]
    fn push(&mut self, h: u64) {
        if self.len < STACK {
            self.buf[self.len] = h;
            self.len += 1;
        } else {
            if self.spill.is_empty() {
                self.spill.extend_from_slice(&self.buf);
            }
            self.spill.push(h);
        }
    }

    fn as_mut_slice(&mut self) -> &mut [u64] {
        if self.spill.is_empty() {
            &mut self.buf[..self.len]
        } else {
            &mut self.spill
        }
    }
}

/// The patterns chained by first byte (head[b] = 1 + first pattern,
/// next[k] = 1 + the following one), each with its first eight bytes as a
/// word and mask, so that most comparisons are one AND and one compare.
struct Chains<'a> {
    hay: &'a [u8],
    head: &'a [u16; 256],
    next: &'a [u16],
    prefix: &'a [(u64, u64)],
    pats: &'a Patterns,
}

impl Chains<'_> {
    /// Compares the text at `i` with the patterns that start with its byte.
    /// Not inlined: it runs at few positions, and the loops over word starts
    /// that call it keep their registers.
    #[inline(never)]
    fn run(&self, i: usize, hits: &mut Hits) {
        let hay = self.hay;
        let mut h = self.head[hay[i] as usize];
        let (w, _) = word8(&hay[i..]);
        while h != 0 {
            let k = (h - 1) as usize;
            let (pw, pm) = self.prefix[k];
            if w & pm == pw {
                let p = self.pats.get(k);
                if p.len() <= hay.len() - i && (p.len() <= 8 || hay[i + 8..].starts_with(&p[8..])) {
                    hits.push(((k as u64) << 48) | i as u64);
                }
            }
            h = self.next[k];
        }
    }
}

/// Every occurrence of every pattern that is a whole word (not glued to
/// letters or digits on either side); occurrences of one pattern do not
/// overlap (leftmost first). Candidates come out pattern by pattern.
#[inline(never)]
fn search(doc: &Doc<'_>, toks: &[Tok], pats: &Patterns, out: &mut Vec<Cand>) {
    let hay = doc.lower.as_bytes();
    let n = pats.items.len().min(u16::MAX as usize - 1);
    let (mut next_st, mut prefix_st) = ([0u16; STACK], [(0u64, 0u64); STACK]);
    let (mut next_heap, mut prefix_heap);
    let (next, prefix): (&mut [u16], &mut [(u64, u64)]) = if n <= STACK {
        (&mut next_st[..n], &mut prefix_st[..n])
    } else {
        next_heap = vec![0u16; n];
        prefix_heap = vec![(0u64, 0u64); n];
        (&mut next_heap, &mut prefix_heap)
    };
    let mut head = [0u16; 256];
    // For each first byte that is an ASCII letter or digit, the second bytes
    // of its patterns (bit `b & 63`): every pattern has two bytes at least,
    // so a word start whose first two bytes miss this filter matches none.
    let mut seconds = [0u64; 256];
    let mut alnum_first = false;
    // The other first bytes (each once).
    let mut other_firsts = [0u8; 256];
    let mut n_other = 0;
    for k in (0..n).rev() {
        let p = pats.get(k);
        prefix[k] = word8(p);
        let b = p[0];
        if b.is_ascii_alphanumeric() {
            seconds[b as usize] |= 1 << (p[1] & 63);
            alnum_first = true;
        } else if head[b as usize] == 0 {
            other_firsts[n_other] = b;
            n_other += 1;
        }
        next[k] = head[b as usize];
        head[b as usize] = k as u16 + 1;
    }
    let chains = Chains {
        hay,
        head: &head,
        next,
        prefix,
        pats,
    };
    let mut hits = Hits {
        buf: [0; STACK],
        len: 0,
        spill: Vec::new(),
    };
    // Whether the patterns starting with the letter or digit at `i` may
    // match there (their first two bytes).
    let maybe = |i: usize| {
        let m = seconds[hay[i] as usize];
        m != 0 && hay.get(i + 1).is_some_and(|&c| m >> (c & 63) & 1 != 0)
    };
    // Values starting with a letter or digit can only match at a word
    // start: the start of a token, or a letter right after a ' ’ or - that
    // the tokenizer kept inside a word ("O'Brien"). Elsewhere the character
    // before is a letter or digit, and `word_bounded` would refuse the match.
    if alnum_first {
        for t in toks {
            if maybe(t.bs) {
                chains.run(t.bs, &mut hits);
            }
        }
        for p in memchr::memchr3_iter(b'-', b'\'', 0xE2, hay) {
            // ’ is E2 80 99 in UTF-8.
            let i = if hay[p] == 0xE2 { p + 3 } else { p + 1 };
            if i < hay.len() && maybe(i) {
                chains.run(i, &mut hits);
            }
        }
    }
    // Values starting with anything else ("+44 ...", "(020) ...", "ó ..."):
    // every occurrence of that byte not right after an ASCII letter or digit.
    for &b in &other_firsts[..n_other] {
        for i in memchr::memchr_iter(b, hay) {
            if i == 0 || !hay[i - 1].is_ascii_alphanumeric() {
                chains.run(i, &mut hits);
            }
        }
    }
    let hits = hits.as_mut_slice();
    hits.sort_unstable();
    let mut from = (usize::MAX, 0usize);
    let mut last = u64::MAX;
    for &h in hits.iter() {
        if h == last {
            continue;
        }
        last = h;
        let (k, bs) = ((h >> 48) as usize, (h & 0xFFFF_FFFF_FFFF) as usize);
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

/// A span's fold; the contact's address folds and their ranges.
type Folds = (Vec<u8>, Vec<u8>, Vec<(usize, usize)>);

/// Marks spans whose value is one of the contact's own, whichever detector
/// found them (the e-mail pattern outranks the contact matcher, for example).
#[inline(never)]
pub(crate) fn mark(text: &str, c: &KnownContact, spans: &mut [Cand]) {
    if spans.iter().all(|s| s.known) {
        return;
    }
    thread_local! {
        /// A span's fold, and the folds of the contact's addresses and
        /// postcodes (in one arena, with their ranges), kept from one
        /// document to the next.
        static FOLDS: RefCell<Folds> = RefCell::default();
    }
    FOLDS.with(|folds| {
        let (folded, arena, ranges) = &mut *folds.borrow_mut();
        mark_with(text, c, spans, folded, arena, ranges);
    });
}

fn mark_with(
    text: &str,
    c: &KnownContact,
    spans: &mut [Cand],
    folded: &mut Vec<u8>,
    arena: &mut Vec<u8>,
    ranges: &mut Vec<(usize, usize)>,
) {
    // The contact's address folds, made at the first address span.
    let mut addresses_folded = false;
    for sp in spans.iter_mut().filter(|s| !s.known) {
        let value = &text[sp.bs..sp.be];
        sp.known = match sp.ty {
            EntityType::Person => words(value).all(|w| {
                any_of_type(c, EntityType::Person, |v| {
                    words(v).any(|p| fold_eq(w, p) && nonempty(p))
                })
            }),
            EntityType::PhoneNumber => {
                let (d, n) = last9_digits(value);
                n >= 9
                    && any_of_type(c, EntityType::PhoneNumber, |v| {
                        let (k, m) = last9_digits(v);
                        m >= 9 && k == d
                    })
            }
            EntityType::StreetAddress | EntityType::Postcode => {
                if !addresses_folded {
                    addresses_folded = true;
                    arena.clear();
                    ranges.clear();
                    let mut add = |v: &str| {
                        let s = arena.len();
                        fold_append(v, arena);
                        if arena.len() > s {
                            ranges.push((s, arena.len()));
                        }
                        false
                    };
                    any_of_type(c, EntityType::StreetAddress, &mut add);
                    any_of_type(c, EntityType::Postcode, &mut add);
                }
                fold_into(value, folded);
                ranges.iter().any(|&(a, b)| {
                    b - a <= folded.len() && memchr::memmem::find(folded, &arena[a..b]).is_some()
                })
            }
            ty => any_of_type(c, ty, |v| fold_eq(value, v) && nonempty(v)),
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

    /// The implementation before the fast paths, kept to compare against.
    #[allow(clippy::all)]
    mod reference {
        use crate::contact::KnownContact;
        use crate::names::Tok;
        use crate::patterns::{self, DateHit};
        use crate::{word_bounded, Cand, Doc, EntityType};

        /// `fold(a) == fold(b)` (letters and digits only, lower-cased), without
        /// building either; bytewise when both are ASCII.
        pub(super) fn fold_eq(a: &str, b: &str) -> bool {
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

        pub(super) fn fold_into(s: &str, out: &mut Vec<u8>) {
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

        pub(super) fn matches(
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
            fn filtered<'a>(
                v: &str,
                out: &'a mut String,
                prefix: &str,
                keep: fn(&u8) -> bool,
            ) -> &'a str {
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
                        if p.len() <= hay.len() - i
                            && (p.len() <= 8 || hay[i + 8..].starts_with(&p[8..]))
                        {
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

        pub(super) fn mark(text: &str, c: &KnownContact, spans: &mut [Cand]) {
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
    }

    /// A small deterministic generator (xorshift64*).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
        fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
            xs[self.below(xs.len())]
        }
    }

    const FIRST: &[&str] = &[
        "Jane",
        "ZOË",
        "Zoë",
        "Mary-Anne",
        "Ann",
        "Ó Súilleabháin",
        "Anne Marie",
        " Lee ",
        "J",
        "aa",
        "Émile",
        "ǅemal",
        "İlkay",
        "  ",
        "",
        "O’Brien",
        "x\u{2003}",
        "Straße",
    ];
    const LAST: &[&str] = &[
        "Brennan",
        "Lee",
        "O'Brien",
        "Brien",
        "Smith-Jones",
        "Kowalski",
        "ÅSTRÖM",
        "van der Berg",
        "Ng",
        "\u{a0}Li\u{a0}",
        "\u{b}Doe",
    ];
    const PHONES: &[&str] = &[
        "+1 213 736 7279",
        "+44 7700 900123",
        "07700 900123",
        "(020) 7946 0018",
        "+44 (0)20 7946 0018",
        "12",
        "7",
        "+44",
        "2137367279",
        "+1-213-736-7279",
    ];
    const POSTCODES: &[&str] = &[
        "92170", "LS1 4AB", "ls14ab", "SW1A 1AA", " E1 6AN ", "1", "D02 X285",
    ];
    const STREETS: &[&str] = &[
        "7375 Branch Dr",
        "1 High St",
        "Flat 2, 10 Downing Street",
        "Rue de l’Église 4",
        "12 Ó Street",
    ];
    const EMAILS: &[&str] = &[
        "brennan.jane98@yahoo.co.uk",
        "Z@X.COM",
        "zoë@example.com",
        "a-b@c.d",
    ];
    const DOBS: &[&str] = &["1942-08-15", "2001-02-30", "1980-1-2", "x"];
    const CUSTOM_KEYS: &[&str] = &[
        "SecondaryPhone",
        "MiddleName",
        "WorkAddress",
        "AltPostcode",
        "OtherEmail",
        "BirthDate2",
        "Notes",
    ];
    const NOISE: &[&str] = &[
        "hello",
        "the",
        "Annabel",
        "Leeds",
        "xann",
        "-",
        "'",
        "’",
        ",",
        ".",
        "\n",
        "  ",
        "é",
        "ß",
        "ZOE",
        "07700 900 999",
        "street",
        "Dr",
        "(",
        ")",
        "+",
        "0",
        "1",
        "+1",
        "—",
        "\t",
        "ǆ",
    ];

    fn vary(rng: &mut Rng, v: &str) -> String {
        let v = match rng.below(6) {
            0 => v.to_uppercase(),
            1 => v.to_lowercase(),
            2 => v.to_ascii_uppercase(),
            3 => v.replace(' ', ""),
            4 => v.replace(' ', "  "),
            _ => v.to_string(),
        };
        if rng.below(4) == 0 {
            // A prefix or suffix of the value.
            let cuts: Vec<usize> = (0..=v.len()).filter(|&i| v.is_char_boundary(i)).collect();
            let c = cuts[rng.below(cuts.len())];
            if rng.below(2) == 0 {
                v[..c].to_string()
            } else {
                v[c..].to_string()
            }
        } else {
            v
        }
    }

    fn random_contact(rng: &mut Rng) -> KnownContact {
        let mut c = KnownContact::default();
        let some = |rng: &mut Rng, xs: &[&str], max: usize| -> Vec<String> {
            (0..rng.below(max + 1))
                .map(|_| rng.pick(xs).to_string())
                .collect()
        };
        c.first_name = some(rng, FIRST, 2);
        c.last_name = some(rng, LAST, 2);
        c.email_address = some(rng, EMAILS, 1);
        c.phone_number = some(rng, PHONES, 2);
        c.street_address = some(rng, STREETS, 1);
        c.postcode = some(rng, POSTCODES, 2);
        c.date_of_birth = some(rng, DOBS, 1);
        c.town = some(rng, &["San Diego"], 1);
        if rng.below(4) == 0 {
            for _ in 0..1 + rng.below(2) {
                let key = rng.pick(CUSTOM_KEYS).to_string();
                let pool: Vec<&str> = [FIRST, PHONES, POSTCODES, STREETS, EMAILS, DOBS]
                    .concat()
                    .to_vec();
                let v = some(rng, &pool, 2);
                c.custom.insert(key, v);
            }
        }
        c
    }

    fn random_text(rng: &mut Rng, c: &KnownContact) -> String {
        let values: Vec<String> = c
            .first_name
            .iter()
            .chain(&c.last_name)
            .chain(&c.email_address)
            .chain(&c.phone_number)
            .chain(&c.street_address)
            .chain(&c.postcode)
            .chain(c.custom.values().flatten())
            .cloned()
            .collect();
        let mut text = String::new();
        for _ in 0..rng.below(30) {
            let piece = if !values.is_empty() && rng.below(2) == 0 {
                let v = values[rng.below(values.len())].clone();
                vary(rng, &v)
            } else {
                rng.pick(NOISE).to_string()
            };
            text.push_str(&piece);
            text.push_str(rng.pick(&[" ", "", "-", "'", "’", ", ", "\n", "x", "é", "."]));
        }
        text
    }

    type Found = Vec<(usize, usize, EntityType, &'static str, bool, u32)>;

    fn key(out: &[Cand]) -> Found {
        out.iter()
            .map(|c| (c.bs, c.be, c.ty, c.why, c.known, c.score.to_bits()))
            .collect()
    }

    #[test]
    fn same_as_reference_on_random_contacts_and_texts() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let types = EntityType::ALL;
        let (mut found, mut non_ascii, mut marked) = (0, 0, 0);
        for round in 0..20_000 {
            let c = random_contact(&mut rng);
            let text = random_text(&mut rng, &c);
            let doc = Doc {
                text: &text,
                lower: text.to_ascii_lowercase(),
            };
            let toks = crate::names::tokenize(&text);
            // Dates: random spans with random values, some of them the contact's.
            let bounds: Vec<usize> = (0..=text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            let span = |rng: &mut Rng| {
                let a = bounds[rng.below(bounds.len())];
                let b = bounds[rng.below(bounds.len())];
                (a.min(b), a.max(b))
            };
            let dates: Vec<DateHit> = (0..rng.below(3))
                .map(|_| {
                    let (a, b) = span(&mut rng);
                    let ymd = match rng.below(3) {
                        0 => vec![(1942, 8, 15)],
                        1 => vec![(1980, 1, 2), (1980, 2, 1)],
                        _ => vec![(2000, 1, 1)],
                    };
                    (a, b, ymd)
                })
                .collect();
            let (mut got, mut want) = (Vec::new(), Vec::new());
            matches(&doc, &toks, &c, &dates, &mut got);
            reference::matches(&doc, &toks, &c, &dates, &mut want);
            assert_eq!(key(&got), key(&want), "round {round}: {text:?} {c:?}");
            // Spans to mark: the matches plus random ones of every type.
            let mut spans: Vec<Cand> = want.clone();
            for _ in 0..rng.below(12) {
                let (a, b) = span(&mut rng);
                let mut s = Cand::new(a, b, types[rng.below(types.len())], 0.9, "t");
                s.known = rng.below(5) == 0;
                spans.push(s);
            }
            for s in spans.iter_mut().filter(|_| rng.below(3) == 0) {
                s.known = false;
            }
            let mut mine = spans.clone();
            mark(&text, &c, &mut mine);
            reference::mark(&text, &c, &mut spans);
            assert_eq!(key(&mine), key(&spans), "round {round}: {text:?} {c:?}");
            found += want.len();
            non_ascii += want.iter().filter(|w| !text[w.bs..w.be].is_ascii()).count();
            marked += spans.iter().filter(|s| s.known && s.why == "t").count();
        }
        // The comparison is not vacuous.
        assert!(
            found > 20_000 && non_ascii > 500 && marked > 2_000,
            "{found} {non_ascii} {marked}"
        );
    }

    #[test]
    fn iso_dates_as_the_patterns_module_reads_them() {
        for s in [
            "1942-08-15",
            "2001-02-29",
            "2000-02-29",
            "1899-12-31",
            "0999-01-01",
            "1980-13-01",
            "1980-00-10",
            "1980-1-2",
            "15-08-1942",
            "15/08/1942",
            " 1942-08-15",
            "1942-08-15T00:00",
            "1942-08-1x",
            "",
            "2024-04-31",
            "2099-12-31",
            "2100-01-01",
        ] {
            assert_eq!(iso_date(s), patterns::parse_iso_date(s), "{s:?}");
        }
    }

    #[test]
    fn padded_words() {
        let b: Vec<u8> = (1..=9).collect();
        for n in 0..=8 {
            let mut buf = [0u8; 8];
            buf[..n].copy_from_slice(&b[..n]);
            assert_eq!(padded(&b[..n]), u64::from_le_bytes(buf), "{n}");
        }
    }

    #[test]
    fn lower8_lower_cases_ascii_capitals_only() {
        let check = |w: u64| {
            let mut want = w.to_le_bytes();
            want.make_ascii_lowercase();
            assert_eq!(lower8(w), u64::from_le_bytes(want), "{w:#x}");
        };
        // Every byte value in every position, next to every kind of byte.
        for b in 0..=255u64 {
            for fill in [0u64, 0x40, 0x5A, 0x7F, 0x80, 0xC1, 0xFF] {
                for at in 0..8 {
                    let w = (fill * 0x0101_0101_0101_0101) & !(0xFF << (8 * at));
                    check(w | b << (8 * at));
                }
            }
        }
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        for _ in 0..100_000 {
            check(rng.next());
        }
    }

    #[test]
    fn fast_paths_agree_with_the_definitions() {
        let words = [
            "",
            " ",
            "a",
            "A",
            "ab",
            "a-b",
            "AB",
            "ZOË",
            "zoë",
            "Zoë",
            "zoe",
            "O'Brien",
            "obrien",
            "O’BRIEN",
            "ǅemal",
            "ǆemal",
            "İlkay",
            "i̇lkay",
            "Straße",
            "STRASSE",
            "\u{b}x\u{b}",
            "\u{a0}x",
            "x\u{2003}",
            "\u{85}y",
            "1 2",
            "12",
        ];
        for a in words {
            assert_eq!(trim(a), a.trim(), "{a:?}");
            for b in ["", " ", "\t\u{b}", "x  y", "\u{a0}", "\u{2003}z"] {
                let s = format!("{a} {b}\n{a}{b}");
                assert!(super::words(&s).eq(s.split_whitespace()), "{s:?}");
            }
            assert_eq!(nonempty(a), fold_chars(a).next().is_some(), "{a:?}");
            let (mut x, mut y) = (Vec::new(), Vec::new());
            fold_into(a, &mut x);
            reference::fold_into(a, &mut y);
            assert_eq!(x, y, "{a:?}");
            for b in words {
                assert_eq!(fold_eq(a, b), reference::fold_eq(a, b), "{a:?} {b:?}");
            }
        }
    }
}
