//! The Domibus WS-plugin gateway: client ([`DomibusWsPlugin`]), push-notification
//! endpoint ([`push::router`]) and an in-process fake Domibus ([`simulator`]).
//!
//! Wire facts (operations, namespaces, fault codes) are in `docs/as4.md` §2.3.

pub mod client;
pub mod config;
pub mod push;
pub mod simulator;
pub mod soap;

pub use client::DomibusWsPlugin;
pub use config::{DomibusConfig, PushAuth, Secret};
pub use simulator::{DomibusSimulator, SimulatorConfig};
