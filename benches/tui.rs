//! TUI responsiveness on a generated knowledge base: what a person typing feels.
//!
//! - keystroke → redrawn results: one typed character (or Backspace) through
//!   `Session::update` + `Session::sync` (the search, prefix on the last word, and reading the
//!   previewed note) + a full draw into a 120×40 `TestBackend`, timed per key, for a set of
//!   Japanese and English queries typed character by character and erased again;
//! - what runs off the UI thread, on the search engine's thread: listing the note files
//!   (what every refresh does first) and the index refresh (after a change), to show why
//!   they must not run on it;
//! - first frame after start, in a fresh process (so the dictionary load counts): the empty
//!   frame drawn before the index is opened, and the first frame with results.
//!
//! `cargo bench --bench tui`; sizes from `TN_BENCH_NOTES` (default `10000`; `10000,100000`
//! for both targets), rounds from `TN_BENCH_ROUNDS` (default 10). The last line per size is
//! machine-readable: `RESULT tui notes=N keys=K p50_us=… p99_us=… max_us=… …`.

mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use talknotes::search::index::SearchIndex;
use talknotes::store::Store;
use talknotes::tui::Session;
use talknotes::tui::action::Action;
use talknotes::tui::view::Theme;

/// Typed one character at a time, the way a person (or an IME commit) produces them.
const TYPED: &[&str] = &[
    "サービスメッシュ",
    "ebpf",
    "kubernetes オブザーバビリティ",
    "可観測性 導入",
    "platform engineering",
    "argo",
    "監視",
];

const CHILD_ENV: &str = "TN_TUI_BENCH_FIRST_FRAME";

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

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(120, 40)).expect("test backend")
}

/// In a fresh process: time to the first frame, and to the first frame with results.
fn first_frame(root: &str) {
    let started = Instant::now();
    let store = Store::open(root).expect("knowledge base");
    let mut app = Session::new(store);
    let mut terminal = terminal();
    let theme = Theme::plain();
    talknotes::tui::draw(&mut terminal, &mut app, &theme).expect("draw");
    let first = started.elapsed();
    app.open_index().expect("index");
    talknotes::tui::draw(&mut terminal, &mut app, &theme).expect("draw");
    let results = started.elapsed();
    assert!(!app.hits().is_empty(), "the first frame lists recent talks");
    println!("{} {}", us(first), us(results));
}

fn summary(label: &str, times: &mut [Duration]) -> (Duration, Duration, Duration) {
    times.sort();
    let (p50, p90, p99) = (
        percentile(times, 50.0),
        percentile(times, 90.0),
        percentile(times, 99.0),
    );
    let max = times.last().copied().unwrap_or_default();
    println!(
        "  {label:<30} {:>5} samples  p50 {:>8.0} µs  p90 {:>8.0} µs  p99 {:>8.0} µs  max {:>8.0} µs",
        times.len(),
        us(p50),
        us(p90),
        us(p99),
        us(max)
    );
    (p50, p99, max)
}

fn main() {
    if let Ok(root) = std::env::var(CHILD_ENV) {
        return first_frame(&root);
    }
    let rounds: usize = std::env::var("TN_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(10);
    for notes in support::sizes(&[10_000]) {
        let (root, _) = support::kb(notes);
        let store = Store::open(&root).expect("knowledge base");
        // Build or refresh the index first: building it is a one-off, not a start-up cost.
        SearchIndex::open(&store).expect("index");

        // First frame, cold, three fresh processes; the median is reported.
        let mut firsts = Vec::new();
        for _ in 0..3 {
            let out = Command::new(std::env::current_exe().expect("bench binary"))
                .env(CHILD_ENV, &root)
                .output()
                .expect("run the first-frame child");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8_lossy(&out.stdout);
            let mut parts = text
                .split_whitespace()
                .map(|n| n.parse::<f64>().unwrap_or(0.0));
            firsts.push((
                parts.next().unwrap_or_default(),
                parts.next().unwrap_or_default(),
            ));
        }
        firsts.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (first_us, results_us) = firsts[1];

        let mut app = Session::new(store.clone());
        let mut terminal = terminal();
        let theme = Theme::plain();
        app.open_index().expect("index");
        talknotes::tui::draw(&mut terminal, &mut app, &theme).expect("draw");
        let key = |app: &mut Session, terminal: &mut Terminal<TestBackend>, action| {
            let started = Instant::now();
            app.update(action);
            app.sync();
            talknotes::tui::draw(terminal, app, &theme).expect("draw");
            started.elapsed()
        };
        // Warm up caches once.
        for text in TYPED {
            for c in text.chars() {
                key(&mut app, &mut terminal, Action::Insert(c));
            }
            key(&mut app, &mut terminal, Action::DeleteToStart);
        }
        let mut typing = Vec::new();
        let mut erasing = Vec::new();
        for _ in 0..rounds {
            for text in TYPED {
                for c in text.chars() {
                    typing.push(key(&mut app, &mut terminal, Action::Insert(c)));
                }
                for _ in text.chars() {
                    erasing.push(key(&mut app, &mut terminal, Action::Backspace));
                }
            }
        }
        // Off the UI thread in `tn`, measured here to show why: listing the note files, which
        // every refresh does first, and the index refresh that runs only after a change.
        let mut listings = Vec::new();
        for _ in 0..20 {
            let started = Instant::now();
            store.list_files().expect("listing");
            listings.push(started.elapsed());
        }
        let mut ticks = Vec::new();
        for _ in 0..20 {
            ticks.push(key(&mut app, &mut terminal, Action::Tick));
        }
        println!(
            "\ntui/{} ({notes} talks, 120x40, {rounds} rounds)",
            support::size_label(notes)
        );
        println!(
            "  first frame {:.1} ms, first frame with results {:.1} ms (fresh process, median of 3)",
            first_us / 1e3,
            results_us / 1e3
        );
        let mut all: Vec<Duration> = typing.iter().chain(&erasing).copied().collect();
        summary("type a character", &mut typing);
        summary("backspace", &mut erasing);
        let (p50, p99, max) = summary("any key", &mut all);
        summary("file listing (bg)", &mut listings);
        let (_, tick_p99, _) = summary("index refresh, no change (bg)", &mut ticks);
        println!(
            "RESULT tui notes={notes} keys={} p50_us={:.0} p99_us={:.0} max_us={:.0} tick_p99_us={:.0} first_frame_ms={:.1} first_results_ms={:.1}",
            all.len(),
            us(p50),
            us(p99),
            us(max),
            us(tick_p99),
            first_us / 1e3,
            ms(Duration::from_secs_f64(results_us / 1e6)),
        );
    }
}
