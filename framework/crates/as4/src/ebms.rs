//! The ebMS 3 `UserMessage` header, typed, with the OOTS four-corner helpers.
//!
//! Read leniently (any prefix, surrounding whitespace, property order), written
//! canonically (prefix `eb`, schema order). See `docs/oots-edm.md` §6 for the values.

use roxmltree::Node;

use super::xml;

/// ebMS 3 core namespace (header blocks, whatever prefix Domibus gives them).
pub const EBMS_NS: &str = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/";
/// OOTS service value.
pub const OOTS_SERVICE: &str = "QueryManager";
/// OOTS service type.
pub const OOTS_SERVICE_TYPE: &str = "urn:oasis:names:tc:ebcore:ebrs:ebms:binding:1.0";
/// Action of an evidence request.
pub const ACTION_EXECUTE_QUERY_REQUEST: &str = "ExecuteQueryRequest";
/// Action of a successful (or deferred) evidence response.
pub const ACTION_EXECUTE_QUERY_RESPONSE: &str = "ExecuteQueryResponse";
/// Action of an EDM error response (including the preview redirect).
pub const ACTION_EXCEPTION_RESPONSE: &str = "ExceptionResponse";
/// Role of both access points in OOTS.
pub const OOTS_ROLE: &str = "http://sdg.europa.eu/edelivery/gateway";
/// The default message partition channel.
pub const DEFAULT_MPC: &str =
    "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/defaultMPC";
/// Four-corner property: C1.
pub const PROP_ORIGINAL_SENDER: &str = "originalSender";
/// Four-corner property: C4.
pub const PROP_FINAL_RECIPIENT: &str = "finalRecipient";
/// OOTS 2.0 property identifying one request/answer round trip.
pub const PROP_EXCHANGE_ID: &str = "ExchangeId";
/// OOTS 2.0 property carrying the EDM specification identifier.
pub const PROP_SPECIFICATION_ID: &str = "SpecificationId";
/// Part property giving a payload's MIME type.
pub const PART_MIME_TYPE: &str = "MimeType";
/// MIME type of the RegRep business document.
pub const MIME_EBRS: &str = "application/x-ebrs+xml";

/// Why an `eb:Messaging` header could not be read.
#[derive(Debug, thiserror::Error)]
pub enum EbmsError {
    /// The text is not acceptable XML.
    #[error("ebMS header is not readable XML: {0}")]
    Xml(#[from] xml::XmlError),
    /// A mandatory element or attribute is missing or empty.
    #[error("ebMS header lacks {0}")]
    Missing(&'static str),
}

impl EbmsError {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            EbmsError::Xml(_) => "ebms.xml",
            EbmsError::Missing(_) => "ebms.missing",
        }
    }
}

/// One `eb:Property` (message or part property); `type` is optional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Property {
    /// Its `name`.
    pub name: String,
    /// Its value.
    pub value: String,
    /// Its optional `type`.
    pub property_type: Option<String>,
}

impl Property {
    /// A property without `type`.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Property {
            name: name.into(),
            value: value.into(),
            property_type: None,
        }
    }

    /// A property with a `type` (the identifier scheme of a four-corner property).
    pub fn typed(
        name: impl Into<String>,
        value: impl Into<String>,
        property_type: impl Into<String>,
    ) -> Self {
        Property {
            name: name.into(),
            value: value.into(),
            property_type: Some(property_type.into()),
        }
    }
}

/// One access point of the exchange (`From` or `To`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Party {
    /// Its `eb:PartyId`.
    pub party_id: String,
    /// The PartyId's optional `type`.
    pub party_id_type: Option<String>,
    /// Its `eb:Role`.
    pub role: String,
}

/// `eb:Service` with its optional `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// The service name.
    pub value: String,
    /// Its optional `type`.
    pub service_type: Option<String>,
}

impl Service {
    /// The OOTS `QueryManager` service.
    pub fn oots() -> Self {
        Service {
            value: OOTS_SERVICE.to_string(),
            service_type: Some(OOTS_SERVICE_TYPE.to_string()),
        }
    }
}

/// `eb:PartInfo`: a reference (`cid:…`) to a payload and its part properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartInfo {
    /// The payload reference (`cid:…`).
    pub href: String,
    /// Its part properties (`MimeType`, …).
    pub properties: Vec<Property>,
}

