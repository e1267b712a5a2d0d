//! Never panic on input: every reader of outside text (the RON note reader, the interchange
//! JSON importer, the frab/pretalx and Sessionize schedule importers, the Markdown recap
//! importer, the query parser and search) returns a result or an error, never panics and
//! never hangs, whatever it is fed: arbitrary bytes, arbitrary Unicode, and valid documents
//! with random damage (text edits, and for JSON wrong values put where the schema expects
//! others). Errors name the file they are about.
//!
//! Each case runs on its own thread with a generous limit, so a hang fails the test instead
//! of stalling CI. The default case counts keep this module and `props.rs` around 20 s on two
//! cores; `PROPTEST_CASES=N` runs every property of both N times (the 1 MB round trip N/500,
//! the one through the binary keeps its 24), and `--nocapture` prints how many inputs each
//! property here tried and how many it accepted (see the README, "Guarantees").

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::Duration;

use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};

use talknotes::export::markdown::markdown;
use talknotes::import::{self, recap, schedule};
use talknotes::interchange;
use talknotes::note::{Event, Talk};
use talknotes::search::index::SearchIndex;
use talknotes::search::query::{self, SearchRequest};
use talknotes::store::{Store, codec};

use crate::props::{bundles_value, recap_options, talk_value};

/// Proptest's configuration with `default_cases` cases, unless `PROPTEST_CASES` says otherwise.
pub(crate) fn config(default_cases: u32) -> Config {
    config_scaled(default_cases, 1)
}

/// Like [`config`] for a property whose cases are expensive: `PROPTEST_CASES=N` runs N / `divisor`
/// of them (never fewer than the default).
pub(crate) fn config_scaled(default_cases: u32, divisor: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .map_or(default_cases, |n| (n / divisor).max(default_cases));
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// How long one input may take before it counts as a hang: far above what any input here
/// needs, even in a debug build on a loaded machine.
const HANG: Duration = Duration::from_secs(60);

/// Runs `f` on a thread of its own; a panic is passed on, a hang becomes a panic.
fn guarded<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (done, finished) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name(format!("fuzz {what}"))
        .stack_size(8 << 20)
        .spawn(move || {
            let value = f();
            let _ = done.send(());
            value
        })
        .expect("spawn a fuzz thread");
    match finished.recv_timeout(HANG) {
        // Disconnected: the closure panicked before it could say it was done.
        Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => match handle.join() {
            Ok(value) => value,
            Err(panic) => std::panic::resume_unwind(panic),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what} did not return within {HANG:?} (a hang)")
        }
    }
}

/// Stack for the threads that generate inputs and run one: generating deeply composed
/// strategies takes more than a test thread's 2 MB in a debug build, and `tn` itself runs on a
/// main thread with 8 MB.
const STACK: usize = 64 << 20;

/// Feeds `default_cases` inputs from the strategy `make` builds to `f`, each guarded against
/// panics and hangs (proptest shrinks a failing input and reports it). `f` says whether the
/// input was accepted.
fn fuzz<S>(
    name: &'static str,
    default_cases: u32,
    make: impl FnOnce() -> S + Send,
    f: impl Fn(S::Value) -> bool + Send + Sync + 'static,
) where
    S: Strategy,
    S::Value: Send + 'static,
{
    let f = Arc::new(f);
    let run = move || {
        let strategy = make();
        let accepted = AtomicUsize::new(0);
        let tried = AtomicUsize::new(0);
        let mut runner = TestRunner::new(config(default_cases));
        let result = runner.run(&strategy, |input| {
            let f = Arc::clone(&f);
            tried.fetch_add(1, Ordering::Relaxed);
            if guarded(name, move || f(input)) {
                accepted.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        });
        if let Err(error) = result {
            panic!("{name}: {error}");
        }
        let (tried, accepted) = (tried.into_inner(), accepted.into_inner());
        eprintln!(
            "fuzz {name}: {tried} inputs, {accepted} accepted, {} rejected with an error, 0 panics",
            tried - accepted
        );
    };
    std::thread::scope(|scope| {
        let runner = std::thread::Builder::new()
            .name(format!("fuzz {name} runner"))
            .stack_size(STACK)
            .spawn_scoped(scope, run)
            .expect("spawn a fuzz runner");
        if let Err(panic) = runner.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

/// An error must say which file it is about.
fn names_the_file(error: &impl std::fmt::Display, file: &str) {
    let message = error.to_string();
    assert!(
        message.contains(file),
        "the error does not name {file}: {message}"
    );
}

// ---------------------------------------------------------------------------------------------
// Inputs

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..2048)
}

/// Arbitrary Unicode, any scalar value.
fn unicode() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 0..512).prop_map(String::from_iter)
}

/// Bytes as text, invalid UTF-8 replaced, for readers that take `&str` (`tn import` refuses
/// invalid UTF-8 before it gets that far).
fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// One edit of a text, at positions chosen in proportion to its length.
#[derive(Debug, Clone)]
enum Edit {
    Delete(Index, u8),
    Insert(Index, String),
    Duplicate(Index, u8),
    Truncate(Index),
    SwapLines(Index, Index),
    DeleteLine(Index),
    InsertLine(Index, String),
}

