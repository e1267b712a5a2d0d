//! Who is writing: the name a capture records in `by`.
//!
//! A team shares one knowledge base in git (see `crate::sync`), so each takeaway, tool and link
//! can say who wrote it. The name comes from `TALKNOTES_AUTHOR`, else from git's `user.name`
//! as git sees it from the knowledge base (so a per-repository identity wins over the global
//! one), else nothing is recorded. The library never reads the environment on its own: the
//! command line opts in with [`Author::from_environment`], and the lookup then happens at most
//! once per process, and only when something is captured, so `tn search` never starts git.

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The environment variable that names the author; set but empty, no author is recorded.
pub const ENV: &str = "TALKNOTES_AUTHOR";

/// A name is a label, not a document: longer ones are cut (at a character boundary).
pub const MAX_CHARS: usize = 100;

/// How long `git config` may take before tn gives up on it and records no author.
const GIT_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Default)]
enum Source {
    /// Record no author (the library default, and tests).
    #[default]
    Nobody,
    Named(String),
    /// `TALKNOTES_AUTHOR`, else git's `user.name`, looked up on first use.
    Environment,
}

/// Who captures write as; cheap to clone, resolved once and shared by the clones.
#[derive(Debug, Clone, Default)]
pub struct Author {
    source: Source,
    resolved: Arc<OnceLock<Option<String>>>,
}

impl Author {
    /// Records no author.
    pub fn nobody() -> Author {
        Author::default()
    }

    /// Always this name (cleaned like any other: see [`clean`]).
    pub fn named(name: &str) -> Author {
        match clean(name) {
            Some(name) => Author {
                source: Source::Named(name),
                resolved: Arc::default(),
            },
            None => Author::nobody(),
        }
    }

    /// `TALKNOTES_AUTHOR`, else `git config user.name` run in the knowledge base, else nobody.
    pub fn from_environment() -> Author {
        Author {
            source: Source::Environment,
            resolved: Arc::default(),
        }
    }

    /// The name to record for a capture in the knowledge base at `root`.
    pub fn name(&self, root: &Path) -> Option<&str> {
        match &self.source {
            Source::Nobody => None,
            Source::Named(name) => Some(name),
            Source::Environment => self
                .resolved
                .get_or_init(|| from_environment(root))
                .as_deref(),
        }
    }
}

fn from_environment(root: &Path) -> Option<String> {
    if let Some(value) = std::env::var_os(ENV) {
        return clean(&value.to_string_lossy());
    }
    crate::git::Git::new(root)
        .config_value("user.name", GIT_TIMEOUT)
        .ok()
        .flatten()
        .and_then(|name| clean(&name))
}

/// A name as it may be stored: one line without control characters, trimmed, at most
/// [`MAX_CHARS`] characters; `None` when nothing is left.
pub fn clean(raw: &str) -> Option<String> {
    let one_line: String = raw
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    if trimmed.is_empty() {
        return None;
    }
    Some(
        trimmed
            .chars()
            .take(MAX_CHARS)
            .collect::<String>()
            .trim_end()
            .to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_one_trimmed_bounded_line() {
        assert_eq!(clean("  Ada Lovelace \n").as_deref(), Some("Ada Lovelace"));
        assert_eq!(clean("a\u{1b}[31mb").as_deref(), Some("a [31mb"));
        assert_eq!(clean(" \t\n"), None);
        assert_eq!(clean(&"名".repeat(500)).unwrap().chars().count(), MAX_CHARS);
    }

    #[test]
    fn the_library_records_nobody_unless_told() {
        let root = Path::new("/nonexistent");
        assert_eq!(Author::default().name(root), None);
        assert_eq!(Author::named(" Bob ").name(root), Some("Bob"));
        assert_eq!(Author::named("\n").name(root), None);
    }
}
