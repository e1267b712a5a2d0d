//! Property tests: arbitrary valid notes survive import → export (through the binary and the
//! RON files), and the RON codec round-trips arbitrary talks (in process, many more cases).

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::Config;
use serde_json::{Map, Value, json};

use talknotes::note::{
    ClockTime, Date, Event, EventKind, Link, Rating, Slug, Speaker, Takeaway, Talk, TalkKind, Tool,
};
use talknotes::store::codec;

use crate::common::{Kb, stderr, stdout};

/// Pieces that stress RON and JSON quoting, comments, raw strings, and wide text.
const FRAGMENTS: &[&str] = &[
    "\n",
    "\r\n",
    "\t",
    "\"",
    "\\",
    "#",
    "##",
    "r#\"",
    "\"#",
    "\"##",
    "//",
    "/*",
    "*/",
    "'",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "Some(",
    "日本語",
    "サービスメッシュ",
    "入門",
    "🎉",
    "👩‍💻",
    "é",
    "\u{0}",
    "\u{1b}[31m",
    "\u{7f}",
    "\u{202e}",
    " ",
    "  ",
    "text",
    "x",
];

/// Arbitrary text: fragments mixed with arbitrary characters (any Unicode scalar value).
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(FRAGMENTS).prop_map(str::to_owned),
            2 => any::<char>().prop_map(String::from),
            1 => "[a-zA-Z0-9 ]{1,12}",
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

/// Text with something visible in it (titles, names: blank ones are refused).
fn non_blank() -> impl Strategy<Value = String> {
    (text(), "[A-Za-z0-9あ-ん]", text()).prop_map(|(a, b, c)| format!("{a}{b}{c}"))
}

fn slug() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9-]{0,15}".prop_filter("reserved", |s| s != "event")
}

fn date() -> impl Strategy<Value = (i16, i8, i8)> {
    (1990i16..2100, 1i8..=12, 1i8..=28)
}

fn fmt_date((y, m, d): (i16, i8, i8)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

fn time() -> impl Strategy<Value = (u8, u8)> {
    (0u8..24, 0u8..60)
}

fn fmt_time((h, m): (u8, u8)) -> String {
    format!("{h:02}:{m:02}")
}

fn opt<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Option<T>> {
    prop::option::of(s)
}

/// Optional list: absent, or present and non-empty (an empty list is not written out).
fn list<T: std::fmt::Debug>(s: impl Strategy<Value = T>) -> impl Strategy<Value = Option<Vec<T>>> {
    opt(prop::collection::vec(s, 1..4))
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.into(), value);
    }
}

fn speaker_json() -> impl Strategy<Value = Value> {
    (non_blank(), opt(text()), opt(text())).prop_map(|(name, affiliation, role)| {
        let mut m = Map::new();
        m.insert("name".into(), name.into());
        put(&mut m, "affiliation", affiliation.map(Value::from));
        put(&mut m, "role", role.map(Value::from));
        Value::Object(m)
    })
}

fn talk_json(id: String) -> impl Strategy<Value = Value> {
    let head = (
        opt(prop::sample::select(TalkKind::ALL).prop_map(|k| k.as_str())),
        non_blank(),
        opt(text()),
        list(speaker_json()),
        opt(date()),
        opt(time()),
        opt(time()),
        opt(text()),
        opt(text()),
    );
    let tail = (
        list(text()),
        opt(text()),
        list((text(), opt(time()))),
        list((text(), opt(text()))),
        list((text(), opt(text()))),
        opt(text()),
        opt(1u8..=5),
    );
    (head, tail).prop_map(
        move |(
            (kind, title, url, speakers, date, start, end, track, language),
            (tags, abstract_, takeaways, tools, links, memo, rating),
        )| {
            // A talk cannot end before it starts.
            let (start, end) = match (start, end) {
                (Some(a), Some(b)) if b < a => (Some(b), Some(a)),
                other => other,
            };
            let mut m = Map::new();
            m.insert("id".into(), id.clone().into());
            put(&mut m, "kind", kind.map(Value::from));
            m.insert("title".into(), title.into());
            put(&mut m, "url", url.map(Value::from));
            put(&mut m, "speakers", speakers.map(Value::from));
            put(&mut m, "date", date.map(|d| fmt_date(d).into()));
            put(&mut m, "start", start.map(|t| fmt_time(t).into()));
            put(&mut m, "end", end.map(|t| fmt_time(t).into()));
            put(&mut m, "track", track.map(Value::from));
            put(&mut m, "language", language.map(Value::from));
            put(&mut m, "tags", tags.map(Value::from));
            put(&mut m, "abstract", abstract_.map(Value::from));
            put(
                &mut m,
                "takeaways",
                takeaways.map(|ts| {
                    ts.into_iter()
                        .map(|(text, at)| {
                            let mut t = Map::new();
                            t.insert("text".into(), text.into());
                            put(&mut t, "at", at.map(|a| fmt_time(a).into()));
                            Value::Object(t)
                        })
                        .collect()
                }),
            );
            put(
                &mut m,
                "tools",
                tools.map(|ts| {
                    ts.into_iter()
                        .map(|(name, url)| {
                            let mut t = Map::new();
                            t.insert("name".into(), name.into());
                            put(&mut t, "url", url.map(Value::from));
                            Value::Object(t)
                        })
                        .collect()
                }),
            );
            put(
                &mut m,
                "links",
                links.map(|ls| {
                    ls.into_iter()
                        .map(|(url, title)| {
                            let mut l = Map::new();
                            l.insert("url".into(), url.into());
                            put(&mut l, "title", title.map(Value::from));
                            Value::Object(l)
                        })
                        .collect()
                }),
            );
            put(&mut m, "memo", memo.map(Value::from));
            put(&mut m, "rating", rating.map(Value::from));
            Value::Object(m)
        },
    )
}

