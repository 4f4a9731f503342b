//! Which of a session's evidences the user ticked on the review page
//! (`evidence.several`): the follow-up releases all and only those (TDD 2.0.1 4.9 §3,
//! "all and only those pieces of evidence that the user decided to use"); none ticked is
//! a decline (4.9 §1).
//!
//! The ticks come from a browser and are not trusted: each must name an evidence this
//! session offers, once. Anything else (an id of another session, an invented one, a
//! duplicate) refuses the whole decision and changes nothing.

/// The user's decision over the offered evidences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Release these evidence ids, in the order offered; never empty.
    Release(Vec<String>),
    /// Nothing ticked: declined.
    Declined,
}

/// Why a tick set is refused (never shown beyond "not valid").
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SelectionError {
    #[error("a ticked evidence is not one this session offers")]
    NotOffered,
    #[error("an evidence is ticked twice")]
    Duplicate,
}

impl SelectionError {
    /// A stable code for logs.
    pub fn code(&self) -> &'static str {
        match self {
            SelectionError::NotOffered => "PREVIEW_SELECTION_NOT_OFFERED",
            SelectionError::Duplicate => "PREVIEW_SELECTION_DUPLICATE",
        }
    }
}

impl Selection {
    /// The selection `ticked` makes among `offered` (evidence ids, as held).
    pub fn of(ticked: &[String], offered: &[&str]) -> Result<Self, SelectionError> {
        for (i, id) in ticked.iter().enumerate() {
            if !offered.contains(&id.as_str()) {
                return Err(SelectionError::NotOffered);
            }
            if ticked[..i].contains(id) {
                return Err(SelectionError::Duplicate);
            }
        }
        let chosen: Vec<String> = offered
            .iter()
            .filter(|o| ticked.iter().any(|t| t == *o))
            .map(|o| (*o).to_owned())
            .collect();
        Ok(if chosen.is_empty() {
            Selection::Declined
        } else {
            Selection::Release(chosen)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn only_offered_evidences_once_each() {
        let offered = ["a", "b", "c"];
        assert_eq!(
            Selection::of(&ids(&["c", "a"]), &offered),
            Ok(Selection::Release(ids(&["a", "c"])))
        );
        assert_eq!(Selection::of(&[], &offered), Ok(Selection::Declined));
        // Another session's id, an invented one, a duplicate: the whole decision fails.
        assert_eq!(
            Selection::of(&ids(&["a", "zz"]), &offered),
            Err(SelectionError::NotOffered)
        );
        assert_eq!(
            Selection::of(&ids(&["b", "b"]), &offered),
            Err(SelectionError::Duplicate)
        );
        assert_eq!(
            Selection::of(&ids(&[""]), &offered),
            Err(SelectionError::NotOffered)
        );
    }
}
