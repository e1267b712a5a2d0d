//! A team's knowledge base in git: `tn init --git`, `tn git setup`, `tn sync`, the merge
//! driver, and who wrote what (`by`). Every repository lives in a temporary directory, with a
//! git configuration of its own (no global or system settings leak in) and a bare repository
//! as the shared remote.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

use talknotes::note::Talk;
use talknotes::store::codec;

use crate::common::{stderr, stdout};

/// A bare "remote" repository and the clones of the team members, in one temporary directory.
struct Team {
    _dir: TempDir,
    base: PathBuf,
}

impl Team {
    fn new() -> Team {
        let dir = tempfile::tempdir().expect("tempdir");
        let base = dir.path().canonicalize().unwrap();
        fs::write(
            base.join("gitconfig"),
            "[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n",
        )
        .unwrap();
        let team = Team { _dir: dir, base };
        team.git(&team.base, &["init", "--quiet", "--bare", "remote.git"]);
        team
    }

    fn remote(&self) -> PathBuf {
        self.base.join("remote.git")
    }

    /// The environment every git and tn run gets: nothing from the machine's git setup.
    fn env(&self, cmd: &mut std::process::Command) {
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.base)
            .env("GIT_CONFIG_GLOBAL", self.base.join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("NO_COLOR", "1")
            .env("TZ", "UTC")
            .env("LANG", "C.UTF-8")
            .env("TMPDIR", &self.base);
    }

    fn git_output(&self, dir: &Path, args: &[&str]) -> Output {
        let mut cmd = std::process::Command::new("git");
        self.env(&mut cmd);
        cmd.current_dir(dir).args(args).output().expect("run git")
    }

