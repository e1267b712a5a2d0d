//! Writers tn does not know about, at the worst moment: an editor saving the note in place or
//! by rename, and a directory swapped for a link, just before tn renames its new version into
//! place. Made deterministic by the debug build's fault hook (`TN_TEST_BEFORE_RENAME`, a
//! shell command run right before that rename, with `TN_TEST_NOTE` naming the file). Also
//! what an editor can leave instead of `tn edit`'s draft, and a file-size limit.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use talknotes::note::{Takeaway, Talk};
use talknotes::store::codec;

use crate::common::{self, Kb, expect_code, path_after, stderr, stdout, tree};

/// Far longer than any command needs: only a hang reaches it, and it is not a timing claim.
const WATCHDOG: Duration = Duration::from_secs(90);

/// A knowledge base with talk `ev/t` holding one takeaway (the current talk).
fn kb_with_talk() -> Kb {
    let kb = Kb::with_event();
    kb.ok(&["new", "The Talk", "--id", "t", "--no-edit"]);
    kb.ok(&["jot", "--at", "10:00", "first"]);
    kb
}

/// What an editor saves: the note as it is now, plus one takeaway `line`, in a file of its own.
fn editor_version(kb: &Kb, line: &str) -> PathBuf {
    let mut talk = kb.talk("ev", "t");
    talk.takeaways.push(Takeaway {
        text: line.into(),
        at: Some("12:00".parse().unwrap()),
        by: None,
    });
    let path = kb.base.join(format!("{}.ron", fresh("editor")));
    fs::write(&path, codec::to_ron(&talk).unwrap()).unwrap();
    path
}

/// A fresh name for a scratch file beside a knowledge base.
fn fresh(what: &str) -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    format!("{what}-{}", COUNT.fetch_add(1, Ordering::Relaxed))
}

/// A fault hook that runs `body` once, the first time tn is about to rename a new version of
/// `notes/<note>` into place; `fired` tells afterwards whether it did.
struct Hook {
    script: PathBuf,
    marker: PathBuf,
}

impl Hook {
    fn once(kb: &Kb, note: &str, body: &str) -> Hook {
        let name = fresh("hook");
        let marker = kb.base.join(format!("{name}.fired"));
        let script = kb.script(
            &format!("{name}.sh"),
            &format!(
                "case \"$TN_TEST_NOTE\" in */notes/{note}) ;; *) exit 0 ;; esac\n\
                 [ -e '{m}' ] && exit 0\n\
                 : > '{m}'\n\
                 {body}",
                m = marker.display()
            ),
        );
        Hook { script, marker }
    }

    /// `tn ARGS` with the hook, run to its end under a watchdog.
    fn tn(&self, kb: &Kb, args: &[&str]) -> Output {
        let mut cmd = kb.std_tn();
        cmd.args(args)
            .env("TN_TEST_BEFORE_RENAME", &self.script)
            .env("LANG", "C.UTF-8")
            .env("TZ", "UTC")
            .stdin(Stdio::null());
        self.run(cmd, args)
    }

