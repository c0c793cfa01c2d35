//! Backups that respect erasure.
//!
//! A backup is a JSON-lines file of the encrypted rows (ciphertext as stored) **without the
//! data keys**: keys never leave the live database. Restoring puts rows back only where
//! their data key still exists in the live database and the contact has no erasure receipt,
//! so a contact erased after the backup was taken cannot come back — and its ciphertext in
//! the backup file is unreadable by anyone, because the only copy of its key was destroyed.

use crate::{Result, Store, StoreError};
use base64::Engine;
use serde::Serialize;
use sqlx::{Column, Row, TypeInfo, ValueRef};
use std::io::{BufRead, Write};

/// Tables copied by a backup, with their primary keys and the only columns a restore
/// accepts (a backup file is input: its column names never reach SQL unchecked).
const TABLES: &[(&str, &str, &[&str])] = &[
    (
        "contacts",
        "tenant_id, id",
        &[
            "tenant_id",
            "id",
            "key_id",
            "legal_hold",
            "created_at",
            "modified_at",
            "pii",
        ],
    ),
    (
        "contact_index",
        "tenant_id, digest, contact_id",
        &["tenant_id", "digest", "contact_id"],
    ),
    (
        "interactions",
        "tenant_id, id",
        &[
            "tenant_id",
            "id",
            "contact_id",
            "key_id",
            "media_type",
            "direction",
            "status",
            "thread_id",
            "queue",
            "created_at",
            "started_at",
            "ended_at",
            "body",
            "parts",
        ],
    ),
    (
        "interaction_index",
        "tenant_id, digest, interaction_id",
        &["tenant_id", "digest", "interaction_id"],
    ),
    (
        "attachments",
        "tenant_id, interaction_id, id",
        &[
            "tenant_id",
            "interaction_id",
            "id",
            "position",
            "size",
            "meta",
            "content",
        ],
    ),
];

#[derive(Debug, Default, Serialize)]
pub struct BackupSummary {
    pub rows: u64,
}

#[derive(Debug, Default, Serialize)]
pub struct RestoreSummary {
    pub restored: u64,
    pub already_present: u64,
    /// Rows skipped because their contact was erased (receipt or destroyed key).
    pub skipped_erased: u64,
}

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

fn cell_to_json(row: &sqlx::any::AnyRow, i: usize) -> Result<serde_json::Value> {
    let raw = row.try_get_raw(i)?;
    if raw.is_null() {
        return Ok(serde_json::Value::Null);
    }
    let ty = raw.type_info().name().to_ascii_uppercase();
    Ok(if ty.contains("BLOB") || ty.contains("BYTEA") {
        serde_json::json!({ "b": B64.encode(row.try_get::<Vec<u8>, _>(i)?) })
    } else if ty.contains("INT") {
        serde_json::json!(row.try_get::<i64, _>(i)?)
    } else {
        serde_json::json!(row.try_get::<String, _>(i)?)
    })
}

impl Store {
    /// Writes every tenant's encrypted rows to `out` (keys excluded).
    pub async fn backup(&self, out: &mut dyn Write) -> Result<BackupSummary> {
        let mut summary = BackupSummary::default();
        let io = |e: std::io::Error| StoreError::Invalid(format!("cannot write backup: {e}"));
        writeln!(out, "{}", serde_json::json!({"nepenthe_backup": 1})).map_err(io)?;
        let mut conn = self.pool().acquire().await?;
        for (table, pk, _) in TABLES {
            let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY {pk}"))
                .fetch_all(&mut *conn)
                .await?;
            for row in rows {
                let mut obj = serde_json::Map::new();
                for (i, col) in row.columns().iter().enumerate() {
                    obj.insert(col.name().to_owned(), cell_to_json(&row, i)?);
                }
                writeln!(out, "{}", serde_json::json!({"t": table, "r": obj})).map_err(io)?;
                summary.rows += 1;
            }
        }
        out.flush().map_err(io)?;
        Ok(summary)
    }

