//! Terminal events → [`Action`]s: the key bindings, in one place.
//!
//! The same key means different things depending on where the keys go: while typing (query
//! line, capture line, form, facet filter) every printable character is text, so commands
//! there use arrows, Enter, Esc, Tab and Ctrl chords only; in the result list and the detail
//! screen letters are commands (vim keys, `a`, `o`, `q`, …). Text that is not a command there
//! (Japanese from an IME, a paste, a letter no command uses) goes to the query line, so a
//! search never loses what was typed. Ctrl chords mean one thing in every mode: they edit the
//! line being typed (the query line when the list has the keys), and paging is PgUp/PgDn
//! everywhere (Space and `b` too where letters are commands). The mode is shown at the start
//! of the footer. Pastes arrive whole (bracketed paste); an IME commit arrives either as a
//! paste or as a burst of characters, and both end up as text in the focused input.

use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::action::Action;

/// Where the keys go, as far as bindings are concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    /// An input has the keys: characters are text.
    Typing,
    /// The result list: letters are commands.
    List,
    /// The detail screen: letters are commands, `q` goes back.
    Detail,
    /// The help or the messages overlay: keys scroll it, any other key closes it.
    Help,
    /// "Now and next" (`c`): pick a talk, star it.
    NowNext,
}

/// The action for a terminal event, if it means anything here.
pub fn action(context: Context, event: &Event) -> Option<Action> {
    match event {
        Event::Key(key) => key_action(context, key),
        Event::Paste(text) => Some(Action::Paste(text.clone())),
        Event::Resize(columns, rows) => Some(Action::Resize(*columns, *rows)),
        _ => None,
    }
}

fn key_action(context: Context, key: &KeyEvent) -> Option<Action> {
    // Only presses: terminals that report releases (Windows, kitty protocol) would otherwise
    // type every character twice.
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let alt = key.modifiers.contains(KeyModifiers::ALT);
    if ctrl && matches!(key.code, KeyCode::Char('c')) {
        return Some(Action::Quit);
    }
    if context == Context::Help {
        return Some(reading(key, ctrl));
    }
    // Keys that mean the same everywhere.
    let common = match key.code {
        KeyCode::Up => Some(Action::Up),
        KeyCode::Down => Some(Action::Down),
        KeyCode::PageUp => Some(Action::PageUp),
        KeyCode::PageDown => Some(Action::PageDown),
        KeyCode::Enter => Some(Action::Confirm),
        KeyCode::Esc => Some(Action::Back),
        KeyCode::BackTab => Some(Action::PrevField),
        _ => None,
    };
    if common.is_some() {
        return common;
    }
    if ctrl {
        // The same in every mode (readline's meanings): they edit the line being typed.
        return match key.code {
            KeyCode::Char('n') => Some(Action::Down),
            KeyCode::Char('p') => Some(Action::Up),
            KeyCode::Char('a') => Some(Action::CursorHome),
            KeyCode::Char('e') => Some(Action::CursorEnd),
            KeyCode::Char('b') => Some(Action::CursorLeft),
            KeyCode::Char('f') => Some(Action::CursorRight),
            KeyCode::Char('w') | KeyCode::Backspace => Some(Action::DeleteWord),
            KeyCode::Char('u') => Some(Action::DeleteToStart),
            KeyCode::Char('k') => Some(Action::DeleteToEnd),
            KeyCode::Char('h') => Some(Action::Backspace),
            KeyCode::Char('d') => Some(Action::Delete),
            KeyCode::Char('l') => Some(Action::Reload),
            _ => None,
        };
    }
    match context {
        Context::Typing => typing(key, alt),
        Context::List | Context::Detail => command(context, key, alt),
        Context::NowNext => now_next(key),
        Context::Help => None,
    }
}

fn now_next(key: &KeyEvent) -> Option<Action> {
    Some(match key.code {
        KeyCode::Char('j') => Action::Down,
        KeyCode::Char('k') => Action::Up,
        KeyCode::Char('g') | KeyCode::Home => Action::Top,
        KeyCode::Char('G') | KeyCode::End => Action::Bottom,
        KeyCode::Char('s') => Action::ToggleStar,
        KeyCode::Char('q') | KeyCode::Char('c') => Action::Back,
        _ => return None,
    })
}

/// In the help or messages overlay: scrolling keys scroll, anything else closes it.
fn reading(key: &KeyEvent, ctrl: bool) -> Action {
    match key.code {
        KeyCode::Up | KeyCode::Char('k') if !ctrl => Action::Up,
        KeyCode::Char('p') if ctrl => Action::Up,
        KeyCode::Down | KeyCode::Char('j') if !ctrl => Action::Down,
        KeyCode::Char('n') if ctrl => Action::Down,
        KeyCode::PageUp | KeyCode::Char('b') if !ctrl => Action::PageUp,
        KeyCode::PageDown | KeyCode::Char(' ') if !ctrl => Action::PageDown,
        KeyCode::Home | KeyCode::Char('g') if !ctrl => Action::Top,
        KeyCode::End | KeyCode::Char('G') if !ctrl => Action::Bottom,
        _ => Action::Back,
    }
}

