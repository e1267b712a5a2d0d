//! What happens while an overlay has the keys: the help screen, the capture line (`a`, `t`,
//! `l`), the new-talk form (`n`) and the facet picker (`f`).
//!
//! Enter on the capture line or the form asks the worker to save ([`Job::Capture`],
//! [`Job::CreateTalk`]); the session runs that job before the next key is read (each is one
//! small locked read-modify-write of one file, well under a frame), which is what guarantees
//! that a line the user saw accepted is already on disk. The line clears only once the save
//! is reported done, so a failed save keeps the typed text in the input and nothing is lost.

use crate::display;
use crate::error::Result;
use crate::note::{Slug, Talk, TalkRef};

use super::action::{Action, Job};
use super::app::{App, CaptureKind, CaptureLine, Mode, Overlay, STATUS_HINT, Target, error_text};
use super::facets::{FacetKind, Filter, Picker};
use super::form::{LineInput, NewTalkForm};

impl App {
    pub(super) fn update_overlay(&mut self, action: Action) {
        if matches!(self.overlay, Some(Overlay::Help)) {
            self.overlay = None;
            return;
        }
        if matches!(self.overlay, Some(Overlay::NowNext(_))) {
            return self.update_now_next(action);
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
            Some(Overlay::Capture(_)) => {
                if action == Action::Confirm {
                    self.save_capture();
                }
            }
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
            Some(Overlay::Help | Overlay::NowNext(_)) | None => {}
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
        self.overlay = Some(Overlay::Capture(CaptureLine {
            kind,
            target,
            title,
            input: LineInput::default(),
            saved: 0,
        }));
    }

    fn save_capture(&mut self) {
        let Some(Overlay::Capture(line)) = &self.overlay else {
            return;
        };
        let (kind, target, text) = (line.kind, line.target.clone(), line.input.text().to_owned());
        if text.trim().is_empty() {
            // Enter on an empty line is done.
            self.overlay = None;
            return;
        }
        self.push_job(Job::Capture { kind, target, text });
    }

    /// A capture was saved (the note as it now is, and what to say), or it failed.
    pub fn captured(
        &mut self,
        kind: CaptureKind,
        target: &TalkRef,
        result: Result<(Option<Talk>, String)>,
    ) {
        match result {
            Ok((talk, message)) => {
                if let Some(talk) = talk {
                    self.note_saved(target, talk);
                }
                self.set_status(message, false);
                match &mut self.overlay {
                    // The takeaway line stays open for the next one.
                    Some(Overlay::Capture(line)) if kind == CaptureKind::Takeaway => {
                        line.input.clear();
                        line.saved += 1;
                    }
                    _ => self.overlay = None,
                }
            }
            // The text stays in the input, so it can be saved again once fixed.
            Err(e) => self.set_error(&e),
        }
    }

    /// Opens the new-talk form on `current_event` (the current event, as the worker read it),
    /// else the focused talk's event.
    pub fn open_new_talk(&mut self, current_event: Option<Slug>) {
        let event = current_event.or_else(|| self.focused().map(|id| id.event));
        self.overlay = Some(Overlay::NewTalk(NewTalkForm::new(event.as_ref())));
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
        if self.mode == Mode::Detail {
            self.mode = Mode::List;
        }
    }
}

fn switch_kind(picker: &mut Picker, by: usize) {
    picker.kind_index = (picker.kind_index + by) % FacetKind::ALL.len();
    picker.selected = 0;
    picker.filter.clear();
}
