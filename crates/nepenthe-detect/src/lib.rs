//! Free-text PII detection and redaction for contact-centre text: chat
//! transcripts, e-mails, call transcripts (clean and speech-to-text), notes.
//!
//! The crate does no I/O. Build one [`Detector`] (it compiles its patterns and
//! loads its name gazetteers once), share it across threads, and call
//! [`Detector::detect`] per document, optionally with the document's
//! [`KnownContact`]. [`redact()`] turns spans into redacted text, and [`wire`]
//! holds the JSON types the CLI (`nepenthe scan`) and the HTTP route
//! (`POST /api/v1/scan`) share.
//!
//! # Layout
//! - [`entity`]: the entity types and type sets.
//! - [`validate`]: checksums and structural rules (Luhn, mod-97, NINO, SSN, dates).
//! - `patterns`: pattern detectors for e-mails, numbers, IBANs, IPs, dates, addresses.
//! - `names`: person names from gazetteers plus capitalisation and context cues.
//! - `spoken`: speech-to-text forms ("oh seven seven double oh ...", "jane dot doe at
//!   gmail dot com", "the third of march nineteen eighty four").
//! - [`contact`]: the known contact (UCS-style keys).
//! - `known`: the contact's values found in the text (any case, phone numbers and
//!   postcodes with or without spaces, first or last name alone, dates of birth in
//!   any form) tried at token starts, and other detectors' spans flagged as the
//!   contact's own.
//! - [`redact`](mod@redact): replace, mask, keyed hash and per-document pseudonyms.
//! - [`wire`]: serde types for JSONL/HTTP in and out.
//!
//! # How a document is scanned (and why it is fast)
//! No detector runs a regular expression over the whole text. Each one first
//! finds *candidate positions* cheaply — runs of digits (one scan feeds phone,
//! card, SSN, IP, date and postcode detectors), `@` signs, capital-plus-digit
//! gates, street words after house numbers, month names next to years, token
//! starts — and runs its validator or an anchored regex only there. Words are
//! tokenized once (64-byte blocks classified into bit masks) and the tokens
//! are shared by the name, speech-to-text and known-contact passes; gazetteer
//! lookups probe one 8-byte slot. Every hand-written matcher is checked
//! against the regex or the implementation it replaced by randomized tests
//! (`patterns_reference.rs` and the reference modules in the unit tests).
//!
//! # Invariants
//! - Every [`Span`] starts and ends on a character boundary; `start`/`end` count
//!   Unicode code points, `bstart`/`bend` count UTF-8 bytes, ends exclusive.
//! - Spans returned by one call never overlap and are sorted by position.
//! - Nothing here logs, and no error message contains scanned text.
//!
//! # Scoring
//! Every detector proposes candidates with a score; validators (Luhn, mod-97,
//! NINO and SSN rules, libphonenumber metadata, calendar dates) decide whether a
//! candidate exists at all, and context words move the score ("card", "DOB",
//! "born" up; "order", "case", "ticket", "version" down). Overlaps go to the
//! higher score, then the longer span. [`wire::DEFAULT_MIN_SCORE`] (0.5) is the
//! reporting threshold of [`Detector::detect`]; a date with a plausible birth
//! year but no birth cue, or a name that is also a common word without a cue,
//! score below it and show up only with a lower `min_score`.
//!
//! # Example
//! ```
//! use nepenthe_detect::{redact, Detector, EntityType, KnownContact, RedactOperator};
//!
//! let detector = Detector::new();
//! let contact: KnownContact = serde_json::from_str(r#"{"FirstName": "Zoë", "LastName": "Kowalski"}"#).unwrap();
//! let text = "Customer: it's zoë kowalski, card 4111 1111 1111 1111";
//! let spans = detector.detect(text, Some(&contact));
//! assert_eq!(spans[0].entity_type, EntityType::Person);
//! assert_eq!((spans[0].start, spans[0].end), (15, 27));
//! assert_eq!(redact(text, &spans, &RedactOperator::Replace), "Customer: it's <PERSON>, card <CREDIT_CARD>");
//! ```

pub mod contact;
pub mod entity;
mod known;
mod names;
mod names_cues;
mod patterns;
pub mod redact;
mod spoken;
pub mod validate;
pub mod wire;

pub use contact::KnownContact;
pub use entity::{EntitySet, EntityType, UnknownEntityType};
pub use redact::{redact, RedactOperator};