fn typing(key: &KeyEvent, alt: bool) -> Option<Action> {
    Some(match key.code {
        KeyCode::Char(c) if !alt => Action::Insert(c),
        KeyCode::Backspace if alt => Action::DeleteWord,
        KeyCode::Backspace => Action::Backspace,
        KeyCode::Delete => Action::Delete,
        KeyCode::Left => Action::CursorLeft,
        KeyCode::Right => Action::CursorRight,
        KeyCode::Home => Action::CursorHome,
        KeyCode::End => Action::CursorEnd,
        KeyCode::Tab => Action::NextField,
        _ => return None,
    })
}

fn command(context: Context, key: &KeyEvent, alt: bool) -> Option<Action> {
    Some(match key.code {
        KeyCode::Char('j') => Action::Down,
        KeyCode::Char('k') => Action::Up,
        KeyCode::Char('g') | KeyCode::Home => Action::Top,
        KeyCode::Char('G') | KeyCode::End => Action::Bottom,
        KeyCode::Char(' ') => Action::PageDown,
        KeyCode::Char('b') => Action::PageUp,
        KeyCode::Char('q') if context == Context::Detail => Action::Back,
        KeyCode::Char('h') | KeyCode::Left if context == Context::Detail => Action::Back,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Right => Action::Confirm,
        KeyCode::Char('/') | KeyCode::Char('i') | KeyCode::Tab => Action::FocusQuery,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('m') => Action::Messages,
        KeyCode::Char('f') => Action::Facets,
        KeyCode::Char('x') => Action::ClearFilters,
        KeyCode::Char('n') => Action::NewTalk,
        KeyCode::Char('a') => Action::AddTakeaway,
        KeyCode::Char('t') => Action::AddTool,
        KeyCode::Char('l') => Action::AddLink,
        KeyCode::Char('#') => Action::AddTags,
        KeyCode::Char('e') => Action::Edit,
        KeyCode::Char('o') => Action::OpenUrl,
        KeyCode::Char('y') => Action::CopyUrl,
        KeyCode::Char('r') => Action::Reload,
        KeyCode::Char('s') => Action::ToggleStar,
        KeyCode::Char('w') => Action::ToggleWatchLater,
        KeyCode::Char('W') => Action::ToggleWatched,
        // Only where one talk is shown: in the list, digits start a search (a year) and do
        // not rate whichever talk happens to be selected.
        KeyCode::Char(c @ '0'..='5') if context == Context::Detail => Action::Rate(c as u8 - b'0'),
        KeyCode::Char('c') => Action::NowNext,
        // Any other text starts a search with it (Japanese from an IME, a letter no command
        // uses): the app moves the focus to the query line.
        KeyCode::Char(c) if !alt => Action::Insert(c),
        KeyCode::Backspace => Action::Backspace,
        KeyCode::Delete => Action::Delete,
        _ => return None,
    })
}

/// A key hint of the footer: the keys, what they do, and how much it matters (0 is always
/// shown; higher ranks are left out first when the footer is too narrow).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    pub keys: &'static str,
    pub what: &'static str,
    pub rank: u8,
}

const fn hint(keys: &'static str, what: &'static str, rank: u8) -> Hint {
    Hint { keys, what, rank }
}

/// The key bindings for the footer, in the order shown.
pub fn help(context: Context) -> &'static [Hint] {
    match context {
        Context::Typing => TYPING_HINTS,
        Context::List => LIST_HINTS,
        Context::Detail => DETAIL_HINTS,
        Context::Help => HELP_HINTS,
        Context::NowNext => NOW_NEXT_HINTS,
    }
}

const TYPING_HINTS: &[Hint] = &[
    hint("type", "search as you type", 4),
    hint("↑↓", "select", 2),
    hint("Enter", "open", 1),
    hint("Tab/Esc", "list keys", 1),
    hint("Ctrl-u", "clear", 3),
    hint("Ctrl-c", "quit", 0),
];

const LIST_HINTS: &[Hint] = &[
    hint("j/k", "move", 1),
    hint("Enter", "open", 2),
    hint("/", "search", 2),
    hint("f", "filter", 3),
    hint("n", "new talk", 3),
    hint("a", "takeaway", 2),
    hint("#", "tag", 5),
    hint("s", "star", 3),
    hint("c", "now & next", 4),
    hint("?", "help", 1),
    hint("q", "quit", 0),
    hint("o", "open URL", 6),
    hint("y", "copy URL", 6),
];