fn edit(vocabulary: &'static [&'static str]) -> impl Strategy<Value = Edit> {
    let piece = prop_oneof![
        4 => prop::sample::select(vocabulary).prop_map(str::to_owned),
        1 => any::<char>().prop_map(String::from),
        1 => prop::collection::vec(any::<char>(), 1..8).prop_map(String::from_iter),
    ]
    .boxed();
    prop_oneof![
        (any::<Index>(), any::<u8>()).prop_map(|(at, n)| Edit::Delete(at, n)),
        (any::<Index>(), piece.clone()).prop_map(|(at, p)| Edit::Insert(at, p)),
        (any::<Index>(), any::<u8>()).prop_map(|(at, n)| Edit::Duplicate(at, n)),
        any::<Index>().prop_map(Edit::Truncate),
        (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        any::<Index>().prop_map(Edit::DeleteLine),
        (any::<Index>(), piece).prop_map(|(at, p)| Edit::InsertLine(at, p)),
    ]
}

/// Up to eight edits; a quarter of the inputs are left intact, so valid input is tried too.
fn edits(vocabulary: &'static [&'static str]) -> impl Strategy<Value = Vec<Edit>> {
    prop_oneof![
        1 => Just(Vec::new()),
        3 => prop::collection::vec(edit(vocabulary), 1..8),
    ]
}

/// The byte offset of the `at`-th character boundary.
fn boundary(text: &str, at: &Index) -> usize {
    let count = text.chars().count();
    let n = at.index(count + 1);
    text.char_indices().nth(n).map_or(text.len(), |(i, _)| i)
}

fn apply(mut text: String, edits: &[Edit]) -> String {
    for edit in edits {
        match edit {
            Edit::Delete(at, n) | Edit::Duplicate(at, n) => {
                let start = boundary(&text, at);
                let end = text[start..]
                    .char_indices()
                    .nth(usize::from(*n))
                    .map_or(text.len(), |(i, _)| start + i);
                if matches!(edit, Edit::Delete(..)) {
                    text.replace_range(start..end, "");
                } else {
                    let copy = text[start..end].to_owned();
                    text.insert_str(end, &copy);
                }
            }
            Edit::Insert(at, piece) => {
                let at = boundary(&text, at);
                text.insert_str(at, piece);
            }
            Edit::Truncate(at) => {
                let at = boundary(&text, at);
                text.truncate(at);
            }
            Edit::SwapLines(a, _) | Edit::DeleteLine(a) | Edit::InsertLine(a, _) => {
                let mut lines: Vec<String> = text.split('\n').map(str::to_owned).collect();
                let i = a.index(lines.len());
                match edit {
                    Edit::SwapLines(_, b) => {
                        let j = b.index(lines.len());
                        lines.swap(i, j);
                    }
                    Edit::DeleteLine(_) => {
                        lines.remove(i);
                    }
                    Edit::InsertLine(_, piece) => lines.insert(i, piece.clone()),
                    _ => unreachable!(),
                }
                text = lines.join("\n");
            }
        }
    }
    text
}

/// A valid text damaged by random edits.
fn damaged(
    valid: impl Strategy<Value = String>,
    vocabulary: &'static [&'static str],
) -> impl Strategy<Value = String> {
    (valid, edits(vocabulary)).prop_map(|(text, edits)| apply(text, &edits))
}

// ---------------------------------------------------------------------------------------------
// RON notes

const RON_PIECES: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ",",
    ":",
    "\"",
    "\\",
    "\\u{110000}",
    "\\u{d800}",
    "\\x80",
    "r#\"",
    "\"#",
    "r##\"",
    "'a'",
    "b\"x\"",
    "Some(",
    "None",
    "()",
    "Talk(",
    "Event(",
    "schema: 0,",
    "schema: 99999999999999999999999,",
    "schema: -1,",
    "id: \"x\",",
    "id: \"../x\",",
    "id: \"event\",",
    "rating: 9,",
    "rating: -1,",
    "rating: 1e99,",
    "date: \"2024-02-30\",",
    "start: \"25:00\",",
    "end: \"00:00\",",
    "kind: talk,",
    "title: \"\",",
    "speakers: [(name: \"\")],",
    "colour: 1,",
    "//",
    "/*",
    "*/",
    "#![enable(implicit_some)]",
    "#![enable(unwrap_newtypes)]",
    "1e999",
    "-0",
    "0x",
    "\u{0}",
    "\u{1b}[31m",
    "\u{feff}",
    "日本語",
    "\n",
    "\r",
];

fn ron_text() -> impl Strategy<Value = String> {
    // The ids the reader expects, so that undamaged notes are accepted.
    let valid = prop_oneof![
        talk_value().prop_map(|mut t| {
            t.id = "fuzz-input".parse().unwrap();
            codec::to_ron(&t).unwrap()
        }),
        crate::props::event_value().prop_map(|mut e| {
            e.id = "ev".parse().unwrap();
            codec::to_ron(&e).unwrap()
        }),
    ];
    prop_oneof![
        4 => damaged(valid, RON_PIECES),
        1 => unicode(),
        // Nesting far deeper than any note, where a recursive reader could overflow its stack.
        1 => (1usize..20_000, prop::sample::select(vec!["[", "(", "Some(", "{"]))
            .prop_map(|(n, open)| format!("Talk(id: \"x\", title: {})", open.repeat(n))),
    ]
}

fn read_note(bytes: Vec<u8>) -> bool {
    let path = Path::new("notes/ev/fuzz-input.ron");
    let talk = codec::parse::<Talk>(path, &bytes, "fuzz-input");
    let event = codec::parse::<Event>(path, &bytes, "ev");
    for errors in [talk.as_ref().err(), event.as_ref().err()]
        .into_iter()
        .flatten()
    {
        assert!(!errors.is_empty(), "an error without a problem");
        for error in errors {
            names_the_file(error, "fuzz-input.ron");
        }
    }
    if let Ok(text) = std::str::from_utf8(&bytes) {
        codec::has_comments(text);
        codec::field_position(text, "title");
    }
    talk.is_ok() || event.is_ok()
}