/// One finding in a document.
#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    /// Start, in Unicode code points.
    pub start: usize,
    /// End (exclusive), in Unicode code points.
    pub end: usize,
    /// Start, in UTF-8 bytes (always a char boundary of the input).
    pub bstart: usize,
    /// End (exclusive), in UTF-8 bytes.
    pub bend: usize,
    pub entity_type: EntityType,
    /// Confidence in 0..=1.
    pub score: f32,
    /// Why the span was reported: the detector and the cues that moved its score.
    pub explanation: std::borrow::Cow<'static, str>,
    /// The value is one of the document's known contact's own values (found by
    /// the contact matcher, or equal to a contact value). A data subject's copy
    /// of an interaction keeps these and redacts the rest (GDPR Art. 15(4)).
    pub known_contact: bool,
}

/// A candidate before overlap resolution: byte offsets, a score and its reasons.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cand {
    pub bs: usize,
    pub be: usize,
    pub ty: EntityType,
    pub score: f32,
    pub why: &'static str,
    pub cue: Option<&'static str>,
    pub known: bool,
}

impl Cand {
    pub fn new(bs: usize, be: usize, ty: EntityType, score: f32, why: &'static str) -> Self {
        Cand {
            bs,
            be,
            ty,
            score,
            why,
            cue: None,
            known: false,
        }
    }
}

/// Settings fixed when the detector is built.
#[derive(Clone, Debug)]
pub struct DetectorConfig {
    /// Dates in a later year are never reported as dates of birth (people
    /// calling a contact centre are adults). Defaults to the current year minus 16.
    pub max_birth_year: u32,
    /// Use the first-name and surname gazetteers for names the document's
    /// contact does not give.
    pub gazetteer: bool,
    /// Words (compared case-insensitively) that are never reported, e.g. the
    /// organisation's own product or team names.
    pub allow_list: Vec<String>,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let year = 1970 + (secs / 31_556_952) as u32;
        DetectorConfig {
            max_birth_year: year.saturating_sub(16),
            gazetteer: true,
            allow_list: Vec::new(),
        }
    }
}

/// The PII scanner: build once, share across threads.
pub struct Detector {
    cfg: DetectorConfig,
    pats: patterns::Patterns,
    names: names::Names,
    allow: Vec<String>,
}

impl std::fmt::Debug for Detector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Detector")
            .field("cfg", &self.cfg)
            .finish_non_exhaustive()
    }
}

impl Default for Detector {
    fn default() -> Self {
        Detector::new()
    }
}

/// Per-document inputs shared by the detectors.
pub(crate) struct Doc<'a> {
    pub text: &'a str,
    /// `text` with ASCII letters lower-cased: same bytes, same offsets.
    pub lower: String,
}

impl Detector {
    /// A detector with the default configuration.
    pub fn new() -> Self {
        Detector::with_config(DetectorConfig::default())
    }

    pub fn with_config(cfg: DetectorConfig) -> Self {
        let allow = cfg.allow_list.iter().map(|s| s.to_lowercase()).collect();
        Detector {
            pats: patterns::Patterns::new(),
            names: names::Names::load(),
            allow,
            cfg,
        }
    }

    /// Finds every type of PII in `text`. `ctx` is the document's known contact.
    pub fn detect(&self, text: &str, ctx: Option<&KnownContact>) -> Vec<Span> {
        self.detect_filtered(text, ctx, EntitySet::all(), wire::DEFAULT_MIN_SCORE)
    }

    /// Finds the PII of the given types with a score of at least `min_score`.
    pub fn detect_filtered(
        &self,
        text: &str,
        ctx: Option<&KnownContact>,
        types: EntitySet,
        min_score: f32,
    ) -> Vec<Span> {
        self.detect_with(text, ctx, types, min_score, true)
    }

    /// [`Detector::detect_filtered`]; without `explain`, a span's
    /// explanation names its detector only (no context cue), which saves
    /// formatting a string per span when nobody reads it.
    pub(crate) fn detect_with(
        &self,
        text: &str,
        ctx: Option<&KnownContact>,
        types: EntitySet,
        min_score: f32,
        explain: bool,
    ) -> Vec<Span> {
        if text.is_empty() {
            return Vec::new();
        }
        thread_local! {
            /// Buffers kept from one document to the next (no allocation
            /// per document for them).
            static SCRATCH: std::cell::RefCell<Scratch> = Default::default();
        }
        SCRATCH.with(|scratch| {
            let scratch = &mut *scratch.borrow_mut();
            let lower = std::mem::take(&mut scratch.lower);
            self.detect_in(text, ctx, types, min_score, explain, lower, scratch)
        })
    }

