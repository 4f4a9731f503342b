//! A simulated evidence requester (the C1/C2 side of an exchange): builds OOTS requests and
//! their ebMS headers, so the demo and the end-to-end tests can drive the adapter over the
//! same gateway protocol a real requester's access point would use.

use chrono::{DateTime, Utc};

use crate::clock::{IdSource, edm_timestamp};
use crate::edm::{
    Address, Agent, DistributionRequest, EdmVersion, EvidenceRequest, EvidenceTypeRequest,
    Identifier, LegalPerson, LevelOfAssurance, LocalizedText, NaturalPerson, Requirement,
    SectorSpecificAttribute, Subject,
};
use crate::gateway::ebms::{self, PartInfo, Party, Property, Service, UserMessage};

/// The birth-certificate evidence type of the quickstart.
pub const BIRTH_CERTIFICATE: &str = "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e";

/// What the simulated requester asks for.
#[derive(Debug, Clone)]
pub struct RequestSpec {
    pub version: EdmVersion,
    pub family_name: String,
    pub given_name: String,
    pub date_of_birth: String,
    pub classification: String,
    pub format: String,
    pub conforms_to: Option<String>,
    pub preview: bool,
    /// The evidence provider addressed (identifier scheme, identifier, name).
    pub provider: (String, String, String),
    /// Ask about a company instead of a person: (legal name, eIDAS legal person
    /// identifier). The person fields are then ignored.
    pub legal: Option<(String, Option<String>)>,
    /// Level of assurance of the subject's identification (default `High`).
    pub level_of_assurance: Option<LevelOfAssurance>,
    /// Optional eIDAS attributes of a natural person.
    pub optional: OptionalAttributes,
    /// The person (or company) acting for the subject, if any.
    pub representative: Option<RepresentativeSpec>,
}

/// The request's `AuthorizedRepresentative` (or, with `legal_name`,
/// `AuthorizedRepresentativeLegalPerson`), as a mapping test or the simulated requester
/// writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepresentativeSpec {
    #[serde(default)]
    pub family_name: String,
    #[serde(default)]
    pub given_name: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub date_of_birth: String,
    /// The `PowerOfRepresentationScope` value (procedure codes), when stated.
    #[serde(default)]
    pub scope: Option<String>,
    /// A legal person acting for the subject: its name (the person fields are then not
    /// used).
    #[serde(default)]
    pub legal_name: Option<String>,
}

impl RepresentativeSpec {
    /// The EDM representative (level of assurance `High`).
    pub fn to_subject(&self) -> Subject {
        let scope = self.scope.iter().map(|v| SectorSpecificAttribute {
            name: "PowerOfRepresentationScope".to_owned(),
            uri: "http://eidas.europa.eu/attributes/legalperson/PowerOfRepresentationScope"
                .to_owned(),
            value: v.clone(),
        });
        match &self.legal_name {
            Some(name) => Subject::Legal(LegalPerson {
                level_of_assurance: Some(LevelOfAssurance::High),
                legal_name: name.clone(),
                sector_specific_attributes: scope.collect(),
                ..LegalPerson::default()
            }),
            None => Subject::Natural(NaturalPerson {
                level_of_assurance: Some(LevelOfAssurance::High),
                family_name: self.family_name.clone(),
                given_name: self.given_name.clone(),
                date_of_birth: self.date_of_birth.clone(),
                sector_specific_attributes: scope.collect(),
                ..NaturalPerson::default()
            }),
        }
    }
}

impl RequestSpec {
    /// A request for a person's birth certificate (EDM 2.0, no preview) addressed to the
    /// quickstart's provider, Civil Registration Office Berlin I: what the end-to-end
    /// tests and load runs send.
    pub fn quickstart_birth(
        family_name: &str,
        given_name: &str,
        date_of_birth: &str,
        format: &str,
    ) -> Self {
        Self {
            version: EdmVersion::V2_0,
            family_name: family_name.into(),
            given_name: given_name.into(),
            date_of_birth: date_of_birth.into(),
            classification: BIRTH_CERTIFICATE.into(),
            format: format.into(),
            conforms_to: None,
            preview: false,
            provider: (
                "urn:cef.eu:names:identifier:EAS:9930".into(),
                "DE73524311".into(),
                "Civil Registration Office Berlin I".into(),
            ),
            legal: None,
            level_of_assurance: None,
            optional: OptionalAttributes::default(),
            representative: None,
        }
    }
}

/// The optional attributes a requester may add about a natural person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptionalAttributes {
    pub birth_name: Option<String>,
    pub place_of_birth: Option<String>,
    /// `Male`, `Female` or `Unspecified`.
    pub gender: Option<String>,
    pub post_code: Option<String>,
    pub post_city_name: Option<String>,
    pub thoroughfare: Option<String>,
    pub locator_designator: Option<String>,
}

/// The requesting authority the simulator plays.
pub fn requester_agent() -> Agent {
    Agent {
        identifier: Identifier {
            scheme_id: Some("urn:cef.eu:names:identifier:EAS:0009".to_owned()),
            value: "00000000000002".to_owned(),
        },
        names: vec![LocalizedText {
            lang: "FR".to_owned(),
            text: "Ministère de l'enseignement supérieur".to_owned(),
        }],
        address: Some(Address {
            admin_unit_level1: Some("FR".to_owned()),
            ..Address::default()
        }),
        classification: Some("ER".to_owned()),
    }
}

