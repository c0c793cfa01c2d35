//! Person names that the gazetteer pass (`names`) misses or gets wrong, found
//! from cues that open a name slot: form labels ("Name:", "Account holder:"),
//! note cues ("cust Siobhán O'Neill rang", "spoke w/ ..."), greetings and
//! thanks followed by punctuation, sign-offs ("Regards,\n<Name>"), an answer
//! to a question asking for a name, surname-first forms ("Ó Súilleabháin,
//! Pádraig"), and names whose accents keep them out of the gazetteers
//! ("Siobhán" is looked up as "siobhan").
//!
//! It also fixes the gazetteer pass's spans: extends a name over a nickname
//! (`Robert "Bobby" Lindqvist`), an unknown lower-case surname in chat
//! ("kwame mensah,") or an accented first name before it; and drops names glued
//! to `_` or digits (user names), foreign function words ("Le meas", "Un
//! saludo"), version abbreviations ("Ver 3.1") and towns inside an address line.
//!
//! The pass reuses the document's tokens and is gated on cue words, so it
//! costs little on text without them. Scores stay below the gazetteer's
//! (0.8) and the known contact's, above the reporting threshold (0.5).

use crate::names::{
    Names, Tok, G_FIRST, G_FIRST_AMB, G_FREQ, G_PLACE, G_STOP, G_STOPEXT, G_SUR, G_SUR_AMB,
    T_ALPHA, T_CAP, T_DIGIT, T_LOWER, T_UPPER,
};
use crate::{Cand, Doc, EntityType};

const NAME: u8 = G_FIRST | G_FIRST_AMB | G_SUR | G_SUR_AMB;
const LISTS: u8 = G_STOP | G_FREQ | G_PLACE | G_STOPEXT;

/// What kind of slot a cue opens.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Cue {
    /// A form label: "Name:", "Account holder:", "Cardholder:".
    Label,
    /// A speaker label that may also head a name-only line: "Customer:".
    Speaker,
    /// Note shorthand before a name: "cust", "caller".
    Note,
    /// "spoke to/with/w/", "talked to".
    Spoke,
    /// "hi", "thanks", "cheers" before a name and punctuation.
    Greet,
    /// A valediction line ("Regards,") before a name line.
    SignOff,
    /// "name is", "name's", "name on (the) account".
    Naming,
    /// The line after a question asking for a name.
    Answer,
    /// "it's", "i'm", "this is": a first name that is also a function word
    /// ("will") and a surname, both from the gazetteers.
    Its,
    /// "through to", "transferred to", "passed to": a person or a department,
    /// so only one word that is a first name or is followed by where the
    /// person works ("through to Fenella in billing").
    Handed,
    /// A person's role or relation before their name: "engineer Kofi",
    /// "agent Kasia Nowak", "Auntie Bisi".
    Role,
}

/// Words that are never part of a name found by a cue (lower case): group
/// addresses, fillers, and contact-centre nouns that fill name-like slots.
fn not_name(w: &[u8]) -> bool {
    matches!(
        w,
        b"everyone"
            | b"everybody"
            | b"guys"
            | b"folks"
            | b"mate"
            | b"love"
            | b"hun"
            | b"pal"
            | b"buddy"
            | b"friend"
            | b"friends"
            | b"bro"
            | b"boss"
            | b"again"
            | b"anyway"
            | b"heaps"
            | b"loads"
            | b"lots"
            | b"yeah"
            | b"yep"
            | b"yup"
            | b"nope"
            | b"hey"
            | b"hiya"
            | b"bye"
            | b"thx"
            | b"ty"
            | b"plan"
            | b"premium"
            | b"basic"
            | b"standard"
            | b"pro"
            | b"plus"
            | b"gold"
            | b"silver"
            | b"bronze"
            | b"unlimited"
            | b"family"
            | b"business"
            | b"fibre"
            | b"fiber"
            | b"package"
            | b"bundle"
            | b"tariff"
            | b"contract"
            | b"sim"
            | b"device"
            | b"product"
            | b"app"
            | b"online"
            | b"web"
            | b"website"
            | b"payments"
            | b"payment"
            | b"complaints"
            | b"collections"
            | b"sales"
            | b"accounts"
            | b"finance"
            | b"returns"
            | b"dispatch"
            | b"operations"
            | b"helpdesk"
            | b"reception"
            | b"management"
            | b"security"
            | b"fraud"
            | b"claims"
            | b"escalations"
            | b"admin"
            | b"unknown"
            | b"none"
            | b"tbc"
            | b"above"
            | b"below"
            | b"refund"
            | b"refunds"
            | b"dept"
            | b"department"
            | b"desk"
            | b"line"
            | b"technical"
            | b"user"
            | b"member"
            | b"holder"
            | b"owner"
            | b"supervisor"
            | b"advisor"
            | b"adviser"
            | b"rep"
            | b"representative"
            | b"officer"
            | b"staff"
            | b"person"
            | b"people"
            | b"wireless"
            | b"water"
            | b"gas"
            | b"electric"
            | b"electricity"
            | b"power"
            | b"company"
            | b"solutions"
            | b"systems"
            | b"networks"
            | b"telecoms"
            | b"media"
            | b"digital"
            | b"financial"
            | b"society"
            | b"council"
            | b"regards"
            | b"sincerely"
            | b"faithfully"
            | b"truly"
            | b"yours"
            | b"kind"
            | b"warm"
            | b"ma'am"
            | b"maam"
            | b"same"
            | b"unit"
            | b"version"
            | b"ver"
    )
}

/// Lower-case particles inside a name ("van der", "de la", "bin").
fn particle(w: &[u8]) -> bool {
    matches!(
        w,
        b"van"
            | b"von"
            | b"de"
            | b"da"
            | b"di"
            | b"du"
            | b"del"
            | b"della"
            | b"der"
            | b"den"
            | b"la"
            | b"le"
            | b"bin"
            | b"binti"
            | b"ibn"
            | b"al"
            | b"el"
            | b"ter"
            | b"ten"
            | b"dos"
            | b"das"
            | b"o"
            | b"nic"
            | b"mac"
            | b"mc"
            | b"ap"
            | b"st"
    )
}

/// Foreign function words that the gazetteers list as names ("Le meas", "Un
/// saludo", "Mit freundlichen"): not names before a lower-case word.
fn foreign_word(w: &[u8]) -> bool {
    matches!(
        w,
        b"le"
            | b"la"
            | b"les"
            | b"un"
            | b"una"
            | b"uno"
            | b"el"
            | b"los"
            | b"las"
            | b"der"
            | b"die"
            | b"das"
            | b"ein"
            | b"eine"
            | b"het"
            | b"een"
            | b"il"
            | b"lo"
            | b"mi"
            | b"mis"
            | b"tu"
            | b"su"
            | b"mon"
            | b"ma"
            | b"mes"
            | b"et"
            | b"mit"
            | b"con"
            | b"por"
            | b"per"
            | b"bien"
            | b"muchas"
            | b"viele"
            | b"liebe"
            | b"met"
            | b"vriendelijke"
            | b"cordiali"
            | b"saludos"
            | b"ver"
            | b"vers"
            | b"rev"
    )
}

