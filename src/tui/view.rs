//! Drawing: a pure function of the [`App`] state, so every screen can be rendered into
//! ratatui's `TestBackend` and compared as text.
//!
//! Layout, top to bottom: the query line (with facet filters as chips), the result list and
//! the preview of the selected talk side by side (the preview drops out on narrow terminals),
//! the status line (as many rows as its message needs, up to a third of the screen), and the
//! footer: the mode, then the key hints that fit, the quit key always among them. The detail
//! screen replaces list and preview. Widths are display widths throughout: a Japanese title is
//! cut with `…` at a column, never inside a character, and a pop-up drawn over a wide
//! character keeps its border (see [`clear_popup`]). Colour is used only when `NO_COLOR` is
//! unset; without it, emphasis is bold and reverse video only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::display;

use super::app::{App, CaptureKind, Mode, Overlay, Viewport};
use super::facets::FacetKind;
use super::form::{Field, LineInput};
use super::input::{self, Hint};
use super::talk_view::{Para, esc, fit, focus, highlighted, talk_lines, wrap, wrap_rows};

/// Rows per result: title, event · kind · date · speakers, snippet.
pub const ITEM_ROWS: u16 = 3;
/// Below this width the preview pane is not shown next to the list.
const PREVIEW_MIN_WIDTH: u16 = 90;

/// Styles, with or without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to anything non-empty (<https://no-color.org>).
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Theme { color: !no_color }
    }

    pub fn plain() -> Theme {
        Theme { color: false }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn dim(&self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn mark(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn accent(&self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
}

/// Draws the whole screen; returns the sizes the app needs for paging and scrolling.
pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) -> Viewport {
    let area = frame.area();
    let capture_rows = if matches!(app.overlay, Some(Overlay::Capture(_))) {
        3
    } else {
        0
    };
    let status_rows = status_lines(app, theme, area.width as usize, area.height as usize);
    let [query, main, capture, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(capture_rows),
        Constraint::Length(status_rows.len() as u16),
        Constraint::Length(1),
    ])
    .areas(area);
    let mut viewport = Viewport {
        detail_max_scroll: usize::MAX,
        ..Viewport::default()
    };
    draw_query(frame, app, theme, query);
    if app.mode == Mode::Detail {
        viewport.detail_rows = main.height.saturating_sub(2) as usize;
        viewport.detail_max_scroll = draw_detail(frame, app, theme, main);
    } else if main.width >= PREVIEW_MIN_WIDTH {
        let [list, preview] =
            Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)])
                .areas(main);
        viewport.list_items = draw_list(frame, app, theme, list);
        draw_preview(frame, app, theme, preview);
    } else {
        viewport.list_items = draw_list(frame, app, theme, main);
    }
    frame.render_widget(Paragraph::new(status_rows), status);
    draw_footer(frame, app, theme, footer);
    match &app.overlay {
        Some(Overlay::Capture(line)) => {
            let mut notes = Vec::new();
            if line.saved > 0 {
                notes.push(format!("{} saved", line.saved));
            }
            if !line.pending.is_empty() {
                notes.push(format!("+{} more line(s) to save", line.pending.len()));
            }
            notes.push("Enter saves".into());
            notes.push("Esc saves & closes".into());
            let block = Block::new()
                .borders(Borders::ALL)
                .title(Line::from(vec![
                    Span::styled(format!(" {} → ", line.kind.prompt()), theme.key()),
                    Span::raw(esc(&line.title)),
                    Span::raw(" "),
                ]))
                .title_bottom(Line::styled(
                    format!(" {} ", notes.join(" · ")),
                    theme.dim(),
                ));
            let inner = block.inner(capture);
            frame.render_widget(block, capture);
            draw_input(frame, &line.input, inner, true);
        }
        Some(Overlay::NewTalk(_)) => draw_form(frame, app, theme, main),
        Some(Overlay::Facets(_)) => draw_facets(frame, app, theme, main),
        Some(Overlay::Help { scroll }) => {
            let (max, rows) = draw_help(frame, theme, area, *scroll);
            viewport.overlay_max_scroll = max;
            viewport.overlay_rows = rows;
        }
        Some(Overlay::Messages { scroll }) => {
            let (max, rows) = draw_messages(frame, app, theme, area, *scroll);
            viewport.overlay_max_scroll = max;
            viewport.overlay_rows = rows;
        }
        Some(Overlay::NowNext(view)) => super::standing::draw_now_next(frame, view, theme, main),
        None => {}
    }
    viewport
}

