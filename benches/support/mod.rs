//! Shared by the benches and `examples/genkb.rs`: a deterministic generator of realistic
//! knowledge bases, a cache of generated ones under `target/bench-kb/`, the text the index
//! sees for a talk, and the fixed query mix.
//!
//! The generator lives here (not in the example) so that the benches and the command-line
//! generator produce byte-identical knowledge bases from one source; the example includes this
//! module with `#[path]`.

#![allow(dead_code)] // each bench uses a different part of this module

pub mod imported;
pub mod vocab;

/// The allocator `tn` runs with (see src/main.rs), so in-process numbers match the binary's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use talknotes::note::{
    ClockTime, Date, Event, EventKind, Link, Rating, Speaker, Takeaway, Talk, TalkKind, Tool,
};
use talknotes::store::Store;
use talknotes::store::codec::to_ron;

/// Bumped whenever the generated notes change, so cached knowledge bases are regenerated.
pub const GENERATOR_VERSION: u32 = 1;
pub const DEFAULT_SEED: u64 = 1;
/// Stamp written at the root of a generated knowledge base (outside `notes/`).
pub const STAMP_FILE: &str = "genkb.stamp";
/// Sizes and byte counts of a generated knowledge base, `key=value` per line.
pub const STATS_FILE: &str = "genkb.stats";

/// xorshift64*: tiny, fast, and identical on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // splitmix64 of the seed, so nearby seeds give unrelated streams and 0 is fine.
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 * n as f64) as usize % n.max(1)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// Zipf-distributed ranks `0..n`: P(k) ∝ 1 / (k + 1)^s.
#[derive(Debug, Clone)]
pub struct Zipf {
    cumulative: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, s: f64) -> Zipf {
        let mut total = 0.0;
        let cumulative = (0..n)
            .map(|k| {
                total += 1.0 / ((k + 1) as f64).powf(s);
                total
            })
            .collect();
        Zipf { cumulative }
    }

    pub fn sample(&self, rng: &mut Rng) -> usize {
        let total = *self.cumulative.last().unwrap_or(&1.0);
        let x = rng.f64() * total;
        self.cumulative
            .partition_point(|&c| c <= x)
            .min(self.cumulative.len() - 1)
    }
}

/// A list of words sampled by Zipf rank.
struct Words {
    words: Vec<String>,
    zipf: Zipf,
}

impl Words {
    fn new(words: Vec<String>, s: f64) -> Words {
        let zipf = Zipf::new(words.len(), s);
        Words { words, zipf }
    }

    fn from_static(words: &[&str], s: f64) -> Words {
        Words::new(words.iter().map(|w| (*w).to_owned()).collect(), s)
    }

    fn sample(&self, rng: &mut Rng) -> &str {
        &self.words[self.zipf.sample(rng)]
    }
}

/// All word lists, with a synthetic long tail of rare words.
struct Vocabulary {
    kanji: Words,
    katakana: Words,
    english: Words,
    /// Made-up loanwords, compounds and identifiers: thousands of words, most used once or
    /// twice in a 10k knowledge base.
    rare: Words,
    rare_ascii: Words,
    predicates: Words,
    tags: Words,
    tools: Zipf,
    series: Zipf,
    companies: Zipf,
    slug_words: Zipf,
}

