//! The note model: events and their talks, exactly as users write them.
//!
//! These types are the user-facing contract shared by the RON files on disk and the interchange
//! JSON, so field names here never change without a schema version bump. Every value that has a
//! shape (ids, dates, times, ratings) is a validating newtype: a bad value is rejected while the
//! file is parsed, which lets the RON reader report the exact line and column of the mistake.
//!
//! One file, though about 900 lines: the model is one contract, and a reader should see every
//! type a note file can hold in one place.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The version of the on-disk note format written by this build.
pub const SCHEMA_VERSION: u32 = 1;

/// A conference, meetup or newsletter issue: the directory `notes/<id>/` and its `event.ron`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Version of the note format. RON files carry it; interchange JSON carries it once at the
    /// top instead, so `interchange` strips it per object.
    #[serde(default = "current_schema")]
    #[schemars(skip)]
    pub schema: u32,
    /// Slug; must equal the directory name.
    pub id: Slug,
    pub name: String,
    #[serde(default)]
    pub kind: EventKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub starts_on: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_on: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The zone the talks' dates and times are in (`tn agenda --ics` needs it to write them
    /// as instants); unset means the zone of the computer that reads them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<ZoneName>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hashtag: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    /// Values a merge could not reconcile (see [`Conflict`]); empty in a resolved note.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

/// A talk, keynote, or an article/release/tool item of a digest: `notes/<event>/<id>.ron`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Talk {
    #[serde(default = "current_schema")]
    #[schemars(skip)]
    pub schema: u32,
    /// Slug; must equal the file name without `.ron`.
    pub id: Slug,
    #[serde(default)]
    pub kind: TalkKind,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The schedule session this note was imported from; a re-import matches it exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub speakers: Vec<Speaker>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<ClockTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<ClockTime>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The official description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r#abstract: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub takeaways: Vec<Takeaway>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Tool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// Free text, multi-line; may contain fenced code blocks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memo: Option<String>,
    /// Where the talk stands for you (starred, attended, to watch, ...); private, like the
    /// rating: recaps leave both out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<TalkStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<Rating>,
    /// Values a merge could not reconcile (see [`Conflict`]); empty in a resolved note.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Speaker {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affiliation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Takeaway {
    pub text: String,
    /// Local time the line was jotted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<ClockTime>,
    /// Who wrote it (`TALKNOTES_AUTHOR` or git's `user.name` when it was captured).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tool {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Who added it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub url: String,
    /// `slides`, `video` or `page`: what the link is, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<LinkKind>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Who added it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

/// A value two people changed differently at the same time, which a merge could not choose
/// between (see `crate::merge`): the note keeps one version in the field itself and the other
/// one here, so the file stays a valid note (no conflict markers) until someone decides.
/// `tn check` reports each entry; resolving it means keeping the right value in the field and
/// deleting the entry (`tn edit`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    /// Where the value lives: a field (`title`), or a field of a list item named by its
    /// identity (`tools[Istio].url`, `speakers[山田 花子].affiliation`).
    pub field: String,
    /// The other version of the value, as text (numbers and lists in JSON notation).
    pub theirs: String,
    /// Who wrote the other version, when the merge knew.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

fn current_schema() -> u32 {
    SCHEMA_VERSION
}

/// A closed set of lower-case keywords, spelled the same in RON, JSON and on the command
/// line: serde's spelling for the notes, clap's `ValueEnum` for `--kind` and its help (so the
/// command line takes the model's own type, not a copy of it), and `as_str`, `Display` and
/// `FromStr` for everything else.
macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident, $noun:literal, default $default:ident, { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema, clap::ValueEnum)]
        pub enum $name {
            $(#[serde(rename = $text)] #[value(name = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::$default
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let lower = s.trim().to_ascii_lowercase();
                $name::ALL
                    .iter()
                    .copied()
                    .find(|k| k.as_str() == lower)
                    .ok_or_else(|| {
                        let names: Vec<&str> = $name::ALL.iter().map(|k| k.as_str()).collect();
                        format!("unknown {} `{s}`; expected one of: {}", $noun, names.join(", "))
                    })
            }
        }
    };
}

