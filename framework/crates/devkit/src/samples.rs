//! Synthetic example messages (fictitious people and agencies) for demos and tests.
//!
//! Each builder returns a message that passes our own rule checks and round-trips through
//! the writer and reader unchanged for the given version.

use oots_edm::EdmVersion;
use oots_edm::{
    Address, Agent, DistributionRequest, Evidence, EvidenceDistribution, EvidenceItem,
    EvidenceRequest, EvidenceResponse, EvidenceTypeRequest, Identifier, LegalPerson,
    LevelOfAssurance, LocalizedText, NaturalPerson, ProviderClassification, Requirement,
    SectorSpecificAttribute, Subject,
};
use oots_edm::{AssociatedKind, EdmException, ErrorCode, ErrorResponse, Supplement};

const CLASSIFICATION: &str = "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e";

/// The requesting authority (classified `ER`, with address).
pub fn requester() -> Agent {
    Agent {
        identifier: Identifier::new("urn:cef.eu:names:identifier:EAS:0096", "DK22233223"),
        names: vec![LocalizedText::new("EN", "Example University Portal")],
        address: Some(Address {
            full_address: Some("Example Street 15, 1050 Copenhagen, Denmark".into()),
            post_code: Some("1050".into()),
            post_city_name: Some("Copenhagen".into()),
            admin_unit_level1: Some("DK".into()),
            admin_unit_level2: Some("DK011".into()),
            ..Address::default()
        }),
        classification: Some(Agent::EVIDENCE_REQUESTER.into()),
    }
}

/// The requester as echoed in responses (Identifier and Name only).
pub fn requester_echo() -> Agent {
    let r = requester();
    Agent {
        identifier: r.identifier,
        names: r.names,
        address: None,
        classification: None,
    }
}

/// The evidence provider as named in requests (Identifier and Name only).
pub fn provider_reference() -> Agent {
    Agent {
        identifier: Identifier::new("urn:cef.eu:names:identifier:EAS:9930", "DE73524311"),
        names: vec![LocalizedText::new(
            "EN",
            "Example Civil Registration Office",
        )],
        address: None,
        classification: None,
    }
}

/// The evidence provider with address, classified `classification` (EP or ERRP).
pub fn provider(classification: &str) -> Agent {
    Agent {
        address: Some(Address {
            admin_unit_level1: Some("DE".into()),
            ..Address::default()
        }),
        classification: Some(classification.into()),
        ..provider_reference()
    }
}

/// A fictitious natural person (full request shape).
pub fn person() -> NaturalPerson {
    NaturalPerson {
        level_of_assurance: Some(LevelOfAssurance::High),
        identifier: Some(Identifier::new("eidas", "DK/DE/123123123")),
        family_name: "Example-Müller & Sons".into(),
        given_name: "Jane \"Q\" <Test>".into(),
        date_of_birth: "1970-03-01".into(),
        birth_name: Some("Sample".into()),
        place_of_birth: Some("Hamburg".into()),
        current_address: Some(Address {
            full_address: Some("Samplevej 96, 1432 København".into()),
            admin_unit_level1: Some("DK".into()),
            ..Address::default()
        }),
        gender: Some("Female".into()),
        nationality: None,
        country_of_birth: None,
        country_of_residence: None,
        sector_specific_attributes: vec![SectorSpecificAttribute {
            name: "IBAN".into(),
            uri: "http://eidas.europa.eu/attributes/naturalperson/banking/IBAN".into(),
            value: "DE02500105170137075032".into(),
        }],
    }
}

/// A fictitious legal person.
pub fn legal_person() -> LegalPerson {
    LegalPerson {
        level_of_assurance: Some(LevelOfAssurance::Substantial),
        identifiers: vec![Identifier::new("VAT", "SE730757727")],
        legal_person_identifier: Some(Identifier::new("eidas", "SE/DE/12132123Y")),
        legal_name: "Example Ltd".into(),
        registered_address: Some(Address {
            admin_unit_level1: Some("SE".into()),
            ..Address::default()
        }),
        sector_specific_attributes: Vec::new(),
    }
}

