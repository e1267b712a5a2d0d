//! Text for the terminal: escaping, display width, alignment.
//!
//! Note text is user data and may hold terminal control sequences (an imported article, a
//! pasted log line). Nothing from a note reaches the terminal raw: every string goes through
//! [`escape`] first. Alignment uses display width (`unicode-width`), so Japanese, which takes
//! two columns a character, lines up, and truncation never cuts a character in half.

use std::borrow::Cow;
use std::fmt::Write as _;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Whether a character must not be written raw to a terminal.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        // Bidirectional overrides and isolates can reorder what a reader sees.
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Escapes control characters (including ESC, so no escape sequence survives) as `\u{..}`.
/// With `keep_newlines`, `\n` stays a line break; otherwise it is shown as `⏎`.
pub fn escape(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' => out.push('⏎'),
            '\t' => out.push_str("    "),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Rewrites characters that a terminal could act on (C1 controls, DEL, bidirectional
/// overrides) as `\uXXXX` escapes in JSON text. serde_json escapes only C0 controls; every
/// other character of JSON's syntax is ASCII, so such characters can only be inside strings,
/// and the escaped JSON means exactly the same.
pub fn json_safe(json: String) -> String {
    if !json.chars().any(is_unsafe) {
        return json;
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r') {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes for one line of output.
pub fn line(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Display width in terminal columns.
pub fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// Cuts `text` to at most `max` columns, ending with `…` when something was cut.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    // Sequences (an emoji and its presentation selector, emoji joined with ZWJ) are measured
    // whole and can be wider than their characters added up; cut more until it fits. `…`
    // alone fits, since `max` is at least 1.
    while width(&out) > max {
        out.pop();
        out.pop();
        out.push('…');
    }
    Cow::Owned(out)
}

/// Pads `text` with spaces to `columns` display columns.
pub fn pad(text: &str, columns: usize) -> String {
    let mut out = text.to_owned();
    out.extend(std::iter::repeat_n(
        ' ',
        columns.saturating_sub(width(text)),
    ));
    out
}

/// Lays out rows as aligned columns; the last column is truncated to fit `max_width`.
/// Cells must already be escaped.
pub fn table(rows: &[Vec<String>], max_width: Option<usize>) -> Vec<String> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; columns];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(width(cell));
        }
    }
    rows.iter()
        .map(|row| {
            let mut line = String::new();
            for (i, cell) in row.iter().enumerate() {
                if i + 1 == row.len() {
                    let room = max_width.map(|m| m.saturating_sub(width(&line)).max(8));
                    match room {
                        Some(room) => line.push_str(&truncate(cell, room)),
                        None => line.push_str(cell),
                    }
                } else {
                    line.push_str(&pad(cell, widths[i]));
                    line.push_str("  ");
                }
            }
            line.trim_end().to_owned()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_never_survive() {
        let hostile = "a\u{1b}]52;c;ZXZpbA==\u{7}b\u{1b}[2Jc\u{9b}d\u{202e}e";
        let out = escape(hostile, false);
        assert!(!out.chars().any(is_unsafe), "{out}");
        assert!(out.contains("\\u{1b}]52"));
        assert_eq!(escape("普通の文章", false), "普通の文章");
        assert_eq!(escape("a\nb", true), "a\nb");
        assert_eq!(escape("a\nb", false), "a⏎b");
    }

    #[test]
    fn json_output_escapes_what_a_terminal_would_interpret() {
        let json = serde_json::to_string_pretty(&["a\u{9b}31m\u{202e}b\u{1b}"]).unwrap();
        let safe = json_safe(json);
        assert!(!safe.chars().any(|c| is_unsafe(c) && c != '\n'), "{safe}");
        let back: Vec<String> = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, ["a\u{9b}31m\u{202e}b\u{1b}"]);
    }

    #[test]
    fn truncation_respects_wide_characters() {
        assert_eq!(truncate("サービスメッシュ入門", 7), "サービ…");
        assert_eq!(width(&truncate("サービスメッシュ入門", 8)), 7);
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(pad("日本", 6), "日本  ");
    }

    #[test]
    fn truncation_measures_emoji_sequences_whole() {
        // `❤` is one column, but `❤` with VS16 is a two-column emoji: counting characters one by
        // one made the cut text wider than asked.
        let text = "❤\u{fe0f}".repeat(10);
        for max in 1..12 {
            let cut = truncate(&text, max);
            assert!(width(&cut) <= max, "{cut:?} is wider than {max}");
            assert!(cut.ends_with('…'));
        }
    }

    #[test]
    fn table_aligns_by_display_width() {
        let rows = vec![
            vec!["日本語".to_string(), "x".to_string()],
            vec!["ab".to_string(), "y".to_string()],
        ];
        assert_eq!(table(&rows, None), vec!["日本語  x", "ab      y"]);
    }
}
