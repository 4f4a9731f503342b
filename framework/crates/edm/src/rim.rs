//! RegRep `rim:Slot` reading and writing (the slot pattern shared by all EDM messages).

use roxmltree::Node;

use crate::model::LocalizedText;
use crate::xml::{self, NS_RIM, NS_XML, XmlWriter};

/// `collectionType` of every OOTS collection slot value.
pub(crate) const COLLECTION_SET: &str = "urn:oasis:names:tc:ebxml-regrep:CollectionType:Set";

/// A `rim:Slot` as found in a document.
#[derive(Clone, Copy)]
pub(crate) struct Slot<'a, 'i> {
    pub node: Node<'a, 'i>,
    /// `@name` (trimmed); empty when absent.
    pub name: &'a str,
}

impl<'a, 'i> Slot<'a, 'i> {
    /// All `rim:SlotValue` children (R-EDM-REQ-S050 wants exactly one).
    pub(crate) fn values(&self) -> Vec<Node<'a, 'i>> {
        xml::children(self.node, NS_RIM, "SlotValue").collect()
    }

    /// The first `rim:SlotValue`.
    pub(crate) fn value(&self) -> Option<Node<'a, 'i>> {
        xml::child(self.node, NS_RIM, "SlotValue")
    }
}

/// The `rim:Slot` children of `parent`, in document order.
pub(crate) fn slots<'a, 'i>(parent: Node<'a, 'i>) -> Vec<Slot<'a, 'i>> {
    xml::children(parent, NS_RIM, "Slot")
        .map(|node| Slot {
            node,
            name: node.attribute("name").map(str::trim).unwrap_or(""),
        })
        .collect()
}

/// The first slot named `name`.
pub(crate) fn find_slot<'a, 'i>(parent: Node<'a, 'i>, name: &str) -> Option<Slot<'a, 'i>> {
    slots(parent).into_iter().find(|s| s.name == name)
}

/// `rim:Value` text of a simple slot value (String/DateTime/Boolean types).
pub(crate) fn simple_value(slot_value: Node<'_, '_>) -> Option<String> {
    xml::child_text(slot_value, NS_RIM, "Value")
}

/// `rim:Value/rim:LocalizedString` entries of an `InternationalStringValueType`.
pub(crate) fn intl_values(slot_value: Node<'_, '_>) -> Vec<LocalizedText> {
    xml::children(slot_value, NS_RIM, "Value")
        .flat_map(|v| xml::children(v, NS_RIM, "LocalizedString"))
        .map(|ls| LocalizedText {
            lang: ls
                .attribute((NS_XML, "lang"))
                .unwrap_or("")
                .trim()
                .to_string(),
            text: ls.attribute("value").unwrap_or("").to_string(),
        })
        .collect()
}

/// The single element carried by an `AnyValueType` slot value.
pub(crate) fn any_content<'a, 'i>(slot_value: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
    xml::elements(slot_value).next()
}

/// The `rim:Element` children of a `CollectionValueType` slot value.
pub(crate) fn collection_elements<'a, 'i>(slot_value: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
    xml::children(slot_value, NS_RIM, "Element").collect()
}

/// Content elements of a slot value that may be a collection (usual) or a bare `AnyValue`
/// (seen in lenient peers): used when reading responses.
pub(crate) fn agents_or_any<'a, 'i>(slot_value: Node<'a, 'i>) -> Vec<Node<'a, 'i>> {
    let elements = collection_elements(slot_value);
    if elements.is_empty() {
        any_content(slot_value).into_iter().collect()
    } else {
        elements
            .into_iter()
            .filter_map(|e| xml::elements(e).next())
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Writers.
// ---------------------------------------------------------------------------------------

fn simple(w: &mut XmlWriter, name: &str, value_type: &str, value: &str) {
    w.open("rim:Slot", &[("name", name)]);
    w.open("rim:SlotValue", &[("xsi:type", value_type)]);
    w.leaf("rim:Value", &[], value);
    w.close("rim:SlotValue");
    w.close("rim:Slot");
}

/// `rim:StringValueType` slot.
pub(crate) fn write_string(w: &mut XmlWriter, name: &str, value: &str) {
    simple(w, name, "rim:StringValueType", value);
}

/// `rim:DateTimeValueType` slot.
pub(crate) fn write_datetime(w: &mut XmlWriter, name: &str, value: &str) {
    simple(w, name, "rim:DateTimeValueType", value);
}

/// `rim:BooleanValueType` slot (`true`/`false`).
pub(crate) fn write_boolean(w: &mut XmlWriter, name: &str, value: bool) {
    simple(
        w,
        name,
        "rim:BooleanValueType",
        if value { "true" } else { "false" },
    );
}

/// `rim:InternationalStringValueType` slot.
pub(crate) fn write_intl(w: &mut XmlWriter, name: &str, values: &[LocalizedText]) {
    w.open("rim:Slot", &[("name", name)]);
    w.open(
        "rim:SlotValue",
        &[("xsi:type", "rim:InternationalStringValueType")],
    );
    w.open("rim:Value", &[]);
    for v in values {
        w.empty(
            "rim:LocalizedString",
            &[("xml:lang", &v.lang), ("value", &v.text)],
        );
    }
    w.close("rim:Value");
    w.close("rim:SlotValue");
    w.close("rim:Slot");
}

/// `rim:AnyValueType` slot whose single element is written by `content`.
pub(crate) fn write_any(w: &mut XmlWriter, name: &str, content: impl FnOnce(&mut XmlWriter)) {
    w.open("rim:Slot", &[("name", name)]);
    w.open("rim:SlotValue", &[("xsi:type", "rim:AnyValueType")]);
    content(w);
    w.close("rim:SlotValue");
    w.close("rim:Slot");
}

/// `rim:CollectionValueType` (Set) slot: one `rim:Element xsi:type="rim:AnyValueType"` per item.
pub(crate) fn write_collection<T>(
    w: &mut XmlWriter,
    name: &str,
    items: &[T],
    mut content: impl FnMut(&mut XmlWriter, &T),
) {
    w.open("rim:Slot", &[("name", name)]);
    w.open(
        "rim:SlotValue",
        &[
            ("xsi:type", "rim:CollectionValueType"),
            ("collectionType", COLLECTION_SET),
        ],
    );
    for item in items {
        w.open("rim:Element", &[("xsi:type", "rim:AnyValueType")]);
        content(w, item);
        w.close("rim:Element");
    }
    w.close("rim:SlotValue");
    w.close("rim:Slot");
}
