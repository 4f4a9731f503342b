//! mssql registry connector (work in progress).
