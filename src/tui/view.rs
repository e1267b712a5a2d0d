//! Drawing: a pure function of the [`App`] state, so every screen can be rendered into
//! ratatui's `TestBackend` and compared as text.
//!
//! Layout, top to bottom: the query line (with facet filters as chips), the result list and
//! the preview of the selected talk side by side (the preview drops out on narrow terminals),
//! the status line, and the key hints. The detail screen replaces list and preview. Widths are
//! display widths throughout: a Japanese title is cut with `…` at a column, never inside a
//! character. Colour is used only when `NO_COLOR` is unset; without it, emphasis is bold and
//! reverse video only.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::display;

use super::app::{App, Mode, Overlay, Viewport};
use super::facets::FacetKind;
use super::form::{Field, LineInput};
use super::input;
use super::talk_view::{esc, fit, focus, highlighted, talk_lines, wrap};

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
    let [query, main, capture, status, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(capture_rows),
        Constraint::Length(1),
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
    draw_status(frame, app, theme, status);
    draw_footer(frame, app, theme, footer);
    match &app.overlay {
        Some(Overlay::Capture(line)) => {
            let block = Block::new()
                .borders(Borders::ALL)
                .title(Line::from(vec![
                    Span::styled(format!(" {} → ", line.kind.prompt()), theme.key()),
                    Span::raw(esc(&line.title)),
                    Span::raw(" "),
                ]))
                .title_bottom(Line::styled(
                    if line.saved > 0 {
                        format!(" {} saved · Enter saves · Esc closes ", line.saved)
                    } else {
                        " Enter saves · Esc closes ".to_owned()
                    },
                    theme.dim(),
                ));
            let inner = block.inner(capture);
            frame.render_widget(block, capture);
            draw_input(frame, &line.input, inner, true);
        }
        Some(Overlay::NewTalk(_)) => draw_form(frame, app, theme, main),
        Some(Overlay::Facets(_)) => draw_facets(frame, app, theme, main),
        Some(Overlay::Help) => draw_help(frame, theme, area),
        None => {}
    }
    viewport
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
        let title = fit(
            highlighted(
                &hit.title,
                &hit.title_highlights,
                theme.title(),
                theme.mark(),
            ),
            width,
        );
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
        let mut rows = wrap(&talk_lines(preview, theme), inner.width as usize);
        rows.truncate(inner.height as usize);
        frame.render_widget(Paragraph::new(rows), inner);
    }
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
    let rows = wrap(&talk_lines(preview, theme), inner.width as usize);
    let max_scroll = rows.len().saturating_sub(inner.height as usize);
    let visible: Vec<Line> = rows
        .into_iter()
        .skip(app.detail_scroll.min(max_scroll))
        .take(inner.height as usize)
        .collect();
    frame.render_widget(Paragraph::new(visible), inner);
    max_scroll
}

fn draw_status(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let line = if let Some(status) = &app.status {
        let style = if status.error {
            theme.error()
        } else {
            theme.accent()
        };
        Line::styled(esc(&status.text), style)
    } else if let Some(warning) = app.warnings.first() {
        Line::styled(esc(warning), theme.dim())
    } else if let Some(also) = app.also() {
        // Concept search: what the query's words also matched (`=word` turns it off).
        Line::styled(esc(&also), theme.dim())
    } else {
        Line::default()
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_footer(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let hints: &[(&str, &str)] = match &app.overlay {
        Some(Overlay::NewTalk(_)) => &[("Tab/↑↓", "field"), ("Enter", "create"), ("Esc", "cancel")],
        Some(Overlay::Facets(_)) => &[
            ("type", "narrow"),
            ("Tab", "next facet"),
            ("↑↓", "move"),
            ("Enter", "toggle"),
            ("Esc", "close"),
        ],
        Some(Overlay::Capture(_)) => &[("Enter", "save"), ("Esc", "close")],
        _ => input::help(app.context()),
    };
    let mut spans = Vec::new();
    for (keys, what) in hints {
        spans.push(Span::styled(*keys, theme.key()));
        spans.push(Span::raw(format!(" {what}  ")));
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
    let rect = centered(area, 80, 8);
    frame.render_widget(Clear, rect);
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
        if form.inputs[i].is_empty() && !focused {
            frame.render_widget(Span::styled(field.hint(), theme.dim()), input_area);
        } else {
            draw_input(frame, &form.inputs[i], input_area, focused);
        }
    }
}

fn draw_facets(frame: &mut Frame, app: &App, theme: &Theme, area: Rect) {
    let Some(Overlay::Facets(picker)) = &app.overlay else {
        return;
    };
    let rect = centered(area, 70, area.height.saturating_sub(2).max(8));
    frame.render_widget(Clear, rect);
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

fn draw_help(frame: &mut Frame, theme: &Theme, area: Rect) {
    let mut lines = Vec::new();
    for (section, keys) in input::HELP {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(*section, theme.title()));
        for (key, what) in *keys {
            lines.push(Line::from(vec![
                Span::styled(format!("  {key:<22}"), theme.key()),
                Span::raw(*what),
            ]));
        }
    }
    let height = lines.len() as u16 + 2;
    let rect = centered(area, 76, height);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::new()
                .borders(Borders::ALL)
                .title(Span::styled(" Keys ", theme.title()))
                .title_bottom(Span::styled(" any key closes ", theme.dim())),
        ),
        rect,
    );
}
