//! Speech-to-text forms: numbers read out digit by digit ("oh seven seven
//! double oh nine ..."), e-mail addresses spelt with "dot" and "at", and
//! dates in words (parsed in `patterns::all_dates` with the helpers below).

use crate::names::{Tok, T_ALPHA, T_DIGIT};
use crate::patterns::{ctx_before, valid_phone, Patterns};
use crate::{validate, Cand, DetectorConfig, Doc, EntityType};

fn digit_word(w: &str) -> Option<u8> {
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

fn small_number(w: &str) -> Option<u32> {
    Some(match w {
        "oh" | "zero" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

/// "third" -> 3, "twenty first" -> 21.
pub(crate) fn ordinal_value(s: &str) -> Option<u32> {
    const ORD: [&str; 20] = [
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
    let mut total = 0;
    for w in s.split([' ', '-']).filter(|w| !w.is_empty()) {
        if let Some(p) = ORD.iter().position(|o| *o == w) {
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

pub(crate) fn run(
    doc: &Doc<'_>,
    toks: &[Tok],
    pats: &Patterns,
    _cfg: &DetectorConfig,
    out: &mut Vec<Cand>,
) {
    spoken_numbers(doc, toks, out);
    let lower = doc.lower.as_bytes();
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
}

fn spoken_numbers(doc: &Doc<'_>, toks: &[Tok], out: &mut Vec<Cand>) {
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
                && ctx_before(lower, start, 80, &["ssn", "social security"]).is_some()
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
        }
        i = j.max(i + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_and_ordinals() {
        assert_eq!(year_value("nineteen eighty four"), Some(1984));
        assert_eq!(year_value("nineteen oh five"), Some(1905));
        assert_eq!(year_value("two thousand and three"), Some(2003));
        assert_eq!(year_value("nineteen"), None);
        assert_eq!(ordinal_value("third"), Some(3));
        assert_eq!(ordinal_value("twenty first"), Some(21));
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
}