    /// [`Detector::detect_with`] with its buffers: `lower` (any content)
    /// becomes the lower-cased text and goes back to `scratch` when it is not
    /// too large to keep.
    #[allow(clippy::too_many_arguments)]
    fn detect_in(
        &self,
        text: &str,
        ctx: Option<&KnownContact>,
        types: EntitySet,
        min_score: f32,
        explain: bool,
        mut lower: String,
        scratch: &mut Scratch,
    ) -> Vec<Span> {
        lower.clear();
        lower.push_str(text);
        lower.make_ascii_lowercase();
        let doc = Doc { text, lower };
        let cands = &mut scratch.cands;
        cands.clear();
        let dates = self.pats.all_dates(&doc, self.cfg.max_birth_year);
        self.pats.run(&doc, &self.cfg, &dates, cands);
        let toks = names::tokenize(text);
        spoken::run(&doc, &toks, &self.pats, &self.cfg, cands);
        self.names.run(&doc, &toks, self.cfg.gazetteer, cands);
        names_cues::run(&self.names, &doc, &toks, self.cfg.gazetteer, cands);
        if let Some(c) = ctx {
            known::matches(&doc, &toks, c, &dates, cands);
        }
        if !self.allow.is_empty() {
            cands.retain(|c| {
                !self
                    .allow
                    .iter()
                    .any(|a| doc.lower[c.bs..c.be].eq_ignore_ascii_case(a))
            });
        }
        // Business contact points are not personal data, unless they are the
        // contact's own.
        for c in cands.iter_mut().filter(|c| !c.known) {
            let value = &doc.lower.as_bytes()[c.bs..c.be];
            if c.ty == EntityType::EmailAddress && is_role_mailbox(value) {
                c.score = c.score.min(0.4);
                c.why = "e-mail address of a role mailbox (support@, no-reply@...), not a person's";
            } else if c.ty == EntityType::PhoneNumber && is_toll_free(value) {
                c.score = c.score.min(0.4);
                c.why = "toll-free number (0800, 1-800...): a business helpline, not a person's";
            }
        }
        cands.retain(|c| c.score >= min_score && types.contains(c.ty) && c.be > c.bs);
        let kept = &mut scratch.kept;
        resolve(cands, text, &mut scratch.order, kept);
        if let Some(c) = ctx {
            known::mark(text, c, kept);
        }
        if doc.lower.capacity() <= KEEP_BYTES {
            scratch.lower = doc.lower;
        }
        to_spans(text, kept, explain)
    }
}

/// Per-thread buffers of [`Detector::detect_with`].
#[derive(Default)]
struct Scratch {
    /// The lower-cased text ([`Doc::lower`]), kept while it is small.
    lower: String,
    /// The candidates of all detectors.
    cands: Vec<Cand>,
    /// [`resolve`]'s orders and the candidates it keeps.
    order: Order,
    kept: Vec<Cand>,
}

/// The lower-cased copy of a text up to this size is kept for the next one.
const KEEP_BYTES: usize = 1 << 16;

/// [`resolve`]'s working orders: candidates by start, a cluster's members by
/// priority, the kept ones.
#[derive(Default)]
struct Order {
    by_start: Vec<u128>,
    ranked: Vec<u128>,
    keep: Vec<u32>,
    kept_here: Vec<u32>,
}

