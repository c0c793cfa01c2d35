-- Data-subject rights (issue 5): the archive purge journal and privacy requests.

-- Contacts erased while an archive data source was attached. The archive never holds data
-- keys (they live only here, in the main database), so the erasure transaction that destroys
-- the key makes the archived ciphertext unreadable at once; this journal row, written in the
-- same transaction, says the archive still has rows of the contact to delete. A crash before
-- that purge is finished by the next rights command.
CREATE TABLE archive_purges (
    tenant_id BIGINT NOT NULL,
    contact_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    erased_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, contact_id, key_id)
);

-- Privacy requests: received -> in_progress -> completed | rejected | failed. The subject
-- (identification request or ids) is encrypted under its own data key and purged, key and
-- all, a configurable window after completion; the row, counts and receipts stay.
CREATE TABLE privacy_requests (
    id TEXT PRIMARY KEY,
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
    subject BLOB,
    result TEXT,
    error TEXT
);
CREATE INDEX privacy_requests_by_tenant ON privacy_requests (tenant_id, received_at);
CREATE INDEX privacy_requests_by_purge ON privacy_requests (purge_after);
