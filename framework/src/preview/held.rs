//! What a preview session keeps between the request that opened it and the answer to its
//! follow-up: the subject as the request named it (for the re-authentication check and to
//! hold the follow-up to the same person), the evidence exactly as it will be sent, so
//! the user approves what the requester receives, and the identity of the record it was
//! produced from, so the sign-in is compared with the person it is about.
//!
//! Personal data, kept server-side only, and dropped once the follow-up is answered. The
//! stored JSON of older versions stays readable: what they did not keep reads as absent,
//! and an absent record identity fails the sign-in's record check (nothing is shown).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::edm::LevelOfAssurance;
use crate::matching::{Attribute, Identity};
use crate::preview::identity::RecordIdentity;
use crate::preview::representative::Representative;
use crate::preview::return_address::ReturnChannel;

/// The data of one preview session.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    /// The subject's attributes as the first request stated them.
    pub subject: BTreeMap<Attribute, String>,
    /// The requester's name, for the page.
    pub requester: String,
    /// The languages the request asked the evidence in (page language hint).
    pub languages: Vec<String>,
    /// The evidence type's title by language.
    pub title: BTreeMap<String, String>,
    /// What the page shows and the follow-up receives, or what is needed to find it.
    #[serde(flatten)]
    pub content: Content,
    /// The lowest level of assurance the sign-in must reach (the mapping's policy).
    #[serde(default)]
    pub min_level_of_assurance: Option<LevelOfAssurance>,
    /// Where the link takes the requester's return address from (the request's EDM
    /// version); sessions stored without it take it from the follow-up only.
    #[serde(default)]
    pub return_channel: ReturnChannel,
    /// The person acting for the subject, whom the sign-in is compared with; `None`: the
    /// request named none (or the session was stored by a version that kept none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub representative: Option<Representative>,
    /// The 2.0 `ExchangeId` of the request that opened the session: its follow-up must
    /// carry the same (TDD 4.9 §2 step 12). `None` on 1.x, without an envelope, and in
    /// sessions stored before it was kept: then the link alone correlates them.
    #[serde(default)]
    pub exchange_id: Option<String>,
}

/// The evidence a session holds, or why it holds none yet.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
// One per session, never in a collection: boxing would only change the stored shape's code.
#[allow(clippy::large_enum_variant)]
pub enum Content {
    /// One record is the subject: its labelled fields, shown on the page, and the
    /// evidence exactly as it will be delivered.
    Evidence {
        fields: Vec<ShownField>,
        evidence: Produced,
        /// How the sign-in singled out the record, when the first request matched
        /// several (the matching explanation's summary, free of personal data).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        singled_out: Option<String>,
        /// Who the record is about, for the sign-in's record check. `None` only in a
        /// session stored by a version that kept none: its sign-in shows nothing.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        record: Option<RecordIdentity>,
        /// The subject's other evidences (`evidence.several`), after the first above;
        /// absent (empty) in sessions stored by older versions, which held one.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        more: Vec<HeldEvidence>,
    },
    /// The first request fitted more than one record equally well (`on_ambiguous:
    /// preview`): nothing is produced until the signed-in person's identifier singles one
    /// out. The request as it arrived is kept to look again with that identifier.
    Undetermined { request: String },
}

/// One more evidence of the subject, as the first one is held: its record's labelled
/// fields, the document as it will be delivered, and who its record is about.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldEvidence {
    pub fields: Vec<ShownField>,
    pub evidence: Produced,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordIdentity>,
}

/// One evidence a session offers, borrowed from where it is held.
#[derive(Clone, Copy)]
pub struct Offered<'a> {
    pub fields: &'a [ShownField],
    pub evidence: &'a Produced,
    pub record: Option<&'a RecordIdentity>,
}

/// One record field as the page shows it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShownField {
    pub label: BTreeMap<String, String>,
    pub value: String,
}

impl std::fmt::Debug for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Held")
            .field("attributes", &self.subject.keys().collect::<Vec<_>>())
            .field("content", &self.content)
            .finish()
    }
}

