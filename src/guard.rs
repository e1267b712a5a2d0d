//! Turning a panic inside tantivy into an error.
//!
//! tantivy trusts its own files: a term dictionary garbled under a running process (a bad
//! copy, a sync tool) makes a search panic deep inside tantivy-fst instead of returning an
//! error. (A file truncated under a running process is beyond this: touching its lost pages
//! is a SIGBUS, not a panic.) The index is only a cache, so such a panic means "damaged, rebuild
//! it": [`index_call`] catches it and returns [`Error::Index`], which every caller already
//! answers with a rebuild. While a guarded call runs, the panic hook stays quiet on that
//! thread, so no panic message scribbles over the TUI or alarms a CLI user about a cache.

use std::any::Any;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Once;

use crate::error::{Error, Result};

thread_local! {
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

static QUIET_HOOK: Once = Once::new();

/// Name prefix of the index's search threads. Every search runs inside [`index_call`], and a
/// panic on one of these threads reaches its caller there.
pub const SEARCH_THREADS: &str = "tn-search-";

/// Whether a panic now would be caught by [`index_call`]: on this thread, or on a search
/// thread working for it (the TUI's panic hook then leaves the terminal alone).
pub fn is_guarded() -> bool {
    GUARDED.with(Cell::get)
        || std::thread::current()
            .name()
            .is_some_and(|name| name.starts_with(SEARCH_THREADS))
}

/// Runs `f`, which reads the index at `path`; a panic inside it is reported as damage.
pub fn index_call<T>(path: &Path, f: impl FnOnce() -> Result<T>) -> Result<T> {
    QUIET_HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !is_guarded() {
                previous(info);
            }
        }));
    });
    let was = GUARDED.with(|g| g.replace(true));
    // Unwind safety: on a panic the caller gets an error and rebuilds; nothing `f` touched
    // is used again but the index handle, whose readers are immutable.
    let outcome = panic::catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    outcome.unwrap_or_else(|payload| {
        Err(Error::Index {
            path: path.to_owned(),
            message: format!(
                "tantivy failed reading it: {}",
                panic_message(payload.as_ref())
            ),
        })
    })
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_index_error_and_the_guard_is_lifted() {
        let result: Result<()> = index_call(Path::new("index"), || panic!("bad fst"));
        match result {
            Err(Error::Index { message, .. }) => {
                assert_eq!(message, "tantivy failed reading it: bad fst")
            }
            other => panic!("{other:?}"),
        }
        assert!(!is_guarded());
        assert_eq!(index_call(Path::new("index"), || Ok(7)).unwrap(), 7);
    }
}
