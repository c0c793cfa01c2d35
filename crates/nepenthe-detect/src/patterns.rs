//! Pattern detectors: e-mail addresses, numbers (cards, phones, SSNs),
//! IBANs, NINOs, IP addresses, dates of birth and postal addresses. Each
//! pattern only proposes; a validator and the surrounding words decide.

use crate::{validate, Cand, DetectorConfig, Doc, EntityType};
use regex::Regex;
use std::cell::RefCell;

/// Looks for any of `words` in the `window` bytes before `bs` (lower-cased text).
pub(crate) fn ctx_before(
    lower: &str,
    bs: usize,
    window: usize,
    words: &[&'static str],
) -> Option<&'static str> {
    let mut from = bs.saturating_sub(window);
    while !lower.is_char_boundary(from) {
        from += 1;
    }
    let hay = &lower.as_bytes()[from..bs];
    words
        .iter()
        .copied()
        .find(|w| find_small(hay, w.as_bytes()).is_some())
}

/// Substring search for short haystacks (context windows): building a SIMD
/// searcher costs more than a plain scan here.
fn find_small(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    let first = needle[0];
    (0..=hay.len() - needle.len()).find(|&i| hay[i] == first && &hay[i..i + needle.len()] == needle)
}

const PHONE_POS: &[&str] = &[
    "phone", "mobile", "number", "call", "tel", "reach", "text", "contact", "landline", "cell",
];
const NUM_NEG: &[&str] = &[
    "order",
    "case",
    "ticket",
    "ref",
    "invoice",
    "tracking number",
    "tracking no",
    "tracking id",
    "sku",
    "serial",
    "policy",
    "version",
    "voucher",
    "agent id",
    "staff",
    "extension",
    "prd",
    "model",
    "parcel",
];
const CARD_POS: &[&str] = &[
    "card",
    "visa",
    "mastercard",
    "amex",
    "debit",
    "credit",
    "pan ",
];
const SSN_POS: &[&str] = &["ssn", "social security", "social"];
const NINO_POS: &[&str] = &["national insurance", "ni number", "nino", "ni no"];
const IP_POS: &[&str] = &[
    "ip", "address", "login", "logged", "server", "host", "wan", "lan",
];
const IP_NEG: &[&str] = &["version", "firmware", "v.", "release", "build"];
pub(crate) const DOB_POS: &[&str] = &[
    "birth",
    "born",
    "dob",
    "d.o.b",
    "birthday",
    "b'day",
    "date of b",
];

const MONTHS: &str = "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?";

const STREET_SUFFIX: &str = "Street|St|Road|Rd|Lane|Ln|Avenue|Ave|Close|Cl|Drive|Dr|Gardens|Gdns|Way|Crescent|Cres|Terrace|Place|Pl|Grove|Court|Ct|Rise|Walk|Hill|Boulevard|Blvd|Row|Square|Sq|Parade|Mews|Green|View|Highway|Hwy|Parkway|Pkwy|Circle|Cir|Trail|Broadway|Park|Gate|Vale|Wharf|Yard|Hollow";

#[cfg(test)]
const US_STATES: &str = "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC|PR";

/// A list of context words, indexed by first byte: the words present in a
/// window are found in one pass over it (instead of one pass per word).
struct WordSet {
    words: &'static [&'static str],
    /// Bit `k` of `first[c]`: `words[k]` starts with byte `c`.
    first: [u32; 256],
    /// Bit `k` of `second[c]`: `words[k]` has `c` as its second byte, or is
    /// one byte long.
    second: [u32; 256],
    /// Bit `k`: `words[k]` is one byte long.
    short: u32,
    /// The distinct first bytes when there are at most three (then the
    /// windows are searched for them with `memchr`), else empty.
    firsts: Vec<u8>,
    /// Bit `c1 * 256 + c2`: some word starts with the bytes `c1 c2` (or is
    /// the one byte `c1`): one test rejects most positions.
    pairs: Box<[u64; 1024]>,
}

impl WordSet {
    fn new(words: &'static [&'static str]) -> Self {
        assert!(
            words.len() <= 32,
            "a context word list holds at most 32 words"
        );
        let mut first = [0u32; 256];
        let mut second = [0u32; 256];
        let mut short = 0;
        for (k, w) in words.iter().enumerate() {
            match *w.as_bytes() {
                [] => {}
                [a] => {
                    first[usize::from(a)] |= 1 << k;
                    short |= 1 << k;
                    for s in second.iter_mut() {
                        *s |= 1 << k;
                    }
                }
                [a, b, ..] => {
                    first[usize::from(a)] |= 1 << k;
                    second[usize::from(b)] |= 1 << k;
                }
            }
        }
        let mut pairs = Box::new([0u64; 1024]);
        for (c1, &f1) in first.iter().enumerate() {
            for (c2, &s2) in second.iter().enumerate() {
                if f1 & s2 != 0 {
                    let key = c1 << 8 | c2;
                    pairs[key >> 6] |= 1 << (key & 63);
                }
            }
        }
        let mut firsts: Vec<u8> = (0..=255u8)
            .filter(|&c| first[usize::from(c)] != 0)
            .collect();
        if firsts.len() > 3 {
            firsts.clear();
        }
        WordSet {
            words,
            first,
            second,
            short,
            firsts,
            pairs,
        }
    }

    /// The positions in `hay` where a word may start, by their first byte.
    fn starts<'h>(&self, hay: &'h [u8]) -> Option<memchr::Memchr3<'h>> {
        match *self.firsts {
            [a] => Some(memchr::memchr3_iter(a, a, a, hay)),
            [a, b] => Some(memchr::memchr3_iter(a, b, b, hay)),
            [a, b, c] => Some(memchr::memchr3_iter(a, b, c, hay)),
            _ => None,
        }
    }

    /// Does `words[k]` start at `hay[i]`, given that its first two bytes do
    /// (a byte loop: most candidates differ at the third byte, and a slice
    /// comparison would call `memcmp`).
    #[inline]
    fn word_at(&self, hay: &[u8], i: usize, k: usize) -> bool {
        let w = self.words[k].as_bytes();
        hay.len() - i >= w.len() && w.iter().zip(&hay[i..]).skip(2).all(|(a, b)| a == b)
    }

    /// The words starting at `hay[i]`, as bits.
    fn at(&self, hay: &[u8], i: usize) -> u32 {
        let mut m = self.candidates(hay, i);
        let mut found = 0;
        while m != 0 {
            let k = m.trailing_zeros() as usize;
            m &= m - 1;
            if self.word_at(hay, i, k) {
                found |= 1 << k;
            }
        }
        found
    }

    /// May a word start at `hay[i]`, `i + 1 < hay.len()`?
    #[inline]
    fn pair(&self, hay: &[u8], i: usize) -> bool {
        let key = usize::from(hay[i]) << 8 | usize::from(hay[i + 1]);
        self.pairs[key >> 6] >> (key & 63) & 1 != 0
    }

    /// The words that may start at `hay[i]`, judged by its first two bytes.
    #[inline]
    fn candidates(&self, hay: &[u8], i: usize) -> u32 {
        let next = match hay.get(i + 1) {
            Some(&c) => self.second[usize::from(c)],
            None => self.short,
        };
        self.first[usize::from(hay[i])] & next
    }

    /// The first of the words (in list order) that occurs in `hay`: as
    /// `words.iter().find(|w| hay contains w)`.
    fn first_in(&self, hay: &[u8]) -> Option<&'static str> {
        let mut found = 0u32;
        if let Some(starts) = self.starts(hay) {
            for i in starts {
                found |= self.at(hay, i);
                if found & 1 != 0 {
                    break;
                }
            }
            return (found != 0).then(|| self.words[found.trailing_zeros() as usize]);
        }
        for i in 0..hay.len() {
            if i + 1 < hay.len() && !self.pair(hay, i) {
                continue;
            }
            let mut m = self.candidates(hay, i) & !found;
            while m != 0 {
                let k = m.trailing_zeros() as usize;
                m &= m - 1;
                if self.word_at(hay, i, k) {
                    found |= 1 << k;
                }
            }
            if found & 1 != 0 {
                break;
            }
        }
        (found != 0).then(|| self.words[found.trailing_zeros() as usize])
    }

    /// The last occurrence of any of the words in `hay` (the later word in
    /// list order when two start at the same place).
    fn nearest(&self, hay: &[u8]) -> Option<(usize, &'static str)> {
        if let Some(starts) = self.starts(hay) {
            for i in starts.rev() {
                let found = self.at(hay, i);
                if found != 0 {
                    return Some((i, self.words[31 - found.leading_zeros() as usize]));
                }
            }
            return None;
        }
        for i in (0..hay.len()).rev() {
            if i + 1 < hay.len() && !self.pair(hay, i) {
                continue;
            }
            let mut m = self.candidates(hay, i);
            let mut best = None;
            while m != 0 {
                let k = m.trailing_zeros() as usize;
                m &= m - 1;
                if self.word_at(hay, i, k) {
                    best = Some(k);
                }
            }
            if let Some(k) = best {
                return Some((i, self.words[k]));
            }
        }
        None
    }

    /// [`ctx_before`] with this list.
    fn before(&self, lower: &str, bs: usize, window: usize) -> Option<&'static str> {
        let mut from = bs.saturating_sub(window);
        while !lower.is_char_boundary(from) {
            from += 1;
        }
        self.first_in(&lower.as_bytes()[from..bs])
    }

    /// The closest (last) of the words in the `window` bytes before `bs`,
    /// with its position (the tests compare it with the reference `ctx_nearest`).
    fn nearest_before(
        &self,
        lower: &str,
        bs: usize,
        window: usize,
    ) -> Option<(usize, &'static str)> {
        let mut from = bs.saturating_sub(window);
        while !lower.is_char_boundary(from) {
            from += 1;
        }
        self.nearest(&lower.as_bytes()[from..bs])
            .map(|(p, w)| (from + p, w))
    }

    /// Any of the words in the `window` bytes after `be` (the tests compare
    /// it with the reference `ctx_after`).
    fn after(&self, lower: &str, be: usize, window: usize) -> Option<&'static str> {
        let mut to = (be + window).min(lower.len());
        while !lower.is_char_boundary(to) {
            to -= 1;
        }
        self.first_in(&lower.as_bytes()[be..to])
    }
}

/// The context word lists, indexed once.
struct Cues {
    phone_pos: WordSet,
    num_neg: WordSet,
    card_pos: WordSet,
    ssn_pos: WordSet,
    nino_pos: WordSet,
    ip_pos: WordSet,
    ip_neg: WordSet,
    dob_pos: WordSet,
}

impl Cues {
    fn new() -> Self {
        Cues {
            phone_pos: WordSet::new(PHONE_POS),
            num_neg: WordSet::new(NUM_NEG),
            card_pos: WordSet::new(CARD_POS),
            ssn_pos: WordSet::new(SSN_POS),
            nino_pos: WordSet::new(NINO_POS),
            ip_pos: WordSet::new(IP_POS),
            ip_neg: WordSet::new(IP_NEG),
            dob_pos: WordSet::new(DOB_POS),
        }
    }
}

/// Per-thread buffers reused from document to document.
#[derive(Default)]
struct Scratch {
    /// Maximal runs of ASCII digits: `(start, end)`.
    runs: Vec<(usize, usize)>,
    /// Gate positions ([`caps_gates`]).
    gates: Vec<usize>,
    /// Windows `(start, end)` around runs of digits and `/ . -`.
    wins: Vec<(usize, usize)>,
    /// Zones `(start, end)` where a date pattern may match.
    zones: Vec<(usize, usize)>,
    /// Candidate positions (years).
    cands: Vec<usize>,
}

/// Runs `f` with this thread's scratch buffers (fresh ones if they are in use).
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    thread_local! {
        static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    }
    SCRATCH.with(|c| match c.try_borrow_mut() {
        Ok(mut s) => f(&mut s),
        Err(_) => f(&mut Scratch::default()),
    })
}

#[cfg(test)]
const EMAIL: &str = r"(?i-u)[a-z0-9](?:[a-z0-9._%+\-]*[a-z0-9_])?@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,24}";
const IPV4: &str = r"(?-u)(?:[0-9]{1,3}\.){3}[0-9]{1,3}";
const IPV6: &str = r"(?i-u)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}";
#[cfg(test)]
const IBAN: &str = r"(?-u)\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,32}";
#[cfg(test)]
const NINO: &str = r"(?i-u)\b[a-z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[a-d]\b";
#[cfg(test)]
const UK_PC: &str = r"(?-u)\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][ABD-HJLNP-UW-Z]{2}\b";
#[cfg(test)]
const DATE_NUM: &str = r"(?-u)\b([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]((?:19|20)[0-9]{2})\b";
#[cfg(test)]
const DATE_SHORT: &str = r"(?-u)\b([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{2})\b";
#[cfg(test)]
const DATE_ISO: &str = r"(?-u)\b((?:19|20)[0-9]{2})[\-/.]([0-9]{1,2})[\-/.]([0-9]{1,2})\b";

#[cfg(test)]
fn us_zip_pattern() -> String {
    format!(r"(?-u)\b(?:{US_STATES}),? [0-9]{{5}}(?:-[0-9]{{4}})?\b")
}

fn date_text_pattern() -> String {
    format!(
        r"(?i-u)\b(?:(?:the )?([0-9]{{1,2}})(?:st|nd|rd|th)?(?: of)?[ \-]({MONTHS})\.?,?|({MONTHS})\.? (?:the )?([0-9]{{1,2}})(?:st|nd|rd|th)?,?)[ \-]((?:19|20)[0-9]{{2}})\b"
    )
}

/// `pattern` matched only at the start of the haystack.
#[cfg(test)]
fn anchored(pattern: &str) -> Regex {
    re(&format!("^(?:{pattern})"))
}

pub(crate) struct Patterns {
    ipv4: Regex,
    ipv6: Regex,
    date_text: Regex,
    street: Regex,
    /// The street words alone: a literal set the regex engine finds with SIMD.
    town: Regex,
    house: Regex,
    cues: Cues,
    pub(crate) spoken_email: Regex,
    pub(crate) spoken_street: Regex,
    pub(crate) uk_pc_lower: Regex,
    pub(crate) spoken_date: Regex,
}

fn re(s: &str) -> Regex {
    // The patterns are constants of this crate; a failure is a programming error
    // caught by every test run.
    Regex::new(s).unwrap_or_else(|e| panic!("built-in pattern does not compile: {e}"))
}

impl Patterns {
    pub fn new() -> Self {
        Patterns {
            ipv4: re(IPV4),
            ipv6: re(IPV6),
            date_text: re(&date_text_pattern()),
            street: re(&format!(
                r"(?-u:\b)(?:(?:Flat|Apartment|Apt|Unit) [0-9]+[A-Za-z]?,?[ \n])?[0-9]{{1,5}}[A-Za-z]?,? (?:[\p{{Lu}}][\p{{L}}'’\-]*\.? |(?:St|Saint)\.? ){{1,3}}(?:{STREET_SUFFIX})\.?(?-u:\b)(?: (?:NE|NW|SE|SW|N|S|E|W)(?-u:\b))?(?:,? (?:Apt|Apartment|Unit|Suite|Flat|#) ?[0-9]+[A-Za-z]?(?-u:\b))?"
            )),
            town: re(
                r"^(?:,? ?\n|, | )([\p{Lu}][\p{L}'’\-]+(?: (?:upon|on|under|in|le|en|de) [\p{Lu}][\p{L}'’\-]+| [\p{Lu}][\p{L}'’\-]+){0,2})",
            ),
            house: re(&format!(
                r"^(?:(?:Flat|Apartment|Apt|Unit) [0-9]+[A-Za-z]?|[0-9]{{1,5}}[A-Za-z]? (?:[\p{{Lu}}][\p{{L}}'’\-]*\.? ){{1,3}}(?:{STREET_SUFFIX})\.?(?: (?:Apt|Unit|Suite|#) ?[0-9]+[A-Za-z]?)?|(?:[\p{{Lu}}][\p{{L}}'’\-]* ){{1,2}}(?:Cottage|House|Farm|Lodge|Barn|Hall|Manor|Villa|Mill|Court|{STREET_SUFFIX}))$"
            )),
            cues: Cues::new(),
            uk_pc_lower: re(r"(?-u)\b[a-z]{1,2}[0-9][a-z0-9]? ?[0-9][abd-hjlnp-uw-z]{2}\b"),
            spoken_street: re(
                r"(?-u:\b)((?:(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|oh|and)[ \-]?)+|[0-9]{1,5}[a-z]?) ((?:[a-z'’]+ ){1,3})(street|road|lane|avenue|close|drive|way|crescent|gardens|terrace|place|grove|court|rise|walk|boulevard|square|parade|mews)(?-u:\b)",
            ),
            spoken_email: re(
                r"(?-u)\b([a-z0-9]+(?:(?: (?:dot|underscore|dash|hyphen|point) | ?[\[(](?:dot|\.)[\])] ?|[._\-])[a-z0-9]+)*)(?: (?:at|at sign) | ?[\[(]at[\])] ?)((?:[a-z0-9\-]+(?: dot | ?[\[(](?:dot|\.)[\])] ?|\.))+(?:com|net|org|uk|me|de|pl|fr|ie|io|edu|gov|us|info|biz|eu|es|nl|dk|no))\b",
            ),
            spoken_date: re(
                r"(?-u)\b(?:the )?((?:twenty|thirty)[ \-](?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|thirtieth)(?: of)? (january|february|march|april|may|june|july|august|september|october|november|december),? ((?:nineteen|twenty|two thousand)(?:(?: and)?[ \-](?:oh|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred))*)\b",
            ),
        }
    }

    #[inline(never)]
    pub fn run(&self, doc: &Doc<'_>, cfg: &DetectorConfig, dates: &[DateHit], out: &mut Vec<Cand>) {
        let text = doc.text;
        let bytes = text.as_bytes();
        self.emails(text, out);
        dobs(doc, cfg, dates, &self.cues.dob_pos, out);
        cued_dobs(doc, cfg, dates, out);
        with_scratch(|sc| {
            digit_runs(bytes, &mut sc.runs);
            // Everything else needs a digit.
            if sc.runs.is_empty() {
                return;
            }
            self.ips(doc, &sc.runs, out);
            caps_gates(bytes, &sc.runs, &mut sc.gates);
            self.ibans(doc, &sc.gates, out);
            let marks = RunMarks::new(bytes, &sc.runs);
            loose_ibans(bytes, &marks, out);
            self.numbers(doc, &sc.runs, out);
            self.ninos(doc, &sc.gates, out);
            loose_ninos(doc, &marks, NINO_POS, out);
            born_years(doc, cfg, dates, &marks, out);
            self.addresses(doc, &sc.runs, &sc.gates, out);
            address_extras(doc, &sc.gates, &marks, out);
        });
    }

    /// E-mail addresses, searched only around each `@`: a match holds one
    /// `@` and, around it, only the characters of its local part and domain.
    fn emails(&self, text: &str, out: &mut Vec<Cand>) {
        let b = text.as_bytes();
        let local =
            |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-');
        let domain = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-');
        // The end of the last match: the next search starts there.
        let mut done = 0;
        for at in memchr::memchr_iter(b'@', b) {
            if at < done {
                continue;
            }
            let mut s = at;
            while s > done && local(b[s - 1]) {
                s -= 1;
            }
            let mut e = at + 1;
            while e < b.len() && domain(b[e]) {
                e += 1;
            }
            if let Some((ms, me)) = email_around(b, s, at, e) {
                out.push(Cand::new(
                    ms,
                    me,
                    EntityType::EmailAddress,
                    0.99,
                    "e-mail address pattern",
                ));
                done = me;
            }
        }
    }