const DETAIL_HINTS: &[Hint] = &[
    hint("j/k", "scroll", 2),
    hint("a", "takeaway", 1),
    hint("t", "tool", 4),
    hint("l", "link", 4),
    hint("#", "tag", 5),
    hint("e", "edit", 3),
    hint("s", "star", 5),
    hint("1-5", "rate", 5),
    hint("?", "help", 1),
    hint("q", "back", 1),
    hint("o", "open URL", 6),
    hint("y", "copy URL", 6),
    hint("Ctrl-c", "quit", 0),
];

const HELP_HINTS: &[Hint] = &[
    hint("↑↓ PgUp PgDn", "scroll", 1),
    hint("Esc", "close", 1),
    hint("Ctrl-c", "quit", 0),
];

const NOW_NEXT_HINTS: &[Hint] = &[
    hint("j/k", "move", 2),
    hint("Enter", "make current", 1),
    hint("s", "star", 1),
    hint("Esc", "close", 1),
    hint("Ctrl-c", "quit", 0),
];

/// The new-talk form's keys.
pub const FORM_HINTS: &[Hint] = &[
    hint("Tab/↑↓", "field", 1),
    hint("Enter", "create", 1),
    hint("Esc", "cancel", 2),
    hint("Ctrl-c", "quit", 0),
];

/// The facet picker's keys.
pub const FACET_HINTS: &[Hint] = &[
    hint("type", "narrow", 3),
    hint("Tab", "next facet", 2),
    hint("↑↓", "move", 2),
    hint("Enter", "toggle", 1),
    hint("Esc", "close", 1),
    hint("Ctrl-c", "quit", 0),
];

/// The capture line's keys.
pub const CAPTURE_HINTS: &[Hint] = &[
    hint("Enter", "save", 1),
    hint("Esc", "save & close", 1),
    hint("Ctrl-u", "clear", 2),
    hint("Ctrl-c", "quit", 0),
];

/// Everything, for the `?` overlay: (section, [(keys, what)]).
pub const HELP: &[(&str, &[(&str, &str)])] = &[
    (
        "Query line (SEARCH: typing)",
        &[
            ("text", "search as you type; the last word is a prefix"),
            ("↑ ↓  Ctrl-n Ctrl-p", "move the selection"),
            ("PgUp PgDn", "page through the results"),
            ("Enter", "open the selected talk"),
            ("Backspace on empty", "remove the last filter"),
            ("Tab  Esc", "keys become commands (LIST)"),
        ],
    ),
    (
        "List and detail (LIST, TALK: keys are commands)",
        &[
            ("j k ↑ ↓  g G", "move or scroll, top, bottom"),
            ("PgUp PgDn  b Space", "page up / down"),
            ("Enter →", "open the talk"),
            ("/  i  Tab", "back to the query line"),
            ("other text", "starts a search (Japanese, pastes)"),
            ("f  x", "filter by event, tag, tool, kind, year; clear"),
            ("o  y", "open the talk's URL in a browser; copy it"),
            ("m", "every message of the status line, in full"),
            ("r  Ctrl-l", "re-read the notes now (done every second)"),
            ("q  Esc", "back (detail) or quit (list)"),
        ],
    ),
    (
        "Line editing (the same in every mode)",
        &[
            ("← → Home End", "move the cursor (Ctrl-b f a e too)"),
            ("Ctrl-w Ctrl-u Ctrl-k", "delete word / to start / to end"),
            ("in LIST and TALK", "Ctrl keys edit the query line"),
        ],
    ),
    (
        "Capture (on the selected or open talk)",
        &[
            (
                "n",
                "new talk: event, title, URL, speakers, kind, date, tags",
            ),
            ("a", "takeaways: Enter saves each, the line stays open"),
            (
                "t  l  #",
                "add a tool (name [url]), a link (url [title]), tags",
            ),
            ("e", "edit the note in $EDITOR"),
            ("paste", "several lines: one capture per line, each saved"),
            ("Esc", "save and close (Ctrl-u first drops the line)"),
            ("Ctrl-c", "quit; unsaved text is kept as a draft"),
        ],
    ),
    (
        "Before, during and after the event (LIST, TALK)",
        &[
            ("s", "star the talk (planned), or take the star away"),
            ("w  W", "to watch later / watched, or back to no status"),
            ("1-5  0", "rate the talk / clear the rating (TALK)"),
            ("c", "now and next of the current event; Enter picks"),
        ],
    ),
    (
        "Facet picker (FILTER)",
        &[
            ("type", "narrow the list"),
            ("Tab Shift-Tab", "event, tag, tool, kind, year"),
            ("Enter", "add or remove it, back to the query"),
        ],
    ),
];
