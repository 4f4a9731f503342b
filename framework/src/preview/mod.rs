//! The preview's domain: what a preview link is and holds, below [`crate::exchange`]
//! (which issues links and answers follow-ups) and below its HTTP face,
//! [`crate::web::preview`] (docs/preview.md).
//!
//! - [`session`]: the state machine of one preview link (issued → opened → signing in →
//!   reviewing → approved / declined / mismatch / expired), T2 and T3;
//! - [`browser_key`]: the secret binding a link to its browser, and form tokens;
//! - [`held`]: what a session keeps until its follow-up is answered;
//! - [`identity`]: the re-authentication checks against the request and the record;
//! - [`representative`]: who acts for the subject, the one the sign-in is compared with;
//! - [`selection`]: which of several evidences the user ticked (`evidence.several`);
//! - [`return_address`]: where the user is sent back, and from which source;
//! - [`store`]: links and sessions in the state store, and the one compare-and-set that
//!   moves a session;
//! - [`i18n`]: the texts of the pages and of refusals, in every language (`preview-ui/i18n`);
//! - [`text_upgrade`]: translation overrides written for an older adapter, brought up to date;
//! - [`ui_files`]: reading the authority's override folder (`preview.ui_dir`).

pub mod associated;
pub mod browser_key;
pub mod held;
pub mod i18n;
pub mod identity;
pub mod representative;
pub mod return_address;
pub mod selection;
pub mod session;
pub mod store;
pub mod text_upgrade;
pub mod ui_files;
