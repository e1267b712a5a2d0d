use std::path::Path;

use serde_json::json;

use super::*;
use crate::note::{ClockTime, Link, Takeaway, Tool};

const PATH: &str = "notes/ev/t.ron";

fn talk() -> Talk {
    let mut talk = Talk::new("t".parse().unwrap(), "Original title");
    talk.takeaways = vec![takeaway("base one", "10:00"), takeaway("base two", "10:05")];
    talk.tags = vec!["k8s".into()];
    talk
}

fn takeaway(text: &str, at: &str) -> Takeaway {
    Takeaway {
        text: text.into(),
        at: Some(at.parse::<ClockTime>().unwrap()),
        by: None,
    }
}

fn tool(name: &str, url: Option<&str>, by: Option<&str>) -> Tool {
    Tool {
        name: name.into(),
        url: url.map(Into::into),
        by: by.map(Into::into),
    }
}

fn merge(base: &Talk, ours: &Talk, theirs: &Talk) -> Merged<Talk> {
    merge_talks(Some(base), ours, theirs, &MergeOptions::default()).unwrap()
}

fn texts(talk: &Talk) -> Vec<&str> {
    talk.takeaways.iter().map(|t| t.text.as_str()).collect()
}

#[test]
fn takeaways_added_on_both_sides_are_all_kept_in_time_order() {
    let base = talk();
    let mut ours = base.clone();
    ours.takeaways.push(takeaway("ours at 10:10", "10:10"));
    ours.takeaways.push(takeaway("ours at 10:30", "10:30"));
    let mut theirs = base.clone();
    theirs.takeaways.push(takeaway("theirs at 10:20", "10:20"));
    let merged = merge(&base, &ours, &theirs);
    let expected = [
        "base one",
        "base two",
        "ours at 10:10",
        "theirs at 10:20",
        "ours at 10:30",
    ];
    assert_eq!(texts(&merged.note), expected);
    assert!(merged.report.is_clean());
    assert_eq!(merged.report.differs_from_ours, ["takeaways"]);
    // The same list whichever side merges.
    let other = merge(&base, &theirs, &ours);
    assert_eq!(texts(&other.note), expected);
}

#[test]
fn an_item_added_on_both_sides_is_kept_once() {
    let base = talk();
    let mut ours = base.clone();
    ours.tags.push("ebpf".into());
    ours.takeaways.push(takeaway("same line", "11:00"));
    let theirs = ours.clone();
    let merged = merge(&base, &ours, &theirs);
    assert_eq!(merged.note, ours);
    assert_eq!(merged.note.tags, ["k8s", "ebpf"]);
}

#[test]
fn a_value_changed_on_both_sides_keeps_ours_and_records_theirs() {
    let base = talk();
    let mut ours = base.clone();
    ours.title = "Our title".into();
    let mut theirs = base.clone();
    theirs.title = "Their title".into();
    theirs.rating = crate::note::Rating::new(4);
    let options = MergeOptions {
        theirs_by: Some("Bob".into()),
    };
    let merged = merge_talks(Some(&base), &ours, &theirs, &options).unwrap();
    assert_eq!(merged.note.title, "Our title");
    assert_eq!(merged.note.rating, crate::note::Rating::new(4));
    let conflict = Conflict {
        field: "title".into(),
        theirs: "Their title".into(),
        by: Some("Bob".into()),
    };
    assert_eq!(merged.note.conflicts, std::slice::from_ref(&conflict));
    assert_eq!(merged.report.conflicts, [conflict]);
    assert!(!merged.report.is_clean());
}

#[test]
fn a_deletion_wins_over_no_change_and_loses_to_a_change() {
    let mut base = talk();
    base.tools = vec![tool("Istio", None, None), tool("Envoy", None, None)];
    let mut ours = base.clone();
    // Ours deletes a takeaway and Istio; theirs changes Istio and leaves the rest.
    ours.takeaways.remove(0);
    ours.tools.remove(0);
    let mut theirs = base.clone();
    theirs.tools[0].url = Some("https://istio.io/".into());
    let merged = merge(&base, &ours, &theirs);
    assert_eq!(texts(&merged.note), ["base two"]);
    assert_eq!(
        merged.note.tools,
        [
            tool("Istio", Some("https://istio.io/"), None),
            tool("Envoy", None, None)
        ]
    );
}

