//! Crash safety: `tn` killed with SIGKILL at random moments never costs a note.
//!
//! Each scenario runs one kind of write (`tn jot`, `tn jot -`, `tn new` / `tn event new`,
//! `tn import` of JSON and schedules, a takeaway saved in the TUI, and `tn search` /
//! `tn reindex` while they update the index) over and over, killing it after a delay drawn
//! uniformly from [0, the duration of a normal run]. After every kill it proves that:
//!
//! - every note file parses, and holds exactly either its content before the command or the
//!   content the command writes (a reference run of the same command shows what that is;
//!   for commands that save several times, one of the states in between), never a torn,
//!   empty or half-written file;
//! - `tn check` finds no problem: temporary files left by the kill are invisible, and no
//!   event directory is left without its event.ron;
//! - the next `tn search` works, rebuilding the index if the kill damaged it.
//!
//! The delays come from a seeded RNG, so a failure is reproducible: `TN_CRASH_SEED` picks the
//! seed and `TN_CRASH_KILLS` the total number of kills (300 by default, shared among the
//! scenarios). `cargo test --test tests crash -- --nocapture` prints the kills survived.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use talknotes::note::{Event, Takeaway, Talk};
use talknotes::store::codec;

use crate::common::{self, Kb, Tmux, copy_dir};

/// How long a screen may take to show what a healthy TUI shows; only a broken one misses it.
const PATIENCE: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------
// Configuration and the seeded RNG

const DEFAULT_KILLS: usize = 300;
const DEFAULT_SEED: u64 = 0x7a1c_5eed_2024_0615;