    /// Restores rows from a backup, never resurrecting an erased contact (see module docs).
    pub async fn restore(&self, input: &mut dyn BufRead) -> Result<RestoreSummary> {
        let bad = |m: &str| StoreError::Invalid(format!("not a nepenthe backup: {m}"));
        let mut lines = input.lines();
        let header = lines
            .next()
            .ok_or_else(|| bad("empty file"))?
            .map_err(|_| bad("unreadable"))?;
        let header: serde_json::Value =
            serde_json::from_str(&header).map_err(|_| bad("bad header"))?;
        if header.get("nepenthe_backup") != Some(&serde_json::json!(1)) {
            return Err(bad("bad header"));
        }
        let mut summary = RestoreSummary::default();
        let mut w = self.write_tx().await?;
        for (n, line) in lines.enumerate() {
            let line = line.map_err(|_| bad("unreadable"))?;
            if line.trim().is_empty() {
                continue;
            }
            let v: serde_json::Value =
                serde_json::from_str(&line).map_err(|_| bad(&format!("line {}", n + 2)))?;
            let table = v["t"].as_str().unwrap_or_default();
            let Some((_, _, allowed)) = TABLES.iter().find(|(t, _, _)| *t == table) else {
                return Err(bad(&format!("unknown table on line {}", n + 2)));
            };
            let row = v["r"].as_object().ok_or_else(|| bad("row"))?;
            if row.keys().any(|c| !allowed.contains(&c.as_str())) {
                return Err(bad(&format!("unknown column on line {}", n + 2)));
            }
            let tenant = row
                .get("tenant_id")
                .and_then(|t| t.as_i64())
                .ok_or_else(|| bad("tenant"))?;
            // Which contact does the row belong to, and which key encrypts it?
            let contact = match table {
                "contacts" => row.get("id"),
                "contact_index" | "interactions" => row.get("contact_id"),
                _ => None,
            }
            .and_then(|c| c.as_str());
            if let Some(c) = contact {
                let erased =
                    sqlx::query("SELECT 1 FROM erasures WHERE tenant_id = $1 AND contact_id = $2")
                        .bind(tenant)
                        .bind(c)
                        .fetch_optional(&mut *w.tx)
                        .await?
                        .is_some();
                if erased {
                    summary.skipped_erased += 1;
                    continue;
                }
            }
            // Index rows come back only with their (restored or live) parent row.
            let parent = match table {
                "contact_index" => Some(("contacts", row.get("contact_id"))),
                "interaction_index" => Some(("interactions", row.get("interaction_id"))),
                _ => None,
            };
            if let Some((parent_table, id)) = parent {
                let id = id.and_then(|i| i.as_str()).unwrap_or_default();
                let present = sqlx::query(&format!(
                    "SELECT 1 FROM {parent_table} WHERE tenant_id = $1 AND id = $2"
                ))
                .bind(tenant)
                .bind(id)
                .fetch_optional(&mut *w.tx)
                .await?
                .is_some();
                if !present {
                    summary.skipped_erased += 1;
                    continue;
                }
            }
            let key_id = match table {
                "contacts" | "interactions" => row
                    .get("key_id")
                    .and_then(|k| k.as_str())
                    .map(str::to_owned),
                "attachments" => {
                    let iid = row
                        .get("interaction_id")
                        .and_then(|k| k.as_str())
                        .unwrap_or_default();
                    sqlx::query("SELECT key_id FROM interactions WHERE tenant_id = $1 AND id = $2")
                        .bind(tenant)
                        .bind(iid)
                        .fetch_optional(&mut *w.tx)
                        .await?
                        .map(|r| r.try_get::<String, _>("key_id"))
                        .transpose()?
                        .or(Some(String::new()))
                }
                _ => None,
            };
            if let Some(k) = key_id {
                let live = sqlx::query("SELECT 1 FROM data_keys WHERE id = $1")
                    .bind(&k)
                    .fetch_optional(&mut *w.tx)
                    .await?
                    .is_some();
                if !live {
                    summary.skipped_erased += 1;
                    continue;
                }
            }
            let cols: Vec<&String> = row.keys().collect();
            let placeholders: Vec<String> = (1..=cols.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {table} ({}) VALUES ({}) ON CONFLICT DO NOTHING",
                cols.iter()
                    .map(|c| c.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                placeholders.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for c in &cols {
                q = match &row[c.as_str()] {
                    serde_json::Value::Null if c.ends_with("_at") => q.bind(Option::<i64>::None),
                    serde_json::Value::Null => q.bind(Option::<String>::None),
                    serde_json::Value::Number(n) => {
                        q.bind(n.as_i64().ok_or_else(|| bad("number"))?)
                    }
                    serde_json::Value::String(s) => q.bind(s.clone()),
                    serde_json::Value::Object(o) => {
                        let b = o
                            .get("b")
                            .and_then(|b| b.as_str())
                            .ok_or_else(|| bad("blob"))?;
                        q.bind(B64.decode(b).map_err(|_| bad("blob"))?)
                    }
                    _ => return Err(bad("cell")),
                };
            }
            let affected = q.execute(&mut *w.tx).await?.rows_affected();
            if affected > 0 {
                summary.restored += 1;
            } else {
                summary.already_present += 1;
            }
        }
        w.commit().await?;
        Ok(summary)
    }
}
