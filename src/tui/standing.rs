//! A talk's status and rating in the TUI, and the "now and next" view of the current event.
//!
//! From the result list and the detail screen, `s` stars a talk (and takes the star away
//! again), `w` marks it to watch later, `W` watched, `1`–`5` rate it and `0` clears the
//! rating: the same [`crate::capture`] operations as `tn star`, `tn watch-later`, `tn mark`
//! and `tn rate`, run by the worker as jobs, each one locked read-modify-write of one note.
//!
//! `c` opens "now and next" for the current event: the talks in progress and those of the
//! next slot, starred ones first (see [`crate::now::now_and_next`]). Enter makes the picked
//! talk the current talk and opens it, so `a` adds takeaways to it at once; `s` stars a talk
//! there too. Kept apart from the rest of the app (its own actions, jobs, overlay and drawing)
//! so the capture screens stay as they are.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::capture::StatusChange;
use crate::error::Result;
use crate::note::{Rating, Talk, TalkRef, TalkStatus};
use crate::now::{Moment, OnNow};
use crate::present;

use super::action::{Action, Job};
use super::app::{App, Overlay};
use super::talk_view::{esc, fit};
use super::view::Theme;

/// What a key asks to change about a talk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Status(StatusChange),
    /// A rating, or none to clear it.
    Rate(Option<Rating>),
}

/// The "now and next" overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NowNext {
    /// The event's name (or id).
    pub event: String,
    pub at: Moment,
    pub rows: Vec<NowRow>,
    pub selected: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NowRow {
    pub id: TalkRef,
    pub title: String,
    /// `in progress` or `in 10 min`.
    pub when: String,
    /// `13:00–13:40`.
    pub time: String,
    pub track: Option<String>,
    pub starred: bool,
}

impl NowRow {
    pub fn new(on: &OnNow) -> NowRow {
        NowRow {
            id: on.id.clone(),
            title: on.talk.title.clone(),
            when: on.status.to_string(),
            time: on.time_range(),
            track: on.talk.track.clone(),
            starred: on.starred(),
        }
    }
}

/// What the worker found for the overlay.
#[derive(Debug, Clone)]
pub struct NowNextFound {
    pub event: String,
    pub at: Moment,
    pub rows: Vec<NowRow>,
}

impl App {
    /// `s`, `w`, `W`, `0`–`5` on the focused talk.
    pub(super) fn change_standing(&mut self, standing: Standing) {
        match self.focused() {
            Some(target) => self.push_job(Job::Standing { target, standing }),
            None => self.set_status("no talk selected", true),
        }
    }

    /// The worker changed a talk's status or rating.
    pub fn standing_changed(&mut self, target: &TalkRef, result: Result<Talk>) {
        match result {
            Ok(talk) => {
                let standing = present::standing(talk.status, talk.rating);
                let said = if standing.is_empty() {
                    "no status".to_owned()
                } else {
                    standing
                };
                self.set_status(format!("{}: {said}", talk.title), false);
                if let Some(Overlay::NowNext(view)) = &mut self.overlay
                    && let Some(row) = view.rows.iter_mut().find(|r| r.id == *target)
                {
                    row.starred = talk.status == Some(TalkStatus::Planned);
                }
                self.note_saved(target, talk);
            }
            Err(e) => self.set_error(&e),
        }
    }

    /// `c`: ask the worker for the current event's talks now and next.
    pub(super) fn open_now_next(&mut self) {
        self.push_job(Job::NowNext);
    }

    /// What the worker found: the overlay opens on it (or an error says why it cannot).
    pub fn now_next_found(&mut self, found: Result<NowNextFound>) {
        match found {
            Ok(found) => {
                self.overlay = Some(Overlay::NowNext(NowNext {
                    event: found.event,
                    at: found.at,
                    rows: found.rows,
                    selected: 0,
                }))
            }
            Err(e) => self.set_error(&e),
        }
    }

