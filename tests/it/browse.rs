//! Reading and editing: `list`, `show`, `edit`, `current`.

use std::fs;

use serde_json::Value;

use crate::common::{Kb, field_strs, path_after, stderr, stdout};

/// Two events, three talks with different kinds and tags, takeaways, a tool and a link.
fn populated() -> Kb {
    let kb = Kb::with_event();
    kb.ok(&[
        "new",
        "Cilium Deep Dive",
        "--id",
        "cilium",
        "--kind",
        "keynote",
        "--date",
        "2024-06-01",
        "--start",
        "09:00",
        "--tag",
        "ebpf",
        "--no-edit",
    ]);
    kb.ok(&["jot", "--at", "09:05", "eBPF replaces kube-proxy"]);
    kb.ok(&["jot", "--at", "09:20", "サイドカー不要"]);
    kb.ok(&["tool", "Hubble", "https://github.com/cilium/hubble"]);
    kb.ok(&["link", "https://example.com/slides", "Slides"]);
    kb.ok(&[
        "new",
        "サービスメッシュ入門",
        "--id",
        "mesh",
        "--date",
        "2024-06-01",
        "--start",
        "11:00",
        "--speaker",
        "山田 花子 (Example)",
        "--no-edit",
    ]);
    kb.ok(&[
        "event",
        "new",
        "meetup",
        "--name",
        "Rust Meetup",
        "--kind",
        "meetup",
    ]);
    kb.ok(&[
        "new",
        "Lightning: async",
        "--id",
        "async",
        "--kind",
        "lightning",
        "--tag",
        "rust",
        "--tag",
        "ebpf",
        "--no-edit",
    ]);
    kb
}

fn rows(out: &str) -> Vec<Vec<String>> {
    out.lines()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .collect()
}

#[test]
fn list_shows_every_talk_as_a_table() {
    let kb = populated();
    let out = kb.ok(&["list"]);
    let table = stdout(&out);
    assert_eq!(
        rows(&table),
        [
            vec!["ev/cilium", "keynote", "2024-06-01", "Cilium Deep Dive"],
            vec!["ev/mesh", "session", "2024-06-01", "サービスメッシュ入門"],
            vec!["meetup/async", "lightning", "Lightning: async"],
        ],
        "{table}"
    );
    // Columns are aligned by display width.
    let lines: Vec<&str> = table.lines().collect();
    let col = |l: &str, needle: &str| unicode_col(l, needle);
    assert_eq!(col(lines[0], "keynote"), col(lines[1], "session"));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

fn unicode_col(line: &str, needle: &str) -> usize {
    line[..line.find(needle).unwrap()].chars().count()
}

#[test]
fn list_filters_by_event_tag_and_kind() {
    let kb = populated();
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["list"];
        all.extend_from_slice(args);
        rows(&stdout(&kb.ok(&all)))
            .into_iter()
            .map(|r| r[0].clone())
            .collect()
    };
    assert_eq!(ids(&["--event", "ev"]), ["ev/cilium", "ev/mesh"]);
    assert_eq!(ids(&["--event", "meetup"]), ["meetup/async"]);
    assert_eq!(ids(&["--tag", "ebpf"]), ["ev/cilium", "meetup/async"]);
    assert_eq!(ids(&["--tag", "rust"]), ["meetup/async"]);
    assert_eq!(ids(&["--kind", "keynote"]), ["ev/cilium"]);
    assert_eq!(ids(&["--kind", "session", "--event", "ev"]), ["ev/mesh"]);
    assert_eq!(ids(&["--tag", "ebpf", "--event", "ev"]), ["ev/cilium"]);

    let out = kb.ok(&["list", "--tag", "nothing"]);
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("no talks match"), "{}", stderr(&out));

    let out = kb.fails(&["list", "--event", "nope"]);
    assert!(
        stderr(&out).contains("event `nope` does not exist"),
        "{}",
        stderr(&out)
    );
    kb.fails_with(&["list", "--kind", "talk"], 2);
}

