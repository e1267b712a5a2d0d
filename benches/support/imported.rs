//! A second benchmark corpus: knowledge bases of imported schedules, made of real talk text.
//!
//! The generated corpus (`super::generate`) draws its tech terms from about fifty words, so a
//! concept word is in most of its talks (`kubernetes` in 98%, `prometheus` in 81%), several
//! times as often as in real talk text (39% and 2.4% of 613 CloudNative Days talks). Where a
//! word is in most talks with close scores, a search can skip few of them, so that corpus
//! measures the worst case. A knowledge base of 100,000 talks is mostly imported schedules
//! (nobody writes 100,000 notes by hand): this corpus is that, built from the concept test
//! set's real talks (`tests/data/concepts/corpus.json`, titles, speakers and abstracts of
//! CloudNative Days), recombined: each talk takes a real title, one or two real speakers and
//! two to five sentences of real abstracts, so words keep the frequencies real text gives
//! them, and no two talks are the same.

use std::fs;
use std::path::{Path, PathBuf};

use talknotes::note::{Event, Slug, Talk};
use talknotes::store::Store;
use talknotes::store::codec::to_ron;

use super::{Rng, Stats, cache_dir, indexed_text};

/// Bumped whenever the imported-corpus notes change, so cached ones are regenerated.
const VERSION: u32 = 1;
const STAMP: &str = "imported.stamp";

const CORPUS: &str = include_str!("../../tests/data/concepts/corpus.json");

/// The cached imported-schedule knowledge base of `notes` talks, generated on first use.
pub fn kb(notes: usize) -> PathBuf {
    let root = cache_dir().join(format!("imported-n{notes}-s1"));
    // The corpus file's hash too: a changed test set regenerates the knowledge base.
    let mut hasher = std::hash::DefaultHasher::new();
    std::hash::Hash::hash(CORPUS, &mut hasher);
    let corpus = std::hash::Hasher::finish(&hasher);
    let stamp = format!("imported={VERSION} notes={notes} corpus={corpus:016x}\n");
    if fs::read_to_string(root.join(STAMP)).is_ok_and(|s| s == stamp) {
        return root;
    }
    if root.exists() {
        assert!(
            root.join(STAMP).exists(),
            "{} exists and was not written here; refusing to replace it",
            root.display()
        );
        fs::remove_dir_all(&root).expect("remove a stale imported corpus");
    }
    let building = cache_dir().join(format!(
        ".imported-n{notes}.building-{}",
        std::process::id()
    ));
    if building.exists() {
        fs::remove_dir_all(&building).expect("remove a half-built corpus");
    }
    let stats = generate(&building, notes, 1).expect("generate the imported corpus");
    fs::write(building.join(STAMP), stamp).expect("stamp");
    fs::rename(&building, &root).expect("move the corpus into place");
    eprintln!(
        "generated {} imported talks in {} events ({:.1} MB of text) into {}",
        stats.talks,
        stats.events,
        stats.text_bytes as f64 / 1e6,
        root.display()
    );
    root
}

/// The pools real talks are recombined from.
struct Pools {
    events: Vec<Event>,
    titles: Vec<String>,
    speakers: Vec<talknotes::note::Speaker>,
    sentences: Vec<String>,
}

fn pools() -> Pools {
    let bundles = talknotes::interchange::from_json(Path::new("corpus.json"), CORPUS)
        .expect("the concept test set's corpus parses");
    let mut pools = Pools {
        events: Vec::new(),
        titles: Vec::new(),
        speakers: Vec::new(),
        sentences: Vec::new(),
    };
    for bundle in bundles {
        for talk in &bundle.talks {
            pools.titles.push(talk.title.clone());
            pools.speakers.extend(talk.speakers.iter().cloned());
            for sentence in talk
                .r#abstract
                .as_deref()
                .unwrap_or_default()
                .split_inclusive(['。', '\n'])
                .map(str::trim)
                .filter(|s| s.chars().count() >= 8)
            {
                pools.sentences.push(sentence.to_owned());
            }
        }
        pools.events.push(bundle.event);
    }
    pools
}

/// Writes `notes` talks, in events of 30 to 70, recombined from the real talks.
fn generate(root: &Path, notes: usize, seed: u64) -> std::io::Result<Stats> {
    let pools = pools();
    let mut rng = Rng::new(seed);
    let store = Store::init(root).map_err(std::io::Error::other)?;
    let mut stats = Stats::default();
    let mut remaining = notes;
    while remaining > 0 {
        let mut count = rng.range(30, 70).min(remaining);
        if remaining - count < 30 {
            count = remaining;
        }
        remaining -= count;
        let real = &pools.events[stats.events % pools.events.len()];
        let id: Slug = format!("{}-{}", real.id, stats.events)
            .parse()
            .map_err(std::io::Error::other)?;
        let mut event = real.clone();
        event.id = id.clone();
        event.name = format!("{} #{}", real.name, stats.events);
        stats.events += 1;
        let dir = store.notes_dir().join(id.as_str());
        fs::create_dir_all(&dir)?;
        let text = to_ron(&event).map_err(std::io::Error::other)?;
        stats.file_bytes += text.len() as u64;
        fs::write(store.event_path(&event.id), text)?;
        for j in 0..count {
            let talk_id: Slug = format!("talk-{j}").parse().map_err(std::io::Error::other)?;
            let title = pools.titles[rng.below(pools.titles.len())].clone();
            let mut talk = Talk::new(talk_id, title);
            for _ in 0..rng.range(1, 2) {
                talk.speakers
                    .push(pools.speakers[rng.below(pools.speakers.len())].clone());
            }
            let sentences: Vec<&str> = (0..rng.range(2, 5))
                .map(|_| pools.sentences[rng.below(pools.sentences.len())].as_str())
                .collect();
            talk.r#abstract = Some(sentences.concat());
            talk.url = Some(format!(
                "{}/talks/{j}",
                event.url.as_deref().unwrap_or_default()
            ));
            talk.date = event.starts_on;
            let text = to_ron(&talk).map_err(std::io::Error::other)?;
            stats.file_bytes += text.len() as u64;
            stats.text_bytes += indexed_text(&talk, Some(&event)).len() as u64;
            fs::write(dir.join(format!("{}.ron", talk.id)), text)?;
            stats.talks += 1;
        }
    }
    Ok(stats)
}
