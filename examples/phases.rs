//! Where the time of one `tn search` goes, phase by phase, in one process (for diagnosing
//! the cold-search and refresh numbers of `scripts/bench.sh`).
//!
//! ```sh
//! cargo run --release --example phases -- --notes 10000 [QUERY]
//! cargo run --release --example phases -- --kb DIR [QUERY]
//! ```
//!
//! Each phase is timed on its own, in the order `tn search` runs them; the first call of
//! `Morphology::shared()` includes loading the embedded dictionary. Numbers from a second
//! round (everything loaded) are printed too.
//!
//! `--refresh PAIRS` instead times `SearchIndex::open` (what every `tn search` runs first)
//! with nothing changed and right after one talk was rewritten (a takeaway appended, as
//! `tn jot` does), interleaved PAIRS times, and prints the medians as
//! `RESULT refresh notes=N unchanged_ms=… edited_ms=… delta_ms=…`. The note is restored.

#[path = "../benches/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant, UNIX_EPOCH};

use talknotes::search::analysis::Morphology;
use talknotes::search::index::{SearchIndex, index_path};
use talknotes::search::query::{SearchRequest, search};
use talknotes::store::Store;

fn time<T>(label: &str, f: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    let value = f();
    report(label, started.elapsed());
    value
}

fn report(label: &str, d: Duration) {
    println!("  {label:<58} {:>9.2} ms", d.as_secs_f64() * 1e3);
}

fn main() {
    let mut kb: Option<PathBuf> = None;
    let mut query = "監視".to_owned();
    let mut refresh_pairs: Option<usize> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--kb" => kb = args.next().map(PathBuf::from),
            "--refresh" => {
                refresh_pairs = Some(
                    args.next()
                        .and_then(|n| n.parse().ok())
                        .expect("--refresh N"),
                );
            }
            "--notes" => {
                let n: usize = args.next().and_then(|n| n.parse().ok()).expect("--notes N");
                kb = Some(support::kb(n).0);
            }
            q => query = q.to_owned(),
        }
    }
    let root = kb.expect("usage: phases (--notes N | --kb DIR) [--refresh PAIRS] [QUERY]");
    let store = Store::open(&root).expect("knowledge base");
    if let Some(pairs) = refresh_pairs {
        refresh(&store, pairs);
        return;
    }
    println!("process:");
    time(
        "Morphology::shared(), first call: load the dictionary",
        || Morphology::shared().expect("dictionary"),
    );
    // Make sure the index exists and is up to date before timing.
    SearchIndex::open(&store).expect("index");

    for round in 1..=2 {
        println!("round {round} (query {query:?}):");
        let (files, _) = time("Store::list_files() (readdir + lstat every note)", || {
            store.list_files().expect("list")
        });
        time(
            "  same, proposed: DirEntry::metadata (statx at dirfd), no sort",
            || list_fast(&store.notes_dir(), false),
        );
        time("  same, proposed, event directories on 2 threads", || {
            list_fast(&store.notes_dir(), true)
        });
        let dir = index_path(&store);
        let index = time("tantivy Index::open_in_dir", || {
            tantivy::Index::open_in_dir(&dir).expect("open")
        });
        let reader: tantivy::IndexReader = time("IndexReader (open segments)", || {
            index
                .reader_builder()
                .reload_policy(tantivy::ReloadPolicy::Manual)
                .try_into()
                .expect("reader")
        });
        let searcher = reader.searcher();
        let recorded = time("read key/mtime/size fast fields into a HashMap", || {
            let mut recorded: HashMap<String, (u64, u64)> = HashMap::new();
            for segment in searcher.segment_readers() {
                let fast = segment.fast_fields();
                let keys = fast.str("key").expect("key").expect("key column");
                let mtimes = fast.u64("mtime").expect("mtime");
                let sizes = fast.u64("size").expect("size");
                let mut key = String::new();
                for doc in segment.doc_ids_alive() {
                    let Some(ord) = keys.term_ords(doc).next() else {
                        continue;
                    };
                    keys.ord_to_str(ord, &mut key).expect("key");
                    recorded.insert(
                        key.clone(),
                        (
                            mtimes.first(doc).unwrap_or_default(),
                            sizes.first(doc).unwrap_or_default(),
                        ),
                    );
                }
            }
            recorded
        });
        let streamed = time("  same, proposed: stream the key dictionary once", || {
            let mut recorded: HashMap<String, (u64, u64)> = HashMap::new();
            for segment in searcher.segment_readers() {
                let fast = segment.fast_fields();
                let keys = fast.str("key").expect("key").expect("key column");
                let mtimes = fast.u64("mtime").expect("mtime");
                let sizes = fast.u64("size").expect("size");
                // Ordinals are positions in the sorted dictionary: one sequential pass
                // decodes every key, instead of one block decode per document.
                let mut by_ord: Vec<String> = Vec::new();
                let mut stream = keys.dictionary().stream().expect("stream");
                while stream.advance() {
                    by_ord.push(String::from_utf8_lossy(stream.key()).into_owned());
                }
                for doc in segment.doc_ids_alive() {
                    let Some(ord) = keys.term_ords(doc).next() else {
                        continue;
                    };
                    recorded.insert(
                        by_ord[ord as usize].clone(),
                        (
                            mtimes.first(doc).unwrap_or_default(),
                            sizes.first(doc).unwrap_or_default(),
                        ),
                    );
                }
            }
            recorded
        });
        assert_eq!(streamed, recorded);
        time("compare stamps (key strings, mtime, size)", || {
            let mut changed = 0;
            for file in &files {
                let mtime = file
                    .modified
                    .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_nanos() as u64);
                if recorded.get(&file.key.to_string()) != Some(&(mtime, file.len)) {
                    changed += 1;
                }
            }
            changed
        });
        println!(
            "  ({} files, {} segments, {} docs)",
            files.len(),
            searcher.segment_readers().len(),
            searcher.num_docs()
        );
        let (index, _) = time(
            "SearchIndex::open (all of the above, as tn search does)",
            || SearchIndex::open(&store).expect("open"),
        );
        time(
            "concepts: parse the shipped glossary and loanword table",
            || talknotes::concepts::Shipped::get().glossary().len(),
        );
        let request = SearchRequest {
            query: query.clone(),
            limit: 10,
            prefix: false,
            literal: false,
            prefix_fallback: false,
        };
        let results = time(
            "query::search (limit 10, with doc fetch + snippets)",
            || search(&index, &request, None).expect("search"),
        );
        let request0 = SearchRequest {
            limit: 1,
            ..request.clone()
        };
        time("query::search (limit 1)", || {
            search(&index, &request0, None).expect("search")
        });
        println!("  ({} hits)", results.hits.len());
    }
}

