//! A talk as lines of styled text, for the preview pane and the detail screen, plus the span
//! helpers both screens use.
//!
//! Every piece of note text goes through [`display::escape`] before it becomes a [`Span`]:
//! a note can hold terminal control sequences (an imported article, a pasted log line), and
//! ratatui writes span text to the terminal as it is. Highlight ranges are byte ranges of the
//! original text, so text is cut at the ranges first and each piece escaped separately.

use std::ops::Range;

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

use crate::display;
use crate::note::Talk;
use crate::present;

use super::app::Preview;
use super::view::Theme;

/// One line of note text, escaped (line breaks shown as `⏎`).
pub fn esc(text: &str) -> String {
    display::line(text).into_owned()
}

/// `text` with the `ranges` (byte ranges of `text`) in `mark` style, every piece escaped
/// (see [`present::marks`] for the ranges that are skipped).
pub fn highlighted(
    text: &str,
    ranges: &[Range<usize>],
    base: Style,
    mark: Style,
) -> Vec<Span<'static>> {
    present::marks(text, ranges)
        .into_iter()
        .map(|(piece, hit)| {
            let style = if hit { base.patch(mark) } else { base };
            Span::styled(esc(piece), style)
        })
        .collect()
}

/// Moves the start of a one-line snippet so that its first highlight is visible within
/// `columns` (with `…` in front when something was cut), shifting the ranges along.
pub fn focus(text: &str, ranges: &[Range<usize>], columns: usize) -> (String, Vec<Range<usize>>) {
    let Some(first) = ranges
        .first()
        .filter(|r| r.end <= text.len() && text.is_char_boundary(r.start))
    else {
        return (text.to_owned(), ranges.to_vec());
    };
    if display::width(&text[..first.start]) + display::width(&text[first.clone()]) < columns {
        return (text.to_owned(), ranges.to_vec());
    }
    // Keep about a quarter of the row as context before the match.
    let mut cut = first.start;
    let mut room = columns / 4;
    for (i, c) in text[..first.start].char_indices().rev() {
        let w = c.width().unwrap_or(0);
        if w > room {
            break;
        }
        room -= w;
        cut = i;
    }
    let shifted = ranges
        .iter()
        .filter(|r| r.start >= cut)
        .map(|r| r.start - cut + '…'.len_utf8()..r.end - cut + '…'.len_utf8())
        .collect();
    (format!("…{}", &text[cut..]), shifted)
}

/// Cuts spans to at most `columns` display columns, ending with `…` when something was cut.
/// Never cuts a character in half: a wide character that does not fit is left out whole.
pub fn fit(spans: Vec<Span<'static>>, columns: usize) -> Vec<Span<'static>> {
    let total: usize = spans.iter().map(|s| display::width(&s.content)).sum();
    if total <= columns {
        return spans;
    }
    if columns == 0 {
        return Vec::new();
    }
    let room = columns - 1;
    let mut used = 0;
    let mut out = Vec::new();
    let mut last_style = Style::default();
    'spans: for span in spans {
        last_style = span.style;
        let mut piece = String::new();
        for c in span.content.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > room {
                if !piece.is_empty() {
                    out.push(Span::styled(piece, span.style));
                }
                break 'spans;
            }
            used += w;
            piece.push(c);
        }
        out.push(Span::styled(piece, span.style));
    }
    // Sequences (an emoji and its presentation selector, emoji joined with ZWJ) are measured
    // whole and can be wider than their characters added up; cut more until `…` fits.
    let width =
        |spans: &[Span]| -> usize { spans.iter().map(|s| display::width(&s.content)).sum() };
    while width(&out) > room {
        let Some(last) = out.last_mut() else {
            break;
        };
        let mut text = last.content.to_string();
        text.pop();
        if text.is_empty() {
            out.pop();
        } else {
            last.content = text.into();
        }
    }
    out.push(Span::styled("…", last_style));
    out
}

/// A logical line and the indent its continuation rows get when it is wrapped.
#[derive(Debug, Clone)]
pub struct Para {
    pub line: Line<'static>,
    pub indent: usize,
}

fn para(line: impl Into<Line<'static>>, indent: usize) -> Para {
    Para {
        line: line.into(),
        indent,
    }
}