    /// Runs git and asserts success.
    fn git(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_output(dir, args);
        assert!(
            out.status.success(),
            "git {args:?} failed\n{}{}",
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    /// A clone of the remote, committing as `name`.
    fn clone(&self, name: &str) -> PathBuf {
        let dir = self.base.join(name.to_lowercase());
        let remote = self.remote();
        self.git(
            &self.base,
            &[
                "clone",
                "--quiet",
                remote.to_str().unwrap(),
                dir.to_str().unwrap(),
            ],
        );
        self.git(&dir, &["config", "user.name", name]);
        self.git(
            &dir,
            &[
                "config",
                "user.email",
                &format!("{}@example.com", name.to_lowercase()),
            ],
        );
        dir
    }

    fn tn(&self, kb: &Path) -> Command {
        let mut std = std::process::Command::new(assert_cmd::cargo::cargo_bin("tn"));
        self.env(&mut std);
        std.current_dir(kb).arg("--dir").arg(kb);
        let mut cmd = Command::from_std(std);
        cmd.write_stdin("");
        cmd
    }

    fn run(&self, kb: &Path, args: &[&str]) -> Output {
        self.tn(kb).args(args).output().expect("run tn")
    }

    /// Runs tn and asserts success.
    fn ok(&self, kb: &Path, args: &[&str]) -> Output {
        let out = self.run(kb, args);
        assert!(
            out.status.success(),
            "tn {args:?} in {} failed\n{}{}",
            kb.display(),
            stdout(&out),
            stderr(&out)
        );
        out
    }
}

fn talk(kb: &Path) -> Talk {
    let bytes = fs::read(kb.join("notes/ev/talk.ron")).unwrap();
    codec::parse::<Talk>(Path::new("talk.ron"), &bytes, "talk").unwrap_or_else(|e| {
        panic!("{e:?}\n{}", String::from_utf8_lossy(&bytes));
    })
}

/// Changes the talk's file as an editor would: one field's line replaced or added.
fn edit(kb: &Path, from: &str, to: &str) {
    let path = kb.join("notes/ev/talk.ron");
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from} not in\n{text}");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// Alice's clone with the event `ev`, the talk `ev/talk` and one takeaway, pushed.
fn team_with_a_talk() -> (Team, PathBuf) {
    let team = Team::new();
    let alice = team.clone("Alice");
    team.ok(&alice, &["init", "--git"]);
    team.ok(
        &alice,
        &[
            "event",
            "new",
            "ev",
            "--name",
            "Conf",
            "--date",
            "2024-06-15",
        ],
    );
    team.ok(&alice, &["new", "The talk", "--id", "talk", "--no-edit"]);
    team.ok(&alice, &["jot", "--at", "10:00", "base line"]);
    // The branch has no upstream yet: tn commits, then says what to do.
    let out = team.run(&alice, &["sync"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("committed 4 changed file(s) locally, but branch `main` has no upstream")
            && stderr(&out).contains("hint: `git push -u origin main` once"),
        "{}",
        stderr(&out)
    );
    team.git(&alice, &["push", "--quiet", "-u", "origin", "main"]);
    (team, alice)
}

#[test]
fn two_clones_that_change_the_same_talk_both_end_with_everything() {
    let (team, alice) = team_with_a_talk();
    let bob = team.clone("Bob");
    team.ok(&bob, &["current", "ev/talk"]);

    // Both add takeaways, change a field nobody else changes, and change the title.
    team.ok(&alice, &["jot", "--at", "10:05", "alice: eBPF で可観測性"]);
    team.ok(&alice, &["tag", "ebpf"]);
    edit(
        &alice,
        "    title: \"The talk\",\n",
        "    title: \"Alice's title\",\n    track: \"Room A\",\n",
    );
    team.ok(&bob, &["jot", "--at", "10:03", "bob: サイドカー不要"]);
    team.ok(&bob, &["jot", "--at", "10:07", "bob: Cilium"]);
    team.ok(&bob, &["tool", "Cilium", "https://cilium.io/"]);
    edit(
        &bob,
        // `tn new` gave the talk the language its title is in.
        "    title: \"The talk\",\n    language: \"en\",\n",
        "    title: \"Bob's title\",\n    language: \"ja\",\n",
    );
    // What must never be committed: the search index, temporary and swap files.
    team.ok(&bob, &["search", "cilium"]);
    fs::write(bob.join("notes/ev/.tn-1-x.tmp"), "partial").unwrap();
    fs::write(bob.join("notes/ev/.talk.ron.swp"), "swap").unwrap();

    let out = team.ok(&alice, &["sync"]);
    assert!(
        stderr(&out).contains("committed: tn sync: 1 note (ev/talk)"),
        "{}",
        stderr(&out)
    );
    let out = team.ok(&bob, &["sync"]);
    let said = stderr(&out);
    assert!(
        said.contains("set up the talknotes merge driver in this clone"),
        "{said}"
    );
    assert!(
        said.contains("synced with origin/main: pulled 1 commit, pushed 1 commit"),
        "{said}"
    );
    assert!(
        said.contains("field `title` was changed on both sides"),
        "{said}"
    );
    team.ok(&alice, &["sync"]);
    fs::remove_file(bob.join("notes/ev/.tn-1-x.tmp")).unwrap();
    fs::remove_file(bob.join("notes/ev/.talk.ron.swp")).unwrap();

    let texts = |t: &Talk| -> Vec<String> { t.takeaways.iter().map(|t| t.text.clone()).collect() };
    for kb in [&alice, &bob] {
        let text = fs::read_to_string(kb.join("notes/ev/talk.ron")).unwrap();
        assert!(
            !text.contains("<<<<<<<") && !text.contains(">>>>>>>"),
            "{text}"
        );
        let note = talk(kb);
        assert_eq!(
            texts(&note),
            [
                "base line",
                "bob: サイドカー不要",
                "alice: eBPF で可観測性",
                "bob: Cilium"
            ],
            "{text}"
        );
        assert_eq!(note.track.as_deref(), Some("Room A"));
        assert_eq!(note.language.as_deref(), Some("ja"));
        assert_eq!(note.tags, ["ebpf"]);
        assert_eq!(note.tools[0].name, "Cilium");
        // Who wrote what: git's user.name of each clone.
        let by: Vec<Option<&str>> = note.takeaways.iter().map(|t| t.by.as_deref()).collect();
        assert_eq!(by, [Some("Alice"), Some("Bob"), Some("Alice"), Some("Bob")]);
        // The title both changed: one kept, the other beside it, reported by tn check.
        assert_eq!(note.conflicts.len(), 1, "{text}");
        let out = team.run(kb, &["check"]);
        assert_eq!(out.status.code(), Some(1));
        let report = stdout(&out);
        assert!(
            report.starts_with("notes/ev/talk.ron:")
                && report.contains(": field `title` was changed on both sides: the note keeps \"Alice's title\", the other version is \"Bob's title\" (by Bob)")
                && report.contains("hint: run `tn edit ev/talk`, keep the value you want in `title`, and delete this entry from `conflicts`"),
            "{report}"
        );
        assert_eq!(
            team.git(kb, &["status", "--porcelain"]),
            "",
            "clean work tree"
        );
    }
    assert_eq!(
        fs::read(alice.join("notes/ev/talk.ron")).unwrap(),
        fs::read(bob.join("notes/ev/talk.ron")).unwrap()
    );
    let tracked = team.git(&bob, &["ls-files"]);
    assert_eq!(
        tracked.lines().collect::<Vec<_>>(),
        [
            ".gitattributes",
            ".gitignore",
            "notes/ev/event.ron",
            "notes/ev/talk.ron"
        ]
    );
    let log = team.git(&bob, &["log", "--format=%an %s"]);
    assert!(log.contains("Bob tn sync: 1 note (ev/talk)"), "{log}");

    // Resolving it: keep one title, delete the entry; tn check is clean again.
    let path = bob.join("notes/ev/talk.ron");
    let mut note = talk(&bob);
    note.conflicts.clear();
    fs::write(&path, codec::to_ron(&note).unwrap()).unwrap();
    team.ok(&bob, &["check"]);
}

#[test]
fn the_driver_leaves_git_its_own_conflict_when_a_side_does_not_parse() {
    let (team, alice) = team_with_a_talk();
    team.git(&alice, &["switch", "--quiet", "-c", "broken"]);
    edit(
        &alice,
        "    title: \"The talk\",\n",
        "    title: \"The talk\"\n    oops\n",
    );
    team.git(&alice, &["commit", "--quiet", "-am", "a broken note"]);
    team.git(&alice, &["switch", "--quiet", "main"]);
    team.ok(&alice, &["jot", "--at", "11:00", "on main"]);
    edit(
        &alice,
        "    title: \"The talk\",\n",
        "    title: \"Renamed\",\n",
    );
    team.git(&alice, &["commit", "--quiet", "-am", "a takeaway"]);

    let out = team.git_output(&alice, &["merge", "--no-edit", "broken"]);
    assert!(!out.status.success(), "{}", stdout(&out));
    let said = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        said.contains("tn merge-driver: their version of notes/ev/talk.ron is not a valid note")
            && said.contains("CONFLICT (content): Merge conflict in notes/ev/talk.ron"),
        "{said}"
    );
    assert_eq!(
        team.git(&alice, &["status", "--porcelain"]),
        "UU notes/ev/talk.ron\n"
    );
    // git's line merge, as without the driver: both changed the title line.
    let text = fs::read_to_string(alice.join("notes/ev/talk.ron")).unwrap();
    assert!(
        text.contains("<<<<<<< ours:notes/ev/talk.ron\n    title: \"Renamed\",\n=======\n    title: \"The talk\"\n    oops\n>>>>>>> theirs:notes/ev/talk.ron\n"),
        "{text}"
    );

    // The same merge of a valid change goes through, with both sides' changes.
    team.git(&alice, &["merge", "--abort"]);
    team.git(&alice, &["switch", "--quiet", "-c", "valid", "HEAD~1"]);
    team.ok(&alice, &["jot", "--at", "10:30", "on a branch"]);
    team.git(&alice, &["commit", "--quiet", "-am", "another takeaway"]);
    team.git(&alice, &["switch", "--quiet", "main"]);
    team.git(&alice, &["merge", "--quiet", "--no-edit", "valid"]);
    let texts: Vec<String> = talk(&alice)
        .takeaways
        .iter()
        .map(|t| t.text.clone())
        .collect();
    assert_eq!(texts, ["base line", "on a branch", "on main"]);
}

#[test]
fn a_pull_that_stops_on_a_broken_note_says_how_to_go_on() {
    let (team, alice) = team_with_a_talk();
    let bob = team.clone("Bob");
    edit(
        &alice,
        "    title: \"The talk\",\n",
        "    title: \"The talk\"\n    oops\n",
    );
    team.git(&alice, &["commit", "--quiet", "-am", "a broken note"]);
    team.git(&alice, &["push", "--quiet"]);
    team.ok(&bob, &["jot", "--talk", "ev/talk", "--at", "10:09", "bob"]);
    let out = team.run(&bob, &["sync"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("error: the pull stopped on a conflict tn could not merge in notes/ev/talk.ron\n  hint: fix it, `git add` it, `git rebase --continue`, then `tn sync` (or `git rebase --abort` to undo the pull)"),
        "{}",
        stderr(&out)
    );
    // While the rebase is stopped, tn sync does not make it worse.
    let out = team.run(&bob, &["sync"]);
    assert!(
        stderr(&out).contains("a git rebase is in progress"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn setup_is_idempotent_and_sync_explains_what_is_missing() {
    let team = Team::new();
    let kb = team.base.join("kb");
    // Not a repository yet.
    team.ok(&team.base, &["init", "kb"]);
    for args in [&["sync"][..], &["git", "setup"]] {
        let out = team.run(&kb, args);
        assert_eq!(out.status.code(), Some(1));
        assert!(
            stderr(&out).contains("is not in a git repository\n  hint: run `tn init --git` there"),
            "{}",
            stderr(&out)
        );
    }
    let out = team.ok(&team.base, &["init", "--git", "kb"]);
    let said = stderr(&out);
    assert!(said.contains("created a git repository"), "{said}");
    assert!(
        said.contains("wrote .gitattributes: notes/**/*.ron merge=talknotes"),
        "{said}"
    );
    let out = team.ok(&kb, &["git", "setup"]);
    assert_eq!(
        stderr(&out),
        "already set up: git merges notes with `tn merge-driver`\n"
    );
    team.ok(&team.base, &["init", "--git", "kb"]);
    assert_eq!(
        fs::read_to_string(kb.join(".gitattributes")).unwrap(),
        "notes/**/*.ron merge=talknotes\n"
    );
    assert_eq!(
        fs::read_to_string(kb.join(".gitignore")).unwrap(),
        "/index/\n"
    );
    let driver = team.git(&kb, &["config", "--get", "merge.talknotes.driver"]);
    assert!(
        driver.trim_end().ends_with(" merge-driver %O %A %B %P"),
        "{driver}"
    );
    assert_eq!(
        team.git(&kb, &["check-attr", "merge", "notes/ev/t.ron"]),
        "notes/ev/t.ron: merge: talknotes\n"
    );

    team.git(&kb, &["config", "user.name", "Carol"]);
    team.git(&kb, &["config", "user.email", "carol@example.com"]);
    let out = team.run(&kb, &["sync"]);
    assert!(
        stderr(&out).contains("committed 2 changed file(s) locally, but nothing to sync with: this repository has no remote\n  hint: `git remote add origin URL`"),
        "{}",
        stderr(&out)
    );
    let log = team.git(&kb, &["log", "--format=%s"]);
    assert_eq!(log, "tn sync: .gitattributes, .gitignore\n");
}

#[test]
fn captures_record_their_author() {
    let team = Team::new();
    let kb = team.base.join("kb");
    team.ok(&team.base, &["init", "kb"]);
    team.ok(&kb, &["event", "new", "ev", "--name", "Conf"]);
    team.ok(&kb, &["new", "The talk", "--id", "talk", "--no-edit"]);
    // Outside a repository and without TALKNOTES_AUTHOR: nobody.
    team.ok(&kb, &["jot", "--at", "10:00", "nobody"]);
    team.tn(&kb)
        .env("TALKNOTES_AUTHOR", "  Carol \n")
        .args(["jot", "--at", "10:01", "carol"])
        .assert()
        .success();
    team.tn(&kb)
        .env("TALKNOTES_AUTHOR", "Carol")
        .args(["tool", "Cilium"])
        .assert()
        .success();
    team.git(&kb, &["init", "--quiet"]);
    team.git(&kb, &["config", "user.name", "Dave"]);
    team.ok(&kb, &["link", "https://example.com/slides", "Slides"]);
    // Set but empty: no author, even with git's user.name.
    team.tn(&kb)
        .env("TALKNOTES_AUTHOR", "")
        .args(["jot", "--at", "10:02", "private"])
        .assert()
        .success();
    let note = talk(&kb);
    let by: Vec<Option<&str>> = note.takeaways.iter().map(|t| t.by.as_deref()).collect();
    assert_eq!(by, [None, Some("Carol"), None]);
    assert_eq!(note.tools[0].by.as_deref(), Some("Carol"));
    assert_eq!(note.links[0].by.as_deref(), Some("Dave"));

    let shown = stdout(&team.ok(&kb, &["show", "ev/talk"]));
    assert!(shown.contains("  10:01 carol  — Carol\n"), "{shown}");
    assert!(shown.contains("  10:00 nobody\n"), "{shown}");
    assert!(shown.contains("  Cilium  — Carol\n"), "{shown}");
    assert!(
        shown.contains("  Slides  https://example.com/slides  — Dave\n"),
        "{shown}"
    );

    // Recaps name the contributors only when asked, and read back either way.
    let plain = stdout(&team.ok(&kb, &["export", "--format", "md"]));
    assert!(!plain.contains("Carol"), "{plain}");
    let md = stdout(&team.ok(&kb, &["export", "--format", "md", "--contributors"]));
    assert!(md.contains("\n- 記録: Carol、Dave\n"), "{md}");
    let html = stdout(&team.ok(&kb, &["export", "--format", "html", "--contributors"]));
    assert!(html.contains("<li>記録: Carol、Dave</li>"), "{html}");
    fs::write(kb.join("recap.md"), &md).unwrap();
    let out = team.ok(&kb, &["import", "recap.md", "--dry-run"]);
    assert!(
        stderr(&out).contains("0 created, 0 updated, 2 unchanged"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_knowledge_base_in_a_subdirectory_of_a_repository_syncs_only_its_notes() {
    let team = Team::new();
    let alice = team.clone("Alice");
    fs::write(alice.join("README.md"), "the team's other files\n").unwrap();
    team.git(&alice, &["add", "README.md"]);
    team.git(&alice, &["commit", "--quiet", "-m", "readme"]);
    team.git(&alice, &["push", "--quiet", "-u", "origin", "main"]);
    let kb = alice.join("kb");
    team.ok(&alice, &["init", "--git", "kb"]);
    team.ok(&kb, &["event", "new", "ev", "--name", "Conf"]);
    team.ok(&kb, &["new", "The talk", "--id", "talk", "--no-edit"]);
    team.ok(&kb, &["jot", "--at", "10:00", "alice"]);
    fs::write(alice.join("README.md"), "changed, not a note\n").unwrap();
    fs::write(alice.join("scratch.txt"), "untracked\n").unwrap();
    let out = team.ok(&kb, &["sync"]);
    assert!(
        stderr(&out).contains("committed: tn sync: 2 notes (ev, ev/talk)"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        team.git(&alice, &["status", "--porcelain"]),
        " M README.md\n?? scratch.txt\n"
    );

    let bob = team.clone("Bob");
    team.ok(
        &bob.join("kb"),
        &["jot", "--talk", "ev/talk", "--at", "10:01", "bob"],
    );
    team.ok(&kb, &["jot", "--at", "10:02", "alice again"]);
    team.ok(&bob.join("kb"), &["sync"]);
    team.ok(&kb, &["sync"]);
    let texts: Vec<String> = talk(&kb).takeaways.iter().map(|t| t.text.clone()).collect();
    assert_eq!(texts, ["alice", "bob", "alice again"]);
}

#[test]
fn the_concepts_file_is_shared_and_merged_line_by_line() {
    let (team, alice) = team_with_a_talk();
    let bob = team.clone("Bob");
    let file = "notes/concepts.ron";
    let base = "Concepts(\n    schema: 1,\n    concepts: [\n    ],\n    vetoes: [\n    ],\n)\n";
    fs::write(alice.join(file), base).unwrap();
    team.ok(&alice, &["sync"]);
    team.ok(&bob, &["sync"]);
    assert_eq!(
        fs::read_to_string(bob.join(file)).unwrap(),
        base,
        "shared by tn sync"
    );
    // Alice adds a concept, Bob a veto: different lines, merged by the driver and checked.
    let alice_text = base.replace(
        "    concepts: [\n",
        "    concepts: [\n        Concept(terms: [\"内製\", \"in-house development\"]),\n",
    );
    let bob_text = base.replace(
        "    vetoes: [\n",
        "    vetoes: [\n        Veto(term: \"Lambda\"),\n",
    );
    fs::write(alice.join(file), &alice_text).unwrap();
    fs::write(bob.join(file), &bob_text).unwrap();
    team.ok(&alice, &["sync"]);
    team.ok(&bob, &["sync"]);
    let merged = fs::read_to_string(bob.join(file)).unwrap();
    assert!(
        merged.contains("Concept(terms: [\"内製\", \"in-house development\"])")
            && merged.contains("Veto(term: \"Lambda\")"),
        "{merged}"
    );
    team.ok(&bob, &["check"]);
    let out = stdout(&team.ok(&bob, &["concepts", "内製"]));
    assert!(out.contains("in-house development"), "{out}");
}

#[test]
fn a_library_error_inside_sync_keeps_its_hint_on_a_line_of_its_own() {
    // Regression: `tn sync` wraps the store's errors, and their hint was lost on the way
    // (only sync's own errors, which then wrote the hint into their message, showed one).
    let (team, alice) = team_with_a_talk();
    let lock = alice.join("index/.write.lock");
    let _ = fs::remove_file(&lock);
    let made = std::process::Command::new("mkfifo")
        .arg(&lock)
        .status()
        .unwrap();
    assert!(made.success());
    let out = team.run(&alice, &["sync"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = stderr(&out);
    assert!(
        said.contains(".write.lock: expected a regular file but found a named pipe")
            && said.contains("\n  hint: remove it; tn recreates what belongs there\n"),
        "{said}"
    );
    // Each hint is printed once, after its message.
    assert_eq!(said.matches("hint:").count(), 1, "{said}");
}
