//! One spelling of a concept in one section, matched with its flags.
//!
//! A plain query word matches when its dictionary words (`ja`) or its bigram run (`gram`)
//! occur ([`super::section`]). A concept's spelling needs more than that, and this scorer
//! adds it on the same postings:
//!
//! - **alternatives**: the `gram` side may be several phrases, any of which counts (the
//!   inflections of an English word, `network`, `networks`, `networking`, and its words
//!   joined, `servicemesh`), instead of the stemmed dictionary word, which joins `operations`
//!   with `operator` and `observability` with `observe`;
//! - **gate**: the dictionary words only add to the score of a match the `gram` side made
//!   (for English spellings, whose stem is looser than the word; for spellings with `not_in`);
//! - **not_in**: an occurrence inside one of the given longer words is not one (ログ in
//!   ブログ): each such word's run is read too, and an occurrence of the spelling counts only
//!   where no occurrence of the longer word covers it (compared by position, so a talk that
//!   writes both ブログ and ログ still matches);
//! - **scale**: every side's BM25 weight is multiplied by the ratio of a reference idf (the
//!   spelling as typed, in the same field) to its own, so all spellings of a concept weigh
//!   as the typed one does and only their source's weight orders them; otherwise a rare
//!   katakana spelling's long bigram run would outrank the word the user typed; and where a
//!   spelling scores on a side the typed one lacks (a whole word such as `k8s` has no bigram
//!   run), its sides together are scaled to what the typed spelling's sides earn.

use std::cell::RefCell;
use std::collections::HashMap;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::Field;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, Term};

use super::pruned::{Leaf, phrases_bound};
use super::section::{Phrase, Run, TwoPhase, TwoPhaseWeight, boxed_scorer, explain_match, run};
use super::{JA_BOOST, positioned};
use crate::concepts::{Expansion, Term as Spelled, is_latin, matcher};
use crate::search::analysis::{self, Gram, Morphology, Normal, Tokens};
use crate::search::concepts::{CONTENT_SECTIONS, cased_words};
use crate::search::schema::{Fields, Section};

/// Which side must match for a document to match.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Gate {
    /// Either side (a plain CJK spelling: its words, or its run inside a compound).
    Either,
    /// The bigram view; the dictionary words only add to the score (an English spelling
    /// as typed, which may sit in a camelCase identifier; a spelling with `not_in`).
    Gram,
    /// Both, in the same talk: exact form and whole word (an English spelling that is not
    /// the typed one: `telemetry` is not found inside OpenTelemetry).
    Both,
}

/// A spelling in one section.
#[derive(Clone, Debug)]
pub(crate) struct SpellingQuery {
    /// Dictionary-word phrases, any of which counts (possibly none).
    pub ja: Vec<Phrase>,
    pub ja_boost: Score,
    /// Bigram-view phrases, any of which counts (possibly none).
    pub grams: Vec<Phrase>,
    pub gram_boost: Score,
    pub gate: Gate,
    /// A `ja` match implies one of `grams[0]` (a spelling that is one CJK run, no `not_in`).
    pub implied: bool,
    /// Longer words whose occurrences do not count as the spelling's: each word's bigram
    /// phrase and the offsets at which the spelling sits inside it.
    pub not_in: Vec<(Phrase, Vec<u32>)>,
    /// The reference idf's terms, per side: (`ja`, `gram`) of the spelling as typed.
    pub reference: Option<(Vec<Term>, Vec<Term>)>,
    /// The bigram side scored as if every talk's section were of average length: a spelling
    /// other than the typed one (see [`expansion_leaves`]).
    pub average_length: bool,
}

/// BM25's idf, as tantivy computes it.
fn idf(doc_freq: u64, docs: u64) -> Score {
    let x = (docs.saturating_sub(doc_freq) as Score + 0.5) / (doc_freq as Score + 0.5);
    (1.0 + x).ln()
}

/// The idf of a phrase: the sum of its terms' (as [`Bm25Weight::for_terms`] counts it).
fn phrase_idf(stats: &dyn Bm25StatisticsProvider, terms: &[Term]) -> tantivy::Result<Score> {
    let docs = stats.total_num_docs()?;
    let mut sum = 0.0;
    for term in terms {
        sum += idf(stats.doc_freq(term)?, docs);
    }
    Ok(sum)
}

