//! (d) Refresh after editing one note: `SearchIndex::open` on an up-to-date index after one
//! talk file was rewritten (a takeaway appended, as `tn jot` does), i.e. what the next
//! `tn search` pays in-process. `unchanged` is the same call when nothing changed (the
//! per-search cost of checking every note's mtime and size). The edited note is restored.

mod support;

use std::fs;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use talknotes::note::{Takeaway, TalkRef};
use talknotes::search::index::SearchIndex;
use talknotes::store::codec::to_ron;
use talknotes::store::{NoteKey, Store};

fn refresh(c: &mut Criterion) {
    for notes in support::sizes(&[1_000, 10_000]) {
        let (root, _) = support::kb(notes);
        let store = Store::open(&root).expect("knowledge base");
        SearchIndex::open(&store).expect("index");
        // A talk in the middle of the knowledge base.
        let (files, _) = store.list_files().expect("list");
        let id: TalkRef = files[files.len() / 2..]
            .iter()
            .find_map(|f| match &f.key {
                NoteKey::Talk(id) => Some(id.clone()),
                NoteKey::Event(_) => None,
            })
            .expect("a talk");
        let path = store.talk_path(&id);
        let original = fs::read(&path).expect("read note");
        let mut talk = store.read_talk(&id).expect("talk").value;
        talk.takeaways.push(Takeaway {
            text: "ベンチマーク用に追記した takeaway: refresh は1ノートだけ再索引する".into(),
            at: None,
            by: None,
        });
        let edited = to_ron(&talk).expect("ron").into_bytes();

        let mut group = c.benchmark_group(format!("refresh/{}", support::size_label(notes)));
        group
            .sample_size(20)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(if notes > 5_000 { 6 } else { 3 }));
        group.bench_function("unchanged", |b| {
            b.iter(|| SearchIndex::open(&store).expect("open"))
        });
        let mut flip = false;
        group.bench_function("one-edit", |b| {
            b.iter_batched(
                || {
                    flip = !flip;
                    fs::write(&path, if flip { &edited } else { &original }).expect("write");
                },
                |()| {
                    let (index, report) = SearchIndex::open(&store).expect("open");
                    assert_eq!(report.indexed, 1, "{report:?}");
                    index
                },
                BatchSize::PerIteration,
            )
        });
        group.finish();
        fs::write(&path, &original).expect("restore note");
        SearchIndex::open(&store).expect("index");
    }
}

criterion_group!(benches, refresh);
criterion_main!(benches);
