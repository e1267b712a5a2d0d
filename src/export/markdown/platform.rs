//! What each platform expects around and inside the Markdown: the front matter its own tools
//! read (Zenn's CLI, Qiita CLI, blogsync for Hatena Blog, Hugo, Jekyll), tags mapped to its
//! rules, and the line that embeds a page, a slide deck or a recording.
//!
//! Front matter values are JSON strings, which YAML reads as double-quoted scalars: no title
//! can end the front matter or change its keys. (Hugo and Jekyll do not expand templates in
//! front matter values; a bare Jekyll layout prints `page.title` without escaping it, so
//! themes escape it — see the README.)

use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use super::LABEL_URL;
use super::escape::{autolink_safe, destination, inline, linkable};
use crate::export::media::Media;
use crate::export::{Layout, Platform, Recap, RecapOptions};
use crate::search::analysis::name_key;

/// Zenn's limits (zenn-cli's validators): titles of at most 70 UTF-16 units, at most five
/// topics of at most 18 characters without ASCII symbols or spaces.
pub const ZENN_TITLE_MAX: usize = 70;
const ZENN_TOPIC_MAX: usize = 18;
/// Most tags a Hugo or Jekyll post gets.
const MAX_SITE_TAGS: usize = 10;

/// Zenn and Qiita take at most five topics or tags; Hatena gets as many categories.
const MAX_TAGS: usize = 5;

/// The front matter of `recap` for its platform, with its `---` lines; `None` for plain
/// Markdown.
pub(crate) fn front_matter(recap: &Recap, options: &RecapOptions) -> Option<String> {
    let title = quoted(&recap.title);
    let list = |items: &[String]| {
        let quoted: Vec<String> = items.iter().map(|t| quoted(t)).collect();
        format!("[{}]", quoted.join(", "))
    };
    let block_list = |items: &[String]| -> String {
        items
            .iter()
            .map(|t| format!("\n  - {}", quoted(t)))
            .collect()
    };
    let date = recap
        .date
        .map(|d| format!("date: {d}\n"))
        .unwrap_or_default();
    let body = match options.platform {
        Platform::Plain => return None,
        Platform::Zenn => {
            let emoji = if recap.layout == Layout::Digest {
                "📰"
            } else {
                "📝"
            };
            format!(
                "title: {title}\nemoji: \"{emoji}\"\ntype: \"tech\"\ntopics: {}\npublished: false\n",
                list(&zenn_topics(recap))
            )
        }
        // Qiita CLI's own keys, in its order; `id: null` makes `qiita publish` create the
        // article. `ignorePublish: true` is the nearest Qiita has to a draft, as every other
        // platform here gets: `qiita publish --all` skips the recap, `qiita publish NAME` posts
        // it (a recap of one's notes should be read before it goes public).
        Platform::Qiita => format!(
            "title: {title}\ntags:{}\nprivate: false\nupdated_at: \"\"\nid: null\norganization_url_name: null\nslide: false\nignorePublish: true\n",
            match qiita_tags(recap) {
                tags if tags.is_empty() => " []".to_owned(),
                tags => block_list(&tags),
            }
        ),
        // blogsync's header: URL and EditURL are Hatena's to give when the entry is posted.
        Platform::Hatena => {
            let categories = dedup(candidates(recap), MAX_TAGS);
            let mut text = format!("Title: {title}\n");
            if !categories.is_empty() {
                text.push_str("Category:");
                for c in &categories {
                    text.push_str(&format!("\n- {}", quoted(c)));
                }
                text.push('\n');
            }
            if let Some(day) = recap.date {
                // The events' own zone when they agree on one: the day is theirs.
                let zone = events_zone(recap)
                    .or_else(|| options.time_zone.clone())
                    .unwrap_or(jiff::tz::TimeZone::UTC);
                if let Ok(zoned) = day.0.to_zoned(zone) {
                    text.push_str(&format!(
                        "Date: {}\n",
                        zoned.strftime("%Y-%m-%dT%H:%M:%S%:z")
                    ));
                }
            }
            text.push_str("EditURL: \"\"\nDraft: true\n");
            text
        }
        Platform::Hugo => format!(
            "title: {title}\n{date}tags: {}\ndraft: true\n",
            list(&site_tags(recap))
        ),
        Platform::Jekyll => format!(
            "layout: post\ntitle: {title}\n{date}tags: {}\n",
            list(&site_tags(recap))
        ),
    };
    Some(format!("---\n{body}---"))
}