/// The idf of the typed spelling's phrase on one side; `None` where it has no such side.
fn side_idf(stats: &dyn Bm25StatisticsProvider, terms: &[Term]) -> tantivy::Result<Option<Score>> {
    if terms.is_empty() {
        return Ok(None);
    }
    phrase_idf(stats, terms).map(Some)
}

fn terms(phrase: &Phrase) -> Vec<Term> {
    phrase.iter().map(|(_, t)| t.clone()).collect()
}

/// A phrase, its BM25 weight (`None` without scoring), and the field length id it is scored
/// at in every talk, when not the talk's own (`average_length`).
type Weighed = (Phrase, Option<Bm25Weight>, Option<u8>);

impl SpellingQuery {
    /// The phrase with its BM25 weight, boosted and scaled to the reference idf (the typed
    /// spelling's, on the same side), and what one occurrence of it earns; `None` when a
    /// term of it is nowhere in the index, so it cannot match (with many spellings, most
    /// do not occur: their postings are then never read).
    fn weigh(
        &self,
        stats: Option<&dyn Bm25StatisticsProvider>,
        phrase: &Phrase,
        boost: Score,
        reference_idf: Option<Score>,
        at_average: bool,
    ) -> tantivy::Result<Option<(Weighed, Score)>> {
        let Some(stats) = stats else {
            return Ok(Some(((phrase.clone(), None, None), 0.0)));
        };
        let terms = terms(phrase);
        for term in &terms {
            if stats.doc_freq(term)? == 0 {
                return Ok(None);
            }
        }
        let mut scale = 1.0;
        let own = phrase_idf(stats, &terms)?;
        if let Some(reference) = reference_idf
            && own > 0.0
        {
            // Never up: a katakana spelling's bigram run sums the idf of every bigram, and an
            // English word raised to it outranked the typed word itself (a tag `identity`
            // above アイデンティティ in a title).
            scale = (reference / own).min(1.0);
        }
        let weight = Bm25Weight::for_terms(stats, &terms)?.boost_by(boost * scale);
        let norm = match terms.first().filter(|_| at_average) {
            Some(term) => {
                let docs = stats.total_num_docs()?.max(1);
                let average = stats.total_num_tokens(term.field())? as f64 / docs as f64;
                Some(FieldNormReader::fieldnorm_to_id(average.round() as u32))
            }
            None => None,
        };
        Ok(Some((
            (phrase.clone(), Some(weight), norm),
            own * boost * scale,
        )))
    }

    /// The weight as its own type, which the pruned search also asks for its bound.
    pub(crate) fn spelling_weight(
        &self,
        enable_scoring: EnableScoring<'_>,
    ) -> tantivy::Result<SpellingWeight> {
        let stats = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                ..
            } => Some(statistics_provider),
            EnableScoring::Disabled { .. } => None,
        };
        // The typed spelling's idf on each side, read once for all the phrases.
        let (ref_ja, ref_gram) = match (stats, &self.reference) {
            (Some(stats), Some((ja, gram))) => (side_idf(stats, ja)?, side_idf(stats, gram)?),
            _ => (None, None),
        };
        // The most one occurrence earns on each side (its best alternative).
        let (mut ja_most, mut gram_most): (Score, Score) = (0.0, 0.0);
        let mut ja = Vec::with_capacity(self.ja.len());
        for phrase in &self.ja {
            if let Some((weighed, most)) =
                self.weigh(stats, phrase, self.ja_boost, ref_ja, false)?
            {
                ja_most = ja_most.max(most);
                ja.push(weighed);
            }
        }
        let mut grams = Vec::with_capacity(self.grams.len());
        for phrase in &self.grams {
            let at_average = self.average_length;
            if let Some((weighed, most)) =
                self.weigh(stats, phrase, self.gram_boost, ref_gram, at_average)?
            {
                gram_most = gram_most.max(most);
                grams.push(weighed);
            }
        }
        // Each side is scaled to the typed spelling's, but a spelling may score on a side
        // the typed one has none of (`k8s` is a whole word, no bigram run; `Kubernetes` has
        // both): its two sides together then earn no more than the typed one's do, at this
        // spelling's source weight, so the typed spelling still ranks first.
        let typed =
            self.ja_boost * ref_ja.unwrap_or(0.0) + self.gram_boost * ref_gram.unwrap_or(0.0);
        let own = ja_most + gram_most;
        if typed > 0.0 && own > typed {
            let factor = typed / own;
            for (_, w, _) in ja.iter_mut().chain(grams.iter_mut()) {
                *w = w.take().map(|w| w.boost_by(factor));
            }
        }
        Ok(SpellingWeight {
            // Only a single phrase of words stands for a CJK run's bigrams.
            implied: self.implied && grams.len() == self.grams.len() && ja.len() == 1,
            ja,
            grams,
            gate: self.gate,
            not_in: self.not_in.clone(),
        })
    }
}

