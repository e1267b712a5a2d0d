//! Property tests of the merge: two clones edit a common base at random (the edits a person
//! makes with `tn jot`, `tn tool`, `tn tag` or `tn edit`), and their versions are merged.
//!
//! What "the same content" means, for merging A into B against merging B into A: ours is kept
//! where both sides changed a value, so the two results differ in which value is in the field
//! and which is in `conflicts`. Two results have the same content when, for every path either
//! records a conflict on, the set of that path's values {the value in the field, if any, and
//! every conflicting alternative} is the same, and everything else is exactly the same: the
//! notes with the values at those paths blanked, every list in the same order.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use proptest::prelude::*;
use serde_json::Value;

use super::*;
use crate::note::{ClockTime, Link, Rating, Speaker, Takeaway, Tool};

const TEXTS: &[&str] = &[
    "eBPF で可観測性のオーバーヘッドが下がる",
    "サービスメッシュ",
    "sidecar-less",
    "OpenTelemetry",
    "同じメモ",
    "x",
];
const AUTHORS: &[&str] = &["Alice", "Bob"];
const TAGS: &[&str] = &["ebpf", "k8s", "mesh", "otel"];
const TOOLS: &[&str] = &["Istio", "Cilium", "Envoy", "istio"];
const URLS: &[&str] = &[
    "https://a.example/",
    "https://b.example/",
    "https://c.example/",
];
const TITLES: &[&str] = &["Slides", "Video", "タイトル"];
const NAMES: &[&str] = &["山田 太郎", "Jane Doe"];

#[derive(Debug, Clone)]
enum Edit {
    Jot(usize, (u8, u8), Option<usize>),
    DropTakeaway(usize),
    Reword(usize, usize),
    Move(usize, usize),
    Tag(usize),
    Untag(usize),
    Tool(usize, Option<usize>, Option<usize>),
    ToolUrl(usize, Option<usize>),
    DropTool(usize),
    Link(usize, Option<usize>, Option<usize>),
    LinkTitle(usize, Option<usize>),
    DropLink(usize),
    Title(usize),
    Rating(Option<u8>),
    Memo(Option<usize>),
    Start(Option<(u8, u8)>),
    End(Option<(u8, u8)>),
    Speaker(usize, Option<usize>),
    Affiliation(usize, Option<usize>),
}

fn edit() -> impl Strategy<Value = Edit> {
    let i = || 0..8usize;
    let time = || (9u8..12, 0u8..60);
    let who = || proptest::option::of(0..AUTHORS.len());
    prop_oneof![
        3 => (0..TEXTS.len(), time(), who()).prop_map(|(t, at, by)| Edit::Jot(t, at, by)),
        1 => i().prop_map(Edit::DropTakeaway),
        1 => (i(), 0..TEXTS.len()).prop_map(|(a, t)| Edit::Reword(a, t)),
        1 => (i(), i()).prop_map(|(a, b)| Edit::Move(a, b)),
        1 => (0..TAGS.len()).prop_map(Edit::Tag),
        1 => i().prop_map(Edit::Untag),
        1 => (0..TOOLS.len(), proptest::option::of(0..URLS.len()), who())
            .prop_map(|(n, u, by)| Edit::Tool(n, u, by)),
        1 => (i(), proptest::option::of(0..URLS.len())).prop_map(|(a, u)| Edit::ToolUrl(a, u)),
        1 => i().prop_map(Edit::DropTool),
        1 => (0..URLS.len(), proptest::option::of(0..TITLES.len()), who())
            .prop_map(|(u, t, by)| Edit::Link(u, t, by)),
        1 => (i(), proptest::option::of(0..TITLES.len())).prop_map(|(a, t)| Edit::LinkTitle(a, t)),
        1 => i().prop_map(Edit::DropLink),
        1 => (0..TITLES.len()).prop_map(Edit::Title),
        1 => proptest::option::of(1u8..=5).prop_map(Edit::Rating),
        1 => proptest::option::of(0..TEXTS.len()).prop_map(Edit::Memo),
        1 => proptest::option::of(time()).prop_map(Edit::Start),
        1 => proptest::option::of(time()).prop_map(Edit::End),
        1 => (0..NAMES.len(), proptest::option::of(0..TITLES.len()))
            .prop_map(|(n, a)| Edit::Speaker(n, a)),
        1 => (i(), proptest::option::of(0..TITLES.len())).prop_map(|(a, t)| Edit::Affiliation(a, t)),
    ]
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    prop::collection::vec(edit(), 0..10)
}

