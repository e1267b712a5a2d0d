//! What a link points to (slides, a recording, or just a page), which decides how a recap
//! shows it: Zenn embeds a Speaker Deck or Docswell deck and a YouTube video, Hatena embeds
//! what its `[url:embed]` knows, the others show a card or a link.
//!
//! [`media`] is the only place that decides. Notes do not say yet what a link is, so it is
//! guessed from the URL's host and the link's title; once links carry their kind, `media`
//! takes it first and guesses only for links without one.

use crate::note::Link;

/// What a link is, for a recap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// A slide deck.
    Slides,
    /// A recording.
    Video,
    /// Anything else: an article, a repository, a page.
    Page,
}

/// Hosts of slide decks (a suffix match on the URL's host) and the path they need, if any.
const SLIDE_HOSTS: &[(&str, &str)] = &[
    ("speakerdeck.com", ""),
    ("slideshare.net", ""),
    ("docswell.com", ""),
    ("docs.google.com", "/presentation/"),
];
const VIDEO_HOSTS: &[&str] = &["youtube.com", "youtu.be", "vimeo.com"];
/// Words in a link's title that name slides or a recording (the samples write
/// `スライド (PDF)`, `録画 (YouTube)`).
const SLIDE_WORDS: &[&str] = &["スライド", "slides", "slide deck", "資料"];
const VIDEO_WORDS: &[&str] = &["録画", "動画", "video", "recording", "アーカイブ"];

/// What `link` points to.
pub fn media(link: &Link) -> Media {
    guess(&link.url, link.title.as_deref())
}

fn guess(url: &str, title: Option<&str>) -> Media {
    let host = host(url);
    let path = url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("");
    let on = |suffix: &str| {
        host.as_deref()
            .is_some_and(|h| h == suffix || h.ends_with(&format!(".{suffix}")))
    };
    if SLIDE_HOSTS
        .iter()
        .any(|(suffix, needs)| on(suffix) && path.starts_with(needs))
    {
        return Media::Slides;
    }
    if VIDEO_HOSTS.iter().any(|suffix| on(suffix)) {
        return Media::Video;
    }
    let title = title.unwrap_or("").to_lowercase();
    if VIDEO_WORDS.iter().any(|w| title.contains(w)) {
        Media::Video
    } else if SLIDE_WORDS.iter().any(|w| title.contains(w)) {
        Media::Slides
    } else {
        Media::Page
    }
}

/// The lower-case host of an `http(s)` URL.
pub(crate) fn host(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(url: &str, title: Option<&str>) -> Link {
        Link {
            url: url.into(),
            title: title.map(str::to_owned),
            by: None,
        }
    }

    #[test]
    fn hosts_and_titles_say_what_a_link_is() {
        for (url, title, expected) in [
            ("https://speakerdeck.com/user/deck", None, Media::Slides),
            ("https://www.slideshare.net/user/deck", None, Media::Slides),
            (
                "https://www.docswell.com/s/user/ABC-deck",
                None,
                Media::Slides,
            ),
            (
                "https://docs.google.com/presentation/d/1x/edit",
                None,
                Media::Slides,
            ),
            (
                "https://docs.google.com/document/d/1x/edit",
                None,
                Media::Page,
            ),
            (
                "https://www.youtube.com/watch?v=jjfa1cVJLwc",
                None,
                Media::Video,
            ),
            ("https://youtu.be/jjfa1cVJLwc", None, Media::Video),
            ("https://vimeo.com/123456", None, Media::Video),
            ("https://notyoutube.com/x", None, Media::Page),
            (
                "https://static.sched.com/x.pdf",
                Some("スライド (PDF)"),
                Media::Slides,
            ),
            (
                "https://example.com/v",
                Some("録画 (YouTube)"),
                Media::Video,
            ),
            ("https://example.com/", Some("Blog"), Media::Page),
            ("javascript:alert(1)", Some("slides"), Media::Slides),
        ] {
            assert_eq!(media(&link(url, title)), expected, "{url} {title:?}");
        }
        assert_eq!(
            host("https://user@Example.COM:8080/x").as_deref(),
            Some("example.com")
        );
        assert_eq!(host("ftp://x"), None);
    }
}