#[test]
fn fields_of_one_named_item_merge_one_by_one() {
    let mut base = talk();
    base.links = vec![Link {
        url: "https://example.com/slides".into(),
        kind: None,
        title: None,
        by: None,
    }];
    let mut ours = base.clone();
    ours.links[0].title = Some("Slides".into());
    let mut theirs = base.clone();
    theirs.links[0].by = Some("Bob".into());
    let merged = merge(&base, &ours, &theirs);
    assert_eq!(merged.note.links[0].title.as_deref(), Some("Slides"));
    assert_eq!(merged.note.links[0].by.as_deref(), Some("Bob"));
    assert!(merged.report.is_clean());

    // The same tool added on both sides by two people: one entry, no conflict over who.
    let mut ours = base.clone();
    ours.tools.push(tool("Cilium", None, Some("Alice")));
    let mut theirs = base.clone();
    theirs.tools.push(tool("Cilium", None, Some("Bob")));
    for merged in [merge(&base, &ours, &theirs), merge(&base, &theirs, &ours)] {
        assert_eq!(merged.note.tools, [tool("Cilium", None, Some("Alice"))]);
        assert!(merged.report.is_clean());
    }

    // Its URL set differently on both sides: a conflict named after the item.
    ours.tools[0].url = Some("https://cilium.io/".into());
    theirs.tools[0].url = Some("https://github.com/cilium/cilium".into());
    let merged = merge(&base, &ours, &theirs);
    assert_eq!(merged.note.conflicts[0].field, "tools[Cilium].url");
    assert_eq!(
        kept_value(&merged.note, "tools[Cilium].url").as_deref(),
        Some("https://cilium.io/")
    );
}

#[test]
fn fields_that_disagree_after_merging_are_ours_with_theirs_beside_them() {
    let mut base = talk();
    base.start = Some("10:00".parse().unwrap());
    base.end = Some("10:40".parse().unwrap());
    let mut ours = base.clone();
    ours.end = Some("10:20".parse().unwrap());
    ours.takeaways.push(takeaway("ours", "10:10"));
    let mut theirs = base.clone();
    theirs.start = Some("10:30".parse().unwrap());
    theirs.title = "Their title".into();
    theirs.takeaways.push(takeaway("theirs", "10:31"));
    // Field by field, the talk would start at 10:30 and end at 10:20.
    let merged = merge(&base, &ours, &theirs);
    let note = &merged.note;
    assert!(note.semantic_problems().is_empty(), "{note:?}");
    assert_eq!((note.start, note.end), (ours.start, ours.end));
    assert_eq!(note.title, "Original title");
    assert_eq!(texts(note), ["base one", "base two", "ours", "theirs"]);
    let mut fields: Vec<(&str, &str)> = note
        .conflicts
        .iter()
        .map(|c| (c.field.as_str(), c.theirs.as_str()))
        .collect();
    fields.sort();
    // Every field where the two sides differ, so either side merging gives the same values.
    assert_eq!(
        fields,
        [
            ("end", "10:40"),
            ("start", "10:30"),
            ("title", "Their title")
        ]
    );
}

#[test]
fn whether_fields_fall_back_to_ours_does_not_depend_on_the_side() {
    // Found by the property test: A sets the end to 09:00; B sets it to 10:30, and sets the
    // start to 09:01 and the title. B into A keeps A's end, which then comes before B's
    // start; A into B keeps B's end, which is fine. Both must fall back alike, or the title
    // would be a conflict one way round and not the other.
    let base = talk();
    let mut a = base.clone();
    a.end = Some("09:00".parse().unwrap());
    let mut b = base.clone();
    b.end = Some("10:30".parse().unwrap());
    b.start = Some("09:01".parse().unwrap());
    b.title = "B's title".into();
    let fields = |m: &Merged<Talk>| {
        let mut values: Vec<String> = m
            .note
            .conflicts
            .iter()
            .map(|c| format!("{}={}", c.field, c.theirs))
            .chain(kept_value(&m.note, "title").map(|t| format!("title={t}")))
            .collect();
        values.sort();
        values
    };
    let a_into_b = merge(&base, &b, &a);
    let b_into_a = merge(&base, &a, &b);
    for m in [&a_into_b, &b_into_a] {
        assert!(m.note.semantic_problems().is_empty());
        assert!(
            fields(m).iter().any(|f| f == "title=B's title"),
            "{:?}",
            fields(m)
        );
        assert!(
            fields(m).iter().any(|f| f == "title=Original title"),
            "{:?}",
            fields(m)
        );
    }
}

#[test]
fn a_reordering_on_one_side_is_kept() {
    let mut base = talk();
    base.takeaways.push(takeaway("base three", "10:10"));
    let mut ours = base.clone();
    ours.takeaways.reverse();
    let mut theirs = base.clone();
    theirs.takeaways.insert(1, takeaway("theirs", "10:02"));
    for merged in [merge(&base, &ours, &theirs), merge(&base, &theirs, &ours)] {
        assert_eq!(
            texts(&merged.note),
            ["base three", "base two", "base one", "theirs"]
        );
    }
}

