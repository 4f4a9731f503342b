//! Rule violations: mutated copies of the 2.0 sample (FR `requete.xml`, validated against
//! the 2.0.1 Schematron) each yield the expected rule id.

mod common;

use oots_devkit::samples;
use oots_framework::edm::{
    EdmVersion, ErrorCode, RequestError, RequestErrorKind, Rule, XmlLimits, parse_request,
    write_request,
};

fn sample() -> Option<String> {
    let p = common::shared_dir()
        .join("oots-spec/oots-france/spec/fixtures/reference/messages/requete.xml");
    match std::fs::read_to_string(&p) {
        Ok(s) => Some(s),
        Err(_) => {
            oots_testskip::skip(
                "OOTS_SHARED",
                &format!("2.0 sample not found at {}", p.display()),
            );
            None
        }
    }
}

fn replace(doc: &str, from: &str, to: &str) -> String {
    assert!(doc.contains(from), "mutation target not found: {from}");
    doc.replacen(from, to, 1)
}

fn refused(doc: &str) -> RequestError {
    parse_request(doc.as_bytes(), &XmlLimits::default())
        .expect_err("mutated request must be refused")
}

const NP_SLOT_START: &str = "<rim:Slot name=\"NaturalPerson\">";

#[test]
fn unmodified_sample_is_accepted() {
    let Some(doc) = sample() else { return };
    assert!(parse_request(doc.as_bytes(), &XmlLimits::default()).is_ok());
}

