//! Hostile files: what a knowledge base can contain that tn did not write.
//!
//! Symbolic links out of `notes/`, named pipes and directories where notes belong, a 100 MB
//! note, unreadable files, a read-only knowledge base and a full disk. For each, every command
//! finishes (a watchdog fails the test instead of hanging), says which file is the problem,
//! goes on with the other notes where it safely can, loses or half-writes no note, and reads
//! and writes nothing outside the knowledge base.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::common::{self, Kb, expect_code, snapshot, stderr, stdout, tree};

/// Far longer than any command needs: only a hang reaches it, and it is not a timing claim.
const WATCHDOG: Duration = Duration::from_secs(90);

const SECRET: &str = "OUTSIDE SECRET";

fn run_bounded(mut cmd: Command, what: &str) -> Output {
    cmd.stdin(Stdio::null());
    common::run_bounded(cmd, WATCHDOG, what)
}

/// `tn ARGS` in the knowledge base, run to its end under the watchdog.
fn tn(kb: &Kb, args: &[&str]) -> Output {
    let mut cmd = kb.std_tn();
    cmd.args(args).env("LANG", "C.UTF-8").env("TZ", "UTC");
    run_bounded(cmd, &format!("tn {args:?}"))
}

fn kb_with_talk() -> Kb {
    let kb = Kb::with_event();
    kb.ok(&["new", "Good Talk", "--id", "good", "--no-edit"]);
    kb.ok(&["jot", "--at", "10:00", "still here"]);
    kb
}

