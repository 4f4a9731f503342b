//! The associated documents produced with an evidence (2.0 annexes, human-readable
//! version, translations): held with it in a preview session and released with it.

use serde::{Deserialize, Serialize};

use crate::edm::AssociatedKind;

/// One produced associated document. Its bytes are the subject's data: `Debug` leaves
/// them out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducedAssociated {
    pub kind: AssociatedKind,
    /// Its `sdg:Identifier`.
    pub identifier: String,
    pub media_type: String,
    /// Its `sdg:Language` (a translation's).
    pub language: Option<String>,
    /// `xlink:title` of its repository item.
    pub title: String,
    #[serde(with = "super::held::base64_bytes")]
    pub bytes: Vec<u8>,
}

/// XML or JSON: a format for machines, not for the citizen's eyes.
pub fn is_structured(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    let essence = essence.to_ascii_lowercase();
    matches!(
        essence.as_str(),
        "application/xml" | "text/xml" | "application/json"
    ) || essence.ends_with("+xml")
        || essence.ends_with("+json")
}

impl std::fmt::Debug for ProducedAssociated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProducedAssociated")
            .field("kind", &self.kind)
            .field("media_type", &self.media_type)
            .field("language", &self.language)
            .field("bytes", &format_args!("<{} bytes>", self.bytes.len()))
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preview::held::Produced;

    #[test]
    fn a_session_stored_before_associated_documents_still_reads() {
        let old = r#"{"evidence_id":"e1","media_type":"application/pdf","bytes":"AAEC","issuing_date":null}"#;
        let produced: Produced = serde_json::from_str(old).unwrap();
        assert!(produced.associated.is_empty());
        assert_eq!(produced.bytes, [0, 1, 2]);
    }

    #[test]
    fn round_trips_and_keeps_the_bytes_out_of_debug() {
        let doc = ProducedAssociated {
            kind: AssociatedKind::Translation,
            identifier: "i".into(),
            media_type: "application/pdf".into(),
            language: Some("DE".into()),
            title: "Übersetzung".into(),
            bytes: b"Novak".to_vec(),
        };
        let json = serde_json::to_string(&doc).unwrap();
        assert_eq!(
            serde_json::from_str::<ProducedAssociated>(&json).unwrap(),
            doc
        );
        let debug = format!("{doc:?}");
        assert!(
            !debug.contains("Novak") && debug.contains("<5 bytes>"),
            "{debug}"
        );
    }
}
