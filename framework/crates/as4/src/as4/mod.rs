//! eDelivery AS4 message service handler (ebMS 3, WS-Security, SOAP with attachments).
pub mod agreement;
pub mod c14n;
pub mod compress;
pub mod dn;
pub mod keys;
pub mod mime;
pub mod msh;
pub mod pmode;
pub mod signal;
pub mod wss;
