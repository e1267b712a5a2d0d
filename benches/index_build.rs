//! (b) Full index build (`tn reindex`): `SearchIndex::reindex` over the whole knowledge base,
//! in MB/s of indexed note text (the same bytes as the tokenize bench, so the two compare).

mod support;

use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use talknotes::search::index::SearchIndex;
use talknotes::store::Store;

fn index_build(c: &mut Criterion) {
    for notes in support::sizes(&[1_000, 10_000]) {
        let (root, stats) = support::kb(notes);
        let store = Store::open(&root).expect("knowledge base");
        let mut group = c.benchmark_group(format!("index_build/{}", support::size_label(notes)));
        group
            .throughput(Throughput::Bytes(stats.text_bytes))
            .sampling_mode(SamplingMode::Flat)
            .sample_size(10)
            .warm_up_time(Duration::from_secs(1))
            .measurement_time(Duration::from_secs(if notes > 5_000 { 40 } else { 5 }));
        group.bench_function("reindex", |b| {
            b.iter(|| {
                let (_, report) = SearchIndex::reindex(&store).expect("reindex");
                assert_eq!(report.indexed, stats.talks);
                report
            })
        });
        group.finish();
    }
}

criterion_group!(benches, index_build);
criterion_main!(benches);
