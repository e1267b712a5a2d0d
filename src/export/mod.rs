//! `tn export`: the interchange JSON, and publishable recaps (the talks of one or more events
//! as Markdown or as one HTML page).
//!
//! What people publish after an event (see the seed posts the project started from) is a post
//! per event listing the talks they heard, each with its URL, what they took away and the tools
//! mentioned, and now and then a year-end review across events. [`export`] carries out a
//! [`Request`]: it chooses the talks ([`Selection`], searching when asked for `--query`), orders
//! and groups them the same way for every output format ([`Recap`]), and leaves the writing to
//! [`markdown`] and [`html`] (or [`crate::interchange`]), so the formats always carry the same
//! content. A Markdown recap is written for a [`Platform`] (its front matter, embeds and
//! escapes) in a [`Layout`]; [`media`] says which links are slides or recordings, and
//! [`preview`] renders a recap for the terminal. Nothing here reads the clock or the environment: the same notes give the same bytes,
//! which is what makes golden-file tests and the Markdown round trip (`tn import recap.md`)
//! possible.

pub mod html;
pub mod markdown;
pub mod media;
pub mod preview;
mod request;
mod text;

use std::collections::{BTreeMap, BTreeSet};

use crate::interchange::EventBundle;
use crate::note::{Date, Event, Slug, Talk, TalkKind, TalkRef};
use crate::search::analysis::name_key;

pub use request::{Exported, Format, Request, export};
pub(crate) use text::{
    Block, blocks, edges, fence_close, fence_language, fence_open, one_line, text_lines,
    trimmed_block,
};

/// How talks are grouped under an event.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupBy {
    /// Keynotes first, then sponsor talks, sessions, lightning talks, ... (the default).
    #[default]
    Kind,
    /// By track (or newsletter section), in the order the tracks first appear.
    Track,
    /// By day.
    Day,
}

/// Where a Markdown recap is published: it decides the front matter, how talk pages, slides
/// and recordings are embedded, and how text is escaped.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    /// No front matter; pages and media as bare URLs on their own line (note, GitHub, …).
    #[default]
    Plain,
    /// Zenn: its front matter, `@[card]`, `@[speakerdeck]`, `@[docswell]` and `@[youtube]` embeds.
    Zenn,
    /// Qiita (Qiita CLI's front matter); pages and media as bare URLs, which Qiita shows as cards.
    Qiita,
    /// Hatena Blog (blogsync's front matter); `[url:embed:cite]` cards and `[url:embed]` players.
    Hatena,
    /// Hugo (title, date, tags, draft); template code in notes stays text.
    Hugo,
    /// Jekyll (layout, title, date, tags); template code in notes stays text.
    Jekyll,
}

impl Platform {
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Plain => "plain",
            Platform::Zenn => "zenn",
            Platform::Qiita => "qiita",
            Platform::Hatena => "hatena",
            Platform::Hugo => "hugo",
            Platform::Jekyll => "jekyll",
        }
    }
}

/// The shape of a Markdown recap.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Everything in the notes, talk by talk, and a table of the tools (the default without
    /// `--for`).
    #[default]
    Notes,
    /// An attendee's recap of an event: each talk's page as a card, slides and recording
    /// embedded, what was learned and the tools shown, by keynotes, sponsor talks, sessions.
    Attendee,
    /// A team's digest: talks, articles, releases and tools, each with its card and notes,
    /// and an afterword from the event's memo.
    Digest,
}

impl Layout {
    /// The layout that suits the events: a digest for newsletters, an attendee recap otherwise.
    pub fn for_events(bundles: &[EventBundle]) -> Layout {
        if !bundles.is_empty()
            && bundles
                .iter()
                .all(|b| b.event.kind == crate::note::EventKind::Newsletter)
        {
            Layout::Digest
        } else {
            Layout::Attendee
        }
    }
}

/// Which talks a recap (or a filtered JSON export) contains. Empty means "everything".
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Events to include; all when empty.
    pub events: Vec<Slug>,
    /// First day included (talk date, else its event's first day).
    pub since: Option<Date>,
    /// Last day included.
    pub until: Option<Date>,
    /// Only talks with this tag (compared case- and width-insensitively).
    pub tag: Option<String>,
    /// Only talks that mention this tool (same comparison).
    pub tool: Option<String>,
    /// Only these talks: the hits of a search query.
    pub talks: Option<BTreeSet<TalkRef>>,
}

