//! Terminal events → [`Action`]s: the key bindings, in one place.
//!
//! The same key means different things depending on where the keys go: while typing (query
//! line, capture line, form, facet filter) every printable character is text, so commands
//! there use arrows, Enter, Esc, Tab and Ctrl chords only; in the result list and the detail
//! screen letters are commands (vim keys, `a`, `o`, `q`, …). Pastes arrive whole (bracketed
//! paste); an IME commit arrives either as a paste or as a burst of characters, and both end
//! up as text in the focused input.

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
    /// The help overlay: any key closes it.
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
        return Some(Action::Back);
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
        return match key.code {
            KeyCode::Char('n') => Some(Action::Down),
            KeyCode::Char('p') => Some(Action::Up),
            KeyCode::Char('d') if context != Context::Typing => Some(Action::PageDown),
            KeyCode::Char('u') if context != Context::Typing => Some(Action::PageUp),
            KeyCode::Char('f') if context != Context::Typing => Some(Action::PageDown),
            KeyCode::Char('b') if context != Context::Typing => Some(Action::PageUp),
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
        Context::List | Context::Detail => command(context, key),
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

fn command(context: Context, key: &KeyEvent) -> Option<Action> {
    Some(match key.code {
        KeyCode::Char('j') => Action::Down,
        KeyCode::Char('k') => Action::Up,
        KeyCode::Char('g') | KeyCode::Home => Action::Top,
        KeyCode::Char('G') | KeyCode::End => Action::Bottom,
        KeyCode::Char(' ') if context == Context::Detail => Action::PageDown,
        KeyCode::Char('q') if context == Context::Detail => Action::Back,
        KeyCode::Char('h') | KeyCode::Left if context == Context::Detail => Action::Back,
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Right => Action::Confirm,
        KeyCode::Char('/') | KeyCode::Char('i') | KeyCode::Tab => Action::FocusQuery,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char('f') => Action::Facets,
        KeyCode::Char('x') => Action::ClearFilters,
        KeyCode::Char('n') => Action::NewTalk,
        KeyCode::Char('a') => Action::AddTakeaway,
        KeyCode::Char('t') => Action::AddTool,
        KeyCode::Char('l') => Action::AddLink,
        KeyCode::Char('e') => Action::Edit,
        KeyCode::Char('o') => Action::OpenUrl,
        KeyCode::Char('y') => Action::CopyUrl,
        KeyCode::Char('r') => Action::Reload,
        KeyCode::Char('s') => Action::ToggleStar,
        KeyCode::Char('w') => Action::ToggleWatchLater,
        KeyCode::Char('W') => Action::ToggleWatched,
        KeyCode::Char(c @ '0'..='5') => Action::Rate(c as u8 - b'0'),
        KeyCode::Char('c') => Action::NowNext,
        _ => return None,
    })
}

/// The key bindings, for the footer and the help overlay: (keys, what they do).
pub fn help(context: Context) -> &'static [(&'static str, &'static str)] {
    match context {
        Context::Typing => &[
            ("type", "search as you type"),
            ("↑↓ Ctrl-n/p", "select"),
            ("Enter", "open"),
            ("Tab/Esc", "list keys"),
            ("Ctrl-c", "quit"),
        ],
        Context::List => &[
            ("j/k", "move"),
            ("Enter", "open"),
            ("/", "search"),
            ("f", "filter"),
            ("n", "new talk"),
            ("a", "takeaway"),
            ("s", "star"),
            ("c", "now & next"),
            ("?", "help"),
            ("q", "quit"),
            ("1-5", "rate"),
            ("o", "open URL"),
            ("y", "copy URL"),
        ],
        Context::Detail => &[
            ("j/k", "scroll"),
            ("a", "takeaway"),
            ("t", "tool"),
            ("l", "link"),
            ("e", "edit"),
            ("s", "star"),
            ("1-5", "rate"),
            ("?", "help"),
            ("q", "back"),
            ("o", "open URL"),
            ("y", "copy URL"),
        ],
        Context::Help => &[("any key", "close help")],
        Context::NowNext => &[
            ("j/k", "move"),
            ("Enter", "make current"),
            ("s", "star"),
            ("Esc", "close"),
        ],
    }
}

/// Everything, for the `?` overlay: (section, [(keys, what)]).
pub const HELP: &[(&str, &[(&str, &str)])] = &[
    (
        "Query line (typing)",
        &[
            (
                "text",
                "search as you type; the last word matches as a prefix",
            ),
            ("↑ ↓  Ctrl-n Ctrl-p", "move the selection"),
            ("PgUp PgDn", "page through the results"),
            ("Enter", "open the selected talk"),
            ("← → Home End", "move the cursor (Ctrl-a/e/b/f too)"),
            ("Ctrl-w Ctrl-u Ctrl-k", "delete word / to start / to end"),
            ("Backspace on empty", "remove the last filter"),
            ("Tab  Esc", "switch to list keys"),
        ],
    ),
    (
        "List and detail (keys are commands)",
        &[
            ("j k ↑ ↓  g G", "move / scroll, top, bottom"),
            ("Ctrl-d Ctrl-u", "page down / up"),
            ("Enter →", "open the talk"),
            ("/  i  Tab", "back to the query line"),
            ("f", "filter by event, tag, tool, kind or year"),
            ("x", "clear the filters"),
            ("o", "open the talk's URL in the browser"),
            ("y", "copy the talk's URL"),
            (
                "r  Ctrl-l",
                "re-read the notes now (it happens every second)",
            ),
            ("q  Esc", "back (detail) or quit (list)"),
        ],
    ),
    (
        "Capture (on the selected or open talk)",
        &[
            ("n", "new talk: event, title, URL, speakers"),
            ("a", "add takeaways: Enter saves, the line stays open"),
            ("t", "add a tool: name [url]"),
            ("l", "add a link: url [title]"),
            ("e", "edit the note in $EDITOR"),
            ("Esc", "close the input (Enter on an empty line too)"),
        ],
    ),
    (
        "Before, during and after the event (list and detail)",
        &[
            ("s", "star the talk (planned), or take the star away"),
            ("w  W", "to watch later / watched, or back to no status"),
            ("1-5  0", "rate the talk / clear the rating"),
            ("c", "now and next of the current event; Enter picks"),
        ],
    ),
    (
        "Facet picker",
        &[
            ("type", "narrow the list"),
            ("Tab Shift-Tab", "event / tag / tool / kind / year"),
            ("Enter", "add (or remove) the filter"),
        ],
    ),
];
