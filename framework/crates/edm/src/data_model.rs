//! The spelling of a Semantic Repository data-model URI in each EDM version's answers
//! (R-EDM-RESP-C022): 1.x `https://sr.oots.tech.europa.eu/distributions/[DataModelScheme]`,
//! 2.0 `https://sr.oots.tech.ec.europa.eu/datamodels/[DataModelScheme]`
//! (docs/spec-notes/tdd-2.0.1-provider.md section 5). A request or a mapping may name the
//! model in the other version's spelling (mappings compare both as one model); the
//! answer names it as its own version requires.

use std::borrow::Cow;

use crate::EdmVersion;

/// The 1.x prefix (R-EDM-RESP-C022 in the 2023 Schematron).
pub const V1_DATA_MODEL_PREFIX: &str = "https://sr.oots.tech.europa.eu/distributions/";
/// The 2.0 prefix.
pub const V2_DATA_MODEL_PREFIX: &str = "https://sr.oots.tech.ec.europa.eu/datamodels/";

/// `uri` in `version`'s spelling when it names a data model in the other version's
/// spelling (one path segment after the prefix); any other URI as given.
pub fn data_model_uri(version: EdmVersion, uri: &str) -> Cow<'_, str> {
    let (other, own) = if version.is_v2() {
        (V1_DATA_MODEL_PREFIX, V2_DATA_MODEL_PREFIX)
    } else {
        (V2_DATA_MODEL_PREFIX, V1_DATA_MODEL_PREFIX)
    };
    match uri.trim().strip_prefix(other) {
        Some(scheme) if !scheme.is_empty() && !scheme.contains(['/', '?', '#', ' ']) => {
            Cow::Owned(format!("{own}{scheme}"))
        }
        _ => Cow::Borrowed(uri),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const V1: &str = "https://sr.oots.tech.europa.eu/distributions/certificate-of-birth-1.0.0";
    const V2: &str = "https://sr.oots.tech.ec.europa.eu/datamodels/certificate-of-birth-1.0.0";

    #[test]
    fn each_version_names_the_model_its_own_way() {
        for version in [EdmVersion::V1_0, EdmVersion::V1_1, EdmVersion::V1_2] {
            assert_eq!(data_model_uri(version, V2), V1);
            assert_eq!(data_model_uri(version, V1), V1);
        }
        assert_eq!(data_model_uri(EdmVersion::V2_0, V1), V2);
        assert_eq!(data_model_uri(EdmVersion::V2_0, V2), V2);
    }

    #[test]
    fn anything_else_is_written_as_given() {
        for uri in [
            "https://example.org/model",
            "https://sr.oots.tech.ec.europa.eu/datamodels/",
            "https://sr.oots.tech.ec.europa.eu/datamodels/a/b",
            "https://sr.oots.tech.ec.europa.eu/datamodels/a?x=1",
            "https://sr.oots.tech.ec.europa.eu.evil.example/datamodels/a",
        ] {
            assert_eq!(data_model_uri(EdmVersion::V1_2, uri), uri);
        }
    }
}
