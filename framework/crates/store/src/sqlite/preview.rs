//! The preview links and sessions of the SQLite store (see [`PreviewSessions`]).

use async_trait::async_trait;
use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, db_error, parse_ts, ts};
use crate::{PreviewDoc, PreviewLink, PreviewSessions, Revision, StoreError, Swap};

#[async_trait]
impl PreviewSessions for SqliteStore {
    async fn save_preview(&self, link: &PreviewLink) -> Result<(), StoreError> {
        let l = link.clone();
        self.run(move |c| {
            c.execute(
                "INSERT INTO preview_link (token, location, request_id, evidence_type, requester_id, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                params![l.token, l.location, l.request_id, l.evidence_type, l.requester_id, ts(l.created_at), l.data.as_stored()],
            )
            .map_err(db_error)?;
            Ok(())
        })
        .await
    }

    async fn find_preview(&self, token: &str) -> Result<Option<PreviewLink>, StoreError> {
        let t = token.to_owned();
        self.run(move |c| {
            let row: Option<(String, String, String, String, String, String, String)> = c
                .query_row(
                    "SELECT token, location, request_id, evidence_type, requester_id, created_at, data FROM preview_link WHERE token = ?",
                    [&t],
                    |r| r.try_into(),
                )
                .optional()
                .map_err(db_error)?;
            let Some((token, location, request_id, evidence_type, requester_id, created, data)) =
                row
            else {
                return Ok(None);
            };
            Ok(Some(PreviewLink {
                token,
                location,
                request_id,
                evidence_type,
                requester_id,
                created_at: parse_ts(&created, "preview_link")?,
                data: PreviewDoc::from_stored(data),
            }))
        })
        .await
    }

    async fn preview_state(
        &self,
        token: &str,
    ) -> Result<Option<(PreviewDoc, Revision)>, StoreError> {
        let t = token.to_owned();
        self.run(move |c| {
            c.query_row(
                "SELECT state, version FROM preview_link WHERE token = ?",
                [&t],
                |r| {
                    Ok((
                        PreviewDoc::from_stored(r.get(0)?),
                        Revision::from_stored(r.get(1)?),
                    ))
                },
            )
            .optional()
            .map_err(db_error)
        })
        .await
    }

    async fn update_preview_state(
        &self,
        token: &str,
        state: &PreviewDoc,
        read: Revision,
    ) -> Result<Swap, StoreError> {
        let (t, s) = (token.to_owned(), state.as_stored().to_owned());
        let version = read.as_stored();
        self.run(move |c| {
            let n = c
                .execute(
                    "UPDATE preview_link SET state = ?, version = version + 1 WHERE token = ? AND version = ?",
                    params![s, t, version],
                )
                .map_err(db_error)?;
            Ok(Swap::of_updated(n as u64))
        })
        .await
    }

    async fn update_preview_state_and_data(
        &self,
        token: &str,
        state: &PreviewDoc,
        data: &PreviewDoc,
        read: Revision,
    ) -> Result<Swap, StoreError> {
        let (t, s) = (token.to_owned(), state.as_stored().to_owned());
        let d = data.as_stored().to_owned();
        let version = read.as_stored();
        self.run(move |c| {
            let n = c
                .execute(
                    "UPDATE preview_link SET state = ?, data = ?, version = version + 1 WHERE token = ? AND version = ? AND data <> '{}'",
                    params![s, d, t, version],
                )
                .map_err(db_error)?;
            Ok(Swap::of_updated(n as u64))
        })
        .await
    }

    async fn forget_preview_data(&self, token: &str) -> Result<(), StoreError> {
        let t = token.to_owned();
        self.run(move |c| {
            c.execute("UPDATE preview_link SET data = '{}' WHERE token = ?", [&t])
                .map_err(db_error)?;
            Ok(())
        })
        .await
    }
}
