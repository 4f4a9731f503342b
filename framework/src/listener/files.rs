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

/// The open-file limit after raising the soft limit to the hard one.
#[cfg(unix)]
fn open_files_allowed() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given, which lives on this stack.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return None;
    }
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit only reads the struct it is given.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit.rlim_cur = limit.rlim_max;
        }
    }
    #[allow(clippy::unnecessary_cast)]
    Some(limit.rlim_cur as u64)
}

#[cfg(not(unix))]
fn open_files_allowed() -> Option<u64> {
    None
}
