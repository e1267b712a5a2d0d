//! The three-way merge of notes: two versions of a talk or an event, changed apart from a
//! common base, made into one note that keeps what each side did.
//!
//! Two callers need it: git's merge driver (`tn merge-driver`, when two people changed the
//! same note in clones of one knowledge base) and a save that finds the note changed on disk
//! by someone else since it was read (base = what was read, ours = what tn wants to write,
//! theirs = what is on disk now). Both want the same promises, which a line-based text merge
//! cannot give for RON:
//!
//! - takeaways, tools, links and tags are the union, each kept once, in time order;
//! - a value both sides changed differently keeps ours and records theirs beside it as a
//!   [`Conflict`] in the note's `conflicts`, which `tn check` reports; the result is always a
//!   valid note, never a file with conflict markers;
//! - an item one side deleted and the other did not touch is deleted;
//! - a version that does not parse is refused ([`MergeError`]), and the caller falls back
//!   (git to its own conflict).
//!
//! The merge works on the serde value tree of the notes ([`tree`]), so fields added to the
//! model later merge by the same rules without changes here. The result is checked like a
//! file being read (it must parse back through the store's codec) before it is returned.

mod tree;

use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::NoteError;
use crate::note::{Conflict, EVENT_FILE_STEM, Event, Talk};
use crate::store::MAX_NOTE_BYTES;
use crate::store::codec::{self, NoteDoc};

/// One of the three versions a merge reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Base,
    Ours,
    Theirs,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Base => "the base version",
            Side::Ours => "our version",
            Side::Theirs => "their version",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A version is not a valid note; nothing can be merged by meaning.
    #[error("{side} of {} is not a valid note, so it cannot be merged:\n{}", path.display(), join(errors))]
    Unparsable {
        side: Side,
        path: PathBuf,
        errors: Vec<NoteError>,
    },

    /// The merged note would have to be rewritten, and this version's comments would be lost.
    #[error("{}: {side} has comments, which a merged note cannot keep", path.display())]
    Comments { side: Side, path: PathBuf },

    #[error("{}: not a note file (notes/<event>/<talk>.ron or notes/<event>/event.ron)", path.display())]
    NotANote { path: PathBuf },

    /// The merged note would not be valid (a safety net: the rules are meant to prevent it).
    #[error("{}: the merged note would not be valid, so nothing was merged: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

impl MergeError {
    /// What to do about it, kept out of the message like [`crate::error::Error::hint`]: each
    /// front end places it.
    pub fn hint(&self) -> Option<String> {
        match self {
            MergeError::Comments { .. } => {
                Some("move them into `memo`, or merge this note by hand".into())
            }
            MergeError::Unparsable { .. }
            | MergeError::NotANote { .. }
            | MergeError::Invalid { .. } => None,
        }
    }
}

fn join(errors: &[NoteError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// What the caller knows beyond the three versions.
#[derive(Debug, Clone, Default)]
pub struct MergeOptions {
    /// Who wrote their version, recorded in the conflicts it causes.
    pub theirs_by: Option<String>,
}

/// What a merge did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Conflicts this merge recorded in the note (older ones are not repeated here).
    pub conflicts: Vec<Conflict>,
    /// Top-level fields where the result is not our version (theirs' changes came in).
    pub differs_from_ours: Vec<String>,
    /// Top-level fields where the result is not their version.
    pub differs_from_theirs: Vec<String>,
}

impl MergeReport {
    /// Whether both sides' changes went in without a conflict.
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty()
    }
}

/// A merged note and what happened.
#[derive(Debug, Clone)]
pub struct Merged<T> {
    pub note: T,
    pub report: MergeReport,
}

/// Which text [`merge_texts`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Our text, unchanged (their changes were already in it, or there were none).
    Ours,
    /// Their text, unchanged (we changed nothing they did not).
    Theirs,
    /// A new text, written by the store's codec.
    Merged,
}

/// The merged file text and what happened.
#[derive(Debug, Clone)]
pub struct MergedText {
    pub text: String,
    pub outcome: Outcome,
    pub report: MergeReport,
}

/// Merges two versions of a talk against their base (`None`: both sides created it).
pub fn merge_talks(
    base: Option<&Talk>,
    ours: &Talk,
    theirs: &Talk,
    options: &MergeOptions,
) -> Result<Merged<Talk>, MergeError> {
    merge_notes(base, ours, theirs, options, Path::new("talk"))
}

/// Merges two versions of an event against their base (`None`: both sides created it).
pub fn merge_events(
    base: Option<&Event>,
    ours: &Event,
    theirs: &Event,
    options: &MergeOptions,
) -> Result<Merged<Event>, MergeError> {
    merge_notes(base, ours, theirs, options, Path::new("event"))
}