    fn ips(&self, doc: &Doc<'_>, runs: &[(usize, usize)], out: &mut Vec<Cand>) {
        let text = doc.text;
        let b = text.as_bytes();
        // Dotted quads lie inside runs of digits and `/ . -` that have a
        // digit, `.` and a digit.
        let mut last_end = 0;
        for &(_, e) in runs {
            if e < last_end
                || b.get(e) != Some(&b'.')
                || !b.get(e + 1).is_some_and(u8::is_ascii_digit)
            {
                continue;
            }
            let (rs, re_) = dotted_run(b, e);
            last_end = re_;
            if re_ - rs < 6 || !maybe_ipv4(&b[rs..re_]) {
                continue;
            }
            let (off, w) = window(text, rs, re_);
            for m in self.ipv4.find_iter(w) {
                let (s, e) = (off + m.start(), off + m.end());
                // Not part of a longer dotted number (versions, OIDs) or a word.
                if (s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'.'))
                    || (e < b.len()
                        && (b[e].is_ascii_alphanumeric()
                            || (b[e] == b'.' && b.get(e + 1).is_some_and(u8::is_ascii_digit))))
                {
                    continue;
                }
                if m.as_str().parse::<std::net::Ipv4Addr>().is_err() {
                    continue;
                }
                let mut c = Cand::new(s, e, EntityType::IpAddress, 0.85, "IPv4 address");
                if let Some(w) = self
                    .cues
                    .ip_neg
                    .before(&doc.lower, s, 12)
                    .or_else(|| version_before(&doc.lower, s, IP_POS))
                {
                    c.score -= 0.5;
                    c.cue = Some(w);
                } else if let Some(w) = self.cues.ip_pos.before(&doc.lower, s, 40) {
                    c.score += 0.1;
                    c.cue = Some(w);
                }
                out.push(c);
            }
        }
        self.ipv6s(doc, out);
    }

    fn ipv6s(&self, doc: &Doc<'_>, out: &mut Vec<Cand>) {
        let text = doc.text;
        let b = text.as_bytes();
        // IPv6: matches hold only hex digits and colons, and two colons with
        // at most four hex digits between them. Each run of hex digits and
        // colons that has such a pair is searched as a whole.
        let hexcolon = |c: u8| c.is_ascii_hexdigit() || c == b':';
        let mut done = 0;
        for i in memchr::memchr_iter(b':', b) {
            if i < done {
                continue;
            }
            let mut j = i + 1;
            while j < b.len() && j - i - 1 < 4 && b[j].is_ascii_hexdigit() {
                j += 1;
            }
            if b.get(j) != Some(&b':') {
                continue;
            }
            // Only hex digits and colons parse as an IPv6 address with `::`
            // or with all eight groups: "[00:01:22]" cannot hold one.
            let (mut colons, mut double) = (2, j == i + 1);
            let mut rs = i;
            while rs > done && hexcolon(b[rs - 1]) {
                rs -= 1;
                if b[rs] == b':' {
                    colons += 1;
                    double |= b[rs + 1] == b':';
                }
            }
            let mut re_ = j + 1;
            while re_ < b.len() && hexcolon(b[re_]) {
                if b[re_] == b':' {
                    colons += 1;
                    double |= b[re_ - 1] == b':';
                }
                re_ += 1;
            }
            done = re_;
            if !double && colons < 7 {
                continue;
            }
            for m in self.ipv6.find_iter(&text[rs..re_]) {
                let (s, e) = (rs + m.start(), rs + m.end());
                if (s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b':'))
                    || (e < b.len() && b[e].is_ascii_alphanumeric())
                {
                    continue;
                }
                let mut st = m.as_str();
                // A sentence may end right after the address.
                if st.ends_with(':') && !st.ends_with("::") {
                    st = &st[..st.len() - 1];
                }
                if st.matches(':').count() < 2 || st.parse::<std::net::Ipv6Addr>().is_err() {
                    continue;
                }
                out.push(Cand::new(
                    s,
                    s + st.len(),
                    EntityType::IpAddress,
                    0.9,
                    "IPv6 address",
                ));
            }
        }
    }

    /// The match of the anchored pattern `re` starting exactly at gate `p`, in
    /// the window it has always been searched in (64 bytes, extended to the
    /// end of the word so `\b` is not faked by the cut): `(start, end)`.
    fn gated(code: fn(&[u8]) -> Option<usize>, text: &str, p: usize) -> Option<(usize, usize)> {
        let mut end = (p + 64).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        while end < text.len() && text.as_bytes()[end].is_ascii_alphanumeric() {
            end += 1;
        }
        code(&text.as_bytes()[p..end]).map(|e| (p, p + e))
    }

    fn ibans(&self, doc: &Doc<'_>, gates: &[usize], out: &mut Vec<Cand>) {
        let text = doc.text;
        for &g in gates {
            let Some((s, me)) = Self::gated(iban_at, text, g) else {
                continue;
            };
            let mut compact = [0u8; 34];
            let mut ends = [0usize; 34];
            let mut n = 0;
            for (i, &ch) in text.as_bytes()[s..me].iter().enumerate() {
                if ch != b' ' {
                    // The pattern allows at most 2 + 2 + 32 characters.
                    if n == compact.len() {
                        break;
                    }
                    compact[n] = ch;
                    ends[n] = s + i + 1;
                    n += 1;
                }
            }
            let Some(len) = validate::iban_length(&compact[..2]) else {
                continue;
            };
            if n < len {
                continue;
            }
            let e = ends[len - 1];
            if e < text.len() && text.as_bytes()[e].is_ascii_alphanumeric() {
                continue;
            }
            if validate::iban_mod97(&compact[..len]) {
                out.push(Cand::new(
                    s,
                    e,
                    EntityType::IbanCode,
                    0.97,
                    "IBAN with valid ISO 13616 mod-97 checksum",
                ));
            }
        }
    }

    fn numbers(&self, doc: &Doc<'_>, runs: &[(usize, usize)], out: &mut Vec<Cand>) {
        let text = doc.text;
        let b = text.as_bytes();
        for (s, e) in DigitRuns::with_runs(b, runs) {
            if e - s < 7 {
                continue;
            }
            // Glued to a word or code ("ORD-2024-123456", "INC1234567", "JD0123...").
            if s > 0 {
                let p = b[s - 1];
                if p.is_ascii_alphanumeric()
                    || p == b'#'
                    || p == b'_'
                    || p == b'/'
                    || p == b'\\'
                    || p == b'@'
                    || p == b':'
                    || p == b'$'
                    || p == 0xA3
                {
                    continue;
                }
                if (p == b'-' || p == b'.') && s > 1 && b[s - 2].is_ascii_alphanumeric() {
                    continue;
                }
            }
            if e < b.len() && (b[e].is_ascii_alphanumeric() || b[e] == b'@' || (b[e] == b'/')) {
                continue;
            }
            // Skip runs already explained by an IBAN, IP or e-mail address.
            if out.iter().any(|c| {
                matches!(
                    c.ty,
                    EntityType::IbanCode | EntityType::IpAddress | EntityType::EmailAddress
                ) && c.bs < e
                    && s < c.be
            }) {
                continue;
            }
            // Groups of digits inside the run, to try shorter runs when the whole fails.
            let run = &b[s..e];
            let mut groups = [(0usize, 0usize); 24];
            let mut ng = 0;
            let mut i = 0;
            while i < run.len() && ng < groups.len() {
                if run[i].is_ascii_digit() {
                    let gs = i;
                    while i < run.len() && run[i].is_ascii_digit() {
                        i += 1;
                    }
                    groups[ng] = (s + gs, s + i);
                    ng += 1;
                } else {
                    i += 1;
                }
            }
            if ng == 0 {
                continue;
            }
            // The whole run, then shorter runs that keep its start or its end
            // ("07912 345678 2" or "12 07912 345678").
            if let Some(c) = self.classify_number(doc, s, e, ng) {
                out.push(c);
                continue;
            }
            for k in 1..ng.min(6) {
                let prefix = self.classify_number(doc, s, groups[ng - 1 - k].1, ng - k);
                if let Some(c) =
                    prefix.or_else(|| self.classify_number(doc, groups[k].0, e, ng - k))
                {
                    out.push(c);
                    break;
                }
            }
        }
    }

    /// Decides what a run of digits is, if anything: a card, an SSN or a phone number.
    fn classify_number(&self, doc: &Doc<'_>, s: usize, e: usize, ngroups: usize) -> Option<Cand> {
        let text = doc.text;
        let span = &text[s..e];
        let sb = span.as_bytes();
        let nd = sb.iter().filter(|c| c.is_ascii_digit()).count();
        let lower = &doc.lower;
        let cues = &self.cues;
        // A negative cue ("order", "case") counts unless a positive one is closer.
        // Computed only once a validator has accepted the number.
        let neg = || {
            cues.num_neg
                .nearest_before(lower, s, 30)
                .filter(|(np, _)| {
                    let pos = cues
                        .phone_pos
                        .nearest_before(lower, s, 30)
                        .map(|x| x.0)
                        .max(cues.card_pos.nearest_before(lower, s, 30).map(|x| x.0))
                        .max(phone_cue_before(lower, s, 30).map(|x| x.0));
                    pos.is_none_or(|p| p < *np)
                })
                .map(|x| x.1)
        };
        let phone_like = sb.first() == Some(&b'+') || sb.contains(&b'(');
        if (13..=19).contains(&nd) && !phone_like && validate::credit_card(span) {
            let mut c = Cand::new(
                s,
                e,
                EntityType::CreditCard,
                0.9,
                "card number with valid Luhn check digit and issuer prefix",
            );
            if let Some(w) = cues.card_pos.before(lower, s, 60) {
                c.score = 1.0;
                c.cue = Some(w);
            } else if let Some(w) = neg() {
                c.score -= 0.4;
                c.cue = Some(w);
            }
            return Some(c);
        }
        if nd == 9 && !matches!(sb.first(), Some(b'+' | b'(')) {
            // The separators: none, or two equal ones (`-` or space) after
            // the third and the fifth digit.
            let mut seps = [0u8; 2];
            let mut nsep = 0;
            for &c in sb {
                if !c.is_ascii_digit() {
                    if nsep < 2 {
                        seps[nsep] = c;
                    }
                    nsep += 1;
                }
            }
            let shape_ok = match nsep {
                0 => true,
                2 => {
                    let a = seps[0];
                    a == seps[1]
                        && (a == b'-' || a == b' ')
                        && ngroups == 3
                        && sb[3] == a
                        && sb[6] == a
                }
                _ => false,
            };
            if shape_ok && validate::ssn(span) {
                let base = match nsep {
                    0 => 0.3,
                    _ if seps[0] == b'-' => 0.8,
                    _ => 0.55,
                };
                let mut c = Cand::new(
                    s,
                    e,
                    EntityType::UsSsn,
                    base,
                    "SSN with valid area, group and serial",
                );
                if let Some(w) = cues.ssn_pos.before(lower, s, 80) {
                    c.score += 0.3;
                    c.cue = Some(w);
                } else if let Some(w) = neg() {
                    c.score -= 0.4;
                    c.cue = Some(w);
                }
                if c.score >= 0.5 {
                    return Some(c);
                }
            }
        }
        if (9..=15).contains(&nd) && plausible_phone(span, nd) {
            if let Some(why) = valid_phone(span) {
                let mut c = Cand::new(s, e, EntityType::PhoneNumber, 0.85, why);
                if let Some(w) = neg() {
                    c.score -= 0.4;
                    c.cue = Some(w);
                } else if let Some(w) = cues.phone_pos.before(lower, s, 50) {
                    c.score += 0.1;
                    c.cue = Some(w);
                }
                return Some(c);
            }
            return unlisted_phone(lower, s, e, span, neg());
        }
        if nd == 7 {
            return fictional_local_phone(s, e, span).filter(|_| neg().is_none());
        }
        None
    }

    fn ninos(&self, doc: &Doc<'_>, gates: &[usize], out: &mut Vec<Cand>) {
        let text = doc.text;
        for &g in gates {
            let Some((s, e)) = Self::gated(nino_at, text, g) else {
                continue;
            };
            let st = &text[s..e];
            if !validate::nino(st) {
                continue;
            }
            let upper = !st.bytes().any(|c| c.is_ascii_lowercase());
            let mut c = Cand::new(
                s,
                e,
                EntityType::UkNino,
                if upper { 0.85 } else { 0.45 },
                "NINO with valid prefix and suffix",
            );
            if let Some(w) = self.cues.nino_pos.before(&doc.lower, s, 80) {
                c.score += 0.15;
                c.cue = Some(w);
            }
            out.push(c);
        }
    }

    /// Every date written in the text with its possible (year, month, day) readings.
    /// `max_birth_year` resolves two-digit years ("12/03/84").
    #[inline(never)]
    pub fn all_dates(&self, doc: &Doc<'_>, max_birth_year: u32) -> Vec<DateHit> {
        let mut v = Vec::new();
        with_scratch(|sc| {
            self.numeric_dates(doc.text, sc, max_birth_year, &mut v);
            self.text_dates(doc, sc, &mut v);
            self.spoken_dates(doc, &mut sc.zones, &mut sc.cands, &mut v);
        });
        v
    }

    /// Numeric dates (`date_num`, then `date_short`, then `date_iso`): they lie
    /// inside runs of digits and `/ . -`, and the patterns run only on the
    /// runs that have a date's shape (with one neighbouring character on
    /// either side, so `\b` at their edges is judged as in the whole text).
    /// Such a run has a digit, one of `/ . -` and a digit: the runs are found
    /// from their separators.
    fn numeric_dates(
        &self,
        text: &str,
        sc: &mut Scratch,
        max_birth_year: u32,
        v: &mut Vec<DateHit>,
    ) {
        let b = text.as_bytes();
        sc.wins.clear();
        let mut last_end = 0;
        for i in memchr::memchr3_iter(b'/', b'.', b'-', b) {
            if i < last_end
                || i == 0
                || !b[i - 1].is_ascii_digit()
                || !b.get(i + 1).is_some_and(u8::is_ascii_digit)
            {
                continue;
            }
            let (s, e) = dotted_run(b, i);
            last_end = e;
            if e - s >= 6 && maybe_numeric_date(&b[s..e]) {
                let (off, w) = window(text, s, e);
                sc.wins.push((off, off + w.len()));
            }
        }
        if sc.wins.is_empty() {
            return;
        }
        let two_readings = |y: u32, a: u32, b2: u32| {
            let mut r = Vec::new();
            if validate::date(y, b2, a) {
                r.push((y, b2, a));
            }
            if validate::date(y, a, b2) && a != b2 {
                r.push((y, a, b2));
            }
            r
        };
        for kind in [NumDate::Num, NumDate::Short, NumDate::Iso] {
            for &(ws, we) in &sc.wins {
                let mut at = ws;
                while let Some((ms, me)) = kind.find(b, at, we) {
                    at = me;
                    let [x, y, z] = three_numbers(&b[ms..me]);
                    let r = match kind {
                        NumDate::Num => two_readings(z, x, y),
                        NumDate::Short => {
                            let yy = if 2000 + z <= max_birth_year {
                                2000 + z
                            } else {
                                1900 + z
                            };
                            two_readings(yy, x, y)
                        }
                        _ if validate::date(x, y, z) => vec![(x, y, z)],
                        _ => Vec::new(),
                    };
                    if !r.is_empty() {
                        v.push((ms, me, r));
                    }
                }
            }
        }
    }

    /// Written dates ("3rd of March 1984", "March 3, 1984"): every match ends
    /// with a year (four digits 19xx or 20xx after a space or `-`, then a
    /// word boundary) and starts at most [`TEXT_DATE_REACH`] bytes before it,
    /// where a month's first three letters appear. The pattern runs on the
    /// zones around such years (overlapping zones merged, so a match found in
    /// a zone is the one found in the whole text).
    fn text_dates(&self, doc: &Doc<'_>, sc: &mut Scratch, v: &mut Vec<DateHit>) {
        let text = doc.text;
        let b = text.as_bytes();
        let lb = doc.lower.as_bytes();
        sc.zones.clear();
        // The years start after " 19", " 20", "-19" or "-20" (one SIMD
        // search; these cannot overlap).
        sc.cands.clear();
        match literal_searcher(&YEAR_STARTS, &[" 19", " 20", "-19", "-20"]) {
            Some(ac) => sc.cands.extend(ac.find_iter(b).map(|m| m.start() + 1)),
            None => sc.cands.extend(memchr::memchr2_iter(b'1', b'2', b)),
        }
        for &s in &sc.cands {
            let e = s + 4;
            if s == 0
                || !matches!(b[s - 1], b' ' | b'-')
                || !b.get(s..e).is_some_and(|y| {
                    matches!(&y[..2], b"19" | b"20")
                        && y[2].is_ascii_digit()
                        && y[3].is_ascii_digit()
                })
                || b.get(e)
                    .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
            {
                continue;
            }
            let mut zs = s.saturating_sub(TEXT_DATE_REACH);
            while !text.is_char_boundary(zs) {
                zs -= 1;
            }
            if !has_month_abbrev(&lb[zs..s]) {
                continue;
            }
            let mut ze = (e + 1).min(b.len());
            while !text.is_char_boundary(ze) {
                ze += 1;
            }
            push_zone(&mut sc.zones, zs, ze);
        }
        for &(zs, ze) in &sc.zones {
            let hay = &text[..ze];
            let mut at = zs;
            // A match is at least 9 bytes long ("May 1 1984").
            while ze - at >= 9 {
                let Some(m) = self.date_text.find_at(hay, at) else {
                    break;
                };
                let m0 = (m.start(), m.end());
                at = m0.1;
                let (d, m, y) = text_date_parts(&lb[m0.0..m0.1]);
                if validate::date(y, m, d) {
                    // "the 3rd of March" keeps "the" outside the span.
                    let mut s = m0.0;
                    if doc.lower[s..].starts_with("the ") {
                        s += 4;
                    }
                    v.push((s, m0.1, vec![(y, m, d)]));
                }
            }
        }
    }

    /// Dates in words ("the third of march nineteen eighty four"), in the
    /// lower-cased text: every match has a year in words right after a
    /// month's name and `,? `, starting with "nineteen", "twenty" or "two
    /// thousand", and starts at most [`SPOKEN_DATE_REACH`] bytes before that
    /// year; the year runs on over letters, spaces and hyphens only. The
    /// pattern runs on the zones around such years (merged when they overlap).
    fn spoken_dates(
        &self,
        doc: &Doc<'_>,
        zones: &mut Vec<(usize, usize)>,
        cands: &mut Vec<usize>,
        v: &mut Vec<DateHit>,
    ) {
        let lower = doc.lower.as_str();
        let lb = lower.as_bytes();
        zones.clear();
        year_word_starts(lb, cands);
        for &q in cands.iter() {
            let Some(pre) = lb[..q].strip_suffix(b" ") else {
                continue;
            };
            let pre = pre.strip_suffix(b",").unwrap_or(pre);
            if !MONTH_NAMES.iter().any(|m| pre.ends_with(m.as_bytes())) {
                continue;
            }
            let mut zs = q.saturating_sub(SPOKEN_DATE_REACH);
            while !lower.is_char_boundary(zs) {
                zs -= 1;
            }
            let mut ze = q;
            while ze < lb.len() && (lb[ze].is_ascii_lowercase() || matches!(lb[ze], b' ' | b'-')) {
                ze += 1;
            }
            ze = (ze + 1).min(lb.len());
            while !lower.is_char_boundary(ze) {
                ze += 1;
            }
            push_zone(zones, zs, ze);
        }
        for &(zs, ze) in zones.iter() {
            let hay = &lower[..ze];
            let mut at = zs;
            while let Some(c) = self.spoken_date.captures_at(hay, at) {
                let m0 = c.get(0).map(|m| (m.start(), m.end())).unwrap_or((0, 0));
                at = m0.1.max(at + 1);
                let d = crate::spoken::ordinal_value(&c[1]);
                let m = month_number(&c[2]);
                let y = crate::spoken::year_value(&c[3]);
                if let (Some(d), Some(y)) = (d, y) {
                    if validate::date(y, m, d) {
                        let mut s = m0.0;
                        if lower[s..].starts_with("the ") {
                            s += 4;
                        }
                        v.push((s, m0.1, vec![(y, m, d)]));
                    }
                }
            }
        }
    }
}

/// How far before its year a written date can start: "the 12th of
/// September., 1984" has 24 bytes before the year (with margin).
const TEXT_DATE_REACH: usize = 32;

/// How far before its year a spoken date can start: "the thirty seventh of
/// september, " has 34 bytes before the year (with margin).
const SPOKEN_DATE_REACH: usize = 48;

