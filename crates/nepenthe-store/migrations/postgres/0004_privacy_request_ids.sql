-- Privacy request ids are unique per tenant: a caller may choose the id (e.g. its ticket
-- number), and one tenant's id must never collide with, or reveal, another tenant's.
CREATE TABLE privacy_requests_v2 (
    id TEXT NOT NULL,
    tenant_id BIGINT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    confirm BIGINT NOT NULL DEFAULT 0,
    actor TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    due_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    completed_at BIGINT,
    purge_after BIGINT,
    subject_purged_at BIGINT,
    key_id TEXT,
    subject BYTEA,
    result TEXT,
    error TEXT,
    PRIMARY KEY (tenant_id, id)
);
INSERT INTO privacy_requests_v2 (id, tenant_id, kind, status, confirm, actor, received_at, due_at, updated_at, completed_at, purge_after, subject_purged_at, key_id, subject, result, error)
    SELECT id, tenant_id, kind, status, confirm, actor, received_at, due_at, updated_at, completed_at, purge_after, subject_purged_at, key_id, subject, result, error FROM privacy_requests;
DROP TABLE privacy_requests;
ALTER TABLE privacy_requests_v2 RENAME TO privacy_requests;
CREATE INDEX privacy_requests_by_tenant ON privacy_requests (tenant_id, received_at);
CREATE INDEX privacy_requests_by_purge ON privacy_requests (purge_after);
