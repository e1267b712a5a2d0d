//! Editing a note in `$VISUAL`/`$EDITOR`, kubectl-edit style.
//!
//! The editor works on a draft copy, never on the note itself. The draft is validated before it
//! replaces the note, and it replaces it only if the note did not change on disk meanwhile (a
//! `tn jot` from another terminal, say). When the draft cannot be saved it is kept and its path
//! printed, so an edit is never lost.
//!
//! The draft is the editor's to replace, so it is read back like a note from someone else:
//! only a regular file, never through a link, without blocking on a named pipe, and no larger
//! than a note may be; what else the editor left there is named, never read or shown.
//!
//! What the edit says ("no changes", "saved …", where a draft is kept) and the question after
//! an invalid edit go through a [`Conversation`]: `tn edit` prints to standard error and asks
//! on the terminal; the TUI collects it for its status line, so nothing is printed over its
//! screen or left in the shell after it quits.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::error::{Error, IoContext, NoteError, Result};
use crate::note::{Event, Talk};
use crate::store::codec;
use crate::store::{MAX_NOTE_BYTES, NoteKey, Store, dir};

/// The user's editor command: `$VISUAL`, else `$EDITOR`, else `vi`.
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .unwrap_or_else(|| "vi".to_owned())
}

/// How an edit talks to the person editing.
pub trait Conversation {
    /// News about the edit: "no changes", "saved …", where a draft is kept, a warning.
    fn say(&mut self, line: &str);
    /// The edited note is not valid (`problems`, one per message, hints included): open the
    /// editor on the draft again?
    fn reopen(&mut self, problems: &[String]) -> Result<bool>;
    /// Where the editor's standard error goes (the terminal by default).
    fn editor_stderr(&mut self) -> Stdio {
        Stdio::inherit()
    }
    /// The editor has exited (after each run, whatever the outcome).
    fn editor_done(&mut self) {}
}

/// `tn edit`'s conversation: news on standard error, the question on the terminal.
pub struct OnTerminal;

impl Conversation for OnTerminal {
    fn say(&mut self, line: &str) {
        eprintln!("{line}");
    }

    fn reopen(&mut self, problems: &[String]) -> Result<bool> {
        for problem in problems {
            eprintln!("{problem}");
        }
        ask_reopen()
    }
}

/// Opens the note in the editor and saves the result if it is valid and nothing changed meanwhile.
pub fn edit_note(store: &Store, key: &NoteKey) -> Result<()> {
    edit_note_with(store, key, &mut OnTerminal)
}

/// [`edit_note`], talking through `talk`.
pub fn edit_note_with(store: &Store, key: &NoteKey, talk: &mut dyn Conversation) -> Result<()> {
    // Through the store: never a link, a named pipe or an oversized file.
    let (path, original) = store.read_raw(key)?;
    let mut draft = tempfile::Builder::new()
        .prefix(&format!("tn-edit-{}-", key.file_stem()))
        .suffix(".ron")
        .tempfile()
        .at_path(&std::env::temp_dir())?;
    draft.write_all(&original).at_path(draft.path())?;
    draft.as_file().sync_all().at_path(draft.path())?;

    let edited = loop {
        let ran = run_editor(draft.path(), talk.editor_stderr());
        talk.editor_done();
        if let Err(e) = ran {
            if read_draft(draft.path(), &path).ok().as_deref() != Some(&original[..]) {
                let kept = keep(draft)?;
                talk.say(&format!("your draft is kept at {}", kept.display()));
            }
            return Err(e);
        }
        let edited = match read_draft(draft.path(), &path) {
            Ok(edited) => edited,
            Err(e) => {
                // A draft too large to save is still the user's work; anything else the
                // editor left is not.
                if std::fs::symlink_metadata(draft.path()).is_ok_and(|m| m.is_file()) {
                    let kept = keep(draft)?;
                    talk.say(&format!("your draft is kept at {}", kept.display()));
                }
                return Err(e);
            }
        };
        if edited == original {
            talk.say("no changes");
            return Ok(());
        }
        let errors = validate(key, &path, &edited);
        if errors.is_empty() {
            break edited;
        }
        let problems: Vec<String> = errors
            .iter()
            .map(|error| crate::display::escape(&error.with_hint_line(), true).into_owned())
            .collect();
        if !talk.reopen(&problems)? {
            let kept = keep(draft)?;
            return Err(Error::input(
                format!(
                    "the edited note is not valid, so {} was not changed; your draft is kept at {}",
                    path.display(),
                    kept.display()
                ),
                format!("fix it and copy it over the note, or run `tn edit {key}` again"),
            ));
        }
    };
    let text =
        String::from_utf8(edited).map_err(|_| Error::Invalid("draft is not UTF-8".into()))?;
    match store.replace_text(key, &original, &text) {
        Ok(()) => {
            talk.say(&format!("saved {}", path.display()));
            // A save merged with someone else's (see `store::reconcile`) may have recorded a
            // value both changed; say so now rather than at the next `tn check`.
            for problem in store.problems_of(key) {
                talk.say(&format!(
                    "warning: {}",
                    crate::display::escape(&problem.to_string(), true)
                ));
            }
            Ok(())
        }
        Err(Error::Conflict { .. }) => {
            let kept = keep(draft)?;
            Err(Error::input(
                format!(
                    "{} changed on disk while you were editing, so it was not overwritten; your version is kept at {}",
                    path.display(),
                    kept.display(),
                ),
                format!(
                    "compare the two and merge by hand (e.g. `diff {} {}`)",
                    path.display(),
                    kept.display()
                ),
            ))
        }
        Err(other) => {
            let kept = keep(draft)?;
            talk.say(&format!("your draft is kept at {}", kept.display()));
            Err(other)
        }
    }
}