impl Selection {
    /// Whether any filter narrows the talks (then events left without talks are dropped).
    pub fn filters_talks(&self) -> bool {
        self.since.is_some()
            || self.until.is_some()
            || self.tag.is_some()
            || self.tool.is_some()
            || self.talks.is_some()
    }

    fn keeps(&self, event: &Event, talk: &Talk) -> bool {
        let date = talk.date.or(event.starts_on);
        let in_range = match (self.since, self.until) {
            (None, None) => true,
            (since, until) => {
                date.is_some_and(|d| since.is_none_or(|s| d >= s) && until.is_none_or(|u| d <= u))
            }
        };
        in_range
            && self
                .tag
                .as_deref()
                .is_none_or(|wanted| talk.tags.iter().any(|t| same_name(t, wanted)))
            && self
                .tool
                .as_deref()
                .is_none_or(|wanted| talk.tools.iter().any(|t| same_name(&t.name, wanted)))
            && self.talks.as_ref().is_none_or(|ids| {
                ids.contains(&TalkRef {
                    event: event.id.clone(),
                    talk: talk.id.clone(),
                })
            })
    }

    /// Keeps the chosen talks of `bundles` in their order; with a talk filter, events left
    /// without talks are dropped. The events named in [`Selection::events`] must already be
    /// the only ones in `bundles` (see [`crate::interchange::collect`]).
    pub fn apply(&self, bundles: Vec<EventBundle>) -> Vec<EventBundle> {
        bundles
            .into_iter()
            .filter_map(|mut bundle| {
                let event = &bundle.event;
                bundle.talks.retain(|t| self.keeps(event, t));
                (!self.filters_talks() || !bundle.talks.is_empty()).then_some(bundle)
            })
            .collect()
    }
}

fn same_name(a: &str, b: &str) -> bool {
    name_key(a) == name_key(b)
}

/// How a recap is laid out.
#[derive(Debug, Clone)]
pub struct RecapOptions {
    pub group_by: GroupBy,
    /// Markdown only: where it is published.
    pub platform: Platform,
    /// Markdown only; `None` chooses from the events ([`Layout::for_events`]). The default is
    /// the notes layout.
    pub layout: Option<Layout>,
    /// The zone of dates with a time of day (Hatena's `Date`); UTC when not given.
    pub time_zone: Option<jiff::tz::TimeZone>,
    /// The post's title; by default the event's name, or a title naming the period covered.
    pub title: Option<String>,
    /// The filters used, described in a derived title ("タグ: ebpf").
    pub topic: Vec<String>,
    /// Name who wrote each talk's takeaways, tools and links (from their `by`).
    pub contributors: bool,
}

impl Default for RecapOptions {
    fn default() -> Self {
        RecapOptions {
            group_by: GroupBy::default(),
            platform: Platform::default(),
            layout: Some(Layout::Notes),
            time_zone: None,
            title: None,
            topic: Vec::new(),
            contributors: false,
        }
    }
}

/// The recap's content, ordered and grouped: what both writers render.
#[derive(Debug, Clone)]
pub struct Recap {
    pub title: String,
    /// Whether the title is a heading of its own above the events (several events, or a title
    /// given explicitly); otherwise the single event's heading is the top heading.
    pub title_heading: bool,
    pub events: Vec<EventSection>,
    pub tools: Vec<ToolRow>,
    /// The latest date the recap covers (for front matter).
    pub date: Option<Date>,
    /// The events' tags, first seen first, without duplicates (for front matter).
    pub tags: Vec<String>,
    /// The talks' tags, most used first (to fill a platform's few topics).
    pub talk_tags: Vec<String>,
    /// Whether each talk gets a line naming its contributors.
    pub contributors: bool,
    pub layout: Layout,
}

#[derive(Debug, Clone)]
pub struct EventSection {
    pub event: Event,
    pub groups: Vec<Group>,
}

#[derive(Debug, Clone)]
pub struct Group {
    pub heading: String,
    pub talks: Vec<Talk>,
}

/// One row of the closing table: a tool and every talk that mentions it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolRow {
    pub name: String,
    pub url: Option<String>,
    /// (title, url) of each talk, in recap order.
    pub talks: Vec<(String, Option<String>)>,
}

impl ToolRow {
    /// The row's two cells, each title linked to its URL by the writer's `linked`: the tool,
    /// and every talk that mentions it.
    pub fn cells(&self, linked: impl Fn(&str, Option<&str>) -> String) -> (String, String) {
        let talks: Vec<String> = self
            .talks
            .iter()
            .map(|(title, url)| linked(title, url.as_deref()))
            .collect();
        (linked(&self.name, self.url.as_deref()), talks.join("、"))
    }
}

