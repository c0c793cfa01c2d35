//! Checksums and structural rules that turn a pattern match into a finding.
//!
//! Every function takes the matched text and ignores separators, so callers can
//! pass "4111 1111-1111 1111" as written.

/// Luhn (mod 10) over the ASCII digits of `s`; false for fewer than 2 digits.
pub fn luhn(s: &str) -> bool {
    let mut sum = 0u32;
    let mut n = 0;
    for b in s.bytes().rev().filter(u8::is_ascii_digit) {
        let mut d = u32::from(b - b'0');
        if n % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        n += 1;
    }
    n >= 2 && sum % 10 == 0
}

/// The ASCII digits of `s` on the stack, with their count; `None` when
/// there are more than `N`.
pub(crate) fn ascii_digits<const N: usize>(s: &str) -> Option<([u8; N], usize)> {
    let mut buf = [0u8; N];
    let mut n = 0;
    for b in s.bytes().filter(u8::is_ascii_digit) {
        *buf.get_mut(n)? = b;
        n += 1;
    }
    Some((buf, n))
}

/// A payment card number: 13..=19 digits, a known issuer prefix and a valid Luhn digit.
pub fn credit_card(s: &str) -> bool {
    let Some((buf, n)) = ascii_digits::<19>(s) else {
        return false;
    };
    let digits = &buf[..n];
    if !(13..=19).contains(&digits.len()) || digits.iter().all(|&d| d == digits[0]) {
        return false;
    }
    let p2 = (digits[0] - b'0') as u32 * 10 + (digits[1] - b'0') as u32;
    let p4 = p2 * 100 + (digits[2] - b'0') as u32 * 10 + (digits[3] - b'0') as u32;
    let n = digits.len();
    let issuer = match digits[0] {
        b'4' => n == 13 || n == 16 || n == 19,          // Visa
        b'5' => (51..=55).contains(&p2) && n == 16,     // Mastercard
        b'2' => (2221..=2720).contains(&p4) && n == 16, // Mastercard 2-series
        b'3' => {
            ((p2 == 34 || p2 == 37) && n == 15)
                || ((p2 == 36 || p2 == 38 || p2 == 30) && n >= 14)
                || (p2 == 35 && n >= 16)
        } // Amex, Diners, JCB
        b'6' => p4 == 6011 || p2 == 65 || (644..=649).contains(&(p4 / 10)) || p2 == 62 || p2 == 67, // Discover, UnionPay, Maestro
        _ => false,
    };
    issuer && luhn(s)
}

/// Expected IBAN length per country (ISO 13616 registry, the countries most
/// often seen by UK and US contact centres plus the rest of SEPA).
pub fn iban_length(cc: &[u8]) -> Option<usize> {
    Some(match cc {
        b"AD" => 24,
        b"AT" => 20,
        b"BE" => 16,
        b"BG" => 22,
        b"CH" => 21,
        b"CY" => 28,
        b"CZ" => 24,
        b"DE" => 22,
        b"DK" => 18,
        b"EE" => 20,
        b"ES" => 24,
        b"FI" => 18,
        b"FR" => 27,
        b"GB" => 22,
        b"GI" => 23,
        b"GR" => 27,
        b"HR" => 21,
        b"HU" => 28,
        b"IE" => 22,
        b"IS" => 26,
        b"IT" => 27,
        b"LI" => 21,
        b"LT" => 20,
        b"LU" => 20,
        b"LV" => 21,
        b"MC" => 27,
        b"MT" => 31,
        b"NL" => 18,
        b"NO" => 15,
        b"PL" => 28,
        b"PT" => 25,
        b"RO" => 24,
        b"SE" => 24,
        b"SI" => 19,
        b"SK" => 24,
        b"SM" => 27,
        b"TR" => 26,
        b"VA" => 22,
        b"GG" => 22,
        b"JE" => 22,
        b"IM" => 22,
        _ => return None,
    })
}

/// ISO 13616 mod-97 over an IBAN given without separators (upper case).
pub fn iban_mod97(compact: &[u8]) -> bool {
    if compact.len() < 15 || compact.len() > 34 {
        return false;
    }
    let mut rem: u32 = 0;
    for &b in compact[4..].iter().chain(compact[..4].iter()) {
        match b {
            b'0'..=b'9' => rem = (rem * 10 + u32::from(b - b'0')) % 97,
            b'A'..=b'Z' => rem = (rem * 100 + u32::from(b - b'A' + 10)) % 97,
            _ => return false,
        }
    }
    rem == 1
}

/// A whole IBAN as written (spaces allowed): known country, right length, mod-97.
pub fn iban(s: &str) -> bool {
    let compact: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| b.to_ascii_uppercase())
        .collect();
    compact.len() >= 4
        && iban_length(&compact[..2]) == Some(compact.len())
        && compact[2].is_ascii_digit()
        && compact[3].is_ascii_digit()
        && iban_mod97(&compact)
}