/// Clears `rect` for a pop-up. A wide character just left of it whose second half lies under
/// the pop-up's left border is blanked too: ratatui's diff skips the cell after a wide
/// character (the character covers it), so the border drawn there would never reach the
/// terminal, and the pop-up would lose its left edge on that row.
pub fn clear_popup(frame: &mut Frame, rect: Rect) {
    frame.render_widget(Clear, rect);
    if rect.x == 0 {
        return;
    }
    let buffer = frame.buffer_mut();
    for y in rect.top()..rect.bottom() {
        if let Some(cell) = buffer.cell_mut((rect.x - 1, y))
            && display::width(cell.symbol()) > 1
        {
            cell.set_symbol(" ");
        }
    }
}

/// An input's visible part in `area`, with the terminal cursor on it when `focused`.
fn draw_input(frame: &mut Frame, input: &LineInput, area: Rect, focused: bool) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let (text, column) = input.window(area.width as usize);
    frame.render_widget(Paragraph::new(esc(text)), area);
    if focused {
        frame.set_cursor_position(Position::new(
            area.x + (column as u16).min(area.width.saturating_sub(1)),
            area.y,
        ));
    }
}

fn draw_query(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let focused = app.mode == Mode::Query && app.overlay.is_none();
    let prompt = Span::styled("Search › ", if focused { theme.key() } else { theme.dim() });
    let mut spans = vec![prompt];
    for filter in &app.filters {
        spans.push(Span::styled(
            format!("[{}]", esc(&filter.label())),
            theme.accent().add_modifier(Modifier::BOLD),
        ));
        spans.push(Span::raw(" "));
    }
    let count = match app.hits.len() {
        0 if !app.ready => "opening…".to_owned(),
        n if app.has_more() => format!("{n}+ talks"),
        1 => "1 talk".to_owned(),
        n => format!("{n} talks"),
    };
    let right = format!(" {count} ");
    let fixed: usize = spans.iter().map(|s| display::width(&s.content)).sum();
    let room = (area.width as usize).saturating_sub(fixed + display::width(&right));
    // Chips take what they need; a long query scrolls within what is left.
    let spans = fit(spans, area.width as usize);
    let used: usize = spans.iter().map(|s| display::width(&s.content)).sum();
    frame.render_widget(Line::from(spans), area);
    let input_area = Rect {
        x: area.x + used.min(area.width as usize) as u16,
        width: room as u16,
        ..area
    };
    draw_input(frame, &app.query, input_area, focused);
    let right_area = Rect {
        x: area.right().saturating_sub(display::width(&right) as u16),
        width: (display::width(&right) as u16).min(area.width),
        ..area
    };
    frame.render_widget(Paragraph::new(Span::styled(right, theme.dim())), right_area);
}