#[test]
fn the_note_reader_survives_arbitrary_bytes() {
    fuzz("ron bytes", 2_000, bytes, read_note);
}

#[test]
fn the_note_reader_survives_damaged_notes() {
    fuzz("ron text", 2_000, ron_text, |text| {
        read_note(text.into_bytes())
    });
}

// ---------------------------------------------------------------------------------------------
// JSON: arbitrary values, and valid documents with values of the wrong shape

/// Strings a reader of these formats treats specially, and plain ones.
const JSON_STRINGS: &[&str] = &[
    "",
    " ",
    "x",
    "ev",
    "talk",
    "event",
    "../x",
    "A",
    "2024-06-15",
    "2024-02-30",
    "2024-6-15",
    "0000-01-01",
    "9999-12-31",
    "2024-06-15T10:00:00",
    "2024-06-15T10:00:00+09:00",
    "2024-06-15T25:61:00",
    "2024-06-15T",
    "10:00",
    "23:59",
    "24:00",
    "9:5",
    "00:40",
    "00:40:00",
    "1:30",
    "9999:00",
    "65535:59",
    "4294967295:00",
    "-1:00",
    "+1:00",
    "１０:００",
    "conference",
    "keynote",
    "session",
    "Keynote",
    "Lightning Talk",
    "ハンズオン",
    "ja",
    "English",
    "https://example.com/",
    "javascript:alert(1)",
    "日本語のタイトル",
    "🎉",
    "\u{1b}]52;c;ZXZpbA==\u{7}",
    "\u{9b}2J",
    "\u{202e}",
    "\u{0}",
    "a\nb",
];

/// Field names of every format here, so random objects often hit real fields.
const KEYS: &[&str] = &[
    "talknotes",
    "events",
    "talks",
    "schema",
    "id",
    "name",
    "kind",
    "starts_on",
    "ends_on",
    "location",
    "url",
    "hashtag",
    "tags",
    "memo",
    "title",
    "speakers",
    "affiliation",
    "role",
    "date",
    "start",
    "end",
    "track",
    "language",
    "abstract",
    "takeaways",
    "text",
    "at",
    "tools",
    "links",
    "rating",
    "schedule",
    "conference",
    "acronym",
    "days",
    "rooms",
    "guid",
    "code",
    "subtitle",
    "duration",
    "room",
    "type",
    "description",
    "persons",
    "public_name",
    "sessions",
    "startsAt",
    "endsAt",
    "isServiceSession",
    "categoryItems",
    "roomId",
    "fullName",
    "firstName",
    "lastName",
    "tagLine",
    "categories",
    "items",
    "unknown",
    "",
];

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-5i64..10).prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop::sample::select(JSON_STRINGS).prop_map(Value::from),
        crate::props::text().prop_map(Value::from),
    ]
}