keyword_enum!(
    /// What kind of gathering an event is.
    EventKind, "kind", default Conference, {
        Conference => "conference",
        Meetup => "meetup",
        Newsletter => "newsletter",
        Other => "other",
    }
);

keyword_enum!(
    /// What kind of item a talk note is; digests use article, release and tool.
    TalkKind, "kind", default Session, {
        Keynote => "keynote",
        Session => "session",
        Sponsor => "sponsor",
        Lightning => "lightning",
        Panel => "panel",
        Workshop => "workshop",
        Article => "article",
        Release => "release",
        Tool => "tool",
        Other => "other",
    }
);

keyword_enum!(
    /// Where a talk stands for its reader: `planned` (starred before the event), then
    /// `attended`, `to-watch` (the recording, later), `watched` or `skipped`.
    TalkStatus, "status", default Planned, {
        Planned => "planned",
        Attended => "attended",
        ToWatch => "to-watch",
        Watched => "watched",
        Skipped => "skipped",
    }
);

keyword_enum!(
    /// What a link points at: the talk's `slides`, a `video` (recording), or another `page`.
    LinkKind, "link kind", default Page, {
        Slides => "slides",
        Video => "video",
        Page => "page",
    }
);

impl LinkKind {
    /// The kind a URL's host and path tell: slide hosts and PDFs are slides, video hosts and
    /// HLS playlists are videos; `None` when nothing tells (a blog post, a repository).
    pub fn guess(url: &str) -> Option<LinkKind> {
        let lower = url.trim().to_ascii_lowercase();
        let rest = lower
            .split_once("://")
            .map_or(lower.as_str(), |(_, rest)| rest);
        let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = host.rsplit('@').next().unwrap_or(host);
        let host = host.split(':').next().unwrap_or(host);
        let path = path.split(['?', '#']).next().unwrap_or(path);
        let on = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
        const SLIDE_HOSTS: &[&str] = &[
            "speakerdeck.com",
            "docswell.com",
            "slideshare.net",
            "slides.com",
            "pitch.com",
        ];
        const VIDEO_HOSTS: &[&str] = &[
            "youtube.com",
            "youtu.be",
            "vimeo.com",
            "nicovideo.jp",
            "bilibili.com",
            "wistia.com",
        ];
        if SLIDE_HOSTS.iter().any(|d| on(d))
            || (on("docs.google.com") && path.starts_with("presentation/"))
            || (on("static.sched.com") && path.starts_with("hosted_files/"))
            || [".pdf", ".pptx", ".ppt", ".key", ".odp"]
                .iter()
                .any(|ext| path.ends_with(ext))
        {
            Some(LinkKind::Slides)
        } else if VIDEO_HOSTS.iter().any(|d| on(d))
            || [".m3u8", ".mp4", ".webm", ".mov"]
                .iter()
                .any(|ext| path.ends_with(ext))
        {
            Some(LinkKind::Video)
        } else {
            None
        }
    }
}

keyword_enum!(
    /// The schedule a talk note was imported from (see [`Source`]).
    ScheduleKind, "schedule", default Frab, {
        Sched => "sched",
        Frab => "frab",
        Sessionize => "sessionize",
        Dreamkast => "dreamkast",
    }
);

/// Which session of which schedule a talk note was created from: what a re-import of the
/// schedule matches, exactly, to find the note again.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub schedule: ScheduleKind,
    /// The schedule's own id of the session (Sched `UID`, pretalx `code`, frab `id`,
    /// Sessionize and Dreamkast `id`), as the schedule writes it.
    pub id: String,
}

/// An IANA time zone name (`Asia/Tokyo`, `America/Chicago`): the zone an event's wall-clock
/// times are in. Checked against the zone database tn carries, so a typo is found when the
/// note is read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ZoneName(String);