#[test]
fn mutations_name_their_rule() {
    let Some(doc) = sample() else { return };
    let evidence_slot = {
        let start = doc.find("<rim:Slot name=\"EvidenceRequest\">").unwrap();
        let end = doc[start..].find("</rim:Slot>").unwrap() + start + "</rim:Slot>".len();
        doc[start..end].to_string()
    };
    let cases: Vec<(&str, String)> = vec![
        (
            "R-EDM-REQ-S001",
            replace(
                &replace(&doc, "<query:QueryRequest ", "<query:QueryRequestX "),
                "</query:QueryRequest>",
                "</query:QueryRequestX>",
            ),
        ),
        (
            "R-EDM-REQ-S002",
            replace(
                &doc,
                "xmlns:query=\"urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0\"",
                "xmlns:query=\"urn:example:query\"",
            ),
        ),
        (
            "R-EDM-REQ-S004",
            replace(
                &doc,
                "id=\"urn:uuid:1a2b3c4d-0000-4000-8000-000000000000\"",
                "id=\"request-42\"",
            ),
        ),
        (
            "R-EDM-REQ-S005",
            replace(
                &doc,
                "name=\"SpecificationIdentifier\"",
                "name=\"SpecificationId\"",
            ),
        ),
        (
            "R-EDM-REQ-C001",
            replace(
                &doc,
                "<rim:Value>oots-edm:v2.0</rim:Value>",
                "<rim:Value>oots-edm:v9.9</rim:Value>",
            ),
        ),
        (
            "R-EDM-REQ-S059",
            replace(&doc, "id=\"urn:uuid:", "xml:lang=\"EN\" id=\"urn:uuid:"),
        ),
        (
            "R-EDM-REQ-S019",
            replace(
                &doc,
                "name=\"ExplicitRequestGiven\"",
                "name=\"ExplicitRequest\"",
            ),
        ),
        (
            "R-EDM-REQ-S050",
            replace(
                &doc,
                "<rim:Value>T3</rim:Value>\n    </rim:SlotValue>",
                "<rim:Value>T3</rim:Value>\n    </rim:SlotValue><rim:SlotValue xsi:type=\"rim:StringValueType\"><rim:Value>T1</rim:Value></rim:SlotValue>",
            ),
        ),
        (
            "R-EDM-REQ-S022",
            replace(
                &doc,
                "<rim:SlotValue xsi:type=\"rim:StringValueType\">\n      <rim:Value>T3</rim:Value>",
                "<rim:SlotValue xsi:type=\"rim:InternationalStringValueType\">\n      <rim:Value><rim:LocalizedString xml:lang=\"EN\" value=\"T3\"/></rim:Value>",
            ),
        ),
        (
            "R-EDM-REQ-S021",
            replace(
                &doc,
                "<rim:SlotValue xsi:type=\"rim:DateTimeValueType\">",
                "<rim:SlotValue xsi:type=\"rim:StringValueType\">",
            ),
        ),
        (
            "R-EDM-REQ-C002",
            replace(&doc, "2026-08-06T10:00:00.000Z", "06/08/2026 10:00"),
        ),
        (
            "R-EDM-REQ-S024",
            replace(
                &doc,
                "<rim:Value>false</rim:Value>",
                "<rim:Value>maybe</rim:Value>",
            ),
        ),
        (
            "R-EDM-REQ-C005",
            replace(
                &doc,
                "<rim:Slot name=\"PossibilityForPreview\">",
                "<rim:Slot name=\"PreviewLocation\"><rim:SlotValue xsi:type=\"rim:StringValueType\"><rim:Value>http://preview.example.eu/x</rim:Value></rim:SlotValue></rim:Slot><rim:Slot name=\"PossibilityForPreview\">",
            ),
        ),
        (
            "R-EDM-REQ-S062",
            replace(
                &doc,
                "<rim:Slot name=\"PossibilityForPreview\">",
                "<rim:Slot name=\"PreviewLocation\"><rim:SlotValue xsi:type=\"rim:StringValueType\"><rim:Value>https://preview.example.eu/x</rim:Value></rim:SlotValue></rim:Slot><rim:Slot name=\"PossibilityForPreview\">",
            ),
        ),
        (
            "R-EDM-REQ-C024",
            replace(
                &doc,
                "returnType=\"LeafClassWithRepositoryItem\"",
                "returnType=\"LeafClass\"",
            ),
        ),
        (
            "R-EDM-REQ-C025",
            replace(
                &doc,
                "queryDefinition=\"DocumentQuery\"",
                "queryDefinition=\"OtherQuery\"",
            ),
        ),
        (
            "R-EDM-REQ-S015",
            replace(
                &doc,
                "  </query:Query>",
                &format!("{evidence_slot}\n  </query:Query>"),
            ),
        ),
        (
            "R-EDM-REQ-S016",
            replace(
                &doc,
                NP_SLOT_START,
                "<rim:Slot name=\"LegalPerson\"><rim:SlotValue xsi:type=\"rim:AnyValueType\"><sdg:LegalPerson><sdg:LevelOfAssurance>High</sdg:LevelOfAssurance><sdg:LegalName>X</sdg:LegalName></sdg:LegalPerson></rim:SlotValue></rim:Slot><rim:Slot name=\"NaturalPerson\">",
            ),
        ),
        (
            "R-EDM-REQ-S046",
            replace(
                &replace(&doc, "<sdg:Person>", "<sdg:NaturalPerson>"),
                "</sdg:Person>",
                "</sdg:NaturalPerson>",
            ),
        ),
        (
            "R-EDM-REQ-S049",
            replace(&doc, NP_SLOT_START, "<rim:Slot name=\"Subject\">"),
        ),
        (
            "R-EDM-REQ-C036",
            replace(
                &doc,
                "<sdg:LevelOfAssurance>High</sdg:LevelOfAssurance>",
                "",
            ),
        ),
        (
            "R-EDM-REQ-C037",
            replace(
                &doc,
                "<sdg:LevelOfAssurance>High</sdg:LevelOfAssurance>",
                "<sdg:LevelOfAssurance>Medium</sdg:LevelOfAssurance>",
            ),
        ),
        (
            "R-EDM-REQ-C043",
            replace(
                &doc,
                "<sdg:DateOfBirth>1992-10-22</sdg:DateOfBirth>",
                "<sdg:DateOfBirth>22/10/1992</sdg:DateOfBirth>",
            ),
        ),
        (
            "R-EDM-REQ-C043",
            replace(&doc, "<sdg:DateOfBirth>1992-10-22</sdg:DateOfBirth>", ""),
        ),
        (
            "SDG-XSD-PersonType",
            replace(&doc, "<sdg:FamilyName>Dupont</sdg:FamilyName>", ""),
        ),
        (
            "R-EDM-REQ-C041",
            replace(
                &doc,
                "<sdg:Identifier schemeID=\"eidas\">",
                "<sdg:Identifier>",
            ),
        ),
        (
            "R-EDM-REQ-C010",
            replace(
                &doc,
                "<sdg:Identifier schemeID=\"urn:cef.eu:names:identifier:EAS:0009\">00000000000002",
                "<sdg:Identifier>00000000000002",
            ),
        ),
        (
            "R-EDM-REQ-C014",
            replace(
                &doc,
                "<sdg:Classification>ER</sdg:Classification>",
                "<sdg:Classification>EP</sdg:Classification>",
            ),
        ),
        (
            "R-EDM-REQ-C014",
            replace(
                &doc,
                "<sdg:Classification>ER</sdg:Classification>",
                "<sdg:Classification>IP</sdg:Classification>",
            ),
        ),
        (
            "R-EDM-REQ-C013",
            replace(&doc, "<sdg:Classification>IP</sdg:Classification>", ""),
        ),
        (
            "R-EDM-REQ-C017",
            replace(
                &doc,
                "<sdg:Identifier schemeID=\"urn:cef.eu:names:identifier:EAS:9930\">",
                "<sdg:Identifier>",
            ),
        ),
        (
            "R-EDM-REQ-C026",
            replace(
                &doc,
                "<sdg:Identifier>41170824-15d9-4c16-984e-63b75b937b8c</sdg:Identifier>",
                "<sdg:Identifier>birth-certificate</sdg:Identifier>",
            ),
        ),
        (
            "R-EDM-REQ-C027",
            replace(
                &doc,
                "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/",
                "https://sr.example.com/evidencetypeclassifications/",
            ),
        ),
        (
            "R-EDM-REQ-S045",
            replace(
                &doc,
                "<sdg:DistributedAs>",
                "<sdg:Note lang=\"EN\">x</sdg:Note><sdg:DistributedAs>",
            ),
        ),
        (
            "R-EDM-REQ-C032",
            replace(
                &replace(&doc, "<sdg:DistributedAs>", "<!--"),
                "</sdg:DistributedAs>",
                "-->",
            ),
        ),
        (
            "R-EDM-REQ-C033",
            replace(&doc, "<sdg:Format>application/pdf</sdg:Format>", ""),
        ),
        (
            "R-EDM-REQ-C119",
            replace(
                &doc,
                "<sdg:Language>EN</sdg:Language>",
                "<sdg:Language>EN</sdg:Language><sdg:AssociatedDocumentRequest>Summary</sdg:AssociatedDocumentRequest>",
            ),
        ),
    ];
    for (rule, mutated) in cases {
        let err = refused(&mutated);
        assert_eq!(err.rule(), Some(rule), "{}", err.detail());
        assert!(
            err.detail().starts_with(&format!("{rule}: ")),
            "{}",
            err.detail()
        );
        assert_eq!(err.code(), ErrorCode::InvalidRequest);
        for personal in ["Dupont", "Jean", "1992", "123123123"] {
            assert!(
                !err.detail().contains(personal),
                "{rule}: personal data in detail"
            );
        }
        if rule != "R-EDM-REQ-S001" && rule != "R-EDM-REQ-S002" && rule != "R-EDM-REQ-S004" {
            assert_eq!(
                err.request_id.as_deref(),
                Some("urn:uuid:1a2b3c4d-0000-4000-8000-000000000000"),
                "{rule}"
            );
        }
        if !matches!(
            rule,
            "R-EDM-REQ-S001" | "R-EDM-REQ-S002" | "R-EDM-REQ-S005" | "R-EDM-REQ-C001"
        ) {
            assert_eq!(err.version, Some(EdmVersion::V2_0), "{rule}");
        }
        // An agent that breaks its own rules is not echoed back as the requester.
        if !matches!(
            rule,
            "R-EDM-REQ-S001" | "R-EDM-REQ-S002" | "R-EDM-REQ-C010" | "R-EDM-REQ-C014"
        ) {
            let requester = err
                .requester
                .as_ref()
                .unwrap_or_else(|| panic!("{rule}: requester"));
            assert_eq!(requester.identifier.value, "00000000000002", "{rule}");
        }
    }
}

