//! The top hits of one word's many scorers, without scoring every talk that matches it.
//!
//! A word is a union of scorers: one per section and view, and for a concept, one per
//! spelling and section (`observability` is some thirty). tantivy skips talks that cannot
//! reach the top hits only for a union of plain term scorers that nothing else is required
//! beside (block-WAND); ours are phrase and spelling scorers beside the required "is a talk"
//! filter, so every talk matching any of them was visited and scored by all of them, which
//! made a concept word several times slower than the same word taken literally.
//!
//! [`Pruned`] runs WAND (Broder et al., 2003) instead, which needs of each scorer only an
//! upper bound of its score ([`phrase_bound`]). Once the k-th best score so far is above what
//! the scorers on a talk could add up to, the talk is skipped without being scored, and the
//! scorers behind jump ahead to where enough of them could meet. Phrase scorers are two-phase
//! ([`LeafScorer`]): they move over talks holding all their terms and read positions only
//! for a talk that is scored; before that, each gives a bound for the talk from its terms'
//! frequencies there and the field's length ([`TwoPhase::bound`]), so a talk whose leaves
//! cannot beat the k-th best even so has no positions read, and the others are checked leaf
//! by leaf, most promising first, until the rest could not lift the talk above it (on real
//! talk text at 100k, `セキュリティ` went from 6.3 to 3.9 ms, p50). [`TopHits`] shares the
//! k-th best score between segments. The hits and their scores are those of the plain
//! boolean query it stands for, up to rounding (tested below against it), which still serves
//! counting and explaining.
//!
//! A bound that holds for the whole index lets a term occur without end in a field of length
//! zero. In each segment, a leaf's bound is lowered to the best its terms really score there
//! ([`super::maxima`]): with whole-index bounds, any two sections of a talk holding a common
//! concept summed above the k-th best, and at 100k talks some 60,000 talks a query were taken
//! up and turned down one by one. A talk taken up needs the leaves behind it brought there,
//! a seek of every term of every phrase; they are brought one by one, those most likely to
//! lower the talk's bound first, and the rest are left behind once the talk cannot make the
//! top hits. (tantivy's own block-WAND also stores each block's best pair of length and
//! frequency; in the generated benchmark corpus a block's best is 0.7–0.9 of BM25's limit,
//! and reading them was tried and left: docs/benchmarks.md.)

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Mutex;

use tantivy::query::{
    Bm25StatisticsProvider, Bm25Weight, BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring,
    Explanation, Occur, Query, Scorer, TermQuery, Weight,
};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, TERMINATED, Term};

use super::maxima;
use super::section::{SectionQuery, SectionWeight, TwoPhase, TwoPhaseWeight};
use super::spelling::{SpellingQuery, SpellingWeight};

/// One scorer of a word's union, as a query whose score has a known upper bound.
#[derive(Debug)]
pub(crate) enum Leaf {
    /// A single term, boosted (tantivy's own term scorer).
    Term { term: Term, boost: Score },
    /// A word in one section (dictionary words or bigram run).
    Section(SectionQuery),
    /// A concept's spelling in one section, counted only in talks that write each of
    /// `cased` with its capitals.
    Spelling {
        query: SpellingQuery,
        cased: Vec<Term>,
    },
    /// A query that scores a constant when it matches (a word found only in the context).
    Fixed { query: Box<dyn Query>, score: Score },
    /// A query with no known bound (a prefix still being typed): it is never skipped.
    Unbounded(Box<dyn Query>),
}

impl Clone for Leaf {
    fn clone(&self) -> Leaf {
        match self {
            Leaf::Term { term, boost } => Leaf::Term {
                term: term.clone(),
                boost: *boost,
            },
            Leaf::Section(q) => Leaf::Section(q.clone()),
            Leaf::Spelling { query, cased } => Leaf::Spelling {
                query: query.clone(),
                cased: cased.clone(),
            },
            Leaf::Fixed { query, score } => Leaf::Fixed {
                query: query.box_clone(),
                score: *score,
            },
            Leaf::Unbounded(q) => Leaf::Unbounded(q.box_clone()),
        }
    }
}

