//! The OOTS evidence-provider adapter framework.
//!
//! One request travels `gateway → exchange → mapping → connector → matching → render →
//! exchange → gateway` (see `docs/architecture.md`). Each stage is a module named after
//! its concept; only gateways and connectors talk to the outside.

pub mod cli;
pub mod clock;
pub mod config;
pub mod connector;
pub mod diag;
pub mod edm;
pub mod exchange;
pub mod gateway;
pub mod listener;
pub mod loopback_tls;
pub mod mapping;
pub mod matching;
pub mod metrics;
pub mod preview;
pub mod reload;
pub mod render;
pub mod requester;
pub mod retry;
pub mod secret;
pub mod service;
pub mod store;
pub mod telemetry;
pub mod tls;
pub mod verify;
pub mod web;