impl std::fmt::Debug for Content {
    // Field values, the document and the request are personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Content::Evidence {
                fields,
                evidence,
                record,
                more,
                ..
            } => f
                .debug_struct("Evidence")
                .field("fields", &fields.len())
                .field("media_type", &evidence.media_type)
                .field("record", record)
                .field("more", &more.len())
                .finish_non_exhaustive(),
            Content::Undetermined { .. } => f.write_str("Undetermined"),
        }
    }
}

impl std::fmt::Debug for HeldEvidence {
    // Field values and the document are personal data.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeldEvidence")
            .field("fields", &self.fields.len())
            .field("media_type", &self.evidence.media_type)
            .field("record", &self.record)
            .finish()
    }
}

impl Held {
    /// Every evidence the session offers, first the one sessions always held; none while
    /// undetermined. Each is told apart by its `evidence_id` (the page's tick-boxes).
    pub fn offered(&self) -> Vec<Offered<'_>> {
        match &self.content {
            Content::Evidence {
                fields,
                evidence,
                record,
                more,
                ..
            } => std::iter::once(Offered {
                fields,
                evidence,
                record: record.as_ref(),
            })
            .chain(more.iter().map(|m| Offered {
                fields: &m.fields,
                evidence: &m.evidence,
                record: m.record.as_ref(),
            }))
            .collect(),
            Content::Undetermined { .. } => Vec::new(),
        }
    }

    /// The evidence to show and deliver, once a record is the subject.
    pub fn evidence(&self) -> Option<&Produced> {
        match &self.content {
            Content::Evidence { evidence, .. } => Some(evidence),
            Content::Undetermined { .. } => None,
        }
    }

    /// The identity of the record the evidence was produced from (none while
    /// undetermined, or in a session stored without it).
    pub fn record(&self) -> Option<&RecordIdentity> {
        match &self.content {
            Content::Evidence { record, .. } => record.as_ref(),
            Content::Undetermined { .. } => None,
        }
    }

    /// The labelled fields the page shows (none while undetermined).
    pub fn fields(&self) -> &[ShownField] {
        match &self.content {
            Content::Evidence { fields, .. } => fields,
            Content::Undetermined { .. } => &[],
        }
    }

    /// The subject as an identity, for the re-authentication check.
    pub fn identity(&self) -> Identity {
        Identity {
            attributes: self.subject.clone(),
            level_of_assurance: None,
        }
    }

    /// Whether a follow-up request names the same subject (the same attributes with the
    /// same values, compared as the first request stated them).
    pub fn same_subject(&self, other: &Identity) -> bool {
        self.subject == other.attributes
    }

    /// Whether a sign-in's level (`low`, `substantial`, `high`, as the authenticator
    /// normalises it) is enough; any level is when the mapping requires none.
    pub fn assurance_suffices(&self, signed_in: Option<&str>) -> bool {
        let Some(min) = self.min_level_of_assurance else {
            return true;
        };
        let level = match signed_in.map(str::to_ascii_lowercase).as_deref() {
            Some("low") => LevelOfAssurance::Low,
            Some("substantial") => LevelOfAssurance::Substantial,
            Some("high") => LevelOfAssurance::High,
            _ => return false,
        };
        level >= min
    }

    /// Like [`Held::pick`], with the language of the text when it is not `lang` (a
    /// fallback, lowercased), so a page can mark it with its own `lang`.
    pub fn pick_marked<'a>(
        texts: &'a BTreeMap<String, String>,
        lang: &str,
    ) -> Option<(&'a str, Option<String>)> {
        let text = Held::pick(texts, lang)?;
        let code = texts
            .iter()
            .find(|(_, v)| std::ptr::eq(v.as_str(), text))
            .map(|(k, _)| k.to_ascii_lowercase());
        Some((text, code.filter(|c| !c.eq_ignore_ascii_case(lang))))
    }

    /// A text in `lang`, else English, else any.
    pub fn pick<'a>(texts: &'a BTreeMap<String, String>, lang: &str) -> Option<&'a str> {
        let find = |l: &str| {
            texts
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(l))
                .map(|(_, v)| v.as_str())
        };
        find(lang)
            .or_else(|| find("en"))
            .or_else(|| texts.values().next().map(String::as_str))
    }
}

