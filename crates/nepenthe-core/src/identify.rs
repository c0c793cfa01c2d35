//! Contact identification, Genesys UCS style.
//!
//! A request names a `TenantId` plus any of `EmailAddress`, `PhoneNumber`, `FirstName`,
//! `LastName`, `Title`, contact ids (`ContactId`, `Id` or `ContactIds`) or custom attributes.
//! Attributes are ranked (contact ids -1, EmailAddress 0, PhoneNumber 1, FirstName/LastName 2,
//! Title 3, custom attributes configurable, default 4). Only the best-ranked attributes present
//! are used, and every one of them must match. Values are compared after normalisation.

use crate::ids::{ContactId, TenantId};
use crate::normalize::{self, FormatError};
use serde_json::Value;
use std::collections::BTreeMap;

/// What a blind index entry (or a plaintext comparison) is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IndexKind {
    Email,
    Phone,
    FirstName,
    LastName,
    Title,
    Attr(String),
}

impl IndexKind {
    /// Stable label used as the HMAC domain separator and in the index table.
    pub fn label(&self) -> String {
        match self {
            IndexKind::Email => "email".into(),
            IndexKind::Phone => "phone".into(),
            IndexKind::FirstName => "first_name".into(),
            IndexKind::LastName => "last_name".into(),
            IndexKind::Title => "title".into(),
            IndexKind::Attr(name) => format!("attr:{name}"),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdentifyError {
    #[error("identification request must be a JSON object")]
    NotAnObject,
    #[error("identification request needs an integer TenantId")]
    MissingTenant,
    #[error("identification request has no values at all besides TenantId")]
    Empty,
    #[error("unknown attribute '{0}' in identification request (known: EmailAddress, PhoneNumber, FirstName, LastName, Title, ContactId, ContactIds, Attributes, or a configured custom attribute)")]
    UnknownAttribute(String),
    #[error("attribute '{0}' must be a string or an array of strings")]
    WrongType(String),
    #[error("attribute '{attribute}': {source}")]
    Format {
        attribute: String,
        source: FormatError,
    },
    #[error("invalid contact id in identification request")]
    BadId,
}

/// Configuration of identification: ranks of custom attributes and the default phone region.
#[derive(Clone, Debug)]
pub struct IdentifyConfig {
    pub custom_ranks: BTreeMap<String, i32>,
    pub default_custom_rank: i32,
    pub default_region: String,
}

impl Default for IdentifyConfig {
    fn default() -> Self {
        IdentifyConfig {
            custom_ranks: BTreeMap::new(),
            default_custom_rank: 4,
            default_region: "GB".into(),
        }
    }
}

/// A parsed identification request.
#[derive(Clone, PartialEq, Eq)]
pub struct IdentifyRequest {
    pub tenant_id: TenantId,
    pub contact_ids: Vec<ContactId>,
    /// (rank, kind, normalised value), every value already normalised.
    pub criteria: Vec<(i32, IndexKind, String)>,
}

impl std::fmt::Debug for IdentifyRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IdentifyRequest")
            .field("tenant_id", &self.tenant_id)
            .field("contact_ids", &self.contact_ids.len())
            .field("criteria", &self.criteria.len())
            .finish()
    }
}

/// What the store must do to answer a request: contacts that have every listed index entry,
/// restricted to `contact_ids` when present.
#[derive(Clone, PartialEq, Eq)]
pub struct MatchPlan {
    pub contact_ids: Option<Vec<ContactId>>,
    pub all_of: Vec<(IndexKind, String)>,
}

fn strings(key: &str, v: &Value) -> Result<Vec<String>, IdentifyError> {
    match v {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| IdentifyError::WrongType(key.into()))
            })
            .collect(),
        _ => Err(IdentifyError::WrongType(key.into())),
    }
}

