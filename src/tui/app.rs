//! The TUI's state and how it changes: plain Rust, no terminal, no files, no index.
//!
//! [`App::update`] applies one [`Action`]; [`App::sync`] then brings derived state up to date
//! once per batch of events: it asks for a search only when the query (typed text plus facet
//! filters) changed, and for the previewed note only when the focus moved to another talk. A
//! paste or an IME commit that arrives as twenty key events therefore costs one search, not
//! twenty. Neither does any I/O: what needs the knowledge base (searching, refreshing the
//! index, reading a note, saving a capture) is queued as a [`Job`] for the worker, and what
//! needs the desktop (browser, clipboard, editor) as an [`Effect`] for the host; their
//! outcomes come back through methods such as [`App::searched`] and [`App::effect_done`].
//! Capturing goes through [`crate::capture`], the same functions as the CLI, and the session
//! runs a capture job right after the key that asked for it, so every saved line is on disk
//! (atomically, under the writer lock) before the next key is read. What is typed on a capture
//! line and not saved yet is kept as a draft (see [`super::drafts`]) after every burst of keys.

use std::collections::{BTreeMap, VecDeque};

use crate::capture::StatusChange;
use crate::concepts::Expansion;
use crate::error::Error;
use crate::note::{Rating, Talk, TalkRef, TalkStatus};
use crate::search::Hit;
use crate::store::NoteKey;

use super::action::{Action, Effect, Job};
use super::drafts::DraftKey;
use super::facets::{Facets, Filter, Picker};
use super::form::{LineInput, NewTalkForm};
use super::standing::Standing;

/// Results fetched per search; more are fetched when the selection nears the end.
pub const PAGE: usize = 50;
/// How many ticks (about a second each) a status message stays (an error: once a key was
/// pressed after it appeared).
const STATUS_TICKS: u8 = 6;
/// How many status messages the messages overlay (`m`) keeps.
const MESSAGES_KEPT: usize = 100;

/// Where the keys go when no overlay is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Typing in the query line; arrows move the selection.
    Query,
    /// Keys are commands on the result list (`j`/`k`, `a`, `o`, …).
    List,
    /// One talk on the whole screen.
    Detail,
}

/// What a capture line adds to a talk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CaptureKind {
    Takeaway,
    Tool,
    Link,
    Tags,
}

impl CaptureKind {
    pub const ALL: [CaptureKind; 4] = [
        CaptureKind::Takeaway,
        CaptureKind::Tool,
        CaptureKind::Link,
        CaptureKind::Tags,
    ];

    pub fn prompt(self) -> &'static str {
        match self {
            CaptureKind::Takeaway => "takeaway",
            CaptureKind::Tool => "tool: name [url]",
            CaptureKind::Link => "link: url [title]",
            CaptureKind::Tags => "tags: space or comma separated",
        }
    }

    /// One word for it, in messages and draft file names.
    pub fn name(self) -> &'static str {
        match self {
            CaptureKind::Takeaway => "takeaway",
            CaptureKind::Tool => "tool",
            CaptureKind::Link => "link",
            CaptureKind::Tags => "tags",
        }
    }
}

/// The one-line input of `a`, `t`, `l` and `#`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureLine {
    pub kind: CaptureKind,
    pub target: TalkRef,
    pub title: String,
    pub input: LineInput,
    /// Lines of a multi-line paste still to be saved after the input's (a save failed half
    /// way): Enter saves them too.
    pub pending: Vec<String>,
    /// Lines saved since it opened.
    pub saved: usize,
    /// The last save failed: Esc now closes the line and keeps the text as a draft.
    pub failed: bool,
    /// Close once the save asked for is done (Esc saves, then closes).
    pub closing: bool,
}

impl CaptureLine {
    pub fn new(kind: CaptureKind, target: TalkRef, title: String) -> CaptureLine {
        CaptureLine {
            kind,
            target,
            title,
            input: LineInput::default(),
            pending: Vec::new(),
            saved: 0,
            failed: false,
            closing: false,
        }
    }

    /// The lines waiting to be saved: the input's, then the pending ones; blank lines are
    /// not captures.
    pub fn lines(&self) -> Vec<String> {
        std::iter::once(self.input.text().to_owned())
            .chain(self.pending.iter().cloned())
            .filter(|line| !line.trim().is_empty())
            .collect()
    }

    /// Puts lines (a draft, what a failed save left) back: the first in the input, the rest
    /// pending.
    pub fn restore(&mut self, text: &str) {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        self.input.set(lines.next().unwrap_or_default());
        self.pending = lines.map(str::to_owned).collect();
    }

