//! The least any freshness check of a knowledge base can cost: list every event directory
//! and stat every file in it, on N threads, and nothing else (no parsing, no index). Used
//! in docs/benchmarks.md to show what 5× `rg` leaves for the rest of a search.
//!
//! ```sh
//! cargo build --release --example stat_floor
//! hyperfine -N 'target/release/examples/stat_floor target/bench-kb/n10000-s1/notes 2'
//! ```

use std::fs;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(notes) = args.next() else {
        eprintln!("usage: stat_floor NOTES_DIR [THREADS]");
        std::process::exit(2);
    };
    let threads: usize = args.next().and_then(|t| t.parse().ok()).unwrap_or(2).max(1);
    let dirs: Vec<_> = fs::read_dir(&notes)?
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .collect();
    let chunk = dirs.len().div_ceil(threads).max(1);
    let files: usize = std::thread::scope(|scope| {
        let workers: Vec<_> = dirs
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut files = 0;
                    for dir in part {
                        let Ok(entries) = fs::read_dir(dir) else {
                            continue;
                        };
                        for entry in entries.flatten() {
                            // What a freshness check needs of each file: size and mtime.
                            if let Ok(meta) = entry.metadata() {
                                std::hint::black_box((meta.len(), meta.modified().ok()));
                                files += 1;
                            }
                        }
                    }
                    files
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap_or(0)).sum()
    });
    println!("{files} files");
    Ok(())
}
