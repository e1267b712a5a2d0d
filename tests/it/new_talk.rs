//! `tn new`: ids derived from titles, options, the current talk, and the editor.

use std::fs;

use talknotes::note::TalkKind;

use crate::common::{Kb, is_slug, path_after, stderr, stdout};

#[test]
fn english_title_gives_a_slug_and_becomes_current() {
    let kb = Kb::with_event();
    let out = kb.ok(&["new", "Cilium Deep Dive!", "--event", "ev", "--no-edit"]);
    // Regression: the path was absolute, where `tn event new` and the README say it relative
    // to the working directory (the knowledge base here).
    assert_eq!(
        stderr(&out),
        "created ev/cilium-deep-dive (notes/ev/cilium-deep-dive.ron); it is now the current talk\n"
    );
    let text = kb.read("notes/ev/cilium-deep-dive.ron");
    assert_eq!(
        text,
        "Talk(\n    schema: 1,\n    id: \"cilium-deep-dive\",\n    kind: session,\n    title: \"Cilium Deep Dive!\",\n    language: \"en\",\n)\n"
    );
    let out = kb.ok(&["current"]);
    assert_eq!(stdout(&out), "ev/cilium-deep-dive\tCilium Deep Dive!\n");
}

#[test]
fn japanese_title_is_romanised_into_an_ascii_slug() {
    let kb = Kb::with_event();
    kb.ok(&["new", "サービスメッシュ入門", "--no-edit"]);
    let out = kb.ok(&["current"]);
    let current = stdout(&out);
    let (id, title) = current.trim_end().split_once('\t').unwrap();
    let talk = id.strip_prefix("ev/").unwrap();
    assert!(is_slug(talk), "{talk:?}");
    assert!(talk.is_ascii());
    // Romanised from the readings, not a fallback.
    assert!(talk.starts_with("sabisu"), "{talk}");
    assert!(talk.contains("nyu"), "{talk}");
    assert_eq!(title, "サービスメッシュ入門");
    let text = kb.read(&format!("notes/ev/{talk}.ron"));
    assert!(
        text.contains("    title: \"サービスメッシュ入門\",\n"),
        "{text}"
    );
}

#[test]
fn derived_ids_are_always_valid_slugs() {
    let kb = Kb::with_event();
    let titles = [
        "Kubernetes で始める オブザーバビリティ入門",
        "Ｆｕｌｌ-width ＡＳＣＩＩ",
        "C++ & Rust: 2024!",
        "🎉🎉",
        "Event",
        &"very long title words ".repeat(10),
    ];
    let mut seen = Vec::new();
    for title in titles {
        kb.ok(&["new", title, "--no-edit"]);
        let current = stdout(&kb.ok(&["current"]));
        let id = current
            .split('\t')
            .next()
            .unwrap()
            .strip_prefix("ev/")
            .unwrap()
            .to_owned();
        assert!(is_slug(&id), "{title:?} → {id:?}");
        assert!(id.len() <= 64);
        assert_ne!(id, "event", "`event` is the event file's name");
        assert!(kb.path(&format!("notes/ev/{id}.ron")).is_file());
        seen.push(id);
    }
    assert_eq!(seen[2], "c-rust-2024");
    assert_eq!(
        seen[3], "talk",
        "a title without letters falls back to `talk`"
    );
    assert_eq!(seen[4], "event-2");
    assert!(seen[1].contains("full-width"), "{}", seen[1]);
    // The event file itself is untouched.
    assert_eq!(kb.event("ev").name, "Example Conf");
}

