//! Capture lines not saved yet, kept on disk so that nothing typed is ever lost.
//!
//! The capture line (`a`, `t`, `l`, `#`) saves on Enter and on Esc. What is typed before that
//! lives only in the TUI's memory, and the terminal can go away with it (a closed window, a
//! killed tmux pane, a crash), or the user can quit with Ctrl-c. So after every burst of keys
//! the worker writes the line to `index/drafts/<event>/<talk>.<kind>.draft` (a temporary file
//! renamed over it: a crash leaves the old draft or the new one, never a torn one) and removes
//! it once the line is saved or cleared. `index/` is the knowledge base's local state, never
//! committed, which is where an unfinished line belongs: it is not part of a note yet. The
//! next run reads the drafts back and offers each on its talk: the preview shows it, and the
//! capture key brings it back into the line.
//!
//! Drafts are written without `fsync`: they outlive the process and the terminal at once, and
//! the system writes them out within seconds; an `fsync` per burst of keys would make typing
//! wait for the disk. Like tn's other files under `index/`, drafts are read only as regular
//! files (never through a link, never a named pipe), and only directories that are real
//! directories are written into.

use std::collections::BTreeMap;
use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::note::{Slug, TalkRef};
use crate::store::Store;

use super::app::CaptureKind;

/// Which line a draft belongs to: the talk and the kind of capture.
pub type DraftKey = (TalkRef, CaptureKind);

/// The most a draft may hold: far more than anyone types into one line.
const MAX_DRAFT_BYTES: u64 = 1 << 20;
const SUFFIX: &str = "draft";

/// `index/drafts`.
pub fn dir(store: &Store) -> PathBuf {
    store.index_dir().join("drafts")
}

/// Where the draft of `key` is kept.
pub fn path(store: &Store, key: &DraftKey) -> PathBuf {
    let (talk, kind) = key;
    dir(store).join(talk.event.as_str()).join(format!(
        "{}.{}.{SUFFIX}",
        talk.talk.as_str(),
        kind.name()
    ))
}

/// Keeps `text` as the draft of `key`, or removes the draft when `text` is `None`.
pub fn save(store: &Store, key: &DraftKey, text: Option<&str>) -> Result<()> {
    let target = path(store, key);
    let Some(text) = text else {
        return match fs::remove_file(&target) {
            Ok(()) => {
                // The event's directory goes when its last draft does (it fails if not).
                if let Some(parent) = target.parent() {
                    let _ = fs::remove_dir(parent);
                }
                Ok(())
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::io(&target, e)),
        };
    };
    let save_error = |source| Error::Save {
        path: target.clone(),
        during: None,
        source,
    };
    let parent = target.parent().unwrap_or(Path::new("."));
    real_dir(&store.index_dir()).map_err(save_error)?;
    real_dir(&dir(store)).map_err(save_error)?;
    real_dir(parent).map_err(save_error)?;
    let mut temp = tempfile::Builder::new()
        .prefix(".tn-draft-")
        .tempfile_in(parent)
        .map_err(save_error)?;
    temp.write_all(text.as_bytes()).map_err(save_error)?;
    temp.persist(&target).map_err(|e| save_error(e.error))?;
    Ok(())
}

/// Creates `dir` if it is missing; fails if something other than a directory is there (a
/// link could lead a draft outside the knowledge base).
fn real_dir(dir: &Path) -> std::io::Result<()> {
    match fs::symlink_metadata(dir) {
        Ok(metadata) if metadata.is_dir() => Ok(()),
        Ok(_) => Err(std::io::Error::other(format!(
            "{} is not a directory; remove it, tn recreates it",
            dir.display()
        ))),
        Err(e) if e.kind() == ErrorKind::NotFound => match fs::create_dir(dir) {
            Err(e) if e.kind() == ErrorKind::AlreadyExists => real_dir(dir),
            other => other,
        },
        Err(e) => Err(e),
    }
}

/// Every draft a previous run left, and a line for each that could not be read.
pub fn load(store: &Store) -> (BTreeMap<DraftKey, String>, Vec<String>) {
    let mut drafts = BTreeMap::new();
    let mut problems = Vec::new();
    let root = dir(store);
    if !fs::symlink_metadata(&root).is_ok_and(|m| m.is_dir()) {
        return (drafts, problems);
    }
    let Ok(events) = fs::read_dir(&root) else {
        return (drafts, problems);
    };
    for event in events.flatten() {
        // `file_type` does not follow links: a link here is not one of tn's directories.
        if !event.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Some(event_id) = event
            .file_name()
            .to_str()
            .and_then(|name| name.parse::<Slug>().ok())
        else {
            continue;
        };
        let Ok(files) = fs::read_dir(event.path()) else {
            continue;
        };
        for file in files.flatten() {
            let name = file.file_name();
            let Some(key) = name.to_str().and_then(|name| parse_name(&event_id, name)) else {
                continue;
            };
            let path = file.path();
            match crate::regular_file::read_small(&path, MAX_DRAFT_BYTES) {
                Ok(Some(bytes)) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    if !text.trim().is_empty() {
                        drafts.insert(key, text);
                    }
                }
                Ok(None) => {}
                Err(e) => problems.push(format!("draft not read: {e}")),
            }
        }
    }
    (drafts, problems)
}

/// `<talk>.<kind>.draft` in the directory of `event`.
fn parse_name(event: &Slug, name: &str) -> Option<DraftKey> {
    let rest = name.strip_suffix(SUFFIX)?.strip_suffix('.')?;
    let (talk, kind) = rest.rsplit_once('.')?;
    let kind = CaptureKind::ALL.into_iter().find(|k| k.name() == kind)?;
    let talk = TalkRef {
        event: event.clone(),
        talk: talk.parse().ok()?,
    };
    Some((talk, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_round_trip_and_disappear_when_cleared() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::init(dir.path()).unwrap();
        let talk: TalkRef = "ev/mesh".parse().unwrap();
        let takeaway = (talk.clone(), CaptureKind::Takeaway);
        let tags = (talk, CaptureKind::Tags);
        save(&store, &takeaway, Some("書きかけの学び\n二行目")).unwrap();
        save(&store, &tags, Some("ebpf")).unwrap();
        let (drafts, problems) = load(&store);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(drafts[&takeaway], "書きかけの学び\n二行目");
        assert_eq!(drafts[&tags], "ebpf");
        save(&store, &takeaway, None).unwrap();
        save(&store, &tags, None).unwrap();
        assert!(load(&store).0.is_empty());
        assert!(!path(&store, &takeaway).parent().unwrap().exists());
        // Removing what is not there is fine.
        save(&store, &takeaway, None).unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_link_in_place_of_the_drafts_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let store = Store::init(dir.path()).unwrap();
        std::fs::create_dir_all(store.index_dir()).unwrap();
        std::os::unix::fs::symlink(outside.path(), super::dir(&store)).unwrap();
        let key = ("ev/mesh".parse().unwrap(), CaptureKind::Takeaway);
        let error = save(&store, &key, Some("x")).unwrap_err();
        assert!(error.to_string().contains("not a directory"), "{error}");
        assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
        assert!(load(&store).0.is_empty());
    }
}
