//! Identifier newtypes. Ids are opaque strings (UCS style) limited to a safe alphabet so
//! they can appear in paths, file names and logs without escaping.

use rand::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A tenant is an integer, as in Genesys UCS (`TenantId`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TenantId(pub i64);

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    #[error("{kind} id must be 1 to 64 characters of A-Z, a-z, 0-9, '-', '_' or '.'")]
    Invalid { kind: &'static str },
}

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

fn valid(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && s != "."
        && s != ".."
}

/// A fresh 16-character alphanumeric id, UCS style.
pub fn generate_id() -> String {
    let mut rng = rand::thread_rng();
    (0..16)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

macro_rules! string_id {
    ($name:ident, $kind:literal) => {
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(s: &str) -> Result<Self, IdError> {
                if valid(s) {
                    Ok(Self(s.to_owned()))
                } else {
                    Err(IdError::Invalid { kind: $kind })
                }
            }
            pub fn generate() -> Self {
                Self(generate_id())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }

        impl std::str::FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                $name::parse(s)
            }
        }
    };
}

string_id!(ContactId, "contact");
string_id!(InteractionId, "interaction");
string_id!(ParticipantId, "participant");
string_id!(AttachmentId, "attachment");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse() {
        for ok in ["a", "0001Ka7Y5BsQ0ABC", "conv-1_2.x"] {
            assert!(ContactId::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a b", "../x", "..", "é", &"x".repeat(65)] {
            assert!(ContactId::parse(bad).is_err(), "{bad}");
        }
        let g = ContactId::generate();
        assert_eq!(g.as_str().len(), 16);
        assert!(ContactId::parse(g.as_str()).is_ok());
    }
}
