//! Crashes and hangs from what surrounds the notes (issue 18, items 8 and 9): a search limit
//! beyond any index, named pipes where tn keeps its own files, and a `TZ` naming something
//! that is not a time zone file. Every command runs under a watchdog, so a regression fails
//! instead of hanging the test run.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;

use crate::common::{Kb, run_bounded, stderr, stdout};

const WATCHDOG: Duration = Duration::from_secs(60);

fn tn(kb: &Kb, args: &[&str]) -> Output {
    let mut cmd = kb.std_tn();
    cmd.args(args).env("LANG", "C.UTF-8").env("TZ", "UTC");
    run_bounded(cmd, WATCHDOG, &format!("tn {args:?}"))
}

#[track_caller]
fn expect_code(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: unexpected exit status\nstdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Event `ev` with talks `ev/ebpf` (current) and `ev/mesh`, and a built index.
fn kb_with_talks() -> Kb {
    let kb = Kb::with_event();
    kb.ok(&["new", "Service mesh", "--id", "mesh", "--no-edit"]);
    kb.ok(&["jot", "--at", "10:00", "ebpf sidecarless mesh"]);
    kb.ok(&["new", "eBPF deep dive", "--id", "ebpf", "--no-edit"]);
    kb.ok(&["jot", "--at", "10:05", "ebpf programs in the kernel"]);
    kb.ok(&["search", "ebpf"]);
    kb
}

fn ids(out: &Output) -> Vec<String> {
    let hits: Vec<Value> = serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", stdout(out)));
    hits.iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Item 8: the search limit

#[test]
fn a_limit_beyond_any_index_is_capped_not_allocated_nor_taken_for_damage() {
    // Regression: `-n 1000000000000000` aborted on an 8e15-byte allocation, and
    // `-n 18446744073709551615` called the index damaged and rebuilt it.
    let kb = kb_with_talks();
    for limit in ["1000000000000000", "18446744073709551615"] {
        let out = tn(&kb, &["search", "--json", "-n", limit, "ebpf"]);
        expect_code(&out, 0, &format!("search -n {limit}"));
        assert_eq!(stderr(&out), "", "-n {limit}: no notice, no rebuild");
        let mut found = ids(&out);
        found.sort();
        assert_eq!(found, ["ev/ebpf", "ev/mesh"], "-n {limit}");
    }
    let out = tn(
        &kb,
        &[
            "related",
            "ev/ebpf",
            "--json",
            "--limit",
            "18446744073709551615",
        ],
    );
    expect_code(&out, 0, "related --limit");
    assert_eq!(stderr(&out), "");
    // The limit still limits.
    let out = tn(&kb, &["search", "--json", "-n", "1", "ebpf"]);
    assert_eq!(ids(&out).len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Item 9: named pipes where tn keeps its own files

#[test]
fn a_named_pipe_at_the_writer_lock_fails_captures_at_once_and_says_what_to_do() {
    // Regression: `tn jot` opened index/.write.lock, a FIFO, and blocked forever.
    let kb = kb_with_talks();
    let before = kb.read("notes/ev/ebpf.ron");
    let lock = kb.path("index/.write.lock");
    mkfifo(&lock);
    for args in [
        &["jot", "stuck?"][..],
        &["tool", "Cilium"],
        &["tag", "net"],
        &["new", "Another", "--no-edit"],
    ] {
        let out = tn(&kb, args);
        expect_code(&out, 1, &format!("{args:?}"));
        let err = stderr(&out);
        assert!(
            err.contains("index/.write.lock: expected a regular file but found a named pipe"),
            "{args:?}: {err}"
        );
        assert!(err.contains("hint: remove it"), "{args:?}: {err}");
    }
    assert_eq!(kb.read("notes/ev/ebpf.ron"), before, "nothing was written");
    // Searching takes no writer lock.
    let out = tn(&kb, &["search", "--json", "kernel"]);
    expect_code(&out, 0, "search");
    assert_eq!(ids(&out), ["ev/ebpf"]);
    std::fs::remove_file(&lock).unwrap();
    expect_code(&tn(&kb, &["jot", "unstuck"]), 0, "jot after removing it");
}

#[test]
fn a_named_pipe_at_the_build_lock_fails_rebuilds_at_once_and_spares_searches() {
    // Regression: `tn reindex` and `tn search` opened index/.build.lock, a FIFO, and hung.
    let kb = kb_with_talks();
    let lock = kb.path("index/.build.lock");
    mkfifo(&lock);
    let out = tn(&kb, &["reindex"]);
    expect_code(&out, 1, "reindex");
    let err = stderr(&out);
    assert!(
        err.contains("index/.build.lock: expected a regular file but found a named pipe"),
        "{err}"
    );
    assert!(err.contains("hint: remove it"), "{err}");
    // A search of a sound index needs no rebuild, so no build lock.
    let out = tn(&kb, &["search", "--json", "kernel"]);
    expect_code(&out, 0, "search");
    assert_eq!(ids(&out), ["ev/ebpf"]);
    // One that needs a rebuild says why it cannot, at once.
    std::fs::remove_dir_all(kb.path("index/tantivy")).unwrap();
    let out = tn(&kb, &["search", "kernel"]);
    expect_code(&out, 1, "search needing a rebuild");
    assert!(
        stderr(&out).contains("index/.build.lock"),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(&lock).unwrap();
    let out = tn(&kb, &["search", "--json", "kernel"]);
    expect_code(&out, 0, "search after removing it");
    assert_eq!(ids(&out), ["ev/ebpf"]);
}

#[test]
fn named_pipes_inside_the_index_are_never_opened_and_the_index_is_rebuilt() {
    // The index is tn's cache: a FIFO anywhere in it (the pointer to the live build, a build's
    // stamp, a segment file, tantivy's own locks) is damage, rebuilt with a notice.
    type Place = fn(&Path) -> std::path::PathBuf;
    let targets: [(&str, Place); 5] = [
        ("the live pointer", |live| {
            live.parent().unwrap().join("live")
        }),
        ("the stamp", |live| live.join("talknotes-index-version")),
        ("meta.json", |live| live.join("meta.json")),
        ("tantivy's writer lock", |live| {
            live.join(".tantivy-writer.lock")
        }),
        ("a segment file", |live| {
            std::fs::read_dir(live)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.extension().is_some_and(|e| e == "term"))
                .unwrap()
        }),
    ];
    for (what, place) in targets {
        let kb = kb_with_talks();
        // A change, so the search needs tantivy's writer too.
        kb.ok(&["jot", "--at", "11:00", "ebpf maps"]);
        let name = kb.read("index/tantivy/live");
        let live = kb.path("index/tantivy").join(name.trim());
        mkfifo(&place(&live));
        let out = tn(&kb, &["search", "--json", "maps"]);
        expect_code(&out, 0, what);
        assert_eq!(ids(&out), ["ev/ebpf"], "{what}");
        assert!(
            stderr(&out).starts_with("note: search index rebuilt"),
            "{what}: {}",
            stderr(&out)
        );
        let out = tn(&kb, &["search", "--json", "kernel"]);
        assert_eq!(stderr(&out), "", "{what}: rebuilt once");
    }
}

#[test]
fn a_named_pipe_at_the_current_talk_pointer_is_reported() {
    let kb = kb_with_talks();
    mkfifo(&kb.path("index/current"));
    let out = tn(&kb, &["jot", "x"]);
    expect_code(&out, 1, "jot");
    assert!(stderr(&out).contains("index/current"), "{}", stderr(&out));
}

// ---------------------------------------------------------------------------------------------
// Item 9: what the environment names

/// `tn ARGS` with `TZ` set, under a 2 GB address-space limit and the watchdog.
fn tn_with_tz(kb: &Kb, tz: &str, args: &[&str]) -> Output {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -v 2000000 && exec \"$@\"")
        .arg("sh")
        .arg(assert_cmd::cargo::cargo_bin("tn"))
        .arg("--dir")
        .arg(&kb.root)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &kb.base)
        .env("NO_COLOR", "1")
        .env("TZ", tz);
    run_bounded(cmd, WATCHDOG, &format!("TZ={tz} tn {args:?}"))
}

#[test]
fn a_tz_naming_a_device_or_a_pipe_means_utc_with_a_warning() {
    // Regression: `TZ=/dev/zero tn jot x` and `tn now` read /dev/zero into memory without
    // end (4.6 GB in 20 s); a TZ naming a FIFO blocked.
    let kb = kb_with_talks();
    let pipe = kb.base.join("tz-pipe");
    mkfifo(&pipe);
    let pipe = pipe.display().to_string();
    for (tz, found) in [
        ("/dev/zero", "a device"),
        (pipe.as_str(), "a named pipe (FIFO)"),
        (&format!(":{pipe}"), "a named pipe (FIFO)"),
    ] {
        let out = tn_with_tz(&kb, tz, &["jot", "--talk", "ev/mesh", "zoned"]);
        expect_code(&out, 0, &format!("TZ={tz} jot"));
        let warning =
            format!("warning: TZ={tz:?} names {found}, not a time zone file; times are in UTC");
        assert!(stderr(&out).contains(&warning), "TZ={tz}: {}", stderr(&out));
        assert_eq!(
            stderr(&out).matches("warning:").count(),
            1,
            "{}",
            stderr(&out)
        );
        let out = tn_with_tz(&kb, tz, &["now"]);
        expect_code(&out, 0, &format!("TZ={tz} now"));
        assert!(stderr(&out).contains(&warning), "TZ={tz}: {}", stderr(&out));
    }
    // Stamped in UTC, as the warning said.
    let talk = kb.talk("ev", "mesh");
    let stamp = talk.takeaways.last().unwrap().at.unwrap().to_string();
    let utc = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC);
    let minutes = |hhmm: &str| -> i64 {
        let (h, m) = hhmm.split_once(':').unwrap();
        h.parse::<i64>().unwrap() * 60 + m.parse::<i64>().unwrap()
    };
    let now = i64::from(utc.hour()) * 60 + i64::from(utc.minute());
    let apart = (minutes(&stamp) - now).rem_euclid(24 * 60);
    assert!(
        apart <= 2 || apart >= 24 * 60 - 2,
        "{stamp} is not UTC ({now})"
    );
    // A zone rule works without a word.
    let out = tn_with_tz(&kb, "JST-9", &["jot", "--talk", "ev/mesh", "tokyo"]);
    expect_code(&out, 0, "TZ=JST-9");
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}
