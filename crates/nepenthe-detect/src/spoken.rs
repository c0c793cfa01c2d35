//! Speech-to-text forms: numbers read out digit by digit ("oh seven seven
//! double oh nine ..."), e-mail addresses spelt with "dot" and "at", and
//! dates in words (parsed in `patterns::all_dates` with the helpers below).

use crate::names::{Tok, T_ALPHA, T_DIGIT, T_LOWER};
use crate::patterns::{ctx_before, valid_phone, Patterns, ORDINAL_WORDS, TENS_WORDS, UNIT_WORDS};
use crate::{validate, Cand, DetectorConfig, Doc, EntityType};
use memchr::memmem::Finder;
use std::sync::OnceLock;

/// Packs a word of at most 7 bytes and its length into a `u64` (one-to-one),
/// so a word is classified by one integer `match` instead of string
/// comparisons.
const fn key(w: &[u8]) -> u64 {
    let mut v = (w.len() as u64) << 56;
    let mut k = 0;
    while k < w.len() {
        v |= (w[k] as u64) << (8 * k);
        k += 1;
    }
    v
}

/// What one token means inside a number read out word by word.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum NumTok {
    /// Not part of a spoken number.
    Other,
    /// A token of digits.
    Digits,
    /// "zero" ... "nine" (and "oh", "o", "nought", "nil"): the ASCII digit.
    Word(u8),
    /// "double" (2) or "triple" (3): repeats the next digit word.
    Mult(u8),
    /// "plus": only meaningful as the first token.
    Plus,
}

/// The words of a number read out, with their classes.
const NUM_WORDS: [(&[u8], NumTok); 17] = [
    (b"zero", NumTok::Word(b'0')),
    (b"oh", NumTok::Word(b'0')),
    (b"o", NumTok::Word(b'0')),
    (b"nought", NumTok::Word(b'0')),
    (b"nil", NumTok::Word(b'0')),
    (b"one", NumTok::Word(b'1')),
    (b"two", NumTok::Word(b'2')),
    (b"three", NumTok::Word(b'3')),
    (b"four", NumTok::Word(b'4')),
    (b"five", NumTok::Word(b'5')),
    (b"six", NumTok::Word(b'6')),
    (b"seven", NumTok::Word(b'7')),
    (b"eight", NumTok::Word(b'8')),
    (b"nine", NumTok::Word(b'9')),
    (b"double", NumTok::Mult(2)),
    (b"triple", NumTok::Mult(3)),
    (b"plus", NumTok::Plus),
];

/// For each first byte, bit `n` is set when a word of `NUM_WORDS` of `n`
/// bytes starts with it (all bits for a digit: a token of digits of any
/// length): most tokens are ruled out by one table look-up, with bit 7 for
/// every length over 6.
static NUM_LENS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = 0xFF;
        d += 1;
    }
    let mut k = 0;
    while k < NUM_WORDS.len() {
        let w = NUM_WORDS[k].0;
        t[w[0] as usize] |= 1 << w.len();
        k += 1;
    }
    t
};

/// Classifies a letters-only token by its lower-case text `lower[bs..be]`.
#[inline(always)]
fn num_word(lower: &[u8], bs: usize, be: usize) -> NumTok {
    const ZERO: u64 = key(b"zero");
    const OH: u64 = key(b"oh");
    const O: u64 = key(b"o");
    const NOUGHT: u64 = key(b"nought");
    const NIL: u64 = key(b"nil");
    const ONE: u64 = key(b"one");
    const TWO: u64 = key(b"two");
    const THREE: u64 = key(b"three");
    const FOUR: u64 = key(b"four");
    const FIVE: u64 = key(b"five");
    const SIX: u64 = key(b"six");
    const SEVEN: u64 = key(b"seven");
    const EIGHT: u64 = key(b"eight");
    const NINE: u64 = key(b"nine");
    const DOUBLE: u64 = key(b"double");
    const TRIPLE: u64 = key(b"triple");
    const PLUS: u64 = key(b"plus");
    let len = be - bs;
    if len > 6 {
        return NumTok::Other;
    }
    // One 8-byte load and a mask instead of a byte loop (same value as `key`).
    let k = match lower.get(bs..bs + 8) {
        Some(b) => {
            let v = u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
            (v & ((1u64 << (8 * len)) - 1)) | ((len as u64) << 56)
        }
        None => key(&lower[bs..be]),
    };
    match k {
        ZERO | OH | O | NOUGHT | NIL => NumTok::Word(b'0'),
        ONE => NumTok::Word(b'1'),
        TWO => NumTok::Word(b'2'),
        THREE => NumTok::Word(b'3'),
        FOUR => NumTok::Word(b'4'),
        FIVE => NumTok::Word(b'5'),
        SIX => NumTok::Word(b'6'),
        SEVEN => NumTok::Word(b'7'),
        EIGHT => NumTok::Word(b'8'),
        NINE => NumTok::Word(b'9'),
        DOUBLE => NumTok::Mult(2),
        TRIPLE => NumTok::Mult(3),
        PLUS => NumTok::Plus,
        _ => NumTok::Other,
    }
}

/// The class of a token inside a run.
#[inline(always)]
fn num_tok(t: Tok, lower: &[u8]) -> NumTok {
    if t.flags & T_DIGIT != 0 {
        NumTok::Digits
    } else if t.flags & T_ALPHA != 0 {
        num_word(lower, t.bs, t.be)
    } else {
        NumTok::Other
    }
}

/// 0-19 and the tens in words ("oh", "zero", "one" ... "nineteen", "twenty" ... "ninety").
fn small_number(w: &str) -> Option<u32> {
    if matches!(w, "oh" | "zero") {
        return Some(0);
    }
    if let Some(k) = UNIT_WORDS.iter().position(|u| *u == w) {
        return Some(k as u32 + 1);
    }
    TENS_WORDS
        .iter()
        .position(|t| *t == w)
        .map(|k| 20 + 10 * k as u32)
}

/// "third" -> 3, "twenty first" -> 21.
pub(crate) fn ordinal_value(s: &str) -> Option<u32> {
    let mut total = 0;
    for w in s.split([' ', '-']).filter(|w| !w.is_empty()) {
        if let Some(p) = ORDINAL_WORDS.iter().position(|o| *o == w) {
            total += p as u32 + 1;
        } else if w == "thirtieth" {
            total += 30;
        } else if w == "twenty" {
            total += 20;
        } else if w == "thirty" {
            total += 30;
        } else {
            return None;
        }
    }
    (total > 0).then_some(total)
}

/// "nineteen eighty four" -> 1984, "nineteen oh five" -> 1905, "two thousand and three" -> 2003.
pub(crate) fn year_value(s: &str) -> Option<u32> {
    let words: Vec<&str> = s
        .split([' ', '-'])
        .filter(|w| !w.is_empty() && *w != "and")
        .collect();
    if words.len() >= 2 && words[0] == "two" && words[1] == "thousand" {
        let rest: u32 = words[2..]
            .iter()
            .map(|w| small_number(w))
            .sum::<Option<u32>>()?;
        return (rest < 100).then_some(2000 + rest);
    }
    let century = small_number(words.first()?)?;
    if !(19..=20).contains(&century) {
        return None;
    }
    let rest = &words[1..];
    let tail: u32 = match rest {
        [] => return None,
        ["hundred"] => 0,
        ["oh", d] => small_number(d)?,
        _ => rest.iter().map(|w| small_number(w)).sum::<Option<u32>>()?,
    };
    (tail < 100).then_some(century * 100 + tail)
}

/// Words that never belong to a street name said in a transcript.
const NOT_STREET_WORDS: &[&str] = &[
    "the", "a", "an", "of", "on", "to", "in", "my", "your", "our", "this", "that", "is", "was",
    "it", "and", "for", "at", "by", "with", "down", "up", "along", "across", "over", "via", "more",
    "days", "weeks", "months", "years", "times", "minutes", "hours", "pounds", "dollars", "way",
    "lane", "road", "street", "one", "two", "three", "four", "five", "six", "seven", "eight",
    "nine", "ten", "or", "i",
];

#[inline(never)]
pub(crate) fn run(
    doc: &Doc<'_>,
    toks: &[Tok],
    pats: &Patterns,
    _cfg: &DetectorConfig,
    out: &mut Vec<Cand>,
) {
    let lower = doc.lower.as_bytes();
    let Prescan {
        numbers,
        street: first_street,
        letters,
        nino,
    } = prescan(toks, doc.text.as_bytes(), lower);
    let mut zips = Vec::new();
    if numbers {
        spoken_numbers(doc, toks, &mut zips, out);
    }
    let post = postcodes(doc, pats, out);
    if let Some(k) = first_street {
        streets(doc, &toks[k..], pats, out);
    }
    emails(doc, pats, out);
    spelled(doc, toks, post, letters, nino, &zips, out);
}