impl PartInfo {
    /// A part `cid:{content_id}` with its `MimeType` property, as OOTS senders write it.
    pub fn new(content_id: &str, mime_type: &str) -> Self {
        PartInfo {
            href: format!("cid:{content_id}"),
            properties: vec![Property::new(PART_MIME_TYPE, mime_type)],
        }
    }

    /// The content id without the `cid:` scheme (compared case-insensitively on the wire).
    pub fn content_id(&self) -> &str {
        strip_cid(&self.href)
    }

    /// The `MimeType` part property, if declared.
    pub fn mime_type(&self) -> Option<&str> {
        self.properties
            .iter()
            .find(|p| p.name == PART_MIME_TYPE)
            .map(|p| p.value.as_str())
    }
}

/// Removes a leading `cid:` (any case) from a payload reference.
pub fn strip_cid(href: &str) -> &str {
    match href.get(..4) {
        Some(scheme) if scheme.eq_ignore_ascii_case("cid:") => &href[4..],
        _ => href,
    }
}

/// The ebMS 3 `UserMessage` header of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserMessage {
    /// The message partition channel; `None` is the default one.
    pub mpc: Option<String>,
    /// The ebMS MessageId.
    pub message_id: String,
    /// When it was sent (`eb:Timestamp`, as written).
    pub timestamp: String,
    /// The MessageId this message answers, if any.
    pub ref_to_message_id: Option<String>,
    /// The sending party.
    pub from: Party,
    /// The receiving party.
    pub to: Party,
    /// The business service.
    pub service: Service,
    /// The business action.
    pub action: String,
    /// The conversation it belongs to.
    pub conversation_id: String,
    /// The message properties (`originalSender`, `finalRecipient`).
    pub properties: Vec<Property>,
    /// The payload references.
    pub parts: Vec<PartInfo>,
}

impl UserMessage {
    /// First message property with this name.
    pub fn property(&self, name: &str) -> Option<&Property> {
        self.properties.iter().find(|p| p.name == name)
    }

    /// The `originalSender` property (C1): value and identifier scheme.
    pub fn original_sender(&self) -> Option<&Property> {
        self.property(PROP_ORIGINAL_SENDER)
    }

    /// The `finalRecipient` property (C4): value and identifier scheme.
    pub fn final_recipient(&self) -> Option<&Property> {
        self.property(PROP_FINAL_RECIPIENT)
    }

    /// The OOTS 2.0 `ExchangeId`.
    pub fn exchange_id(&self) -> Option<&str> {
        self.property(PROP_EXCHANGE_ID).map(|p| p.value.as_str())
    }

    /// The OOTS 2.0 `SpecificationId`.
    pub fn specification_id(&self) -> Option<&str> {
        self.property(PROP_SPECIFICATION_ID)
            .map(|p| p.value.as_str())
    }

    /// Reads the first `eb:Messaging/eb:UserMessage` found in `text` (a bare header, or a
    /// whole SOAP envelope).
    pub fn from_xml(text: &str) -> Result<UserMessage, EbmsError> {
        from_xml(text)
    }

    /// Builds the header of the answer to this request, per OOTS: same service and
    /// conversation, `From`/`To` swapped, `originalSender`/`finalRecipient` swapped
    /// (values and types), `ExchangeId` and `SpecificationId` copied when present (so 4
    /// properties in 2.0, 2 in 1.x), `RefToMessageId` = this message's id. The MPC is left
    /// to the access point's PMode.
    pub fn answer_header(
        &self,
        action: &str,
        message_id: String,
        timestamp: String,
        parts: Vec<PartInfo>,
    ) -> UserMessage {
        let mut properties = Vec::with_capacity(4);
        if let Some(c4) = self.final_recipient() {
            properties.push(Property {
                name: PROP_ORIGINAL_SENDER.to_string(),
                ..c4.clone()
            });
        }
        if let Some(c1) = self.original_sender() {
            properties.push(Property {
                name: PROP_FINAL_RECIPIENT.to_string(),
                ..c1.clone()
            });
        }
        for name in [PROP_EXCHANGE_ID, PROP_SPECIFICATION_ID] {
            if let Some(p) = self.property(name) {
                properties.push(p.clone());
            }
        }
        UserMessage {
            mpc: None,
            message_id,
            timestamp,
            ref_to_message_id: Some(self.message_id.clone()),
            from: self.to.clone(),
            to: self.from.clone(),
            service: self.service.clone(),
            action: action.to_string(),
            conversation_id: self.conversation_id.clone(),
            properties,
            parts,
        }
    }

