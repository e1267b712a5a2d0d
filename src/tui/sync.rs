//! Keeping what is on screen true to the query and to the files on disk.
//!
//! `sync` runs once per batch of events: it asks for a search only when the query text
//! changed (or a change on disk asked for a new search) and for a note only when the focus
//! moved to another talk, so typing stays cheap however large the knowledge base. When files
//! changed on disk, it asks for a refresh of the index, after which the search runs again,
//! keeping the same talk selected. What the worker finds comes back through the methods
//! below (`opened`, `searched`, `refreshed`, `previewed`). The drafts on disk are kept true to
//! what the capture lines hold the same way (see [`super::drafts`]).

use std::collections::BTreeMap;

use crate::display;
use crate::error::Result;
use crate::note::{Talk, TalkRef};
use crate::search::{RefreshReport, SearchRequest, SearchResults};

use super::action::{Effect, Job};
use super::app::{App, CaptureKind, Overlay, PAGE, Preview, STATUS_HINT, error_text};
use super::drafts::DraftKey;
use super::facets::Filter;

/// The key that opens the capture line of `kind`.
pub(super) fn kind_key(kind: CaptureKind) -> char {
    match kind {
        CaptureKind::Takeaway => 'a',
        CaptureKind::Tool => 't',
        CaptureKind::Link => 'l',
        CaptureKind::Tags => '#',
    }
}

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

    /// Asks for what derived state needs: a refresh after a change on disk, a search if the
    /// query changed (or a change on disk asked for it), the note of the focused talk if the
    /// focus moved, facet counts if they are wanted. Pure: the jobs are queued (see
    /// [`App::take_jobs`]).
    pub fn sync(&mut self) {
        if self.refresh_wanted && self.ready && !self.refreshing {
            self.refresh_wanted = false;
            self.refreshing = true;
            self.push_job(Job::Refresh);
        }
        let query = self.composed_query();
        // During a refresh the search waits for it: its results will be the fresh ones.
        if self.ready && !self.refreshing && self.searched.as_deref() != Some(query.as_str()) {
            // A new query starts with one page; the same one again (a change on disk, more
            // results) keeps its length.
            if self.last_query.as_deref() != Some(query.as_str()) {
                self.limit = PAGE;
            }
            self.searches += 1;
            self.searched = Some(query.clone());
            self.push_job(Job::Search(SearchRequest {
                query,
                limit: self.limit,
                prefix: true,
                literal: false,
                prefix_fallback: false,
            }));
        }
        match self.focused() {
            None => {
                self.preview = None;
                self.preview_wanted = None;
            }
            Some(id) => {
                if self.preview.as_ref().map(|p| &p.id) != Some(&id)
                    && self.preview_wanted.as_ref() != Some(&id)
                {
                    self.preview_wanted = Some(id.clone());
                    self.push_job(Job::Preview(id));
                }
            }
        }
        if self.facets_wanted {
            self.facets_wanted = false;
            self.push_job(Job::Facets);
        }
        self.sync_drafts();
    }

    /// Asks for the drafts on disk to match what the capture lines hold: the open line's text
    /// after every burst of keys, so a crash or a quit loses nothing typed.
    fn sync_drafts(&mut self) {
        if let Some(Overlay::Capture(line)) = &self.overlay {
            let key = line.key();
            let text = line.lines().join("\n");
            if text.is_empty() {
                self.drafts.remove(&key);
            } else if self.drafts.get(&key) != Some(&text) {
                self.drafts.insert(key, text);
            }
        }
        if self.drafts == self.drafts_on_disk {
            return;
        }
        let mut jobs = Vec::new();
        for (key, text) in &self.drafts {
            if self.drafts_on_disk.get(key) != Some(text) {
                jobs.push(Job::Draft {
                    key: key.clone(),
                    text: Some(text.clone()),
                });
            }
        }
        for key in self.drafts_on_disk.keys() {
            if !self.drafts.contains_key(key) {
                jobs.push(Job::Draft {
                    key: key.clone(),
                    text: None,
                });
            }
        }
        self.drafts_on_disk = self.drafts.clone();
        self.jobs.extend(jobs);
    }

    /// The drafts a previous run left (read by the worker at start), and what could not be
    /// read of them.
    pub fn drafts_loaded(&mut self, drafts: BTreeMap<DraftKey, String>, problems: Vec<String>) {
        for problem in problems {
            self.set_status(problem, true);
        }
        if drafts.is_empty() {
            return;
        }
        for ((talk, kind), text) in &drafts {
            let first = text.lines().next().unwrap_or_default();
            self.set_status(
                format!(
                    "kept from last time, not saved yet: {} for {talk}: “{}” — select that talk and press {} to finish it",
                    kind.name(),
                    display::line(first),
                    kind_key(*kind)
                ),
                false,
            );
        }
        if drafts.len() > 1 {
            self.set_status(
                format!(
                    "{} lines typed last time were kept as drafts (m lists them); each comes back on its talk's capture key",
                    drafts.len()
                ),
                false,
            );
        }
        // Drafts of this run (typed before the index opened) win over old ones.
        for (key, text) in drafts {
            self.drafts_on_disk
                .entry(key.clone())
                .or_insert(text.clone());
            self.drafts.entry(key).or_insert(text);
        }
    }

    /// A draft could not be written or removed.
    pub fn draft_failed(&mut self, error: &crate::error::Error) {
        self.set_status(
            format!(
                "could not keep the line as a draft: {}",
                error_text(error, STATUS_HINT)
            ),
            true,
        );
    }

    /// One line for the shell after the TUI ended, when lines were left unsaved.
    pub fn drafts_note(&self) -> Option<String> {
        if self.drafts.is_empty() {
            return None;
        }
        let which: Vec<String> = self
            .drafts
            .keys()
            .map(|(talk, kind)| format!("{} for {talk}", kind.name()))
            .collect();
        Some(format!(
            "not saved yet, kept as a draft: {}; run tn, select the talk and press its key (a, t, l, #) to finish it",
            which.join(", ")
        ))
    }

    /// The search engine is open (or could not be opened: then the TUI cannot search).
    pub fn opened(&mut self, report: Result<RefreshReport>) {
        self.ready = report.is_ok();
        self.apply_report(report);
    }

    /// The results of the search for `query`. Results of a query no longer wanted (the user
    /// typed on meanwhile) are dropped.
    pub fn searched(&mut self, query: &str, results: Result<SearchResults>) {
        if self.searched.as_deref() != Some(query) {
            return;
        }
        // The same query run again (a change on disk, more results) keeps the selected talk.
        let same_query = self.last_query.as_deref() == Some(query);
        let previous = self.hits.get(self.selected).map(|h| h.id.clone());
        match results {
            Ok(results) => {
                self.expansions = results.expansions().cloned().collect();
                self.hits = results.hits;
                self.warnings = results.warnings;
                self.warnings
                    .extend(results.concepts_problems.first().map(|p| {
                        format!("{p}; your concepts are not used until it is fixed (`tn check`)")
                    }));
                if let Some(notice) = results.notice {
                    self.set_status(notice, false);
                }
            }
            Err(e) => {
                self.hits.clear();
                self.set_error(&e);
            }
        }
        self.last_query = Some(query.to_owned());
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

    /// The note of a talk in the preview, as read from its file.
    pub fn previewed(&mut self, preview: Preview) {
        if self.preview_wanted.as_ref() == Some(&preview.id) {
            self.preview_wanted = None;
        }
        if self.focused().as_ref() == Some(&preview.id) {
            self.preview = Some(preview);
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

    /// About a second passed: status messages fade (an error only once a key was pressed
    /// after it appeared, so it is not missed).
    pub fn expire_status(&mut self) {
        if let Some(status) = &mut self.status {
            if status.error && !status.seen {
                return;
            }
            status.ticks = status.ticks.saturating_sub(1);
            if status.ticks == 0 {
                self.status = None;
            }
        }
    }

    /// Whether files changed on disk and the index should catch up.
    pub fn refresh_wanted(&self) -> bool {
        self.refresh_wanted
    }

    /// The index caught up with the files (or says why it could not).
    pub fn refreshed(&mut self, report: Result<RefreshReport>) {
        self.refreshing = false;
        self.apply_report(report);
    }

    fn apply_report(&mut self, report: Result<RefreshReport>) {
        match report {
            Ok(report) => {
                if let Some(notice) = report.notice() {
                    self.set_status(notice, report.stale);
                }
                if report.indexed > 0
                    || report.removed > 0
                    || report.rebuilt.is_some()
                    || report.concepts_changed
                {
                    self.changed_on_disk();
                }
            }
            Err(e) => self.set_error(&e),
        }
    }

    pub(super) fn changed_on_disk(&mut self) {
        self.searched = None;
        self.preview = None;
        self.preview_wanted = None;
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
