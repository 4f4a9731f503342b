//! Who an evidence type is released to, and on what request: the requester allow-list and
//! the handling of `ExplicitRequestGiven=false` (`policy:` in a mapping file).
//!
//! `ExplicitRequestGiven` (R-EDM-REQ-S010: present; S025: `rim:BooleanValueType`) states
//! whether the user explicitly requested the exchange (shared/docs/oots-edm.md §2.2, row 6:
//! "user's explicit request (Art. 14 SDGR)"). The Single Digital Gateway Regulation
//! (EU) 2018/1724 has the technical system process requests "at the explicit request of
//! the user" (Art. 14(3)(a)) and permits its use only at the user's explicit request,
//! "unless otherwise provided in Union or national law" (Art. 14(4)). Whether such law
//! covers a request is a matter of its procedure, which only the authority can judge: so
//! `false` is refused unless the mapping names the request's procedure as exempt.

use serde::{Deserialize, Deserializer};

use crate::edm::{Agent, EvidenceRequest};

/// One evidence requester an evidence type may be released to: its `sdg:Identifier` and
/// that identifier's `schemeID` (an EAS code URN, or `…:unregistered:<CC>`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedRequester {
    pub scheme: String,
    pub identifier: String,
}

impl AllowedRequester {
    /// Whether `agent` is this requester: the same identifier (exactly, spaces around it
    /// aside) in the same scheme (URNs compared without regard to case).
    fn is(&self, agent: &Agent) -> bool {
        agent.identifier.value.trim() == self.identifier.trim()
            && agent
                .identifier
                .scheme_id
                .as_deref()
                .is_some_and(|s| s.trim().eq_ignore_ascii_case(self.scheme.trim()))
    }
}

/// What a request with `ExplicitRequestGiven=false` gets.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum ExplicitRequestPolicy {
    /// Only requests the user explicitly made are served (SDGR Art. 14(3)(a)).
    #[default]
    Required,
    /// Also served without the user's explicit request when the request's procedure is
    /// one of these codes (`Procedures` code list, e.g. `V2`): Union or national law for
    /// them provides otherwise (SDGR Art. 14(4)).
    ExemptProcedures(#[serde(deserialize_with = "procedures")] Vec<String>),
}

/// Why a request may not receive the evidence; its detail names the rule, and no
/// personal data (requester identifiers are authorities').
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denied {
    /// An evidence requester is not on `policy.requesters`.
    NotAllowed { scheme: String, identifier: String },
    /// `ExplicitRequestGiven=false`, and the procedure is not exempt.
    NoExplicitRequest { procedure: Option<String> },
}

impl Denied {
    /// The `detail` of the refusal.
    /// The rule the request does not satisfy.
    pub fn rule(&self) -> crate::edm::Rule {
        match self {
            Denied::NotAllowed { .. } => crate::edm::Rule::PolicyRequesters,
            Denied::NoExplicitRequest { .. } => crate::edm::Rule::ReqS010,
        }
    }

    /// Why, after the rule id (see [`Denied::rule`]).
    pub fn detail(&self) -> String {
        match self {
            Denied::NotAllowed { scheme, identifier } => format!(
                "evidence requester {scheme}:{identifier} is not authorised to receive this evidence type"
            ),
            Denied::NoExplicitRequest { procedure } => format!(
                "ExplicitRequestGiven=false: SDGR Art. 14(3)(a) and 14(4) allow the exchange only at the user's explicit request, and procedure {} is not exempt for this evidence type (policy.explicit_request)",
                procedure.as_deref().unwrap_or("(none given)")
            ),
        }
    }
}

/// Checks `request` against the allow-list (`None`: anyone) and the explicit-request
/// policy. Every agent of the request except intermediary platforms (`IP`, which only
/// carry requests) must be allowed: a listed party named as the platform, or next to an
/// unlisted requester, vouches for nobody.
pub fn admits(
    requesters: Option<&[AllowedRequester]>,
    explicit: &ExplicitRequestPolicy,
    request: &EvidenceRequest,
) -> Result<(), Denied> {
    if let Some(allowed) = requesters {
        for agent in request
            .requesters
            .iter()
            .filter(|a| !a.is_classified(Agent::INTERMEDIARY_PLATFORM))
        {
            if !allowed.iter().any(|r| r.is(agent)) {
                return Err(Denied::NotAllowed {
                    scheme: agent.identifier.scheme_id.clone().unwrap_or_default(),
                    identifier: agent.identifier.value.clone(),
                });
            }
        }
    }
    if !request.explicit_request_given {
        let exempt = match explicit {
            ExplicitRequestPolicy::Required => false,
            ExplicitRequestPolicy::ExemptProcedures(codes) => request
                .procedure
                .as_deref()
                .is_some_and(|p| codes.iter().any(|c| c.trim() == p.trim())),
        };
        if !exempt {
            return Err(Denied::NoExplicitRequest {
                procedure: request.procedure.clone(),
            });
        }
    }
    Ok(())
}

/// A list that must name something: an empty one would silently mean "nobody" (or
/// "nothing"), which nobody writes on purpose.
fn non_empty<'de, D, T>(d: D, complaint: &'static str) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    let list = Vec::<T>::deserialize(d)?;
    if list.is_empty() {
        return Err(serde::de::Error::custom(complaint));
    }
    Ok(list)
}

/// `policy.requesters`: absent, or a non-empty list.
pub(super) fn allow_list<'de, D>(d: D) -> Result<Option<Vec<AllowedRequester>>, D::Error>
where
    D: Deserializer<'de>,
{
    non_empty(
        d,
        "policy.requesters is empty: name at least one requester, or leave the key out (any requester)",
    )
    .map(Some)
}

/// `policy.explicit_request.exempt_procedures`: a non-empty list.
fn procedures<'de, D>(d: D) -> Result<Vec<String>, D::Error>
where
    D: Deserializer<'de>,
{
    non_empty(
        d,
        "policy.explicit_request.exempt_procedures is empty: name at least one procedure code, or write `explicit_request: required`",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edm::Identifier;

    fn agent(scheme: Option<&str>, id: &str, class: &str) -> Agent {
        Agent {
            identifier: Identifier {
                scheme_id: scheme.map(str::to_owned),
                value: id.to_owned(),
            },
            classification: Some(class.to_owned()),
            ..Agent::default()
        }
    }

    #[test]
    fn an_identifier_counts_only_in_its_scheme() {
        let r = AllowedRequester {
            scheme: "urn:cef.eu:names:identifier:EAS:0009".into(),
            identifier: "00000000000002".into(),
        };
        assert!(r.is(&agent(
            Some(" URN:cef.eu:names:identifier:EAS:0009"),
            " 00000000000002 ",
            "ER"
        )));
        assert!(!r.is(&agent(None, "00000000000002", "ER")));
        assert!(!r.is(&agent(
            Some("urn:cef.eu:names:identifier:EAS:0002"),
            "00000000000002",
            "ER"
        )));
        assert!(!r.is(&agent(
            Some("urn:cef.eu:names:identifier:EAS:0009"),
            "000000000000020",
            "ER"
        )));
    }
}
