//! The registration as the DSD's LCM `SubmitObjectsRequest` (TDD 3.x, "LCM Interface
//! Specification of the DSD"): an `EvidenceProvider` object, one
//! `DataServiceEvidenceType` object per evidence type (its SDG content shaped as a DSD
//! query answers it), each classified under `urn:fdc:oots:classification:dsd` and linked
//! from the provider by a `ProvidesEvidenceType` association. Every id is derived from
//! the content, so the same deployment always exports the same bytes.

use super::model::{AccessService, Publisher, Registration, ServiceType, derived_id};
use crate::edm::{NS_RIM, NS_SDG, NS_XSI, escape_attr, escape_text};

/// RegRep LCM namespace.
pub const NS_LCM: &str = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:4.0";
/// The DSD's classification scheme for submitted objects.
pub const DSD_SCHEME: &str = "urn:fdc:oots:classification:dsd";
/// Association from the provider to each of its data service evidence types.
pub const PROVIDES: &str = "urn:oasis:names:tc:ebxml-regrep:AssociationType:ProvidesEvidenceType";
/// `SpecificationIdentifier` of the LCM profile.
pub const LCM_SPEC: &str = "oots-lcm:v1.0";

/// A small indenting writer: the export is read by people before it is sent.
struct Writer {
    out: String,
    depth: usize,
}

impl Writer {
    fn line(&mut self, s: &str) {
        for _ in 0..self.depth {
            self.out.push_str("  ");
        }
        self.out.push_str(s);
        self.out.push('\n');
    }
    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.line(&format!("<{name}{}>", attributes(attrs)));
        self.depth += 1;
    }
    fn close(&mut self, name: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.line(&format!("</{name}>"));
    }
    fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.line(&format!("<{name}{}/>", attributes(attrs)));
    }
    fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.line(&format!(
            "<{name}{}>{}</{name}>",
            attributes(attrs),
            escape_text(text)
        ));
    }
    fn texts(&mut self, name: &str, texts: &[(String, String)]) {
        for (lang, text) in texts {
            self.leaf(name, &[("lang", lang)], text);
        }
    }
}

fn attributes(attrs: &[(&str, &str)]) -> String {
    attrs
        .iter()
        .map(|(k, v)| format!(" {k}=\"{}\"", escape_attr(v)))
        .collect()
}

fn urn(uuid: &str) -> String {
    format!("urn:uuid:{uuid}")
}

/// The provider's registry object id.
fn provider_object(p: &Publisher) -> String {
    urn(&derived_id(&format!(
        "evidence-provider|{}|{}",
        p.scheme, p.identifier
    )))
}

/// The `SubmitObjectsRequest` registering `reg`.
pub fn write_submit_objects(reg: &Registration) -> String {
    let provider = provider_object(&reg.publisher);
    let type_objects: Vec<String> = reg
        .types
        .iter()
        .map(|t| {
            urn(&derived_id(&format!(
                "data-service-evidence-type-object|{}",
                t.identifier
            )))
        })
        .collect();
    // The request id changes with the content: the same registration, the same id.
    let mut content = provider.clone();
    for t in &reg.types {
        content.push_str(&format!("|{t:?}"));
    }
    let request_id = urn(&derived_id(&format!("submit-objects|{content}")));
    let mut w = Writer {
        out: String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        depth: 0,
    };
    w.open(
        "lcm:SubmitObjectsRequest",
        &[
            ("xmlns:lcm", NS_LCM),
            ("xmlns:rim", NS_RIM),
            ("xmlns:sdg", NS_SDG),
            ("xmlns:xsi", NS_XSI),
            ("id", &request_id),
            ("checkReferences", "true"),
        ],
    );
    w.open("rim:Slot", &[("name", "SpecificationIdentifier")]);
    w.open("rim:SlotValue", &[("xsi:type", "rim:StringValueType")]);
    w.leaf("rim:Value", &[], LCM_SPEC);
    w.close("rim:SlotValue");
    w.close("rim:Slot");
    w.open("rim:RegistryObjectList", &[]);
    write_provider_object(&mut w, &provider, &reg.publisher);
    for (t, id) in reg.types.iter().zip(&type_objects) {
        write_type_object(&mut w, id, t);
    }
    for id in &type_objects {
        let assoc = urn(&derived_id(&format!("provides|{provider}|{id}")));
        w.empty(
            "rim:RegistryObject",
            &[
                ("xsi:type", "rim:AssociationType"),
                ("id", &assoc),
                ("type", PROVIDES),
                ("sourceObject", &provider),
                ("targetObject", id),
            ],
        );
    }
    w.close("rim:RegistryObjectList");
    w.close("lcm:SubmitObjectsRequest");
    w.out
}

