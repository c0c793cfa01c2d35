//! The archive data source over time: move finished interactions from main to the archive
//! (`archive --older-than 90d`), and delete old finished interactions (`prune --older-than
//! 2y --source archive`). Both report only unless confirmed.

use crate::error::{Result, RightsError};
use crate::{Reporter, Source, Sources};
use nepenthe_core::{Actor, TenantId, Timestamp};
use nepenthe_store::{AuditEntry, MoveSummary, Store};
use serde::Serialize;
use std::collections::BTreeMap;

/// Parses an age such as `90d`, `2y`, `12h`, `6w` or `30m` (minutes) into a duration.
pub fn parse_age(s: &str) -> Result<chrono::Duration> {
    let bad = || {
        RightsError::Usage(format!(
            "invalid age '{s}': use a number followed by m (minutes), h, d, w or y, e.g. 90d or 2y"
        ))
    };
    let s = s.trim();
    let unit = s.chars().last().ok_or_else(bad)?;
    let n: i64 = s[..s.len() - unit.len_utf8()].parse().map_err(|_| bad())?;
    if n < 0 {
        return Err(bad());
    }
    let d = match unit {
        'm' => chrono::Duration::try_minutes(n),
        'h' => chrono::Duration::try_hours(n),
        'd' => chrono::Duration::try_days(n),
        'w' => chrono::Duration::try_weeks(n),
        'y' => chrono::Duration::try_days(n.saturating_mul(365)),
        _ => None,
    };
    d.ok_or_else(bad)
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct ArchiveSummary {
    pub confirmed: bool,
    pub cutoff: Timestamp,
    /// Per tenant: interactions (and attachments) moved, or that would be moved.
    pub tenants: BTreeMap<i64, MoveSummary>,
    pub interactions: u64,
    pub attachments: u64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct PruneSummary {
    pub confirmed: bool,
    pub source: Source,
    pub cutoff: Timestamp,
    pub tenants: BTreeMap<i64, MoveSummary>,
    pub interactions: u64,
    pub attachments: u64,
}

const BATCH: u32 = 500;

impl Sources {
    fn archive_store(&self) -> Result<&Store> {
        self.archive.as_ref().ok_or_else(|| {
            RightsError::Unavailable(format!(
                "{}: configure one with --archive-database-url (or archive_database_url in the config file)",
                crate::NO_ARCHIVE
            ))
        })
    }

    async fn tenants(&self, only: Option<TenantId>) -> Result<Vec<TenantId>> {
        Ok(match only {
            Some(t) => vec![t],
            None => self
                .main
                .list_tenants()
                .await?
                .into_iter()
                .map(|t| t.id)
                .collect(),
        })
    }

    /// Moves finished interactions that ended more than `older_than` ago from main to the
    /// archive (with attachments, participant data and index entries), in batches. Data keys
    /// stay in main. Reports only unless `confirm`.
    pub async fn archive_older_than(
        &self,
        older_than: chrono::Duration,
        tenant: Option<TenantId>,
        confirm: bool,
        actor: &Actor,
        rep: &mut dyn Reporter,
    ) -> Result<ArchiveSummary> {
        let archive = self.archive_store()?;
        self.finish_pending_purges(rep).await?;
        let cutoff = nepenthe_core::now() - older_than;
        let mut s = ArchiveSummary {
            confirmed: confirm,
            cutoff,
            tenants: BTreeMap::new(),
            interactions: 0,
            attachments: 0,
        };
        for t in self.tenants(tenant).await? {
            let total = if confirm {
                let mut total = MoveSummary::default();
                loop {
                    let m = self.main.move_to_archive(archive, t, cutoff, BATCH).await?;
                    if m.interactions == 0 {
                        break;
                    }
                    total.interactions += m.interactions;
                    total.attachments += m.attachments;
                    rep.step(&format!(
                        "Moved {} interaction(s) of tenant {t} to DataSource archive",
                        total.interactions
                    ));
                }
                if total.interactions > 0 {
                    self.main
                        .audit(AuditEntry {
                            tenant_id: Some(t),
                            actor: actor.clone(),
                            action: "interactions.archive".into(),
                            object_type: "interaction".into(),
                            object_ids: vec![],
                            details: serde_json::json!({"moved": total, "cutoff": cutoff}),
                        })
                        .await?;
                }
                total
            } else {
                let m = self.main.count_finished_before(t, cutoff).await?;
                rep.step(&format!(
                    "Would move {} interaction(s) of tenant {t} to DataSource archive",
                    m.interactions
                ));
                m
            };
            s.interactions += total.interactions;
            s.attachments += total.attachments;
            s.tenants.insert(t.0, total);
        }
        Ok(s)
    }

    /// Deletes finished interactions that ended more than `older_than` ago from one data
    /// source. Reports only unless `confirm`.
    pub async fn prune_older_than(
        &self,
        source: Source,
        older_than: chrono::Duration,
        tenant: Option<TenantId>,
        confirm: bool,
        actor: &Actor,
        rep: &mut dyn Reporter,
    ) -> Result<PruneSummary> {
        let store = match source {
            Source::Main => &self.main,
            Source::Archive => self.archive_store()?,
        };
        let cutoff = nepenthe_core::now() - older_than;
        let mut s = PruneSummary {
            confirmed: confirm,
            source,
            cutoff,
            tenants: BTreeMap::new(),
            interactions: 0,
            attachments: 0,
        };
        for t in self.tenants(tenant).await? {
            let total = if confirm {
                let mut total = MoveSummary::default();
                loop {
                    let m = store.prune_finished(&self.main, t, cutoff, BATCH).await?;
                    if m.interactions == 0 {
                        break;
                    }
                    total.interactions += m.interactions;
                    total.attachments += m.attachments;
                }
                rep.step(&format!(
                    "Deleted {} interaction(s) of tenant {t} from DataSource {source}",
                    total.interactions
                ));
                if total.interactions > 0 {
                    self.main
                        .audit(AuditEntry {
                            tenant_id: Some(t),
                            actor: actor.clone(),
                            action: "interactions.prune".into(),
                            object_type: "interaction".into(),
                            object_ids: vec![],
                            details: serde_json::json!({"source": source, "deleted": total, "cutoff": cutoff}),
                        })
                        .await?;
                    store.after_erasure().await;
                }
                total
            } else {
                let m = store.count_finished_before(t, cutoff).await?;
                rep.step(&format!(
                    "Would delete {} interaction(s) of tenant {t} from DataSource {source}",
                    m.interactions
                ));
                m
            };
            s.interactions += total.interactions;
            s.attachments += total.attachments;
            s.tenants.insert(t.0, total);
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages() {
        assert_eq!(parse_age("90d").unwrap(), chrono::Duration::days(90));
        assert_eq!(parse_age("2y").unwrap(), chrono::Duration::days(730));
        assert_eq!(parse_age("12h").unwrap(), chrono::Duration::hours(12));
        assert_eq!(parse_age("0d").unwrap(), chrono::Duration::zero());
        for bad in ["", "d", "10", "1x", "-1d", "9999999999999999y"] {
            assert!(parse_age(bad).is_err(), "{bad}");
        }
    }
}
