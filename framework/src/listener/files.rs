//! How many connections the process can hold: each is an open file, and once the
//! process's file limit is reached `accept` fails for everyone, `/healthz` included. The
//! soft limit is raised to the hard one (as Go programs do), and the connection cap kept
//! below it with a reserve for the store, registries and outgoing calls.

/// Files kept for everything but inbound connections.
const RESERVE: u64 = 128;

/// `wanted`, or fewer when the process may not open that many files.
pub fn connections(wanted: usize) -> usize {
    match open_files_allowed() {
        Some(allowed) => {
            let fit = usize::try_from(allowed.saturating_sub(RESERVE).max(16)).unwrap_or(wanted);
            if fit < wanted {
                tracing::warn!(
                    wanted,
                    allowed = fit,
                    "http.limits.max_connections lowered to what the open-file limit allows"
                );
            }
            wanted.min(fit)
        }
        None => wanted,
    }
}

/// The open-file limit after raising the soft limit to the hard one (`None` in rustix's
/// answer is "unlimited").
#[cfg(unix)]
fn open_files_allowed() -> Option<u64> {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current.is_some() && limit.current != limit.maximum {
        let raised = rustix::process::Rlimit {
            current: limit.maximum,
            maximum: limit.maximum,
        };
        if setrlimit(Resource::Nofile, raised).is_ok() {
            limit.current = limit.maximum;
        }
    }
    Some(limit.current.unwrap_or(u64::MAX))
}

#[cfg(not(unix))]
fn open_files_allowed() -> Option<u64> {
    None
}