/// Keeps the best candidates so that none overlap: higher score first, then
/// longer; adjacent parts of one name are joined.
///
/// The candidates (none empty) are taken in order of start and cut into
/// clusters (runs that overlap one another in a chain); a candidate's fate
/// depends only on the candidates of its cluster. Most clusters hold one
/// candidate, which is kept, or two, of which the first by priority is kept;
/// only within larger clusters are candidates ranked.
#[inline(never)]
fn resolve(cands: &[Cand], text: &str, order: &mut Order, out: &mut Vec<Cand>) {
    // Candidates by priority: score (higher first), length (longer first),
    // start, then detector order, packed into one integer key per candidate so
    // the sort compares integers (scores are never NaN; the bit pattern of a
    // non-negative f32 orders like its value, and negatives sort last).
    let priority = |i: usize| {
        let c = &cands[i];
        let b = c.score.to_bits();
        let ordered = if b >> 31 == 1 { !b } else { b | 0x8000_0000 };
        let len = (c.be - c.bs).min(u32::MAX as usize) as u32;
        let rank = (u128::from(u32::MAX - ordered) << 32) | u128::from(u32::MAX - len);
        (rank << 64) | ((c.bs.min(u32::MAX as usize) as u128) << 32) | i as u128
    };
    let Order {
        by_start,
        ranked,
        keep,
        kept_here,
    } = order;
    // Candidates by start, then detector order.
    by_start.clear();
    for (i, c) in cands.iter().enumerate() {
        by_start.push(((c.bs as u128) << 64) | i as u128);
    }
    by_start.sort_unstable();
    let index = |k: u128| k as u64 as usize;
    // The kept candidates in order of start: kept spans do not overlap and are
    // not empty, so their starts differ.
    keep.clear();
    let mut a = 0;
    while a < by_start.len() {
        let mut end = cands[index(by_start[a])].be;
        let mut b = a + 1;
        while b < by_start.len() && cands[index(by_start[b])].bs < end {
            end = end.max(cands[index(by_start[b])].be);
            b += 1;
        }
        let cluster = &by_start[a..b];
        a = b;
        match *cluster {
            [only] => {
                keep.push(index(only) as u32);
                continue;
            }
            // Two overlap: the first by priority is kept.
            [x, y] => {
                let (x, y) = (index(x), index(y));
                keep.push(if priority(x) < priority(y) { x } else { y } as u32);
                continue;
            }
            _ => {}
        }
        // The cluster's members by priority, and those kept so far.
        ranked.clear();
        for &k in cluster {
            ranked.push(priority(index(k)));
        }
        ranked.sort_unstable();
        kept_here.clear();
        for &r in ranked.iter() {
            let i = r as u32;
            let c = &cands[i as usize];
            if kept_here.iter().all(|&k| {
                let k = &cands[k as usize];
                c.be <= k.bs || c.bs >= k.be
            }) {
                kept_here.push(i);
            }
        }
        for &k in cluster {
            if kept_here.contains(&(index(k) as u32)) {
                keep.push(index(k) as u32);
            }
        }
    }
    let kept = keep.iter().map(|&i| cands[i as usize]);
    // Join "Zoë" + "Kowalski" found by different detectors into one name, and
    // a street followed by its postcode into one address.
    let is_addr = |t: EntityType| matches!(t, EntityType::StreetAddress | EntityType::Postcode);
    out.clear();
    for c in kept {
        if let Some(last) = out.last_mut() {
            if is_addr(last.ty)
                && is_addr(c.ty)
                && c.bs >= last.be
                && c.bs - last.be <= 3
                && text.as_bytes()[last.be..c.bs]
                    .iter()
                    .all(|b| matches!(b, b' ' | b',' | b'\n'))
            {
                last.be = c.be;
                last.ty = EntityType::StreetAddress;
                last.score = last.score.max(c.score);
                last.known |= c.known;
                continue;
            }
            if last.ty == EntityType::Person
                && c.ty == EntityType::Person
                && c.bs == last.be + 1
                && matches!(text.as_bytes()[last.be], b' ' | b'-')
                && !repeats_last_word(text, last.be, &c)
            {
                last.be = c.be;
                last.score = last.score.max(c.score);
                // "Zoë" (known) + "Smith" (not the contact's surname) is someone else.
                last.known &= c.known;
                continue;
            }
        }
        out.push(c);
    }
}

/// Does name `c` start with the word that ends at `end` ("derek" + "derek
/// nwachukwu", a name said twice in a transcript)? Then they are two names.
fn repeats_last_word(text: &str, end: usize, c: &Cand) -> bool {
    let b = text.as_bytes();
    let before = &b[..end];
    let ws = before
        .iter()
        .rposition(|&x| matches!(x, b' ' | b'-' | b'\n'))
        .map_or(0, |i| i + 1);
    let word = &before[ws..];
    let next = &b[c.bs..c.be];
    let we = next
        .iter()
        .position(|&x| matches!(x, b' ' | b'-'))
        .unwrap_or(next.len());
    !word.is_empty() && word.eq_ignore_ascii_case(&next[..we])
}

