//! Normalisation of the values used for matching: e-mails compare case-insensitively,
//! phone numbers compare in E.164 form, names compare case-folded with collapsed spaces.

use phonenumber::country;
use std::str::FromStr;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FormatError {
    // Messages never include the offending value: it is personal data.
    #[error("invalid e-mail address")]
    Email,
    #[error("invalid phone number (use international form such as +44 7700 900123, or a number valid in the default region)")]
    Phone,
    #[error("invalid default region code")]
    Region,
}

/// Validates an e-mail address and returns its comparison form (trimmed, lower-cased).
pub fn email(raw: &str) -> Result<String, FormatError> {
    let s = raw.trim();
    let (local, domain) = s.rsplit_once('@').ok_or(FormatError::Email)?;
    let ok = !local.is_empty()
        && local.len() <= 64
        && s.len() <= 254
        && !local.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && s.chars().all(|c| !c.is_whitespace() && !c.is_control())
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    if ok {
        Ok(s.to_lowercase())
    } else {
        Err(FormatError::Email)
    }
}

/// Parses a phone number, national numbers read in `region` (ISO 3166 alpha-2, e.g. "GB"),
/// and returns it in E.164 form. Numbers are accepted when they parse to a plausible
/// length; reserved ranges (such as Ofcom's drama numbers) are accepted on purpose, since a
/// contact centre stores what customers give.
pub fn phone(raw: &str, region: &str) -> Result<String, FormatError> {
    let region =
        country::Id::from_str(&region.to_ascii_uppercase()).map_err(|_| FormatError::Region)?;
    let trimmed = raw.trim();
    if trimmed.is_empty()
        || trimmed.len() > 40
        || !trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().\u{a0}/".contains(c))
        || trimmed.chars().filter(|c| c.is_ascii_digit()).count() < 6
    {
        return Err(FormatError::Phone);
    }
    let n = phonenumber::parse(Some(region), trimmed).map_err(|_| FormatError::Phone)?;
    let national = n.national().value().to_string();
    if !(4..=15).contains(&national.len()) {
        return Err(FormatError::Phone);
    }
    Ok(n.format().mode(phonenumber::Mode::E164).to_string())
}

/// Case-folded, whitespace-collapsed form of a name or free attribute value.
pub fn fold(raw: &str) -> String {
    raw.split_whitespace()
        .map(|w| w.to_lowercase())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        assert_eq!(
            email(" Jane.Doe@Company.COM ").unwrap(),
            "jane.doe@company.com"
        );
        for bad in [
            "",
            "jane",
            "@x.com",
            "jane@",
            "jane@com",
            "ja ne@x.com",
            "j@x..com",
            "j@.x.com",
        ] {
            assert_eq!(email(bad), Err(FormatError::Email), "{bad}");
        }
    }

    #[test]
    fn phones_compare_in_e164() {
        let a = phone("07700 900123", "GB").unwrap();
        let b = phone("+44 7700 900123", "GB").unwrap();
        assert_eq!(a, "+447700900123");
        assert_eq!(a, b);
        assert_eq!(phone("(415) 555-0132", "US").unwrap(), "+14155550132");
        assert_eq!(phone("+1 415 555 0132", "GB").unwrap(), "+14155550132");
        for bad in ["", "abc", "12", "+44 7700 9001x3", "0"] {
            assert_eq!(phone(bad, "GB"), Err(FormatError::Phone), "{bad}");
        }
        assert_eq!(phone("07700 900123", "XX"), Err(FormatError::Region));
    }

    #[test]
    fn folding() {
        assert_eq!(fold("  Zoë   O'Brien "), "zoë o'brien");
    }
}