impl Vocabulary {
    fn new(rng: &mut Rng) -> Vocabulary {
        let mut rare = Vec::new();
        let mut rare_ascii = Vec::new();
        for i in 0..6000 {
            match i % 3 {
                0 => {
                    let mut w = String::new();
                    for k in 0..rng.range(3, 5) {
                        w.push_str(rng.pick(vocab::KATAKANA_SYLLABLES));
                        if k > 0 && rng.chance(0.15) {
                            w.push('ー');
                        }
                    }
                    rare.push(w);
                }
                1 => {
                    let w = format!(
                        "{}{}{}",
                        rng.pick(vocab::RARE_KANJI),
                        rng.pick(vocab::RARE_KANJI),
                        if rng.chance(0.3) { "基盤" } else { "" }
                    );
                    rare.push(w);
                }
                _ => {
                    let mut w = String::new();
                    for _ in 0..rng.range(2, 3) {
                        let s = rng.pick(vocab::ENGLISH_SYLLABLES);
                        if rng.chance(0.3) {
                            // CamelCase identifiers, as in product names.
                            let mut c = s.chars();
                            w.extend(c.next().map(|c| c.to_ascii_uppercase()));
                            w.push_str(c.as_str());
                        } else {
                            w.push_str(s);
                        }
                    }
                    rare_ascii.push(w.clone());
                    rare.push(w);
                }
            }
        }
        Vocabulary {
            kanji: Words::from_static(vocab::KANJI, 0.9),
            katakana: Words::from_static(vocab::KATAKANA, 0.9),
            english: Words::from_static(vocab::ENGLISH, 0.9),
            rare: Words::new(rare, 1.05),
            rare_ascii: Words::new(rare_ascii, 1.05),
            predicates: Words::from_static(vocab::PREDICATES, 0.7),
            tags: Words::from_static(vocab::TAGS, 1.0),
            tools: Zipf::new(vocab::TOOLS.len(), 1.0),
            series: Zipf::new(vocab::SERIES.len(), 0.8),
            companies: Zipf::new(vocab::COMPANIES.len(), 0.8),
            slug_words: Zipf::new(vocab::SLUG_WORDS.len(), 0.8),
        }
    }

    /// A noun of any origin: kanji compound, loanword, English term or rare word.
    fn noun(&self, rng: &mut Rng) -> String {
        let x = rng.f64();
        if x < 0.40 {
            self.kanji.sample(rng).to_owned()
        } else if x < 0.70 {
            self.katakana.sample(rng).to_owned()
        } else if x < 0.92 {
            self.english.sample(rng).to_owned()
        } else {
            self.rare.sample(rng).to_owned()
        }
    }

    /// An English term, or now and then a rare identifier.
    fn term(&self, rng: &mut Rng) -> String {
        if rng.chance(0.12) {
            self.rare_ascii.sample(rng).to_owned()
        } else {
            self.english.sample(rng).to_owned()
        }
    }
}

/// Writers put spaces around Latin words about half the time ("eBPF で" / "eBPFで").
fn glue(out: &mut String, word: &str, rng: &mut Rng) {
    let latin = word.starts_with(|c: char| c.is_ascii_alphanumeric());
    let spaced = latin && rng.chance(0.5);
    if spaced && !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
    out.push_str(word);
    if spaced {
        out.push(' ');
    }
}

fn japanese_clause(v: &Vocabulary, rng: &mut Rng) -> String {
    let mut s = String::new();
    match rng.below(8) {
        0 => {
            glue(&mut s, &v.noun(rng), rng);
            s.push('の');
            glue(&mut s, &v.noun(rng), rng);
        }
        1 => {
            glue(&mut s, &v.term(rng), rng);
            s.push('で');
            glue(&mut s, &v.noun(rng), rng);
        }
        2 => {
            s.push_str(rng.pick(vocab::ADJECTIVES));
            glue(&mut s, &v.noun(rng), rng);
            s.push_str("では");
            glue(&mut s, &v.noun(rng), rng);
        }
        3 => {
            glue(&mut s, &v.term(rng), rng);
            s.push('と');
            glue(&mut s, &v.term(rng), rng);
            s.push_str("を使って");
            glue(&mut s, &v.noun(rng), rng);
        }
        4 => {
            glue(&mut s, &v.noun(rng), rng);
            s.push('に');
            glue(&mut s, &v.term(rng), rng);
            s.push_str("を入れると");
            glue(&mut s, &v.noun(rng), rng);
        }
        5 => {
            s.push_str(rng.pick(vocab::CONNECTORS));
            glue(&mut s, &v.noun(rng), rng);
            s.push('の');
            glue(&mut s, &v.noun(rng), rng);
        }
        6 => {
            glue(&mut s, &v.noun(rng), rng);
            s.push('は');
            glue(&mut s, &v.noun(rng), rng);
            s.push('と');
            glue(&mut s, &v.noun(rng), rng);
        }
        _ => {
            glue(&mut s, &v.noun(rng), rng);
        }
    }
    let s = s.trim_end().to_owned();
    format!("{s}{}", v.predicates.sample(rng))
}