/// The section heading of a kind, in the order recaps list them.
pub const KIND_ORDER: &[(TalkKind, &str)] = &[
    (TalkKind::Keynote, "キーノート"),
    (TalkKind::Sponsor, "スポンサーセッション"),
    (TalkKind::Session, "セッション"),
    (TalkKind::Lightning, "ライトニングトーク"),
    (TalkKind::Panel, "パネルディスカッション"),
    (TalkKind::Workshop, "ワークショップ"),
    (TalkKind::Article, "記事"),
    (TalkKind::Release, "リリース"),
    (TalkKind::Tool, "ツール"),
    (TalkKind::Other, "その他"),
];

/// The sections of a digest, in order: every kind of talk is a talk.
pub const DIGEST_ORDER: &[(&[TalkKind], &str)] = &[
    (
        &[
            TalkKind::Keynote,
            TalkKind::Sponsor,
            TalkKind::Session,
            TalkKind::Lightning,
            TalkKind::Panel,
            TalkKind::Workshop,
        ],
        "トーク",
    ),
    (&[TalkKind::Article], "記事"),
    (&[TalkKind::Release], "リリース"),
    (&[TalkKind::Tool], "ツール"),
    (&[TalkKind::Other], "その他"),
];

const NO_TRACK: &str = "トラック未設定";
const NO_DATE: &str = "日付未設定";
const WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

/// `2024-06-15（土）`.
pub fn day_heading(date: Date) -> String {
    let weekday = date.0.weekday().to_monday_zero_offset();
    format!(
        "{date}（{}）",
        WEEKDAYS[usize::from(weekday.unsigned_abs())]
    )
}

impl Recap {
    /// Orders events by date (then id) and talks by date and start time (then id), groups
    /// them, and gathers the tools table.
    pub fn build(bundles: &[EventBundle], options: &RecapOptions) -> Recap {
        let layout = options
            .layout
            .unwrap_or_else(|| Layout::for_events(bundles));
        let mut bundles: Vec<&EventBundle> = bundles.iter().collect();
        bundles.sort_by(|a, b| {
            (a.event.starts_on.is_none(), a.event.starts_on, &a.event.id).cmp(&(
                b.event.starts_on.is_none(),
                b.event.starts_on,
                &b.event.id,
            ))
        });
        let events: Vec<EventSection> = bundles
            .iter()
            .map(|bundle| {
                let mut talks = bundle.talks.clone();
                talks.sort_by(|a, b| {
                    (a.date.is_none(), a.date, a.start.is_none(), a.start, &a.id).cmp(&(
                        b.date.is_none(),
                        b.date,
                        b.start.is_none(),
                        b.start,
                        &b.id,
                    ))
                });
                EventSection {
                    event: bundle.event.clone(),
                    groups: group(talks, options.group_by, layout),
                }
            })
            .collect();

        let mut tags: Vec<String> = Vec::new();
        let mut dates: Vec<Date> = Vec::new();
        for section in &events {
            for tag in &section.event.tags {
                if !tags.iter().any(|t| same_name(t, tag)) {
                    tags.push(tag.clone());
                }
            }
            dates.extend(section.event.starts_on);
            dates.extend(section.event.ends_on);
            for group in &section.groups {
                dates.extend(group.talks.iter().filter_map(|t| t.date));
            }
        }
        let mut counts: Vec<(String, usize)> = Vec::new();
        for talk in events.iter().flat_map(|s| &s.groups).flat_map(|g| &g.talks) {
            for tag in &talk.tags {
                match counts.iter_mut().find(|(t, _)| same_name(t, tag)) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((tag.clone(), 1)),
                }
            }
        }
        // Stable: equally used tags keep the order they first appear in.
        counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        let single = events.len() == 1 && options.title.is_none();
        let title = match (&options.title, single) {
            (Some(title), _) => title.trim().to_owned(),
            (None, true) if layout == Layout::Attendee => {
                format!("{} 参加レポート", events[0].event.name.trim())
            }
            (None, true) => events[0].event.name.clone(),
            (None, false) => derived_title(&dates, &options.topic),
        };
        let tools = tool_rows(&events);
        Recap {
            title,
            // The compact layouts always show the post's title; their events are sections.
            title_heading: !single || layout != Layout::Notes,
            events,
            tools,
            date: dates.iter().max().copied(),
            tags,
            talk_tags: counts.into_iter().map(|(t, _)| t).collect(),
            contributors: options.contributors,
            layout,
        }
    }
}

