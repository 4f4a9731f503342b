//! The associated documents produced with an evidence (2.0 annexes, human-readable
//! version, translations): held with it in a preview session and released with it.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

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
    #[serde(serialize_with = "to_base64", deserialize_with = "from_base64")]
    pub bytes: Vec<u8>,
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

fn to_base64<S: Serializer>(b: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&STANDARD.encode(b))
}

fn from_base64<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
    let text = String::deserialize(d)?;
    STANDARD
        .decode(text.as_bytes())
        .map_err(serde::de::Error::custom)
}