fn english_clause(v: &Vocabulary, rng: &mut Rng) -> String {
    let noun = |rng: &mut Rng| rng.pick(vocab::ENGLISH_NOUNS).to_string();
    match rng.below(5) {
        0 => format!("{} makes {} easier", v.term(rng), noun(rng)),
        1 => format!("we migrated from {} to {}", v.term(rng), v.term(rng)),
        2 => format!("{} matters more than {}", noun(rng), noun(rng)),
        3 => format!("measure {} before tuning {}", noun(rng), v.term(rng)),
        _ => format!("{} at scale needs {}", v.term(rng), noun(rng)),
    }
}

fn clause(v: &Vocabulary, rng: &mut Rng, english: bool) -> String {
    if english && rng.chance(0.6) {
        english_clause(v, rng)
    } else {
        japanese_clause(v, rng)
    }
}

/// A sentence of `min..=max` characters built from whole clauses (cut only as a last resort).
fn sentence(v: &Vocabulary, rng: &mut Rng, min: usize, max: usize, english: bool) -> String {
    let target = rng.range(min, max);
    let mut out = clause(v, rng, english);
    while out.chars().count() < target {
        let next = clause(v, rng, english);
        // When the next clause overflows, stop if long enough; else take it and cut below.
        if out.chars().count() + 1 + next.chars().count() > max && out.chars().count() >= min {
            break;
        }
        out.push_str(if english { ", " } else { "、" });
        out.push_str(&next);
    }
    if out.chars().count() > max {
        out = out
            .chars()
            .take(max)
            .collect::<String>()
            .trim_end()
            .to_owned();
    }
    out
}

/// A paragraph of `min..=max` characters of sentences ended with `。` (or `. `).
fn paragraph(v: &Vocabulary, rng: &mut Rng, min: usize, max: usize, english: bool) -> String {
    let target = rng.range(min, max);
    let mut out = String::new();
    while out.chars().count() < target {
        let room = max.saturating_sub(out.chars().count() + 1);
        if room < 12 {
            break;
        }
        let s = sentence(v, rng, 12.min(room), 70.min(room), english);
        out.push_str(&s);
        out.push_str(if english { ". " } else { "。" });
    }
    let out = out.trim_end().to_owned();
    if out.chars().count() < min {
        // Rare: pad with one more short clause so the abstract length holds.
        let pad = max - out.chars().count();
        let extra = sentence(v, rng, 1.min(pad), pad.min(60), english);
        return format!("{out}{extra}");
    }
    out
}

fn title(v: &Vocabulary, rng: &mut Rng, english: bool, company: &str) -> String {
    if english {
        let noun = rng.pick(vocab::ENGLISH_NOUNS);
        return match rng.below(4) {
            0 => format!("Scaling {} at {company}", v.term(rng)),
            1 => format!("Lessons from {} years of {}", rng.range(2, 9), v.term(rng)),
            2 => format!("{} in Production", v.term(rng)),
            _ => format!("Beyond {}: {noun} for everyone", v.term(rng)),
        };
    }
    let k = v.katakana.sample(rng).to_owned();
    match rng.below(10) {
        0 => format!("{}で始める{}入門", v.term(rng), v.noun(rng)),
        1 => format!("{}を支える{}の{}", v.noun(rng), v.term(rng), v.noun(rng)),
        2 => format!("{k}の今と未来"),
        3 => format!("大規模{k}における{}活用", v.term(rng)),
        4 => format!("{company}における{}の実践", v.noun(rng)),
        5 => format!(
            "{}による{}の{}",
            v.term(rng),
            v.noun(rng),
            v.kanji.sample(rng)
        ),
        6 => format!("{}、{}、そして{k}", v.noun(rng), v.noun(rng)),
        7 => format!("{} × {}で実現する{}", v.term(rng), v.term(rng), v.noun(rng)),
        8 => format!("ゼロから始める{k}"),
        _ => format!("{}を{}する技術", v.noun(rng), v.kanji.sample(rng)),
    }
}