/// Any JSON value, with keys drawn from the formats' field names.
fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..4).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// One structural change of a JSON document.
#[derive(Debug, Clone)]
enum JsonEdit {
    Replace(Index, Value),
    Remove(Index),
    Insert(Index, &'static str, Value),
}

fn json_edits() -> impl Strategy<Value = Vec<JsonEdit>> {
    let edit = prop_oneof![
        3 => (any::<Index>(), json_value()).prop_map(|(at, v)| JsonEdit::Replace(at, v)),
        1 => any::<Index>().prop_map(JsonEdit::Remove),
        1 => (any::<Index>(), prop::sample::select(KEYS), json_value())
            .prop_map(|(at, k, v)| JsonEdit::Insert(at, k, v)),
    ];
    prop_oneof![
        1 => Just(Vec::new()),
        3 => prop::collection::vec(edit, 1..4),
    ]
}

/// JSON pointers of every value in `value`.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                pointers(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let key = key.replace('~', "~0").replace('/', "~1");
                pointers(item, format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn apply_json(mut doc: Value, edits: &[JsonEdit]) -> Value {
    for edit in edits {
        let mut all = Vec::new();
        pointers(&doc, String::new(), &mut all);
        let (JsonEdit::Replace(at, _) | JsonEdit::Remove(at) | JsonEdit::Insert(at, ..)) = edit;
        let pointer = all[at.index(all.len())].clone();
        match edit {
            JsonEdit::Replace(_, value) => {
                if let Some(slot) = doc.pointer_mut(&pointer) {
                    *slot = value.clone();
                }
            }
            JsonEdit::Remove(_) => {
                let Some((parent, last)) = pointer.rsplit_once('/') else {
                    continue; // the root
                };
                let last = last.replace("~1", "/").replace("~0", "~");
                match doc.pointer_mut(parent) {
                    Some(Value::Object(map)) => {
                        map.remove(&last);
                    }
                    Some(Value::Array(items)) => {
                        if let Ok(i) = last.parse::<usize>() {
                            items.remove(i);
                        }
                    }
                    _ => {}
                }
            }
            JsonEdit::Insert(_, key, value) => match doc.pointer_mut(&pointer) {
                Some(Value::Object(map)) => {
                    map.insert((*key).to_owned(), value.clone());
                }
                Some(Value::Array(items)) => items.push(value.clone()),
                _ => {}
            },
        }
    }
    doc
}

const JSON_PIECES: &[&str] = &[
    "{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "null", "true", "1e999", "-",
    "0.5", "\u{feff}", "//", "\n",
];

/// A JSON document: valid from `valid`, damaged in its structure, its text, or both.
fn json_input(valid: impl Strategy<Value = Value> + 'static) -> impl Strategy<Value = String> {
    let structured = (valid, json_edits())
        .prop_map(|(doc, edits)| apply_json(doc, &edits))
        .boxed();
    prop_oneof![
        4 => structured.clone().prop_map(|v| v.to_string()),
        1 => damaged(structured.prop_map(|v| format!("{v:#}")), JSON_PIECES),
        1 => json_value().prop_map(|v| v.to_string()),
    ]
}

fn interchange_doc() -> impl Strategy<Value = Value> {
    bundles_value()
        .prop_map(|bundles| serde_json::from_str(&interchange::to_json(&bundles).unwrap()).unwrap())
}

fn import_interchange(text: String) -> bool {
    let path = Path::new("fuzz-input.json");
    import::detect(path, text.as_bytes());
    match interchange::from_json(path, &text) {
        Ok(_) => true,
        Err(error) => {
            names_the_file(&error, "fuzz-input.json");
            false
        }
    }
}

#[test]
fn the_interchange_importer_survives_arbitrary_input() {
    fuzz("json bytes", 1_000, bytes, |b| {
        import_interchange(lossy(&b))
    });
    fuzz("json unicode", 500, unicode, import_interchange);
}

#[test]
fn the_interchange_importer_survives_damaged_documents() {
    fuzz(
        "json documents",
        1_500,
        || json_input(interchange_doc()),
        import_interchange,
    );
}

// ---------------------------------------------------------------------------------------------
// Schedules

/// A value that is usually plausible for its place, sometimes anything.
fn either(plausible: impl Strategy<Value = Value>) -> impl Strategy<Value = Value> {
    prop_oneof![40 => plausible, 1 => json_leaf()]
}

fn some_text() -> impl Strategy<Value = Value> {
    either(prop_oneof![
        crate::props::non_blank().prop_map(Value::from),
        prop::sample::select(JSON_STRINGS).prop_map(Value::from),
    ])
}

fn clock_text() -> impl Strategy<Value = Value> {
    either(prop_oneof![
        6 => (0u32..24, 0u32..60).prop_map(|(h, m)| json!(format!("{h:02}:{m:02}"))),
        1 => (0u32..100_000, 0u32..100).prop_map(|(h, m)| json!(format!("{h}:{m:02}"))),
        1 => (0u32..30, 0u32..70, 0u32..70).prop_map(|(h, m, s)| json!(format!("{h}:{m}:{s}"))),
    ])
}

fn day_text() -> impl Strategy<Value = Value> {
    either(prop_oneof![
        5 => crate::props::date().prop_map(|d| json!(crate::props::fmt_date(d))),
        1 => (0u32..10_000, 0u32..14, 0u32..33)
            .prop_map(|(y, m, d)| json!(format!("{y:04}-{m:02}-{d:02}"))),
    ])
}

fn moment_text() -> impl Strategy<Value = Value> {
    either(
        (
            day_text(),
            clock_text(),
            prop::sample::select(vec!["", ":00", ":00+09:00", "Z"]),
        )
            .prop_map(|(d, t, tail)| {
                json!(format!(
                    "{}T{}{tail}",
                    d.as_str().unwrap_or("2024-06-15"),
                    t.as_str().unwrap_or("10:00")
                ))
            }),
    )
}

fn opt_field(map: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    if let Some(value) = value {
        map.insert(key.to_owned(), value);
    }
}

fn frab_talk() -> impl Strategy<Value = Value> {
    // Mostly distinct keys (a schedule with two sessions of one key is refused), sometimes
    // none, empty or colliding ones.
    let ids = (
        prop::option::of(either(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}".prop_map(Value::from),
        )),
        prop::option::of(either(prop_oneof![
            4 => (0u64..1_000_000).prop_map(Value::from),
            1 => (0u64..3).prop_map(Value::from),
            1 => "[a-z0-9-]{0,8}".prop_map(Value::from),
        ])),
        prop::option::of(either(prop_oneof![
            4 => "[A-Z0-9]{6}".prop_map(Value::from),
            1 => "[A-Z0-9_-]{0,2}".prop_map(Value::from),
        ])),
    );
    let body = (
        prop::option::weighted(0.95, some_text()),
        prop::option::of(some_text()),
        prop::option::of(moment_text()),
        prop::option::of(clock_text()),
        prop::option::of(clock_text()),
        prop::option::of(some_text()),
        prop::option::of(some_text()),
        prop::option::of(some_text()),
        prop::option::of(some_text()),
        prop::option::of(some_text()),
        prop::collection::vec(
            (prop::option::of(some_text()), prop::option::of(some_text())),
            0..3,
        ),
    );
    (ids, body).prop_map(
        |(
            (guid, id, code),
            (title, subtitle, date, start, duration, room, track, kind, language, text, persons),
        )| {
            let mut m = Map::new();
            opt_field(&mut m, "guid", guid);
            opt_field(&mut m, "id", id);
            opt_field(&mut m, "code", code);
            opt_field(&mut m, "title", title);
            opt_field(&mut m, "subtitle", subtitle);
            opt_field(&mut m, "date", date);
            opt_field(&mut m, "start", start);
            opt_field(&mut m, "duration", duration);
            opt_field(&mut m, "room", room);
            opt_field(&mut m, "track", track);
            opt_field(&mut m, "type", kind);
            opt_field(&mut m, "language", language);
            opt_field(&mut m, "abstract", text.clone());
            opt_field(&mut m, "description", text);
            let persons: Vec<Value> = persons
                .into_iter()
                .map(|(public_name, name)| {
                    let mut p = Map::new();
                    opt_field(&mut p, "public_name", public_name);
                    opt_field(&mut p, "name", name);
                    Value::Object(p)
                })
                .collect();
            m.insert("persons".into(), Value::Array(persons));
            Value::Object(m)
        },
    )
}

fn frab_doc() -> impl Strategy<Value = Value> {
    let day = (
        prop::option::of(day_text()),
        prop::collection::btree_map(
            prop_oneof!["Room [A-C]".prop_map(String::from), crate::props::text()],
            prop::collection::vec(frab_talk(), 0..3),
            0..3,
        ),
    )
        .prop_map(|(date, rooms)| {
            let mut d = Map::new();
            opt_field(&mut d, "date", date);
            d.insert("rooms".into(), json!(rooms));
            Value::Object(d)
        });
    (
        prop::option::of(some_text()),
        prop::option::weighted(0.95, some_text()),
        prop::option::of(day_text()),
        prop::option::weighted(0.3, day_text()),
        prop::collection::vec(day, 0..3),
    )
        .prop_map(|(acronym, title, start, end, days)| {
            let mut c = Map::new();
            opt_field(&mut c, "acronym", acronym);
            opt_field(&mut c, "title", title);
            opt_field(&mut c, "start", start);
            opt_field(&mut c, "end", end);
            c.insert("days".into(), Value::Array(days));
            json!({"schedule": {"version": "1", "conference": c}})
        })
}

/// Ids from a small pool, as numbers or strings, so that references often resolve.
fn sz_id() -> impl Strategy<Value = Value> {
    either(prop_oneof![
        (0u64..4).prop_map(Value::from),
        (0u64..4).prop_map(|n| Value::from(n.to_string())),
        prop::sample::select(vec!["a", "b", "6f1c"]).prop_map(Value::from),
    ])
}

fn sessionize_doc() -> impl Strategy<Value = Value> {
    let session_id = either(prop_oneof![
        4 => (0u64..1_000_000).prop_map(Value::from),
        4 => "[0-9]{5,7}".prop_map(Value::from),
        1 => sz_id(),
    ]);
    let session = (
        (
            prop::option::weighted(0.9, session_id),
            prop::option::weighted(0.95, some_text()),
            prop::option::of(some_text()),
            prop::option::of(moment_text()),
            prop::option::of(moment_text()),
        ),
        (
            any::<bool>(),
            prop::collection::vec(
                prop_oneof![
                    sz_id(),
                    (sz_id(), some_text()).prop_map(|(id, name)| json!({"id": id, "name": name})),
                ],
                0..3,
            ),
            prop::collection::vec(sz_id(), 0..3),
            prop::option::of(sz_id()),
        ),
    )
        .prop_map(
            |((id, title, description, starts, ends), (service, speakers, items, room))| {
                let mut s = Map::new();
                opt_field(&mut s, "id", id);
                opt_field(&mut s, "title", title);
                opt_field(&mut s, "description", description);
                opt_field(&mut s, "startsAt", starts);
                opt_field(&mut s, "endsAt", ends);
                s.insert("isServiceSession".into(), json!(service));
                s.insert("speakers".into(), json!(speakers));
                s.insert("categoryItems".into(), json!(items));
                opt_field(&mut s, "roomId", room);
                Value::Object(s)
            },
        );
    let speaker = (
        sz_id(),
        prop::option::of(some_text()),
        prop::option::of(some_text()),
        prop::option::of(some_text()),
        prop::option::of(some_text()),
    )
        .prop_map(|(id, full, first, last, tag_line)| {
            let mut s = Map::new();
            s.insert("id".into(), id);
            opt_field(&mut s, "fullName", full);
            opt_field(&mut s, "firstName", first);
            opt_field(&mut s, "lastName", last);
            opt_field(&mut s, "tagLine", tag_line);
            Value::Object(s)
        });
    let room = (sz_id(), some_text()).prop_map(|(id, name)| json!({"id": id, "name": name}));
    let category = (
        prop::option::of(either(
            prop::sample::select(vec!["Track", "Session format", "Language", "Level"])
                .prop_map(Value::from),
        )),
        prop::collection::vec((sz_id(), some_text()), 0..3),
    )
        .prop_map(|(title, items)| {
            let items: Vec<Value> = items
                .into_iter()
                .map(|(id, name)| json!({"id": id, "name": name}))
                .collect();
            let mut c = Map::new();
            opt_field(&mut c, "title", title);
            c.insert("items".into(), Value::Array(items));
            Value::Object(c)
        });
    (
        prop::collection::vec(session, 0..4),
        prop::collection::vec(speaker, 0..3),
        prop::collection::vec(room, 0..3),
        prop::collection::vec(category, 0..3),
    )
        .prop_map(|(sessions, speakers, rooms, categories)| {
            json!({"sessions": sessions, "speakers": speakers, "rooms": rooms, "categories": categories})
        })
}

/// An empty knowledge base to plan imports against (planning reads, never writes).
fn empty_store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::init(dir.path()).unwrap();
    (dir, store)
}

