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
//!   now. **This module is the seam for it**: [`ThreeWay`] for notes and [`merge_text`] for
//!   the text of `tn edit`. Until the note merge exists, they combine only what needs no
//!   judgement (one side unchanged, or both the same) and otherwise report a conflict: the
//!   other version stays in place and tn's is kept for the user.

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

// The note merge (`crate::merge`) replaces these two bodies.
impl ThreeWay for Talk {
    fn three_way(base: &Talk, ours: &Talk, theirs: &Talk) -> Option<Talk> {
        trivial(base, ours, theirs)
    }
}

impl ThreeWay for Event {
    fn three_way(base: &Event, ours: &Event, theirs: &Event) -> Option<Event> {
        trivial(base, ours, theirs)
    }
}

/// The three-way merge of a note's text as the user edited it (`tn edit`, which keeps
/// comments and layout). The result must still be a valid note; the store checks it.
pub fn merge_text(base: &[u8], ours: &[u8], theirs: &[u8]) -> Option<Vec<u8>> {
    trivial(base, ours, theirs)
}

/// The merges that need no judgement: one side did not change, or both made the same change.
fn trivial<'a, T: PartialEq + ToOwned + ?Sized>(
    base: &'a T,
    ours: &'a T,
    theirs: &'a T,
) -> Option<T::Owned> {
    if theirs == base || ours == theirs {
        Some(ours.to_owned())
    } else if ours == base {
        Some(theirs.to_owned())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changes_that_need_no_judgement_are_merged() {
        let base = Talk::new("t".parse().unwrap(), "base");
        let mut ours = base.clone();
        ours.title = "ours".into();
        let mut theirs = base.clone();
        theirs.title = "theirs".into();
        assert_eq!(Talk::three_way(&base, &ours, &base), Some(ours.clone()));
        assert_eq!(Talk::three_way(&base, &base, &theirs), Some(theirs.clone()));
        assert_eq!(Talk::three_way(&base, &ours, &ours), Some(ours.clone()));
        assert_eq!(Talk::three_way(&base, &ours, &theirs), None);
        assert_eq!(merge_text(b"a", b"b", b"a"), Some(b"b".to_vec()));
        assert_eq!(merge_text(b"a", b"b", b"c"), None);
    }
}
