//! The OOTS evidence-provider adapter framework.
//!
//! One request travels `gateway → exchange → mapping → connector → matching → render →
//! exchange → gateway` (see `docs/architecture.md`). Each stage is a module named after
//! its concept; only gateways and connectors talk to the outside.

pub mod cli;
pub use oots_edm::clock;
pub mod config;
pub mod connector;
pub mod diag;
pub use oots_edm as edm;
pub mod exchange;
pub mod gateway;
pub mod listener;
pub mod loopback_tls;
pub mod mapping;
pub use oots_matching as matching;
pub mod metrics;
pub mod operator;
pub mod preview;
pub mod reload;
pub mod render;
pub mod requester;
pub mod secret;
pub mod service;
pub mod store;
pub mod telemetry;
pub mod tls;
