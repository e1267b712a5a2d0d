//! Concept search quality: every spelling of the concept test set, through the real binary.
//!
//! `tests/data/concepts/` holds 613 CloudNative Days talks (`corpus.json`), 58 concepts with
//! the 140 spellings a user would type (`concepts.tsv`) and, for each concept, the talks about
//! it (`judgements.tsv`: title or abstract uses any spelling; see its README). Every spelling
//! is one query, run as typed (`tn search --json -n 1000 -- SPELLING`), and scored as
//! `baseline.py` scores it:
//!
//! - recall: the share of the concept's talks found;
//! - precision: the share of the hits that are about the concept (a spelling that finds
//!   nothing has no precision and is left out of that average);
//!
//! both macro-averaged over every spelling. Four concepts (`class` = `absent`) are not in the
//! shipped glossary, so their spellings are measured twice: as the knowledge base alone
//! gives them (the loanword table, pairs learned from the corpus), and again with a user's
//! `notes/concepts.ron` naming them, which is how a user adds what no dictionary has. The
//! targets (issue 13: recall ≥ 0.90, precision ≥ 0.95) are asserted on the first run, with
//! no help from the user's file.
//!
//! Run it with the table: `cargo test --test tests concept_quality -- --nocapture`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::Value;

use crate::common::{Kb, stdout};

const MIN_RECALL: f64 = 0.90;
const MIN_PRECISION: f64 = 0.95;

/// What a user of this archive would write for the concepts no dictionary gave them.
const USER_FILE: &str = r#"// The concepts a user of the CloudNative Days archive adds (concept_quality.rs).
Concepts(
    schema: 1,
    concepts: [
        Concept(terms: ["ハンズオン", "hands-on"]),
        Concept(terms: ["内製", "内製化", "in-house development"]),
        Concept(terms: ["アップグレード", "upgrade", "バージョンアップ"]),
        Concept(terms: ["トラブルシューティング", "troubleshooting", "トラブルシュート"]),
    ],
)
"#;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/concepts")
}

/// The rows of a TSV file of the test set (comments and the header skipped).
fn tsv(name: &str) -> Vec<HashMap<String, String>> {
    let path = data_dir().join(name);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut header: Option<Vec<String>> = None;
    let mut rows = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let cells: Vec<String> = line.split('\t').map(str::to_owned).collect();
        match &header {
            None => header = Some(cells),
            Some(names) => rows.push(
                names
                    .iter()
                    .cloned()
                    .zip(cells.into_iter().chain(std::iter::repeat(String::new())))
                    .collect(),
            ),
        }
    }
    rows
}

#[derive(Debug, Clone)]
struct Spelling {
    concept: String,
    class: String,
    text: String,
}

#[derive(Debug, Clone)]
struct Scored {
    spelling: Spelling,
    relevant: usize,
    hits: usize,
    recall: f64,
    precision: Option<f64>,
}

fn search(kb: &Kb, text: &str) -> Vec<String> {
    let mut args = vec!["search", "--json", "-n", "1000", "--"];
    args.extend(text.split_whitespace());
    let out = kb.tn().args(&args).output().expect("run tn");
    assert!(out.status.success(), "tn search {text:?} failed: {out:?}");
    match serde_json::from_str::<Value>(&stdout(&out)) {
        Ok(Value::Array(hits)) => hits
            .iter()
            .filter_map(|h| h["id"].as_str().map(str::to_owned))
            .collect(),
        other => panic!("tn search {text:?}: {other:?}"),
    }
}