/// A rendered (or passed-through) evidence document, before it becomes an answer: held
/// in a preview session until the user decides, or sent at once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Produced {
    /// `Evidence/Identifier`, also inside the rendered document.
    pub evidence_id: String,
    pub media_type: String,
    #[serde(with = "base64_bytes")]
    pub bytes: Vec<u8>,
    pub issuing_date: Option<String>,
    /// 2.0 associated documents the request asked for and the mapping has (none in a
    /// session stored before they existed).
    #[serde(default)]
    pub associated: Vec<super::associated::ProducedAssociated>,
    /// The human-readable version rendered for the preview page alone: structured
    /// evidence whose request asked for none is still shown as the authority renders it,
    /// never as raw markup. Never sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readable: Option<super::associated::ProducedAssociated>,
    /// What the register says of the evidence beyond its issuing date; `None` for a
    /// mapping that maps nothing more, and in sessions stored without it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered: Option<Box<Registered>>,
}

/// Evidence metadata read from the record (docs/mapping-files.md, "Evidence metadata").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Registered {
    /// The authority the record names as issuer (`sdg:IssuingAuthority`); `None`: the
    /// provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuing_authority: Option<IssuingAuthority>,
    /// `sdg:ValidityPeriod` as (StartDate, EndDate), xs:date each.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity: Option<(String, String)>,
}

/// The authority that issued an evidence, as its register names it (not personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct IssuingAuthority {
    pub identifier: String,
    /// `@schemeID` of the identifier (EAS or `unregistered`, R-EDM-RESP-C039).
    pub scheme: String,
    /// Names by language.
    pub names: BTreeMap<String, String>,
}

/// Document bytes as base64 text in the stored session JSON.
pub(crate) mod base64_bytes {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(b))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_hides_personal_data_in_debug() {
        let mut subject = BTreeMap::new();
        subject.insert(Attribute::FamilyName, "Novák".to_owned());
        let held = Held {
            subject,
            requester: "Ministry".into(),
            languages: vec!["cs".into()],
            title: BTreeMap::from([("EN".into(), "Birth certificate".into())]),
            content: Content::Evidence {
                fields: vec![ShownField {
                    label: BTreeMap::from([("EN".into(), "Family name".into())]),
                    value: "Novák".into(),
                }],
                evidence: Produced {
                    evidence_id: "e1".into(),
                    media_type: "application/pdf".into(),
                    bytes: vec![0, 1, 2, 255],
                    issuing_date: None,
                    associated: Vec::new(),
                    readable: None,
                    registered: Some(Box::new(Registered {
                        issuing_authority: Some(IssuingAuthority {
                            identifier: "AT-STA-GRAZ".into(),
                            scheme: "urn:oasis:names:tc:ebcore:partyid-type:unregistered:AT".into(),
                            names: BTreeMap::from([("DE".into(), "Standesamt Graz".into())]),
                        }),
                        validity: Some(("2020-01-01".into(), "2030-12-31".into())),
                    })),
                },
                singled_out: None,
                record: Some(RecordIdentity {
                    family_names: vec!["Novák".into()],
                    given_names: vec!["Jana".into()],
                    dates_of_birth: vec!["1990-01-00".into()],
                }),
                more: vec![HeldEvidence {
                    fields: Vec::new(),
                    evidence: Produced {
                        evidence_id: "e2".into(),
                        media_type: "application/pdf".into(),
                        bytes: vec![9],
                        issuing_date: None,
                        registered: None,
                        associated: Vec::new(),
                        readable: None,
                    },
                    record: None,
                }],
            },
            min_level_of_assurance: Some(LevelOfAssurance::High),
            return_channel: ReturnChannel::LinkParameter,
            representative: None,
            exchange_id: Some("0e1d6c1a-7f51-4b0e-9d59-000000000001".into()),
        };
        let json = serde_json::to_string(&held).unwrap();
        let back: Held = serde_json::from_str(&json).unwrap();
        assert_eq!(back, held);
        let debug = format!("{held:?}");
        assert!(
            !debug.contains("Novák") && !debug.contains("Jana") && !debug.contains("1990"),
            "{debug}"
        );
        assert_eq!(held.record().map(|r| r.given_names.len()), Some(1));
        assert_eq!(held.fields().len(), 1);
        assert_eq!(held.evidence().unwrap().bytes, vec![0, 1, 2, 255]);
        let ids: Vec<_> = held
            .offered()
            .iter()
            .map(|o| o.evidence.evidence_id.clone())
            .collect();
        assert_eq!(ids, ["e1", "e2"]);
        assert!(
            !debug.contains("\"e2\"") && !debug.contains("[9]"),
            "{debug}"
        );