/// A natural-person request in `version`'s shape.
pub fn natural_person_request(version: EdmVersion) -> EvidenceRequest {
    let v2 = version.is_v2();
    let mut subject = person();
    if v2 {
        subject.nationality = Some("DK".into());
    }
    EvidenceRequest {
        id: "urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797".into(),
        version,
        issue_date_time: "2026-08-06T10:00:00.000Z".into(),
        procedure: Some("R1".into()),
        preview_location: None,
        possibility_for_preview: true,
        explicit_request_given: true,
        requirements: vec![Requirement {
            identifier: "https://sr.oots.tech.ec.europa.eu/requirements/315cfd75-6605-49c4-b0fe-799833b41099".into(),
            names: vec![LocalizedText::new("EN", "Proof of birth")],
            descriptions: if v2 { vec![LocalizedText::new("EN", "Proof that the person was born.")] } else { Vec::new() },
        }],
        requesters: vec![
            requester(),
            Agent {
                identifier: Identifier::new("urn:oasis:names:tc:ebcore:partyid-type:unregistered:DK", "DKPLATFORM"),
                names: vec![LocalizedText::new("EN", "Example Intermediary Platform")],
                address: None,
                classification: Some(Agent::INTERMEDIARY_PLATFORM.into()),
            },
        ],
        provider: provider_reference(),
        return_location: None,
        lang: if v2 { None } else { Some("EN".into()) },
        subject: Subject::Natural(subject),
        representative: None,
        evidence_type: EvidenceTypeRequest {
            identifier: "41170824-15d9-4c16-984e-63b75b937b8c".into(),
            classification: CLASSIFICATION.into(),
            titles: vec![LocalizedText::new("EN", "Certificate of Birth"), LocalizedText::new("DE", "Geburtsurkunde")],
            descriptions: vec![LocalizedText::new("EN", "Birth certificate issued by the civil registry.")],
            distributed_as: if v2 {
                vec![
                    DistributionRequest {
                        format: "application/xml".into(),
                        conforms_to: Some("https://sr.oots.tech.ec.europa.eu/datamodels/certificate-of-birth-1.0.0".into()),
                        languages: vec!["EN".into(), "DE".into()],
                        associated_documents: vec!["HumanReadableVersion".into()],
                        ..DistributionRequest::default()
                    },
                    DistributionRequest {
                        format: "application/pdf".into(),
                        ..DistributionRequest::default()
                    },
                ]
            } else {
                vec![DistributionRequest {
                    format: "application/xml".into(),
                    conforms_to: Some("https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0".into()),
                    transformation: Some(
                        "https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0/age-of-majority".into(),
                    ),
                    ..DistributionRequest::default()
                }]
            },
        },
        // The value the user chose at the DSD (the Commission's 1.x birth sample).
        provider_classifications: vec![ProviderClassification {
            identifier: "b07146b6-1468-41a7-a10f-ee2a61429dbc".into(),
            value: "ApplicantHasNeverBeenResidentInGermany".into(),
        }],
    }
}

/// A legal-person request with a natural-person representative (second, post-preview
/// request shape: carries `PreviewLocation`, and `ReturnLocation` in 2.0).
pub fn legal_person_request(version: EdmVersion) -> EvidenceRequest {
    let mut r = natural_person_request(version);
    r.id = "urn:uuid:361e43b5-bd1b-4eb5-9b1f-93971ce2e811".into();
    r.procedure = Some("X4".into());
    r.subject = Subject::Legal(legal_person());
    let mut rep = person();
    rep.sector_specific_attributes.clear();
    r.representative = Some(Subject::Natural(rep));
    r.preview_location =
        Some("https://preview.example.eu/p/d36af8bc-fea6-4ee5-a32d-5bef82cdb071".into());
    if version.is_v2() {
        r.return_location = Some("https://requester.example.eu/back?s=1&t=2".into());
    }
    r
}