#[test]
fn spec_identifier_detail_matches_the_documented_form() {
    let Some(doc) = sample() else { return };
    let err = refused(&replace(&doc, "oots-edm:v2.0", "oots-edm:v3"));
    assert!(
        err.detail()
            .starts_with("R-EDM-REQ-C001: SpecificationIdentifier must be one of oots-edm:v1.0")
    );
    assert!(matches!(
        err.kind,
        RequestErrorKind::Rule {
            rule: Rule::ReqC001,
            ..
        }
    ));
}

#[test]
fn lenient_inputs_are_accepted() {
    let Some(doc) = sample() else { return };
    let ok = |d: &str| {
        parse_request(d.as_bytes(), &XmlLimits::default())
            .unwrap_or_else(|e| panic!("{}", e.detail()))
    };
    // Booleans as 1/0, old and acceptance SR hosts, no Requirements slot, preview pair.
    ok(&replace(
        &doc,
        "<rim:Value>false</rim:Value>",
        "<rim:Value>0</rim:Value>",
    ));
    ok(&replace(
        &doc,
        "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/",
        "https://sr.oots.tech.europa.eu/evidencetypeclassifications/",
    ));
    ok(&replace(
        &doc,
        "https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/",
        "https://sr.acc.oots.tech.ec.europa.eu/evidencetypeclassifications/",
    ));
    let start = doc.find("<rim:Slot name=\"Requirements\">").unwrap();
    let end = doc[start..].find("</rim:Slot>").unwrap() + start + "</rim:Slot>".len();
    let r = ok(&format!("{}{}", &doc[..start], &doc[end..]));
    assert!(r.requirements.is_empty());
    let r = ok(&replace(
        &doc,
        "<query:ResponseOption",
        "<rim:Slot name=\"PreviewLocation\"><rim:SlotValue xsi:type=\"rim:StringValueType\"><rim:Value>https://p.example.eu/1</rim:Value></rim:SlotValue></rim:Slot><rim:Slot name=\"ReturnLocation\"><rim:SlotValue xsi:type=\"rim:StringValueType\"><rim:Value>https://r.example.eu/1</rim:Value></rim:SlotValue></rim:Slot><query:ResponseOption",
    ));
    assert_eq!(r.return_location.as_deref(), Some("https://r.example.eu/1"));
    // Default-namespace tricks: sdg elements without prefix.
    let r = ok(&replace(
        &replace(
            &doc,
            "<sdg:Agent>\n      <sdg:Identifier schemeID=\"urn:cef.eu:names:identifier:EAS:9930\">DE73524311</sdg:Identifier>\n      <sdg:Name lang=\"EN\">Civil Registration Office Berlin I</sdg:Name>\n    </sdg:Agent>",
            "<Agent xmlns=\"http://data.europa.eu/p4s\"><Identifier schemeID=\"urn:cef.eu:names:identifier:EAS:9930\">DE73524311</Identifier><Name lang=\"EN\">Civil Registration Office Berlin I</Name></Agent>",
        ),
        "xmlns:query=",
        "xmlns:q2=\"urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0\" xmlns:query=",
    ));
    assert_eq!(r.provider.identifier.value, "DE73524311");
}

