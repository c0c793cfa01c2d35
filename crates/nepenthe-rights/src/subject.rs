//! The subject of a data-subject request: contact ids or a UCS identification request.

use crate::error::{Result, RightsError};
use nepenthe_core::identify::IdentifyConfig;
use nepenthe_core::{ContactId, IdentifyRequest, TenantId};
use serde_json::Value;

/// Who a request is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// Explicit contact ids. Without a tenant, the tenant is found from the ids (they must
    /// all belong to one tenant).
    Ids {
        tenant: Option<TenantId>,
        ids: Vec<ContactId>,
    },
    /// A UCS identification request such as
    /// `{"TenantId":101,"EmailAddress":"jane.doe@company.com"}`.
    Request(IdentifyRequest),
}

impl Subject {
    /// Parses a command-line subject: a JSON identification request (starts with `{`), or
    /// one contact id or a comma-separated list of ids. `tenant` (from `--tenant`) must agree
    /// with the request's `TenantId` when both are given.
    pub fn parse(text: &str, tenant: Option<TenantId>, cfg: &IdentifyConfig) -> Result<Subject> {
        let t = text.trim();
        if t.is_empty() {
            return Err(RightsError::BadSubject(
                "empty subject: give a contact id, a comma-separated list of ids, or a JSON identification request".into(),
            ));
        }
        if t.starts_with('{') || t.starts_with('[') {
            let v: Value = serde_json::from_str(t).map_err(|e| {
                RightsError::BadSubject(format!(
                    "malformed JSON identification request (line {}, column {})",
                    e.line(),
                    e.column()
                ))
            })?;
            return Subject::from_value(&v, tenant, cfg);
        }
        Ok(Subject::Ids {
            tenant,
            ids: parse_ids(t.split(','))?,
        })
    }

    /// Parses a JSON subject (API): an identification request object, an array of ids, or
    /// a string of comma-separated ids. `tenant` is the caller's tenant when known; a
    /// request naming another tenant is refused.
    pub fn from_value(
        v: &Value,
        tenant: Option<TenantId>,
        cfg: &IdentifyConfig,
    ) -> Result<Subject> {
        match v {
            Value::Object(obj) => {
                let mut obj = obj.clone();
                if let (Some(t), false) = (tenant, obj.contains_key("TenantId")) {
                    obj.insert("TenantId".into(), Value::from(t.0));
                }
                let req = IdentifyRequest::from_json(&Value::Object(obj), cfg)
                    .map_err(|e| RightsError::BadSubject(e.to_string()))?;
                if let Some(t) = tenant {
                    if t != req.tenant_id {
                        return Err(RightsError::BadSubject(format!(
                            "the identification request names TenantId {} but the operation is for tenant {t}",
                            req.tenant_id
                        )));
                    }
                }
                Ok(Subject::Request(req))
            }
            Value::Array(items) => {
                let strs = items
                    .iter()
                    .map(|i| {
                        i.as_str().ok_or_else(|| {
                            RightsError::BadSubject("contact ids must be strings".into())
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(Subject::Ids {
                    tenant,
                    ids: parse_ids(strs.into_iter())?,
                })
            }
            Value::String(s) if !s.trim_start().starts_with('{') => Ok(Subject::Ids {
                tenant,
                ids: parse_ids(s.split(','))?,
            }),
            _ => Err(RightsError::BadSubject(
                "subject must be an identification request object, an array of contact ids, or a string of comma-separated ids".into(),
            )),
        }
    }

    /// The tenant, when the subject fixes it.
    pub fn tenant(&self) -> Option<TenantId> {
        match self {
            Subject::Ids { tenant, .. } => *tenant,
            Subject::Request(r) => Some(r.tenant_id),
        }
    }
}

fn parse_ids<'a>(parts: impl Iterator<Item = &'a str>) -> Result<Vec<ContactId>> {
    let mut ids: Vec<ContactId> = Vec::new();
    for (i, p) in parts.enumerate() {
        let p = p.trim();
        if p.is_empty() {
            continue;
        }
        let id = ContactId::parse(p).map_err(|e| {
            RightsError::BadSubject(format!("contact id #{} is not valid: {e}", i + 1))
        })?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    if ids.is_empty() {
        return Err(RightsError::BadSubject("no contact id given".into()));
    }
    Ok(ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str, t: Option<i64>) -> Result<Subject> {
        Subject::parse(s, t.map(TenantId), &IdentifyConfig::default())
    }

    #[test]
    fn seed_forms() {
        assert!(
            matches!(parse("0001SaD2PVY4312K", None), Ok(Subject::Ids { ids, .. }) if ids.len() == 1)
        );
        assert!(
            matches!(parse("0001SaD2PVY4312K,0001SaD2PVY4315J", None), Ok(Subject::Ids { ids, .. }) if ids.len() == 2)
        );
        assert!(
            matches!(parse(" a , b ,a", Some(1)), Ok(Subject::Ids { ids, tenant: Some(_) }) if ids.len() == 2)
        );
        let s = parse(
            r#"{"TenantId":101,"EmailAddress":"jane.doe@company.com"}"#,
            None,
        )
        .unwrap();
        assert_eq!(s.tenant(), Some(TenantId(101)));
    }

    #[test]
    fn bad_subjects_are_clear_and_value_free() {
        for (s, want) in [
            (
                r#"{"TenantId":101,"EmailAddress":"jane@x.org""#,
                "malformed JSON",
            ),
            (
                r#"{"TenantId":101,"Emial":"jane@x.org"}"#,
                "unknown attribute",
            ),
            (r#"{"EmailAddress":"jane@x.org"}"#, "TenantId"),
            (r#"{"TenantId":101}"#, "no values"),
            ("", "empty subject"),
            ("a b", "not valid"),
            (",,", "no contact id"),
        ] {
            let e = parse(s, None).unwrap_err();
            assert!(matches!(e, RightsError::BadSubject(_)), "{s}");
            assert!(e.to_string().contains(want), "{s}: {e}");
            assert!(!e.to_string().contains("jane@x.org"));
            assert_eq!(e.exit_code(), 2);
        }
        let e = parse(r#"{"TenantId":101,"EmailAddress":"a@b.co"}"#, Some(202)).unwrap_err();
        assert!(e.to_string().contains("TenantId 101"));
    }
}