/// A valediction that ends its own line ("Regards,", "Cordialement,").
fn valediction(w: &[u8]) -> bool {
    matches!(
        w,
        b"regards"
            | b"cordialement"
            | b"saludo"
            | b"saludos"
            | b"atentamente"
            | b"thanks"
            | b"cheers"
            | b"sincerely"
            | b"faithfully"
            | b"truly"
            | b"wishes"
            | b"best"
            | b"meas"
            | b"groeten"
            | b"groet"
            | b"gr\xc3\xbc\xc3\x9fe"
            | b"gr\xc3\xbcsse"
            | b"gruesse"
            | b"gru\xc3\x9f"
            | b"pozdrawiam"
            | b"pozdrowienia"
            | b"cumprimentos"
            | b"saluti"
            | b"amicalement"
            | b"love"
            | b"ta"
            | b"thx"
            | b"x"
            | b"xx"
            | b"you"
    )
}

/// Words before "name:" that make it something else's name.
fn other_name_label(w: &[u8]) -> bool {
    matches!(
        w,
        b"user"
            | b"company"
            | b"business"
            | b"product"
            | b"plan"
            | b"file"
            | b"host"
            | b"network"
            | b"device"
            | b"wifi"
            | b"street"
            | b"bank"
            | b"pet"
            | b"brand"
            | b"domain"
            | b"server"
            | b"computer"
            | b"app"
            | b"team"
            | b"store"
            | b"shop"
            | b"branch"
            | b"site"
            | b"package"
            | b"tariff"
            | b"display"
            | b"screen"
            | b"project"
            | b"product's"
            | b"building"
            | b"house"
            | b"road"
            | b"town"
            | b"city"
            | b"country"
            | b"village"
            | b"model"
            | b"account's"
            | b"ssid"
            | b"event"
            | b"trading"
            | b"organisation"
            | b"organization"
            | b"employer"
            | b"school"
            | b"course"
            | b"service"
    )
}

/// Every word that `run` treats as a cue (lower case, at most 12 bytes),
/// for [`word_class`].
const CUE_WORDS: &[&[u8]] = &[
    b"name",
    b"names",
    b"surname",
    b"forename",
    b"forenames",
    b"cardholder",
    b"holder",
    b"attn",
    b"attention",
    b"payee",
    b"beneficiary",
    b"signed",
    b"policyholder",
    b"nombre",
    b"nom",
    b"naam",
    b"titular",
    b"patient",
    b"account",
    b"acc",
    b"card",
    b"customer",
    b"caller",
    b"client",
    b"contact",
    b"cust",
    b"cx",
    b"spoke",
    b"spk",
    b"talked",
    b"spoken",
    b"speaking",
    b"chatted",
    b"chatting",
    b"through",
    b"transferred",
    b"transferring",
    b"passed",
    b"engineer",
    b"technician",
    b"agent",
    b"advisor",
    b"adviser",
    b"colleague",
    b"manager",
    b"supervisor",
    b"auntie",
    b"aunty",
    b"uncle",
    b"nephew",
    b"niece",
    b"grandson",
    b"hi",
    b"hello",
    b"hey",
    b"hiya",
    b"thanks",
    b"thx",
    b"ty",
    b"cheers",
    b"bye",
    b"morning",
    b"evening",
    b"afternoon",
    b"is",
    b"name's",
    b"it's",
    b"its",
    b"i'm",
    b"im",
    b"regards",
    b"cordialement",
    b"saludo",
    b"saludos",
    b"atentamente",
    b"sincerely",
    b"faithfully",
    b"truly",
    b"wishes",
    b"best",
    b"meas",
    b"groeten",
    b"groet",
    b"gr\xc3\xbc\xc3\x9fe",
    b"gr\xc3\xbcsse",
    b"gruesse",
    b"gru\xc3\x9f",
    b"pozdrawiam",
    b"pozdrowienia",
    b"cumprimentos",
    b"saluti",
    b"amicalement",
    b"love",
    b"ta",
    b"x",
    b"xx",
    b"you",
];

/// Words that link "spoke" to the name after them ("spoke to", "spoke w/").
const LINK_WORDS: &[&[u8]] = &[b"to", b"with", b"w", b"2"];

/// [`word_class`] of a word in [`CUE_WORDS`].
const CUE: u8 = 1;
/// [`word_class`] of a word in [`LINK_WORDS`].
const LINK: u8 = 2;

/// Up to 8 bytes packed into a little-endian `u64`, zero-padded.
const fn pack8(w: &[u8]) -> u64 {
    let mut v = 0;
    let mut k = 0;
    while k < w.len() && k < 8 {
        v |= (w[k] as u64) << (8 * k);
        k += 1;
    }
    v
}

/// The slot of a word in [`WORD_SLOT`] for multiplier `m`, from its first 8
/// bytes (packed) and its length.
#[inline(always)]
const fn slot_of(lo: u64, len: usize, m: u64) -> usize {
    ((lo ^ len as u64).wrapping_mul(m) >> 54) as usize
}

/// The longest cue or link word, in bytes.
const MAX_WORD: usize = 12;

/// A cue or link word: its first 8 bytes and the rest (packed), its length
/// and its class.
type WordKey = (u64, u64, usize, u8);

/// The words of [`CUE_WORDS`] and [`LINK_WORDS`] as keys.
const WORD_KEYS: [WordKey; CUE_WORDS.len() + LINK_WORDS.len()] = {
    let mut t = [(0, 0, 0, 0); CUE_WORDS.len() + LINK_WORDS.len()];
    let mut k = 0;
    while k < t.len() {
        let (w, class) = if k < CUE_WORDS.len() {
            (CUE_WORDS[k], CUE)
        } else {
            (LINK_WORDS[k - CUE_WORDS.len()], LINK)
        };
        assert!(!w.is_empty() && w.len() <= MAX_WORD);
        let hi = match w.split_at_checked(8) {
            Some((_, rest)) => pack8(rest),
            None => 0,
        };
        t[k] = (pack8(w), hi, w.len(), class);
        k += 1;
    }
    t
};

/// A multiplier for [`slot_of`] under which no two words of [`WORD_KEYS`]
/// share a slot (searched at compile time): one probe decides a word.
const WORD_MUL: u64 = {
    let mut m = 0x9E37_79B9_7F4A_7C15u64;
    loop {
        let mut used = [false; 1024];
        let mut k = 0;
        while k < WORD_KEYS.len() {
            let s = slot_of(WORD_KEYS[k].0, WORD_KEYS[k].2, m);
            if used[s] {
                break;
            }
            used[s] = true;
            k += 1;
        }
        if k == WORD_KEYS.len() {
            break m;
        }
        m = m.wrapping_add(0x6A09_E667_F3BC_C90A);
    }
};

/// For each slot, 1 + the index in [`WORD_KEYS`] of the word there (0: none).
static WORD_SLOT: [u8; 1024] = {
    let mut t = [0u8; 1024];
    let mut k = 0;
    while k < WORD_KEYS.len() {
        t[slot_of(WORD_KEYS[k].0, WORD_KEYS[k].2, WORD_MUL)] = k as u8 + 1;
        k += 1;
    }
    t
};

/// For each length up to [`MAX_WORD`], the mask of that many low bytes of a
/// `u64` (all 8 from 8 on).
const LO_MASK: [u64; MAX_WORD + 1] = {
    let mut t = [u64::MAX; MAX_WORD + 1];
    let mut n = 0;
    while n < 8 {
        t[n] = (1u64 << (8 * n)) - 1;
        n += 1;
    }
    t
};

