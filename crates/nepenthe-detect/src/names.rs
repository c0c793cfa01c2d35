//! Person names the document's contact does not give: gazetteers of first
//! names and surnames (see `data/README.md` for sources and licences) plus
//! capitalisation and context cues ("my name is", "Dear Mr", "thanks").

use crate::{Cand, Doc, EntityType};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A word token: byte range plus shape flags.
/// A word token: byte range plus shape flags.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Tok {
    pub bs: usize,
    pub be: usize,
    pub flags: u8,
}

pub(crate) const T_ALPHA: u8 = 1; // letters only (plus inner ' and -)
pub(crate) const T_DIGIT: u8 = 2; // digits only
pub(crate) const T_CAP: u8 = 4; // first char upper case
pub(crate) const T_UPPER: u8 = 8; // no lower-case letter at all
pub(crate) const T_LOWER: u8 = 16; // no upper-case letter at all

/// Byte classes for the tokenizer: what a byte adds to its token. The bit
/// positions match the lanes of [`ascii_run`].
const C_ALPHA: u8 = 0x80;
const C_UP: u8 = 0x40;
const C_LOW: u8 = 0x20;
const C_DIG: u8 = 0x10;
/// Any byte of a non-ASCII character (decoded on the slow path).
const C_HIGH: u8 = 0x01;
/// `'` and `-`, which may join two runs of letters.
const C_JOIN: u8 = 0x02;
const C_WORD: u8 = C_ALPHA | C_DIG;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_lowercase() {
            C_ALPHA | C_LOW
        } else if b.is_ascii_uppercase() {
            C_ALPHA | C_UP
        } else if b.is_ascii_digit() {
            C_DIG
        } else if b >= 0x80 {
            C_HIGH
        } else if b == b'\'' || b == b'-' {
            C_JOIN
        } else {
            0
        };
        c += 1;
    }
    t
};

/// Token flags (all but `T_CAP`) from the classes seen in the token
/// (`acc >> 4`).
static SHAPE: [u8; 16] = {
    let mut t = [0u8; 16];
    let mut i = 0;
    while i < 16 {
        let a = (i as u8) << 4;
        let (alpha, digit) = (a & C_ALPHA != 0, a & C_DIG != 0);
        let mut f = 0;
        if alpha && !digit {
            f |= T_ALPHA;
        }
        if digit && !alpha {
            f |= T_DIGIT;
        }
        if a & C_LOW == 0 {
            f |= T_UPPER;
        }
        if a & C_UP == 0 {
            f |= T_LOWER;
        }
        t[i] = f;
        i += 1;
    }
    t
};

const REP: u64 = 0x0101_0101_0101_0101;
const HI8: u64 = REP * 0x80;

/// The end of the run of ASCII letters and digits from `i`, and their classes
/// (`C_*`, OR-ed). Eight bytes at a time: in each byte lane, bit 7 marks a
/// letter, 6 an upper-case and 5 a lower-case letter, 4 a digit.
#[inline(always)]
fn ascii_run(b: &[u8], mut i: usize) -> (usize, u8) {
    let mut acc = 0u64;
    while let Some(w) = b.get(i..i + 8) {
        let mut a = [0u8; 8];
        a.copy_from_slice(w);
        let x = u64::from_le_bytes(a);
        let (letter, digit) = swar_letters_digits(x);
        let stop = !(letter | digit) & HI8;
        // Lanes before the first stop.
        let valid = (stop & stop.wrapping_neg()).wrapping_sub(1);
        let (l, d) = (letter & valid, digit & valid);
        // Bit 5 (lower case) moved to bit 7 of its lane.
        let x2 = x << 2;
        acc |= l | ((l & !x2) >> 1) | ((l & x2) >> 2) | (d >> 3);
        if stop != 0 {
            return (i + (stop.trailing_zeros() / 8) as usize, fold_lanes(acc));
        }
        i += 8;
    }
    // Fewer than eight bytes left.
    let mut a = fold_lanes(acc);
    while let Some(&c) = b.get(i) {
        let cl = CLASS[usize::from(c)];
        if cl & C_WORD == 0 {
            break;
        }
        a |= cl;
        i += 1;
    }
    (i, a)
}

#[inline(always)]
fn fold_lanes(acc: u64) -> u8 {
    let f = acc | acc >> 32;
    let f = f | f >> 16;
    (f | f >> 8) as u8
}

/// The character starting at byte `i` (a char boundary).
#[inline]
fn char_at(text: &str, i: usize) -> char {
    text[i..].chars().next().unwrap_or(' ')
}

/// Splits text into alphanumeric tokens; `'`, `’` and `-` stay inside a word
/// when letters follow ("O'Brien", "Smith-Jones").
///
/// Text is classified 64 bytes at a time into bit masks (ASCII letters and
/// digits, upper case, digits, non-ASCII bytes); a token made of ASCII letters
/// and digits and ended by an ordinary byte is read off the masks. Tokens next
/// to `'`, `-` or non-ASCII characters go through [`token_at`].
#[inline(never)]
pub(crate) fn tokenize(text: &str) -> Vec<Tok> {
    let b = text.as_bytes();
    let n = b.len();
    let mut toks = Vec::with_capacity(n / 5);
    // `q` is never inside a token or a character.
    let mut q = 0;
    while q < n {
        let m = Block::at(b, q);
        // Runs of ASCII letters and digits: `starts` and `ends` (the byte
        // after a run) alternate. Bits of positions dealt with are cleared.
        let mut starts = m.word & !(m.word << 1);
        let mut ends = !m.word & (m.word << 1);
        let mut high = m.high;
        // Flags of single runs, at their end bits: adding a run's start bit to
        // `x` carries to the run's end unless a bit of the run is clear in
        // `x`. So `plane(word & !up)` marks the runs without upper case.
        let plane = |x: u64| x.wrapping_add(starts) & ends;
        // Ends are never adjacent: two planes share a word, one bit apart.
        // Bit 0 at `be - 1`: no digit (`T_ALPHA`); bit 1: no letter (`T_DIGIT`).
        let alpha_digit = (plane(m.word & !m.dig) >> 1) | plane(m.dig);
        // Bit 0 at `be - 1`: no lower case (`T_UPPER`); bit 1: no upper case.
        let upper_lower = (plane(m.word & !m.low) >> 1) | plane(m.word & !m.up);
        q = loop {
            let e = if high != 0 && high.trailing_zeros() < starts.trailing_zeros() {
                // A non-ASCII character before the next ASCII run.
                token_at(text, q + high.trailing_zeros() as usize, &mut toks)
            } else if starts == 0 {
                break q + 64;
            } else if ends == 0 {
                // The run goes past the block: start the next block with it.
                let bs = starts.trailing_zeros() as usize;
                if bs == 0 {
                    break token_at(text, q, &mut toks);
                }
                break q + bs;
            } else {
                let bs = starts.trailing_zeros();
                let (mut st, mut en) = (starts & (starts - 1), ends);
                let mut joined = false;
                // `Some(end)`: the token ends there; `None`: it needs the slow way.
                let end = loop {
                    let be = en.trailing_zeros();
                    en &= en - 1;
                    let stop = b.get(q + be as usize).copied().unwrap_or(0);
                    let cl = CLASS[usize::from(stop)];
                    if cl & (C_HIGH | C_JOIN) == 0 {
                        break Some(be);
                    }
                    if cl & C_HIGH != 0 {
                        break None;
                    }
                    // `'` or `-`: joins the next run of letters unless the token
                    // so far holds a digit.
                    if (u64::MAX << bs) & !(u64::MAX << be) & m.dig != 0 {
                        break Some(be);
                    }
                    match b.get(q + be as usize + 1) {
                        Some(&c) if c >= 0x80 => break None,
                        Some(c) if c.is_ascii_alphabetic() => {}
                        _ => break Some(be),
                    }
                    if en == 0 {
                        // The next run goes past the block.
                        break None;
                    }
                    debug_assert_eq!(st.trailing_zeros(), be + 1);
                    st &= st.wrapping_sub(1);
                    joined = true;
                };
                match end {
                    Some(be) if !joined => {
                        let at = be - 1;
                        let flags = ((alpha_digit >> at) as u8 & 3)
                            | (((m.up >> bs) as u8 & 1) * T_CAP)
                            | (((upper_lower >> at) as u8 & 3) << 3);
                        toks.push(Tok {
                            bs: q + bs as usize,
                            be: q + be as usize,
                            flags,
                        });
                        starts = st;
                        ends = en;
                        continue;
                    }
                    Some(be) => {
                        let range = (u64::MAX << bs) & !(u64::MAX << be);
                        let mut flags = ((m.up >> bs) as u8 & 1) * T_CAP;
                        let (alpha, digit) = (range & m.alpha != 0, range & m.dig != 0);
                        if alpha && !digit {
                            flags |= T_ALPHA;
                        }
                        if digit && !alpha {
                            flags |= T_DIGIT;
                        }
                        if range & m.low == 0 {
                            flags |= T_UPPER;
                        }
                        if range & m.up == 0 {
                            flags |= T_LOWER;
                        }
                        toks.push(Tok {
                            bs: q + bs as usize,
                            be: q + be as usize,
                            flags,
                        });
                        starts = st;
                        ends = en;
                        continue;
                    }
                    None => token_at(text, q + bs as usize, &mut toks),
                }
            };
            // A token or character up to `e` went the slow way.
            if e - q >= 64 {
                break e;
            }
            starts &= u64::MAX << (e - q);
            high &= u64::MAX << (e - q);
            ends &= (u64::MAX << (e - q)) << 1;
        };
    }
    toks
}