fn clock((h, m): (u8, u8)) -> ClockTime {
    ClockTime::new(h, m).unwrap()
}

fn owned(pool: &[&str], i: Option<usize>) -> Option<String> {
    i.map(|i| pool[i].to_owned())
}

/// Applies one edit as tn would let a person make it: an edit that leaves the note invalid
/// (a talk ending before it starts) is refused, as `tn edit` refuses it.
fn apply(talk: &mut Talk, edit: &Edit) {
    let before = talk.clone();
    let at = |len: usize, i: usize| (len > 0).then(|| i % len);
    match *edit {
        Edit::Jot(t, time, by) => talk.takeaways.push(Takeaway {
            text: TEXTS[t].into(),
            at: Some(clock(time)),
            by: owned(AUTHORS, by),
        }),
        Edit::DropTakeaway(i) => {
            if let Some(i) = at(talk.takeaways.len(), i) {
                talk.takeaways.remove(i);
            }
        }
        Edit::Reword(i, t) => {
            if let Some(i) = at(talk.takeaways.len(), i) {
                talk.takeaways[i].text = format!("{} (直し)", TEXTS[t]);
            }
        }
        Edit::Move(a, b) => {
            if let (Some(a), Some(b)) = (at(talk.takeaways.len(), a), at(talk.takeaways.len(), b)) {
                let item = talk.takeaways.remove(a);
                talk.takeaways.insert(b, item);
            }
        }
        Edit::Tag(t) => {
            talk.add_tag(TAGS[t]);
        }
        Edit::Untag(i) => {
            if let Some(i) = at(talk.tags.len(), i) {
                talk.tags.remove(i);
            }
        }
        Edit::Tool(n, url, by) => {
            if !talk.tools.iter().any(|t| t.name == TOOLS[n]) {
                talk.tools.push(Tool {
                    name: TOOLS[n].into(),
                    url: owned(URLS, url),
                    by: owned(AUTHORS, by),
                });
            }
        }
        Edit::ToolUrl(i, url) => {
            if let Some(i) = at(talk.tools.len(), i) {
                talk.tools[i].url = owned(URLS, url);
            }
        }
        Edit::DropTool(i) => {
            if let Some(i) = at(talk.tools.len(), i) {
                talk.tools.remove(i);
            }
        }
        Edit::Link(u, title, by) => {
            if !talk.links.iter().any(|l| l.url == URLS[u]) {
                talk.links.push(Link {
                    url: URLS[u].into(),
                    kind: None,
                    title: owned(TITLES, title),
                    by: owned(AUTHORS, by),
                });
            }
        }
        Edit::LinkTitle(i, title) => {
            if let Some(i) = at(talk.links.len(), i) {
                talk.links[i].title = owned(TITLES, title);
            }
        }
        Edit::DropLink(i) => {
            if let Some(i) = at(talk.links.len(), i) {
                talk.links.remove(i);
            }
        }
        Edit::Title(t) => talk.title = TITLES[t].into(),
        Edit::Rating(r) => talk.rating = r.and_then(Rating::new),
        Edit::Memo(t) => talk.memo = owned(TEXTS, t),
        Edit::Start(t) => talk.start = t.map(clock),
        Edit::End(t) => talk.end = t.map(clock),
        Edit::Speaker(n, a) => {
            if !talk.speakers.iter().any(|s| s.name == NAMES[n]) {
                talk.speakers.push(Speaker {
                    name: NAMES[n].into(),
                    affiliation: owned(TITLES, a),
                    role: None,
                });
            }
        }
        Edit::Affiliation(i, a) => {
            if let Some(i) = at(talk.speakers.len(), i) {
                talk.speakers[i].affiliation = owned(TITLES, a);
            }
        }
    }
    if !talk.semantic_problems().is_empty() {
        *talk = before;
    }
}

