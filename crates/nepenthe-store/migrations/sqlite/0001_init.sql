-- nepenthe schema v1 (SQLite). Every column that can hold personal data is a BLOB of
-- AES-256-GCM ciphertext under a per-contact (or per-interaction) data key; lookups go
-- through keyed HMAC blind indexes. Times are epoch milliseconds.

CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);

CREATE TABLE tenants (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    -- the tenant's blind-index key, wrapped by the KEK
    index_kek_id TEXT NOT NULL,
    index_key BLOB NOT NULL
);

CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    tenant_id BIGINT NOT NULL REFERENCES tenants(id),
    role TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    label TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE data_keys (
    id TEXT PRIMARY KEY,
    tenant_id BIGINT NOT NULL,
    kek_id TEXT NOT NULL,
    wrapped BLOB NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE contacts (
    tenant_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    legal_hold BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    modified_at BIGINT NOT NULL,
    pii BLOB NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX contacts_by_created ON contacts (tenant_id, created_at, id);

CREATE TABLE contact_index (
    tenant_id BIGINT NOT NULL,
    digest BLOB NOT NULL,
    contact_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, digest, contact_id)
);
CREATE INDEX contact_index_by_contact ON contact_index (tenant_id, contact_id);

CREATE TABLE interactions (
    tenant_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    contact_id TEXT,
    key_id TEXT NOT NULL,
    media_type TEXT NOT NULL,
    direction TEXT NOT NULL,
    status TEXT NOT NULL,
    thread_id TEXT,
    queue TEXT,
    created_at BIGINT NOT NULL,
    started_at BIGINT,
    ended_at BIGINT,
    body BLOB NOT NULL,
    parts BLOB NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX interactions_by_contact ON interactions (tenant_id, contact_id, created_at, id);
CREATE INDEX interactions_by_created ON interactions (tenant_id, created_at, id);

-- Blind index over e-mail addresses and phone numbers found in participant data, so data
-- subject requests find interactions that are not linked to the contact.
CREATE TABLE interaction_index (
    tenant_id BIGINT NOT NULL,
    digest BLOB NOT NULL,
    interaction_id TEXT NOT NULL,
    PRIMARY KEY (tenant_id, digest, interaction_id)
);
CREATE INDEX interaction_index_by_interaction ON interaction_index (tenant_id, interaction_id);

CREATE TABLE attachments (
    tenant_id BIGINT NOT NULL,
    interaction_id TEXT NOT NULL,
    id TEXT NOT NULL,
    position BIGINT NOT NULL,
    size BIGINT NOT NULL,
    meta BLOB NOT NULL,
    content BLOB NOT NULL,
    PRIMARY KEY (tenant_id, interaction_id, id)
);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at BIGINT NOT NULL,
    tenant_id BIGINT,
    actor TEXT NOT NULL,
    role TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_ids TEXT NOT NULL,
    details TEXT NOT NULL
);
CREATE INDEX audit_by_tenant ON audit_log (tenant_id, seq);

-- Append-only: the audit log is evidence.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

CREATE TABLE erasures (
    tenant_id BIGINT NOT NULL,
    contact_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    erased_at BIGINT NOT NULL,
    receipt TEXT NOT NULL,
    PRIMARY KEY (tenant_id, contact_id, erased_at)
);
CREATE INDEX erasures_by_key ON erasures (key_id);

-- Outbox of state changes (the lifecycle engine consumes it). Payloads hold ids only.
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id BIGINT NOT NULL,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