/// Bit masks of 64 bytes of text (bit `k` for byte `k`; zeros past the end).
struct Block {
    /// ASCII letters and digits.
    word: u64,
    /// ASCII upper-case letters.
    up: u64,
    /// ASCII digits.
    dig: u64,
    /// ASCII letters.
    alpha: u64,
    /// ASCII lower-case letters.
    low: u64,
    /// Non-ASCII bytes.
    high: u64,
}

impl Block {
    #[inline(always)]
    fn at(b: &[u8], q: usize) -> Block {
        let mut buf = [0u8; 64];
        let blk = match b.get(q..q + 64) {
            Some(s) => s,
            None => {
                let r = &b[q..];
                buf[..r.len()].copy_from_slice(r);
                &buf[..]
            }
        };
        let (mut word, mut up, mut dig, mut high) = (0, 0, 0, 0);
        for (k, c) in blk.chunks_exact(8).enumerate() {
            let mut a = [0u8; 8];
            a.copy_from_slice(c);
            let x = u64::from_le_bytes(a);
            let (l, d) = swar_letters_digits(x);
            let u = l & !(x << 2);
            word |= lane_bits(l | d) << (8 * k);
            up |= lane_bits(u) << (8 * k);
            dig |= lane_bits(d) << (8 * k);
            high |= x;
        }
        if high & HI8 != 0 {
            high = high_bits(blk);
        } else {
            high = 0;
        }
        Block {
            word,
            up,
            dig,
            alpha: word & !dig,
            low: word & !dig & !up,
            high,
        }
    }
}

/// Bit `k` set: byte `k` of `blk` is not ASCII.
#[inline(never)]
fn high_bits(blk: &[u8]) -> u64 {
    let mut high = 0;
    for (k, c) in blk.chunks_exact(8).enumerate() {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        high |= lane_bits(u64::from_le_bytes(a) & HI8) << (8 * k);
    }
    high
}

/// Bit 7 of each byte lane gathered into the low eight bits.
#[inline(always)]
fn lane_bits(m: u64) -> u64 {
    m.wrapping_mul(0x0002_0408_1020_4081) >> 56
}

/// Bit 7 of each byte lane of `x`: ASCII letters, ASCII digits. Range tests on
/// 7-bit lanes (no carries), then non-ASCII lanes dropped.
#[inline(always)]
fn swar_letters_digits(x: u64) -> (u64, u64) {
    let x7 = x & !HI8;
    let y = x7 | (REP * 0x20);
    let letter = (y + REP * (0x80 - 0x61)) & !(y + REP * (0x7f - 0x7a)) & !x & HI8;
    let digit = (x7 + REP * (0x80 - 0x30)) & !(x7 + REP * (0x7f - 0x39)) & !x & HI8;
    (letter, digit)
}

/// One token starting at byte `i` (a char boundary outside any token),
/// pushed; or, when the character there is not alphanumeric, nothing. Returns
/// the byte after it.
#[inline(never)]
fn token_at(text: &str, mut i: usize, toks: &mut Vec<Tok>) -> usize {
    let b = text.as_bytes();
    let cl = CLASS[usize::from(b[i])];
    if cl & (C_WORD | C_HIGH) == 0 {
        return i + 1;
    }
    let first_up = if cl & C_HIGH == 0 {
        cl & C_UP != 0
    } else {
        let ch = char_at(text, i);
        if !ch.is_alphanumeric() {
            return i + ch.len_utf8();
        }
        ch.is_uppercase()
    };
    let bs = i;
    let mut acc = 0u8;
    loop {
        // ASCII letters and digits: the common case.
        let (e, a) = ascii_run(b, i);
        i = e;
        acc |= a;
        let Some(&c) = b.get(i) else {
            break;
        };
        if c < 0x80 {
            if (c == b'\'' || c == b'-')
                && acc & (C_ALPHA | C_DIG) == C_ALPHA
                && next_is_letter(text, i + 1)
            {
                i += 1;
                continue;
            }
            break;
        }
        let ch = char_at(text, i);
        if ch.is_alphabetic() {
            acc |= C_ALPHA;
            if ch.is_uppercase() {
                acc |= C_UP;
            }
            if ch.is_lowercase() {
                acc |= C_LOW;
            }
        } else if ch.is_numeric() {
            acc |= C_DIG;
        } else if ch == '’' && acc & C_ALPHA != 0 && next_is_letter(text, i + ch.len_utf8()) {
        } else {
            break;
        }
        i += ch.len_utf8();
    }
    let flags = SHAPE[usize::from(acc >> 4)] | if first_up { T_CAP } else { 0 };
    toks.push(Tok { bs, be: i, flags });
    i
}

fn next_is_letter(text: &str, i: usize) -> bool {
    match text.as_bytes().get(i) {
        Some(&c) if c < 0x80 => c.is_ascii_alphabetic(),
        _ => text
            .get(i..)
            .and_then(|s| s.chars().next())
            .is_some_and(char::is_alphabetic),
    }
}

#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u128(&mut self, i: u128) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let (lo, hi) = (i as u64, (i >> 64) as u64);
        let h = (lo.wrapping_mul(K).rotate_left(23) ^ hi).wrapping_mul(K);
        self.0 = h ^ (h >> 32);
    }
}

/// A lower-cased word of up to 16 bytes packed into an integer (words hold no
/// NUL bytes, so zero padding keeps keys distinct): the common case is looked
/// up without touching the heap.
fn pack(key: &[u8]) -> Option<u128> {
    if key.len() > 16 {
        return None;
    }
    let mut w = [0u8; 16];
    w[..key.len()].copy_from_slice(key);
    Some(u128::from_le_bytes(w))
}

pub(crate) const G_FIRST: u8 = 1;
pub(crate) const G_FIRST_AMB: u8 = 2;
pub(crate) const G_SUR: u8 = 4;
pub(crate) const G_SUR_AMB: u8 = 8;
pub(crate) const G_STOP: u8 = 16;
/// Word lists folded into the same table so each token costs one lookup.
pub(crate) const G_FREQ: u8 = 32;
pub(crate) const G_PLACE: u8 = 64;
pub(crate) const G_STOPEXT: u8 = 128;
const G_LISTS: u8 = G_STOP | G_FREQ | G_PLACE | G_STOPEXT;

static FIRST_NAMES: &str = include_str!("../data/first_names.txt");
static SURNAMES: &str = include_str!("../data/surnames.txt");

