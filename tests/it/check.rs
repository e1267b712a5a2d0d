//! `tn check`: every problem, located by `path:line:column`, with hints; other commands warn.

use serde_json::Value;

use crate::common::{Kb, field_strs, stderr, stdout};

fn clean_kb() -> Kb {
    let kb = Kb::with_event();
    kb.ok(&["new", "Good Talk", "--id", "good", "--no-edit"]);
    kb.ok(&["jot", "--at", "10:00", "fine"]);
    kb
}

#[test]
fn clean_knowledge_base_passes() {
    let kb = clean_kb();
    let out = kb.ok(&["check"]);
    assert_eq!(stdout(&out), "");
    assert!(
        stderr(&out).contains("2 notes checked, no problems"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn templates_in_the_repository_pass_check() {
    // schemas/*.ron are the documented templates; a knowledge base built from them is clean.
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
    kb.ok(&["check"]);
}

/// One bad file per kind of problem, and the line each must produce (a prefix: the message
/// follows). Paths are relative to the working directory (the knowledge base root).
const BAD_FILES: &[(&str, &[u8])] = &[
    // Missing comma after the id: found where the next field starts.
    ("notes/ev/missing-comma.ron", b"Talk(\n    id: \"missing-comma\"\n    title: \"x\",\n)\n"),
    // Unclosed parenthesis in the middle of the note.
    (
        "notes/ev/unclosed-paren.ron",
        b"Talk(\n    id: \"unclosed-paren\",\n    title: \"x\",\n    speakers: [\n        Speaker(name: \"a\",\n    ],\n)\n",
    ),
    // The file ends before the note does.
    ("notes/ev/unclosed.ron", b"Talk(\n    id: \"unclosed\",\n    title: \"x\",\n"),
    ("notes/ev/unknown-field.ron", b"Talk(\n    id: \"unknown-field\",\n    title: \"x\",\n    colour: 3,\n)\n"),
    ("notes/ev/mismatch.ron", b"Talk(\n    id: \"other\",\n    title: \"x\",\n)\n"),
    ("notes/ev/bad-date.ron", b"Talk(\n    id: \"bad-date\",\n    title: \"x\",\n    date: \"2024-13-01\",\n)\n"),
    ("notes/ev/bad-time.ron", b"Talk(\n    id: \"bad-time\",\n    title: \"x\",\n    start: \"25:00\",\n)\n"),
    ("notes/ev/rating.ron", b"Talk(\n    id: \"rating\",\n    title: \"x\",\n    rating: 9,\n)\n"),
    ("notes/ev/not-utf8.ron", b"Talk(\n    id: \"not-utf8\",\n    title: \"ab\xff\",\n)\n"),
    ("notes/ev/empty.ron", b""),
    ("notes/ev/Bad_Name.ron", b"Talk(\n    id: \"bad-name\",\n    title: \"x\",\n)\n"),
    ("notes/Bad_Dir/event.ron", b"Event(\n    id: \"bad-dir\",\n    name: \"x\",\n)\n"),
    ("notes/no-event/t.ron", b"Talk(\n    id: \"t\",\n    title: \"x\",\n)\n"),
    ("notes/ev/end-before-start.ron", b"Talk(\n    id: \"end-before-start\",\n    title: \"x\",\n    start: \"10:00\",\n    end: \"09:00\",\n)\n"),
    ("notes/bad-event/event.ron", b"Event(\n    id: \"bad-event\",\n    name: \"x\",\n    starts_on: \"2024-02-30\",\n)\n"),
];

fn broken_kb() -> Kb {
    let kb = clean_kb();
    for (path, bytes) in BAD_FILES {
        kb.write(path, bytes);
    }
    kb
}

/// The problem line for `path` and the hint line right after it, if any.
fn problem<'a>(out: &'a str, path: &str) -> (&'a str, Option<&'a str>) {
    let lines: Vec<&str> = out.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with(&format!("{path}:")))
        .unwrap_or_else(|| panic!("no problem reported for {path} in:\n{out}"));
    let hint = lines.get(i + 1).and_then(|l| l.strip_prefix("  hint: "));
    (lines[i], hint)
}

#[test]
fn check_reports_every_problem_at_once_with_positions_and_hints() {
    let kb = broken_kb();
    let out = kb.fails(&["check"]);
    let text = stdout(&out);

    let expect = |path: &str, prefix: &str, hint: Option<&str>| {
        let (line, got_hint) = problem(&text, path);
        assert!(
            line.starts_with(prefix),
            "expected {prefix:?}, got {line:?}\n{text}"
        );
        if let Some(hint) = hint {
            let got = got_hint.unwrap_or_else(|| panic!("no hint after {line:?}\n{text}"));
            assert!(got.contains(hint), "hint {got:?} lacks {hint:?}");
        }
    };
    expect(
        "notes/ev/missing-comma.ron",
        "notes/ev/missing-comma.ron:3:5: Expected comma",
        Some("missing comma"),
    );
    expect(
        "notes/ev/unknown-field.ron",
        "notes/ev/unknown-field.ron:4:5: unknown field `colour`",
        Some("allowed here: schema, id, kind, title"),
    );
    expect(
        "notes/ev/mismatch.ron",
        "notes/ev/mismatch.ron:2:5: field `id`: \"other\" does not match the file's name \"mismatch\"",
        Some("set `id: \"mismatch\",`"),
    );
    expect(
        "notes/ev/bad-date.ron",
        "notes/ev/bad-date.ron:4:12: `2024-13-01` is not a valid date",
        None,
    );
    expect(
        "notes/ev/bad-time.ron",
        "notes/ev/bad-time.ron:4:13: `25:00` is not a valid time",
        None,
    );
    expect(
        "notes/ev/rating.ron",
        "notes/ev/rating.ron:4:13: rating 9 is out of range: use 1 to 5",
        None,
    );
    expect(
        "notes/ev/not-utf8.ron",
        "notes/ev/not-utf8.ron:3:15: the file is not valid UTF-8",
        Some("save the file as UTF-8"),
    );
    expect(
        "notes/ev/empty.ron",
        "notes/ev/empty.ron: the talk file is empty",
        Some("delete it"),
    );
    expect(
        "notes/ev/Bad_Name.ron",
        "notes/ev/Bad_Name.ron: this file name is not a valid talk id",
        Some("`Bad_Name` is not a valid id"),
    );
    expect(
        "notes/Bad_Dir",
        "notes/Bad_Dir: this directory name is not a valid event id",
        Some("rename it"),
    );
    expect(
        "notes/no-event",
        "notes/no-event: this event directory has no event.ron",
        Some("tn event new no-event"),
    );
    expect(
        "notes/ev/end-before-start.ron",
        "notes/ev/end-before-start.ron:5:5: field `end`: the talk ends (09:00) before it starts (10:00)",
        None,
    );
    expect(
        "notes/bad-event/event.ron",
        "notes/bad-event/event.ron:4:17: `2024-02-30` is not a valid date",
        None,
    );

    // The unclosed paren inside `speakers` is located at the `]` that closes the list early.
    let (line, hint) = problem(&text, "notes/ev/unclosed-paren.ron");
    assert!(
        line.starts_with("notes/ev/unclosed-paren.ron:6:5: "),
        "{line}"
    );
    assert!(hint.is_some(), "{text}");

    // The file that ends early points at its end.
    let (line, hint) = problem(&text, "notes/ev/unclosed.ron");
    assert!(
        line.starts_with("notes/ev/unclosed.ron:3:16: the file ends in the middle of a note")
            || line.starts_with("notes/ev/unclosed.ron:4:1: the file ends in the middle of a note"),
        "{line}"
    );
    assert!(hint.unwrap().contains("closing"), "{text}");

    // Every bad file is reported, and nothing about the good ones.
    assert!(!text.contains("notes/ev/good.ron"), "{text}");
    assert!(!text.contains("notes/ev/event.ron"), "{text}");
    let problems = text.lines().filter(|l| !l.starts_with("  hint: ")).count();
    assert_eq!(problems, BAD_FILES.len(), "{text}");
    let err = stderr(&out);
    assert!(
        err.contains(&format!("{} problem(s) in", BAD_FILES.len())),
        "{err}"
    );
}

#[test]
fn check_paths_are_relative_only_below_the_working_directory() {
    let kb = broken_kb();
    let out = kb.tn().current_dir(&kb.tmp).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let expected = format!(
        "{}:4:5: unknown field",
        kb.path("notes/ev/unknown-field.ron").display()
    );
    assert!(text.contains(&expected), "{text}");
}

#[test]
fn other_commands_skip_invalid_notes_with_a_warning() {
    let kb = broken_kb();

    let out = kb.ok(&["list"]);
    let table = stdout(&out);
    let listed: Vec<&str> = table
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    // The good talk, and the valid talk of the event directory that lacks its event.ron; none
    // of the invalid notes.
    assert_eq!(listed, ["ev/good", "no-event/t"], "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: skipped: notes/ev/rating.ron:4:13: rating 9 is out of range"),
        "{err}"
    );
    assert!(
        err.contains("warning: skipped: notes/ev/not-utf8.ron"),
        "{err}"
    );
    assert!(err.contains("run `tn check` for details"), "{err}");
    // Only the first line of each problem, no hints.
    assert!(!err.contains("hint:"), "{err}");

    let out = kb.ok(&["list", "--json"]);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert!(stderr(&out).contains("warning: skipped: notes/ev/unknown-field.ron:4:5"));

    // An export would miss them: it stops, unless they are left out on purpose.
    kb.fails(&["export"]);
    let out = kb.ok(&["export", "--skip-invalid"]);
    let json: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let events = json["events"].as_array().unwrap();
    let ids = field_strs(events, "id");
    assert_eq!(ids, ["ev"]);
    let talks = field_strs(events[0]["talks"].as_array().unwrap(), "id");
    assert_eq!(talks, ["good"]);
    let err = stderr(&out);
    assert!(
        err.contains("warning: skipped: notes/ev/mismatch.ron:2:5"),
        "{err}"
    );
    assert!(
        err.contains(&format!("warning: {} problem(s) in notes", BAD_FILES.len())),
        "{err}"
    );

    // Writing to a good note still works.
    kb.ok(&["jot", "--at", "10:01", "still fine"]);
    assert_eq!(kb.talk("ev", "good").takeaways.len(), 2);
}