impl ZoneName {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The zone itself.
    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::db()
            .get(&self.0)
            .unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

impl FromStr for ZoneName {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        // UTC needs no database; every other name must be in it.
        if s.eq_ignore_ascii_case("utc") {
            return Ok(ZoneName("UTC".into()));
        }
        match jiff::tz::db().get(s) {
            Ok(zone) => Ok(ZoneName(zone.iana_name().unwrap_or(s).to_owned())),
            Err(_) => Err(format!(
                "`{}` is not a time zone name: write an IANA name such as Asia/Tokyo or America/Chicago",
                s.escape_debug()
            )),
        }
    }
}

impl fmt::Display for ZoneName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Implements string (de)serialization and a string JSON schema for a validating newtype.
macro_rules! string_newtype_serde {
    ($name:ident, $schema_pattern:expr, $what:literal) => {
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "pattern": $schema_pattern,
                    "description": $what,
                })
            }
        }
    };
}

/// An id: `[a-z0-9][a-z0-9-]{0,63}`. Ids name files, so this shape is also what keeps a note
/// inside `notes/` (no `/`, `.`, or `..` can get through).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 64;

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Slug {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bytes = s.as_bytes();
        let valid_first = bytes
            .first()
            .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
        let valid_rest = bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-');
        if s.is_empty() {
            Err("an id cannot be empty".into())
        } else if bytes.len() > Self::MAX_LEN {
            Err(format!(
                "id `{}` is {} characters long; at most {} are allowed",
                s.escape_debug(),
                bytes.len(),
                Self::MAX_LEN
            ))
        } else if !valid_first || !valid_rest {
            Err(format!(
                "`{}` is not a valid id: use lower-case ASCII letters, digits and `-`, starting with a letter or digit (e.g. `kubecon-na-2022`)",
                s.escape_debug()
            ))
        } else {
            Ok(Slug(s.to_owned()))
        }
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

string_newtype_serde!(
    Slug,
    "^[a-z0-9][a-z0-9-]{0,63}$",
    "lower-case ASCII letters, digits and '-'"
);

/// A talk's full id, `<event-id>/<talk-id>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TalkRef {
    pub event: Slug,
    pub talk: Slug,
}

impl FromStr for TalkRef {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (event, talk) = s.trim().split_once('/').ok_or_else(|| {
            format!(
                "`{}` is not a full talk id: write it as <event-id>/<talk-id>",
                s.escape_debug()
            )
        })?;
        let event: Slug = event.parse()?;
        let talk: Slug = talk.parse()?;
        if talk.as_str() == EVENT_FILE_STEM {
            return Err(format!(
                "`{EVENT_FILE_STEM}` is reserved for the event file and cannot be a talk id"
            ));
        }
        Ok(TalkRef { event, talk })
    }
}

impl fmt::Display for TalkRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.event, self.talk)
    }
}

/// The file stem of an event's own note, which therefore cannot be a talk id.
pub const EVENT_FILE_STEM: &str = "event";

/// A calendar date written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date(pub jiff::civil::Date);

impl Date {
    pub fn year(self) -> i16 {
        self.0.year()
    }
}

impl FromStr for Date {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "`{}` is not a valid date: write YYYY-MM-DD, e.g. 2024-07-26",
                s.escape_debug()
            )
        };
        // jiff also accepts longer ISO forms; the file format promises exactly YYYY-MM-DD.
        if s.len() != 10 || s.as_bytes()[4] != b'-' || s.as_bytes()[7] != b'-' {
            return Err(bad());
        }
        s.parse::<jiff::civil::Date>().map(Date).map_err(|_| bad())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0.strftime("%Y-%m-%d"))
    }
}

string_newtype_serde!(
    ZoneName,
    "^[A-Za-z0-9_+/-]+$",
    "an IANA time zone name, e.g. Asia/Tokyo"
);

string_newtype_serde!(Date, "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "a date, YYYY-MM-DD");

/// A local wall-clock time written `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClockTime {
    hour: u8,
    minute: u8,
}

impl ClockTime {
    pub fn new(hour: u8, minute: u8) -> Option<Self> {
        (hour < 24 && minute < 60).then_some(ClockTime { hour, minute })
    }

    pub fn hour(self) -> u8 {
        self.hour
    }

    pub fn minute(self) -> u8 {
        self.minute
    }

