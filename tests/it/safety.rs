//! Data safety: comments are never dropped, writes are atomic and tidy, files stay readable,
//! ids cannot escape the knowledge base, and note text cannot drive the terminal.

use crate::common::{Kb, snapshot, stderr, stdout};

fn kb_with_talk() -> Kb {
    let kb = Kb::with_event();
    kb.ok(&["new", "The Talk", "--id", "t", "--no-edit"]);
    kb
}

#[test]
fn a_note_with_comments_is_never_rewritten() {
    let kb = kb_with_talk();
    let commented = "Talk(\n    // written by hand: keep this\n    id: \"t\",\n    title: \"The Talk\", /* inline */\n)\n";
    kb.write("notes/ev/t.ron", commented);
    for args in [
        &["jot", "--at", "10:00", "x"][..],
        &["tool", "Cilium"],
        &["link", "https://example.com"],
        &["tag", "a"],
    ] {
        let out = kb.fails(args);
        let err = stderr(&out);
        assert!(err.contains("contains comments"), "{args:?}: {err}");
        assert!(err.contains("nothing was written"), "{args:?}: {err}");
        assert!(err.contains("hint:"), "{args:?}: {err}");
        assert_eq!(
            kb.read("notes/ev/t.ron"),
            commented,
            "{args:?} changed the file"
        );
    }
    // It is still a valid note.
    kb.ok(&["check"]);
    assert!(kb.files_named_like(".tn-").is_empty());
}

#[test]
fn comment_markers_inside_strings_are_not_comments() {
    let kb = kb_with_talk();
    let tricky = [
        "see https://example.com//path",
        "he said \"// not a comment\" and left",
        "a backslash \\ and /* stars */",
        "raw-looking r#\"x\"# and ##\"# hashes",
    ];
    for (i, text) in tricky.iter().enumerate() {
        let at = format!("10:0{i}");
        kb.ok(&["jot", "--at", &at, text]);
    }
    // The second pass rewrites a file that holds all of them.
    kb.ok(&["tag", "still-writable"]);
    let talk = kb.talk("ev", "t");
    let texts: Vec<&str> = talk.takeaways.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(texts, tricky);
    assert_eq!(talk.tags, ["still-writable"]);
}

