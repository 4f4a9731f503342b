//! The exchanges of the SQLite store: each inbound message's state, lease and outbox
//! (see [`Exchanges`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::journal::append;
use super::{SqliteStore, db_error, parse_ts, state, ts};
use crate::{
    Claim, Decision, ExchangeState, ExchangeSummary, Exchanges, Inbound, OutboxEntry,
    SealedMessage, StoreError,
};

impl SqliteStore {
    /// One nullable text column of a message's row (`sql` selects it by message id).
    async fn text_of(
        &self,
        message_id: &str,
        sql: &'static str,
    ) -> Result<Option<String>, StoreError> {
        let m = message_id.to_owned();
        self.run(move |c| {
            c.query_row(sql, [&m], |r| r.get::<_, Option<String>>(0))
                .optional()
                .map(Option::flatten)
                .map_err(db_error)
        })
        .await
    }
}

/// Takes the lease on message `m` for `w` if it may (see [`Exchanges::claim`]).
fn claim_on(
    c: &Connection,
    m: &str,
    w: &str,
    lease_until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Claim, StoreError> {
    type Row = (
        String,
        Option<String>,
        Option<String>,
        String,
        Vec<u8>,
        Option<String>,
        Option<Vec<u8>>,
        i64,
    );
    let row: Option<Row> = c
            .query_row(
                "SELECT state, lease_owner, lease_until, header, raw, answer_id, outbox, attempts FROM inbound_message WHERE message_id = ?",
                [m],
                |r| r.try_into(),
            )
            .optional()
            .map_err(db_error)?;
    let Some((st, owner, until, header, raw, answer_id, outbox, attempts)) = row else {
        return Ok(Claim::Unknown);
    };
    let st = state(&st)?;
    if st.is_answered() {
        return Ok(Claim::Answered(answer_id.unwrap_or_default()));
    }
    if st == ExchangeState::Failed {
        return Ok(Claim::Failed(answer_id.unwrap_or_default()));
    }
    if let (Some(owner), Some(until)) = (owner, until)
        && owner != w
        && until > ts(now)
    {
        return Ok(Claim::Busy);
    }
    c.execute(
        "UPDATE inbound_message SET lease_owner = ?, lease_until = ? WHERE message_id = ?",
        params![w, ts(lease_until), m],
    )
    .map_err(db_error)?;
    Ok(match st {
        ExchangeState::Decided => Claim::Send(OutboxEntry {
            answer_id: answer_id.unwrap_or_default(),
            message: outbox.unwrap_or_default(),
            attempts: u32::try_from(attempts).unwrap_or(0),
        }),
        st => Claim::Decide {
            header,
            regrep: raw,
            state: st,
        },
    })
}

/// The sealed bytes kept for outgoing message `m`.
fn sealed_on(c: &Connection, m: &str) -> Result<Option<SealedMessage>, StoreError> {
    c.query_row(
        "SELECT content_type, body, refs FROM outbound_sealed WHERE message_id = ?",
        [m],
        |r| {
            Ok(SealedMessage {
                content_type: r.get(0)?,
                body: r.get(1)?,
                references: r.get(2)?,
            })
        },
    )
    .optional()
    .map_err(db_error)
}

#[async_trait]
impl Exchanges for SqliteStore {
    async fn store_inbound(
        &self,
        message_id: &str,
        header: &str,
        regrep: &[u8],
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (m, h, r) = (message_id.to_owned(), header.to_owned(), regrep.to_vec());
        self.run(move |c| {
            let n = c
                .execute(
                    "INSERT INTO inbound_message (message_id, header, raw, received_at, state) VALUES (?, ?, ?, ?, 'received') ON CONFLICT DO NOTHING",
                    params![m, h, r, ts(at)],
                )
                .map_err(db_error)?;
            Ok(n == 1)
        })
        .await
    }

    async fn store_inbound_once(
        &self,
        message_id: &str,
        content: &str,
        header: &str,
        regrep: &[u8],
        at: DateTime<Utc>,
    ) -> Result<Inbound, StoreError> {
        let (m, d, h, r) = (
            message_id.to_owned(),
            content.to_owned(),
            header.to_owned(),
            regrep.to_vec(),
        );
        self.run(move |c| {
            let n = c
                .execute(
                    "INSERT INTO inbound_message (message_id, header, raw, received_at, state, content_digest) VALUES (?, ?, ?, ?, 'received', ?) ON CONFLICT DO NOTHING",
                    params![m, h, r, ts(at), d],
                )
                .map_err(db_error)?;
            if n == 1 {
                return Ok(Inbound::Stored);
            }
            let known: Option<String> = c
                .query_row(
                    "SELECT content_digest FROM inbound_message WHERE message_id = ?",
                    [&m],
                    |row| row.get(0),
                )
                .map_err(db_error)?;
            match known {
                Some(k) if k == d => Ok(Inbound::Resent),
                Some(_) => Ok(Inbound::Conflict),
                None => {
                    c.execute(
                        "UPDATE inbound_message SET content_digest = ? WHERE message_id = ? AND content_digest IS NULL",
                        params![d, m],
                    )
                    .map_err(db_error)?;
                    Ok(Inbound::Resent)
                }
            }
        })
        .await
    }

    async fn claim(
        &self,
        message_id: &str,
        worker: &str,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        let (m, w) = (message_id.to_owned(), worker.to_owned());
        self.run(move |c| claim_on(c, &m, &w, lease_until, now))
            .await
    }

    async fn store_and_claim(
        &self,
        message_id: &str,
        header: &str,
        regrep: &[u8],
        worker: &str,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Claim, StoreError> {
        let (m, h, r, w) = (
            message_id.to_owned(),
            header.to_owned(),
            regrep.to_vec(),
            worker.to_owned(),
        );
        self.run(move |c| {
            let n = c
                .execute(
                    "INSERT INTO inbound_message (message_id, header, raw, received_at, state, lease_owner, lease_until) VALUES (?, ?, ?, ?, 'received', ?, ?) ON CONFLICT DO NOTHING",
                    params![m, h, r, ts(now), w, ts(lease_until)],
                )
                .map_err(db_error)?;
            if n == 1 {
                return Ok(Claim::Decide {
                    header: h,
                    regrep: r,
                    state: ExchangeState::Received,
                });
            }
            // Stored before (a redelivery).
            claim_on(c, &m, &w, lease_until, now)
        })
        .await
    }

    async fn due(
        &self,
        worker: &str,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<String>, StoreError> {
        let w = worker.to_owned();
        self.run(move |c| {
            let now = ts(now);
            let mut stmt = c
                .prepare_cached(
                    "SELECT message_id FROM inbound_message WHERE state IN ('received', 'awaiting_preview', 'decided') AND (lease_owner IS NULL OR lease_until < ?) AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY received_at LIMIT ?",
                )
                .map_err(db_error)?;
            let ids = stmt
                .query_map(params![now, now, i64::from(limit)], |r| r.get::<_, String>(0))
                .map_err(db_error)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db_error)?;
            for id in &ids {
                c.execute(
                    "UPDATE inbound_message SET lease_owner = ?, lease_until = ? WHERE message_id = ?",
                    params![w, ts(lease_until), id],
                )
                .map_err(db_error)?;
            }
            Ok(ids)
        })
        .await
    }

    async fn hold(&self, message_id: &str, worker: &str) -> Result<(), StoreError> {
        let (m, w) = (message_id.to_owned(), worker.to_owned());
        self.run(move |c| {
            c.execute(
                "UPDATE inbound_message SET state = 'awaiting_preview', lease_owner = NULL, lease_until = NULL WHERE message_id = ? AND lease_owner = ? AND state IN ('received', 'awaiting_preview')",
                params![m, w],
            )
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    async fn decide(
        &self,
        message_id: &str,
        worker: &str,
        d: &Decision,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (m, w, d) = (message_id.to_owned(), worker.to_owned(), d.clone());
        let key = self.key.clone();
        self.run(move |c| {
            let n = c
                .execute(
                    "UPDATE inbound_message SET state = 'decided', answer_id = ?, outbox = ?, action = ?, code = ?, generation = ?, audit = ?, attempts = 0, next_attempt_at = NULL, last_error = NULL WHERE message_id = ? AND lease_owner = ? AND state IN ('received', 'awaiting_preview')",
                    params![d.answer_id, d.message, d.action, d.code, d.generation, d.audit, m, w],
                )
                .map_err(db_error)?;
            if n != 1 {
                return Ok(false);
            }
            append(c, &d.audit, now, key.as_deref())?;
            Ok(true)
        })
        .await
    }

    async fn defer(
        &self,
        message_id: &str,
        worker: &str,
        next_attempt: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        let (m, w, e) = (message_id.to_owned(), worker.to_owned(), error.to_owned());
        self.run(move |c| {
            c.execute(
                "UPDATE inbound_message SET lease_owner = NULL, lease_until = NULL, attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE message_id = ? AND lease_owner = ?",
                params![ts(next_attempt), e, m, w],
            )
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    async fn mark_answered(
        &self,
        message_id: &str,
        acknowledged: bool,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let m = message_id.to_owned();
        self.run(move |c| {
            c.execute(
                "UPDATE inbound_message SET state = CASE WHEN state = 'acknowledged' OR ?1 THEN 'acknowledged' ELSE 'answered' END, answered_at = ?2, acknowledged_at = CASE WHEN ?1 THEN ?2 ELSE acknowledged_at END, outbox = NULL, raw = x'', header = '', lease_owner = NULL, lease_until = NULL, last_error = NULL WHERE message_id = ?3 AND state IN ('decided', 'acknowledged')",
                params![acknowledged, ts(at), m],
            )
            .map_err(db_error)?;
            c.execute(
                "DELETE FROM outbound_sealed WHERE message_id = (SELECT answer_id FROM inbound_message WHERE message_id = ? AND state IN ('answered', 'acknowledged'))",
                [&m],
            )
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    async fn fail(&self, message_id: &str, worker: &str, error: &str) -> Result<(), StoreError> {
        let (m, w, e) = (message_id.to_owned(), worker.to_owned(), error.to_owned());
        self.run(move |c| {
            c.execute(
                "UPDATE inbound_message SET state = 'failed', lease_owner = NULL, lease_until = NULL, attempts = attempts + 1, next_attempt_at = NULL, last_error = ? WHERE message_id = ? AND lease_owner = ? AND state = 'decided'",
                params![e, m, w],
            )
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    async fn keep_sealed(
        &self,
        message_id: &str,
        sealed: &SealedMessage,
        at: DateTime<Utc>,
    ) -> Result<SealedMessage, StoreError> {
        let (m, s) = (message_id.to_owned(), sealed.clone());
        self.run(move |c| {
            c.execute(
                "INSERT INTO outbound_sealed (message_id, content_type, body, refs, sealed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                params![m, s.content_type, s.body, s.references, ts(at)],
            )
            .map_err(db_error)?;
            sealed_on(c, &m)?
                .ok_or_else(|| StoreError::Query("sealed bytes not kept".into()))
        })
        .await
    }

    async fn sealed(&self, message_id: &str) -> Result<Option<SealedMessage>, StoreError> {
        let m = message_id.to_owned();
        self.run(move |c| sealed_on(c, &m)).await
    }

    async fn acknowledge_answer(
        &self,
        answer_id: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let a = answer_id.to_owned();
        self.run(move |c| {
            let n = c
                .execute(
                    "UPDATE inbound_message SET state = 'acknowledged', acknowledged_at = ? WHERE answer_id = ? AND state IN ('decided', 'answered')",
                    params![ts(at), a],
                )
                .map_err(db_error)?;
            Ok(n == 1)
        })
        .await
    }

    async fn acknowledge_answers(
        &self,
        answer_ids: &[String],
        at: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let ids = answer_ids.to_vec();
        self.run(move |c| {
            let mut st = c
                .prepare_cached(
                    "UPDATE inbound_message SET state = 'acknowledged', acknowledged_at = ? WHERE answer_id = ? AND state IN ('decided', 'answered')",
                )
                .map_err(db_error)?;
            let at = ts(at);
            let mut n = 0u64;
            for id in &ids {
                n += st.execute(params![at, id]).map_err(db_error)? as u64;
            }
            Ok(n)
        })
        .await
    }

    async fn answer_of(&self, message_id: &str) -> Result<Option<String>, StoreError> {
        self.text_of(
            message_id,
            "SELECT answer_id FROM inbound_message WHERE message_id = ?",
        )
        .await
    }

    async fn state_of(&self, message_id: &str) -> Result<Option<ExchangeState>, StoreError> {
        let m = message_id.to_owned();
        self.run(move |c| {
            let s: Option<String> = c
                .query_row(
                    "SELECT state FROM inbound_message WHERE message_id = ?",
                    [&m],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_error)?;
            s.map(|s| state(&s)).transpose()
        })
        .await
    }

    async fn unanswered(&self, message_id: &str) -> Result<Option<(String, Vec<u8>)>, StoreError> {
        let m = message_id.to_owned();
        self.run(move |c| {
            c.query_row(
                "SELECT header, raw FROM inbound_message WHERE message_id = ? AND state IN ('received', 'awaiting_preview', 'decided')",
                [&m],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()
            .map_err(db_error)
        })
        .await
    }

    async fn audit_of(&self, message_id: &str) -> Result<Option<String>, StoreError> {
        self.text_of(
            message_id,
            "SELECT audit FROM inbound_message WHERE message_id = ?",
        )
        .await
    }

    async fn recent_exchanges(&self, limit: u32) -> Result<Vec<ExchangeSummary>, StoreError> {
        self.run(move |c| {
            let mut stmt = c
                .prepare_cached(
                    "SELECT message_id, state, received_at, answered_at, action, code, generation, attempts, last_error FROM inbound_message ORDER BY received_at DESC LIMIT ?",
                )
                .map_err(db_error)?;
            type Row = (
                String,
                String,
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                i64,
                Option<String>,
            );
            let rows = stmt
                .query_map([i64::from(limit)], |r| r.try_into())
                .map_err(db_error)?
                .collect::<Result<Vec<Row>, _>>()
                .map_err(db_error)?;
            rows.into_iter()
                .map(|(message_id, st, received, answered, action, code, generation, attempts, last_error)| {
                    Ok(ExchangeSummary {
                        message_id,
                        state: state(&st)?,
                        received_at: parse_ts(&received, "inbound_message")?,
                        answered_at: answered
                            .map(|s| parse_ts(&s, "inbound_message"))
                            .transpose()?,
                        action,
                        code,
                        generation,
                        attempts: u32::try_from(attempts).unwrap_or(0),
                        last_error,
                    })
                })
                .collect()
        })
        .await
    }

    async fn exchange_counts(&self) -> Result<Vec<(ExchangeState, i64)>, StoreError> {
        self.run(|c| {
            let mut stmt = c
                .prepare_cached("SELECT state, COUNT(*) FROM inbound_message GROUP BY state")
                .map_err(db_error)?;
            let rows = stmt
                .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
                .map_err(db_error)?
                .collect::<Result<Vec<_>, _>>()
                .map_err(db_error)?;
            rows.into_iter().map(|(s, n)| Ok((state(&s)?, n))).collect()
        })
        .await
    }
}