/// Converts byte offsets to code-point offsets in one pass over the text.
#[inline(never)]
fn to_spans(text: &str, cands: &[Cand], explain: bool) -> Vec<Span> {
    let mut out = Vec::with_capacity(cands.len());
    let (mut bpos, mut cpos) = (0usize, 0usize);
    // In ASCII text code points and bytes coincide.
    let ascii = text.is_ascii();
    let advance = |to: usize, bpos: &mut usize, cpos: &mut usize| {
        *cpos += if ascii {
            to - *bpos
        } else {
            text[*bpos..to].chars().count()
        };
        *bpos = to;
    };
    for c in cands {
        advance(c.bs, &mut bpos, &mut cpos);
        let start = cpos;
        advance(c.be, &mut bpos, &mut cpos);
        let explanation = match c.cue.filter(|_| explain) {
            Some(cue) => std::borrow::Cow::Owned(format!("{}; context \"{}\"", c.why, cue.trim())),
            None => std::borrow::Cow::Borrowed(c.why),
        };
        out.push(Span {
            start,
            end: cpos,
            bstart: c.bs,
            bend: c.be,
            entity_type: c.ty,
            score: (c.score.clamp(0.0, 1.0) * 100.0).round() / 100.0,
            explanation,
            known_contact: c.known,
        });
    }
    out
}

/// Local parts (lower case, without `.`, `-`, `_`) of organisations' role
/// mailboxes: addresses like these reach a team, not a person, so they are not
/// personal data and score below the default threshold.
const ROLE_MAILBOXES: &[&str] = &[
    "abuse",
    "accounts",
    "admin",
    "administrator",
    "alerts",
    "billing",
    "bookings",
    "care",
    "careers",
    "complaints",
    "contact",
    "contactus",
    "customercare",
    "customerservice",
    "customerservices",
    "dataprotection",
    "donotreply",
    "dpo",
    "enquiries",
    "enquiry",
    "feedback",
    "hello",
    "help",
    "helpdesk",
    "hostmaster",
    "info",
    "information",
    "jobs",
    "mailerdaemon",
    "marketing",
    "media",
    "newsletter",
    "noreply",
    "notification",
    "notifications",
    "office",
    "orders",
    "postmaster",
    "press",
    "privacy",
    "reception",
    "recruitment",
    "reservations",
    "returns",
    "sales",
    "security",
    "service",
    "services",
    "support",
    "team",
    "webmaster",
];

/// `email` (lower-cased) is a role mailbox: its local part, without
/// separators, is one of [`ROLE_MAILBOXES`], alone or with a `+tag`.
fn is_role_mailbox(email: &[u8]) -> bool {
    let Some(at) = email.iter().position(|&b| b == b'@') else {
        return false;
    };
    let local = &email[..at];
    let local = local.split(|&b| b == b'+').next().unwrap_or(local);
    let mut key = [0u8; 24];
    let mut n = 0;
    for &b in local.iter().filter(|b| !matches!(b, b'.' | b'-' | b'_')) {
        if n == key.len() {
            return false;
        }
        key[n] = b;
        n += 1;
    }
    ROLE_MAILBOXES.iter().any(|r| r.as_bytes() == &key[..n])
}

/// Area codes of toll-free numbers in the North American numbering plan.
const NANP_TOLL_FREE: [&[u8]; 7] = [b"800", b"833", b"844", b"855", b"866", b"877", b"888"];

/// `phone` is a toll-free number: UK 0800 and 0808 (+44 80...), North
/// American 1-800, 1-888 and the like, Australian and Irish 1800.
fn is_toll_free(phone: &[u8]) -> bool {
    let mut buf = [0u8; 20];
    let mut n = 0;
    for &b in phone.iter().filter(|b| b.is_ascii_digit()) {
        if n == buf.len() {
            return false;
        }
        buf[n] = b;
        n += 1;
    }
    let d = &buf[..n];
    let intl = phone.iter().find(|b| !matches!(b, b' ' | b'(')) == Some(&b'+');
    let intl_rest = if intl { Some(d) } else { d.strip_prefix(b"00") };
    if let Some(r) = intl_rest {
        return if let Some(uk) = r.strip_prefix(b"44") {
            uk.starts_with(b"80") || uk.starts_with(b"080")
        } else if let Some(na) = r.strip_prefix(b"1") {
            na.len() == 10 && NANP_TOLL_FREE.contains(&&na[..3])
        } else if let Some(x) = r.strip_prefix(b"61").or_else(|| r.strip_prefix(b"353")) {
            x.starts_with(b"1800")
        } else {
            false
        };
    }
    d.starts_with(b"080")
        || n == 11 && d[0] == b'1' && NANP_TOLL_FREE.contains(&&d[1..4])
        || n == 10 && (NANP_TOLL_FREE.contains(&&d[..3]) || d.starts_with(b"1800"))
}

