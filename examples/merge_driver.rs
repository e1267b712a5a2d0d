//! How long merging a large note takes: a talk with 1,000 takeaways (plus tools, links and
//! tags) changed on both sides, merged in process by `merge::merge_texts` and end to end by the
//! real `tn merge-driver %O %A %B %P` as git runs it (a new process each time).
//!
//! ```sh
//! cargo build --release --bin tn --example merge_driver
//! target/release/examples/merge_driver [PATH/TO/tn]   # default: target/release/tn
//! ```
//!
//! Results are written down in docs/benchmarks.md ("Merging notes").

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use talknotes::merge::{Outcome, merge_texts};
use talknotes::note::{ClockTime, Link, Takeaway, Talk, Tool};
use talknotes::store::codec;

const TAKEAWAYS: usize = 1_000;
const IN_PROCESS_RUNS: usize = 30;
const PROCESS_RUNS: usize = 20;

/// A small deterministic generator, so every run merges the same notes.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

const WORDS: &[&str] = &[
    "eBPF",
    "で",
    "可観測性",
    "の",
    "オーバーヘッド",
    "が",
    "下がる",
    "サービスメッシュ",
    "sidecar-less",
    "Kubernetes",
    "クラスタ",
    "を",
    "運用",
    "する",
    "OpenTelemetry",
    "Collector",
    "コスト",
    "削減",
];

fn sentence(rng: &mut Lcg) -> String {
    let n = 8 + (rng.next() % 10) as usize;
    (0..n)
        .map(|_| WORDS[(rng.next() % WORDS.len() as u64) as usize])
        .collect::<Vec<_>>()
        .join(" ")
}

fn takeaway(rng: &mut Lcg, minute: usize, by: &str) -> Takeaway {
    Takeaway {
        text: sentence(rng),
        at: ClockTime::new((9 + minute / 60 % 12) as u8, (minute % 60) as u8),
        by: Some(by.to_owned()),
    }
}

fn notes() -> (Talk, Talk, Talk) {
    let mut rng = Lcg(2024);
    let mut base = Talk::new("big".parse().unwrap(), "1,000 takeaways");
    for i in 0..TAKEAWAYS {
        let by = if i % 2 == 0 { "Alice" } else { "Bob" };
        base.takeaways.push(takeaway(&mut rng, i / 2, by));
    }
    for i in 0..20 {
        base.tools.push(Tool {
            name: format!("tool-{i}"),
            url: Some(format!("https://tool{i}.example/")),
            by: Some("Alice".into()),
        });
        base.links.push(Link {
            url: format!("https://example.com/slides/{i}"),
            kind: None,
            title: Some(format!("Slides {i}")),
            by: Some("Bob".into()),
        });
    }
    base.tags = (0..10).map(|i| format!("tag-{i}")).collect();

    let mut ours = base.clone();
    let mut theirs = base.clone();
    for i in 0..25 {
        ours.takeaways
            .push(takeaway(&mut rng, 500 + 2 * i, "Alice"));
        theirs
            .takeaways
            .push(takeaway(&mut rng, 501 + 2 * i, "Bob"));
    }
    ours.title = "Ours".into();
    theirs.title = "Theirs".into();
    ours.tags.push("ours".into());
    theirs.tags.push("theirs".into());
    ours.tools[3].url = Some("https://changed.example/".into());
    theirs.links[5].title = Some("Video".into());
    theirs.takeaways.remove(10);
    ours.takeaways[20].text.push_str("（追記）");
    (base, ours, theirs)
}

fn stats(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    format!(
        "min {:.1} ms, median {:.1} ms, max {:.1} ms ({} runs)",
        ms(samples[0]),
        ms(samples[samples.len() / 2]),
        ms(samples[samples.len() - 1]),
        samples.len()
    )
}

fn main() {
    let (base, ours, theirs) = notes();
    let text = |t: &Talk| codec::to_ron(t).expect("ron");
    let (base, ours, theirs) = (text(&base), text(&ours), text(&theirs));
    let path = Path::new("notes/ev/big.ron");
    println!(
        "note sizes: base {} KB, ours {} KB, theirs {} KB",
        base.len() / 1024,
        ours.len() / 1024,
        theirs.len() / 1024
    );

    let mut samples = Vec::new();
    let mut merged = None;
    for _ in 0..IN_PROCESS_RUNS {
        let started = Instant::now();
        let result = merge_texts(&base, &ours, &theirs, path).expect("merge");
        samples.push(started.elapsed());
        merged = Some(result);
    }
    let merged = merged.expect("at least one run");
    assert_eq!(merged.outcome, Outcome::Merged);
    let note: Talk = codec::parse(path, merged.text.as_bytes(), "big").expect("parses");
    println!(
        "merged: {} takeaways, {} conflict(s) recorded",
        note.takeaways.len(),
        merged.report.conflicts.len()
    );
    println!("in process (merge_texts): {}", stats(samples));

    // Where the time goes: reading one version, and writing the result.
    let time = |f: &dyn Fn()| {
        let samples: Vec<Duration> = (0..IN_PROCESS_RUNS)
            .map(|_| {
                let started = Instant::now();
                f();
                started.elapsed()
            })
            .collect();
        stats(samples)
    };
    println!(
        "  of which reading one version (codec::parse): {}",
        time(&|| {
            codec::parse::<Talk>(path, ours.as_bytes(), "big").expect("parses");
        })
    );
    println!(
        "  of which writing the result (codec::to_ron): {}",
        time(&|| {
            codec::to_ron(&note).expect("ron");
        })
    );

    let tn = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/tn"));
    if !tn.is_file() {
        println!(
            "{} not found: build it with `cargo build --release --bin tn`",
            tn.display()
        );
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let file = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).expect("write");
        p
    };
    let (o, b) = (file("base.ron", &base), file("theirs.ron", &theirs));
    let mut samples = Vec::new();
    for _ in 0..PROCESS_RUNS {
        let a = file("ours.ron", &ours);
        let started = Instant::now();
        let status = Command::new(&tn)
            .arg("merge-driver")
            .args([&o, &a, &b])
            .arg(path)
            .env("TALKNOTES_MERGE_THEIRS_BY", "Bob")
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run tn");
        samples.push(started.elapsed());
        assert!(status.success(), "tn merge-driver failed");
        assert_eq!(std::fs::read_to_string(&a).expect("read"), {
            let mut expected = merged.text.clone();
            // The driver names who wrote their version.
            expected = expected.replace(
                "            theirs: \"Theirs\",\n",
                "            theirs: \"Theirs\",\n            by: \"Bob\",\n",
            );
            expected
        });
    }
    println!("tn merge-driver (new process): {}", stats(samples));
}
