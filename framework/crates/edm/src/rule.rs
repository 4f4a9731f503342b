//! Rule ids named in `EDM:ERR:0003`/`0001` details: one enum used by the checks and by the
//! writers of error details, so a detail cannot cite a rule that does not exist, and
//! `docs/error-codes.md` can be proven to list every one (`tests/refusal_rules.rs`).
//!
//! `R-EDM-…` ids are those of the OOTS Schematron (TDD, `shared/docs/oots-edm.md`);
//! `SDG-XSD-…` name the SDG XSD type whose content model a request breaks; `TDD x.y` name
//! the TDD section of a rule no Schematron carries; `identity matching` is the adapter's
//! own (docs/matching.md).

use std::fmt;

macro_rules! rules {
    ($($(#[$doc:meta])* $variant:ident => $id:literal,)*) => {
        /// A rule a request can break.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Rule {
            $($(#[$doc])* #[doc = $id] $variant,)*
        }

        impl Rule {
            /// Every rule, in declaration order.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)*];

            /// The id as written in details and docs (`R-EDM-REQ-C003`, `TDD 4.4`).
            pub fn id(self) -> &'static str {
                match self {
                    $(Rule::$variant => $id,)*
                }
            }
        }
    };
}

rules! {
    ReqC001 => "R-EDM-REQ-C001",
    ReqC002 => "R-EDM-REQ-C002",
    ReqC003 => "R-EDM-REQ-C003",
    ReqC005 => "R-EDM-REQ-C005",
    ReqC010 => "R-EDM-REQ-C010",
    ReqC012 => "R-EDM-REQ-C012",
    ReqC013 => "R-EDM-REQ-C013",
    ReqC014 => "R-EDM-REQ-C014",
    ReqC015 => "R-EDM-REQ-C015",
    ReqC017 => "R-EDM-REQ-C017",
    ReqC018 => "R-EDM-REQ-C018",
    ReqC024 => "R-EDM-REQ-C024",
    ReqC025 => "R-EDM-REQ-C025",
    ReqC026 => "R-EDM-REQ-C026",
    ReqC027 => "R-EDM-REQ-C027",
    ReqC032 => "R-EDM-REQ-C032",
    ReqC033 => "R-EDM-REQ-C033",
    ReqC035 => "R-EDM-REQ-C035",
    ReqC036 => "R-EDM-REQ-C036",
    ReqC037 => "R-EDM-REQ-C037",
    ReqC039 => "R-EDM-REQ-C039",
    ReqC040 => "R-EDM-REQ-C040",
    ReqC041 => "R-EDM-REQ-C041",
    ReqC042 => "R-EDM-REQ-C042",
    ReqC043 => "R-EDM-REQ-C043",
    ReqC045 => "R-EDM-REQ-C045",
    ReqC047 => "R-EDM-REQ-C047",
    ReqC048 => "R-EDM-REQ-C048",
    ReqC050 => "R-EDM-REQ-C050",
    ReqC052 => "R-EDM-REQ-C052",
    ReqC053 => "R-EDM-REQ-C053",
    ReqC054 => "R-EDM-REQ-C054",
    ReqC056 => "R-EDM-REQ-C056",
    ReqC058 => "R-EDM-REQ-C058",
    ReqC059 => "R-EDM-REQ-C059",
    ReqC061 => "R-EDM-REQ-C061",
    ReqC062 => "R-EDM-REQ-C062",
    ReqC063 => "R-EDM-REQ-C063",
    ReqC064 => "R-EDM-REQ-C064",
    ReqC067 => "R-EDM-REQ-C067",
    ReqC075 => "R-EDM-REQ-C075",
    ReqC076 => "R-EDM-REQ-C076",
    ReqC077 => "R-EDM-REQ-C077",
    ReqC119 => "R-EDM-REQ-C119",
    ReqC120 => "R-EDM-REQ-C120",
    ReqS001 => "R-EDM-REQ-S001",
    ReqS002 => "R-EDM-REQ-S002",
    ReqS004 => "R-EDM-REQ-S004",
    ReqS005 => "R-EDM-REQ-S005",
    ReqS006 => "R-EDM-REQ-S006",
    ReqS007 => "R-EDM-REQ-S007",
    ReqS008 => "R-EDM-REQ-S008",
    ReqS009 => "R-EDM-REQ-S009",
    ReqS010 => "R-EDM-REQ-S010",
    ReqS011 => "R-EDM-REQ-S011",
    ReqS012 => "R-EDM-REQ-S012",
    ReqS013 => "R-EDM-REQ-S013",
    ReqS014 => "R-EDM-REQ-S014",
    ReqS015 => "R-EDM-REQ-S015",
    ReqS016 => "R-EDM-REQ-S016",
    ReqS019 => "R-EDM-REQ-S019",
    ReqS020 => "R-EDM-REQ-S020",
    ReqS021 => "R-EDM-REQ-S021",
    ReqS022 => "R-EDM-REQ-S022",
    ReqS023 => "R-EDM-REQ-S023",
    ReqS024 => "R-EDM-REQ-S024",
    ReqS025 => "R-EDM-REQ-S025",
    ReqS026 => "R-EDM-REQ-S026",
    ReqS027 => "R-EDM-REQ-S027",
    ReqS028 => "R-EDM-REQ-S028",
    ReqS029 => "R-EDM-REQ-S029",
    ReqS030 => "R-EDM-REQ-S030",
    ReqS031 => "R-EDM-REQ-S031",
    ReqS032 => "R-EDM-REQ-S032",
    ReqS033 => "R-EDM-REQ-S033",
    ReqS034 => "R-EDM-REQ-S034",
    ReqS035 => "R-EDM-REQ-S035",
    ReqS036 => "R-EDM-REQ-S036",
    ReqS037 => "R-EDM-REQ-S037",
    ReqS038 => "R-EDM-REQ-S038",
    ReqS039 => "R-EDM-REQ-S039",
    ReqS040 => "R-EDM-REQ-S040",
    ReqS041 => "R-EDM-REQ-S041",
    ReqS042 => "R-EDM-REQ-S042",
    ReqS043 => "R-EDM-REQ-S043",
    ReqS044 => "R-EDM-REQ-S044",
    ReqS045 => "R-EDM-REQ-S045",
    ReqS046 => "R-EDM-REQ-S046",
    ReqS047 => "R-EDM-REQ-S047",
    ReqS048 => "R-EDM-REQ-S048",
    ReqS049 => "R-EDM-REQ-S049",
    ReqS050 => "R-EDM-REQ-S050",
    ReqS051 => "R-EDM-REQ-S051",
    ReqS055 => "R-EDM-REQ-S055",
    ReqS056 => "R-EDM-REQ-S056",
    ReqS059 => "R-EDM-REQ-S059",
    ReqS060 => "R-EDM-REQ-S060",
    ReqS061 => "R-EDM-REQ-S061",
    ReqS062 => "R-EDM-REQ-S062",
    /// A 2.0 ebMS header carries `ExchangeId` and `SpecificationId` (four properties).
    Ebms018 => "R-EDM-ebMS-018",
    /// ebMS `SpecificationId` equals the body's `SpecificationIdentifier` (TDD 4.7).
    Ebms038 => "R-EDM-ebMS-038",
    /// `sdg:PersonType` of the SDG XSD: each element at most once, names present.
    SdgXsdPersonType => "SDG-XSD-PersonType",
    /// `sdg:LegalPersonType` of the SDG XSD.
    SdgXsdLegalPersonType => "SDG-XSD-LegalPersonType",
    /// `sdg:DataServiceEvidenceType`: one `Identifier`, one `EvidenceTypeClassification`.
    SdgXsdDataServiceEvidenceType => "SDG-XSD-DataServiceEvidenceType",
    /// `sdg:DistributedAs` children of the labelled version (1.x `Transformation`; 2.0 `Language`, `AssociatedDocumentRequest`).
    SdgXsdDistributionType => "SDG-XSD-DistributionType",
    /// A request id is never accepted twice; a request is answered within the provider deadline (table 4.4.3).
    Tdd44 => "TDD 4.4",
    /// `eb:MessageInfo/eb:Timestamp` is an xsd:dateTime, not ahead of our clock beyond the tolerated skew.
    EbmsTimestamp => "ebMS 3 Core eb:MessageInfo",
    /// The ebMS `originalSender` (C1) is an agent of the `EvidenceRequester` slot or a configured intermediary.
    FourCorner => "eDelivery four-corner",
    /// The mapping's `policy.requesters` allow-list names every requester agent.
    PolicyRequesters => "policy.requesters",
    /// The `EvidenceProvider` slot names the provider the request is for: this one.
    Tdd451Provider => "TDD 4.5.1 §3.3",
    /// The `EvidenceProviderClassification` values the evidence type's data service needs are given, once each, within limits.
    Tdd451Classification => "TDD 4.5.1 §3.4",
    /// The subject slot fits the evidence type (natural or legal person) and its `LevelOfAssurance` reaches the evidence type's minimum.
    Tdd451Subject => "TDD 4.5.1 §3.6",
    /// A `PreviewLocation` is one this provider issued for this requester, evidence type and subject, used once.
    Tdd49Preview => "TDD 4.9",
    /// A preview needs a natural person to sign in: the request's `AuthorizedRepresentative` (`sdg:Person`) when it names one; a `LegalPerson` subject without one, or an `AuthorizedRepresentativeLegalPerson`, names nobody who could (chapter 2.3).
    Tdd23Representation => "TDD 2.3 representation",
    /// A 2.0 follow-up carries the `ExchangeId` of the request its `PreviewLocation` was issued for ("validate the link and return an error if validation fails").
    Tdd49Step12 => "TDD 4.9 §2 step 12",
    /// A name the matcher can compare: letters of one script, no invisible or bidirectional control characters.
    IdentityMatching => "identity matching",
    /// A subject has at most the mapping's `evidence.several.max` evidences of one type in one answer.
    EvidenceSeveral => "evidence.several",
}

impl Rule {
    /// The rule with this id.
    pub fn from_id(id: &str) -> Option<Rule> {
        Rule::ALL.iter().copied().find(|r| r.id() == id)
    }
}

/// The most characters of a request value quoted in a detail.
pub const ECHO_CHARS: usize = 64;

/// A request value quoted in an error detail: at most [`ECHO_CHARS`] characters (cut ones
/// marked `…`), controls and invisible format characters shown as `?`, so an attacker's
/// 10 kB value or bidi override is not sent back or logged as such.
pub fn echo(value: &str) -> String {
    let value = value.trim();
    let mut out: String = value
        .chars()
        .take(ECHO_CHARS)
        .map(|c| {
            if crate::lexical::is_invisible(c) {
                '?'
            } else {
                c
            }
        })
        .collect();
    if value.chars().nth(ECHO_CHARS).is_some() {
        out.push('…');
    }
    out
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_is_bounded_and_visible() {
        assert_eq!(echo(" DE73524311 "), "DE73524311");
        let long = echo(&"A".repeat(10_000));
        assert_eq!(long.chars().count(), ECHO_CHARS + 1);
        assert!(long.ends_with('…'));
        assert_eq!(echo("ab\u{202E}cd\u{200B}"), "ab?cd?");
    }

    #[test]
    fn ids_are_unique_and_round_trip() {
        for r in Rule::ALL {
            assert_eq!(Rule::from_id(r.id()), Some(*r));
        }
    }
}