fn speaker(v: &Vocabulary, rng: &mut Rng) -> Speaker {
    let name = if rng.chance(0.7) {
        format!(
            "{} {}",
            rng.pick(vocab::SURNAMES),
            rng.pick(vocab::GIVEN_NAMES)
        )
    } else {
        format!(
            "{} {}",
            rng.pick(vocab::FIRST_NAMES),
            rng.pick(vocab::LAST_NAMES)
        )
    };
    Speaker {
        name,
        affiliation: rng
            .chance(0.9)
            .then(|| vocab::COMPANIES[v.companies.sample(rng)].to_owned()),
        role: rng.chance(0.2).then(|| rng.pick(vocab::ROLES).to_string()),
    }
}

fn slug(text: &str) -> talknotes::note::Slug {
    text.parse()
        .unwrap_or_else(|e| panic!("generated id {text}: {e}"))
}

fn date(days_since_2016: usize) -> Date {
    let d = jiff::civil::date(2016, 1, 1)
        .checked_add(jiff::Span::new().days(days_since_2016 as i64))
        .expect("date in range");
    Date(d)
}

fn clock(minutes: usize) -> ClockTime {
    let minutes = minutes.min(23 * 60 + 59);
    ClockTime::new((minutes / 60) as u8, (minutes % 60) as u8).expect("valid time")
}

fn memo(v: &Vocabulary, rng: &mut Rng, english: bool) -> String {
    let mut out = paragraph(v, rng, 40, 200, english);
    if rng.chance(0.5) {
        let name = v.rare_ascii.sample(rng).to_lowercase();
        let block = rng
            .pick(vocab::CODE_BLOCKS)
            .replace("{name}", &name)
            .replace("{n}", &rng.range(1, 12).to_string());
        out.push_str("\n\n");
        out.push_str(&block);
        if rng.chance(0.5) {
            out.push('\n');
            out.push_str(&sentence(v, rng, 20, 60, english));
        }
    }
    if rng.chance(0.3) {
        out.push_str("\n- ");
        out.push_str(&sentence(v, rng, 10, 40, english));
        out.push_str("\n- ");
        out.push_str(&sentence(v, rng, 10, 40, english));
    }
    out
}

/// One generated event and its talks.
pub struct GeneratedEvent {
    pub event: Event,
    pub talks: Vec<Talk>,
}

/// Generates `notes` talks in events of about 50 talks each, deterministically from `seed`.
pub struct Generator {
    rng: Rng,
    vocab: Vocabulary,
    remaining: usize,
    events: usize,
    series_counts: Vec<usize>,
}

impl Generator {
    pub fn new(notes: usize, seed: u64) -> Generator {
        let mut rng = Rng::new(seed);
        let vocab = Vocabulary::new(&mut rng);
        Generator {
            rng,
            vocab,
            remaining: notes,
            events: 0,
            series_counts: vec![0; vocab::SERIES.len()],
        }
    }

    fn event(&mut self, talk_count: usize) -> GeneratedEvent {
        let rng = &mut self.rng;
        let v = &self.vocab;
        let s = v.series.sample(rng);
        let (series, stem, kind) = vocab::SERIES[s];
        self.series_counts[s] += 1;
        let ordinal = self.series_counts[s];
        let start_day = rng.below(3650);
        let starts_on = date(start_day);
        let span = if kind == "conference" {
            rng.range(0, 2)
        } else {
            0
        };
        let year = starts_on.year();
        let id = slug(&format!("{stem}-{ordinal}"));
        let name = match kind {
            "conference" => format!("{series} {year}"),
            "newsletter" => format!("{series} ({starts_on}号)"),
            _ => format!("{series} #{ordinal}"),
        };
        let mut event = Event::new(id.clone(), name);
        event.kind = kind.parse::<EventKind>().expect("known kind");
        event.starts_on = Some(starts_on);
        event.ends_on = (span > 0).then(|| date(start_day + span));
        event.location = Some(rng.pick(vocab::LOCATIONS).to_string());
        event.url = Some(format!("https://{stem}.example.org/{year}/{ordinal}"));
        event.hashtag = rng
            .chance(0.7)
            .then(|| format!("#{}{}", stem.replace('-', ""), year % 100));
        for _ in 0..rng.range(1, 4) {
            let tag = v.tags.sample(rng).to_owned();
            if !event.tags.contains(&tag) {
                event.tags.push(tag);
            }
        }
        if rng.chance(0.3) {
            event.memo = Some(paragraph(v, rng, 60, 200, false));
        }
        let mut talks = Vec::with_capacity(talk_count);
        for j in 0..talk_count {
            talks.push(self.talk(&event, j, span, stem));
        }
        GeneratedEvent { event, talks }
    }