/// A successful response with one evidence item.
pub fn evidence_response(version: EdmVersion) -> EvidenceResponse {
    let v2 = version.is_v2();
    let p = person();
    let is_about = NaturalPerson {
        identifier: p.identifier,
        family_name: p.family_name,
        given_name: p.given_name,
        date_of_birth: p.date_of_birth,
        place_of_birth: p.place_of_birth,
        ..NaturalPerson::default()
    };
    EvidenceResponse {
        version,
        request_id: "urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797".into(),
        response_id: "166155eb-d7a7-4cac-9086-8a85f0116462".into(),
        issue_date_time: "2026-08-06T10:00:05.000Z".into(),
        provider: provider(Agent::EVIDENCE_PROVIDER),
        requester: requester_echo(),
        items: vec![EvidenceItem {
            package_id: if v2 {
                "urn:uuid:1a2b3c4d-0000-4000-8000-000000000016".into()
            } else {
                String::new()
            },
            object_id: "urn:uuid:f073cbe2-cf2a-4f46-b9ff-d4b0fde53ab1".into(),
            classification_id: if v2 {
                "urn:uuid:1a2b3c4d-0000-4000-8000-000000000019".into()
            } else {
                String::new()
            },
            evidence: Evidence {
                identifier: "37a169f1-9cf6-4aa8-ac24-b083fa569173".into(),
                is_about: Subject::Natural(is_about),
                issuing_authority: provider_reference(),
                classification: CLASSIFICATION.into(),
                titles: vec![LocalizedText::new("EN", "Certificate of Birth")],
                descriptions: Vec::new(),
                issuing_date: Some("1970-03-03".into()),
                distribution: EvidenceDistribution {
                    format: "application/pdf".into(),
                    language: Some("DE".into()),
                    conforms_to: None,
                    transformation: None,
                },
                validity: Some(("2026-01-19".into(), "2027-05-19".into())),
            },
            content_id: "attachment100001@example.oots.eu".into(),
            title: "BirthCertificate".into(),
            supplements: Vec::new(),
        }],
    }
}

/// A 2.0 evidence response whose evidence comes with a human-readable version, a German
/// translation and an annex (TDD 2.0.1 4.5.2 §2.6).
pub fn evidence_response_with_supplements() -> EvidenceResponse {
    let mut response = evidence_response(EdmVersion::V2_0);
    let supplement =
        |n: u32, kind: AssociatedKind, format: &str, language: Option<&str>| Supplement {
            kind,
            object_id: format!("urn:uuid:5e0b0c1a-0000-4000-8000-00000000010{n}"),
            classification_id: format!("urn:uuid:5e0b0c1a-0000-4000-8000-00000000020{n}"),
            association_id: format!("urn:uuid:5e0b0c1a-0000-4000-8000-00000000030{n}"),
            identifier: format!("5e0b0c1a-0000-4000-8000-00000000040{n}"),
            format: format.into(),
            language: language.map(Into::into),
            content_id: format!("supplement{n}@example.oots.eu"),
            title: kind.name().into(),
        };
    response.items[0].supplements = vec![
        supplement(
            1,
            AssociatedKind::HumanReadableVersion,
            "application/pdf",
            None,
        ),
        supplement(
            2,
            AssociatedKind::Translation,
            "application/pdf",
            Some("DE"),
        ),
        supplement(3, AssociatedKind::Annex, "application/pdf", None),
    ];
    response
}

/// An error response with one exception of `code` (0002 carries the preview slots).
pub fn error_response(version: EdmVersion, code: ErrorCode) -> ErrorResponse {
    let mut e = EdmException::new(
        code,
        Some(format!("example detail for {code}")),
        "2026-08-06T10:00:05.000Z",
    );
    if code == ErrorCode::MissingAuthorization {
        e.preview_location = Some(
            "https://preview.example.eu/p/d36af8bc-fea6-4ee5-a32d-5bef82cdb071?a=1&b=2".into(),
        );
        e.preview_description = vec![
            LocalizedText::new("EN", "Please select your diploma."),
            LocalizedText::new("RO", "Vă rugăm să selectați diploma dvs."),
        ];
        if !version.is_v2() {
            e.preview_method = Some("GET".into());
        }
    }
    ErrorResponse {
        version,
        request_id: Some("urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797".into()),
        response_id: "530ad1e2-5eaf-4a9a-8192-227432eea95d".into(),
        error_provider: provider(Agent::ERROR_PROVIDER),
        requester: Some(requester_echo()),
        exceptions: vec![e],
    }
}