fn edited(base: &Talk, edits: &[Edit]) -> Talk {
    let mut talk = base.clone();
    for e in edits {
        apply(&mut talk, e);
    }
    talk
}

fn seed() -> Talk {
    Talk::new("t".parse().unwrap(), "T")
}

fn ron(talk: &Talk) -> String {
    codec::to_ron(talk).unwrap()
}

const PATH: &str = "notes/ev/t.ron";

/// Merges as git's driver does: file texts in, a file text out that must parse.
fn merged(base: &Talk, ours: &Talk, theirs: &Talk) -> Result<Talk, TestCaseError> {
    let out = merge_texts(ron(base), ron(ours), ron(theirs), Path::new(PATH))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(!out.text.contains("<<<<<<<"));
    codec::parse::<Talk>(Path::new(PATH), out.text.as_bytes(), "t")
        .map_err(|e| TestCaseError::fail(format!("{e:?}\n{}", out.text)))
}

/// The content of a merged note (see the module docs), for the conflict `paths` of both
/// results being compared.
fn content(note: &Talk, paths: &BTreeSet<String>) -> (Value, BTreeMap<String, BTreeSet<String>>) {
    let mut values: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in paths {
        let set = values.entry(path.clone()).or_default();
        set.extend(kept_value(note, path));
        set.extend(
            note.conflicts
                .iter()
                .filter(|c| &c.field == path)
                .map(|c| c.theirs.clone()),
        );
    }
    let mut value = serde_json::to_value(note).unwrap();
    value.as_object_mut().unwrap().remove("conflicts");
    for path in paths {
        blank(&mut value, "", path);
    }
    drop_nulls(&mut value);
    (value, values)
}

/// A blanked value and a missing one are the same.
fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

fn same_content(a: &Talk, b: &Talk) -> Result<(), TestCaseError> {
    let paths: BTreeSet<String> = a
        .conflicts
        .iter()
        .chain(&b.conflicts)
        .map(|c| c.field.clone())
        .collect();
    prop_assert_eq!(content(a, &paths), content(b, &paths));
    Ok(())
}

/// Sets the value at a conflict path to null.
fn blank(value: &mut Value, path: &str, target: &str) {
    if path == target {
        *value = Value::Null;
        return;
    }
    match value {
        Value::Object(map) => {
            for (name, v) in map.iter_mut() {
                blank(v, &tree::field_path(path, name), target);
            }
        }
        Value::Array(items) => {
            if let Some(field) = tree::identity_field(path) {
                for item in items {
                    if let Some(label) = item.get(field).and_then(Value::as_str) {
                        let child = tree::item_path(path, label);
                        blank(item, &child, target);
                    }
                }
            }
        }
        _ => {}
    }
}

/// Whether the note holds `value` at `path`: in the field, or as a conflicting alternative.
fn holds(note: &Talk, path: &str, value: &str) -> bool {
    kept_value(note, path).as_deref() == Some(value)
        || note
            .conflicts
            .iter()
            .any(|c| c.field == path && c.theirs == value)
}

