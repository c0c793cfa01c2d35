//! API integration tests: each test spawns the real server on 127.0.0.1:0 over a fresh
//! database and talks HTTP to it. `both_backends!` runs every test on SQLite and, when
//! `NEPENTHE_TEST_POSTGRES_URL` is set, on PostgreSQL.

mod bad_input;
mod concurrency;
mod contacts;
mod genesys;
mod helpers;
mod identify;
mod interactions;
mod isolation;
mod oneshot;
mod privacy;
mod roles;
mod system;