impl Leaf {
    /// The leaf as a tantivy query.
    fn query(&self) -> Box<dyn Query> {
        match self {
            Leaf::Term { term, boost } => {
                let term = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                Box::new(BoostQuery::new(Box::new(term), *boost))
            }
            Leaf::Section(q) => Box::new(q.clone()),
            Leaf::Spelling { query, cased } if cased.is_empty() => Box::new(query.clone()),
            Leaf::Spelling { query, cased } => {
                // Capitals are checked per talk: the words must be written so somewhere in it.
                let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                    vec![(Occur::Must, Box::new(query.clone()))];
                for word in cased {
                    let term = TermQuery::new(word.clone(), IndexRecordOption::Basic);
                    let filter = ConstScoreQuery::new(Box::new(term), 0.0);
                    clauses.push((Occur::Must, Box::new(filter)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Leaf::Fixed { query, score } => {
                Box::new(ConstScoreQuery::new(query.box_clone(), *score))
            }
            Leaf::Unbounded(q) => q.box_clone(),
        }
    }

    /// The leaf's weight, with its own scorer where it has one that can skip checking a
    /// candidate (see [`LeafScorer`]), and the most it can score in any talk, from the same
    /// BM25 weights.
    fn weighed(
        &self,
        enable_scoring: EnableScoring<'_>,
        stats: &dyn Bm25StatisticsProvider,
    ) -> tantivy::Result<(LeafWeight, Score)> {
        let exact = || -> tantivy::Result<LeafWeight> {
            Ok(LeafWeight::Exact(self.query().weight(enable_scoring)?))
        };
        Ok(match self {
            Leaf::Section(q) => {
                let weight = q.section_weight(enable_scoring)?;
                let bound = weight.bound(stats)?;
                (LeafWeight::Section(weight), bound)
            }
            Leaf::Spelling { query, cased } if cased.is_empty() => {
                let weight = query.spelling_weight(enable_scoring)?;
                let bound = weight.bound(stats)?;
                (LeafWeight::Spelling(weight), bound)
            }
            // Rare (a spelling with capitals): its own weights once more, for the bound.
            Leaf::Spelling { query, .. } => {
                let bound = query.spelling_weight(enable_scoring)?.bound(stats)?;
                (exact()?, bound)
            }
            Leaf::Term { term, boost } => {
                let bm25 =
                    Bm25Weight::for_terms(stats, std::slice::from_ref(term))?.boost_by(*boost);
                let bound = phrase_bound(stats, &bm25, &[(0, term.clone())])?;
                (
                    LeafWeight::Term {
                        weight: self.query().weight(enable_scoring)?,
                        term: term.clone(),
                        bm25,
                    },
                    bound,
                )
            }
            Leaf::Fixed { score, .. } => (exact()?, *score),
            Leaf::Unbounded(_) => (exact()?, Score::INFINITY),
        })
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        match self {
            Leaf::Term { term, .. } => visitor(term, false),
            Leaf::Section(q) => q.query_terms(visitor),
            Leaf::Spelling { query, cased } => {
                query.query_terms(visitor);
                for term in cased {
                    visitor(term, false);
                }
            }
            Leaf::Fixed { query, .. } => query.query_terms(visitor),
            Leaf::Unbounded(q) => q.query_terms(visitor),
        }
    }
}

/// BM25's parameters, as tantivy's.
const K1: Score = 1.2;
const B: Score = 0.75;

/// The most a phrase (a single term is one too) scored with `weight` can score in any talk.
///
/// BM25's limit as the term frequency grows (in the shortest field) is the weight itself,
/// about twice what a phrase that occurs once earns, which is too loose to skip much. But a
/// phrase with `n` terms it holds once, occurring `tf` times, takes at least `n × tf` tokens
/// of the field, so the field's length grows with `tf`, and the limit is
/// `1 / (1 + k1 · b · n / avgdl)` of the weight. tantivy stores lengths rounded down, by at
/// most 11% beyond 40 tokens; `n` is taken as 85% of itself for that.
fn phrase_bound(
    stats: &dyn Bm25StatisticsProvider,
    weight: &Bm25Weight,
    phrase: &[(usize, Term)],
) -> tantivy::Result<Score> {
    let Some((_, first)) = phrase.first() else {
        return Ok(0.0);
    };
    let docs = stats.total_num_docs()?.max(1) as Score;
    let average = stats.total_num_tokens(first.field())? as Score / docs;
    // A term the phrase holds once is a token of its own in each occurrence; a repeated
    // one (the word-boundary mark at both ends) may be shared by two occurrences.
    let once = phrase
        .iter()
        .filter(|(_, t)| phrase.iter().filter(|(_, u)| u == t).count() == 1)
        .count()
        .max(1);
    let n = once as Score * 0.85;
    let limit = if average > 0.0 {
        1.0 / (1.0 + K1 * B * n / average)
    } else {
        1.0
    };
    // The weight itself: the score as the term frequency grows in the shortest field.
    // (`Bm25Weight::max_score` is taken at the longest field length, which is lower: in a
    // section most talks leave empty it is a fraction of what a one-word tag scores.)
    Ok(weight.score(0, u32::MAX) * limit)
}

/// The most a leaf of several phrases, all of which may match at once, can score: the sum
/// of [`phrase_bound`]s (a phrase without a weight scores nothing).
pub(crate) fn phrases_bound<'a>(
    stats: &dyn Bm25StatisticsProvider,
    phrases: impl IntoIterator<Item = (&'a [(usize, Term)], Option<&'a Bm25Weight>)>,
) -> tantivy::Result<Score> {
    let mut sum = 0.0;
    for (phrase, weight) in phrases {
        if let Some(weight) = weight {
            sum += phrase_bound(stats, weight, phrase)?;
        }
    }
    Ok(sum)
}

/// The sum of the scores of the leaves that match, any of which will do.
pub(crate) fn union(leaves: &[Leaf]) -> BooleanQuery {
    BooleanQuery::new(leaves.iter().map(|l| (Occur::Should, l.query())).collect())
}

/// A union of leaves, in talks that match every `required` query (scored 0: filters) and
/// none of the `excluded` ones: the query of a single word with filters and exclusions.
#[derive(Debug)]
pub(crate) struct Pruned {
    pub required: Vec<Box<dyn Query>>,
    pub excluded: Vec<Box<dyn Query>>,
    pub leaves: Vec<Leaf>,
}

impl Clone for Pruned {
    fn clone(&self) -> Pruned {
        Pruned {
            required: self.required.iter().map(|q| q.box_clone()).collect(),
            excluded: self.excluded.iter().map(|q| q.box_clone()).collect(),
            leaves: self.leaves.clone(),
        }
    }
}

impl Pruned {
    /// The boolean query with the same hits and scores.
    fn plain(&self) -> BooleanQuery {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for q in &self.required {
            let filter = ConstScoreQuery::new(q.box_clone(), 0.0);
            clauses.push((Occur::Must, Box::new(filter)));
        }
        for q in &self.excluded {
            clauses.push((Occur::MustNot, q.box_clone()));
        }
        clauses.push((Occur::Must, Box::new(union(&self.leaves))));
        BooleanQuery::new(clauses)
    }
}

impl Query for Pruned {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let plain = self.plain().weight(enable_scoring)?;
        let EnableScoring::Enabled {
            searcher,
            statistics_provider,
        } = enable_scoring
        else {
            return Ok(Box::new(PrunedWeight { plain, parts: None }));
        };
        let mut leaves = Vec::with_capacity(self.leaves.len());
        for leaf in &self.leaves {
            let (weight, bound) = leaf.weighed(enable_scoring, statistics_provider)?;
            // A little above: scores summed in another order may round upwards.
            leaves.push((weight, bound * SLACK));
        }
        // Filters only say whether a talk may be a hit.
        let filter = EnableScoring::disabled_from_searcher(searcher);
        let weights = |queries: &[Box<dyn Query>]| -> tantivy::Result<Vec<Box<dyn Weight>>> {
            queries.iter().map(|q| q.weight(filter)).collect()
        };
        let parts = Parts {
            required: weights(&self.required)?,
            excluded: weights(&self.excluded)?,
            leaves,
        };
        Ok(Box::new(PrunedWeight {
            plain,
            parts: Some(parts),
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for q in self.required.iter().chain(&self.excluded) {
            q.query_terms(visitor);
        }
        for leaf in &self.leaves {
            leaf.query_terms(visitor);
        }
    }
}

/// The weights WAND walks, with their bounds.
struct Parts {
    required: Vec<Box<dyn Weight>>,
    excluded: Vec<Box<dyn Weight>>,
    leaves: Vec<(LeafWeight, Score)>,
}

enum LeafWeight {
    Exact(Box<dyn Weight>),
    /// A single term, scored by tantivy as `bm25` does (for its bound in a segment).
    Term {
        weight: Box<dyn Weight>,
        term: Term,
        bm25: Bm25Weight,
    },
    Section(SectionWeight),
    Spelling(SpellingWeight),
}

impl LeafWeight {
    /// The leaf's scorer on its first candidate; `None` when it matches nothing here.
    fn scorer(&self, reader: &SegmentReader) -> tantivy::Result<Option<LeafScorer>> {
        fn two_phase<W: TwoPhaseWeight>(
            w: &W,
            reader: &SegmentReader,
        ) -> tantivy::Result<Option<LeafScorer>> {
            let scorer = w.candidates(reader, 1.0)?;
            Ok(scorer.map(|s| LeafScorer::TwoPhase(Box::new(s))))
        }
        let scorer = match self {
            LeafWeight::Exact(w) | LeafWeight::Term { weight: w, .. } => {
                Some(LeafScorer::Exact(w.scorer(reader, 1.0)?))
            }
            LeafWeight::Section(w) => two_phase(w, reader)?,
            LeafWeight::Spelling(w) => two_phase(w, reader)?,
        };
        Ok(scorer.filter(|s| s.doc() != TERMINATED))
    }

    /// The most `scorer`, this weight's in `reader`'s segment, can score there, when known
    /// (two-phase leaves and terms).
    fn segment_bound(
        &self,
        scorer: &LeafScorer,
        reader: &SegmentReader,
    ) -> tantivy::Result<Option<Score>> {
        Ok(match (self, scorer) {
            (_, LeafScorer::TwoPhase(s)) => Some(s.segment_bound(reader)?),
            (LeafWeight::Term { term, bm25, .. }, _) => {
                Some(maxima::term_bound(reader, term, bm25)?)
            }
            _ => None,
        })
    }
}

/// A leaf's scorer: one whose every document matches, or a [`TwoPhase`] one, which moves
/// over candidates and reads positions to check one only when asked
/// ([`LeafScorer::matched`]). Skipping a talk, the usual fate of a candidate here, then
/// costs no positions.
enum LeafScorer {
    Exact(Box<dyn Scorer>),
    TwoPhase(Box<dyn TwoPhase>),
}

impl LeafScorer {
    fn doc(&self) -> DocId {
        match self {
            LeafScorer::Exact(s) => s.doc(),
            LeafScorer::TwoPhase(s) => s.doc(),
        }
    }

    /// How many talks it may match in the segment, at most.
    fn size_hint(&self) -> u32 {
        match self {
            LeafScorer::Exact(s) => s.size_hint(),
            LeafScorer::TwoPhase(s) => s.size_hint(),
        }
    }

    /// Moves to the first candidate at or after `target`, unless already there or past it.
    fn seek(&mut self, target: DocId) -> DocId {
        let doc = self.doc();
        if doc >= target {
            return doc;
        }
        match self {
            LeafScorer::Exact(s) => s.seek(target),
            LeafScorer::TwoPhase(s) => s.candidate(target),
        }
    }

    fn advance(&mut self) -> DocId {
        let doc = self.doc();
        if doc == TERMINATED {
            return TERMINATED;
        }
        match self {
            LeafScorer::Exact(s) => s.advance(),
            LeafScorer::TwoPhase(s) => s.candidate(doc + 1),
        }
    }

    /// The most it can score on the candidate it is on, cheaply: a two-phase scorer's from
    /// term frequencies and the field's length (no positions), else the leaf's own bound.
    fn bound_here(&self, leaf_bound: Score) -> Score {
        match self {
            LeafScorer::Exact(_) => leaf_bound,
            LeafScorer::TwoPhase(s) => s.bound().min(leaf_bound),
        }
    }

    /// The score of the candidate it is on, if it matches.
    fn matched(&mut self) -> Option<Score> {
        match self {
            LeafScorer::Exact(s) => Some(s.score()),
            LeafScorer::TwoPhase(s) => s.verify().then(|| s.score()),
        }
    }
}

struct PrunedWeight {
    plain: Box<dyn Weight>,
    /// `None` without scoring.
    parts: Option<Parts>,
}

/// Bounds are raised by this much: the same scores summed in another order may round
/// upwards.
const SLACK: Score = 1.0001;

/// The first document at or after `doc` that every one of `required` holds (`TERMINATED`
/// when there is none), moving them there.
fn first_allowed(required: &mut [Box<dyn Scorer>], mut doc: DocId) -> DocId {
    loop {
        let mut agreed = true;
        for scorer in required.iter_mut() {
            let at = scorer.doc();
            let at = if at < doc { scorer.seek(doc) } else { at };
            if at != doc {
                doc = at;
                agreed = false;
            }
        }
        if agreed || doc == TERMINATED {
            return doc;
        }
    }
}

/// Whether `scorer` holds `doc`, moving it forward to `doc` if it is behind.
fn holds(scorer: &mut dyn Scorer, doc: DocId) -> bool {
    let at = scorer.doc();
    let at = if at < doc { scorer.seek(doc) } else { at };
    at == doc
}

impl Weight for PrunedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.plain.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.plain.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.plain.count(reader)
    }

    fn for_each_pruning(
        &self,
        mut threshold: Score,
        reader: &SegmentReader,
        callback: &mut dyn FnMut(DocId, Score) -> Score,
    ) -> tantivy::Result<()> {
        let Some(parts) = &self.parts else {
            return self.plain.for_each_pruning(threshold, reader, callback);
        };
        let mut required = Vec::with_capacity(parts.required.len());
        for w in &parts.required {
            required.push(w.scorer(reader, 1.0)?);
        }
        let mut excluded = Vec::with_capacity(parts.excluded.len());
        for w in &parts.excluded {
            excluded.push(w.scorer(reader, 1.0)?);
        }
        let mut leaves: Vec<LeafScorer> = Vec::with_capacity(parts.leaves.len());
        let mut bounds: Vec<Score> = Vec::with_capacity(parts.leaves.len());
        for (w, bound) in &parts.leaves {
            if let Some(scorer) = w.scorer(reader)? {
                // What it can score in this segment, when that is less.
                let bound = match w.segment_bound(&scorer, reader)? {
                    Some(here) => bound.min(here * SLACK),
                    None => *bound,
                };
                leaves.push(scorer);
                bounds.push(bound);
            }
        }
        // WAND (Broder et al., 2003): leaves in the order of the talk each is on. The pivot
        // is the first talk at which the leaves up to it could together score above the
        // k-th best; leaves before it jump there, skipping every talk that only they could
        // have matched.
        // Each leaf's talk, kept beside it, and the leaves in that order.
        let mut docs: Vec<DocId> = leaves.iter().map(LeafScorer::doc).collect();
        let mut order: Vec<usize> = (0..leaves.len()).collect();
        order.sort_by_key(|&i| docs[i]);
        let mut matched: Vec<(usize, Score)> = Vec::with_capacity(leaves.len());
        let mut on_doc: Vec<(usize, Score)> = Vec::with_capacity(leaves.len());
        let mut rest: Vec<Score> = Vec::with_capacity(leaves.len() + 1);
        let mut here: Vec<Score> = vec![0.0; leaves.len()];
        // The leaves by what bringing one to a talk is expected to take off the talk's
        // bound: its own bound, times the chance that it is not there (its share of the
        // segment's talks is a fair guess of that).
        let talks = reader.max_doc().max(1) as Score;
        let gain: Vec<Score> = leaves
            .iter()
            .zip(&bounds)
            .map(|(l, b)| match b.is_finite() {
                true => b * (1.0 - (l.size_hint() as Score / talks).min(1.0)),
                // An unbounded leaf first: nothing is passed over before it moves.
                false => Score::INFINITY,
            })
            .collect();
        let mut by_gain: Vec<usize> = (0..leaves.len()).collect();
        by_gain.sort_by(|&a, &b| gain[b].total_cmp(&gain[a]));
        loop {
            let mut sum: Score = 0.0;
            let Some(mut pivot) = order.iter().position(|&i| {
                sum += bounds[i];
                sum > threshold
            }) else {
                break;
            };
            let doc = docs[order[pivot]];
            if doc == TERMINATED {
                break;
            }
            while pivot + 1 < order.len() && docs[order[pivot + 1]] == doc {
                pivot += 1;
            }
            // The filters first: the next talk they all allow, from the pivot on. No talk
            // before it can be a hit, so the leaves up to the pivot jump there (a selective
            // filter, `kind:keynote year:2024`, then leads the search).
            let allowed_from = first_allowed(&mut required, doc);
            if allowed_from == TERMINATED {
                break;
            }
            let moved = if allowed_from > doc {
                for &i in &order[..=pivot] {
                    docs[i] = leaves[i].seek(allowed_from);
                }
                pivot + 1
            } else if docs[order[0]] < doc {
                // The leaves behind are brought to the pivot one by one (`by_gain`), until
                // those that could still be on it could not beat the k-th best: then the
                // talk is passed over and the rest stay behind, to jump once, further on (a
                // phrase of many terms costs a seek of each; with bounds this tight, most
                // pivots are passed over).
                for &i in &order[..=pivot] {
                    if docs[i] == doc {
                        here[i] = leaves[i].bound_here(bounds[i]);
                    }
                }
                // Summed afresh each time (never by subtraction: see below).
                let could = |docs: &[DocId], here: &[Score]| -> Score {
                    order[..=pivot]
                        .iter()
                        .map(|&i| match docs[i].cmp(&doc) {
                            Ordering::Less => bounds[i],
                            Ordering::Equal => here[i],
                            Ordering::Greater => 0.0,
                        })
                        .sum()
                };
                let mut passed = could(&docs, &here) * SLACK <= threshold;
                // Every leaf behind is before the pivot in `order`.
                for &i in &by_gain {
                    if passed {
                        break;
                    }
                    if docs[i] >= doc {
                        continue;
                    }
                    docs[i] = leaves[i].seek(doc);
                    if docs[i] == doc {
                        here[i] = leaves[i].bound_here(bounds[i]);
                    }
                    passed = could(&docs, &here) * SLACK <= threshold;
                }
                if passed {
                    for &i in &order[..=pivot] {
                        if docs[i] == doc {
                            docs[i] = leaves[i].advance();
                        }
                    }
                }
                pivot + 1
            } else {
                // Every leaf up to the pivot is on `doc`, which the filters allow.
                let allowed = !excluded.iter_mut().any(|s| holds(s.as_mut(), doc));
                matched.clear();
                if allowed {
                    // What each leaf could score here, from term frequencies and lengths
                    // alone: a talk that cannot beat the k-th best even so has no positions
                    // read. Otherwise the leaves are checked, most promising first, until
                    // what is left could no longer lift the talk above the k-th best.
                    on_doc.clear();
                    on_doc.extend(
                        order[..=pivot]
                            .iter()
                            .map(|&i| (i, leaves[i].bound_here(bounds[i]))),
                    );
                    on_doc.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
                    // What the leaves after each could still add, summed afresh (never by
                    // subtraction: an unbounded leaf's infinity would leave NaN behind).
                    rest.clear();
                    rest.resize(on_doc.len() + 1, 0.0);
                    for j in (0..on_doc.len()).rev() {
                        rest[j] = rest[j + 1] + on_doc[j].1;
                    }
                    if rest[0] * SLACK > threshold {
                        let mut scored: Score = 0.0;
                        for (j, &(i, _)) in on_doc.iter().enumerate() {
                            if let Some(score) = leaves[i].matched() {
                                matched.push((i, score));
                                scored += score;
                            }
                            if (scored + rest[j + 1]) * SLACK <= threshold {
                                matched.clear();
                                break;
                            }
                        }
                    }
                }
                for &i in &order[..=pivot] {
                    docs[i] = leaves[i].advance();
                }
                // A candidate that no leaf matched (its terms were not in a row) is no hit.
                if allowed && !matched.is_empty() {
                    // Summed in one order, so that talks alike score alike to the last bit.
                    matched.sort_unstable_by_key(|(i, _)| *i);
                    let score: Score = matched.iter().map(|(_, s)| s).sum();
                    if score > threshold {
                        threshold = callback(doc, score);
                    }
                }
                pivot + 1
            };
            // Only the first `moved` leaves moved: each slides to its place in the rest.
            for k in (0..moved).rev() {
                let mut j = k;
                while j + 1 < order.len() && docs[order[j + 1]] < docs[order[j]] {
                    order.swap(j, j + 1);
                    j += 1;
                }
            }
        }
        Ok(())
    }
}

/// The `limit` best-scored documents, as `TopDocs::with_limit(limit).order_by_score()`
/// finds them, but with the k-th best score so far shared between segments: tantivy starts
/// each segment's pruning from nothing, and with six segments most of the pruning was lost.
/// Equal scores are ordered by address, whichever segment was searched first.
pub(crate) struct TopHits {
    limit: usize,
    /// The best scores found so far in all segments, best first, at most `limit`.
    best: Mutex<Vec<Score>>,
}

impl TopHits {
    pub(crate) fn new(limit: usize) -> TopHits {
        TopHits {
            limit,
            best: Mutex::new(Vec::with_capacity(limit)),
        }
    }

    /// Below the k-th best score of all segments so far: a document that scores no more
    /// cannot be a hit; one that scores as much may, by its address.
    fn shared(&self) -> Score {
        let best = self.best.lock().unwrap_or_else(|e| e.into_inner());
        match best.get(self.limit.saturating_sub(1)) {
            Some(kth) if best.len() == self.limit => kth.next_down(),
            _ => Score::MIN,
        }
    }

    fn publish(&self, scores: impl Iterator<Item = Score>) {
        let mut best = self.best.lock().unwrap_or_else(|e| e.into_inner());
        best.extend(scores);
        best.sort_by(|a, b| b.total_cmp(a));
        best.truncate(self.limit);
    }
}

/// A document in a segment's heap: the worst on top, a later one worse among equals.
#[derive(PartialEq)]
struct Entry {
    score: Score,
    doc: DocId,
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Entry) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Entry) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.doc.cmp(&self.doc))
    }
}