#[test]
fn options_land_in_the_file() {
    let kb = Kb::with_event();
    kb.ok(&[
        "new",
        "Opening Keynote",
        "--id",
        "opening",
        "--speaker",
        "Jane Doe (Example Inc.)",
        "--speaker",
        "山田 太郎（サイボウズ）",
        "--speaker",
        "Solo Speaker",
        "--kind",
        "keynote",
        "--url",
        "https://example.com/talks/opening",
        "--date",
        "2024-06-01",
        "--start",
        "09:30",
        "--end",
        "10:15",
        "--track",
        "Main Hall",
        "--tag",
        "ebpf",
        "--tag",
        "ebpf",
        "--no-edit",
    ]);
    let text = kb.read("notes/ev/opening.ron");
    for expected in [
        "    id: \"opening\",\n",
        "    kind: keynote,\n",
        "    title: \"Opening Keynote\",\n",
        "    url: \"https://example.com/talks/opening\",\n",
        "            name: \"Jane Doe\",\n            affiliation: \"Example Inc.\",\n",
        "            name: \"山田 太郎\",\n            affiliation: \"サイボウズ\",\n",
        "            name: \"Solo Speaker\",\n        ),\n",
        "    date: \"2024-06-01\",\n",
        "    start: \"09:30\",\n",
        "    end: \"10:15\",\n",
        "    track: \"Main Hall\",\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let talk = kb.talk("ev", "opening");
    assert_eq!(talk.kind, TalkKind::Keynote);
    assert_eq!(talk.speakers.len(), 3);
    assert_eq!(talk.speakers[2].affiliation, None);
    assert_eq!(talk.tags, ["ebpf"], "duplicate tags are dropped");
    assert_eq!(
        stdout(&kb.ok(&["current"])),
        "ev/opening\tOpening Keynote\n"
    );
}

#[test]
fn duplicate_titles_get_a_numbered_suffix() {
    let kb = Kb::with_event();
    kb.ok(&["new", "Same Title", "--no-edit"]);
    kb.ok(&["new", "Same Title", "--no-edit"]);
    kb.ok(&["new", "Same Title", "--no-edit"]);
    assert_eq!(kb.talk("ev", "same-title").title, "Same Title");
    assert_eq!(kb.talk("ev", "same-title-2").title, "Same Title");
    assert_eq!(kb.talk("ev", "same-title-3").title, "Same Title");
    assert_eq!(
        stdout(&kb.ok(&["current"])),
        "ev/same-title-3\tSame Title\n"
    );
}

#[test]
fn explicit_duplicate_id_fails_and_keeps_the_note() {
    let kb = Kb::with_event();
    kb.ok(&["new", "First", "--id", "t", "--no-edit"]);
    let before = kb.read_bytes("notes/ev/t.ron");
    let out = kb.fails(&["new", "Second", "--id", "t", "--no-edit"]);
    let err = stderr(&out);
    assert!(err.contains("talk `ev/t` already exists"), "{err}");
    assert!(
        err.contains(
            "hint: give the new talk another id with --id, or change this one with `tn edit ev/t`"
        ),
        "{err}"
    );
    assert_eq!(kb.read_bytes("notes/ev/t.ron"), before);
}

#[test]
fn reserved_id_event_is_refused() {
    let kb = Kb::with_event();
    let before = kb.read_bytes("notes/ev/event.ron");
    let out = kb.fails(&["new", "X", "--id", "event", "--no-edit"]);
    assert!(stderr(&out).contains("reserved"), "{}", stderr(&out));
    assert_eq!(kb.read_bytes("notes/ev/event.ron"), before);
}

#[test]
fn missing_event_is_named_with_a_hint() {
    let kb = Kb::with_event();
    let out = kb.fails(&["new", "Talk", "--event", "nope", "--no-edit"]);
    let err = stderr(&out);
    assert!(err.contains("error: event `nope` does not exist"), "{err}");
    assert!(
        err.contains("hint: create it first with `tn event new nope"),
        "{err}"
    );
    assert!(!kb.path("notes/nope").exists());
}

#[test]
fn without_event_and_without_current_the_error_asks_for_one() {
    let kb = Kb::new();
    let out = kb.fails(&["new", "Talk", "--no-edit"]);
    let err = stderr(&out);
    assert!(err.contains("which event is this talk part of?"), "{err}");
    assert!(err.contains("hint: pass --event"), "{err}");
}

#[test]
fn new_without_event_uses_the_current_event_then_the_current_talks_event() {
    let kb = Kb::with_event();
    kb.ok(&["event", "new", "second", "--name", "Second"]);
    // `event new` made `second` current.
    kb.ok(&["new", "In Second", "--id", "a", "--no-edit"]);
    assert!(kb.path("notes/second/a.ron").is_file());
    assert!(!kb.path("notes/ev/a.ron").exists());
    // Now the current talk is second/a; its event is the default.
    kb.ok(&["new", "Also In Second", "--id", "b", "--no-edit"]);
    assert!(kb.path("notes/second/b.ron").is_file());
    // An explicit --event wins.
    kb.ok(&["new", "In Ev", "--id", "c", "--event", "ev", "--no-edit"]);
    assert!(kb.path("notes/ev/c.ron").is_file());
    assert_eq!(stdout(&kb.ok(&["current"])), "ev/c\tIn Ev\n");
}

#[test]
fn new_opens_the_editor_and_saves_its_changes() {
    let kb = Kb::with_event();
    let editor = kb.script(
        "retitle.sh",
        r#"sed -i 's/^    title: "\(.*\)",$/    title: "\1 (edited)",\n    rating: 4,/' "$1""#,
    );
    let out = kb
        .tn_with_editor(&editor)
        .args(["new", "My Talk", "--id", "t1"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("saved"), "{}", stderr(&out));
    let talk = kb.talk("ev", "t1");
    assert_eq!(talk.title, "My Talk (edited)");
    assert_eq!(talk.rating.map(|r| r.get()), Some(4));
    // The draft is not left behind.
    assert_eq!(fs::read_dir(&kb.tmp).unwrap().count(), 0);
}

#[test]
fn new_with_an_editor_that_changes_nothing() {
    let kb = Kb::with_event();
    let out = kb
        .tn_with_editor(std::path::Path::new("true"))
        .args(["new", "Quiet", "--id", "q"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("no changes"), "{}", stderr(&out));
    assert_eq!(kb.talk("ev", "q").title, "Quiet");
}

#[test]
fn new_with_an_editor_writing_invalid_ron_keeps_the_note_and_the_draft() {
    let kb = Kb::with_event();
    let editor = kb.script(
        "break.sh",
        r#"printf 'Talk(\n    id: "t2",\n    title: "broken"\n    rating: 2,\n' > "$1""#,
    );
    let out = kb
        .tn_with_editor(&editor)
        .args(["new", "Other", "--id", "t2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("is not valid"), "{err}");
    // The problem is reported with its place in the draft.
    assert!(err.contains("t2.ron:4:5: Expected comma"), "{err}");
    let draft = path_after(&err, "your draft is kept at ");
    assert!(draft.is_file(), "{}", draft.display());
    assert!(fs::read_to_string(&draft).unwrap().contains("broken"));
    // The note is what `new` created, untouched by the broken edit.
    assert_eq!(
        kb.read("notes/ev/t2.ron"),
        "Talk(\n    schema: 1,\n    id: \"t2\",\n    kind: session,\n    title: \"Other\",\n)\n"
    );
}

#[test]
fn new_with_a_failing_editor_reports_it() {
    let kb = Kb::with_event();
    let editor = kb.script("fail.sh", "exit 3");
    let out = kb
        .tn_with_editor(&editor)
        .args(["new", "Other", "--id", "t3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("editor exited with"), "{err}");
    assert!(err.contains("the note was not changed"), "{err}");
    assert_eq!(kb.talk("ev", "t3").title, "Other");
}

#[test]
fn a_new_talk_gets_the_language_of_its_title_unless_one_is_given() {
    // Regression: nothing set a talk's language, so `lang:ja` matched nothing.
    let kb = Kb::with_event();
    kb.ok(&[
        "new",
        "Kubernetesで始めるオブザーバビリティ入門",
        "--id",
        "ja",
        "--no-edit",
    ]);
    kb.ok(&[
        "new",
        "Open Source Intrusion Detection for Containers",
        "--id",
        "en",
        "--no-edit",
    ]);
    kb.ok(&[
        "new",
        "Überblick über Kubernetes",
        "--id",
        "de",
        "--lang",
        "DE",
        "--no-edit",
    ]);
    kb.ok(&["new", "Keynote", "--id", "short", "--no-edit"]);
    assert_eq!(kb.talk("ev", "ja").language.as_deref(), Some("ja"));
    assert_eq!(kb.talk("ev", "en").language.as_deref(), Some("en"));
    assert_eq!(kb.talk("ev", "de").language.as_deref(), Some("de"));
    assert_eq!(kb.talk("ev", "short").language, None, "too little to tell");
    let out = kb.ok(&["search", "--json", "lang:ja"]);
    let hits: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        crate::common::field_strs(hits.as_array().unwrap(), "id"),
        ["ev/ja"]
    );
}

#[test]
fn notes_without_a_language_are_filtered_by_the_one_they_are_written_in_and_not_changed() {
    let kb = Kb::with_event();
    let note = |id: &str, title: &str, r#abstract: &str| {
        format!(
            "Talk(\n    schema: 1,\n    id: \"{id}\",\n    title: \"{title}\",\n    abstract: \"{abstract}\",\n)\n"
        )
    };
    let written = [
        (
            "keynote-ja",
            note(
                "keynote-ja",
                "Keynote",
                "クラウドネイティブな省エネサービスの内製開発について",
            ),
        ),
        (
            "keynote-en",
            note(
                "keynote-en",
                "Keynote",
                "How we moved every service to eBPF networking",
            ),
        ),
    ];
    for (id, text) in &written {
        kb.write(&format!("notes/ev/{id}.ron"), text);
    }
    for (filter, id) in [("lang:ja", "ev/keynote-ja"), ("lang:en", "ev/keynote-en")] {
        let out = kb.ok(&["search", "--json", filter]);
        let hits: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        assert_eq!(
            crate::common::field_strs(hits.as_array().unwrap(), "id"),
            [id],
            "{filter}"
        );
    }
    for (id, text) in &written {
        assert_eq!(&kb.read(&format!("notes/ev/{id}.ron")), text);
    }
}

#[test]
fn letter_digit_words_stay_whole_in_derived_ids() {
    // Regression: "K8s" gave `k-8-s`.
    let kb = Kb::with_event();
    let out = kb.ok(&[
        "new",
        "How to Love K8s and Not Wreck the Planet",
        "--no-edit",
    ]);
    assert!(
        stderr(&out).contains("created ev/how-to-love-k8s-and-not-wreck-the-planet "),
        "{}",
        stderr(&out)
    );
    kb.ok(&["new", "o11y と i18n と S3 と p99", "--no-edit"]);
    assert!(kb.path("notes/ev/o11y-to-i18n-to-s3-to-p99.ron").exists());
}

#[test]
fn a_speakers_role_follows_a_slash_in_the_parentheses() {
    // A new user's week: `--speaker "名前 (会社, SRE)"` put both into the affiliation, and
    // there was no way to give a role from the command line.
    let kb = Kb::with_event();
    kb.ok(&[
        "new",
        "Platform talk",
        "--id",
        "platform",
        "--speaker",
        "鈴木 一郎 (Example, Inc. / Staff SRE)",
        "--speaker",
        "Jane Doe (Example)",
        "--no-edit",
    ]);
    let text = kb.read("notes/ev/platform.ron");
    assert!(
        text.contains(
            "name: \"鈴木 一郎\",\n            affiliation: \"Example, Inc.\",\n            role: \"Staff SRE\","
        ),
        "{text}"
    );
    assert!(
        text.contains("affiliation: \"Example\",\n        ),"),
        "{text}"
    );
    // The role is found by a search, as an affiliation is.
    let out = kb.ok(&["search", "--json", "staff"]);
    assert!(stdout(&out).contains("\"ev/platform\""), "{}", stdout(&out));
}

#[test]
fn a_second_talk_with_the_same_title_is_said_to_be_one() {
    // A new user's week: `tn new` run twice with one title made `…-2` without a word.
    let kb = Kb::with_event();
    kb.ok(&["new", "Cilium Deep Dive", "--no-edit"]);
    let out = kb.ok(&["new", "Cilium  deep dive", "--no-edit"]);
    let err = stderr(&out);
    assert!(err.contains("created ev/cilium-deep-dive-2 "), "{err}");
    assert!(
        err.contains(
            "note: ev/cilium-deep-dive has the same title, so this is a second talk; to write in \
             that one instead: `tn current ev/cilium-deep-dive`"
        ),
        "{err}"
    );
    // Punctuation does not make another title (`Cilium: Deep Dive` has the same id).
    let out = kb.ok(&["new", "Cilium: Deep Dive!", "--no-edit"]);
    assert!(
        stderr(&out).contains("note: ev/cilium-deep-dive has the same title"),
        "{}",
        stderr(&out)
    );
    // Another title that numbers alike, or an id given, is said nothing of.
    let out = kb.ok(&["new", "Cilium Deep Dive 2", "--no-edit"]);
    assert!(!stderr(&out).contains("same title"), "{}", stderr(&out));
    let out = kb.ok(&["new", "Cilium Deep Dive", "--id", "cdd-again", "--no-edit"]);
    assert!(!stderr(&out).contains("same title"), "{}", stderr(&out));
}