fn import_schedule(store: &Store, text: &str) -> bool {
    let path = Path::new("fuzz-input.json");
    import::detect(path, text.as_bytes());
    let mut accepted = false;
    let dreamkast = schedule::DreamkastFiles {
        talks: Some((path, text)),
        ..Default::default()
    };
    for parsed in [
        schedule::parse_frab(path, text),
        schedule::parse_sessionize(path, text),
        schedule::parse_sched(path, text.as_bytes(), None),
        schedule::parse_dreamkast(&dreamkast),
    ] {
        match parsed {
            Ok(sched) => {
                accepted = true;
                for talk in &sched.talks {
                    assert!(
                        talk.talk.semantic_problems().is_empty(),
                        "a schedule gave an invalid talk: {talk:?}"
                    );
                }
                // Planning derives the note ids; against an empty knowledge base.
                let event = sched.event.id.clone().or_else(|| "ev".parse().ok());
                let options = import::Options {
                    event,
                    ..Default::default()
                };
                let source = import::Source::Schedule(sched.format);
                let incoming = import::Incoming::Schedule(sched.clone());
                if let Err(error) = import::plan(store, source, incoming, &options) {
                    panic!("planning a parsed schedule failed: {error}");
                }
            }
            Err(error) => names_the_file(&error, "fuzz-input.json"),
        }
    }
    accepted
}