/// Every field of a talk, for the preview and the detail screen.
pub fn talk_lines(preview: &Preview, theme: &Theme) -> Vec<Para> {
    let talk = match &preview.talk {
        Ok(talk) => talk,
        Err(message) => {
            let mut lines = vec![para(
                Line::styled(esc(&preview.id.to_string()), theme.dim()),
                0,
            )];
            for line in display::escape(message, true).lines() {
                lines.push(para(Line::styled(line.to_owned(), theme.error()), 2));
            }
            return lines;
        }
    };
    let mut lines = vec![para(Line::styled(esc(&talk.title), theme.title()), 0)];
    conflicts(&mut lines, theme, talk, &preview.id.to_string());
    let field = |name: &str, value: String| {
        para(
            Line::from(vec![
                Span::styled(format!("{name:<9} "), theme.dim()),
                Span::raw(value),
            ]),
            10,
        )
    };
    lines.push(field("id", preview.id.to_string()));
    let event = preview
        .event_name
        .as_deref()
        .map_or_else(|| preview.id.event.to_string(), esc);
    lines.push(field("event", event));
    lines.push(field("kind", talk.kind.to_string()));
    if let Some(when) = present::when(talk.date, talk.start, talk.end, present::DETAIL) {
        lines.push(field("when", when));
    }
    if !talk.speakers.is_empty() {
        let speakers = present::speakers(&talk.speakers, present::DETAIL, esc);
        lines.push(field("speakers", speakers));
    }
    if let Some(url) = &talk.url {
        lines.push(field("url", esc(url)));
    }
    for (name, value) in [("track", &talk.track), ("language", &talk.language)] {
        if let Some(value) = value {
            lines.push(field(name, esc(value)));
        }
    }
    if !talk.tags.is_empty() {
        lines.push(field("tags", esc(&talk.tags.join(", "))));
    }
    if let Some(rating) = talk.rating {
        lines.push(field("rating", present::stars(rating)));
    }
    section(&mut lines, theme, "takeaways", talk.takeaways.len());
    for t in &talk.takeaways {
        let at =
            t.at.map_or_else(|| "    -".to_owned(), |at| format!("{at}"));
        let mut spans = vec![
            Span::raw("  "),
            Span::styled(at, theme.dim()),
            Span::raw(" "),
            Span::raw(esc(&t.text)),
        ];
        spans.extend(by(&t.by, theme));
        lines.push(para(spans, 8));
    }
    section(&mut lines, theme, "tools", talk.tools.len());
    for tool in &talk.tools {
        let mut spans = vec![Span::raw("  "), Span::raw(esc(&tool.name))];
        if let Some(url) = &tool.url {
            spans.push(Span::styled(format!("  {}", esc(url)), theme.dim()));
        }
        spans.extend(by(&tool.by, theme));
        lines.push(para(spans, 4));
    }
    section(&mut lines, theme, "links", talk.links.len());
    for link in &talk.links {
        let mut spans = vec![Span::raw("  ")];
        if let Some(title) = &link.title {
            spans.push(Span::raw(format!("{}  ", esc(title))));
        }
        spans.push(Span::styled(esc(&link.url), theme.dim()));
        spans.extend(by(&link.by, theme));
        lines.push(para(spans, 4));
    }
    for (name, text) in [("abstract", &talk.r#abstract), ("memo", &talk.memo)] {
        if let Some(text) = text {
            section(&mut lines, theme, name, 1);
            for line in display::escape(text, true).lines() {
                lines.push(para(Line::raw(format!("  {line}")), 2));
            }
        }
    }
    lines
}

/// Wraps lines to `columns` display columns (see [`wrap_rows`]).
pub fn wrap(paras: &[Para], columns: usize) -> Vec<Line<'static>> {
    wrap_rows(paras, columns, usize::MAX)
}