/// What the user should know before publishing `recap` on its platform.
pub(crate) fn warnings(recap: &Recap, platform: Platform) -> Vec<String> {
    let mut out = Vec::new();
    match platform {
        Platform::Zenn => {
            let len = recap.title.encode_utf16().count();
            if len > ZENN_TITLE_MAX {
                out.push(format!(
                    "the title is {len} characters long; Zenn takes at most {ZENN_TITLE_MAX} (set one with --title)"
                ));
            }
            if zenn_topics(recap).is_empty() {
                out.push("no tag makes a Zenn topic (letters and digits, no symbols or spaces, at most 18 characters): add topics to the front matter".to_owned());
            }
        }
        Platform::Qiita if qiita_tags(recap).is_empty() => {
            out.push("Qiita needs 1 to 5 tags and the events and talks have none: add them to the front matter before `qiita publish`".to_owned());
        }
        _ => {}
    }
    out
}

/// A JSON string (a YAML double-quoted scalar) with characters a terminal acts on escaped.
fn quoted(s: &str) -> String {
    crate::display::json_safe(
        serde_json::to_string(s).unwrap_or_else(|e| unreachable!("a string serializes: {e}")),
    )
}

/// A site's tags (Hugo, Jekyll): the events' and the talks' most used, as written; a site
/// has no limit, but a post with dozens of tags helps no reader.
fn site_tags(recap: &Recap) -> Vec<String> {
    dedup(candidates(recap), MAX_SITE_TAGS)
}

/// The zone every event of the recap gives, if they give one and agree.
fn events_zone(recap: &Recap) -> Option<jiff::tz::TimeZone> {
    let mut zones = recap.events.iter().map(|e| e.event.timezone.as_ref());
    let first = zones.next()??;
    zones.all(|z| z == Some(first)).then(|| first.zone())
}

/// The events' tags, then the talks' most used ones, but for [`FACETS`].
fn candidates(recap: &Recap) -> impl Iterator<Item = String> + '_ {
    recap
        .tags
        .iter()
        .chain(&recap.talk_tags)
        .filter(|tag| !is_facet(tag))
        .cloned()
}

/// Tags that say whom a talk is for or how it was given, not what it is about: Dreamkast's
/// `talkDifficulty` and `presentationMethod` values (a CloudNative Days import tags every
/// talk with one of each) and the usual experience levels. Most talks carry one, so they were
/// the most used tags and took a platform's few topics from the subjects.
const FACETS: &[&str] = &[
    "初級者",
    "中級者",
    "上級者",
    "初級",
    "中級",
    "上級",
    "初心者",
    "現地登壇",
    "オンライン登壇",
    "事前収録",
    "beginner",
    "intermediate",
    "advanced",
];

fn is_facet(tag: &str) -> bool {
    let key = name_key(tag);
    FACETS.iter().any(|facet| name_key(facet) == key)
}

/// Zenn topics: lower case, letters and digits only (`cloud-native` → `cloudnative`).
fn zenn_topics(recap: &Recap) -> Vec<String> {
    let topics = candidates(recap).map(|tag| {
        tag.nfkc()
            .flat_map(char::to_lowercase)
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
    });
    dedup(
        topics.filter(|t| t.encode_utf16().count() <= ZENN_TOPIC_MAX),
        MAX_TAGS,
    )
}

/// Qiita tags: as written, white space as `-` (a tag is one word).
fn qiita_tags(recap: &Recap) -> Vec<String> {
    let tags = candidates(recap).map(|tag| tag.split_whitespace().collect::<Vec<_>>().join("-"));
    dedup(tags, MAX_TAGS)
}