#[test]
fn the_schedule_importers_survive_arbitrary_input() {
    let (_dir, store) = empty_store();
    let store = Arc::new(store);
    let s = Arc::clone(&store);
    fuzz("schedule bytes", 500, bytes, move |b| {
        import_schedule(&s, &lossy(&b))
    });
    fuzz("schedule unicode", 300, unicode, move |text| {
        import_schedule(&store, &text)
    });
}

#[test]
fn the_schedule_importers_survive_damaged_schedules() {
    let (_dir, store) = empty_store();
    let store = Arc::new(store);
    let s = Arc::clone(&store);
    fuzz(
        "frab schedules",
        700,
        || json_input(frab_doc()),
        move |text| import_schedule(&s, &text),
    );
    let s = Arc::clone(&store);
    fuzz(
        "sessionize exports",
        700,
        || json_input(sessionize_doc()),
        move |text| import_schedule(&s, &text),
    );
    let s = Arc::clone(&store);
    fuzz(
        "dreamkast talks",
        500,
        || json_input(dreamkast_doc()),
        move |text| import_schedule(&s, &text),
    );
    fuzz(
        "sched feeds",
        500,
        || damaged(Just(sched_feed()), ICS_PIECES),
        move |text| import_schedule(&store, &text),
    );
}

/// The Sched fixture, unfolded into text (damage then lands on whole lines).
fn sched_feed() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/schedules/sched-kubecon-updated.ics");
    let bytes = std::fs::read(path).unwrap();
    String::from_utf8_lossy(&bytes).replace("\r\n ", "")
}

const ICS_PIECES: &[&str] = &[
    "\r\n",
    "\r\n ",
    "\n\t",
    ":",
    ";",
    ",",
    "\\",
    "\\,",
    "BEGIN:VEVENT",
    "END:VEVENT",
    "BEGIN:VCALENDAR",
    "END:VCALENDAR",
    "BEGIN:VTIMEZONE",
    "DTSTART;TZID=Nowhere/City:",
    "DTSTART:20260230T250000Z",
    "DTSTART;VALUE=DATE:20260729",
    "DTEND:19700101T000000Z",
    "UID:",
    "SUMMARY:",
    "CATEGORIES:,,,",
    "ATTACH:javascript:alert(1)",
    "TZOFFSETTO:+9999",
    "X-WR-TIMEZONE:Asia/Tokyo",
    "\u{feff}",
    "\u{1b}[31m",
];

/// Dreamkast talks, valid before the damage.
fn dreamkast_doc() -> impl Strategy<Value = Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/schedules/dreamkast-talks-updated.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    Just(doc)
}

// ---------------------------------------------------------------------------------------------
// Markdown recaps

const RECAP_PIECES: &[&str] = &[
    "<!-- talknotes:recap 1 -->",
    "<!-- talknotes:event {\"id\":\"ev\",\"kind\":\"conference\"} -->",
    "<!-- talknotes:event {\"id\":\"ev\",\"kind\":\"conference\",\"one_day\":true} -->",
    "<!-- talknotes:talk {\"id\":\"t\",\"kind\":\"session\"} -->",
    "<!-- talknotes:talk {\"id\":\"t\",\"kind\":\"session\",\"at\":[\"10:00\",null,\"25:00\"],\"roles\":[\"x\"]} -->",
    "<!-- talknotes:talk {\"id\":\"event\",\"kind\":\"session\"} -->",
    "<!-- talknotes:talk {\"id\":\"t\"",
    "<!-- talknotes:event ",
    " -->",
    "# Title",
    "## x",
    "### y",
    "#### 学んだこと",
    "#### 紹介されたツール",
    "#### 関連リンク",
    "#### メモ",
    "##### 学んだこと",
    "###### メモ",
    "####### seven",
    "## 登場したツール一覧",
    "| a | b |",
    "- 日程: 2024-06-15〜2024-06-14",
    "- 日程: 〜",
    "- 日程: 2024-06-15〜",
    "- 会場: x",
    "- ハッシュタグ: #x",
    "- 登壇者: 山田（A）、B（",
    "- 日時: 2024-06-15 13:00〜13:40",
    "- 日時: 〜〜",
    "- 日時: 25:99",
    "- 日時: 2024-06-15 13:40〜13:00",
    "- 日付: 2024-13-01",
    "- トラック: A",
    "- 未知: x",
    "> quoted",
    ">",
    "```",
    "```rust",
    "~~~~",
    "   ```",
    "- [a](b)",
    "- [a](<b c>)",
    "- <https://x>",
    "- <",
    "-",
    "- ",
    "---",
    "...",
    "\\",
    "&#x110000;",
    "&#xD800;",
    "&#99999999999;",
    "&#;",
    "&nbsp;",
    "<br>",
    "[",
    "](",
    "\r",
    "\u{feff}",
];