impl Query for SpellingQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.spelling_weight(enable_scoring)?))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in self.ja.iter().chain(&self.grams).flatten() {
            visitor(term, true);
        }
    }
}

/// Statistics for scoring, each asked of the index once per search: a concept's spellings
/// in every section ask for the same fields' sizes and often the same terms.
pub(crate) struct CachedStats<'a> {
    searcher: &'a tantivy::Searcher,
    doc_freq: RefCell<HashMap<Term, u64>>,
    tokens: RefCell<HashMap<Field, u64>>,
}

impl<'a> CachedStats<'a> {
    pub(crate) fn new(searcher: &'a tantivy::Searcher) -> CachedStats<'a> {
        CachedStats {
            searcher,
            doc_freq: RefCell::default(),
            tokens: RefCell::default(),
        }
    }
}

impl Bm25StatisticsProvider for CachedStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if let Some(n) = self.tokens.borrow().get(&field) {
            return Ok(*n);
        }
        let n = Bm25StatisticsProvider::total_num_tokens(self.searcher, field)?;
        self.tokens.borrow_mut().insert(field, n);
        Ok(n)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if let Some(n) = self.doc_freq.borrow().get(term) {
            return Ok(*n);
        }
        let n = Bm25StatisticsProvider::doc_freq(self.searcher, term)?;
        self.doc_freq.borrow_mut().insert(term.clone(), n);
        Ok(n)
    }
}

pub(crate) struct SpellingWeight {
    ja: Vec<Weighed>,
    grams: Vec<Weighed>,
    gate: Gate,
    implied: bool,
    not_in: Vec<(Phrase, Vec<u32>)>,
}

impl SpellingWeight {
    /// The most it can score in any talk: every phrase matching at once, each at its bound
    /// (see [`super::pruned`]).
    pub(crate) fn bound(&self, stats: &dyn Bm25StatisticsProvider) -> tantivy::Result<Score> {
        let phrases = || self.ja.iter().chain(&self.grams);
        // At a fixed length the score only grows with the count: its limit is exact.
        let fixed: Score = phrases()
            .filter_map(|(_, w, norm)| Some(w.as_ref()?.score((*norm)?, u32::MAX)))
            .sum();
        let own = phrases().filter(|(_, _, norm)| norm.is_none());
        Ok(fixed + phrases_bound(stats, own.map(|(p, w, _)| (p.as_slice(), w.as_ref())))?)
    }
}

impl TwoPhaseWeight for SpellingWeight {
    type Scorer = SpellingScorer;