/// [`CUE`] when `lb[bs..be]` is a word of [`CUE_WORDS`], [`LINK`] when it is
/// one of [`LINK_WORDS`], else 0: one table probe and one comparison.
#[inline(always)]
fn word_class(lb: &[u8], bs: usize, be: usize) -> u8 {
    let len = be - bs;
    if len.wrapping_sub(1) >= MAX_WORD {
        return 0;
    }
    let lo = match lb.get(bs..bs + 8) {
        Some(w) => u64::from_le_bytes(w.try_into().unwrap_or([0; 8])) & LO_MASK[len],
        None => pack8(&lb[bs..be]),
    };
    let e = WORD_SLOT[slot_of(lo, len, WORD_MUL)];
    if e == 0 {
        return 0;
    }
    let (klo, khi, klen, class) = WORD_KEYS[e as usize - 1];
    if klo != lo || klen != len || (len > 8 && pack8(&lb[bs + 8..be]) != khi) {
        return 0;
    }
    class
}

/// Whether `b[bs..be]` holds a non-ASCII byte (one load for most words).
#[inline(always)]
fn non_ascii(b: &[u8], bs: usize, be: usize) -> bool {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let len = be - bs;
    if let (1..=8, Some(w)) = (len, b.get(bs..bs + 8)) {
        let v = u64::from_le_bytes(w.try_into().unwrap_or([0; 8]));
        return v & HIGH & LO_MASK[len] != 0;
    }
    !b[bs..be].is_ascii()
}

/// Appends the ASCII folding of `c` (Latin letters with diacritics).
fn fold_push(c: char, out: &mut String) {
    let s = match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'ç' | 'ć' | 'č' | 'ĉ' | 'ċ' => "c",
        'ď' | 'đ' | 'ð' => "d",
        'é' | 'è' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
        'ğ' | 'ģ' | 'ĝ' => "g",
        'í' | 'ì' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
        'ķ' => "k",
        'ł' | 'ľ' | 'ĺ' | 'ļ' => "l",
        'ñ' | 'ń' | 'ň' | 'ņ' => "n",
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ō' | 'ő' => "o",
        'ř' | 'ŕ' => "r",
        'ś' | 'š' | 'ş' | 'ș' => "s",
        'ť' | 'ţ' | 'ț' => "t",
        'ú' | 'ù' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
        'ý' | 'ÿ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        '’' => "'",
        _ => {
            out.push(c);
            return;
        }
    };
    out.push_str(s);
}

/// A run of name words opened by a cue.
#[derive(Clone, Copy, Debug)]
struct Slot {
    /// Token range.
    i: usize,
    j: usize,
    /// Some word is a gazetteer name.
    known: bool,
    /// Some word holds a non-ASCII letter.
    foreign: bool,
    /// Some word holds an upper-case letter.
    capital: bool,
}

struct Pass<'a> {
    names: &'a Names,
    doc: &'a Doc<'a>,
    toks: &'a [Tok],
    mask: u8,
    /// Byte ranges of the person candidates found so far, sorted.
    person: Vec<(usize, usize)>,
    /// New names: byte range, score, reason, cue.
    found: Vec<(usize, usize, f32, &'static str, &'static str)>,
}

/// Does `t` hold more than one character?
fn multi(text: &str, t: Tok) -> bool {
    text[t.bs..t.be].chars().nth(1).is_some()
}