/// Merges three file texts of the note at `path` (which says whether it is a talk or an
/// event, and its id): `base` is the common ancestor (empty: none, both sides created the
/// note), `ours` the version the result is written over, `theirs` the other one. Keeps the
/// text of a side when the result equals it (comments and layout included); otherwise the
/// result is written by the store's codec.
pub fn merge_texts(
    base: impl AsRef<[u8]>,
    ours: impl AsRef<[u8]>,
    theirs: impl AsRef<[u8]>,
    path: &Path,
) -> Result<MergedText, MergeError> {
    merge_texts_with(base, ours, theirs, path, &MergeOptions::default())
}

/// [`merge_texts`], with what the caller knows about the sides.
pub fn merge_texts_with(
    base: impl AsRef<[u8]>,
    ours: impl AsRef<[u8]>,
    theirs: impl AsRef<[u8]>,
    path: &Path,
    options: &MergeOptions,
) -> Result<MergedText, MergeError> {
    let (base, ours, theirs) = (base.as_ref(), ours.as_ref(), theirs.as_ref());
    match NoteKind::of(path)? {
        NoteKind::Talk(id) => texts::<Talk>(base, ours, theirs, path, &id, options),
        NoteKind::Event(id) => texts::<Event>(base, ours, theirs, path, &id, options),
    }
}

/// Whether `text` is a valid note for `path`, read exactly as the store reads it.
pub fn check_text(text: impl AsRef<[u8]>, path: &Path) -> Result<(), MergeError> {
    let unparsable = |errors| MergeError::Unparsable {
        side: Side::Ours,
        path: path.to_owned(),
        errors,
    };
    match NoteKind::of(path)? {
        NoteKind::Talk(id) => codec::parse::<Talk>(path, text.as_ref(), &id).map(drop),
        NoteKind::Event(id) => codec::parse::<Event>(path, text.as_ref(), &id).map(drop),
    }
    .map_err(unparsable)
}

/// What a note path names, and the id its note must have.
enum NoteKind {
    Talk(String),
    Event(String),
}

impl NoteKind {
    fn of(path: &Path) -> Result<NoteKind, MergeError> {
        let not_a_note = || MergeError::NotANote {
            path: path.to_owned(),
        };
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(not_a_note)?;
        let stem = name.strip_suffix(".ron").ok_or_else(not_a_note)?;
        if stem == EVENT_FILE_STEM {
            let event = path
                .parent()
                .and_then(Path::file_name)
                .and_then(|n| n.to_str())
                .ok_or_else(not_a_note)?;
            Ok(NoteKind::Event(event.to_owned()))
        } else {
            Ok(NoteKind::Talk(stem.to_owned()))
        }
    }
}

fn texts<T: NoteDoc + Clone + PartialEq>(
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    path: &Path,
    id: &str,
    options: &MergeOptions,
) -> Result<MergedText, MergeError> {
    let parse = |side: Side, bytes: &[u8]| {
        codec::parse::<T>(path, bytes, id).map_err(|errors| MergeError::Unparsable {
            side,
            path: path.to_owned(),
            errors,
        })
    };
    // git hands an empty ancestor when both sides created the file.
    let base_note = if base.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        Some(parse(Side::Base, base)?)
    };
    let ours_note = parse(Side::Ours, ours)?;
    let theirs_note = parse(Side::Theirs, theirs)?;
    let merged = merge_notes(base_note.as_ref(), &ours_note, &theirs_note, options, path)?;
    // Parsing succeeded, so both texts are UTF-8.
    let as_text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    if merged.note == ours_note {
        return Ok(MergedText {
            text: as_text(ours),
            outcome: Outcome::Ours,
            report: merged.report,
        });
    }
    if merged.note == theirs_note {
        return Ok(MergedText {
            text: as_text(theirs),
            outcome: Outcome::Theirs,
            report: merged.report,
        });
    }
    for (side, bytes) in [(Side::Ours, ours), (Side::Theirs, theirs)] {
        if codec::has_comments(&String::from_utf8_lossy(bytes)) {
            return Err(MergeError::Comments {
                side,
                path: path.to_owned(),
            });
        }
    }
    let invalid = |message: String| MergeError::Invalid {
        path: path.to_owned(),
        message,
    };
    let text = codec::to_ron(&merged.note).map_err(|e| invalid(e.to_string()))?;
    if text.len() as u64 > MAX_NOTE_BYTES {
        return Err(invalid(format!(
            "it would be {} bytes, more than a note may hold",
            text.len()
        )));
    }
    // The promise is a file tn reads back as it is: check it exactly that way.
    codec::parse::<T>(path, text.as_bytes(), id).map_err(|errors| invalid(join(&errors)))?;
    Ok(MergedText {
        text,
        outcome: Outcome::Merged,
        report: merged.report,
    })
}