    fn unpositioned(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<SpellingScorer>> {
        let positions = !self.not_in.is_empty();
        let boosted = |w: &Option<Bm25Weight>| w.as_ref().map(|w| w.boost_by(boost));
        let mut ja = Vec::with_capacity(self.ja.len());
        for (phrase, w, norm) in &self.ja {
            ja.push(run(reader, phrase, boosted(w), false)?.map(|r| r.at_length(*norm)));
        }
        let mut grams = Vec::with_capacity(self.grams.len());
        for (phrase, w, norm) in &self.grams {
            grams.push(run(reader, phrase, boosted(w), positions)?.map(|r| r.at_length(*norm)));
        }
        let some = |runs: &[Option<Run>]| runs.iter().any(Option::is_some);
        let can_match = match self.gate {
            Gate::Either => some(&ja) || some(&grams),
            Gate::Gram => some(&grams),
            Gate::Both => some(&ja) && some(&grams),
        };
        if !can_match {
            return Ok(None);
        }
        let mut not_in = Vec::with_capacity(self.not_in.len());
        for (phrase, offsets) in &self.not_in {
            if let Some(r) = run(reader, phrase, None, true)? {
                not_in.push((r, offsets.clone()));
            }
        }
        Ok(Some(SpellingScorer {
            ja,
            grams,
            gate: self.gate,
            implied: self.implied,
            not_in,
            covered: Vec::new(),
            doc: 0,
            score: 0.0,
        }))
    }
}

impl Weight for SpellingWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        boxed_scorer(self, reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_match(self, reader, doc, "a spelling of a concept")
    }
}

pub(crate) struct SpellingScorer {
    ja: Vec<Option<Run>>,
    grams: Vec<Option<Run>>,
    gate: Gate,
    implied: bool,
    not_in: Vec<(Run, Vec<u32>)>,
    /// Starts of the longer words' occurrences shifted onto the spelling's (scratch).
    covered: Vec<u32>,
    doc: DocId,
    score: Score,
}

impl SpellingScorer {
    /// How often the spelling occurs outside the `not_in` words in the current document,
    /// given its run positioned there.
    fn uncovered(&mut self, alternative: usize, doc: DocId) -> u32 {
        self.covered.clear();
        for (r, offsets) in &mut self.not_in {
            if r.at_least(doc) != doc {
                continue;
            }
            for &start in r.starts() {
                self.covered.extend(offsets.iter().map(|k| start + k));
            }
        }
        let Some(run) = self.grams[alternative].as_mut() else {
            return 0;
        };
        if self.covered.is_empty() {
            return run.count();
        }
        self.covered.sort_unstable();
        let covered = &self.covered;
        run.starts()
            .iter()
            .filter(|p| covered.binary_search(p).is_err())
            .count() as u32
    }
}

impl TwoPhase for SpellingScorer {
    /// Moves to the first document at or after `target` where the gate's sides hold every
    /// term of a phrase (a candidate: the terms may not be in a row).
    fn candidate(&mut self, mut target: DocId) -> DocId {
        let first = |runs: &mut [Option<Run>], target: DocId| {
            runs.iter_mut()
                .flatten()
                .map(|r| r.at_least(target))
                .min()
                .unwrap_or(TERMINATED)
        };
        self.score = 0.0;
        self.doc = loop {
            let gram_doc = first(&mut self.grams, target);
            let ja_doc = first(&mut self.ja, target);
            break match self.gate {
                Gate::Either => gram_doc.min(ja_doc),
                Gate::Gram => gram_doc,
                Gate::Both if gram_doc != ja_doc && gram_doc.max(ja_doc) != TERMINATED => {
                    // Leapfrog to where both sides may be.
                    target = gram_doc.max(ja_doc);
                    continue;
                }
                Gate::Both if gram_doc != ja_doc => TERMINATED,
                Gate::Both => gram_doc,
            };
        };
        if self.gate == Gate::Gram && self.doc != TERMINATED {
            // The dictionary side adds to the bigram side's talk: bring it there (it was
            // left at the first talk after `target`, and a talk holding both lost its part).
            for run in self.ja.iter_mut().flatten() {
                run.at_least(self.doc);
            }
        }
        self.doc
    }

