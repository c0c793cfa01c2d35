//! The entity types the detector reports.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A kind of personal data found in free text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EntityType {
    Person,
    EmailAddress,
    PhoneNumber,
    CreditCard,
    IbanCode,
    UsSsn,
    UkNino,
    IpAddress,
    DateOfBirth,
    StreetAddress,
    Postcode,
}

impl EntityType {
    /// Every type, in a stable order.
    pub const ALL: [EntityType; 11] = [
        EntityType::Person,
        EntityType::EmailAddress,
        EntityType::PhoneNumber,
        EntityType::CreditCard,
        EntityType::IbanCode,
        EntityType::UsSsn,
        EntityType::UkNino,
        EntityType::IpAddress,
        EntityType::DateOfBirth,
        EntityType::StreetAddress,
        EntityType::Postcode,
    ];

    /// The wire name, e.g. `"PHONE_NUMBER"`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityType::Person => "PERSON",
            EntityType::EmailAddress => "EMAIL_ADDRESS",
            EntityType::PhoneNumber => "PHONE_NUMBER",
            EntityType::CreditCard => "CREDIT_CARD",
            EntityType::IbanCode => "IBAN_CODE",
            EntityType::UsSsn => "US_SSN",
            EntityType::UkNino => "UK_NINO",
            EntityType::IpAddress => "IP_ADDRESS",
            EntityType::DateOfBirth => "DATE_OF_BIRTH",
            EntityType::StreetAddress => "STREET_ADDRESS",
            EntityType::Postcode => "POSTCODE",
        }
    }

    /// A bit for compact type sets.
    pub(crate) fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for an unknown entity type name. It echoes the name, which is a
/// type label from the caller's options, never text being scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEntityType(pub String);

impl fmt::Display for UnknownEntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown entity type {:?}", self.0)
    }
}

impl std::error::Error for UnknownEntityType {}

impl FromStr for EntityType {
    type Err = UnknownEntityType;

    /// Accepts the wire names and a few common aliases, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm: String = s
            .trim()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        Ok(match norm.as_str() {
            "PERSON" | "NAME" => EntityType::Person,
            "EMAIL_ADDRESS" | "EMAIL" => EntityType::EmailAddress,
            "PHONE_NUMBER" | "PHONE" => EntityType::PhoneNumber,
            "CREDIT_CARD" | "CARD" => EntityType::CreditCard,
            "IBAN_CODE" | "IBAN" => EntityType::IbanCode,
            "US_SSN" | "SSN" => EntityType::UsSsn,
            "UK_NINO" | "NINO" => EntityType::UkNino,
            "IP_ADDRESS" | "IP" => EntityType::IpAddress,
            "DATE_OF_BIRTH" | "DOB" => EntityType::DateOfBirth,
            "STREET_ADDRESS" => EntityType::StreetAddress,
            "POSTCODE" | "ZIP" | "POSTAL_CODE" => EntityType::Postcode,
            _ => return Err(UnknownEntityType(s.to_string())),
        })
    }
}

/// A set of entity types (a bit set), used to filter detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EntitySet(u16);

impl EntitySet {
    pub fn all() -> Self {
        EntitySet(EntityType::ALL.iter().fold(0, |a, t| a | t.bit()))
    }

    pub fn empty() -> Self {
        EntitySet(0)
    }

    pub fn contains(self, t: EntityType) -> bool {
        self.0 & t.bit() != 0
    }

    pub fn insert(&mut self, t: EntityType) {
        self.0 |= t.bit();
    }

    /// `ADDRESS` is accepted as a shorthand for street addresses and postcodes.
    pub fn parse_list(s: &str) -> Result<Self, UnknownEntityType> {
        let mut set = EntitySet::empty();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part.eq_ignore_ascii_case("address") {
                set.insert(EntityType::StreetAddress);
                set.insert(EntityType::Postcode);
            } else {
                set.insert(part.parse()?);
            }
        }
        Ok(set)
    }
}

impl FromIterator<EntityType> for EntitySet {
    fn from_iter<I: IntoIterator<Item = EntityType>>(iter: I) -> Self {
        let mut s = EntitySet::empty();
        for t in iter {
            s.insert(t);
        }
        s
    }
}
