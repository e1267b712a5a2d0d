//! (c) In-process query latency percentiles: 2000 queries of the fixed mix (see
//! `support::QUERY_MIX`, shuffled deterministically) through `talknotes::search::query::search` with
//! limit 10 on an up-to-date index, each timed on its own. Criterion reports means; this
//! reports p50/p90/p99/max, overall and per query.
//!
//! `cargo bench --bench latency`; sizes from `TN_BENCH_NOTES` (default `1000,10000`), query
//! count from `TN_BENCH_QUERIES`. The last line per size is machine-readable:
//! `RESULT latency notes=N queries=Q p50_us=… p90_us=… p99_us=… max_us=… open_ms=…`.

mod support;

use std::time::{Duration, Instant};

use talknotes::search::index::SearchIndex;
use talknotes::search::query::{SearchRequest, search};
use talknotes::store::Store;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported here.
    let queries: usize = std::env::var("TN_BENCH_QUERIES")
        .ok()
        .and_then(|q| q.parse().ok())
        .unwrap_or(2_000);
    for notes in support::sizes(&[1_000, 10_000]) {
        let (root, _) = support::kb(notes);
        let store = Store::open(&root).expect("knowledge base");
        // Build or refresh first, so the timed `open` below is the up-to-date case.
        SearchIndex::open(&store).expect("index");
        let started = Instant::now();
        let (index, report) = SearchIndex::open(&store).expect("index");
        let open = started.elapsed();
        assert!(
            report.rebuilt.is_none() && report.indexed == 0,
            "{report:?}"
        );

        let requests: Vec<SearchRequest> = support::QUERY_MIX
            .iter()
            .map(|q| SearchRequest {
                query: q.query.to_owned(),
                limit: 10,
                prefix: q.prefix,
                prefix_fallback: false,
            })
            .collect();
        // Warm up: every query a few times (caches, lazily loaded dictionary).
        for _ in 0..3 {
            for r in &requests {
                search(&index, r).expect("search");
            }
        }
        let mut rng = support::Rng::new(42);
        let mut all = Vec::with_capacity(queries);
        let mut per_query: Vec<Vec<Duration>> = vec![Vec::new(); requests.len()];
        let mut hits = vec![0usize; requests.len()];
        for _ in 0..queries {
            let i = rng.below(requests.len());
            let started = Instant::now();
            let results = search(&index, &requests[i]).expect("search");
            let elapsed = started.elapsed();
            hits[i] = results.hits.len();
            all.push(elapsed);
            per_query[i].push(elapsed);
        }
        all.sort();
        println!(
            "\nlatency/{} ({} talks, {queries} queries, limit 10)",
            support::size_label(notes),
            notes
        );
        println!(
            "  {:<20} {:>5} {:>5} {:>9} {:>9} {:>9}",
            "query", "n", "hits", "p50 µs", "p99 µs", "max µs"
        );
        for (i, q) in support::QUERY_MIX.iter().enumerate() {
            let mut d = per_query[i].clone();
            d.sort();
            println!(
                "  {:<20} {:>5} {:>5} {:>9.0} {:>9.0} {:>9.0}",
                q.label,
                d.len(),
                hits[i],
                us(percentile(&d, 50.0)),
                us(percentile(&d, 99.0)),
                us(d.last().copied().unwrap_or_default())
            );
        }
        println!(
            "  {:<20} {:>5} {:>5} {:>9.0} {:>9.0} {:>9.0}   (p90 {:.0} µs; up-to-date SearchIndex::open {:.1} ms)",
            "ALL",
            all.len(),
            "",
            us(percentile(&all, 50.0)),
            us(percentile(&all, 99.0)),
            us(all.last().copied().unwrap_or_default()),
            us(percentile(&all, 90.0)),
            open.as_secs_f64() * 1e3
        );
        println!(
            "RESULT latency notes={notes} queries={queries} p50_us={:.0} p90_us={:.0} p99_us={:.0} max_us={:.0} open_ms={:.1}",
            us(percentile(&all, 50.0)),
            us(percentile(&all, 90.0)),
            us(percentile(&all, 99.0)),
            us(all.last().copied().unwrap_or_default()),
            open.as_secs_f64() * 1e3
        );
    }
}