/// Scores every spelling, a few processes at a time.
fn score_all(
    kb: &Kb,
    spellings: &[Spelling],
    judged: &HashMap<String, HashSet<String>>,
) -> Vec<Scored> {
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let chunk = spellings.len().div_ceil(workers).max(1);
    let mut scored = Vec::with_capacity(spellings.len());
    std::thread::scope(|scope| {
        let handles: Vec<_> = spellings
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|s| {
                            let relevant = &judged[&s.concept];
                            let hits = search(kb, &s.text);
                            let good = hits.iter().filter(|h| relevant.contains(*h)).count();
                            Scored {
                                spelling: s.clone(),
                                relevant: relevant.len(),
                                hits: hits.len(),
                                recall: good as f64 / relevant.len() as f64,
                                precision: (!hits.is_empty())
                                    .then(|| good as f64 / hits.len() as f64),
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for handle in handles {
            scored.extend(handle.join().expect("a search worker panicked"));
        }
    });
    scored
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0), |(s, n), v| (s + v, n + 1));
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

/// (macro recall, macro precision, spellings with hits).
fn averages(scored: &[&Scored]) -> (f64, f64, usize) {
    let with_hits = scored.iter().filter(|s| s.precision.is_some()).count();
    (
        mean(scored.iter().map(|s| s.recall)),
        mean(scored.iter().filter_map(|s| s.precision)),
        with_hits,
    )
}

fn table(title: &str, scored: &[Scored]) -> (f64, f64) {
    let all: Vec<&Scored> = scored.iter().collect();
    let (recall, precision, with_hits) = averages(&all);
    println!("{title}");
    println!(
        "  {:<13} {:>9} {:>7} {:>9}",
        "class", "spellings", "recall", "precision"
    );
    let mut classes: BTreeMap<&str, Vec<&Scored>> = BTreeMap::new();
    for s in scored {
        classes.entry(&s.spelling.class).or_default().push(s);
    }
    for (class, rows) in &classes {
        let (r, p, _) = averages(rows);
        println!("  {class:<13} {:>9} {r:>7.3} {p:>9.3}", rows.len());
    }
    println!(
        "  {:<13} {:>9} {recall:>7.3} {precision:>9.3}   ({} spellings found nothing)",
        "ALL",
        scored.len(),
        scored.len() - with_hits
    );
    (recall, precision)
}

#[test]
fn every_spelling_finds_its_concepts_talks() {
    let started = Instant::now();
    let spellings: Vec<Spelling> = tsv("concepts.tsv")
        .into_iter()
        .map(|row| Spelling {
            concept: row["concept"].clone(),
            class: row["class"].clone(),
            text: row["spelling"].clone(),
        })
        .collect();
    let judged: HashMap<String, HashSet<String>> = tsv("judgements.tsv")
        .into_iter()
        .map(|row| {
            let talks = row["talks"]
                .split(',')
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect();
            (row["concept"].clone(), talks)
        })
        .collect();
    assert!(
        spellings.len() >= 100 && judged.len() >= 40,
        "the test set is there"
    );

    let kb = Kb::new();
    kb.ok(&["import", data_dir().join("corpus.json").to_str().unwrap()]);
    // Build the index once, before the searches run side by side.
    search(&kb, "index");

    let scored = score_all(&kb, &spellings, &judged);
    let (recall, precision) = table(
        &format!(
            "concept search — {} spellings of {} concepts over the 613 talks of tests/data/concepts:",
            spellings.len(),
            judged.len()
        ),
        &scored,
    );
    let weak: Vec<&Scored> = scored
        .iter()
        .filter(|s| s.recall < 0.9 || s.precision.is_some_and(|p| p < 0.8))
        .collect();
    if !weak.is_empty() {
        println!("  spellings below recall 0.9 or precision 0.8:");
        for s in &weak {
            println!(
                "    {:<24} {:<28} {:>4} hits of {:>3} relevant: recall {:.2}, precision {}",
                s.spelling.concept,
                format!("`{}`", s.spelling.text),
                s.hits,
                s.relevant,
                s.recall,
                s.precision.map_or("–".to_owned(), |p| format!("{p:.2}"))
            );
        }
    }

    // The concepts no dictionary has, again with the user's file naming them.
    kb.write("notes/concepts.ron", USER_FILE);
    let absent: Vec<Spelling> = spellings
        .iter()
        .filter(|s| s.class == "absent")
        .cloned()
        .collect();
    let with_file = score_all(&kb, &absent, &judged);
    let before: Vec<&Scored> = scored
        .iter()
        .filter(|s| s.spelling.class == "absent")
        .collect();
    let after: Vec<&Scored> = with_file.iter().collect();
    let (r0, p0, _) = averages(&before);
    let (r1, p1, _) = averages(&after);
    let mut combined: Vec<Scored> = scored
        .iter()
        .filter(|s| s.spelling.class != "absent")
        .cloned()
        .collect();
    combined.extend(with_file.iter().cloned());
    let (r2, p2) = table(
        "with the user's notes/concepts.ron naming the 4 absent concepts:",
        &combined,
    );
    println!(
        "  absent class: recall {r0:.3} -> {r1:.3}, precision {p0:.3} -> {p1:.3}; overall recall {r2:.3}, precision {p2:.3}"
    );
    println!(
        "concept search quality: done in {:.1}s",
        started.elapsed().as_secs_f64()
    );

    assert!(
        recall >= MIN_RECALL,
        "macro recall {recall:.3} < {MIN_RECALL}"
    );
    assert!(
        precision >= MIN_PRECISION,
        "macro precision {precision:.3} < {MIN_PRECISION}"
    );
    // The user's file is honoured: every absent concept is then found whole.
    assert!(
        r1 > r0 && r1 >= 0.99,
        "absent class recall {r0:.3} -> {r1:.3}"
    );
    assert!(p1 >= 0.95, "absent class precision {p1:.3}");
}