    fn talk(&mut self, event: &Event, j: usize, span: usize, stem: &str) -> Talk {
        let rng = &mut self.rng;
        let v = &self.vocab;
        let english = rng.chance(0.15);
        let mut words: Vec<&str> = Vec::new();
        for _ in 0..rng.range(1, 3) {
            let w = vocab::SLUG_WORDS[v.slug_words.sample(rng)];
            if !words.contains(&w) {
                words.push(w);
            }
        }
        let id = slug(&format!("{}-{j}", words.join("-")));
        let company = vocab::COMPANIES[v.companies.sample(rng)];
        let mut talk = Talk::new(id, title(v, rng, english, company));
        talk.kind = {
            let x = rng.below(100);
            match x {
                0..=4 => TalkKind::Keynote,
                5..=12 => TalkKind::Sponsor,
                13..=27 => TalkKind::Lightning,
                28..=31 => TalkKind::Panel,
                32..=35 => TalkKind::Workshop,
                36..=37 => TalkKind::Article,
                38 => TalkKind::Release,
                39 => TalkKind::Tool,
                _ => TalkKind::Session,
            }
        };
        if rng.chance(0.7) {
            talk.url = Some(format!(
                "https://{stem}.example.org/talks/{}",
                10_000 + rng.below(90_000)
            ));
        }
        for _ in 0..if rng.chance(0.75) { 1 } else { 2 } {
            talk.speakers.push(speaker(v, rng));
        }
        let day = rng.range(0, span);
        talk.date = event.starts_on.map(|d| {
            Date(
                d.0.checked_add(jiff::Span::new().days(day as i64))
                    .expect("date in range"),
            )
        });
        let start = 10 * 60 + 15 * rng.below(30);
        let length = if talk.kind == TalkKind::Lightning {
            5
        } else {
            rng.pick(&[20, 30, 40, 45])
        };
        talk.start = Some(clock(start));
        talk.end = Some(clock(start + length));
        if rng.chance(0.6) {
            talk.track = Some(
                rng.pick(&[
                    "Track A",
                    "Track B",
                    "Track C",
                    "ホールA",
                    "Room 1",
                    "Room 2",
                ])
                .to_owned(),
            );
        }
        talk.language = Some(if english { "en" } else { "ja" }.to_owned());
        for _ in 0..rng.range(1, 5) {
            let tag = v.tags.sample(rng).to_owned();
            if !talk.tags.contains(&tag) {
                talk.tags.push(tag);
            }
        }
        if rng.chance(0.9) {
            talk.r#abstract = Some(paragraph(v, rng, 150, 400, english));
        }
        let count = rng.range(3, 8);
        for k in 0..count {
            talk.takeaways.push(Takeaway {
                text: sentence(v, rng, 20, 80, english),
                at: rng
                    .chance(0.8)
                    .then(|| clock(start + k * length / count.max(1))),
                by: None,
            });
        }
        for _ in 0..rng.range(0, 4) {
            let tool = if rng.chance(0.85) {
                let (name, url) = vocab::TOOLS[v.tools.sample(rng)];
                Tool {
                    name: name.to_owned(),
                    url: Some(url.to_owned()),
                    by: None,
                }
            } else {
                let name = v.rare_ascii.sample(rng).to_owned();
                Tool {
                    url: rng
                        .chance(0.8)
                        .then(|| format!("https://github.com/{}/{}", name.to_lowercase(), name)),
                    name,
                    by: None,
                }
            };
            if !talk.tools.iter().any(|t| t.name == tool.name) {
                talk.tools.push(tool);
            }
        }
        for k in 0..rng.range(0, 2) {
            talk.links.push(Link {
                url: format!("https://speakerdeck.example.com/{}/{}-{k}", stem, talk.id),
                kind: None,
                title: rng
                    .chance(0.8)
                    .then(|| rng.pick(vocab::LINK_TITLES).to_string()),
                by: None,
            });
        }
        if rng.chance(0.35) {
            talk.memo = Some(memo(v, rng, english));
        }
        if rng.chance(0.4) {
            talk.rating = Rating::new(rng.range(1, 5) as u8);
        }
        talk
    }
}