/// Words that are never names on their own, whatever the gazetteers say:
/// function words, greetings, calendar words and contact-centre vocabulary.
const STOP: &[&str] = &[
    "the",
    "and",
    "you",
    "for",
    "are",
    "with",
    "that",
    "this",
    "have",
    "from",
    "your",
    "will",
    "can",
    "not",
    "but",
    "all",
    "any",
    "was",
    "one",
    "our",
    "out",
    "day",
    "get",
    "has",
    "him",
    "his",
    "how",
    "new",
    "now",
    "old",
    "see",
    "two",
    "way",
    "who",
    "did",
    "its",
    "let",
    "put",
    "say",
    "she",
    "too",
    "use",
    "her",
    "yes",
    "no",
    "ok",
    "okay",
    "hi",
    "hello",
    "dear",
    "thanks",
    "thank",
    "please",
    "sorry",
    "good",
    "morning",
    "afternoon",
    "evening",
    "night",
    "sir",
    "madam",
    "team",
    "customer",
    "agent",
    "support",
    "service",
    "services",
    "care",
    "caller",
    "speaker",
    "visitor",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "july",
    "september",
    "october",
    "november",
    "december",
    "just",
    "also",
    "then",
    "there",
    "here",
    "what",
    "when",
    "where",
    "which",
    "would",
    "could",
    "should",
    "about",
    "account",
    "order",
    "card",
    "bank",
    "number",
    "phone",
    "email",
    "mail",
    "address",
    "street",
    "road",
    "avenue",
    "close",
    "drive",
    "way",
    "place",
    "house",
    "flat",
    "mobile",
    "home",
    "work",
    "broadband",
    "energy",
    "telecom",
    "insurance",
    "delivery",
    "retail",
    "airways",
    "utilities",
    "ip",
    "iban",
    "ssn",
    "dob",
    "re",
    "subject",
    "to",
    "cc",
    "date",
    "sent",
    "kind",
    "regards",
    "best",
    "wishes",
    "cheers",
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "mx",
    "an",
    "as",
    "at",
    "be",
    "by",
    "do",
    "go",
    "he",
    "if",
    "in",
    "is",
    "it",
    "me",
    "my",
    "of",
    "on",
    "or",
    "so",
    "up",
    "us",
    "we",
    "am",
    "pm",
    "uk",
    "usa",
    "id",
    "ref",
    "case",
    "ticket",
    "chat",
    "call",
    "live",
    "transcript",
    "recording",
    "queue",
    "general",
    "billing",
    "retentions",
    "tech",
    "direct",
    "debit",
    "credit",
    "visa",
    "amex",
    "mastercard",
    "still",
    "well",
    "sure",
    "fine",
    "great",
    "lovely",
    "right",
    "long",
    "much",
    "many",
    "more",
    "most",
    "some",
    "such",
    "only",
    "over",
    "same",
    "than",
    "them",
    "they",
    "these",
    "those",
    "their",
    "into",
    "very",
    "been",
    "being",
    "were",
    "had",
    "does",
    "done",
    "each",
    "few",
    "off",
    "own",
    "why",
    "both",
    "after",
    "before",
    "again",
    "once",
    "other",
    "another",
    "because",
    "while",
    "until",
    "since",
    "if",
    "last",
    "next",
    "first",
    "second",
    "third",
    "today",
    "tomorrow",
    "yesterday",
    "week",
    "month",
    "year",
    "london",
    "manchester",
    "leeds",
    "york",
    "bath",
    "reading",
    "phoenix",
    "denver",
    "houston",
    "dallas",
    "boston",
    "chicago",
    "seattle",
    "portland",
    "columbus",
    "raleigh",
    "atlanta",
    "miami",
    "washington",
    "orlando",
    "windsor",
    "kingsway",
    "oak",
    "elm",
    "cedar",
    "maple",
    "willow",
    "pine",
    "beech",
    "orchard",
    "meadow",
    "manor",
    "grange",
    "chapel",
    "church",
    "station",
    "high",
    "mill",
    "queen",
    "mount",
    "highfield",
    "springfield",
    "ridge",
    "lake",
    "sunset",
    "highland",
    "main",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "agent's",
    "customer's",
    "wan",
    "lan",
    "hub",
    "router",
    "meter",
    "engineer",
    "manager",
    "leader",
    "husband",
    "wife",
    "son",
    "daughter",
    "partner",
    "mum",
    "mom",
    "dad",
    "depot",
    "store",
    "warehouse",
];

/// Words after a capitalised word that make it a place or a thing, not a person.
const PLACE_AFTER: &[&str] = &[
    "depot",
    "store",
    "warehouse",
    "branch",
    "office",
    "airport",
    "centre",
    "center",
    "street",
    "road",
    "lane",
    "avenue",
    "close",
    "drive",
    "gardens",
    "way",
    "crescent",
    "terrace",
    "place",
    "grove",
    "court",
    "rise",
    "walk",
    "hill",
    "st",
    "rd",
    "ave",
    "blvd",
    "ln",
    "dr",
    "ct",
    "bank",
    "energy",
    "broadband",
    "telecom",
    "insurance",
    "mobile",
    "utilities",
    "airways",
    "retail",
    "home",
    "delivery",
    "cottage",
    "house",
    "farm",
    "lodge",
    "university",
    "college",
    "school",
    "hospital",
    "city",
    "county",
    "park",
    "river",
    "lake",
    "valley",
    "bay",
    "beach",
    "mountain",
    "mountains",
    "island",
    "islands",
    "forest",
    "station",
    "airlines",
    "group",
    "ltd",
    "limited",
    "inc",
    "plc",
    "llc",
];

/// Words that end a name being extended: road words and organisation words.
const STOP_EXTEND: &[&str] = &[
    "depot",
    "store",
    "warehouse",
    "branch",
    "office",
    "airport",
    "centre",
    "center",
    "street",
    "road",
    "avenue",
    "close",
    "drive",
    "gardens",
    "crescent",
    "terrace",
    "st",
    "rd",
    "ave",
    "blvd",
    "ln",
    "dr",
    "ct",
    "bank",
    "energy",
    "broadband",
    "telecom",
    "insurance",
    "mobile",
    "utilities",
    "airways",
    "retail",
    "delivery",
    "cottage",
    "university",
    "college",
    "school",
    "hospital",
    "city",
    "county",
    "customer",
    "care",
    "services",
    "support",
    "team",
];

const PARTICLES: &[&str] = &[
    "van", "von", "de", "da", "di", "du", "del", "della", "der", "den", "la", "le", "ó", "o",
    "mac", "bin", "ben", "ter", "dos", "das",
];

const TITLES: &[&str] = &[
    "mr", "mrs", "ms", "miss", "dr", "mx", "sir", "prof", "dame", "lady", "lord", "rev", "mr.",
    "mrs.", "ms.", "dr.",
];

/// Phrases right before a word that make it a name even if the gazetteers
/// do not know it (strong) or that confirm an ambiguous gazetteer word (weak).
const STRONG_CUES: &[&str] = &[
    "my name is ",
    "name is ",
    "name's ",
    "dear ",
    "spoke to ",
    "spoke with ",
    "speaking with ",
    "speak to ",
    "speak with ",
    "from: ",
    "regards,\n",
    "regards\n",
    "wishes,\n",
    "thanks,\n",
    "sincerely,\n",
    "cheers,\n",
    "wife ",
    "husband ",
    "partner ",
    "son ",
    "daughter ",
    "mother ",
    "father ",
    "brother ",
    "sister ",
    "leader ",
    "manager ",
    "supervisor ",
    "colleague ",
    "named ",
    "called ",
    "ask for ",
    "asked for ",
    "signed by ",
    "spoken to ",
    "speak with ",
    "talked to ",
];
const WEAK_CUES: &[&str] = &[
    "it's ",
    "its ",
    "it is ",
    "yes, ",
    "yes ",
    "hi ",
    "hello ",
    "thanks ",
    "thanks, ",
    "thank you ",
    "thank you, ",
    "this is ",
    "i'm ",
    "im ",
    "i am ",
    "cheers ",
    "bye ",
    "morning ",
    "afternoon ",
    "sure, it's ",
    "to ",
    "with ",
    "and ",
    "from ",
    "is ",
    "via ",
    ", ",
];

