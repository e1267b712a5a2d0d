//! (c) In-process query latency of each query of the fixed mix (see `support::QUERY_MIX`):
//! `talknotes::search::query::search` with limit 10, on an up-to-date index. Percentiles over the
//! whole mix are printed by the `latency` bench.

mod support;

use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use talknotes::search::index::SearchIndex;
use talknotes::search::query::{SearchRequest, search};
use talknotes::store::Store;

fn query(c: &mut Criterion) {
    for notes in support::sizes(&[1_000, 10_000]) {
        let (root, _) = support::kb(notes);
        let store = Store::open(&root).expect("knowledge base");
        let (index, _) = SearchIndex::open(&store).expect("index");
        let mut group = c.benchmark_group(format!("query/{}", support::size_label(notes)));
        group
            .sample_size(30)
            .warm_up_time(Duration::from_millis(300))
            .measurement_time(Duration::from_secs(1));
        for q in support::QUERY_MIX {
            let request = SearchRequest {
                query: q.query.to_owned(),
                limit: 10,
                prefix: q.prefix,
                literal: false,
                prefix_fallback: false,
            };
            group.bench_with_input(BenchmarkId::from_parameter(q.label), &request, |b, r| {
                b.iter(|| search(&index, r, None).expect("search"))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, query);
criterion_main!(benches);
