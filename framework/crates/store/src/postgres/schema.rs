//! The PostgreSQL schema, created (or completed) under the migration lock at connect.

/// Every table and index, idempotent: run at every connect.
pub(super) const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS seen_request (
    request_id TEXT PRIMARY KEY,
    received_at TIMESTAMPTZ NOT NULL,
    message_id TEXT
);
CREATE TABLE IF NOT EXISTS inbound_message (
    message_id TEXT PRIMARY KEY,
    header TEXT NOT NULL,
    raw BYTEA NOT NULL,
    received_at TIMESTAMPTZ NOT NULL,
    state TEXT NOT NULL DEFAULT 'received',
    lease_owner TEXT,
    lease_until TIMESTAMPTZ,
    answer_id TEXT,
    outbox BYTEA,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ,
    last_error TEXT,
    action TEXT,
    code TEXT,
    generation TEXT,
    audit TEXT,
    answered_at TIMESTAMPTZ,
    acknowledged_at TIMESTAMPTZ,
    content_digest TEXT
);
ALTER TABLE inbound_message ADD COLUMN IF NOT EXISTS content_digest TEXT;
CREATE INDEX IF NOT EXISTS inbound_message_due ON inbound_message (state, received_at);
CREATE INDEX IF NOT EXISTS inbound_message_answer ON inbound_message (answer_id);
CREATE TABLE IF NOT EXISTS preview_link (
    token TEXT PRIMARY KEY,
    location TEXT NOT NULL,
    request_id TEXT NOT NULL,
    evidence_type TEXT NOT NULL,
    requester_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    state TEXT NOT NULL DEFAULT '{"state":"issued"}',
    version BIGINT NOT NULL DEFAULT 0,
    data TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE IF NOT EXISTS audit_journal (
    seq BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    record TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
ALTER TABLE audit_journal ADD COLUMN IF NOT EXISTS alg TEXT;
ALTER TABLE audit_journal ADD COLUMN IF NOT EXISTS key_id TEXT;
ALTER TABLE audit_journal ADD COLUMN IF NOT EXISTS mac TEXT;
CREATE INDEX IF NOT EXISTS audit_journal_at ON audit_journal (at);
CREATE TABLE IF NOT EXISTS audit_pending (
    id BIGSERIAL PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS adapter_meta (
    key TEXT PRIMARY KEY,
    value BYTEA NOT NULL
);
CREATE TABLE IF NOT EXISTS outbound_sealed (
    message_id TEXT PRIMARY KEY,
    content_type TEXT NOT NULL,
    body BYTEA NOT NULL,
    refs TEXT NOT NULL,
    sealed_at TIMESTAMPTZ NOT NULL
);
"#;