impl Iterator for Generator {
    type Item = GeneratedEvent;

    fn next(&mut self) -> Option<GeneratedEvent> {
        if self.remaining == 0 {
            return None;
        }
        // About 50 talks per event (30..=70); the last event takes what is left.
        let mut count = self.rng.range(30, 70).min(self.remaining);
        if self.remaining - count < 30 {
            count = self.remaining;
        }
        self.remaining -= count;
        self.events += 1;
        Some(self.event(count))
    }
}

/// What a generated knowledge base holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub talks: usize,
    pub events: usize,
    /// Bytes of the RON files.
    pub file_bytes: u64,
    /// Bytes of the text the index tokenizes (see [`indexed_text`]).
    pub text_bytes: u64,
}

impl Stats {
    fn to_text(self) -> String {
        format!(
            "talks={}\nevents={}\nfile_bytes={}\ntext_bytes={}\n",
            self.talks, self.events, self.file_bytes, self.text_bytes
        )
    }

    pub fn read(root: &Path) -> Option<Stats> {
        let text = fs::read_to_string(root.join(STATS_FILE)).ok()?;
        let mut stats = Stats::default();
        for line in text.lines() {
            let (key, value) = line.split_once('=')?;
            let value: u64 = value.trim().parse().ok()?;
            match key {
                "talks" => stats.talks = value as usize,
                "events" => stats.events = value as usize,
                "file_bytes" => stats.file_bytes = value,
                "text_bytes" => stats.text_bytes = value,
                _ => {}
            }
        }
        Some(stats)
    }
}

fn stamp_text(notes: usize, seed: u64) -> String {
    format!("generator={GENERATOR_VERSION} notes={notes} seed={seed}\n")
}

/// Whether `root` holds exactly what `generate(root, notes, seed)` would write.
pub fn is_current(root: &Path, notes: usize, seed: u64) -> bool {
    fs::read_to_string(root.join(STAMP_FILE)).is_ok_and(|s| s == stamp_text(notes, seed))
        && Stats::read(root).is_some()
}

/// Writes a knowledge base of `notes` talks into `root` (its `notes/` must not exist yet), the
/// way `tn` writes notes: canonical RON from `talknotes::store::codec::to_ron`.
pub fn generate(root: &Path, notes: usize, seed: u64) -> std::io::Result<Stats> {
    let store = Store::init(root).map_err(std::io::Error::other)?;
    let notes_dir = store.notes_dir();
    let mut stats = Stats::default();
    for generated in Generator::new(notes, seed) {
        let dir = notes_dir.join(generated.event.id.as_str());
        fs::create_dir_all(&dir)?;
        let text = to_ron(&generated.event).map_err(std::io::Error::other)?;
        stats.file_bytes += text.len() as u64;
        fs::write(store.event_path(&generated.event.id), text)?;
        stats.events += 1;
        for talk in &generated.talks {
            let text = to_ron(talk).map_err(std::io::Error::other)?;
            stats.file_bytes += text.len() as u64;
            fs::write(dir.join(format!("{}.ron", talk.id)), text)?;
            stats.text_bytes += indexed_text(talk, Some(&generated.event)).len() as u64;
            stats.talks += 1;
        }
    }
    fs::write(root.join(STATS_FILE), stats.to_text())?;
    fs::write(root.join(STAMP_FILE), stamp_text(notes, seed))?;
    Ok(stats)
}