/// The generic merge of two notes of one kind; `path` only names the note in errors.
pub fn merge_notes<T: NoteDoc + Clone + PartialEq>(
    base: Option<&T>,
    ours: &T,
    theirs: &T,
    options: &MergeOptions,
    path: &Path,
) -> Result<Merged<T>, MergeError> {
    let invalid = |message: String| MergeError::Invalid {
        path: path.to_owned(),
        message,
    };
    let base = base.map(to_map).transpose().map_err(invalid)?;
    let ours_map = to_map(ours).map_err(invalid)?;
    let theirs_map = to_map(theirs).map_err(invalid)?;

    let mut found = tree::Found::new();
    let mut merged = tree::merge_object("", base.as_ref(), &ours_map, &theirs_map, &mut found);
    // Both versions were read by this build; the result is of the newer one.
    merged.insert(
        "schema".into(),
        Value::from(ours.schema().max(theirs.schema())),
    );
    // Fields merged one by one can disagree with each other (one side moved the start, the
    // other the end, and now the talk ends before it starts). Then every field that is not a
    // list is ours, and theirs is recorded beside it where it differs: the lists keep both
    // sides' items, and nothing else is guessed. Whether that happens must not depend on
    // which side is ours, so the merge with theirs kept instead is checked too.
    let (merged, found) = if fields_agree::<T>(&merged, &[]) && fields_agree::<T>(&merged, &found) {
        (merged, found)
    } else {
        ours_fields(merged, found, &ours_map, &theirs_map)
    };
    finish::<T>(merged, &found, options, &ours_map, &theirs_map).map_err(invalid)
}

fn to_map<T: serde::Serialize>(note: &T) -> Result<Map<String, Value>, String> {
    match serde_json::to_value(note).map_err(|e| e.to_string())? {
        Value::Object(map) => Ok(map),
        _ => Err("a note did not serialize to an object".into()),
    }
}

/// Records the conflicts found in the merged value and turns it into a valid note.
fn finish<T: NoteDoc>(
    mut merged: Map<String, Value>,
    found: &tree::Found,
    options: &MergeOptions,
    ours: &Map<String, Value>,
    theirs: &Map<String, Value>,
) -> Result<Merged<T>, String> {
    let mut conflicts: Vec<Conflict> = match merged.remove("conflicts") {
        Some(value) => serde_json::from_value(value).map_err(|e| e.to_string())?,
        None => Vec::new(),
    };
    let mut new = Vec::new();
    for (field, value) in found {
        let conflict = Conflict {
            field: field.clone(),
            theirs: display_value(value),
            by: options.theirs_by.clone(),
        };
        if !conflicts.contains(&conflict) {
            conflicts.push(conflict.clone());
            new.push(conflict);
        }
    }
    if !conflicts.is_empty() {
        let value = serde_json::to_value(&conflicts).map_err(|e| e.to_string())?;
        merged.insert("conflicts".into(), value);
    }
    let report = MergeReport {
        conflicts: new,
        differs_from_ours: differing(&merged, ours),
        differs_from_theirs: differing(&merged, theirs),
    };
    let note: T = serde_json::from_value(Value::Object(merged)).map_err(|e| e.to_string())?;
    if let Some(problem) = note.semantic_problems().into_iter().next() {
        return Err(format!("field `{}`: {}", problem.field, problem.message));
    }
    Ok(Merged { note, report })
}

/// Whether the merged fields that are not lists make a valid note together, with the
/// top-level values of `theirs_instead` (conflicts found) in place of the kept ones. Lists
/// are left out: their items come whole from valid versions, and the rules that relate
/// fields to each other are about single values (a talk's start and end).
fn fields_agree<T: NoteDoc>(
    merged: &Map<String, Value>,
    theirs_instead: &[(String, Value)],
) -> bool {
    let mut fields: Map<String, Value> = merged
        .iter()
        .filter(|(_, v)| !v.is_array())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    for (path, value) in theirs_instead {
        if !path.contains(['.', '[']) {
            fields.insert(path.clone(), value.clone());
        }
    }
    serde_json::from_value::<T>(Value::Object(fields))
        .is_ok_and(|note| note.semantic_problems().is_empty())
}

