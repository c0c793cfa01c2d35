//! The document's known contact: the values a contact store already holds
//! about the person an interaction belongs to.

use crate::EntityType;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Known attributes of the document's contact, in UCS-style keys.
///
/// Deserialises from `{"FirstName": "Zoë", "PhoneNumber": ["07700 900123", ...], ...}`;
/// every value may be a string, a number, an array of those, or null. Keys
/// other than the standard ones go to `custom` and are matched too when their
/// name says what they hold (`...Name`, `...Email...`, `...Phone...`,
/// `...Address...`, `...Postcode...`/`...Zip...`, `...Birth...`).
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KnownContact {
    pub first_name: Vec<String>,
    pub last_name: Vec<String>,
    pub email_address: Vec<String>,
    pub phone_number: Vec<String>,
    pub street_address: Vec<String>,
    pub town: Vec<String>,
    pub postcode: Vec<String>,
    pub date_of_birth: Vec<String>,
    #[serde(flatten)]
    pub custom: BTreeMap<String, Vec<String>>,
}

/// The values are personal data: `Debug` shows only how many there are.
impl fmt::Debug for KnownContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KnownContact")
            .field("values", &self.values().count())
            .finish_non_exhaustive()
    }
}

impl KnownContact {
    /// Every known value with the entity type it would be reported as.
    pub fn values(&self) -> impl Iterator<Item = (EntityType, &str)> + '_ {
        let std = [
            (EntityType::Person, &self.first_name),
            (EntityType::Person, &self.last_name),
            (EntityType::EmailAddress, &self.email_address),
            (EntityType::PhoneNumber, &self.phone_number),
            (EntityType::StreetAddress, &self.street_address),
            (EntityType::Postcode, &self.postcode),
            (EntityType::DateOfBirth, &self.date_of_birth),
        ];
        let custom = self
            .custom
            .iter()
            .filter_map(|(k, v)| custom_key_type(k).map(|t| (t, v)));
        std.into_iter()
            .chain(custom)
            .flat_map(|(t, v)| v.iter().map(move |s| (t, s.as_str())))
            .filter(|(_, s)| !s.trim().is_empty())
    }

    pub fn is_empty(&self) -> bool {
        self.values().next().is_none() && self.town.is_empty()
    }
}

/// What a custom attribute holds, judged from its key.
fn custom_key_type(key: &str) -> Option<EntityType> {
    let k = key.to_ascii_lowercase();
    if k.contains("birth") || k == "dob" {
        Some(EntityType::DateOfBirth)
    } else if k.contains("email") {
        Some(EntityType::EmailAddress)
    } else if k.contains("phone") || k.contains("mobile") || k.contains("tel") {
        Some(EntityType::PhoneNumber)
    } else if k.contains("postcode") || k.contains("zip") || k.contains("postal") {
        Some(EntityType::Postcode)
    } else if k.contains("address") || k.contains("street") {
        Some(EntityType::StreetAddress)
    } else if k.contains("name") {
        Some(EntityType::Person)
    } else {
        None
    }
}

struct StrOrVec(Vec<String>);

impl<'de> Deserialize<'de> for StrOrVec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        let mut out = Vec::new();
        fn push(v: serde_json::Value, out: &mut Vec<String>) {
            match v {
                serde_json::Value::String(s) => out.push(s),
                serde_json::Value::Number(n) => out.push(n.to_string()),
                serde_json::Value::Array(a) => a.into_iter().for_each(|x| push(x, out)),
                _ => {}
            }
        }
        push(v, &mut out);
        Ok(StrOrVec(out))
    }
}

impl<'de> Deserialize<'de> for KnownContact {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KnownContact;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of contact attributes")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<KnownContact, A::Error> {
                let mut c = KnownContact::default();
                while let Some(key) = m.next_key::<String>()? {
                    let StrOrVec(vals) = m.next_value()?;
                    let norm: String = key
                        .chars()
                        .filter(|c| c.is_ascii_alphanumeric())
                        .map(|c| c.to_ascii_lowercase())
                        .collect();
                    let slot = match norm.as_str() {
                        "firstname" | "givenname" => &mut c.first_name,
                        "lastname" | "surname" | "familyname" => &mut c.last_name,
                        "emailaddress" | "email" => &mut c.email_address,
                        "phonenumber" | "phone" => &mut c.phone_number,
                        "streetaddress" | "address" => &mut c.street_address,
                        "town" | "city" => &mut c.town,
                        "postcode" | "zip" | "zipcode" | "postalcode" => &mut c.postcode,
                        "dateofbirth" | "dob" | "birthdate" => &mut c.date_of_birth,
                        _ => c.custom.entry(key).or_default(),
                    };
                    slot.extend(vals);
                }
                Ok(c)
            }
        }
        d.deserialize_map(V).map_err(de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deserialises_strings_arrays_and_custom_keys() {
        let c: KnownContact = serde_json::from_str(
            r#"{"FirstName":"Zoë","LastName":["Kowalski"],"PhoneNumber":["07700 900123","020 7946 0018"],
                "DateOfBirth":null,"AccountNumber":12345,"SecondaryEmail":"z@example.com"}"#,
        )
        .unwrap();
        assert_eq!(c.first_name, vec!["Zoë"]);
        assert_eq!(c.phone_number.len(), 2);
        assert!(c.date_of_birth.is_empty());
        assert_eq!(c.custom["AccountNumber"], vec!["12345"]);
        let types: Vec<_> = c.values().map(|(t, _)| t).collect();
        assert!(types.contains(&EntityType::EmailAddress));
        assert!(!format!("{c:?}").contains("Zoë"));
    }
}