fn slot_open(w: &mut Writer, name: &str) {
    w.open("rim:Slot", &[("name", name)]);
    w.open("rim:SlotValue", &[("xsi:type", "rim:AnyValueType")]);
}

fn slot_close(w: &mut Writer) {
    w.close("rim:SlotValue");
    w.close("rim:Slot");
}

fn classification(w: &mut Writer, object: &str, node: &str) {
    let id = urn(&derived_id(&format!("classification|{object}|{node}")));
    w.empty(
        "rim:Classification",
        &[
            ("id", &id),
            ("classificationScheme", DSD_SCHEME),
            ("classifiedObject", object),
            ("classificationNode", node),
        ],
    );
}

/// A publisher's `Address` and `Jurisdiction`, both at country level.
fn country_parts(w: &mut Writer, country: &str) {
    for part in ["sdg:Address", "sdg:Jurisdiction"] {
        w.open(part, &[]);
        w.leaf("sdg:AdminUnitLevel1", &[], country);
        w.close(part);
    }
}

fn write_provider_object(w: &mut Writer, id: &str, p: &Publisher) {
    w.open("rim:RegistryObject", &[("id", id)]);
    slot_open(w, "EvidenceProvider");
    w.open("sdg:EvidenceProvider", &[]);
    w.leaf("sdg:Identifier", &[("schemeID", &p.scheme)], &p.identifier);
    w.texts("sdg:Name", &p.names);
    country_parts(w, &p.country);
    w.close("sdg:EvidenceProvider");
    slot_close(w);
    classification(w, id, "EvidenceProvider");
    w.close("rim:RegistryObject");
}

fn write_type_object(w: &mut Writer, id: &str, t: &ServiceType) {
    w.open("rim:RegistryObject", &[("id", id)]);
    slot_open(w, "DataServiceEvidenceType");
    write_service_type(w, t);
    slot_close(w);
    classification(w, id, "DataServiceEvidenceType");
    w.close("rim:RegistryObject");
}

/// `sdg:DataServiceEvidenceType`, in the element order of the DSD's query answers.
fn write_service_type(w: &mut Writer, t: &ServiceType) {
    w.open("sdg:DataServiceEvidenceType", &[]);
    w.leaf("sdg:Identifier", &[], &t.identifier);
    w.leaf("sdg:EvidenceTypeClassification", &[], &t.classification);
    w.texts("sdg:Title", &t.titles);
    w.texts("sdg:Description", &t.descriptions);
    for d in &t.distributions {
        w.open("sdg:DistributedAs", &[]);
        w.leaf("sdg:Format", &[], &d.format);
        if let Some(c) = &d.conforms_to {
            w.leaf("sdg:ConformsTo", &[], c);
        }
        if let Some(x) = &d.transformation {
            w.leaf("sdg:Transformation", &[], x);
        }
        if let Some(l) = &d.language {
            w.leaf("sdg:Language", &[], l);
        }
        w.close("sdg:DistributedAs");
    }
    for a in &t.access_services {
        write_access_service(w, a);
    }
    if let Some(l) = &t.level_of_assurance {
        w.leaf("sdg:AuthenticationLevelOfAssurance", &[], l);
    }
    if let Some(j) = &t.jurisdiction {
        w.open("sdg:EvidenceProviderJurisdictionDetermination", &[]);
        w.leaf("sdg:JurisdictionContextId", &[], &j.context_id);
        for (lang, text) in &j.context {
            w.leaf("sdg:JurisdictionContext", &[("lang", lang)], text);
        }
        w.leaf("sdg:JurisdictionLevel", &[], &j.level);
        w.close("sdg:EvidenceProviderJurisdictionDetermination");
    }
    for c in &t.provider_classifications {
        w.open("sdg:EvidenceProviderClassification", &[]);
        w.leaf("sdg:Identifier", &[], c);
        w.close("sdg:EvidenceProviderClassification");
    }
    w.close("sdg:DataServiceEvidenceType");
}

fn write_access_service(w: &mut Writer, a: &AccessService) {
    w.open("sdg:AccessService", &[]);
    w.leaf("sdg:Identifier", &[("schemeID", &a.scheme)], &a.identifier);
    w.texts("sdg:Name", &a.names);
    w.leaf("sdg:ConformsTo", &[], &a.conforms_to);
    let p = &a.publisher;
    w.open("sdg:Publisher", &[]);
    w.leaf("sdg:Identifier", &[("schemeID", &p.scheme)], &p.identifier);
    w.texts("sdg:Name", &p.names);
    w.texts("sdg:Description", &p.descriptions);
    country_parts(w, &p.country);
    w.close("sdg:Publisher");
    w.close("sdg:AccessService");
}