#[test]
fn hidden_and_non_ron_files_are_ignored() {
    let kb = clean_kb();
    kb.write("notes/ev/.t.ron.swp", b"\xff\xfe garbage");
    kb.write("notes/ev/.tn-12345.tmp", b"partial");
    kb.write("notes/ev/README.md", b"# notes");
    kb.write("notes/.git/config", b"[core]");
    let out = kb.ok(&["check"]);
    assert_eq!(stdout(&out), "");
}

#[cfg(unix)]
#[test]
fn symlinks_inside_notes_are_reported_not_followed() {
    let kb = clean_kb();
    let outside = kb.base.join("outside.ron");
    std::fs::write(
        &outside,
        "Talk(\n    id: \"link\",\n    title: \"outside\",\n)\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(&outside, kb.path("notes/ev/link.ron")).unwrap();
    let out = kb.fails(&["check"]);
    assert!(
        stdout(&out).contains("notes/ev/link.ron: is a symbolic link"),
        "{}",
        stdout(&out)
    );
    let out = kb.ok(&["list"]);
    assert!(!stdout(&out).contains("outside"), "{}", stdout(&out));
}

#[test]
fn full_width_punctuation_is_named_with_what_to_type_instead() {
    // Regression: a full-width `，` after a value was reported as "Expected comma", which
    // does not say that the comma is there, only in the wrong width.
    let kb = Kb::with_event();
    kb.write(
        "notes/ev/ime.ron",
        "Talk(\n    schema: 1,\n    id: \"ime\"，\n    title：\"入力メソッド\",\n    tags: ［\"x\"],\n)\n",
    );
    let out = kb.fails(&["check"]);
    let text = stdout(&out);
    assert!(
        text.contains("notes/ev/ime.ron:3:14: the full-width comma `，` (U+FF0C) outside quoted text: Expected comma\n  hint: type the ASCII `,` instead, in half-width input (半角)"),
        "{text}"
    );
    // Fixed one by one, the next is named at its own column.
    kb.write(
        "notes/ev/ime.ron",
        kb.read("notes/ev/ime.ron").replace('，', ","),
    );
    let text = stdout(&kb.fails(&["check"]));
    assert!(
        text.contains("notes/ev/ime.ron:4:10: the full-width colon `：` (U+FF1A)"),
        "{text}"
    );
    kb.write(
        "notes/ev/ime.ron",
        kb.read("notes/ev/ime.ron").replace('：', ": "),
    );
    let text = stdout(&kb.fails(&["check"]));
    assert!(
        text.contains("notes/ev/ime.ron:5:11: the full-width bracket `［` (U+FF3B)")
            && text.contains("type the ASCII `[` instead"),
        "{text}"
    );
}

#[test]
fn a_tool_whose_url_is_no_address_is_warned_about_where_it_is() {
    // Regression: before `tn tool` refused it, `tn tool Grafana Mimir` saved "Mimir" as
    // Grafana's URL, and `tn check` said nothing of the notes that hold one.
    let kb = clean_kb();
    kb.write(
        "notes/ev/old.ron",
        "Talk(\n    id: \"old\",\n    title: \"x\",\n    url: \"https://example.com/talk\",\n    tools: [\n        (name: \"url: Mimir\", url: \"github.com/grafana/mimir\"),\n        (name: \"Grafana\", url: Some(\"Mimir\")),\n        (url: None, name: \"Tempo\"),\n        Tool(\n            // url: \"commented out\",\n            name: \"Loki\",\n            url: \"v3.0\",\n        ),\n        (name: \"Pyroscope\", url: \" \"),\n    ],\n)\n",
    );
    // The note still reads, so warnings, and check passes.
    let out = kb.ok(&["check"]);
    assert_eq!(stdout(&out), "");
    let err = stderr(&out);
    let warnings: Vec<&str> = err.lines().filter(|l| l.starts_with("warning: ")).collect();
    assert_eq!(
        warnings,
        [
            "warning: notes/ev/old.ron:7:27: field `url` of tool \"Grafana\": \"Mimir\" is not an address",
            "warning: notes/ev/old.ron:12:13: field `url` of tool \"Loki\": \"v3.0\" is not an address",
            "warning: notes/ev/old.ron:14:29: field `url` of tool \"Pyroscope\" is empty",
        ],
        "{err}"
    );
    assert!(
        err.contains("  hint: run `tn edit ev/old` and write the address of Grafana there")
            && err.contains("add `(name: \"Mimir\")` to `tools`")
            && err.contains("write `name: \"Grafana Mimir\"`"),
        "{err}"
    );
    assert!(err.contains("3 notes checked, no problems"), "{err}");
}