impl<'a> Pass<'a> {
    fn text(&self) -> &'a str {
        self.doc.text
    }

    fn lw(&self, t: Tok) -> &'a [u8] {
        &self.doc.lower.as_bytes()[t.bs..t.be]
    }

    /// Gazetteer and list flags of `t`, with accents folded when the word
    /// as written is not a name.
    fn flags(&self, t: Tok) -> u8 {
        let g = self.names.lookup(&self.doc.text[t.bs..t.be]) & self.mask;
        let w = &self.text()[t.bs..t.be];
        if g & NAME != 0 || w.is_ascii() {
            return g;
        }
        let mut s = String::with_capacity(w.len());
        for c in w.chars().flat_map(char::to_lowercase) {
            fold_push(c, &mut s);
        }
        g | (self.names.lookup(&s) & self.mask)
    }

    fn covered(&self, bs: usize, be: usize) -> bool {
        let k = self.person.partition_point(|p| p.1 <= bs);
        self.person.get(k).is_some_and(|p| p.0 < be)
    }

    /// The name words from token `i`: title-case or all-capitals words
    /// (lower-case ones when `lower`), particles and initials, one space
    /// apart, none a stop word or a list word. `naming` lets a surname that is
    /// also a place word ("Hill") continue the name.
    fn slot(&self, i: usize, lower: bool, naming: bool) -> Option<Slot> {
        let (text, b) = (self.text(), self.text().as_bytes());
        let mut s = Slot {
            i,
            j: i,
            known: false,
            foreign: false,
            capital: false,
        };
        let mut j = i;
        let mut real = 0;
        let mut stopname = false;
        let mut upper: Option<bool> = None;
        let mut after_first = false;
        while j < self.toks.len() && real < 4 {
            let t = self.toks[j];
            if j > i {
                let p = self.toks[j - 1];
                let gap = &b[p.be..t.bs];
                if !(gap == b" " || (gap == b". " && p.be - p.bs == 1)) {
                    break;
                }
            }
            if t.flags & T_ALPHA == 0 {
                break;
            }
            let w = self.lw(t);
            let m = multi(text, t);
            if (particle(w) || matches!(&text[t.bs..t.be], "Ó" | "ó" | "Ní" | "ní"))
                && j + 1 < self.toks.len()
            {
                j += 1;
                continue;
            }
            let is_upper = t.flags & T_UPPER != 0 && m;
            let ok_shape = if t.flags & T_CAP != 0 {
                match upper {
                    Some(u) => u == is_upper,
                    None => true,
                }
            } else {
                lower && t.flags & T_LOWER != 0
            };
            // A single letter is an initial only with a full stop after it.
            if !ok_shape || (!m && b.get(t.be) != Some(&b'.')) || not_name(w) {
                break;
            }
            let g = self.flags(t);
            if g & (G_STOP | G_STOPEXT) != 0 {
                // A name that is also a function word ("Will") needs a surname.
                let title = matches!(
                    w,
                    b"mr" | b"mrs" | b"ms" | b"miss" | b"mx" | b"dr" | b"sir" | b"lady" | b"lord"
                );
                if !(real == 0 && g & (G_FIRST | G_FIRST_AMB) != 0 && m && !title) {
                    break;
                }
                stopname = true;
            } else if g & G_PLACE != 0
                && !((naming || after_first) && real > 0 && g & (G_SUR | G_SUR_AMB) != 0)
            {
                break;
            }
            after_first = real == 0 && g & (G_FIRST | G_FIRST_AMB) != 0;
            if t.flags & T_CAP == 0 && g & NAME == 0 && (g & LISTS != 0 || w.len() < 3) {
                break;
            }
            if t.flags & T_CAP == 0 && g & NAME != 0 && g & G_FREQ != 0 {
                break;
            }
            if t.flags & T_CAP != 0 && m {
                upper = Some(is_upper);
                s.capital = true;
            }
            s.known |= g & NAME != 0 && g & (G_STOP | G_FREQ) == 0;
            s.foreign |= !text[t.bs..t.be].is_ascii();
            j += 1;
            real += 1;
            s.j = j;
        }
        if real == 0 || (stopname && real < 2) {
            return None;
        }
        // Do not end on a particle or an initial.
        while s.j > s.i && !multi(text, self.toks[s.j - 1]) {
            s.j -= 1;
        }
        (s.j > s.i).then_some(s)
    }

    fn bs(&self, s: Slot) -> usize {
        self.toks[s.i].bs
    }

    fn be(&self, s: Slot) -> usize {
        self.toks[s.j - 1].be
    }

    /// Punctuation or the end of the line after byte `e` (spaces skipped).
    fn term(&self, e: usize) -> bool {
        let b = self.text().as_bytes();
        let mut k = e;
        while b.get(k) == Some(&b' ') {
            k += 1;
        }
        match b.get(k) {
            None => true,
            Some(c) => matches!(
                c,
                b'\n' | b'\r' | b',' | b'.' | b'!' | b'?' | b';' | b')' | b'(' | b'<' | b'-'
            ),
        }
    }

    /// Only spaces until the end of the line after byte `e`.
    fn eol(&self, e: usize) -> bool {
        let b = self.text().as_bytes();
        let mut k = e;
        while matches!(b.get(k), Some(b' ' | b'\t')) {
            k += 1;
        }
        matches!(b.get(k), None | Some(b'\n' | b'\r'))
    }

    /// "... Sandeep from our fraud team", "... Fenella in billing": a word
    /// saying where the person works follows byte `e`.
    fn then_where(&self, e: usize) -> bool {
        let lb = self.doc.lower.as_bytes();
        [&b" from "[..], b" in ", b" at ", b" on "]
            .iter()
            .any(|w| lb[e..].starts_with(w))
    }

    /// A lower-case word follows byte `e` after one space.
    fn lower_next(&self, e: usize) -> bool {
        let b = self.text().as_bytes();
        b.get(e) == Some(&b' ') && b.get(e + 1).is_some_and(u8::is_ascii_lowercase)
    }

    /// The first token starting at or after byte `pos`.
    fn tok_at(&self, pos: usize) -> usize {
        self.toks.partition_point(|t| t.bs < pos)
    }

    fn push(&mut self, s: Slot, score: f32, why: &'static str, cue: &'static str) {
        let (bs, be) = (self.bs(s), self.be(s));
        self.found.push((bs, be, score, why, cue));
    }

    /// Checks the slot a cue opens at token `k` and records the name.
    fn cue_slot(&mut self, cue: Cue, k: usize, cue_lower: bool) {
        if k >= self.toks.len() {
            return;
        }
        let t0 = self.toks[k];
        let naming = matches!(cue, Cue::Label | Cue::Naming | Cue::Answer);
        let lower = cue_lower && matches!(cue, Cue::Naming | Cue::Answer | Cue::Its);
        if t0.flags & T_CAP == 0 && !lower {
            return;
        }
        if cue != Cue::Naming && self.covered(t0.bs, t0.be) {
            return;
        }
        if cue == Cue::Speaker {
            // The whole rest of the line must be the name: a short line
            // without a lower-case word.
            let b = self.text().as_bytes();
            let end = memchr::memchr(b'\n', &b[t0.bs..]).map_or(b.len(), |q| t0.bs + q);
            if end - t0.bs > 48
                || b[t0.bs..end]
                    .windows(2)
                    .any(|w| w[0] == b' ' && w[1].is_ascii_lowercase())
            {
                return;
            }
        }
        // Common first words of a reply or a team name: no slot.
        let w = self.lw(t0);
        let contraction = w.iter().position(|&c| c == b'\'').is_some_and(|q| {
            matches!(
                &w[q + 1..],
                b"s" | b"ve" | b"m" | b"d" | b"ll" | b"re" | b"t"
            )
        });
        if contraction
            || (w.len() == 1 && self.text().as_bytes().get(t0.be) != Some(&b'.'))
            || matches!(
                w,
                b"yes"
                    | b"sure"
                    | b"services"
                    | b"care"
                    | b"no"
                    | b"ok"
                    | b"okay"
                    | b"mr"
                    | b"mrs"
                    | b"ms"
                    | b"miss"
                    | b"dr"
                    | b"flat"
                    | b"the"
                    | b"my"
                    | b"we"
                    | b"our"
                    | b"please"
                    | b"thanks"
                    | b"hi"
                    | b"hello"
            )
        {
            return;
        }
        let Some(s) = self.slot(k, lower, naming) else {
            return;
        };
        let (bs, be) = (self.bs(s), self.be(s));
        let words = s.j - s.i;
        let strong = s.known || s.foreign;
        let (ok, score, why) = match cue {
            Cue::Label => (self.term(be), 0.7, "name after a form label"),
            Cue::Speaker => (
                self.eol(be) && (words >= 2 || strong) && s.capital,
                0.7,
                "name alone after a speaker label",
            ),
            Cue::Note => (
                strong && (self.term(be) || self.lower_next(be)),
                0.7,
                "name after a note cue (cust, caller)",
            ),
            Cue::Spoke => (
                strong || words >= 2 || self.term(be) || (s.capital && self.then_where(be)),
                0.7,
                "name after spoke to/with",
            ),
            Cue::Handed => (
                s.capital
                    && words == 1
                    && (self.flags(self.toks[s.i]) & G_FIRST != 0 || self.then_where(be)),
                0.7,
                "name after put through or transferred to",
            ),
            Cue::Role => (
                s.capital && (strong || words >= 2 || self.term(be) || self.lower_next(be)),
                0.7,
                "name after a role (engineer, agent, auntie)",
            ),
            Cue::Greet => {
                let b = self.text().as_bytes();
                let bang = matches!(b.get(be), Some(b'!'));
                (
                    words <= 2 && self.term(be) && (strong || bang),
                    if s.known { 0.7 } else { 0.6 },
                    "name after a greeting or thanks",
                )
            }
            Cue::SignOff => (
                self.eol(be) && (words >= 2 || strong),
                0.7,
                "name line after a sign-off",
            ),
            Cue::Naming => (
                self.term(be) || self.eol(be) || self.lower_next(be),
                0.7,
                "name after a naming phrase",
            ),
            Cue::Its => (
                words >= 2
                    && self.toks[s.i..s.j]
                        .iter()
                        .all(|&t| self.flags(t) & NAME != 0 || !multi(self.text(), t)),
                0.7,
                "first name and surname after it's / I'm",
            ),
            Cue::Answer => (
                (self.eol(be) || self.term(be))
                    && (s.capital || s.known || s.foreign || words >= 2),
                0.65,
                "name given in answer to a question",
            ),
        };
        if !ok || (self.covered(bs, be) && cue != Cue::Naming && words < 2) {
            return;
        }
        self.push(s, score, why, "");
    }

    /// The line after the one holding byte `pos`, when it answers a question
    /// asking for a name: its words after the speaker label.
    fn answer(&mut self, pos: usize) {
        let b = self.text().as_bytes();
        let Some(nl) = memchr::memchr(b'\n', &b[pos..]).map(|p| pos + p + 1) else {
            return;
        };
        let end = memchr::memchr(b'\n', &b[nl..])
            .map(|p| nl + p)
            .unwrap_or(b.len());
        let line = &b[nl..end];
        let start = match memchr::memchr(b':', &line[..line.len().min(24)]) {
            Some(p) if line.get(p + 1) == Some(&b' ') => nl + p + 1,
            _ => return,
        };
        // A short reply: at most four words before punctuation or the end.
        let head = b[start..end]
            .iter()
            .position(|c| matches!(c, b',' | b'.' | b'!' | b'?' | b'\r'))
            .unwrap_or(end - start);
        if head > 48
            || b[start..start + head]
                .iter()
                .filter(|&&c| c == b' ')
                .count()
                > 4
        {
            return;
        }
        let k = self.tok_at(start);
        if k >= self.toks.len() || self.toks[k].bs >= end {
            return;
        }
        self.cue_slot(Cue::Answer, k, true);
    }
}

