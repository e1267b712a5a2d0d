//! What to do when a note changed on disk between tn reading it and tn writing it.
//!
//! Editors take no lock, so whoever else wrote the note (an editor saving in place, `git
//! pull`, a sync tool) did it without waiting for tn. [`super::atomic::replace_checked`]
//! notices and puts their version back; then tn's change is carried over to it in one of two
//! ways, chosen by the caller ([`Rebase`]):
//!
//! - a change that only adds to the note or sets fields from outside data (a takeaway, a
//!   tool, a link, a tag; a schedule's fields) is simply applied again to their version,
//!   exactly as if the command had run a moment later: that is a correct merge by itself;
//! - anything else (an imported note replacing the old one, the text of `tn edit`) needs a
//!   three-way merge: base = what tn read, ours = tn's new version, theirs = what is on disk
//!   now. [`ThreeWay`] (for notes) and [`merge_text`] (for the text of `tn edit`) hand it to
//!   the note merge, [`crate::merge`], the same merge git's driver uses: both sides' additions
//!   are kept, and a value both changed keeps tn's in the field and theirs in the note's
//!   `conflicts`, which `tn check` reports. Nothing is dropped. Only what the merge refuses (a
//!   side with comments, which a rewrite would lose) is a conflict: the other version stays in
//!   place and tn's is kept for the user.

use std::path::Path;

use crate::merge::{self, MergeOptions};
use crate::note::{Event, Talk};

/// How tn's change is carried over to a version someone else saved meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rebase {
    /// Apply the change again to their version (for changes that add to a note).
    Reapply,
    /// Three-way merge ([`ThreeWay`]); a conflict when it cannot combine the two.
    ThreeWay,
}

/// A three-way merge of two versions of one note that share an ancestor.
pub trait ThreeWay: Sized {
    /// `base` is what tn read, `ours` tn's new version, `theirs` what someone else saved
    /// meanwhile. `None` when the two changes conflict.
    fn three_way(base: &Self, ours: &Self, theirs: &Self) -> Option<Self>;
}

impl ThreeWay for Talk {
    fn three_way(base: &Talk, ours: &Talk, theirs: &Talk) -> Option<Talk> {
        merge::merge_talks(Some(base), ours, theirs, &MergeOptions::default())
            .ok()
            .map(|merged| merged.note)
    }
}

impl ThreeWay for Event {
    fn three_way(base: &Event, ours: &Event, theirs: &Event) -> Option<Event> {
        merge::merge_events(Some(base), ours, theirs, &MergeOptions::default())
            .ok()
            .map(|merged| merged.note)
    }
}

/// The three-way merge of the text of the note at `path` as the user edited it (`tn edit`):
/// a side's text is kept as it is (comments and layout) when the result equals it, otherwise
/// the merged note is written by the codec. `None` when the merge refuses (a side does not
/// parse, or has comments a rewrite would drop). The store checks the result once more.
pub fn merge_text(base: &[u8], ours: &[u8], theirs: &[u8], path: &Path) -> Option<Vec<u8>> {
    merge::merge_texts(base, ours, theirs, path)
        .ok()
        .map(|merged| merged.text.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn talk(title: &str) -> Talk {
        Talk::new("t".parse().unwrap(), title)
    }

    #[test]
    fn both_sides_are_kept_and_a_value_changed_on_both_becomes_a_conflict() {
        let base = talk("base");
        let mut ours = base.clone();
        ours.title = "ours".into();
        ours.add_tag("ours");
        let mut theirs = base.clone();
        theirs.title = "theirs".into();
        theirs.add_tag("theirs");
        let merged = Talk::three_way(&base, &ours, &theirs).unwrap();
        assert_eq!(merged.title, "ours");
        assert_eq!(merged.tags, ["ours", "theirs"]);
        assert_eq!(merged.conflicts.len(), 1, "{merged:?}");
        assert_eq!(merged.conflicts[0].field, "title");
        assert_eq!(Talk::three_way(&base, &ours, &base), Some(ours.clone()));
        assert_eq!(Talk::three_way(&base, &base, &theirs), Some(theirs.clone()));
    }

    #[test]
    fn edited_text_keeps_a_side_verbatim_and_refuses_what_it_cannot_merge() {
        let path = Path::new("notes/ev/t.ron");
        let base = b"Talk(id: \"t\", title: \"base\")\n";
        let ours = b"// mine\nTalk(id: \"t\", title: \"ours\")\n";
        assert_eq!(merge_text(base, ours, base, path), Some(ours.to_vec()));
        let theirs = b"Talk(id: \"t\", title: \"base\", tags: [\"x\"])\n";
        let plain = b"Talk(id: \"t\", title: \"ours\")\n";
        let merged = String::from_utf8(merge_text(base, plain, theirs, path).unwrap()).unwrap();
        assert!(
            merged.contains("\"ours\"") && merged.contains("\"x\""),
            "{merged}"
        );
        // A rewrite would drop the comment, so a real merge of a commented side is refused.
        assert_eq!(merge_text(base, ours, theirs, path), None);
    }
}