impl IdentifyRequest {
    /// Parses a UCS identification request such as
    /// `{"TenantId":101,"EmailAddress":"jane.doe@company.com"}`.
    pub fn from_json(v: &Value, cfg: &IdentifyConfig) -> Result<Self, IdentifyError> {
        let obj = v.as_object().ok_or(IdentifyError::NotAnObject)?;
        let tenant_id = obj
            .get("TenantId")
            .and_then(|t| {
                t.as_i64()
                    .or_else(|| t.as_str().and_then(|s| s.parse().ok()))
            })
            .map(TenantId)
            .ok_or(IdentifyError::MissingTenant)?;
        let mut req = IdentifyRequest {
            tenant_id,
            contact_ids: vec![],
            criteria: vec![],
        };
        let fmt_err = |attribute: &str, source| IdentifyError::Format {
            attribute: attribute.into(),
            source,
        };
        for (key, value) in obj {
            match key.as_str() {
                "TenantId" => {}
                "ContactId" | "Id" | "ContactIds" => {
                    for s in strings(key, value)? {
                        req.contact_ids
                            .push(ContactId::parse(s.trim()).map_err(|_| IdentifyError::BadId)?);
                    }
                }
                "EmailAddress" => {
                    for s in strings(key, value)? {
                        let n = normalize::email(&s).map_err(|e| fmt_err(key, e))?;
                        req.criteria.push((0, IndexKind::Email, n));
                    }
                }
                "PhoneNumber" => {
                    for s in strings(key, value)? {
                        let n = normalize::phone(&s, &cfg.default_region)
                            .map_err(|e| fmt_err(key, e))?;
                        req.criteria.push((1, IndexKind::Phone, n));
                    }
                }
                "FirstName" | "LastName" | "Title" => {
                    let (rank, kind) = match key.as_str() {
                        "FirstName" => (2, IndexKind::FirstName),
                        "LastName" => (2, IndexKind::LastName),
                        _ => (3, IndexKind::Title),
                    };
                    for s in strings(key, value)? {
                        req.criteria.push((rank, kind.clone(), normalize::fold(&s)));
                    }
                }
                "Attributes" => {
                    let attrs = value
                        .as_object()
                        .ok_or_else(|| IdentifyError::WrongType(key.clone()))?;
                    for (name, v) in attrs {
                        let rank = cfg
                            .custom_ranks
                            .get(name)
                            .copied()
                            .unwrap_or(cfg.default_custom_rank);
                        for s in strings(name, v)? {
                            req.criteria.push((
                                rank,
                                IndexKind::Attr(name.clone()),
                                normalize::fold(&s),
                            ));
                        }
                    }
                }
                other => match cfg.custom_ranks.get(other) {
                    Some(&rank) => {
                        for s in strings(key, value)? {
                            req.criteria.push((
                                rank,
                                IndexKind::Attr(other.to_owned()),
                                normalize::fold(&s),
                            ));
                        }
                    }
                    None => return Err(IdentifyError::UnknownAttribute(other.to_owned())),
                },
            }
        }
        req.criteria.retain(|(_, _, v)| !v.is_empty());
        if req.contact_ids.is_empty() && req.criteria.is_empty() {
            return Err(IdentifyError::Empty);
        }
        Ok(req)
    }

    /// A request for explicit contact ids.
    pub fn by_ids(tenant_id: TenantId, ids: Vec<ContactId>) -> Self {
        IdentifyRequest {
            tenant_id,
            contact_ids: ids,
            criteria: vec![],
        }
    }

    /// Applies the ranking rule: contact ids win outright; otherwise only the best-ranked
    /// attributes present are kept, and all of them must match.
    pub fn plan(&self) -> MatchPlan {
        if !self.contact_ids.is_empty() {
            return MatchPlan {
                contact_ids: Some(self.contact_ids.clone()),
                all_of: vec![],
            };
        }
        let best = self.criteria.iter().map(|c| c.0).min().unwrap_or(0);
        let mut all_of: Vec<(IndexKind, String)> = self
            .criteria
            .iter()
            .filter(|c| c.0 == best)
            .map(|c| (c.1.clone(), c.2.clone()))
            .collect();
        all_of.sort();
        all_of.dedup();
        MatchPlan {
            contact_ids: None,
            all_of,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<IdentifyRequest, IdentifyError> {
        let mut cfg = IdentifyConfig::default();
        cfg.custom_ranks.insert("LoyaltyId".into(), 1);
        IdentifyRequest::from_json(&v, &cfg)
    }

    #[test]
    fn best_rank_wins() {
        let r =
            parse(json!({"TenantId":101,"EmailAddress":"Jane.Doe@Company.com","FirstName":"Jane"}))
                .unwrap();
        let p = r.plan();
        assert_eq!(
            p.all_of,
            vec![(IndexKind::Email, "jane.doe@company.com".into())]
        );

        let r = parse(json!({"TenantId":101,"FirstName":" JANE ","LastName":"Doe","Title":"Dr"}))
            .unwrap();
        assert_eq!(
            r.plan().all_of,
            vec![
                (IndexKind::FirstName, "jane".into()),
                (IndexKind::LastName, "doe".into())
            ]
        );

        let r =
            parse(json!({"TenantId":"101","PhoneNumber":"07700 900123","LoyaltyId":"X1"})).unwrap();
        assert_eq!(r.tenant_id, TenantId(101));
        assert_eq!(
            r.plan().all_of.len(),
            2,
            "configured custom rank 1 ties with phone"
        );

        let r = parse(json!({"TenantId":101,"ContactId":"abc","EmailAddress":"a@b.co"})).unwrap();
        assert_eq!(r.plan().contact_ids.unwrap().len(), 1);
    }

    #[test]
    fn bad_requests() {
        assert_eq!(parse(json!([])), Err(IdentifyError::NotAnObject));
        assert_eq!(
            parse(json!({"EmailAddress":"a@b.co"})),
            Err(IdentifyError::MissingTenant)
        );
        assert_eq!(parse(json!({"TenantId":101})), Err(IdentifyError::Empty));
        assert_eq!(
            parse(json!({"TenantId":101,"FirstName":"  "})),
            Err(IdentifyError::Empty)
        );
        assert!(matches!(
            parse(json!({"TenantId":101,"Emial":"a@b.co"})),
            Err(IdentifyError::UnknownAttribute(_))
        ));
        assert!(matches!(
            parse(json!({"TenantId":101,"EmailAddress":5})),
            Err(IdentifyError::WrongType(_))
        ));
        assert!(matches!(
            parse(json!({"TenantId":101,"EmailAddress":"nope"})),
            Err(IdentifyError::Format { .. })
        ));
        // The value never appears in the error message.
        let e = parse(json!({"TenantId":101,"EmailAddress":"secret-value"})).unwrap_err();
        assert!(!e.to_string().contains("secret-value"));
    }
}