#[test]
fn version_specific_rules_on_written_requests() {
    // 1.x: exactly one DistributedAs; ReturnLocation is not an admitted slot.
    let mut r = samples::natural_person_request(EdmVersion::V1_2);
    r.evidence_type
        .distributed_as
        .push(r.evidence_type.distributed_as[0].clone());
    let err = refused(&write_request(&r));
    assert_eq!(err.rule(), Some("R-EDM-REQ-C032"));
    assert_eq!(err.version, Some(EdmVersion::V1_2));

    // 1.x: a subset URI off the R-EDM-REQ-C035 pattern (another host, no subset, a query,
    // a third segment) is an invalid request; the pattern itself reads.
    for bad in [
        "https://sr.oots.tech.ec.europa.eu/distributions/certificate-of-birth-1.0.0/age-of-majority",
        "https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0",
        "https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0/x?y=1",
        "https://sr.oots.tech.europa.eu/distributions/a/b/c",
        "https://sr.oots.tech.europa.eu/distributions/a/<b>",
    ] {
        let mut r = samples::natural_person_request(EdmVersion::V1_2);
        r.evidence_type.distributed_as[0].transformation = Some(bad.into());
        let err = refused(&write_request(&r));
        assert_eq!(err.rule(), Some("R-EDM-REQ-C035"), "{bad}");
    }
    let r = samples::natural_person_request(EdmVersion::V1_2);
    assert!(r.evidence_type.distributed_as[0].transformation.is_some());
    assert!(parse_request(write_request(&r).as_bytes(), &XmlLimits::default()).is_ok());

    // A 2.0 body under a 1.2 label: its first 2.0-shaped slot, the plain-string Procedure,
    // breaks S022; with a 1.x Procedure, the 2.0-only ReturnLocation breaks S019.
    let mut r = samples::legal_person_request(EdmVersion::V2_0);
    r.preview_location = Some("https://p.example.eu/1".into());
    r.return_location = Some("https://r.example.eu/1".into());
    let xml = write_request(&r).replace("oots-edm:v2.0", "oots-edm:v1.2");
    assert_eq!(refused(&xml).rule(), Some("R-EDM-REQ-S022"));
    let xml = write_request(&samples::legal_person_request(EdmVersion::V1_2)).replacen(
        "<query:ResponseOption",
        "<rim:Slot name=\"ReturnLocation\"><rim:SlotValue xsi:type=\"rim:StringValueType\"><rim:Value>https://r.example.eu/1</rim:Value></rim:SlotValue></rim:Slot><query:ResponseOption",
        1,
    );
    assert_eq!(refused(&xml).rule(), Some("R-EDM-REQ-S019"));

    // 2.0: ReturnLocation must be https.
    let mut r = samples::legal_person_request(EdmVersion::V2_0);
    r.return_location = Some("http://requester.example.eu/back".into());
    assert_eq!(refused(&write_request(&r)).rule(), Some("R-EDM-REQ-C120"));

    // Representative's date of birth has its own rule.
    let xml = write_request(&samples::legal_person_request(EdmVersion::V2_0))
        .replace("1970-03-01", "1970-02-30");
    assert_eq!(refused(&xml).rule(), Some("R-EDM-REQ-C064"));

    // Legal subject without level of assurance.
    let xml = write_request(&samples::legal_person_request(EdmVersion::V2_0)).replacen(
        "<sdg:LevelOfAssurance>Substantial</sdg:LevelOfAssurance>",
        "",
        1,
    );
    let err = refused(&xml);
    assert_eq!(err.rule(), Some("R-EDM-REQ-C047"));
    assert!(matches!(err.kind, RequestErrorKind::Rule { .. }));
}