fn talk_text(id: &str, title: &str) -> String {
    format!("Talk(\n    id: \"{id}\",\n    title: \"{title}\",\n)\n")
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Files outside the knowledge base (its siblings in the scratch directory), to prove none
/// is created, changed or removed.
fn outside(kb: &Kb) -> BTreeMap<PathBuf, String> {
    let mut all = tree(&kb.base);
    all.retain(|p, _| !p.starts_with("kb") && !p.starts_with("tmp"));
    all
}

// ---------------------------------------------------------------------------------------
// Symbolic links

#[test]
fn symlinks_in_notes_never_lead_outside() {
    let kb = kb_with_talk();
    // Outside: a valid note and event with a secret title, and a named pipe, which blocks
    // whoever opens it for reading: a command that reads through a link would hang.
    let out_dir = kb.base.join("outside");
    fs::create_dir_all(&out_dir).unwrap();
    fs::write(out_dir.join("sec.ron"), talk_text("sec", SECRET)).unwrap();
    fs::write(
        out_dir.join("event.ron"),
        format!("Event(\n    id: \"evx\",\n    name: \"{SECRET}\",\n)\n"),
    )
    .unwrap();
    mkfifo(&out_dir.join("pipe.ron"));
    std::os::unix::fs::symlink(out_dir.join("sec.ron"), kb.path("notes/ev/link.ron")).unwrap();
    std::os::unix::fs::symlink(out_dir.join("pipe.ron"), kb.path("notes/ev/pipe.ron")).unwrap();
    std::os::unix::fs::symlink(&out_dir, kb.path("notes/evx")).unwrap();
    let editor = kb.script("edit.sh", r#"echo pwned >> "$1""#);
    let before_outside = outside(&kb);
    let before_notes = tree(&kb.path("notes"));

    // Whole-knowledge-base commands warn about each link by name and go on.
    for args in [
        &["list"][..],
        &["list", "--events"],
        &["export", "--skip-invalid"],
        &["export", "--format", "md", "--skip-invalid"],
        &["search", "OUTSIDE"],
        &["search", "still"],
        &["tools"],
    ] {
        let out = tn(&kb, args);
        expect_code(&out, 0, &format!("{args:?}"));
        assert!(!stdout(&out).contains(SECRET), "{args:?}: {}", stdout(&out));
    }
    let out = tn(&kb, &["list"]);
    assert!(stdout(&out).contains("ev/good"), "{}", stdout(&out));
    let err = stderr(&out);
    for link in ["notes/ev/link.ron", "notes/ev/pipe.ron", "notes/evx"] {
        assert!(
            err.contains(&format!("{link}: is a symbolic link")),
            "{link}: {err}"
        );
    }
    assert!(stdout(&tn(&kb, &["search", "still"])).contains("ev/good"));
    let out = tn(&kb, &["check"]);
    expect_code(&out, 1, "check");
    assert_eq!(stdout(&out).matches("is a symbolic link").count(), 3);

    // Commands on one note refuse the link, naming it.
    for (args, link) in [
        (&["show", "ev/link"][..], "notes/ev/link.ron"),
        (&["show", "ev/pipe"], "notes/ev/pipe.ron"),
        (&["show", "evx/sec"], "notes/evx"),
        (&["show", "evx"], "notes/evx"),
        (&["jot", "--talk", "ev/link", "pwned"], "notes/ev/link.ron"),
        (&["jot", "--talk", "ev/pipe", "pwned"], "notes/ev/pipe.ron"),
        (&["jot", "--talk", "evx/sec", "pwned"], "notes/evx"),
        (&["tool", "x", "--talk", "ev/link"], "notes/ev/link.ron"),
        (&["link", "https://x", "--talk", "evx/sec"], "notes/evx"),
        (&["tag", "x", "--talk", "ev/link"], "notes/ev/link.ron"),
        (
            &["new", "T", "--id", "link", "--event", "ev", "--no-edit"],
            "notes/ev/link.ron",
        ),
        (
            &["new", "T", "--id", "y", "--event", "evx", "--no-edit"],
            "notes/evx",
        ),
        (&["event", "new", "evx", "--name", "x"], "notes/evx"),
        (&["current", "ev/link"], "notes/ev/link.ron"),
        (&["edit", "ev/link"], "notes/ev/link.ron"),
        (&["edit", "ev/pipe"], "notes/ev/pipe.ron"),
        (&["edit", "evx/sec"], "notes/evx"),
    ] {
        let mut cmd = kb.std_tn();
        cmd.args(args).env("EDITOR", &editor);
        let out = run_bounded(cmd, &format!("{args:?}"));
        expect_code(&out, 1, &format!("{args:?}"));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{link}: is a symbolic link")),
            "{args:?}: {err}"
        );
        assert!(!stdout(&out).contains(SECRET), "{args:?}");
        assert!(!err.contains(SECRET), "{args:?}");
    }

    // An import that targets the linked notes is refused before it writes anything.
    let export: serde_json::Value =
        serde_json::from_slice(&kb.ok(&["export", "--skip-invalid"]).stdout).unwrap();
    let mut json = export.clone();
    json["events"][0]["talks"][0]["id"] = "link".into();
    json["events"][0]["talks"][0]["title"] = "replaced".into();
    kb.write("../tmp/link.json", json.to_string());
    let out = tn(&kb, &["import", "--update", "../tmp/link.json"]);
    expect_code(&out, 1, "import onto a link");
    assert!(stderr(&out).contains("notes/ev/link.ron: is a symbolic link"));
    let mut json = export;
    json["events"][0]["id"] = "evx".into();
    kb.write("../tmp/evx.json", json.to_string());
    let out = tn(&kb, &["import", "--update", "../tmp/evx.json"]);
    expect_code(&out, 1, "import into a linked event");
    assert!(stderr(&out).contains("notes/evx: is a symbolic link"));

    assert_eq!(outside(&kb), before_outside, "a file outside changed");
    assert_eq!(tree(&kb.path("notes")), before_notes, "a note changed");
    // The real note is still writable.
    kb.ok(&["jot", "--talk", "ev/good", "--at", "10:01", "after"]);
    assert_eq!(kb.talk("ev", "good").takeaways.len(), 2);
}

// ---------------------------------------------------------------------------------------
// Ids

#[test]
fn traversal_and_reserved_ids_in_imports_are_refused() {
    let kb = kb_with_talk();
    kb.write("../x.ron", talk_text("x", SECRET));
    let export: serde_json::Value = serde_json::from_slice(&kb.ok(&["export"]).stdout).unwrap();
    let before = snapshot(&kb.base);
    for (event, talk) in [
        ("ev", ".."),
        ("ev", "../x"),
        ("ev", "../../x"),
        ("ev", "a/b"),
        ("ev", "/etc/passwd"),
        ("ev", "event"),
        ("ev", ""),
        ("ev", ".hidden"),
        ("ev", "x\u{0}y"),
        ("..", "good"),
        ("../kb", "good"),
        ("", "good"),
    ] {
        let mut json = export.clone();
        json["events"][0]["id"] = event.into();
        json["events"][0]["talks"][0]["id"] = talk.into();
        fs::write(kb.tmp.join("in.json"), json.to_string()).unwrap();
        let out = tn(&kb, &["import", "--update", "../tmp/in.json"]);
        expect_code(&out, 1, &format!("{event}/{talk}"));
        let err = stderr(&out);
        assert!(
            err.contains("in.json: $.events[0]."),
            "{event}/{talk}: {err}"
        );
        assert!(
            err.contains("is not a valid id")
                || err.contains("cannot be empty")
                || err.contains("reserved"),
            "{event}/{talk}: {err}"
        );
    }
    // A recap whose hidden comment carries a traversal id.
    let recap = stdout(&kb.ok(&["export", "--format", "md"]));
    assert!(recap.contains("\"id\":\"good\""), "{recap}");
    for bad in ["../x", "../../x", "event"] {
        fs::write(
            kb.tmp.join("recap.md"),
            recap.replace("\"id\":\"good\"", &format!("\"id\":\"{bad}\"")),
        )
        .unwrap();
        let out = tn(&kb, &["import", "--update", "../tmp/recap.md"]);
        expect_code(&out, 1, &format!("recap {bad}"));
        assert!(stderr(&out).contains("recap.md"), "{}", stderr(&out));
    }
    let mut after = snapshot(&kb.base);
    after.retain(|p, _| !p.starts_with("tmp"));
    let mut before = before;
    before.retain(|p, _| !p.starts_with("tmp"));
    assert!(after == before, "an import with a bad id changed something");
}

#[test]
fn a_schedule_cannot_name_a_path() {
    // Schedules are someone else's data: their codes and titles become ids inside the event.
    let kb = Kb::new();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut json: serde_json::Value = serde_json::from_slice(
        &fs::read(repo.join("tests/data/schedules/pretalx-cnk2025.json")).unwrap(),
    )
    .unwrap();
    let conference = &mut json["schedule"]["conference"];
    conference["acronym"] = "../../evil".into();
    let rooms = conference["days"][0]["rooms"].as_object_mut().unwrap();
    let session = &mut rooms.values_mut().next().unwrap()[0];
    session["code"] = "../../x".into();
    session["slug"] = "../..".into();
    session["title"] = "../../etc/passwd".into();
    fs::write(kb.tmp.join("evil.json"), json.to_string()).unwrap();
    let before = outside(&kb);
    let out = tn(&kb, &["import", "../tmp/evil.json"]);
    expect_code(&out, 0, "schedule import");
    assert!(outside(&kb) == before);
    for path in snapshot(&kb.root).keys() {
        let text = path.to_string_lossy();
        assert!(!text.contains(".."), "{text}");
        if text.starts_with("notes/") && text.ends_with(".ron") {
            assert_eq!(path.components().count(), 3, "{text}");
        }
    }
    kb.ok(&["check"]);
}

#[test]
fn a_non_utf8_note_name_is_reported_not_skipped_silently() {
    // Regression: such a file was skipped without a word, so its notes silently vanished.
    use std::os::unix::ffi::OsStrExt;
    let kb = kb_with_talk();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.ron");
    fs::write(kb.path("notes/ev").join(name), talk_text("cafe", "x")).unwrap();
    let out = kb.fails(&["check"]);
    assert!(
        stdout(&out).contains("not valid UTF-8, so it cannot be an id"),
        "{}",
        stdout(&out)
    );
    let out = kb.ok(&["list"]);
    assert!(stderr(&out).contains("not valid UTF-8"), "{}", stderr(&out));
    assert!(stdout(&out).contains("ev/good"));
}

// ---------------------------------------------------------------------------------------
// Size

#[test]
fn a_100_mb_note_is_refused_without_reading_it() {
    // Regression: `tn search` read and indexed it, taking minutes and gigabytes.
    let kb = kb_with_talk();
    let path = kb.path("notes/ev/big.ron");
    {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(fs::File::create(&path).unwrap());
        file.write_all(b"Talk(\n    id: \"big\",\n    title: \"big\",\n    memo: \"")
            .unwrap();
        let chunk = "あいう".repeat(1 << 16);
        while file.get_ref().metadata().unwrap().len() < 100 << 20 {
            file.write_all(chunk.as_bytes()).unwrap();
        }
        file.write_all(b"\",\n)\n").unwrap();
    }
    let len = fs::metadata(&path).unwrap().len();

    let out = tn(&kb, &["list"]);
    expect_code(&out, 0, "list");
    assert!(stdout(&out).contains("ev/good"));
    assert!(
        stderr(&out).contains("notes/ev/big.ron: the file is 100."),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("MiB a note may hold"));
    let out = tn(&kb, &["check"]);
    expect_code(&out, 1, "check");
    assert!(stdout(&out).contains("notes/ev/big.ron: the file is 100."));
    let out = tn(&kb, &["search", "still"]);
    expect_code(&out, 0, "search");
    assert!(stdout(&out).contains("ev/good"));
    for args in [
        &["show", "ev/big"][..],
        &["jot", "--talk", "ev/big", "x"],
        &["edit", "ev/big"],
    ] {
        let mut cmd = kb.std_tn();
        cmd.args(args).env("EDITOR", "true");
        let out = run_bounded(cmd, &format!("{args:?}"));
        expect_code(&out, 1, &format!("{args:?}"));
        assert!(
            stderr(&out).contains("notes/ev/big.ron: the file is 100."),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(fs::metadata(&path).unwrap().len(), len);
    kb.ok(&["jot", "--at", "10:02", "the rest still works"]);
}

#[test]
fn a_note_is_never_grown_past_what_tn_can_read_back() {
    // Regression: without a write-side limit a note could be made unreadable by tn itself.
    let kb = kb_with_talk();
    // Through stdin: one argument cannot be this long.
    let line = format!("{}\n", "x".repeat(3 << 20));
    let jot = |expect_ok: bool| {
        let out = kb
            .tn()
            .args(["jot", "-", "--at", "10:01"])
            .write_stdin(line.clone())
            .output()
            .unwrap();
        assert_eq!(out.status.success(), expect_ok, "{}", stderr(&out));
        out
    };
    jot(true);
    jot(true);
    let before = kb.read_bytes("notes/ev/good.ron");
    let out = jot(false);
    let err = stderr(&out);
    assert!(
        err.contains("notes/ev/good.ron: the note would be"),
        "{err}"
    );
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(kb.read_bytes("notes/ev/good.ron"), before);
    assert_eq!(kb.talk("ev", "good").takeaways.len(), 3);
}

// ---------------------------------------------------------------------------------------
// Wrong kinds of files

#[test]
fn directories_and_pipes_where_notes_belong() {
    // Regression: a named pipe was reported as "a directory", and `tn show`/`tn edit` on it
    // blocked forever; `tn new` over a directory said the talk "already exists".
    let kb = kb_with_talk();
    fs::create_dir_all(kb.path("notes/ev/dir.ron")).unwrap();
    mkfifo(&kb.path("notes/ev/pipe.ron"));
    fs::create_dir_all(kb.path("notes/ev2/event.ron")).unwrap();
    let before = tree(&kb.path("notes"));

    let out = tn(&kb, &["list"]);
    expect_code(&out, 0, "list");
    assert!(stdout(&out).contains("ev/good"));
    let out = tn(&kb, &["check"]);
    expect_code(&out, 1, "check");
    let report = stdout(&out);
    for expected in [
        "notes/ev/dir.ron: expected a note file but found a directory",
        "notes/ev/pipe.ron: expected a note file but found a named pipe (FIFO)",
        "notes/ev2/event.ron: expected a note file but found a directory",
    ] {
        assert!(report.contains(expected), "{expected}: {report}");
    }
    expect_code(&tn(&kb, &["search", "still"]), 0, "search");

    for (args, file, found) in [
        (
            &["show", "ev/pipe"][..],
            "notes/ev/pipe.ron",
            "a named pipe",
        ),
        (&["edit", "ev/pipe"], "notes/ev/pipe.ron", "a named pipe"),
        (
            &["jot", "--talk", "ev/pipe", "x"],
            "notes/ev/pipe.ron",
            "a named pipe",
        ),
        (&["show", "ev/dir"], "notes/ev/dir.ron", "a directory"),
        (
            &["jot", "--talk", "ev/dir", "x"],
            "notes/ev/dir.ron",
            "a directory",
        ),
        (
            &["new", "T", "--id", "dir", "--event", "ev", "--no-edit"],
            "notes/ev/dir.ron",
            "a directory",
        ),
        (&["show", "ev2"], "notes/ev2/event.ron", "a directory"),
        (
            &["new", "T", "--id", "x", "--event", "ev2", "--no-edit"],
            "notes/ev2/event.ron",
            "a directory",
        ),
        (
            &["event", "new", "ev2", "--name", "x"],
            "notes/ev2/event.ron",
            "a directory",
        ),
    ] {
        let mut cmd = kb.std_tn();
        cmd.args(args).env("EDITOR", "true");
        let out = run_bounded(cmd, &format!("{args:?}"));
        expect_code(&out, 1, &format!("{args:?}"));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{file}: expected a note file but found {found}")),
            "{args:?}: {err}"
        );
    }
    // A derived id steps around what is in the way.
    kb.ok(&["new", "Dir", "--event", "ev", "--no-edit"]);
    assert_eq!(kb.talk("ev", "dir-2").title, "Dir");
    let mut after = tree(&kb.path("notes"));
    after.remove(Path::new("ev/dir-2.ron"));
    assert_eq!(after, before);
}

#[test]
fn a_damaged_current_talk_pointer_never_blocks() {
    // Regression: a named pipe at index/current made every `tn jot` block forever.
    let kb = kb_with_talk();
    let current = kb.path("index/current");
    fs::remove_file(&current).unwrap();
    mkfifo(&current);
    let out = tn(&kb, &["jot", "x"]);
    expect_code(&out, 1, "jot");
    assert!(
        stderr(&out).contains("index/current: expected a file but found a named pipe"),
        "{}",
        stderr(&out)
    );
    // An explicit talk does not need the pointer.
    expect_code(
        &tn(&kb, &["jot", "--talk", "ev/good", "y"]),
        0,
        "jot --talk",
    );

    // A talk created while the pointer cannot be written is still created, and says so.
    fs::remove_file(&current).unwrap();
    fs::create_dir(&current).unwrap();
    let out = tn(
        &kb,
        &["new", "T", "--id", "made", "--no-edit", "--event", "ev"],
    );
    expect_code(&out, 1, "new");
    assert!(
        stderr(&out).contains("created ev/made, but could not make it the current talk"),
        "{}",
        stderr(&out)
    );
    kb.talk("ev", "made");
}

// ---------------------------------------------------------------------------------------
// Permissions: as root, file modes do not stop reads or writes, so these run `tn` as
// `nobody` through setpriv(1); without it they are skipped with the reason.

enum Runner {
    /// Not root: permissions apply to `tn` as it is.
    Direct,
    /// Root: `tn` runs as nobody.
    Nobody,
}

fn runner(test: &str) -> Option<Runner> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some(Runner::Direct);
    }
    let works = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if works {
        Some(Runner::Nobody)
    } else {
        eprintln!(
            "SKIPPED {test}: running as root, where file modes do not stop reads or writes, \
             and setpriv cannot switch to nobody"
        );
        None
    }
}