    /// Minutes since midnight.
    pub fn minutes(self) -> u16 {
        u16::from(self.hour) * 60 + u16::from(self.minute)
    }
}

impl FromStr for ClockTime {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!(
                "`{}` is not a valid time: write HH:MM (24-hour), e.g. 13:05",
                s.escape_debug()
            )
        };
        let (h, m) = s.split_once(':').ok_or_else(bad)?;
        let digits = |p: &str| p.len() == 2 && p.bytes().all(|b| b.is_ascii_digit());
        if !digits(h) || !digits(m) {
            return Err(bad());
        }
        let (h, m) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        ClockTime::new(h, m).ok_or_else(bad)
    }
}

impl ClockTime {
    /// A time as typed on the command line: `H:MM` as well as `HH:MM` (`9:30`), in
    /// full-width digits too (`９：３０`, as a Japanese input method types them). Files keep
    /// the one form `HH:MM` ([`FromStr`]).
    pub fn parse_typed(s: &str) -> Result<Self, String> {
        use unicode_normalization::UnicodeNormalization;
        let bad = || {
            format!(
                "`{}` is not a valid time: write H:MM or HH:MM (24-hour), e.g. 9:30 or 13:05",
                s.escape_debug()
            )
        };
        let folded: String = s.trim().nfkc().collect();
        let (h, m) = folded.split_once(':').ok_or_else(bad)?;
        let digits = |p: &str, widths: &[usize]| {
            widths.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())
        };
        if !digits(h, &[1, 2]) || !digits(m, &[2]) {
            return Err(bad());
        }
        let (h, m) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
        ClockTime::new(h, m).ok_or_else(bad)
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.hour, self.minute)
    }
}

string_newtype_serde!(ClockTime, "^[0-9]{2}:[0-9]{2}$", "a time, HH:MM");

/// How much the talk was worth, 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct Rating(#[schemars(range(min = 1, max = 5))] u8);

impl Rating {
    pub fn new(value: u8) -> Option<Self> {
        (1..=5).contains(&value).then_some(Rating(value))
    }

    pub fn get(self) -> u8 {
        self.0
    }
}

impl FromStr for Rating {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.trim()
            .parse::<u8>()
            .ok()
            .and_then(Rating::new)
            .ok_or_else(|| format!("`{}` is not a rating: use 1 to 5", s.escape_debug()))
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl<'de> Deserialize<'de> for Rating {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = i64::deserialize(deserializer)?;
        u8::try_from(value)
            .ok()
            .and_then(Rating::new)
            .ok_or_else(|| {
                serde::de::Error::custom(format!("rating {value} is out of range: use 1 to 5"))
            })
    }
}

impl Event {
    pub fn new(id: Slug, name: impl Into<String>) -> Self {
        Event {
            schema: SCHEMA_VERSION,
            id,
            name: name.into(),
            kind: EventKind::default(),
            starts_on: None,
            ends_on: None,
            location: None,
            timezone: None,
            url: None,
            hashtag: None,
            tags: Vec::new(),
            memo: None,
            conflicts: Vec::new(),
        }
    }

    /// Problems serde cannot see because they involve more than one field.
    pub fn semantic_problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if self.name.trim().is_empty() {
            problems.push(Problem::new("name", "the event name is empty"));
        }
        if let (Some(start), Some(end)) = (self.starts_on, self.ends_on)
            && end < start
        {
            problems.push(Problem::new(
                "ends_on",
                format!("the event ends ({end}) before it starts ({start})"),
            ));
        }
        problems
    }
}

impl Talk {
    pub fn new(id: Slug, title: impl Into<String>) -> Self {
        Talk {
            schema: SCHEMA_VERSION,
            id,
            kind: TalkKind::default(),
            title: title.into(),
            url: None,
            source: None,
            speakers: Vec::new(),
            date: None,
            start: None,
            end: None,
            track: None,
            language: None,
            tags: Vec::new(),
            r#abstract: None,
            takeaways: Vec::new(),
            tools: Vec::new(),
            links: Vec::new(),
            memo: None,
            status: None,
            rating: None,
            conflicts: Vec::new(),
        }
    }

