//! `tn export --preview`: the Markdown recap rendered for the terminal, so it can be read
//! before it is published without leaving the shell.
//!
//! It renders the very text that would be published (not the notes), with pulldown-cmark: the
//! front matter as the platform's tools will read it, headings, lists, quotes, code blocks,
//! links with their URL, tables, and each card or embed as a line naming what the platform will
//! show there. The talknotes marker comments are hidden, as they are once published. Every
//! piece of text goes through [`crate::display`], like all terminal output: a note holding an
//! escape sequence (raw, or as a `&#x1b;` reference that Markdown decodes) shows it as
//! `\u{1b}`, it never acts on the terminal. Styles are ANSI; the caller's `anstream` drops
//! them when the output is not a terminal or `NO_COLOR` is set.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::markdown::platform::read_embed;
use super::{fence_close, fence_open};
use crate::display;

const HEADING: Style = AnsiColor::Cyan.on_default().bold();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();
const ITALIC: Style = Style::new().italic();
const LINK: Style = Style::new().underline();
const EMBED: Style = AnsiColor::Magenta.on_default();

/// Renders a Markdown recap (front matter included) for the terminal.
pub fn render(markdown: &str) -> String {
    let mut out = String::new();
    let mut body = markdown;
    if let Some(rest) = markdown.strip_prefix("---\n")
        && let Some(end) = rest
            .find("\n---\n")
            .or_else(|| rest.ends_with("\n---").then(|| rest.len() - "\n---".len()))
    {
        for line in rest[..end].lines() {
            let _ = writeln!(out, "{DIM}{}{DIM:#}", display::line(line));
        }
        let _ = writeln!(out, "{DIM}{}{DIM:#}\n", "─".repeat(40));
        body = rest[end..].strip_prefix("\n---").unwrap_or("");
    }
    // Cards and embeds are lines of their own; everything between them is Markdown.
    let mut chunk = String::new();
    let mut fence = None;
    for line in body.lines() {
        match fence {
            Some(open) => {
                if fence_close(line, open) {
                    fence = None;
                }
            }
            None => fence = fence_open(line),
        }
        let embed = if fence.is_none() && !line.starts_with(['<', ' ']) {
            read_embed(line).map(|url| (embed_kind(line), url))
        } else {
            None
        };
        match embed {
            Some((kind, url)) => {
                markdown_block(&mut out, &chunk);
                chunk.clear();
                if !out.is_empty() && !out.ends_with("\n\n") {
                    out.push('\n');
                }
                let _ = writeln!(
                    out,
                    "{EMBED}▶ {kind}{EMBED:#} {LINK}{}{LINK:#}\n",
                    display::line(&url)
                );
            }
            None => {
                chunk.push_str(line);
                chunk.push('\n');
            }
        }
    }
    markdown_block(&mut out, &chunk);
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// What a platform shows for an embed line.
fn embed_kind(line: &str) -> &'static str {
    if line.starts_with("@[youtube]") {
        "YouTube"
    } else if line.starts_with("@[speakerdeck]") {
        "Speaker Deck"
    } else if line.starts_with("@[docswell]") {
        "Docswell"
    } else if line.starts_with('[') && line.ends_with(":embed]") {
        "埋め込み"
    } else {
        "カード"
    }
}

/// Where the renderer is inside the document.
#[derive(Default)]
struct State {
    /// The list markers open: `None` for bullets, the next number for ordered lists.
    lists: Vec<Option<u64>>,
    quote: usize,
    /// The URL of the link being written, shown after its text when it differs.
    link: Option<(String, String)>,
    in_code: bool,
    at_line_start: bool,
    cell: usize,
}

