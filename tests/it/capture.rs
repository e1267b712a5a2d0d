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
    for bad in ["9:5", "009:05", "9.05", "24:00"] {
        kb.fails_with(&["jot", "--at", bad, "x"], 2);
    }
    assert_eq!(kb.read_bytes("notes/ev/t.ron"), before);
}

#[test]
fn clock_times_on_the_command_line_take_h_mm() {
    // Regression: `--at 9:30` was rejected; only HH:MM was.
    let kb = Kb::with_event();
    kb.ok(&[
        "new",
        "Morning",
        "--id",
        "t",
        "--date",
        "2024-06-01",
        "--start",
        "9:30",
        "--end",
        "１０：１０",
        "--no-edit",
    ]);
    kb.ok(&["jot", "--at", "9:35", "early"]);
    let talk = kb.talk("ev", "t");
    assert_eq!(talk.start.unwrap().to_string(), "09:30");
    assert_eq!(talk.end.unwrap().to_string(), "10:10");
    assert_eq!(talk.takeaways[0].at.unwrap().to_string(), "09:35");
    // The file keeps the one form.
    assert!(kb.read("notes/ev/t.ron").contains("start: \"09:30\""));
    let out = kb.ok(&["now", "--at", "2024-06-01 9:40"]);
    assert!(
        crate::common::stdout(&out).contains("ev/t"),
        "{}",
        crate::common::stdout(&out)
    );
    let out = kb.fails_with(&["now", "--at", "2024-06-01 9:4"], 2);
    assert!(
        stderr(&out).contains("write \"YYYY-MM-DD H:MM\""),
        "{}",
        stderr(&out)
    );
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
    // Regression (a new user's trial): `tn tool Grafana Mimir` saved "Mimir" as Grafana's
    // URL. A second word that is no address is refused, and the note is left alone.
    let out = kb.tn().args(["tool", "Grafana", "Mimir"]).output().unwrap();
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("`Mimir` is not a URL") && stderr(&out).contains("tn tool Mimir"),
        "{}",
        stderr(&out)
    );
    assert_eq!(kb.read("notes/ev/t.ron"), text);
    // An address without a scheme is one; a version is not.
    kb.ok(&["tool", "Hubble", "github.com/cilium/hubble"]);
    let out = kb
        .tn()
        .args(["tool", "Kubernetes", "v1.30"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{}", stderr(&out));
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

/// `tn jot -` running with its standard input and standard error as pipes the test holds:
/// lines go in one at a time while the test breaks and mends the knowledge base.
struct Jotting {
    child: std::process::Child,
    stdin: Option<std::process::ChildStdin>,
    said: std::sync::Arc<std::sync::Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Jotting {
    fn start(kb: &Kb) -> Jotting {
        use std::io::Read;
        use std::process::Stdio;
        let mut child = kb
            .std_tn()
            .args(["jot", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take();
        let mut stderr = child.stderr.take().unwrap();
        let said = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = said.clone();
        let reader = std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        Jotting {
            child,
            stdin,
            said,
            reader: Some(reader),
        }
    }

    fn send(&mut self, line: &str) {
        use std::io::Write;
        let stdin = self.stdin.as_mut().expect("input still open");
        stdin.write_all(format!("{line}\n").as_bytes()).unwrap();
        stdin.flush().unwrap();
    }

    fn said(&self) -> String {
        self.said.lock().unwrap().clone()
    }

    /// Waits (at most 30 s) until `done` holds; fails with what tn said.
    fn wait_for(&mut self, what: &str, mut done: impl FnMut(&Jotting) -> bool) {
        let started = std::time::Instant::now();
        while !done(self) {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("tn jot - exited ({status}) before {what}:\n{}", self.said());
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "{what} did not happen; tn said:\n{}",
                self.said()
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// Closes its input and waits for it to end; its exit code and all it said.
    fn end(mut self) -> (Option<i32>, String) {
        drop(self.stdin.take());
        let status = self.child.wait().unwrap();
        self.reader.take().unwrap().join().unwrap();
        (status.code(), self.said())
    }
}

fn takeaway_texts(kb: &Kb) -> Vec<String> {
    kb.talk("ev", "t")
        .takeaways
        .iter()
        .map(|t| t.text.clone())
        .collect()
}

/// A named pipe where the writer lock belongs: every save fails at once (tn opens only
/// regular files there), whoever runs the test, root included.
fn break_saves(kb: &Kb) {
    let lock = kb.path("index/.write.lock");
    let _ = std::fs::remove_file(&lock);
    let made = std::process::Command::new("mkfifo")
        .arg(&lock)
        .status()
        .unwrap();
    assert!(made.success());
}

fn mend_saves(kb: &Kb) {
    std::fs::remove_file(kb.path("index/.write.lock")).unwrap();
}

#[test]
fn jot_dash_holds_lines_it_cannot_save_and_saves_them_once_it_can() {
    // Regression: the first failed save ended `tn jot -`; the lines after it were dropped
    // (from a pipe) or ran as shell commands (typed in a terminal).
    let kb = kb_with_talk();
    let mut jot = Jotting::start(&kb);
    jot.send("first");
    jot.wait_for("the first line saved", |_| takeaway_texts(&kb) == ["first"]);
    break_saves(&kb);
    jot.send("second");
    jot.wait_for("the second line held", |j| {
        j.said().contains("holding 1 unsaved line(s)")
    });
    jot.send("third");
    jot.wait_for("the third line held", |j| {
        j.said().contains("holding 2 unsaved line(s)")
    });
    let said = jot.said();
    assert!(
        said.contains("could not save line 2 to ev/t: ")
            && said.contains(".write.lock: expected a regular file but found a named pipe"),
        "{said}"
    );
    let recovery = crate::common::path_after(&said, "in memory and in ");
    let recovery = recovery.to_str().unwrap().trim_end_matches(';');
    assert_eq!(
        std::fs::read_to_string(recovery).unwrap(),
        "second\nthird\n"
    );
    assert_eq!(takeaway_texts(&kb), ["first"]);

    mend_saves(&kb);
    jot.send("fourth");
    jot.wait_for("the held lines saved", |_| takeaway_texts(&kb).len() == 4);
    let (code, said) = jot.end();
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(takeaway_texts(&kb), ["first", "second", "third", "fourth"]);
    assert!(said.contains("saved the 2 held line(s) to ev/t"), "{said}");
    assert!(said.contains("saved 4 takeaway(s) to ev/t"), "{said}");
    // Everything is in the note: no recovery file is left to mislead.
    assert!(!std::path::Path::new(recovery).exists());
}

#[test]
fn jot_dash_reads_to_the_end_and_lists_and_keeps_what_it_could_not_save() {
    let kb = kb_with_talk();
    let mut jot = Jotting::start(&kb);
    jot.send("first");
    jot.wait_for("the first line saved", |_| takeaway_texts(&kb) == ["first"]);
    break_saves(&kb);
    for line in ["second", "", "third 三番目"] {
        jot.send(line);
    }
    jot.wait_for("both lines held", |j| {
        j.said().contains("holding 2 unsaved line(s)")
    });
    let (code, said) = jot.end();
    assert_eq!(code, Some(1), "{said}");
    assert!(
        said.contains("error: 2 of 3 line(s) could not be saved to ev/t: "),
        "{said}"
    );
    assert!(
        said.contains("\n  hint: remove it; tn recreates what belongs there\n"),
        "{said}"
    );
    let listed: Vec<&str> = said
        .lines()
        .skip_while(|l| !l.starts_with("not saved"))
        .skip(1)
        .collect();
    assert_eq!(listed.len(), 2, "{said}");
    assert!(listed[0].ends_with("  second") && listed[1].ends_with("  third 三番目"));
    let recovery = crate::common::path_after(&said, "not saved (kept in ");
    let recovery = recovery.to_str().unwrap().trim_end_matches(';');
    assert!(recovery.starts_with(kb.tmp.to_str().unwrap()), "{recovery}");
    assert_eq!(
        std::fs::read_to_string(recovery).unwrap(),
        "second\nthird 三番目\n"
    );
    mend_saves(&kb);
    assert_eq!(takeaway_texts(&kb), ["first"]);
    // The file is what `tn jot -` reads: the lines go in as they were typed.
    let text = std::fs::read(recovery).unwrap();
    kb.tn()
        .args(["jot", "-"])
        .write_stdin(text)
        .assert()
        .success();
    assert_eq!(takeaway_texts(&kb), ["first", "second", "third 三番目"]);
}