/// Non-empty, first of each name (compared as search compares names), at most `max`.
fn dedup(items: impl Iterator<Item = String>, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for item in items {
        if out.len() == max {
            break;
        }
        if !item.trim().is_empty() && !out.iter().any(|o| name_key(o) == name_key(&item)) {
            out.push(item);
        }
    }
    out
}

static YOUTUBE_WATCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^https://www\.youtube\.com/watch\?v=([\w-]{11})$").expect("a valid pattern")
});
/// The YouTube URLs Zenn's `@[youtube]` takes whole (zenn-markdown-html's `isYoutubeUrl`).
static YOUTUBE_ZENN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^https?://(?:youtu\.be/([\w-]{11})(?:\?[\w=&-]+)?|(?:www\.)?youtube\.com/watch\?(?:[\w=&-]*&)?v=([\w-]{11})(?:&[\w=&-]*)?)$",
    )
    .expect("a valid pattern")
});
static YOUTUBE_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[\w-]{11}$").expect("a valid pattern"));
static SPEAKERDECK_PLAYER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^https://speakerdeck\.com/player/([A-Za-z0-9_-]+)$").expect("a valid pattern")
});
static SPEAKERDECK_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z0-9_-]+$").expect("a valid pattern"));
/// The Docswell URLs Zenn's `@[docswell]` takes.
static DOCSWELL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^https://www\.docswell\.com/(?:s/[a-zA-Z0-9_-]+/[a-zA-Z0-9_-]+(?:/\d+)?|slide/[a-zA-Z0-9_-]+/embed)(?:#p\d+)?$",
    )
    .expect("a valid pattern")
});
const SPEAKERDECK_PLAYER_URL: &str = "https://speakerdeck.com/player/";
const YOUTUBE_WATCH_URL: &str = "https://www.youtube.com/watch?v=";

/// Whether a URL can stand alone in an embed: a web address no platform's syntax or template
/// engine could misread.
fn embeddable(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && autolink_safe(url)
        && !url.contains(['"', '\'', '`'])
}

/// Whether a bare URL on its own line becomes a link (and a card) exactly as written: GitHub's
/// autolinks end before trailing punctuation and do not decode entities.
fn bare_safe(url: &str) -> bool {
    embeddable(url)
        && !url.ends_with(['.', ',', ':', ';', '!', '?', '*', '_', '~', ')'])
        && !url.contains(['(', ')', '&', '*', '~', '<', '>'])
}

/// The line that shows `url` alone: the platform's card or player, else a link, else (for a
/// URL that is not a web or mail address) the URL as text after a label.
pub(super) fn embed(url: &str, media: Media, platform: Platform) -> String {
    if !embeddable(url) {
        return if linkable(url) {
            format!("[{}]({})", inline(url, platform), destination(url))
        } else {
            format!("{LABEL_URL}: {}", inline(url, platform))
        };
    }
    match platform {
        Platform::Zenn => {
            if let Some(id) = YOUTUBE_WATCH.captures(url).map(|c| c[1].to_owned()) {
                format!("@[youtube]({id})")
            } else if YOUTUBE_ZENN.is_match(url) {
                format!("@[youtube]({url})")
            } else if let Some(key) = SPEAKERDECK_PLAYER.captures(url).map(|c| c[1].to_owned()) {
                format!("@[speakerdeck]({key})")
            } else if DOCSWELL.is_match(url) {
                format!("@[docswell]({url})")
            } else {
                format!("@[card]({url})")
            }
        }
        Platform::Hatena if media == Media::Page => format!("[{url}:embed:cite]"),
        Platform::Hatena => format!("[{url}:embed]"),
        Platform::Qiita | Platform::Plain if bare_safe(url) => url.to_owned(),
        _ => format!("<{url}>"),
    }
}