    pub fn semantic_problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if self.title.trim().is_empty() {
            problems.push(Problem::new("title", "the talk title is empty"));
        }
        if self.id.as_str() == EVENT_FILE_STEM {
            problems.push(Problem::new(
                "id",
                "`event` is reserved for the event file; rename this talk",
            ));
        }
        if let (Some(start), Some(end)) = (self.start, self.end)
            && end < start
        {
            problems.push(Problem::new(
                "end",
                format!("the talk ends ({end}) before it starts ({start})"),
            ));
        }
        for speaker in &self.speakers {
            if speaker.name.trim().is_empty() {
                problems.push(Problem::new("speakers", "a speaker has an empty name"));
            }
        }
        problems
    }

    /// Takes from `other` (the same talk as stored) what a published recap leaves out: the
    /// rating and status, who wrote each takeaway, tool and link still present here, and
    /// unresolved conflicts.
    pub fn keep_private_from(&mut self, other: &Talk) {
        self.rating = other.rating;
        self.status = other.status;
        for t in self.takeaways.iter_mut().filter(|t| t.by.is_none()) {
            t.by = other
                .takeaways
                .iter()
                .find(|o| o.text == t.text && o.at == t.at)
                .and_then(|o| o.by.clone());
        }
        for t in self.tools.iter_mut().filter(|t| t.by.is_none()) {
            t.by = other
                .tools
                .iter()
                .find(|o| o.name == t.name)
                .and_then(|o| o.by.clone());
        }
        for l in self.links.iter_mut().filter(|l| l.by.is_none()) {
            l.by = other
                .links
                .iter()
                .find(|o| o.url == l.url)
                .and_then(|o| o.by.clone());
        }
        if self.conflicts.is_empty() {
            self.conflicts = other.conflicts.clone();
        }
    }

    /// Everyone who wrote a takeaway, tool or link, in order of first appearance.
    pub fn contributors(&self) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        let all = self
            .takeaways
            .iter()
            .map(|t| &t.by)
            .chain(self.tools.iter().map(|t| &t.by))
            .chain(self.links.iter().map(|l| &l.by));
        for name in all.flatten() {
            if !names.contains(&name.as_str()) {
                names.push(name);
            }
        }
        names
    }

    /// Adds a tag unless it is already there; returns whether anything changed.
    pub fn add_tag(&mut self, tag: &str) -> bool {
        let tag = tag.trim();
        if tag.is_empty() || self.tags.iter().any(|t| t == tag) {
            return false;
        }
        self.tags.push(tag.to_owned());
        true
    }
}

/// A problem found after parsing, tied to the field a user should look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub message: String,
}

impl Problem {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Problem {
            field,
            message: message.into(),
        }
    }
}

impl Speaker {
    /// Parses `Name (Affiliation)` or `Name (Affiliation / Role)` as typed on the command
    /// line; full-width parentheses and slash too. The role is set apart by a slash with
    /// spaces around it (or a full-width ／), not a comma, as affiliations hold commas
    /// (`Example, Inc.`) and slashes (`Red Hat/IBM`); the first such slash splits
    /// (`Acme / CTO/Co-founder`); `Name (/ Role)` gives a role alone.
    pub fn parse_cli(text: &str) -> Speaker {
        let text = text.trim();
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        for (open, close) in [('(', ')'), ('（', '）')] {
            if let Some(stripped) = text.strip_suffix(close)
                && let Some(idx) = stripped.rfind(open)
            {
                let name = stripped[..idx].trim();
                let inside = &stripped[idx + open.len_utf8()..];
                let split = [" / ", "／"]
                    .iter()
                    .filter_map(|slash| inside.find(slash).map(|at| (at, slash.len())))
                    .min()
                    .or_else(|| {
                        inside
                            .trim_start()
                            .starts_with('/')
                            .then(|| (inside.len() - inside.trim_start().len(), 1))
                    });
                let (affiliation, role) = match split {
                    Some((at, slash)) => (some(&inside[..at]), some(&inside[at + slash..])),
                    None => (some(inside), None),
                };
                if !name.is_empty() && (affiliation.is_some() || role.is_some()) {
                    return Speaker {
                        name: name.to_owned(),
                        affiliation,
                        role,
                    };
                }
            }
        }
        Speaker {
            name: text.to_owned(),
            affiliation: None,
            role: None,
        }
    }
}