fn total_kills() -> usize {
    std::env::var("TN_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_KILLS)
}

/// This scenario's share of the kills (at least one).
fn kills_for(percent: usize) -> usize {
    (total_kills() * percent / 100).max(1)
}

/// SplitMix64: tiny, good enough for delays, and the same everywhere.
struct Rng(u64);

impl Rng {
    /// Each scenario draws from its own stream, so the order tests run in does not matter.
    fn for_scenario(name: &str) -> Rng {
        let seed = std::env::var("TN_CRASH_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_SEED);
        let mut rng = Rng(seed);
        for byte in name.bytes() {
            rng.0 ^= u64::from(byte);
            rng.next();
        }
        rng
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, max].
    fn delay(&mut self, max: Duration) -> Duration {
        let nanos = max.as_nanos().max(1) as u64;
        Duration::from_nanos(self.next() % (nanos + 1))
    }
}

// ---------------------------------------------------------------------------------------
// Running and killing

/// How a run that was to be killed ended.
enum Ending {
    /// SIGKILL landed while it was running.
    Killed,
    /// It had finished before the kill.
    Finished(ExitStatus),
}

/// Waits `delay`, then kills the child with SIGKILL unless it already exited.
fn kill_after(mut child: Child, delay: Duration) -> Ending {
    std::thread::sleep(delay);
    // `Child::kill` sends SIGKILL on Unix; a child that exited just before is a zombie until
    // `wait`, so the signal cannot hit another process, and the status tells what happened.
    let _ = child.kill();
    let status = child.wait().expect("wait for tn");
    if status.signal() == Some(9) {
        Ending::Killed
    } else {
        Ending::Finished(status)
    }
}

fn tn_command(kb: &Kb) -> Command {
    let mut cmd = kb.std_tn();
    cmd.env("TZ", "UTC")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Runs `tn ARGS` to the end and returns how long it took; it must succeed.
fn run_ok(kb: &Kb, args: &[String]) -> Duration {
    let started = Instant::now();
    let mut cmd = tn_command(kb);
    cmd.args(args);
    let out = bounded(cmd, &format!("tn {args:?}"));
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "reference run of tn {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    elapsed
}

/// Runs a command that must finish; a hang fails the test instead of stalling CI.
fn bounded(cmd: Command, what: &str) -> std::process::Output {
    common::run_bounded(cmd, Duration::from_secs(120), what)
}

/// The median duration of a few normal runs made by `run`: the span kills are spread over.
fn measure(mut run: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..5).map(|_| run()).collect();
    times.sort();
    times[2]
}

// ---------------------------------------------------------------------------------------
// Checking a knowledge base after a kill

/// Note files (relative to `notes/`) and their bytes, and apart from them the temporary files
/// and directories that killed writers left.
fn notes(kb: &Kb) -> (BTreeMap<PathBuf, Vec<u8>>, BTreeSet<PathBuf>) {
    let root = kb.path("notes");
    let mut files = BTreeMap::new();
    let mut leftovers = BTreeSet::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(".tn-") {
                leftovers.insert(path);
            } else if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(&root).unwrap().to_owned();
                files.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    (files, leftovers)
}

/// Every note file parses with the library's own reader (which validates it).
fn assert_all_parse(files: &BTreeMap<PathBuf, Vec<u8>>, context: &str) {
    for (rel, bytes) in files {
        let stem = rel.file_stem().unwrap().to_str().unwrap();
        let ok = if stem == "event" {
            let event = rel.parent().unwrap().to_str().unwrap();
            codec::parse::<Event>(rel, bytes, event).map(|_| ())
        } else {
            codec::parse::<Talk>(rel, bytes, stem).map(|_| ())
        };
        if let Err(errors) = ok {
            panic!(
                "{context}: notes/{} does not parse: {errors:?}\n{}",
                rel.display(),
                String::from_utf8_lossy(bytes)
            );
        }
    }
}

/// Each file holds its old or its new content (`None`: no file).
fn assert_old_or_new(
    after: &BTreeMap<PathBuf, Vec<u8>>,
    old: &BTreeMap<PathBuf, Vec<u8>>,
    new: &BTreeMap<PathBuf, Vec<u8>>,
    context: &str,
) {
    let paths: BTreeSet<&PathBuf> = after.keys().chain(old.keys()).chain(new.keys()).collect();
    for path in paths {
        let got = after.get(path);
        assert!(
            got == old.get(path) || got == new.get(path),
            "{context}: notes/{} is neither its old nor its new content:\n{}",
            path.display(),
            got.map_or("(missing)".into(), |b| String::from_utf8_lossy(b)
                .into_owned())
        );
    }
}

/// `tn check` finds nothing wrong and `tn search` works (repairing the index if needed).
fn assert_kb_healthy(kb: &Kb, word: &str, context: &str) -> String {
    let mut cmd = tn_command(kb);
    cmd.arg("check");
    let out = bounded(cmd, &format!("{context}: tn check"));
    assert!(
        out.status.success(),
        "{context}: tn check failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut cmd = tn_command(kb);
    cmd.args(["search", "-n", "100", word]);
    let out = bounded(cmd, &format!("{context}: tn search"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && !err.contains("error"),
        "{context}: tn search after the kill failed: {err}"
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// What a scenario reports at the end.
struct Tally {
    name: &'static str,
    started: Instant,
    kills: usize,
    finished_first: usize,
    leftovers: BTreeSet<PathBuf>,
    span: Duration,
}

impl Tally {
    /// The notes after a kill, each checked to parse; temporary files the kill left are
    /// counted for the report.
    fn survey(&mut self, kb: &Kb, context: &str) -> BTreeMap<PathBuf, Vec<u8>> {
        let (after, leftovers) = notes(kb);
        self.leftovers.extend(leftovers);
        assert_all_parse(&after, context);
        after
    }

    fn new(name: &'static str) -> Tally {
        Tally {
            name,
            started: Instant::now(),
            kills: 0,
            finished_first: 0,
            leftovers: BTreeSet::new(),
            span: Duration::ZERO,
        }
    }

    /// Whether to go on: until `target` kills landed (with a cap, should runs be too quick
    /// to be hit).
    fn wants(&self, target: usize) -> bool {
        assert!(
            self.kills + self.finished_first < target * 20 + 20,
            "{}: only {} of {target} kills landed",
            self.name,
            self.kills
        );
        self.kills < target
    }

    fn record(&mut self, ending: &Ending, context: &str) {
        match ending {
            Ending::Killed => self.kills += 1,
            Ending::Finished(status) => {
                assert!(
                    status.success(),
                    "{context}: tn failed on its own: {status}"
                );
                self.finished_first += 1;
            }
        }
    }

    fn report(&self) {
        println!(
            "crash-safety: {}: {} kills survived ({} runs finished before their kill; \
             delays over [0, {:.0?}]; {} temporary files left by kills) in {:.1?}",
            self.name,
            self.kills,
            self.finished_first,
            self.span,
            self.leftovers.len(),
            self.started.elapsed()
        );
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn kb_with_talk() -> Kb {
    let kb = Kb::with_event();
    kb.ok(&["new", "Crash Talk", "--id", "t", "--no-edit"]);
    kb.ok(&["jot", "--at", "09:00", "最初の一行"]);
    kb
}

fn parse_talk(bytes: &[u8]) -> Talk {
    codec::parse::<Talk>(Path::new("t.ron"), bytes, "t").expect("the talk parses")
}

/// The file text of `talk` with `lines` appended, as `tn jot --at AT` writes it.
fn with_takeaways(talk: &Talk, lines: &[String], at: &str) -> Vec<u8> {
    let mut talk = talk.clone();
    for line in lines {
        talk.takeaways.push(Takeaway {
            text: line.clone(),
            at: Some(at.parse().unwrap()),
            by: None,
        });
    }
    codec::to_ron(&talk).unwrap().into_bytes()
}

// ---------------------------------------------------------------------------------------
// Scenarios

#[test]
fn crash_jot() {
    let mut tally = Tally::new("tn jot");
    let target = kills_for(20);
    let mut rng = Rng::for_scenario("jot");
    let kb = kb_with_talk();
    let mut n = 0;
    tally.span = measure(|| {
        n += 1;
        run_ok(&kb, &args(&["jot", "--at", "10:00", &format!("計測 {n}")]))
    });
    let mut i = 0;
    while tally.wants(target) {
        i += 1;
        let context = format!("jot #{i}");
        let (old, _) = notes(&kb);
        let line = format!("kill {i}: 日本語と English の一行");
        let old_talk = parse_talk(&old[Path::new("ev/t.ron")]);
        let mut new = old.clone();
        new.insert(
            "ev/t.ron".into(),
            with_takeaways(&old_talk, std::slice::from_ref(&line), "10:00"),
        );
        let child = tn_command(&kb)
            .args(["jot", "--at", "10:00", &line])
            .spawn()
            .unwrap();
        let ending = kill_after(child, rng.delay(tally.span));
        tally.record(&ending, &context);
        let after = tally.survey(&kb, &context);
        assert_old_or_new(&after, &old, &new, &context);
        assert_kb_healthy(&kb, "kill", &context);
    }
    // The next write sweeps what kills left in the note's directory.
    kb.ok(&["jot", "--at", "10:00", "after the kills"]);
    let (_, left) = notes(&kb);
    assert!(left.is_empty(), "temporary files were not swept: {left:?}");
    tally.report();
}

#[test]
fn crash_jot_stdin() {
    const LINES: usize = 8;
    let mut tally = Tally::new("tn jot - (a line saved as typed)");
    let target = kills_for(15);
    let mut rng = Rng::for_scenario("jot-stdin");
    let kb = kb_with_talk();
    let spawn = |lines: &[String]| {
        let mut child = tn_command(&kb)
            .args(["jot", "-", "--at", "11:11"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        // The whole input is there at once; tn saves one line after the other.
        let _ = stdin.write_all(lines.concat().as_bytes());
        drop(stdin);
        child
    };
    let lines_of = |i: usize| -> Vec<String> {
        (0..LINES)
            .map(|j| format!("burst {i} line {j} 途中で止まっても\n"))
            .collect()
    };
    let mut n = 0;
    tally.span = measure(|| {
        n += 1;
        let started = Instant::now();
        let status = spawn(&lines_of(1000 + n)).wait().unwrap();
        assert!(status.success());
        started.elapsed()
    });
    let mut i = 0;
    while tally.wants(target) {
        i += 1;
        let context = format!("jot - #{i}");
        let (old, _) = notes(&kb);
        let old_talk = parse_talk(&old[Path::new("ev/t.ron")]);
        let lines = lines_of(i);
        let texts: Vec<String> = lines.iter().map(|l| l.trim_end().to_owned()).collect();
        // Allowed: the old note plus the first k lines, for any k.
        let states: Vec<Vec<u8>> = (0..=LINES)
            .map(|k| with_takeaways(&old_talk, &texts[..k], "11:11"))
            .collect();
        let ending = kill_after(spawn(&lines), rng.delay(tally.span));
        tally.record(&ending, &context);
        let after = tally.survey(&kb, &context);
        let got = &after[Path::new("ev/t.ron")];
        assert!(
            states.contains(got),
            "{context}: ev/t.ron is not the old note plus some of the lines:\n{}",
            String::from_utf8_lossy(got)
        );
        assert_eq!(after.len(), old.len(), "{context}");
        assert_kb_healthy(&kb, "burst", &context);
    }
    tally.report();
}

#[test]
fn crash_new() {
    let mut tally = Tally::new("tn new / tn event new");
    let target = kills_for(20);
    let mut rng = Rng::for_scenario("new");
    // The reference knowledge base runs each command to its end: it shows the new content.
    let kb = Kb::with_event();
    let reference = Kb::with_event();
    let command = |i: usize| -> Vec<String> {
        if i % 4 == 3 {
            args(&[
                "event",
                "new",
                &format!("e{i}"),
                "--name",
                &format!("イベント {i}"),
                "--date",
                "2024-06-01",
            ])
        } else {
            args(&[
                "new",
                &format!("トーク {i}: Kubernetes の話"),
                "--id",
                &format!("n{i}"),
                "--event",
                "ev",
                "--speaker",
                "山田 太郎（サイボウズ）",
                "--tag",
                "crash",
                "--no-edit",
            ])
        }
    };
    let mut n = 10_000;
    tally.span = measure(|| {
        n += 1;
        run_ok(&reference, &command(n))
    });
    let current = |kb: &Kb| fs::read(kb.path("index/current")).ok();
    let mut i = 0;
    while tally.wants(target) {
        i += 1;
        let context = format!("{} #{i}", command(i)[..2].join(" "));
        let (old, _) = notes(&kb);
        let old_current = current(&kb);
        run_ok(&reference, &command(i));
        // What the reference created, on top of this knowledge base's old state.
        let created = if i % 4 == 3 {
            PathBuf::from(format!("e{i}/event.ron"))
        } else {
            PathBuf::from(format!("ev/n{i}.ron"))
        };
        let mut new = old.clone();
        new.insert(
            created.clone(),
            fs::read(reference.path("notes").join(&created)).unwrap(),
        );
        let child = tn_command(&kb).args(command(i)).spawn().unwrap();
        let ending = kill_after(child, rng.delay(tally.span));
        tally.record(&ending, &context);
        let after = tally.survey(&kb, &context);
        assert_old_or_new(&after, &old, &new, &context);
        let now = current(&kb);
        assert!(
            now == old_current || now == current(&reference),
            "{context}: index/current is {now:?}"
        );
        assert_kb_healthy(&kb, "kubernetes", &context);
    }
    tally.report();
}

/// Copies the notes and the current-talk pointer of `from` over those of `to`.
fn mirror(from: &Kb, to: &Kb) {
    let _ = fs::remove_dir_all(to.path("notes"));
    copy_dir(&from.path("notes"), &to.path("notes"));
    let _ = fs::remove_file(to.path("index/current"));
    if let Ok(bytes) = fs::read(from.path("index/current")) {
        to.write("index/current", bytes);
    }
}

/// An interchange file that updates event `imp`'s eight talks and adds event `batch-I`.
fn import_json(i: usize) -> String {
    let talk = |j: usize| {
        serde_json::json!({
            "id": format!("t{j}"),
            "title": format!("講演 {j} (版 {i})"),
            "kind": "session",
            "speakers": [{"name": format!("話者 {j}"), "affiliation": "Example"}],
            "tags": ["crash", format!("v{}", i % 3)],
            "takeaways": (0..=(i % 4)).map(|k| serde_json::json!({
                "text": format!("学び {k} / import {i}"),
                "at": "12:00",
            })).collect::<Vec<_>>(),
            "memo": format!("memo {i}\n```\ncode\n```"),
        })
    };
    serde_json::json!({
        "talknotes": 1,
        "events": [
            {
                "id": "imp",
                "name": format!("Import {}", i % 2),
                "kind": "conference",
                "talks": (0..8).map(talk).collect::<Vec<_>>(),
            },
            {
                "id": format!("batch-{i}"),
                "name": format!("Batch {i}"),
                "talks": [talk(100), talk(101)],
            },
        ]
    })
    .to_string()
}

#[test]
fn crash_import() {
    let mut tally = Tally::new("tn import (JSON and schedules)");
    let target = kills_for(20);
    let mut rng = Rng::for_scenario("import");
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/schedules");
    let kb = Kb::new();
    let reference = Kb::new();
    // Every third import is a pretalx schedule, alternately the original and its update.
    let input = |i: usize| -> PathBuf {
        match i % 6 {
            2 => repo.join("pretalx-cnk2025.json"),
            5 => repo.join("pretalx-cnk2025-updated.json"),
            _ => {
                let path = kb.tmp.join(format!("import-{i}.json"));
                fs::write(&path, import_json(i)).unwrap();
                path
            }
        }
    };
    let command = |path: &Path| args(&["import", "--update", path.to_str().unwrap()]);
    let mut n = 10_000;
    tally.span = measure(|| {
        n += 1;
        mirror(&kb, &reference);
        run_ok(&reference, &command(&input(n)))
    });
    let mut i = 0;
    while tally.wants(target) {
        i += 1;
        let path = input(i);
        let context = format!(
            "import #{i} ({})",
            path.file_name().unwrap().to_string_lossy()
        );
        let (old, _) = notes(&kb);
        mirror(&kb, &reference);
        run_ok(&reference, &command(&path));
        let (new, _) = notes(&reference);
        let child = tn_command(&kb).args(command(&path)).spawn().unwrap();
        let ending = kill_after(child, rng.delay(tally.span));
        tally.record(&ending, &context);
        let after = tally.survey(&kb, &context);
        assert_old_or_new(&after, &old, &new, &context);
        assert_kb_healthy(&kb, "crash", &context);
    }
    tally.report();
}

#[test]
fn crash_index_updates() {
    let mut tally = Tally::new("tn search / tn reindex (index writes)");
    let target = kills_for(10);
    let mut rng = Rng::for_scenario("index");
    let kb = kb_with_talk();
    kb.ok(&["search", "x"]);
    let mut n = 0;
    tally.span = measure(|| {
        n += 1;
        run_ok(
            &kb,
            &args(&["jot", "--at", "10:00", &format!("measure{n}")]),
        );
        let search = run_ok(&kb, &args(&["search", &format!("measure{n}")]));
        search.max(run_ok(&kb, &args(&["reindex"])))
    });
    let mut i = 0;
    while tally.wants(target) {
        i += 1;
        // A note changed since the index saw it, so the search has to write the index.
        let token = format!("token{i}x");
        kb.ok(&["jot", "--at", "10:00", &format!("{token} 索引")]);
        let command = if i % 2 == 0 {
            args(&["search", "anything"])
        } else {
            args(&["reindex"])
        };
        let context = format!("{} #{i}", command[0]);
        let child = tn_command(&kb).args(&command).spawn().unwrap();
        let ending = kill_after(child, rng.delay(tally.span));
        tally.record(&ending, &context);
        // The index recovers and is up to date: the newest line is found.
        let hits = assert_kb_healthy(&kb, &token, &context);
        assert!(
            hits.contains("ev/t"),
            "{context}: `{token}` not found:\n{hits}"
        );
    }
    tally.report();
}

// ---------------------------------------------------------------------------------------
// The TUI, driven in tmux like a person would

/// Starts the TUI on `kb`, opens the takeaway line on its one talk, and returns its pid.
fn open_takeaway_line(tmux: &Tmux, kb: &Kb) -> u32 {
    tmux.start_tn(kb, 120, 30);
    let pid = tmux.run(&["display-message", "-p", "-t", "tn", "#{pane_pid}"]);
    tmux.wait_for("Crash Talk", PATIENCE);
    tmux.run(&["send-keys", "-t", "tn", "Tab"]);
    tmux.wait_for("j/k", PATIENCE);
    tmux.run(&["send-keys", "-t", "tn", "a"]);
    tmux.wait_for("Enter saves", PATIENCE);
    pid.trim().parse().expect("pane pid")
}

/// Types every line followed by Enter, in one tmux command.
fn type_lines(tmux: &Tmux, lines: &[String]) {
    let mut args: Vec<&str> = Vec::new();
    for line in lines {
        args.extend(["send-keys", "-t", "tn", "-l", line, ";"]);
        args.extend(["send-keys", "-t", "tn", "Enter", ";"]);
    }
    tmux.run(&args);
}

fn sigkill(pid: u32) -> bool {
    Command::new("kill")
        .args(["-9", &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn crash_tui_takeaway_save() {
    const LINES: usize = 6;
    if Command::new("tmux").arg("-V").output().is_err() {
        println!("SKIPPED crash_tui_takeaway_save: tmux is not installed (CI installs it)");
        return;
    }
    let mut tally = Tally::new("TUI takeaway save");
    let target = kills_for(15);
    let mut rng = Rng::for_scenario("tui");
    let kb = kb_with_talk();
    kb.ok(&["search", "x"]);
    let tmux = Tmux::new("crash");
    let lines_of = |i: usize| -> Vec<String> {
        (0..LINES)
            .map(|j| format!("tui {i} line {j} 保存中"))
            .collect()
    };
    // A normal burst: from the keys being sent to the last line saved.
    let mut n = 0;
    tally.span = measure(|| {
        n += 1;
        let pid = open_takeaway_line(&tmux, &kb);
        let started = Instant::now();
        type_lines(&tmux, &lines_of(1000 + n));
        tmux.wait_for(&format!("{LINES} saved"), PATIENCE);
        let elapsed = started.elapsed();
        sigkill(pid);
        tmux.wait_until_gone();
        elapsed
    });
    let mut i = 0;
    while tally.wants(target) {
        i += 1;
        let context = format!("TUI #{i}");
        let (old, _) = notes(&kb);
        let old_talk = parse_talk(&old[Path::new("ev/t.ron")]);
        let old_texts: Vec<String> = old_talk.takeaways.iter().map(|t| t.text.clone()).collect();
        let pid = open_takeaway_line(&tmux, &kb);
        let lines = lines_of(i);
        let started = Instant::now();
        type_lines(&tmux, &lines);
        let delay = rng.delay(tally.span);
        std::thread::sleep(delay.saturating_sub(started.elapsed()));
        // The TUI only ends when killed, so every kill lands (while saving, or just after).
        assert!(sigkill(pid), "{context}: the TUI was gone before the kill");
        tally.record(&Ending::Killed, &context);
        tmux.wait_until_gone();
        let after = tally.survey(&kb, &context);
        let bytes = &after[Path::new("ev/t.ron")];
        let talk = parse_talk(bytes);
        let texts: Vec<String> = talk.takeaways.iter().map(|t| t.text.clone()).collect();
        // The old takeaways, then the first k typed lines in order: each save is whole.
        let k = texts
            .len()
            .checked_sub(old_texts.len())
            .unwrap_or_else(|| panic!("{context}: takeaways were lost: {texts:?}"));
        assert!(k <= LINES, "{context}: {texts:?}");
        assert_eq!(texts[..old_texts.len()], old_texts[..], "{context}");
        assert_eq!(texts[old_texts.len()..], lines[..k], "{context}");
        assert_eq!(
            bytes,
            &codec::to_ron(&talk).unwrap().into_bytes(),
            "{context}: not the file tn writes"
        );
        assert_eq!(after.len(), old.len(), "{context}");
        assert_kb_healthy(&kb, "tui", &context);
    }
    tally.report();
}

#[test]
fn leftovers_of_a_killed_writer_are_swept_by_the_next_write() {
    // What SIGKILL leaves: a temporary file beside a note and a half-built event directory.
    let kb = kb_with_talk();
    kb.write("notes/ev/.tn-AbCdEf.tmp", "Talk(\n    id: \"t\",\n    tit");
    kb.write("notes/.tn-123-456.dir/event.ron", "Event(");
    kb.write("notes/ev/.tn-notes-of-mine.txt", "not tn's: kept");
    kb.ok(&["check"]);
    kb.ok(&["jot", "--at", "10:00", "x"]);
    kb.ok(&["event", "new", "ev2", "--name", "Two"]);
    assert!(!kb.path("notes/ev/.tn-AbCdEf.tmp").exists());
    assert!(!kb.path("notes/.tn-123-456.dir").exists());
    assert!(kb.path("notes/ev/.tn-notes-of-mine.txt").exists());
    kb.ok(&["check"]);
}
