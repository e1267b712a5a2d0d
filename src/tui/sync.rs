//! Keeping what is on screen true to the query and to the files on disk.
//!
//! `sync` runs once per batch of events: it searches only when the query text changed (or a
//! change on disk asked for a new search) and re-reads a note only when the focus moved to
//! another talk, so typing stays cheap however large the knowledge base. When files changed on
//! disk, the index catches up (on another thread when the event loop runs it) and the search
//! runs again, keeping the same talk selected.

use crate::display;
use crate::error::Result;
use crate::note::{Talk, TalkRef};
use crate::search::SearchRequest;
use crate::search::{Engine, RefreshReport, SearchEngine};

use super::action::Effect;
use super::app::{App, PAGE, Preview};
use super::facets::Filter;

impl App {
    /// The query as the search engine gets it: facet filters, then the typed text (last, so
    /// its last word still matches as a prefix).
    pub fn composed_query(&self) -> String {
        let mut parts: Vec<String> = self.filters.iter().map(Filter::query).collect();
        if !self.query.is_empty() {
            parts.push(self.query.text().to_owned());
        }
        parts.join(" ")
    }

    /// Brings derived state up to date: re-runs the search if the query changed (or a change
    /// on disk asked for it), and loads the note of the focused talk if the focus moved.
    pub fn sync(&mut self) {
        if self.refresh_wanted && self.index.is_some() {
            self.refresh();
        }
        let query = self.composed_query();
        if self.searched.as_deref() != Some(query.as_str()) && self.index.is_some() {
            self.search(query);
        }
        let focused = self.focused();
        if focused.is_none() {
            self.preview = None;
        } else if self.preview.as_ref().map(|p| &p.id) != focused.as_ref()
            && let Some(id) = focused
        {
            self.preview = Some(self.load_preview(id));
        }
    }

    pub(super) fn search(&mut self, query: String) {
        // A new query starts at the top with one page; the same query run again (a change on
        // disk, more results) keeps the selected talk selected.
        let same_query = self.last_query.as_deref() == Some(query.as_str());
        if !same_query {
            self.limit = PAGE;
        }
        let Some(index) = &mut self.index else {
            return;
        };
        let previous = self.hits.get(self.selected).map(|h| h.id.clone());
        let request = SearchRequest {
            query: query.clone(),
            limit: self.limit,
            prefix: true,
        };
        self.searches += 1;
        match index.search(&request) {
            Ok(results) => {
                self.hits = results.hits;
                self.warnings = results.warnings;
                if let Some(notice) = results.notice {
                    self.set_status(notice, false);
                }
            }
            Err(e) => {
                self.hits.clear();
                self.set_error(&e);
            }
        }
        self.searched = Some(query.clone());
        self.last_query = Some(query);
        let kept = previous
            .filter(|_| same_query)
            .and_then(|id| self.hits.iter().position(|h| h.id == id));
        match kept {
            Some(i) => self.selected = i,
            None if same_query => {}
            None => {
                self.selected = 0;
                self.offset = 0;
            }
        }
        self.selected = self.selected.min(self.hits.len().saturating_sub(1));
        self.keep_selection_visible();
    }

    pub(super) fn load_preview(&self, id: TalkRef) -> Preview {
        let talk = self
            .store
            .read_talk(&id)
            .map(|l| l.value)
            .map_err(|e| super::app::error_text(&e, "\n  hint: "));
        let event_name = self.store.read_event(&id.event).ok().map(|e| e.value.name);
        Preview {
            id,
            talk,
            event_name,
        }
    }

    /// The note changed (a capture): show the new version at once.
    pub(super) fn note_saved(&mut self, id: &TalkRef, talk: Talk) {
        if let Some(preview) = &mut self.preview
            && preview.id == *id
        {
            preview.talk = Ok(talk);
        }
        // The list (snippets, new talks) catches up through the index.
        self.refresh_wanted = true;
    }

    /// About a second passed: status messages fade.
    pub fn expire_status(&mut self) {
        if let Some(status) = &mut self.status {
            status.ticks = status.ticks.saturating_sub(1);
            if status.ticks == 0 {
                self.status = None;
            }
        }
    }

    /// Whether files changed on disk and the index should catch up (see [`App::take_index`]).
    pub fn refresh_wanted(&self) -> bool {
        self.refresh_wanted
    }

    /// Hands the index over for a refresh on another thread (the event loop does this, so a
    /// large knowledge base never stalls typing); searching waits until
    /// [`App::index_refreshed`] gives it back.
    pub fn take_index(&mut self) -> Option<Engine> {
        let index = self.index.take();
        if index.is_some() {
            self.refresh_wanted = false;
        }
        index
    }

    /// The index is back from a refresh (or was opened) elsewhere.
    pub fn index_refreshed(&mut self, index: Engine, report: Result<RefreshReport>) {
        self.index = Some(index);
        self.apply_report(report);
    }

    /// Looks for notes changed on disk (by this TUI, another `tn`, an editor, `git pull`)
    /// now, on this thread, and if there are any, searches again and re-reads the previewed
    /// note.
    pub fn refresh(&mut self) {
        let Some(index) = &mut self.index else {
            return;
        };
        self.refresh_wanted = false;
        let report = index.refresh();
        self.apply_report(report);
    }

    fn apply_report(&mut self, report: Result<RefreshReport>) {
        match report {
            Ok(report) => {
                if let Some(notice) = report.notice() {
                    self.set_status(notice, report.stale);
                }
                if report.indexed > 0 || report.removed > 0 || report.rebuilt.is_some() {
                    self.changed_on_disk();
                }
            }
            Err(e) => self.set_error(&e),
        }
    }

    pub(super) fn changed_on_disk(&mut self) {
        self.searched = None;
        self.preview = None;
        if self.facets.is_some() {
            self.facets_wanted = true;
        }
    }

    /// `r`, and after the editor: re-read the note now and the index soon.
    pub(super) fn reload(&mut self) {
        self.refresh_wanted = true;
        self.changed_on_disk();
    }

    /// The outcome of an effect, reported by the event loop.
    pub fn effect_done(&mut self, effect: &Effect, outcome: std::result::Result<String, String>) {
        if let Effect::Edit(_) = effect {
            self.reload();
        }
        match outcome {
            Ok(message) => self.set_status(message, false),
            Err(message) => self.set_status(message, true),
        }
    }

    pub(super) fn focused_url(&self) -> Option<String> {
        let id = self.focused()?;
        if let Some(preview) = &self.preview
            && preview.id == id
            && let Ok(talk) = &preview.talk
        {
            return talk.url.clone();
        }
        self.hits
            .iter()
            .find(|h| h.id == id)
            .and_then(|h| h.url.clone())
    }

    pub(super) fn open_url(&mut self) {
        match self.focused_url() {
            // Only web pages: a note's URL is user data, and a file: or custom scheme URL
            // handed to the desktop opener could run something.
            Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
                self.set_status(format!("opening {}", display::line(&url)), false);
                self.push_effect(Effect::OpenUrl(url));
            }
            Some(url) => self.set_status(
                format!(
                    "not opening `{}`: only http(s) URLs are opened (y copies it)",
                    display::line(&url)
                ),
                true,
            ),
            None => self.set_status("this talk has no URL", true),
        }
    }

    pub(super) fn copy_url(&mut self) {
        match self.focused_url() {
            Some(url) => self.push_effect(Effect::Copy(url)),
            None => self.set_status("this talk has no URL", true),
        }
    }
}
