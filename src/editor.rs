//! Editing a note in `$VISUAL`/`$EDITOR`, kubectl-edit style.
//!
//! The editor works on a draft copy, never on the note itself. The draft is validated before it
//! replaces the note, and it replaces it only if the note did not change on disk meanwhile (a
//! `tn jot` from another terminal, say). When the draft cannot be saved it is kept and its path
//! printed, so an edit is never lost.

use std::fs;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::Command;

use crate::error::{Error, IoContext, NoteError, Result};
use crate::note::{Event, Talk};
use crate::store::codec;
use crate::store::{Fingerprint, NoteKey, Store};

/// The user's editor command: `$VISUAL`, else `$EDITOR`, else `vi`.
pub fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|value| !value.trim().is_empty())
        .unwrap_or_else(|| "vi".to_owned())
}

/// Opens the note in the editor and saves the result if it is valid and nothing changed meanwhile.
pub fn edit_note(store: &Store, key: &NoteKey) -> Result<()> {
    // Through the store: never a link, a named pipe or an oversized file.
    let (path, original) = store.read_raw(key)?;
    let fingerprint = Fingerprint::of(&original);
    let mut draft = tempfile::Builder::new()
        .prefix(&format!("tn-edit-{}-", key.file_stem()))
        .suffix(".ron")
        .tempfile()
        .at_path(&std::env::temp_dir())?;
    draft.write_all(&original).at_path(draft.path())?;
    draft.as_file().sync_all().at_path(draft.path())?;

    let edited = loop {
        if let Err(e) = run_editor(draft.path()) {
            if fs::read(draft.path()).ok().as_deref() != Some(&original[..]) {
                let kept = keep(draft)?;
                eprintln!("your draft is kept at {}", kept.display());
            }
            return Err(e);
        }
        let edited = fs::read(draft.path()).at_path(draft.path())?;
        if edited == original {
            eprintln!("no changes");
            return Ok(());
        }
        let errors = validate(key, &path, &edited);
        if errors.is_empty() {
            break edited;
        }
        for error in &errors {
            eprintln!("{}", crate::display::escape(&error.with_hint_line(), true));
        }
        if !ask_reopen()? {
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
    match store.replace_text(&path, fingerprint, &text) {
        Ok(()) => {
            eprintln!("saved {}", path.display());
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
            eprintln!("your draft is kept at {}", kept.display());
            Err(other)
        }
    }
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

fn run_editor(path: &Path) -> Result<()> {
    let editor = editor_command();
    // Through the shell, like git: EDITOR may carry arguments ("code --wait").
    let status = Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(path)
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