/// The result list; returns how many results fit.
fn draw_list(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) -> usize {
    let title = if app.composed_query().trim().is_empty() {
        " Recent talks "
    } else {
        " Results "
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let fits = (inner.height / ITEM_ROWS).max(1) as usize;
    if app.hits.is_empty() {
        let message = if !app.ready {
            "opening the search index…"
        } else if app.composed_query().trim().is_empty() {
            "no talks yet: press n to create one (Tab first if you are typing)"
        } else {
            "no talks match"
        };
        frame.render_widget(
            Paragraph::new(Span::styled(message, theme.dim())).wrap(Wrap { trim: true }),
            inner,
        );
        return fits;
    }
    let width = inner.width.saturating_sub(2) as usize;
    for (row, (i, hit)) in app
        .hits
        .iter()
        .enumerate()
        .skip(app.offset)
        .take(fits)
        .enumerate()
    {
        let rect = Rect {
            y: inner.y + row as u16 * ITEM_ROWS,
            height: ITEM_ROWS.min(inner.bottom() - (inner.y + row as u16 * ITEM_ROWS)),
            ..inner
        };
        let selected = i == app.selected;
        // A starred talk says so where the eye lands first.
        let mut title = highlighted(
            &hit.title,
            &hit.title_highlights,
            theme.title(),
            theme.mark(),
        );
        if hit.status == Some(crate::note::TalkStatus::Planned) {
            title.insert(0, Span::styled("★ ", theme.mark()));
        }
        let title = fit(title, width);
        let mut meta = vec![
            hit.event_name
                .clone()
                .unwrap_or_else(|| hit.id.event.to_string()),
        ];
        meta.extend(crate::present::hit_facts(hit));
        let meta = fit(
            vec![Span::styled(esc(&meta.join(" · ")), theme.dim())],
            width,
        );
        let (snippet, marks) = focus(&hit.snippet.text, &hit.snippet.highlights, width);
        let snippet = fit(
            highlighted(&snippet, &marks, Style::new(), theme.mark()),
            width,
        );
        let marker = if selected { "▌ " } else { "  " };
        let lines: Vec<Line> = [title, meta, snippet]
            .into_iter()
            .map(|spans| {
                let mut all = vec![Span::styled(marker, theme.key())];
                all.extend(spans);
                Line::from(all)
            })
            .collect();
        let style = if selected {
            theme.selected()
        } else {
            Style::new()
        };
        frame.render_widget(Paragraph::new(lines).style(style), rect);
    }
    fits
}

fn draw_preview(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(" Talk ", theme.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(preview) = &app.preview {
        let rows = wrap_rows(
            &preview_lines(app, preview, theme),
            inner.width as usize,
            inner.height as usize,
        );
        frame.render_widget(Paragraph::new(rows), inner);
    }
}

/// The talk's lines, then its capture lines not saved yet (drafts), so they are not
/// forgotten.
fn preview_lines(app: &App, preview: &super::app::Preview, theme: &Theme) -> Vec<Para> {
    let mut lines = talk_lines(preview, theme);
    let drafts: Vec<(CaptureKind, &String)> = app
        .drafts
        .iter()
        .filter(|((talk, _), _)| *talk == preview.id)
        .map(|((_, kind), text)| (*kind, text))
        .collect();
    if drafts.is_empty() {
        return lines;
    }
    lines.push(Para {
        line: Line::raw(""),
        indent: 0,
    });
    lines.push(Para {
        line: Line::styled(
            "not saved yet (drafts): a, t, l or # brings each back",
            theme.error(),
        ),
        indent: 0,
    });
    for (kind, text) in drafts {
        for line in text.lines() {
            lines.push(Para {
                line: Line::from(vec![
                    Span::styled(format!("  {:<9} ", kind.name()), theme.dim()),
                    Span::raw(esc(line)),
                ]),
                indent: 12,
            });
        }
    }
    lines
}

/// The detail screen; returns how far it can scroll.
fn draw_detail(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) -> usize {
    let title = app
        .detail
        .as_ref()
        .map_or_else(String::new, |id| format!(" {id} "));
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(title, theme.accent()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let Some(preview) = &app.preview else {
        return 0;
    };
    let rows = wrap(&preview_lines(app, preview, theme), inner.width as usize);
    let max_scroll = rows.len().saturating_sub(inner.height as usize);
    let visible: Vec<Line> = rows
        .into_iter()
        .skip(app.detail_scroll.min(max_scroll))
        .take(inner.height as usize)
        .collect();
    frame.render_widget(Paragraph::new(visible), inner);
    max_scroll
}

/// The status line's rows: the message wrapped in full (a long error with a path in it stays
/// readable), at most a third of the screen; what does not fit is in the messages (`m`).
fn status_lines(
    app: &App,
    theme: &Theme,
    columns: usize,
    screen_rows: usize,
) -> Vec<Line<'static>> {
    let also = app.also();
    let (text, style) = if let Some(status) = &app.status {
        let style = if status.error {
            theme.error()
        } else {
            theme.accent()
        };
        (status.text.as_str(), style)
    } else if let Some(warning) = app.warnings.first() {
        (warning.as_str(), theme.dim())
    } else if let Some(also) = &also {
        // Concept search: what the query's words also matched (`=word` turns it off).
        (also.as_str(), theme.dim())
    } else {
        return vec![Line::default()];
    };
    let paras: Vec<Para> = display::escape(text, true)
        .lines()
        .map(|line| Para {
            line: Line::styled(line.to_owned(), style),
            indent: 2,
        })
        .collect();
    let most = (screen_rows / 3).clamp(1, 8);
    let mut rows = wrap_rows(&paras, columns, most + 1);
    if rows.is_empty() {
        rows.push(Line::default());
    }
    if rows.len() > most {
        rows.truncate(most);
        let more = " … (m in the list shows it all)";
        if let Some(last) = rows.last_mut() {
            let kept = fit(
                std::mem::take(&mut last.spans),
                columns.saturating_sub(display::width(more)),
            );
            let mut spans: Vec<Span<'static>> =
                kept.into_iter().filter(|s| s.content != "…").collect();
            spans.push(Span::styled(more, theme.dim()));
            *last = Line::from(spans);
        }
    }
    rows
}

/// What the footer calls the mode: where the keys go.
fn mode_name(app: &App) -> &'static str {
    match &app.overlay {
        Some(Overlay::Capture(line)) => match line.kind {
            CaptureKind::Takeaway => "TAKEAWAY",
            CaptureKind::Tool => "TOOL",
            CaptureKind::Link => "LINK",
            CaptureKind::Tags => "TAGS",
        },
        Some(Overlay::NewTalk(_)) => "NEW TALK",
        Some(Overlay::Facets(_)) => "FILTER",
        Some(Overlay::Help { .. }) => "HELP",
        Some(Overlay::Messages { .. }) => "MESSAGES",
        Some(Overlay::NowNext(_)) => "NOW",
        None => match app.mode {
            Mode::Query => "SEARCH",
            Mode::List => "LIST",
            Mode::Detail => "TALK",
        },
    }
}

/// The mode, then the key hints that fit: the least important are left out first, never the
/// quit key.
fn draw_footer(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let hints: &[Hint] = match &app.overlay {
        Some(Overlay::NewTalk(_)) => input::FORM_HINTS,
        Some(Overlay::Facets(_)) => input::FACET_HINTS,
        Some(Overlay::Capture(_)) => input::CAPTURE_HINTS,
        _ => input::help(app.context()),
    };
    let mode = format!(" {} ", mode_name(app));
    let mut spans = vec![
        Span::styled(mode.clone(), theme.selected().add_modifier(Modifier::BOLD)),
        Span::raw(" "),
    ];
    let width = |h: &Hint| display::width(h.keys) + display::width(h.what) + 3;
    let mut room = (area.width as usize).saturating_sub(display::width(&mode) + 1);
    let mut order: Vec<usize> = (0..hints.len()).collect();
    order.sort_by_key(|&i| hints[i].rank);
    let mut shown = vec![false; hints.len()];
    for i in order {
        // The last hint needs no trailing gap. Strictly by rank: once one does not fit, no
        // less useful one takes its place.
        if width(&hints[i]) > room + 2 && hints[i].rank > 0 {
            break;
        }
        room = room.saturating_sub(width(&hints[i]));
        shown[i] = true;
    }
    for (hint, _) in hints.iter().zip(&shown).filter(|(_, shown)| **shown) {
        spans.push(Span::styled(hint.keys, theme.key()));
        spans.push(Span::raw(format!(" {}  ", hint.what)));
    }
    if let Some(last) = spans.last_mut() {
        last.content = last.content.trim_end().to_owned().into();
    }
    frame.render_widget(Line::from(fit(spans, area.width as usize)), area);
}

/// A rectangle of at most `width` × `height` centred in `area`.
fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

fn draw_form(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let Some(Overlay::NewTalk(form)) = &app.overlay else {
        return;
    };
    let rect = centered(area, 80, Field::ALL.len() as u16 + 3);
    clear_popup(frame, rect);
    let mut block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(" New talk ", theme.title()));
    if let Some(error) = &form.error {
        block = block.title_bottom(Line::styled(format!(" {} ", esc(error)), theme.error()));
    }
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let label_width = 10u16;
    for (i, field) in Field::ALL.iter().enumerate() {
        let y = inner.y + i as u16 + 1;
        if y >= inner.bottom() {
            break;
        }
        let focused = i == form.focus;
        let label = Span::styled(
            format!("{:>8}  ", field.label()),
            if focused { theme.key() } else { theme.dim() },
        );
        frame.render_widget(
            Line::from(label),
            Rect {
                y,
                height: 1,
                ..inner
            },
        );
        let input_area = Rect {
            x: inner.x + label_width,
            y,
            width: inner.width.saturating_sub(label_width + 1),
            height: 1,
        };
        let input = &form.inputs[i];
        if *field == Field::Kind {
            // A choice: shown with the keys that change it.
            let spans = vec![
                Span::styled(if focused { "‹ " } else { "  " }, theme.key()),
                Span::raw(input.text().to_owned()),
                Span::styled(if focused { " ›  " } else { "    " }, theme.key()),
                Span::styled(field.hint(), theme.dim()),
            ];
            frame.render_widget(
                Line::from(fit(spans, input_area.width as usize)),
                input_area,
            );
            if focused {
                frame.set_cursor_position(Position::new(input_area.x + 2, y));
            }
        } else if input.is_empty() {
            let hint = match field {
                Field::Date => form.date_hint(),
                other => other.hint().to_owned(),
            };
            frame.render_widget(
                Line::from(fit(
                    vec![Span::styled(hint, theme.dim())],
                    input_area.width as usize,
                )),
                input_area,
            );
            if focused && input_area.width > 0 {
                frame.set_cursor_position(Position::new(input_area.x, y));
            }
        } else {
            draw_input(frame, input, input_area, focused);
        }
    }
}

