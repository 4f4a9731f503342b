//! The Domibus WS-plugin gateway: client ([`DomibusWsPlugin`]), push-notification
//! endpoint ([`push::router`]), and the [`wire`] codec they share with the in-process
//! fake Domibus of the `oots-devkit` crate.
//!
//! Wire facts (operations, namespaces, fault codes) are in `docs/as4.md` §2.3.

pub mod client;
pub mod config;
pub mod push;
pub mod soap;
pub mod wire;

pub use client::DomibusWsPlugin;
pub use config::{DomibusConfig, PushAuth, Secret};