/// True when `[bs, be)` is not glued to letters or digits on either side.
pub(crate) fn word_bounded(text: &str, bs: usize, be: usize) -> bool {
    let b = text.as_bytes();
    let before_ok = bs == 0 || {
        let c = text[..bs].chars().next_back().unwrap_or(' ');
        !c.is_alphanumeric()
    };
    let after_ok = be >= b.len() || {
        let c = text[be..].chars().next().unwrap_or(' ');
        !c.is_alphanumeric()
    };
    before_ok && after_ok
}

#[cfg(test)]
mod resolve_tests {
    use super::*;

    /// [`resolve`] before clusters: every candidate ranked.
    fn reference(cands: Vec<Cand>, text: &str) -> Vec<Cand> {
        let score_rank = |x: f32| {
            let b = x.to_bits();
            let ordered = if b >> 31 == 1 { !b } else { b | 0x8000_0000 };
            u32::MAX - ordered
        };
        let mut keys: Vec<(u64, u64)> = cands
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let len = (c.be - c.bs).min(u32::MAX as usize) as u32;
                (
                    (u64::from(score_rank(c.score)) << 32) | u64::from(u32::MAX - len),
                    ((c.bs.min(u32::MAX as usize) as u64) << 32) | i as u64,
                )
            })
            .collect();
        keys.sort_unstable();
        let mut keep: Vec<u32> = Vec::new();
        for i in keys.iter().map(|&(_, b)| (b & 0xffff_ffff) as u32) {
            let c = &cands[i as usize];
            if keep.iter().all(|&k| {
                let k = &cands[k as usize];
                c.be <= k.bs || c.bs >= k.be
            }) {
                keep.push(i);
            }
        }
        keep.sort_unstable_by_key(|&i| cands[i as usize].bs);
        let is_addr = |t: EntityType| matches!(t, EntityType::StreetAddress | EntityType::Postcode);
        let mut out: Vec<Cand> = Vec::new();
        for c in keep.iter().map(|&i| cands[i as usize]) {
            if let Some(last) = out.last_mut() {
                if is_addr(last.ty)
                    && is_addr(c.ty)
                    && c.bs >= last.be
                    && c.bs - last.be <= 3
                    && text.as_bytes()[last.be..c.bs]
                        .iter()
                        .all(|b| matches!(b, b' ' | b',' | b'\n'))
                {
                    last.be = c.be;
                    last.ty = EntityType::StreetAddress;
                    last.score = last.score.max(c.score);
                    last.known |= c.known;
                    continue;
                }
                if last.ty == EntityType::Person
                    && c.ty == EntityType::Person
                    && c.bs == last.be + 1
                    && matches!(text.as_bytes()[last.be], b' ' | b'-')
                    && !repeats_last_word(text, last.be, &c)
                {
                    last.be = c.be;
                    last.score = last.score.max(c.score);
                    last.known &= c.known;
                    continue;
                }
            }
            out.push(c);
        }
        out
    }

    #[test]
    fn same_as_ranking_every_candidate() {
        // xorshift64*
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut below = |n: usize| {
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            (x.wrapping_mul(0x2545_F491_4F6C_DD1D) % n as u64) as usize
        };
        let types = [
            EntityType::Person,
            EntityType::StreetAddress,
            EntityType::Postcode,
            EntityType::PhoneNumber,
        ];
        let scores = [0.4, 0.5, 0.55, 0.9, 0.97, 1.0];
        let key = |v: &[Cand]| -> Vec<_> {
            v.iter()
                .map(|c| (c.bs, c.be, c.ty, c.score.to_bits(), c.why, c.known))
                .collect()
        };
        let mut joined = 0;
        for round in 0..50_000 {
            let len = 1 + below(60);
            let text: String = (0..len).map(|_| b"ab -,\n."[below(7)] as char).collect();
            let n = below(if round % 10 == 0 { 60 } else { 12 });
            let cands: Vec<Cand> = (0..n)
                .map(|_| {
                    let bs = below(len);
                    let be = bs + 1 + below((len - bs).min(12));
                    let mut c = Cand::new(bs, be, types[below(4)], scores[below(6)], "t");
                    c.known = below(2) == 0;
                    c
                })
                .collect();
            let want = reference(cands.clone(), &text);
            let mut got = Vec::new();
            resolve(&cands, &text, &mut Order::default(), &mut got);
            assert_eq!(key(&got), key(&want), "round {round}: {text:?} {cands:?}");
            joined += n - want.len();
        }
        assert!(joined > 100_000, "{joined}");
    }
}
