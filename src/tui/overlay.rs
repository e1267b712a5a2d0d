//! What happens while an overlay has the keys: the help and messages screens, the capture
//! line (`a`, `t`, `l`, `#`), the new-talk form (`n`) and the facet picker (`f`).
//!
//! Enter on the capture line or the form asks the worker to save ([`Job::Capture`],
//! [`Job::CreateTalk`]); the session runs that job before the next key is read (each is one
//! small locked read-modify-write of one file, well under a frame), which is what guarantees
//! that a line the user saw accepted is already on disk. The line clears only once the save
//! is reported done, so a failed save keeps the typed text in the input and nothing is lost.
//! Nothing typed on a capture line is ever thrown away: Esc saves it too (Ctrl-u clears the
//! line first for those who did not mean it), a multi-line paste is one capture per line (as
//! `tn jot -` reads them), and until it is saved it is kept as a draft on disk
//! ([`super::drafts`]) that survives a quit, a crash and a closed terminal.

use crate::display;
use crate::error::{Error, Result};
use crate::note::{Date, Slug, Talk, TalkRef};

use super::action::{Action, Job};
use super::app::{App, CaptureKind, CaptureLine, Mode, Overlay, STATUS_HINT, Target, error_text};
use super::facets::{FacetKind, Filter, Picker};
use super::form::{EventDays, Field, LineInput, NewTalkForm};
use super::sync::kind_key;

/// What the worker did with the lines of a capture: how many it saved (in order), the note as
/// it now is, what to say, and why it stopped before the end.
#[derive(Debug)]
pub struct Captured {
    pub saved: usize,
    pub talk: Option<Talk>,
    pub message: Option<String>,
    pub error: Option<Error>,
}