    pub fn key(&self) -> DraftKey {
        (self.target.clone(), self.kind)
    }
}

/// Something drawn over the main screen that takes the keys while it is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    /// Every key binding; scrolls.
    Help {
        scroll: usize,
    },
    /// Every status message so far, newest first, in full; scrolls.
    Messages {
        scroll: usize,
    },
    Capture(CaptureLine),
    NewTalk(NewTalkForm),
    Facets(Picker),
    /// The current event's talks in progress and next (`c`).
    NowNext(super::standing::NowNext),
}

/// The talk shown in the preview pane or the detail screen, as read from its file.
#[derive(Debug, Clone)]
pub struct Preview {
    pub id: TalkRef,
    pub talk: std::result::Result<Talk, String>,
    pub event_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub text: String,
    pub error: bool,
    pub(super) ticks: u8,
    /// A key was pressed since it appeared (an error fades only then).
    pub(super) seen: bool,
}

/// Sizes measured by the last draw, used for paging and scrolling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewport {
    /// Result items that fit in the list.
    pub list_items: usize,
    /// Text rows of the detail screen.
    pub detail_rows: usize,
    /// How far the detail screen can scroll (its wrapped length less one screen).
    pub detail_max_scroll: usize,
    /// How far the help or messages overlay can scroll, and its rows.
    pub overlay_max_scroll: usize,
    pub overlay_rows: usize,
}

impl Default for Viewport {
    fn default() -> Self {
        Viewport {
            list_items: 10,
            detail_rows: 20,
            detail_max_scroll: usize::MAX,
            overlay_max_scroll: usize::MAX,
            overlay_rows: 10,
        }
    }
}

pub struct App {
    /// The search engine is open (searches can run).
    pub(super) ready: bool,
    /// A refresh is under way; another is not asked for until it is back.
    pub(super) refreshing: bool,
    pub(super) query: LineInput,
    pub(super) filters: Vec<Filter>,
    /// The query text of the results on screen; `None` forces a search.
    pub(super) searched: Option<String>,
    /// The query text of the last search run, to tell a new query from a repeated one.
    pub(super) last_query: Option<String>,
    pub(super) limit: usize,
    pub(super) hits: Vec<Hit>,
    pub(super) warnings: Vec<String>,
    /// What the query's words matched besides themselves (concept search).
    pub(super) expansions: Vec<Expansion>,
    pub(super) selected: usize,
    pub(super) offset: usize,
    pub(super) mode: Mode,
    pub(super) overlay: Option<Overlay>,
    pub(super) detail: Option<TalkRef>,
    pub(super) detail_scroll: usize,
    pub(super) preview: Option<Preview>,
    /// The talk whose note was asked for, until it arrives.
    pub(super) preview_wanted: Option<TalkRef>,
    pub(super) facets: Option<Facets>,
    pub(super) facets_wanted: bool,
    /// Files changed on disk (or this app wrote one): the index should catch up.
    pub(super) refresh_wanted: bool,
    pub(super) status: Option<Status>,
    /// What the status line said, newest last (`m` shows them).
    pub(super) messages: VecDeque<Status>,
    /// Capture lines not saved yet, by talk and kind: what the drafts on disk should hold.
    pub(super) drafts: BTreeMap<DraftKey, String>,
    /// What the drafts on disk hold (as last written or read).
    pub(super) drafts_on_disk: BTreeMap<DraftKey, String>,
    /// The new-talk form as Esc left it, offered again by the next `n`.
    pub(super) form_left: Option<NewTalkForm>,
    pub(super) jobs: Vec<Job>,
    pub(super) effects: Vec<Effect>,
    pub(super) viewport: Viewport,
    pub(super) quit: bool,
    /// Searches asked for so far (tests check that a burst of keys costs one search).
    pub(super) searches: usize,
}

impl Default for App {
    fn default() -> Self {
        App::new()
    }
}

