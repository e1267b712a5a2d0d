//! Escaping for Markdown: user text shows as typed wherever it is placed on a line
//! ([`inline`], [`line_text`], link destinations), and every escape is reversible
//! ([`unescape`]), which is what lets `tn import` read a recap back exactly.

use std::fmt::Write as _;

/// One line of multi-line text. Leading white space would make an indented code block, so it
/// is written as `&nbsp;` (shown as indentation) and `&#9;`.
pub(crate) fn line_text(line: &str) -> String {
    let rest = line.trim_start_matches([' ', '\t']);
    let mut out = String::new();
    for c in line[..line.len() - rest.len()].chars() {
        out.push_str(if c == ' ' { "&nbsp;" } else { "&#9;" });
    }
    out.push_str(&inline(rest));
    out
}

/// Characters that must not reach a terminal or a page raw.
pub(crate) fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Escapes text so Markdown shows it as typed, wherever it is placed on a line.
pub fn inline(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '#' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '&' if entity_like(&chars[i..]) => out.push_str("\\&"),
            '\n' => out.push_str("<br>"),
            c if is_unsafe(c) => {
                let _ = write!(out, "&#x{:x};", c as u32);
            }
            // At the start of a line these begin a quote, a list, a setext underline or a
            // Zenn/Qiita `:::` block.
            '>' | '-' | '+' | '=' | ':' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            // `1.` or `1)` at the start of a line begins an ordered list.
            '.' | ')' if i > 0 && i < 10 && chars[..i].iter().all(char::is_ascii_digit) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Whether `&…` would be read as an entity or numeric character reference.
fn entity_like(chars: &[char]) -> bool {
    let body: String = chars
        .iter()
        .skip(1)
        .take(40)
        .take_while(|c| **c != ';')
        .collect();
    let terminated =
        chars.len() > body.chars().count() + 1 && chars[body.chars().count() + 1] == ';';
    terminated
        && !body.is_empty()
        && (body.chars().all(|c| c.is_ascii_alphanumeric())
            || body
                .strip_prefix('#')
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric())))
}

/// A link destination: bare with `\`, parentheses and angle brackets escaped, or `<…>` when
/// the URL has spaces. Control characters and bidirectional overrides cannot be written raw;
/// they are numeric character references, which CommonMark decodes in destinations (a page
/// links to the same URL) and [`unescape`] reverses.
pub(super) fn destination(url: &str) -> String {
    let chars: Vec<char> = url.chars().collect();
    let angled = chars.contains(&' ');
    let mut out = String::new();
    if angled {
        out.push('<');
    }
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '<' | '>' => {
                out.push('\\');
                out.push(c);
            }
            '(' | ')' if !angled => {
                out.push('\\');
                out.push(c);
            }
            '&' if entity_like(&chars[i..]) => out.push_str("\\&"),
            c if c.is_control() || is_unsafe(c) => {
                let _ = write!(out, "&#x{:x};", c as u32);
            }
            c => out.push(c),
        }
    }
    if angled {
        out.push('>');
    }
    out
}

/// Whether `<url>` is a CommonMark autolink that shows exactly `url`.
pub(super) fn autolink_safe(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else {
        return false;
    };
    (2..=32).contains(&scheme.len())
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        && !rest.is_empty()
        && !rest
            .chars()
            .any(|c| c.is_whitespace() || is_unsafe(c) || matches!(c, '<' | '>' | '\\'))
}

