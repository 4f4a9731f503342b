//! EDM specification versions (`SpecificationIdentifier` / ebMS `SpecificationId`).

use serde::Serialize;

/// An EDM line the adapter can read and write; answers go out in the request's version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum EdmVersion {
    /// `oots-edm:v1.0` (TDD 1.0.x; also what real 2025 traffic still carries).
    V1_0,
    /// `oots-edm:v1.1`.
    V1_1,
    /// `oots-edm:v1.2` (TDD 1.2.x).
    V1_2,
    /// `oots-edm:v2.0` (TDD 2.0.x: packaged responses, `ReturnLocation`, no `xml:lang`).
    V2_0,
}

impl EdmVersion {
    /// Every known version, oldest first.
    pub const ALL: [EdmVersion; 4] = [Self::V1_0, Self::V1_1, Self::V1_2, Self::V2_0];

    /// The literal carried in the `SpecificationIdentifier` slot.
    pub fn spec_id(self) -> &'static str {
        match self {
            Self::V1_0 => "oots-edm:v1.0",
            Self::V1_1 => "oots-edm:v1.1",
            Self::V1_2 => "oots-edm:v1.2",
            Self::V2_0 => "oots-edm:v2.0",
        }
    }

    /// Parses the slot literal (surrounding whitespace ignored; the rule is a literal equality).
    pub fn from_spec_id(value: &str) -> Option<Self> {
        let value = value.trim();
        Self::ALL.into_iter().find(|v| v.spec_id() == value)
    }

    /// True for the 2.0 line, whose message shapes differ from 1.x in several places.
    pub fn is_v2(self) -> bool {
        matches!(self, Self::V2_0)
    }
}

impl std::fmt::Display for EdmVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.spec_id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_ids_round_trip() {
        for v in EdmVersion::ALL {
            assert_eq!(EdmVersion::from_spec_id(v.spec_id()), Some(v));
        }
        assert_eq!(
            EdmVersion::from_spec_id(" oots-edm:v2.0\n"),
            Some(EdmVersion::V2_0)
        );
        assert_eq!(EdmVersion::from_spec_id("oots-edm:v3.0"), None);
        assert!(EdmVersion::V2_0.is_v2());
        assert!(!EdmVersion::V1_2.is_v2());
    }
}
