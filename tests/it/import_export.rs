//! The interchange JSON: `export`, `import`, and their all-or-nothing promise.

use serde_json::{Value, json};

use crate::common::{Kb, field_strs, stderr, stdout};

/// A knowledge base that uses every field, with Japanese, multi-line text and two events.
fn rich() -> Kb {
    let kb = Kb::new();
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    kb.write(
        "notes/example-event/event.ron",
        std::fs::read(repo.join("event.ron")).unwrap(),
    );
    kb.write(
        "notes/example-event/example-talk.ron",
        std::fs::read(repo.join("talk.ron")).unwrap(),
    );
    kb.ok(&[
        "event",
        "new",
        "ev",
        "--name",
        "Example Conf",
        "--date",
        "2024-06-01",
        "--location",
        "東京",
    ]);
    kb.ok(&[
        "new",
        "サービスメッシュ入門",
        "--id",
        "mesh",
        "--speaker",
        "山田 花子 (Example)",
        "--kind",
        "keynote",
        "--no-edit",
    ]);
    kb.ok(&[
        "jot",
        "--at",
        "10:05",
        "quotes \" and \\ backslashes // and r#\"raw\"#",
    ]);
    kb.ok(&["tool", "Istio", "https://istio.io/"]);
    kb.ok(&["link", "https://example.com/slides", "Slides"]);
    kb.ok(&["tag", "mesh", "入門"]);
    kb.ok(&[
        "new",
        "Second",
        "--id",
        "second",
        "--date",
        "2024-06-02",
        "--start",
        "09:00",
        "--end",
        "09:30",
        "--no-edit",
    ]);
    kb
}

/// `tn export --format json`, which must not skip (warn about) any note.
fn export(kb: &Kb) -> String {
    let out = kb.ok(&["export", "--format", "json"]);
    assert_eq!(stderr(&out), "", "export skipped notes");
    stdout(&out)
}

fn find_key(value: &Value, key: &str) -> bool {
    match value {
        Value::Object(map) => map.contains_key(key) || map.values().any(|v| find_key(v, key)),
        Value::Array(items) => items.iter().any(|v| find_key(v, key)),
        _ => false,
    }
}

#[test]
fn export_has_the_documented_shape() {
    let kb = rich();
    let text = export(&kb);
    let json: Value = serde_json::from_str(&text).unwrap();
    let top: Vec<&String> = json.as_object().unwrap().keys().collect();
    assert_eq!(top, ["events", "talknotes"]);
    assert_eq!(json["talknotes"], 1);
    assert!(!find_key(&json, "schema"), "per-note schema leaked: {text}");

    let events = json["events"].as_array().unwrap();
    let ids = field_strs(events, "id");
    assert_eq!(ids, ["ev", "example-event"]);
    let ev = &events[0];
    assert_eq!(ev["name"], "Example Conf");
    assert_eq!(ev["location"], "東京");
    assert_eq!(ev["starts_on"], "2024-06-01");
    let talks = ev["talks"].as_array().unwrap();
    let mesh = talks
        .iter()
        .find(|t| t["id"] == "mesh")
        .expect("mesh exported");
    assert_eq!(mesh["title"], "サービスメッシュ入門");
    assert_eq!(mesh["kind"], "keynote");
    assert_eq!(
        mesh["speakers"],
        json!([{"name": "山田 花子", "affiliation": "Example"}])
    );
    assert_eq!(
        mesh["takeaways"],
        json!([{"text": "quotes \" and \\ backslashes // and r#\"raw\"#", "at": "10:05"}])
    );
    assert_eq!(
        mesh["tools"],
        json!([{"name": "Istio", "url": "https://istio.io/"}])
    );
    assert_eq!(
        mesh["links"],
        json!([{"url": "https://example.com/slides", "title": "Slides"}])
    );
    assert_eq!(mesh["tags"], json!(["mesh", "入門"]));
    // Japanese is written as UTF-8, not \u escapes.
    assert!(text.contains("サービスメッシュ入門"), "{text}");
    assert!(text.ends_with("}\n"));

    let example = &events[1]["talks"][0];
    assert_eq!(example["rating"], 4);
    assert_eq!(example["memo"].as_str().unwrap().lines().count(), 5);
}

