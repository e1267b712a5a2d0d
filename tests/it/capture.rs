//! Capturing during a talk: `jot`, `tool`, `link`, `tag`.

use talknotes::note::Takeaway;

use crate::common::{Kb, is_hhmm, stderr};

fn kb_with_talk() -> Kb {
    let kb = Kb::with_event();
    kb.ok(&["new", "The Talk", "--id", "t", "--no-edit"]);
    kb
}

fn texts(takeaways: &[Takeaway]) -> Vec<&str> {
    takeaways.iter().map(|t| t.text.as_str()).collect()
}

#[test]
fn jot_stamps_the_time_and_appends() {
    let kb = kb_with_talk();
    let out = kb.ok(&["jot", "eBPF", "replaces", "iptables"]);
    assert!(
        stderr(&out).contains("ev/t: 1 takeaway(s)"),
        "{}",
        stderr(&out)
    );
    kb.ok(&["jot", "--at", "10:05", "サイドカー不要"]);
    let talk = kb.talk("ev", "t");
    assert_eq!(
        texts(&talk.takeaways),
        ["eBPF replaces iptables", "サイドカー不要"]
    );
    let at = talk.takeaways[0].at.expect("stamped").to_string();
    assert!(is_hhmm(&at), "{at}");
    assert_eq!(talk.takeaways[1].at.unwrap().to_string(), "10:05");

    let text = kb.read("notes/ev/t.ron");
    assert!(
        text.contains(
            "    takeaways: [\n        Takeaway(\n            text: \"eBPF replaces iptables\",\n            at: \""
        ),
        "{text}"
    );
    assert!(
        text.contains("        Takeaway(\n            text: \"サイドカー不要\",\n            at: \"10:05\",\n        ),\n"),
        "{text}"
    );
}

#[test]
fn jot_rejects_a_bad_time() {
    let kb = kb_with_talk();
    let before = kb.read_bytes("notes/ev/t.ron");
    let out = kb.fails_with(&["jot", "--at", "25:00", "x"], 2);
    assert!(
        stderr(&out).contains("not a valid time"),
        "{}",
        stderr(&out)
    );
    kb.fails_with(&["jot", "--at", "9:05", "x"], 2);
    assert_eq!(kb.read_bytes("notes/ev/t.ron"), before);
}