impl Runner {
    fn tn(&self, kb: &Kb, args: &[&str]) -> Output {
        let mut cmd = match self {
            Runner::Direct => kb.std_tn(),
            Runner::Nobody => {
                let mut cmd = Command::new("setpriv");
                cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                    .arg(assert_cmd::cargo::cargo_bin("tn"))
                    .arg("--dir")
                    .arg(&kb.root)
                    .env_clear()
                    .env("PATH", std::env::var_os("PATH").unwrap_or_default())
                    .env("NO_COLOR", "1")
                    .env("HOME", &kb.base)
                    .env("TMPDIR", &kb.tmp)
                    .current_dir(&kb.root);
                cmd
            }
        };
        cmd.args(args).env("LANG", "C.UTF-8").env("TZ", "UTC");
        run_bounded(cmd, &format!("tn {args:?}"))
    }

    /// Lets the test user into the scratch directory and, when `own`, makes the knowledge
    /// base theirs.
    fn prepare(&self, kb: &Kb, own: bool) {
        if let Runner::Nobody = self {
            for dir in [&kb.base, &kb.tmp] {
                fs::set_permissions(dir, fs::Permissions::from_mode(0o777)).unwrap();
            }
            if own {
                chown_tree(&kb.root, 65534);
            }
        }
    }
}