/// Very frequent English words: an ambiguous surname among them ("will",
/// "may", "call") does not continue a lower-case name.
const FREQUENT: &[&str] = &[
    "will", "may", "can", "call", "see", "bill", "long", "little", "young", "good", "well",
    "still", "just", "need", "said", "told", "help", "back", "over", "best", "ever", "even",
    "only", "soon", "then", "than", "there", "here", "more", "most", "much", "many", "some", "all",
    "any", "few", "new", "old", "big", "hope", "love", "joy", "free", "fine", "happy", "about",
    "after", "again", "also", "always", "now", "never", "today", "please", "thanks", "yes", "no",
    "ok", "okay", "right", "wrong", "left", "sure", "true", "from", "with", "into", "upon",
    "under", "down", "up", "out", "off", "on", "in", "at", "by", "for", "of", "to", "and", "but",
    "or", "so", "as", "if", "is", "are", "was", "were", "be", "been", "have", "has", "had", "do",
    "does", "did", "get", "got", "go", "going", "gone", "come", "came", "make", "made", "take",
    "took", "give", "gave", "know", "knew", "think", "say", "says", "tell", "ask", "want", "like",
    "look", "use", "find", "work", "seem", "feel", "try", "leave", "put", "mean", "keep", "let",
    "show", "hear", "play", "run", "move", "live", "hold", "bring", "write", "sit", "stand",
    "lose", "pay", "meet", "set", "learn", "change", "lead", "watch", "follow", "stop", "speak",
    "read", "spend", "grow", "open", "walk", "win", "offer", "buy", "wait", "send", "expect",
    "build", "stay", "fall", "cut", "reach", "pass", "sell", "report", "pull", "the", "a", "an",
    "my", "your", "his", "her", "its", "our", "their", "this", "that", "these", "those", "i",
    "you", "he", "she", "it", "we", "they", "me", "him", "us", "them", "what", "which", "who",
    "when", "where", "why", "how", "number", "card", "account", "order", "day", "week", "month",
    "year", "time", "mobile", "phone", "email", "address", "street", "road", "same", "speaking",
    "here", "calling", "again",
];

/// Weak cues too common to make an ordinary word ("dot", "will") a name.
const GENERIC_CUES: &[&str] = &[", ", "and ", "is ", "to ", "with ", "from ", "via "];

/// Flags kept next to the gazetteer flags in [`Table`] (above the low byte).
/// The last word of a cue phrase or a title (see `cue_possible` in `run`).
const G_CUE: u16 = 1 << 8;
/// A name particle ("van", "de", "ó").
const G_PARTICLE: u16 = 1 << 9;

/// Every byte of a packed key has its top bit clear: the word is ASCII.
const HIGH_BITS: u128 = 0x8080_8080_8080_8080_8080_8080_8080_8080;
const ONE_BITS: u128 = 0x0101_0101_0101_0101_0101_0101_0101_0101;

/// Does the packed ASCII word `k` hold a `-`?
#[inline]
fn has_hyphen(k: u128) -> bool {
    let x = k ^ (ONE_BITS * u128::from(b'-'));
    x.wrapping_sub(ONE_BITS) & !x & HIGH_BITS != 0
}

/// `KEY_MASK[n]` keeps the first `n` bytes of a packed word.
static KEY_MASK: [u128; 17] = {
    let mut m = [0u128; 17];
    let mut n = 1;
    while n <= 16 {
        m[n] = u128::MAX >> (8 * (16 - n));
        n += 1;
    }
    m
};

/// `b[bs..be]` (at most 16 bytes) packed as by [`pack`].
#[inline]
fn key_at(b: &[u8], bs: usize, be: usize) -> u128 {
    let len = be - bs;
    debug_assert!(len <= 16);
    match b.get(bs..).and_then(<[u8]>::first_chunk::<16>) {
        Some(w) => u128::from_le_bytes(*w) & KEY_MASK[len],
        None => {
            let mut a = [0u8; 16];
            a[..len].copy_from_slice(&b[bs..be]);
            u128::from_le_bytes(a)
        }
    }
}

/// The last (up to) 16 bytes of `b[..end]` packed little-endian so that the
/// last byte is the most significant; missing bytes are zero.
#[inline]
fn tail_at(b: &[u8], end: usize) -> u128 {
    let mut a = [0u8; 16];
    if end >= 16 {
        a.copy_from_slice(&b[end - 16..end]);
    } else {
        a[16 - end..].copy_from_slice(&b[..end]);
    }
    u128::from_le_bytes(a)
}

/// Bijective mix of a 64-bit word (odd multipliers and a right xor-shift
/// are invertible): distinct words give distinct hashes.
#[inline(always)]
fn mix(x: u64) -> u64 {
    let x = x.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let x = x ^ (x >> 29);
    x.wrapping_mul(0xbf58_476d_1ce4_e5b9)
}

/// Bits of a table value (gazetteer flags, `G_CUE`, `G_PARTICLE`).
const VAL_BITS: u32 = 10;

/// Hash table from packed words (see [`pack`]) to flags, eight bytes a slot
/// so that a probe touches one cache line (usually).
///
/// A word's hash `h` is a bijection of the word (the hi half folded in first
/// for words of more than eight bytes, whose lo half is stored beside the
/// slot): its top `bits` bits pick the home slot, and the slot keeps the rest
/// of `h` (the remainder), the value, and one plus the distance from the home
/// slot. Home slot and remainder give back `h`, so the match is exact, no
/// fingerprint. Robin Hood insertion keeps distances short and ends a miss at
/// the first slot closer to its home (or empty: 0) than the probe.
struct Quot<const BITS: u32> {
    /// Per slot: remainder (bits `0..64 - bits`), value (next `VAL_BITS`),
    /// distance + 1 (top `bits - VAL_BITS`).
    slots: Box<[u64]>,
    /// For words of more than eight bytes: their lo halves, by slot.
    lo: Box<[u64]>,
}

impl<const BITS: u32> Quot<BITS> {
    fn build(entries: &[(u64, u64, u16)], long: bool) -> Self {
        let bits = BITS;
        // At most 3/4 full.
        assert!(
            entries.len() <= 3 << (bits - 2),
            "gazetteer table too small"
        );
        let dist_bits = bits - VAL_BITS;
        // The largest stored distance + 1 stays below the field's maximum, which
        // a probe reaches only to fail.
        let max_dist = (1u64 << dist_bits) - 3;
        let size = (1usize << bits) + max_dist as usize + 2;
        let rem_bits = 64 - bits;
        let mut slots = vec![0u64; size];
        let mut lo = vec![0u64; if long { size } else { 0 }];
        for &(l, h, v) in entries {
            assert!(u32::from(v) < 1 << VAL_BITS && v != 0);
            let (mut e, mut el) = (h & ((1 << rem_bits) - 1) | u64::from(v) << rem_bits, l);
            let mut s = (h >> rem_bits) as usize;
            let mut d = 0u64;
            loop {
                assert!(d <= max_dist, "gazetteer table too full");
                let cur = slots[s];
                let cur_d = cur >> (64 - dist_bits);
                if cur_d == 0 {
                    slots[s] = e | (d + 1) << (64 - dist_bits);
                    if long {
                        lo[s] = el;
                    }
                    break;
                }
                if cur_d < d + 1 {
                    // Robin Hood: the entry nearer its home moves on.
                    slots[s] = e | (d + 1) << (64 - dist_bits);
                    e = cur & !(u64::MAX << (64 - dist_bits));
                    d = cur_d - 1;
                    if long {
                        (lo[s], el) = (el, lo[s]);
                    }
                }
                s += 1;
                d += 1;
            }
        }
        Quot {
            slots: slots.into_boxed_slice(),
            lo: lo.into_boxed_slice(),
        }
    }

    /// The value stored for hash `h` (with lo half `l` when the table holds
    /// long words), or 0.
    #[inline(always)]
    fn get(&self, h: u64, l: Option<u64>) -> u16 {
        let rem_bits = 64 - BITS;
        let dist_shift = 64 - (BITS - VAL_BITS);
        let key_mask = !(((1u64 << VAL_BITS) - 1) << rem_bits);
        let mut want = (h & ((1 << rem_bits) - 1)) | 1 << dist_shift;
        let mut s = (h >> rem_bits) as usize;
        loop {
            let Some(&e) = self.slots.get(s) else {
                return 0;
            };
            if e & key_mask == want && l.is_none_or(|l| self.lo.get(s) == Some(&l)) {
                return ((e >> rem_bits) & ((1 << VAL_BITS) - 1)) as u16;
            }
            if e >> dist_shift < want >> dist_shift {
                return 0;
            }
            want = want.wrapping_add(1 << dist_shift);
            s += 1;
        }
    }

    #[cfg(test)]
    fn bytes(&self) -> usize {
        8 * (self.slots.len() + self.lo.len())
    }
}

/// Packed words (see [`pack`]) to flags: words of up to eight bytes in one
/// [`Quot`] table, longer ones in another.
struct Table {
    /// About 44,000 words of up to eight bytes (1 MiB).
    short: Quot<17>,
    /// About 9,200 longer words (256 KiB).
    long: Quot<14>,
}