impl App {
    pub(super) fn update_overlay(&mut self, action: Action) {
        match &mut self.overlay {
            Some(Overlay::Help { scroll } | Overlay::Messages { scroll }) => {
                let max = self.viewport.overlay_max_scroll;
                let page = self.viewport.overlay_rows.saturating_sub(1).max(1);
                match action {
                    Action::Up => *scroll = scroll.saturating_sub(1),
                    Action::Down => *scroll = scroll.saturating_add(1).min(max),
                    Action::PageUp => *scroll = scroll.saturating_sub(page),
                    Action::PageDown => *scroll = scroll.saturating_add(page).min(max),
                    Action::Top => *scroll = 0,
                    Action::Bottom => *scroll = max,
                    _ => self.overlay = None,
                }
                return;
            }
            Some(Overlay::Capture(_)) => return self.update_capture(action),
            Some(Overlay::NewTalk(_)) if action == Action::Back => {
                if let Some(Overlay::NewTalk(form)) = self.overlay.take()
                    && form.touched()
                {
                    self.form_left = Some(form);
                    self.set_status("form closed; n brings it back as you left it", false);
                }
                return;
            }
            Some(Overlay::NewTalk(form)) if form.field() == Field::Kind => {
                // A choice, not text: ← → (or Space, or a first letter) pick the kind.
                match action {
                    Action::CursorLeft => return form.cycle_kind(-1),
                    Action::CursorRight | Action::Insert(' ') => return form.cycle_kind(1),
                    Action::Insert(c) => return form.pick_kind(c),
                    Action::NextField
                    | Action::PrevField
                    | Action::Up
                    | Action::Down
                    | Action::Confirm => {}
                    _ => return,
                }
            }
            _ => {}
        }
        if action == Action::Back {
            self.overlay = None;
            return;
        }
        let is_facets = matches!(self.overlay, Some(Overlay::Facets(_)));
        if self.edit(action.clone(), Target::Overlay) {
            if is_facets && let Some(Overlay::Facets(picker)) = &mut self.overlay {
                picker.selected = 0;
            }
            return;
        }
        match &mut self.overlay {
            Some(Overlay::NewTalk(form)) => match action {
                Action::NextField | Action::Down => form.next(),
                Action::PrevField | Action::Up => form.prev(),
                Action::Confirm => self.create_talk(),
                _ => {}
            },
            Some(Overlay::Facets(picker)) => {
                let count = self
                    .facets
                    .as_ref()
                    .map_or(0, |facets| picker.visible(facets).len());
                let page = self.viewport.list_items.max(1) * 2;
                let last = count.saturating_sub(1);
                match action {
                    Action::NextField => switch_kind(picker, 1),
                    Action::PrevField => switch_kind(picker, FacetKind::ALL.len() - 1),
                    Action::Up => picker.selected = picker.selected.saturating_sub(1),
                    Action::Down => picker.selected = (picker.selected + 1).min(last),
                    Action::PageUp => picker.selected = picker.selected.saturating_sub(page),
                    Action::PageDown => picker.selected = (picker.selected + page).min(last),
                    Action::Top => picker.selected = 0,
                    Action::Bottom => picker.selected = last,
                    Action::Confirm => self.pick_facet(),
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// Keys on the capture line: Enter saves, Esc saves and closes, a multi-line paste saves
    /// one capture per line, everything else edits the line.
    fn update_capture(&mut self, action: Action) {
        match action {
            Action::Back => self.close_capture(),
            Action::Confirm => self.save_capture(false),
            Action::Paste(text) if text.contains(['\n', '\r']) => {
                let Some(Overlay::Capture(line)) = &mut self.overlay else {
                    return;
                };
                let (before, after) = line.input.text().split_at(line.input.cursor());
                let mut lines: Vec<String> = format!("{before}{text}{after}")
                    .split(['\n', '\r'])
                    .map(|l| LineInput::new(l).text().trim().to_owned())
                    .filter(|l| !l.is_empty())
                    .collect();
                lines.append(&mut line.pending);
                line.restore(&lines.join("\n"));
                self.save_capture(false);
            }
            other => {
                if self.edit(other, Target::Overlay)
                    && let Some(Overlay::Capture(line)) = &mut self.overlay
                {
                    line.failed = false;
                }
            }
        }
    }

    pub(super) fn open_capture(&mut self, kind: CaptureKind) {
        let Some(target) = self.focused() else {
            self.set_status("no talk selected: pick one, or press n to create one", true);
            return;
        };
        let title = self
            .preview
            .as_ref()
            .filter(|p| p.id == target)
            .and_then(|p| p.talk.as_ref().ok())
            .map(|t| t.title.clone())
            .or_else(|| {
                self.hits
                    .iter()
                    .find(|h| h.id == target)
                    .map(|h| h.title.clone())
            })
            .unwrap_or_else(|| target.to_string());
        let mut line = CaptureLine::new(kind, target, title);
        if let Some(text) = self.drafts.get(&line.key()) {
            line.restore(text);
            let more = match line.pending.len() {
                0 => String::new(),
                n => format!(" (and {n} more line(s))"),
            };
            self.set_status(
                format!(
                    "your unsaved {}{more} is back from its draft: Enter saves it, Ctrl-u clears it",
                    kind.name()
                ),
                false,
            );
        }
        self.overlay = Some(Overlay::Capture(line));
    }

    /// Enter (`closing` false) or Esc (true): saves every line the capture line holds; on an
    /// empty line it just closes.
    fn save_capture(&mut self, closing: bool) {
        let Some(Overlay::Capture(line)) = &mut self.overlay else {
            return;
        };
        let lines = line.lines();
        if lines.is_empty() {
            let key = line.key();
            self.overlay = None;
            self.drafts.remove(&key);
            return;
        }
        line.closing = closing;
        let (kind, target) = (line.kind, line.target.clone());
        self.push_job(Job::Capture {
            kind,
            target,
            lines,
        });
    }

    /// Esc: saves what is typed and closes; after a failed save, closes and keeps it as a
    /// draft instead (it comes back on the same key).
    fn close_capture(&mut self) {
        let Some(Overlay::Capture(line)) = &self.overlay else {
            return;
        };
        let lines = line.lines();
        if !line.failed || lines.is_empty() {
            return self.save_capture(true);
        }
        let (key, kind, target) = (line.key(), line.kind, line.target.clone());
        self.drafts.insert(key, lines.join("\n"));
        self.overlay = None;
        self.set_status(
            format!(
                "not saved: kept as a draft; {} on {target} brings it back",
                kind_key(kind)
            ),
            false,
        );
    }

    /// The lines of a capture were saved (all, or up to an error).
    pub fn captured(
        &mut self,
        kind: CaptureKind,
        target: &TalkRef,
        lines: &[String],
        outcome: Captured,
    ) {
        if let Some(talk) = outcome.talk {
            self.note_saved(target, talk);
        }
        let line = match &mut self.overlay {
            Some(Overlay::Capture(line)) if line.kind == kind && line.target == *target => {
                Some(line)
            }
            _ => None,
        };
        match outcome.error {
            None => {
                let mut close = None;
                if let Some(line) = line {
                    line.input.clear();
                    line.pending.clear();
                    line.saved += outcome.saved;
                    line.failed = false;
                    // The takeaway line stays open for the next one, unless Esc closed it.
                    if line.closing || kind != CaptureKind::Takeaway {
                        close = Some(line.key());
                    }
                }
                if let Some(key) = close {
                    self.overlay = None;
                    self.drafts.remove(&key);
                }
                if let Some(message) = outcome.message {
                    self.set_status(message, false);
                }
            }
            // What was not saved stays in the input, to be saved again once fixed.
            Some(e) => {
                let rest = lines.get(outcome.saved..).unwrap_or_default().join("\n");
                if let Some(line) = line {
                    line.restore(&rest);
                    line.saved += outcome.saved;
                    line.failed = true;
                    line.closing = false;
                }
                let done = match outcome.saved {
                    0 => String::new(),
                    n => format!("saved {n} of {} lines, then: ", lines.len()),
                };
                self.set_status(
                    format!(
                        "{done}{} — Enter tries again, Esc keeps it as a draft",
                        error_text(&e, STATUS_HINT)
                    ),
                    true,
                );
            }
        }
    }

    /// Opens the new-talk form on `current_event` (the current event, as the worker read it),
    /// else the focused talk's event; `events` are the dates of every event (for the date's
    /// default) and `today` the local date. A form closed with Esc comes back as it was left.
    pub fn open_new_talk(
        &mut self,
        current_event: Option<Slug>,
        events: Vec<EventDays>,
        today: Date,
    ) {
        if let Some(mut form) = self.form_left.take() {
            form.set_calendar(events, today);
            self.overlay = Some(Overlay::NewTalk(form));
            return;
        }
        let event = current_event.or_else(|| self.focused().map(|id| id.event));
        let mut form = NewTalkForm::new(event.as_ref());
        form.set_calendar(events, today);
        self.overlay = Some(Overlay::NewTalk(form));
    }

    fn create_talk(&mut self) {
        let Some(Overlay::NewTalk(form)) = &mut self.overlay else {
            return;
        };
        match form.spec() {
            Ok(spec) => self.push_job(Job::CreateTalk(spec)),
            Err(message) => form.error = Some(message),
        }
    }

    /// The form's talk was created (and made the current talk), or it could not be.
    pub fn talk_created(&mut self, result: Result<TalkRef>) {
        match result {
            Ok(id) => {
                self.overlay = None;
                self.form_left = None;
                self.set_status(
                    format!("created {id}; it is now the current talk — a adds takeaways"),
                    false,
                );
                self.show_detail(id);
                self.reload();
            }
            Err(e) => {
                if let Some(Overlay::NewTalk(form)) = &mut self.overlay {
                    form.error = Some(error_text(&e, STATUS_HINT));
                }
            }
        }
    }

    pub(super) fn open_facets(&mut self) {
        if self.facets.is_none() {
            self.request_facets();
        }
        let mut picker = Picker::default();
        // Start on the kind of the last filter picked, which is the likeliest next one.
        if let Some(last) = self.filters.last() {
            picker.kind_index = last.kind.index();
        }
        self.overlay = Some(Overlay::Facets(picker));
    }

    /// Enter in the picker: add the highlighted value as a filter, or remove it if active.
    fn pick_facet(&mut self) {
        let Some(Overlay::Facets(picker)) = &self.overlay else {
            return;
        };
        let Some(facets) = &self.facets else {
            return;
        };
        let kind = picker.kind();
        let Some(value) = picker
            .visible(facets)
            .get(picker.selected)
            .map(|v| v.value.clone())
        else {
            return;
        };
        let filter = Filter { kind, value };
        if let Some(i) = self.filters.iter().position(|f| *f == filter) {
            self.filters.remove(i);
            self.set_status(format!("removed {}", display::line(&filter.label())), false);
        } else {
            if kind.single_valued() {
                self.filters.retain(|f| f.kind != kind);
            }
            self.set_status(format!("filter {}", display::line(&filter.label())), false);
            self.filters.push(filter);
        }
        self.overlay = None;
        // What comes next is most likely typing: the keys go to the query line (arrows still
        // move the selection there).
        self.mode = Mode::Query;
        self.detail = None;
    }
}

fn switch_kind(picker: &mut Picker, by: usize) {
    picker.kind_index = (picker.kind_index + by) % FacetKind::ALL.len();
    picker.selected = 0;
    picker.filter.clear();
}