/// Adds names found by cues to `cands` and corrects the person candidates
/// already there (see the module documentation).
#[inline(never)]
pub(crate) fn run(
    names: &Names,
    doc: &Doc<'_>,
    toks: &[Tok],
    gazetteer: bool,
    cands: &mut Vec<Cand>,
) {
    let mask = if gazetteer { 0xff } else { LISTS };
    let mut person: Vec<(usize, usize)> = Vec::with_capacity(8);
    let mut addr: Vec<usize> = Vec::new();
    for c in cands.iter() {
        match c.ty {
            EntityType::Person => person.push((c.bs, c.be)),
            EntityType::StreetAddress | EntityType::Postcode => addr.push(c.bs),
            _ => {}
        }
    }
    person.sort_unstable();
    let mut p = Pass {
        names,
        doc,
        toks,
        mask,
        person,
        found: Vec::new(),
    };
    let text = doc.text;
    let b = text.as_bytes();
    let lb = doc.lower.as_bytes();
    let ascii = text.is_ascii();
    // Cue words come before a capitalised word (the slot) or are "name"
    // words (lower-case answers and naming phrases), so only the tokens
    // before capitalised words and those holding "name" are looked at.
    // `last`: the token looked at last (a token is not checked twice in a row).
    let mut last = usize::MAX;
    let cue = |p: &mut Pass<'_>, k: usize, last: &mut usize| {
        if k == *last || k >= toks.len() {
            return;
        }
        *last = k;
        let t = toks[k];
        if t.flags & T_ALPHA != 0 && word_class(lb, t.bs, t.be) == CUE {
            on_cue(p, k, b.get(t.be).copied().unwrap_or(b'\n'));
        }
    };
    for pos in memchr::memmem::find_iter(lb, b"name") {
        // "name", "surname", then the words of "name on the account".
        let i = toks.partition_point(|t| t.be <= pos);
        if toks.get(i).is_some_and(|t| t.bs <= pos) {
            for k in i..(i + 4).min(toks.len()) {
                cue(&mut p, k, &mut last);
            }
        }
    }
    let mut rest = toks.iter();
    while let Some(&t) = rest
        .by_ref()
        .find(|t| t.flags & (T_CAP | T_ALPHA) == (T_CAP | T_ALPHA))
    {
        // The index of `t`, from the tokens left after it.
        let i = toks.len() - rest.len() - 1;
        if i > 0 {
            let q = toks[i - 1];
            let class = word_class(lb, q.bs, q.be);
            // `cue(i - 1)`, with the class already known.
            if i - 1 != last {
                last = i - 1;
                if class == CUE && q.flags & T_ALPHA != 0 {
                    on_cue(&mut p, i - 1, b.get(q.be).copied().unwrap_or(b'\n'));
                }
            }
            if i > 1 && class == LINK {
                // "spoke to", "spoke w/".
                cue(&mut p, i - 2, &mut last);
            }
        }
        // Accented capitalised words the gazetteers know without accents.
        if !ascii && non_ascii(b, t.bs, t.be) && !p.covered(t.bs, t.be) {
            fold_rule(&mut p, i);
        }
        if b.get(t.be) == Some(&b',') && b.get(t.be + 1) == Some(&b' ') {
            surname_first(&mut p, i);
        }
    }
    dash_signoff(&mut p);
    if memchr::memchr2(b'|', b'\t', b).is_some() {
        table_names(&mut p);
    }
    let found = std::mem::take(&mut p.found);
    fix_existing(&p, &addr, cands);
    apply(found, cands);
}

/// Column headings (lower case, trimmed) whose cells hold a person's name.
const NAME_COLUMNS: &[&[u8]] = &[
    b"name",
    b"full name",
    b"customer",
    b"customer name",
    b"caller",
    b"caller name",
    b"client",
    b"client name",
    b"contact",
    b"contact name",
    b"cardholder",
    b"account holder",
    b"account name",
    b"holder",
    b"agent",
    b"agent name",
    b"advisor",
    b"adviser",
    b"owner",
    b"patient",
    b"employee",
    b"first name",
    b"forename",
    b"given name",
    b"surname",
    b"last name",
    b"family name",
];

/// Names in the cells of a table column headed by a name heading ("| Name |",
/// "Customer" in a tab-separated export): a cell of one to five capitalised
/// words (particles and one ", " allowed: "Cooper, Brandon", "Mary-Kate
/// O'Hara", "de la Cruz, Ana"), no digits.
fn table_names(p: &mut Pass<'_>) {
    let b = p.text().as_bytes();
    let lb = p.doc.lower.as_bytes();
    let mut header: Option<(u8, Vec<usize>)> = None;
    let mut ls = 0;
    while ls < b.len() {
        let le = memchr::memchr(b'\n', &b[ls..]).map_or(b.len(), |q| ls + q);
        let line = &lb[ls..le];
        let sep = [b'|', b'\t'].into_iter().find(|c| line.contains(c));
        match (sep, &header) {
            (None, _) => header = None,
            (Some(s), Some((hs, cols))) if *hs == s => {
                let cols = cols.clone();
                for (k, cell) in split_cells(line, s).enumerate() {
                    if cols.contains(&k) {
                        name_cell(p, ls + cell.0, ls + cell.1);
                    }
                }
            }
            (Some(s), _) => {
                // The first line of a table: which of its headings are name headings.
                let cols: Vec<usize> = split_cells(line, s)
                    .enumerate()
                    .filter(|(_, (cs, ce))| NAME_COLUMNS.contains(&&line[*cs..*ce]))
                    .map(|(k, _)| k)
                    .collect();
                header = Some((s, cols));
            }
        }
        ls = le + 1;
    }
}

/// The cells of a table row, trimmed: `(start, end)` offsets in `line`.
fn split_cells(line: &[u8], sep: u8) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    line.split(move |&c| c == sep).map(move |cell| {
        let s = at + cell.iter().take_while(|c| c.is_ascii_whitespace()).count();
        let e = (at + cell.len()).max(s)
            - cell
                .iter()
                .rev()
                .take_while(|c| c.is_ascii_whitespace())
                .count();
        at += cell.len() + 1;
        (s, e.max(s))
    })
}

/// A name filling the cell `b[s..e]`, if it has the shape of one.
fn name_cell(p: &mut Pass<'_>, s: usize, e: usize) {
    let text = p.text();
    let cell = &text[s..e];
    if cell.is_empty() || cell.len() > 60 || cell.matches(", ").count() > 1 {
        return;
    }
    let words: Vec<&str> = cell.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    if words.is_empty() || words.len() > 5 {
        return;
    }
    let mut capitals = 0;
    for w in &words {
        let first = w.chars().next().unwrap_or(' ');
        let letters = w
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '\'' | '’' | '-' | '.'));
        if !letters {
            return;
        }
        if first.is_uppercase() {
            capitals += 1;
        } else if !particle(w.as_bytes()) {
            return;
        }
    }
    if capitals == 0
        || words
            .iter()
            .any(|w| not_name(w.to_ascii_lowercase().as_bytes()))
    {
        return;
    }
    p.found.push((
        s,
        e,
        0.85,
        "name in a table column headed by a name heading",
        "",
    ));
}