fn derived_title(dates: &[Date], topic: &[String]) -> String {
    let first = dates.iter().min().map(|d| d.year());
    let last = dates.iter().max().map(|d| d.year());
    let mut title = match (first, last) {
        (Some(a), Some(b)) if a == b => format!("{a}年のトークまとめ"),
        (Some(a), Some(b)) => format!("{a}〜{b}年のトークまとめ"),
        _ => "トークまとめ".to_owned(),
    };
    if !topic.is_empty() {
        title.push_str(&format!("（{}）", topic.join("、")));
    }
    title
}

fn group(talks: Vec<Talk>, by: GroupBy, layout: Layout) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    match by {
        GroupBy::Kind if layout == Layout::Digest => {
            for (kinds, heading) in DIGEST_ORDER {
                let members: Vec<Talk> = talks
                    .iter()
                    .filter(|t| kinds.contains(&t.kind))
                    .cloned()
                    .collect();
                if !members.is_empty() {
                    groups.push(Group {
                        heading: (*heading).to_owned(),
                        talks: members,
                    });
                }
            }
        }
        GroupBy::Kind => {
            for (kind, heading) in KIND_ORDER {
                let members: Vec<Talk> =
                    talks.iter().filter(|t| t.kind == *kind).cloned().collect();
                if !members.is_empty() {
                    groups.push(Group {
                        heading: (*heading).to_owned(),
                        talks: members,
                    });
                }
            }
        }
        GroupBy::Track | GroupBy::Day => {
            // Talks are already in date order, so groups appear in the order of their first talk;
            // talks without a track or date come last.
            let mut missing = Vec::new();
            for talk in talks {
                let heading = match by {
                    GroupBy::Track => talk
                        .track
                        .as_deref()
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned),
                    _ => talk.date.map(day_heading),
                };
                let Some(heading) = heading else {
                    missing.push(talk);
                    continue;
                };
                match groups.iter_mut().find(|g| g.heading == heading) {
                    Some(group) => group.talks.push(talk),
                    None => groups.push(Group {
                        heading,
                        talks: vec![talk],
                    }),
                }
            }
            if !missing.is_empty() {
                let heading = if by == GroupBy::Track {
                    NO_TRACK
                } else {
                    NO_DATE
                };
                groups.push(Group {
                    heading: heading.to_owned(),
                    talks: missing,
                });
            }
        }
    }
    groups
}

