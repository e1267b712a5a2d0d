//! The notes layout of a talk: everything in the note, under fixed labels and section
//! headings — the recap `tn export --format md` has always written.

use super::escape::{autolink_safe, destination, item, linkable};
use super::{
    LABEL_CONTRIBUTORS, LABEL_DATE, LABEL_SPEAKERS, LABEL_TRACK, LABEL_WHEN, SECTION_LINKS,
    SECTION_MEMO, SECTION_TAKEAWAYS, SECTION_TOOLS, TALK_MARKER, TalkMarker, Writer, list_item,
    marker_line,
};
use crate::note::{ClockTime, Link, Talk, Tool};
use crate::present;

/// How far the lines of a list item after its first are indented (`- ` is two columns).
pub(super) const ITEM_INDENT: &str = "  ";

impl Writer {
    pub(super) fn notes_talk(&mut self, talk: &Talk, level: usize) {
        let marker = base_marker(talk);
        let title = self.linked(&talk.title, talk.url.as_deref());
        self.out.block([
            format!("{} {title}", "#".repeat(level)),
            marker_line(TALK_MARKER, "", &marker),
        ]);

        let mut meta = Vec::new();
        if !talk.speakers.is_empty() {
            meta.push(format!(
                "- {LABEL_SPEAKERS}: {}",
                self.speakers(&talk.speakers)
            ));
        }
        if let Some(when) = present::when(talk.date, talk.start, talk.end, present::RECAP) {
            let label = if talk.start.is_some() || talk.end.is_some() {
                LABEL_WHEN
            } else {
                LABEL_DATE
            };
            meta.push(format!("- {label}: {when}"));
        }
        if let Some(track) = talk.track.as_deref().filter(|t| !t.is_empty()) {
            meta.push(format!("- {LABEL_TRACK}: {}", self.text(track)));
        }
        meta.extend(self.url_meta(talk.url.as_deref()));
        let names = talk.contributors();
        if self.contributors && !names.is_empty() {
            meta.push(format!(
                "- {LABEL_CONTRIBUTORS}: {}",
                self.contributor_names(&names)
            ));
        }
        self.out.block(meta);

        if let Some(text) = talk.r#abstract.as_deref() {
            let quoted: Vec<String> = self
                .block_lines(text, false)
                .into_iter()
                .map(|l| {
                    if l.is_empty() {
                        ">".to_owned()
                    } else {
                        format!("> {l}")
                    }
                })
                .collect();
            self.out.block(quoted);
        }
        let sub = "#".repeat(level + 1);
        if !talk.takeaways.is_empty() {
            self.out.block([format!("{sub} {SECTION_TAKEAWAYS}")]);
            let items: Vec<String> = talk
                .takeaways
                .iter()
                .map(|t| list_item(&item(&t.text, self.platform, ITEM_INDENT)))
                .collect();
            self.out.block(items);
        }
        if !talk.tools.is_empty() {
            self.out.block([format!("{sub} {SECTION_TOOLS}")]);
            let items: Vec<String> = talk.tools.iter().map(|t| self.tool_item(t)).collect();
            self.out.block(items);
        }
        if !talk.links.is_empty() {
            self.out.block([format!("{sub} {SECTION_LINKS}")]);
            let items: Vec<String> = talk.links.iter().map(|l| self.link_item(l)).collect();
            self.out.block(items);
        }
        if let Some(memo) = &talk.memo {
            let lines = self.block_lines(memo, true);
            if !lines.is_empty() {
                self.out.block([format!("{sub} {SECTION_MEMO}")]);
                self.out.block(lines);
            }
        }
    }

    /// `- [name](url)`, `- name`, or `- name: url` (as text) for a URL that cannot be a link.
    pub(super) fn tool_item(&self, tool: &Tool) -> String {
        match tool.url.as_deref().filter(|u| !u.is_empty()) {
            Some(url) if !linkable(url) => {
                format!("- {}: {}", self.text(&tool.name), self.text(url))
            }
            url => list_item(&self.linked(&tool.name, url)),
        }
    }

    /// `- <url>`, `- [title](url)`, or for a URL that cannot be a link, `- url` or
    /// `- title: url` as text.
    pub(super) fn link_item(&self, link: &Link) -> String {
        let url = link.url.as_str();
        let title = link.title.as_deref().filter(|t| !t.is_empty() && *t != url);
        if !url.is_empty() && !linkable(url) {
            return match title {
                Some(title) => format!("- {}: {}", self.text(title), self.text(url)),
                None => list_item(&self.text(url)),
            };
        }
        // Always a link, even to an empty URL (`[title]()`), so that the item reads back as one.
        let link = |text: &str| format!("[{}]({})", self.text(text), destination(url));
        match title {
            Some(title) => list_item(&link(title)),
            None if autolink_safe(url) => format!("- <{url}>"),
            None => list_item(&link(url)),
        }
    }
}

/// The marker every layout writes for a talk: what identifies and classifies it.
pub(super) fn base_marker(talk: &Talk) -> TalkMarker {
    let roles: Vec<Option<String>> = talk.speakers.iter().map(|s| s.role.clone()).collect();
    let at: Vec<Option<ClockTime>> = talk.takeaways.iter().map(|t| t.at).collect();
    TalkMarker {
        id: talk.id.clone(),
        kind: talk.kind,
        lang: talk.language.clone(),
        tags: talk.tags.clone(),
        at: if at.iter().any(Option::is_some) {
            at
        } else {
            Vec::new()
        },
        roles: if roles.iter().any(Option::is_some) {
            roles
        } else {
            Vec::new()
        },
        date: None,
        start: None,
        end: None,
        track: None,
        r#abstract: None,
        media: Vec::new(),
    }
}
