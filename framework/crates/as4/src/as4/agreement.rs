//! The agreement every received user message is held to (the business half of the
//! P-Mode): who may send (a configured peer, under its party-id type, signing with its
//! own certificate), to whom (us, under our type), in which roles, for which service,
//! type and actions, on which MPC, with which message properties. A trusted certificate
//! proves only that *some* access point signed; the agreement says what that access
//! point may ask. A mismatch is refused with the ebMS error the profile names
//! (`EBMS:0010 ProcessingModeMismatch`, `EBMS:0101 FailedAuthentication` for a signer
//! that is not the sender's), before anything is stored or acknowledged.
//!
//! The defaults are the OOTS profile's (`docs/oots-edm.md` §6): service `QueryManager`
//! of type `urn:oasis:names:tc:ebcore:ebrs:ebms:binding:1.0`, both roles
//! `http://sdg.europa.eu/edelivery/gateway`, the default MPC, `originalSender` and
//! `finalRecipient` required, and for `oots-edm:v2.0` also `ExchangeId` and
//! `SpecificationId`. A provider receives `ExecuteQueryRequest` only.

use serde::Deserialize;

use crate::ebms;

/// The ebMS core test service: accepted with its test action, never delivered.
pub const TEST_SERVICE: &str =
    "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/service";
/// The ebMS core test action.
pub const TEST_ACTION: &str = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/test";

/// The `gateway.agreement:` section of `type: as4`, as written; every key optional.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgreementSettings {
    /// The `eb:Service` expected (default: the OOTS `QueryManager`).
    #[serde(default = "default_service")]
    pub service: String,
    /// The `type` of that service.
    #[serde(default = "default_service_type")]
    pub service_type: String,
    /// The actions a peer may send us.
    #[serde(default = "default_actions")]
    pub actions: Vec<String>,
    /// The role of both `From` and `To` (OOTS has one role for both).
    #[serde(default = "default_role")]
    pub role: String,
    /// The MPC; a message without `@mpc` is on the default MPC.
    #[serde(default = "default_mpc")]
    pub mpc: String,
    /// Message properties each message carries exactly once, not empty.
    #[serde(default = "default_required_properties")]
    pub required_properties: Vec<String>,
}

impl Default for AgreementSettings {
    fn default() -> Self {
        Self {
            service: default_service(),
            service_type: default_service_type(),
            actions: default_actions(),
            role: default_role(),
            mpc: default_mpc(),
            required_properties: default_required_properties(),
        }
    }
}

impl AgreementSettings {
    /// Refuses an agreement no message could meet.
    pub fn validate(&self) -> Result<(), String> {
        let blank = [
            ("service", &self.service),
            ("service_type", &self.service_type),
            ("role", &self.role),
            ("mpc", &self.mpc),
        ];
        if let Some((key, _)) = blank.iter().find(|(_, v)| v.trim().is_empty()) {
            return Err(format!("{key} must not be empty"));
        }
        if self.actions.is_empty() || self.actions.iter().any(|a| a.trim().is_empty()) {
            return Err("actions must name at least one action, none empty".to_owned());
        }
        Ok(())
    }

    /// The OOTS agreement of a requester's access point, which receives answers.
    pub fn requester() -> Self {
        Self {
            actions: vec![
                ebms::ACTION_EXECUTE_QUERY_RESPONSE.to_owned(),
                ebms::ACTION_EXCEPTION_RESPONSE.to_owned(),
            ],
            ..Self::default()
        }
    }
}

fn default_service() -> String {
    ebms::OOTS_SERVICE.to_owned()
}
fn default_service_type() -> String {
    ebms::OOTS_SERVICE_TYPE.to_owned()
}
fn default_actions() -> Vec<String> {
    vec![ebms::ACTION_EXECUTE_QUERY_REQUEST.to_owned()]
}
fn default_role() -> String {
    ebms::OOTS_ROLE.to_owned()
}
fn default_mpc() -> String {
    ebms::DEFAULT_MPC.to_owned()
}
fn default_required_properties() -> Vec<String> {
    vec![
        ebms::PROP_ORIGINAL_SENDER.to_owned(),
        ebms::PROP_FINAL_RECIPIENT.to_owned(),
    ]
}