    /// Whether the candidate matches, scoring it if so.
    fn verify(&mut self) -> bool {
        let doc = self.doc;
        let mut ja_count = 0;
        let mut ja_score = 0.0;
        for r in self.ja.iter_mut().flatten().filter(|r| r.doc() == doc) {
            let count = r.count();
            if count > 0 {
                ja_count += count;
                ja_score += r.score(count);
            }
        }
        let mut gram_count = 0;
        let mut score = 0.0;
        for i in 0..self.grams.len() {
            let on_doc = self.grams[i].as_ref().is_some_and(|r| r.doc() == doc);
            let count = if !on_doc {
                0
            } else if self.implied && i == 0 && ja_count > 0 {
                ja_count
            } else if self.not_in.is_empty() {
                self.grams[i].as_mut().map_or(0, Run::count)
            } else {
                self.uncovered(i, doc)
            };
            if count > 0 {
                gram_count += count;
                score += self.grams[i].as_ref().map_or(0.0, |r| r.score(count));
            }
        }
        let matched = match self.gate {
            Gate::Either => ja_count > 0 || gram_count > 0,
            Gate::Gram => gram_count > 0,
            Gate::Both => ja_count > 0 && gram_count > 0,
        };
        self.score = if matched { score + ja_score } else { 0.0 };
        matched
    }

    fn bound(&self) -> Score {
        let doc = self.doc;
        let ja = || self.ja.iter().flatten().filter(|r| r.doc() == doc);
        let ja_most: u32 = ja().map(Run::most).sum();
        let mut bound: Score = ja().map(Run::bound).sum();
        for (i, run) in self.grams.iter().enumerate() {
            let Some(run) = run.as_ref().filter(|r| r.doc() == doc) else {
                continue;
            };
            // Implied, the first bigram phrase counts what the dictionary side does; outside
            // `not_in` words it counts no more than the phrase occurs.
            let most = if self.implied && i == 0 {
                run.most().max(ja_most)
            } else {
                run.most()
            };
            bound += run.score(most);
        }
        bound
    }

    fn segment_bound(&self, reader: &SegmentReader) -> tantivy::Result<Score> {
        let ja: Vec<&Run> = self.ja.iter().flatten().collect();
        let mut bound: Score = 0.0;
        for run in &ja {
            bound += run.segment_bound(reader, None)?;
        }
        for (i, run) in self.grams.iter().enumerate() {
            let Some(run) = run else { continue };
            let mut most = run.segment_bound(reader, None)?;
            if self.implied && i == 0 {
                // Counted as the dictionary side's occurrences, summed over its phrases:
                // with one phrase, no more than its rarest term; with more, unbounded here.
                most = match ja.as_slice() {
                    [] => most,
                    [only] => most.max(run.segment_bound(reader, Some(only))?),
                    _ => Score::INFINITY,
                };
            }
            bound += most;
        }
        Ok(bound)
    }
}

impl DocSet for SpellingScorer {
    fn advance(&mut self) -> DocId {
        self.next_match()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.seek_match(target)
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        let sum = |runs: &[Option<Run>]| runs.iter().flatten().map(Run::candidates).sum::<u32>();
        match self.gate {
            Gate::Either => sum(&self.grams).max(sum(&self.ja)),
            Gate::Gram => sum(&self.grams),
            Gate::Both => sum(&self.grams).min(sum(&self.ja)),
        }
    }

    /// As [`super::section`] counts it: a term costs its documents, a phrase ten times its
    /// terms for each candidate.
    fn cost(&self) -> u64 {
        let cost = |r: &Run| match r.terms() {
            1 => r.candidates() as u64,
            n => r.candidates() as u64 * 10 * n as u64,
        };
        self.grams.iter().chain(&self.ja).flatten().map(cost).sum()
    }
}

impl Scorer for SpellingScorer {
    fn score(&mut self) -> Score {
        self.score
    }
}

/// How a spelling is looked up in the two views of the index.
#[derive(Debug, Clone)]
pub(crate) struct Forms {
    /// Dictionary-word phrases (pairs as the index holds them), any of which counts.
    ja: Vec<Vec<Gram>>,
    /// Bigram-view phrases, any of which counts (none for a whole-word spelling).
    grams: Vec<Vec<Gram>>,
    /// The spelling's own phrases in the two views: the reference when it is typed.
    base_ja: Vec<Gram>,
    base: Vec<Gram>,
    gate: Gate,
    implied: bool,
    not_in: Vec<(Vec<Gram>, Vec<u32>)>,
    /// Words that must occur with these capitals (`case`).
    cased: Vec<String>,
}