#[test]
fn merging_with_an_unchanged_side_gives_the_other_side() {
    let base = talk();
    let mut changed = base.clone();
    changed.title = "New".into();
    changed.takeaways.remove(0);
    changed.takeaways.push(takeaway("new", "12:00"));
    changed.tags.clear();
    assert_eq!(merge(&base, &changed, &base).note, changed);
    assert_eq!(merge(&base, &base, &changed).note, changed);
    assert_eq!(merge(&changed, &changed, &changed).note, changed);
}

#[test]
fn fields_the_merge_does_not_know_merge_by_the_same_rules() {
    let base = json!({"status": "planned", "source": {"kind": "frab", "id": "1"}, "list": [1, 2]});
    let ours =
        json!({"status": "attended", "source": {"kind": "frab", "id": "1"}, "list": [1, 2, 3]});
    let theirs =
        json!({"status": "planned", "source": {"kind": "frab", "id": "2"}, "list": [0, 1, 2]});
    let mut found = tree::Found::new();
    let merged = tree::merge_value("", Some(&base), Some(&ours), Some(&theirs), &mut found);
    assert_eq!(
        merged,
        Some(
            json!({"status": "attended", "source": {"kind": "frab", "id": "2"}, "list": [0, 1, 2, 3]})
        )
    );
    assert!(found.is_empty());
    let theirs = json!({"status": "skipped", "source": {"kind": "frab", "id": "2"}, "list": []});
    let merged = tree::merge_value("", Some(&base), Some(&ours), Some(&theirs), &mut found);
    assert_eq!(merged.unwrap()["list"], json!([3]));
    assert_eq!(found, [("status".to_owned(), json!("skipped"))]);
}

fn ron(talk: &Talk) -> String {
    codec::to_ron(talk).unwrap()
}

#[test]
fn texts_merge_into_a_note_that_parses_and_reports_its_conflicts() {
    let base = talk();
    let mut ours = base.clone();
    ours.title = "Our title".into();
    ours.takeaways.push(takeaway("ours", "10:10"));
    let mut theirs = base.clone();
    theirs.title = "Their title".into();
    theirs.takeaways.push(takeaway("theirs", "10:11"));
    let path = Path::new(PATH);
    let merged = merge_texts(ron(&base), ron(&ours), ron(&theirs), path).unwrap();
    assert_eq!(merged.outcome, Outcome::Merged);
    assert!(!merged.text.contains("<<<<<<<"));
    let note: Talk = codec::parse(path, merged.text.as_bytes(), "t").unwrap();
    assert_eq!(texts(&note), ["base one", "base two", "ours", "theirs"]);
    let problems = conflict_problems(path, &merged.text, &note, "ev/t");
    assert_eq!(problems.len(), 1);
    let line = merged
        .text
        .lines()
        .position(|l| l.contains("Conflict("))
        .unwrap()
        + 1;
    assert_eq!(
        problems[0].with_hint_line(),
        format!(
            "{PATH}:{line}:9: field `title` was changed on both sides: the note keeps \"Our title\", the other version is \"Their title\"\n  hint: run `tn edit ev/t`, keep the value you want in `title`, and delete this entry from `conflicts`"
        )
    );
}

