//! (c) In-process query latency percentiles: 2000 queries of the fixed mix (see
//! `support::QUERY_MIX`, shuffled deterministically) through `talknotes::search::query::search` with
//! limit 10 on an up-to-date index, each timed on its own. Criterion reports means; this
//! reports p50/p90/p99/max, overall and per query.
//!
//! Then the same for `support::CONCEPT_MIX` (single-concept queries that concept search
//! expands, issue 13), what the concept fields add to the index, and the concept mix once
//! more on imported schedules of real talk text (`support::imported`).
//!
//! `cargo bench --bench latency`; sizes from `TN_BENCH_NOTES` (default `1000,10000`), query
//! count from `TN_BENCH_QUERIES`. Machine-readable lines per size:
//! `RESULT latency notes=N queries=Q p50_us=… p90_us=… p99_us=… max_us=… open_ms=…`,
//! `RESULT concepts talks=N p50_us=… p99_us=…`, `RESULT index talks=N total_bytes=… concept_bytes=…`,
//! `RESULT imported talks=N p50_us=… p99_us=…`.

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

        let label = support::size_label(notes);
        let all = run_mix(
            &index,
            support::QUERY_MIX,
            queries,
            &format!("latency/{label}"),
        );
        println!(
            "  (up-to-date SearchIndex::open {:.1} ms)",
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
        // Concept search (issue 13): single-concept queries that expand to other spellings.
        concept_mix(&index, queries, notes, "concepts", &label);
        // What the concept fields (`cased`, `pairs`) add to the index.
        let usage = index.searcher().space_usage().expect("space usage");
        let concept_bytes: u64 = usage
            .segments()
            .iter()
            .flat_map(|segment| {
                [
                    segment.termdict(),
                    segment.postings(),
                    segment.positions(),
                    segment.fieldnorms(),
                    segment.fast_fields(),
                ]
            })
            .flat_map(|part| part.fields())
            .filter(|f| CONCEPT_FIELDS.contains(&f.field_name()))
            .map(|f| f.total().get_bytes())
            .sum();
        let total = usage.total().get_bytes();
        println!(
            "  index {:.1} MB, of which the concept fields {:.2} MB (+{:.1}% over the rest)",
            total as f64 / 1e6,
            concept_bytes as f64 / 1e6,
            100.0 * concept_bytes as f64 / (total - concept_bytes) as f64
        );
        println!("RESULT index talks={notes} total_bytes={total} concept_bytes={concept_bytes}");
        drop(index);

        // The same concept words on imported schedules of real talk text (`support::imported`),
        // where a concept word is in as many talks as real text puts it.
        let root = support::imported::kb(notes);
        let store = Store::open(&root).expect("knowledge base");
        SearchIndex::open(&store).expect("index");
        let (index, _) = SearchIndex::open(&store).expect("index");
        concept_mix(&index, queries, notes, "imported", &label);
    }
}

/// Runs `support::CONCEPT_MIX` and prints its table and `RESULT <kind> talks=N p50_us p99_us`.
fn concept_mix(index: &SearchIndex, queries: usize, notes: usize, kind: &str, label: &str) {
    let title = match kind {
        "concepts" => format!("latency-concepts/{label}"),
        _ => format!("latency-concepts-{kind}/{label}"),
    };
    let all = run_mix(index, support::CONCEPT_MIX, queries, &title);
    println!(
        "RESULT {kind} talks={notes} p50_us={:.0} p99_us={:.0}",
        us(percentile(&all, 50.0)),
        us(percentile(&all, 99.0)),
    );
    floor(index, queries, &title);
}

