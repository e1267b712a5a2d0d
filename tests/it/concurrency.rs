//! Concurrent writers: no takeaway is ever lost, and the file always parses.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::Stdio;
use std::sync::{Arc, Barrier};
use std::thread;

use crate::common::Kb;

fn kb_with_talk() -> Kb {
    let kb = Kb::with_event();
    kb.ok(&["new", "Busy Talk", "--id", "busy", "--no-edit"]);
    kb
}

#[test]
fn parallel_jot_processes_lose_nothing() {
    const PROCESSES: usize = 8;
    const JOTS: usize = 10;
    let kb = Arc::new(kb_with_talk());
    let barrier = Arc::new(Barrier::new(PROCESSES));
    let workers: Vec<_> = (0..PROCESSES)
        .map(|p| {
            let kb = Arc::clone(&kb);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                for j in 0..JOTS {
                    let out = kb
                        .std_tn()
                        .args(["jot", "--at", "10:00", &format!("p{p} j{j} 並行")])
                        .stdin(Stdio::null())
                        .output()
                        .unwrap();
                    assert!(
                        out.status.success(),
                        "p{p} j{j}: {}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let talk = kb.talk("ev", "busy");
    let got: Vec<String> = talk.takeaways.iter().map(|t| t.text.clone()).collect();
    assert_eq!(got.len(), PROCESSES * JOTS, "{got:#?}");
    let expected: BTreeSet<String> = (0..PROCESSES)
        .flat_map(|p| (0..JOTS).map(move |j| format!("p{p} j{j} 並行")))
        .collect();
    assert_eq!(got.iter().cloned().collect::<BTreeSet<_>>(), expected);
    // Each process's own lines stay in the order it wrote them.
    for p in 0..PROCESSES {
        let mine: Vec<&String> = got
            .iter()
            .filter(|t| t.starts_with(&format!("p{p} ")))
            .collect();
        let in_order: Vec<String> = (0..JOTS).map(|j| format!("p{p} j{j} 並行")).collect();
        assert_eq!(mine, in_order.iter().collect::<Vec<_>>());
    }
    assert!(kb.files_named_like(".tn-").is_empty());
    kb.ok(&["check"]);
}

#[test]
fn simultaneous_stdin_jots_and_other_captures_lose_nothing() {
    const PROCESSES: usize = 3;
    const LINES: usize = 40;
    let kb = kb_with_talk();
    // Start every writer first, then feed them all at once.
    let mut children: Vec<_> = (0..PROCESSES)
        .map(|_| {
            kb.std_tn()
                .args(["jot", "-", "--at", "11:11"])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut taggers: Vec<_> = (0..4)
        .map(|i| {
            kb.std_tn()
                .args(["tag", &format!("tag-{i}")])
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let inputs: Vec<String> = (0..PROCESSES)
        .map(|p| (0..LINES).map(|l| format!("stdin p{p} l{l}\n")).collect())
        .collect();
    let feeders: Vec<_> = children
        .iter_mut()
        .zip(inputs)
        .map(|(child, input)| {
            let mut stdin = child.stdin.take().unwrap();
            thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap())
        })
        .collect();
    for f in feeders {
        f.join().unwrap();
    }
    for child in children.into_iter().chain(taggers.drain(..)) {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let talk = kb.talk("ev", "busy");
    assert_eq!(talk.takeaways.len(), PROCESSES * LINES);
    let got: BTreeSet<&str> = talk.takeaways.iter().map(|t| t.text.as_str()).collect();
    let expected: BTreeSet<String> = (0..PROCESSES)
        .flat_map(|p| (0..LINES).map(move |l| format!("stdin p{p} l{l}")))
        .collect();
    assert_eq!(got, expected.iter().map(String::as_str).collect());
    let tags: BTreeSet<&str> = talk.tags.iter().map(String::as_str).collect();
    assert_eq!(tags, BTreeSet::from(["tag-0", "tag-1", "tag-2", "tag-3"]));
    kb.ok(&["check"]);
}

#[test]
fn parallel_new_talks_with_the_same_title_get_distinct_ids() {
    const PROCESSES: usize = 6;
    let kb = Arc::new(Kb::with_event());
    let barrier = Arc::new(Barrier::new(PROCESSES));
    let workers: Vec<_> = (0..PROCESSES)
        .map(|_| {
            let kb = Arc::clone(&kb);
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                barrier.wait();
                kb.std_tn()
                    .args(["new", "Same Title", "--no-edit"])
                    .stdin(Stdio::null())
                    .output()
                    .unwrap()
            })
        })
        .collect();
    let outputs: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    // Nothing is ever overwritten: every talk file holds one complete note.
    let mut files: Vec<_> = std::fs::read_dir(kb.path("notes/ev"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n != "event.ron")
        .collect();
    files.sort();
    for name in &files {
        let id = name.strip_suffix(".ron").unwrap();
        assert_eq!(kb.talk("ev", id).title, "Same Title");
    }
    // No --id was given, so the id is tn's to choose: a racing `tn new` must pick the next free
    // suffix rather than fail with "already exists; choose another id with --id".
    let failures: Vec<String> = outputs
        .iter()
        .filter(|o| !o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {PROCESSES} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(
        files,
        [
            "same-title-2.ron",
            "same-title-3.ron",
            "same-title-4.ron",
            "same-title-5.ron",
            "same-title-6.ron",
            "same-title.ron"
        ]
    );
}

#[test]
fn an_editor_saving_in_place_nonstop_loses_no_save_to_tn_jot() {
    // Regression (issue 18, item 1): an editor writing the note in place between tn's check
    // and tn's rename had its save silently replaced; with a save every 3 ms, a quarter of
    // them were lost. Here an editor saves in place every few milliseconds, each save adding
    // one line to what it just read, while `tn jot` runs in a loop for a few seconds. Every
    // save builds on the one before, so the last one holds them all unless tn lost one.
    use std::fs;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::{Duration, Instant};
    use talknotes::note::{Takeaway, Talk};
    use talknotes::store::codec;

    let kb = kb_with_talk();
    let path = kb.path("notes/ev/busy.ron");
    let stop = Arc::new(AtomicBool::new(false));
    let editor = {
        let (path, stop) = (path.clone(), Arc::clone(&stop));
        thread::spawn(move || {
            let mut saves = 0usize;
            while !stop.load(Ordering::Relaxed) {
                let bytes = fs::read(&path).unwrap();
                let mut talk = codec::parse::<Talk>(&path, &bytes, "busy").unwrap_or_else(|e| {
                    panic!("{e:?}\n{}", String::from_utf8_lossy(&bytes));
                });
                talk.takeaways.push(Takeaway {
                    text: format!("editor {saves}"),
                    at: None,
                    by: None,
                });
                // In place, like a shell redirect or an editor with backupcopy=yes.
                let mut file = fs::OpenOptions::new()
                    .write(true)
                    .truncate(true)
                    .open(&path)
                    .unwrap();
                file.write_all(codec::to_ron(&talk).unwrap().as_bytes())
                    .unwrap();
                drop(file);
                saves += 1;
                thread::sleep(Duration::from_millis(8));
            }
            saves
        })
    };
    let started = Instant::now();
    let mut jots = 0;
    let mut failures = Vec::new();
    while started.elapsed() < Duration::from_secs(3) {
        let out = kb
            .std_tn()
            .args(["jot", "--at", "10:00", &format!("tn {jots}")])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        if !out.status.success() {
            failures.push(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        jots += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let saves = editor.join().unwrap();
    assert!(failures.is_empty(), "{failures:#?}");
    eprintln!("{saves} editor saves in place during {jots} jots");
    let talk = kb.talk("ev", "busy");
    let texts: BTreeSet<&str> = talk.takeaways.iter().map(|t| t.text.as_str()).collect();
    let lost: Vec<String> = (0..saves)
        .map(|i| format!("editor {i}"))
        .filter(|line| !texts.contains(line.as_str()))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {saves} editor saves lost to {jots} jots: {lost:?}",
        lost.len()
    );
    // The editor overwrites jots it had not read (its own lost update, which tn cannot
    // prevent); some of tn's lines stay all the same.
    assert!(texts.iter().any(|t| t.starts_with("tn ")), "{texts:?}");
    assert!(saves > 100 && jots > 10, "{saves} saves, {jots} jots");
    kb.ok(&["check"]);
}