/// Token `i` has the shape of a cue word: checks it and the slot it opens.
#[inline(never)]
fn on_cue(p: &mut Pass<'_>, i: usize, nb: u8) {
    let toks = p.toks;
    let n = toks.len();
    let t = toks[i];
    let text = p.text();
    let b = text.as_bytes();
    let lb = p.doc.lower.as_bytes();
    let w = &lb[t.bs..t.be];
    let cue_lower = t.flags & T_LOWER != 0;
    let prev = |k: usize| (i >= k).then(|| &lb[toks[i - k].bs..toks[i - k].be]);
    // Near the start of its line (labels).
    let line_head = || {
        let ls = memchr::memrchr(b'\n', &b[..t.bs]).map_or(0, |q| q + 1);
        t.bs - ls <= 32
            && b[ls..t.bs]
                .iter()
                .all(|&c| c.is_ascii_alphabetic() || matches!(c, b' ' | b'-' | b'*' | b'>' | b'\t'))
    };
    if nb == b':' {
        let cue = match w {
            b"name" | b"names" => {
                if prev(1).is_some_and(other_name_label) {
                    return;
                }
                Cue::Label
            }
            b"surname" | b"forename" | b"forenames" | b"cardholder" | b"holder" | b"attn"
            | b"attention" | b"payee" | b"beneficiary" | b"signed" | b"policyholder"
            | b"nombre" | b"nom" | b"naam" | b"titular" | b"patient" => Cue::Label,
            b"account" | b"acc" | b"card"
                if prev(1) == Some(b"on") && prev(2) == Some(b"name")
                    || prev(1) == Some(b"the") && prev(2) == Some(b"on") =>
            {
                Cue::Label
            }
            b"customer" | b"caller" | b"client" | b"contact" | b"cust" => Cue::Speaker,
            _ => return,
        };
        if !line_head() {
            return;
        }
        let k = i + 1;
        if k < n
            && b[t.be..toks[k].bs]
                .iter()
                .all(|&c| matches!(c, b':' | b' ' | b'\t'))
        {
            p.cue_slot(cue, k, false);
        }
        return;
    }
    match w {
        b"cust" | b"customer" | b"caller" | b"client" | b"cx" if nb == b' ' => {
            p.cue_slot(Cue::Note, i + 1, false);
        }
        b"spoke" | b"spk" | b"talked" | b"spoken" | b"speaking" | b"chatted" | b"spoken"
        | b"chatting" | b"through" | b"transferred" | b"transferring" | b"passed"
            if nb == b' ' =>
        {
            let rest = &lb[t.be..lb.len().min(t.be + 7)];
            // "through", "transferred" and "passed" lead to someone with "to" only.
            let to_only = matches!(w, b"through" | b"transferred" | b"transferring" | b"passed");
            let skip = [&b" to "[..], b" with ", b" w/ ", b" w/", b" 2 "]
                .iter()
                .find(|c| rest.starts_with(c) && (!to_only || c.starts_with(b" to ")))
                .map(|c| c.len());
            if let Some(s) = skip {
                let k = p.tok_at(t.be + s);
                if k < n && toks[k].bs == t.be + s {
                    p.cue_slot(if to_only { Cue::Handed } else { Cue::Spoke }, k, false);
                }
            }
        }
        b"engineer" | b"technician" | b"agent" | b"advisor" | b"adviser" | b"colleague"
        | b"manager" | b"supervisor" | b"auntie" | b"aunty" | b"uncle" | b"nephew" | b"niece"
        | b"grandson"
            if nb == b' ' && i + 1 < n && toks[i + 1].bs == t.be + 1 =>
        {
            p.cue_slot(Cue::Role, i + 1, false);
        }
        b"hi" | b"hello" | b"hey" | b"hiya" | b"thanks" | b"thx" | b"ty" | b"cheers" | b"bye"
        | b"morning" | b"evening" | b"afternoon"
            if (nb == b' ' || (nb == b',' && b.get(t.be + 1) == Some(&b' ')))
                && i + 1 < n
                && toks[i + 1].bs <= t.be + 2 =>
        {
            p.cue_slot(Cue::Greet, i + 1, false);
        }
        b"is" if nb == b' ' && matches!(prev(1), Some(b"name" | b"surname")) => {
            p.cue_slot(Cue::Naming, i + 1, cue_lower);
        }
        b"name's" if nb == b' ' => p.cue_slot(Cue::Naming, i + 1, cue_lower),
        b"it's" | b"its" | b"i'm" | b"im" if nb == b' ' => {
            p.cue_slot(Cue::Its, i + 1, cue_lower);
        }
        b"is" if nb == b' ' && prev(1) == Some(b"this") => {
            p.cue_slot(Cue::Its, i + 1, cue_lower);
        }
        b"account" | b"acc" | b"card"
            if nb == b' '
                && (prev(1) == Some(b"on") && prev(2) == Some(b"name")
                    || prev(1) == Some(b"the") && prev(2) == Some(b"on")) =>
        {
            p.cue_slot(Cue::Naming, i + 1, cue_lower);
        }
        b"surname" | b"forename" if nb == b' ' => {
            // "confirmed Okonkwo surname spelling"
            if i > 0 {
                let q = toks[i - 1];
                if q.be + 1 == t.bs
                    && q.flags & (T_CAP | T_ALPHA) == (T_CAP | T_ALPHA)
                    && q.flags & T_UPPER == 0
                    && !p.covered(q.bs, q.be)
                    && !sentence_start(b, q.bs)
                    && p.flags(q) & LISTS == 0
                    && !not_name(&lb[q.bs..q.be])
                {
                    p.found
                        .push((q.bs, q.be, 0.65, "word before \"surname\"", ""));
                }
            }
            if matches!(prev(1), Some(b"your" | b"the")) {
                p.answer(t.be);
            }
        }
        _ => {}
    }
    if matches!(w, b"name" | b"names")
        && nb != b':'
        && matches!(
            prev(1),
            Some(b"your" | b"full" | b"last" | b"first" | b"the")
        )
    {
        p.answer(t.be);
    }
    // "Regards,\nName": a valediction line of at most three words.
    if nb == b',' && valediction(w) {
        let after = &b[t.be + 1..];
        let nl = match after {
            [b'\n', ..] => 2,
            [b'\r', b'\n', ..] => 3,
            _ => 0,
        };
        let ls = memchr::memrchr(b'\n', &b[..t.bs]).map_or(0, |q| q + 1);
        let words = toks[..=i].iter().rev().take_while(|q| q.bs >= ls).count();
        if nl > 0 && words <= 3 {
            let k = i + 1;
            if k < n && toks[k].bs == t.be + nl {
                p.cue_slot(Cue::SignOff, k, false);
            }
        }
    }
}

/// "Siobhán", "Éloïse": a capitalised word that is a first name once its
/// accents are folded starts a name; an accented surname joins the
/// capitalised word before it.
fn fold_rule(p: &mut Pass<'_>, i: usize) {
    let t = p.toks[i];
    let text = p.text();
    if !multi(text, t) || (t.flags & T_UPPER != 0) {
        return;
    }
    let g = p.flags(t);
    if g & LISTS != 0 || not_name(p.lw(t)) {
        return;
    }
    if g & G_FIRST != 0 {
        if let Some(s) = p.slot(i, false, false) {
            let score = if s.j - s.i >= 2 { 0.75 } else { 0.65 };
            p.push(
                s,
                score,
                "capitalised first name with accents (gazetteer)",
                "",
            );
        }
        return;
    }
    if g & G_SUR != 0 && i > 0 {
        let q = p.toks[i - 1];
        if q.be + 1 == t.bs
            && q.flags & (T_CAP | T_ALPHA) == (T_CAP | T_ALPHA)
            && q.flags & T_UPPER == 0
            && multi(text, q)
            && !p.covered(q.bs, q.be)
        {
            let gq = p.flags(q);
            if gq & LISTS == 0 && (gq & G_FIRST != 0 || !text[q.bs..q.be].is_ascii()) {
                p.found.push((
                    q.bs,
                    t.be,
                    0.75,
                    "first name and accented surname (gazetteer)",
                    "",
                ));
            }
        }
    }
}