fn markdown_block(out: &mut String, text: &str) {
    if text.trim().is_empty() {
        return;
    }
    let mut s = State {
        at_line_start: true,
        ..State::default()
    };
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(text, options) {
        match event {
            Event::Start(tag) => start(out, &mut s, tag),
            Event::End(tag) => end(out, &mut s, tag),
            Event::Text(t) => {
                if s.in_code {
                    for line in t.split_inclusive('\n') {
                        prefix(out, &mut s);
                        let _ = write!(
                            out,
                            "{DIM}    {}{DIM:#}",
                            display::escape(line.trim_end_matches('\n'), false)
                        );
                        if line.ends_with('\n') {
                            newline(out, &mut s);
                        }
                    }
                } else {
                    prefix(out, &mut s);
                    out.push_str(&display::line(&t));
                    if let Some((_, text)) = s.link.as_mut() {
                        text.push_str(&t);
                    }
                }
            }
            Event::Code(t) => {
                prefix(out, &mut s);
                let _ = write!(out, "{BOLD}{}{BOLD:#}", display::line(&t));
            }
            // The talknotes markers, and any HTML (shown by platforms as text or dropped).
            Event::Html(t) | Event::InlineHtml(t) => {
                if !t.trim_start().starts_with("<!--") {
                    prefix(out, &mut s);
                    out.push_str(&display::line(t.trim_end_matches('\n')));
                }
            }
            Event::SoftBreak | Event::HardBreak => newline(out, &mut s),
            Event::Rule => {
                prefix(out, &mut s);
                let _ = write!(out, "{DIM}{}{DIM:#}", "─".repeat(40));
                newline(out, &mut s);
            }
            Event::TaskListMarker(done) => {
                prefix(out, &mut s);
                out.push_str(if done { "[x] " } else { "[ ] " });
            }
            Event::FootnoteReference(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                prefix(out, &mut s);
                out.push_str(&display::line(&t));
            }
        }
    }
}

fn start(out: &mut String, s: &mut State, tag: Tag<'_>) {
    match tag {
        Tag::Heading { level, .. } => {
            blank(out, s);
            prefix(out, s);
            let hashes = match level {
                HeadingLevel::H1 => 1,
                HeadingLevel::H2 => 2,
                HeadingLevel::H3 => 3,
                HeadingLevel::H4 => 4,
                HeadingLevel::H5 => 5,
                HeadingLevel::H6 => 6,
            };
            let _ = write!(out, "{HEADING}{} ", "#".repeat(hashes));
        }
        Tag::Paragraph if s.lists.is_empty() => blank(out, s),
        Tag::BlockQuote(_) => {
            blank(out, s);
            s.quote += 1;
        }
        Tag::CodeBlock(kind) => {
            blank(out, s);
            if let CodeBlockKind::Fenced(info) = kind
                && !info.is_empty()
            {
                prefix(out, s);
                let _ = write!(out, "{DIM}    [{}]{DIM:#}", display::line(&info));
                newline(out, s);
            }
            s.in_code = true;
        }
        Tag::List(first) => {
            if s.lists.is_empty() {
                blank(out, s);
            } else if !s.at_line_start {
                newline(out, s);
            }
            s.lists.push(first);
        }
        Tag::Item => {
            if !s.at_line_start {
                newline(out, s);
            }
            quotes(out, s);
            s.at_line_start = false;
            let depth = s.lists.len().saturating_sub(1);
            out.push_str(&"  ".repeat(depth));
            match s.lists.last_mut() {
                Some(Some(n)) => {
                    let _ = write!(out, "{n}. ");
                    *n += 1;
                }
                _ => out.push_str("• "),
            }
        }
        Tag::Emphasis => {
            prefix(out, s);
            let _ = write!(out, "{ITALIC}");
        }
        Tag::Strong => {
            prefix(out, s);
            let _ = write!(out, "{BOLD}");
        }
        Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. } => {
            prefix(out, s);
            let _ = write!(out, "{LINK}");
            s.link = Some((dest_url.to_string(), String::new()));
        }
        Tag::Table(_) => blank(out, s),
        Tag::TableCell => {
            prefix(out, s);
            if s.cell > 0 {
                let _ = write!(out, "{DIM} │ {DIM:#}");
            }
            s.cell += 1;
        }
        _ => {}
    }
}

