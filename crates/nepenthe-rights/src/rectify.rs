//! Rectification (like Genesys Cloud's `GDPR_UPDATE`): replace a subject's value — a
//! misspelt name, an old e-mail address or phone number — everywhere it is stored for that
//! subject: contact fields and attributes, participant names and participant data, interaction
//! subjects and text, in every data source, including interactions not linked to the contact
//! that hold its e-mail addresses or phone numbers. Attachment contents are not rewritten
//! (they are files as received). Report-only unless confirmed.

use crate::error::{Result, RightsError};
use crate::{Reporter, Resolved, Source, Sources};
use nepenthe_core::{normalize, Actor, Contact, ContactId, Interaction, InteractionId, TenantId};
use nepenthe_store::{AuditEntry, PageCursor, Store, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;

/// One `old=new` replacement. `Debug` hides the values (they are personal data).
#[derive(Clone, PartialEq, Eq)]
pub struct Replacement {
    pub old: String,
    pub new: String,
}

impl std::fmt::Debug for Replacement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Replacement(..)")
    }
}

/// Parses `old=new` (split at the first `=`; `old` must not be empty).
pub fn parse_replacement(s: &str) -> Result<Replacement> {
    match s.split_once('=') {
        Some((old, new)) if !old.is_empty() => Ok(Replacement {
            old: old.to_owned(),
            new: new.to_owned(),
        }),
        _ => Err(RightsError::Usage(
            "a replacement must look like 'old=new' with a non-empty old value".into(),
        )),
    }
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RectifyContact {
    pub contact_id: ContactId,
    /// Values replaced in the contact record.
    pub contact_fields: u64,
    /// Interactions changed per data source (linked to the contact).
    pub interactions: BTreeMap<Source, u64>,
    /// Interactions not linked to the contact that were changed.
    pub unlinked_interactions: u64,
    /// Total number of replaced occurrences.
    pub replacements: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct RectifySummary {
    pub tenant_id: TenantId,
    pub confirmed: bool,
    pub contacts: Vec<RectifyContact>,
    pub replacements: u64,
}

fn replace_str(s: &mut String, reps: &[Replacement]) -> u64 {
    let mut n = 0;
    for r in reps {
        let k = s.matches(r.old.as_str()).count() as u64;
        if k > 0 {
            *s = s.replace(r.old.as_str(), &r.new);
            n += k;
        }
    }
    n
}

fn replace_opt(s: &mut Option<String>, reps: &[Replacement]) -> u64 {
    s.as_mut().map(|s| replace_str(s, reps)).unwrap_or(0)
}

/// Applies the replacements to a contact. E-mail addresses match case-insensitively as a
/// whole; phone numbers match in E.164 form (`07700 900123` = `+447700900123`).
fn rectify_contact(c: &mut Contact, reps: &[Replacement], region: &str) -> Result<u64, StoreError> {
    let mut n = replace_opt(&mut c.first_name, reps)
        + replace_opt(&mut c.last_name, reps)
        + replace_opt(&mut c.title, reps);
    for e in c.emails.iter_mut() {
        if let Some(r) = reps
            .iter()
            .find(|r| r.old.trim().eq_ignore_ascii_case(e.trim()))
        {
            normalize::email(&r.new).map_err(|_| {
                StoreError::Invalid(
                    "the new value for an e-mail address is not a valid e-mail address".into(),
                )
            })?;
            *e = r.new.trim().to_owned();
            n += 1;
        } else {
            n += replace_str(e, reps);
        }
    }
    for p in c.phones.iter_mut() {
        for r in reps {
            if normalize::phone(&r.old, region).ok().as_deref() == Some(p.as_str()) {
                *p = normalize::phone(&r.new, region).map_err(|_| {
                    StoreError::Invalid(
                        "the new value for a phone number is not a valid phone number".into(),
                    )
                })?;
                n += 1;
            }
        }
    }
    for v in c.attributes.values_mut() {
        n += replace_str(v, reps);
    }
    c.emails.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    c.phones.dedup();
    Ok(n)
}

fn rectify_interaction(i: &mut Interaction, reps: &[Replacement]) -> u64 {
    let mut n = replace_opt(&mut i.subject, reps) + replace_opt(&mut i.text, reps);
    for p in i.participants.iter_mut() {
        n += replace_opt(&mut p.name, reps);
        for v in p.attributes.values_mut() {
            n += replace_str(v, reps);
        }
    }
    n
}

impl Sources {
    /// Interactions (id, occurrences) of a contact in one source that contain an old value.
    async fn linked_matches(
        &self,
        store: &Store,
        tenant: TenantId,
        contact: &ContactId,
        reps: &[Replacement],
    ) -> Result<Vec<(InteractionId, u64)>> {
        let mut out = Vec::new();
        let mut cursor: Option<PageCursor> = None;
        loop {
            let (page, next) = store
                .contact_interactions_page(&self.main, tenant, contact, cursor.as_ref(), 200)
                .await?;
            for mut e in page {
                let n = rectify_interaction(&mut e.interaction, reps);
                if n > 0 {
                    out.push((e.interaction.id, n));
                }
            }
            match next {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        Ok(out)
    }

    async fn apply(
        &self,
        source: Source,
        tenant: TenantId,
        id: &InteractionId,
        reps: &[Replacement],
    ) -> Result<()> {
        match source {
            Source::Main => {
                self.main
                    .update_interaction(tenant, id, |it| {
                        rectify_interaction(it, reps);
                        Ok(())
                    })
                    .await?;
            }
            Source::Archive => {
                if let Some(a) = &self.archive {
                    a.rewrite_interaction(&self.main, tenant, id, |it| {
                        rectify_interaction(it, reps) > 0
                    })
                    .await?;
                }
            }
        }
        Ok(())
    }

    /// Reports (and with `confirm`, applies) the replacements for every resolved contact.
    pub async fn rectify(
        &self,
        r: &Resolved,
        reps: &[Replacement],
        confirm: bool,
        actor: &Actor,
        rep: &mut dyn Reporter,
    ) -> Result<RectifySummary> {
        if reps.is_empty() {
            return Err(RightsError::Usage(
                "give at least one --replace 'old=new'".into(),
            ));
        }
        let region = self.main.default_region().to_owned();
        let mut s = RectifySummary {
            tenant_id: r.tenant,
            confirmed: confirm,
            contacts: vec![],
            replacements: 0,
        };
        for c in &r.contacts {
            let mut rc = RectifyContact {
                contact_id: c.id.clone(),
                contact_fields: 0,
                interactions: BTreeMap::new(),
                unlinked_interactions: 0,
                replacements: 0,
            };
            let mut preview = c.clone();
            rc.contact_fields = rectify_contact(&mut preview, reps, &region)?;
            rc.replacements += rc.contact_fields;
            // Interactions to change: linked ones, and unlinked ones found by the contact's
            // current (old) addresses.
            let mut todo: Vec<(Source, InteractionId)> = Vec::new();
            for (source, store) in self.selected(crate::SourceSel::All) {
                let m = self.linked_matches(store, r.tenant, &c.id, reps).await?;
                rc.interactions.insert(source, m.len() as u64);
                rc.replacements += m.iter().map(|x| x.1).sum::<u64>();
                todo.extend(m.into_iter().map(|(id, _)| (source, id)));
                let ids = self.unlinked(store, c).await?;
                for e in store
                    .interactions_with_attachments(&self.main, r.tenant, &ids)
                    .await?
                {
                    let mut it = e.interaction;
                    let n = rectify_interaction(&mut it, reps);
                    if n > 0 {
                        rc.unlinked_interactions += 1;
                        rc.replacements += n;
                        todo.push((source, it.id));
                    }
                }
            }
            if confirm {
                if rc.contact_fields > 0 {
                    let reps_c = reps.to_vec();
                    let region_c = region.clone();
                    self.main
                        .update_contact(r.tenant, &c.id, move |ct| {
                            rectify_contact(ct, &reps_c, &region_c).map(|_| ())
                        })
                        .await?;
                }
                for (source, id) in &todo {
                    self.apply(*source, r.tenant, id, reps).await?;
                }
                self.main
                    .audit(AuditEntry {
                        tenant_id: Some(r.tenant),
                        actor: actor.clone(),
                        action: "contact.rectify".into(),
                        object_type: "contact".into(),
                        object_ids: vec![c.id.to_string()],
                        details: serde_json::json!({
                            "contact_fields": rc.contact_fields,
                            "interactions": rc.interactions,
                            "unlinked_interactions": rc.unlinked_interactions,
                            "replacements": rc.replacements,
                        }),
                    })
                    .await?;
            }
            rep.step(&format!(
                "{} {} occurrence(s) for contact Id '{}' ({} in the contact record, {} interaction(s))",
                if confirm { "Replaced" } else { "Would replace" },
                rc.replacements,
                c.id,
                rc.contact_fields,
                todo.len()
            ));
            s.replacements += rc.replacements;
            s.contacts.push(rc);
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replacement_parsing_hides_values() {
        let r = parse_replacement("Jnae=Jane").unwrap();
        assert_eq!((r.old.as_str(), r.new.as_str()), ("Jnae", "Jane"));
        assert_eq!(parse_replacement("a=b=c").unwrap().new, "b=c");
        assert!(parse_replacement("=x").is_err());
        assert!(parse_replacement("nothing").is_err());
        assert_eq!(format!("{r:?}"), "Replacement(..)");
    }

    #[test]
    fn strings_are_replaced_and_counted() {
        let reps = vec![parse_replacement("Jnae=Jane").unwrap()];
        let mut s = "Jnae said Jnae".to_string();
        assert_eq!(replace_str(&mut s, &reps), 2);
        assert_eq!(s, "Jane said Jane");
    }
}