impl Forms {
    /// `typed`: the spelling the user typed, which may match inside a camelCase identifier
    /// as any typed word does; the others match English as whole words.
    pub(crate) fn of(term: &Spelled, morphology: &Morphology, typed: bool) -> Forms {
        let normal = Normal::new(&term.text);
        let ja = analysis::paired(&morphology.tokens(&normal));
        let base = analysis::query_grams(normal.as_str(), false);
        let normal = normal.as_str();
        let flags = &term.flags;
        let mut forms = Forms {
            ja: vec![ja.clone()],
            grams: Vec::new(),
            base_ja: ja,
            base: base.clone(),
            gate: Gate::Either,
            implied: false,
            not_in: Vec::new(),
            cased: Vec::new(),
        };
        if flags.case {
            forms.cased = cased_words(normal).map(str::to_owned).collect();
        }
        // A short katakana spelling other than the typed one (ノード is ノド, コード is
        // コド once the prolonged sound mark is dropped) is too likely a piece of a longer
        // word (ダウンロード): it matches as a dictionary word only, like a whole word.
        // Unless it names the longer words it is not in: the dictionary cuts some of those
        // (ロールバック as ロール|バック), so it needs the bigram run checked against them,
        // as the typed spelling is.
        let short_katakana = !typed
            && flags.not_in.is_empty()
            && normal.chars().count() <= 2
            && normal.chars().all(|c| matches!(c, '\u{30a1}'..='\u{30fa}'));
        if flags.whole_word() || short_katakana {
            // Whole dictionary words only: the bigram view also holds camelCase humps
            // (`cd` in ArgoCD) and runs inside longer words.
            return forms;
        }
        if is_latin(&term.text) {
            // Exact words and their inflections: the stem alone would join operations with
            // operator. As typed, the stem only adds to the score; otherwise it also says
            // the words are whole (not a camelCase hump: telemetry is not in OpenTelemetry).
            forms.grams = inflected(&base);
            forms.gate = Gate::Gram;
            if !typed {
                forms.gate = Gate::Both;
                if base.len() > 1 {
                    let joined: String = base.iter().map(|g| g.text.as_str()).collect();
                    forms.ja.push(morphology.tokens(&Normal::new(&joined)));
                }
            }
        } else {
            forms.implied = flags.not_in.is_empty() && normal.chars().all(analysis::is_cjk);
            forms.grams = vec![base.clone()];
        }
        for word in &flags.not_in {
            let normal = Normal::new(word);
            let mut indexed = Tokens::default();
            let cuts = morphology.analyse(&normal).cuts;
            analysis::index_grams_into(normal.as_str(), &cuts, &mut indexed);
            let offsets = offsets_in(&base, &indexed.to_grams());
            if !offsets.is_empty() {
                let phrase = analysis::query_grams(normal.as_str(), false);
                forms.not_in.push((phrase, offsets));
                if forms.gate == Gate::Either {
                    forms.gate = Gate::Gram;
                }
            }
        }
        forms
    }
}

/// The phrases an English spelling matches: its last word in each regular form (see
/// [`crate::concepts::matcher::inflections`]), and its words joined into one (`ServiceMesh`).
fn inflected(base: &[Gram]) -> Vec<Vec<Gram>> {
    let Some((last, head)) = base.split_last() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let alphabetic = last.text.chars().all(|c| c.is_ascii_alphabetic());
    let (stem, suffixes) = if alphabetic {
        matcher::inflections(&last.text)
    } else {
        (last.text.clone(), vec![String::new()])
    };
    for suffix in suffixes {
        let mut phrase = head.to_vec();
        phrase.push(Gram {
            text: format!("{stem}{suffix}"),
            position: last.position,
        });
        out.push(phrase);
    }
    if !head.is_empty() {
        let joined: String = base.iter().map(|g| g.text.as_str()).collect();
        for suffix in ["", "s"] {
            out.push(vec![Gram {
                text: format!("{joined}{suffix}"),
                position: 0,
            }]);
        }
    }
    out
}