    /// Keys while "now and next" is open.
    pub(super) fn update_now_next(&mut self, action: Action) {
        let Some(Overlay::NowNext(view)) = &mut self.overlay else {
            return;
        };
        let last = view.rows.len().saturating_sub(1);
        match action {
            Action::Back => self.overlay = None,
            Action::Up => view.selected = view.selected.saturating_sub(1),
            Action::Down => view.selected = (view.selected + 1).min(last),
            Action::Top => view.selected = 0,
            Action::Bottom => view.selected = last,
            Action::Confirm => {
                if let Some(row) = view.rows.get(view.selected) {
                    let id = row.id.clone();
                    self.push_job(Job::PickCurrent(id));
                }
            }
            Action::ToggleStar => {
                if let Some(row) = view.rows.get(view.selected) {
                    let target = row.id.clone();
                    self.push_job(Job::Standing {
                        target,
                        standing: Standing::Status(StatusChange::Toggle(TalkStatus::Planned)),
                    });
                }
            }
            _ => {}
        }
    }

    /// The worker made `id` the current talk: it opens, ready for `a`.
    pub fn picked(&mut self, id: TalkRef, result: Result<()>) {
        match result {
            Ok(()) => {
                let title = match &self.overlay {
                    Some(Overlay::NowNext(view)) => view
                        .rows
                        .iter()
                        .find(|r| r.id == id)
                        .map(|r| r.title.clone()),
                    _ => None,
                }
                .unwrap_or_else(|| id.to_string());
                self.overlay = None;
                self.show_detail(id);
                self.set_status(format!("current talk: {title} — a adds takeaways"), false);
            }
            Err(e) => self.set_error(&e),
        }
    }
}

/// Draws the "now and next" overlay over `area`.
pub fn draw_now_next(frame: &mut Frame, view: &NowNext, theme: &Theme, area: Rect) {
    let width = area.width.min(100);
    let height = (view.rows.len() as u16 * 2 + 4).clamp(6, area.height.max(1));
    let rect = Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height.saturating_sub(height)) / 2,
        width,
        height: height.min(area.height),
    };
    frame.render_widget(Clear, rect);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Line::from(vec![
            Span::styled(" Now and next ", theme.title()),
            Span::styled(
                format!("· {} · {} ", esc(&view.event), view.at),
                theme.dim(),
            ),
        ]))
        .title_bottom(Span::styled(
            " Enter makes it the current talk · s star · Esc closes ",
            theme.dim(),
        ));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    if view.rows.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "nothing in progress or coming up today",
                theme.dim(),
            )),
            inner,
        );
        return;
    }
    let width = inner.width.saturating_sub(2) as usize;
    let rows = Layout::vertical(view.rows.iter().map(|_| Constraint::Length(2))).split(inner);
    for (i, (row, rect)) in view.rows.iter().zip(rows.iter()).enumerate() {
        let selected = i == view.selected;
        let marker = if selected { "▌ " } else { "  " };
        let star = if row.starred { "★ " } else { "" };
        let title = fit(
            vec![
                Span::styled(marker, theme.key()),
                Span::styled(star, theme.mark()),
                Span::styled(esc(&row.title), theme.title()),
            ],
            width + 2,
        );
        let facts: Vec<String> = [
            Some(row.when.clone()),
            Some(row.time.clone()),
            row.track.clone(),
        ]
        .into_iter()
        .flatten()
        .filter(|f| !f.is_empty())
        .collect();
        let facts = fit(
            vec![
                Span::styled(marker, theme.key()),
                Span::styled(esc(&facts.join(" · ")), theme.dim()),
            ],
            width + 2,
        );
        let style = if selected {
            theme.selected()
        } else {
            ratatui::style::Style::new()
        };
        frame.render_widget(
            Paragraph::new(vec![Line::from(title), Line::from(facts)]).style(style),
            *rect,
        );
    }
}
