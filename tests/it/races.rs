//! Searches and rebuilds of the index at the same time (issue 18, item 4): every search
//! answers from a whole index, old or new, and finds a note that exists; no rebuild fails;
//! nothing healthy is taken for damage. A bounded loop of real processes; the deterministic
//! cases (a rebuild paused between build and swap) are unit tests in `src/index.rs`.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Kb, run_bounded, stderr, stdout};

/// A knowledge base of `talks` talks in event `ev` (`ev/t0` …), each with a few words.
fn kb_with_talks(talks: usize) -> Kb {
    let kb = Kb::with_event();
    for i in 0..talks {
        kb.write(
            &format!("notes/ev/t{i}.ron"),
            format!(
                "Talk(schema: 1, id: \"t{i}\", title: \"Talk {i} コンテナの運用\", \
                 takeaways: [Takeaway(text: \"可観測性とトレース {i}\")])\n"
            ),
        );
    }
    kb
}

/// How long a command may run before the harness calls it hung.
const WATCHDOG: Duration = Duration::from_secs(120);

fn run(kb: &Kb, args: &[&str]) -> std::process::Output {
    let mut cmd = kb.std_tn();
    cmd.args(args).stdin(Stdio::null());
    run_bounded(cmd, WATCHDOG, &format!("tn {args:?}"))
}

#[test]
fn searches_during_reindexes_find_every_jotted_note() {
    const TALKS: usize = 200;
    const RUN_FOR: Duration = Duration::from_secs(4);
    let kb = Arc::new(kb_with_talks(TALKS));
    assert!(run(&kb, &["search", "x"]).status.success());
    let failures: Arc<Mutex<Vec<String>>> = Arc::default();
    let deadline = Instant::now() + RUN_FOR;
    let reindexers: Vec<_> = (0..2)
        .map(|r| {
            let kb = Arc::clone(&kb);
            let failures = Arc::clone(&failures);
            thread::spawn(move || {
                let mut runs = 0;
                while Instant::now() < deadline {
                    runs += 1;
                    let out = run(&kb, &["reindex"]);
                    if !out.status.success() || !stderr(&out).contains("rebuilt") {
                        failures.lock().unwrap().push(format!(
                            "reindex {r}.{runs} ({:?}): {}",
                            out.status,
                            stderr(&out)
                        ));
                    }
                }
                runs
            })
        })
        .collect();
    let searchers: Vec<_> = (0..2)
        .map(|s| {
            let kb = Arc::clone(&kb);
            let failures = Arc::clone(&failures);
            thread::spawn(move || {
                // Each searcher jots into its own talk, then searches for what it jotted and
                // for a talk nobody touches.
                let talk = format!("ev/t{s}");
                let mut runs = 0;
                while Instant::now() < deadline {
                    runs += 1;
                    let word = format!("jotted{s}x{runs}q");
                    let out = run(&kb, &["jot", "--talk", &talk, "--at", "10:00", &word]);
                    if !out.status.success() {
                        failures.lock().unwrap().push(format!(
                            "jot {s}.{runs} ({:?}): {}",
                            out.status,
                            stderr(&out)
                        ));
                        continue;
                    }
                    let untouched = format!("ev/t{}", 100 + runs % 50);
                    let title = format!("\"Talk {}\"", 100 + runs % 50);
                    for (query, expected) in [(word.as_str(), &talk), (title.as_str(), &untouched)]
                    {
                        let out = run(&kb, &["search", "--json", "-n", "300", query]);
                        let found: Vec<String> = serde_json::from_str::<Value>(&stdout(&out))
                            .ok()
                            .and_then(|v| v.as_array().cloned())
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|h| h["id"].as_str().map(str::to_owned))
                            .collect();
                        let err = stderr(&out);
                        if !out.status.success()
                            || !found.contains(expected)
                            || err.contains("damaged")
                        {
                            failures.lock().unwrap().push(format!(
                                "search {s}.{runs} for {query} ({:?}): expected {expected} in \
                                 {found:?}\nstderr: {err}",
                                out.status
                            ));
                        }
                    }
                }
                runs
            })
        })
        .collect();
    let reindexes: usize = reindexers.into_iter().map(|t| t.join().unwrap()).sum();
    let searches: usize = searchers.into_iter().map(|t| t.join().unwrap()).sum();
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} reindexes and {} jot+searches failed:\n{}",
        failures.len(),
        reindexes,
        searches,
        failures.join("\n")
    );
    eprintln!("{reindexes} reindexes, {searches} jot+searches");
    assert!(reindexes >= 2 && searches >= 2, "{reindexes} {searches}");
    // What the rebuilds left behind is one index, and it is quiet.
    let out = run(&kb, &["search", "--json", "jotted0x1q"]);
    assert_eq!(stderr(&out), "");
    assert!(stdout(&out).contains("ev/t0"), "{}", stdout(&out));
}