/// Where generated knowledge bases are cached: `<target>/bench-kb/`.
pub fn cache_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    target.join("bench-kb")
}

pub fn cached_path(notes: usize, seed: u64) -> PathBuf {
    cache_dir().join(format!("n{notes}-s{seed}"))
}

/// The cached knowledge base of `notes` talks (default seed), generated on first use.
pub fn kb(notes: usize) -> (PathBuf, Stats) {
    let root = cached_path(notes, DEFAULT_SEED);
    ensure(&root, notes, DEFAULT_SEED).unwrap_or_else(|e| panic!("{}: {e}", root.display()))
}

/// Generates into `root` unless it is already current; regenerates a stale one. A new
/// knowledge base is built aside and renamed into place, so an interrupted run leaves no half.
pub fn ensure(root: &Path, notes: usize, seed: u64) -> std::io::Result<(PathBuf, Stats)> {
    if is_current(root, notes, seed) {
        let stats = Stats::read(root).expect("checked by is_current");
        return Ok((root.to_owned(), stats));
    }
    if root.exists() {
        // Only ever delete what this generator wrote (or an empty directory).
        let ours = root.join(STAMP_FILE).exists() || fs::read_dir(root)?.next().is_none();
        if !ours {
            return Err(std::io::Error::other(format!(
                "{} exists and was not written by genkb; refusing to replace it",
                root.display()
            )));
        }
        fs::remove_dir_all(root)?;
    }
    let parent = root.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent)?;
    let name = root.file_name().unwrap_or_default().to_string_lossy();
    let building = parent.join(format!(".{name}.building-{}", std::process::id()));
    if building.exists() {
        fs::remove_dir_all(&building)?;
    }
    let started = std::time::Instant::now();
    let stats = generate(&building, notes, seed)?;
    fs::rename(&building, root)?;
    eprintln!(
        "generated {} talks in {} events ({:.1} MB of notes) into {} in {:.1?}",
        stats.talks,
        stats.events,
        stats.file_bytes as f64 / 1e6,
        root.display(),
        started.elapsed()
    );
    Ok((root.to_owned(), stats))
}