fn recap_text() -> impl Strategy<Value = String> {
    let valid = (bundles_value(), recap_options()).prop_map(|(b, o)| markdown(&b, &o));
    prop_oneof![
        5 => damaged(valid, RECAP_PIECES),
        1 => prop::collection::vec(prop::sample::select(RECAP_PIECES), 0..40)
            .prop_map(|lines| format!("<!-- talknotes:recap 1 -->\n{}", lines.join("\n"))),
        1 => unicode(),
    ]
}

fn import_recap(text: String) -> bool {
    let path = Path::new("fuzz-input.md");
    import::detect(path, text.as_bytes());
    recap::looks_like_recap(&text);
    match recap::parse(path, &text) {
        Ok(bundles) => {
            // What it reads is valid, and can be written out again.
            for bundle in &bundles {
                assert!(bundle.event.semantic_problems().is_empty(), "{bundle:?}");
                for talk in &bundle.talks {
                    assert!(talk.semantic_problems().is_empty(), "{talk:?}");
                }
            }
            markdown(&bundles, &Default::default());
            true
        }
        Err(error) => {
            names_the_file(&error, "fuzz-input.md");
            false
        }
    }
}

#[test]
fn the_recap_importer_survives_arbitrary_input() {
    fuzz("recap bytes", 700, bytes, |b| import_recap(lossy(&b)));
    fuzz("recap unicode", 500, unicode, import_recap);
}

#[test]
fn the_recap_importer_survives_damaged_recaps() {
    fuzz("recap documents", 1_000, recap_text, import_recap);
}

// ---------------------------------------------------------------------------------------------
// Queries

const QUERY_PIECES: &[&str] = &[
    "\"",
    "“",
    "”",
    "「",
    "」",
    "-",
    "－",
    "OR",
    "or",
    ":",
    "：",
    "tag:",
    "ｔａｇ：",
    "event:",
    "speaker:",
    "tool:",
    "kind:",
    "lang:",
    "year:",
    "year:2024",
    "year:99999999999999999999",
    "year:-1",
    "date:",
    "date:>=",
    "date:<",
    "date:<=2024-01-01",
    "date:>2024-02-30",
    "date:=0000-01-01",
    "date:9999-12-31",
    "C++:",
    "http://x",
    "*",
    "?",
    "~",
    "^",
    "\\",
    "(",
    ")",
    "AND",
    "NOT",
    "eBPF",
    "ｅＢＰＦ",
    "サービスメッシュ",
    "サーバー",
    "々",
    "ー",
    "ゝ",
    "\u{3000}",
    " ",
    "\t",
    "\n",
    "\u{0}",
    "\u{1b}[31m",
    "\u{202e}",
    "🎉",
    "e\u{301}",
];

fn query_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::collection::vec(
            prop_oneof![
                4 => prop::sample::select(QUERY_PIECES).prop_map(str::to_owned),
                1 => any::<char>().prop_map(String::from),
                1 => "[a-zA-Zあ-ん]{1,6}",
            ],
            0..80,
        )
        .prop_map(|parts| parts.join(" ")),
        2 => prop::collection::vec(prop::sample::select(QUERY_PIECES), 0..40)
            .prop_map(|parts| parts.concat()),
        1 => unicode(),
        // Longer than the parser reads, with many terms.
        1 => (1usize..4000).prop_map(|n| "ab ".repeat(n)),
    ]
}

#[test]
fn the_query_parser_accepts_anything() {
    fuzz(
        "query parse",
        3_000,
        || (query_text(), any::<bool>()),
        |(text, prefix)| {
            let parsed = query::parse(&text, prefix);
            let atoms: usize = parsed.clauses.iter().map(|c| c.any_of.len()).sum();
            assert!(atoms <= 32, "{atoms} terms kept");
            true
        },
    );
}

/// A small knowledge base with Japanese and English notes, indexed.
fn small_index() -> (tempfile::TempDir, SearchIndex) {
    let (dir, store) = empty_store();
    let mut event = Event::new("cnds-2024".parse().unwrap(), "CloudNative Days 2024");
    event.starts_on = Some("2024-06-15".parse().unwrap());
    store.create_event(&event).unwrap();
    for (id, title, takeaway, tag, tool) in [
        (
            "mesh",
            "サービスメッシュ入門",
            "Istio の DestinationRule が手軽",
            "mesh",
            "Istio",
        ),
        (
            "ebpf",
            "eBPFで作るオブザーバビリティ",
            "uretprobe で関数の出入りを捕まえる",
            "ebpf",
            "Cilium",
        ),
        (
            "hostile",
            "Evil \u{1b}[31mred\u{1b}[0m 🎉",
            "e\u{301}\u{202e}שלום \u{0}",
            "x\u{9b}",
            "\u{1b}]52;c;AAAA\u{7}",
        ),
    ] {
        let mut talk = Talk::new(id.parse().unwrap(), title);
        talk.date = Some("2024-06-15".parse().unwrap());
        talk.tags = vec![tag.into()];
        talk.tools = vec![talknotes::note::Tool {
            name: tool.into(),
            url: None,
            by: None,
        }];
        talk.takeaways = vec![talknotes::note::Takeaway {
            text: takeaway.into(),
            at: None,
            by: None,
        }];
        talk.speakers = vec![talknotes::note::Speaker::parse_cli(
            "山田 太郎 (サイボウズ)",
        )];
        store.create_talk(&event.id, &talk).unwrap();
    }
    let (index, _) = SearchIndex::open(&store).unwrap();
    (dir, index)
}