/// One pass over the tokens for two gates: whether the text holds three
/// digit words (`spoken_numbers` reports only runs with three), and the first
/// token where a match of `spoken_street` that `streets` may report may end
/// (`street_end_at`). Both are supersets.
#[inline(never)]
fn prescan(toks: &[Tok], text: &[u8], lower: &[u8]) -> Prescan {
    let mut words = 0;
    let mut numbers = false;
    let mut street = None;
    // `G_LETTERS` and `G_NINO` (see `spelt_gates`).
    let mut gates = 0u8;
    // The first NINO cue word.
    let mut nino = usize::MAX;
    for (k, &t) in toks.iter().enumerate() {
        // The byte after a one-byte token is that token's `b1`.
        let (b0, b1) = match &lower[t.bs..] {
            &[b0, b1, ..] => (b0, b1),
            &[b0] => (b0, 0),
            [] => continue,
        };
        let e = PREFIX[prefix_slot(b0, b1)];
        if e == 0 {
            continue;
        }
        if e & 0x8041 != 0 {
            let g = spelt_gates(toks, lower, k, e, gates);
            if g & G_NINO != 0 {
                nino = k;
            }
            gates |= g;
        }
        let len = t.be - t.bs;
        let street_min = ((e >> 8) & 0x7F) as usize;
        if street_min != 0
            && len >= street_min
            && street.is_none()
            && t.bs > 0
            && lower[t.bs - 1] == b' '
            && street_type_at(lower, t.bs).is_some()
            && street_end_at(text, lower, t.bs, true).is_some()
        {
            street = Some(k);
            if numbers {
                // The tokens left are not looked at: assume two letters in a row
                // and a NINO cue after them.
                gates = G_LETTERS | G_NINO;
                nino = nino.min(k + 1);
                break;
            }
        }
        if !numbers
            && t.flags & T_ALPHA != 0
            && ((e as u8) >> len.min(7)) & 1 != 0
            && matches!(num_word(lower, t.bs, t.be), NumTok::Word(_))
        {
            words += 1;
            if words == 3 {
                numbers = true;
                if street.is_some() {
                    // The tokens left are not looked at: assume two letters in a row
                    // and a NINO cue after them.
                    gates = G_LETTERS | G_NINO;
                    nino = nino.min(k + 1);
                    break;
                }
            }
        }
    }
    Prescan {
        numbers,
        street,
        letters: gates & G_LETTERS != 0,
        nino: (gates & G_NINO != 0).then_some(nino),
    }
}

/// What `prescan` finds: gates, each a superset of what it gates.
struct Prescan {
    /// Three digit words (`spoken_numbers`).
    numbers: bool,
    /// The first token where a street `streets` reports may end.
    street: Option<usize>,
    /// Two one-letter tokens in a row (see `prescan`): the spelt-out forms.
    letters: bool,
    /// The first token that may be a NINO cue word (`spelled_ninos`).
    nino: Option<usize>,
}

/// The gates of `prescan` for the spelt-out forms, at `toks[k]` (`e`: its
/// `PREFIX` entry): `letters`, a one-letter token followed by a space, then
/// another one or "double"/"triple" (or one of those, then a one-letter
/// token); `nino`, a NINO cue word.
#[cold]
#[inline(never)]
fn spelt_gates(toks: &[Tok], lower: &[u8], k: usize, e: u16, gates: u8) -> u8 {
    let t = toks[k];
    let len = t.be - t.bs;
    let one = |n: Option<&Tok>| n.is_some_and(|n| n.be - n.bs == 1 && n.flags & T_ALPHA != 0);
    if gates & G_LETTERS == 0 && t.flags & T_ALPHA != 0 {
        if e & 1 != 0 && len == 1 {
            let n = toks.get(k + 1);
            if one(n) || n.is_some_and(|&n| n.be - n.bs == 6 && is_mult(lower, n)) {
                return G_LETTERS;
            }
        } else if len == 6 && is_mult(lower, t) && one(toks.get(k + 1)) {
            return G_LETTERS;
        }
    }
    if e & 0x8000 != 0 && gates & G_NINO == 0 && nino_cue(lower, t) {
        return G_NINO;
    }
    0
}

/// Bits of the gates `spelt_gates` sets.
const G_LETTERS: u8 = 1;
const G_NINO: u8 = 2;

/// Whether `t` is "double" or "triple".
fn is_mult(lower: &[u8], t: Tok) -> bool {
    matches!(&lower[t.bs..t.be], b"double" | b"triple")
}

/// A substring searcher built once per process.
fn finder(
    cell: &'static OnceLock<Finder<'static>>,
    needle: &'static str,
) -> &'static Finder<'static> {
    cell.get_or_init(|| Finder::new(needle))
}

/// Lower-case UK postcodes ("ls1 4ab") shortly after the word "postcode" or
/// "post code": only those windows are searched, the "postcode" ones first.
#[inline(never)]
fn postcodes(doc: &Doc<'_>, pats: &Patterns, out: &mut Vec<Cand>) -> bool {
    static POST: OnceLock<Finder<'static>> = OnceLock::new();
    let post = finder(&POST, "post");
    let lower = doc.lower.as_bytes();
    // One search for "post" finds both spellings ("post" cannot overlap itself).
    let mut spaced = None;
    let mut any = false;
    for p in post.find_iter(lower) {
        any = true;
        let rest = &lower[p + 4..];
        if rest.starts_with(b"code") {
            postcode_window(doc, pats, p + 8, out);
        } else if spaced.is_none() && rest.starts_with(b" code") {
            spaced = Some(p);
        }
    }
    if let Some(p0) = spaced {
        for p in post.find_iter(&lower[p0..]) {
            if lower[p0 + p + 4..].starts_with(b" code") {
                postcode_window(doc, pats, p0 + p + 9, out);
            }
        }
    }
    any
}

fn postcode_window(doc: &Doc<'_>, pats: &Patterns, from: usize, out: &mut Vec<Cand>) {
    let lower = doc.lower.as_bytes();
    let mut to = (from + 48).min(lower.len());
    while !doc.lower.is_char_boundary(to) {
        to -= 1;
    }
    // Keep a whole word at the window's end so `\b` is not faked.
    while to < lower.len() && lower[to].is_ascii_alphanumeric() {
        to += 1;
    }
    for m in pats.uk_pc_lower.find_iter(&doc.lower[from..to]) {
        let (bs, be) = (from + m.start(), from + m.end());
        if doc.text[bs..be].chars().any(char::is_uppercase) {
            continue;
        }
        out.push(Cand::new(
            bs,
            be,
            EntityType::Postcode,
            0.8,
            "lower-case UK postcode after \"postcode\"",
        ));
    }
}

/// The street words `spoken_street` ends with (the tests check `SW_*`
/// against this list). The street gates below mirror that pattern: a change
/// to it needs the same change here.
#[cfg(test)]
const STREET_TYPES: [&[u8]; 19] = [
    b"street",
    b"road",
    b"lane",
    b"avenue",
    b"close",
    b"drive",
    b"way",
    b"crescent",
    b"gardens",
    b"terrace",
    b"place",
    b"grove",
    b"court",
    b"rise",
    b"walk",
    b"boulevard",
    b"square",
    b"parade",
    b"mews",
];

/// The words of a house number said in words in `spoken_street`.
const STREET_NUMBER_WORDS: [&[u8]; 30] = [
    b"one",
    b"two",
    b"three",
    b"four",
    b"five",
    b"six",
    b"seven",
    b"eight",
    b"nine",
    b"ten",
    b"eleven",
    b"twelve",
    b"thirteen",
    b"fourteen",
    b"fifteen",
    b"sixteen",
    b"seventeen",
    b"eighteen",
    b"nineteen",
    b"twenty",
    b"thirty",
    b"forty",
    b"fifty",
    b"sixty",
    b"seventy",
    b"eighty",
    b"ninety",
    b"hundred",
    b"oh",
    b"and",
];

/// The first 8 bytes of `w`, little-endian, zero-padded.
const fn pack8(w: &[u8]) -> u64 {
    let mut v = 0u64;
    let mut k = 0;
    while k < w.len() && k < 8 {
        v |= (w[k] as u64) << (8 * k);
        k += 1;
    }
    v
}