    fn run(&self, cmd: Command, args: &[&str]) -> Output {
        let out = common::run_bounded(cmd, WATCHDOG, &format!("tn {args:?}"));
        assert!(
            self.marker.exists(),
            "the fault hook did not run for tn {args:?} (a release build has none)\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }
}

fn texts(talk: &Talk) -> Vec<&str> {
    talk.takeaways.iter().map(|t| t.text.as_str()).collect()
}

// ---------------------------------------------------------------------------------------
// Item 1 of issue 18: an editor's save between tn's check and tn's rename

#[test]
fn every_capture_keeps_an_editor_save_made_just_before_its_rename() {
    // Regression: the save was silently replaced by tn's version (1,217 of 4,885 saves lost
    // to a `jot` loop when the editor saved every 3 ms).
    type Check = fn(&Talk) -> bool;
    let cases: [(&[&str], Check); 5] = [
        (&["jot", "--at", "10:01", "tn's line"], |t| {
            texts(t).contains(&"tn's line")
        }),
        (&["tool", "Cilium", "https://cilium.io/"], |t| {
            t.tools.iter().any(|x| x.name == "Cilium")
        }),
        (&["link", "https://example.com/slides", "Slides"], |t| {
            t.links
                .iter()
                .any(|l| l.url == "https://example.com/slides")
        }),
        (&["tag", "ebpf"], |t| t.tags.iter().any(|x| x == "ebpf")),
        (&["jot", "-", "--at", "10:01"], |t| {
            texts(t).contains(&"tn's line")
        }),
    ];
    for (args, has_change) in cases {
        for (how, body) in [
            ("in place", "cat '{editor}' > \"$TN_TEST_NOTE\""),
            (
                "by rename",
                "cp '{editor}' \"$TN_TEST_NOTE.swp\" && mv \"$TN_TEST_NOTE.swp\" \"$TN_TEST_NOTE\"",
            ),
        ] {
            let kb = kb_with_talk();
            let editor = editor_version(&kb, "the editor's line");
            let hook = Hook::once(
                &kb,
                "ev/t.ron",
                &body.replace("{editor}", &editor.display().to_string()),
            );
            // `jot -` reads its line from standard input.
            let input = kb.base.join("input.txt");
            fs::write(&input, "tn's line\n").unwrap();
            let mut cmd = kb.std_tn();
            cmd.args(args)
                .env("TN_TEST_BEFORE_RENAME", &hook.script)
                .env("TZ", "UTC")
                .stdin(fs::File::open(&input).unwrap());
            let out = hook.run(cmd, args);
            expect_code(&out, 0, &format!("{args:?}, editor saving {how}"));
            let talk = kb.talk("ev", "t");
            assert!(
                texts(&talk).contains(&"the editor's line"),
                "{args:?} {how}: the editor's save was lost: {talk:#?}"
            );
            assert!(has_change(&talk), "{args:?} {how}: tn's change was lost");
            assert!(texts(&talk).contains(&"first"));
            assert!(kb.files_named_like(".tn-").is_empty(), "{args:?} {how}");
            kb.ok(&["check"]);
        }
    }
}

#[test]
fn a_write_by_a_program_that_opened_the_note_during_the_save_is_not_lost() {
    // A program opens the note for writing (without truncating it) just before tn's rename
    // and writes only later: had tn replaced the note, that write would go into the old file
    // and be lost. tn sees the writer, lets it finish, and applies its jot to the result.
    let kb = kb_with_talk();
    let editor = editor_version(&kb, "written late");
    let hook = Hook::once(
        &kb,
        "ev/t.ron",
        &format!(
            "exec 3<>\"$TN_TEST_NOTE\"\n(sleep 0.3; cat '{}' >&3) &",
            editor.display()
        ),
    );
    let out = hook.tn(&kb, &["jot", "--at", "10:01", "tn's line"]);
    expect_code(&out, 0, "jot");
    let talk = kb.talk("ev", "t");
    assert_eq!(texts(&talk), ["first", "written late", "tn's line"]);
}

#[test]
fn tn_edit_merges_an_editor_save_made_just_before_its_rename() {
    let kb = kb_with_talk();
    let outside = editor_version(&kb, "saved by another editor");
    let hook = Hook::once(
        &kb,
        "ev/t.ron",
        &format!("cat '{}' > \"$TN_TEST_NOTE\"", outside.display()),
    );
    let mine = kb.script(
        "mine.sh",
        r#"sed -i 's/title: "The Talk"/title: "My Title"/' "$1""#,
    );
    let mut cmd = kb.std_tn();
    cmd.args(["edit", "ev/t"])
        .env("EDITOR", &mine)
        .env("TN_TEST_BEFORE_RENAME", &hook.script)
        .stdin(Stdio::null());
    let out = hook.run(cmd, &["edit"]);
    expect_code(&out, 0, "edit");
    // Both changes are in the note: the edit's title and the other editor's takeaway.
    let talk = kb.talk("ev", "t");
    assert_eq!(talk.title, "My Title");
    assert_eq!(texts(&talk), ["first", "saved by another editor"]);
    assert!(talk.conflicts.is_empty(), "{talk:?}");
}

#[test]
fn tn_edit_keeps_both_versions_when_an_editor_save_cannot_be_merged() {
    // The other editor's version has a comment, which a merged rewrite would drop: it stays as
    // it is, and the user's version is kept as a draft.
    let kb = kb_with_talk();
    let outside = editor_version(&kb, "saved by another editor");
    let commented = format!(
        "// my own comment\n{}",
        fs::read_to_string(&outside).unwrap()
    );
    fs::write(&outside, commented).unwrap();
    let hook = Hook::once(
        &kb,
        "ev/t.ron",
        &format!("cat '{}' > \"$TN_TEST_NOTE\"", outside.display()),
    );
    let mine = kb.script(
        "mine.sh",
        r#"sed -i 's/title: "The Talk"/title: "My Title"/' "$1""#,
    );
    let mut cmd = kb.std_tn();
    cmd.args(["edit", "ev/t"])
        .env("EDITOR", &mine)
        .env("TN_TEST_BEFORE_RENAME", &hook.script)
        .stdin(Stdio::null());
    let out = hook.run(cmd, &["edit"]);
    expect_code(&out, 1, "edit");
    let err = stderr(&out);
    assert!(
        err.contains("changed on disk while you were editing"),
        "{err}"
    );
    assert_eq!(kb.read_bytes("notes/ev/t.ron"), fs::read(&outside).unwrap());
    let draft = path_after(&err, "your version is kept at ");
    assert!(fs::read_to_string(draft).unwrap().contains("My Title"));
}

#[test]
fn an_import_racing_an_editor_merges_both_versions() {
    let kb = kb_with_talk();
    let mut json: serde_json::Value = serde_json::from_slice(&kb.ok(&["export"]).stdout).unwrap();
    json["events"][0]["talks"][0]["title"] = "Imported Title".into();
    fs::write(kb.tmp.join("in.json"), json.to_string()).unwrap();
    let outside = editor_version(&kb, "saved by an editor");
    let hook = Hook::once(
        &kb,
        "ev/t.ron",
        &format!("cat '{}' > \"$TN_TEST_NOTE\"", outside.display()),
    );
    let out = hook.tn(&kb, &["import", "--update", "../tmp/in.json"]);
    expect_code(&out, 0, "import");
    let talk = kb.talk("ev", "t");
    assert_eq!(talk.title, "Imported Title");
    assert_eq!(texts(&talk), ["first", "saved by an editor"]);
}

#[test]
fn an_import_racing_an_editor_that_changed_the_same_field_keeps_both_values() {
    let kb = kb_with_talk();
    let mut json: serde_json::Value = serde_json::from_slice(&kb.ok(&["export"]).stdout).unwrap();
    json["events"][0]["talks"][0]["title"] = "Imported Title".into();
    fs::write(kb.tmp.join("in.json"), json.to_string()).unwrap();
    let mut talk = kb.talk("ev", "t");
    talk.title = "Editor Title".into();
    let outside = kb.base.join("editor-title.ron");
    fs::write(&outside, codec::to_ron(&talk).unwrap()).unwrap();
    let hook = Hook::once(
        &kb,
        "ev/t.ron",
        &format!("cat '{}' > \"$TN_TEST_NOTE\"", outside.display()),
    );
    let out = hook.tn(&kb, &["import", "--update", "../tmp/in.json"]);
    expect_code(&out, 0, "import");
    // Neither title is lost: the import's stays in the field, the editor's is recorded as a
    // conflict, which `tn check` reports until the user resolves it.
    let talk = kb.talk("ev", "t");
    assert_eq!(talk.title, "Imported Title");
    assert_eq!(talk.conflicts.len(), 1, "{talk:?}");
    assert!(
        talk.conflicts[0].theirs.contains("Editor Title"),
        "{talk:?}"
    );
    let check = kb.tn().arg("check").output().unwrap();
    expect_code(&check, 1, "check");
    assert!(stdout(&check).contains("title"), "{}", stdout(&check));
}

#[test]
fn a_schedule_update_racing_an_editor_keeps_both() {
    // A schedule sets only its own fields: applied again to the editor's version, both stay.
    let kb = Kb::new();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schedule = repo.join("tests/data/schedules/pretalx-cnk2025.json");
    kb.ok(&["import", schedule.to_str().unwrap()]);
    let mut json: serde_json::Value =
        serde_json::from_slice(&fs::read(&schedule).unwrap()).unwrap();
    let rooms = json["schedule"]["conference"]["days"][0]["rooms"]
        .as_object_mut()
        .unwrap();
    let session = &mut rooms.values_mut().next().unwrap()[0];
    session["title"] = "Renamed by the organisers".into();
    fs::write(kb.tmp.join("updated.json"), json.to_string()).unwrap();
    // The note of the renamed session: the one the update would change.
    let before = kb.snapshot();
    let out = kb.ok(&["import", "--dry-run", "../tmp/updated.json"]);
    let line = stdout(&out)
        .lines()
        .find(|l| l.starts_with("would update "))
        .unwrap_or_else(|| panic!("{}", stdout(&out)))
        .to_owned();
    let note = line
        .trim_start_matches("would update ")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert!(kb.snapshot() == before);
    let (event, talk) = note.split_once('/').unwrap();
    let mut edited = kb.talk(event, talk);
    edited.takeaways.push(Takeaway {
        text: "jotted in an editor".into(),
        at: None,
        by: None,
    });
    let outside = kb.base.join("outside-schedule.ron");
    fs::write(&outside, codec::to_ron(&edited).unwrap()).unwrap();
    let hook = Hook::once(
        &kb,
        &format!("{note}.ron"),
        &format!("cat '{}' > \"$TN_TEST_NOTE\"", outside.display()),
    );
    let out = hook.tn(&kb, &["import", "../tmp/updated.json"]);
    expect_code(&out, 0, "schedule update");
    let after = kb.talk(event, talk);
    assert_eq!(after.title, "Renamed by the organisers");
    assert_eq!(texts(&after), ["jotted in an editor"]);
}

// ---------------------------------------------------------------------------------------
// Item 5: a directory swapped for a link while tn writes

/// An outside directory holding a copy of the event directory, as an attacker would prepare
/// it so that nothing looks different through the link.
fn outside_copy(kb: &Kb) -> PathBuf {
    let outside = kb.base.join("outside");
    common::copy_dir(&kb.path("notes/ev"), &outside);
    outside
}

#[test]
fn no_write_goes_through_an_event_directory_swapped_for_a_link() {
    // Regression: the note landed in the directory the link pointed to, and tn said "saved".
    for args in [
        &["jot", "--talk", "ev/t", "--at", "10:01", "pwned"][..],
        &["tag", "--talk", "ev/t", "pwned"],
        &["new", "New", "--id", "n", "--event", "ev", "--no-edit"],
    ] {
        let kb = kb_with_talk();
        let outside = outside_copy(&kb);
        let moved = kb.base.join("moved");
        let note = if args[0] == "new" {
            "ev/n.ron"
        } else {
            "ev/t.ron"
        };
        let hook = Hook::once(
            &kb,
            note,
            &format!(
                "mv '{ev}' '{moved}' && ln -s '{outside}' '{ev}'",
                ev = kb.path("notes/ev").display(),
                moved = moved.display(),
                outside = outside.display()
            ),
        );
        let before_outside = tree(&outside);
        let before_note = kb.read_bytes("notes/ev/t.ron");
        let out = hook.tn(&kb, args);
        expect_code(&out, 1, &format!("{args:?}"));
        let err = stderr(&out);
        assert!(
            err.contains("notes/ev was moved or replaced while tn was saving"),
            "{args:?}: {err}"
        );
        assert!(err.contains("nothing was written"), "{args:?}: {err}");
        assert_eq!(tree(&outside), before_outside, "{args:?} wrote outside");
        // The directory that was moved is as it was: what tn wrote was taken back.
        assert_eq!(fs::read(moved.join("t.ron")).unwrap(), before_note);
        assert!(!moved.join("n.ron").exists(), "{args:?}");
        let leftovers: Vec<_> = fs::read_dir(&moved)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().starts_with(".tn-"))
            .collect();
        assert!(leftovers.is_empty(), "{args:?}: {leftovers:?}");
    }
}

#[test]
fn tn_edit_never_saves_through_an_event_directory_swapped_for_a_link() {
    // Regression: `tn edit` with a slow editor; meanwhile `notes/ev` became a link to a copy
    // outside, and tn wrote the edit there.
    let kb = kb_with_talk();
    let outside = outside_copy(&kb);
    let moved = kb.base.join("moved");
    let editor = kb.script(
        "swap.sh",
        &format!(
            "mv '{ev}' '{moved}' && ln -s '{outside}' '{ev}'\nsed -i 's/The Talk/Edited/' \"$1\"",
            ev = kb.path("notes/ev").display(),
            moved = moved.display(),
            outside = outside.display()
        ),
    );
    let before_outside = tree(&outside);
    let before_note = kb.read_bytes("notes/ev/t.ron");
    let mut cmd = kb.std_tn();
    cmd.args(["edit", "ev/t"])
        .env("EDITOR", &editor)
        .stdin(Stdio::null());
    let out = common::run_bounded(cmd, WATCHDOG, "tn edit");
    expect_code(&out, 1, "edit");
    let err = stderr(&out);
    assert!(err.contains("notes/ev: is a symbolic link"), "{err}");
    assert!(!err.contains("saved"), "{err}");
    let draft = path_after(&err, "your draft is kept at ");
    assert!(fs::read_to_string(draft).unwrap().contains("Edited"));
    assert_eq!(tree(&outside), before_outside, "tn edit wrote outside");
    assert_eq!(fs::read(moved.join("t.ron")).unwrap(), before_note);
}

// ---------------------------------------------------------------------------------------
// Items 7 and 9: what an editor leaves instead of the draft

#[test]
fn the_draft_is_read_back_like_a_note() {
    // Regressions: a link left as the draft was followed (its target echoed in the error), a
    // named pipe hung `tn edit`, and a 100 MB draft was read whole.
    let kb = kb_with_talk();
    let secret = kb.base.join("secret.txt");
    fs::write(&secret, "root:x:0:0:OUTSIDE SECRET\n").unwrap();
    let big = "x".repeat(9 << 20);
    fs::write(kb.base.join("big.txt"), format!("Talk(memo: \"{big}\")")).unwrap();
    let before = kb.read_bytes("notes/ev/t.ron");
    for (name, body, problem, kept) in [
        (
            "link.sh",
            format!("rm \"$1\" && ln -s '{}' \"$1\"", secret.display()),
            "the editor left a symbolic link instead of the draft",
            false,
        ),
        (
            "fifo.sh",
            "rm \"$1\" && mkfifo \"$1\"".to_owned(),
            "the editor left a named pipe (FIFO) instead of the draft",
            false,
        ),
        (
            "dir.sh",
            "rm \"$1\" && mkdir \"$1\"".to_owned(),
            "the editor left a directory instead of the draft",
            false,
        ),
        (
            "big.sh",
            format!("cp '{}' \"$1\"", kb.base.join("big.txt").display()),
            "the draft is larger than the 8 MiB a note may hold",
            true,
        ),
    ] {
        let editor = kb.script(name, &body);
        let mut cmd = kb.std_tn();
        cmd.args(["edit", "ev/t"])
            .env("EDITOR", &editor)
            .stdin(Stdio::null());
        let out = common::run_bounded(cmd, WATCHDOG, name);
        expect_code(&out, 1, name);
        let err = stderr(&out);
        assert!(err.contains(problem), "{name}: {err}");
        assert!(
            err.contains("notes/ev/t.ron was not changed"),
            "{name}: {err}"
        );
        assert!(!err.contains("SECRET"), "{name}: {err}");
        assert!(!stdout(&out).contains("SECRET"), "{name}");
        assert_eq!(err.contains("your draft is kept at"), kept, "{name}: {err}");
        assert_eq!(kb.read_bytes("notes/ev/t.ron"), before, "{name}");
    }
    assert_eq!(
        fs::read_to_string(&secret).unwrap(),
        "root:x:0:0:OUTSIDE SECRET\n"
    );
}

// ---------------------------------------------------------------------------------------
// Item 10: a file-size limit

#[test]
fn a_file_size_limit_is_reported_naming_the_note() {
    // Regression: `tn jot` under `ulimit -f 1` was killed by SIGXFSZ (exit 153) without a word.
    let kb = kb_with_talk();
    for i in 0..12 {
        kb.ok(&[
            "jot",
            "--at",
            "10:02",
            &format!("line {i} to grow the note"),
        ]);
    }
    let before = kb.read_bytes("notes/ev/t.ron");
    assert!(
        before.len() > 512,
        "the note must exceed one 512-byte block"
    );
    for args in [
        &["jot", "--at", "10:03", "one more"][..],
        &["tool", "Cilium"],
        &["tag", "ebpf"],
    ] {
        // Without `trap '' XFSZ`: tn itself must keep the signal from killing it.
        let cmd = common::tn_after_shell(&kb, "ulimit -f 1", args);
        let out = common::run_bounded(cmd, WATCHDOG, &format!("{args:?}"));
        expect_code(&out, 1, &format!("{args:?} under ulimit -f 1"));
        let err = stderr(&out);
        assert!(
            err.contains("notes/ev/t.ron: cannot save: File too large"),
            "{args:?}: {err}"
        );
        assert!(err.contains("nothing was written"), "{args:?}: {err}");
        assert_eq!(kb.read_bytes("notes/ev/t.ron"), before, "{args:?}");
        assert!(kb.files_named_like(".tn-").is_empty(), "{args:?}");
    }
}

// ---------------------------------------------------------------------------------------
// Item 11: a UTF-8 byte order mark

const BOM: &str = "\u{feff}";

#[test]
fn a_note_saved_with_a_byte_order_mark_is_read_searched_and_keeps_it() {
    // Regression: "Expected opening `(`" at 1:1, and the note vanished from search.
    let kb = kb_with_talk();
    let text = format!(
        "{BOM}Talk(\n    schema: 1,\n    id: \"bom\",\n    title: \"メモ帳で保存したノート\",\n    takeaways: [\n        Takeaway(text: \"ByteOrderMark 付きでも検索できる\"),\n    ],\n)\n"
    );
    kb.write("notes/ev/bom.ron", &text);
    let out = kb.ok(&["check"]);
    assert!(stderr(&out).contains("no problems"), "{}", stderr(&out));
    let out = kb.ok(&["search", "ByteOrderMark"]);
    assert!(stdout(&out).contains("ev/bom"), "{}", stdout(&out));
    assert!(stdout(&kb.ok(&["list"])).contains("ev/bom"));
    // A capture rewrites the note and keeps the mark, as the README says.
    kb.ok(&["jot", "--talk", "ev/bom", "--at", "10:00", "追記"]);
    let after = kb.read("notes/ev/bom.ron");
    assert!(after.starts_with(&format!("{BOM}Talk(\n")), "{after:?}");
    assert_eq!(kb.talk("ev", "bom").takeaways.len(), 2);
    let out = kb.ok(&["search", "追記"]);
    assert!(stdout(&out).contains("ev/bom"), "{}", stdout(&out));
}

#[test]
fn errors_in_a_note_with_a_byte_order_mark_point_at_the_right_place() {
    let kb = kb_with_talk();
    kb.write(
        "notes/ev/bom.ron",
        format!("{BOM}Talk(\n    id: \"bom\",\n    title: \"x\",\n    colour: 3,\n)\n"),
    );
    kb.write(
        "notes/ev/first.ron",
        format!("{BOM}Tlak(\n    id: \"first\",\n)\n"),
    );
    let out = kb.fails(&["check"]);
    let report = stdout(&out);
    assert!(
        report.contains("notes/ev/bom.ron:4:5: unknown field `colour`"),
        "{report}"
    );
    assert!(report.contains("notes/ev/first.ron:1:1: "), "{report}");
}

#[test]
fn imports_with_a_byte_order_mark_work() {
    // Regression: BOM-prefixed JSON failed like a broken file.
    let kb = kb_with_talk();
    let export = stdout(&kb.ok(&["export"]));
    let other = Kb::new();
    fs::write(other.tmp.join("in.json"), format!("{BOM}{export}")).unwrap();
    other.ok(&["import", "../tmp/in.json"]);
    assert_eq!(texts(&other.talk("ev", "t")), ["first"]);
    // A JSON error in such a file is placed as without the mark.
    fs::write(
        other.tmp.join("bad.json"),
        format!("{BOM}{{\n  \"events\": [,]\n}}"),
    )
    .unwrap();
    let out = other.fails(&["import", "../tmp/bad.json"]);
    assert!(stderr(&out).contains("line 2 column"), "{}", stderr(&out));
    // Schedules too.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schedule =
        fs::read_to_string(repo.join("tests/data/schedules/pretalx-cnk2025.json")).unwrap();
    let third = Kb::new();
    fs::write(third.tmp.join("s.json"), format!("{BOM}{schedule}")).unwrap();
    let out = third.ok(&["import", "../tmp/s.json"]);
    assert!(stdout(&out).contains("created "), "{}", stdout(&out));
}