#[test]
fn export_of_chosen_events() {
    let kb = rich();
    let json: Value = serde_json::from_str(&stdout(&kb.ok(&["export", "example-event"]))).unwrap();
    let events = json["events"].as_array().unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["id"], "example-event");
    let out = kb.fails(&["export", "nope"]);
    assert!(
        stderr(&out).contains("event `nope` does not exist"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn export_import_export_is_identical() {
    let kb = rich();
    let first = export(&kb);
    kb.write("../dump.json", &first);
    let fresh = Kb::new();
    let out = fresh.ok(&["import", kb.base.join("dump.json").to_str().unwrap()]);
    let report = stdout(&out);
    for id in [
        "created ev",
        "created ev/mesh",
        "created ev/second",
        "created example-event",
        "created example-event/example-talk",
    ] {
        assert!(
            report.lines().any(|l| l == id),
            "missing {id:?} in:\n{report}"
        );
    }
    assert!(
        stderr(&out).contains("5 created, 0 updated, 0 unchanged, 0 skipped"),
        "{}",
        stderr(&out)
    );
    let second = export(&fresh);
    assert_eq!(first, second);
    fresh.ok(&["check"]);
    // Importing the same file again changes nothing.
    let before = fresh.snapshot();
    let out = fresh.ok(&["import", kb.base.join("dump.json").to_str().unwrap()]);
    assert!(
        stderr(&out).contains("0 created, 0 updated, 5 unchanged, 0 skipped"),
        "{}",
        stderr(&out)
    );
    assert!(fresh.snapshot() == before);
}

#[test]
fn export_to_a_file() {
    let kb = rich();
    let file = kb.base.join("out.json");
    let out = kb.ok(&["export", "-o", file.to_str().unwrap()]);
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains(&format!("wrote {}", file.display())),
        "{}",
        stderr(&out)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), export(&kb));
    // --output replaces an existing file; a path relative to the working directory works.
    kb.write("sub/out2.json", "old");
    kb.ok(&["export", "--output", "sub/out2.json", "ev"]);
    let json: Value = serde_json::from_str(&kb.read("sub/out2.json")).unwrap();
    assert_eq!(json["events"].as_array().unwrap().len(), 1);
    assert!(kb.files_named_like(".tn-").is_empty());
}

#[test]
fn export_to_a_bare_file_name_in_the_working_directory() {
    // `tn export -o backup.json`: the most common way to name the output file.
    let kb = rich();
    let out = kb
        .tn()
        .args(["export", "-o", "backup.json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "export -o backup.json failed: {}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("wrote backup.json"),
        "{}",
        stderr(&out)
    );
    let json: Value = serde_json::from_str(&kb.read("backup.json")).unwrap();
    assert_eq!(json["talknotes"], 1);
}

/// `rich()` exported, with `change` applied, written to `in.json` in the knowledge base.
fn changed_export(kb: &Kb, change: impl FnOnce(&mut Value)) {
    let mut json: Value = serde_json::from_str(&export(kb)).unwrap();
    change(&mut json);
    kb.write("in.json", serde_json::to_string_pretty(&json).unwrap());
}

fn talk_mut<'a>(json: &'a mut Value, event: &str, talk: &str) -> &'a mut Value {
    json["events"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|e| e["id"] == event)
        .unwrap()["talks"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|t| t["id"] == talk)
        .unwrap()
}