/// What tantivy alone takes for the same words, as a floor for the mix above: each word's
/// spellings (as typed only, then every spelling its expansion matched) quoted and OR-ed by
/// tantivy's `QueryParser` over every section's dictionary-word field with the sections'
/// boosts, top 10 by `TopDocs`, which prunes with block-WAND where every spelling is one
/// term (a spelling of several dictionary words is a phrase query, which it does not prune).
/// No bigram runs, flags or context: less than a search matches, so a lower bound of its
/// cost on this corpus, not a replacement.
fn floor(index: &SearchIndex, queries: usize, title: &str) {
    use talknotes::search::schema::{Section, Weight};
    use tantivy::collector::TopDocs;
    use tantivy::query::QueryParser;

    let searcher = index.searcher();
    let fields = index.fields();
    let ja: Vec<_> = Section::ALL
        .iter()
        .filter(|s| matches!(s.weight(), Weight::Ranked(_)))
        .map(|&s| (fields.section(s).ja, s.weight().boost()))
        .collect();
    let mut parser = QueryParser::for_index(searcher.index(), ja.iter().map(|f| f.0).collect());
    for &(field, boost) in &ja {
        parser.set_field_boost(field, boost);
    }
    let quoted = |s: &str| format!("\"{}\"", s.replace('"', " "));
    for (kind, expanded) in [("typed", false), ("expanded", true)] {
        let parsed: Vec<_> = support::CONCEPT_MIX
            .iter()
            .map(|q| {
                let request = SearchRequest {
                    query: q.query.to_owned(),
                    limit: 10,
                    prefix: false,
                    literal: false,
                    prefix_fallback: false,
                };
                let results = search(index, &request, None).expect("search");
                let spellings: Vec<String> = match results.expansions().next() {
                    Some(e) if expanded => e
                        .spellings
                        .iter()
                        .map(|s| quoted(&s.spelling.term.text))
                        .collect(),
                    _ => vec![quoted(q.query)],
                };
                parser
                    .parse_query(&spellings.join(" OR "))
                    .expect("floor query")
            })
            .collect();
        let mut rng = support::Rng::new(42);
        let mut all = Vec::with_capacity(queries);
        let mut per_query: Vec<Vec<Duration>> = vec![Vec::new(); parsed.len()];
        for _ in 0..3 {
            for q in &parsed {
                searcher
                    .search(q, &TopDocs::with_limit(10).order_by_score())
                    .expect("floor");
            }
        }
        for _ in 0..queries {
            let i = rng.below(parsed.len());
            let started = Instant::now();
            searcher
                .search(&parsed[i], &TopDocs::with_limit(10).order_by_score())
                .expect("floor");
            let elapsed = started.elapsed();
            all.push(elapsed);
            per_query[i].push(elapsed);
        }
        all.sort();
        let rows: Vec<String> = support::CONCEPT_MIX
            .iter()
            .zip(&mut per_query)
            .map(|(q, d)| {
                d.sort();
                format!(
                    "{} {:.0}/{:.0}",
                    q.query,
                    us(percentile(d, 50.0)),
                    us(percentile(d, 99.0))
                )
            })
            .collect();
        println!(
            "  floor, tantivy alone, {kind} spellings: p50 {:.0} µs, p99 {:.0} µs ({})",
            us(percentile(&all, 50.0)),
            us(percentile(&all, 99.0)),
            rows.join(", ")
        );
        println!(
            "RESULT floor-{kind} of={title} p50_us={:.0} p99_us={:.0}",
            us(percentile(&all, 50.0)),
            us(percentile(&all, 99.0)),
        );
    }
}

/// The index fields concept search added (`search::schema`).
const CONCEPT_FIELDS: [&str; 2] = ["cased", "pairs"];

/// Runs `queries` searches drawn from `mix` (deterministic shuffle), prints the table under
/// `title`, and returns every latency, sorted.
fn run_mix(
    index: &SearchIndex,
    mix: &[support::MixQuery],
    queries: usize,
    title: &str,
) -> Vec<Duration> {
    let requests: Vec<SearchRequest> = mix
        .iter()
        .map(|q| SearchRequest {
            query: q.query.to_owned(),
            limit: 10,
            prefix: q.prefix,
            literal: false,
            prefix_fallback: false,
        })
        .collect();
    // Warm up: every query a few times (caches, lazily loaded dictionary and concepts).
    for _ in 0..3 {
        for r in &requests {
            search(index, r, None).expect("search");
        }
    }
    let mut rng = support::Rng::new(42);
    let mut all = Vec::with_capacity(queries);
    let mut per_query: Vec<Vec<Duration>> = vec![Vec::new(); requests.len()];
    let mut hits = vec![0usize; requests.len()];
    for _ in 0..queries {
        let i = rng.below(requests.len());
        let started = Instant::now();
        let results = search(index, &requests[i], None).expect("search");
        let elapsed = started.elapsed();
        hits[i] = results.hits.len();
        all.push(elapsed);
        per_query[i].push(elapsed);
    }
    all.sort();
    println!("\n{title} ({queries} queries, limit 10)");
    println!(
        "  {:<20} {:>5} {:>5} {:>9} {:>9} {:>9}",
        "query", "n", "hits", "p50 µs", "p99 µs", "max µs"
    );
    for (i, q) in mix.iter().enumerate() {
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
        "  {:<20} {:>5} {:>5} {:>9.0} {:>9.0} {:>9.0}   (p90 {:.0} µs)",
        "ALL",
        all.len(),
        "",
        us(percentile(&all, 50.0)),
        us(percentile(&all, 99.0)),
        us(all.last().copied().unwrap_or_default()),
        us(percentile(&all, 90.0)),
    );
    all
}