/// Highlights must be ordered ranges on character boundaries of the text they mark, since
/// the CLI and the TUI slice the text with them.
fn check_ranges(text: &str, ranges: &[std::ops::Range<usize>]) {
    let mut at = 0;
    for r in ranges {
        assert!(
            at <= r.start
                && r.start <= r.end
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end),
            "bad highlight {r:?} in {text:?} ({ranges:?})"
        );
        at = r.end;
    }
}

#[test]
fn search_accepts_any_query() {
    let (_dir, index) = small_index();
    let index = Arc::new(index);
    fuzz(
        "search",
        400,
        || (query_text(), any::<bool>(), 0usize..20),
        move |(query, prefix, limit)| {
            let request = SearchRequest {
                query,
                limit,
                prefix,
                literal: false,
                prefix_fallback: prefix,
            };
            match query::search(&index, &request, None) {
                Ok(results) => {
                    for hit in &results.hits {
                        check_ranges(&hit.title, &hit.title_highlights);
                        check_ranges(&hit.snippet.text, &hit.snippet.highlights);
                    }
                    true
                }
                Err(_) => false,
            }
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Small parsers of arguments and titles, and the terminal text helpers

/// Text rich in what these functions treat specially.
fn wild_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => crate::props::text(),
        1 => unicode(),
        1 => prop::collection::vec(
            prop::sample::select(vec![
                "❤\u{fe0f}", "👩‍💻", "🇯🇵", "e\u{301}", "日本", "ｶﾞ", "\u{200b}", "\u{ad}", "\t",
                "\n", "\u{1b}", "\u{9b}", "a", " ",
            ]),
            0..30,
        )
        .prop_map(|parts| parts.concat()),
    ]
}

#[test]
fn argument_and_title_parsers_accept_anything() {
    use talknotes::note::{ClockTime, Date, Slug, Speaker, TalkRef};
    use talknotes::now::Moment;
    use talknotes::store::NoteKey;
    fuzz("arguments", 2_000, wild_text, |text| {
        let _ = text.parse::<Slug>();
        let _ = text.parse::<TalkRef>();
        let _ = text.parse::<NoteKey>();
        let _ = text.parse::<Date>();
        let _ = text.parse::<ClockTime>();
        let _ = text.parse::<Moment>();
        let speaker = Speaker::parse_cli(&text);
        assert!(text.contains(speaker.name.as_str()));
        // `tn new TITLE` and schedule imports derive ids from titles.
        let readings = talknotes::search::analysis::readings(&text);
        let derived = talknotes::slug::derive(&text, &readings);
        let id = schedule::talk_id(&text, "abc123");
        assert!(id.as_str().ends_with("-abc123"), "{id}");
        schedule::event_id(&text);
        derived.is_some()
    });
}

#[test]
fn terminal_text_helpers_hold_for_any_text() {
    use talknotes::display;
    fuzz(
        "display",
        2_000,
        || (wild_text(), 0usize..40),
        |(text, columns)| {
            let shown = display::line(&text);
            assert!(
                !shown.chars().any(|c| c.is_control()
                    || ('\u{202a}'..='\u{202e}').contains(&c)
                    || ('\u{2066}'..='\u{2069}').contains(&c)),
                "{shown:?}"
            );
            let block = display::escape(&text, true);
            assert!(
                !block.chars().any(|c| c.is_control() && c != '\n'),
                "{block:?}"
            );
            let json = display::json_safe(serde_json::to_string(&text).unwrap());
            assert_eq!(serde_json::from_str::<String>(&json).unwrap(), text);
            let cut = display::truncate(&shown, columns);
            assert!(
                display::width(&cut) <= columns,
                "{cut:?} is wider than {columns} columns"
            );
            assert!(display::width(&display::pad(&shown, columns)) >= columns);
            true
        },
    );
}

// ---------------------------------------------------------------------------------------------
// Regressions found by the properties above

/// A frab duration of thousands of hours overflowed the minutes of the end time.
#[test]
fn a_huge_duration_is_not_an_end_time() {
    let text = json!({"schedule": {"conference": {"title": "C", "days": [{"date": "2024-06-15",
        "rooms": {"A": [{"id": 1, "title": "T", "start": "10:00", "duration": "1093:00"}]}}]}}})
    .to_string();
    let sched = schedule::parse_frab(Path::new("s.json"), &text).unwrap();
    assert_eq!(sched.talks[0].talk.end, None, "it runs past midnight");
}

/// A conference that ends before it starts was only refused when the import was planned,
/// without the file or the place in it.
#[test]
fn a_conference_ending_before_it_starts_is_refused_with_its_place() {
    let text = json!({"schedule": {"conference": {"title": "C", "start": "2024-06-15",
        "end": "2024-06-14", "days": []}}})
    .to_string();
    let error = schedule::parse_frab(Path::new("s.json"), &text).unwrap_err();
    let message = error.to_string();
    assert!(
        message.starts_with("s.json: $.schedule.conference.end: the conference ends (2024-06-14) before it starts (2024-06-15)"),
        "{message}"
    );
}