const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The day, month and year of a match of the written-date pattern
/// (lower-cased), as its groups give them: the day is the first run of
/// digits; the month the first run of letters when the match starts with the
/// month, else the run of letters before `.?,?[ \-]` and the year; the year
/// the last four digits.
fn text_date_parts(m: &[u8]) -> (u32, u32, u32) {
    let num = |d: &[u8]| d.iter().fold(0u32, |n, &c| n * 10 + u32::from(c - b'0'));
    let n = m.len();
    let y = num(&m[n - 4..]);
    let ds = m.iter().position(u8::is_ascii_digit).unwrap_or(0);
    let de = ds + m[ds..].iter().take_while(|c| c.is_ascii_digit()).count();
    let d = num(&m[ds..de]);
    let month = if m[0].is_ascii_digit() || m.starts_with(b"the ") {
        // Day first: "3rd of march., 1984".
        let mut j = n - 5;
        if m[j - 1] == b',' {
            j -= 1;
        }
        if m[j - 1] == b'.' {
            j -= 1;
        }
        let i = m[..j]
            .iter()
            .rposition(|c| !c.is_ascii_alphabetic())
            .map_or(0, |i| i + 1);
        &m[i..j]
    } else {
        let j = m.iter().position(|c| !c.is_ascii_alphabetic()).unwrap_or(n);
        &m[..j]
    };
    (d, month_number_bytes(month), y)
}

/// [`month_number`] of the lower-cased bytes `m`.
fn month_number_bytes(m: &[u8]) -> u32 {
    match m.get(..3) {
        Some(b"jan") => 1,
        Some(b"feb") => 2,
        Some(b"mar") => 3,
        Some(b"apr") => 4,
        Some(b"may") => 5,
        Some(b"jun") => 6,
        Some(b"jul") => 7,
        Some(b"aug") => 8,
        Some(b"sep") => 9,
        Some(b"oct") => 10,
        Some(b"nov") => 11,
        Some(b"dec") => 12,
        _ => 0,
    }
}

/// Adds the zone `[zs, ze)` to `zones` (sorted by start), merged with the
/// last one if they overlap or touch.
fn push_zone(zones: &mut Vec<(usize, usize)>, zs: usize, ze: usize) {
    match zones.last_mut() {
        Some(last) if zs <= last.1 => last.1 = last.1.max(ze),
        _ => zones.push((zs, ze)),
    }
}

/// Does the (lower-cased) text hold the first three letters of a month?
fn has_month_abbrev(lb: &[u8]) -> bool {
    lb.windows(3).any(|t| {
        matches!(
            t,
            b"jan"
                | b"feb"
                | b"mar"
                | b"apr"
                | b"may"
                | b"jun"
                | b"jul"
                | b"aug"
                | b"sep"
                | b"oct"
                | b"nov"
                | b"dec"
        )
    })
}

type Searcher = std::sync::OnceLock<Option<aho_corasick::packed::Searcher>>;

static YEAR_STARTS: Searcher = std::sync::OnceLock::new();
static YEAR_WORDS: Searcher = std::sync::OnceLock::new();

/// A SIMD (Teddy) searcher for a few literals, built once; `None` where the
/// CPU has no such search.
fn literal_searcher(
    cell: &'static Searcher,
    pats: &[&str],
) -> Option<&'static aho_corasick::packed::Searcher> {
    cell.get_or_init(|| {
        let mut b = aho_corasick::packed::Config::new().builder();
        for p in pats {
            b.add(p);
        }
        b.build()
    })
    .as_ref()
}

/// Where "nineteen", "twenty" or "two thousand" start in the lower-cased
/// text (leftmost, not overlapping: an occurrence inside another cannot
/// follow a space), in order, into `out`.
///
/// The same search finds the birth cues ([`BIRTH_CUE_WORDS`]) for
/// [`cued_dobs`], which runs after it on the same text: they are kept for it
/// (one pass over the text instead of two).
fn year_word_starts(lb: &[u8], out: &mut Vec<usize>) {
    const WORDS: [&str; 3] = ["nineteen", "twenty", "two thousand"];
    const ALL: [&str; 14] = [
        "nineteen",
        "twenty",
        "two thousand",
        "birth",
        "born",
        "dob",
        "d.o.b",
        "b'day",
        "bday",
        "b-day",
        "nacimiento",
        "naissance",
        "geburt",
        "yob",
    ];
    out.clear();
    if let Some(ac) = literal_searcher(&YEAR_WORDS, &ALL) {
        let mut cues = CUE_STASH
            .with(|c| c.borrow_mut().take())
            .map(|x| x.2)
            .unwrap_or_default();
        cues.clear();
        for m in ac.find_iter(lb) {
            match m.pattern().as_usize() {
                0..=2 => out.push(m.start()),
                k => cues.push((m.start(), m.end(), k - 3)),
            }
        }
        CUE_STASH.with(|c| *c.borrow_mut() = Some((lb.as_ptr() as usize, lb.len(), cues)));
        return;
    }
    for w in WORDS {
        out.extend(memchr::memmem::find_iter(lb, w));
    }
    out.sort_unstable();
}

/// The match of [`EMAIL`] around the `@` at `at`, given the maximal runs of
/// local-part characters `[lo, at)` and of domain characters `(at, hi)` (the
/// match lies inside them and holds this `@` only), with the regex's
/// leftmost-first semantics: the domain is `label(.label)*.[a-z]{2,24}` with
/// as many labels as can be followed by two letters (a label is a whole
/// part between dots), and the local part starts at the first letter or
/// digit from which it can end right before the `@`.
fn email_around(b: &[u8], lo: usize, at: usize, hi: usize) -> Option<(usize, usize)> {
    // The domain's end: the last part that can hold the final letters.
    let mut end = None;
    let mut start = at + 1;
    let mut k = 0;
    loop {
        let stop = b[start..hi]
            .iter()
            .position(|&c| c == b'.')
            .map_or(hi, |i| start + i);
        let part = &b[start..stop];
        if k >= 1 {
            let letters = part.iter().take_while(|c| c.is_ascii_alphabetic()).count();
            if letters >= 2 {
                end = Some(start + letters.min(24));
            }
        }
        let label = part.first().is_some_and(u8::is_ascii_alphanumeric)
            && part.last().is_some_and(u8::is_ascii_alphanumeric);
        if !label || stop == hi {
            break;
        }
        start = stop + 1;
        k += 1;
    }
    let end = end?;
    // The local part: from the first letter or digit, ending with one (or
    // with `_` when longer than one character).
    let last = *b[lo..at].last()?;
    if !(last.is_ascii_alphanumeric() || last == b'_') {
        return None;
    }
    let s = lo + b[lo..at].iter().position(u8::is_ascii_alphanumeric)?;
    Some((s, end))
}

/// ASCII word byte (as `(?-u)\b` sees it).
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// `\b` at the end of `h[..e]` after a word byte: end of `h` or a non-word byte.
fn word_end(h: &[u8], e: usize) -> bool {
    !h.get(e).is_some_and(|&c| is_word(c))
}

/// [`IBAN`] anchored at the start of `h` (a gate): the end of the match.
/// `(?: ?[A-Z0-9])` cannot take a space without the character after it, so
/// the repetition is greedy without backtracking.
fn iban_at(h: &[u8]) -> Option<usize> {
    let code = |i: usize| {
        h.get(i)
            .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    if !(h.len() >= 4
        && h[0].is_ascii_uppercase()
        && h[1].is_ascii_uppercase()
        && h[2].is_ascii_digit()
        && h[3].is_ascii_digit())
    {
        return None;
    }
    let (mut i, mut n) = (4, 0);
    while n < 32 {
        if h.get(i) == Some(&b' ') && code(i + 1) {
            i += 2;
        } else if code(i) {
            i += 1;
        } else {
            break;
        }
        n += 1;
    }
    (n >= 11).then_some(i)
}

/// [`NINO`] anchored at the start of `h`: the end of the match.
fn nino_at(h: &[u8]) -> Option<usize> {
    let digit = |i: usize| h.get(i).is_some_and(u8::is_ascii_digit);
    if !(h.len() >= 2 && h[0].is_ascii_alphabetic() && h[1].is_ascii_alphabetic()) {
        return None;
    }
    let mut i = 2;
    for _ in 0..3 {
        if h.get(i) == Some(&b' ') {
            i += 1;
        }
        if !(digit(i) && digit(i + 1)) {
            return None;
        }
        i += 2;
    }
    if h.get(i) == Some(&b' ') {
        i += 1;
    }
    (h.get(i)
        .is_some_and(|c| matches!(c.to_ascii_lowercase(), b'a'..=b'd'))
        && word_end(h, i + 1))
    .then_some(i + 1)
}

/// [`UK_PC`] anchored at the start of `h`: the end of the match, trying the
/// pattern's paths in its order of preference.
fn uk_pc_at(h: &[u8]) -> Option<usize> {
    let upper = |i: usize| h.get(i).is_some_and(u8::is_ascii_uppercase);
    let digit = |i: usize| h.get(i).is_some_and(u8::is_ascii_digit);
    // ` ?[0-9][ABD-HJLNP-UW-Z]{2}\b` from `i`, space taken first.
    let inward = |i: usize| {
        let unit = |j: usize| {
            h.get(j).is_some_and(|&c| {
                c.is_ascii_uppercase() && !matches!(c, b'C' | b'I' | b'K' | b'M' | b'O' | b'V')
            })
        };
        let tail = |j: usize| {
            (digit(j) && unit(j + 1) && unit(j + 2) && word_end(h, j + 3)).then_some(j + 3)
        };
        if h.get(i) == Some(&b' ') {
            if let Some(e) = tail(i + 1) {
                return Some(e);
            }
        }
        tail(i)
    };
    for n in [2, 1] {
        if !(0..n).all(upper) || !digit(n) {
            continue;
        }
        if upper(n + 1) || digit(n + 1) {
            if let Some(e) = inward(n + 2) {
                return Some(e);
            }
        }
        if let Some(e) = inward(n + 1) {
            return Some(e);
        }
    }
    if h.starts_with(b"GIR") {
        return inward(3);
    }
    None
}

/// One of the state codes of the state + ZIP pattern (`US_STATES`).
fn is_state(st: &[u8]) -> bool {
    matches!(
        st,
        b"AL"
            | b"AK"
            | b"AZ"
            | b"AR"
            | b"CA"
            | b"CO"
            | b"CT"
            | b"DE"
            | b"FL"
            | b"GA"
            | b"HI"
            | b"ID"
            | b"IL"
            | b"IN"
            | b"IA"
            | b"KS"
            | b"KY"
            | b"LA"
            | b"ME"
            | b"MD"
            | b"MA"
            | b"MI"
            | b"MN"
            | b"MS"
            | b"MO"
            | b"MT"
            | b"NE"
            | b"NV"
            | b"NH"
            | b"NJ"
            | b"NM"
            | b"NY"
            | b"NC"
            | b"ND"
            | b"OH"
            | b"OK"
            | b"OR"
            | b"PA"
            | b"RI"
            | b"SC"
            | b"SD"
            | b"TN"
            | b"TX"
            | b"UT"
            | b"VT"
            | b"VA"
            | b"WA"
            | b"WV"
            | b"WI"
            | b"WY"
            | b"DC"
            | b"PR"
    )
}

/// The state + ZIP pattern anchored at the start of `h`: the end of the match.
fn us_zip_at(h: &[u8]) -> Option<usize> {
    let digit = |i: usize| h.get(i).is_some_and(u8::is_ascii_digit);
    if !h.get(..2).is_some_and(is_state) {
        return None;
    }
    let mut i = 2;
    if h.get(i) == Some(&b',') {
        i += 1;
    }
    if h.get(i) != Some(&b' ') || !(i + 1..i + 6).all(digit) {
        return None;
    }
    i += 6;
    if h.get(i) == Some(&b'-') && (i + 1..i + 5).all(digit) && word_end(h, i + 5) {
        return Some(i + 5);
    }
    word_end(h, i).then_some(i)
}

/// The numeric date patterns ([`DATE_NUM`], [`DATE_SHORT`], [`DATE_ISO`]),
/// matched by hand with the regex engine's leftmost-first semantics: three
/// groups of digits joined by `/ . -`, `\b` at both ends.
#[derive(Clone, Copy, Debug)]
enum NumDate {
    Num,
    Short,
    Iso,
}

impl NumDate {
    /// Each group's lengths in the order the pattern tries them (greedy:
    /// longest first), and whether it is a year 19xx or 20xx.
    fn groups(self) -> [(&'static [usize], bool); 3] {
        const DM: (&[usize], bool) = (&[2, 1], false);
        const YEAR: (&[usize], bool) = (&[4], true);
        match self {
            NumDate::Num => [DM, DM, YEAR],
            NumDate::Short => [DM, DM, (&[2], false)],
            NumDate::Iso => [YEAR, DM, DM],
        }
    }

    /// The end of the match starting exactly at `s`, if any.
    fn match_at(self, b: &[u8], s: usize) -> Option<usize> {
        let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        if s > 0 && word(b[s - 1]) {
            return None;
        }
        let sep = |i: usize| matches!(b.get(i), Some(b'/' | b'.' | b'-'));
        let group = |i: usize, n: usize, year: bool| {
            b.get(i..i + n).is_some_and(|g| {
                g.iter().all(u8::is_ascii_digit) && (!year || matches!(&g[..2], b"19" | b"20"))
            })
        };
        let [(l1, y1), (l2, y2), (l3, y3)] = self.groups();
        for &n1 in l1 {
            let i1 = s + n1;
            if !group(s, n1, y1) || !sep(i1) {
                continue;
            }
            for &n2 in l2 {
                let i2 = i1 + 1 + n2;
                if !group(i1 + 1, n2, y2) || !sep(i2) {
                    continue;
                }
                for &n3 in l3 {
                    let e = i2 + 1 + n3;
                    if group(i2 + 1, n3, y3) && !b.get(e).is_some_and(|&c| word(c)) {
                        return Some(e);
                    }
                }
            }
        }
        None
    }

    /// The leftmost match starting in `at..end`: `(start, end)`.
    fn find(self, b: &[u8], at: usize, end: usize) -> Option<(usize, usize)> {
        // Only the first digit of a run of digits can have `\b` before it.
        let end = end.min(b.len());
        let mut s = at;
        while s < end {
            if !b[s].is_ascii_digit() {
                s += 1;
                continue;
            }
            if let Some(e) = self.match_at(b, s) {
                return Some((s, e));
            }
            s += 1;
            while s < end && b[s].is_ascii_digit() {
                s += 1;
            }
        }
        None
    }
}

/// The three numbers of a numeric date match (digits split by separators).
fn three_numbers(m: &[u8]) -> [u32; 3] {
    let mut n = [0u32; 3];
    let mut k = 0;
    for &c in m {
        if c.is_ascii_digit() {
            n[k] = n[k] * 10 + u32::from(c - b'0');
        } else if k < 2 {
            k += 1;
        }
    }
    n
}

/// `[s, e)` with one neighbouring character on either side: `(offset, slice)`.
fn window(text: &str, s: usize, e: usize) -> (usize, &str) {
    let mut ws = s.saturating_sub(1);
    while !text.is_char_boundary(ws) {
        ws -= 1;
    }
    let mut we = (e + 1).min(text.len());
    while !text.is_char_boundary(we) {
        we += 1;
    }
    (ws, &text[ws..we])
}

/// A date in the text: byte range and its possible (year, month, day) readings.
pub(crate) type DateHit = (usize, usize, Vec<(u32, u32, u32)>);

fn dobs(
    doc: &Doc<'_>,
    cfg: &DetectorConfig,
    dates: &[DateHit],
    dob_pos: &WordSet,
    out: &mut Vec<Cand>,
) {
    for (s, e, ymd) in dates {
        let (s, e) = (*s, *e);
        if !ymd.iter().any(|d| d.0 <= cfg.max_birth_year) {
            continue;
        }
        let mut c = Cand::new(
            s,
            e,
            EntityType::DateOfBirth,
            0.4,
            "date with a plausible birth year",
        );
        // A birth cue belongs to the first date after it (or the date just
        // before it): "DOB 12/03/84, delivered 12/03/24" has one birth date.
        let prev_end = dates
            .iter()
            .filter(|d| d.1 <= s)
            .map(|d| d.1)
            .max()
            .unwrap_or(0);
        let next_start = dates
            .iter()
            .filter(|d| d.0 >= e)
            .map(|d| d.0)
            .min()
            .unwrap_or(usize::MAX);
        let back = 160.min(s - prev_end);
        let fwd = 40.min(next_start.saturating_sub(e));
        if let Some(w) = dob_pos
            .before(&doc.lower, s, back)
            .or_else(|| dob_pos.after(&doc.lower, e, fwd))
        {
            c.score = 0.9;
            c.cue = Some(w);
        }
        out.push(c);
    }
}

impl Patterns {
    /// Street matches, searched only in windows around street words (the full
    /// pattern has no literal to look for and would scan every byte).
    fn streets(&self, text: &str, runs: &[(usize, usize)]) -> Vec<(usize, usize)> {
        let b = text.as_bytes();
        let mut found: Vec<(usize, usize)> = Vec::new();
        for w in StreetWords::new(b, runs) {
            if found.iter().any(|f| f.0 <= w.0 && w.1 <= f.1) {
                continue;
            }
            // Start the window after a space or newline so `\b` there is real.
            let mut ws = w.0.saturating_sub(96);
            while ws > 0 && !(b[ws - 1] == b' ' || b[ws - 1] == b'\n') {
                ws -= 1;
            }
            let mut we = (w.1 + 32).min(b.len());
            while !text.is_char_boundary(we) {
                we -= 1;
            }
            while we < b.len() && b[we].is_ascii_alphanumeric() {
                we += 1;
            }
            // Matches do not overlap: once one holds the word (or starts
            // after it), no later one can.
            for m in self.street.find_iter(&text[ws..we]) {
                let (s, e) = (ws + m.start(), ws + m.end());
                if s > w.0 {
                    break;
                }
                if w.1 <= e {
                    if !found.contains(&(s, e)) {
                        found.push((s, e));
                    }
                    break;
                }
            }
        }
        found.sort_unstable();
        found
    }

    fn addresses(
        &self,
        doc: &Doc<'_>,
        runs: &[(usize, usize)],
        gates: &[usize],
        out: &mut Vec<Cand>,
    ) {
        let text = doc.text;
        let mut codes: Vec<(usize, usize, EntityType)> = Vec::new();
        for &g in gates {
            if let Some((s, e)) = Self::gated(uk_pc_at, text, g) {
                codes.push((s, e, EntityType::Postcode));
            }
        }
        for &g in gates {
            if let Some((s, e)) = Self::gated(us_zip_at, text, g) {
                codes.push((s, e, EntityType::Postcode));
            }
        }
        let mut spans: Vec<(usize, usize, bool)> = Vec::new(); // (start, end, has street)
        for (s, e) in self.streets(text, runs) {
            let mut e = e;
            // Forward: an optional town, then an optional postcode or state + ZIP.
            let next_code = codes
                .iter()
                .filter(|c| c.0 >= e && c.0 - e < 64)
                .min_by_key(|c| c.0);
            let mut joined = false;
            if let Some(pc) = next_code {
                let between = &text[e..pc.0];
                let mid = between.trim_end_matches([' ', ',', '\n']);
                if glue_only(between)
                    || (between.len() - mid.len() <= 3
                        && self.town.find(mid).is_some_and(|m| m.end() == mid.len()))
                {
                    e = pc.1;
                    joined = true;
                }
            }
            if !joined {
                if let Some(t) = self.town.find(&text[e..]) {
                    if text[e..].starts_with(", ") || text[e..].starts_with('\n') {
                        e += t.end();
                    }
                }
            }
            spans.push((s, e, true));
        }
        for &(ps, pe, _) in &codes {
            if spans.iter().any(|x| ps >= x.0 && pe <= x.1) {
                continue;
            }
            // Backward: up to three lines or comma-separated parts before the postcode.
            let mut s = ps;
            let mut parts = 0;
            let mut street = false;
            while parts < 3 {
                let before = &text[..s];
                let trimmed = before.trim_end_matches([' ', ',']);
                let trimmed = trimmed
                    .strip_suffix('\n')
                    .unwrap_or(trimmed)
                    .trim_end_matches([' ', ',']);
                if trimmed.len() == before.len() && s != ps {
                    break;
                }
                let seg_start = trimmed
                    .rfind([',', '\n', '.', ':', ';', '?', '!'])
                    .map(|i| i + 1)
                    .unwrap_or(0);
                let seg = trimmed[seg_start..].trim_start();
                let seg_s = trimmed.len() - seg.len();
                if seg.is_empty() {
                    break;
                }
                if self.house.is_match(seg) {
                    s = seg_s;
                    street = true;
                    parts += 1;
                    continue;
                }
                if street || parts > 0 {
                    break;
                }
                // A town: one to three capitalised words (the first part only).
                let words: Vec<&str> = seg.split(' ').collect();
                let mut k = 0;
                for w in words.iter().rev() {
                    let cap = w.chars().next().is_some_and(char::is_uppercase);
                    if cap || matches!(*w, "upon" | "on" | "under" | "in" | "le") {
                        k += 1;
                    } else {
                        break;
                    }
                    if k == 3 {
                        break;
                    }
                }
                if k == 0 || k == words.len() && words.len() > 3 {
                    break;
                }
                let town: usize = words[words.len() - k..]
                    .iter()
                    .map(|w| w.len() + 1)
                    .sum::<usize>()
                    - 1;
                let ts = seg_s + seg.len() - town;
                // Only count the town if the part before it continues the address.
                let head = &trimmed[..ts];
                let prior = head.trim_end_matches([' ', ',']).trim_end_matches('\n');
                let pseg_start = prior
                    .rfind([',', '\n', '.', ':', ';', '?', '!'])
                    .map(|i| i + 1)
                    .unwrap_or(0);
                let pseg = prior[pseg_start..].trim_start();
                if self.house.is_match(pseg) && prior.len() < head.len() {
                    s = ts;
                    parts += 1;
                    continue;
                }
                break;
            }
            if s < ps && street {
                spans.push((s, pe, true));
            } else {
                spans.push((ps, pe, false));
            }
        }
        for (s, e, street) in spans {
            let (ty, score, why) = if street {
                (EntityType::StreetAddress, 0.98, "street address")
            } else {
                (
                    EntityType::Postcode,
                    0.9,
                    "UK postcode or US state and ZIP code",
                )
            };
            out.push(Cand::new(s, e, ty, score, why));
        }
    }
}

/// The runs of digits the number detectors look at, as the regex
/// [`DIGIT_RUN`] would find them (leftmost-first, non-overlapping), with a
/// hand-written scanner: the regex matches every lone digit in the text, and
/// restarting the regex engine for each costs more than the whole scan here.
pub(crate) struct DigitRuns<'a> {
    b: &'a [u8],
    pos: usize,
    /// The maximal runs of digits of `b` when known ([`digit_runs`]), and
    /// the first of them that may still hold a digit at or after `pos`.
    runs: Option<&'a [(usize, usize)]>,
    k: usize,
}

/// The pattern [`DigitRuns`] implements (kept for the equivalence test).
#[cfg(test)]
pub(crate) const DIGIT_RUN: &str = r"(?-u)(?:\+ ?)?(?:\([0-9]{1,5}\) ?)?[0-9](?:[0-9]|[ .\-][0-9]|\) ?[0-9]| ?\([0-9]{1,5}\) ?[0-9])*";

impl<'a> DigitRuns<'a> {
    #[cfg_attr(not(test), allow(dead_code))] // the detectors use `with_runs`
    pub(crate) fn new(b: &'a [u8]) -> Self {
        DigitRuns {
            b,
            pos: 0,
            runs: None,
            k: 0,
        }
    }

    /// As [`DigitRuns::new`], with the maximal runs of digits of `b` (as
    /// [`digit_runs`] finds them) to jump from digit to digit.
    fn with_runs(b: &'a [u8], runs: &'a [(usize, usize)]) -> Self {
        DigitRuns {
            b,
            pos: 0,
            runs: Some(runs),
            k: 0,
        }
    }

    fn digit(&self, i: usize) -> bool {
        self.b.get(i).is_some_and(u8::is_ascii_digit)
    }

    /// `\([0-9]{1,5}\)` at `i`: its end.
    fn paren(&self, i: usize) -> Option<usize> {
        if self.b.get(i) != Some(&b'(') {
            return None;
        }
        let mut j = i + 1;
        while j - i - 1 < 5 && self.digit(j) {
            j += 1;
        }
        (j > i + 1 && self.b.get(j) == Some(&b')')).then_some(j + 1)
    }

    /// `\([0-9]{1,5}\) ?[0-9]` at `i`: the end of the digit.
    fn paren_digit(&self, i: usize) -> Option<usize> {
        let j = self.paren(i)?;
        let j = if self.b.get(j) == Some(&b' ') {
            j + 1
        } else {
            j
        };
        self.digit(j).then_some(j + 1)
    }

    /// Does a match go on after a run of digits ending at `q` (the test at
    /// the top of the loop in [`DigitRuns::match_at`])?
    fn continues(&self, q: usize) -> bool {
        let b = self.b;
        match b.get(q) {
            Some(c) if c.is_ascii_digit() => true,
            Some(b' ' | b'.' | b'-') if self.digit(q + 1) => true,
            Some(b')') => (b.get(q + 1) == Some(&b' ') && self.digit(q + 2)) || self.digit(q + 1),
            Some(b' ') => self.paren_digit(q + 1).is_some(),
            Some(b'(') => self.paren_digit(q).is_some(),
            _ => false,
        }
    }

    /// The match starting exactly at `p`, if any: its end.
    fn match_at(&self, p: usize) -> Option<usize> {
        let b = self.b;
        let mut i = p;
        if b[i] == b'+' {
            i += 1;
            if b.get(i) == Some(&b' ') {
                i += 1;
            }
        }
        let mut q = if self.digit(i) {
            i + 1
        } else {
            self.paren_digit(i)?
        };
        loop {
            match b.get(q) {
                Some(c) if c.is_ascii_digit() => q += 1,
                Some(b' ' | b'.' | b'-') if self.digit(q + 1) => q += 2,
                Some(b')') => {
                    if b.get(q + 1) == Some(&b' ') && self.digit(q + 2) {
                        q += 3;
                    } else if self.digit(q + 1) {
                        q += 2;
                    } else {
                        break;
                    }
                }
                Some(b' ') => match self.paren_digit(q + 1) {
                    Some(e) => q = e,
                    None => break,
                },
                Some(b'(') => match self.paren_digit(q) {
                    Some(e) => q = e,
                    None => break,
                },
                _ => break,
            }
        }
        Some(q)
    }
}

impl Iterator for DigitRuns<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let b = self.b;
        // Every match holds a digit, and its first digit is at most three
        // bytes after its start ("+ (1"): jump to the next digit, then try
        // the `+` and `(` just before it in order, then the digit itself.
        // With the list of runs, skip the matches that surely have fewer
        // than 7 bytes (the detectors look at no shorter ones): a run that
        // the match cannot continue after, with at most 3 digits or no `+`
        // or `(` in the three bytes before it.
        let d = match self.runs {
            Some(runs) => loop {
                let &(rs, re) = runs.get(self.k)?;
                if re <= self.pos {
                    self.k += 1;
                    continue;
                }
                let d = rs.max(self.pos);
                if re - d >= 7 || self.continues(re) {
                    break d;
                }
                if re - d > 3 {
                    let from = d.saturating_sub(3).max(self.pos);
                    if b[from..d].iter().any(|&c| c == b'+' || c == b'(') {
                        break d;
                    }
                }
                self.pos = re;
                self.k += 1;
            },
            None => next_digit(b, self.pos)?,
        };
        let mut p = d.saturating_sub(3).max(self.pos);
        while p < d {
            if matches!(b[p], b'+' | b'(') {
                if let Some(e) = self.match_at(p) {
                    self.pos = e;
                    return Some((p, e));
                }
            }
            p += 1;
        }
        let e = self.match_at(d)?;
        self.pos = e;
        Some((d, e))
    }
}