/// The merge with every field that is not a list (nor `conflicts`, `schema`) set to ours,
/// and theirs recorded beside it wherever it differs from ours. Recorded whether or not the
/// field-by-field merge had taken theirs, so the result holds the same values whichever side
/// is ours.
fn ours_fields(
    mut merged: Map<String, Value>,
    found: tree::Found,
    ours: &Map<String, Value>,
    theirs: &Map<String, Value>,
) -> (Map<String, Value>, tree::Found) {
    let is_list = |name: &str| {
        ours.get(name)
            .or_else(|| theirs.get(name))
            .is_some_and(Value::is_array)
    };
    let mut names: Vec<String> = ours
        .keys()
        .chain(theirs.keys())
        .filter(|name| !matches!(name.as_str(), "conflicts" | "schema") && !is_list(name))
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    let under = |path: &str, name: &str| {
        path == name
            || path
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(['.', '[']))
    };
    let mut found: tree::Found = found
        .into_iter()
        .filter(|(path, _)| !names.iter().any(|name| under(path, name)))
        .collect();
    for name in names {
        match ours.get(&name) {
            Some(value) => merged.insert(name.clone(), value.clone()),
            None => merged.remove(&name),
        };
        if let Some(value) = theirs.get(&name)
            && ours.get(&name) != Some(value)
        {
            found.push((name, value.clone()));
        }
    }
    (merged, found)
}

fn differing(merged: &Map<String, Value>, side: &Map<String, Value>) -> Vec<String> {
    let mut names: Vec<String> = merged
        .keys()
        .chain(side.keys())
        .filter(|name| name.as_str() != "schema" && merged.get(*name) != side.get(*name))
        .cloned()
        .collect();
    names.sort();
    names.dedup();
    names
}

/// A value as a conflict entry holds it: text as it is, anything else in JSON notation.
fn display_value(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The value the note keeps at a conflict's `field` path, shown like the conflict's own.
pub fn kept_value<T: serde::Serialize>(note: &T, field: &str) -> Option<String> {
    let value = serde_json::to_value(note).ok()?;
    find(&value, "", field).map(display_value)
}

fn find<'a>(value: &'a Value, path: &str, target: &str) -> Option<&'a Value> {
    if path == target {
        return Some(value);
    }
    if !path.is_empty() && !target.starts_with(path) {
        return None;
    }
    match value {
        Value::Object(map) => map
            .iter()
            .find_map(|(name, v)| find(v, &tree::field_path(path, name), target)),
        Value::Array(items) => {
            let field = tree::identity_field(path)?;
            items.iter().find_map(|item| {
                let label = item.get(field)?.as_str()?;
                find(item, &tree::item_path(path, label), target)
            })
        }
        _ => None,
    }
}

/// Each unresolved conflict of a note as a problem `tn check` reports, located at its entry.
/// `key` is the note's id as `tn edit` takes it.
pub fn conflict_problems<T: NoteDoc>(
    path: &Path,
    text: &str,
    note: &T,
    key: &str,
) -> Vec<NoteError> {
    let conflicts = note.conflicts();
    if conflicts.is_empty() {
        return Vec::new();
    }
    let positions = entry_positions(text);
    conflicts
        .iter()
        .enumerate()
        .map(|(i, conflict)| {
            let kept = kept_value(note, &conflict.field)
                .map_or_else(|| "nothing".to_owned(), |v| quoted(&v));
            let by = conflict
                .by
                .as_deref()
                .map(|by| format!(" (by {by})"))
                .unwrap_or_default();
            let position = positions
                .get(i)
                .copied()
                .or_else(|| codec::field_position(text, "conflicts"));
            NoteError::new(
                path,
                format!(
                    "field `{}` was changed on both sides: the note keeps {kept}, the other version is {}{by}",
                    conflict.field,
                    quoted(&conflict.theirs)
                ),
            )
            .at(position)
            .hint(format!(
                "run `tn edit {key}`, keep the value you want in `{}`, and delete this entry from `conflicts`",
                conflict.field
            ))
        })
        .collect()
}

/// `"text"`, cut to one short line.
fn quoted(value: &str) -> String {
    const MAX: usize = 60;
    let line = crate::display::line(value);
    let mut short: String = line.chars().take(MAX).collect();
    if line.chars().count() > MAX {
        short.push('…');
    }
    format!("\"{short}\"")
}

/// Line and column of each `Conflict(` entry after the `conflicts` field, in file order.
fn entry_positions(text: &str) -> Vec<(usize, usize)> {
    let Some((line, _)) = codec::field_position(text, "conflicts") else {
        return Vec::new();
    };
    let mut positions = Vec::new();
    for (index, row) in text.lines().enumerate().skip(line - 1) {
        let mut from = 0;
        while let Some(at) = row[from..].find("Conflict(") {
            let column = row[..from + at].chars().count() + 1;
            positions.push((index + 1, column));
            from += at + "Conflict(".len();
        }
    }
    positions
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
