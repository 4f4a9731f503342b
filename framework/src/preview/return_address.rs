//! Where the preview sends the user back after deciding: the requester's return address.
//!
//! It comes only from the requester's own request, by the channel the link's EDM version
//! fixes: the 2.0 follow-up's `ReturnLocation`, or the `returnurl` a 1.x requester appends
//! to the link (then only from the browser the link is bound to). It must be https, and,
//! when the deployment lists hosts for the requester (`preview.return_hosts`), on one of
//! them. The session keeps the first address that passes and never changes it.

use std::collections::BTreeMap;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

use crate::edm::EdmVersion;

/// Where a link takes its return address from, fixed when it is issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReturnChannel {
    /// 2.0: the follow-up request's `ReturnLocation`. Also the reading of sessions
    /// stored before the channel was kept: the link's `returnurl` is never trusted.
    #[default]
    FollowUp,
    /// 1.x: the `returnurl` parameter the requester appends to the link.
    LinkParameter,
}

impl ReturnChannel {
    /// The channel of a link issued for a request in `version`.
    pub fn of(version: EdmVersion) -> Self {
        if version.is_v2() {
            ReturnChannel::FollowUp
        } else {
            ReturnChannel::LinkParameter
        }
    }
}

/// Why a return address is not taken. Logged with its code only (the address itself may
/// carry the requester's case data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReturnRefused {
    #[error("the return address is not an absolute https URL")]
    NotHttps,
    #[error("the return address carries user information or control characters")]
    Malformed,
    #[error("the return address's host is not among the requester's preview.return_hosts")]
    HostNotAllowed,
}

impl ReturnRefused {
    /// A stable code for logs.
    pub fn code(&self) -> &'static str {
        match self {
            ReturnRefused::NotHttps => "PREVIEW_RETURN_NOT_HTTPS",
            ReturnRefused::Malformed => "PREVIEW_RETURN_MALFORMED",
            ReturnRefused::HostNotAllowed => "PREVIEW_RETURN_HOST_NOT_ALLOWED",
        }
    }
}

/// The hosts each requester may send the user back to (`preview.return_hosts`, by
/// requester identifier). A requester without an entry may use any https host.
pub type ReturnHosts = BTreeMap<String, Vec<String>>;

/// A return address that passed the rules. Made only by [`ReturnAddress::parse`].
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ReturnAddress(String);

impl std::fmt::Debug for ReturnAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReturnAddress(..)")
    }
}

impl Deref for ReturnAddress {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl ReturnAddress {
    /// `raw` as a return address of `requester`: an absolute https URL without user
    /// information or control characters, on one of the requester's hosts if the
    /// deployment lists any (host compared without case and port). Kept in its parsed
    /// form (host lower case, non-ASCII percent- or punycode-encoded).
    pub fn parse(raw: &str, requester: &str, hosts: &ReturnHosts) -> Result<Self, ReturnRefused> {
        let raw = raw.trim();
        if raw.chars().any(char::is_control) {
            return Err(ReturnRefused::Malformed);
        }
        let https = raw
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("https://"));
        if !https {
            return Err(ReturnRefused::NotHttps);
        }
        let url = reqwest::Url::parse(raw).map_err(|_| ReturnRefused::NotHttps)?;
        if url.scheme() != "https" {
            return Err(ReturnRefused::NotHttps);
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ReturnRefused::Malformed);
        }
        let Some(host) = url.host_str() else {
            return Err(ReturnRefused::NotHttps);
        };
        if let Some(allowed) = hosts.get(requester)
            && !allowed.iter().any(|h| h.eq_ignore_ascii_case(host))
        {
            return Err(ReturnRefused::HostNotAllowed);
        }
        // As parsed (WHATWG, as a browser reads it): what was checked is what is sent.
        Ok(ReturnAddress(url.into()))
    }
}

/// A host name as `preview.return_hosts` takes it: no scheme, port, path or user
/// information.
pub fn is_host_name(host: &str) -> bool {
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts() -> ReturnHosts {
        BTreeMap::from([("req-1".to_owned(), vec!["portal.example.eu".to_owned()])])
    }

    #[test]
    fn only_https_without_user_information_on_a_listed_host() {
        let h = hosts();
        let ok =
            ReturnAddress::parse(" https://Portal.Example.EU:8443/back?x=1 ", "req-1", &h).unwrap();
        assert_eq!(&*ok, "https://portal.example.eu:8443/back?x=1");
        // A backslash is a slash to a browser: the host is the one before it.
        assert_eq!(
            ReturnAddress::parse("https://evil.example\\@portal.example.eu/", "req-1", &h),
            Err(ReturnRefused::HostNotAllowed)
        );
        for (raw, why) in [
            ("http://portal.example.eu/", ReturnRefused::NotHttps),
            ("javascript:alert(1)", ReturnRefused::NotHttps),
            ("//portal.example.eu/", ReturnRefused::NotHttps),
            ("https://", ReturnRefused::NotHttps),
            (
                "https://portal.example.eu@evil.example/",
                ReturnRefused::Malformed,
            ),
            ("https://portal.example.eu/a\nb", ReturnRefused::Malformed),
            (
                "https://portal.example.eu.evil.example/",
                ReturnRefused::HostNotAllowed,
            ),
            ("https://evil.example/", ReturnRefused::HostNotAllowed),
        ] {
            assert_eq!(ReturnAddress::parse(raw, "req-1", &h), Err(why), "{raw}");
        }
        // A requester the deployment lists no hosts for may use any https host.
        assert!(ReturnAddress::parse("https://evil.example/", "req-2", &h).is_ok());
        assert_eq!(format!("{ok:?}"), "ReturnAddress(..)");
    }

    #[test]
    fn the_channel_follows_the_version_and_defaults_to_the_follow_up() {
        assert_eq!(ReturnChannel::of(EdmVersion::V2_0), ReturnChannel::FollowUp);
        assert_eq!(
            ReturnChannel::of(EdmVersion::V1_2),
            ReturnChannel::LinkParameter
        );
        assert_eq!(ReturnChannel::default(), ReturnChannel::FollowUp);
        assert!(is_host_name("portal.example.eu"));
        for bad in ["", "https://x", "x:443", "x/y", "a@b"] {
            assert!(!is_host_name(bad), "{bad}");
        }
    }
}
