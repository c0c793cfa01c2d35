//! Multi-row inserts. Creating one contact and bulk-importing a million interactions take
//! the same path: rows are prepared (and encrypted) first, then written with as few
//! statements as the parameter limits allow.

use crate::{unique_violation, Backend, Result, StoreError};

/// A bound value.
pub(crate) enum Val {
    I(i64),
    NI(Option<i64>),
    T(String),
    NT(Option<String>),
    B(Vec<u8>),
}

struct Table {
    name: &'static str,
    columns: &'static [&'static str],
    /// `ON CONFLICT DO NOTHING` for index tables, where a repeated entry is harmless.
    ignore_conflicts: bool,
    rows: Vec<Vec<Val>>,
}

/// Rows waiting to be inserted, by table, in first-use order.
#[derive(Default)]
pub(crate) struct Rows {
    tables: Vec<Table>,
}

/// Stay well under SQLite's 32766 and PostgreSQL's 65535 bound parameters per statement.
const MAX_PARAMS: usize = 16_000;
const MAX_ROWS: usize = 500;

impl Rows {
    pub fn push(&mut self, name: &'static str, columns: &'static [&'static str], row: Vec<Val>) {
        self.push_with(name, columns, false, row)
    }

    pub fn push_ignore(
        &mut self,
        name: &'static str,
        columns: &'static [&'static str],
        row: Vec<Val>,
    ) {
        self.push_with(name, columns, true, row)
    }

    fn push_with(
        &mut self,
        name: &'static str,
        columns: &'static [&'static str],
        ignore: bool,
        row: Vec<Val>,
    ) {
        debug_assert_eq!(columns.len(), row.len());
        match self.tables.iter_mut().find(|t| t.name == name) {
            Some(t) => t.rows.push(row),
            None => self.tables.push(Table {
                name,
                columns,
                ignore_conflicts: ignore,
                rows: vec![row],
            }),
        }
    }

    /// Writes every pending row. A duplicate primary key fails the whole call with
    /// `StoreError::Conflict` (the caller's transaction then rolls back).
    pub async fn flush(&mut self, conn: &mut sqlx::AnyConnection, backend: Backend) -> Result<()> {
        for table in std::mem::take(&mut self.tables) {
            let per_stmt = (MAX_PARAMS / table.columns.len()).clamp(1, MAX_ROWS);
            let mut rows = table.rows.into_iter().peekable();
            while rows.peek().is_some() {
                let chunk: Vec<Vec<Val>> = rows.by_ref().take(per_stmt).collect();
                let single_id = match (table.name, chunk.len(), chunk[0].get(1)) {
                    ("contacts" | "interactions", 1, Some(Val::T(id))) => Some(id.clone()),
                    _ => None,
                };
                let mut sql = format!(
                    "INSERT INTO {} ({}) VALUES ",
                    table.name,
                    table.columns.join(", ")
                );
                let mut n = 0;
                for (i, _) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    sql.push('(');
                    for c in 0..table.columns.len() {
                        if c > 0 {
                            sql.push_str(", ");
                        }
                        // SQLite looks up named parameters (`$n`) by a linear scan per
                        // bind, quadratic for wide statements; anonymous `?` is O(1).
                        n += 1;
                        match backend {
                            Backend::Sqlite => sql.push('?'),
                            Backend::Postgres => {
                                sql.push('$');
                                sql.push_str(&n.to_string());
                            }
                        }
                    }
                    sql.push(')');
                }
                if table.ignore_conflicts {
                    sql.push_str(" ON CONFLICT DO NOTHING");
                }
                let mut q = sqlx::query(&sql);
                for row in chunk {
                    for v in row {
                        q = match v {
                            Val::I(x) => q.bind(x),
                            Val::NI(x) => q.bind(x),
                            Val::T(x) => q.bind(x),
                            Val::NT(x) => q.bind(x),
                            Val::B(x) => q.bind(x),
                        };
                    }
                }
                match q.execute(&mut *conn).await {
                    Err(e) if unique_violation(&e) => {
                        let what = match table.name {
                            "contacts" => "contact",
                            "interactions" => "interaction",
                            "attachments" => "attachment",
                            other => other,
                        };
                        return Err(StoreError::Conflict(match single_id {
                            Some(id) => format!("{what} {id} already exists"),
                            None => {
                                format!("{what} id in this batch already exists or is repeated")
                            }
                        }));
                    }
                    other => {
                        other?;
                    }
                }
            }
        }
        Ok(())
    }
}