/// The URL an [`embed`] line shows, whatever the platform it was written for.
pub(crate) fn read_embed(line: &str) -> Option<String> {
    let line = line.trim_end_matches([' ', '\t']);
    if let Some(rest) = line.strip_prefix("@[")
        && let Some((tag, arg)) = rest.split_once("](")
        && let Some(arg) = arg.strip_suffix(')')
    {
        return match tag {
            "card" | "docswell" => Some(arg.to_owned()),
            "youtube" if YOUTUBE_ID.is_match(arg) => Some(format!("{YOUTUBE_WATCH_URL}{arg}")),
            "youtube" => Some(arg.to_owned()),
            "speakerdeck" if SPEAKERDECK_KEY.is_match(arg) => {
                Some(format!("{SPEAKERDECK_PLAYER_URL}{arg}"))
            }
            _ => None,
        };
    }
    if let Some(inner) = line.strip_prefix('[') {
        if let Some(url) = inner
            .strip_suffix(":embed:cite]")
            .or_else(|| inner.strip_suffix(":embed]"))
            && embeddable(url)
        {
            return Some(url.to_owned());
        }
        return None;
    }
    if let Some(url) = line.strip_prefix('<').and_then(|l| l.strip_suffix('>'))
        && autolink_safe(url)
    {
        return Some(url.to_owned());
    }
    if embeddable(line) {
        return Some(line.to_owned());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embeds_read_back_as_the_url_they_show() {
        for (url, media, platform, line) in [
            (
                "https://www.youtube.com/watch?v=jjfa1cVJLwc",
                Media::Video,
                Platform::Zenn,
                "@[youtube](jjfa1cVJLwc)",
            ),
            (
                "https://youtu.be/jjfa1cVJLwc?t=30",
                Media::Video,
                Platform::Zenn,
                "@[youtube](https://youtu.be/jjfa1cVJLwc?t=30)",
            ),
            (
                "https://www.youtube.com/watch?v=jjfa1cVJLwc&t=30s",
                Media::Video,
                Platform::Zenn,
                "@[youtube](https://www.youtube.com/watch?v=jjfa1cVJLwc&t=30s)",
            ),
            (
                "https://speakerdeck.com/player/a1b2c3d4e5f6",
                Media::Slides,
                Platform::Zenn,
                "@[speakerdeck](a1b2c3d4e5f6)",
            ),
            (
                "https://speakerdeck.com/user/deck",
                Media::Slides,
                Platform::Zenn,
                "@[card](https://speakerdeck.com/user/deck)",
            ),
            (
                "https://www.docswell.com/s/user/ABC123-deck",
                Media::Slides,
                Platform::Zenn,
                "@[docswell](https://www.docswell.com/s/user/ABC123-deck)",
            ),
            (
                "https://vimeo.com/123",
                Media::Video,
                Platform::Zenn,
                "@[card](https://vimeo.com/123)",
            ),
            (
                "https://event.example/talks/1",
                Media::Page,
                Platform::Hatena,
                "[https://event.example/talks/1:embed:cite]",
            ),
            (
                "https://www.youtube.com/watch?v=jjfa1cVJLwc",
                Media::Video,
                Platform::Hatena,
                "[https://www.youtube.com/watch?v=jjfa1cVJLwc:embed]",
            ),
            (
                "https://example.com/a_b",
                Media::Page,
                Platform::Qiita,
                "https://example.com/a_b",
            ),
            (
                "https://example.com/a.",
                Media::Page,
                Platform::Plain,
                "<https://example.com/a.>",
            ),
            (
                "https://example.com/x",
                Media::Page,
                Platform::Hugo,
                "<https://example.com/x>",
            ),
            (
                "https://example.com/{{x}}",
                Media::Page,
                Platform::Jekyll,
                "[https\\://example.com/\\{\\{x\\}\\}](https://example.com/&#x7b;&#x7b;x&#x7d;&#x7d;)",
            ),
            (
                "javascript:alert(1)",
                Media::Page,
                Platform::Zenn,
                "URL: javascript\\:alert(1)",
            ),
        ] {
            let written = embed(url, media, platform);
            assert_eq!(written, line, "{url} for {platform:?}");
            if embeddable(url) {
                assert_eq!(read_embed(&written).as_deref(), Some(url), "{written}");
            }
        }
        assert_eq!(read_embed("@[card]()"), Some(String::new()));
        assert_eq!(read_embed("[not an embed]"), None);
        assert_eq!(read_embed("plain text"), None);
    }
}