impl App {
    /// A TUI before its search engine is open (see [`App::opened`]), so a first frame can be
    /// drawn before that possibly slow step.
    pub fn new() -> App {
        App {
            ready: false,
            refreshing: false,
            query: LineInput::default(),
            filters: Vec::new(),
            searched: None,
            last_query: None,
            limit: PAGE,
            hits: Vec::new(),
            warnings: Vec::new(),
            expansions: Vec::new(),
            selected: 0,
            offset: 0,
            mode: Mode::Query,
            overlay: None,
            detail: None,
            detail_scroll: 0,
            preview: None,
            preview_wanted: None,
            facets: None,
            facets_wanted: false,
            refresh_wanted: false,
            status: None,
            messages: VecDeque::new(),
            drafts: BTreeMap::new(),
            drafts_on_disk: BTreeMap::new(),
            form_left: None,
            // Drafts a previous run left come back first.
            jobs: vec![Job::LoadDrafts],
            effects: Vec::new(),
            viewport: Viewport::default(),
            quit: false,
            searches: 0,
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    pub fn overlay(&self) -> Option<&Overlay> {
        self.overlay.as_ref()
    }

    pub fn query(&self) -> &LineInput {
        &self.query
    }

    pub fn filters(&self) -> &[Filter] {
        &self.filters
    }

    pub fn hits(&self) -> &[Hit] {
        &self.hits
    }

    /// The one line saying what the query's words also matched, for the status row:
    /// `also: コンテナ` for one word, `also: container → コンテナ · 監視 → Monitoring, …`
    /// for several. `None` when no word named a concept.
    pub fn also(&self) -> Option<String> {
        const MOST: usize = 4;
        let others = |e: &Expansion| {
            let texts: Vec<&str> = e.others().map(|s| s.spelling.term.text.as_str()).collect();
            let mut shown = texts[..texts.len().min(MOST)].join(", ");
            if texts.len() > MOST {
                shown.push_str(&format!(", +{}", texts.len() - MOST));
            }
            shown
        };
        match self.expansions.as_slice() {
            [] => None,
            [one] => Some(format!("also: {}", others(one))),
            many => Some(format!(
                "also: {}",
                many.iter()
                    .map(|e| format!("{} → {}", e.word, others(e)))
                    .collect::<Vec<_>>()
                    .join(" · ")
            )),
        }
    }

    pub fn selected(&self) -> usize {
        self.selected
    }

    pub fn preview(&self) -> Option<&Preview> {
        self.preview.as_ref()
    }

    pub fn status(&self) -> Option<&Status> {
        self.status.as_ref()
    }

    /// Whether the search engine is open.
    pub fn has_index(&self) -> bool {
        self.ready
    }

    /// Whether the search may have more results than fetched so far.
    pub fn has_more(&self) -> bool {
        self.hits.len() == self.limit
    }

    /// How many searches were asked for (one per batch of input that changed the query).
    pub fn search_count(&self) -> usize {
        self.searches
    }

    /// The talk on the detail screen, if it is open.
    pub fn detail(&self) -> Option<&TalkRef> {
        self.detail.as_ref()
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Whether keys are text for an input (query line, capture line, form, facet filter).
    pub fn typing(&self) -> bool {
        match &self.overlay {
            Some(Overlay::Help { .. } | Overlay::Messages { .. } | Overlay::NowNext(_)) => false,
            Some(_) => true,
            None => self.mode == Mode::Query,
        }
    }

    /// Capture lines not saved yet (kept as drafts on disk), by talk and kind.
    pub fn drafts(&self) -> &BTreeMap<DraftKey, String> {
        &self.drafts
    }

    /// Every status message so far, oldest first.
    pub fn messages(&self) -> impl DoubleEndedIterator<Item = &Status> {
        self.messages.iter()
    }

    /// Where the keys go, for the key bindings.
    pub fn context(&self) -> super::input::Context {
        use super::input::Context;
        match (&self.overlay, self.mode) {
            (Some(Overlay::Help { .. } | Overlay::Messages { .. }), _) => Context::Help,
            (Some(Overlay::NowNext(_)), _) => Context::NowNext,
            (Some(_), _) | (None, Mode::Query) => Context::Typing,
            (None, Mode::List) => Context::List,
            (None, Mode::Detail) => Context::Detail,
        }
    }

    /// The effects queued by the last updates, for the event loop to carry out.
    pub fn take_effects(&mut self) -> Vec<Effect> {
        std::mem::take(&mut self.effects)
    }

    /// The jobs queued by the last updates and syncs, for the worker.
    pub fn take_jobs(&mut self) -> Vec<Job> {
        std::mem::take(&mut self.jobs)
    }

    /// Whether facet counts are needed (the picker is open or about to be) and missing.
    pub fn wants_facets(&self) -> bool {
        self.facets_wanted
    }

    /// Asks for facet counts to be computed (see [`App::wants_facets`]).
    pub(super) fn request_facets(&mut self) {
        self.facets_wanted = true;
    }

    /// Facet counts computed by the worker.
    pub fn set_facets(&mut self, facets: Facets) {
        self.facets = Some(facets);
        self.facets_wanted = false;
    }

    pub fn set_viewport(&mut self, viewport: Viewport) {
        self.viewport = viewport;
        self.keep_selection_visible();
        if let Some(Overlay::Help { scroll } | Overlay::Messages { scroll }) = &mut self.overlay {
            *scroll = (*scroll).min(viewport.overlay_max_scroll);
        }
    }

    pub(super) fn set_status(&mut self, text: impl Into<String>, error: bool) {
        let status = Status {
            text: text.into(),
            error,
            ticks: STATUS_TICKS,
            seen: false,
        };
        if self.messages.back().map(|m| (&m.text, m.error)) != Some((&status.text, error)) {
            if self.messages.len() == MESSAGES_KEPT {
                self.messages.pop_front();
            }
            self.messages.push_back(status.clone());
        }
        self.status = Some(status);
    }

    pub(super) fn set_error(&mut self, error: &Error) {
        self.set_status(error_text(error, STATUS_HINT), true);
    }

    pub(super) fn push_effect(&mut self, effect: Effect) {
        self.effects.push(effect);
    }

    pub(super) fn push_job(&mut self, job: Job) {
        self.jobs.push(job);
    }

    /// Applies one action. Cheap: searching and reading notes wait for [`App::sync`].
    pub fn update(&mut self, action: Action) {
        match action {
            Action::Tick => {
                self.refresh_wanted = true;
                return;
            }
            Action::Resize(..) => return,
            Action::Quit => {
                self.quit = true;
                return;
            }
            _ => {}
        }
        // A key was pressed: an error on the status line has been seen and may fade now.
        if let Some(status) = &mut self.status {
            status.seen = true;
        }
        if self.overlay.is_some() {
            return self.update_overlay(action);
        }
        if self.mode != Mode::Query && is_text_edit(&action) {
            // Text and line editing in the list or the detail screen go to the query line:
            // typing (Japanese from an IME, a paste) is never dropped, and Ctrl-u means the
            // same everywhere.
            self.mode = Mode::Query;
            self.detail = None;
        }
        if self.mode == Mode::Query && self.edit(action.clone(), Target::Query) {
            return;
        }
        match (self.mode, action) {
            (Mode::Detail, Action::Up) => self.scroll_detail(-1),
            (Mode::Detail, Action::Down) => self.scroll_detail(1),
            (Mode::Detail, Action::PageUp) => self.scroll_detail(-self.page_rows()),
            (Mode::Detail, Action::PageDown) => self.scroll_detail(self.page_rows()),
            (Mode::Detail, Action::Top) => self.detail_scroll = 0,
            (Mode::Detail, Action::Bottom) => self.scroll_detail(isize::MAX / 2),
            (Mode::Detail, Action::Back) => {
                self.mode = Mode::List;
                self.detail = None;
            }
            (_, Action::Up) => self.select_by(-1),
            (_, Action::Down) => self.select_by(1),
            (_, Action::PageUp) => self.select_by(-self.page_items()),
            (_, Action::PageDown) => self.select_by(self.page_items()),
            (_, Action::Top) => self.select(0),
            (_, Action::Bottom) => self.select(self.hits.len().saturating_sub(1)),
            (_, Action::Confirm) => self.open_detail(),
            (Mode::Query, Action::Back | Action::FocusList | Action::NextField) => {
                self.mode = Mode::List
            }
            (Mode::List, Action::Back) => self.quit = true,
            (_, Action::FocusQuery) => {
                self.mode = Mode::Query;
                self.detail = None;
            }
            (_, Action::Help) => self.overlay = Some(Overlay::Help { scroll: 0 }),
            (_, Action::Messages) => self.overlay = Some(Overlay::Messages { scroll: 0 }),
            (_, Action::Reload) => self.reload(),
            (_, Action::Facets) => self.open_facets(),
            (_, Action::ClearFilters) => {
                self.filters.clear();
                self.set_status("filters cleared", false);
            }
            (_, Action::NewTalk) => self.push_job(Job::NewTalkForm),
            (_, Action::AddTakeaway) => self.open_capture(CaptureKind::Takeaway),
            (_, Action::AddTool) => self.open_capture(CaptureKind::Tool),
            (_, Action::AddLink) => self.open_capture(CaptureKind::Link),
            (_, Action::AddTags) => self.open_capture(CaptureKind::Tags),
            (_, Action::OpenUrl) => self.open_url(),
            (_, Action::CopyUrl) => self.copy_url(),
            (_, Action::ToggleStar) => {
                self.change_standing(Standing::Status(StatusChange::Toggle(TalkStatus::Planned)))
            }
            (_, Action::ToggleWatchLater) => {
                self.change_standing(Standing::Status(StatusChange::Toggle(TalkStatus::ToWatch)))
            }
            (_, Action::ToggleWatched) => {
                self.change_standing(Standing::Status(StatusChange::Toggle(TalkStatus::Watched)))
            }
            (_, Action::Rate(n)) => self.change_standing(Standing::Rate(Rating::new(n))),
            (_, Action::NowNext) => self.open_now_next(),
            (_, Action::Edit) => match self.focused() {
                Some(id) => self.push_effect(Effect::Edit(NoteKey::Talk(id))),
                None => self.set_status("no talk selected", true),
            },
            _ => {}
        }
    }

    /// Applies a text-editing action to an input; returns whether it was one.
    pub(super) fn edit(&mut self, action: Action, target: Target) -> bool {
        let input = match target {
            Target::Query => &mut self.query,
            Target::Overlay => match &mut self.overlay {
                Some(Overlay::Capture(line)) => &mut line.input,
                Some(Overlay::NewTalk(form)) => form.input_mut(),
                Some(Overlay::Facets(picker)) => &mut picker.filter,
                _ => return false,
            },
        };
        match action {
            Action::Insert(c) => input.insert(c),
            Action::Paste(text) => input.insert_str(&text),
            Action::Backspace if target == Target::Query && input.cursor() == 0 => {
                // Backspace at the start of the query line removes the last filter.
                self.filters.pop();
            }
            Action::Backspace => input.backspace(),
            Action::Delete => input.delete(),
            Action::CursorLeft => input.left(),
            Action::CursorRight => input.right(),
            Action::CursorHome => input.home(),
            Action::CursorEnd => input.end(),
            Action::DeleteWord => input.delete_word(),
            Action::DeleteToStart => input.delete_to_start(),
            Action::DeleteToEnd => input.delete_to_end(),
            _ => return false,
        }
        true
    }

    /// The talk commands apply to: the one on the detail screen, else the selected result.
    pub fn focused(&self) -> Option<TalkRef> {
        if self.mode == Mode::Detail {
            return self.detail.clone();
        }
        self.hits.get(self.selected).map(|hit| hit.id.clone())
    }

    fn open_detail(&mut self) {
        if let Some(id) = self.focused() {
            self.detail = Some(id);
            self.detail_scroll = 0;
            self.mode = Mode::Detail;
        }
    }

    /// Shows one talk on the detail screen (after creating it, say).
    pub(super) fn show_detail(&mut self, id: TalkRef) {
        self.detail = Some(id);
        self.detail_scroll = 0;
        self.mode = Mode::Detail;
    }

    fn page_items(&self) -> isize {
        self.viewport.list_items.max(1) as isize
    }

    fn page_rows(&self) -> isize {
        self.viewport.detail_rows.saturating_sub(2).max(1) as isize
    }

    fn scroll_detail(&mut self, by: isize) {
        self.detail_scroll = self
            .detail_scroll
            .saturating_add_signed(by)
            .min(self.viewport.detail_max_scroll);
    }

    fn select_by(&mut self, by: isize) {
        let target = self.selected.saturating_add_signed(by);
        self.select(target);
    }

    fn select(&mut self, index: usize) {
        self.selected = index.min(self.hits.len().saturating_sub(1));
        // Near the end of a full page: fetch more.
        if self.hits.len() == self.limit && self.selected + self.page_items() as usize >= self.limit
        {
            self.limit += PAGE;
            self.searched = None;
        }
        self.keep_selection_visible();
    }

    pub(super) fn keep_selection_visible(&mut self) {
        let visible = self.viewport.list_items.max(1);
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + visible {
            self.offset = self.selected + 1 - visible;
        }
        self.offset = self.offset.min(self.hits.len().saturating_sub(1));
    }
}

/// Whether an action edits a line of text (typed text, a paste, cursor moves, deletions).
fn is_text_edit(action: &Action) -> bool {
    matches!(
        action,
        Action::Insert(_)
            | Action::Paste(_)
            | Action::Backspace
            | Action::Delete
            | Action::CursorLeft
            | Action::CursorRight
            | Action::CursorHome
            | Action::CursorEnd
            | Action::DeleteWord
            | Action::DeleteToStart
            | Action::DeleteToEnd
    )
}

/// An error as the TUI shows it: each message followed by its hint, `before_hint` between
/// them (` — hint: ` on the status line and in forms, a line break in the preview).
pub(super) fn error_text(error: &Error, before_hint: &str) -> String {
    error
        .hints()
        .into_iter()
        .map(|(message, hint)| match hint {
            Some(hint) => format!("{message}{before_hint}{hint}"),
            None => message,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Between a message and its hint on the status line and in forms.
pub(super) const STATUS_HINT: &str = " — hint: ";

/// Which input a text-editing action goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Target {
    Query,
    Overlay,
}
