//! The OOTS evidence-provider adapter framework.
//!
//! One request travels `gateway → exchange → mapping → connector → matching → render →
//! exchange → gateway` (see `docs/architecture.md`). Each stage is a module named after
//! its concept; only gateways and connectors talk to the outside.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod cli;
pub use oots_edm::clock;
pub mod config;
pub mod connector;
pub mod diag;
pub mod dsd;
pub use oots_edm as edm;
pub mod exchange;
pub mod gateway_health;
pub use oots_as4 as gateway;
pub mod listener;
pub mod mapping;
pub use oots_matching as matching;
pub mod metrics;
pub mod preview;
pub mod reload;
pub use oots_render as render;
pub mod requester;
pub mod retry;
pub mod secret;
pub mod service;
pub use oots_store as store;
pub mod telemetry;
pub use oots_as4::tls;
pub mod verify;
pub mod web;
