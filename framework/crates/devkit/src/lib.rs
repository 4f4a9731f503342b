//! Stand-ins for the parts of an OOTS deployment that are not the adapter, so the whole
//! exchange runs on one machine: `oots-adapter demo`, `oots-adapter load` and the tests.
//!
//! - [`simulator`]: an in-process fake of the Domibus 5.2 WS plugin.
//! - [`loopback`]: two native AS4 access points on loopback with a throwaway PKI.
//! - [`loopback_tls`]: a self-signed https front on loopback for the preview space.
//! - [`demo_idp`]: a small OpenID provider for the demo's citizen sign-in.
//! - [`samples`]: synthetic EDM messages about fictitious people and agencies.
//!
//! Production deployments do not need this crate: the adapter's binary uses it only for
//! `demo` and `load`, and can be built without it. It may depend on the crates below the
//! framework (`oots-as4`, `oots-edm`, `oots-store`), never on `oots-framework`, which
//! depends on it.

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod demo_idp;
pub mod loopback;
pub mod loopback_tls;
pub mod samples;
pub mod simulator;

pub use simulator::{DomibusSimulator, SimulatorConfig};
