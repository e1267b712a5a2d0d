//! Generates a realistic, deterministic knowledge base of talk notes for benchmarks.
//!
//! ```sh
//! cargo run --release --example genkb -- --notes 10000 --seed 1 --out target/bench-kb/n10000-s1
//! ```
//!
//! Japanese conference notes mixed with English tech terms, about 50 talks per event, written
//! exactly as `tn` writes them (`notes/<event>/event.ron`, `notes/<event>/<talk>.ron`), so
//! `tn check` passes. The same `--notes` and `--seed` always give byte-identical files. When
//! `--out` already holds that knowledge base nothing is written (pass `--force` to rewrite).
//! The generator itself is `benches/support/`, shared with the benches.

#[path = "../benches/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: genkb --notes N [--seed S] [--out DIR] [--force]
  --notes N   number of talk notes (events are added, about one per 50 talks)
  --seed S    PRNG seed (default 1)
  --out DIR   knowledge base to write (default target/bench-kb/n<N>-s<S>)
  --force     regenerate even if DIR already holds this knowledge base
Prints the stats of the knowledge base as key=value lines (also in DIR/genkb.stats).";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("genkb: {message}\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut notes: Option<usize> = None;
    let mut seed = support::DEFAULT_SEED;
    let mut out: Option<PathBuf> = None;
    let mut force = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match arg.as_str() {
            "--notes" => {
                let v = value("--notes")?;
                notes = Some(
                    v.replace('_', "")
                        .parse()
                        .map_err(|_| format!("--notes: `{v}` is not a number"))?,
                );
            }
            "--seed" => {
                let v = value("--seed")?;
                seed = v
                    .parse()
                    .map_err(|_| format!("--seed: `{v}` is not a number"))?;
            }
            "--out" => out = Some(PathBuf::from(value("--out")?)),
            "--force" => force = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    let notes = notes.ok_or("--notes is required")?;
    if notes == 0 {
        return Err("--notes must be at least 1".into());
    }
    let out = out.unwrap_or_else(|| support::cached_path(notes, seed));
    if force && out.join(support::STAMP_FILE).exists() {
        std::fs::remove_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    let (root, stats) =
        support::ensure(&out, notes, seed).map_err(|e| format!("{}: {e}", out.display()))?;
    println!("root={}", root.display());
    println!("talks={}", stats.talks);
    println!("events={}", stats.events);
    println!("file_bytes={}", stats.file_bytes);
    println!("text_bytes={}", stats.text_bytes);
    Ok(())
}
