//! Typed errors of the library. Binaries turn them into messages with `anyhow` at the edge.
//!
//! Every error a user can cause names the file (and, for note contents, the line, column and
//! field) and says what to do about it, because the person reading it is usually in the middle
//! of a talk and has no time to investigate. What to do is the error's [`Error::hint`], kept
//! out of its `Display` text: each front end puts it where it belongs (the CLI on a `hint:`
//! line of its own, the TUI after the message on the status line).

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What [`Error::NotANote`] says was found for a symbolic link.
pub const SYMLINK: &str = "a symbolic link";

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
        write!(f, ": {}", self.message)
    }
}

impl NoteError {
    /// The problem, and its hint on a line of its own: how `tn check` and `tn edit` list
    /// problems one after another.
    pub fn with_hint_line(&self) -> String {
        match &self.hint {
            Some(hint) => format!("{self}\n  hint: {hint}"),
            None => self.to_string(),
        }
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

    /// Notes a whole-set operation must include could not be read, so it stopped before
    /// writing anything: `doing` says what ("cannot export kubecon-eu-2020"), `problems` each
    /// note that could not be read, `hint` how to go on (fix them, or leave them out on
    /// purpose).
    #[error("{doing}: {}; nothing was written", unreadable_count(problems))]
    Unreadable {
        doing: String,
        problems: Vec<NoteError>,
        hint: String,
    },

    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },

    #[error("{what} `{id}` does not exist")]
    NotFound {
        what: &'static str,
        id: String,
        hint: String,
    },

    #[error("{what} `{id}` already exists at {}", path.display())]
    AlreadyExists {
        what: &'static str,
        id: String,
        path: PathBuf,
    },

    /// Someone else changed (or removed) the note while tn was saving it, and tn's change
    /// could not be carried over to their version. Their version stays; tn's is in `kept`
    /// when there is no other copy of it.
    #[error("{}", conflict_message(path, kept.as_deref(), reason.as_deref()))]
    Conflict {
        path: PathBuf,
        kept: Option<PathBuf>,
        /// Why the two could not be combined, when it is not simply that both changed.
        reason: Option<String>,
    },

    /// Two saves by others came while tn was saving (one in place of the note, one into the
    /// file tn had just put there): neither is dropped, and tn's own change is not written.
    #[error("{} was saved twice by others while tn was saving it: one save is in place, the other is kept at {}; tn's change was not written", path.display(), kept.display())]
    SavedTwice { path: PathBuf, kept: PathBuf },

    /// A directory on the way to the note was moved away or replaced (by a link) while tn
    /// was writing: what tn wrote there was taken back.
    #[error("{}: {} was moved or replaced while tn was saving, so nothing was written", path.display(), dir.display())]
    Moved { path: PathBuf, dir: PathBuf },

    /// The editor left something other than a readable draft (a link, a named pipe, a huge
    /// file): tn does not read it, so nothing of it can leak into a message.
    #[error("{}: {problem}, so tn did not read it and {} was not changed", path.display(), note.display())]
    Draft {
        path: PathBuf,
        note: PathBuf,
        problem: String,
    },

    #[error("{} contains comments, which tn cannot keep when it rewrites the file; nothing was written", path.display())]
    WouldDropComments { path: PathBuf },

    #[error("no current talk")]
    NoCurrentTalk,

    /// Something other than a regular file (or, for an event, a directory) sits where a note
    /// belongs: a symbolic link, a directory, a named pipe... tn neither reads nor writes
    /// through it, so a link can never lead outside the knowledge base.
    #[error("{}: {}", path.display(), unusable_message(expected, found))]
    NotANote {
        path: PathBuf,
        expected: &'static str,
        found: &'static str,
    },

    /// Something other than a regular file where tn keeps a file of its own (a lock, the
    /// current-talk pointer, a file of the search index) or where the environment points: tn
    /// does not open it, since a named pipe would block forever and a device could be read
    /// without end (see [`crate::regular_file`]).
    #[error("{}: expected a regular file but found {found}; tn does not open it", path.display())]
    NotAFile {
        path: PathBuf,
        found: &'static str,
        hint: String,
    },