fn event_json(id: String) -> impl Strategy<Value = Value> {
    (
        (
            non_blank(),
            opt(prop::sample::select(EventKind::ALL).prop_map(|k| k.as_str())),
            opt(date()),
            opt(date()),
            opt(text()),
            opt(text()),
            opt(text()),
            list(text()),
            opt(text()),
        ),
        prop::collection::btree_set(slug(), 0..4),
    )
        .prop_flat_map(
            move |((name, kind, a, b, location, url, hashtag, tags, memo), talk_ids)| {
                let (starts_on, ends_on) = match (a, b) {
                    (Some(a), Some(b)) if b < a => (Some(b), Some(a)),
                    other => other,
                };
                let mut m = Map::new();
                m.insert("id".into(), id.clone().into());
                m.insert("name".into(), name.into());
                put(&mut m, "kind", kind.map(Value::from));
                put(&mut m, "starts_on", starts_on.map(|d| fmt_date(d).into()));
                put(&mut m, "ends_on", ends_on.map(|d| fmt_date(d).into()));
                put(&mut m, "location", location.map(Value::from));
                put(&mut m, "url", url.map(Value::from));
                put(&mut m, "hashtag", hashtag.map(Value::from));
                put(&mut m, "tags", tags.map(Value::from));
                put(&mut m, "memo", memo.map(Value::from));
                let talks: Vec<_> = talk_ids.into_iter().map(talk_json).collect();
                (Just(m), talks).prop_map(|(mut m, talks)| {
                    // `talks` may be left out when empty.
                    if !talks.is_empty() {
                        m.insert("talks".into(), Value::Array(talks));
                    }
                    Value::Object(m)
                })
            },
        )
}

fn document() -> impl Strategy<Value = Value> {
    prop::collection::btree_set(slug(), 1..3).prop_flat_map(|ids| {
        let events: Vec<_> = ids.into_iter().map(event_json).collect();
        events.prop_map(|events| json!({"talknotes": 1, "events": events}))
    })
}

/// What export gives for a document: defaults filled in, `talks` always present, notes sorted
/// by id.
fn normalized(mut doc: Value) -> Value {
    let by_id = |a: &Value, b: &Value| a["id"].as_str().cmp(&b["id"].as_str());
    let events = doc["events"].as_array_mut().unwrap();
    events.sort_by(by_id);
    for event in events {
        let event = event.as_object_mut().unwrap();
        event.entry("kind").or_insert_with(|| "conference".into());
        let talks = event.entry("talks").or_insert_with(|| json!([]));
        let talks = talks.as_array_mut().unwrap();
        talks.sort_by(by_id);
        for talk in talks {
            talk.as_object_mut()
                .unwrap()
                .entry("kind")
                .or_insert_with(|| "session".into());
        }
    }
    doc
}

fn json_config() -> Config {
    Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(json_config())]

    #[test]
    fn import_then_export_gives_the_same_document(doc in document()) {
        let kb = Kb::bare();
        std::fs::create_dir_all(kb.path("notes")).unwrap();
        kb.write("in.json", serde_json::to_string_pretty(&doc).unwrap());
        let out = kb.tn().args(["import", "in.json"]).output().unwrap();
        prop_assert!(out.status.success(), "import failed: {}\n{doc:#}", stderr(&out));
        let out = kb.tn().args(["export", "--format", "json"]).output().unwrap();
        prop_assert!(out.status.success(), "export failed: {}", stderr(&out));
        prop_assert!(out.stderr.is_empty(), "export warned: {}", stderr(&out));
        let exported: Value = serde_json::from_str(&stdout(&out)).unwrap();
        prop_assert_eq!(exported, normalized(doc.clone()));

        // The files it wrote are valid, and readable without the schema of the JSON.
        let out = kb.tn().arg("check").output().unwrap();
        prop_assert!(out.status.success(), "check failed: {}", stdout(&out));
    }
}

