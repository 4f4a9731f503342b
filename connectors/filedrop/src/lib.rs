//! filedrop registry connector (work in progress).
