//! From a subject to the contacts it names, and what each data source holds of them.

use crate::error::{Result, RightsError};
use crate::{Source, SourceSel, Sources, Subject};
use nepenthe_core::{Contact, ContactId, InteractionId, TenantId};
use nepenthe_store::{Store, StoreError};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The contacts a subject names in one tenant.
#[derive(Clone, Debug)]
pub struct Resolved {
    pub tenant: TenantId,
    pub contacts: Vec<Contact>,
    /// Ids listed explicitly whose contact was already erased (it has a receipt): a rerun of
    /// an interrupted batch reports them instead of failing.
    pub already_erased: Vec<ContactId>,
}

/// What one data source holds of one contact.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct SourceCount {
    pub source: Source,
    /// False when the source is not configured (UCS: "no data source with role 'archive'").
    pub configured: bool,
    pub interactions: u64,
    pub in_progress: u64,
    /// Interactions not linked to the contact whose participant data holds one of its
    /// e-mail addresses or phone numbers.
    pub unlinked_interactions: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ContactCount {
    pub contact_id: ContactId,
    pub legal_hold: bool,
    pub sources: Vec<SourceCount>,
}

/// The `--count` simulation: how much would be exported, per data source.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct CountSummary {
    pub tenant_id: TenantId,
    pub contacts: u64,
    /// Interactions per data source (linked to the contacts).
    pub interactions: BTreeMap<Source, u64>,
    pub unlinked_interactions: BTreeMap<Source, u64>,
    pub per_contact: Vec<ContactCount>,
    pub already_erased: Vec<ContactId>,
}

fn list(ids: &[ContactId]) -> String {
    ids.iter()
        .map(|i| i.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

impl Sources {
    /// Resolves a subject to contacts. Explicit ids must all exist in the tenant (or have been
    /// erased already); an identification request may match at most `max_contacts`
    /// contacts. Nothing is changed here.
    pub async fn resolve(&self, subject: &Subject, max_contacts: usize) -> Result<Resolved> {
        match subject {
            Subject::Ids { tenant, ids } => {
                let tenant = match tenant {
                    Some(t) => *t,
                    None => self.tenant_of(ids).await?,
                };
                let mut contacts = Vec::new();
                let mut already_erased = Vec::new();
                let mut missing = Vec::new();
                for id in ids {
                    match self.main.get_contact(tenant, id).await {
                        Ok(c) => contacts.push(c),
                        Err(StoreError::NotFound(_)) => {
                            if self.main.latest_receipt(tenant, id).await?.is_none() {
                                missing.push(id.clone());
                            } else {
                                already_erased.push(id.clone());
                            }
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                if !missing.is_empty() {
                    let msg = format!(
                        "no contact with id {} in tenant {tenant}; nothing was changed",
                        list(&missing)
                    );
                    return Err(if contacts.is_empty() && already_erased.is_empty() {
                        RightsError::NothingMatched(msg)
                    } else {
                        RightsError::BadSubject(msg)
                    });
                }
                Ok(Resolved {
                    tenant,
                    contacts,
                    already_erased,
                })
            }
            Subject::Request(req) => {
                let tenant = req.tenant_id;
                let contacts = match self.main.identify(tenant, &req.plan()).await {
                    Ok(c) => c,
                    Err(StoreError::NotFound(_)) => {
                        return Err(RightsError::NothingMatched(format!(
                            "tenant {tenant} does not exist"
                        )))
                    }
                    Err(e) => return Err(e.into()),
                };
                if contacts.is_empty() {
                    return Err(RightsError::NothingMatched(format!(
                        "no contact in tenant {tenant} matches the identification request"
                    )));
                }
                if contacts.len() > max_contacts {
                    return Err(RightsError::TooManyContacts {
                        matched: contacts.len(),
                        max: max_contacts,
                    });
                }
                Ok(Resolved {
                    tenant,
                    contacts,
                    already_erased: vec![],
                })
            }
        }
    }

    /// The one tenant holding (or having erased) all these ids.
    async fn tenant_of(&self, ids: &[ContactId]) -> Result<TenantId> {
        let mut tenants = BTreeSet::new();
        for id in ids {
            tenants.extend(self.main.tenants_of_contact(id).await?);
            tenants.extend(self.main.tenants_with_erasure(id).await?);
        }
        let mut it = tenants.into_iter();
        match (it.next(), it.next()) {
            (Some(t), None) => Ok(t),
            (None, _) => Err(RightsError::NothingMatched(format!(
                "no contact with id {}",
                list(ids)
            ))),
            (Some(_), Some(_)) => Err(RightsError::BadSubject(
                "these contact ids exist in more than one tenant; say which with --tenant".into(),
            )),
        }
    }

    /// Interactions not linked to `contact` holding its e-mail addresses or phone numbers in
    /// participant data, in one source (empty when the source has never seen the tenant).
    pub(crate) async fn unlinked(
        &self,
        store: &Store,
        contact: &Contact,
    ) -> Result<Vec<InteractionId>> {
        if contact.emails.is_empty() && contact.phones.is_empty() {
            return Ok(vec![]);
        }
        match store
            .unlinked_interactions(
                contact.tenant_id,
                &contact.id,
                &contact.emails,
                &contact.phones,
            )
            .await
        {
            Ok(ids) => Ok(ids),
            Err(StoreError::NotFound(_)) => Ok(vec![]),
            Err(e) => Err(e.into()),
        }
    }

    /// Counts what an export would write, per contact and data source. Writes nothing.
    pub async fn count(&self, r: &Resolved, sel: SourceSel) -> Result<CountSummary> {
        let mut out = CountSummary {
            tenant_id: r.tenant,
            contacts: r.contacts.len() as u64,
            interactions: BTreeMap::new(),
            unlinked_interactions: BTreeMap::new(),
            per_contact: vec![],
            already_erased: r.already_erased.clone(),
        };
        for c in &r.contacts {
            let mut sources = Vec::new();
            for source in [Source::Main, Source::Archive] {
                if !sel.includes(source) {
                    continue;
                }
                let store = match source {
                    Source::Main => Some(&self.main),
                    Source::Archive => self.archive.as_ref(),
                };
                let Some(store) = store else {
                    sources.push(SourceCount {
                        source,
                        configured: false,
                        interactions: 0,
                        in_progress: 0,
                        unlinked_interactions: 0,
                    });
                    continue;
                };
                let (n, p) = store.count_interactions(r.tenant, &c.id).await?;
                let u = self.unlinked(store, c).await?.len() as u64;
                *out.interactions.entry(source).or_default() += n;
                *out.unlinked_interactions.entry(source).or_default() += u;
                sources.push(SourceCount {
                    source,
                    configured: true,
                    interactions: n,
                    in_progress: p,
                    unlinked_interactions: u,
                });
            }
            out.per_contact.push(ContactCount {
                contact_id: c.id.clone(),
                legal_hold: c.legal_hold,
                sources,
            });
        }
        Ok(out)
    }
}