/// Reverses [`inline`], [`line_text`] and [`destination`]: backslash escapes of ASCII
/// punctuation, `<br>`, `&nbsp;` and numeric character references.
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if c == '\\'
            && let Some(next) = rest[1..].chars().next()
            && next.is_ascii_punctuation()
        {
            out.push(next);
            rest = &rest[1 + next.len_utf8()..];
            continue;
        }
        if let Some(after) = rest.strip_prefix("<br>") {
            out.push('\n');
            rest = after;
            continue;
        }
        if let Some(after) = rest.strip_prefix("&nbsp;") {
            out.push(' ');
            rest = after;
            continue;
        }
        if let Some((decoded, after)) = numeric_reference(rest) {
            out.push(decoded);
            rest = after;
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

fn numeric_reference(text: &str) -> Option<(char, &str)> {
    let body = text.strip_prefix("&#")?;
    let end = body.find(';')?;
    let digits = &body[..end];
    let value = match digits.strip_prefix(['x', 'X']) {
        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
        None => digits.parse().ok()?,
    };
    Some((char::from_u32(value)?, &body[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Event as Md, Parser, Tag, TagEnd};

    /// The text a CommonMark reader shows for `markdown` (one paragraph).
    fn rendered_text(markdown: &str) -> (String, Vec<String>) {
        let mut text = String::new();
        let mut starts = Vec::new();
        // Every extension a platform might enable, except typographic quotes and dashes,
        // which change how text looks but never its structure.
        let options =
            pulldown_cmark::Options::all() - pulldown_cmark::Options::ENABLE_SMART_PUNCTUATION;
        for event in Parser::new_ext(markdown, options) {
            match event {
                Md::Text(t) | Md::Code(t) => text.push_str(&t),
                Md::SoftBreak | Md::HardBreak => text.push('\n'),
                Md::Html(t) | Md::InlineHtml(t) => text.push_str(&t),
                Md::Start(tag) => {
                    let name = format!("{tag:?}");
                    starts.push(name.split(['(', ' ', '{']).next().unwrap_or("").to_owned());
                }
                Md::End(TagEnd::Paragraph) => {}
                _ => {}
            }
        }
        (text, starts)
    }

    const HOSTILE: &[&str] = &[
        "# not a heading",
        "1. not a list",
        "- not a list",
        "+ not a list",
        "> not a quote",
        "---",
        "===",
        "**bold** _em_ ~~strike~~ `code`",
        "[link](http://x) ![img](y)",
        "<script>alert(1)</script>",
        "a | b | c",
        "$x^2$ and $$y$$",
        "::: message",
        "&amp; &#x41; &copy; & ;",
        "back\\slash \\* \\",
        "2024. year",
        "C# and F#",
        "12) twelve",
        "tab\there",
    ];

    #[test]
    fn escaped_text_renders_as_typed_and_unescapes_exactly() {
        for text in HOSTILE {
            let escaped = inline(text);
            assert_eq!(unescape(&escaped), *text, "round trip of {text:?}");
            let (shown, starts) = rendered_text(&escaped);
            assert_eq!(shown, *text, "rendering of {escaped:?}");
            assert_eq!(starts, ["Paragraph"], "{escaped:?} made {starts:?}");
            // The same inside a list item and a heading.
            let (shown, _) = rendered_text(&format!("- {escaped}"));
            assert_eq!(shown, *text, "list item {escaped:?}");
            let (shown, _) = rendered_text(&format!("### {escaped}"));
            assert_eq!(shown, text.trim(), "heading {escaped:?}");
        }
    }

    #[test]
    fn control_characters_and_line_breaks_are_references() {
        let text = "a\u{1b}[31mb\u{202e}c\nd";
        let escaped = inline(text);
        assert!(!escaped.chars().any(is_unsafe), "{escaped}");
        assert_eq!(escaped, "a&#x1b;\\[31mb&#x202e;c<br>d");
        assert_eq!(unescape(&escaped), text);
        assert_eq!(unescape(&line_text("    indented")), "    indented");
        assert_eq!(line_text("  - x"), "&nbsp;&nbsp;\\- x");
    }

    #[test]
    fn destinations_survive_parentheses_spaces_and_entities() {
        for url in [
            "https://ja.wikipedia.org/wiki/Rust_(プログラミング言語)",
            "https://example.com/a b",
            "https://example.com/?a=1&copy=2",
            "https://example.com/back\\slash",
        ] {
            let md = format!("[x]({})", destination(url));
            let mut found = None;
            for event in Parser::new(&md) {
                if let Md::Start(Tag::Link { dest_url, .. }) = event {
                    found = Some(dest_url.to_string());
                }
            }
            assert_eq!(found.as_deref(), Some(url), "{md}");
        }
        assert!(autolink_safe("https://example.com/x_y"));
        assert!(!autolink_safe("https://example.com/a b"));
        assert!(!autolink_safe("not a url"));
    }
}