/// The draft as the editor left it, read like a note (see the module documentation); `note`
/// is the note it is a draft of, for messages.
fn read_draft(draft: &Path, note: &Path) -> Result<Vec<u8>> {
    let problem = |problem: String| Error::Draft {
        path: draft.to_owned(),
        note: note.to_owned(),
        problem,
    };
    let (file, entry) = match dir::open_path_file(draft) {
        Ok(opened) => opened,
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Err(problem(
                "the editor left a symbolic link instead of the draft".into(),
            ));
        }
        Err(e) => return Err(Error::io(draft, e)),
    };
    if entry.file_type != rustix::fs::FileType::RegularFile {
        return Err(problem(format!(
            "the editor left {} instead of the draft",
            crate::store::describe(entry.file_type)
        )));
    }
    let bytes = dir::read_limited(&file, MAX_NOTE_BYTES, entry.len).at_path(draft)?;
    if bytes.len() as u64 > MAX_NOTE_BYTES {
        return Err(problem(format!(
            "the draft is larger than the {} MiB a note may hold",
            MAX_NOTE_BYTES >> 20
        )));
    }
    Ok(bytes)
}

fn validate(key: &NoteKey, path: &Path, bytes: &[u8]) -> Vec<NoteError> {
    let result = match key {
        NoteKey::Event(id) => codec::parse::<Event>(path, bytes, id.as_str()).map(drop),
        NoteKey::Talk(id) => codec::parse::<Talk>(path, bytes, id.talk.as_str()).map(drop),
    };
    result.err().unwrap_or_default()
}

fn keep(draft: tempfile::NamedTempFile) -> Result<std::path::PathBuf> {
    let (_, path) = draft
        .keep()
        .map_err(|e| Error::io(e.file.path(), e.error))?;
    Ok(path)
}

fn ask_reopen() -> Result<bool> {
    if !io::stdin().is_terminal() {
        return Ok(false);
    }
    eprint!("re-open the editor to fix it? [Y/n] ");
    let mut answer = String::new();
    io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| Error::io(Path::new("<stdin>"), e))?;
    Ok(!matches!(answer.trim(), "n" | "N" | "no"))
}

fn run_editor(path: &Path, stderr: Stdio) -> Result<()> {
    let editor = editor_command();
    // Through the shell, like git: EDITOR may carry arguments ("code --wait").
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(path)
        .stderr(stderr)
        .status()
        .map_err(|e| Error::Editor {
            editor: editor.clone(),
            path: path.to_owned(),
            status: e.to_string(),
        })?;
    if !status.success() {
        return Err(Error::Editor {
            editor,
            path: path.to_owned(),
            status: status.to_string(),
        });
    }
    Ok(())
}