impl Table {
    fn new(map: &HashMap<u128, u16, BuildHasherDefault<Fx>>) -> Self {
        let mut short = Vec::new();
        let mut long = Vec::new();
        for (&k, &v) in map {
            let (lo, hi) = (k as u64, (k >> 64) as u64);
            if hi == 0 {
                short.push((0, mix(lo), v));
            } else {
                long.push((lo, Self::long_hash(lo, hi), v));
            }
        }
        // Deterministic layout whatever the map's order.
        short.sort_unstable();
        long.sort_unstable();
        Table {
            short: Quot::build(&short, false),
            long: Quot::build(&long, true),
        }
    }

    /// A bijection of `hi` for each `lo`.
    #[inline(always)]
    fn long_hash(lo: u64, hi: u64) -> u64 {
        mix(hi ^ lo.wrapping_mul(0xd6e8_feb8_6659_fd93).rotate_left(32))
    }

    #[inline(always)]
    fn get(&self, k: u128) -> u16 {
        let (lo, hi) = (k as u64, (k >> 64) as u64);
        if hi == 0 {
            self.short.get(mix(lo), None)
        } else {
            self.long.get(Self::long_hash(lo, hi), Some(lo))
        }
    }

    #[cfg(test)]
    fn bytes(&self) -> usize {
        self.short.bytes() + self.long.bytes()
    }
}

/// Cue phrases (see `STRONG_CUES`) found by suffix: each phrase is compared
/// as one integer, and only phrases ending in the text's last two bytes are
/// tried.
struct Cues {
    list: &'static [&'static str],
    /// `before.ends_with(list[k])` iff `tail >> shift[k] == val[k]`.
    shift: Vec<u32>,
    val: Vec<u128>,
    /// Bit `k` set when `list[k]` ends in bytes that hash to the bucket.
    bucket: Box<[u64; 256]>,
}

impl Cues {
    fn bucket_of(last: u8, prev: u8) -> usize {
        usize::from(last.rotate_left(3) ^ prev)
    }

    fn new(list: &'static [&'static str]) -> Self {
        assert!(list.len() <= 64);
        let mut bucket = Box::new([0u64; 256]);
        let (mut shift, mut val) = (Vec::new(), Vec::new());
        for (k, c) in list.iter().enumerate() {
            let b = c.as_bytes();
            assert!(b.len() >= 2 && b.len() <= 16 && !b.contains(&0));
            shift.push(8 * (16 - b.len() as u32));
            val.push(pack(b).unwrap_or(0));
            bucket[Self::bucket_of(b[b.len() - 1], b[b.len() - 2])] |= 1 << k;
        }
        Cues {
            list,
            shift,
            val,
            bucket,
        }
    }

    /// The first phrase of the list that `b[..end]` ends with.
    #[inline]
    fn find(&self, b: &[u8], end: usize) -> Option<&'static str> {
        if end < 2 {
            return None;
        }
        let mut m = self.bucket[Self::bucket_of(b[end - 1], b[end - 2])];
        if m == 0 {
            return None;
        }
        let tail = tail_at(b, end);
        while m != 0 {
            let k = m.trailing_zeros() as usize;
            if tail >> self.shift[k] == self.val[k] {
                return Some(self.list[k]);
            }
            m &= m - 1;
        }
        None
    }
}

pub(crate) struct Names {
    /// Words of up to 16 bytes, packed (see [`pack`]): gazetteer and list
    /// flags in the low byte, `G_CUE` and `G_PARTICLE` above.
    short: Table,
    /// Longer words.
    map: HashMap<Box<str>, u8, BuildHasherDefault<Fx>>,
    strong: Cues,
    weak: Cues,
}

impl Names {
    pub fn load() -> Self {
        let mut map: HashMap<Box<str>, u8, BuildHasherDefault<Fx>> = HashMap::default();
        map.reserve(60_000);
        for (data, plain, amb) in [
            (FIRST_NAMES, G_FIRST, G_FIRST_AMB),
            (SURNAMES, G_SUR, G_SUR_AMB),
        ] {
            for line in data.lines() {
                let (w, flag) = match line.split_once('\t') {
                    Some((w, _)) => (w, amb),
                    None => (line, plain),
                };
                if !w.is_empty() {
                    *map.entry(w.into()).or_insert(0) |= flag;
                }
            }
        }
        for (list, flag) in [
            (STOP, G_STOP),
            (FREQUENT, G_FREQ),
            (PLACE_AFTER, G_PLACE),
            (STOP_EXTEND, G_STOPEXT),
        ] {
            for w in list {
                *map.entry((*w).into()).or_insert(0) |= flag;
            }
        }
        // Month names that are also first names need the cues of an ambiguous name.
        for w in ["jan", "april", "june", "august", "may"] {
            if let Some(f) = map.get_mut(w) {
                if *f & G_FIRST != 0 {
                    *f = (*f & !G_FIRST) | G_FIRST_AMB;
                }
            }
        }
        let mut packed: HashMap<u128, u16, BuildHasherDefault<Fx>> = HashMap::default();
        map.retain(|k, f| match pack(k.as_bytes()) {
            Some(p) => {
                packed.insert(p, u16::from(*f));
                false
            }
            None => true,
        });
        map.shrink_to_fit();
        let cue_words = STRONG_CUES
            .iter()
            .chain(WEAK_CUES)
            .filter_map(|c| c.split([' ', ',', '\n', ':']).rfind(|w| !w.is_empty()))
            .chain(TITLES.iter().map(|t| t.trim_end_matches('.')));
        for w in cue_words {
            // Looked up by packed key only (see `cue_possible` in `run`).
            let p = pack(w.as_bytes()).expect("cue words are short");
            *packed.entry(p).or_insert(0) |= G_CUE;
        }
        for w in PARTICLES {
            let p = pack(w.as_bytes()).expect("particles are short");
            *packed.entry(p).or_insert(0) |= G_PARTICLE;
        }
        let short = Table::new(&packed);
        Names {
            short,
            map,
            strong: Cues::new(STRONG_CUES),
            weak: Cues::new(WEAK_CUES),
        }
    }

    /// The flags of a lower-cased word.
    fn get(&self, key: &str) -> u8 {
        match pack(key.as_bytes()) {
            Some(p) => self.short.get(p) as u8,
            None => self.map.get(key).copied().unwrap_or(0),
        }
    }