#[test]
fn import_skips_differing_notes_unless_update() {
    let kb = rich();
    changed_export(&kb, |json| {
        talk_mut(json, "ev", "mesh")["title"] = "Changed title".into();
        talk_mut(json, "ev", "second")["track"] = "Track B".into();
    });
    let before = kb.snapshot();

    let out = kb.ok(&["import", "in.json"]);
    let report = stdout(&out);
    assert!(
        report.contains("skipped ev/mesh (exists and differs; use --update to overwrite)"),
        "{report}"
    );
    assert!(report.contains("skipped ev/second"), "{report}");
    assert!(
        stderr(&out).contains("0 created, 0 updated, 3 unchanged, 2 skipped"),
        "{}",
        stderr(&out)
    );
    assert!(
        kb.snapshot() == before,
        "import without --update changed files"
    );

    let out = kb.ok(&["import", "--update", "--dry-run", "in.json"]);
    assert!(
        stdout(&out).contains("would update ev/mesh"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("(dry run: nothing written)"),
        "{}",
        stderr(&out)
    );
    assert!(kb.snapshot() == before, "--dry-run wrote something");

    let out = kb.ok(&["import", "--update", "in.json"]);
    let report = stdout(&out);
    assert!(report.lines().any(|l| l == "updated ev/mesh"), "{report}");
    assert!(report.lines().any(|l| l == "updated ev/second"), "{report}");
    assert!(
        stderr(&out).contains("0 created, 2 updated, 3 unchanged, 0 skipped"),
        "{}",
        stderr(&out)
    );
    assert_eq!(kb.talk("ev", "mesh").title, "Changed title");
    assert_eq!(kb.talk("ev", "second").track.as_deref(), Some("Track B"));
    // The rest of the note came along unchanged.
    assert_eq!(kb.talk("ev", "mesh").tools[0].name, "Istio");
    kb.ok(&["check"]);
}

#[test]
fn dry_run_writes_nothing() {
    let kb = rich();
    kb.ok(&["export", "-o", "../all.json"]);
    let fresh = Kb::new();
    let before = fresh.snapshot();
    let file = kb.base.join("all.json");
    let out = fresh.ok(&["import", "--dry-run", file.to_str().unwrap()]);
    let report = stdout(&out);
    assert!(
        report.lines().any(|l| l == "would create ev/mesh"),
        "{report}"
    );
    assert!(
        report.lines().any(|l| l == "would create example-event"),
        "{report}"
    );
    assert!(
        stderr(&out)
            .contains("5 created, 0 updated, 0 unchanged, 0 skipped (dry run: nothing written)"),
        "{}",
        stderr(&out)
    );
    assert!(fresh.snapshot() == before, "--dry-run wrote something");
    assert!(!fresh.path("notes/ev").exists());
}

/// Runs an import expected to fail, asserts the error names the file and `place`, contains
/// `message`, and that the knowledge base is byte-for-byte unchanged.
fn rejected(kb: &Kb, document: &str, place: &str, message: &str) {
    kb.write("../bad.json", document);
    let before = kb.snapshot();
    let file = kb.base.join("bad.json");
    let out = kb
        .tn()
        .args(["import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "accepted:\n{document}\n{}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{}: {place}: ", file.display())),
        "expected place {place:?} in:\n{err}"
    );
    assert!(err.contains(message), "expected {message:?} in:\n{err}");
    assert!(err.contains("hint:"), "{err}");
    assert!(
        kb.snapshot() == before,
        "a rejected import changed the knowledge base:\n{document}"
    );
    // --update does not change that.
    let out = kb
        .tn()
        .args(["import", "--update", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(kb.snapshot() == before);
}

#[test]
fn invalid_documents_are_rejected_whole_with_their_place() {
    let kb = Kb::with_event();
    kb.ok(&["new", "Existing", "--id", "existing", "--no-edit"]);

    rejected(
        &kb,
        "{\"talknotes\": 1, \"events\": [\n  {\"id\": \"a\" \"name\": \"A\"}\n]}",
        "line 2 column 14",
        "expected `,` or `}`",
    );
    rejected(&kb, "", "line 1 column 0", "EOF");
    rejected(&kb, "[]", "$", "expected a JSON object");
    rejected(&kb, "{\"events\": []}", "$", "missing `\"talknotes\": 1`");
    rejected(
        &kb,
        "{\"talknotes\": 2, \"events\": []}",
        "$.talknotes",
        "unsupported format version 2",
    );
    rejected(
        &kb,
        "{\"talknotes\": 1, \"events\": [], \"extra\": 0}",
        "$",
        "unknown field `extra`",
    );

    let good_event = json!({"id": "new-one", "name": "New One", "talks": [
        {"id": "t1", "title": "T1"},
    ]});
    let doc =
        |second: Value| json!({"talknotes": 1, "events": [good_event.clone(), second]}).to_string();

    rejected(
        &kb,
        &doc(json!({"id": "two", "name": "Two", "talks": [
            {"id": "ok", "title": "fine", "date": "2024-06-01"},
            {"id": "bad", "title": "bad date", "date": "2024-13-01"},
        ]})),
        "$.events[1].talks[1].date",
        "`2024-13-01` is not a valid date",
    );
    rejected(
        &kb,
        &doc(json!({"id": "two", "name": "Two", "talks": [{"id": "x", "title": "x", "stars": 5}]})),
        "$.events[1].talks[0].stars",
        "unknown field `stars`",
    );
    rejected(
        &kb,
        &doc(json!({"id": "two", "name": "Two", "colour": "red"})),
        "$.events[1].colour",
        "unknown field `colour`",
    );
    rejected(
        &kb,
        &doc(json!({"id": "Two", "name": "Two"})),
        "$.events[1].id",
        "is not a valid id",
    );
    rejected(
        &kb,
        &doc(json!({"id": "two", "name": "Two", "talks": [{"id": "../x", "title": "x"}]})),
        "$.events[1].talks[0].id",
        "is not a valid id",
    );
    rejected(
        &kb,
        &doc(
            json!({"id": "two", "name": "Two", "talks": [{"id": "x", "title": "x", "rating": 9}]}),
        ),
        "$.events[1].talks[0].rating",
        "rating 9 is out of range",
    );
    rejected(
        &kb,
        &doc(
            json!({"id": "two", "name": "Two", "talks": [{"id": "x", "title": "x", "takeaways": [{"text": "a", "at": "24:00"}]}]}),
        ),
        "$.events[1].talks[0].takeaways[0].at",
        "not a valid time",
    );
    rejected(
        &kb,
        &doc(json!({"id": "two", "name": "Two", "talks": [{"id": "x"}]})),
        "$.events[1].talks[0]",
        "missing field `title`",
    );
    rejected(
        &kb,
        &doc(json!({"id": "two", "name": "Two", "talks": [{"id": "x", "title": "  "}]})),
        "$.events[1].talks[0].title",
        "empty",
    );
    rejected(
        &kb,
        &doc(
            json!({"id": "two", "name": "Two", "talks": [{"id": "x", "title": "x"}, {"id": "x", "title": "y"}]}),
        ),
        "$.events[1].talks[1].id",
        "appears twice",
    );
    rejected(
        &kb,
        &doc(json!({"id": "two", "name": "Two", "talks": [{"id": "event", "title": "x"}]})),
        "$.events[1].talks[0].id",
        "reserved",
    );
    rejected(
        &kb,
        &doc(
            json!({"id": "two", "name": "Two", "talks": [{"schema": 1, "id": "x", "title": "x"}]}),
        ),
        "$.events[1].talks[0].schema",
        "unknown field `schema`",
    );
    rejected(
        &kb,
        &doc(json!({"id": "new-one", "name": "Again"})),
        "$.events[1].id",
        "appears twice",
    );
    rejected(
        &kb,
        &doc(
            json!({"id": "two", "name": "Two", "starts_on": "2024-06-02", "ends_on": "2024-06-01"}),
        ),
        "$.events[1].ends_on",
        "before it starts",
    );
    assert!(!kb.path("notes/new-one").exists());
}

#[test]
fn unreadable_import_files() {
    let kb = Kb::new();
    let before = kb.snapshot();
    let out = kb.fails(&["import", "missing.json"]);
    assert!(
        stderr(&out).contains("cannot read missing.json"),
        "{}",
        stderr(&out)
    );
    kb.write(
        "../latin1.json",
        b"{\"talknotes\": 1, \"events\": [{\"id\": \"a\", \"name\": \"caf\xe9\"}]}",
    );
    let file = kb.base.join("latin1.json");
    let out = kb.fails(&["import", file.to_str().unwrap()]);
    assert!(stderr(&out).contains("not valid UTF-8"), "{}", stderr(&out));
    assert!(kb.snapshot() == before);
}

#[test]
fn import_stops_before_writing_when_an_existing_note_is_invalid() {
    let kb = rich();
    changed_export(&kb, |json| {
        talk_mut(json, "ev", "mesh")["title"] = "Changed".into();
        json["events"].as_array_mut().unwrap()[0]["talks"]
            .as_array_mut()
            .unwrap()
            .push(json!({"id": "brand-new", "title": "New"}));
    });
    // `second` is broken on disk; the import touches it, so it must not start.
    kb.write(
        "notes/ev/second.ron",
        "Talk(\n    id: \"second\",\n    title: \"x\"\n",
    );
    let before = kb.snapshot();
    let out = kb.fails(&["import", "--update", "in.json"]);
    assert!(
        stderr(&out).contains("notes/ev/second.ron:"),
        "{}",
        stderr(&out)
    );
    assert!(kb.snapshot() == before, "a failed import wrote some notes");
}

#[test]
fn import_update_is_all_or_nothing_when_a_note_has_comments() {
    // The import pre-checks every note it will touch before writing; a note with comments
    // cannot be rewritten, so the import must fail before it changes anything.
    let kb = rich();
    changed_export(&kb, |json| {
        talk_mut(json, "ev", "mesh")["title"] = "Changed mesh".into();
        talk_mut(json, "ev", "second")["title"] = "Changed second".into();
    });
    let second =
        kb.read("notes/ev/second.ron")
            .replacen("Talk(\n", "Talk(\n    // hand-written\n", 1);
    kb.write("notes/ev/second.ron", &second);
    let before = kb.snapshot();
    let out = kb.fails(&["import", "--update", "in.json"]);
    let err = stderr(&out);
    assert!(err.contains("contains comments"), "{err}");
    assert!(
        kb.snapshot() == before,
        "import --update failed half-way: ev/mesh was rewritten ({:?}) although the error says nothing was written:\n{err}",
        kb.talk("ev", "mesh").title
    );
}

#[test]
fn import_into_a_knowledge_base_with_other_notes_merges() {
    let kb = rich();
    kb.ok(&["export", "-o", "../all.json", "example-event"]);
    let other = Kb::with_event();
    other.ok(&["new", "Mine", "--id", "mine", "--no-edit"]);
    let out = other.ok(&["import", kb.base.join("all.json").to_str().unwrap()]);
    assert!(stderr(&out).contains("2 created"), "{}", stderr(&out));
    assert_eq!(other.talk("ev", "mine").title, "Mine");
    assert_eq!(
        other
            .talk("example-event", "example-talk")
            .rating
            .unwrap()
            .get(),
        4
    );
    // The current talk is not moved by an import.
    assert_eq!(stdout(&other.ok(&["current"])), "ev/mine\tMine\n");
}