fn chown_tree(path: &Path, uid: u32) {
    std::os::unix::fs::lchown(path, Some(uid), Some(uid)).unwrap();
    if fs::symlink_metadata(path).unwrap().is_dir() {
        for entry in fs::read_dir(path).unwrap() {
            chown_tree(&entry.unwrap().path(), uid);
        }
    }
}

fn set_mode_tree(path: &Path, dir_mode: u32, file_mode: u32) {
    let is_dir = fs::symlink_metadata(path).unwrap().is_dir();
    let mode = if is_dir { dir_mode } else { file_mode };
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    if is_dir {
        for entry in fs::read_dir(path).unwrap() {
            set_mode_tree(&entry.unwrap().path(), dir_mode, file_mode);
        }
    }
}

/// Gives write permission back when the test ends, so the scratch directory can be removed.
struct Writable<'a>(&'a Path);

impl Drop for Writable<'_> {
    fn drop(&mut self) {
        let _ = Command::new("chmod")
            .arg("-R")
            .arg("u+rwX")
            .arg(self.0)
            .status();
    }
}

#[test]
fn unreadable_notes_are_reported_and_skipped() {
    let Some(runner) = runner("unreadable_notes_are_reported_and_skipped") else {
        return;
    };
    let kb = kb_with_talk();
    kb.ok(&["new", "Secret", "--id", "locked", "--no-edit"]);
    kb.ok(&["jot", "--at", "10:00", "hidden text"]);
    kb.ok(&["current", "ev/good"]);
    kb.ok(&["search", "still"]);
    runner.prepare(&kb, true);
    let _restore = Writable(&kb.root);
    let locked = kb.path("notes/ev/locked.ron");
    let content = kb.read_bytes("notes/ev/locked.ron");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();

    let out = runner.tn(&kb, &["list"]);
    expect_code(&out, 0, "list");
    assert!(stdout(&out).contains("ev/good"), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("notes/ev/locked.ron: Permission denied"),
        "{}",
        stderr(&out)
    );
    let out = runner.tn(&kb, &["check"]);
    expect_code(&out, 1, "check");
    assert!(stdout(&out).contains("notes/ev/locked.ron: Permission denied"));
    for args in [
        &["show", "ev/locked"][..],
        &["jot", "--talk", "ev/locked", "x"],
        &["tag", "x", "--talk", "ev/locked"],
    ] {
        let out = runner.tn(&kb, args);
        expect_code(&out, 1, &format!("{args:?}"));
        assert!(
            stderr(&out).contains("notes/ev/locked.ron: Permission denied"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = runner.tn(&kb, &["search", "hidden"]);
    expect_code(&out, 0, "search");
    let out = runner.tn(&kb, &["jot", "--at", "10:05", "the rest works"]);
    expect_code(&out, 0, "jot on a readable note");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(fs::read(&locked).unwrap(), content);
    assert_eq!(kb.talk("ev", "good").takeaways.len(), 2);
}

#[test]
fn a_read_only_knowledge_base_is_read_and_never_half_written() {
    // Regression: writes failed naming `index/.write.lock` (or a temporary file with
    // "at path …" appended) instead of the note that could not be saved.
    let Some(runner) = runner("a_read_only_knowledge_base_is_read_and_never_half_written") else {
        return;
    };
    let kb = kb_with_talk();
    kb.ok(&["search", "still"]);
    // A line the index has not seen, so the search below needs to update it.
    kb.ok(&["jot", "--at", "10:00", "unindexed line"]);
    fs::write(kb.tmp.join("in.json"), kb.ok(&["export"]).stdout).unwrap();
    runner.prepare(&kb, false);
    set_mode_tree(&kb.root, 0o555, 0o444);
    let _restore = Writable(&kb.root);
    let before = snapshot(&kb.base);

    for (args, file) in [
        (&["jot", "--at", "10:01", "x"][..], "notes/ev/good.ron"),
        (&["tool", "Cilium"], "notes/ev/good.ron"),
        (&["tag", "a"], "notes/ev/good.ron"),
        (&["new", "T", "--id", "t2", "--no-edit"], "notes/ev/t2.ron"),
        (
            &["event", "new", "ev2", "--name", "x"],
            "notes/ev2/event.ron",
        ),
        (&["current", "ev"], "index/current"),
    ] {
        let out = runner.tn(&kb, args);
        expect_code(&out, 1, &format!("{args:?}"));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{file}: cannot save")),
            "{args:?}: {err}"
        );
        assert!(err.contains("Permission denied"), "{args:?}: {err}");
        assert!(err.contains("not writable"), "{args:?}: {err}");
        assert!(!err.contains(".tn-"), "{args:?}: {err}");
    }
    let out = runner.tn(&kb, &["import", "--update", "../tmp/in.json"]);
    expect_code(&out, 0, "import of what is already there");
    for args in [
        &["list"][..],
        &["show", "ev/good"],
        &["check"],
        &["export"],
        &["current"],
    ] {
        expect_code(&runner.tn(&kb, args), 0, &format!("{args:?}"));
    }
    // The index cannot be updated here: the search runs on one built in memory, and says so.
    let out = runner.tn(&kb, &["search", "unindexed"]);
    expect_code(&out, 0, "search");
    assert!(stdout(&out).contains("ev/good"), "{}", stdout(&out));
    assert!(stderr(&out).contains("in memory"), "{}", stderr(&out));
    assert!(snapshot(&kb.base) == before, "something was written");
}

// ---------------------------------------------------------------------------------------
// A full disk, simulated by a file-size limit (`ulimit -f`, in 512-byte blocks in sh) with
// SIGXFSZ ignored, so that a write fails with EFBIG as on a full disk.

fn tn_with_file_limit(kb: &Kb, blocks: u32, args: &[&str]) -> Output {
    let cmd = common::tn_after_shell(kb, &format!("trap '' XFSZ; ulimit -f {blocks}"), args);
    run_bounded(cmd, &format!("tn {args:?} under ulimit -f {blocks}"))
}

#[test]
fn a_full_disk_loses_nothing_and_names_the_note() {
    // Regressions: the error named the temporary file (`.tn-XXXX.tmp … at path …`), and a
    // failed `tn event new` left an event directory without event.ron, which `tn check`
    // then reported as a broken event.
    let kb = kb_with_talk();
    let lines: String = (0..80)
        .map(|i| format!("line {i}: ディスクがいっぱいでも消えない\n"))
        .collect();
    let out = kb
        .tn()
        .args(["jot", "-", "--at", "10:00"])
        .write_stdin(lines)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let before = snapshot(&kb.root);
    let note = kb.read_bytes("notes/ev/good.ron");
    assert!(note.len() > 8 * 1024, "the note must exceed the limit");

    for (blocks, args, file) in [
        (
            8,
            &["jot", "--at", "10:01", "one more"][..],
            "notes/ev/good.ron",
        ),
        (8, &["tool", "Cilium"], "notes/ev/good.ron"),
        (
            0,
            &["new", "T", "--id", "t2", "--no-edit"],
            "notes/ev/t2.ron",
        ),
        (
            0,
            &["event", "new", "ev2", "--name", "x"],
            "notes/ev2/event.ron",
        ),
        (0, &["current", "ev"], "index/current"),
    ] {
        let out = tn_with_file_limit(&kb, blocks, args);
        expect_code(&out, 1, &format!("{args:?}"));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("{file}: cannot save: File too large")),
            "{args:?}: {err}"
        );
        assert!(err.contains("nothing was written"), "{args:?}: {err}");
        assert!(err.contains("the disk is full"), "{args:?}: {err}");
        assert!(!err.contains(".tn-"), "{args:?}: {err}");
        assert!(snapshot(&kb.root) == before, "{args:?} changed something");
    }
    // An import that cannot write: every note is whole, old or new.
    let mut json: serde_json::Value = serde_json::from_slice(&kb.ok(&["export"]).stdout).unwrap();
    json["events"][0]["talks"][0]["title"] = "renamed".into();
    json["events"][0]["talks"][0]["takeaways"] = serde_json::json!([]);
    json["events"].as_array_mut().unwrap().push(
        serde_json::json!({"id": "ev3", "name": "Three", "talks": [{"id": "a", "title": "A"}]}),
    );
    fs::write(kb.tmp.join("in.json"), json.to_string()).unwrap();
    let out = tn_with_file_limit(&kb, 0, &["import", "--update", "../tmp/in.json"]);
    expect_code(&out, 1, "import");
    assert!(stderr(&out).contains(": cannot save: File too large"));
    assert!(snapshot(&kb.root) == before);
    kb.ok(&["check"]);
    // With room again, the same commands work.
    kb.ok(&["import", "--update", "../tmp/in.json"]);
    assert_eq!(kb.talk("ev", "good").title, "renamed");
    kb.ok(&["check"]);
}