    pub(crate) fn lookup(&self, word: &str) -> u8 {
        if word.len() > 40 || word.len() < 2 {
            return 0;
        }
        let mut buf = [0u8; 40];
        let key: std::borrow::Cow<'_, str> = if word.is_ascii() {
            let n = word.len();
            buf[..n].copy_from_slice(word.as_bytes());
            buf[..n].make_ascii_lowercase();
            match std::str::from_utf8(&buf[..n]) {
                Ok(s) => std::borrow::Cow::Borrowed(s),
                Err(_) => return 0,
            }
        } else {
            std::borrow::Cow::Owned(word.to_lowercase())
        };
        let mut f = self.get(&key);
        if f == 0 && key.contains('-') {
            // Double-barrelled: a name when every part is one.
            let parts: Vec<u8> = key.split('-').map(|p| self.get(p)).collect();
            if parts.iter().all(|p| p & (G_FIRST | G_FIRST_AMB) != 0) {
                f = G_FIRST;
            } else if parts
                .iter()
                .all(|p| p & (G_SUR | G_FIRST | G_SUR_AMB | G_FIRST_AMB) != 0)
            {
                f = G_SUR;
            }
        }
        f
    }

    /// The table value of token `t` as written in `doc.lower` (0 when longer
    /// than 16 bytes), and its `lookup` flags; the common case (an ASCII word
    /// of up to 16 bytes) costs one probe.
    #[inline(always)]
    fn probe(&self, doc: &Doc<'_>, t: Tok) -> (u16, u8) {
        let len = t.be - t.bs;
        if len <= 16 {
            let k = key_at(doc.lower.as_bytes(), t.bs, t.be);
            let v = self.short.get(k);
            if len < 2 {
                return (v, 0);
            }
            if k & HIGH_BITS == 0 && (v & 0xff != 0 || !has_hyphen(k)) {
                return (v, v as u8);
            }
            (v, self.lookup_slow(doc, t))
        } else {
            (0, self.lookup_slow(doc, t))
        }
    }

    #[inline(never)]
    fn lookup_slow(&self, doc: &Doc<'_>, t: Tok) -> u8 {
        self.lookup(&doc.text[t.bs..t.be])
    }

    /// `lookup` of token `t`.
    #[inline(always)]
    fn lookup_tok(&self, doc: &Doc<'_>, t: Tok) -> u8 {
        self.probe(doc, t).1
    }

    /// The `G_CUE`/`G_PARTICLE` flags of token `t` as written in `doc.lower`.
    #[inline(always)]
    fn marks_tok(&self, doc: &Doc<'_>, t: Tok) -> u16 {
        if t.be - t.bs > 16 {
            return 0;
        }
        self.short.get(key_at(doc.lower.as_bytes(), t.bs, t.be)) & (G_CUE | G_PARTICLE)
    }

    /// `gazetteer == false` keeps only the capitalisation and context cues.
    #[inline(never)]
    pub fn run(&self, doc: &Doc<'_>, toks: &[Tok], gazetteer: bool, out: &mut Vec<Cand>) {
        let mask = if gazetteer { 0xff } else { G_LISTS };
        let text = doc.text;
        let lb = doc.lower.as_bytes();
        // Lines where (almost) nothing is capitalised come from speech-to-text:
        // names there are lower case too. Computed one line at a time.
        let (mut line_end, mut line_lower) = (0, false);
        let mut i = 0;
        while i < toks.len() {
            let t = toks[i];
            if t.flags & T_ALPHA == 0 {
                i += 1;
                continue;
            }
            while line_end <= i {
                (line_end, line_lower) = line_mode(text.as_bytes(), toks, line_end);
            }
            let lmode = line_lower;
            // Outside transcripts only capitalised words can start a name.
            if !lmode && t.flags & T_CAP == 0 {
                i += 1;
                continue;
            }
            let g = self.lookup_tok(doc, t) & mask;
            if g & (G_STOP | G_PLACE) != 0 {
                i += 1;
                continue;
            }
            // Codes such as "CAS-1234567" or "cas-1234567".
            let nb = text.as_bytes().get(t.be).copied().unwrap_or(b' ');
            if nb == b'-'
                && text
                    .as_bytes()
                    .get(t.be + 1)
                    .is_some_and(u8::is_ascii_digit)
                || nb.is_ascii_digit()
            {
                i += 1;
                continue;
            }
            // "JOHN SMITH" in a signature or header: an all-capitals first name
            // from the gazetteer followed by an all-capitals surname.
            if t.flags & T_UPPER != 0
                && multi_char(text.as_bytes(), t)
                && g & (G_FIRST | G_FIRST_AMB) != 0
            {
                if let Some(&n) = toks.get(i + 1) {
                    if n.bs == t.be + 1
                        && text.as_bytes()[t.be] == b' '
                        && n.flags & T_UPPER != 0
                        && n.flags & T_ALPHA != 0
                        && multi_char(text.as_bytes(), n)
                        && {
                            let ng = self.lookup_tok(doc, n) & mask;
                            // At least one of the two must be unambiguously a name.
                            ng & (G_SUR | G_SUR_AMB) != 0 && (ng & G_SUR != 0 || g & G_FIRST != 0)
                        }
                    {
                        out.push(Cand::new(
                            t.bs,
                            n.be,
                            EntityType::Person,
                            0.75,
                            "first name and surname in capitals (gazetteer)",
                        ));
                        i += 2;
                        continue;
                    }
                }
            }
            if lmode && t.flags & T_UPPER != 0 && multi_char(text.as_bytes(), t) {
                i += 1;
                continue;
            }
            let cap =
                t.flags & T_CAP != 0 && !(t.flags & T_UPPER != 0 && multi_char(text.as_bytes(), t));
            if !lmode && !cap {
                i += 1;
                continue;
            }
            if g & (G_FIRST | G_FIRST_AMB | G_SUR | G_SUR_AMB) == 0 && !cap {
                i += 1;
                continue;
            }
            // Cues end with the previous word: look them up only when that word
            // could end one (most words cannot).
            let cue_possible = i > 0 && {
                let p = toks[i - 1];
                let gap = &lb[p.be..t.bs];
                gap.len() <= 3 && (gap == b", " || self.marks_tok(doc, p) & G_CUE != 0)
            };
            let (title, strong, weak) = if cue_possible {
                (
                    prev_is_title(lb, t.bs),
                    self.strong.find(lb, t.bs),
                    self.weak.find(lb, t.bs),
                )
            } else {
                (None, None, None)
            };
            let first = g & G_FIRST != 0;
            let first_amb = g & G_FIRST_AMB != 0;
            let sur = g & (G_SUR | G_SUR_AMB) != 0;
            let sent_start = sentence_start(text.as_bytes(), t.bs);
            // Would the next word continue a name?
            let next_ext = self.extension(doc, toks, i, lmode, mask);
            let (score, why): (f32, &'static str) = if title.is_some() && (cap || lmode) {
                (0.9, "word after a title (Mr, Ms, Dr ...)")
            } else if first && !sent_start && cap {
                (0.8, "capitalised first name (gazetteer)")
            } else if first && cap {
                (
                    if next_ext > i + 1 || strong.is_some() || weak.is_some() {
                        0.8
                    } else {
                        0.65
                    },
                    "capitalised first name (gazetteer)",
                )
            } else if first && lmode && text[t.bs..t.be].chars().count() >= 3 {
                (
                    if strong.is_some() || weak.is_some() {
                        0.8
                    } else {
                        0.65
                    },
                    "first name in lower-case transcript (gazetteer)",
                )
            } else if first_amb
                && (strong.is_some()
                    || weak.is_some_and(|w| !GENERIC_CUES.contains(&w))
                    || (cap && next_ext > i + 1 && !sent_start))
            {
                (0.75, "first name that is also a common word, with a cue")
            } else if first_amb
                && lmode
                && next_ext > i + 1
                && self.lookup_tok(doc, toks[next_ext - 1]) & mask & G_SUR != 0
            {
                (
                    0.75,
                    "first name and surname in lower-case transcript (gazetteer)",
                )
            } else if first_amb
                && cap
                && next_ext > i + 1
                && self.lookup_tok(doc, toks[next_ext - 1]) & mask & (G_SUR | G_SUR_AMB) != 0
            {
                (
                    0.7,
                    "first name that is also a common word, before a surname",
                )
            } else if first_amb && cap && !sent_start {
                (
                    0.45,
                    "capitalised first name that is also a common word, no cue",
                )
            } else if strong.is_some() && (cap || (lmode && (sur || first_amb))) {
                (0.8, "word after a naming phrase")
            } else if sur && cap && strong.is_some() {
                (0.8, "surname after a naming phrase")
            } else {
                i += 1;
                continue;
            };
            // Places and organisations: "our Austin depot", "Victoria Road".
            if let Some(&n) = toks.get(i + 1) {
                if n.bs == t.be + 1 && self.lookup_tok(doc, n) & G_PLACE != 0 {
                    i += 1;
                    continue;
                }
            }
            let last = next_ext;
            let end = toks[last - 1].be;
            let mut c = Cand::new(
                t.bs,
                end,
                EntityType::Person,
                score + if last > i + 1 { 0.1 } else { 0.0 },
                why,
            );
            c.cue = title.or(strong).or(weak);
            out.push(c);
            i = last;
        }
    }

    /// Index one past the last token of a name starting at token `i`.
    fn extension(&self, doc: &Doc<'_>, toks: &[Tok], i: usize, lmode: bool, mask: u8) -> usize {
        let text = doc.text;
        let mut j = i + 1;
        let mut last = i + 1;
        while j < toks.len() && j < i + 5 {
            let prev = toks[j - 1];
            let t = toks[j];
            let gap = &text.as_bytes()[prev.be..t.bs];
            let initial_gap = gap == b". " && prev.be - prev.bs == 1;
            if !(gap == b" " || initial_gap) || t.flags & T_ALPHA == 0 {
                break;
            }
            // A word said twice ("grace grace kowalczyk") starts a new name.
            if text.as_bytes()[prev.bs..prev.be].eq_ignore_ascii_case(&text.as_bytes()[t.bs..t.be])
            {
                break;
            }
            let (v, g) = self.probe(doc, t);
            if v & G_PARTICLE != 0 {
                j += 1;
                continue;
            }
            let g = g & mask;
            if g & (G_STOP | G_STOPEXT) != 0 {
                break;
            }
            // A single capital counts only as an initial ("John F. Kennedy").
            let initial_ok = t.be - t.bs > 1 || text.as_bytes().get(t.be) == Some(&b'.');
            let cap = initial_ok
                && t.flags & T_CAP != 0
                && t.flags & T_LOWER == 0
                && !(t.flags & T_UPPER != 0 && t.be - t.bs > 1);
            // A capitalised name continues with capitalised words only.
            let first_cap = toks[i].flags & T_CAP != 0;
            let ok = if lmode && !first_cap && t.flags & T_LOWER != 0 {
                g & (G_SUR | G_FIRST) != 0 || (g & G_SUR_AMB != 0 && g & G_FREQ == 0)
            } else {
                cap
            };
            if !ok {
                break;
            }
            j += 1;
            last = j;
        }
        last
    }
}

