//! The preview links and sessions of the PostgreSQL store (see [`PreviewSessions`]).

use async_trait::async_trait;
use sqlx::Row;

use super::PostgresStore;
use crate::{PreviewDoc, PreviewLink, PreviewSessions, Revision, StoreError, Swap};

#[async_trait]
impl PreviewSessions for PostgresStore {
    async fn save_preview(&self, link: &PreviewLink) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO preview_link (token, location, request_id, evidence_type, requester_id, created_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&link.token)
        .bind(&link.location)
        .bind(&link.request_id)
        .bind(&link.evidence_type)
        .bind(&link.requester_id)
        .bind(link.created_at)
        .bind(link.data.as_stored())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn find_preview(&self, token: &str) -> Result<Option<PreviewLink>, StoreError> {
        let row = sqlx::query(
            "SELECT token, location, request_id, evidence_type, requester_id, created_at, data FROM preview_link WHERE token = $1",
        )
        .bind(token)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| PreviewLink {
            token: r.get(0),
            location: r.get(1),
            request_id: r.get(2),
            evidence_type: r.get(3),
            requester_id: r.get(4),
            created_at: r.get(5),
            data: PreviewDoc::from_stored(r.get(6)),
        }))
    }

    async fn preview_state(
        &self,
        token: &str,
    ) -> Result<Option<(PreviewDoc, Revision)>, StoreError> {
        let row: Option<(String, i64)> =
            sqlx::query_as("SELECT state, version FROM preview_link WHERE token = $1")
                .bind(token)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(state, version)| {
            (
                PreviewDoc::from_stored(state),
                Revision::from_stored(version),
            )
        }))
    }

    async fn update_preview_state(
        &self,
        token: &str,
        state: &PreviewDoc,
        read: Revision,
    ) -> Result<Swap, StoreError> {
        let r = sqlx::query(
            "UPDATE preview_link SET state = $1, version = version + 1 WHERE token = $2 AND version = $3",
        )
        .bind(state.as_stored())
        .bind(token)
        .bind(read.as_stored())
        .execute(&self.pool)
        .await?;
        Ok(Swap::of_updated(r.rows_affected()))
    }

    async fn update_preview_state_and_data(
        &self,
        token: &str,
        state: &PreviewDoc,
        data: &PreviewDoc,
        read: Revision,
    ) -> Result<Swap, StoreError> {
        let r = sqlx::query(
            "UPDATE preview_link SET state = $1, data = $2, version = version + 1 WHERE token = $3 AND version = $4 AND data <> '{}'",
        )
        .bind(state.as_stored())
        .bind(data.as_stored())
        .bind(token)
        .bind(read.as_stored())
        .execute(&self.pool)
        .await?;
        Ok(Swap::of_updated(r.rows_affected()))
    }

    async fn forget_preview_data(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE preview_link SET data = '{}' WHERE token = $1")
            .bind(token)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
