//! The preview space: where the citizen signs in, sees the evidence and decides
//! (docs/preview.md).
//!
//! - [`session`]: the state machine of one preview link (issued → opened → signing in →
//!   reviewing → approved / declined / mismatch / expired), T2 and T3;
//! - [`held`]: what a session keeps until its follow-up is answered;
//! - [`identity`]: the re-authentication check against the request's subject;
//! - [`auth`]: the sign-in ([`auth::Authenticator`], OpenID Connect);
//! - [`page`], [`i18n`]: the pages and their translations (`preview-ui/`);
//! - [`routes`]: the HTTP routes that tie them together.

pub mod auth;
pub mod held;
pub mod i18n;
pub mod identity;
pub mod page;
pub mod routes;
pub mod session;

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::config::AuthenticationSetting;
use crate::exchange::Exchange;
use routes::{Authentication, PreviewSpace};

/// Why the preview space cannot start.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error(transparent)]
    Page(#[from] page::PageError),
    #[error("identity provider: {0}")]
    Auth(#[from] auth::AuthError),
}

/// The preview routes for `exchange`'s configuration, or `None` when no sign-in is
/// configured. `decided` is told after each decision.
pub async fn space(
    exchange: &Exchange,
    decided: mpsc::UnboundedSender<()>,
) -> Result<Option<axum::Router>, PreviewError> {
    let config = &exchange.config().preview;
    let Some(setting) = &config.authentication else {
        return Ok(None);
    };
    let ui = page::PreviewUi::with_overrides(config.ui_dir.as_deref())?;
    let authentication = match setting {
        AuthenticationSetting::None => Authentication::None,
        AuthenticationSetting::Oidc(s) => {
            Authentication::Provider(Arc::new(auth::OidcAuthenticator::discover(s).await?))
        }
    };
    Ok(Some(routes::router(Arc::new(PreviewSpace {
        exchange: exchange.clone(),
        ui: Arc::new(ui),
        authentication,
        decided,
    }))))
}