#[test]
fn jot_to_an_explicit_talk() {
    let kb = kb_with_talk();
    kb.ok(&["new", "Other", "--id", "other", "--no-edit"]);
    // `other` is current now; --talk sends the line elsewhere.
    kb.ok(&["jot", "--talk", "ev/t", "--at", "11:00", "for t"]);
    kb.ok(&["jot", "--at", "11:01", "for other"]);
    assert_eq!(texts(&kb.talk("ev", "t").takeaways), ["for t"]);
    assert_eq!(texts(&kb.talk("ev", "other").takeaways), ["for other"]);

    let out = kb.fails(&["jot", "--talk", "ev/missing", "x"]);
    let err = stderr(&out);
    assert!(err.contains("talk `ev/missing` does not exist"), "{err}");
    assert!(err.contains("hint: list talks with `tn list`"), "{err}");
    assert!(!kb.path("notes/ev/missing.ron").exists());

    let out = kb.fails(&["jot", "--talk", "t", "x"]);
    assert!(
        stderr(&out).contains("not a full talk id"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn jot_dash_reads_lines_from_stdin_skipping_blank_ones() {
    let kb = kb_with_talk();
    let out = kb
        .tn()
        .args(["jot", "-", "--at", "14:00"])
        .write_stdin(
            "first line\n\n   \nsecond: 日本語\r\n  third, indented  \n\nlast without newline",
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("saved 4 takeaway(s) to ev/t"),
        "{}",
        stderr(&out)
    );
    let talk = kb.talk("ev", "t");
    assert_eq!(
        texts(&talk.takeaways),
        [
            "first line",
            "second: 日本語",
            "third, indented",
            "last without newline"
        ]
    );
    assert!(
        talk.takeaways
            .iter()
            .all(|t| t.at.unwrap().to_string() == "14:00")
    );
}

#[test]
fn jot_of_only_blank_text_fails() {
    let kb = kb_with_talk();
    let before = kb.read_bytes("notes/ev/t.ron");
    let out = kb.fails(&["jot", "   "]);
    assert!(stderr(&out).contains("nothing to jot"), "{}", stderr(&out));
    assert_eq!(kb.read_bytes("notes/ev/t.ron"), before);
}

#[test]
fn jot_without_a_current_talk_explains_what_to_do() {
    let kb = Kb::with_event();
    // Only an event is current.
    let out = kb.fails(&["jot", "hello"]);
    let err = stderr(&out);
    assert!(err.contains("error: no current talk"), "{err}");
    assert!(
        err.contains("hint: create one with `tn new TITLE`"),
        "{err}"
    );
    assert!(err.contains("--talk EVENT/TALK"), "{err}");

    let kb = Kb::new();
    let out = kb.fails(&["jot", "hello"]);
    assert!(stderr(&out).contains("no current talk"), "{}", stderr(&out));
    for cmd in [&["tool", "x"][..], &["link", "https://x"], &["tag", "x"]] {
        let out = kb.fails(cmd);
        assert!(
            stderr(&out).contains("no current talk"),
            "{cmd:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn current_pointer_to_a_deleted_talk_is_no_current_talk() {
    let kb = kb_with_talk();
    std::fs::remove_file(kb.path("notes/ev/t.ron")).unwrap();
    let out = kb.fails(&["jot", "x"]);
    assert!(stderr(&out).contains("no current talk"), "{}", stderr(&out));
    assert!(!kb.path("notes/ev/t.ron").exists());
}

#[test]
fn tool_adds_name_and_url_once() {
    let kb = kb_with_talk();
    let out = kb.ok(&["tool", "Cilium"]);
    assert!(
        stderr(&out).contains("added tool Cilium to ev/t"),
        "{}",
        stderr(&out)
    );
    kb.ok(&["tool", "Istio", "https://istio.io/"]);
    // Same name (any case): the URL fills the gap, no duplicate.
    kb.ok(&["tool", "cilium", "https://cilium.io/"]);
    kb.ok(&["tool", "CILIUM", "https://other.example/"]);
    let talk = kb.talk("ev", "t");
    let tools: Vec<(&str, Option<&str>)> = talk
        .tools
        .iter()
        .map(|t| (t.name.as_str(), t.url.as_deref()))
        .collect();
    assert_eq!(
        tools,
        [
            ("Cilium", Some("https://cilium.io/")),
            ("Istio", Some("https://istio.io/"))
        ]
    );
    let text = kb.read("notes/ev/t.ron");
    assert!(
        text.contains("    tools: [\n        Tool(\n            name: \"Cilium\",\n            url: \"https://cilium.io/\",\n        ),\n"),
        "{text}"
    );
}

#[test]
fn link_adds_url_and_title_once() {
    let kb = kb_with_talk();
    let out = kb.ok(&["link", "https://example.com/slides", "Slides"]);
    assert!(
        stderr(&out).contains("added link to ev/t"),
        "{}",
        stderr(&out)
    );
    kb.ok(&["link", "https://example.com/video"]);
    kb.ok(&["link", "https://example.com/slides", "Again"]);
    let talk = kb.talk("ev", "t");
    let links: Vec<(&str, Option<&str>)> = talk
        .links
        .iter()
        .map(|l| (l.url.as_str(), l.title.as_deref()))
        .collect();
    assert_eq!(
        links,
        [
            ("https://example.com/slides", Some("Slides")),
            ("https://example.com/video", None)
        ]
    );
    let text = kb.read("notes/ev/t.ron");
    assert!(
        text.contains("        Link(\n            url: \"https://example.com/slides\",\n            title: \"Slides\",\n        ),\n"),
        "{text}"
    );
}

#[test]
fn tag_adds_without_duplicates() {
    let kb = kb_with_talk();
    let out = kb.ok(&["tag", "a", "b", "a"]);
    assert!(stderr(&out).contains("ev/t tags: a, b"), "{}", stderr(&out));
    kb.ok(&["tag", "b", "c", " ", "--talk", "ev/t"]);
    assert_eq!(kb.talk("ev", "t").tags, ["a", "b", "c"]);
    let text = kb.read("notes/ev/t.ron");
    assert!(
        text.contains("    tags: [\n        \"a\",\n        \"b\",\n        \"c\",\n    ],\n"),
        "{text}"
    );
}

#[test]
fn capture_into_an_invalid_note_fails_without_touching_it() {
    let kb = kb_with_talk();
    let broken = "Talk(\n    id: \"t\",\n    title: \"x\"\n    rating: 3,\n)\n";
    kb.write("notes/ev/t.ron", broken);
    let out = kb.fails(&["jot", "hello"]);
    let err = stderr(&out);
    assert!(err.contains("notes/ev/t.ron:4:5"), "{err}");
    assert_eq!(kb.read("notes/ev/t.ron"), broken);
}
