//! rest registry connector (work in progress).