    /// Writes `eb:Messaging` with the canonical prefix `eb`.
    pub fn to_xml(&self) -> String {
        self.to_xml_with_prefix("eb", "")
    }

    /// Writes `Messaging` under `prefix`, with `extra_ns` (already formatted
    /// `xmlns:…="…"` declarations) on the root: lets the simulator mimic Domibus's
    /// re-prefixed output.
    pub fn to_xml_with_prefix(&self, prefix: &str, extra_ns: &str) -> String {
        let p = prefix;
        let e = xml::escape_text;
        let a = xml::escape_attr;
        let mut s = String::with_capacity(2048);
        s.push_str(&format!("<{p}:Messaging xmlns:{p}=\"{EBMS_NS}\""));
        if !extra_ns.is_empty() {
            s.push(' ');
            s.push_str(extra_ns);
        }
        s.push('>');
        match &self.mpc {
            Some(mpc) => s.push_str(&format!("<{p}:UserMessage mpc=\"{}\">", a(mpc))),
            None => s.push_str(&format!("<{p}:UserMessage>")),
        }
        s.push_str(&format!(
            "<{p}:MessageInfo><{p}:Timestamp>{}</{p}:Timestamp><{p}:MessageId>{}</{p}:MessageId>",
            e(&self.timestamp),
            e(&self.message_id)
        ));
        if let Some(r) = &self.ref_to_message_id {
            s.push_str(&format!(
                "<{p}:RefToMessageId>{}</{p}:RefToMessageId>",
                e(r)
            ));
        }
        s.push_str(&format!("</{p}:MessageInfo><{p}:PartyInfo>"));
        for (tag, party) in [("From", &self.from), ("To", &self.to)] {
            s.push_str(&format!("<{p}:{tag}><{p}:PartyId"));
            if let Some(t) = &party.party_id_type {
                s.push_str(&format!(" type=\"{}\"", a(t)));
            }
            s.push_str(&format!(
                ">{}</{p}:PartyId><{p}:Role>{}</{p}:Role></{p}:{tag}>",
                e(&party.party_id),
                e(&party.role)
            ));
        }
        s.push_str(&format!(
            "</{p}:PartyInfo><{p}:CollaborationInfo><{p}:Service"
        ));
        if let Some(t) = &self.service.service_type {
            s.push_str(&format!(" type=\"{}\"", a(t)));
        }
        s.push_str(&format!(
            ">{}</{p}:Service><{p}:Action>{}</{p}:Action><{p}:ConversationId>{}</{p}:ConversationId></{p}:CollaborationInfo>",
            e(&self.service.value),
            e(&self.action),
            e(&self.conversation_id)
        ));
        if !self.properties.is_empty() {
            s.push_str(&format!("<{p}:MessageProperties>"));
            write_properties(&mut s, p, &self.properties);
            s.push_str(&format!("</{p}:MessageProperties>"));
        }
        if !self.parts.is_empty() {
            s.push_str(&format!("<{p}:PayloadInfo>"));
            for part in &self.parts {
                s.push_str(&format!("<{p}:PartInfo href=\"{}\">", a(&part.href)));
                if !part.properties.is_empty() {
                    s.push_str(&format!("<{p}:PartProperties>"));
                    write_properties(&mut s, p, &part.properties);
                    s.push_str(&format!("</{p}:PartProperties>"));
                }
                s.push_str(&format!("</{p}:PartInfo>"));
            }
            s.push_str(&format!("</{p}:PayloadInfo>"));
        }
        s.push_str(&format!("</{p}:UserMessage></{p}:Messaging>"));
        s
    }
}

fn write_properties(s: &mut String, p: &str, props: &[Property]) {
    for prop in props {
        s.push_str(&format!(
            "<{p}:Property name=\"{}\"",
            xml::escape_attr(&prop.name)
        ));
        if let Some(t) = &prop.property_type {
            s.push_str(&format!(" type=\"{}\"", xml::escape_attr(t)));
        }
        s.push_str(&format!(
            ">{}</{p}:Property>",
            xml::escape_text(&prop.value)
        ));
    }
}