/// Where the query phrase `inner` sits inside the index tokens of a longer word: each offset
/// `k` at which every token of `inner` occurs `k` positions further on.
fn offsets_in(inner: &[Gram], word: &[Gram]) -> Vec<u32> {
    let Some(first) = inner.first() else {
        return Vec::new();
    };
    let mut out: Vec<u32> = word
        .iter()
        .filter(|w| w.text == first.text && w.position >= first.position)
        .map(|w| w.position - first.position)
        .filter(|&k| {
            inner.iter().all(|g| {
                word.iter()
                    .any(|w| w.text == g.text && w.position == g.position + k)
            })
        })
        .map(|k| k as u32)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The leaves of a word that names a concept: the spelling as typed, in `sections`, and
/// each other spelling in those of them that say what talks are about, weighed by its
/// source; every spelling scored with the typed one's idf, so that of two talks alike but for
/// the spelling, the one with the typed spelling ranks first. The other spellings' bigram
/// side is scored as if every section were of average length: a Japanese title is several
/// times longer than its English twin in the bigram view (a bigram per character pair), and
/// BM25's length norm alone lifted `Authentication for microservices` above
/// `マイクロサービス間の認証` for `認証`. (Both sides at one length made talks alike tie, and
/// ties defeat the pruning: every tied talk was checked.)
/// `prefix`: the typed word is still being typed (the TUI), so it also matches as a prefix.
pub(crate) fn expansion_leaves(
    fields: &Fields,
    morphology: &Morphology,
    expansion: &Expansion,
    prefix: bool,
    sections: &[Section],
) -> Vec<Leaf> {
    let Some(typed) = expansion.spellings.iter().find(|s| s.typed) else {
        return Vec::new();
    };
    // Other spellings only where talks say what they are about.
    let content: Vec<Section> = sections
        .iter()
        .copied()
        .filter(|s| CONTENT_SECTIONS.contains(s))
        .collect();
    let reference = Forms::of(&typed.spelling.term, morphology, true);
    let mut leaves = Vec::new();
    if prefix {
        leaves.extend(super::text_leaves(
            fields,
            morphology,
            &expansion.word,
            true,
            sections,
        ));
    }
    for spelling in &expansion.spellings {
        let (weight, sections): (Score, &[Section]) = if spelling.typed {
            (1.0, sections)
        } else {
            (spelling.spelling.source.weight(), &content)
        };
        let forms = Forms::of(&spelling.spelling.term, morphology, spelling.typed);
        let average_length = !spelling.typed;
        spelling_leaves(
            fields,
            &forms,
            &reference,
            weight,
            average_length,
            sections,
            &mut leaves,
        );
    }
    leaves
}

/// One spelling in each of `sections`, with its case checked when it has one.
fn spelling_leaves(
    fields: &Fields,
    forms: &Forms,
    reference: &Forms,
    weight: Score,
    average_length: bool,
    sections: &[Section],
    leaves: &mut Vec<Leaf>,
) {
    if forms.base_ja.is_empty() && forms.grams.is_empty() {
        return;
    }
    let terms = |field, tokens: &[Gram]| -> Vec<Term> {
        positioned(field, tokens)
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    };
    let cased: Vec<Term> = forms
        .cased
        .iter()
        .map(|word| Term::from_field_text(fields.cased, word))
        .collect();
    for &section in sections {
        let f = fields.section(section);
        let query = SpellingQuery {
            ja: forms.ja.iter().map(|w| positioned(f.ja, w)).collect(),
            ja_boost: section.weight().boost() * JA_BOOST * weight,
            grams: forms.grams.iter().map(|g| positioned(f.gram, g)).collect(),
            gram_boost: section.weight().boost() * weight,
            gate: forms.gate,
            implied: forms.implied,
            not_in: forms
                .not_in
                .iter()
                .map(|(word, offsets)| (positioned(f.gram, word), offsets.clone()))
                .collect(),
            // The sides the typed spelling scores on: a whole word has no bigram run.
            reference: Some((
                terms(f.ja, &reference.base_ja),
                if reference.grams.is_empty() {
                    Vec::new()
                } else {
                    terms(f.gram, &reference.base)
                },
            )),
            average_length,
        };
        leaves.push(Leaf::Spelling {
            query,
            cased: cased.clone(),
        });
    }
}