fn tool_rows(events: &[EventSection]) -> Vec<ToolRow> {
    let mut rows: BTreeMap<String, ToolRow> = BTreeMap::new();
    for section in events {
        for group in &section.groups {
            for talk in &group.talks {
                for tool in &talk.tools {
                    let name = tool.name.trim();
                    if name.is_empty() {
                        continue;
                    }
                    let row = rows.entry(name_key(name)).or_insert_with(|| ToolRow {
                        name: name.to_owned(),
                        url: None,
                        talks: Vec::new(),
                    });
                    if row.url.is_none() {
                        row.url = tool.url.clone().filter(|u| !u.trim().is_empty());
                    }
                    let entry = (talk.title.clone(), talk.url.clone());
                    if !row.talks.contains(&entry) {
                        row.talks.push(entry);
                    }
                }
            }
        }
    }
    rows.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::Tool;

    fn talk(id: &str, kind: TalkKind, date: Option<&str>, start: Option<&str>) -> Talk {
        let mut t = Talk::new(id.parse().unwrap(), id);
        t.kind = kind;
        t.date = date.map(|d| d.parse().unwrap());
        t.start = start.map(|s| s.parse().unwrap());
        t
    }

    fn bundle(id: &str, starts: Option<&str>, talks: Vec<Talk>) -> EventBundle {
        let mut event = Event::new(id.parse().unwrap(), id);
        event.starts_on = starts.map(|d| d.parse().unwrap());
        EventBundle { event, talks }
    }

    #[test]
    fn kinds_are_grouped_in_recap_order_and_talks_by_time() {
        let b = bundle(
            "ev",
            Some("2024-06-15"),
            vec![
                talk(
                    "z-session",
                    TalkKind::Session,
                    Some("2024-06-15"),
                    Some("09:00"),
                ),
                talk("lt", TalkKind::Lightning, Some("2024-06-15"), Some("17:00")),
                talk(
                    "a-session",
                    TalkKind::Session,
                    Some("2024-06-15"),
                    Some("13:00"),
                ),
                talk("key", TalkKind::Keynote, Some("2024-06-15"), Some("10:00")),
            ],
        );
        let recap = Recap::build(&[b], &RecapOptions::default());
        let layout: Vec<(String, Vec<String>)> = recap.events[0]
            .groups
            .iter()
            .map(|g| {
                (
                    g.heading.clone(),
                    g.talks.iter().map(|t| t.id.to_string()).collect(),
                )
            })
            .collect();
        assert_eq!(
            layout,
            [
                ("キーノート".to_owned(), vec!["key".to_owned()]),
                (
                    "セッション".to_owned(),
                    vec!["z-session".to_owned(), "a-session".to_owned()]
                ),
                ("ライトニングトーク".to_owned(), vec!["lt".to_owned()]),
            ]
        );
        assert_eq!(recap.title, "ev");
        assert!(!recap.title_heading);
    }

    #[test]
    fn days_and_tracks_group_in_order_of_appearance() {
        let mut a = talk("a", TalkKind::Session, Some("2024-06-16"), None);
        a.track = Some("B".into());
        let mut b = talk("b", TalkKind::Session, Some("2024-06-15"), None);
        b.track = Some("A".into());
        let c = talk("c", TalkKind::Session, None, None);
        let recap = Recap::build(
            &[bundle("ev", None, vec![a.clone(), b.clone(), c.clone()])],
            &RecapOptions {
                group_by: GroupBy::Day,
                ..RecapOptions::default()
            },
        );
        let headings: Vec<&str> = recap.events[0]
            .groups
            .iter()
            .map(|g| g.heading.as_str())
            .collect();
        assert_eq!(headings, ["2024-06-15（土）", "2024-06-16（日）", NO_DATE]);
        let recap = Recap::build(
            &[bundle("ev", None, vec![a, b, c])],
            &RecapOptions {
                group_by: GroupBy::Track,
                ..RecapOptions::default()
            },
        );
        let headings: Vec<&str> = recap.events[0]
            .groups
            .iter()
            .map(|g| g.heading.as_str())
            .collect();
        assert_eq!(headings, ["A", "B", NO_TRACK]);
    }

    #[test]
    fn selection_filters_by_date_tag_tool_and_ids() {
        let mut a = talk("a", TalkKind::Session, Some("2024-01-10"), None);
        a.tags = vec!["eBPF".into()];
        a.tools = vec![Tool {
            name: "Cilium".into(),
            url: None,
            by: None,
        }];
        let b = talk("b", TalkKind::Session, None, None); // dated by its event
        let bundles = vec![
            bundle("ev", Some("2023-12-01"), vec![a, b]),
            bundle("empty", Some("2024-02-01"), vec![]),
        ];
        let ids = |sel: &Selection| -> Vec<String> {
            sel.apply(bundles.clone())
                .iter()
                .flat_map(|b| {
                    b.talks
                        .iter()
                        .map(move |t| format!("{}/{}", b.event.id, t.id))
                })
                .collect()
        };
        let since = Selection {
            since: Some("2024-01-01".parse().unwrap()),
            ..Selection::default()
        };
        assert_eq!(ids(&since), ["ev/a"]);
        assert_eq!(
            since.apply(bundles.clone()).len(),
            1,
            "empty events dropped"
        );
        let until = Selection {
            until: Some("2023-12-31".parse().unwrap()),
            ..Selection::default()
        };
        assert_eq!(ids(&until), ["ev/b"]);
        let tag = Selection {
            tag: Some("ＥＢＰＦ".into()),
            ..Selection::default()
        };
        assert_eq!(ids(&tag), ["ev/a"]);
        let tool = Selection {
            tool: Some("cilium".into()),
            ..Selection::default()
        };
        assert_eq!(ids(&tool), ["ev/a"]);
        let query = Selection {
            talks: Some(["ev/b".parse().unwrap()].into_iter().collect()),
            ..Selection::default()
        };
        assert_eq!(ids(&query), ["ev/b"]);
        assert_eq!(Selection::default().apply(bundles.clone()).len(), 2);
    }

    #[test]
    fn derived_titles_name_the_period_and_topic() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(
            derived_title(&[d("2024-01-01"), d("2024-12-01")], &[]),
            "2024年のトークまとめ"
        );
        assert_eq!(
            derived_title(&[d("2022-01-01"), d("2024-12-01")], &["タグ: ebpf".into()]),
            "2022〜2024年のトークまとめ（タグ: ebpf）"
        );
        assert_eq!(derived_title(&[], &[]), "トークまとめ");
    }
}