/// Wraps lines to `columns` display columns, at most `max_rows` rows (the preview needs only
/// what fits). Rows break where Unicode's line-breaking rules allow (UAX #14, through
/// `textwrap`): between words of English, so `CodeCatalyst` stays whole, and between any two
/// characters of Japanese except before closing brackets and punctuation (`」`, `。`, `、`),
/// small kana and `ー`, or after opening brackets (kinsoku). Each row is filled as far as it
/// goes (first fit), so a Japanese line never breaks early at an ASCII space and leaves half
/// a row empty. A word wider than a row (a long URL) is cut by display width. Continuation
/// rows get the line's hanging indent.
///
/// ratatui's own `Wrap` is not used because it only breaks at whitespace: a run of Japanese
/// is one "word" to it, moved whole to the next row when it does not fit, and cut at any
/// character only when it is longer than a row.
pub fn wrap_rows(paras: &[Para], columns: usize, max_rows: usize) -> Vec<Line<'static>> {
    let columns = columns.max(1);
    let mut rows = Vec::new();
    for para in paras {
        if rows.len() >= max_rows {
            break;
        }
        let indent = if para.indent * 2 < columns {
            para.indent
        } else {
            0
        };
        // The line's text, and where each span starts in it with its style.
        let mut text = String::new();
        let mut spans: Vec<(usize, Style)> = Vec::with_capacity(para.line.spans.len());
        for span in &para.line.spans {
            spans.push((text.len(), para.line.style.patch(span.style)));
            text.push_str(&span.content);
        }
        if display::width(&text) <= columns {
            rows.push(styled(&text, &spans, 0..text.len(), 0));
            continue;
        }
        let words: Vec<textwrap::core::Word> = textwrap::WordSeparator::UnicodeBreakProperties
            .find_words(&text)
            .collect();
        let words = textwrap::core::break_words(words, columns - indent);
        // The words are consecutive pieces of the text: where each starts.
        let mut starts = Vec::with_capacity(words.len());
        let mut at = 0;
        for word in &words {
            starts.push(at);
            at += word.word.len() + word.whitespace.len() + word.penalty.len();
        }
        debug_assert_eq!(at, text.len(), "words cover the line");
        let widths = [columns as f64, (columns - indent) as f64];
        let mut first_word = 0;
        for (i, line) in textwrap::wrap_algorithms::wrap_first_fit(&words, &widths)
            .into_iter()
            .enumerate()
        {
            if rows.len() >= max_rows {
                break;
            }
            let Some(last) = line.last() else {
                continue;
            };
            let start = starts[first_word];
            let end = starts[first_word + line.len() - 1] + last.word.len();
            first_word += line.len();
            rows.push(styled(
                &text,
                &spans,
                start..end,
                if i == 0 { 0 } else { indent },
            ));
        }
    }
    rows
}

/// The `range` of a line's `text` as a row, each piece in the style of the span it comes
/// from (`spans`: where each starts, and its style), after `indent` spaces.
fn styled(
    text: &str,
    spans: &[(usize, Style)],
    range: Range<usize>,
    indent: usize,
) -> Line<'static> {
    let mut out = Vec::with_capacity(spans.len() + 1);
    if indent > 0 {
        out.push(Span::raw(" ".repeat(indent)));
    }
    for (i, &(start, style)) in spans.iter().enumerate() {
        let end = spans.get(i + 1).map_or(text.len(), |(next, _)| *next);
        let (from, to) = (start.max(range.start), end.min(range.end));
        if from < to {
            out.push(Span::styled(text[from..to].to_owned(), style));
        }
    }
    Line::from(out)
}

/// `  — Alice` after an item someone is recorded to have written.
fn by(author: &Option<String>, theme: &Theme) -> Option<Span<'static>> {
    author
        .as_deref()
        .map(|name| Span::styled(format!("  — {}", esc(name)), theme.dim()))
}

/// Values a merge could not choose between, right under the title: the kept one, the other
/// one, and how to settle it.
fn conflicts(lines: &mut Vec<Para>, theme: &Theme, talk: &Talk, id: &str) {
    if talk.conflicts.is_empty() {
        return;
    }
    lines.push(para(
        Line::styled(
            format!(
                "⚠ {} value(s) changed on both sides: settle with `tn edit {id}`",
                talk.conflicts.len()
            ),
            theme.error(),
        ),
        2,
    ));
    for c in &talk.conflicts {
        let kept = crate::merge::kept_value(talk, &c.field).unwrap_or_default();
        let mut other = vec![
            Span::styled("    other ", theme.dim()),
            Span::raw(esc(&c.theirs)),
        ];
        other.extend(by(&c.by, theme));
        lines.push(para(
            Line::styled(format!("  {}", esc(&c.field)), theme.error()),
            4,
        ));
        lines.push(para(
            vec![
                Span::styled("    kept  ", theme.dim()),
                Span::raw(esc(&kept)),
            ],
            10,
        ));
        lines.push(para(other, 10));
    }
}