/// One segment's best documents.
pub(crate) struct SegmentHits {
    segment: SegmentOrdinal,
    limit: usize,
    heap: BinaryHeap<Reverse<Entry>>,
}

impl SegmentHits {
    /// Keeps the document if it is among the best; returns the score to beat (documents
    /// come in order, so an equal score later loses).
    fn push(&mut self, doc: DocId, score: Score) -> Score {
        if self.heap.len() < self.limit {
            self.heap.push(Reverse(Entry { score, doc }));
        } else if let Some(mut worst) = self.heap.peek_mut()
            && score > worst.0.score
        {
            *worst = Reverse(Entry { score, doc });
        }
        match self.heap.peek() {
            Some(Reverse(worst)) if self.heap.len() == self.limit => worst.score,
            _ => Score::MIN,
        }
    }
}

impl SegmentCollector for SegmentHits {
    type Fruit = Vec<(Score, DocAddress)>;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.push(doc, score);
    }

    fn harvest(self) -> Self::Fruit {
        let segment = self.segment;
        self.heap
            .into_iter()
            .map(|Reverse(e)| (e.score, DocAddress::new(segment, e.doc)))
            .collect()
    }
}

impl Collector for TopHits {
    type Fruit = Vec<(Score, DocAddress)>;
    type Child = SegmentHits;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        _reader: &SegmentReader,
    ) -> tantivy::Result<SegmentHits> {
        Ok(SegmentHits {
            segment,
            limit: self.limit,
            heap: BinaryHeap::with_capacity(self.limit),
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Self::Fruit>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<(Score, DocAddress)> = fruits.into_iter().flatten().collect();
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        all.truncate(self.limit);
        Ok(all)
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Fruit> {
        let mut hits = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        let mut threshold = self.shared();
        weight.for_each_pruning(threshold, reader, &mut |doc, score| {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                threshold = hits.push(doc, score).max(self.shared());
            }
            threshold
        })?;
        self.publish(hits.heap.iter().map(|Reverse(e)| e.score));
        Ok(hits.harvest())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use proptest::prelude::*;
    use tantivy::collector::TopDocs;
    use tantivy::{IndexReader, TantivyDocument};

    use super::*;
    use crate::concepts::{NothingLearned, Thesaurus};
    use crate::search::analysis::Morphology;
    use crate::search::query::spelling::expansion_leaves;
    use crate::search::query::text_leaves;
    use crate::search::schema::{Fields, Section};

    /// Words and concept spellings that share characters (ログ in ブログ, 可観測性 and its
    /// pieces), so that phrases, bigram runs and other spellings all match somewhere.
    const WORDS: [&str; 16] = [
        "可観測性",
        "オブザーバビリティ",
        "observability",
        "o11y",
        "監視",
        "モニタリング",
        "monitoring",
        "運用の自動化",
        "自動化",
        "ログ",
        "ブログ",
        "コンテナ",
        "container",
        "containers",
        "Kubernetes",
        "の",
    ];
    const SECTIONS: [Section; 4] = [
        Section::Title,
        Section::Tags,
        Section::Takeaways,
        Section::Abstract,
    ];

    struct Corpus {
        fields: Fields,
        reader: IndexReader,
    }

    /// 400 talks whose title, tags, takeaways and abstract are a few of [`WORDS`], in 4
    /// segments.
    static CORPUS: LazyLock<Corpus> = LazyLock::new(|| {
        let (fields, index, mut writer) = crate::search::query::section::ram_index();
        let mut next = crate::search::query::section::picker(0x9e37_79b9_7f4a_7c15);
        for i in 0..400 {
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.key, format!("e/t{i}"));
            // (most words, one talk in how many has any): tags are short and rare, so their
            // average length is well below one token, as in real notes.
            for (section, (most, share)) in
                SECTIONS
                    .into_iter()
                    .zip([(3, 1), (1, 10), (12, 1), (20, 1)])
            {
                if next(share) != 0 {
                    continue;
                }
                let words: Vec<&str> = (0..next(most + 1)).map(|_| WORDS[next(16)]).collect();
                let text = words.join(if next(2) == 0 { " " } else { "" });
                let f = fields.section(section);
                doc.add_text(f.ja, &text);
                doc.add_text(f.gram, &text);
            }
            writer.add_document(doc).expect("add");
            if i % 100 == 99 {
                writer.commit().expect("commit");
            }
        }
        writer.commit().expect("commit");
        let reader = index.reader().expect("reader");
        Corpus { fields, reader }
    });

    /// The leaves of `word` in `sections`: its concept's spellings when it names one, else
    /// as typed.
    fn leaves(word: &str, sections: &[Section]) -> Vec<Leaf> {
        let fields = &CORPUS.fields;
        let morphology = Morphology::shared().expect("dictionary loads");
        let thesaurus = Thesaurus::shipped();
        match thesaurus.expand(word, &NothingLearned) {
            Some(e) => expansion_leaves(fields, &morphology, &e, false, sections),
            None => text_leaves(fields, &morphology, word, false, sections),
        }
    }

    /// Every matching talk, best first, as the plain boolean query scores it.
    fn exhaustive(query: &Pruned) -> Vec<(Score, DocAddress)> {
        let searcher = CORPUS.reader.searcher();
        let mut all = searcher
            .search(&query.plain(), &TopDocs::with_limit(1_000).order_by_score())
            .expect("search");
        all.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        all
    }

    fn close(a: Score, b: Score) -> bool {
        (a - b).abs() <= 1e-4 * a.abs().max(b.abs()).max(1.0)
    }

    /// Calls `check` on every candidate of every two-phase leaf of `words`, in every section
    /// and segment of [`CORPUS`], the leaf's scorer on it, and returns how many matched.
    fn each_candidate(
        words: impl IntoIterator<Item = &'static str>,
        mut check: impl FnMut(&str, &LeafWeight, &SegmentReader, &mut Box<dyn TwoPhase>),
    ) -> usize {
        let searcher = CORPUS.reader.searcher();
        let enable = EnableScoring::enabled_from_searcher(&searcher);
        let mut matched = 0;
        for word in words {
            for leaf in leaves(word, &SECTIONS) {
                let (weight, _) = leaf.weighed(enable, &searcher).expect("weight");
                for reader in searcher.segment_readers() {
                    let Some(LeafScorer::TwoPhase(mut scorer)) =
                        weight.scorer(reader).expect("scorer")
                    else {
                        continue;
                    };
                    let mut doc = scorer.doc();
                    while doc != TERMINATED {
                        check(word, &weight, reader, &mut scorer);
                        matched += usize::from(scorer.score() > 0.0);
                        doc = scorer.candidate(doc + 1);
                    }
                }
            }
        }
        matched
    }

    /// A two-phase leaf's bound on a candidate, read without positions, is never below what
    /// checking the candidate scores: every word and concept of [`WORDS`], in every section,
    /// on every candidate of every segment (repeated words, phrases, `not_in`, implied
    /// sides).
    #[test]
    fn a_candidates_bound_is_never_below_its_score() {
        let matched = each_candidate(WORDS, |word, _, _, scorer| {
            let bound = scorer.bound();
            if scorer.verify() {
                let score = scorer.score();
                assert!(bound >= score * 0.9999, "{word}: {bound} < {score}");
            }
        });
        assert!(matched > 1_000, "only {matched} matches checked");
    }

    /// A leaf's bound for a segment, from its terms' best postings there, is never below what
    /// it can score on any talk of that segment (a two-phase leaf's bound on a candidate, a
    /// term's score), and is below the whole index's bound for most leaves: every word and
    /// concept of [`WORDS`] (single terms, repeated words, phrases, `not_in`, implied
    /// sides, lengths scored as average), in every section and segment.
    #[test]
    fn a_segments_bound_is_never_below_a_talks_score() {
        let searcher = CORPUS.reader.searcher();
        let enable = EnableScoring::enabled_from_searcher(&searcher);
        let (mut tighter, mut leaves_seen, mut talks) = (0, 0, 0);
        let mut terms = 0;
        for word in WORDS {
            for leaf in leaves(word, &SECTIONS) {
                let (weight, whole) = leaf.weighed(enable, &searcher).expect("weight");
                terms += usize::from(matches!(weight, LeafWeight::Term { .. }));
                for reader in searcher.segment_readers() {
                    let Some(mut scorer) = weight.scorer(reader).expect("scorer") else {
                        continue;
                    };
                    let Some(segment) = weight.segment_bound(&scorer, reader).expect("bound")
                    else {
                        continue;
                    };
                    leaves_seen += 1;
                    tighter += usize::from(segment < whole * 0.9);
                    while scorer.doc() != TERMINATED {
                        let most = match &mut scorer {
                            LeafScorer::TwoPhase(s) => s.bound(),
                            LeafScorer::Exact(s) => s.score(),
                        };
                        assert!(segment >= most, "{word}: {segment} < {most}");
                        talks += 1;
                        scorer.advance();
                    }
                }
            }
        }
        assert!(
            talks > 1_000 && terms > 4,
            "only {talks} talks, {terms} terms checked"
        );
        assert!(
            tighter * 2 > leaves_seen,
            "{tighter} of {leaves_seen} tighter"
        );
    }

    /// Regression: a typed English spelling's dictionary side (`observ`, stemmed) stayed at
    /// the first talk after the target (`observe`), so the talk the bigram side chose
    /// (`observability`) lost that side's score when walked to: it scored less when it came
    /// second than when it came first.
    #[test]
    fn an_english_spellings_dictionary_side_follows_the_bigram_side() {
        let scores = |titles: [&str; 2], wanted: DocId| -> Vec<Score> {
            let (fields, index, mut writer) = crate::search::query::section::ram_index();
            for (i, title) in titles.iter().enumerate() {
                let mut doc = TantivyDocument::default();
                doc.add_text(fields.key, format!("e/t{i}"));
                let f = fields.section(Section::Title);
                doc.add_text(f.ja, *title);
                doc.add_text(f.gram, *title);
                writer.add_document(doc).expect("add");
            }
            writer.commit().expect("commit");
            let searcher = index.reader().expect("reader").searcher();
            let morphology = Morphology::shared().expect("dictionary loads");
            let expansion = Thesaurus::shipped()
                .expand("observability", &NothingLearned)
                .expect("a concept");
            let enable = EnableScoring::enabled_from_searcher(&searcher);
            let reader = &searcher.segment_readers()[0];
            expansion_leaves(&fields, &morphology, &expansion, false, &[Section::Title])
                .iter()
                .map(|leaf| {
                    let (weight, _) = leaf.weighed(enable, &searcher).expect("weight");
                    let Some(LeafScorer::TwoPhase(mut s)) = weight.scorer(reader).expect("scorer")
                    else {
                        return 0.0;
                    };
                    if s.find(0) == wanted { s.score() } else { 0.0 }
                })
                .collect()
        };
        let second = scores(["we observe it", "observability in depth"], 1);
        let first = scores(["observability in depth", "we observe it"], 0);
        assert!(second.iter().any(|s| *s > 0.0), "{second:?}");
        assert_eq!(second, first);
    }

    /// A two-phase leaf scores a talk the same when it walks there from the first talk as
    /// when it is sent there directly.
    #[test]
    fn a_leaf_scores_a_talk_alike_walked_to_or_sought() {
        let words = WORDS.into_iter().chain(["Observability", "Container"]);
        let matched = each_candidate(words, |word, weight, reader, walker| {
            let doc = walker.doc();
            if walker.verify() {
                let Some(LeafScorer::TwoPhase(mut sent)) = weight.scorer(reader).expect("scorer")
                else {
                    unreachable!("the same weight");
                };
                assert_eq!(sent.find(doc), doc, "{word}");
                assert_eq!(walker.score(), sent.score(), "{word} in #{doc}");
            }
        });
        assert!(matched > 1_000, "only {matched} matches checked");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(150))]

        /// The pruned search finds the top `k` of the exhaustive one: the same scores in the
        /// same order, and each talk with the score the plain query gives it (which talk of
        /// several with one score is kept may differ: the order they were added in does).
        /// With `k` above the matches, all of them, and nothing else.
        #[test]
        fn pruning_keeps_the_top_hits(
            words in prop::collection::vec(0..WORDS.len(), 1..4),
            required in prop::option::of(0..WORDS.len()),
            excluded in prop::option::of(0..WORDS.len()),
            context in any::<bool>(),
            prefix in any::<bool>(),
            only_tags in any::<bool>(),
            k in prop_oneof![1usize..15, Just(1_000)],
        ) {
            let fields = &CORPUS.fields;
            let morphology = Morphology::shared().expect("dictionary loads");
            // Tags alone: a section whose average length is far below one token.
            let sections: &[Section] = if only_tags { &[Section::Tags] } else { &SECTIONS };
            let mut all: Vec<Leaf> =
                words.iter().flat_map(|&w| leaves(WORDS[w], sections)).collect();
            if prefix {
                // A word still being typed: leaves without a bound (regression: an infinite
                // bound left NaN in the per-talk check, which then dropped hits).
                all.extend(text_leaves(fields, &morphology, WORDS[words[0]], true, sections));
            }
            if context {
                // A constant leaf, as a word found only in the context adds.
                all.extend(text_leaves(fields, &morphology, WORDS[words[0]], false, &[Section::Title])
                    .into_iter()
                    .map(|l| Leaf::Fixed { query: l.query(), score: 0.001 }));
            }
            let union_of = |w: usize| -> Vec<Box<dyn Query>> {
                vec![Box::new(union(&text_leaves(fields, &morphology, WORDS[w], false, &SECTIONS)))]
            };
            let query = Pruned {
                required: required.map(union_of).unwrap_or_default(),
                excluded: excluded.map(union_of).unwrap_or_default(),
                leaves: all,
            };
            let expected = exhaustive(&query);
            let searcher = CORPUS.reader.searcher();
            let found = searcher.search(&query, &TopHits::new(k)).expect("search");
            prop_assert_eq!(found.len(), expected.len().min(k));
            let by_doc: std::collections::HashMap<DocAddress, Score> =
                expected.iter().map(|(s, d)| (*d, *s)).collect();
            for (i, (score, doc)) in found.iter().enumerate() {
                prop_assert!(close(*score, expected[i].0), "#{i}: {score} vs {}", expected[i].0);
                let plain = by_doc.get(doc).copied();
                prop_assert!(plain.is_some_and(|p| close(p, *score)), "{doc:?}: {score} vs {plain:?}");
            }
        }
    }

    /// The shared collector over a query tantivy prunes itself (several words) finds what
    /// `TopDocs` finds.
    #[test]
    fn top_hits_match_top_docs() {
        let searcher = CORPUS.reader.searcher();
        let words = [pruned_union("監視"), pruned_union("ログ")];
        let query = BooleanQuery::new(
            words
                .into_iter()
                .map(|q| (Occur::Must, Box::new(q) as Box<dyn Query>))
                .collect(),
        );
        for k in [1, 5, 20] {
            let expected = searcher
                .search(&query, &TopDocs::with_limit(k).order_by_score())
                .expect("search");
            let found = searcher.search(&query, &TopHits::new(k)).expect("search");
            assert_eq!(found.len(), expected.len());
            for ((a, _), (b, _)) in found.iter().zip(&expected) {
                assert!(close(*a, *b), "{a} vs {b}");
            }
        }
    }

    fn pruned_union(word: &str) -> BooleanQuery {
        union(&leaves(word, &SECTIONS))
    }
}
