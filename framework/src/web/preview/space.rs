//! The preview space: what every route needs (the exchange, the pages, how the user
//! proves who they are, where decisions are told) and where the routes live.

use std::sync::Arc;

use tokio::sync::mpsc;

use super::auth::Authenticator;
use super::page::PreviewUi;
use crate::exchange::Exchange;

/// How the user proves who they are before seeing evidence.
#[derive(Clone)]
pub enum Authentication {
    /// Explicitly configured: no re-authentication, the link alone (single browser,
    /// short-lived) shows the evidence.
    None,
    /// Sign-in at an identity provider; the signed-in person must be the subject.
    Provider(Arc<dyn Authenticator>),
}

/// Everything the routes need.
pub struct PreviewSpace {
    pub exchange: Exchange,
    pub ui: Arc<PreviewUi>,
    pub authentication: Authentication,
    /// Told after every decision, so held follow-up requests are answered at once.
    pub decided: mpsc::UnboundedSender<()>,
}

impl PreviewSpace {
    /// The path the routes live under (`/preview` for `https://host/preview`).
    pub fn base_path(&self) -> String {
        base_path(&self.exchange.config().preview.public_url)
    }

    pub(super) fn callback_url(&self) -> String {
        format!(
            "{}/callback",
            self.exchange
                .config()
                .preview
                .public_url
                .trim_end_matches('/')
        )
    }
}

/// The path part of a URL, without a trailing slash (`""` for the root).
pub fn base_path(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let path = rest.find('/').map(|i| &rest[i..]).unwrap_or("");
    path.trim_end_matches('/').to_owned()
}
