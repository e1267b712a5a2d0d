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