/// Size limit for a bare header document.
const MAX_HEADER_BYTES: usize = 1024 * 1024;

/// Reads the first `eb:Messaging` (or bare `eb:UserMessage`) element found in `text`.
pub fn from_xml(text: &str) -> Result<UserMessage, EbmsError> {
    let doc = xml::parse(text, MAX_HEADER_BYTES)?;
    let node = doc
        .descendants()
        .find(|n| xml::is(*n, EBMS_NS, "Messaging") || xml::is(*n, EBMS_NS, "UserMessage"))
        .ok_or(EbmsError::Missing("eb:Messaging"))?;
    parse_messaging(node)
}

/// Reads the `UserMessage` of an `eb:Messaging` element (a bare `eb:UserMessage` is
/// accepted too). Elements are matched by namespace URI; values are trimmed.
pub fn parse_messaging(node: Node<'_, '_>) -> Result<UserMessage, EbmsError> {
    parse_user_message(node, None)
}

/// Like [`parse_messaging`], for a header submitted to Domibus: `MessageInfo`, its
/// `MessageId` and `Timestamp` are optional there, and `defaults()` supplies the missing
/// ones (as Domibus generates them).
pub fn parse_submitted_messaging(
    node: Node<'_, '_>,
    defaults: impl FnOnce() -> (String, String),
) -> Result<UserMessage, EbmsError> {
    parse_user_message(node, Some(Box::new(defaults)))
}

type InfoDefaults<'f> = Box<dyn FnOnce() -> (String, String) + 'f>;

fn parse_user_message(
    node: Node<'_, '_>,
    defaults: Option<InfoDefaults<'_>>,
) -> Result<UserMessage, EbmsError> {
    let um = if xml::is(node, EBMS_NS, "UserMessage") {
        node
    } else {
        xml::child(node, EBMS_NS, "UserMessage").ok_or(EbmsError::Missing("eb:UserMessage"))?
    };
    let info = xml::child(um, EBMS_NS, "MessageInfo");
    let info_text = |local: &str| {
        info.and_then(|i| xml::child(i, EBMS_NS, local))
            .and_then(xml::text)
    };
    let (timestamp, message_id) = match (info_text("Timestamp"), info_text("MessageId"), defaults) {
        (Some(ts), Some(id), _) => (ts, id),
        (ts, id, Some(defaults)) => {
            let (new_id, now) = defaults();
            (ts.unwrap_or(now), id.unwrap_or(new_id))
        }
        (None, _, None) if info.is_none() => return Err(EbmsError::Missing("eb:MessageInfo")),
        (None, _, None) => return Err(EbmsError::Missing("eb:Timestamp")),
        (Some(_), None, None) => return Err(EbmsError::Missing("eb:MessageId")),
    };
    let ref_to_message_id = info_text("RefToMessageId");

    let party_info =
        xml::child(um, EBMS_NS, "PartyInfo").ok_or(EbmsError::Missing("eb:PartyInfo"))?;
    let from = parse_party(
        xml::child(party_info, EBMS_NS, "From").ok_or(EbmsError::Missing("eb:From"))?,
        "eb:From/eb:PartyId",
        "eb:From/eb:Role",
    )?;
    let to = parse_party(
        xml::child(party_info, EBMS_NS, "To").ok_or(EbmsError::Missing("eb:To"))?,
        "eb:To/eb:PartyId",
        "eb:To/eb:Role",
    )?;

    let collab = xml::child(um, EBMS_NS, "CollaborationInfo")
        .ok_or(EbmsError::Missing("eb:CollaborationInfo"))?;
    let service_node =
        xml::child(collab, EBMS_NS, "Service").ok_or(EbmsError::Missing("eb:Service"))?;
    let service = Service {
        value: xml::text(service_node).ok_or(EbmsError::Missing("eb:Service"))?,
        service_type: non_empty_attr(service_node, "type"),
    };
    let action = required_text(collab, "Action", "eb:Action")?;
    let conversation_id = required_text(collab, "ConversationId", "eb:ConversationId")?;

    let properties = xml::child(um, EBMS_NS, "MessageProperties")
        .map(parse_properties)
        .transpose()?
        .unwrap_or_default();
    let mut parts = Vec::new();
    if let Some(payload_info) = xml::child(um, EBMS_NS, "PayloadInfo") {
        for pi in xml::children(payload_info, EBMS_NS, "PartInfo") {
            let href = pi
                .attribute("href")
                .map(str::trim)
                .filter(|h| !h.is_empty())
                .ok_or(EbmsError::Missing("eb:PartInfo/@href"))?
                .to_string();
            let properties = xml::child(pi, EBMS_NS, "PartProperties")
                .map(parse_properties)
                .transpose()?
                .unwrap_or_default();
            parts.push(PartInfo { href, properties });
        }
    }

    Ok(UserMessage {
        mpc: non_empty_attr(um, "mpc"),
        message_id,
        timestamp,
        ref_to_message_id,
        from,
        to,
        service,
        action,
        conversation_id,
        properties,
        parts,
    })
}