/// Does token `t` hold more than one character?
#[inline]
fn multi_char(b: &[u8], t: Tok) -> bool {
    let first = match b[t.bs] {
        0..=0x7f => 1,
        0x80..=0xdf => 2,
        0xe0..=0xef => 3,
        _ => 4,
    };
    t.be - t.bs > first
}

/// Is the word before the spaces that end `b[..end]` a title ("Mr", "dr.")?
fn prev_is_title(b: &[u8], end: usize) -> Option<&'static str> {
    let mut e = end;
    while e > 0 && b[e - 1] == b' ' {
        e -= 1;
    }
    if e == end {
        return None;
    }
    let mut s = e;
    while s > 0 && !matches!(b[s - 1], b' ' | b'\n' | b',' | b'(' | b'"') {
        if e - s >= 5 {
            return None; // longer than any title
        }
        s -= 1;
    }
    let w = &b[s..e];
    TITLES
        .iter()
        .find(|t| t.as_bytes() == w)
        .map(|_| "after a title")
}

fn sentence_start(b: &[u8], bs: usize) -> bool {
    let mut e = bs;
    while e > 0 && matches!(b[e - 1], b' ' | b'\t' | b'"' | b'\'' | b'[' | b'(') {
        e -= 1;
    }
    match e.checked_sub(1) {
        None => true,
        Some(p) => matches!(b[p], b'.' | b'!' | b'?' | b':' | b'\n' | b']' | b'>' | b'-'),
    }
}