/// Builds the EDM request for `spec`.
pub fn build_request(
    spec: &RequestSpec,
    ids: &dyn IdSource,
    now: DateTime<Utc>,
) -> EvidenceRequest {
    let (scheme, id, name) = &spec.provider;
    EvidenceRequest {
        id: format!("urn:uuid:{}", ids.uuid()),
        version: spec.version,
        issue_date_time: edm_timestamp(now),
        procedure: Some("R1".to_owned()),
        preview_location: None,
        possibility_for_preview: spec.preview,
        explicit_request_given: true,
        requirements: vec![Requirement {
            identifier: "https://sr.oots.tech.ec.europa.eu/requirements/315cfd75-6605-49c4-b0fe-799833b41099".to_owned(),
            names: vec![LocalizedText {
                lang: "EN".to_owned(),
                text: "Proof of Birth".to_owned(),
            }],
            descriptions: Vec::new(),
        }],
        requesters: vec![requester_agent()],
        provider: Agent {
            identifier: Identifier {
                scheme_id: Some(scheme.clone()),
                value: id.clone(),
            },
            names: vec![LocalizedText {
                lang: "EN".to_owned(),
                text: name.clone(),
            }],
            address: None,
            classification: None,
        },
        return_location: None,
        lang: None,
        subject: match &spec.legal {
            Some((name, id)) => Subject::Legal(LegalPerson {
                level_of_assurance: Some(spec.level_of_assurance.unwrap_or(LevelOfAssurance::High)),
                identifiers: Vec::new(),
                legal_person_identifier: id.as_ref().map(|v| Identifier {
                    scheme_id: Some("eidas".to_owned()),
                    value: v.clone(),
                }),
                legal_name: name.clone(),
                registered_address: None,
                sector_specific_attributes: Vec::new(),
            }),
            None => Subject::Natural(NaturalPerson {
                level_of_assurance: Some(spec.level_of_assurance.unwrap_or(LevelOfAssurance::High)),
                identifier: Some(Identifier {
                    scheme_id: Some("eidas".to_owned()),
                    value: "FR/DE/123123123".to_owned(),
                }),
                family_name: spec.family_name.clone(),
                given_name: spec.given_name.clone(),
                date_of_birth: spec.date_of_birth.clone(),
                birth_name: spec.optional.birth_name.clone(),
                place_of_birth: spec.optional.place_of_birth.clone(),
                gender: spec.optional.gender.clone(),
                current_address: current_address(&spec.optional),
                ..NaturalPerson::default()
            }),
        },
        representative: spec.representative.as_ref().map(RepresentativeSpec::to_subject),
        evidence_type: EvidenceTypeRequest {
            identifier: ids.uuid().to_string(),
            classification: spec.classification.clone(),
            titles: vec![LocalizedText {
                lang: "EN".to_owned(),
                text: "Certificate of Birth".to_owned(),
            }],
            descriptions: Vec::new(),
            distributed_as: vec![DistributionRequest {
                format: spec.format.clone(),
                conforms_to: spec.conforms_to.clone(),
                transformation: None,
                languages: if spec.version.is_v2() {
                    vec!["EN".to_owned()]
                } else {
                    Vec::new()
                },
                associated_documents: Vec::new(),
            }],
        },
        provider_classifications: Vec::new(),
    }
}

/// The ebMS header a requester's access point would deliver with `request`.
pub fn request_header(
    request: &EvidenceRequest,
    message_id: String,
    conversation_id: String,
    exchange_id: String,
    regrep_cid: &str,
    now: DateTime<Utc>,
) -> UserMessage {
    let requester = request.requester();
    let mut properties = vec![
        Property {
            name: "originalSender".to_owned(),
            value: requester.identifier.value.clone(),
            property_type: requester.identifier.scheme_id.clone(),
        },
        Property {
            name: "finalRecipient".to_owned(),
            value: request.provider.identifier.value.clone(),
            property_type: request.provider.identifier.scheme_id.clone(),
        },
    ];
    if request.version.is_v2() {
        properties.push(Property {
            name: "ExchangeId".to_owned(),
            value: exchange_id,
            property_type: None,
        });
        properties.push(Property {
            name: "SpecificationId".to_owned(),
            value: request.version.spec_id().to_owned(),
            property_type: None,
        });
    }
    let party = |id: &str| Party {
        party_id: id.to_owned(),
        party_id_type: Some("urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots".to_owned()),
        role: ebms::OOTS_ROLE.to_owned(),
    };
    UserMessage {
        mpc: Some(ebms::DEFAULT_MPC.to_owned()),
        message_id,
        timestamp: edm_timestamp(now),
        ref_to_message_id: None,
        from: party("AP_FR_01"),
        to: party("AP_DE_01"),
        service: Service {
            value: ebms::OOTS_SERVICE.to_owned(),
            service_type: Some(ebms::OOTS_SERVICE_TYPE.to_owned()),
        },
        action: ebms::ACTION_EXECUTE_QUERY_REQUEST.to_owned(),
        conversation_id,
        properties,
        parts: vec![PartInfo {
            href: format!("cid:{regrep_cid}"),
            properties: vec![Property {
                name: "MimeType".to_owned(),
                value: "application/x-ebrs+xml".to_owned(),
                property_type: None,
            }],
        }],
    }
}

/// `sdg:CurrentAddress` from the optional attributes, when any part is given.
fn current_address(o: &OptionalAttributes) -> Option<Address> {
    let any = [
        &o.post_code,
        &o.post_city_name,
        &o.thoroughfare,
        &o.locator_designator,
    ]
    .iter()
    .any(|v| v.is_some());
    any.then(|| Address {
        post_code: o.post_code.clone(),
        post_city_name: o.post_city_name.clone(),
        thoroughfare: o.thoroughfare.clone(),
        locator_designator: o.locator_designator.clone(),
        admin_unit_level1: Some("DE".to_owned()),
        ..Address::default()
    })
}