/// The street words (as `(?-u)\b(?:STREET_SUFFIX)\b` finds them) that a
/// street match can hold: such a match has a house number (a run of at most
/// five digits after a non-word byte), then `[A-Za-z]?,? `, then at most three
/// words and the street word, each word free of spaces and newlines,
/// starting with a capital (or a non-ASCII letter) and followed by one space.
/// So only the first four such tokens after each such run are searched:
/// `(start, end)`, in order.
struct StreetWords<'a> {
    b: &'a [u8],
    runs: std::slice::Iter<'a, (usize, usize)>,
    /// Where the search goes on, and the end of the current region.
    at: usize,
    end: usize,
}

impl<'a> StreetWords<'a> {
    fn new(b: &'a [u8], runs: &'a [(usize, usize)]) -> Self {
        StreetWords {
            b,
            runs: runs.iter(),
            at: 0,
            end: 0,
        }
    }

    /// The region a house number `[s, e)` may lead to: `e` to the end of the
    /// fourth token after it, or of the last token before one that starts
    /// with an ASCII byte other than a capital.
    fn region(&self, s: usize, e: usize) -> Option<usize> {
        let b = self.b;
        // Cheapest first: the byte after the digits is a space, `,` or a
        // letter (most runs, "08:05]", fail here).
        let c = *b.get(e)?;
        if !(c == b' ' || c == b',' || c.is_ascii_alphabetic())
            || e - s > 5
            || (s > 0 && is_word(b[s - 1]))
        {
            return None;
        }
        let mut i = e;
        if b.get(i).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
        }
        if b.get(i) == Some(&b',') {
            i += 1;
        }
        if b.get(i) != Some(&b' ') {
            return None;
        }
        let token = |c: u8| c.is_ascii_uppercase() || c >= 0x80;
        for _ in 0..4 {
            if b.get(i) != Some(&b' ') || !b.get(i + 1).is_some_and(|&c| token(c)) {
                break;
            }
            i += 1;
            while i < b.len() && b[i] != b' ' && b[i] != b'\n' {
                i += 1;
            }
        }
        (i > e + 1).then_some(i)
    }
}

impl Iterator for StreetWords<'_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let b = self.b;
        let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
        loop {
            while self.at < self.end {
                let p = self.at;
                if !word(b[p]) {
                    self.at += 1;
                    continue;
                }
                let mut q = p + 1;
                while q < b.len() && word(b[q]) {
                    q += 1;
                }
                self.at = q;
                // A word starting here (the region may begin inside one).
                if b[p].is_ascii_uppercase()
                    && (p == 0 || !word(b[p - 1]))
                    && is_street_word(&b[p..q])
                {
                    return Some((p, q));
                }
            }
            let &(s, e) = self.runs.next()?;
            if let Some(end) = self.region(s, e) {
                self.at = self.at.max(e);
                self.end = self.end.max(end);
            }
        }
    }
}

/// One of the words of [`STREET_SUFFIX`].
fn is_street_word(w: &[u8]) -> bool {
    matches!(
        w,
        b"Street"
            | b"St"
            | b"Road"
            | b"Rd"
            | b"Lane"
            | b"Ln"
            | b"Avenue"
            | b"Ave"
            | b"Close"
            | b"Cl"
            | b"Drive"
            | b"Dr"
            | b"Gardens"
            | b"Gdns"
            | b"Way"
            | b"Crescent"
            | b"Cres"
            | b"Terrace"
            | b"Place"
            | b"Pl"
            | b"Grove"
            | b"Court"
            | b"Ct"
            | b"Rise"
            | b"Walk"
            | b"Hill"
            | b"Boulevard"
            | b"Blvd"
            | b"Row"
            | b"Square"
            | b"Sq"
            | b"Parade"
            | b"Mews"
            | b"Green"
            | b"View"
            | b"Highway"
            | b"Hwy"
            | b"Parkway"
            | b"Pkwy"
            | b"Circle"
            | b"Cir"
            | b"Trail"
            | b"Broadway"
            | b"Park"
            | b"Gate"
            | b"Vale"
            | b"Wharf"
            | b"Yard"
            | b"Hollow"
    )
}

/// The maximal runs of ASCII digits in `b`, into `out`.
fn digit_runs(b: &[u8], out: &mut Vec<(usize, usize)>) {
    out.clear();
    let mut i = 0;
    while let Some(d) = next_digit(b, i) {
        let mut e = d + 1;
        while e < b.len() && b[e].is_ascii_digit() {
            e += 1;
        }
        out.push((d, e));
        i = e;
    }
}

/// The maximal run of digits and `/ . -` around `b[i]` (one of them).
fn dotted_run(b: &[u8], i: usize) -> (usize, usize) {
    let in_run = |c: u8| c.is_ascii_digit() || matches!(c, b'/' | b'.' | b'-');
    let mut s = i;
    while s > 0 && in_run(b[s - 1]) {
        s -= 1;
    }
    let mut e = i + 1;
    while e < b.len() && in_run(b[e]) {
        e += 1;
    }
    (s, e)
}

/// The position of the first ASCII digit at or after `from`, eight bytes at a
/// time (most text has long stretches without digits).
fn next_digit(b: &[u8], from: usize) -> Option<usize> {
    const LO: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while i + 8 <= b.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[i..i + 8]);
        let w = u64::from_le_bytes(w);
        let x = w & LO;
        // High bit of each byte: >= b'0', then < b':' (ASCII bytes only; no
        // carries between bytes since x <= 0x7f).
        // The mask is exact per byte: its lowest bit is the first digit.
        let ge0 = x.wrapping_add(0x5050_5050_5050_5050);
        let ge_colon = x.wrapping_add(0x4646_4646_4646_4646);
        let m = ge0 & !ge_colon & !w & HI;
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b[i..].iter().position(u8::is_ascii_digit).map(|k| i + k)
}

/// The runs of digits and `/ . -` for which `keep` holds, each with one
/// neighbouring character on either side: `(offset, slice)` (the reference
/// for [`DottedRuns`] and [`window`]).
#[cfg(test)]
fn runs_of_digits(text: &str, keep: fn(&[u8]) -> bool) -> Vec<(usize, &str)> {
    let b = text.as_bytes();
    let in_run = |c: u8| c.is_ascii_digit() || matches!(c, b'/' | b'.' | b'-');
    let mut out = Vec::new();
    let mut i = 0;
    // Every run of interest holds a digit: jump from digit to digit.
    while let Some(d) = next_digit(b, i) {
        let mut s = d;
        while s > i && in_run(b[s - 1]) {
            s -= 1;
        }
        i = d + 1;
        while i < b.len() && in_run(b[i]) {
            i += 1;
        }
        if i - s >= 6 && keep(&b[s..i]) {
            let mut ws = s.saturating_sub(1);
            while !text.is_char_boundary(ws) {
                ws -= 1;
            }
            let mut we = (i + 1).min(b.len());
            while !text.is_char_boundary(we) {
                we += 1;
            }
            out.push((ws, &text[ws..we]));
        }
    }
    out
}

/// Where a code made of capitals and digits may start (IBAN, NINO, UK
/// postcode, US state + ZIP): the four specific patterns run only there.
/// The starts of the matches of [`CAPS_GATE`], found from the runs of digits
/// (`runs`, as [`digit_runs`] finds them): a gate's digit starts a run, and
/// the gate is at most four bytes before it.
fn caps_gates(b: &[u8], runs: &[(usize, usize)], v: &mut Vec<usize>) {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    v.clear();
    for &(d, _) in runs {
        // The byte before the digit: a capital, or `,` or a space after one
        // (or after `,`).
        let ok = match d.checked_sub(1).map(|i| b[i]) {
            Some(b'A'..=b'Z') => true,
            Some(b',') => d >= 2 && b[d - 2].is_ascii_uppercase(),
            Some(b' ') => d >= 2 && (b[d - 2].is_ascii_uppercase() || b[d - 2] == b','),
            _ => false,
        };
        if !ok {
            continue;
        }
        for p in d.saturating_sub(4)..d {
            if !b[p].is_ascii_uppercase() || (p > 0 && word(b[p - 1])) {
                continue;
            }
            let mut j = if b[p + 1].is_ascii_uppercase() {
                p + 2
            } else {
                p + 1
            };
            if b[j] == b',' {
                j += 1;
            }
            if b[j] == b' ' {
                j += 1;
            }
            if j == d {
                v.push(p);
            }
        }
    }
}

/// The pattern [`caps_gates`] implements (kept for the equivalence test).
#[cfg(test)]
const CAPS_GATE: &str = r"(?-u)\b[A-Z]{1,2},? ?[0-9]";

/// Is there a `.` with a digit on both sides at least three times (every
/// dotted-quad IPv4 address has that)?
fn maybe_ipv4(b: &[u8]) -> bool {
    let mut n = 0;
    // Short runs: a plain scan beats setting up a SIMD search.
    for i in 1..b.len().saturating_sub(1) {
        if b[i] == b'.' && b[i - 1].is_ascii_digit() && b[i + 1].is_ascii_digit() {
            n += 1;
            if n >= 3 {
                return true;
            }
        }
    }
    false
}

/// A digit, one of `/ . -`, one or two digits, one of `/ . -` and a digit:
/// every numeric date (`date_num`, `date_short`, `date_iso`) has that.
fn maybe_numeric_date(b: &[u8]) -> bool {
    let sep = |c: u8| matches!(c, b'/' | b'.' | b'-');
    let d = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    (1..b.len()).any(|i| {
        sep(b[i])
            && b[i - 1].is_ascii_digit()
            && d(i + 1)
            && (b.get(i + 2).is_some_and(|&c| sep(c)) && d(i + 3)
                || d(i + 2) && b.get(i + 3).is_some_and(|&c| sep(c)) && d(i + 4))
    })
}

fn glue_only(s: &str) -> bool {
    s.len() <= 3 && s.bytes().all(|b| matches!(b, b' ' | b',' | b'\n'))
}

pub(crate) fn month_number(m: &str) -> u32 {
    let l = m.to_ascii_lowercase();
    let p = &l[..l.len().min(3)];
    match p {
        "jan" => 1,
        "feb" => 2,
        "mar" => 3,
        "apr" => 4,
        "may" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" => 10,
        "nov" => 11,
        "dec" => 12,
        _ => 0,
    }
}

/// `YYYY-MM-DD` (as contact records hold dates of birth) or any numeric day-first form.
pub(crate) fn parse_iso_date(s: &str) -> Option<(u32, u32, u32)> {
    let parts: Vec<u32> = s
        .trim()
        .split(['-', '/', '.', 'T', ' '])
        .take(3)
        .map(|p| p.parse().ok())
        .collect::<Option<Vec<_>>>()?;
    match parts.as_slice() {
        [y, m, d] if *y > 1000 && validate::date(*y, *m, *d) => Some((*y, *m, *d)),
        [d, m, y] if *y > 1000 && validate::date(*y, *m, *d) => Some((*y, *m, *d)),
        _ => None,
    }
}

/// Validates a phone number against libphonenumber's metadata (through the
/// `phonenumber` crate): national UK and US forms and `+44`/`+1` numbers are
/// checked directly against the number-type patterns of the regions sharing
/// that calling code, compiled once; other `+` numbers go through the crate's
/// full parser.
///
/// This gives the same answer as `phonenumber::is_valid` for these regions but
/// avoids re-parsing, and keeps the crate's small shared regex cache (100
/// entries) from thrashing and recompiling patterns between regions.
pub(crate) fn valid_phone(s: &str) -> Option<&'static str> {
    // The digits, on the stack for any phone-sized input.
    match validate::ascii_digits::<40>(s) {
        Some((buf, n)) => valid_phone_digits(s, std::str::from_utf8(&buf[..n]).unwrap_or_default()),
        None => {
            let long: String = s.chars().filter(char::is_ascii_digit).collect();
            valid_phone_digits(s, &long)
        }
    }
}