/// Values outside the code lists and formats (item 10 of issue 16): each is refused with
/// `EDM:ERR:0003` naming the rule it breaks; none of them echoes the bad value.
#[test]
fn code_list_and_format_violations_name_their_rule() {
    let Some(doc) = sample() else { return };
    let person = |inner: &str| {
        replace(
            &doc,
            "<sdg:FamilyName>Dupont</sdg:FamilyName>",
            &format!("<sdg:FamilyName>Dupont</sdg:FamilyName>{inner}"),
        )
    };
    let cases: Vec<(&str, &str, String)> = vec![
        (
            "ZZ procedure",
            "R-EDM-REQ-C003",
            replace(
                &doc,
                "<rim:Value>T3</rim:Value>",
                "<rim:Value>ZZ</rim:Value>",
            ),
        ),
        (
            "requester EAS scheme 1234",
            "R-EDM-REQ-C012",
            replace(&doc, "EAS:0009", "EAS:1234"),
        ),
        (
            "provider EAS scheme 1234",
            "R-EDM-REQ-C018",
            replace(&doc, "EAS:9930", "EAS:1234"),
        ),
        (
            "requester address country XX",
            "R-EDM-REQ-C015",
            replace(
                &doc,
                "<sdg:AdminUnitLevel1>FR</sdg:AdminUnitLevel1>",
                "<sdg:AdminUnitLevel1>XX</sdg:AdminUnitLevel1>",
            ),
        ),
        (
            "requester address country GR (Greece is EL)",
            "R-EDM-REQ-C015",
            replace(
                &doc,
                "<sdg:AdminUnitLevel1>FR</sdg:AdminUnitLevel1>",
                "<sdg:AdminUnitLevel1>GR</sdg:AdminUnitLevel1>",
            ),
        ),
        (
            "person identifier country XX",
            "R-EDM-REQ-C040",
            replace(&doc, "FR/DE/123123123", "XX/DE/123123123"),
        ),
        (
            "person identifier country GR (Greece is EL)",
            "R-EDM-REQ-C040",
            replace(&doc, "FR/DE/123123123", "GR/DE/123123123"),
        ),
        (
            "person identifier DK-DE-123",
            "R-EDM-REQ-C040",
            replace(&doc, "FR/DE/123123123", "DK-DE-123"),
        ),
        (
            "IssueDateTime month 13",
            "R-EDM-REQ-C002",
            replace(&doc, "2026-08-06T10:00:00.000Z", "2026-13-45T10:00:00.000Z"),
        ),
        (
            "IssueDateTime hour 25",
            "R-EDM-REQ-C002",
            replace(&doc, "2026-08-06T10:00:00.000Z", "2026-08-06T25:61:00Z"),
        ),
        (
            "IssueDateTime trailing garbage",
            "R-EDM-REQ-C002",
            replace(
                &doc,
                "2026-08-06T10:00:00.000Z",
                "2026-08-06T10:00:00 and more",
            ),
        ),
        (
            "two DateOfBirth",
            "SDG-XSD-PersonType",
            person("<sdg:DateOfBirth>1950-01-01</sdg:DateOfBirth>"),
        ),
        (
            "two FamilyName",
            "SDG-XSD-PersonType",
            person("<sdg:FamilyName>Martin</sdg:FamilyName>"),
        ),
        (
            "two Person",
            "R-EDM-REQ-S046",
            replace(
                &doc,
                "    </sdg:Person>\n",
                "    </sdg:Person>\n<sdg:Person><sdg:LevelOfAssurance>High</sdg:LevelOfAssurance><sdg:FamilyName>Martin</sdg:FamilyName><sdg:GivenName>Paul</sdg:GivenName><sdg:DateOfBirth>1950-01-01</sdg:DateOfBirth></sdg:Person>\n",
            ),
        ),
        (
            "v2.0 label, 1.x Transformation",
            "SDG-XSD-DistributionType",
            replace(
                &doc,
                "<sdg:Language>EN</sdg:Language>",
                "<sdg:Transformation>https://sr.oots.tech.ec.europa.eu/distributions/x</sdg:Transformation>",
            ),
        ),
        (
            "v1.2 label, 2.0 body (Procedure as a plain string, Language)",
            "R-EDM-REQ-S022",
            replace(&doc, "oots-edm:v2.0", "oots-edm:v1.2"),
        ),
        (
            "v1.2 label, 2.0 DistributedAs/Language",
            "SDG-XSD-DistributionType",
            replace(
                &replace(&doc, "oots-edm:v2.0", "oots-edm:v1.2"),
                "<rim:SlotValue xsi:type=\"rim:StringValueType\">\n      <rim:Value>T3</rim:Value>",
                "<rim:SlotValue xsi:type=\"rim:InternationalStringValueType\">\n      <rim:Value><rim:LocalizedString xml:lang=\"EN\" value=\"T3\"/></rim:Value>",
            ),
        ),
        (
            "right-to-left override in FamilyName",
            "identity matching",
            replace(&doc, ">Dupont<", ">Dup\u{202E}tno<"),
        ),
        (
            "first strong isolate in GivenName",
            "identity matching",
            replace(&doc, ">Jean<", ">\u{2066}Jean\u{2069}<"),
        ),
        (
            "zero-width space in FamilyName",
            "identity matching",
            replace(&doc, ">Dupont<", ">Du\u{200B}pont<"),
        ),
    ];
    // Every case is tried before failing, so one run lists all that are wrong.
    let mut wrong = Vec::new();
    for (what, rule, mutated) in cases {
        let Err(err) = parse_request(mutated.as_bytes(), &XmlLimits::default()) else {
            wrong.push(format!("{what}: accepted"));
            continue;
        };
        if err.rule() != Some(rule) || !err.detail().starts_with(&format!("{rule}: ")) {
            wrong.push(format!("{what}: expected {rule}, got {}", err.detail()));
        }
        assert_eq!(err.code(), ErrorCode::InvalidRequest, "{what}");
        for echoed in [
            "ZZ", "1234", "XX", "GR/", "DK-DE", "2026-13", "Martin", "\u{202E}",
        ] {
            assert!(!err.detail().contains(echoed), "{what}: echoes {echoed}");
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The right spellings next to the wrong ones above are accepted: Greece as `EL`, the
/// unregistered party-id fallback, the system-check procedure `00`, a time zone offset.
#[test]
fn code_list_values_that_exist_are_accepted() {
    let Some(doc) = sample() else { return };
    let ok = |what: &str, d: String| {
        if let Err(e) = parse_request(d.as_bytes(), &XmlLimits::default()) {
            panic!("{what}: {}", e.detail())
        }
    };
    ok(
        "EL identifier",
        replace(&doc, "FR/DE/123123123", "EL/DE/123123123"),
    );
    ok(
        "EL address",
        replace(
            &doc,
            "<sdg:AdminUnitLevel1>FR</sdg:AdminUnitLevel1>",
            "<sdg:AdminUnitLevel1>EL</sdg:AdminUnitLevel1>",
        ),
    );
    ok(
        "system check procedure",
        replace(
            &doc,
            "<rim:Value>T3</rim:Value>",
            "<rim:Value>00</rim:Value>",
        ),
    );
    ok(
        "unregistered scheme",
        replace(
            &doc,
            "urn:cef.eu:names:identifier:EAS:9930",
            "urn:oasis:names:tc:ebcore:partyid-type:unregistered:DE",
        ),
    );
    ok(
        "offset and no fraction",
        replace(
            &doc,
            "2026-08-06T10:00:00.000Z",
            "2026-08-06T10:00:00+02:00",
        ),
    );
    ok(
        "non-Latin letters and combining marks",
        replace(&doc, ">Dupont<", ">Papadopoulou\u{0301}<"),
    );
}

/// A second agent or identifier must not ride along unread, and the person identifier's
/// scheme is `eidas` (2.0.1 admits no other).
#[test]
fn duplicated_agents_and_foreign_person_schemes_name_their_rule() {
    let Some(doc) = sample() else { return };
    let provider = "<sdg:Agent>\n      <sdg:Identifier schemeID=\"urn:cef.eu:names:identifier:EAS:9930\">DE73524311</sdg:Identifier>";
    let cases: Vec<(&str, &str, String)> = vec![
        (
            "two provider agents",
            "R-EDM-REQ-S042",
            replace(
                &doc,
                provider,
                &format!(
                    "<sdg:Agent><sdg:Identifier schemeID=\"urn:cef.eu:names:identifier:EAS:9930\">DE000000000</sdg:Identifier><sdg:Name lang=\"EN\">Other</sdg:Name></sdg:Agent>{provider}"
                ),
            ),
        ),
        (
            "two provider identifiers",
            "R-EDM-REQ-S043",
            replace(
                &doc,
                provider,
                &format!(
                    "{provider}<sdg:Identifier schemeID=\"urn:cef.eu:names:identifier:EAS:9930\">DE000000000</sdg:Identifier>"
                ),
            ),
        ),
        (
            "two requester identifiers",
            "R-EDM-REQ-S040",
            replace(
                &doc,
                "<sdg:Identifier schemeID=\"urn:cef.eu:names:identifier:EAS:0009\">00000000000002</sdg:Identifier>",
                "<sdg:Identifier schemeID=\"urn:cef.eu:names:identifier:EAS:0009\">00000000000002</sdg:Identifier><sdg:Identifier schemeID=\"urn:cef.eu:names:identifier:EAS:0009\">00000000000003</sdg:Identifier>",
            ),
        ),
        (
            "person identifier scheme eidas2",
            "R-EDM-REQ-C042",
            replace(&doc, "schemeID=\"eidas\"", "schemeID=\"eidas2\""),
        ),
    ];
    let mut wrong = Vec::new();
    for (what, rule, mutated) in cases {
        match parse_request(mutated.as_bytes(), &XmlLimits::default()) {
            Ok(_) => wrong.push(format!("{what}: accepted")),
            Err(e) if e.rule() != Some(rule) => {
                wrong.push(format!("{what}: expected {rule}, got {}", e.detail()))
            }
            Err(_) => {}
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
