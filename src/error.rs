//! Typed errors of the library. Binaries turn them into messages with `anyhow` at the edge.
//!
//! Every error a user can cause names the file (and, for note contents, the line, column and
//! field) and says what to do about it, because the person reading it is usually in the middle
//! of a talk and has no time to investigate.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A problem inside one note file, located as precisely as the parser allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteError {
    pub path: PathBuf,
    /// 1-based line and column, when known.
    pub position: Option<(usize, usize)>,
    pub message: String,
    pub hint: Option<String>,
}

impl NoteError {
    pub fn new(path: &Path, message: impl Into<String>) -> Self {
        NoteError {
            path: path.to_owned(),
            position: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn at(mut self, position: Option<(usize, usize)>) -> Self {
        self.position = position;
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for NoteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some((line, column)) = self.position {
            write!(f, ":{line}:{column}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for NoteError {}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Note(#[from] NoteError),

    /// A note that cannot be used as it is; every problem found in it.
    #[error("{}", join_lines(.0))]
    InvalidNote(Vec<NoteError>),

    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },

    #[error("{what} `{id}` does not exist\n  hint: {hint}")]
    NotFound {
        what: &'static str,
        id: String,
        hint: String,
    },

    #[error("{what} `{id}` already exists at {}\n  hint: choose another id with --id, or edit it with `tn edit {id}`", path.display())]
    AlreadyExists {
        what: &'static str,
        id: String,
        path: PathBuf,
    },

    #[error("{} changed on disk since tn read it; nothing was written\n  hint: run the command again to apply it to the new version", path.display())]
    Conflict { path: PathBuf },

    #[error("{} contains comments, which tn cannot keep when it rewrites the file; nothing was written\n  hint: move the comments into `memo`, or make this change by hand with `tn edit`", path.display())]
    WouldDropComments { path: PathBuf },

    #[error(
        "no current talk\n  hint: create one with `tn new TITLE`, pick one with `tn current EVENT/TALK`, or pass --talk EVENT/TALK"
    )]
    NoCurrentTalk,

    #[error("{0}")]
    Invalid(String),

    /// The search index could not be read or written. It is derived data: rebuilding it
    /// (`tn reindex`) is always safe.
    #[error("{}: search index error: {message}\n  hint: run `tn reindex` to rebuild it from the notes", path.display())]
    Index { path: PathBuf, message: String },

    /// The embedded dictionary failed; a build problem, not a user one.
    #[error("Japanese text analysis failed: {0}")]
    Analysis(String),

    #[error("{} is not a talknotes knowledge base (it has no notes/ directory)\n  hint: create one with `tn init {}`", path.display(), path.display())]
    NotAKnowledgeBase { path: PathBuf },

    #[error("{}: the {editor} editor exited with {status}; the note was not changed", path.display())]
    Editor {
        editor: String,
        path: PathBuf,
        status: String,
    },
}

fn join_lines(errors: &[NoteError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl Error {
    pub fn io(path: &Path, source: io::Error) -> Self {
        Error::Io {
            path: path.to_owned(),
            source,
        }
    }
}

/// Attaches a path to I/O errors, so no I/O error ever reaches a user without one.
pub trait IoContext<T> {
    fn at_path(self, path: &Path) -> Result<T>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn at_path(self, path: &Path) -> Result<T> {
        self.map_err(|e| Error::io(path, e))
    }
}