#[test]
fn search_on_a_full_disk_does_not_hang() {
    let kb = kb_with_talk();
    kb.ok(&["search", "still"]);
    for i in 0..20 {
        kb.ok(&["jot", "--at", "10:00", &format!("line {i}")]);
    }
    // Regression: the refresh failed, and the recovery deadlocked on its own build lock.
    let out = tn_with_file_limit(&kb, 2, &["search", "line"]);
    expect_code(&out, 0, "search");
    assert!(stdout(&out).contains("ev/good"), "{}", stdout(&out));
    assert!(stderr(&out).contains("in memory"), "{}", stderr(&out));
    // With room again, the index on disk is repaired and used.
    let out = kb.ok(&["search", "line"]);
    assert!(stdout(&out).contains("ev/good"));
    assert!(!stderr(&out).contains("in memory"), "{}", stderr(&out));
}

#[test]
fn a_full_standard_output_is_an_error_not_a_panic() {
    // Regression: `tn schema > file` on a full disk panicked in println!.
    let Ok(full) = fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("SKIPPED a_full_standard_output_is_an_error_not_a_panic: no /dev/full");
        return;
    };
    let kb = kb_with_talk();
    for args in [
        &["schema"][..],
        &["list"],
        &["show", "ev/good"],
        &["current"],
        &["export"],
        &["export", "--format", "md", "ev"],
        &["search", "still"],
        &["init", "../tmp/other"],
    ] {
        let out = kb
            .std_tn()
            .args(args)
            .stdout(full.try_clone().unwrap())
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains("No space left on device"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}