    /// A note file beyond [`crate::store::MAX_NOTE_BYTES`]: reading it could exhaust memory
    /// and stall every search, so it is skipped (when read) or refused (when written).
    #[error("{}: {}", path.display(), too_large_message(*size, *limit, *writing))]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
        writing: bool,
    },

    /// A file could not be written (disk full, read-only directory, ...). Writes are atomic,
    /// so the file on disk is exactly as it was. `during` names the file that failed when it
    /// is not the one being saved (the writer lock).
    #[error("{}: cannot save{}: {source}; nothing was written", path.display(), during.as_ref().map(|d| format!(" ({})", d.display())).unwrap_or_default())]
    Save {
        path: PathBuf,
        during: Option<PathBuf>,
        source: io::Error,
    },

    /// A talk was created, but the pointer to the current talk could not be updated.
    #[error("created {id}, but could not make it the current talk: {source}")]
    NotCurrent { id: String, source: Box<Error> },

    #[error("{0}")]
    Invalid(String),

    /// Input tn cannot use as given (a file to import, a missing choice, a value), with what
    /// to do about it.
    #[error("{message}")]
    Input { message: String, hint: String },

    /// The search index could not be read or written. It is derived data: rebuilding it
    /// (`tn reindex`) is always safe.
    #[error("{}: search index error: {message}", path.display())]
    Index { path: PathBuf, message: String },

    /// The embedded dictionary failed; a build problem, not a user one.
    #[error("Japanese text analysis failed: {0}")]
    Analysis(String),

    #[error("{} is not a talknotes knowledge base (it has no notes/ directory)", path.display())]
    NotAKnowledgeBase { path: PathBuf },

    #[error("{}: the {editor} editor exited with {status}; the note was not changed", path.display())]
    Editor {
        editor: String,
        path: PathBuf,
        status: String,
    },
}

/// Each problem on its own line; their hints are theirs to place (see [`Error::hints`]).
fn join_lines(errors: &[NoteError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn unreadable_count(problems: &[NoteError]) -> String {
    match problems.len() {
        1 => "1 note cannot be read".into(),
        n => format!("{n} notes cannot be read"),
    }
}

fn conflict_message(path: &Path, kept: Option<&Path>, reason: Option<&str>) -> String {
    let mut message = format!(
        "{} changed on disk while tn was saving it; the other version was left as it is",
        path.display()
    );
    if let Some(reason) = reason {
        message.push_str(&format!(" ({reason})"));
    }
    match kept {
        Some(kept) => {
            message.push_str(&format!(", and tn's version is kept at {}", kept.display()))
        }
        None => message.push_str(" and nothing was written"),
    }
    message
}

fn unusable_message(expected: &str, found: &str) -> String {
    if found == SYMLINK {
        "is a symbolic link; tn does not follow links inside notes/".into()
    } else {
        format!("expected {expected} but found {found}; tn leaves it alone")
    }
}

fn unusable_hint(expected: &str, found: &str) -> String {
    if found == SYMLINK {
        "replace the link with the file itself".into()
    } else {
        format!("move it elsewhere: only {expected} belongs at this place")
    }
}

fn too_large_message(size: u64, limit: u64, writing: bool) -> String {
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    if writing {
        format!(
            "the note would be {:.1} MiB, more than the {:.0} MiB a note may hold; nothing was written",
            mib(size),
            mib(limit)
        )
    } else {
        format!(
            "the file is {:.1} MiB, more than the {:.0} MiB a note may hold; tn does not read it",
            mib(size),
            mib(limit)
        )
    }
}

fn too_large_hint(writing: bool) -> &'static str {
    if writing {
        "keep long material (transcripts, logs) in a separate file and add it as a link"
    } else {
        "move the file out of notes/, or split it; long material belongs in a linked file"
    }
}

fn save_hint(source: &io::Error) -> &'static str {
    use io::ErrorKind as K;
    match source.kind() {
        K::StorageFull | K::FileTooLarge | K::QuotaExceeded => {
            "the disk is full or a file-size limit was reached: free some space and run the command again"
        }
        K::PermissionDenied | K::ReadOnlyFilesystem => {
            "the directory is not writable (a read-only knowledge base?): check its permissions, or work on a writable copy"
        }
        _ => "check that the directory exists and is writable, then run the command again",
    }
}