/// "Ó Súilleabháin, Pádraig -": surname, comma, first name at the start of a
/// sentence, then punctuation.
fn surname_first(p: &mut Pass<'_>, i: usize) {
    let toks = p.toks;
    let b = p.text().as_bytes();
    let t = toks[i];
    let Some(&f) = toks.get(i + 1) else {
        return;
    };
    if f.bs != t.be + 2 || f.flags & T_CAP == 0 || f.flags & T_UPPER != 0 {
        return;
    }
    // The surname: this word, after a particle ("Ó", "Van") or alone.
    let mut s = i;
    if s > 0 {
        let q = toks[s - 1];
        if q.be + 1 == t.bs
            && q.flags & T_CAP != 0
            && (particle(p.lw(q)) || matches!(&p.text()[q.bs..q.be], "Ó" | "Ní"))
        {
            s -= 1;
        }
    }
    let st = toks[s];
    if !sentence_start(b, st.bs) || p.covered(st.bs, t.be) {
        return;
    }
    let gs = p.flags(t);
    if gs & LISTS != 0 || not_name(p.lw(t)) || !multi(p.text(), t) {
        return;
    }
    let gf = p.flags(f);
    if gf & G_FIRST == 0 || gf & LISTS != 0 {
        return;
    }
    let strong_sur = gs & G_SUR != 0 || s < i || !p.text()[t.bs..t.be].is_ascii();
    if !strong_sur || !p.term(f.be) || b.get(f.be) == Some(&b',') {
        return;
    }
    p.found
        .push((st.bs, f.be, 0.7, "surname, first name (gazetteer)", ""));
}

/// "- Ray" as the last line of a message.
fn dash_signoff(p: &mut Pass<'_>) {
    let text = p.text().trim_end();
    let ls = text.rfind('\n').map_or(0, |q| q + 1);
    let line = &text[ls..];
    let rest = line
        .strip_prefix("--")
        .or_else(|| line.strip_prefix('-'))
        .or_else(|| line.strip_prefix('–'))
        .or_else(|| line.strip_prefix('—'));
    let Some(rest) = rest else {
        return;
    };
    let start = ls + (line.len() - rest.len()) + (rest.len() - rest.trim_start().len());
    let k = p.tok_at(start);
    if k < p.toks.len() && p.toks[k].bs == start {
        p.cue_slot(Cue::SignOff, k, false);
    }
}

fn sentence_start(b: &[u8], bs: usize) -> bool {
    let mut e = bs;
    while e > 0
        && matches!(
            b[e - 1],
            b' ' | b'\t' | b'"' | b'\'' | b'[' | b'(' | b'*' | b'>'
        )
    {
        e -= 1;
    }
    match e.checked_sub(1) {
        None => true,
        Some(q) => matches!(b[q], b'.' | b'!' | b'?' | b':' | b'\n' | b']' | b'>' | b'-'),
    }
}

/// Drops and extends the gazetteer pass's person candidates.
fn fix_existing(p: &Pass<'_>, addr: &[usize], cands: &mut [Cand]) {
    let text = p.text();
    let b = text.as_bytes();
    let lb = p.doc.lower.as_bytes();
    let toks = p.toks;
    for c in cands.iter_mut() {
        if c.ty != EntityType::Person || c.be <= c.bs {
            continue;
        }
        // Cheap tests first: most names need none of the fixes below.
        let before = c.bs.checked_sub(1).map(|q| b[q]);
        let after = b.get(c.be).copied();
        let glued =
            matches!(before, Some(b'_' | b'0'..=b'9')) || matches!(after, Some(b'_' | b'0'..=b'9'));
        let next = b.get(c.be + 1).copied().unwrap_or(b' ');
        let comma_before = before == Some(b' ') && c.bs >= 2 && b[c.bs - 2] == b',';
        let maybe = glued
            || (after == Some(b' ')
                && (next.is_ascii_digit()
                    || matches!(next, b'"' | b'(' | b'\'' | 0xe2)
                    || b[c.bs].is_ascii_lowercase()))
            || foreign_word(&lb[c.bs..c.be])
            || (comma_before && matches!(after, Some(b'?' | b'!' | b',')));
        if !maybe {
            continue;
        }
        let k = p.tok_at(c.bs);
        if k >= toks.len() || toks[k].bs != c.bs {
            continue;
        }
        let t = toks[k];
        let single = t.be == c.be;
        // Glued to '_' or digits: a user name or a code ("mike_t88").
        if glued {
            c.be = c.bs;
            continue;
        }
        let next = toks.get(k + 1).copied();
        let next_glued = next.filter(|n| n.bs == t.be + 1 && b[t.be] == b' ');
        if single && c.cue.is_none() {
            let w = p.lw(t);
            // "Le meas", "Un saludo": a foreign function word.
            if foreign_word(w) && next_glued.is_some_and(|n| n.flags & T_LOWER != 0) {
                c.be = c.bs;
                continue;
            }
            // "Ver 3.14.15": a word before a version number.
            if foreign_word(w)
                || next_glued.is_some_and(|n| {
                    n.flags & T_DIGIT != 0
                        && b.get(n.be) == Some(&b'.')
                        && b.get(n.be + 1).is_some_and(u8::is_ascii_digit)
                })
            {
                c.be = c.bs;
                continue;
            }
        }
        // "anything else, Grace?": a name that is also a word, addressed.
        if single
            && c.score < 0.5
            && before == Some(b' ')
            && c.bs >= 2
            && b[c.bs - 2] == b','
            && matches!(after, Some(b'?' | b'!'))
            && p.flags(t) & (G_FIRST | G_FIRST_AMB) != 0
        {
            c.score = 0.6;
        }
        // A town between commas before an address on the same line.
        if before == Some(b' ') && c.bs >= 2 && b[c.bs - 2] == b',' && after == Some(b',') {
            let eol = memchr::memchr(b'\n', &b[c.be..]).map_or(b.len(), |q| c.be + q);
            if let Some(&a) = addr.iter().find(|&&a| a > c.be && a < eol) {
                if b[c.be..a]
                    .iter()
                    .all(|&x| x.is_ascii_alphabetic() || matches!(x, b' ' | b','))
                {
                    c.be = c.bs;
                    continue;
                }
            }
        }
        // Robert "Bobby" Lindqvist: a nickname in quotes or brackets, then a surname.
        let rest = &text[c.be..];
        for (open, close) in [("\"", "\""), ("(", ")"), ("“", "”"), ("'", "'")] {
            let Some(r) = rest.strip_prefix(' ').and_then(|r| r.strip_prefix(open)) else {
                continue;
            };
            let Some(q) = r.find(close) else {
                continue;
            };
            let nick = &r[..q];
            if q == 0 || q > 20 || !nick.chars().all(char::is_alphabetic) {
                continue;
            }
            let sb = c.be + 1 + open.len() + q + close.len() + 1;
            if b.get(sb - 1) != Some(&b' ') {
                continue;
            }
            let j = p.tok_at(sb);
            if let Some(&s) = toks.get(j).filter(|s| s.bs == sb) {
                if s.flags & T_CAP != 0
                    && s.flags & T_ALPHA != 0
                    && multi(text, s)
                    && p.flags(s) & LISTS == 0
                    && !not_name(p.lw(s))
                {
                    c.be = s.be;
                }
            }
            break;
        }
        // "kwame mensah,": an unknown lower-case word after a lower-case
        // first name, then punctuation or the end of the line.
        let last = p.tok_at(c.be).saturating_sub(1);
        let lt = toks[last];
        if lt.be == c.be && lt.flags & T_LOWER != 0 && t.flags & T_LOWER != 0 {
            if let Some(n) = toks
                .get(last + 1)
                .filter(|n| n.bs == lt.be + 1 && b[lt.be] == b' ')
            {
                if n.flags & (T_ALPHA | T_LOWER) == (T_ALPHA | T_LOWER)
                    && n.be - n.bs >= 3
                    && p.flags(*n) == 0
                    && !not_name(p.lw(*n))
                    && (p.eol(n.be) || matches!(b.get(n.be), Some(b',' | b'.' | b'!' | b'?')))
                    && p.names.lookup(&p.doc.text[t.bs..t.be]) & G_FIRST != 0
                {
                    c.be = n.be;
                }
            }
        }
    }
}

