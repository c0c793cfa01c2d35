//! The pattern detectors as they were before the single-pass rewrite of
//! `patterns.rs` (each regex over the whole text): the reference the tests
//! compare the detectors with, on generated documents.
#![allow(dead_code)]

use crate::{validate, Cand, DetectorConfig, Doc, EntityType};
use regex::Regex;

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

fn rfind_small(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    let first = needle[0];
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| hay[i] == first && &hay[i..i + needle.len()] == needle)
}

/// The closest (last) of `words` in the `window` bytes before `bs`, with its position.
pub(crate) fn ctx_nearest(
    lower: &str,
    bs: usize,
    window: usize,
    words: &[&'static str],
) -> Option<(usize, &'static str)> {
    let mut from = bs.saturating_sub(window);
    while !lower.is_char_boundary(from) {
        from += 1;
    }
    let hay = &lower.as_bytes()[from..bs];
    words
        .iter()
        .filter_map(|w| rfind_small(hay, w.as_bytes()).map(|p| (from + p, *w)))
        .max_by_key(|(p, _)| *p)
}

/// Looks for any of `words` in the `window` bytes after `be`.
pub(crate) fn ctx_after(
    lower: &str,
    be: usize,
    window: usize,
    words: &[&'static str],
) -> Option<&'static str> {
    let mut to = (be + window).min(lower.len());
    while !lower.is_char_boundary(to) {
        to -= 1;
    }
    let hay = &lower.as_bytes()[be..to];
    words
        .iter()
        .copied()
        .find(|w| find_small(hay, w.as_bytes()).is_some())
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

const US_STATES: &str = "AL|AK|AZ|AR|CA|CO|CT|DE|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|DC|PR";

pub(crate) struct Patterns {
    email: Regex,
    ipv4: Regex,
    ipv6: Regex,
    iban: Regex,
    nino: Regex,
    date_num: Regex,
    date_iso: Regex,
    date_short: Regex,
    date_text: Regex,
    uk_pc: Regex,
    us_zip: Regex,
    street: Regex,
    /// The street words alone: a literal set the regex engine finds with SIMD.
    street_word: Regex,
    town: Regex,
    house: Regex,
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
            email: re(
                r"(?i-u)[a-z0-9](?:[a-z0-9._%+\-]*[a-z0-9_])?@[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)*\.[a-z]{2,24}",
            ),
            ipv4: re(r"(?-u)(?:[0-9]{1,3}\.){3}[0-9]{1,3}"),
            ipv6: re(r"(?i-u)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}"),
            iban: re(r"(?-u)\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,32}"),
            nino: re(r"(?i-u)\b[a-z]{2} ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[a-d]\b"),
            date_num: re(r"(?-u)\b([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]((?:19|20)[0-9]{2})\b"),
            date_short: re(r"(?-u)\b([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{2})\b"),
            date_iso: re(r"(?-u)\b((?:19|20)[0-9]{2})[\-/.]([0-9]{1,2})[\-/.]([0-9]{1,2})\b"),
            date_text: re(&format!(
                r"(?i-u)\b(?:(?:the )?([0-9]{{1,2}})(?:st|nd|rd|th)?(?: of)?[ \-]({MONTHS})\.?,?|({MONTHS})\.? (?:the )?([0-9]{{1,2}})(?:st|nd|rd|th)?,?)[ \-]((?:19|20)[0-9]{{2}})\b"
            )),
            uk_pc: re(r"(?-u)\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR) ?[0-9][ABD-HJLNP-UW-Z]{2}\b"),
            us_zip: re(&format!(
                r"(?-u)\b(?:{US_STATES}),? [0-9]{{5}}(?:-[0-9]{{4}})?\b"
            )),
            street_word: re(&format!(r"(?-u)\b(?:{STREET_SUFFIX})\b")),
            street: re(&format!(
                r"(?-u:\b)(?:(?:Flat|Apartment|Apt|Unit) [0-9]+[A-Za-z]?,?[ \n])?[0-9]{{1,5}}[A-Za-z]?,? (?:[\p{{Lu}}][\p{{L}}'’\-]*\.? |(?:St|Saint)\.? ){{1,3}}(?:{STREET_SUFFIX})\.?(?-u:\b)(?: (?:NE|NW|SE|SW|N|S|E|W)(?-u:\b))?(?:,? (?:Apt|Apartment|Unit|Suite|Flat|#) ?[0-9]+[A-Za-z]?(?-u:\b))?"
            )),
            town: re(
                r"^(?:,? ?\n|, | )([\p{Lu}][\p{L}'’\-]+(?: (?:upon|on|under|in|le|en|de) [\p{Lu}][\p{L}'’\-]+| [\p{Lu}][\p{L}'’\-]+){0,2})",
            ),
            house: re(&format!(
                r"^(?:(?:Flat|Apartment|Apt|Unit) [0-9]+[A-Za-z]?|[0-9]{{1,5}}[A-Za-z]? (?:[\p{{Lu}}][\p{{L}}'’\-]*\.? ){{1,3}}(?:{STREET_SUFFIX})\.?(?: (?:Apt|Unit|Suite|#) ?[0-9]+[A-Za-z]?)?|(?:[\p{{Lu}}][\p{{L}}'’\-]* ){{1,2}}(?:Cottage|House|Farm|Lodge|Barn|Hall|Manor|Villa|Mill|Court|{STREET_SUFFIX}))$"
            )),
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

    pub fn run(&self, doc: &Doc<'_>, cfg: &DetectorConfig, dates: &[DateHit], out: &mut Vec<Cand>) {
        let text = doc.text;
        let bytes = text.as_bytes();
        let has_at = memchr::memchr(b'@', bytes).is_some();
        if has_at {
            for m in self.email.find_iter(text) {
                out.push(Cand::new(
                    m.start(),
                    m.end(),
                    EntityType::EmailAddress,
                    0.99,
                    "e-mail address pattern",
                ));
            }
        }
        dobs(doc, cfg, dates, out);
        super::cued_dobs(doc, cfg, dates, out);
        // Everything else needs a digit.
        if !bytes.iter().any(u8::is_ascii_digit) {
            return;
        }
        self.ips(doc, out);
        let gates = caps_gates(bytes);
        self.ibans(doc, &gates, out);
        let mut runs = Vec::new();
        super::digit_runs(bytes, &mut runs);
        let marks = super::RunMarks::new(bytes, &runs);
        super::loose_ibans(bytes, &marks, out);
        self.numbers(doc, out);
        self.ninos(doc, &gates, out);
        super::loose_ninos(doc, &marks, NINO_POS, out);
        super::born_years(doc, cfg, dates, &marks, out);
        self.addresses(doc, &gates, out);
        super::address_extras(doc, &gates, &marks, out);
    }

    fn ips(&self, doc: &Doc<'_>, out: &mut Vec<Cand>) {
        let text = doc.text;
        let b = text.as_bytes();
        // Dotted quads lie inside runs of digits and `/ . -`.
        for (off, w) in runs_of_digits(text, maybe_ipv4) {
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
                if let Some(w) = ctx_before(&doc.lower, s, 12, IP_NEG)
                    .or_else(|| super::version_before(&doc.lower, s, IP_POS))
                {
                    c.score -= 0.5;
                    c.cue = Some(w);
                } else if let Some(w) = ctx_before(&doc.lower, s, 40, IP_POS) {
                    c.score += 0.1;
                    c.cue = Some(w);
                }
                out.push(c);
            }
        }
        if maybe_ipv6(b) {
            for m in self.ipv6.find_iter(text) {
                let (s, e) = (m.start(), m.end());
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

    /// Matches of `re` that start exactly at one of the gate positions.
    fn gated<'t>(re: &Regex, text: &'t str, gates: &[usize]) -> Vec<regex::Match<'t>> {
        let mut v = Vec::new();
        for &p in gates {
            let mut end = (p + 64).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            // Extend to the end of the current word so `\b` is not faked by the cut.
            while end < text.len() && text.as_bytes()[end].is_ascii_alphanumeric() {
                end += 1;
            }
            if let Some(m) = re.find_at(&text[..end], p) {
                if m.start() == p {
                    v.push(m);
                }
            }
        }
        v
    }

    fn ibans(&self, doc: &Doc<'_>, gates: &[usize], out: &mut Vec<Cand>) {
        let text = doc.text;
        for m in Self::gated(&self.iban, text, gates) {
            let s = m.start();
            let mut compact = Vec::with_capacity(34);
            let mut ends = Vec::with_capacity(34);
            for (i, ch) in m.as_str().bytes().enumerate() {
                if ch != b' ' {
                    compact.push(ch);
                    ends.push(s + i + 1);
                }
            }
            let Some(len) = validate::iban_length(&compact[..2]) else {
                continue;
            };
            if compact.len() < len {
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

    fn numbers(&self, doc: &Doc<'_>, out: &mut Vec<Cand>) {
        let text = doc.text;
        let b = text.as_bytes();
        for (s, e) in DigitRuns::new(b) {
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
        let nd = span.bytes().filter(u8::is_ascii_digit).count();
        let lower = &doc.lower;
        // A negative cue ("order", "case") counts unless a positive one is closer.
        // Computed only once a validator has accepted the number.
        let neg = || {
            ctx_nearest(lower, s, 30, NUM_NEG)
                .filter(|(np, _)| {
                    let pos = ctx_nearest(lower, s, 30, PHONE_POS)
                        .map(|x| x.0)
                        .max(ctx_nearest(lower, s, 30, CARD_POS).map(|x| x.0))
                        .max(super::phone_cue_before(lower, s, 30).map(|x| x.0));
                    pos.is_none_or(|p| p < *np)
                })
                .map(|x| x.1)
        };
        let phone_like = span.starts_with('+') || span.contains('(');
        if (13..=19).contains(&nd) && !phone_like && validate::credit_card(span) {
            let mut c = Cand::new(
                s,
                e,
                EntityType::CreditCard,
                0.9,
                "card number with valid Luhn check digit and issuer prefix",
            );
            if let Some(w) = ctx_before(lower, s, 60, CARD_POS) {
                c.score = 1.0;
                c.cue = Some(w);
            } else if let Some(w) = neg() {
                c.score -= 0.4;
                c.cue = Some(w);
            }
            return Some(c);
        }
        if nd == 9 && !span.starts_with('+') && !span.starts_with('(') {
            let seps: Vec<u8> = span.bytes().filter(|c| !c.is_ascii_digit()).collect();
            let shape_ok = match seps.as_slice() {
                [] => true,
                [a, b2] => {
                    a == b2
                        && (*a == b'-' || *a == b' ')
                        && ngroups == 3
                        && span.as_bytes()[3] == *a
                        && span.as_bytes()[6] == *a
                }
                _ => false,
            };
            if shape_ok && validate::ssn(span) {
                let base = match seps.first() {
                    Some(b'-') => 0.8,
                    Some(_) => 0.55,
                    None => 0.3,
                };
                let mut c = Cand::new(
                    s,
                    e,
                    EntityType::UsSsn,
                    base,
                    "SSN with valid area, group and serial",
                );
                if let Some(w) = ctx_before(lower, s, 80, SSN_POS) {
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
                } else if let Some(w) = ctx_before(lower, s, 50, PHONE_POS) {
                    c.score += 0.1;
                    c.cue = Some(w);
                }
                return Some(c);
            }
            return super::unlisted_phone(lower, s, e, span, neg());
        }
        if nd == 7 {
            return super::fictional_local_phone(s, e, span).filter(|_| neg().is_none());
        }
        None
    }

    fn ninos(&self, doc: &Doc<'_>, gates: &[usize], out: &mut Vec<Cand>) {
        for m in Self::gated(&self.nino, doc.text, gates) {
            let st = m.as_str();
            if !validate::nino(st) {
                continue;
            }
            let upper = !st.bytes().any(|c| c.is_ascii_lowercase());
            let mut c = Cand::new(
                m.start(),
                m.end(),
                EntityType::UkNino,
                if upper { 0.85 } else { 0.45 },
                "NINO with valid prefix and suffix",
            );
            if let Some(w) = ctx_before(&doc.lower, m.start(), 80, NINO_POS) {
                c.score += 0.15;
                c.cue = Some(w);
            }
            out.push(c);
        }
    }

    /// Every date written in the text with its possible (year, month, day) readings.
    /// `max_birth_year` resolves two-digit years ("12/03/84").
    pub fn all_dates<'a>(&'a self, doc: &Doc<'_>, max_birth_year: u32) -> Vec<DateHit> {
        let mut v = Vec::new();
        let text = doc.text;
        // Written dates need a year in digits, spoken ones a year in words
        // ("nineteen", "twenty", "two thousand"); both need a month name.
        let written = maybe_year(text.as_bytes());
        let lb = doc.lower.as_bytes();
        let year_words = memchr::memmem::find(lb, b"nineteen").is_some()
            || memchr::memmem::find(lb, b"twenty").is_some()
            || memchr::memmem::find(lb, b"thousand").is_some();
        let months = (written || year_words) && has_month_word(&doc.lower);
        if !months && !text.as_bytes().iter().any(u8::is_ascii_digit) {
            return v;
        }
        let num = |s: &str| s.parse::<u32>().unwrap_or(0);
        // Numeric dates lie inside runs of digits and `/ . -`: the patterns
        // run only on the runs that have a date's shape.
        let windows = numeric_windows(text);
        let each = |re: &'a Regex| {
            windows
                .iter()
                .flat_map(move |&(off, w)| re.captures_iter(w).map(move |c| (off, c)))
        };
        for (off, c) in each(&self.date_num) {
            let (a, b2, y) = (num(&c[1]), num(&c[2]), num(&c[3]));
            let m0 = c
                .get(0)
                .map(|m| (off + m.start(), off + m.end()))
                .unwrap_or((0, 0));
            let mut r = Vec::new();
            if validate::date(y, b2, a) {
                r.push((y, b2, a));
            }
            if validate::date(y, a, b2) && a != b2 {
                r.push((y, a, b2));
            }
            if !r.is_empty() {
                v.push((m0.0, m0.1, r));
            }
        }
        for (off, c) in each(&self.date_short) {
            let (a, b2, yy) = (num(&c[1]), num(&c[2]), num(&c[3]));
            let y = if 2000 + yy <= max_birth_year {
                2000 + yy
            } else {
                1900 + yy
            };
            let m0 = c
                .get(0)
                .map(|m| (off + m.start(), off + m.end()))
                .unwrap_or((0, 0));
            let mut r = Vec::new();
            if validate::date(y, b2, a) {
                r.push((y, b2, a));
            }
            if validate::date(y, a, b2) && a != b2 {
                r.push((y, a, b2));
            }
            if !r.is_empty() {
                v.push((m0.0, m0.1, r));
            }
        }
        for (off, c) in each(&self.date_iso) {
            let (y, m, d) = (num(&c[1]), num(&c[2]), num(&c[3]));
            let m0 = c
                .get(0)
                .map(|m| (off + m.start(), off + m.end()))
                .unwrap_or((0, 0));
            if validate::date(y, m, d) {
                v.push((m0.0, m0.1, vec![(y, m, d)]));
            }
        }
        if months {
            for c in self
                .date_text
                .captures_iter(if written { text } else { "" })
            {
                let (d, mon) = match (c.get(1), c.get(2), c.get(3), c.get(4)) {
                    (Some(d), Some(m), _, _) => (d.as_str(), m.as_str()),
                    (_, _, Some(m), Some(d)) => (d.as_str(), m.as_str()),
                    _ => continue,
                };
                let (d, m, y) = (num(d), month_number(mon), num(&c[5]));
                let m0 = c.get(0).map(|m| (m.start(), m.end())).unwrap_or((0, 0));
                if validate::date(y, m, d) {
                    // "the 3rd of March" keeps "the" outside the span.
                    let mut s = m0.0;
                    if doc.lower[s..].starts_with("the ") {
                        s += 4;
                    }
                    v.push((s, m0.1, vec![(y, m, d)]));
                }
            }
            for c in self
                .spoken_date
                .captures_iter(if year_words { &doc.lower } else { "" })
            {
                let m0 = c.get(0).map(|m| (m.start(), m.end())).unwrap_or((0, 0));
                let d = crate::spoken::ordinal_value(&c[1]);
                let m = month_number(&c[2]);
                let y = crate::spoken::year_value(&c[3]);
                if let (Some(d), Some(y)) = (d, y) {
                    if validate::date(y, m, d) {
                        let mut s = m0.0;
                        if doc.lower[s..].starts_with("the ") {
                            s += 4;
                        }
                        v.push((s, m0.1, vec![(y, m, d)]));
                    }
                }
            }
        }
        v
    }
}

/// A date in the text: byte range and its possible (year, month, day) readings.
pub(crate) type DateHit = (usize, usize, Vec<(u32, u32, u32)>);

fn dobs(doc: &Doc<'_>, cfg: &DetectorConfig, dates: &[DateHit], out: &mut Vec<Cand>) {
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
        if let Some(w) = ctx_before(&doc.lower, s, back, DOB_POS)
            .or_else(|| ctx_after(&doc.lower, e, fwd, DOB_POS))
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
    fn streets(&self, text: &str) -> Vec<(usize, usize)> {
        let b = text.as_bytes();
        let mut found: Vec<(usize, usize)> = Vec::new();
        for w in self.street_word.find_iter(text) {
            if found.iter().any(|f| f.0 <= w.start() && w.end() <= f.1) {
                continue;
            }
            // Start the window after a space or newline so `\b` there is real.
            let mut ws = w.start().saturating_sub(96);
            while ws > 0 && !(b[ws - 1] == b' ' || b[ws - 1] == b'\n') {
                ws -= 1;
            }
            let mut we = (w.end() + 32).min(b.len());
            while !text.is_char_boundary(we) {
                we -= 1;
            }
            while we < b.len() && b[we].is_ascii_alphanumeric() {
                we += 1;
            }
            for m in self.street.find_iter(&text[ws..we]) {
                let (s, e) = (ws + m.start(), ws + m.end());
                if s <= w.start() && w.end() <= e && !found.contains(&(s, e)) {
                    found.push((s, e));
                }
            }
        }
        found.sort_unstable();
        found
    }

    fn addresses(&self, doc: &Doc<'_>, gates: &[usize], out: &mut Vec<Cand>) {
        let text = doc.text;
        let mut codes: Vec<(usize, usize, EntityType)> = Vec::new();
        for m in Self::gated(&self.uk_pc, text, gates) {
            codes.push((m.start(), m.end(), EntityType::Postcode));
        }
        for m in Self::gated(&self.us_zip, text, gates) {
            codes.push((m.start(), m.end(), EntityType::Postcode));
        }
        let mut spans: Vec<(usize, usize, bool)> = Vec::new(); // (start, end, has street)
        for (s, e) in self.streets(text) {
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
}

/// The pattern [`DigitRuns`] implements (kept for the equivalence test).
#[cfg(test)]
pub(crate) const DIGIT_RUN: &str = r"(?-u)(?:\+ ?)?(?:\([0-9]{1,5}\) ?)?[0-9](?:[0-9]|[ .\-][0-9]|\) ?[0-9]| ?\([0-9]{1,5}\) ?[0-9])*";

impl<'a> DigitRuns<'a> {
    pub(crate) fn new(b: &'a [u8]) -> Self {
        DigitRuns { b, pos: 0 }
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
        while self.pos < self.b.len() {
            let k = self.b[self.pos..]
                .iter()
                .position(|&c| c.is_ascii_digit() || c == b'+' || c == b'(')?;
            let p = self.pos + k;
            match self.match_at(p) {
                Some(e) => {
                    self.pos = e;
                    return Some((p, e));
                }
                None => self.pos = p + 1,
            }
        }
        None
    }
}

/// The runs of digits and `/ . -` that hold a numeric date's shape, each with
/// one neighbouring character on either side (so `\b` at its edges is judged
/// as in the whole text): `(offset, slice)`.
fn numeric_windows(text: &str) -> Vec<(usize, &str)> {
    runs_of_digits(text, maybe_numeric_date)
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
        let ge0 = x.wrapping_add(0x5050_5050_5050_5050);
        let ge_colon = x.wrapping_add(0x4646_4646_4646_4646);
        if ge0 & !ge_colon & !w & HI != 0 {
            break;
        }
        i += 8;
    }
    b[i..].iter().position(u8::is_ascii_digit).map(|k| i + k)
}

/// The runs of digits and `/ . -` for which `keep` holds, each with one
/// neighbouring character on either side: `(offset, slice)`.
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
/// The starts of the matches of [`CAPS_GATE`], found by hand.
fn caps_gates(b: &[u8]) -> Vec<usize> {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut v = Vec::new();
    let mut i = 0;
    while let Some(k) = b[i..].iter().position(u8::is_ascii_uppercase) {
        let p = i + k;
        i = p + 1;
        if p > 0 && word(b[p - 1]) {
            continue;
        }
        let mut j = if b.get(p + 1).is_some_and(u8::is_ascii_uppercase) {
            p + 2
        } else {
            p + 1
        };
        if b.get(j) == Some(&b',') {
            j += 1;
        }
        if b.get(j) == Some(&b' ') {
            j += 1;
        }
        if b.get(j).is_some_and(u8::is_ascii_digit) {
            v.push(p);
        }
    }
    v
}

/// The pattern [`caps_gates`] implements (kept for the equivalence test).
#[cfg(test)]
const CAPS_GATE: &str = r"(?-u)\b[A-Z]{1,2},? ?[0-9]";

/// Is there a `.` with a digit on both sides at least three times (every
/// dotted-quad IPv4 address has that)?
fn maybe_ipv4(b: &[u8]) -> bool {
    let mut n = 0;
    for i in memchr::memchr_iter(b'.', b) {
        if i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            n += 1;
            if n >= 3 {
                return true;
            }
        }
    }
    false
}

/// Two colons with at most four hex digits between them (every IPv6 address
/// has that; "Agent: ... Customer:" lines do not).
fn maybe_ipv6(b: &[u8]) -> bool {
    memchr::memchr_iter(b':', b).any(|i| {
        let mut j = i + 1;
        while j < b.len() && j - i - 1 < 4 && b[j].is_ascii_hexdigit() {
            j += 1;
        }
        b.get(j) == Some(&b':')
    })
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

/// `19` or `20` followed by two more digits: every written year the date
/// patterns accept.
fn maybe_year(b: &[u8]) -> bool {
    b.windows(4)
        .any(|w| matches!(&w[..2], b"19" | b"20") && w[2].is_ascii_digit() && w[3].is_ascii_digit())
}

fn glue_only(s: &str) -> bool {
    s.len() <= 3 && s.bytes().all(|b| matches!(b, b' ' | b',' | b'\n'))
}

/// One SIMD multi-pattern pass for the month abbreviations, built once.
fn has_month_word(lower: &str) -> bool {
    static MONTHS_AC: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>> =
        std::sync::OnceLock::new();
    MONTHS_AC
        .get_or_init(|| {
            aho_corasick::AhoCorasick::new([
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
            ])
            .ok()
        })
        .as_ref()
        .is_none_or(|ac| ac.is_match(lower))
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
    let mut digits: String = s.chars().filter(char::is_ascii_digit).collect();
    let mut intl = s.trim_start().starts_with('+');
    // "0044 7912 345678": the international call prefix written out.
    if !intl && digits.starts_with("00") && !digits.starts_with("000") && digits.len() >= 12 {
        digits.drain(..2);
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
        return (nd == 10 && au_grouping(s) && region_valid("AU", &digits[1..]))
            .then_some("Australian phone number (libphonenumber metadata)");
    }
    if nd == 11 && digits.starts_with('1') {
        return region_valid("US", &digits[1..])
            .then_some("US phone number (libphonenumber metadata)");
    }
    if nd == 10 {
        return region_valid("US", &digits).then_some("US phone number (libphonenumber metadata)");
    }
    None
}

use super::{au_grouping, region_valid};

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
    if super::starts_with_iso_date(t.as_bytes()) {
        return false;
    }
    let d: Vec<u8> = t.bytes().filter(u8::is_ascii_digit).take(5).collect();
    if d.len() < 5 {
        return false;
    }
    // North American numbering plan: area code and exchange start with 2-9.
    let nanp = |a: &[u8]| matches!(a[0], b'2'..=b'9') && matches!(a[3], b'2'..=b'9');
    match d[0] {
        // UK national: 01, 02, 03, 05, 07, 08, 09.
        b'0' => {
            (nd == 10 || nd == 11) && matches!(d[1], b'1' | b'2' | b'3' | b'5' | b'7' | b'8' | b'9')
                || nd == 10 && d[1] == b'4'
        }
        b'1' => nd == 11 && nanp(&d[1..]),
        b'2'..=b'9' => nd == 10 && nanp(&d),
        _ => false,
    }
}
