//! `init`, `event new`, help, completions and the man page.

use std::fs;

use predicates::prelude::*;

use crate::common::{Kb, stderr, stdout};

#[test]
fn init_creates_notes_and_gitignore() {
    let kb = Kb::bare();
    let target = kb.root.join("fresh");
    let out = kb.tn().arg("init").arg(&target).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(target.join("notes").is_dir());
    assert_eq!(
        fs::read_to_string(target.join(".gitignore")).unwrap(),
        "/index/\n"
    );
    assert!(
        stdout(&out).contains("knowledge base ready at"),
        "{}",
        stdout(&out)
    );

    // Idempotent, and an existing .gitignore is left alone.
    fs::write(target.join(".gitignore"), "mine\n").unwrap();
    kb.tn().arg("init").arg(&target).assert().success();
    assert_eq!(
        fs::read_to_string(target.join(".gitignore")).unwrap(),
        "mine\n"
    );
}

#[test]
fn commands_outside_a_knowledge_base_fail_with_a_hint() {
    let kb = Kb::bare();
    let out = kb.fails(&["list"]);
    let err = stderr(&out);
    assert!(err.contains("is not a talknotes knowledge base"), "{err}");
    assert!(err.contains("hint: create one with `tn init"), "{err}");
}

#[test]
fn talknotes_dir_env_selects_the_knowledge_base() {
    let kb = Kb::with_event();
    let elsewhere = kb.base.join("tmp");
    let out = kb
        .tn_no_dir()
        .current_dir(&elsewhere)
        .env("TALKNOTES_DIR", &kb.root)
        .args(["list", "--events"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Example Conf"), "{}", stdout(&out));
}

#[test]
fn an_empty_talknotes_dir_counts_as_unset() {
    // Regression guard for clap's `env`: an empty value must not be taken for a directory
    // (nor refused as an empty --dir); the knowledge base is found from the working directory.
    let kb = Kb::with_event();
    let out = kb
        .tn_no_dir()
        .env("TALKNOTES_DIR", "")
        .args(["list", "--events"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Example Conf"), "{}", stdout(&out));
}

#[test]
fn init_honours_talknotes_dir() {
    // Regression (issue 18, item 12): `tn init` created the knowledge base in the working
    // directory although TALKNOTES_DIR named another, where every later command looked.
    let kb = Kb::bare();
    let from_env = kb.base.join("from-env");
    let out = kb
        .tn_no_dir()
        .env("TALKNOTES_DIR", &from_env)
        .arg("init")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(from_env.join("notes").is_dir());
    assert!(!kb.root.join("notes").exists());
    // A directory given to `init` itself still wins.
    let given = kb.base.join("given");
    kb.tn_no_dir()
        .env("TALKNOTES_DIR", &from_env)
        .arg("init")
        .arg(&given)
        .assert()
        .success();
    assert!(given.join("notes").is_dir());
}

#[test]
fn event_new_writes_all_fields() {
    let kb = Kb::new();
    let out = kb.ok(&[
        "event",
        "new",
        "kubecon-na-2022",
        "--name",
        "KubeCon + CloudNativeCon North America 2022",
        "--kind",
        "meetup",
        "--date",
        "2022-10-24",
        "--end-date",
        "2022-10-28",
        "--location",
        "デトロイト",
        "--url",
        "https://example.com/kubecon",
        "--hashtag",
        "#KubeCon",
        "--tag",
        "cloud-native",
        "--tag",
        "k8s",
    ]);
    assert!(
        stderr(&out).contains("created event kubecon-na-2022"),
        "{}",
        stderr(&out)
    );
    let text = kb.read("notes/kubecon-na-2022/event.ron");
    for expected in [
        "Event(\n",
        "    schema: 1,\n",
        "    id: \"kubecon-na-2022\",\n",
        "    name: \"KubeCon + CloudNativeCon North America 2022\",\n",
        "    kind: meetup,\n",
        "    starts_on: \"2022-10-24\",\n",
        "    ends_on: \"2022-10-28\",\n",
        "    location: \"デトロイト\",\n",
        "    url: \"https://example.com/kubecon\",\n",
        "    hashtag: \"#KubeCon\",\n",
        "        \"cloud-native\",\n",
        "        \"k8s\",\n",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let event = kb.event("kubecon-na-2022");
    assert_eq!(event.tags, ["cloud-native", "k8s"]);
    assert_eq!(event.starts_on.unwrap().to_string(), "2022-10-24");

    // The new event is the current one.
    let out = kb.ok(&["current"]);
    assert_eq!(
        stdout(&out),
        "kubecon-na-2022\t(event; no current talk yet)\n"
    );
}

#[test]
fn event_new_duplicate_id_fails_clearly() {
    let kb = Kb::with_event();
    let before = kb.read("notes/ev/event.ron");
    let out = kb.fails(&["event", "new", "ev", "--name", "Other"]);
    let err = stderr(&out);
    assert!(err.contains("error: event `ev` already exists at"), "{err}");
    assert!(err.contains("notes/ev/event.ron"), "{err}");
    // Regression: the hint said "choose another id with --id", an option `tn event new`
    // does not have (the id is its first argument).
    assert!(!err.contains("--id"), "{err}");
    assert!(
        err.contains("\n  hint: give the new event another id (`tn event new OTHER-ID --name …`), or change this one with `tn edit ev`\n"),
        "{err}"
    );
    assert_eq!(kb.read("notes/ev/event.ron"), before);
    kb.fails_with(&["event", "new", "ev2", "--id", "x", "--name", "Other"], 2);
}

#[test]
fn event_new_rejects_invalid_ids() {
    let kb = Kb::new();
    for bad in ["Bad_Id", "../x", "a/b", "日本"] {
        let out = kb.fails_with(&["event", "new", bad, "--name", "X"], 2);
        let err = stderr(&out);
        assert!(
            err.contains(&format!("invalid value '{bad}' for '<ID>'")),
            "{err}"
        );
        assert!(
            err.contains("use lower-case ASCII letters, digits and `-`"),
            "the hint is missing: {err}"
        );
    }
    // Nothing was created, in the knowledge base or next to it.
    assert_eq!(fs::read_dir(kb.path("notes")).unwrap().count(), 0);
    assert!(!kb.root.join("x").exists());
    assert!(!kb.base.join("x").exists());
}

#[test]
fn event_new_rejects_invalid_dates() {
    let kb = Kb::new();
    let out = kb.fails_with(
        &["event", "new", "ev", "--name", "X", "--date", "2024-13-01"],
        2,
    );
    let err = stderr(&out);
    assert!(
        err.contains("invalid value '2024-13-01' for '--date <YYYY-MM-DD>'"),
        "{err}"
    );
    assert!(err.contains("write YYYY-MM-DD"), "{err}");
    kb.fails_with(
        &["event", "new", "ev", "--name", "X", "--date", "2024-7-1"],
        2,
    );
    assert!(!kb.path("notes/ev").exists());

    // End before start is refused by the command itself.
    let out = kb.fails(&[
        "event",
        "new",
        "ev",
        "--name",
        "X",
        "--date",
        "2024-07-02",
        "--end-date",
        "2024-07-01",
    ]);
    assert!(stderr(&out).contains("ends_on"), "{}", stderr(&out));
    assert!(!kb.path("notes/ev/event.ron").exists());
}

#[test]
fn no_arguments_prints_help_and_succeeds() {
    let kb = Kb::bare();
    kb.tn_no_dir()
        .assert()
        .success()
        .stdout(predicate::str::contains("Usage: tn").and(predicate::str::contains("jot")));
}

#[test]
fn help_lists_commands() {
    let kb = Kb::bare();
    kb.tn_no_dir().arg("--help").assert().success().stdout(
        predicate::str::contains("talknotes")
            .and(predicate::str::contains("jot"))
            .and(predicate::str::contains("import"))
            .and(predicate::str::contains("--dir")),
    );
    kb.tn_no_dir()
        .args(["jot", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--at <H:MM>"));
}

#[test]
fn bash_completions_mention_jot() {
    let kb = Kb::bare();
    let out = kb
        .tn_no_dir()
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.len() > 100, "{text}");
    assert!(text.contains("jot"), "{text}");
    assert!(text.contains("complete"), "{text}");
}

#[test]
fn man_page_mentions_jot() {
    let kb = Kb::bare();
    let out = kb.tn_no_dir().arg("man").output().unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(
        text.starts_with(".ie") || text.contains(".TH"),
        "not roff: {text}"
    );
    assert!(text.contains("jot"), "{text}");
}

#[test]
fn schema_is_json() {
    let kb = Kb::bare();
    let out = kb.tn_no_dir().arg("schema").output().unwrap();
    assert!(out.status.success());
    let schema: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(schema["properties"]["talknotes"].is_object(), "{schema}");
}

#[test]
fn init_without_arguments_uses_the_working_directory() {
    let kb = Kb::bare();
    let out = kb.tn_no_dir().arg("init").output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(kb.root.join("notes").is_dir());
    assert_eq!(
        fs::read_to_string(kb.root.join(".gitignore")).unwrap(),
        "/index/\n"
    );
}

#[test]
fn the_knowledge_base_is_found_from_a_subdirectory() {
    let kb = Kb::with_event();
    let out = kb
        .tn_no_dir()
        .current_dir(kb.path("notes/ev"))
        .args(["list", "--events"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("ev "), "{}", stdout(&out));
}

#[test]
fn event_new_rejects_a_blank_name() {
    let kb = Kb::new();
    let out = kb.fails(&["event", "new", "ev", "--name", "   "]);
    assert!(
        stderr(&out).contains("the event name is empty"),
        "{}",
        stderr(&out)
    );
    assert!(!kb.path("notes/ev/event.ron").exists());
}