/// A street word and its first 8 bytes packed.
type StreetWord = (u64, &'static [u8]);

const fn sw(w: &'static [u8]) -> StreetWord {
    (pack8(w), w)
}

const SW_S: [StreetWord; 2] = [sw(b"street"), sw(b"square")];
const SW_R: [StreetWord; 2] = [sw(b"road"), sw(b"rise")];
const SW_L: [StreetWord; 1] = [sw(b"lane")];
const SW_A: [StreetWord; 1] = [sw(b"avenue")];
const SW_C: [StreetWord; 3] = [sw(b"close"), sw(b"crescent"), sw(b"court")];
const SW_D: [StreetWord; 1] = [sw(b"drive")];
const SW_W: [StreetWord; 2] = [sw(b"way"), sw(b"walk")];
const SW_G: [StreetWord; 2] = [sw(b"gardens"), sw(b"grove")];
const SW_T: [StreetWord; 1] = [sw(b"terrace")];
const SW_P: [StreetWord; 2] = [sw(b"place"), sw(b"parade")];
const SW_M: [StreetWord; 1] = [sw(b"mews")];
const SW_B: [StreetWord; 1] = [sw(b"boulevard")];

/// The slot of `PREFIX` for a token's first byte and the byte after it.
/// ASCII first bytes get rows of their own (others share them, which only
/// lets more through).
fn prefix_slot(b0: u8, b1: u8) -> usize {
    (((b0 & 0x7F) as usize) << 5) | (b1 & 31) as usize
}

/// For a token's first two bytes: in the low byte, bit `n` is set when a word
/// of `NUM_WORDS` of `n` bytes may start with them (a one-byte word, "o",
/// whatever follows); in the high byte, the length of the shortest street
/// word starting with them (0: none does). Zero for most tokens.
static PREFIX: [u16; 4096] = {
    let mut t = [0u16; 4096];
    let mut k = 0;
    while k < NUM_WORDS.len() {
        let w = NUM_WORDS[k].0;
        let row = ((w[0] & 0x7F) as usize) << 5;
        if w.len() == 1 {
            let mut b1 = 0;
            while b1 < 32 {
                t[row | b1] |= 1 << 1;
                b1 += 1;
            }
        } else {
            t[row | (w[1] & 31) as usize] |= 1 << w.len();
        }
        k += 1;
    }
    // Bit 0: a letter followed by a space (or `@`, a backquote or the end of
    // the text), a comma or a hyphen: it may be a one-letter token in a
    // word spelt out.
    let mut c = b'a';
    while c <= b'z' {
        let row = ((c & 0x7F) as usize) << 5;
        t[row] |= 1;
        c += 1;
    }
    // Bit 15: a NINO cue word may start here ("insurance", "nino", "ni").
    t[((b'i' as usize) << 5) | (b'n' & 31) as usize] |= 0x8000;
    t[((b'n' as usize) << 5) | (b'i' & 31) as usize] |= 0x8000;
    let all: [&[StreetWord]; 12] = [
        &SW_S, &SW_R, &SW_L, &SW_A, &SW_C, &SW_D, &SW_W, &SW_G, &SW_T, &SW_P, &SW_M, &SW_B,
    ];
    let mut a = 0;
    while a < all.len() {
        let mut k = 0;
        while k < all[a].len() {
            let w = all[a][k].1;
            let slot = (((w[0] & 0x7F) as usize) << 5) | (w[1] & 31) as usize;
            let min = ((t[slot] >> 8) & 0x7F) as usize;
            if min == 0 || w.len() < min {
                t[slot] = (t[slot] & 0x80FF) | ((w.len() as u16) << 8);
            }
            k += 1;
        }
        a += 1;
    }
    t
};

/// The length of the street word `spoken_street` could end with at `p`
/// (a whole word: no ASCII word byte follows).
#[inline]
fn street_type_at(lower: &[u8], p: usize) -> Option<usize> {
    let rest = &lower[p..];
    let words: &[StreetWord] = match rest.first()? {
        b's' => &SW_S,
        b'r' => &SW_R,
        b'l' => &SW_L,
        b'a' => &SW_A,
        b'c' => &SW_C,
        b'd' => &SW_D,
        b'w' => &SW_W,
        b'g' => &SW_G,
        b't' => &SW_T,
        b'p' => &SW_P,
        b'm' => &SW_M,
        b'b' => &SW_B,
        _ => return None,
    };
    // Compare 8 bytes at once.
    let v = match rest.get(..8) {
        Some(b) => u64::from_le_bytes(b.try_into().unwrap_or([0; 8])),
        None => pack8(rest),
    };
    for &(packed, w) in words {
        let n = w.len();
        let hit = if n < 8 {
            v & ((1u64 << (8 * n)) - 1) == packed
        } else {
            v == packed && rest.get(8..n) == Some(&w[8..])
        };
        if hit
            && rest
                .get(n)
                .is_none_or(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
        {
            return Some(n);
        }
    }
    None
}

/// Bytes of a `spoken_street` match in lower-case text: `[a-z0-9 '\-’]`
/// (`’` is E2 80 99; any byte of it is let through).
fn street_byte(b: u8) -> bool {
    matches!(b, b'a'..=b'z' | b'0'..=b'9' | b' ' | b'-' | b'\'' | 0xE2 | 0x80 | 0x99)
}

/// The end of a match of `spoken_street` that may end with the street word
/// starting at `p` (a token after a space). Before the word come one to
/// three words `[a-z'’]+` each followed by one space, and before those a
/// house number (digits with an optional letter, or number words with
/// optional `[ -]` between them) and a space. Only necessary, never
/// sufficient. With `reported`, also whether `streets` may report such a
/// match: the street word is lower case in `text` and none of the words
/// before it is one of `NOT_STREET_WORDS`.
fn street_end_at(text: &[u8], lower: &[u8], p: usize, reported: bool) -> Option<usize> {
    let len = street_type_at(lower, p)?;
    if reported && text[p..p + len] != lower[p..p + len] {
        return None;
    }
    // `x`: the space after the word being read.
    let mut x = p - 1;
    for _ in 0..3 {
        let mut y = x;
        while y > 0 && matches!(lower[y - 1], b'a'..=b'z' | b'\'' | 0xE2 | 0x80 | 0x99) {
            y -= 1;
        }
        if y == x || y == 0 || lower[y - 1] != b' ' {
            return None;
        }
        if reported
            && NOT_STREET_WORDS
                .iter()
                .any(|w| w.as_bytes() == &lower[y..x])
        {
            return None;
        }
        if house_number_may_end_at(lower, y - 1) {
            return Some(p + len);
        }
        x = y - 1;
    }
    None
}

/// Whether `lower[..z]` can end with the house number of `spoken_street`.
fn house_number_may_end_at(lower: &[u8], z: usize) -> bool {
    let h = &lower[..z];
    let digit_at = |k: usize| k < h.len() && h[k].is_ascii_digit();
    match h.last() {
        None => false,
        Some(b'0'..=b'9') => true,
        Some(b' ' | b'-') => {
            let h = &h[..h.len() - 1];
            STREET_NUMBER_WORDS.iter().any(|w| h.ends_with(w))
        }
        Some(b'a'..=b'z') => {
            (h.len() >= 2 && digit_at(h.len() - 2))
                || STREET_NUMBER_WORDS.iter().any(|w| h.ends_with(w))
        }
        Some(_) => false,
    }
}

/// Lower-case street addresses ("forty two church street", "42 church
/// street"): the capitalised ones are found in `patterns`. `toks` starts at
/// the first token where a match may end (see `prescan`).
#[inline(never)]
fn streets(doc: &Doc<'_>, toks: &[Tok], pats: &Patterns, out: &mut Vec<Cand>) {
    static STREET_WORDS: OnceLock<Vec<Finder<'static>>> = OnceLock::new();
    // The pattern runs only when the text holds one of these lower-case words
    // (one SIMD substring search each, built once).
    let street_words = STREET_WORDS
        .get_or_init(|| {
            ["street", "road", "lane", "avenue", "close", "drive"]
                .iter()
                .map(|w| Finder::new(w.as_bytes()))
                .collect()
        })
        .iter()
        .any(|f| f.find(doc.text.as_bytes()).is_some());
    if !street_words {
        return;
    }
    // Every match ends with a street word that starts a token after a space
    // and lies in one run of `street_byte`s: the pattern runs only over the
    // runs holding such a word, up to the last one (the same matches as a
    // search of the whole text, as `\b` sees the same bytes).
    // Windows holding no match `streets` may report are skipped (their
    // matches are all left out below).
    let text = doc.text.as_bytes();
    let lower = doc.lower.as_bytes();
    let mut locs = None;
    // (start, end, whether a match may be reported)
    let mut win: Option<(usize, usize, bool)> = None;
    for t in toks {
        let p = t.bs;
        if p == 0 || lower[p - 1] != b' ' {
            continue;
        }
        let Some(e) = street_end_at(text, lower, p, false) else {
            continue;
        };
        let reported = street_end_at(text, lower, p, true).is_some();
        win = match win {
            Some((s, we, r)) if lower[we..p].iter().all(|&b| street_byte(b)) => {
                Some((s, e, r || reported))
            }
            _ => {
                if let Some((s, we, true)) = win {
                    street_window(doc, pats, &mut locs, s, we, out);
                }
                let mut s = p;
                while s > 0 && street_byte(lower[s - 1]) {
                    s -= 1;
                }
                while !doc.lower.is_char_boundary(s) {
                    s += 1;
                }
                Some((s, e, reported))
            }
        };
    }
    if let Some((s, we, true)) = win {
        street_window(doc, pats, &mut locs, s, we, out);
    }
}

/// Runs `spoken_street` over `lower[s..e]` (seeing the text before `s` for `\b`).
fn street_window(
    doc: &Doc<'_>,
    pats: &Patterns,
    locs: &mut Option<regex::CaptureLocations>,
    s: usize,
    e: usize,
    out: &mut Vec<Cand>,
) {
    let re = &pats.spoken_street;
    let locs = locs.get_or_insert_with(|| re.capture_locations());
    let hay = &doc.lower[..e];
    let mut at = s;
    while let Some(m) = re.captures_read_at(locs, hay, at) {
        at = m.end();
        let Some((ws, we)) = locs.get(2) else {
            continue;
        };
        // Only where the text itself is lower case.
        if doc.text[m.start()..m.end()].chars().any(char::is_uppercase) {
            continue;
        }
        if doc.lower[ws..we]
            .split_whitespace()
            .any(|w| NOT_STREET_WORDS.contains(&w))
        {
            continue;
        }
        out.push(Cand::new(
            m.start(),
            m.end(),
            EntityType::StreetAddress,
            0.75,
            "street address in a lower-case transcript",
        ));
    }
}

/// E-mail addresses spelt out ("jane dot doe at gmail dot com").
#[inline(never)]
fn emails(doc: &Doc<'_>, pats: &Patterns, out: &mut Vec<Cand>) {
    static DOT: OnceLock<Finder<'static>> = OnceLock::new();
    let lower = doc.lower.as_bytes();
    // " dot ", "dot]" or "dot)" ("dot" cannot overlap itself).
    let dot = finder(&DOT, "dot")
        .find_iter(lower)
        .any(|p| match lower.get(p + 3) {
            Some(b' ') => p > 0 && lower[p - 1] == b' ',
            Some(b']' | b')') => true,
            _ => false,
        });
    if !dot
        || !(memchr::memmem::find(lower, b" at ").is_some()
            || memchr::memmem::find(lower, b"at]").is_some()
            || memchr::memmem::find(lower, b"at)").is_some())
    {
        return;
    }
    for c in pats.spoken_email.captures_iter(&doc.lower) {
        if let Some(m) = c.get(0) {
            out.push(Cand::new(
                m.start(),
                m.end(),
                EntityType::EmailAddress,
                0.85,
                "e-mail address spelt out (\"dot\", \"at\")",
            ));
        }
    }
}

/// Numbers read out word by word ("oh seven seven double oh nine ...").
#[inline(never)]
fn spoken_numbers(
    doc: &Doc<'_>,
    toks: &[Tok],
    zips: &mut Vec<(usize, usize)>,
    out: &mut Vec<Cand>,
) {
    let text = doc.text.as_bytes();
    let lower = doc.lower.as_bytes();
    let mut i = 0;
    while let Some(&t0) = toks.get(i) {
        // Only a digit, a number word, "double"/"triple" or "plus" can start a
        // run: one table look-up rules out most tokens.
        let b0 = lower[t0.bs];
        if (NUM_LENS[b0 as usize] >> (t0.be - t0.bs).min(7)) & 1 == 0 {
            i += 1;
            continue;
        }
        let c0 = if b0.is_ascii_digit() {
            if t0.flags & T_DIGIT != 0 {
                NumTok::Digits
            } else {
                NumTok::Other
            }
        } else if t0.flags & T_ALPHA != 0 {
            num_word(lower, t0.bs, t0.be)
        } else {
            NumTok::Other
        };
        if let NumTok::Other = c0 {
            i += 1;
            continue;
        }
        // Measure the run first; its digits are only spelt out when it is long enough.
        let mut words = 0;
        let mut ndigits = 0;
        let mut j = i;
        let mut pending_mult = 1;
        let start = t0.bs;
        let mut end = start;
        while let Some(&t) = toks.get(j) {
            let c = if j > i {
                let gap = &text[toks[j - 1].be..t.bs];
                if gap.len() > 3 || !gap.iter().all(|b| matches!(b, b' ' | b',' | b'-')) {
                    break;
                }
                num_tok(t, lower)
            } else {
                c0
            };
            match c {
                NumTok::Digits => ndigits += t.be - t.bs,
                NumTok::Plus if j == i => {
                    j += 1;
                    continue;
                }
                NumTok::Mult(m) => {
                    pending_mult = m as usize;
                    j += 1;
                    continue;
                }
                NumTok::Word(_) => {
                    ndigits += pending_mult;
                    pending_mult = 1;
                    words += 1;
                }
                NumTok::Plus | NumTok::Other => break,
            }
            end = t.be;
            j += 1;
        }
        if words >= 3 && ndigits >= 9 {
            if let Some(c) = number_cand(doc, &toks[i..j], start, end) {
                out.push(c);
            }
        } else if words >= 3 && (ndigits == 5 || ndigits == 4) {
            // A US ZIP code or an Australian postcode, if a state or a street
            // comes before it (`spoken_zip`).
            zips.push((i, j));
        }
        // The token that ended the run (not part of it) is looked at next.
        i = j.max(i + 1);
    }
}

/// The candidate for a run of number tokens (`toks`, spanning `start..end`).
fn number_cand(doc: &Doc<'_>, toks: &[Tok], start: usize, end: usize) -> Option<Cand> {
    let lower = doc.lower.as_bytes();
    // `shown` is "+" and the digits when the run starts with "plus".
    let mut shown = String::new();
    let mut pending_mult = 1;
    for (k, &t) in toks.iter().enumerate() {
        match num_tok(t, lower) {
            NumTok::Digits => shown.push_str(&doc.lower[t.bs..t.be]),
            NumTok::Plus if k == 0 => shown.push('+'),
            NumTok::Mult(m) => pending_mult = m,
            NumTok::Word(d) => {
                for _ in 0..pending_mult {
                    shown.push(d as char);
                }
                pending_mult = 1;
            }
            NumTok::Plus | NumTok::Other => {}
        }
    }
    let digits = shown.strip_prefix('+').unwrap_or(&shown);
    let nd = digits.len();
    if (13..=19).contains(&nd) && validate::credit_card(digits) {
        Some(Cand::new(
            start,
            end,
            EntityType::CreditCard,
            0.85,
            "card number read out in words, Luhn-valid",
        ))
    } else if nd == 9
        && validate::ssn(digits)
        && ctx_before(&doc.lower, start, 80, SSN_CUES).is_some()
    {
        Some(Cand::new(
            start,
            end,
            EntityType::UsSsn,
            0.8,
            "SSN read out in words",
        ))
    } else {
        valid_phone(&shown).map(|_| {
            Cand::new(
                start,
                end,
                EntityType::PhoneNumber,
                0.85,
                "phone number read out in words (libphonenumber-valid)",
            )
        })
    }
}

/// Context words before a nine-digit number read out that make it an SSN
/// ("social" covers "social security" and "my social is ...").
pub(crate) const SSN_CUES: &[&str] = &["ssn", "social", "s s n"];

/// Context words before a NINO.
/// Whether `t` is a NINO cue word: it starts with "insurance" or "nino",
/// or is "ni".
fn nino_cue(lower: &[u8], t: Tok) -> bool {
    let w = &lower[t.bs..t.be];
    w.starts_with(b"insurance") || w.starts_with(b"nino") || w == b"ni"
}

/// One character of a code or word read out: a letter, a digit, or "o"/"oh",
/// which may be either.
#[derive(Clone, Copy, Debug)]
struct Unit {
    ch: u8,
    kind: u8,
    /// The token the character was said in, and the first token of its
    /// group ("double" in "double oh").
    tok: usize,
    first: usize,
}

const U_LETTER: u8 = 1;
const U_DIGIT: u8 = 2;
/// "o" or "oh": the letter o or the digit 0.
const U_O: u8 = 3;
/// A letter of a two-letter token ("ce" in "ce 40 21 77 b").
const U_PAIR: u8 = 4;

/// Reads the characters said in the tokens from `toks[i]` on (one-letter
/// tokens, digit tokens, digit words, "double"/"triple" before either, and
/// two-letter tokens), up to the first other token or a gap that is not
/// one to three spaces, commas or hyphens. Returns the index of the token
/// after the run (`i` when `toks[i]` starts none).
fn read_units(doc: &Doc<'_>, toks: &[Tok], i: usize, units: &mut Vec<Unit>) -> usize {
    let text = doc.text.as_bytes();
    let lower = doc.lower.as_bytes();
    units.clear();
    let mut j = i;
    let mut mult = (1usize, usize::MAX);
    let mut end = i;
    while let Some(&t) = toks.get(j) {
        if j > i {
            let gap = &text[toks[j - 1].be..t.bs];
            if gap.is_empty()
                || gap.len() > 3
                || !gap.iter().all(|b| matches!(b, b' ' | b',' | b'-'))
                || (toks[j - 1].be - toks[j - 1].bs == 1 && gap[0] != b' ')
            {
                break;
            }
        }
        let first = if mult.1 == usize::MAX { j } else { mult.1 };
        let len = t.be - t.bs;
        let (ch, kind) = if t.flags & T_DIGIT != 0 {
            if mult.0 != 1 {
                break;
            }
            for &d in &lower[t.bs..t.be] {
                units.push(Unit {
                    ch: d,
                    kind: U_DIGIT,
                    tok: j,
                    first,
                });
            }
            j += 1;
            end = j;
            continue;
        } else if t.flags & T_ALPHA == 0 {
            break;
        } else if len == 1 {
            let c = lower[t.bs];
            (c, if c == b'o' { U_O } else { U_LETTER })
        } else {
            match num_word(lower, t.bs, t.be) {
                NumTok::Word(d) => (
                    d,
                    if &lower[t.bs..t.be] == b"oh" {
                        U_O
                    } else {
                        U_DIGIT
                    },
                ),
                NumTok::Mult(m) if mult.0 == 1 => {
                    mult = (m as usize, j);
                    j += 1;
                    continue;
                }
                _ if len == 2 && mult.0 == 1 => {
                    for &c in &lower[t.bs..t.be] {
                        units.push(Unit {
                            ch: c,
                            kind: U_PAIR,
                            tok: j,
                            first,
                        });
                    }
                    j += 1;
                    end = j;
                    continue;
                }
                _ => break,
            }
        };
        for _ in 0..mult.0 {
            units.push(Unit {
                ch,
                kind,
                tok: j,
                first,
            });
        }
        mult = (1, usize::MAX);
        j += 1;
        end = j;
    }
    end
}

/// Whether `units[a..b]` starts and ends at token boundaries.
fn aligned(units: &[Unit], a: usize, b: usize) -> bool {
    (a == 0 || units[a - 1].tok != units[a].tok)
        && (b == units.len() || units[b].tok != units[b - 1].tok)
}

/// The UK postcode shapes: `L` a letter (first position), `M` the second
/// letter of the area, `P` the letter of `A9A`, `Q` the letter of `AA9A`,
/// `D` a digit, `I` a letter of the inward code.
const PC_SHAPES: [&[u8]; 6] = [
    b"LMDQDII", b"LMDDDII", b"LDPDII", b"LDDDII", b"LMDDII", b"LDDII",
];

/// Whether `u` reads as a postcode of `shape` (letters from one-letter tokens only).
fn pc_fits(u: &[Unit], shape: &[u8]) -> bool {
    u.len() == shape.len()
        && u.iter().zip(shape).all(|(u, &s)| {
            let letter = |set: &[u8]| matches!(u.kind, U_LETTER | U_O) && set.contains(&u.ch);
            match s {
                b'D' => matches!(u.kind, U_DIGIT | U_O),
                b'L' => letter(b"abcdefghijklmnoprstuwyz"),
                b'M' => letter(b"abcdefghklmnopqrstuvwxy"),
                b'P' => letter(b"abcdefghjkpstuw"),
                b'Q' => letter(b"abehmnprvwxy"),
                _ => letter(b"abdefghjlnpqrstuwxyz"),
            }
        })
}

/// Whether two tokens in a row from `toks[i]` on, the first starting
/// before `to`, satisfy `f`.
fn window_has(toks: &[Tok], i: usize, to: usize, f: impl Fn(Tok, Tok) -> bool) -> bool {
    let mut k = i;
    while k + 1 < toks.len() && toks[k].bs < to {
        if f(toks[k], toks[k + 1]) {
            return true;
        }
        k += 1;
    }
    false
}

/// Postcodes read out letter by letter and digit by digit ("l s one four a
/// b") in `lower[from..to]`.
fn spelled_postcodes(
    doc: &Doc<'_>,
    toks: &[Tok],
    from: usize,
    to: usize,
    units: &mut Vec<Unit>,
    out: &mut Vec<Cand>,
) {
    let mut i = toks.partition_point(|t| t.bs < from);
    // The inward code ends with two letters: two one-letter tokens in a row
    // (or "double" and a letter).
    let lower = doc.lower.as_bytes();
    if !window_has(toks, i, to, |a, b| {
        // Lower case: `push_address` leaves out the rest.
        let one = |t: Tok| t.flags & T_ALPHA != 0 && t.flags & T_LOWER != 0 && t.be - t.bs == 1;
        one(b) && (one(a) || (a.be - a.bs == 6 && is_mult(lower, a)))
    }) {
        return;
    }
    while i < toks.len() && toks[i].bs < to {
        let j = read_units(doc, toks, i, units);
        if j == i {
            i += 1;
            continue;
        }
        let n = units.len();
        let mut a = 0;
        while a + 5 <= n {
            let hit = PC_SHAPES.iter().map(|s| s.len()).find(|&len| {
                a + len <= n
                    && aligned(units, a, a + len)
                    && PC_SHAPES
                        .iter()
                        .any(|s| s.len() == len && pc_fits(&units[a..a + len], s))
            });
            match hit {
                Some(len) => {
                    let (k0, k1) = (units[a].first, units[a + len - 1].tok);
                    push_address(doc, toks, k0, toks[k1].be, "UK postcode read out", out);
                    a += len;
                }
                None => a += 1,
            }
        }
        i = j;
    }
}

/// A postcode or ZIP code read out from `toks[k0]` to `end`, joined with the
/// street before it on the same line when there is one (`address_start`).
fn push_address(
    doc: &Doc<'_>,
    toks: &[Tok],
    k0: usize,
    end: usize,
    why: &'static str,
    out: &mut Vec<Cand>,
) {
    let bs = toks[k0].bs;
    if doc.text[bs..end].bytes().any(|b| b.is_ascii_uppercase()) {
        return;
    }
    let c = match address_start(doc, toks, k0, out) {
        Some(s) => Cand::new(s, end, EntityType::StreetAddress, 0.8, why),
        None => Cand::new(bs, end, EntityType::Postcode, 0.8, why),
    };
    out.push(c);
}

/// Words that end the walk back from a postcode in `address_start`.
const NOT_PLACE_WORDS: &[&str] = &[
    "the", "a", "an", "of", "on", "to", "in", "my", "your", "our", "this", "that", "is", "was",
    "it", "and", "for", "at", "by", "with", "or", "i", "it's", "its", "yes", "yeah", "yep", "no",
    "so", "um", "uh", "er", "erm", "okay", "ok", "sure", "thanks", "please", "that's", "thats",
    "post", "postcode", "code", "zip", "address", "live", "lives", "moved", "number", "is",
    "called", "sorry", "then", "then", "just", "be", "are", "am", "we", "me", "you", "hi",
];

/// The start of the address a postcode at `toks[k0]` ends: walking back on
/// the same line over up to five place words (a town, a state) and flat or
/// apartment numbers, either a street `out` holds ends there, or a house
/// number said before at least one place word starts it ("fourteen rose
/// hill l s one four a b").
fn address_start(doc: &Doc<'_>, toks: &[Tok], k0: usize, out: &[Cand]) -> Option<usize> {
    let text = doc.text.as_bytes();
    let lower = &doc.lower;
    let joined = |k: usize| {
        let gap = &text[toks[k].be..toks[k + 1].bs];
        !gap.is_empty() && gap.len() <= 3 && gap.iter().all(|b| matches!(b, b' ' | b','))
    };
    let is_number = |t: Tok| {
        let w = &lower[t.bs..t.be];
        t.flags & T_DIGIT != 0
            || (t.flags & T_ALPHA != 0 && (small_number(w).is_some() || w == "hundred"))
            || (w.len() >= 2
                && w.as_bytes()[..w.len() - 1].iter().all(u8::is_ascii_digit)
                && w.as_bytes()[w.len() - 1].is_ascii_lowercase())
    };
    let mut k = k0;
    let mut places = 0;
    for _ in 0..8 {
        // The street ending right before `toks[k]`.
        let at = toks[k].bs;
        if let Some(c) = out.iter().find(|c| {
            c.ty == EntityType::StreetAddress
                && c.be < at
                && at - c.be <= 3
                && text[c.be..at].iter().all(|b| matches!(b, b' ' | b','))
        }) {
            return Some(c.bs);
        }
        if k == 0 || !joined(k - 1) {
            return None;
        }
        let t = toks[k - 1];
        if is_number(t) {
            let unit = k >= 2
                && joined(k - 2)
                && matches!(
                    &lower[toks[k - 2].bs..toks[k - 2].be],
                    "flat" | "apartment" | "apt" | "unit" | "suite"
                );
            if unit {
                k -= 2;
                continue;
            }
            if places == 0 {
                return None;
            }
            // The whole house number.
            let mut s = k - 1;
            while s > 0 && joined(s - 1) && is_number(toks[s - 1]) {
                s -= 1;
            }
            return Some(toks[s].bs);
        }
        let w = &lower[t.bs..t.be];
        if t.flags & T_ALPHA == 0
            || t.flags & T_LOWER == 0
            || w.len() < 2
            || NOT_PLACE_WORDS.contains(&w)
            || places == 5
        {
            return None;
        }
        places += 1;
        k -= 1;
    }
    None
}

/// US state names, said before a ZIP code.
const STATES: &[&str] = &[
    "alabama",
    "alaska",
    "arizona",
    "arkansas",
    "california",
    "colorado",
    "connecticut",
    "delaware",
    "florida",
    "georgia",
    "hawaii",
    "idaho",
    "illinois",
    "indiana",
    "iowa",
    "kansas",
    "kentucky",
    "louisiana",
    "maine",
    "maryland",
    "massachusetts",
    "michigan",
    "minnesota",
    "mississippi",
    "missouri",
    "montana",
    "nebraska",
    "nevada",
    "new hampshire",
    "new jersey",
    "new mexico",
    "new york",
    "north carolina",
    "north dakota",
    "ohio",
    "oklahoma",
    "oregon",
    "pennsylvania",
    "rhode island",
    "south carolina",
    "south dakota",
    "tennessee",
    "texas",
    "utah",
    "vermont",
    "virginia",
    "washington",
    "west virginia",
    "wisconsin",
    "wyoming",
    "columbia",
];

/// Australian states and territories, said before a postcode.
const AU_STATES: &[&str] = &[
    "queensland",
    "victoria",
    "tasmania",
    "new south wales",
    "western australia",
    "south australia",
    "northern territory",
    "australian capital territory",
];

/// A number read out (`toks[i..j]`, from `spoken_numbers`) that ends an
/// address: five digits after "zip" or a US state, four after an Australian
/// state, or either after a street and at most five place words ("eighty
/// eight beacon street boston oh two one oh eight").
fn spoken_zip(doc: &Doc<'_>, toks: &[Tok], (i, j): (usize, usize), out: &mut Vec<Cand>) {
    let lower = &doc.lower;
    let start = toks[i].bs;
    // Digits only: "plus" or "double" would not start a ZIP code.
    if toks[i..j].iter().any(|&t| {
        !matches!(
            num_tok(t, lower.as_bytes()),
            NumTok::Digits | NumTok::Word(_)
        )
    }) {
        return;
    }
    let before = lower[..start].trim_end_matches([' ', ',']);
    let after_one_of = |names: &[&str]| {
        names.iter().any(|s| {
            before.ends_with(s)
                && !before.as_bytes()[..before.len() - s.len()]
                    .last()
                    .is_some_and(u8::is_ascii_alphanumeric)
        })
    };
    // Digit tokens count their digits, number words one each.
    let digits: usize = toks[i..j]
        .iter()
        .map(|&t| match num_tok(t, lower.as_bytes()) {
            NumTok::Digits => t.be - t.bs,
            _ => 1,
        })
        .sum();
    let five = digits == 5;
    let cued = if five {
        after_one_of(STATES) || ctx_before(lower, start, 60, &["zip"]).is_some()
    } else {
        after_one_of(AU_STATES)
    };
    let after_street = || {
        address_start(doc, toks, i, out).is_some_and(|s| {
            out.iter()
                .any(|c| c.ty == EntityType::StreetAddress && c.bs == s)
        })
    };
    if cued || after_street() {
        let why = if five {
            "ZIP code read out"
        } else {
            "Australian postcode read out"
        };
        push_address(doc, toks, i, toks[j - 1].be, why, out);
    }
}

/// NINOs read out or typed in lower case ("a b one two three four five six
/// c", "ce 40 21 77 b") shortly after a NINO cue.
fn spelled_ninos(
    doc: &Doc<'_>,
    toks: &[Tok],
    first: usize,
    units: &mut Vec<Unit>,
    out: &mut Vec<Cand>,
) {
    let lower = doc.lower.as_bytes();
    for (k, &t) in toks.iter().enumerate().skip(first) {
        if !matches!(lower[t.bs], b'i' | b'n') || !nino_cue(lower, t) {
            continue;
        }
        // "ni number", "ni no".
        if t.be - t.bs == 2 && toks.get(k + 1).is_none_or(|n| lower[n.bs] != b'n') {
            continue;
        }
        {
            let from = t.be;
            let to = from + 100;
            let mut i = toks.partition_point(|t| t.bs < from);
            // A NINO starts with two one-letter tokens or a two-letter one,
            // then a digit token or a digit word.
            if !window_has(toks, i, to, |a, b| {
                let la = a.be - a.bs;
                a.flags & T_ALPHA != 0
                    && a.flags & T_LOWER != 0
                    && ((la == 1 && b.flags & T_ALPHA != 0 && b.be - b.bs == 1)
                        || (la == 2
                            && (b.flags & T_DIGIT != 0 || num_tok(b, lower) != NumTok::Other)))
            }) {
                continue;
            }
            while i < toks.len() && toks[i].bs < to {
                let j = read_units(doc, toks, i, units);
                if j == i {
                    i += 1;
                    continue;
                }
                let n = units.len();
                for a in 0..n.saturating_sub(8) {
                    let u = &units[a..a + 9];
                    let mut s = [0u8; 9];
                    for (d, u) in s.iter_mut().zip(u) {
                        *d = u.ch;
                    }
                    let shape = u[..2].iter().all(|u| matches!(u.kind, U_LETTER | U_PAIR))
                        && u[2..8].iter().all(|u| matches!(u.kind, U_DIGIT | U_O))
                        && u[8].kind == U_LETTER;
                    for d in &mut s[2..8] {
                        if *d == b'o' {
                            *d = b'0';
                        }
                    }
                    let (bs, be) = (toks[u[0].first].bs, toks[u[8].tok].be);
                    if shape
                        && aligned(units, a, a + 9)
                        && std::str::from_utf8(&s).is_ok_and(validate::nino)
                        && !doc.text[bs..be].bytes().any(|b| b.is_ascii_uppercase())
                        && !out.iter().any(|c| c.bs == bs && c.ty == EntityType::UkNino)
                    {
                        out.push(Cand::new(
                            bs,
                            be,
                            EntityType::UkNino,
                            0.85,
                            "NINO read out or in lower case after a NINO cue",
                        ));
                        break;
                    }
                }
                i = j;
            }
        }
    }
}

/// Words spelt out letter by letter ("o d u y a") right after the word
/// itself, after "spell"/"spelt" or after "that's": names, in a call.
fn spelled_names(doc: &Doc<'_>, toks: &[Tok], out: &mut Vec<Cand>) {
    let text = doc.text.as_bytes();
    let lower = &doc.lower;
    let mut i = 0;
    while i < toks.len() {
        // A run starts with a one-letter token or "double"/"triple".
        let n = toks[i].be - toks[i].bs;
        if n != 1 && n != 6 {
            i += 1;
            continue;
        }
        let mut j = i;
        let mut word = Vec::new();
        let mut mult = 1;
        while let Some(&t) = toks.get(j) {
            if j > i {
                let gap = &text[toks[j - 1].be..t.bs];
                // A space first: `prescan` looks for a one-letter token followed by one.
                if gap.len() > 2
                    || gap.first() != Some(&b' ')
                    || !gap.iter().all(|b| matches!(b, b' ' | b','))
                {
                    break;
                }
            }
            let w = &lower.as_bytes()[t.bs..t.be];
            if t.flags & T_ALPHA != 0 && t.flags & T_LOWER != 0 && w.len() == 1 {
                word.extend(std::iter::repeat_n(w[0], mult));
                mult = 1;
            } else if mult == 1 && (w == b"double" || w == b"triple") {
                mult = if w == b"double" { 2 } else { 3 };
            } else {
                break;
            }
            j += 1;
        }
        if mult != 1 {
            j -= 1;
        }
        if word.len() >= 3 && j > i {
            let (bs, be) = (toks[i].bs, toks[j - 1].be);
            let w = std::str::from_utf8(&word).unwrap_or("");
            let vowel = word.iter().any(|c| b"aeiouy".contains(c));
            let consonant = word.iter().any(|c| !b"aeiou".contains(c));
            let abc = word.windows(2).all(|p| p[1] == p[0] + 1);
            let mut from = bs.saturating_sub(100);
            while !lower.is_char_boundary(from) {
                from += 1;
            }
            // The word said before it spelt out.
            let echo = lower[from..bs]
                .split(|c: char| !(c.is_ascii_alphabetic() || c == '\''))
                .any(|x| x == w);
            let spell = ctx_before(lower, bs, 60, &["spell", "spelt"]).is_some();
            let before = lower[..bs].trim_end_matches([' ', ',']);
            let thats = word.len() >= 4
                && ["that's", "thats", "that is", "it's"]
                    .iter()
                    .any(|c| before.ends_with(c));
            if vowel && consonant && !abc && (echo || spell || thats) {
                out.push(Cand::new(
                    bs,
                    be,
                    EntityType::Person,
                    0.8,
                    "name spelt out letter by letter",
                ));
            }
        }
        i = j.max(i + 1);
    }
}

/// The spelt-out forms: postcodes letter by letter after "postcode" or a
/// street, ZIP codes read out after "zip" or a state (`zips`, from
/// `spoken_numbers`), NINOs after a NINO cue and names spelt out (only when
/// `letters`, see `prescan`). `post`: the text holds "post".
#[inline(never)]
pub(crate) fn spelled(
    doc: &Doc<'_>,
    toks: &[Tok],
    post: bool,
    letters: bool,
    nino: Option<usize>,
    zips: &[(usize, usize)],
    out: &mut Vec<Cand>,
) {
    let lower = doc.lower.as_bytes();
    let mut units = Vec::new();
    for &z in zips {
        spoken_zip(doc, toks, z, out);
    }
    if let Some(first) = nino {
        spelled_ninos(doc, toks, first, &mut units, out);
    }
    // Below, every match holds two one-letter tokens in a row (the inward
    // code of a postcode ends with two letters).
    if !letters {
        return;
    }
    if post {
        for p in memchr::memmem::find_iter(lower, b"post") {
            let rest = &lower[p + 4..];
            let from = if rest.starts_with(b"code") {
                p + 8
            } else if rest.starts_with(b" code") {
                p + 9
            } else {
                continue;
            };
            spelled_postcodes(doc, toks, from, from + 120, &mut units, out);
        }
    }
    let streets: Vec<usize> = out
        .iter()
        .filter(|c| {
            c.ty == EntityType::StreetAddress && c.why.starts_with("street address in a lower")
        })
        .map(|c| c.be)
        .collect();
    // After a street, on its line.
    for e in streets {
        let to = memchr::memchr(b'\n', &lower[e..]).map_or(lower.len(), |n| e + n);
        spelled_postcodes(doc, toks, e, to.min(e + 60), &mut units, out);
    }
    spelled_names(doc, toks, out);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The implementation before the gates and the token classes, kept to
    /// check that they find exactly the same candidates.
    mod reference {
        use crate::names::{Tok, T_ALPHA, T_DIGIT};
        use crate::patterns::{ctx_before, valid_phone, Patterns};
        use crate::spoken::NOT_STREET_WORDS;
        use crate::{validate, Cand, DetectorConfig, Doc, EntityType};

        pub(super) fn digit_word(w: &str) -> Option<u8> {
            Some(match w {
                "zero" | "oh" | "o" | "nought" | "nil" => b'0',
                "one" => b'1',
                "two" => b'2',
                "three" => b'3',
                "four" => b'4',
                "five" => b'5',
                "six" => b'6',
                "seven" => b'7',
                "eight" => b'8',
                "nine" => b'9',
                _ => return None,
            })
        }

        pub(super) fn ref_run(
            doc: &Doc<'_>,
            toks: &[Tok],
            pats: &Patterns,
            _cfg: &DetectorConfig,
            out: &mut Vec<Cand>,
        ) {
            let mut zips = Vec::new();
            ref_spoken_numbers(doc, toks, &mut zips, out);
            let lower = doc.lower.as_bytes();
            let post = memchr::memmem::find(lower, b"post").is_some();
            // Lower-case UK postcodes ("ls1 4ab") shortly after the word "postcode":
            // only those windows are searched.
            for needle in [&b"postcode"[..], b"post code"] {
                for p in memchr::memmem::find_iter(lower, needle) {
                    let from = p + needle.len();
                    let mut to = (from + 48).min(lower.len());
                    while !doc.lower.is_char_boundary(to) {
                        to -= 1;
                    }
                    // Keep a whole word at the window's end so `\b` is not faked.
                    while to < lower.len() && lower[to].is_ascii_alphanumeric() {
                        to += 1;
                    }
                    for m in pats.uk_pc_lower.find_iter(&doc.lower[from..to]) {
                        let (bs, be) = (from + m.start(), from + m.end());
                        if doc.text[bs..be].chars().any(char::is_uppercase) {
                            continue;
                        }
                        out.push(Cand::new(
                            bs,
                            be,
                            EntityType::Postcode,
                            0.8,
                            "lower-case UK postcode after \"postcode\"",
                        ));
                    }
                }
            }
            // Lower-case street addresses ("forty two church street", "42 church street"):
            // the capitalised ones are found in `patterns`.
            static STREET_WORDS: std::sync::OnceLock<Vec<memchr::memmem::Finder<'static>>> =
                std::sync::OnceLock::new();
            // The regex only reports lower-case text, so look for lower-case words
            // (one SIMD substring search each, built once).
            let street_words = STREET_WORDS
                .get_or_init(|| {
                    ["street", "road", "lane", "avenue", "close", "drive"]
                        .iter()
                        .map(|w| memchr::memmem::Finder::new(w.as_bytes()))
                        .collect()
                })
                .iter()
                .any(|f| f.find(doc.text.as_bytes()).is_some());
            if street_words {
                for c in pats.spoken_street.captures_iter(&doc.lower) {
                    let (Some(m), Some(words)) = (c.get(0), c.get(2)) else {
                        continue;
                    };
                    // Only where the text itself is lower case.
                    if doc.text[m.start()..m.end()].chars().any(char::is_uppercase) {
                        continue;
                    }
                    if words
                        .as_str()
                        .split_whitespace()
                        .any(|w| NOT_STREET_WORDS.contains(&w))
                    {
                        continue;
                    }
                    out.push(Cand::new(
                        m.start(),
                        m.end(),
                        EntityType::StreetAddress,
                        0.75,
                        "street address in a lower-case transcript",
                    ));
                }
            }
            if (memchr::memmem::find(lower, b" dot ").is_some()
                || memchr::memmem::find(lower, b"dot]").is_some()
                || memchr::memmem::find(lower, b"dot)").is_some())
                && (memchr::memmem::find(lower, b" at ").is_some()
                    || memchr::memmem::find(lower, b"at]").is_some()
                    || memchr::memmem::find(lower, b"at)").is_some())
            {
                for c in pats.spoken_email.captures_iter(&doc.lower) {
                    if let Some(m) = c.get(0) {
                        out.push(Cand::new(
                            m.start(),
                            m.end(),
                            EntityType::EmailAddress,
                            0.85,
                            "e-mail address spelt out (\"dot\", \"at\")",
                        ));
                    }
                }
            }
            // The spelt-out forms: the same code, without the prescan's gate
            // for words spelt out letter by letter.
            crate::spoken::spelled(doc, toks, post, true, Some(0), &zips, out);
        }

        fn ref_spoken_numbers(
            doc: &Doc<'_>,
            toks: &[Tok],
            zips: &mut Vec<(usize, usize)>,
            out: &mut Vec<Cand>,
        ) {
            let text = doc.text;
            let lower = &doc.lower;
            let mut i = 0;
            while i < toks.len() {
                // Only a digit, a number word, "double"/"triple" or "plus" can start a run.
                let first = lower.as_bytes()[toks[i].bs];
                if !(first.is_ascii_digit()
                    || matches!(
                        first,
                        b'z' | b'o' | b'n' | b't' | b'f' | b's' | b'e' | b'd' | b'p'
                    ))
                {
                    i += 1;
                    continue;
                }
                let mut digits = String::new();
                let mut words = 0;
                let mut j = i;
                let mut plus = false;
                let mut pending_mult = 1;
                let start = toks[i].bs;
                let mut end = start;
                while j < toks.len() {
                    let t = toks[j];
                    if j > i {
                        let gap = &text[toks[j - 1].be..t.bs];
                        if gap.len() > 3 || !gap.bytes().all(|b| matches!(b, b' ' | b',' | b'-')) {
                            break;
                        }
                    }
                    let w = &lower[t.bs..t.be];
                    if t.flags & T_DIGIT != 0 {
                        digits.push_str(w);
                    } else if t.flags & T_ALPHA != 0 {
                        if j == i && w == "plus" {
                            plus = true;
                            j += 1;
                            continue;
                        }
                        if w == "double" || w == "triple" {
                            pending_mult = if w == "double" { 2 } else { 3 };
                            j += 1;
                            continue;
                        }
                        match digit_word(w) {
                            Some(d) => {
                                for _ in 0..pending_mult {
                                    digits.push(d as char);
                                }
                                pending_mult = 1;
                                words += 1;
                            }
                            None => break,
                        }
                    } else {
                        break;
                    }
                    end = t.be;
                    j += 1;
                }
                if words >= 3 && digits.len() >= 9 {
                    let shown = if plus {
                        format!("+{digits}")
                    } else {
                        digits.clone()
                    };
                    let nd = digits.len();
                    let c = if (13..=19).contains(&nd) && validate::credit_card(&digits) {
                        Some(Cand::new(
                            start,
                            end,
                            EntityType::CreditCard,
                            0.85,
                            "card number read out in words, Luhn-valid",
                        ))
                    } else if nd == 9
                        && validate::ssn(&digits)
                        && ctx_before(lower, start, 80, crate::spoken::SSN_CUES).is_some()
                    {
                        Some(Cand::new(
                            start,
                            end,
                            EntityType::UsSsn,
                            0.8,
                            "SSN read out in words",
                        ))
                    } else {
                        valid_phone(&shown).map(|_| {
                            Cand::new(
                                start,
                                end,
                                EntityType::PhoneNumber,
                                0.85,
                                "phone number read out in words (libphonenumber-valid)",
                            )
                        })
                    };
                    if let Some(c) = c {
                        out.push(c);
                        i = j.max(i + 1);
                        continue;
                    }
                } else if words >= 3 && (digits.len() == 5 || digits.len() == 4) {
                    zips.push((i, j));
                }
                i = j.max(i + 1);
            }
        }
    }

    #[test]
    fn years_and_ordinals() {
        assert_eq!(year_value("nineteen eighty four"), Some(1984));
        assert_eq!(year_value("nineteen oh five"), Some(1905));
        assert_eq!(year_value("two thousand and three"), Some(2003));
        assert_eq!(year_value("nineteen"), None);
        assert_eq!(ordinal_value("third"), Some(3));
        assert_eq!(ordinal_value("twenty first"), Some(21));
    }

    #[test]
    fn number_words() {
        for w in [
            "zero", "oh", "o", "nought", "nil", "one", "two", "three", "four", "five", "six",
            "seven", "eight", "nine", "double", "triple", "plus", "ten", "on", "ones", "nines",
            "the", "to", "p", "z", "doubles", "plusses", "",
        ] {
            // At the end of the text (byte loop) and inside it (8-byte load).
            for text in [w.to_string(), format!("{w} and more text")] {
                let got = num_word(text.as_bytes(), 0, w.len());
                let want = match w {
                    "double" => NumTok::Mult(2),
                    "triple" => NumTok::Mult(3),
                    "plus" => NumTok::Plus,
                    _ => reference::digit_word(w).map_or(NumTok::Other, NumTok::Word),
                };
                assert_eq!(got, want, "{w:?}");
            }
        }
    }

    #[test]
    fn street_words() {
        for w in STREET_TYPES {
            let text = [w, &b" x"[..]].concat();
            assert_eq!(street_type_at(&text, 0), Some(w.len()));
            assert_eq!(street_type_at(w, 0), Some(w.len()));
            let text = [w, &b"s"[..]].concat();
            assert_eq!(street_type_at(&text, 0), None);
        }
        let lower = b"at 42a church street";
        assert!(street_end_at(lower, lower, 14, true).is_some());
        let lower = b"forty-two the old church street";
        assert!(street_end_at(lower, lower, 25, false).is_some());
        assert!(street_end_at(lower, lower, 25, true).is_none());
        let lower = b"forty-two old church street";
        assert!(street_end_at(lower, lower, 21, true).is_some());
        let lower = b"forty two  o\xe2\x80\x99brien street";
        assert!(street_end_at(lower, lower, lower.len() - 6, true).is_some());
        let lower = b"it is on the high street";
        assert!(street_end_at(lower, lower, lower.len() - 6, true).is_none());
        // A match there is left out: "the" never belongs to a street name,
        // and "Street" is capitalised.
        let lower = b"at 42 the street";
        assert!(street_end_at(lower, lower, 10, false).is_some());
        assert!(street_end_at(lower, lower, 10, true).is_none());
        let (text, lower) = (b"at 42 church Street", b"at 42 church street");
        assert!(street_end_at(text, lower, 13, false).is_some());
        assert!(street_end_at(text, lower, 13, true).is_none());
    }

    #[test]
    fn prescan_gates() {
        for (text, numbers, street) in [
            ("oh seven seven double oh nine", true, false),
            // "o" before any byte, and as the last byte of the text.
            ("call o, 7, o-9 o", true, false),
            ("o o o", true, false),
            ("ONE TWO THREE", true, false),
            ("one thing, two things", false, false),
            ("i live at forty two church street", false, true),
            ("jane dot doe at gmail dot com", false, false),
            ("the third of march nineteen eighty four", false, false),
            ("on my way to forty two high road", false, true),
            ("on my way to the shop", false, false),
            ("42 church Street", false, false),
            ("nothing to see here", false, false),
        ] {
            let toks = crate::names::tokenize(text);
            let lower = text.to_ascii_lowercase();
            let p = prescan(&toks, text.as_bytes(), lower.as_bytes());
            assert_eq!(
                (p.numbers, p.street.is_some()),
                (numbers, street),
                "{text:?}"
            );
        }
    }

    fn found(text: &str) -> Vec<(EntityType, String)> {
        crate::Detector::new()
            .detect(text, None)
            .into_iter()
            .map(|s| (s.entity_type, text[s.bstart..s.bend].to_string()))
            .collect()
    }

    #[test]
    fn spoken_forms() {
        assert_eq!(
            found("my number is oh seven nine one two three four five six seven eight thanks"),
            vec![(
                EntityType::PhoneNumber,
                "oh seven nine one two three four five six seven eight".into()
            )]
        );
        let e = found("its jane dot doe at gmail dot com");
        assert!(
            e.contains(&(
                EntityType::EmailAddress,
                "jane dot doe at gmail dot com".into()
            )),
            "{e:?}"
        );
        let d = found("my date of birth is the third of march nineteen eighty four");
        assert!(
            d.contains(&(
                EntityType::DateOfBirth,
                "third of march nineteen eighty four".into()
            )),
            "{d:?}"
        );
    }

    /// The spans of `types` found in `text`.
    fn found_of(text: &str, types: &[EntityType]) -> Vec<(EntityType, String)> {
        found(text)
            .into_iter()
            .filter(|(t, _)| types.contains(t))
            .collect()
    }

    #[test]
    fn spelled_postcodes_and_zips() {
        use EntityType::{Postcode, StreetAddress};
        let addr = [Postcode, StreetAddress];
        for (text, want) in [
            (
                "agent: and the postcode\ncaller: l s one four a b",
                "l s one four a b",
            ),
            ("my postcode is e c two a four n e thanks", "e c two a four n e"),
            ("the post code's b a one five q t", "b a one five q t"),
            ("postcode is s w one a one a a", "s w one a one a a"),
            (
                "it's flat four twelve mill lane manchester m one two a b",
                "four twelve mill lane manchester m one two a b",
            ),
            (
                "agent: first line and postcode\ncaller: fourteen rose hill l s one four a b",
                "fourteen rose hill l s one four a b",
            ),
            ("and the zip code\ncaller: nine four six oh seven", "nine four six oh seven"),
            (
                "it's twenty two north maple avenue apartment six chicago illinois six oh six one four",
                "twenty two north maple avenue apartment six chicago illinois six oh six one four",
            ),
            ("we're in albany new york one two two oh seven", "one two two oh seven"),
            // After a street and a town, without a state or a "zip" cue.
            (
                "caller: eighty eight beacon street boston oh two one oh eight",
                "eighty eight beacon street boston oh two one oh eight",
            ),
            // Australian postcodes: four digits after a state or a street.
            (
                "caller: six bellbird crescent bli bli queensland four five six oh",
                "six bellbird crescent bli bli queensland four five six oh",
            ),
            (
                "it's unit five forty two smith street fitzroy three oh six five",
                "five forty two smith street fitzroy three oh six five",
            ),
        ] {
            let got = found_of(text, &addr);
            assert!(got.iter().any(|(_, s)| s == want), "{text:?}: {got:?}");
        }
        for text in [
            "postcode: i want to see a b and c",
            "postcode a one b two",
            "my postcode is one two three a b",
            "the postcode is in the letter a b c one two",
            "it's one two three four five six seven",
            "nine four six oh seven",
            "order number nine four six oh seven",
            // Four digits alone, or after a place that is no state, are no postcode.
            "the last four are four four one nine",
            "we're in brisbane four five six oh",
            "it's forty two church street and a one b two",
            // Spelled in capitals: the written form is the patterns' job.
            "postcode L S ONE FOUR A B",
        ] {
            let got = found_of(text, &addr);
            assert!(
                got.iter()
                    .all(|(t, s)| *t == StreetAddress && s.ends_with("street")),
                "{text:?}: {got:?}"
            );
        }
        // A town between the street and the postcode, on the next line: not joined.
        let got = found_of(
            "it's forty two mill lane\nagent: was that m one two a b",
            &addr,
        );
        assert_eq!(got, vec![(StreetAddress, "forty two mill lane".into())]);
    }

    #[test]
    fn spelled_ninos_and_ssns() {
        use EntityType::{UkNino, UsSsn};
        for (text, ty, want) in [
            (
                "could i take your national insurance number\ncaller: yeah it's a b one two three four five six c",
                UkNino,
                "a b one two three four five six c",
            ),
            ("NINO chk: cust read ce 40 21 77 b today", UkNino, "ce 40 21 77 b"),
            ("my ni number is j g one oh three seven five two a", UkNino, "j g one oh three seven five two a"),
            (
                "hi my social is five one two four four three one eight seven",
                UsSsn,
                "five one two four four three one eight seven",
            ),
        ] {
            let got = found_of(text, &[ty]);
            assert_eq!(got, vec![(ty, want.to_string())], "{text:?}");
        }
        for text in [
            // No cue.
            "yeah it's a b one two three four five six c",
            "five one two four four three one eight seven",
            "it's one two three four five six seven",
            // Invalid prefixes and suffixes.
            "national insurance number q q one two three four five six c",
            "national insurance number g b one two three four five six a",
            "national insurance number a b one two three four five six e",
            "ni number a b 12 34 5 c",
            // Invalid SSN area.
            "my social is six six six four four three one eight seven",
        ] {
            let got = found_of(text, &[UkNino, UsSsn]);
            assert!(got.is_empty(), "{text:?}: {got:?}");
        }
    }

    #[test]
    fn spelled_names() {
        use EntityType::Person;
        for (text, want) in [
            (
                "agent: and your surname\ncaller: oduya o d u y a",
                "o d u y a",
            ),
            (
                "agent: is that priya with a y\ncaller: yes p r i y a",
                "p r i y a",
            ),
            (
                "can you spell that for me\ncaller: k o w a l s k i",
                "k o w a l s k i",
            ),
            ("my surname's hall that's h a double l", "h a double l"),
            ("the name is that's m e n s a h", "m e n s a h"),
        ] {
            let got = found_of(text, &[Person]);
            assert!(got.iter().any(|(_, s)| s == want), "{text:?}: {got:?}");
        }
        for text in [
            "i want to see a b and c",
            "options a b c d on the form",
            "that's a b c d",
            "it's plan a b or c",
            "press a b c to spell it",
            "x y z",
        ] {
            let got = found_of(text, &[Person]);
            assert!(got.is_empty(), "{text:?}: {got:?}");
        }
    }

    /// The candidates of `run` and of the reference implementation, printed.
    fn both(pats: &Patterns, text: &str) -> (String, String) {
        let doc = Doc {
            text,
            lower: text.to_ascii_lowercase(),
        };
        let toks = crate::names::tokenize(text);
        let cfg = DetectorConfig::default();
        let (mut new, mut old) = (Vec::new(), Vec::new());
        run(&doc, &toks, pats, &cfg, &mut new);
        reference::ref_run(&doc, &toks, pats, &cfg, &mut old);
        (format!("{new:?}"), format!("{old:?}"))
    }

    #[test]
    fn gates_let_the_forms_through() {
        let pats = Patterns::new();
        for (text, ty, span) in [
            (
                "call me on oh seven nine seven double oh nine one two three four",
                EntityType::PhoneNumber,
                "oh seven nine seven double oh nine one two three four",
            ),
            (
                "plus four four seven nine seven double oh nine one two three four",
                EntityType::PhoneNumber,
                "plus four four seven nine seven double oh nine one two three four",
            ),
            (
                "it's jane dot doe at gmail dot com thanks",
                EntityType::EmailAddress,
                "jane dot doe at gmail dot com",
            ),
            (
                "it's jane (dot) doe [at] gmail [dot] com",
                EntityType::EmailAddress,
                "jane (dot) doe [at] gmail [dot] com",
            ),
            (
                "i live at forty two church street now",
                EntityType::StreetAddress,
                "forty two church street",
            ),
            (
                "AGENT: address?\nCUSTOMER: it's 42 church street, leeds",
                EntityType::StreetAddress,
                "42 church street",
            ),
            (
                "CUSTOMER: forty-two o’brien close and 7 high road",
                EntityType::StreetAddress,
                "7 high road",
            ),
            ("my postcode is ls1 4ab", EntityType::Postcode, "ls1 4ab"),
            (
                "the post code is sw1a 1aa",
                EntityType::Postcode,
                "sw1a 1aa",
            ),
        ] {
            let doc = Doc {
                text,
                lower: text.to_ascii_lowercase(),
            };
            let toks = crate::names::tokenize(text);
            let mut out = Vec::new();
            run(&doc, &toks, &pats, &DetectorConfig::default(), &mut out);
            assert!(
                out.iter().any(|c| c.ty == ty && &text[c.bs..c.be] == span),
                "{text:?}: {out:?}"
            );
            let (new, old) = both(&pats, text);
            assert_eq!(new, old, "{text:?}");
        }
        assert!(
            found("the third of march nineteen eighty four").contains(&(
                EntityType::DateOfBirth,
                "third of march nineteen eighty four".into()
            )) || !found("born the third of march nineteen eighty four").is_empty()
        );
    }

    /// Words and pieces of the forms `run` looks for, put together at random.
    #[rustfmt::skip]
    const VOCAB: &[&str] = &[
        "zero", "oh", "o", "nought", "nil", "one", "two", "three", "four", "five", "six",
        "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen", "nineteen", "twenty",
        "forty", "ninety", "hundred", "and", "double", "triple", "plus", "ONE", "Oh", "SEVEN",
        "twenty-one", "fortytwo", "someone", "often", "0", "7", "12", "345", "07700", "900123",
        "4111", "1111", "²", "oh seven nine one two", "three four five six seven eight",
        "four one one one one one one one one one one one one one one one",
        "oh seven nine one two three four five six seven eight", "plus four four seven nine",
        "my ssn is two one nine zero nine", "nine four two five", "social security number",
        "street", "road", "lane", "avenue", "close", "drive", "way", "crescent", "gardens",
        "terrace", "place", "grove", "court", "rise", "walk", "boulevard", "square", "parade",
        "mews", "Street", "ROAD", "streets", "closed", "broadway", "church", "high", "the", "my",
        "of", "o'brien", "st’", "’", "a", "42a", "forty two church", "42 high", "7 the old",
        "postcode", "post", "code", "Postcode", "post code ls1 4ab", "postcode is sw1a 1aa", "ls1", "4ab", "sw1a", "1aa", "l37", "9wn", "LS1",
        "dot", "at", "jane", "doe", "gmail", "com", "uk", "[at]", "(dot)", "[dot]", "(.)",
        "jane dot doe at gmail dot com", "j (dot) doe", "[at] mail (dot) co [dot] uk",
        " at mail.com", "at sign", "underscore", "é", "ü", "_", "ssn", "social", "security",
        "b", "c", "l", "s", "y", "A", "l s one four a b", "m one two a b", "o d u y a", "oduya",
        "spell", "that's", "zip", "illinois", "new york", "ni number", "national insurance",
        "ce", "40", "a b one two three four five six c", "flat", "apartment", "manchester",
    ];
    const SEPS: &[&str] = &[
        " ", " ", " ", " ", "  ", ", ", "-", " - ", "\n", ": ", ". ", "", "’", "'", " ’ ", "_",
        "é", "(", ")", "]",
    ];

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 4000, ..Default::default() })]
        /// Gates and token classes never change what `run` finds.
        #[test]
        fn same_as_reference(parts in proptest::collection::vec(
            (proptest::sample::select(VOCAB), proptest::sample::select(SEPS)), 0..40)
        ) {
            static PATS: OnceLock<Patterns> = OnceLock::new();
            let pats = PATS.get_or_init(Patterns::new);
            let text: String = parts.iter().flat_map(|(w, s)| [*w, *s]).collect();
            let (new, old) = both(pats, &text);
            proptest::prop_assert_eq!(new, old, "{:?}", text);
        }
    }
}
