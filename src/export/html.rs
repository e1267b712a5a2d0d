//! The HTML recap: one self-contained page (inline style, no scripts, no external resources)
//! with the same content and order as the Markdown, for mailing or hosting as is.
//!
//! It is written from the same [`Recap`] as the Markdown rather than by rendering that
//! Markdown, so no Markdown subtlety can turn user text into markup: every piece of user text
//! goes through [`escape`], and only `http`, `https` and `mailto` URLs become links (a
//! `javascript:` URL in an imported note stays text).

use super::{Block, Recap, RecapOptions, blocks, fence_language, one_line, trimmed_block};
use crate::interchange::EventBundle;
use crate::note::{Event, Talk};
use crate::present;

use super::markdown::{
    LABEL_CONTRIBUTORS, LABEL_DATE, LABEL_DATES, LABEL_HASHTAG, LABEL_PLACE, LABEL_SPEAKERS,
    LABEL_TRACK, LABEL_WHEN, SECTION_LINKS, SECTION_MEMO, SECTION_TAKEAWAYS, SECTION_TOOLS,
    TOOLS_HEADING, is_unsafe,
};

const STYLE: &str = "body{font-family:-apple-system,BlinkMacSystemFont,\"Hiragino Sans\",\
\"Noto Sans JP\",Meiryo,sans-serif;line-height:1.7;max-width:48rem;margin:2rem auto;\
padding:0 1rem;color:#222}\
h1,h2,h3,h4,h5{line-height:1.3}h1{font-size:1.8rem}\
a{color:#0b62c4}blockquote{margin:0;padding:0 1rem;border-left:4px solid #ddd;color:#555}\
pre{background:#f5f5f5;padding:.75rem;overflow-x:auto}code{font-family:ui-monospace,Menlo,monospace}\
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}\
ul.meta{list-style:none;padding-left:0;color:#555}";

/// Writes the recap of `bundles` as one HTML page.
pub fn html(bundles: &[EventBundle], options: &RecapOptions) -> String {
    render(&Recap::build(bundles, options))
}

pub fn render(recap: &Recap) -> String {
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str(
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta name=\"generator\" content=\"talknotes\">\n",
    );
    out.push_str(&format!(
        "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n",
        escape(one_line(&recap.title))
    ));
    let event_level = if recap.title_heading {
        out.push_str(&format!("<h1>{}</h1>\n", escape(one_line(&recap.title))));
        2
    } else {
        1
    };
    for section in &recap.events {
        out.push_str("<section>\n");
        write_event(&mut out, &section.event, event_level);
        for group in &section.groups {
            heading(&mut out, event_level + 1, &escape(one_line(&group.heading)));
            for talk in &group.talks {
                write_talk(&mut out, talk, event_level + 2, recap.contributors);
            }
        }
        out.push_str("</section>\n");
    }
    if !recap.tools.is_empty() {
        heading(&mut out, 2, TOOLS_HEADING);
        out.push_str(
            "<table>\n<thead><tr><th>ツール</th><th>紹介されたトーク</th></tr></thead>\n<tbody>\n",
        );
        for row in &recap.tools {
            let (tool, talks) = row.cells(linked);
            out.push_str(&format!("<tr><td>{tool}</td><td>{talks}</td></tr>\n"));
        }
        out.push_str("</tbody>\n</table>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn heading(out: &mut String, level: usize, inner: &str) {
    let level = level.min(6);
    out.push_str(&format!("<h{level}>{inner}</h{level}>\n"));
}

fn write_event(out: &mut String, event: &Event, level: usize) {
    heading(out, level, &linked(&event.name, event.url.as_deref()));
    let mut meta = Vec::new();
    if let Some(dates) = present::days(event.starts_on, event.ends_on, present::RECAP) {
        meta.push((LABEL_DATES, dates));
    }
    for (label, value) in [
        (LABEL_PLACE, &event.location),
        (LABEL_HASHTAG, &event.hashtag),
    ] {
        if let Some(value) = value.as_deref().map(one_line).filter(|v| !v.is_empty()) {
            meta.push((label, value.to_owned()));
        }
    }
    meta_list(out, &meta);
    if let Some(memo) = &event.memo {
        write_memo(out, memo);
    }
}

fn meta_list(out: &mut String, items: &[(&str, String)]) {
    if items.is_empty() {
        return;
    }
    out.push_str("<ul class=\"meta\">\n");
    for (label, value) in items {
        out.push_str(&format!("<li>{label}: {}</li>\n", escape(value)));
    }
    out.push_str("</ul>\n");
}

fn write_talk(out: &mut String, talk: &Talk, level: usize, contributors: bool) {
    out.push_str("<article>\n");
    heading(out, level, &linked(&talk.title, talk.url.as_deref()));
    let mut meta = Vec::new();
    if !talk.speakers.is_empty() {
        let names = present::speakers(&talk.speakers, present::RECAP, str::to_owned);
        meta.push((LABEL_SPEAKERS, names));
    }
    if let Some(when) = present::when(talk.date, talk.start, talk.end, present::RECAP) {
        let label = if talk.start.is_some() || talk.end.is_some() {
            LABEL_WHEN
        } else {
            LABEL_DATE
        };
        meta.push((label, when));
    }
    if let Some(track) = talk
        .track
        .as_deref()
        .map(one_line)
        .filter(|t| !t.is_empty())
    {
        meta.push((LABEL_TRACK, track.to_owned()));
    }
    let names: Vec<&str> = talk.contributors().into_iter().map(one_line).collect();
    if contributors && !names.is_empty() {
        meta.push((LABEL_CONTRIBUTORS, names.join("、")));
    }
    meta_list(out, &meta);
    if let Some(text) = talk.r#abstract.as_deref().map(trimmed_block) {
        out.push_str("<blockquote>\n");
        paragraphs(out, super::text_lines(text));
        out.push_str("</blockquote>\n");
    }
    let sub = level + 1;
    if !talk.takeaways.is_empty() {
        heading(out, sub, SECTION_TAKEAWAYS);
        list(
            out,
            talk.takeaways.iter().map(|t| escape(one_line(&t.text))),
        );
    }
    if !talk.tools.is_empty() {
        heading(out, sub, SECTION_TOOLS);
        list(
            out,
            talk.tools.iter().map(|t| linked(&t.name, t.url.as_deref())),
        );
    }
    if !talk.links.is_empty() {
        heading(out, sub, SECTION_LINKS);
        list(
            out,
            talk.links.iter().map(|l| {
                let title = l.title.as_deref().map(one_line).filter(|t| !t.is_empty());
                linked(title.unwrap_or(&l.url), Some(&l.url))
            }),
        );
    }
    if let Some(memo) = talk
        .memo
        .as_deref()
        .filter(|m| !trimmed_block(m).is_empty())
    {
        heading(out, sub, SECTION_MEMO);
        write_memo(out, memo);
    }
    out.push_str("</article>\n");
}

fn list(out: &mut String, items: impl Iterator<Item = String>) {
    out.push_str("<ul>\n");
    for item in items {
        out.push_str(&format!("<li>{item}</li>\n"));
    }
    out.push_str("</ul>\n");
}

/// Text lines as paragraphs (blank lines separate them, line breaks are kept).
fn paragraphs<'a>(out: &mut String, lines: impl Iterator<Item = &'a str>) {
    let mut paragraph: Vec<String> = Vec::new();
    let flush = |out: &mut String, paragraph: &mut Vec<String>| {
        if !paragraph.is_empty() {
            out.push_str(&format!("<p>{}</p>\n", paragraph.join("<br>\n")));
            paragraph.clear();
        }
    };
    for line in lines {
        if line.trim().is_empty() {
            flush(out, &mut paragraph);
        } else {
            paragraph.push(escape(line));
        }
    }
    flush(out, &mut paragraph);
}