fn required_text(
    parent: Node<'_, '_>,
    local: &str,
    what: &'static str,
) -> Result<String, EbmsError> {
    xml::child(parent, EBMS_NS, local)
        .and_then(xml::text)
        .ok_or(EbmsError::Missing(what))
}

fn non_empty_attr(node: Node<'_, '_>, name: &str) -> Option<String> {
    node.attribute(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
}

fn parse_party(
    node: Node<'_, '_>,
    id_what: &'static str,
    role_what: &'static str,
) -> Result<Party, EbmsError> {
    let id_node = xml::child(node, EBMS_NS, "PartyId").ok_or(EbmsError::Missing(id_what))?;
    Ok(Party {
        party_id: xml::text(id_node).ok_or(EbmsError::Missing(id_what))?,
        party_id_type: non_empty_attr(id_node, "type"),
        role: required_text(node, "Role", role_what)?,
    })
}

fn parse_properties(node: Node<'_, '_>) -> Result<Vec<Property>, EbmsError> {
    xml::children(node, EBMS_NS, "Property")
        .map(|p| {
            let name = non_empty_attr(p, "name").ok_or(EbmsError::Missing("eb:Property/@name"))?;
            Ok(Property {
                name,
                value: xml::text(p).unwrap_or_default(),
                property_type: non_empty_attr(p, "type"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FR_REQUEST: &str = r#"<eb:Messaging xmlns:eb="http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/">
  <eb:UserMessage>
    <eb:MessageInfo>
      <eb:Timestamp>2026-08-06T10:00:00.000Z</eb:Timestamp>
      <eb:MessageId>1a2b3c4d-0000-4000-8000-000000000001@oots.eu</eb:MessageId>
    </eb:MessageInfo>
    <eb:PartyInfo>
      <eb:From>
<eb:PartyId type="urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots">AP_FR_01</eb:PartyId>
<eb:Role>http://sdg.europa.eu/edelivery/gateway</eb:Role>
    </eb:From>
      <eb:To>
<eb:PartyId type="urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots">AP_DE_01</eb:PartyId>
<eb:Role>http://sdg.europa.eu/edelivery/gateway</eb:Role>
    </eb:To>
    </eb:PartyInfo>
    <eb:CollaborationInfo>
      <eb:Service type="urn:oasis:names:tc:ebcore:ebrs:ebms:binding:1.0">QueryManager</eb:Service>
      <eb:Action>ExecuteQueryRequest</eb:Action>
      <eb:ConversationId>e0a6a5b7-6b2e-4b9c-9a63-8f0c6d3a1b24</eb:ConversationId>
    </eb:CollaborationInfo>
    <eb:MessageProperties>
      <eb:Property name="originalSender" type="urn:cef.eu:names:identifier:EAS:0009">00000000000002</eb:Property>
      <eb:Property name="finalRecipient" type="urn:cef.eu:names:identifier:EAS:9930">DE73524311</eb:Property>
      <eb:Property name="ExchangeId">1a2b3c4d-0000-4000-8000-000000000002</eb:Property>
      <eb:Property name="SpecificationId">oots-edm:v2.0</eb:Property>
    </eb:MessageProperties>
    <eb:PayloadInfo>
      <eb:PartInfo href="cid:1a2b3c4d-0000-4000-8000-000000000000@oots.eu">
        <eb:PartProperties>
          <eb:Property name="MimeType">application/x-ebrs+xml</eb:Property>
        </eb:PartProperties>
      </eb:PartInfo>
    </eb:PayloadInfo>
  </eb:UserMessage>
</eb:Messaging>"#;

    fn shared_fixture(rel: &str) -> Option<String> {
        // `$OOTS_SHARED`, else `shared/` next to the repository.
        let shared = std::env::var_os("OOTS_SHARED")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| {
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared")
            });
        let path = shared.join("oots-spec/oots-france/spec/fixtures").join(rel);
        std::fs::read_to_string(path).ok()
    }

    #[test]
    fn reads_the_french_reference_header() {
        let um = from_xml(FR_REQUEST).unwrap();
        assert_eq!(
            um.message_id,
            "1a2b3c4d-0000-4000-8000-000000000001@oots.eu"
        );
        assert_eq!(um.timestamp, "2026-08-06T10:00:00.000Z");
        assert_eq!(um.mpc, None);
        assert_eq!(um.from.party_id, "AP_FR_01");
        assert_eq!(um.to.party_id, "AP_DE_01");
        assert_eq!(um.to.role, OOTS_ROLE);
        assert_eq!(um.service, Service::oots());
        assert_eq!(um.action, ACTION_EXECUTE_QUERY_REQUEST);
        assert_eq!(um.conversation_id, "e0a6a5b7-6b2e-4b9c-9a63-8f0c6d3a1b24");
        assert_eq!(
            um.original_sender(),
            Some(&Property::typed(
                PROP_ORIGINAL_SENDER,
                "00000000000002",
                "urn:cef.eu:names:identifier:EAS:0009"
            ))
        );
        assert_eq!(
            um.final_recipient().map(|p| p.value.as_str()),
            Some("DE73524311")
        );
        assert_eq!(
            um.exchange_id(),
            Some("1a2b3c4d-0000-4000-8000-000000000002")
        );
        assert_eq!(um.specification_id(), Some("oots-edm:v2.0"));
        assert_eq!(um.parts.len(), 1);
        assert_eq!(
            um.parts[0].content_id(),
            "1a2b3c4d-0000-4000-8000-000000000000@oots.eu"
        );
        assert_eq!(um.parts[0].mime_type(), Some(MIME_EBRS));
    }

    #[test]
    fn reads_reprefixed_header_with_mixed_prefixes() {
        // Real fixture: ns5 on most elements, eb on some, in the same document.
        let Some(text) = shared_fixture("incoming/erreurAutorisationRequise.xml") else {
            oots_testskip::skip(
                "OOTS_SHARED",
                "shared fixtures not found next to the repository",
            );
            return;
        };
        let um = from_xml(&text).unwrap();
        assert_eq!(um.from.party_id, "AP_SI_01");
        assert_eq!(
            um.to.party_id_type.as_deref(),
            Some("urn:oasis:names:tc:ebcore:partyid-type:unregistered")
        );
        assert_eq!(um.action, ACTION_EXCEPTION_RESPONSE);
        assert_eq!(um.parts[0].properties.len(), 2);
    }

    #[test]
    fn write_then_read_is_identity() {
        let mut um = from_xml(FR_REQUEST).unwrap();
        um.mpc = Some(DEFAULT_MPC.to_string());
        um.ref_to_message_id = Some("x&y<z>@oots.eu".to_string());
        um.properties.push(Property::new("weird\"name", "a<b>&c"));
        let written = um.to_xml();
        assert!(written.starts_with("<eb:Messaging xmlns:eb=\""));
        assert_eq!(from_xml(&written).unwrap(), um);
        let reprefixed = um.to_xml_with_prefix("ns5", "xmlns:ns4=\"http://eu.domibus.wsplugin/\"");
        assert!(reprefixed.starts_with("<ns5:Messaging"));
        assert_eq!(from_xml(&reprefixed).unwrap(), um);
    }

    #[test]
    fn answer_header_swaps_corners_and_copies_exchange() {
        let req = from_xml(FR_REQUEST).unwrap();
        let parts = vec![PartInfo::new("r@oots.example", MIME_EBRS)];
        let ans = req.answer_header(
            ACTION_EXECUTE_QUERY_RESPONSE,
            "ans-1@oots.example".to_string(),
            "2026-08-06T10:00:01.000Z".to_string(),
            parts.clone(),
        );
        assert_eq!(ans.from, req.to);
        assert_eq!(ans.to, req.from);
        assert_eq!(ans.service, req.service);
        assert_eq!(ans.action, ACTION_EXECUTE_QUERY_RESPONSE);
        assert_eq!(ans.conversation_id, req.conversation_id);
        assert_eq!(
            ans.ref_to_message_id.as_deref(),
            Some(req.message_id.as_str())
        );
        assert_eq!(ans.message_id, "ans-1@oots.example");
        assert_eq!(ans.parts, parts);
        assert_eq!(ans.properties.len(), 4);
        let os = ans.original_sender().unwrap();
        assert_eq!(os.value, "DE73524311");
        assert_eq!(
            os.property_type.as_deref(),
            Some("urn:cef.eu:names:identifier:EAS:9930")
        );
        let fr = ans.final_recipient().unwrap();
        assert_eq!(fr.value, "00000000000002");
        assert_eq!(
            fr.property_type.as_deref(),
            Some("urn:cef.eu:names:identifier:EAS:0009")
        );
        assert_eq!(ans.exchange_id(), req.exchange_id());
        assert_eq!(ans.specification_id(), Some("oots-edm:v2.0"));
    }

    #[test]
    fn answer_header_for_1x_has_exactly_two_properties() {
        let mut req = from_xml(FR_REQUEST).unwrap();
        req.properties
            .retain(|p| p.name == PROP_ORIGINAL_SENDER || p.name == PROP_FINAL_RECIPIENT);
        let ans = req.answer_header(ACTION_EXCEPTION_RESPONSE, "a".into(), "t".into(), vec![]);
        let names: Vec<_> = ans.properties.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, [PROP_ORIGINAL_SENDER, PROP_FINAL_RECIPIENT]);
        assert_eq!(ans.exchange_id(), None);
    }

    #[test]
    fn missing_mandatory_parts_are_named() {
        let no_action = FR_REQUEST.replace("<eb:Action>ExecuteQueryRequest</eb:Action>", "");
        let err = from_xml(&no_action).unwrap_err();
        assert!(matches!(err, EbmsError::Missing("eb:Action")), "{err}");
        assert_eq!(err.code(), "ebms.missing");
        let wrong_ns = FR_REQUEST.replace("ebms/v3.0/ns/core/200704/", "other/");
        assert!(matches!(
            from_xml(&wrong_ns),
            Err(EbmsError::Missing("eb:Messaging"))
        ));
    }

    #[test]
    fn submitted_header_may_omit_message_info() {
        let start = FR_REQUEST.find("<eb:MessageInfo>").unwrap();
        let end = FR_REQUEST.find("</eb:MessageInfo>").unwrap() + "</eb:MessageInfo>".len();
        let without = format!("{}{}", &FR_REQUEST[..start], &FR_REQUEST[end..]);
        assert!(matches!(
            from_xml(&without),
            Err(EbmsError::Missing("eb:MessageInfo"))
        ));
        let doc = roxmltree::Document::parse(&without).unwrap();
        let um = parse_submitted_messaging(doc.root_element(), || ("gen@ap".into(), "now".into()))
            .unwrap();
        assert_eq!(
            (um.message_id.as_str(), um.timestamp.as_str()),
            ("gen@ap", "now")
        );
        // A given id is kept.
        let doc = roxmltree::Document::parse(FR_REQUEST).unwrap();
        let um = parse_submitted_messaging(doc.root_element(), || ("gen@ap".into(), "now".into()))
            .unwrap();
        assert_eq!(
            um.message_id,
            "1a2b3c4d-0000-4000-8000-000000000001@oots.eu"
        );
    }

    #[test]
    fn strip_cid_is_case_insensitive() {
        assert_eq!(strip_cid("cid:a@b"), "a@b");
        assert_eq!(strip_cid("CID:a@b"), "a@b");
        assert_eq!(strip_cid("a@b"), "a@b");
        assert_eq!(strip_cid("ci"), "ci");
    }
}