/// The text the index tokenizes for a talk: every searchable section, as `index::talk_doc`
/// assembles them (title, speakers with affiliation and role, tool names, tags, takeaways,
/// abstract, memo, event name, track, link titles), one section per line.
pub fn indexed_text(talk: &Talk, event: Option<&Event>) -> String {
    let mut out = String::new();
    let mut line = |text: &str| {
        if !text.is_empty() {
            out.push_str(text);
            out.push('\n');
        }
    };
    line(&talk.title);
    for s in &talk.speakers {
        line(&s.name);
        line(s.affiliation.as_deref().unwrap_or_default());
        line(s.role.as_deref().unwrap_or_default());
    }
    for t in &talk.tools {
        line(&t.name);
    }
    for t in &talk.tags {
        line(t);
    }
    for t in &talk.takeaways {
        line(&t.text);
    }
    line(talk.r#abstract.as_deref().unwrap_or_default());
    line(talk.memo.as_deref().unwrap_or_default());
    if let Some(e) = event {
        line(&e.name);
    }
    line(talk.track.as_deref().unwrap_or_default());
    for l in &talk.links {
        line(l.title.as_deref().unwrap_or_default());
    }
    out
}

/// Every talk's indexed text, read back from the knowledge base through the library.
pub fn talk_texts(root: &Path) -> Vec<String> {
    let store = Store::open(root).expect("knowledge base");
    let scan = store.scan().expect("scan");
    assert!(
        scan.problems.is_empty(),
        "generated notes have problems: {:?}",
        &scan.problems[..scan.problems.len().min(3)]
    );
    scan.talks
        .iter()
        .map(|(id, talk)| {
            let event = scan.events.get(&id.event).map(|e| &e.value);
            indexed_text(&talk.value, event)
        })
        .collect()
}

/// A query of the fixed mix: what a user types, and whether it is typed as a prefix.
#[derive(Debug, Clone, Copy)]
pub struct MixQuery {
    pub label: &'static str,
    pub query: &'static str,
    pub prefix: bool,
}

/// A realistic mix: Japanese words, katakana fragments, English lower-case, a prefix while
/// typing, phrases, negation, OR, and filters (alone and with words).
pub const QUERY_MIX: &[MixQuery] = &[
    MixQuery {
        label: "ja-word",
        query: "監視",
        prefix: false,
    },
    MixQuery {
        label: "ja-compound",
        query: "可観測性",
        prefix: false,
    },
    MixQuery {
        label: "katakana-fragment",
        query: "メッシュ",
        prefix: false,
    },
    MixQuery {
        label: "katakana-word",
        query: "オブザーバビリティ",
        prefix: false,
    },
    MixQuery {
        label: "english",
        query: "kubernetes",
        prefix: false,
    },
    MixQuery {
        label: "english-rare",
        query: "cosign",
        prefix: false,
    },
    MixQuery {
        label: "prefix",
        query: "kube",
        prefix: true,
    },
    MixQuery {
        label: "two-words",
        query: "ebpf 導入",
        prefix: false,
    },
    MixQuery {
        label: "phrase",
        query: "\"運用の自動化\"",
        prefix: false,
    },
    MixQuery {
        label: "or-not",
        query: "terraform OR pulumi -aws",
        prefix: false,
    },
    MixQuery {
        label: "tag-filter",
        query: "tag:ebpf",
        prefix: false,
    },
    MixQuery {
        label: "filters+word",
        query: "kind:keynote year:2024 セキュリティ",
        prefix: false,
    },
    MixQuery {
        label: "speaker",
        query: "speaker:山田",
        prefix: false,
    },
    MixQuery {
        label: "no-match",
        query: "存在しない単語xyzzy",
        prefix: false,
    },
];

/// Single-concept queries that concept search expands to other spellings (issue 13): English
/// typed for a concept the notes write in katakana or kanji, and the reverse, abbreviations
/// included. Timed apart from [`QUERY_MIX`] (`benches/latency.rs`).
pub const CONCEPT_MIX: &[MixQuery] = &[
    MixQuery {
        label: "en→katakana",
        query: "observability",
        prefix: false,
    },
    MixQuery {
        label: "en→katakana-2",
        query: "container",
        prefix: false,
    },
    MixQuery {
        label: "en→kanji",
        query: "monitoring",
        prefix: false,
    },
    MixQuery {
        label: "abbreviation",
        query: "k8s",
        prefix: false,
    },
    MixQuery {
        label: "numeronym",
        query: "o11y",
        prefix: false,
    },
    MixQuery {
        label: "kanji→en",
        query: "可観測性",
        prefix: false,
    },
    MixQuery {
        label: "katakana→en",
        query: "セキュリティ",
        prefix: false,
    },
    MixQuery {
        label: "multiword",
        query: "service mesh",
        prefix: false,
    },
];

/// Sizes to run, from `TN_BENCH_NOTES` (comma-separated), else `default`.
pub fn sizes(default: &[usize]) -> Vec<usize> {
    match std::env::var("TN_BENCH_NOTES") {
        Ok(list) if !list.trim().is_empty() => list
            .split(',')
            .map(|n| {
                n.trim()
                    .replace('_', "")
                    .replace('k', "000")
                    .parse()
                    .unwrap_or_else(|_| panic!("TN_BENCH_NOTES: bad size {n}"))
            })
            .collect(),
        _ => default.to_vec(),
    }
}

/// `1000` → `1k`.
pub fn size_label(notes: usize) -> String {
    if notes.is_multiple_of(1000) {
        format!("{}k", notes / 1000)
    } else {
        notes.to_string()
    }
}

/// Human-readable bytes per second.
pub fn mb_per_s(bytes: u64, seconds: f64) -> String {
    let mut s = String::new();
    let _ = write!(s, "{:.2} MB/s", bytes as f64 / 1e6 / seconds);
    s
}