#[test]
fn list_events() {
    let kb = populated();
    let table = stdout(&kb.ok(&["list", "--events"]));
    assert_eq!(
        rows(&table),
        [
            vec!["ev", "conference", "2024-06-01", "2 talks", "Example Conf"],
            vec!["meetup", "meetup", "1 talks", "Rust Meetup"],
        ],
        "{table}"
    );
    let json: Value =
        serde_json::from_str(&stdout(&kb.ok(&["list", "--events", "--json"]))).unwrap();
    let events = json.as_array().unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["id"], "ev");
    assert_eq!(events[0]["name"], "Example Conf");
    assert_eq!(events[0]["talk_count"], 2);
    assert_eq!(events[1]["kind"], "meetup");
    assert!(events[0].get("schema").is_none(), "{json}");
    // Talk filters say they do not apply to events, rather than being ignored.
    for filter in [["--tag", "ebpf"], ["--kind", "keynote"], ["--event", "ev"]] {
        let out = kb.fails_with(&["list", "--events", filter[0], filter[1]], 2);
        assert!(
            stderr(&out).contains("cannot be used with"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn list_json_is_an_array_of_talks() {
    let kb = populated();
    let out = kb.ok(&["list", "--json"]);
    let json: Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    let talks = json.as_array().expect("an array");
    assert_eq!(talks.len(), 3);
    assert_eq!(talks[0]["id"], "ev/cilium");
    assert_eq!(talks[0]["event"], "ev");
    assert_eq!(talks[0]["kind"], "keynote");
    assert_eq!(talks[0]["title"], "Cilium Deep Dive");
    // The whole talk, the same shape as `tn show EVENT/TALK --json`.
    assert_eq!(talks[0]["takeaways"].as_array().map(Vec::len), Some(2));
    assert_eq!(talks[0]["tags"], serde_json::json!(["ebpf"]));
    assert_eq!(talks[0]["start"], "09:00");
    assert!(talks[0].get("schema").is_none(), "{json}");
    let shown: Value =
        serde_json::from_str(&stdout(&kb.ok(&["show", "ev/cilium", "--json"]))).unwrap();
    assert_eq!(talks[0], shown);
    assert_eq!(talks[1]["title"], "サービスメッシュ入門");
    assert_eq!(
        talks[1]["speakers"],
        serde_json::json!([{"name": "山田 花子", "affiliation": "Example"}])
    );
    assert_eq!(talks[2]["id"], "meetup/async");
    assert_eq!(talks[2]["event"], "meetup");
    assert_eq!(talks[2]["kind"], "lightning");

    let filtered: Value =
        serde_json::from_str(&stdout(&kb.ok(&["list", "--json", "--kind", "lightning"]))).unwrap();
    assert_eq!(filtered.as_array().unwrap().len(), 1);
    let empty: Value =
        serde_json::from_str(&stdout(&kb.ok(&["list", "--json", "--tag", "none"]))).unwrap();
    assert_eq!(empty, serde_json::json!([]));
}

#[test]
fn show_talk_as_text() {
    let kb = populated();
    let text = stdout(&kb.ok(&["show", "ev/cilium"]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Cilium Deep Dive");
    for expected in [
        "id         ev/cilium",
        "event      Example Conf",
        "kind       keynote",
        "when       2024-06-01 09:00",
        "tags       ebpf",
        "takeaways",
        "  09:05 eBPF replaces kube-proxy",
        "  09:20 サイドカー不要",
        "tools",
        "  Hubble  https://github.com/cilium/hubble",
        "links",
        "  Slides  https://example.com/slides",
    ] {
        assert!(
            lines.contains(&expected),
            "missing line {expected:?} in:\n{text}"
        );
    }
    // A trailing .ron is tolerated.
    assert_eq!(stdout(&kb.ok(&["show", "ev/cilium.ron"])), text);
}

#[test]
fn show_talk_as_json() {
    let kb = populated();
    let json: Value =
        serde_json::from_str(&stdout(&kb.ok(&["show", "ev/cilium", "--json"]))).unwrap();
    // `id` is what `tn show` takes; `event` the event's id.
    assert_eq!(json["id"], "ev/cilium");
    assert_eq!(json["event"], "ev");
    assert_eq!(json["title"], "Cilium Deep Dive");
    assert_eq!(json["kind"], "keynote");
    assert_eq!(json["start"], "09:00");
    assert_eq!(
        json["takeaways"],
        serde_json::json!([
            {"text": "eBPF replaces kube-proxy", "at": "09:05"},
            {"text": "サイドカー不要", "at": "09:20"},
        ])
    );
    assert_eq!(json["tools"][0]["name"], "Hubble");
    assert_eq!(json["links"][0]["title"], "Slides");
    assert!(json.get("schema").is_none(), "{json}");
}

#[test]
fn show_event() {
    let kb = populated();
    let text = stdout(&kb.ok(&["show", "ev"]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "Example Conf  ev");
    assert!(lines.contains(&"kind       conference"), "{text}");
    assert!(lines.contains(&"date       2024-06-01"), "{text}");
    assert!(lines.contains(&"2 talks"), "{text}");
    assert!(
        lines.contains(&"  cilium  keynote  Cilium Deep Dive"),
        "{text}"
    );
    assert!(
        lines.contains(&"  mesh  session  サービスメッシュ入門"),
        "{text}"
    );
    assert!(!text.contains("async"), "{text}");

    let json: Value = serde_json::from_str(&stdout(&kb.ok(&["show", "ev", "--json"]))).unwrap();
    assert_eq!(json["id"], "ev");
    assert_eq!(json["talks"].as_array().unwrap().len(), 2);
    // The same event and talk objects as `tn list --events --json` and `tn list --json`.
    assert_eq!(json["talk_count"], 2);
    assert_eq!(json["talks"][0]["id"], "ev/cilium");
    let events: Value =
        serde_json::from_str(&stdout(&kb.ok(&["list", "--events", "--json"]))).unwrap();
    let mut listed = events[0].clone();
    listed["talks"] = json["talks"].clone();
    assert_eq!(listed, json);
}

#[test]
fn show_missing_notes() {
    let kb = populated();
    let out = kb.fails(&["show", "ev/nope"]);
    let err = stderr(&out);
    assert!(err.contains("talk `ev/nope` does not exist"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    let out = kb.fails(&["show", "nope"]);
    assert!(
        stderr(&out).contains("event `nope` does not exist"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn current_sets_and_prints_the_current_talk() {
    let kb = populated();
    assert_eq!(
        stdout(&kb.ok(&["current"])),
        "meetup/async\tLightning: async\n"
    );
    let out = kb.ok(&["current", "ev/mesh"]);
    assert!(
        stderr(&out).contains("current talk: ev/mesh"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stdout(&kb.ok(&["current"])),
        "ev/mesh\tサービスメッシュ入門\n"
    );
    kb.ok(&["jot", "--at", "12:00", "goes to mesh"]);
    assert_eq!(kb.talk("ev", "mesh").takeaways[0].text, "goes to mesh");

    let out = kb.fails(&["current", "ev/nope"]);
    assert!(
        stderr(&out).contains("talk `ev/nope` does not exist"),
        "{}",
        stderr(&out)
    );
    // A failed switch leaves the pointer alone.
    assert_eq!(
        stdout(&kb.ok(&["current"])),
        "ev/mesh\tサービスメッシュ入門\n"
    );

    kb.ok(&["current", "meetup"]);
    assert_eq!(
        stdout(&kb.ok(&["current"])),
        "meetup\t(event; no current talk yet)\n"
    );
}

#[test]
fn current_without_anything_fails_with_a_hint() {
    let kb = Kb::new();
    let out = kb.fails(&["current"]);
    assert!(stderr(&out).contains("no current talk"), "{}", stderr(&out));
    assert!(stderr(&out).contains("hint:"), "{}", stderr(&out));
}

#[test]
fn edit_saves_a_valid_change() {
    let kb = populated();
    let editor = kb.script(
        "edit.sh",
        r#"sed -i 's/^    title: "Cilium Deep Dive",$/    title: "Cilium: Deeper",\n    \/\/ a comment the user wants to keep\n    rating: 5,/' "$1""#,
    );
    let out = kb
        .tn_with_editor(&editor)
        .args(["edit", "ev/cilium"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("saved"), "{}", stderr(&out));
    let text = kb.read("notes/ev/cilium.ron");
    // Written as the user wrote it, comment included.
    assert!(
        text.contains("    // a comment the user wants to keep\n"),
        "{text}"
    );
    let talk = kb.talk("ev", "cilium");
    assert_eq!(talk.title, "Cilium: Deeper");
    assert_eq!(talk.rating.unwrap().get(), 5);
    assert_eq!(talk.takeaways.len(), 2, "the rest of the note is kept");
    assert_eq!(
        fs::read_dir(&kb.tmp).unwrap().count(),
        0,
        "no draft left behind"
    );
}

#[test]
fn edit_an_event() {
    let kb = populated();
    let editor = kb.script(
        "edit.sh",
        r#"sed -i 's/^    name: "Example Conf",$/    name: "Example Conf 2024",\n    location: "東京",/' "$1""#,
    );
    let out = kb
        .tn_with_editor(&editor)
        .args(["edit", "ev"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let event = kb.event("ev");
    assert_eq!(event.name, "Example Conf 2024");
    assert_eq!(event.location.as_deref(), Some("東京"));
}

#[test]
fn edit_rejects_an_invalid_result_and_keeps_the_draft() {
    let kb = populated();
    let before = kb.read_bytes("notes/ev/cilium.ron");
    let editor = kb.script(
        "edit.sh",
        r#"sed -i 's/^    kind: keynote,$/    kind: keynote,\n    rating: 9,/' "$1""#,
    );
    let out = kb
        .tn_with_editor(&editor)
        .args(["edit", "ev/cilium"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("cilium.ron:5:13: rating 9 is out of range: use 1 to 5"),
        "{err}"
    );
    let draft = path_after(&err, "your draft is kept at ");
    assert!(fs::read_to_string(&draft).unwrap().contains("rating: 9"));
    assert_eq!(kb.read_bytes("notes/ev/cilium.ron"), before);
}

#[test]
fn edit_merges_a_change_on_disk_and_keeps_both_values() {
    let kb = populated();
    let note = kb.path("notes/ev/cilium.ron");
    let on_disk = "Talk(\n    id: \"cilium\",\n    title: \"changed by someone else\",\n)\n";
    let editor = kb.script(
        "edit.sh",
        &format!(
            "sed -i 's/^    title: \"Cilium Deep Dive\",$/    title: \"my edit\",/' \"$1\"\nprintf '%s' '{}' > '{}'",
            on_disk,
            note.display()
        ),
    );
    let out = kb
        .tn_with_editor(&editor)
        .args(["edit", "ev/cilium"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Both changed the title: the edit's stays in the field, the other one is recorded beside
    // it, and the user is told at once (and by `tn check` until it is resolved).
    let talk = kb.talk("ev", "cilium");
    assert_eq!(talk.title, "my edit");
    assert_eq!(talk.conflicts.len(), 1, "{talk:?}");
    assert!(talk.conflicts[0].theirs.contains("changed by someone else"));
    let err = stderr(&out);
    assert!(err.contains("warning:") && err.contains("title"), "{err}");
}

#[test]
fn edit_of_a_missing_or_invalid_id() {
    let kb = populated();
    let editor = kb.script("edit.sh", "exit 0");
    let out = kb
        .tn_with_editor(&editor)
        .args(["edit", "ev/nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("talk `ev/nope` does not exist"),
        "{}",
        stderr(&out)
    );
    let out = kb
        .tn_with_editor(&editor)
        .args(["edit", "ev/../x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("is not a valid id"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn editor_commands_with_arguments_and_paths_with_spaces() {
    let kb = populated();
    // Like git, EDITOR may carry arguments; the draft path may contain spaces and quotes.
    let tmp = kb.base.join("my \"drafts\" dir");
    fs::create_dir_all(&tmp).unwrap();
    let out = kb
        .tn()
        .env("TMPDIR", &tmp)
        .env("EDITOR", "sed -i 's/Cilium Deep Dive/Cilium, edited/'")
        .args(["edit", "ev/cilium"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(kb.talk("ev", "cilium").title, "Cilium, edited");
    // VISUAL wins over EDITOR.
    let out = kb
        .tn()
        .env("VISUAL", "sed -i 's/Cilium, edited/by visual/'")
        .env("EDITOR", "false")
        .args(["edit", "ev/cilium"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(kb.talk("ev", "cilium").title, "by visual");
}

#[test]
fn talks_are_listed_and_exported_in_id_order() {
    // Regression: notes came in file-name order, so `5--a.ron` (`-` sorts before `.`) came
    // before `5.ron`, while every listing promises id order (found by the import/export
    // round-trip property).
    let kb = Kb::with_event();
    for id in ["5--a", "5", "4"] {
        kb.ok(&["new", &format!("Talk {id}"), "--id", id, "--no-edit"]);
    }
    let json: Value = serde_json::from_slice(&kb.ok(&["list", "--json"]).stdout).unwrap();
    let ids = field_strs(json.as_array().unwrap(), "id");
    assert_eq!(ids, ["ev/4", "ev/5", "ev/5--a"]);
    let export: Value = serde_json::from_slice(&kb.ok(&["export"]).stdout).unwrap();
    let ids = field_strs(export["events"][0]["talks"].as_array().unwrap(), "id");
    assert_eq!(ids, ["4", "5", "5--a"]);
}

#[test]
fn a_talk_id_without_its_event_suggests_the_full_id() {
    // Regression: `tn show cilium` said event `cilium` does not exist and suggested creating
    // it with `tn event new`.
    let kb = populated();
    kb.ok(&["event", "new", "other", "--name", "Other"]);
    kb.ok(&["new", "Another mesh talk", "--id", "mesh", "--no-edit"]);
    for (args, expected) in [
        (
            &["show", "cilium"][..],
            "\n  hint: `cilium` is the id of a talk; write it with its event: `tn show ev/cilium`\n",
        ),
        (
            &["edit", "cilium"],
            "\n  hint: `cilium` is the id of a talk; write it with its event: `tn edit ev/cilium`\n",
        ),
        (
            &["current", "cilium"],
            "\n  hint: `cilium` is the id of a talk; write it with its event: `tn current ev/cilium`\n",
        ),
        (
            &["show", "mesh"],
            "write it with its event: `tn show ev/mesh`, or `tn show other/mesh`\n",
        ),
        (
            &["jot", "--talk", "cilium", "x"],
            "\n  hint: `cilium` is the id of a talk; write it with its event: `--talk ev/cilium`\n",
        ),
        (
            &["related", "cilium"],
            "\n  hint: `cilium` is the id of a talk; write it with its event: `tn related ev/cilium`\n",
        ),
        // A beginning of an id is enough to list the candidates.
        (
            &["show", "cil"],
            "\n  hint: talks whose id starts with it: `tn show ev/cilium`\n",
        ),
        // The right talk id in the wrong event.
        (
            &["jot", "--talk", "meetup/cilium", "x"],
            "\n  hint: `cilium` is the id of a talk; write it with its event: `--talk ev/cilium`\n",
        ),
    ] {
        let out = kb.fails(args);
        let err = stderr(&out);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!err.contains("tn event new"), "{args:?}: {err}");
    }
    // Nothing written, nothing made current.
    assert_eq!(kb.talk("ev", "cilium").takeaways.len(), 2);
    assert_eq!(
        stdout(&kb.ok(&["current"])),
        "other/mesh\tAnother mesh talk\n"
    );
    // An id that is neither keeps the old advice.
    let out = kb.fails(&["show", "nothing-like-it"]);
    assert!(
        stderr(&out).contains("tn event new nothing-like-it"),
        "{}",
        stderr(&out)
    );
}