/// Nothing one side added or changed (relative to the base) is missing from the merge.
fn nothing_lost(base: &Talk, side: &Talk, merged: &Talk) -> Result<(), TestCaseError> {
    for t in side
        .takeaways
        .iter()
        .filter(|t| !base.takeaways.contains(t))
    {
        prop_assert!(merged.takeaways.contains(t), "lost takeaway {t:?}");
    }
    for tag in side.tags.iter().filter(|t| !base.tags.contains(t)) {
        prop_assert!(merged.tags.contains(tag), "lost tag {tag}");
    }
    for tool in side.tools.iter().filter(|t| !base.tools.contains(t)) {
        let path = format!("tools[{}]", tool.name);
        prop_assert!(
            merged.tools.iter().any(|t| t.name == tool.name),
            "lost {path}"
        );
        if let Some(url) = &tool.url {
            let old = base.tools.iter().find(|t| t.name == tool.name);
            if old.is_none_or(|o| o.url.as_ref() != Some(url)) {
                prop_assert!(
                    holds(merged, &format!("{path}.url"), url),
                    "lost {path}.url"
                );
            }
        }
    }
    for link in side.links.iter().filter(|l| !base.links.contains(l)) {
        let path = format!("links[{}]", link.url);
        prop_assert!(
            merged.links.iter().any(|l| l.url == link.url),
            "lost {path}"
        );
        if let Some(title) = &link.title {
            let old = base.links.iter().find(|l| l.url == link.url);
            if old.is_none_or(|o| o.title.as_ref() != Some(title)) {
                prop_assert!(
                    holds(merged, &format!("{path}.title"), title),
                    "lost {path}.title"
                );
            }
        }
    }
    for speaker in side.speakers.iter().filter(|s| !base.speakers.contains(s)) {
        prop_assert!(merged.speakers.iter().any(|s| s.name == speaker.name));
    }
    let side_json = serde_json::to_value(side).unwrap();
    let base_json = serde_json::to_value(base).unwrap();
    for field in ["title", "rating", "memo", "start", "end"] {
        let (Some(value), was) = (side_json.get(field), base_json.get(field)) else {
            continue; // a deletion may give way to the other side's change
        };
        if Some(value) != was {
            let text = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            prop_assert!(holds(merged, field, &text), "lost {field} = {text}");
        }
    }
    Ok(())
}

/// 512 cases (a few seconds), or `PROPTEST_CASES`; the cases found failing once are unit
/// tests in `tests.rs`, not a persistence file.
fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(512);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn merges_keep_everything_parse_and_do_not_depend_on_the_side(
        setup in edits(),
        a_edits in edits(),
        b_edits in edits(),
    ) {
        let base = edited(&seed(), &setup);
        let a = edited(&base, &a_edits);
        let b = edited(&base, &b_edits);
        let a_into_b = merged(&base, &b, &a)?;
        let b_into_a = merged(&base, &a, &b)?;
        for m in [&a_into_b, &b_into_a] {
            nothing_lost(&base, &a, m)?;
            nothing_lost(&base, &b, m)?;
            // What neither side has is not in the merge.
            for t in &m.takeaways {
                prop_assert!(a.takeaways.contains(t) || b.takeaways.contains(t));
            }
            for tag in &m.tags {
                prop_assert!(a.tags.contains(tag) || b.tags.contains(tag));
            }
            // What one side deleted and the other did not touch is gone: a takeaway the
            // other side has exactly as often as the base is there as often as on this side.
            let count = |list: &[Takeaway], t: &Takeaway| list.iter().filter(|x| *x == t).count();
            for t in &base.takeaways {
                let n = count(&base.takeaways, t);
                for (this, other) in [(&a, &b), (&b, &a)] {
                    let kept = count(&this.takeaways, t);
                    if kept < n && count(&other.takeaways, t) == n {
                        prop_assert_eq!(count(&m.takeaways, t), kept, "deleted {:?}", t);
                    }
                }
            }
        }
        same_content(&a_into_b, &b_into_a)?;
    }

    #[test]
    fn merging_a_version_with_itself_or_an_unchanged_side_changes_nothing(
        setup in edits(),
        a_edits in edits(),
    ) {
        let base = edited(&seed(), &setup);
        let a = edited(&base, &a_edits);
        prop_assert_eq!(&merged(&base, &a, &a)?, &a);
        prop_assert_eq!(&merged(&a, &a, &a)?, &a);
        prop_assert_eq!(&merged(&base, &a, &base)?, &a);
        prop_assert_eq!(&merged(&base, &base, &a)?, &a);
        // And the text is the side's own, byte for byte.
        let out = merge_texts(ron(&base), ron(&base), ron(&a), Path::new(PATH)).unwrap();
        prop_assert_eq!(out.text, ron(&a));
    }
}