#[test]
fn writes_leave_no_temporary_files() {
    let kb = kb_with_talk();
    kb.ok(&["jot", "--at", "10:00", "one"]);
    kb.ok(&["tool", "Cilium", "https://cilium.io"]);
    kb.ok(&["link", "https://example.com/slides", "Slides"]);
    kb.ok(&["tag", "a", "b"]);
    kb.ok(&["new", "Another", "--no-edit"]);
    kb.ok(&["event", "new", "ev2", "--name", "Two"]);
    kb.ok(&["current", "ev/t"]);
    kb.ok(&["export", "-o", "./export.json"]);
    let editor = kb.script("edit.sh", r#"sed -i 's/"The Talk"/"The Talk!"/' "$1""#);
    let out = kb
        .tn_with_editor(&editor)
        .args(["edit", "ev/t"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let fresh = Kb::new();
    fresh.ok(&["import", kb.path("export.json").to_str().unwrap()]);

    for kb in [&kb, &fresh] {
        let leftovers = kb.files_named_like(".tn-");
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }
    assert_eq!(
        std::fs::read_dir(&kb.tmp).unwrap().count(),
        0,
        "drafts left behind"
    );
    fresh.ok(&["check"]);
}

#[test]
fn files_are_pretty_ron_with_japanese_unescaped() {
    let kb = Kb::with_event();
    kb.ok(&[
        "new",
        "サービスメッシュ入門",
        "--id",
        "mesh",
        "--speaker",
        "山田 花子（サイボウズ）",
        "--no-edit",
    ]);
    kb.ok(&["jot", "--at", "13:05", "eBPFで可観測性 🎉"]);
    let raw = kb.read_bytes("notes/ev/mesh.ron");
    let text = String::from_utf8(raw).unwrap();
    assert!(
        text.contains("    title: \"サービスメッシュ入門\",\n"),
        "{text}"
    );
    assert!(
        text.contains(
            "            name: \"山田 花子\",\n            affiliation: \"サイボウズ\",\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("            text: \"eBPFで可観測性 🎉\",\n"),
        "{text}"
    );
    assert!(!text.contains("\\u"), "no escapes: {text}");
    assert!(!text.contains("Some("), "{text}");
    assert!(
        text.starts_with("Talk(\n    schema: 1,\n    id: \"mesh\",\n"),
        "{text}"
    );
    assert!(text.ends_with(")\n"), "{text}");
    // 4-space indentation throughout.
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        assert_eq!(indent % 4, 0, "{line:?}");
        assert!(!line.starts_with('\t'), "{line:?}");
    }
}

#[test]
fn multi_line_text_stays_multi_line_in_the_file() {
    let kb = kb_with_talk();
    kb.ok(&["jot", "--at", "10:00", "seed"]);
    // A memo written through the interchange format.
    let mut json: serde_json::Value = serde_json::from_str(&stdout(&kb.ok(&["export"]))).unwrap();
    json["events"][0]["talks"][0]["memo"] = "line one\n```yaml\nkey: \"value\"\n```".into();
    kb.write("in.json", json.to_string());
    kb.ok(&["import", "--update", "in.json"]);
    let text = kb.read("notes/ev/t.ron");
    assert!(
        text.contains("memo: r#\"line one\n```yaml\nkey: \"value\"\n```\"#,\n"),
        "{text}"
    );
}

#[cfg(unix)]
#[test]
fn rewrites_keep_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let kb = kb_with_talk();
    let path = kb.path("notes/ev/t.ron");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o644,
        "new notes are ordinary documents"
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    kb.ok(&["jot", "--at", "10:00", "x"]);
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[test]
fn ids_cannot_escape_the_knowledge_base() {
    let kb = kb_with_talk();
    // Bait outside the knowledge base that a traversal would hit.
    kb.write(
        "../x.ron",
        "Talk(\n    id: \"x\",\n    title: \"outside\",\n)\n",
    );
    kb.write(
        "../ev/x.ron",
        "Talk(\n    id: \"x\",\n    title: \"outside\",\n)\n",
    );
    kb.write(
        "../event.ron",
        "Event(\n    id: \"x\",\n    name: \"outside\",\n)\n",
    );
    let before = snapshot(&kb.base);

    for args in [
        &["jot", "--talk", "../x", "pwned"][..],
        &["jot", "--talk", "ev/../x", "pwned"],
        &["jot", "--talk", "ev/../../x", "pwned"],
        &["jot", "--talk", "/etc/passwd", "pwned"],
        &["tool", "x", "--talk", "../ev/x"],
        &["link", "https://x", "--talk", "ev/.."],
        &["tag", "x", "--talk", "ev/event"],
        &["show", "../../etc/passwd"],
        &["show", "ev/../../x"],
        &["show", "../x"],
        &["current", "../x"],
        &["current", "ev/../x"],
        &["edit", "../x"],
        &["edit", "ev/../../x"],
    ] {
        let out = kb.tn().env("EDITOR", "true").args(args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{args:?} did not fail: {}",
            stderr(&out)
        );
        let err = stderr(&out);
        assert!(
            err.contains("is not a valid id")
                || err.contains("an id cannot be empty")
                || err.contains("not a full talk id")
                || err.contains("reserved"),
            "{args:?}: {err}"
        );
        assert!(!stdout(&out).contains("outside"), "{args:?}");
        assert!(!stdout(&out).contains("root:"), "{args:?}");
    }
    for args in [
        &["export", "../x"][..],
        &["list", "--event", "../x"],
        &["new", "T", "--event", "..", "--no-edit"],
        &["new", "T", "--id", "../../x", "--no-edit"],
        &["event", "new", "..", "--name", "x"],
    ] {
        let out = kb.fails_with(args, 2);
        assert!(
            stderr(&out).contains("is not a valid id"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(
        snapshot(&kb.base) == before,
        "something outside or inside the knowledge base changed"
    );
}

const HOSTILE_TITLE: &str =
    "Evil \u{1b}[31mred\u{1b}[0m \u{1b}]52;c;ZXZpbA==\u{7} \u{202e}rtl\u{9b}2J end";

fn assert_no_raw_controls(what: &str, bytes: &[u8]) {
    assert!(
        !bytes.contains(&0x1b),
        "{what}: raw ESC in {:?}",
        String::from_utf8_lossy(bytes)
    );
    assert!(
        !bytes.contains(&0x07),
        "{what}: raw BEL in {:?}",
        String::from_utf8_lossy(bytes)
    );
    let text = String::from_utf8_lossy(bytes);
    assert!(!text.contains('\u{9b}'), "{what}: raw CSI");
    assert!(!text.contains('\u{202e}'), "{what}: raw bidi override");
}

#[test]
fn control_characters_are_shown_escaped() {
    let kb = Kb::with_event();
    kb.ok(&["new", HOSTILE_TITLE, "--id", "evil", "--no-edit"]);
    kb.ok(&["jot", "--at", "10:00", "takeaway \u{1b}[2J cleared"]);
    kb.ok(&["tool", "tool\u{1b}]0;title\u{7}", "https://x\u{1b}[5m"]);
    kb.ok(&["link", "https://example.com", "link \u{1b}[8m hidden"]);
    // Stored as written: the note is the user's data.
    assert_eq!(kb.talk("ev", "evil").title, HOSTILE_TITLE);

    let out = kb.ok(&["list"]);
    assert_no_raw_controls("list", &out.stdout);
    assert!(
        stdout(&out).contains("Evil \\u{1b}[31mred\\u{1b}[0m \\u{1b}]52;c;ZXZpbA==\\u{7}"),
        "{}",
        stdout(&out)
    );

    let out = kb.ok(&["show", "ev/evil"]);
    assert_no_raw_controls("show", &out.stdout);
    let text = stdout(&out);
    assert!(text.starts_with("Evil \\u{1b}[31mred"), "{text}");
    assert!(text.contains("10:00 takeaway \\u{1b}[2J cleared"), "{text}");
    assert!(text.contains("tool\\u{1b}]0;title\\u{7}"), "{text}");
    assert!(text.contains("link \\u{1b}[8m hidden"), "{text}");

    let out = kb.ok(&["show", "ev"]);
    assert_no_raw_controls("show event", &out.stdout);
    let out = kb.ok(&["current"]);
    assert_no_raw_controls("current", &out.stdout);
    assert!(stdout(&out).contains("\\u{1b}]52"), "{}", stdout(&out));

    let out = kb.ok(&["tag", "x\u{1b}[2Jy"]);
    assert_no_raw_controls("tag (stderr)", &out.stderr);
    let out = kb.ok(&["tool", "\u{1b}]52;c;AAAA\u{7}"]);
    assert_no_raw_controls("tool (stderr)", &out.stderr);

    // JSON output escapes C0 controls (ESC, BEL) as JSON does, and keeps the exact text.
    let out = kb.ok(&["show", "ev/evil", "--json"]);
    assert!(
        !out.stdout.contains(&0x1b) && !out.stdout.contains(&0x07),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("\\u001b[31m"), "{}", stdout(&out));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["title"], HOSTILE_TITLE);
    let out = kb.ok(&["list", "--json"]);
    assert!(
        !out.stdout.contains(&0x1b) && !out.stdout.contains(&0x07),
        "{}",
        stdout(&out)
    );
}

#[test]
fn control_characters_in_problems_are_escaped() {
    let kb = Kb::with_event();
    kb.write(
        "notes/ev/bad.ron",
        "Talk(\n    id: \"bad\",\n    title: \"x\",\n    \u{1b}]52;c;AAAA\u{7}: 1,\n)\n",
    );
    let out = kb.fails(&["check"]);
    assert_no_raw_controls("check", &out.stdout);
    assert!(
        stdout(&out).contains("notes/ev/bad.ron:4:"),
        "{}",
        stdout(&out)
    );
    let out = kb.ok(&["list"]);
    assert_no_raw_controls("list warnings", &out.stderr);
    let out = kb.fails(&["show", "ev/bad"]);
    assert_no_raw_controls("show error", &out.stderr);
}

#[test]
fn a_rated_talk_stays_readable_after_tn_rewrites_it() {
    // Rate a talk by hand (as the template shows: `rating: 4,`), then keep jotting.
    let kb = kb_with_talk();
    let editor = kb.script(
        "rate.sh",
        r#"sed -i 's/^    title: "The Talk",$/    title: "The Talk",\n    rating: 4,/' "$1""#,
    );
    let out = kb
        .tn_with_editor(&editor)
        .args(["edit", "ev/t"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(kb.talk("ev", "t").rating.unwrap().get(), 4);

    kb.ok(&["jot", "--at", "10:00", "first"]);
    let text = kb.read("notes/ev/t.ron");
    assert!(
        text.contains("    rating: 4,\n"),
        "the rating is written as the template writes it:\n{text}"
    );
    kb.ok(&["jot", "--at", "10:01", "second"]);
    kb.ok(&["check"]);
    let talk = kb.talk("ev", "t");
    assert_eq!(talk.rating.unwrap().get(), 4);
    assert_eq!(talk.takeaways.len(), 2);
}
