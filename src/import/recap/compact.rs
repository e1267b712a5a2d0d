//! Reading a talk of the attendee recap or the digest (`crate::export::markdown`'s `compact`):
//! its page's card, the speakers' line, captioned embeds of slides and recordings, the
//! takeaways list, and the bold-labelled tools, links and memo. The fields the layout does not
//! show come from the talk's marker.

use super::{
    BLANKS, Doc, free_text, from_marker, link, link_item, list, set_link_kinds, set_roles,
    speakers, takeaways, title_and_url, tool,
};
use crate::error::Result;
use crate::export::markdown::compact::caption_word;
use crate::export::markdown::platform::read_embed;
use crate::export::markdown::{
    CAPTION_SLIDES, CAPTION_VIDEO, LABEL_CONTRIBUTORS, LABEL_SPEAKERS, LABEL_URL, SECTION_LINKS,
    SECTION_MEMO, SECTION_TOOLS, TalkMarker, unescape,
};
use crate::export::media::{Media, media as export_media};
use crate::note::{Link, Talk};

/// The URL a line shows on its own: an embed of any platform, a link, or `URL: text`.
fn shown_url(line: &str) -> Option<String> {
    let line = line.trim_end_matches(BLANKS);
    if let Some(url) = read_embed(line) {
        return Some(url);
    }
    if let Some((_, url)) = link(line) {
        return Some(url);
    }
    line.strip_prefix(LABEL_URL)
        .and_then(|l| l.strip_prefix(": "))
        .map(unescape)
}

/// `スライド`, `動画` (no title) or `スライド: title`: what the caption is of, and the title.
fn caption(line: &str) -> Option<(Media, Option<String>)> {
    let line = line.trim_end_matches(BLANKS);
    for (word, media) in [
        (CAPTION_SLIDES, Media::Slides),
        (CAPTION_VIDEO, Media::Video),
    ] {
        if line == word {
            return Some((media, None));
        }
        if let Some(title) = line.strip_prefix(word).and_then(|l| l.strip_prefix(": ")) {
            return Some((media, Some(unescape(title))));
        }
    }
    None
}

fn label(line: &str, name: &str) -> bool {
    line.trim_end_matches(BLANKS)
        .strip_prefix("**")
        .and_then(|l| l.strip_suffix("**"))
        == Some(name)
}

pub(super) fn read_talk(
    doc: &Doc<'_>,
    heading_line: usize,
    heading_text: &str,
    marker: TalkMarker,
    start: usize,
    end: usize,
) -> Result<Talk> {
    let (title, heading_url) = title_and_url(heading_text);
    let mut talk = from_marker(title, &marker);
    talk.url = heading_url;
    let skip = |mut i: usize| {
        while i < end && doc.blank(i) {
            i += 1;
        }
        i
    };
    let text = |i: usize| (i < end && !doc.code[i]).then(|| doc.lines[i]);
    let mut i = skip(start);
    if let Some(url) = text(i).filter(|l| caption(l).is_none()).and_then(shown_url) {
        talk.url = Some(url);
        i = skip(i + 1);
    }
    if let Some(value) = text(i).and_then(|l| l.strip_prefix(LABEL_SPEAKERS)?.strip_prefix(": ")) {
        talk.speakers = speakers(value);
        i = skip(i + 1);
    }
    set_roles(&mut talk, &marker);
    // Written for readers (`--contributors`); authors are not read back from a recap.
    if text(i).is_some_and(|l| {
        l.strip_prefix(LABEL_CONTRIBUTORS)
            .is_some_and(|l| l.starts_with(": "))
    }) {
        i = skip(i + 1);
    }
    let mut media: Vec<Link> = Vec::new();
    // What each caption without a title is of (see below).
    let mut bare: Vec<Option<Media>> = Vec::new();
    while let Some((of, title)) = text(i).and_then(caption) {
        let at = skip(i + 1);
        let Some(url) = text(at).and_then(shown_url) else {
            return Err(doc.fail(at, "expected the slides or recording after their caption"));
        };
        bare.push(title.is_none().then_some(of));
        media.push(Link {
            url,
            kind: None,
            title,
            by: None,
        });
        i = skip(at + 1);
    }
    let (items, next) = list(doc, i, end);
    talk.takeaways = takeaways(items, &marker);
    i = skip(next);
    let mut others: Vec<Link> = Vec::new();
    while i < end {
        let line = doc.lines[i];
        if doc.code[i] {
            return Err(unexpected(doc, i, &talk));
        } else if label(line, SECTION_TOOLS) {
            let (items, next) = list(doc, i + 1, end);
            talk.tools = items.iter().map(|(_, item)| tool(item)).collect();
            i = skip(next);
        } else if label(line, SECTION_LINKS) {
            let (items, next) = list(doc, i + 1, end);
            others = items.iter().map(|(_, item)| link_item(item)).collect();
            i = skip(next);
        } else if label(line, SECTION_MEMO) {
            talk.memo = free_text(doc, i + 1, end);
            i = end;
        } else {
            return Err(unexpected(doc, i, &talk));
        }
    }
    let (links, media_at) = interleave(media, others, &marker.media);
    talk.links = links;
    set_link_kinds(&mut talk, &marker);
    // A title that is its caption's word is not written after it (`スライド`, not `スライド:
    // スライド`). Where nothing else says the link is what its caption says (no kind, a host
    // that does not tell), that title is what did: it is read back, so the link stays an embed.
    for (at, of) in media_at.into_iter().zip(bare) {
        if let Some(of) = of
            && let Some(link) = talk.links.get_mut(at)
            && export_media(link) != of
        {
            link.title = Some(caption_word(of).to_owned());
        }
    }
    if let Some(problem) = talk.semantic_problems().into_iter().next() {
        return Err(doc.fail(
            heading_line,
            format!("{}: {}", problem.field, problem.message),
        ));
    }
    Ok(talk)
}

fn unexpected(doc: &Doc<'_>, i: usize, talk: &Talk) -> crate::error::Error {
    doc.fail(
        i,
        format!(
            "unexpected text in talk `{}`: expected a list item or one of **{SECTION_TOOLS}**, **{SECTION_LINKS}**, **{SECTION_MEMO}**",
            talk.id
        ),
    )
}

/// The talk's links in their order: the embedded ones at the places the marker recorded
/// (first when it recorded none, or when the recap was edited so they no longer fit).
fn interleave(media: Vec<Link>, others: Vec<Link>, at: &[usize]) -> (Vec<Link>, Vec<usize>) {
    let total = media.len() + others.len();
    let fits = at.len() == media.len()
        && at.windows(2).all(|w| w[0] < w[1])
        && at.last().is_none_or(|&last| last < total);
    if !fits || at.is_empty() {
        let media_at = (0..media.len()).collect();
        return (media.into_iter().chain(others).collect(), media_at);
    }
    let mut media = media.into_iter();
    let mut others = others.into_iter();
    let links = (0..total)
        .filter_map(|i| {
            if at.contains(&i) {
                media.next()
            } else {
                others.next()
            }
        })
        .collect();
    (links, at.to_vec())
}