/// The tokens from `i` to the end of its line: one past the last of them, and
/// whether the line is written without capitals.
fn line_mode(b: &[u8], toks: &[Tok], i: usize) -> (usize, bool) {
    let bs = toks[i].bs;
    let line_start = memchr::memrchr(b'\n', &b[..bs]).map(|p| p + 1).unwrap_or(0);
    let line_end = memchr::memchr(b'\n', &b[bs..])
        .map(|p| p + bs)
        .unwrap_or(b.len());
    // Skip a speaker label ("Agent:", "Speaker 1:", "[00:01:02] CALLER:").
    let head = &b[line_start..line_end];
    let label_end = memchr::memrchr(b':', &head[..head.len().min(40)])
        .filter(|&p| b.get(line_start + p + 1) == Some(&b' '))
        .map(|p| line_start + p + 1)
        .unwrap_or(line_start);
    // Bit `f` set: a token with flags `f` counts as capitalised (letters,
    // first upper case, not all capitals).
    const CAPITALISED: u32 = {
        let mut m = 0u32;
        let mut f = 0;
        while f < 32 {
            if f & T_ALPHA != 0 && f & (T_CAP | T_UPPER) == T_CAP {
                m |= 1 << f;
            }
            f += 1;
        }
        m
    };
    let mut j = i;
    // Tokens in the speaker label are not counted.
    while j < toks.len() && toks[j].bs < label_end.min(line_end) {
        j += 1;
    }
    let (mut caps, mut total) = (0u32, 0u32);
    for t in &toks[j..] {
        if t.bs >= line_end {
            break;
        }
        let f = u32::from(t.flags & 31);
        total += f & u32::from(T_ALPHA);
        caps += (CAPITALISED >> f) & 1;
        j += 1;
    }
    (j.max(i + 1), total >= 2 && caps * 10 <= total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(text: &str) -> Vec<String> {
        let d = crate::Detector::new();
        d.detect(text, None)
            .into_iter()
            .filter(|s| s.entity_type == EntityType::Person)
            .map(|s| text[s.bstart..s.bend].to_string())
            .collect()
    }

    #[test]
    fn gazetteer_and_cues() {
        let cases: &[(&str, &[&str])] = &[
            ("Good morning, you're speaking with Oliver.", &["Oliver"]),
            ("I spoke to Zoë Kowalski on Monday.", &["Zoë Kowalski"]),
            ("Dear Mr Ó Súilleabháin,", &["Ó Súilleabháin"]),
            (
                "Kind regards,\nBartłomiej Wiśniewski\n",
                &["Bartłomiej Wiśniewski"],
            ),
            ("customer: yes its sarah connor", &["sarah connor"]),
            ("It arrived at our Austin depot on Friday.", &[]),
            ("Thank you for calling Harbour Bank.", &[]),
            ("Please send it to 12 Victoria Road, Leeds, LS1 4AB.", &[]),
            (
                "The Jordan River. John F. Kennedy said hi.",
                &["John F. Kennedy"],
            ),
            ("Cust called re Sky Q box, your bill is due", &[]),
            ("Bill Gates is not our customer.", &["Bill Gates"]),
            ("Hello, I'm Grace from Orbit Mobile.", &["Grace"]),
        ];
        for (text, want) in cases {
            assert_eq!(names_in(text), *want, "{text:?}");
        }
    }

    /// The tokenizer before the byte-class rewrite.
    fn tokenize_reference(text: &str) -> Vec<Tok> {
        fn next_letter(text: &str, i: usize) -> bool {
            text.get(i..)
                .and_then(|s| s.chars().next())
                .is_some_and(char::is_alphabetic)
        }
        let mut toks = Vec::new();
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            if c < 0x80 && !c.is_ascii_alphanumeric() {
                i += 1;
                continue;
            }
            let ch = text[i..].chars().next().unwrap_or(' ');
            if !ch.is_alphanumeric() {
                i += ch.len_utf8();
                continue;
            }
            let bs = i;
            let (mut alpha, mut digit, mut has_up, mut has_low) = (false, false, false, false);
            let first_up = ch.is_uppercase();
            while i < b.len() {
                let c = b[i];
                if c < 0x80 {
                    if c.is_ascii_lowercase() {
                        alpha = true;
                        has_low = true;
                        i += 1;
                    } else if c.is_ascii_uppercase() {
                        alpha = true;
                        has_up = true;
                        i += 1;
                    } else if c.is_ascii_digit() {
                        digit = true;
                        i += 1;
                    } else if (c == b'\'' || c == b'-')
                        && alpha
                        && !digit
                        && next_letter(text, i + 1)
                    {
                        i += 1;
                    } else {
                        break;
                    }
                } else {
                    let ch = text[i..].chars().next().unwrap_or(' ');
                    if ch.is_alphabetic() {
                        alpha = true;
                        has_up |= ch.is_uppercase();
                        has_low |= ch.is_lowercase();
                    } else if ch.is_numeric() {
                        digit = true;
                    } else if ch == '’' && alpha && next_letter(text, i + ch.len_utf8()) {
                    } else {
                        break;
                    }
                    i += ch.len_utf8();
                }
            }
            let mut flags = 0;
            if alpha && !digit {
                flags |= T_ALPHA;
            }
            if digit && !alpha {
                flags |= T_DIGIT;
            }
            if first_up {
                flags |= T_CAP;
            }
            if !has_low {
                flags |= T_UPPER;
            }
            if !has_up {
                flags |= T_LOWER;
            }
            toks.push(Tok { bs, be: i, flags });
        }
        toks
    }

    /// Pseudo-random texts over an alphabet with every kind of byte the
    /// tokenizer and the cue look-ups treat specially.
    fn random_texts() -> Vec<String> {
        const PARTS: &[&str] = &[
            "a",
            "b",
            "z",
            "A",
            "M",
            "Z",
            "0",
            "7",
            "9",
            " ",
            " ",
            " ",
            "  ",
            ",",
            ", ",
            ".",
            ". ",
            "\n",
            "\t",
            "'",
            "-",
            "’",
            ":",
            ": ",
            "\"",
            "(",
            "[",
            "@",
            "`",
            "{",
            "é",
            "É",
            "ß",
            "Ó",
            "ó",
            "ø",
            "中",
            "٣",
            "Ⅻ",
            "ǅ",
            "\u{212A}",
            "😀",
            "\u{a0}",
            "mr",
            "Mr. ",
            "dear ",
            "my name is ",
            "thanks,\n",
            "it's ",
            "hi ",
            "john",
            "Smith",
            "van ",
            "JOHN ",
            "ó ",
            "speaking with ",
            "sure, it's ",
            "thank you, ",
            "sarah",
            "Austin",
            "depot",
            "o'brien",
            "smith-jones",
            "agent: ",
            "Speaker 1: ",
            "customer",
            "abcdefghijklmnopq",
            "CAS-12",
            "Zoë",
            "Bartłomiej",
            "yes ",
            "is ",
            "to ",
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmn",
            "                                                                 ",
            "don't ",
            "x-9 ",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        (0..3000)
            .map(|_| {
                let n = (next() % 150) as usize;
                (0..n)
                    .map(|_| PARTS[(next() % PARTS.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn table_matches_hash_map() {
        // Random words of 1..=16 non-zero bytes with random values, against a
        // `HashMap` holding the same.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let word = |next: &mut dyn FnMut() -> u64, max: u64| {
            let len = 1 + (next() % max) as usize;
            let mut w = [0u8; 16];
            for c in &mut w[..len] {
                // A small alphabet so that words share prefixes.
                *c = b"aeinrst'-\xc3\xa9"[(next() % 11) as usize];
            }
            u128::from_le_bytes(w)
        };
        let mut map: HashMap<u128, u16, BuildHasherDefault<Fx>> = HashMap::default();
        while map.len() < 40_000 {
            let k = word(&mut next, 8);
            map.insert(k, 1 + (next() % 1023) as u16);
        }
        while map.len() < 48_000 {
            let k = word(&mut next, 16);
            map.insert(k, 1 + (next() % 1023) as u16);
        }
        let table = Table::new(&map);
        for (&k, &v) in &map {
            assert_eq!(table.get(k), v, "{k:x}");
        }
        for _ in 0..200_000 {
            let k = word(&mut next, 16);
            assert_eq!(table.get(k), map.get(&k).copied().unwrap_or(0), "{k:x}");
            // Neighbours of stored words: one byte changed or dropped.
            let (&s, _) = map.iter().nth((next() % 64) as usize).unwrap_or((&1, &0));
            for k in [s ^ 1, s ^ (1 << 70), s >> 8, s & (u128::MAX >> 8)] {
                assert_eq!(table.get(k), map.get(&k).copied().unwrap_or(0), "{k:x}");
            }
        }
        // Every word of the gazetteers and lists is found with its flags.
        let names = Names::load();
        for (data, flags) in [
            (FIRST_NAMES, G_FIRST | G_FIRST_AMB),
            (SURNAMES, G_SUR | G_SUR_AMB),
        ] {
            for line in data.lines() {
                let w = line.split('\t').next().unwrap_or("");
                if let Some(k) = pack(w.as_bytes()) {
                    assert!(names.short.get(k) & u16::from(flags) != 0, "{w}");
                }
            }
        }
        for (list, flag) in [(STOP, G_STOP), (FREQUENT, G_FREQ), (PLACE_AFTER, G_PLACE)] {
            for w in list {
                assert!(names.get(w) & flag != 0, "{w}");
            }
        }
        assert!(names.short.bytes() < 1_400_000, "{}", names.short.bytes());
    }

    #[test]
    fn tokenize_matches_reference() {
        for text in random_texts() {
            let got: Vec<_> = tokenize(&text)
                .iter()
                .map(|t| (t.bs, t.be, t.flags))
                .collect();
            let want: Vec<_> = tokenize_reference(&text)
                .iter()
                .map(|t| (t.bs, t.be, t.flags))
                .collect();
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn fast_lookups_match_slow_ones() {
        let names = Names::load();
        for text in random_texts() {
            let lower = text.to_ascii_lowercase();
            let doc = Doc {
                text: &text,
                lower: lower.clone(),
            };
            let toks = tokenize(&text);
            for (i, &t) in toks.iter().enumerate() {
                let w = &lower[t.bs..t.be];
                assert_eq!(
                    multi_char(text.as_bytes(), t),
                    text[t.bs..t.be].chars().nth(1).is_some()
                );
                assert_eq!(
                    names.lookup_tok(&doc, t),
                    names.lookup(&text[t.bs..t.be]),
                    "{w:?}"
                );
                assert_eq!(
                    names.marks_tok(&doc, t) & G_PARTICLE != 0,
                    PARTICLES.contains(&w),
                    "{w:?}"
                );
                let cue_word = STRONG_CUES
                    .iter()
                    .chain(WEAK_CUES)
                    .filter_map(|c| c.split([' ', ',', '\n', ':']).rfind(|w| !w.is_empty()))
                    .chain(TITLES.iter().map(|t| t.trim_end_matches('.')))
                    .any(|c| c == w);
                assert_eq!(names.marks_tok(&doc, t) & G_CUE != 0, cue_word, "{w:?}");
                let before = &lower[..t.bs];
                assert_eq!(
                    names.strong.find(lower.as_bytes(), t.bs),
                    STRONG_CUES.iter().find(|c| before.ends_with(*c)).copied(),
                    "{before:?}"
                );
                assert_eq!(
                    names.weak.find(lower.as_bytes(), t.bs),
                    WEAK_CUES.iter().find(|c| before.ends_with(*c)).copied(),
                    "{before:?}"
                );
                let title = {
                    let b = before.trim_end_matches(' ');
                    let w = b.rsplit([' ', '\n', ',', '(', '"']).next().unwrap_or("");
                    b.len() != before.len() && TITLES.contains(&w)
                };
                assert_eq!(
                    prev_is_title(lower.as_bytes(), t.bs).is_some(),
                    title,
                    "{before:?}"
                );
                let sent = {
                    let b = text[..t.bs].trim_end_matches([' ', '\t', '"', '\'', '[', '(']);
                    b.as_bytes().last().is_none_or(|b| {
                        matches!(b, b'.' | b'!' | b'?' | b':' | b'\n' | b']' | b'>' | b'-')
                    })
                };
                assert_eq!(sentence_start(text.as_bytes(), t.bs), sent, "{text:?} {i}");
            }
        }
    }

    #[test]
    fn line_modes_match_reference() {
        // The per-token modes before they were computed line by line.
        fn reference(text: &str, toks: &[Tok]) -> Vec<bool> {
            let mut modes = vec![false; toks.len()];
            let b = text.as_bytes();
            let mut i = 0;
            while i < toks.len() {
                let line_start = memchr::memrchr(b'\n', &b[..toks[i].bs])
                    .map(|p| p + 1)
                    .unwrap_or(0);
                let line_end = memchr::memchr(b'\n', &b[toks[i].bs..])
                    .map(|p| p + toks[i].bs)
                    .unwrap_or(b.len());
                let label_end = b[line_start..line_end]
                    .iter()
                    .take(40)
                    .rposition(|&c| c == b':')
                    .filter(|&p| b.get(line_start + p + 1) == Some(&b' '))
                    .map(|p| line_start + p + 1)
                    .unwrap_or(line_start);
                let mut j = i;
                let (mut caps, mut total) = (0, 0);
                while j < toks.len() && toks[j].bs < line_end {
                    let t = toks[j];
                    if t.bs >= label_end && t.flags & T_ALPHA != 0 {
                        total += 1;
                        if t.flags & T_CAP != 0 && t.flags & T_UPPER == 0 {
                            caps += 1;
                        }
                    }
                    j += 1;
                }
                let lower = total >= 2 && caps * 10 <= total;
                for m in modes.iter_mut().take(j).skip(i) {
                    *m = lower;
                }
                i = j.max(i + 1);
            }
            modes
        }
        let mut texts = random_texts();
        texts.push("Agent: hello there\ncustomer: yes its sarah connor\nAgent: OK".into());
        texts.push("[00:01:02] CALLER: my name is john smith and i live here\n".into());
        for text in texts {
            let toks = tokenize(&text);
            let want = reference(&text, &toks);
            let (mut end, mut mode) = (0, false);
            for (i, w) in want.iter().enumerate() {
                while end <= i {
                    (end, mode) = line_mode(text.as_bytes(), &toks, end);
                }
                assert_eq!(mode, *w, "{text:?} {i}");
            }
        }
    }

    #[test]
    fn tokens_keep_inner_apostrophes() {
        let t = tokenize("O'Brien and Smith-Jones, it’s 12");
        let words: Vec<_> = t
            .iter()
            .map(|t| &"O'Brien and Smith-Jones, it’s 12"[t.bs..t.be])
            .collect();
        assert_eq!(words, ["O'Brien", "and", "Smith-Jones", "it’s", "12"]);
    }
}