fn write_memo(out: &mut String, memo: &str) {
    let mut text: Vec<&str> = Vec::new();
    for block in blocks(trimmed_block(memo)) {
        match block {
            Block::Line(line) => text.push(line),
            Block::Code { open, body, .. } => {
                paragraphs(out, text.drain(..));
                let language = fence_language(open);
                let class = if language.is_empty() {
                    String::new()
                } else {
                    format!(" class=\"language-{}\"", escape(language))
                };
                let mut code = body.join("\n");
                if !body.is_empty() {
                    code.push('\n');
                }
                out.push_str(&format!(
                    "<pre><code{class}>{}</code></pre>\n",
                    escape(&code)
                ));
            }
        }
    }
    paragraphs(out, text.into_iter());
}

/// `<a href>` for web and mail URLs; anything else (`javascript:`, `data:`) is shown as text.
fn linked(text: &str, url: Option<&str>) -> String {
    let text = escape(one_line(text));
    match url.map(one_line).filter(|u| safe_url(u)) {
        Some(url) => format!("<a href=\"{}\">{text}</a>", escape(url)),
        None => text,
    }
}

fn safe_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| lower.starts_with(scheme))
}

/// Escapes text for HTML element content and double-quoted attributes. Control characters
/// become numeric references, so none reaches a terminal that shows the page source.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_unsafe(c) => out.push_str(&format!("&#x{:x};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::RecapOptions;
    use crate::note::Tool;

    #[test]
    fn user_text_never_becomes_markup() {
        let mut event = Event::new("ev".parse().unwrap(), "<b>Conf</b>");
        event.memo = Some("<script>x</script>\n```html\n<i>code</i>\n```".into());
        let mut talk = Talk::new("t".parse().unwrap(), "\"quoted\" & <tag>");
        talk.url = Some("javascript:alert(1)".into());
        talk.tools = vec![Tool {
            name: "x".into(),
            url: Some("https://example.com/?a=1&b=\"2\"".into()),
            by: None,
        }];
        let page = html(
            &[EventBundle {
                event,
                talks: vec![talk],
            }],
            &RecapOptions::default(),
        );
        assert!(!page.contains("<script>"), "{page}");
        assert!(!page.contains("<b>"), "{page}");
        assert!(!page.contains("<i>"), "{page}");
        assert!(!page.contains("javascript:alert(1)\""), "{page}");
        assert!(page.contains("&lt;script&gt;x&lt;/script&gt;"), "{page}");
        assert!(
            page.contains(
                "<pre><code class=\"language-html\">&lt;i&gt;code&lt;/i&gt;\n</code></pre>"
            )
        );
        assert!(page.contains("&quot;quoted&quot; &amp; &lt;tag&gt;"));
        assert!(page.contains("href=\"https://example.com/?a=1&amp;b=&quot;2&quot;\""));
        assert!(page.starts_with("<!DOCTYPE html>"));
        assert!(page.ends_with("</html>\n"));
    }
}