/// [`valid_phone`] of `s`, given its ASCII digits.
fn valid_phone_digits(s: &str, digits: &str) -> Option<&'static str> {
    let mut digits = digits;
    let mut intl = s.trim_start().starts_with('+');
    // "0044 7912 345678": the international call prefix written out.
    if !intl && digits.starts_with("00") && !digits.starts_with("000") && digits.len() >= 12 {
        digits = &digits[2..];
        intl = true;
    }
    if intl {
        if let Some(rest) = digits.strip_prefix("44") {
            // "+44 (0)7700 ..." carries the trunk zero in brackets.
            let nsn = if s.contains("(0)") {
                rest.strip_prefix('0').unwrap_or(rest)
            } else {
                rest
            };
            return region_valid("GB", nsn).then_some("UK phone number (libphonenumber metadata)");
        }
        if let Some(rest) = digits.strip_prefix('1') {
            return region_valid("US", rest).then_some("US phone number (libphonenumber metadata)");
        }
        return match phonenumber::parse(None, format!("+{digits}")) {
            Ok(n) if phonenumber::is_valid(&n) => {
                Some("phone number valid for its country code (libphonenumber)")
            }
            _ => None,
        };
    }
    let nd = digits.len();
    if digits.starts_with('0') && (10..=11).contains(&nd) {
        if region_valid("GB", &digits[1..]) {
            return Some("UK phone number (libphonenumber metadata)");
        }
        // Australian numbers are ten digits with the trunk zero.
        return (nd == 10 && au_grouping(s) && region_valid("AU", &digits[1..]))
            .then_some("Australian phone number (libphonenumber metadata)");
    }
    if nd == 11 && digits.starts_with('1') {
        return region_valid("US", &digits[1..])
            .then_some("US phone number (libphonenumber metadata)");
    }
    if nd == 10 {
        return region_valid("US", digits).then_some("US phone number (libphonenumber metadata)");
    }
    None
}

/// Is `s` grouped the way Australian numbers are written: `0491 570 156`,
/// `(08) 5550 4132`, `08 5550 4132` or ten digits in a row (so that an ISBN
/// such as `0-306-40615-7` is not read as one)?
pub(crate) fn au_grouping(s: &str) -> bool {
    let mut groups = [0usize; 4];
    let mut n = 0;
    for g in s
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
    {
        if n == groups.len() {
            return false;
        }
        groups[n] = g.len();
        n += 1;
    }
    matches!(&groups[..n], [10] | [4, 3, 3] | [2, 4, 4] | [4, 6])
}

/// One region's number plan from libphonenumber's metadata, compiled once:
/// the general pattern and the pattern of every number type, each with its
/// possible lengths.
pub(crate) struct Plan {
    general: (Vec<u16>, Regex),
    types: Vec<(Vec<u16>, Regex)>,
}

impl Plan {
    fn load(region: &str) -> Option<Plan> {
        let meta = phonenumber::metadata::DATABASE.by_id(region)?;
        let d = meta.descriptors();
        let compile = |x: &phonenumber::metadata::Descriptor| -> Option<(Vec<u16>, Regex)> {
            // The metadata keeps libphonenumber's pretty-printed patterns.
            let pat: String = x
                .national_number()
                .as_str()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            // Anchored at the start only, as the `phonenumber` crate matches them.
            let re = Regex::new(&format!("^(?:{pat})")).ok()?;
            Some((x.possible_length().to_vec(), re))
        };
        let types = [
            d.fixed_line(),
            d.mobile(),
            d.toll_free(),
            d.premium_rate(),
            d.shared_cost(),
            d.personal_number(),
            d.voip(),
            d.pager(),
            d.uan(),
            d.voicemail(),
        ]
        .into_iter()
        .flatten()
        .filter_map(compile)
        .collect();
        Some(Plan {
            general: compile(d.general())?,
            types,
        })
    }

    fn is_valid(&self, nsn: &str) -> bool {
        let ok = |(lens, re): &(Vec<u16>, Regex)| {
            (lens.is_empty() || lens.contains(&(nsn.len() as u16))) && re.is_match(nsn)
        };
        ok(&self.general) && self.types.iter().any(ok)
    }
}

/// Number plans per country calling code: +44 is shared by the UK, Guernsey,
/// the Isle of Man and Jersey; +1 (here) by the US and Canada.
pub(crate) struct Plans {
    uk: Vec<Plan>,
    nanp: Vec<Plan>,
    au: Vec<Plan>,
}

static PLANS: std::sync::OnceLock<Plans> = std::sync::OnceLock::new();

/// Does the national significant number match one of the number types of a
/// region sharing the calling code (`"GB"` for +44, `"US"` for +1)?
pub(crate) fn region_valid(region: &str, nsn: &str) -> bool {
    let plans = PLANS.get_or_init(|| Plans {
        uk: ["GB", "GG", "IM", "JE"]
            .iter()
            .filter_map(|r| Plan::load(r))
            .collect(),
        nanp: ["US", "CA"].iter().filter_map(|r| Plan::load(r)).collect(),
        au: ["AU", "CC", "CX"]
            .iter()
            .filter_map(|r| Plan::load(r))
            .collect(),
    });
    let list = match region {
        "GB" => &plans.uk,
        "AU" => &plans.au,
        _ => &plans.nanp,
    };
    list.iter().any(|p| p.is_valid(nsn))
}

/// Cheap shape test before asking libphonenumber: national UK (0 + 9..10
/// digits), national US (10 digits not starting 0/1, or 1 + 10), or `+` forms.
fn plausible_phone(span: &str, nd: usize) -> bool {
    let t = span.trim_start_matches(['(', ' ']);
    if t.starts_with('+') {
        return (10..=15).contains(&nd);
    }
    if t.starts_with("00") && !t.starts_with("000") {
        return (12..=17).contains(&nd);
    }
    if starts_with_iso_date(t.as_bytes()) {
        // A timestamp ("2026-11-20 19:02") is not a number to call.
        return false;
    }
    let mut d = [0u8; 5];
    let mut n = 0;
    for b in t.bytes().filter(u8::is_ascii_digit).take(5) {
        d[n] = b;
        n += 1;
    }
    if n < 5 {
        return false;
    }
    // North American numbering plan: area code and exchange start with 2-9.
    let nanp = |a: &[u8]| matches!(a[0], b'2'..=b'9') && matches!(a[3], b'2'..=b'9');
    match d[0] {
        // UK national: 01, 02, 03, 05, 07, 08, 09; Australian mobiles: 04.
        b'0' => {
            (nd == 10 || nd == 11) && matches!(d[1], b'1' | b'2' | b'3' | b'5' | b'7' | b'8' | b'9')
                || nd == 10 && d[1] == b'4'
        }
        b'1' => nd == 11 && nanp(&d[1..]),
        b'2'..=b'9' => nd == 10 && nanp(&d),
        _ => false,
    }
}

/// Does `t` start with a calendar date written `YYYY-MM-DD` (year 1800 to
/// 2199), as in log and chat timestamps?
pub(crate) fn starts_with_iso_date(t: &[u8]) -> bool {
    let Some(d) = t.get(..10) else {
        return false;
    };
    let num = |r: std::ops::Range<usize>| {
        d[r].iter().try_fold(0u32, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    };
    d[4] == b'-'
        && d[7] == b'-'
        && matches!(
            (num(0..4), num(5..7), num(8..10)),
            (Some(y), Some(m), Some(day)) if (1800..2200).contains(&y) && validate::date(y, m, day)
        )
}

// ---------------------------------------------------------------------------
// Numbers written by people rather than generated: phone numbers outside the
// allocated plan, IBANs and NINOs in lower case or loose groups.

/// Words that make the number after them a phone number, matched as whole
/// words (so "iphone", "hotel" or "cellar" do not count).
const PHONE_CUE_WORDS: &[&str] = &[
    "tel",
    "tel no",
    "telephone",
    "phone",
    "mob",
    "mobile",
    "cell",
    "cellphone",
    "call me on",
    "ring me on",
    "cb",
    "callback",
    "call back",
    "contact no",
    "contact number",
    "number is",
    "landline",
];

/// The last of `words` that stands as a whole word in the `window` bytes
/// before `bs` of the lower-cased text: `(position, word)`.
fn word_cue_before(
    lower: &str,
    bs: usize,
    window: usize,
    words: &[&'static str],
) -> Option<(usize, &'static str)> {
    let b = lower.as_bytes();
    let from = bs.saturating_sub(window);
    let mut best: Option<(usize, &'static str)> = None;
    for &w in words {
        let wb = w.as_bytes();
        let mut i = bs;
        while i >= from + wb.len() {
            i -= 1;
            let p = i + 1 - wb.len();
            if b[p..=i] == *wb
                && (p == 0 || !b[p - 1].is_ascii_alphabetic())
                && !b.get(i + 1).is_some_and(u8::is_ascii_alphabetic)
            {
                if best.is_none_or(|(q, _)| p > q) {
                    best = Some((p, w));
                }
                break;
            }
        }
    }
    best
}

/// The nearest whole-word phone cue ("tel", "mob", "cb") before `bs`.
pub(crate) fn phone_cue_before(
    lower: &str,
    bs: usize,
    window: usize,
) -> Option<(usize, &'static str)> {
    word_cue_before(lower, bs, window, PHONE_CUE_WORDS)
}

/// Where a number of phone shape belongs: its national significant number.
enum PhonePlan<'a> {
    Uk(&'a [u8]),
    Nanp(&'a [u8]),
}

/// The number plan and national significant number of a phone-shaped span:
/// UK national (`0` + 10 digits) or `+44`/`0044` (10 digits after the code,
/// the trunk `(0)` dropped); North American 10 digits, `1` + 10 or `+1`.
fn phone_plan<'d>(span: &str, digits: &'d [u8]) -> Option<PhonePlan<'d>> {
    let nanp = |n: &'d [u8]| {
        (n.len() == 10 && matches!(n[0], b'2'..=b'9') && matches!(n[3], b'2'..=b'9'))
            .then_some(PhonePlan::Nanp(n))
    };
    let uk = |n: &'d [u8]| {
        (n.len() == 10 && matches!(n[0], b'1' | b'2' | b'3' | b'5' | b'7' | b'8' | b'9'))
            .then_some(PhonePlan::Uk(n))
    };
    let mut d = digits;
    let mut intl = span.trim_start_matches(['(', ' ']).starts_with('+');
    if !intl && d.starts_with(b"00") && !d.starts_with(b"000") && d.len() >= 12 {
        d = &d[2..];
        intl = true;
    }
    if intl {
        if let Some(rest) = d.strip_prefix(b"44") {
            let rest = if span.contains("(0)") {
                rest.strip_prefix(b"0").unwrap_or(rest)
            } else {
                rest
            };
            return uk(rest);
        }
        return d.strip_prefix(b"1").and_then(nanp);
    }
    match d.first()? {
        b'0' => uk(&d[1..]),
        b'1' => nanp(&d[1..]),
        _ => nanp(d),
    }
}

/// UK numbers Ofcom reserves for drama and fiction (national significant
/// numbers: a prefix, then any digits to ten).
const UK_FICTION: &[&[u8]] = &[
    b"7700900", // 07700 900000-900999
    b"2079460", // 020 7946 0000-0999
    b"1134960", // 0113 496 0000-0999 (Leeds)
    b"1144960", // Sheffield
    b"1154960", // Nottingham
    b"1164960", // Leicester
    b"1174960", // Bristol
    b"1184960", // Reading
    b"1214960", // Birmingham
    b"1314960", // Edinburgh
    b"1414960", // Glasgow
    b"1514960", // Liverpool
    b"1614960", // Manchester
    b"1914980", // 0191 498 0000-0999 (Tyneside)
    b"2896496", // 028 9649 6000-6999 (Belfast)
    b"2920180", // 029 2018 0000-0999 (Cardiff)
    b"1632960", // 01632 960000-960999 (no area)
    b"3069990", // 03069 990000-990999
    b"8081570", // 0808 157 0000-0999
    b"9098790", // 0909 879 0000-0999
];

/// Is the number one reserved for fiction: an Ofcom drama number, or a North
/// American 555-0100 to 555-0199 with any area code?
fn fictional_phone(plan: &PhonePlan<'_>) -> bool {
    match *plan {
        PhonePlan::Uk(n) => UK_FICTION.iter().any(|p| n.starts_with(p)),
        PhonePlan::Nanp(n) => &n[3..6] == b"555" && &n[6..8] == b"01",
    }
}

/// A phone number libphonenumber's metadata does not know (a fiction range,
/// or a number not allocated yet) that a person gave as theirs: the shape of
/// a UK or North American number, in a range reserved for fiction or after
/// a phone cue, and no nearer number cue (`neg`, an order or a case).
pub(crate) fn unlisted_phone(
    lower: &str,
    s: usize,
    e: usize,
    span: &str,
    neg: Option<&'static str>,
) -> Option<Cand> {
    if neg.is_some() {
        return None;
    }
    let (buf, n) = validate::ascii_digits::<20>(span)?;
    let plan = phone_plan(span, &buf[..n])?;
    let cue = phone_cue_before(lower, s, 40).map(|x| x.1);
    let mut c = if fictional_phone(&plan) {
        Cand::new(
            s,
            e,
            EntityType::PhoneNumber,
            0.7,
            "phone number in a range reserved for fiction",
        )
    } else if cue.is_some() {
        Cand::new(
            s,
            e,
            EntityType::PhoneNumber,
            0.6,
            "phone-shaped number after a phone cue",
        )
    } else {
        return None;
    };
    if let Some(w) = cue {
        c.score += 0.1;
        c.cue = Some(w);
    }
    Some(c)
}

/// A North American local number in the fiction range, `555-0100` to
/// `555-0199`, written alone (7 digits, `-`, `.` or space after `555`).
pub(crate) fn fictional_local_phone(s: usize, e: usize, span: &str) -> Option<Cand> {
    let b = span.as_bytes();
    (b.len() == 8
        && b.starts_with(b"555")
        && matches!(b[3], b'-' | b'.' | b' ')
        && &b[4..6] == b"01"
        && b[6..].iter().all(u8::is_ascii_digit))
    .then(|| {
        Cand::new(
            s,
            e,
            EntityType::PhoneNumber,
            0.6,
            "local phone number in the range reserved for fiction",
        )
    })
}

/// IBANs the upper-case pattern misses: lower or mixed case, a space after
/// the country code ("GB 13 BARC ..."), groups of any size. Tried at each run
/// of digits that two letters (and a space) come before, and kept only with
/// a known country, its exact length and a valid mod-97 checksum.
pub(crate) fn loose_ibans(b: &[u8], marks: &RunMarks, out: &mut Vec<Cand>) {
    let mut done = 0;
    for &(s, rs, re_) in marks.letters() {
        if rs < done || re_ - rs < 2 {
            continue;
        }
        let cc = [b[s].to_ascii_uppercase(), b[s + 1].to_ascii_uppercase()];
        let Some(len) = iban_country_length(cc) else {
            continue;
        };
        let mut compact = [0u8; 34];
        compact[..2].copy_from_slice(&cc);
        let (mut n, mut i) = (2, rs);
        while n < len && i < b.len() {
            let c = b[i];
            if c.is_ascii_alphanumeric() {
                compact[n] = c.to_ascii_uppercase();
                n += 1;
                i += 1;
            } else if c == b' ' && n >= 4 && b.get(i + 1).is_some_and(u8::is_ascii_alphanumeric) {
                i += 1;
            } else {
                break;
            }
        }
        if n < len || i < b.len() && is_word(b[i]) {
            continue;
        }
        if !(compact[2].is_ascii_digit() && compact[3].is_ascii_digit())
            || out
                .iter()
                .any(|c| c.ty == EntityType::IbanCode && c.bs < i && s < c.be)
            || !validate::iban_mod97(&compact[..len])
        {
            continue;
        }
        out.push(Cand::new(
            s,
            i,
            EntityType::IbanCode,
            0.95,
            "IBAN with valid ISO 13616 mod-97 checksum",
        ));
        done = i;
    }
}

/// [`validate::iban_length`] of an upper-case country code, from a table
/// built once (the match compares the code with each country in turn).
fn iban_country_length(cc: [u8; 2]) -> Option<usize> {
    static TABLE: std::sync::OnceLock<[u8; 676]> = std::sync::OnceLock::new();
    let t = TABLE.get_or_init(|| {
        let mut t = [0u8; 676];
        for a in b'A'..=b'Z' {
            for c in b'A'..=b'Z' {
                let len = validate::iban_length(&[a, c]).unwrap_or(0);
                t[usize::from(a - b'A') * 26 + usize::from(c - b'A')] = len as u8;
            }
        }
        t
    });
    if !(cc[0].is_ascii_uppercase() && cc[1].is_ascii_uppercase()) {
        return None;
    }
    let len = t[usize::from(cc[0] - b'A') * 26 + usize::from(cc[1] - b'A')];
    (len > 0).then_some(usize::from(len))
}

/// Where a code starting with two letters (and a space) before the run of
/// digits at `rs` starts: the letters are a word of their own.
#[inline]
fn letters_before(b: &[u8], rs: usize) -> Option<usize> {
    let s = match b[..rs] {
        [.., x, y, p] if p == b' ' && x.is_ascii_alphabetic() && y.is_ascii_alphabetic() => rs - 3,
        [.., x, p] if p.is_ascii_alphabetic() && x.is_ascii_alphabetic() => rs - 2,
        _ => return None,
    };
    (s == 0 || !is_word(b[s - 1])).then_some(s)
}

