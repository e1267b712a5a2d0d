//! What goes into the TUI's state machine and what comes out of it.
//!
//! In: an [`Action`], what a user (or the clock) asks the TUI to do, independent of how it
//! was asked. Key bindings live in [`super::input`]; the state machine in [`super::app`] only
//! ever sees these values. Keeping the two apart is what lets the state be tested without a
//! terminal, and lets one key mean different things in different modes (`j` types a `j` in
//! the query line but moves down in the list) without the state knowing about key codes.
//!
//! Out: a [`Job`] for the worker (search, refresh, read or write a note) or an [`Effect`] for
//! the desktop (browser, clipboard, editor). The state machine never does either itself; their
//! outcomes come back to it as plain values.

/// One step for [`super::app::App::update`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    // Editing the focused one-line input (query, capture line, form field, facet filter).
    /// A typed character (an IME commit may arrive as several of these in a burst).
    Insert(char),
    /// Text pasted at once (bracketed paste); newlines become spaces in one-line inputs, and
    /// each line is its own capture on the capture line (as `tn jot -` reads them).
    Paste(String),
    Backspace,
    Delete,
    CursorLeft,
    CursorRight,
    CursorHome,
    CursorEnd,
    /// Ctrl-W: delete the word before the cursor.
    DeleteWord,
    /// Ctrl-U: delete everything before the cursor.
    DeleteToStart,
    /// Ctrl-K: delete everything after the cursor.
    DeleteToEnd,

    // Moving around.
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Enter: open the selected talk, submit an input, pick a facet value.
    Confirm,
    /// Esc: close what is open, or leave the query line.
    Back,
    /// `/` or Tab in the list: type in the query line.
    FocusQuery,
    /// Tab or Esc in the query line: keys become commands.
    FocusList,
    /// Tab / Shift-Tab inside a form or the facet picker.
    NextField,
    PrevField,

    // Commands on the focused talk.
    OpenUrl,
    CopyUrl,
    Edit,
    NewTalk,
    AddTakeaway,
    AddTool,
    AddLink,
    AddTags,

    // Filters.
    Facets,
    ClearFilters,

    Help,
    /// Everything the status line said, in full.
    Messages,
    /// Re-read the knowledge base now (what the periodic tick does every second).
    Reload,
    Quit,

    /// Files may have changed on disk (outside the TUI, or by it): bring the index up to
    /// date and search again.
    Tick,
    /// The terminal was resized (columns, rows).
    Resize(u16, u16),
}

/// Something the app needs from the outside world; the event loop carries it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Open a URL in the browser.
    OpenUrl(String),
    /// Put text on the clipboard.
    Copy(String),
    /// Leave the screen, run `$EDITOR` on the note, come back and reload.
    Edit(crate::store::NoteKey),
}

/// Work the app asks of the worker ([`super::worker`]); the outcome comes back through the
/// app's method of the same name (`searched`, `refreshed`, `previewed`, ...).
#[derive(Debug, Clone)]
pub enum Job {
    /// Run a search.
    Search(crate::search::SearchRequest),
    /// Bring the index up to date with the note files.
    Refresh,
    /// Read the note of the talk in the preview.
    Preview(crate::note::TalkRef),
    /// Count the facet values.
    Facets,
    /// Save the capture line's lines to `target`, one capture each, in order (on disk
    /// before the line clears).
    Capture {
        kind: super::app::CaptureKind,
        target: crate::note::TalkRef,
        lines: Vec<String>,
    },
    /// Keep what the capture line holds as a draft on disk (`None`: there is none any more),
    /// so a crash or a quit does not lose it.
    Draft {
        key: super::drafts::DraftKey,
        text: Option<String>,
    },
    /// Read the drafts a previous run left.
    LoadDrafts,
    /// Create a talk from the form, and make it the current talk.
    CreateTalk(crate::capture::NewTalk),
    /// Open the new-talk form, its event filled in with the current event.
    NewTalkForm,
}
