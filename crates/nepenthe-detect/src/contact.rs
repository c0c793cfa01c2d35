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
    /// Every known value with the entity type it would be reported as
    /// (blank values skipped): first names, last names, e-mails, phones,
    /// street addresses, postcodes, dates of birth, then the custom keys
    /// whose names say what they hold.
    pub fn values(&self) -> impl Iterator<Item = (EntityType, &str)> + '_ {
        Values {
            contact: self,
            field: 0,
            items: [].iter(),
            ty: EntityType::Person,
            custom: self.custom.iter(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.values().next().is_none() && self.town.is_empty()
    }
}

/// The iterator behind [`KnownContact::values`]: one field's values at a
/// time, without nested adapters (it runs for every scanned document).
struct Values<'a> {
    contact: &'a KnownContact,
    /// Next standard field (0..7); 7 once the custom keys are under way.
    field: u8,
    items: std::slice::Iter<'a, String>,
    ty: EntityType,
    custom: std::collections::btree_map::Iter<'a, String, Vec<String>>,
}

impl<'a> Iterator for Values<'a> {
    type Item = (EntityType, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            for v in self.items.by_ref() {
                if !is_blank(v) {
                    return Some((self.ty, v.as_str()));
                }
            }
            let c = self.contact;
            let (ty, vs) = match self.field {
                0 => (EntityType::Person, &c.first_name),
                1 => (EntityType::Person, &c.last_name),
                2 => (EntityType::EmailAddress, &c.email_address),
                3 => (EntityType::PhoneNumber, &c.phone_number),
                4 => (EntityType::StreetAddress, &c.street_address),
                5 => (EntityType::Postcode, &c.postcode),
                6 => (EntityType::DateOfBirth, &c.date_of_birth),
                _ => loop {
                    let (k, v) = self.custom.next()?;
                    if let Some(t) = custom_key_type(k) {
                        break (t, v);
                    }
                },
            };
            self.field = self.field.saturating_add(1).min(7);
            self.ty = ty;
            self.items = vs.iter();
        }
    }
}

/// Empty or only white space (ASCII checked first: the common case).
fn is_blank(s: &str) -> bool {
    match s.as_bytes().first() {
        None => true,
        Some(&b) if b > b' ' && b < 0x80 => false,
        _ => s.trim().is_empty(),
    }
}

/// What a custom attribute holds, judged from its key.
fn custom_key_type(key: &str) -> Option<EntityType> {
    let has = |part: &str| {
        key.as_bytes()
            .windows(part.len())
            .any(|w| w.eq_ignore_ascii_case(part.as_bytes()))
    };
    if has("birth") || key.eq_ignore_ascii_case("dob") {
        Some(EntityType::DateOfBirth)
    } else if has("email") {
        Some(EntityType::EmailAddress)
    } else if has("phone") || has("mobile") || has("tel") {
        Some(EntityType::PhoneNumber)
    } else if has("postcode") || has("zip") || has("postal") {
        Some(EntityType::Postcode)
    } else if has("address") || has("street") {
        Some(EntityType::StreetAddress)
    } else if has("name") {
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

    #[test]
    fn values_in_field_order_without_blanks() {
        let c: KnownContact = serde_json::from_str(
            r#"{"Postcode":["LS1 4AB"," "],"FirstName":["","Zoë","\u000b"],"LastName":"Kowalski",
                "PhoneNumber":"07700 900123","DateOfBirth":"1984-03-03","EmailAddress":"z@x.com",
                "StreetAddress":"1 High St","Town":"Leeds","WorkTel":"020 7946 0018",
                "AccountNumber":"12345","MotherMaidenNAME":"Smith","DOB":"1990-01-01","HomeZip":"90210"}"#,
        )
        .unwrap();
        let got: Vec<(EntityType, &str)> = c.values().collect();
        use EntityType::*;
        assert_eq!(
            got,
            [
                (Person, "Zoë"),
                (Person, "Kowalski"),
                (EmailAddress, "z@x.com"),
                (PhoneNumber, "07700 900123"),
                (StreetAddress, "1 High St"),
                (Postcode, "LS1 4AB"),
                (DateOfBirth, "1984-03-03"),
                (DateOfBirth, "1990-01-01"),
                (Postcode, "90210"),
                (Person, "Smith"),
                (PhoneNumber, "020 7946 0018"),
            ]
        );
        assert!(!c.is_empty());
        assert!(KnownContact::default().is_empty());
    }
}