/// NINOs in lower or mixed case ("ce 40 21 77 b"), which the upper-case
/// gates do not reach: tried where two letters (and a space) come before a
/// run of digits; scored as lower-case NINOs are (a cue is needed to report).
pub(crate) fn loose_ninos(
    doc: &Doc<'_>,
    marks: &RunMarks,
    nino_pos: &[&'static str],
    out: &mut Vec<Cand>,
) {
    let text = doc.text;
    let b = text.as_bytes();
    for &(s, rs, re_) in marks.letters() {
        if !(re_ - rs == 2 || re_ - rs == 6) {
            continue;
        }
        if b[s].is_ascii_uppercase() && b[s + 1].is_ascii_uppercase() {
            continue;
        }
        let mut end = (s + 24).min(b.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let Some(e) = nino_at(&b[s..end]).map(|e| s + e) else {
            continue;
        };
        if !validate::nino(&text[s..e]) {
            continue;
        }
        let mut c = Cand::new(
            s,
            e,
            EntityType::UkNino,
            0.45,
            "NINO with valid prefix and suffix",
        );
        if let Some(w) = ctx_before(&doc.lower, s, 80, nino_pos) {
            c.score += 0.15;
            c.cue = Some(w);
        }
        out.push(c);
    }
}

/// Words that make a dotted quad after them a version number.
const VERSION_WORDS: &[&str] = &[
    "ver", "version", "v", "firmware", "fw", "software", "sw", "build", "release", "update",
    "upgrade", "upgraded", "patch",
];

/// A version word a few words before a dotted quad, with no IP cue nearer.
pub(crate) fn version_before(
    lower: &str,
    s: usize,
    ip_pos: &[&'static str],
) -> Option<&'static str> {
    // Most windows hold none of the words anywhere: one pass over the
    // window tells, before the whole-word search.
    static SET: std::sync::OnceLock<WordSet> = std::sync::OnceLock::new();
    let set = SET.get_or_init(|| WordSet::new(VERSION_WORDS));
    set.before(lower, s, 24)?;
    let (p, w) = word_cue_before(lower, s, 24, VERSION_WORDS)?;
    // Not across a sentence or a line.
    if lower.as_bytes()[p..s]
        .iter()
        .any(|&c| c == b'\n' || c == b';')
    {
        return None;
    }
    match word_cue_before(lower, s, 24, ip_pos) {
        Some((q, _)) if q > p => None,
        _ => Some(w),
    }
}

// ---------------------------------------------------------------------------
// Dates of birth the date patterns and the cue list miss: "b. 1941", foreign
// cues, a second birth date in the same clause, spoken dates with two-digit
// years. All are found from the birth cues, so a text without one costs a
// single SIMD search.

static BIRTH_CUES: Searcher = std::sync::OnceLock::new();

/// A text's address and length, and its birth cues `(start, end, word)`.
type CueStash = (usize, usize, Vec<(usize, usize, usize)>);

thread_local! {
    /// The birth cues found by [`year_word_starts`] in a lower-cased text
    /// (its address and length, and `(start, end, word)`), taken by
    /// [`cued_dobs`] when it looks at the same text.
    static CUE_STASH: RefCell<Option<CueStash>> =
        const { RefCell::new(None) };
}

/// The birth cues of the lower-cased text `lb`: `(start, end, word)`.
fn birth_cues(lb: &[u8]) -> Vec<(usize, usize, usize)> {
    if let Some((p, n, v)) = CUE_STASH.with(|c| c.borrow_mut().take()) {
        if p == lb.as_ptr() as usize && n == lb.len() {
            return v;
        }
    }
    match literal_searcher(&BIRTH_CUES, &BIRTH_CUE_WORDS) {
        Some(ac) => ac
            .find_iter(lb)
            .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
            .collect(),
        None => {
            let mut v: Vec<(usize, usize, usize)> = BIRTH_CUE_WORDS
                .iter()
                .enumerate()
                .flat_map(|(k, w)| {
                    memchr::memmem::find_iter(lb, w).map(move |p| (p, p + w.len(), k))
                })
                .collect();
            v.sort_unstable();
            v
        }
    }
}

/// Birth cues, lower case, of three bytes or more (for a fast search). The
/// ones [`DOB_POS`] lacks come after `"b'day"`; "b." is looked for before
/// each date and year instead.
const BIRTH_CUE_WORDS: [&str; 11] = [
    "birth",
    "born",
    "dob",
    "d.o.b",
    "b'day",
    "bday",
    "b-day",
    "nacimiento",
    "naissance",
    "geburt",
    "yob",
];

/// Does the cue at `p` stand as a word (no letter before it; "b." needs a
/// space or `(`/`,` before and a space after)?
fn birth_cue_at(lb: &[u8], p: usize, w: &str) -> bool {
    let before_ok = p == 0 || !lb[p - 1].is_ascii_alphanumeric();
    if w == "b." {
        return p > 0
            && matches!(lb[p - 1], b' ' | b'(' | b',' | b'\n')
            && lb.get(p + 2) == Some(&b' ');
    }
    before_ok
}

/// Words that may stand between two birth dates of one clause: "His DOB is
/// 12/03/58; mine 30/09/61", "... and my wife's 1/2/63".
const SAME_CLAUSE_WORDS: &[&str] = &[
    "and",
    "mine",
    "my",
    "his",
    "hers",
    "her",
    "is",
    "was",
    "also",
    "the",
    "other",
    "wife",
    "wife's",
    "husband",
    "husband's",
    "partner",
    "partner's",
    "son",
    "son's",
    "daughter",
    "daughter's",
    "mum",
    "mum's",
    "mom",
    "mom's",
    "dad",
    "dad's",
    "s",
    "for",
    "me",
    "&",
    "plus",
    "then",
];

/// The birth dates found from birth cues that [`dobs`] cannot see.
/// Dates alone in a cell of a table column headed by a birth cue ("| DOB |",
/// "Date of birth" in a tab-separated export).
fn table_dobs(lb: &[u8], cfg: &DetectorConfig, dates: &[DateHit], out: &mut Vec<Cand>) {
    let line_start = |i: usize| {
        lb[..i]
            .iter()
            .rposition(|&c| c == b'\n')
            .map_or(0, |p| p + 1)
    };
    for d in dates {
        if !d.2.iter().any(|x| x.0 <= cfg.max_birth_year) {
            continue;
        }
        let ls = line_start(d.0);
        let le = lb[d.1..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(lb.len(), |p| d.1 + p);
        let line = &lb[ls..le];
        let Some(&sep) = [b'|', b'\t'].iter().find(|c| line.contains(c)) else {
            continue;
        };
        // The date fills its cell.
        let (cs, ce) = (d.0 - ls, d.1 - ls);
        let cell_start = line[..cs]
            .iter()
            .rposition(|&c| c == sep)
            .map_or(0, |p| p + 1);
        let cell_end = line[ce..]
            .iter()
            .position(|&c| c == sep)
            .map_or(line.len(), |p| ce + p);
        if line[cell_start..cs]
            .iter()
            .any(|c| !c.is_ascii_whitespace())
            || line[ce..cell_end].iter().any(|c| !c.is_ascii_whitespace())
        {
            continue;
        }
        let column = line[..cs].iter().filter(|&&c| c == sep).count();
        // The table's first line: the top of the run of lines holding `sep`.
        let mut top = ls;
        while top > 0 {
            let prev = line_start(top - 1);
            if !lb[prev..top - 1].contains(&sep) {
                break;
            }
            top = prev;
        }
        if top == ls {
            continue;
        }
        let he = lb[top..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(lb.len(), |p| top + p);
        let header = &lb[top..he];
        let Some(head) = header.split(|&c| c == sep).nth(column) else {
            continue;
        };
        let cue = ["dob", "d.o.b", "birth", "born"]
            .into_iter()
            .find(|w| head.windows(w.len()).any(|x| x == w.as_bytes()));
        if let Some(w) = cue {
            let mut c = Cand::new(
                d.0,
                d.1,
                EntityType::DateOfBirth,
                0.9,
                "date in a table column headed by a birth cue",
            );
            c.cue = Some(w);
            out.push(c);
        }
    }
}

pub(crate) fn cued_dobs(
    doc: &Doc<'_>,
    cfg: &DetectorConfig,
    dates: &[DateHit],
    out: &mut Vec<Cand>,
) {
    let lb = doc.lower.as_bytes();
    table_dobs(lb, cfg, dates, out);
    // "(b. 03/08/1941)"
    for d in dates {
        if d.0 >= 3
            && &lb[d.0 - 3..d.0] == b"b. "
            && birth_cue_at(lb, d.0 - 3, "b.")
            && d.2.iter().any(|x| x.0 <= cfg.max_birth_year)
        {
            let mut c = Cand::new(
                d.0,
                d.1,
                EntityType::DateOfBirth,
                0.9,
                "date with a plausible birth year",
            );
            c.cue = Some("b.");
            out.push(c);
        }
    }
    let cues = birth_cues(lb);
    let mut done = 0;
    for &(p, ce, k) in &cues {
        let w = BIRTH_CUE_WORDS[k];
        if ce <= done || !birth_cue_at(lb, p, w) {
            continue;
        }
        // The end of the cue's word ("birthday", "born:", "nacimiento:").
        let mut q = ce;
        while q < lb.len() && lb[q].is_ascii_alphabetic() {
            q += 1;
        }
        let new_cue = k >= 5;
        // The first written date after the cue.
        let next = dates.iter().filter(|d| d.0 >= q).min_by_key(|d| d.0);
        let birth = |d: &DateHit| d.2.iter().any(|x| x.0 <= cfg.max_birth_year);
        // A year alone: "b. 1941", "DOB 1966 only".
        if let Some((s, e, y)) = bare_year_after(lb, q) {
            if y <= cfg.max_birth_year && !dates.iter().any(|d| d.0 < e && s < d.1) {
                let mut c = Cand::new(
                    s,
                    e,
                    EntityType::DateOfBirth,
                    0.75,
                    "year of birth after a birth cue",
                );
                c.cue = Some(w);
                out.push(c);
                done = e;
                continue;
            }
        }
        // A loosely written or spoken date in the next lines, before any
        // written date.
        let lim = next.map_or(lb.len(), |d| d.0).min(q + 100).min(lb.len());
        if let Some((s, e)) = first_loose_date(lb, q, lim, cfg.max_birth_year) {
            let mut c = Cand::new(
                s,
                e,
                EntityType::DateOfBirth,
                0.85,
                "date in words after a birth cue",
            );
            c.cue = Some(w);
            out.push(c);
            done = e;
            continue;
        }
        let Some(d) = next.filter(|d| d.0 - q <= 60) else {
            continue;
        };
        if new_cue && birth(d) {
            let mut c = Cand::new(
                d.0,
                d.1,
                EntityType::DateOfBirth,
                0.9,
                "date with a plausible birth year",
            );
            c.cue = Some(w);
            out.push(c);
        }
        // A second birth date in the same clause.
        if let Some(d2) = dates.iter().filter(|x| x.0 >= d.1).min_by_key(|x| x.0) {
            if birth(d) && birth(d2) && same_clause(lb, d.1, d2.0) {
                let mut c = Cand::new(
                    d2.0,
                    d2.1,
                    EntityType::DateOfBirth,
                    0.85,
                    "second date of birth after a birth cue",
                );
                c.cue = Some(w);
                out.push(c);
            }
        }
        done = d.1;
    }
    // The buffer serves the next text.
    CUE_STASH.with(|c| *c.borrow_mut() = Some((0, 0, cues)));
}

/// The first loosely written date of birth starting in `lb[from..lim]`.
fn first_loose_date(
    lb: &[u8],
    from: usize,
    lim: usize,
    max_birth_year: u32,
) -> Option<(usize, usize)> {
    for i in from..lim {
        if !lb[i].is_ascii_alphanumeric() || (i > 0 && lb[i - 1].is_ascii_alphanumeric()) {
            continue;
        }
        if let Some((e, (y, mo, d))) = loose_date_at(lb, i, max_birth_year) {
            // "DOB ok, the order was placed on ...": the date is another one.
            let gap = &lb[from..i];
            if OTHER_DATE_WORDS
                .iter()
                .any(|w| find_small(gap, w.as_bytes()).is_some())
            {
                return None;
            }
            return (y <= max_birth_year && validate::date(y, mo, d)).then_some((i, e));
        }
    }
    None
}

/// Words that say a date is not a birth date: a date after them belongs to them.
const OTHER_DATE_WORDS: &[&str] = &[
    "order",
    "appoint",
    "deliver",
    "expir",
    "exp ",
    "renew",
    "book",
    "placed",
    "ship",
    "dispatch",
    "due",
    "paid",
    "pay",
    "install",
    "visit",
    "valid",
    "until",
    "since",
    "start",
    "contract",
    "arriv",
    "sent",
    "purchas",
    "bought",
    "moved",
    "joined",
    "opened",
    "issue",
    "refund",
    "cancel",
    "today",
    "tomorrow",
    "yesterday",
    "last",
    "next",
];

/// Is the text between two dates, `lb[a..b]`, short and made only of the
/// words that join two birth dates in one clause?
fn same_clause(lb: &[u8], a: usize, b: usize) -> bool {
    if b < a || b - a > 28 {
        return false;
    }
    let gap = &lb[a..b];
    if gap.iter().any(|&c| matches!(c, b'\n' | b'.' | b'?' | b'!')) {
        return false;
    }
    gap.split(|c| matches!(c, b' ' | b',' | b';' | b':' | b'(' | b')' | b'-'))
        .filter(|w| !w.is_empty())
        .all(|w| SAME_CLAUSE_WORDS.iter().any(|x| x.as_bytes() == w))
}

/// A four-digit year (1900-2099) right after a cue ending at `q`, past
/// spaces, `:` and "is", "in", "was": `(start, end, year)`; not part of a
/// longer number or a date.
fn bare_year_after(lb: &[u8], q: usize) -> Option<(usize, usize, u32)> {
    let mut i = q;
    loop {
        while i < lb.len() && matches!(lb[i], b' ' | b':' | b'-' | b'(') {
            i += 1;
        }
        let rest = &lb[i..];
        let skip = [&b"is "[..], b"in ", b"was "]
            .iter()
            .find(|w| rest.starts_with(w))
            .map(|w| w.len());
        match skip {
            Some(n) if i - q < 12 => i += n,
            _ => break,
        }
    }
    if i - q > 12 {
        return None;
    }
    let y = lb.get(i..i + 4)?;
    if !(y.iter().all(u8::is_ascii_digit) && (y.starts_with(b"19") || y.starts_with(b"20"))) {
        return None;
    }
    let after = |k: usize| lb.get(i + 4 + k).copied();
    if after(0).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        || (matches!(after(0), Some(b'/' | b'.' | b'-'))
            && after(1).is_some_and(|c| c.is_ascii_digit()))
    {
        return None;
    }
    let year = y.iter().fold(0, |a, &c| a * 10 + u32::from(c - b'0'));
    Some((i, i + 4, year))
}

/// The word starting at `i` (letters, digits and `'`): its end.
fn word_from(lb: &[u8], i: usize) -> usize {
    let mut e = i;
    while e < lb.len() && (lb[e].is_ascii_alphanumeric() || lb[e] == b'\'') {
        e += 1;
    }
    e
}

/// The start of the next word after `e`, past spaces, one comma and one `-`.
fn next_word_start(lb: &[u8], e: usize) -> Option<usize> {
    let mut i = e;
    while i < lb.len() && matches!(lb[i], b' ' | b',' | b'-') && i - e < 3 {
        i += 1;
    }
    (i > e && i < lb.len() && lb[i].is_ascii_alphanumeric()).then_some(i)
}

/// Ordinals in words, "first" (1) to "twentieth" (20).
pub(crate) const ORDINAL_WORDS: [&str; 20] = [
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "thirteenth",
    "fourteenth",
    "fifteenth",
    "sixteenth",
    "seventeenth",
    "eighteenth",
    "nineteenth",
    "twentieth",
];

/// Numbers in words, "one" (1) to "nineteen" (19).
pub(crate) const UNIT_WORDS: [&str; 19] = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];

/// Tens in words, "twenty" (20) to "ninety" (90).
pub(crate) const TENS_WORDS: [&str; 8] = [
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// A day of the month at `i`: "3", "3rd", "third", "twenty first": `(end, day)`.
fn loose_day(lb: &[u8], i: usize) -> Option<(usize, u32)> {
    // Days start with a digit or the first letter of an ordinal word.
    if !matches!(lb[i], b'0'..=b'9' | b'f' | b's' | b't' | b'e' | b'n') {
        return None;
    }
    let e = word_from(lb, i);
    let w = &lb[i..e];
    let nd = w.iter().take_while(|c| c.is_ascii_digit()).count();
    if nd > 0 {
        let suffix = &w[nd..];
        if nd > 2 || !(suffix.is_empty() || [&b"st"[..], b"nd", b"rd", b"th"].contains(&suffix)) {
            return None;
        }
        return Some((
            e,
            w[..nd].iter().fold(0, |a, &c| a * 10 + u32::from(c - b'0')),
        ));
    }
    if let Some(k) = ORDINAL_WORDS.iter().position(|o| o.as_bytes() == w) {
        return Some((e, k as u32 + 1));
    }
    if w == b"thirtieth" {
        return Some((e, 30));
    }
    let tens = match w {
        b"twenty" => 20,
        b"thirty" => 30,
        _ => return None,
    };
    let j = next_word_start(lb, e)?;
    let e2 = word_from(lb, j);
    let k = ORDINAL_WORDS[..9]
        .iter()
        .position(|o| o.as_bytes() == &lb[j..e2])?;
    Some((e2, tens + k as u32 + 1))
}

/// A month's name or abbreviation at `i`: `(end, month)`.
fn loose_month(lb: &[u8], i: usize) -> Option<(usize, u32)> {
    // `i` may be the end of the text ("dob 1.2.3.4.5 of ").
    if !matches!(
        lb.get(i),
        Some(b'j' | b'f' | b'm' | b'a' | b's' | b'o' | b'n' | b'd')
    ) {
        return None;
    }
    let e = word_from(lb, i);
    let w = &lb[i..e];
    if !(3..=9).contains(&w.len()) {
        return None;
    }
    let m = MONTH_NAMES.iter().position(|n| {
        n.as_bytes() == w || (w.len() >= 3 && n.as_bytes().starts_with(w) && w.len() <= 4)
    })?;
    let e = if lb.get(e) == Some(&b'.') { e + 1 } else { e };
    Some((e, m as u32 + 1))
}

/// A number below 100 in words at `i` ("eighty three", "ninety", "oh five"): `(end, n)`.
fn two_digit_words(lb: &[u8], i: usize) -> Option<(usize, u32)> {
    let e = word_from(lb, i);
    let w = &lb[i..e];
    if w == b"oh" {
        let j = next_word_start(lb, e)?;
        let e2 = word_from(lb, j);
        let k = UNIT_WORDS[..9]
            .iter()
            .position(|u| u.as_bytes() == &lb[j..e2])?;
        return Some((e2, k as u32 + 1));
    }
    if let Some(k) = TENS_WORDS.iter().position(|t| t.as_bytes() == w) {
        let tens = 20 + 10 * k as u32;
        if let Some(j) = next_word_start(lb, e) {
            let e2 = word_from(lb, j);
            if let Some(u) = UNIT_WORDS[..9]
                .iter()
                .position(|u| u.as_bytes() == &lb[j..e2])
            {
                return Some((e2, tens + u as u32 + 1));
            }
        }
        return Some((e, tens));
    }
    let k = UNIT_WORDS.iter().position(|u| u.as_bytes() == w)?;
    Some((e, k as u32 + 1))
}

/// A year at `i`: "1983", "83", "nineteen eighty three", "eighty three",
/// "two thousand and one": `(end, year)`; two-digit years are read as the
/// latest year not after `max_birth_year`.
fn loose_year(lb: &[u8], i: usize, max_birth_year: u32) -> Option<(usize, u32)> {
    let e = word_from(lb, i);
    let w = &lb[i..e];
    let two = |yy: u32| {
        if 2000 + yy <= max_birth_year {
            2000 + yy
        } else {
            1900 + yy
        }
    };
    if w.iter().all(u8::is_ascii_digit) {
        if w.len() > 4 {
            return None;
        }
        let n = w.iter().fold(0u32, |a, &c| a * 10 + u32::from(c - b'0'));
        return match w.len() {
            2 => Some((e, two(n))),
            4 if (1900..2100).contains(&n) => Some((e, n)),
            _ => None,
        };
    }
    if w == b"two" {
        let rest = &lb[e..];
        let t = b" thousand";
        if rest.starts_with(t) {
            let mut j = e + t.len();
            if lb[j..].starts_with(b" and") {
                j += 4;
            }
            if let Some(k) = next_word_start(lb, j) {
                if let Some((e2, n)) = two_digit_words(lb, k) {
                    return Some((e2, 2000 + n));
                }
            }
            return Some((j, 2000));
        }
    }
    if w == b"nineteen" || w == b"twenty" {
        let century = if w == b"nineteen" { 1900 } else { 2000 };
        if let Some(j) = next_word_start(lb, e) {
            if let Some((e2, n)) = two_digit_words(lb, j) {
                if n >= 10 || lb[j..].starts_with(b"oh") {
                    return Some((e2, century + n));
                }
            }
        }
    }
    let (e2, n) = two_digit_words(lb, i)?;
    // A lone "nineteen" or "five" is no year: two-digit years in words
    // start with a tens word or "oh".
    (n >= 20 || w == b"oh").then(|| (e2, two(n)))
}

/// A date written loosely at `i` (lower case): "ninth of may eighty three",
/// "1st of april 95", "july fourth nineteen ninety", "march 3 84": `(end,
/// (year, month, day))`.
fn loose_date_at(lb: &[u8], i: usize, max_birth_year: u32) -> Option<(usize, (u32, u32, u32))> {
    let (d, mo, e) = if let Some((e, d)) = loose_day(lb, i) {
        let mut j = next_word_start(lb, e)?;
        if lb[j..].starts_with(b"of ") {
            j += 3;
        }
        let (e2, mo) = loose_month(lb, j)?;
        (d, mo, e2)
    } else {
        let (e, mo) = loose_month(lb, i)?;
        let mut j = next_word_start(lb, e)?;
        if lb[j..].starts_with(b"the ") {
            j += 4;
        }
        let (e2, d) = loose_day(lb, j)?;
        (d, mo, e2)
    };
    let j = next_word_start(lb, e)?;
    let (ye, y) = loose_year(lb, j, max_birth_year)?;
    if lb.get(ye).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    Some((ye, (y, mo, d)))
}

// ---------------------------------------------------------------------------
// Addresses around a postcode or state + ZIP the street pattern did not reach.

/// Words that end the name of a house: such a part starts an address.
const HOUSE_NAME_WORDS: &[&str] = &[
    "Cottage",
    "House",
    "Farm",
    "Lodge",
    "Barn",
    "Hall",
    "Manor",
    "Villa",
    "Rectory",
    "Vicarage",
    "Grange",
    "Mill",
    "Bungalow",
    "Cottages",
    "Farmhouse",
    "Mansions",
    "Apartments",
    "Flats",
];

/// Small words inside a place or house name ("Newcastle upon Tyne").
const PLACE_JOINERS: &[&str] = &[
    "upon", "on", "under", "in", "le", "la", "de", "of", "the", "and", "an", "na", "y", "del",
];

/// The title-case words (and house numbers) that end at `j` (past spaces),
/// at most six: `(start, words, starts a part)`, the last true when a `,`,
/// a line break or the start of the text comes before them.
fn title_words_before(b: &[u8], j: usize) -> (usize, usize, bool) {
    let mut s = j;
    let mut n = 0;
    let mut i = j;
    loop {
        while i > 0 && b[i - 1] == b' ' {
            i -= 1;
        }
        let we = i;
        while i > 0
            && (b[i - 1].is_ascii_alphanumeric()
                || matches!(b[i - 1], b'\'' | b'-')
                || b[i - 1] >= 0x80)
        {
            i -= 1;
        }
        if i == we || n == 6 {
            break;
        }
        let w = &b[i..we];
        let ok = w[0].is_ascii_uppercase()
            || w[0] >= 0xC3
            || (w[0].is_ascii_digit() && w.iter().filter(|c| c.is_ascii_alphabetic()).count() <= 1)
            || (n > 0 && PLACE_JOINERS.iter().any(|p| p.as_bytes() == w));
        if !ok {
            break;
        }
        n += 1;
        s = i;
    }
    // A joiner does not start a part.
    while n > 0 {
        let e = s + b[s..].iter().position(|&c| c == b' ').unwrap_or(0);
        if e > s
            && PLACE_JOINERS.iter().any(|p| p.as_bytes() == &b[s..e])
            && b[s].is_ascii_lowercase()
        {
            s = e + 1;
            n -= 1;
        } else {
            break;
        }
    }
    let mut k = s;
    while k > 0 && b[k - 1] == b' ' {
        k -= 1;
    }
    (s, n, k == 0 || matches!(b[k - 1], b',' | b'\n'))
}

/// Where an address ending with the postcode at `ps` starts, if the parts
/// before it (up to four, separated by `,` or line breaks, in title case:
/// house name or number, street, locality, town) make one: two parts or
/// more, one of them with a house number, a PO box, a street or a house name.
fn address_before(b: &[u8], ps: usize) -> Option<usize> {
    let mut pos = ps;
    let (mut parts, mut strong, mut start) = (0, false, ps);
    while parts < 5 {
        let mut j = pos;
        while j > 0 && b[j - 1] == b' ' {
            j -= 1;
        }
        let sep = j > 0 && matches!(b[j - 1], b',' | b'\n');
        if sep {
            j -= 1;
            while j > 0 && matches!(b[j - 1], b' ' | b'\r') {
                j -= 1;
            }
        } else if parts > 0 {
            break;
        }
        let (ws, n, whole) = title_words_before(b, j);
        if n == 0 {
            break;
        }
        let mut ws = ws;
        let mut whole = whole;
        if !b[ws].is_ascii_digit() {
            if let Some(k) = house_number_inside(&b[ws..j]) {
                // "I live at 33 Orchard Way": the address starts at the number.
                ws += k;
                whole = false;
            } else if b[ws..j].starts_with(b"Box ") {
                // "P.O. Box 650123": the title words stop at the dots.
                let head = &b[..ws];
                if let Some(p) = [&b"P.O. "[..], b"P. O. ", b"PO ", b"P.O "]
                    .iter()
                    .find(|p| head.ends_with(p))
                {
                    ws -= p.len();
                }
            }
        }
        let part = &b[ws..j];
        let last = part.rsplit(|&c| c == b' ').next().unwrap_or(part);
        let numbered = part[0].is_ascii_digit()
            || part.starts_with(b"PO Box ")
            || part.starts_with(b"P.O. Box ")
            || part.starts_with(b"P. O. Box ")
            || part.starts_with(b"P.O Box ");
        let house = HOUSE_NAME_WORDS.iter().any(|h| h.as_bytes() == last);
        // "Croft 4", "Dublin 2": a name and a number, which may follow more parts.
        strong |= numbered || house || is_street_word(last) || ends_with_house_number(part);
        parts += 1;
        start = ws;
        pos = ws;
        // A house number or name starts the address.
        if !whole || numbered || house {
            break;
        }
    }
    if parts == 1 && !strong && town_state_zip(b, start, ps) {
        return Some(start);
    }
    (parts >= 2 && strong).then_some(start)
}

/// Is a word of the title-case part `part` (not its first) a house number
/// ("33", "12a") with at least one word after it? Its offset in `part`.
fn house_number_inside(part: &[u8]) -> Option<usize> {
    let mut at = 0;
    for w in part.split(|&c| c == b' ') {
        if at > 0 && is_house_number(w) && at + w.len() < part.len() {
            return Some(at);
        }
        at += w.len() + 1;
    }
    None
}

/// Does the part end with a house number after a name ("Croft 4", "Flat 2B")?
fn ends_with_house_number(part: &[u8]) -> bool {
    match part.iter().rposition(|&c| c == b' ') {
        Some(i) => i > 0 && is_house_number(&part[i + 1..]),
        None => false,
    }
}

/// One to five digits, optionally followed by one letter.
fn is_house_number(w: &[u8]) -> bool {
    let nd = w.iter().take_while(|c| c.is_ascii_digit()).count();
    (1..=5).contains(&nd) && (w.len() == nd || w.len() == nd + 1 && w[nd].is_ascii_alphabetic())
}

/// "Santa Fe, NM 87501": a town of title-case words, a comma and a state +
/// ZIP, the way a US address ends; an address even without its street.
fn town_state_zip(b: &[u8], town: usize, ps: usize) -> bool {
    let head = b[town..ps].trim_ascii_end();
    head.ends_with(b",")
        && head.len() > 3
        && b.get(ps..ps + 2)
            .is_some_and(|s| s.iter().all(u8::is_ascii_uppercase))
        && b.get(ps + 2) == Some(&b' ')
}

/// Is `code` a state + ZIP ("TX 78788", "CA, 90210")?
fn is_state_zip(code: &[u8]) -> bool {
    code.len() > 3
        && code[0].is_ascii_uppercase()
        && code[1].is_ascii_uppercase()
        && matches!(code[2], b' ' | b',')
}

/// Does a state + ZIP at `s..e` stand where an address ends: after a town
/// word, a comma or a line break, and with no number glued after it ("Rx ID
/// 55120-334" is no address)?
fn state_zip_in_place(b: &[u8], s: usize, e: usize) -> bool {
    if matches!(b.get(e), Some(b'-' | b'/' | b'.')) && b.get(e + 1).is_some_and(u8::is_ascii_digit)
    {
        return false;
    }
    if s == 0 || matches!(b[s - 1], b'\n' | b',' | b'(' | b'\t') {
        return true;
    }
    if b[s - 1] != b' ' {
        return false;
    }
    let we = s - 1;
    let mut ws = we;
    while ws > 0 && (b[ws - 1].is_ascii_alphabetic() || b[ws - 1] >= 0x80) {
        ws -= 1;
    }
    if ws == we {
        return we > 0 && b[we - 1] == b',';
    }
    let w = &b[ws..we];
    (w[0].is_ascii_uppercase() || w[0] >= 0xC3)
        && w.len() >= 3
        && w[1..].iter().any(|c| c.is_ascii_lowercase() || *c >= 0x80)
}

/// Addresses finished around the postcodes [`Patterns::addresses`] found
/// alone: a state + ZIP out of place is dropped, parts of an address before
/// a postcode are joined to it, and a ZIP code after a "zip" cue is kept.
pub(crate) fn address_extras(
    doc: &Doc<'_>,
    gates: &[usize],
    marks: &RunMarks,
    out: &mut Vec<Cand>,
) {
    let b = doc.text.as_bytes();
    eircodes(b, gates, out);
    let mut i = 0;
    while i < out.len() {
        let c = out[i];
        if c.ty != EntityType::Postcode {
            i += 1;
            continue;
        }
        if is_state_zip(&b[c.bs..c.be]) && !state_zip_in_place(b, c.bs, c.be) {
            out.remove(i);
            continue;
        }
        if let Some(s) = address_before(b, c.bs) {
            // As sure as a street address found inside it, so that the whole
            // address wins over its part.
            let score = out
                .iter()
                .filter(|o| o.ty == EntityType::StreetAddress && o.bs >= s && o.be <= c.be)
                .fold(0.95f32, |m, o| m.max(o.score));
            out[i] = Cand::new(
                s,
                c.be,
                EntityType::StreetAddress,
                score,
                "address parts before a postcode",
            );
        }
        i += 1;
    }
    zips_after_cue(doc, marks, out);
}

/// An Irish Eircode at the start of `h` ("D08 XY41", "A65F4E2"): a routing
/// key (a letter and two digits, or `D6W`), an optional space and four
/// characters of the unique identifier, at least one of them a letter. The
/// end of the match.
fn eircode_at(h: &[u8]) -> Option<usize> {
    // The letters Eircodes use (no B, G, I, J, L, M, O, Q, S, U, Z).
    let letter = |c: &u8| matches!(c, b'A' | b'C'..=b'F' | b'H' | b'K' | b'N' | b'P' | b'R' | b'T' | b'V'..=b'Y');
    let key = h.get(..3)?;
    let key_ok = match key {
        // Dublin postal districts: D01 to D24 and D6W.
        [b'D', b'6', b'W'] => true,
        [b'D', t, u] => matches!(
            (t, u),
            (b'0', b'1'..=b'9') | (b'1', b'0'..=b'9') | (b'2', b'0'..=b'4')
        ),
        [k, t, u] => letter(k) && t.is_ascii_digit() && u.is_ascii_digit(),
        _ => false,
    };
    if !key_ok {
        return None;
    }
    let s = if h.get(3) == Some(&b' ') { 4 } else { 3 };
    let id = h.get(s..s + 4)?;
    (id.iter().all(|c| c.is_ascii_digit() || letter(c))
        && id.iter().any(u8::is_ascii_uppercase)
        && word_end(h, s + 4))
    .then_some(s + 4)
}

/// Irish Eircodes at the caps gates, as postcodes (the address parts before
/// one are joined to it like those before a UK postcode).
fn eircodes(b: &[u8], gates: &[usize], out: &mut Vec<Cand>) {
    for &g in gates {
        // Not the tail of a longer code ("SKU-D08XY41").
        if g > 0 && (is_word(b[g - 1]) || matches!(b[g - 1], b'-' | b'/' | b'#')) {
            continue;
        }
        let Some(e) = eircode_at(&b[g..]) else {
            continue;
        };
        let e = g + e;
        if out.iter().any(|c| c.bs < e && g < c.be) {
            continue;
        }
        out.push(Cand::new(g, e, EntityType::Postcode, 0.85, "Irish Eircode"));
    }
}

/// A five-digit ZIP code right after "zip" or "zip code" (and `:`, "is").
fn zips_after_cue(doc: &Doc<'_>, marks: &RunMarks, out: &mut Vec<Cand>) {
    let lb = doc.lower.as_bytes();
    for &(s, _) in marks.fives() {
        let mut head = lb[..s].strip_suffix(b" ").unwrap_or(&lb[..s]);
        for w in [&b" is"[..], b":", b" code", b"code"] {
            head = head.strip_suffix(w).unwrap_or(head);
        }
        let Some(h) = head.strip_suffix(b"zip") else {
            continue;
        };
        if h.last().is_some_and(u8::is_ascii_alphanumeric) {
            continue;
        }
        let mut e = s + 5;
        if lb.get(e) == Some(&b'-')
            && lb
                .get(e + 1..e + 5)
                .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
        {
            e += 5;
        }
        if lb
            .get(e)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'-')
        {
            continue;
        }
        if out.iter().any(|c| c.bs < e && s < c.be) {
            continue;
        }
        let mut c = Cand::new(s, e, EntityType::Postcode, 0.85, "ZIP code after a zip cue");
        c.cue = Some("zip");
        out.push(c);
    }
}

/// What the runs of digits of a text offer the loose detectors, found in
/// one pass: runs with two letters (and a space) before them (`(letters,
/// run start, run end)`), four-digit runs (years) and five-digit runs (ZIP
/// codes) after a space. Kept on the stack; a text with more than fit is
/// searched only in its first ones.
pub(crate) struct RunMarks {
    letters: [(usize, usize, usize); 8],
    nl: usize,
    years: [(usize, usize); 4],
    ny: usize,
    fives: [(usize, usize); 4],
    nf: usize,
}

impl RunMarks {
    pub(crate) fn new(b: &[u8], runs: &[(usize, usize)]) -> Self {
        let mut m = RunMarks {
            letters: [(0, 0, 0); 8],
            nl: 0,
            years: [(0, 0); 4],
            ny: 0,
            fives: [(0, 0); 4],
            nf: 0,
        };
        for &(rs, re_) in runs {
            if rs < 2 {
                continue;
            }
            let p = b[rs - 1];
            if p == b' ' {
                match re_ - rs {
                    4 if m.ny < m.years.len() => {
                        m.years[m.ny] = (rs, re_);
                        m.ny += 1;
                    }
                    5 if m.nf < m.fives.len() => {
                        m.fives[m.nf] = (rs, re_);
                        m.nf += 1;
                    }
                    _ => {}
                }
            } else if !p.is_ascii_alphabetic() {
                continue;
            }
            if m.nl < m.letters.len() && b[rs - 2].is_ascii_alphabetic() {
                if let Some(s) = letters_before(b, rs) {
                    m.letters[m.nl] = (s, rs, re_);
                    m.nl += 1;
                }
            }
        }
        m
    }

    fn letters(&self) -> &[(usize, usize, usize)] {
        &self.letters[..self.nl]
    }

    fn years(&self) -> &[(usize, usize)] {
        &self.years[..self.ny]
    }

    fn fives(&self) -> &[(usize, usize)] {
        &self.fives[..self.nf]
    }
}

/// A year of birth after "b." ("b. 1941"): the other birth cues are found
/// by [`cued_dobs`].
pub(crate) fn born_years(
    doc: &Doc<'_>,
    cfg: &DetectorConfig,
    dates: &[DateHit],
    marks: &RunMarks,
    out: &mut Vec<Cand>,
) {
    let lb = doc.lower.as_bytes();
    for &(s, e) in marks.years() {
        if s < 3 || &lb[s - 3..s] != b"b. " || !birth_cue_at(lb, s - 3, "b.") {
            continue;
        }
        if let Some((ys, ye, y)) = bare_year_after(lb, s - 1) {
            if ys == s
                && ye == e
                && y <= cfg.max_birth_year
                && !dates.iter().any(|d| d.0 < e && s < d.1)
            {
                let mut c = Cand::new(
                    s,
                    e,
                    EntityType::DateOfBirth,
                    0.75,
                    "year of birth after a birth cue",
                );
                c.cue = Some("b.");
                out.push(c);
            }
        }
    }
}

#[cfg(test)]
#[path = "patterns_reference.rs"]
mod patterns_reference;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn pats() -> &'static (Patterns, patterns_reference::Patterns) {
        static P: OnceLock<(Patterns, patterns_reference::Patterns)> = OnceLock::new();
        P.get_or_init(|| (Patterns::new(), patterns_reference::Patterns::new()))
    }

    /// The detectors and the reference give the same dates and candidates.
    fn same_as_reference(text: &str) -> Result<(), TestCaseError> {
        let (new, old) = pats();
        let doc = Doc {
            text,
            lower: text.to_ascii_lowercase(),
        };
        let cfg = DetectorConfig::default();
        let want_dates = old.all_dates(&doc, cfg.max_birth_year);
        let dates = new.all_dates(&doc, cfg.max_birth_year);
        prop_assert_eq!(&dates, &want_dates, "dates in {:?}", text);
        let mut want = Vec::new();
        old.run(&doc, &cfg, &want_dates, &mut want);
        let mut got = Vec::new();
        new.run(&doc, &cfg, &dates, &mut got);
        prop_assert_eq!(
            format!("{got:?}"),
            format!("{want:?}"),
            "candidates in {:?}",
            text
        );
        Ok(())
    }

    /// Pieces of contact-centre text: PII in many written forms, near misses,
    /// cue words and punctuation.
    const PIECES: &[&str] = &[
        "jane.doe@example.com",
        "a@b.co",
        "x_y+z@sub.domain.org",
        "bad@",
        "@x.com",
        "a.@b.c",
        "Jo@Ex-Ample.CO.UK",
        "+44 7700 900123",
        "+44 (0)7700 900123",
        "07912 345678",
        "(020) 7946 0958",
        "555-123-4567",
        "+1 (555) 123-4567",
        "1-415-529-0097",
        "0044 7912 345678",
        "+49 30 1234567",
        "+ (12) 345",
        "(12)(34) 5",
        "4111 1111 1111 1111",
        "5500-0000-0000-0004",
        "378282246310005",
        "536-90-4399",
        "536 90 4399",
        "536904399",
        "12/03/1984",
        "3.4.84",
        "1984-03-12",
        "1945-08-10.",
        "12 March 1984",
        "March 3, 1984",
        "the 3rd of march 1984",
        "The 21st of Sept. 2001",
        "Sept. 4 2001",
        "dec 31st, 1999",
        "31-12-99",
        "2024-13-45",
        "01/01/2000",
        "10/25/2024",
        "6/2/2025",
        "02 Jan 2024",
        "the third of march nineteen eighty four",
        "twenty first of june, two thousand and one",
        "fifth of may twenty twenty",
        "the thirty first of december nineteen ninety nine",
        "nineteen",
        "twenty",
        "192.168.0.1",
        "10.0.0.256",
        "1.2.3.4.5",
        "v1.2.3.4",
        "2001:db8::1",
        "fe80::1:2",
        "[00:01:22]",
        "[08:05]",
        "::",
        "a:b:c:d:e:f:1:2",
        "dead:beef:cafe:babe:dead:beef:cafe:babe",
        "22:05:00",
        "GB29 NWBK 6016 1331 9268 19",
        "DE89370400440532013000",
        "GB82WEST12345698765432",
        "AB 12 34 56 C",
        "AB123456C",
        "ab123456c",
        "QQ 12 34 56 A",
        "SW1A 1AA",
        "M1 1AE",
        "B33 8TH",
        "EC1A1BB",
        "GIR 0AA",
        "L37 9WN",
        "NY 10001",
        "CA, 90210-1234",
        "TX 78788",
        "OR 97243.",
        "12 High Street",
        "673 Maple Ave Apt 4C",
        "7375 Branch Dr",
        "Flat 3, 12 Park Road",
        "221B Baker St.",
        "10 St. Mary's Lane",
        "9 Rose Cottage",
        "45 Élysée Court",
        "2739 Willow Place",
        "8882 Hill Blvd",
        "12 Park",
        "3 Green Way NE",
        "Austin",
        "San Diego",
        "Stratford upon Avon",
        "London",
        "order",
        "ref",
        "card",
        "phone",
        "mobile",
        "dob",
        "born",
        "date of birth",
        "ssn",
        "ip",
        "version",
        "ni number",
        "Agent:",
        "Customer:",
        "the",
        "of",
        "#",
        "ORD-2024-399534",
        "A9005983",
        "PRD-57453",
        "1Z667WJ62994427113",
        "Street",
        "St",
        "2024",
        "1999",
        "12",
        "7",
        "é",
        "’",
    ];

    const GLUE: &[&str] = &[
        " ", " ", " ", ", ", "\n", ". ", ": ", "-", "/", "", "(", ")", "+", ".", "_", "é",
    ];

    fn document() -> impl Strategy<Value = String> {
        prop::collection::vec(
            (prop::sample::select(PIECES), prop::sample::select(GLUE)),
            0..24,
        )
        .prop_map(|parts| {
            parts
                .into_iter()
                .flat_map(|(p, g)| [p, g])
                .collect::<String>()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]
        #[test]
        fn detectors_equal_reference_on_documents(text in document()) {
            same_as_reference(&text)?;
        }

        #[test]
        fn detectors_equal_reference_on_noise(
            text in "([0-9]{1,5}|[A-Z]{1,2}|[a-z]{1,3}|[ ./:@+()\\-]|, |\n|Street|St|Road|March|may|sept|the |of |nineteen|twenty|two thousand|é){0,40}"
        ) {
            same_as_reference(&text)?;
        }
    }

    #[test]
    fn detectors_equal_reference_on_examples() {
        for text in [
            "Subject: Where is my order ORD-2024-399534?\nFrom: Jane Brennan <brennan.jane98@yahoo.co.uk>\nDate: Tue, 02 Jan 2024 22:05:00 +0000\n\nI ordered a set-top box (order #54627239). Tracking 1Z667WJ62994427113. Please deliver it to 673 Maple Ave Apt 4C, Austin, TX 78788 instead, until 6/2/2025.\n\nJane Brennan\n7375 Branch Dr\nSan Diego\nCA 92170\n",
            "[08:05] Customer: Yes it's 2739 Willow Place, Portland, OR 97243.\n[08:08] Customer: I was born on 1945-08-10.",
            "CUSTOMER: date of birth is 17/08/2003\nCUSTOMER: postcode is L37 9WN\nCUSTOMER: my mobile is +44 20 3445 1394",
            "caller: the third of march nineteen eighty four, and the fifth of may, two thousand and two",
            "ip 2001:db8::1 and 192.168.0.1 and version 1.2.3.4 and [00:01:22] and ::",
            "IBAN GB29 NWBK 6016 1331 9268 19, NI number AB 12 34 56 C, card 4111 1111 1111 1111, ssn 536-90-4399",
            "",
            "é",
        ] {
            same_as_reference(text).unwrap();
        }
    }

    fn word_lists() -> [&'static [&'static str]; 9] {
        [
            PHONE_POS,
            NUM_NEG,
            CARD_POS,
            SSN_POS,
            NINO_POS,
            IP_POS,
            IP_NEG,
            DOB_POS,
            &["a", "ab", "b", "ba"],
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
        #[test]
        fn word_sets_equal_context_helpers(
            parts in prop::collection::vec(prop_oneof![
                prop::sample::select(PHONE_POS).prop_map(String::from),
                prop::sample::select(NUM_NEG).prop_map(String::from),
                prop::sample::select(DOB_POS).prop_map(String::from),
                prop::sample::select(IP_POS).prop_map(String::from),
                "[a-eé .']{0,4}",
            ], 0..12),
            cut in 0usize..200,
            window in 0usize..120,
        ) {
            let lower: String = parts.concat();
            let mut at = cut.min(lower.len());
            while !lower.is_char_boundary(at) {
                at -= 1;
            }
            static SETS: OnceLock<Vec<WordSet>> = OnceLock::new();
            let sets = SETS.get_or_init(|| word_lists().into_iter().map(WordSet::new).collect());
            for (words, set) in word_lists().into_iter().zip(sets) {
                prop_assert_eq!(set.before(&lower, at, window), ctx_before(&lower, at, window, words));
                prop_assert_eq!(set.after(&lower, at, window), patterns_reference::ctx_after(&lower, at, window, words));
                prop_assert_eq!(
                    set.nearest_before(&lower, at, window),
                    patterns_reference::ctx_nearest(&lower, at, window, words)
                );
            }
        }

        #[test]
        fn numeric_dates_equal_regexes(s in "([0-9]{1,5}|[/.\\-]|a|_| |19|20){0,14}") {
            let b = s.as_bytes();
            for (kind, pattern) in [
                (NumDate::Num, DATE_NUM),
                (NumDate::Short, DATE_SHORT),
                (NumDate::Iso, DATE_ISO),
            ] {
                let want: Vec<(usize, usize)> = Regex::new(pattern)
                    .unwrap()
                    .find_iter(&s)
                    .map(|m| (m.start(), m.end()))
                    .collect();
                let mut got = Vec::new();
                let mut at = 0;
                while let Some(m) = kind.find(b, at, b.len()) {
                    at = m.1;
                    got.push(m);
                }
                prop_assert_eq!(got, want, "{:?} in {:?}", kind, s);
            }
        }

        #[test]
        fn dotted_runs_and_windows_equal_the_scan(s in "([0-9]{1,3}|[/.\\-]|a|é| ){0,16}") {
            let want = runs_of_digits(&s, maybe_numeric_date);
            let b = s.as_bytes();
            let mut got = Vec::new();
            let mut last_end = 0;
            for i in 0..b.len() {
                if !matches!(b[i], b'/' | b'.' | b'-') || i < last_end || i == 0
                    || !b[i - 1].is_ascii_digit() || !b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    continue;
                }
                let (rs, re_) = dotted_run(b, i);
                last_end = re_;
                if re_ - rs >= 6 && maybe_numeric_date(&b[rs..re_]) {
                    got.push(window(&s, rs, re_));
                }
            }
            prop_assert_eq!(got, want);
        }

        #[test]
        fn text_date_parts_equal_groups(
            s in "(the )?[0-9]{1,2}(st|nd|rd|th)?( of)?[ \\-](jan|february|sept|sep|september|may|june|jun|dec)\\.?,?[ \\-](19|20)[0-9]{2}|(jan|february|sept|sep|september|may|june|jun|dec)\\.? (the )?[0-9]{1,2}(st|nd|rd|th)?,?[ \\-](19|20)[0-9]{2}"
        ) {
            let re = Regex::new(&date_text_pattern()).unwrap();
            let c = re.captures(&s).unwrap();
            let (d, m) = match (c.get(1), c.get(2), c.get(3), c.get(4)) {
                (Some(d), Some(m), _, _) => (d.as_str(), m.as_str()),
                (_, _, Some(m), Some(d)) => (d.as_str(), m.as_str()),
                _ => unreachable!(),
            };
            let m0 = c.get(0).unwrap();
            let want = (d.parse().unwrap(), month_number(m), c[5].parse().unwrap());
            prop_assert_eq!(text_date_parts(&s.as_bytes()[m0.start()..m0.end()]), want);
        }

        #[test]
        fn digit_runs_from_the_list_equal_the_scan(s in "[0-9 ().+\\-a]{0,40}") {
            let mut runs = Vec::new();
            digit_runs(s.as_bytes(), &mut runs);
            let want: Vec<(usize, usize)> = DigitRuns::new(s.as_bytes()).filter(|m| m.1 - m.0 >= 7).collect();
            let got: Vec<(usize, usize)> = DigitRuns::with_runs(s.as_bytes(), &runs).filter(|m| m.1 - m.0 >= 7).collect();
            prop_assert_eq!(got, want);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]
        #[test]
        fn gated_codes_equal_anchored_regexes(
            s in "(GIR|[A-DG-JMNSTWXYZ]{1,2}|[a-d]|[0-9]{1,5}| |,|-|_|é|SW1A|NY|CA|TX|AB|WA){0,12}"
        ) {
            let h = s.as_bytes();
            for (code, pattern) in [
                (iban_at as fn(&[u8]) -> Option<usize>, IBAN.to_string()),
                (nino_at, NINO.to_string()),
                (uk_pc_at, UK_PC.to_string()),
                (us_zip_at, us_zip_pattern()),
            ] {
                let want = anchored(&pattern).find(&s).map(|m| m.end());
                prop_assert_eq!(code(h), want, "{} on {:?}", pattern, s);
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]
        #[test]
        fn emails_equal_the_regex(s in "([a-c0-9]{1,3}|[._%+@-]|@|\\.co|\\.uk|[A-Z]|x{20,26}| |é){0,16}") {
            let want: Vec<(usize, usize)> = Regex::new(EMAIL).unwrap().find_iter(&s).map(|m| (m.start(), m.end())).collect();
            let mut out = Vec::new();
            pats().0.emails(&s, &mut out);
            let got: Vec<(usize, usize)> = out.iter().map(|c| (c.bs, c.be)).collect();
            prop_assert_eq!(got, want, "{:?}", s);
        }
    }

    #[test]
    fn states_are_the_pattern_states() {
        for st in US_STATES.split('|') {
            assert!(is_state(st.as_bytes()), "{st}");
        }
        assert!(!is_state(b"XX") && !is_state(b"ca"));
    }

    #[test]
    fn street_words_are_the_suffixes() {
        let words: Vec<&str> = STREET_SUFFIX.split('|').collect();
        for w in &words {
            assert!(is_street_word(w.as_bytes()), "{w}");
        }
        for w in ["street", "STREET", "Streets", "S", "", "Cottage", "Saint"] {
            assert!(!is_street_word(w.as_bytes()), "{w}");
        }
    }

    fn by_regex(s: &str) -> Vec<(usize, usize)> {
        Regex::new(DIGIT_RUN)
            .unwrap()
            .find_iter(s)
            .map(|m| (m.start(), m.end()))
            .collect()
    }

    #[test]
    fn digit_runs_match_the_regex() {
        for s in [
            "+44 (0)7700 900123",
            "(020) 7946 0958, 555-123-4567 or +1 (555) 123-4567.",
            "(123456) 7 + 5 +( 3 (12)(34) 5 ( 1) 9. 9 -",
            "tel:07912345678;x1.2.3.4 ) 5 )5 ) a",
            "",
            "+",
            "(",
            "9",
        ] {
            assert_eq!(
                DigitRuns::new(s.as_bytes()).collect::<Vec<_>>(),
                by_regex(s),
                "{s:?}"
            );
        }
    }

    #[test]
    fn next_digit_finds_the_first_digit() {
        let s = "abcdefghijklmnopé/:.,;@@@@@@@@@@@@@@@@@@@@@@@7 x9";
        for from in 0..s.len() {
            let want = s.as_bytes()[from..]
                .iter()
                .position(u8::is_ascii_digit)
                .map(|k| from + k);
            assert_eq!(next_digit(s.as_bytes(), from), want);
        }
        let all: Vec<u8> = (0..=255u8).collect();
        for from in 0..all.len() {
            assert_eq!(next_digit(&all, from), (from <= 57).then(|| from.max(48)));
        }
    }

    fn gates_of(s: &str) -> Vec<usize> {
        let mut runs = Vec::new();
        digit_runs(s.as_bytes(), &mut runs);
        let mut v = Vec::new();
        caps_gates(s.as_bytes(), &runs, &mut v);
        v
    }

    #[test]
    fn caps_gates_match_the_regex() {
        let re = Regex::new(CAPS_GATE).unwrap();
        for s in [
            "AB1 A1 ABC1 A, 1 A ,1 A B1 _A1 é A1 SW1A 1AA, NY 10001 GB82 WEST",
            "A",
            "",
            "AB,",
        ] {
            let want: Vec<usize> = re.find_iter(s).map(|m| m.start()).collect();
            assert_eq!(gates_of(s), want, "{s:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]
        #[test]
        fn caps_gates_equal_regex(s in "[A-Ca-b0-9 ,_é]{0,30}") {
            let want: Vec<usize> = Regex::new(CAPS_GATE).unwrap().find_iter(&s).map(|m| m.start()).collect();
            prop_assert_eq!(gates_of(&s), want);
        }

        #[test]
        fn digit_runs_equal_regex(s in "[0-9 ().+\\-a]{0,40}") {
            prop_assert_eq!(DigitRuns::new(s.as_bytes()).collect::<Vec<_>>(), by_regex(&s));
        }
    }

    /// The candidates of the pattern detectors on `text` of type `ty` with a
    /// score of at least 0.5, as text.
    fn found(text: &str, ty: EntityType) -> Vec<String> {
        let (new, _) = pats();
        let doc = Doc {
            text,
            lower: text.to_ascii_lowercase(),
        };
        let cfg = DetectorConfig::default();
        let dates = new.all_dates(&doc, cfg.max_birth_year);
        let mut out = Vec::new();
        new.run(&doc, &cfg, &dates, &mut out);
        out.iter()
            .filter(|c| c.ty == ty && c.score >= 0.5)
            .map(|c| text[c.bs..c.be].to_string())
            .collect()
    }

    fn check(ty: EntityType, cases: &[(&str, &[&str])]) {
        for (text, want) in cases {
            let mut got = found(text, ty);
            got.dedup();
            assert_eq!(&got, want, "{ty:?} in {text:?}");
        }
    }

    #[test]
    fn phones_outside_the_allocated_plan() {
        check(
            EntityType::PhoneNumber,
            &[
                // Ofcom drama ranges and NANP 555-01xx, with or without a cue.
                ("mob upd to 07700 900461.", &["07700 900461"]),
                ("ring me on 07700900123 after 6", &["07700900123"]),
                ("it's 0044 7700 900 987", &["0044 7700 900 987"]),
                ("mobile +44 (0)7700 900 222", &["+44 (0)7700 900 222"]),
                ("landline (020) 7946 0555", &["(020) 7946 0555"]),
                ("Leeds office 0113 496 0123", &["0113 496 0123"]),
                ("Belfast 028 9649 6123", &["028 9649 6123"]),
                ("+447700900456 / card", &["+447700900456"]),
                ("Tucson office 520-555-0123", &["520-555-0123"]),
                ("his cell is 555-0163.", &["555-0163"]),
                // A phone cue makes an unallocated UK or US number a phone.
                ("Mobile: +44 7911 555 010", &["+44 7911 555 010"]),
                // A whole-word callback cue beats an earlier ticket number.
                (
                    "Ticket #INC-448201. Cb (415) 555-0142.",
                    &["(415) 555-0142"],
                ),
                // No cue and not a fiction range: not a phone.
                ("ref 07911 555010 noted", &[]),
                ("order 07700 900461 shipped", &[]),
                ("iphone 07911 555 010", &[]),
                // 555 numbers outside 0100-0199 are not fiction.
                ("local 555-0263 only", &[]),
                // An IBAN in groups is no phone.
                ("iban GB 13 BARC 2003 8012 3456 78", &[]),
                // Nor is a log or chat timestamp (2026112019 would be a valid
                // Washington DC number).
                ("[2026-11-20 19:02:14] Customer: hi", &[]),
                ("exported 2026-11-23 08:00 CT", &[]),
                // An impossible date is no timestamp: the number stays a phone.
                ("Tel 2026-13-20 19", &["2026-13-20 19"]),
            ],
        );
    }

    #[test]
    fn loose_ibans_and_ninos() {
        check(
            EntityType::IbanCode,
            &[
                (
                    "my iban is gb26midl40051512345674 lol",
                    &["gb26midl40051512345674"],
                ),
                (
                    "iban GB 13 BARC 2003 8012 3456 78",
                    &["GB 13 BARC 2003 8012 3456 78"],
                ),
                (
                    "gb82 west 1234 5698 7654 32",
                    &["gb82 west 1234 5698 7654 32"],
                ),
                // Bad checksum, unknown country, too short.
                ("gb26midl40051512345675", &[]),
                ("zz26midl40051512345674", &[]),
                ("at 10:30 tomorrow", &[]),
            ],
        );
        check(
            EntityType::UkNino,
            &[
                (
                    "NINO chk: cust read ce 40 21 77 b (lower)",
                    &["ce 40 21 77 b"],
                ),
                ("ni number ab123456c", &["ab123456c"]),
                // Without a cue a lower-case NINO is too weak; bad prefix or suffix.
                ("we read ce 40 21 77 b", &[]),
                ("nino qq 12 34 56 a", &[]),
                ("nino ce 40 21 77 e", &[]),
            ],
        );
    }

    #[test]
    fn versions_are_not_ip_addresses() {
        check(
            EntityType::IpAddress,
            &[
                ("Ver 10.2.3.4 rollback done", &[]),
                ("router is on software 7.1.2.3 which is fine", &[]),
                ("firmware v 4.1.2.9 installed", &[]),
                ("my ip is 86.145.22.9", &["86.145.22.9"]),
                // A version word before an IP cue does not veto.
                ("after the upgrade my ip is 81.2.69.160", &["81.2.69.160"]),
                ("server 10.20.30.40 rebooted", &["10.20.30.40"]),
            ],
        );
    }

    #[test]
    fn dates_of_birth_from_birth_cues() {
        check(
            EntityType::DateOfBirth,
            &[
                ("my mum (b. 03/08/1941), who lives", &["03/08/1941"]),
                ("Margaret Ellis b. 1941 lives", &["1941"]),
                ("DOB 1966 only (yr).", &["1966"]),
                ("Fecha de nacimiento: 23/05/1987", &["23/05/1987"]),
                ("date de naissance 23/05/1987", &["23/05/1987"]),
                ("Geburtsdatum 23.05.1987", &["23.05.1987"]),
                ("cust bday 12/03/1979", &["12/03/1979"]),
                (
                    "His DOB is March 12th, 1958; mine September 30th, 1961.",
                    &["March 12th, 1958", "September 30th, 1961"],
                ),
                (
                    "agent: and date of birth\ncaller: ninth of may eighty three\n",
                    &["ninth of may eighty three"],
                ),
                (
                    "agent: date of birth?\ncaller: july fourth nineteen ninety",
                    &["july fourth nineteen ninety"],
                ),
                (
                    "What's your date of birth?\nCust: 1st of april 95\nAgent: renewal is 1st April 2025",
                    &["1st of april 95"],
                ),
                // The cue belongs to its own date: a delivery date after it is not a birth date.
                ("DOB 12/03/1958, delivered 14/03/1961", &["12/03/1958"]),
                ("date of birth ok. the order was placed on the 3rd of march 99", &[]),
                ("date of birth confirmed, appointment on the ninth of may twenty twenty six", &[]),
                // No cue, or "b." glued to a word ("plan b. 1941" is a known limit).
                ("ninth of may eighty three", &[]),
                ("plan b. 1941 edition", &["1941"]),
                ("web. 1941", &[]),
                ("born 2031", &[]),
            ],
        );
    }

    #[test]
    fn loose_dates_take_no_long_numbers_for_years() {
        // Once overflowed reading "1984378282246310005" as a year.
        assert!(found("dob 12 March 1984378282246310005 ", EntityType::DateOfBirth).is_empty());
        assert!(found("born 3rd of may 123456789012", EntityType::DateOfBirth).is_empty());
    }

    #[test]
    fn addresses_before_postcodes() {
        check(
            EntityType::StreetAddress,
            &[
                (
                    "Write to PO Box 4471, Tucson, AZ 85717 please",
                    &["PO Box 4471, Tucson, AZ 85717"],
                ),
                (
                    "address: The Old Rectory, Church Lane, Little Milton, Oxford OX44 7PU",
                    &["The Old Rectory, Church Lane, Little Milton, Oxford OX44 7PU"],
                ),
                (
                    "we moved to Rose Hill, Dorking RH4 2EB last year",
                    &["Rose Hill, Dorking RH4 2EB"],
                ),
                (
                    "X / 42A Kingsway, Hove BN3 4GR / Y",
                    &["42A Kingsway, Hove BN3 4GR"],
                ),
                // Names and greetings are no address parts.
                ("Thanks, Sarah, London SW1A 1AA", &[]),
                ("Hi John Smith, Manchester M1 1AE", &[]),
                // The address starts at the house number, in any case.
                (
                    "I LIVE AT 33 ORCHARD WAY, CROYDON CR0 7LT. OK",
                    &["33 ORCHARD WAY, CROYDON CR0 7LT"],
                ),
                (
                    "for a Mr Dunn of 17 Mount Pleasant, Bath BA2 4PJ and",
                    &["17 Mount Pleasant, Bath BA2 4PJ"],
                ),
                // A house name ending with its number.
                (
                    "both for Croft 4, Achmore, Isle of Lewis HS2 9DU.",
                    &["Croft 4, Achmore, Isle of Lewis HS2 9DU"],
                ),
                (
                    "Acme Ltd\nP.O. Box 650123, Dallas, TX 75265\n",
                    &["P.O. Box 650123, Dallas, TX 75265"],
                ),
                // A US town, a comma and a state + ZIP.
                (
                    "City/State/ZIP: Santa Fe, NM 87501",
                    &["Santa Fe, NM 87501"],
                ),
                ("Austin, TX 78788", &["Austin, TX 78788"]),
                // Irish place names and Eircodes.
                (
                    "my address is 12 Bóthar na Trá, Salthill, Galway H91 T2YR thanks",
                    &["12 Bóthar na Trá, Salthill, Galway H91 T2YR"],
                ),
                // A number that is not followed by a street is no house number.
                ("Ticket 4471 raised, London SW1A 1AA", &[]),
            ],
        );
        check(
            EntityType::Postcode,
            &[
                ("Verified, zip 30307. Order", &["30307"]),
                ("zip code: 94607-1234 ok", &["94607-1234"]),
                ("San Diego\nCA 92170", &["CA 92170"]),
                // Irish Eircodes: a routing key and four characters.
                ("Eircode D08 XY41 ok", &["D08 XY41"]),
                ("eircode: A65F4E2.", &["A65F4E2"]),
                ("Dublin 6W: D6W 1234", &[]),
                ("Dublin D6W H2K9", &["D6W H2K9"]),
                // Not a routing key, no letter, or part of a longer code.
                ("ref Z99 XY41", &[]),
                ("Dublin D31 XY41", &[]),
                ("unit D08 1234", &[]),
                ("SKU-D08XY41", &[]),
                ("D08 XY412", &[]),
                // A state + ZIP needs a town or comma before it and nothing glued after.
                ("Rx ID 55120-334.", &[]),
                ("unzip 30307 files", &[]),
                ("zip 303071", &[]),
            ],
        );
    }
}