impl fmt::Display for Speaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.affiliation {
            Some(affiliation) => write!(f, "{} ({affiliation})", self.name),
            None => f.write_str(&self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_accept_only_the_documented_shape() {
        for good in ["a", "kubecon-na-2022", "0day", &"a".repeat(64)] {
            assert!(good.parse::<Slug>().is_ok(), "{good}");
        }
        for bad in [
            "",
            "-a",
            "A",
            "a_b",
            "a/b",
            "..",
            "a.b",
            "日本",
            " a",
            &"a".repeat(65),
        ] {
            assert!(bad.parse::<Slug>().is_err(), "{bad}");
        }
    }

    #[test]
    fn talk_refs_reject_reserved_and_traversal() {
        assert!("ev/talk".parse::<TalkRef>().is_ok());
        assert!("ev/event".parse::<TalkRef>().is_err());
        assert!("../x".parse::<TalkRef>().is_err());
        assert!("ev/../x".parse::<TalkRef>().is_err());
        assert!("ev".parse::<TalkRef>().is_err());
    }

    #[test]
    fn dates_and_times_are_strict() {
        assert_eq!(
            "2024-07-26".parse::<Date>().unwrap().to_string(),
            "2024-07-26"
        );
        for bad in ["2024-02-30", "2024-7-26", "20240726", "2024-07-26T00:00"] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
        assert_eq!("09:05".parse::<ClockTime>().unwrap().to_string(), "09:05");
        for bad in ["9:05", "24:00", "12:60", "ab:cd", "12:345"] {
            assert!(bad.parse::<ClockTime>().is_err(), "{bad}");
        }
    }

    #[test]
    fn speaker_affiliation_parsing() {
        let s = Speaker::parse_cli("Jane Doe (Example Inc.)");
        assert_eq!(s.name, "Jane Doe");
        assert_eq!(s.affiliation.as_deref(), Some("Example Inc."));
        let s = Speaker::parse_cli("山田 太郎（サイボウズ）");
        assert_eq!(s.name, "山田 太郎");
        assert_eq!(s.affiliation.as_deref(), Some("サイボウズ"));
        assert_eq!(Speaker::parse_cli("Solo").affiliation, None);
        // A role after a slash; commas stay in the affiliation.
        let s = Speaker::parse_cli("Jane Doe (Example, Inc. / Staff SRE)");
        assert_eq!(s.affiliation.as_deref(), Some("Example, Inc."));
        assert_eq!(s.role.as_deref(), Some("Staff SRE"));
        let s = Speaker::parse_cli("鈴木 一郎（メルカリ／SRE）");
        assert_eq!(
            (s.name.as_str(), s.affiliation.as_deref(), s.role.as_deref()),
            ("鈴木 一郎", Some("メルカリ"), Some("SRE"))
        );
        let s = Speaker::parse_cli("Jane (/ Evangelist)");
        assert_eq!(
            (s.affiliation, s.role.as_deref()),
            (None, Some("Evangelist"))
        );
        assert_eq!(Speaker::parse_cli("Jane (/)").name, "Jane (/)");
        // A slash without spaces is part of the affiliation; the first spaced one splits.
        let s = Speaker::parse_cli("Jane (Red Hat/IBM)");
        assert_eq!(
            (s.affiliation.as_deref(), s.role),
            (Some("Red Hat/IBM"), None)
        );
        let s = Speaker::parse_cli("Jane (Acme / CTO/Co-founder)");
        assert_eq!(
            (s.affiliation.as_deref(), s.role.as_deref()),
            (Some("Acme"), Some("CTO/Co-founder"))
        );
    }

    #[test]
    fn kinds_parse_case_insensitively() {
        assert_eq!("Keynote".parse::<TalkKind>().unwrap(), TalkKind::Keynote);
        assert!("talk".parse::<TalkKind>().is_err());
    }
}