#[test]
fn a_side_whose_text_is_the_result_is_returned_as_written() {
    let base = talk();
    let mut theirs = base.clone();
    theirs.takeaways.push(takeaway("theirs", "10:11"));
    // Comments and layout of the side that wins whole are kept.
    let theirs_text = ron(&theirs).replace("Talk(", "Talk( // kept\n");
    let merged = merge_texts(ron(&base), ron(&base), &theirs_text, Path::new(PATH)).unwrap();
    assert_eq!(
        (merged.outcome, merged.text.as_str()),
        (Outcome::Theirs, theirs_text.as_str())
    );
    let merged = merge_texts(ron(&base), &theirs_text, ron(&base), Path::new(PATH)).unwrap();
    assert_eq!(merged.outcome, Outcome::Ours);

    // A rewrite would drop them: refused.
    let mut ours = base.clone();
    ours.tags.push("ours".into());
    let err = merge_texts(ron(&base), ron(&ours), &theirs_text, Path::new(PATH)).unwrap_err();
    assert!(
        matches!(
            err,
            MergeError::Comments {
                side: Side::Theirs,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn a_side_that_does_not_parse_is_refused() {
    let base = ron(&talk());
    let broken = base.replace("title:", "titel:");
    for (ours, theirs, side) in [(&broken, &base, Side::Ours), (&base, &broken, Side::Theirs)] {
        match merge_texts(&base, ours, theirs, Path::new(PATH)) {
            Err(MergeError::Unparsable {
                side: s, errors, ..
            }) => {
                assert_eq!(s, side);
                assert!(errors[0].message.contains("titel"), "{errors:?}");
            }
            other => panic!("{other:?}"),
        }
    }
    let err = merge_texts(&base, &base, &base, Path::new("notes/ev/t.txt")).unwrap_err();
    assert!(matches!(err, MergeError::NotANote { .. }));
    // The id must be the one the path names.
    let err = merge_texts(&base, &base, &base, Path::new("notes/ev/other.ron")).unwrap_err();
    assert!(matches!(
        err,
        MergeError::Unparsable {
            side: Side::Base,
            ..
        }
    ));
}

#[test]
fn a_note_created_on_both_sides_merges_without_a_base() {
    let mut ours = talk();
    ours.takeaways = vec![takeaway("ours", "10:00")];
    let mut theirs = talk();
    theirs.takeaways = vec![takeaway("theirs", "09:00")];
    let merged = merge_texts("", ron(&ours), ron(&theirs), Path::new(PATH)).unwrap();
    let note: Talk = codec::parse(Path::new(PATH), merged.text.as_bytes(), "t").unwrap();
    assert_eq!(texts(&note), ["theirs", "ours"]);
}

#[test]
fn events_merge_too() {
    let base = Event::new("ev".parse().unwrap(), "Conf");
    let mut ours = base.clone();
    ours.location = Some("Tokyo".into());
    let mut theirs = base.clone();
    theirs.tags = vec!["k8s".into()];
    theirs.location = Some("Osaka".into());
    let path = Path::new("notes/ev/event.ron");
    let text = |e: &Event| codec::to_ron(e).unwrap();
    let merged = merge_texts(text(&base), text(&ours), text(&theirs), path).unwrap();
    let event: Event = codec::parse(path, merged.text.as_bytes(), "ev").unwrap();
    assert_eq!(event.location.as_deref(), Some("Tokyo"));
    assert_eq!(event.tags, ["k8s"]);
    assert_eq!(event.conflicts[0].field, "location");
    assert_eq!(conflict_problems(path, &merged.text, &event, "ev").len(), 1);
}

#[test]
fn a_list_emptied_on_one_side_merges_item_by_item() {
    // An empty list is left out of the file, so one side has no `takeaways` field at all.
    let mut base = talk();
    base.takeaways = vec![takeaway("x", "09:00")];
    let mut emptied = base.clone();
    emptied.takeaways.clear();
    let mut added = base.clone();
    added.takeaways.push(takeaway("y", "09:01"));
    for merged in [
        merge(&base, &emptied, &added),
        merge(&base, &added, &emptied),
    ] {
        assert_eq!(texts(&merged.note), ["y"]);
    }
}

#[test]
fn statuses_ratings_link_kinds_and_sources_merge_field_by_field() {
    use crate::note::{LinkKind, Rating, ScheduleKind, Source, TalkStatus};
    let mut base = talk();
    base.status = Some(TalkStatus::Planned);
    base.links = vec![Link {
        url: "https://speakerdeck.com/x/y".into(),
        kind: None,
        title: None,
        by: None,
    }];
    // One side attended (a takeaway), the other learned the link's kind and the source from
    // a schedule re-import and added the recording.
    let mut ours = base.clone();
    ours.takeaways.push(takeaway("ours", "10:10"));
    ours.status = Some(TalkStatus::Attended);
    ours.rating = Rating::new(4);
    let mut theirs = base.clone();
    theirs.links[0].kind = Some(LinkKind::Slides);
    theirs.links.push(Link {
        url: "https://vimeo.com/1".into(),
        kind: Some(LinkKind::Video),
        title: None,
        by: None,
    });
    theirs.source = Some(Source {
        schedule: ScheduleKind::Dreamkast,
        id: "2701".into(),
    });
    for merged in [merge(&base, &ours, &theirs), merge(&base, &theirs, &ours)] {
        let note = &merged.note;
        assert!(merged.report.is_clean(), "{:?}", merged.report);
        assert_eq!(note.status, Some(TalkStatus::Attended));
        assert_eq!(note.rating, Rating::new(4));
        let kinds: Vec<Option<LinkKind>> = note.links.iter().map(|l| l.kind).collect();
        assert_eq!(kinds, [Some(LinkKind::Slides), Some(LinkKind::Video)]);
        assert_eq!(note.source.as_ref().unwrap().id, "2701");
    }
    // Two people choosing different statuses: one is kept, the other recorded beside it.
    let mut theirs = base.clone();
    theirs.status = Some(TalkStatus::Skipped);
    let merged = merge(&base, &ours, &theirs);
    assert_eq!(merged.note.status, Some(TalkStatus::Attended));
    assert_eq!(merged.note.conflicts[0].field, "status");
    assert_eq!(merged.note.conflicts[0].theirs, "skipped");
}
