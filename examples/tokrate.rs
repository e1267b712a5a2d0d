//! Raw tokenization throughput of a knowledge base, for `scripts/bench.sh` (the criterion
//! bench `tokenize` measures the same thing at 1k and 10k; this also runs at 100k and on
//! several threads, since a full index build tokenizes on every core).
//!
//! ```sh
//! cargo run --release --example tokrate -- --notes 10000        # the cached bench KB
//! cargo run --release --example tokrate -- --kb DIR
//! ```
//!
//! Prints one machine-readable line per measurement:
//! `RESULT tokenize view=ja|ja+gram threads=T notes=N text_bytes=B seconds=S mb_s=R`.

#[path = "../benches/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::time::Instant;

use talknotes::search::analysis::{Morphology, Normal, Tokens, index_grams_into};

fn main() {
    let mut kb: Option<PathBuf> = None;
    let mut notes: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--kb" => kb = args.next().map(PathBuf::from),
            "--notes" => notes = args.next().and_then(|n| n.parse().ok()),
            _ => {
                eprintln!("usage: tokrate (--notes N | --kb DIR)");
                std::process::exit(2);
            }
        }
    }
    let root = match (kb, notes) {
        (Some(kb), _) => kb,
        (None, Some(n)) => support::kb(n).0,
        (None, None) => {
            eprintln!("usage: tokrate (--notes N | --kb DIR)");
            std::process::exit(2);
        }
    };
    let started = Instant::now();
    let texts = support::talk_texts(&root);
    let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    eprintln!(
        "read {} talks ({:.1} MB of indexed text) in {:.1?}",
        texts.len(),
        bytes as f64 / 1e6,
        started.elapsed()
    );
    let started = Instant::now();
    let morphology = Morphology::shared().expect("the embedded dictionary loads");
    eprintln!("dictionary loaded in {:.1?}", started.elapsed());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    let run = |threads: usize, with_grams: bool| {
        let chunk = texts.len().div_ceil(threads);
        let started = Instant::now();
        let tokens: usize = std::thread::scope(|s| {
            let handles: Vec<_> = texts
                .chunks(chunk.max(1))
                .map(|part| {
                    let morphology = &morphology;
                    s.spawn(move || {
                        // As the index build does it: one normalisation and one analysis per
                        // text, grams into a reused buffer.
                        let mut n = 0;
                        let mut tokens = Tokens::default();
                        for text in part {
                            let normal = Normal::new(text);
                            let analysis = morphology.analyse(&normal);
                            n += analysis.words.len();
                            if with_grams {
                                tokens.clear();
                                index_grams_into(normal.as_str(), &analysis.cuts, &mut tokens);
                                n += tokens.len();
                            }
                        }
                        n
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().expect("thread")).sum()
        });
        let seconds = started.elapsed().as_secs_f64();
        std::hint::black_box(tokens);
        println!(
            "RESULT tokenize view={} threads={threads} notes={} text_bytes={bytes} seconds={seconds:.3} mb_s={:.2}",
            if with_grams { "ja+gram" } else { "ja" },
            texts.len(),
            bytes as f64 / 1e6 / seconds
        );
    };
    run(1, false);
    if cores > 1 {
        run(cores, false);
    }
    run(cores, true);
}