/// Adds the new names: a name overlapping a person candidate widens it,
/// otherwise it is a candidate of its own.
fn apply(found: Vec<(usize, usize, f32, &'static str, &'static str)>, cands: &mut Vec<Cand>) {
    for (bs, be, score, why, _) in found {
        let mut merged = false;
        for c in cands
            .iter_mut()
            .filter(|c| c.ty == EntityType::Person && c.be > c.bs)
        {
            if c.bs < be && bs < c.be {
                if !merged {
                    c.bs = c.bs.min(bs);
                    c.be = c.be.max(be);
                    c.score = c.score.max(score);
                    merged = true;
                } else {
                    c.be = c.bs;
                }
            }
        }
        if !merged {
            cands.push(Cand::new(bs, be, EntityType::Person, score, why));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{non_ascii, word_class, CUE, CUE_WORDS, LINK, LINK_WORDS};
    use crate::{Detector, EntityType};

    /// What `word_class` computes, by list look-ups.
    fn class_by_lists(w: &[u8]) -> u8 {
        if CUE_WORDS.contains(&w) {
            CUE
        } else if LINK_WORDS.contains(&w) {
            LINK
        } else {
            0
        }
    }

    /// Words near the cue words (prefixes, extensions, one byte changed) and
    /// the cue words themselves, with what follows them in the text.
    fn near_words() -> Vec<Vec<u8>> {
        let mut v: Vec<Vec<u8>> = Vec::new();
        for w in CUE_WORDS.iter().chain(LINK_WORDS) {
            v.push(w.to_vec());
            for n in 1..w.len() {
                v.push(w[..n].to_vec());
            }
            for c in [b's', b'\'', 0xc3, b'a', b'z'] {
                v.push([*w, &[c]].concat());
            }
            for k in 0..w.len() {
                let mut x = w.to_vec();
                x[k] ^= 1;
                v.push(x);
            }
        }
        v
    }

    #[test]
    fn word_class_matches_lists() {
        let words = near_words();
        for w in &words {
            let want = class_by_lists(w);
            // At the end of the text, mid-text, and far from the end.
            for (pre, post) in [
                (&b""[..], &b""[..]),
                (b"ab ", b" cd"),
                (b"x", b" name is Ann Smith"),
            ] {
                let text = [pre, w, post].concat();
                assert_eq!(
                    word_class(&text, pre.len(), pre.len() + w.len()),
                    want,
                    "{:?}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 3000, ..Default::default() })]
        /// `word_class` and `non_ascii` agree with the plain definitions on
        /// any bytes.
        #[test]
        fn word_class_and_non_ascii_on_any_bytes(
            text in proptest::collection::vec(proptest::sample::select(
                &b"abcdefghimnorstuwxy2'\x00\xc3\xbc\x9f \n"[..]), 0..40),
            a in 0usize..40,
            n in 0usize..20,
        ) {
            let bs = a.min(text.len());
            let be = (bs + n).min(text.len());
            if be > bs {
                proptest::prop_assert_eq!(word_class(&text, bs, be), class_by_lists(&text[bs..be]));
            }
            proptest::prop_assert_eq!(non_ascii(&text, bs, be), !text[bs..be].is_ascii());
        }
    }

    fn names_in(text: &str) -> Vec<String> {
        Detector::new()
            .detect(text, None)
            .into_iter()
            .filter(|s| s.entity_type == EntityType::Person)
            .map(|s| text[s.bstart..s.bend].to_string())
            .collect()
    }

    #[test]
    fn cued_names() {
        let cases: &[(&str, &[&str])] = &[
            // Form labels.
            ("Name: Ama Owusu\nDOB: 1990-01-01", &["Ama Owusu"]),
            ("Full name: Tomasz Zieliński\n", &["Tomasz Zieliński"]),
            ("Account holder: Yaw Asante-Darko.", &["Yaw Asante-Darko"]),
            ("Name: Premium Plan\n", &[]),
            ("Customer: Yes\n", &[]),
            ("Product name: Vodaxo Ultra\n", &[]),
            ("Customer: Ngozi Eze\n", &["Ngozi Eze"]),
            ("Customer: Yeah Sure\n", &[]),
            // Notes.
            (
                "Spoke w/ Folasade Ogunleye. Refund agreed.",
                &["Folasade Ogunleye"],
            ),
            ("spoke with Billing about it", &[]),
            ("Spoke to Tech Support re outage", &[]),
            ("cust Ciarán Ó Dálaigh rang re bill", &["Ciarán Ó Dálaigh"]),
            ("Cust Billing Dept rang", &[]),
            // Greetings and thanks.
            ("Agent: cheers Obinna!", &["Obinna"]),
            ("Thanks Team!", &[]),
            ("Hi All,", &[]),
            ("Dear Sir or Madam,", &[]),
            ("Hi Northwind,\nplease help", &[]),
            // Sign-offs.
            (
                "Bien à vous,\nThanks,\nRenée Dubois-Marchand\n",
                &["Renée Dubois-Marchand"],
            ),
            ("Regards,\nCustomer Services\n", &[]),
            ("Kind regards,\nThe Billing Team\n", &[]),
            ("Saludos,\nJOSÉ GARCÍA\n", &["JOSÉ GARCÍA"]),
            // Surname first, accents, answers.
            (
                "Escalated. Ó Briain, Tadhg - vulnerable.",
                &["Ó Briain, Tadhg"],
            ),
            ("Leeds, Oxford and York.", &[]),
            (
                "Agent: and your surname please\nCust: Adebayo\n",
                &["Adebayo"],
            ),
            ("agent: your name?\ncaller: yeah sure\n", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(names_in(text), *want, "{text:?}");
        }
    }

    #[test]
    fn corrected_spans() {
        let cases: &[(&str, &[&str])] = &[
            (
                "My wife Margaret \"Peggy\" Holloway called.",
                &["Margaret \"Peggy\" Holloway"],
            ),
            ("Cust: sarah okafor, le1 2ab", &["sarah okafor"]),
            ("Cust: sarah wants a refund", &["sarah"]),
            ("username is john_k99 ok", &[]),
            ("Le meas,\nAoife\n", &["Aoife"]),
            ("Un saludo,\nMarta\n", &["Marta"]),
            ("Ver 2.4.1 installed.", &[]),
        ];
        for (text, want) in cases {
            assert_eq!(names_in(text), *want, "{text:?}");
        }
    }
}