fn slug_value() -> impl Strategy<Value = Slug> {
    slug().prop_map(|s| s.parse().unwrap())
}

fn date_value() -> impl Strategy<Value = Date> {
    date().prop_map(|d| fmt_date(d).parse().unwrap())
}

fn time_value() -> impl Strategy<Value = ClockTime> {
    time().prop_map(|(h, m)| ClockTime::new(h, m).unwrap())
}

fn talk_value() -> impl Strategy<Value = Talk> {
    let head = (
        slug_value(),
        prop::sample::select(TalkKind::ALL),
        non_blank(),
        opt(text()),
        prop::collection::vec(
            (non_blank(), opt(text()), opt(text())).prop_map(|(name, affiliation, role)| Speaker {
                name,
                affiliation,
                role,
            }),
            0..3,
        ),
        opt(date_value()),
        opt(time_value()),
        opt(time_value()),
    );
    let tail = (
        opt(text()),
        opt(text()),
        prop::collection::vec(text(), 0..3),
        opt(text()),
        prop::collection::vec(
            (text(), opt(time_value())).prop_map(|(text, at)| Takeaway { text, at }),
            0..4,
        ),
        prop::collection::vec(
            (text(), opt(text())).prop_map(|(name, url)| Tool { name, url }),
            0..3,
        ),
        prop::collection::vec(
            (text(), opt(text())).prop_map(|(url, title)| Link { url, title }),
            0..3,
        ),
        opt(text()),
        opt((1u8..=5).prop_map(|r| Rating::new(r).unwrap())),
    );
    (head, tail).prop_map(
        |(
            (id, kind, title, url, speakers, date, start, end),
            (track, language, tags, abstract_, takeaways, tools, links, memo, rating),
        )| {
            let mut talk = Talk::new(id, title);
            talk.kind = kind;
            talk.url = url;
            talk.speakers = speakers;
            talk.date = date;
            (talk.start, talk.end) = match (start, end) {
                (Some(a), Some(b)) if b < a => (Some(b), Some(a)),
                other => other,
            };
            talk.track = track;
            talk.language = language;
            talk.tags = tags;
            talk.r#abstract = abstract_;
            talk.takeaways = takeaways;
            talk.tools = tools;
            talk.links = links;
            talk.memo = memo;
            talk.rating = rating;
            talk
        },
    )
}

fn event_value() -> impl Strategy<Value = Event> {
    (
        slug_value(),
        non_blank(),
        prop::sample::select(EventKind::ALL),
        opt(date_value()),
        opt(date_value()),
        (opt(text()), opt(text()), opt(text())),
        prop::collection::vec(text(), 0..3),
        opt(text()),
    )
        .prop_map(
            |(id, name, kind, a, b, (location, url, hashtag), tags, memo)| {
                let mut event = Event::new(id, name);
                event.kind = kind;
                (event.starts_on, event.ends_on) = match (a, b) {
                    (Some(a), Some(b)) if b < a => (Some(b), Some(a)),
                    other => other,
                };
                event.location = location;
                event.url = url;
                event.hashtag = hashtag;
                event.tags = tags;
                event.memo = memo;
                event
            },
        )
}

fn codec_config() -> Config {
    Config {
        cases: 256,
        failure_persistence: None,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(codec_config())]

    #[test]
    fn talk_ron_round_trips(talk in talk_value()) {
        let text = codec::to_ron(&talk).unwrap();
        let parsed = codec::parse::<Talk>(Path::new("t.ron"), text.as_bytes(), talk.id.as_str());
        prop_assert_eq!(parsed.as_ref(), Ok(&talk), "file text:\n{}", text);
        // What tn writes must never look like it has comments, or tn could not write it again.
        prop_assert!(!codec::has_comments(&text), "comments detected in:\n{}", text);
        // Canonical: writing the parsed note again gives the same text.
        prop_assert_eq!(codec::to_ron(&parsed.unwrap()).unwrap(), text);
    }

    #[test]
    fn event_ron_round_trips(event in event_value()) {
        let text = codec::to_ron(&event).unwrap();
        let parsed = codec::parse::<Event>(Path::new("event.ron"), text.as_bytes(), event.id.as_str());
        prop_assert_eq!(parsed.as_ref(), Ok(&event), "file text:\n{}", text);
        prop_assert!(!codec::has_comments(&text), "comments detected in:\n{}", text);
    }
}