        // A represented session keeps its representative, hidden in Debug.
        let represented = Held {
            representative: Some(Representative {
                attributes: BTreeMap::from([(Attribute::FamilyName, "Kovář".to_owned())]),
                power: None,
                subject_identifiers: vec!["CZ/BE/27074358".into()],
            }),
            ..held.clone()
        };
        let json = serde_json::to_string(&represented).unwrap();
        assert_eq!(serde_json::from_str::<Held>(&json).unwrap(), represented);
        assert!(!format!("{represented:?}").contains("Kovář"));

        // An undetermined session keeps the request, and reads back as one.
        let undetermined = Held {
            content: Content::Undetermined {
                request: "<query:QueryRequest>Novák</query:QueryRequest>".into(),
            },
            ..held.clone()
        };
        let json = serde_json::to_string(&undetermined).unwrap();
        let back: Held = serde_json::from_str(&json).unwrap();
        assert_eq!(back, undetermined);
        assert!(back.evidence().is_none() && back.fields().is_empty());
        assert!(!format!("{undetermined:?}").contains("Novák"));
        // Neither shape: not a session's data (an answered session's `{}`).
        assert!(serde_json::from_str::<Held>("{}").is_err());
        assert_eq!(Held::pick(&held.title, "fr"), Some("Birth certificate"));
        assert!(held.same_subject(&held.identity()));
        assert!(held.assurance_suffices(Some("high")));
        assert!(back.record().is_none());
        assert!(!held.assurance_suffices(Some("substantial")));
        assert!(!held.assurance_suffices(None));
    }

    #[test]
    fn a_session_stored_without_the_record_identity_reads_back_without_it() {
        // As an older version stored it: evidence, no `record`.
        let json = r#"{"subject":{"FamilyName":"Novák"},"requester":"Ministry","languages":[],
            "title":{},"fields":[],"evidence":{"evidence_id":"e1","media_type":"application/pdf",
            "bytes":"AAEC","issuing_date":null}}"#;
        let held: Held = serde_json::from_str(json).unwrap();
        assert!(held.evidence().is_some());
        // One evidence, as older versions held.
        assert_eq!(held.offered().len(), 1);
        assert!(
            held.record().is_none(),
            "no record identity: the sign-in shows nothing"
        );
        // Nor the return channel: the link's `returnurl` is not trusted.
        assert_eq!(held.return_channel, ReturnChannel::FollowUp);
        // Nor a representative: the sign-in is compared with the subject, as it was.
        assert!(held.representative.is_none());
        // Nor the first request's ExchangeId: the link alone correlates the follow-up.
        assert_eq!(held.exchange_id, None);
        // Written again, it stays so (nothing invented).
        let again = serde_json::to_string(&held).unwrap();
        assert!(!again.contains("\"record\""), "{again}");
        assert!(!again.contains("\"more\""), "{again}");
    }

    #[test]
    fn pick_marked_names_the_language_of_a_fallback_only() {
        let texts = BTreeMap::from([
            ("EN".to_owned(), "Family name".to_owned()),
            ("DE".to_owned(), "Familienname".to_owned()),
        ]);
        assert_eq!(
            Held::pick_marked(&texts, "de"),
            Some(("Familienname", None))
        );
        assert_eq!(
            Held::pick_marked(&texts, "fr"),
            Some(("Family name", Some("en".to_owned())))
        );
        let german_only = BTreeMap::from([("DE".to_owned(), "Familienname".to_owned())]);
        assert_eq!(
            Held::pick_marked(&german_only, "pl"),
            Some(("Familienname", Some("de".to_owned())))
        );
        assert_eq!(Held::pick_marked(&BTreeMap::new(), "en"), None);
    }
}
