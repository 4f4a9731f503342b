//! The preview pages: where the citizen signs in, sees the evidence and decides
//! (docs/preview.md). The state they drive lives below, in [`crate::preview`]; this is
//! its HTTP face.
//!
//! - [`auth`]: the sign-in ([`auth::Authenticator`], OpenID Connect);
//! - [`page`]: the pages and their templates (`preview-ui/`);
//! - [`routes`]: the HTTP routes that tie them to the sessions: the space they serve
//!   (`space`), the session a route loads and settles (`loaded`), the browser and its
//!   visit (`visit`), the sign-in (`sign_in`) and the pages' rendering (`render`).

mod associated;
pub mod auth;
mod loaded;
pub mod page;
mod render;
pub mod routes;
mod sign_in;
mod space;
mod visit;

use std::sync::Arc;

use tokio::sync::mpsc;

use crate::config::AuthenticationSetting;
use crate::exchange::Exchange;
use routes::{Authentication, PreviewSpace};

/// An OpenID provider discovered on first use, and again after a failed attempt.
struct Discovered {
    settings: auth::OidcSettings,
    found: tokio::sync::OnceCell<auth::OidcAuthenticator>,
}

impl std::fmt::Debug for Discovered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Discovered")
            .field("issuer", &self.settings.issuer)
            .field("found", &self.found.initialized())
            .finish()
    }
}

impl Discovered {
    fn new(settings: auth::OidcSettings) -> Self {
        Self {
            settings,
            found: tokio::sync::OnceCell::new(),
        }
    }

    async fn get(&self) -> Result<&auth::OidcAuthenticator, auth::AuthError> {
        self.found
            .get_or_try_init(|| auth::OidcAuthenticator::discover(&self.settings))
            .await
    }
}

#[async_trait::async_trait]
impl auth::Authenticator for Discovered {
    fn kind(&self) -> &'static str {
        "oidc"
    }

    async fn begin(&self, callback_url: &str) -> Result<auth::SignIn, auth::AuthError> {
        self.get().await?.begin(callback_url).await
    }

    async fn finish(
        &self,
        pending: &auth::PendingSignIn,
        callback_url: &str,
        query: &std::collections::BTreeMap<String, String>,
    ) -> Result<auth::AuthenticatedPerson, auth::AuthError> {
        self.get().await?.finish(pending, callback_url, query).await
    }
}

/// Why the preview space cannot start.
#[derive(Debug, thiserror::Error)]
pub enum PreviewError {
    #[error(transparent)]
    Page(#[from] page::PageError),
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
    let ui =
        page::PreviewUi::with_overrides(config.ui_dir.as_deref())?.with_time_zone(config.zone());
    let authentication = match setting {
        AuthenticationSetting::None => Authentication::None,
        AuthenticationSetting::Oidc(s) => {
            let provider = Discovered::new((**s).clone());
            // Found now if the provider is up; otherwise at the first sign-in, so the
            // pages are served (and say so) while the provider is still starting.
            if let Err(e) = provider.get().await {
                tracing::error!(code = e.code(), error = %e, "the identity provider cannot be discovered yet; retrying at the first sign-in");
            }
            Authentication::Provider(Arc::new(provider))
        }
    };
    Ok(Some(routes::router(Arc::new(PreviewSpace {
        exchange: exchange.clone(),
        ui: Arc::new(ui),
        authentication,
        decided,
    }))))
}