fn section(lines: &mut Vec<Para>, theme: &Theme, name: &str, count: usize) {
    if count == 0 {
        return;
    }
    lines.push(para(Line::raw(""), 0));
    lines.push(para(
        Line::styled(name.to_owned(), theme.title().add_modifier(Modifier::BOLD)),
        0,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{Conflict, Takeaway, Tool};

    fn text(paras: &[Para]) -> String {
        paras
            .iter()
            .map(|p| {
                p.line
                    .spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn rows(text: &str, columns: usize) -> Vec<String> {
        let paras = [para(Line::raw(text.to_owned()), 0)];
        wrap(&paras, columns)
            .iter()
            .map(|line| line.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    #[test]
    fn english_words_stay_whole() {
        // Regression (issue 17 item 18): `CodeCatalyst` was cut into `Code` / `Catalyst`.
        let text = "Amazon CodeCatalyst でリリースまでの流れを一つにまとめる";
        for columns in 12..40 {
            let rows = rows(text, columns);
            assert!(
                rows.iter().any(|r| r.contains("CodeCatalyst")),
                "{columns}: {rows:?}"
            );
            assert!(
                rows.iter().all(|r| display::width(r) <= columns),
                "{rows:?}"
            );
        }
    }

    #[test]
    fn japanese_rows_are_filled_and_follow_kinsoku() {
        // Regression (issue 17 item 18): a row broke at an ASCII space far from its end
        // ("…デプロイの 4" / "つに分けて…"), leaving a gap.
        let text = "リリースまでのパイプラインをビルド、テスト、ステージング、デプロイの 4 つに分けて、それぞれを「小さく速く」回すことが大事だと話していた。サービスメッシュのサイドカーは不要になりつつある。";
        for columns in 12..60 {
            let rows = rows(text, columns);
            assert_eq!(rows.concat().replace(' ', ""), text.replace(' ', ""));
            for (i, row) in rows.iter().enumerate() {
                assert!(display::width(row) <= columns, "{columns}: {rows:#?}");
                // Every row but the last is filled (a wide character may not fit in the
                // last column, and a space at a break is dropped).
                if i + 1 < rows.len() {
                    assert!(
                        display::width(row) + 3 >= columns,
                        "{columns}: row {i} has a gap: {rows:#?}"
                    );
                }
                // No row starts with closing punctuation, a small kana or a long-vowel mark.
                let first = row.chars().next().unwrap_or(' ');
                assert!(
                    !"、。」ーャュョッァィゥェォ".contains(first),
                    "{columns}: {rows:#?}"
                );
            }
        }
    }

    #[test]
    fn wrapped_rows_keep_their_styles_and_hanging_indent() {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        let paras = [para(
            vec![
                Span::raw("  13:05 "),
                Span::styled("強調された長い文章が折り返される", bold),
                Span::raw(" end"),
            ],
            8,
        )];
        let lines = wrap_rows(&paras, 20, usize::MAX);
        assert!(lines.len() > 1);
        for (i, line) in lines.iter().enumerate() {
            let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
            assert!(display::width(&text) <= 20, "{text}");
            if i > 0 {
                assert!(text.starts_with("        "), "{text:?}");
            }
        }
        assert!(
            lines
                .iter()
                .flat_map(|l| &l.spans)
                .filter(|s| s.content.contains('強') || s.content.contains('る'))
                .all(|s| s.style == bold)
        );
        // And no more rows than asked for.
        assert_eq!(wrap_rows(&paras, 20, 1).len(), 1);
    }

    #[test]
    fn authors_and_merge_conflicts_are_shown() {
        let mut talk = Talk::new("t".parse().unwrap(), "Kept title");
        talk.takeaways.push(Takeaway {
            text: "XDP".into(),
            at: Some("13:05".parse().unwrap()),
            by: Some("Alice".into()),
        });
        talk.tools.push(Tool {
            name: "Cilium".into(),
            url: None,
            by: Some("Bob".into()),
        });
        talk.conflicts.push(Conflict {
            field: "title".into(),
            theirs: "Other title".into(),
            by: Some("Bob".into()),
        });
        let preview = Preview {
            id: "ev/t".parse().unwrap(),
            talk: Ok(talk),
            event_name: None,
        };
        let shown = text(&talk_lines(&preview, &Theme::plain()));
        for expected in [
            "⚠ 1 value(s) changed on both sides: settle with `tn edit ev/t`",
            "  title\n    kept  Kept title\n    other Other title  — Bob",
            "  13:05 XDP  — Alice",
            "  Cilium  — Bob",
        ] {
            assert!(shown.contains(expected), "{expected:?} not in\n{shown}");
        }
    }
}
