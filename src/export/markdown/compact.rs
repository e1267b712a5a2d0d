//! A talk in the attendee recap and the digest, the shapes people post (see the seed posts):
//! the title, the talk's page as a card, the speakers, the slides and recording embedded, what
//! was learned as bullets, then the tools, the other links and the memo under short bold
//! labels. What the layout does not show (date, times, track, abstract) travels in the talk's
//! marker, so the recap still reads back whole.

use super::escape::item;
use super::notes::{ITEM_INDENT, base_marker};
use super::platform::embed;
use super::{
    CAPTION_SLIDES, CAPTION_VIDEO, LABEL_CONTRIBUTORS, LABEL_SPEAKERS, SECTION_LINKS, SECTION_MEMO,
    SECTION_TOOLS, TALK_MARKER, Writer, list_item, marker_line,
};
use crate::export::media::{Media, media};
use crate::note::{Link, Talk};

/// A bold label line: `**紹介されたツール**`.
pub(crate) fn label(text: &str) -> String {
    format!("**{text}**")
}

/// The word that captions an embed of `media`.
pub(crate) fn caption_word(media: Media) -> &'static str {
    if media == Media::Video {
        CAPTION_VIDEO
    } else {
        CAPTION_SLIDES
    }
}

/// The caption of an embedded slide deck or recording: `スライド` or `スライド: title`. A
/// title that is the caption's word (`tn link URL スライド`) is not repeated after it.
pub(crate) fn caption(media: Media, title: Option<&str>, text: impl Fn(&str) -> String) -> String {
    let word = caption_word(media);
    match title.filter(|t| *t != word) {
        Some(title) => format!("{word}: {}", text(title)),
        None => word.to_owned(),
    }
}

/// Whether a link is shown embedded: slides or a recording at a web address.
pub(crate) fn embedded(link: &Link) -> Option<Media> {
    let url = link.url.as_str();
    let web = url.starts_with("https://") || url.starts_with("http://");
    Some(media(link)).filter(|m| *m != Media::Page && web)
}

impl Writer {
    pub(super) fn compact_talk(&mut self, talk: &Talk, level: usize) {
        let media_at: Vec<usize> = (0..talk.links.len())
            .filter(|&i| embedded(&talk.links[i]).is_some())
            .collect();
        let mut marker = base_marker(talk);
        marker.date = talk.date;
        marker.start = talk.start;
        marker.end = talk.end;
        marker.track = talk.track.clone();
        marker.r#abstract = talk.r#abstract.clone();
        if media_at.iter().enumerate().any(|(n, &i)| n != i) {
            marker.media = media_at.clone();
        }
        let title = self.text(&talk.title);
        self.out.block([
            format!("{} {title}", "#".repeat(level)),
            marker_line(TALK_MARKER, "", &marker),
        ]);
        if let Some(url) = talk.url.as_deref().filter(|u| !u.is_empty()) {
            let page = Link {
                url: url.to_owned(),
                kind: None,
                title: None,
                by: None,
            };
            self.out.block([embed(url, media(&page), self.platform)]);
        }
        if !talk.speakers.is_empty() {
            let line = format!("{LABEL_SPEAKERS}: {}", self.speakers(&talk.speakers));
            self.out.block([line]);
        }
        let names = talk.contributors();
        if self.contributors && !names.is_empty() {
            let line = format!("{LABEL_CONTRIBUTORS}: {}", self.contributor_names(&names));
            self.out.block([line]);
        }
        for &i in &media_at {
            let link = &talk.links[i];
            let kind = embedded(link).unwrap_or(Media::Page);
            let title = link
                .title
                .as_deref()
                .filter(|t| !t.is_empty() && *t != link.url);
            let caption = caption(kind, title, |t| self.text(t));
            self.out.block([caption]);
            self.out.block([embed(&link.url, kind, self.platform)]);
        }
        if !talk.takeaways.is_empty() {
            let items: Vec<String> = talk
                .takeaways
                .iter()
                .map(|t| list_item(&item(&t.text, self.platform, ITEM_INDENT)))
                .collect();
            self.out.block(items);
        }
        if !talk.tools.is_empty() {
            self.out.block([label(SECTION_TOOLS)]);
            let items: Vec<String> = talk.tools.iter().map(|t| self.tool_item(t)).collect();
            self.out.block(items);
        }
        let others: Vec<String> = (0..talk.links.len())
            .filter(|i| !media_at.contains(i))
            .map(|i| self.link_item(&talk.links[i]))
            .collect();
        if !others.is_empty() {
            self.out.block([label(SECTION_LINKS)]);
            self.out.block(others);
        }
        if let Some(memo) = &talk.memo {
            let lines = self.block_lines(memo, true);
            if !lines.is_empty() {
                self.out.block([label(SECTION_MEMO)]);
                self.out.block(lines);
            }
        }
    }
}