fn draw_facets(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let Some(Overlay::Facets(picker)) = &app.overlay else {
        return;
    };
    let rect = centered(area, 70, area.height.saturating_sub(2).max(8));
    clear_popup(frame, rect);
    let block = Block::new()
        .borders(Borders::ALL)
        .title(Span::styled(" Filter ", theme.title()));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [tabs, filter, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(inner);
    let mut spans = Vec::new();
    for kind in FacetKind::ALL {
        let style = if kind == picker.kind() {
            theme.selected().add_modifier(Modifier::BOLD)
        } else {
            theme.dim()
        };
        spans.push(Span::styled(format!(" {} ", kind.name()), style));
        spans.push(Span::raw(" "));
    }
    frame.render_widget(Line::from(spans), tabs);
    frame.render_widget(Span::styled("› ", theme.key()), filter);
    draw_input(
        frame,
        &picker.filter,
        Rect {
            x: filter.x + 2,
            width: filter.width.saturating_sub(2),
            ..filter
        },
        true,
    );
    let Some(facets) = &app.facets else {
        frame.render_widget(Span::styled("counting…", theme.dim()), list);
        return;
    };
    let values = picker.visible(facets);
    let rows = list.height as usize;
    let offset = picker.selected.saturating_sub(rows.saturating_sub(1));
    let width = list.width as usize;
    for (row, (i, value)) in values
        .iter()
        .enumerate()
        .skip(offset)
        .take(rows)
        .enumerate()
    {
        let active = app
            .filters
            .iter()
            .any(|f| f.kind == picker.kind() && f.value == value.value);
        let mut spans = vec![
            Span::raw(if active { "✓ " } else { "  " }),
            Span::raw(esc(&value.value)),
        ];
        if let Some(label) = &value.label {
            spans.push(Span::styled(format!("  {}", esc(label)), theme.dim()));
        }
        let count = format!("{:>6}", value.count);
        let mut spans = fit(spans, width.saturating_sub(count.len() + 1));
        let used: usize = spans.iter().map(|s| display::width(&s.content)).sum();
        spans.push(Span::raw(
            " ".repeat(width.saturating_sub(used + count.len())),
        ));
        spans.push(Span::styled(count, theme.dim()));
        let style = if i == picker.selected {
            theme.selected()
        } else {
            Style::new()
        };
        frame.render_widget(
            Line::from(spans).style(style),
            Rect {
                y: list.y + row as u16,
                height: 1,
                ..list
            },
        );
    }
    if values.is_empty() {
        frame.render_widget(Span::styled("nothing matches", theme.dim()), list);
    }
}

/// The help: every key, by section, in two columns when the screen is wide enough, and
/// scrolled by `scroll` rows; returns how far it can scroll and how many rows it shows.
fn draw_help(frame: &mut Frame, theme: &Theme, area: Rect, scroll: usize) -> (usize, usize) {
    let rect = popup_area(area);
    let inner = Block::new().borders(Borders::ALL).inner(rect);
    let columns = if inner.width >= 2 * HELP_COLUMN_MIN + 3 {
        2
    } else {
        1
    };
    let column_width = (inner.width.saturating_sub(3 * (columns - 1)) / columns) as usize;
    // Each section's rows, wrapped to a column, its keys in a column as wide as they need.
    let sections: Vec<Vec<Line<'static>>> = input::HELP
        .iter()
        .map(|(section, keys)| {
            let keys_width = keys
                .iter()
                .map(|(key, _)| display::width(key))
                .max()
                .unwrap_or(0)
                .min(column_width / 2);
            let mut paras = vec![Para {
                line: Line::styled(*section, theme.title()),
                indent: 2,
            }];
            for (key, what) in *keys {
                paras.push(Para {
                    line: Line::from(vec![
                        Span::styled(format!("  {}", pad(key, keys_width)), theme.key()),
                        Span::raw(format!("  {what}")),
                    ]),
                    indent: keys_width + 4,
                });
            }
            wrap(&paras, column_width)
        })
        .collect();
    // In two columns, sections split where the taller column is shortest.
    let heights: Vec<usize> = sections.iter().map(Vec::len).collect();
    let stacked = |sections: &[usize]| -> usize {
        sections.iter().sum::<usize>() + sections.len().saturating_sub(1)
    };
    let split = if columns == 2 {
        (1..heights.len())
            .min_by_key(|&k| stacked(&heights[..k]).max(stacked(&heights[k..])))
            .unwrap_or(heights.len())
    } else {
        heights.len()
    };
    let mut cols: Vec<Vec<Line<'static>>> = vec![Vec::new(); columns as usize];
    for (i, section) in sections.into_iter().enumerate() {
        let col = &mut cols[usize::from(i >= split)];
        if !col.is_empty() {
            col.push(Line::raw(""));
        }
        col.extend(section);
    }
    let content = cols.iter().map(Vec::len).max().unwrap_or(0);
    draw_scrolling(
        frame,
        theme,
        rect,
        " Keys ",
        cols,
        content,
        scroll,
        column_width,
    )
}

/// Below this many columns per column, the help is one column.
const HELP_COLUMN_MIN: u16 = 52;

/// `text` padded with spaces to `width` display columns (cut with `…` when longer).
fn pad(text: &str, width: usize) -> String {
    let cut = display::truncate(text, width);
    format!(
        "{cut}{}",
        " ".repeat(width.saturating_sub(display::width(&cut)))
    )
}

/// Where the help and the messages are drawn: the screen between the query line and the
/// footer (which says how to scroll and close), a little narrower.
fn popup_area(area: Rect) -> Rect {
    let between = Rect {
        y: area.y + 1.min(area.height),
        height: area.height.saturating_sub(2),
        ..area
    };
    centered(
        between,
        area.width.saturating_sub(4).clamp(20, 140),
        between.height,
    )
}

/// A bordered pop-up of columns of rows, scrolled by `scroll` rows (clamped), with where it
/// is in the bottom border; returns how far it can scroll and how many rows it shows.
#[allow(clippy::too_many_arguments)]
fn draw_scrolling(
    frame: &mut Frame,
    theme: &Theme,
    rect: Rect,
    title: &'static str,
    columns: Vec<Vec<Line<'static>>>,
    content: usize,
    scroll: usize,
    column_width: usize,
) -> (usize, usize) {
    // No taller than what it shows.
    let rect = centered(rect, rect.width, (content as u16).saturating_add(2));
    clear_popup(frame, rect);
    let block = Block::new().borders(Borders::ALL);
    let inner = block.inner(rect);
    let rows = inner.height as usize;
    let max = content.saturating_sub(rows);
    let scroll = scroll.min(max);
    let position = if max == 0 {
        " Esc closes ".to_owned()
    } else {
        let more = if scroll < max { " ↓ more" } else { "" };
        format!(
            " rows {}–{} of {content}{more} · Esc closes ",
            scroll + 1,
            (scroll + rows).min(content)
        )
    };
    frame.render_widget(
        block
            .title(Span::styled(title, theme.title()))
            .title_bottom(Span::styled(position, theme.dim())),
        rect,
    );
    for (i, column) in columns.into_iter().enumerate() {
        let x = inner.x + (i * (column_width + 3)) as u16;
        let area = Rect {
            x,
            width: (column_width as u16).min(inner.right().saturating_sub(x)),
            ..inner
        };
        let visible: Vec<Line> = column.into_iter().skip(scroll).take(rows).collect();
        frame.render_widget(Paragraph::new(visible), area);
    }
    (max, rows)
}

/// `m`: every status message so far, newest first, in full.
fn draw_messages(
    frame: &mut Frame,
    app: &App,
    theme: &Theme,
    area: Rect,
    scroll: usize,
) -> (usize, usize) {
    let rect = popup_area(area);
    let width = Block::new().borders(Borders::ALL).inner(rect).width as usize;
    let mut paras = Vec::new();
    for status in app.messages().rev() {
        let style = if status.error {
            theme.error()
        } else {
            Style::new()
        };
        let mut first = true;
        for line in display::escape(&status.text, true).lines() {
            let mark = if !first {
                "  "
            } else if status.error {
                "! "
            } else {
                "· "
            };
            first = false;
            paras.push(Para {
                line: Line::styled(format!("{mark}{line}"), style),
                indent: 2,
            });
        }
    }
    if paras.is_empty() {
        paras.push(Para {
            line: Line::styled("nothing yet", theme.dim()),
            indent: 0,
        });
    }
    let rows = wrap(&paras, width);
    let content = rows.len();
    draw_scrolling(
        frame,
        theme,
        rect,
        " Messages (newest first) ",
        vec![rows],
        content,
        scroll,
        width,
    )
}