/// Prototype of a cheaper `Store::list_files`: the type from `d_type` (no syscall), the
/// metadata from `DirEntry::metadata` (statx relative to the open directory, no path walk),
/// no sorting; optionally event directories split over two threads. Returns (files, bytes).
fn list_fast(notes: &std::path::Path, parallel: bool) -> (usize, u64) {
    use std::fs;
    let events: Vec<PathBuf> = fs::read_dir(notes)
        .expect("notes")
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    let scan = |dirs: &[PathBuf]| {
        let mut files = 0;
        let mut bytes = 0;
        for dir in dirs {
            for entry in fs::read_dir(dir).expect("event dir").flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') || !name.ends_with(".ron") {
                    continue;
                }
                let meta = entry.metadata().expect("metadata");
                let _modified = meta.modified().ok();
                files += 1;
                bytes += meta.len();
            }
        }
        (files, bytes)
    };
    if !parallel {
        return scan(&events);
    }
    let (a, b) = events.split_at(events.len() / 2);
    std::thread::scope(|s| {
        let left = s.spawn(|| scan(a));
        let right = scan(b);
        let left = left.join().expect("thread");
        (left.0 + right.0, left.1 + right.1)
    })
}

/// Median `SearchIndex::open` time, unchanged vs right after one edit, interleaved.
fn refresh(store: &Store, pairs: usize) {
    use talknotes::note::{Takeaway, TalkRef};
    SearchIndex::open(store).expect("index");
    let (files, _) = store.list_files().expect("list");
    // A talk in the middle of the knowledge base.
    let id: TalkRef = files[files.len() / 2..]
        .iter()
        .find_map(|f| match &f.key {
            talknotes::store::NoteKey::Talk(id) => Some(id.clone()),
            talknotes::store::NoteKey::Event(_) => None,
        })
        .expect("a talk");
    let path = store.talk_path(&id);
    let original = std::fs::read(&path).expect("read note");
    let mut talk = store.read_talk(&id).expect("talk").value;
    talk.takeaways.push(Takeaway {
        text: "ベンチマーク用に追記した takeaway".into(),
        at: None,
        by: None,
    });
    let edited = talknotes::store::codec::to_ron(&talk)
        .expect("ron")
        .into_bytes();
    let mut unchanged = Vec::new();
    let mut after_edit = Vec::new();
    for i in 0..pairs * 2 {
        let edit = i % 2 == 1;
        if edit {
            let text = if i % 4 == 1 { &edited } else { &original };
            std::fs::write(&path, text).expect("write note");
        }
        let started = Instant::now();
        let (index, report) = SearchIndex::open(store).expect("open");
        let ms = started.elapsed().as_secs_f64() * 1e3;
        drop(index);
        if edit {
            assert_eq!(report.indexed, 1, "{report:?}");
            after_edit.push(ms);
        } else {
            unchanged.push(ms);
        }
    }
    std::fs::write(&path, &original).expect("restore note");
    SearchIndex::open(store).expect("index");
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (u, e) = (median(&mut unchanged), median(&mut after_edit));
    println!(
        "RESULT refresh notes={} unchanged_ms={u:.1} edited_ms={e:.1} delta_ms={:.1}",
        files.len(),
        e - u
    );
}