impl Error {
    pub fn io(path: &Path, source: io::Error) -> Self {
        Error::Io {
            path: path.to_owned(),
            source,
        }
    }

    /// An [`Error::Input`].
    pub fn input(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Input {
            message: message.into(),
            hint: hint.into(),
        }
    }

    /// What to do about the error, when there is something to say. An invalid note has a hint
    /// per problem instead (see [`Error::hints`]).
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            Error::Note(e) => return e.hint.clone(),
            Error::NotFound { hint, .. }
            | Error::Input { hint, .. }
            | Error::Unreadable { hint, .. } => hint.clone(),
            // An event's id is what `tn event new` takes first; a talk's, `tn new --id`.
            Error::AlreadyExists { what: "event", id, .. } => format!(
                "give the new event another id (`tn event new OTHER-ID --name …`), or change this one with `tn edit {id}`"
            ),
            Error::AlreadyExists { id, .. } => {
                format!("give the new talk another id with --id, or change this one with `tn edit {id}`")
            }
            Error::Conflict {
                path,
                kept: Some(kept),
                ..
            }
            | Error::SavedTwice { path, kept } => format!(
                "compare the two and merge by hand (e.g. `diff {} {}`), then run the command again if needed",
                path.display(),
                kept.display()
            ),
            Error::Conflict { kept: None, .. } => {
                "run the command again to apply it to the new version".into()
            }
            Error::Moved { .. } => "see what replaced it; tn writes only into the knowledge base's own directories, never through a link".into(),
            Error::Draft { .. } => "save the draft as an ordinary file, then run `tn edit` again".into(),
            Error::NotAFile { hint, .. } => hint.clone(),
            Error::WouldDropComments { .. } => {
                "move the comments into `memo`, or make this change by hand with `tn edit`".into()
            }
            Error::NoCurrentTalk => "create one with `tn new TITLE`, pick one with `tn current EVENT/TALK`, or pass --talk EVENT/TALK".into(),
            Error::NotANote {
                expected, found, ..
            } => unusable_hint(expected, found),
            Error::TooLarge { writing, .. } => too_large_hint(*writing).into(),
            Error::Save { source, .. } => save_hint(source).into(),
            Error::NotCurrent { source, .. } => return source.hint(),
            Error::Index { .. } => "run `tn reindex` to rebuild it from the notes".into(),
            Error::NotAKnowledgeBase { path } => {
                format!("create one with `tn init {}`", path.display())
            }
            Error::InvalidNote(_)
            | Error::Io { .. }
            | Error::Invalid(_)
            | Error::Analysis(_)
            | Error::Editor { .. } => return None,
        })
    }

    /// The error as a front end lists it: each line of the message with the hint that goes
    /// with it. One line for most errors; one per problem for an invalid note; for notes that
    /// could not be read, what stopped and what to do, then each problem with its own hint.
    pub fn hints(&self) -> Vec<(String, Option<String>)> {
        let each = |problems: &[NoteError]| {
            problems
                .iter()
                .map(|p| (p.to_string(), p.hint.clone()))
                .collect::<Vec<_>>()
        };
        match self {
            Error::InvalidNote(problems) => each(problems),
            Error::Unreadable { problems, .. } => {
                let mut lines = vec![(self.to_string(), self.hint())];
                lines.extend(each(problems));
                lines
            }
            other => vec![(other.to_string(), other.hint())],
        }
    }

    /// The error as a problem of one note, for commands that report a bad note and go on.
    pub fn to_note_error(&self, path: &Path) -> NoteError {
        match self {
            Error::Note(e) => e.clone(),
            Error::Io { path, source } => NoteError::new(path, source.to_string()),
            Error::NotANote {
                path,
                expected,
                found,
            } => NoteError::new(path, unusable_message(expected, found))
                .hint(unusable_hint(expected, found)),
            Error::TooLarge {
                path,
                size,
                limit,
                writing,
            } => NoteError::new(path, too_large_message(*size, *limit, *writing))
                .hint(too_large_hint(*writing)),
            other => {
                let problem = NoteError::new(path, other.to_string());
                match other.hint() {
                    Some(hint) => problem.hint(hint),
                    None => problem,
                }
            }
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