fn end(out: &mut String, s: &mut State, tag: TagEnd) {
    match tag {
        TagEnd::Heading(_) => {
            let _ = write!(out, "{HEADING:#}");
            newline(out, s);
        }
        TagEnd::Paragraph => newline(out, s),
        TagEnd::BlockQuote(_) => s.quote = s.quote.saturating_sub(1),
        TagEnd::CodeBlock => s.in_code = false,
        TagEnd::List(_) => {
            s.lists.pop();
            if !s.at_line_start {
                newline(out, s);
            }
        }
        TagEnd::Emphasis => {
            let _ = write!(out, "{ITALIC:#}");
        }
        TagEnd::Strong => {
            let _ = write!(out, "{BOLD:#}");
        }
        TagEnd::Link | TagEnd::Image => {
            let _ = write!(out, "{LINK:#}");
            if let Some((url, text)) = s.link.take()
                && url != text
                && !url.is_empty()
            {
                let _ = write!(out, " {DIM}<{}>{DIM:#}", display::line(&url));
            }
        }
        TagEnd::TableHead | TagEnd::TableRow => {
            s.cell = 0;
            newline(out, s);
        }
        _ => {}
    }
}

/// Starts a line: the quote bars, and inside a list item the indentation of its text.
fn prefix(out: &mut String, s: &mut State) {
    if s.at_line_start {
        quotes(out, s);
        out.push_str(&"  ".repeat(s.lists.len()));
        s.at_line_start = false;
    }
}

fn quotes(out: &mut String, s: &State) {
    for _ in 0..s.quote {
        let _ = write!(out, "{DIM}│{DIM:#} ");
    }
}

fn newline(out: &mut String, s: &mut State) {
    out.push('\n');
    s.at_line_start = true;
}

/// An empty line before a block, unless at the start or after one.
fn blank(out: &mut String, s: &mut State) {
    if !s.at_line_start {
        newline(out, s);
    }
    if !out.is_empty() && !out.ends_with("\n\n") {
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> String {
        // The styles, as anstream strips them for a pipe.
        let mut out = String::new();
        let mut rest = text;
        while let Some(i) = rest.find('\u{1b}') {
            out.push_str(&rest[..i]);
            let after = &rest[i..];
            let end = after.find('m').map_or(after.len(), |e| e + 1);
            rest = &after[end..];
        }
        out.push_str(rest);
        out
    }

    #[test]
    fn a_recap_reads_as_text_with_cards_named() {
        let md = "---\ntitle: \"T\"\n---\n<!-- talknotes:recap 1 -->\n\n## Keynotes\n\n### Talk *one*\n<!-- talknotes:talk {} -->\n\n@[card](https://example.com/t)\n\n- first\\\n  second\n- [Cilium](https://cilium.io/)\n\n```sh\nls\n```\n";
        let text = plain(&render(md));
        assert_eq!(
            text,
            "title: \"T\"\n────────────────────────────────────────\n\n## Keynotes\n\n### Talk one\n\n▶ カード https://example.com/t\n\n• first\n  second\n• Cilium <https://cilium.io/>\n\n    [sh]\n    ls\n"
        );
    }

    #[test]
    fn terminal_controls_in_notes_never_reach_the_terminal() {
        // Raw, as a reference Markdown decodes, and in a code block.
        let md = "- a\u{1b}]0;x\u{7} b&#x1b;[2J c\n\n```\n\u{1b}[31mred\n```\n";
        let text = render(md);
        let bare: String = plain(&text);
        assert!(
            !bare.contains('\u{1b}') && !bare.contains('\u{7}'),
            "{bare:?}"
        );
        assert!(bare.contains("\\u{1b}[2J"), "{bare:?}");
    }
}