/// UK National Insurance number prefix rules (HMRC): the first letter is not
/// D, F, I, Q, U or V; the second is not D, F, I, O, Q, U or V; and the pair is
/// not one of the administrative prefixes BG, GB, KN, NK, NT, TN, ZZ.
pub fn nino_prefix(a: u8, b: u8) -> bool {
    let a = a.to_ascii_uppercase();
    let b = b.to_ascii_uppercase();
    if !a.is_ascii_uppercase() || !b.is_ascii_uppercase() {
        return false;
    }
    if b"DFIQUV".contains(&a) || b"DFIOQUV".contains(&b) {
        return false;
    }
    !matches!(
        &[a, b],
        b"BG" | b"GB" | b"KN" | b"NK" | b"NT" | b"TN" | b"ZZ"
    )
}

/// A NINO as written: two prefix letters, six digits, suffix A-D (spaces allowed).
pub fn nino(s: &str) -> bool {
    let c: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    c.len() == 9
        && nino_prefix(c[0], c[1])
        && c[2..8].iter().all(u8::is_ascii_digit)
        && matches!(c[8].to_ascii_uppercase(), b'A'..=b'D')
}

/// US SSN area/group/serial rules (SSA): area not 000, 666 or 900-999; group
/// not 00; serial not 0000; and not one of the well-known advertising numbers.
pub fn ssn_parts(area: u32, group: u32, serial: u32) -> bool {
    area != 0
        && area != 666
        && area < 900
        && group != 0
        && serial != 0
        && !matches!(
            (area, group, serial),
            (123, 45, 6789) | (78, 5, 1120) | (219, 9, 9999)
        )
}

/// An SSN as written (`AAA-GG-SSSS`, `AAA GG SSSS` or nine digits).
pub fn ssn(s: &str) -> bool {
    let mut d = [0u32; 9];
    let mut n = 0;
    for b in s.bytes().filter(u8::is_ascii_digit) {
        if n == d.len() {
            return false;
        }
        d[n] = u32::from(b - b'0');
        n += 1;
    }
    if n != 9 || d.iter().all(|&x| x == d[0]) {
        return false;
    }
    let area = d[0] * 100 + d[1] * 10 + d[2];
    let group = d[3] * 10 + d[4];
    let serial = d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8];
    ssn_parts(area, group, serial)
}

/// A calendar date check (Gregorian, years 1900..=2099).
pub fn date(y: u32, m: u32, d: u32) -> bool {
    if !(1900..=2099).contains(&y) || !(1..=12).contains(&m) || d == 0 {
        return false;
    }
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    d <= dim[(m - 1) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(f: fn(&str) -> bool, cases: &[(&str, bool)]) {
        for (input, want) in cases {
            assert_eq!(f(input), *want, "{input:?}");
        }
    }

    #[test]
    fn cards() {
        check(
            credit_card,
            &[
                ("4111 1111 1111 1111", true),
                ("4111-1111-1111-1111", true),
                ("4111111111111112", false), // bad check digit
                ("5500 0000 0000 0004", true),
                ("2221000000000009", true),
                ("3782 822463 10005", true), // Amex
                ("6011111111111117", true),  // Discover
                ("6011111111111118", false),
                ("1234567812345670", false), // Luhn-valid, no issuer
                ("0000000000000000", false),
                ("411111111111", false), // too short
            ],
        );
    }

    #[test]
    fn ibans() {
        check(
            iban,
            &[
                ("GB29 NWBK 6016 1331 9268 19", true),
                ("GB29NWBK60161331926819", true),
                ("GB28 NWBK 6016 1331 9268 19", false), // bad check digits
                ("GB29 NWBK 6016 1331 9268 1", false),  // wrong length
                ("DE89 3704 0044 0532 0130 00", true),
                ("FR14 2004 1010 0505 0001 3M02 606", true),
                ("NL91 ABNA 0417 1643 00", true),
                ("XX29 NWBK 6016 1331 9268 19", false), // unknown country
            ],
        );
    }

    #[test]
    fn ninos() {
        check(
            nino,
            &[
                ("AB 12 34 56 C", true),
                ("AB123456C", true),
                ("DA123456C", false), // D not allowed first
                ("AO123456C", false), // O not allowed second
                ("GB123456C", false), // administrative prefix
                ("NK123456A", false),
                ("AB123456E", false), // suffix
                ("AB12345C", false),
            ],
        );
    }

    #[test]
    fn ssns() {
        check(
            ssn,
            &[
                ("536-90-4399", true),
                ("536 90 4399", true),
                ("000-12-3456", false),
                ("666-12-3456", false),
                ("912-12-3456", false),
                ("536-00-4399", false),
                ("536-90-0000", false),
                ("123-45-6789", false),
                ("111-11-1111", false),
            ],
        );
    }

    #[test]
    fn dates() {
        assert!(date(1984, 2, 29));
        assert!(!date(1983, 2, 29));
        assert!(!date(1984, 13, 1));
        assert!(!date(1899, 1, 1));
    }
}