/// Why a received user message is outside the agreement.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Mismatch {
    /// The sender's PartyId is not a peer of the agreement.
    #[error("no agreement with a sender {0}")]
    UnknownSender(String),
    /// The message is signed with another peer's certificate.
    #[error("the sender {0} is signed for by another certificate than its own")]
    NotTheSigner(String),
    /// The message carries no signature.
    #[error("the message is not signed")]
    Unsigned,
    /// The sender's PartyId carries another type than agreed.
    #[error("the sender {party} is known under the party-id type {expected}")]
    SenderType {
        /// The sender PartyId.
        party: String,
        /// The type agreed for it.
        expected: String,
    },
    /// The message is addressed to another party.
    #[error("addressed to {0}, not to this access point")]
    NotUs(String),
    /// Our PartyId is written with another type than ours.
    #[error("addressed under another party-id type than {0}")]
    RecipientType(String),
    /// A party's role is not the agreed one.
    #[error("{side} role is not {expected}")]
    Role {
        /// Which party (`From` or `To`).
        side: &'static str,
        /// The role agreed.
        expected: String,
    },
    /// The service is not the agreed one.
    #[error("the service is not {expected} of type {expected_type}")]
    Service {
        /// The service agreed.
        expected: String,
        /// Its type.
        expected_type: String,
    },
    /// The action is not agreed.
    #[error("the action {0} is not in the agreement")]
    Action(String),
    /// The message is on another MPC than the default one.
    #[error("the MPC is not {0}")]
    Mpc(String),
    /// A required message property is missing or empty.
    #[error("the message property {0} is missing or empty")]
    MissingProperty(String),
    /// A message property appears twice.
    #[error("the message property {0} appears more than once")]
    RepeatedProperty(String),
}

impl Mismatch {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Mismatch::UnknownSender(_) => "as4.agreement.sender",
            Mismatch::NotTheSigner(_) | Mismatch::Unsigned => "as4.agreement.signer",
            Mismatch::SenderType { .. } => "as4.agreement.sender_type",
            Mismatch::NotUs(_) | Mismatch::RecipientType(_) => "as4.agreement.recipient",
            Mismatch::Role { .. } => "as4.agreement.role",
            Mismatch::Service { .. } => "as4.agreement.service",
            Mismatch::Action(_) => "as4.agreement.action",
            Mismatch::Mpc(_) => "as4.agreement.mpc",
            Mismatch::MissingProperty(_) | Mismatch::RepeatedProperty(_) => {
                "as4.agreement.property"
            }
        }
    }

    /// The ebMS error the message is refused with.
    pub fn ebms_code(&self) -> &'static str {
        match self {
            Mismatch::NotTheSigner(_) | Mismatch::Unsigned => "EBMS:0101",
            _ => "EBMS:0010",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_section_is_the_oots_profile() {
        let written: AgreementSettings = serde_saphyr::from_str("{}").unwrap();
        assert_eq!(written, AgreementSettings::default());
        assert_eq!(written.actions, [ebms::ACTION_EXECUTE_QUERY_REQUEST]);
        assert_eq!(written.mpc, ebms::DEFAULT_MPC);
        assert!(written.validate().is_ok());
        assert!(serde_saphyr::from_str::<AgreementSettings>("actionz: [X]").is_err());
    }

    #[test]
    fn an_agreement_no_message_could_meet_is_refused() {
        let none = AgreementSettings {
            actions: Vec::new(),
            ..AgreementSettings::default()
        };
        assert!(none.validate().unwrap_err().contains("actions"));
        let blank = AgreementSettings {
            mpc: " ".into(),
            ..AgreementSettings::default()
        };
        assert!(blank.validate().unwrap_err().contains("mpc"));
    }

    #[test]
    fn each_mismatch_has_a_stable_code_and_its_ebms_error() {
        assert_eq!(Mismatch::NotTheSigner("AP".into()).ebms_code(), "EBMS:0101");
        assert_eq!(Mismatch::Unsigned.ebms_code(), "EBMS:0101");
        let m = Mismatch::Action("X".into());
        assert_eq!(
            (m.code(), m.ebms_code()),
            ("as4.agreement.action", "EBMS:0010")
        );
    }
}
