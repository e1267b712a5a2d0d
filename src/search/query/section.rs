//! One query word in one section: its dictionary words as a phrase in the `_ja` field, or its
//! bigram run in the `_gram` field, scored as the sum of both BM25 scores.
//!
//! Why not a `BooleanQuery` of two tantivy phrase queries: a phrase scorer reads and compares
//! the positions of every term in every document where they all occur, and for a common word
//! (オブザーバビリティ in a third of the talks) the bigram run is the most expensive part of
//! the whole search. Where the dictionary words of a word that is one CJK run matched, the
//! bigram run is the same characters, so this scorer counts it as occurring as often as the
//! words did instead of reading its positions. The set of matching documents is exactly that
//! of the two phrases; only the bigram part's score can differ from theirs: it is earned
//! without the run being there where a separator that does not end a sentence splits the
//! word (可、観測性) and the run's bigrams all occur elsewhere in the section, and it is
//! counted too low where the word also sits inside a longer compound that the dictionary
//! cuts differently.
//!
//! The file is long for its tests (half of it): they check, on generated corpora, that this
//! scorer matches exactly the documents of the two phrase queries it stands for.

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{Bm25Weight, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

use super::maxima;
use super::pruned::phrases_bound;

/// Terms with their offsets in the phrase (a single term is a phrase of one).
pub(crate) type Phrase = Vec<(usize, Term)>;

/// A word in one section: `ja` (dictionary words) or `gram` (bigram run).
#[derive(Clone, Debug)]
pub(crate) struct SectionQuery {
    pub ja: Phrase,
    pub gram: Phrase,
    pub ja_boost: Score,
    pub gram_boost: Score,
    /// A match of `ja` implies one of `gram`: the word is a single CJK run.
    pub implied: bool,
}

impl Query for SectionQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.section_weight(enable_scoring)?))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for (_, term) in self.ja.iter().chain(&self.gram) {
            visitor(term, true);
        }
    }
}

impl SectionQuery {
    /// The weight as its own type, which the pruned search also asks for its bound.
    pub(crate) fn section_weight(
        &self,
        enable_scoring: EnableScoring<'_>,
    ) -> tantivy::Result<SectionWeight> {
        let side = |phrase: &Phrase, boost: Score| -> tantivy::Result<Option<Side>> {
            if phrase.is_empty() {
                return Ok(None);
            }
            let bm25 = match enable_scoring {
                EnableScoring::Enabled {
                    statistics_provider,
                    ..
                } => {
                    let terms: Vec<Term> = phrase.iter().map(|(_, t)| t.clone()).collect();
                    Some(Bm25Weight::for_terms(statistics_provider, &terms)?.boost_by(boost))
                }
                EnableScoring::Disabled { .. } => None,
            };
            Ok(Some(Side {
                phrase: phrase.clone(),
                bm25,
            }))
        };
        Ok(SectionWeight {
            ja: side(&self.ja, self.ja_boost)?,
            gram: side(&self.gram, self.gram_boost)?,
            implied: self.implied,
        })
    }
}

struct Side {
    phrase: Phrase,
    bm25: Option<Bm25Weight>,
}

impl Side {
    /// The phrase's postings in one segment; `None` when a term does not occur there.
    fn run(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Option<Run>> {
        run(
            reader,
            &self.phrase,
            self.bm25.as_ref().map(|w| w.boost_by(boost)),
            false,
        )
    }
}

/// A phrase's postings in one segment, positioned on its first candidate; `None` when a
/// term does not occur there. Positions are read for phrases, and for a single term only
/// when `positions` asks for them (see [`Run::starts`]).
pub(crate) fn run(
    reader: &SegmentReader,
    phrase: &Phrase,
    bm25: Option<Bm25Weight>,
    positions: bool,
) -> tantivy::Result<Option<Run>> {
    let Some((_, first)) = phrase.first() else {
        return Ok(None);
    };
    let field = first.field();
    let inverted = reader.inverted_index(field)?;
    // A single term needs only its frequency; positions are read for phrases.
    let option = if phrase.len() == 1 && !positions {
        IndexRecordOption::WithFreqs
    } else {
        IndexRecordOption::WithFreqsAndPositions
    };
    let last = phrase.iter().map(|(o, _)| *o).max().unwrap_or(0);
    let mut postings = Vec::with_capacity(phrase.len());
    let mut rarest: Option<(u32, &Term)> = None;
    for (offset, term) in phrase {
        let Some(p) = inverted.read_postings(term, option)? else {
            return Ok(None);
        };
        if rarest.is_none_or(|(docs, _)| p.doc_freq() < docs) {
            rarest = Some((p.doc_freq(), term));
        }
        // Positions shifted so that all terms of one occurrence land on the same number.
        postings.push(((last - offset) as u32, p));
    }
    // The rarest term leads the intersection.
    postings.sort_by_key(|(_, p)| p.doc_freq());
    let norms = maxima::lengths(reader, field)?;
    let mut run = Run {
        postings,
        rarest: rarest.map_or_else(|| first.clone(), |(_, t)| t.clone()),
        bm25,
        norms,
        doc: 0,
        left: Vec::new(),
        right: Vec::new(),
        last: last as u32,
        length: None,
    };
    run.align(0);
    Ok(Some(run))
}

pub(crate) struct SectionWeight {
    ja: Option<Side>,
    gram: Option<Side>,
    implied: bool,
}

impl SectionWeight {
    /// The most it can score in any talk: both sides at their bound (see
    /// [`super::pruned`]).
    pub(crate) fn bound(
        &self,
        stats: &dyn tantivy::query::Bm25StatisticsProvider,
    ) -> tantivy::Result<Score> {
        let sides = self.ja.iter().chain(&self.gram);
        phrases_bound(stats, sides.map(|s| (s.phrase.as_slice(), s.bm25.as_ref())))
    }
}

impl TwoPhaseWeight for SectionWeight {
    type Scorer = SectionScorer;

    fn unpositioned(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<SectionScorer>> {
        let ja = match &self.ja {
            Some(side) => side.run(reader, boost)?,
            None => None,
        };
        let gram = match &self.gram {
            Some(side) => side.run(reader, boost)?,
            None => None,
        };
        if ja.is_none() && gram.is_none() {
            return Ok(None);
        }
        Ok(Some(SectionScorer {
            ja,
            gram,
            implied: self.implied,
            doc: 0,
            score: 0.0,
        }))
    }
}

impl Weight for SectionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        boxed_scorer(self, reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        explain_match(self, reader, doc, "dictionary words or bigram run")
    }
}

/// A scorer that moves over candidates (documents holding every term of a phrase) and
/// checks one only when asked, as Lucene's `TwoPhaseIterator`: reading positions is what a
/// phrase costs, and [`super::pruned`] skips most candidates unchecked. As a [`DocSet`] it
/// is on matches only ([`TwoPhase::find`]).
pub(crate) trait TwoPhase: Scorer {
    /// Moves to the first candidate at or after `target`.
    fn candidate(&mut self, target: DocId) -> DocId;

    /// Whether the candidate it is on matches, scoring it if so.
    fn verify(&mut self) -> bool;

    /// The most [`TwoPhase::verify`] can score the candidate it is on, from what needs no
    /// positions: a phrase occurs no more often than its rarest term in the document.
    fn bound(&self) -> Score;

    /// The most [`TwoPhase::bound`] can be on any candidate in `reader`'s segment, from the
    /// best its terms score there ([`maxima`]).
    fn segment_bound(&self, reader: &SegmentReader) -> tantivy::Result<Score>;

    /// Moves to the first match at or after `target` and scores it.
    fn find(&mut self, mut target: DocId) -> DocId {
        loop {
            let doc = self.candidate(target);
            if doc == TERMINATED || self.verify() {
                return doc;
            }
            target = doc + 1;
        }
    }

    /// [`DocSet::advance`] over matches.
    fn next_match(&mut self) -> DocId {
        match self.doc() {
            TERMINATED => TERMINATED,
            doc => self.find(doc + 1),
        }
    }

    /// [`DocSet::seek`] over matches.
    fn seek_match(&mut self, target: DocId) -> DocId {
        match self.doc() {
            doc if target <= doc => doc,
            _ => self.find(target),
        }
    }
}

/// A weight whose scorer is [`TwoPhase`].
pub(crate) trait TwoPhaseWeight {
    type Scorer: TwoPhase + 'static;

    /// The scorer, not yet on any document; `None` when nothing can match in this segment.
    fn unpositioned(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<Self::Scorer>>;

    /// The scorer on its first match.
    fn matching(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<Self::Scorer>> {
        Ok(self.unpositioned(reader, boost)?.map(|mut s| {
            s.find(0);
            s
        }))
    }

    /// The scorer on its first candidate (see [`super::pruned`]).
    fn candidates(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<Self::Scorer>> {
        Ok(self.unpositioned(reader, boost)?.map(|mut s| {
            s.candidate(0);
            s
        }))
    }
}

/// [`Weight::scorer`] of a [`TwoPhaseWeight`].
pub(crate) fn boxed_scorer<W: TwoPhaseWeight>(
    weight: &W,
    reader: &SegmentReader,
    boost: Score,
) -> tantivy::Result<Box<dyn Scorer>> {
    Ok(match weight.matching(reader, boost)? {
        Some(scorer) => Box::new(scorer),
        None => Box::new(EmptyScorer),
    })
}

/// [`Weight::explain`] of a [`TwoPhaseWeight`]: the score, said to be `what`.
pub(crate) fn explain_match<W: TwoPhaseWeight>(
    weight: &W,
    reader: &SegmentReader,
    doc: DocId,
    what: &'static str,
) -> tantivy::Result<Explanation> {
    let mut scorer = weight.matching(reader, 1.0)?;
    match scorer.as_mut().map(|s| s.seek_match(doc)) {
        Some(found) if found == doc => {
            let score = scorer.map_or(0.0, |mut s| s.score());
            Ok(Explanation::new(what, score))
        }
        _ => Err(TantivyError::InvalidArgument(format!(
            "document #{doc} does not match"
        ))),
    }
}

/// One side's postings in a segment, positioned on a document holding all its terms.
pub(crate) struct Run {
    /// (shift, postings), rarest first.
    postings: Vec<(u32, SegmentPostings)>,
    /// The rarest term: the phrase occurs no more often than it (see [`Run::most`]).
    rarest: Term,
    bm25: Option<Bm25Weight>,
    norms: FieldNormReader,
    /// The current document holding every term, not yet checked for their order.
    doc: DocId,
    left: Vec<u32>,
    right: Vec<u32>,
    /// The largest offset in the phrase: positions are shifted by it (see [`run`]).
    last: u32,
    /// The field length id every document is scored at, when not its own.
    length: Option<u8>,
}

impl Run {
    /// The document the run is on (`TERMINATED` at the end).
    pub(crate) fn doc(&self) -> DocId {
        self.doc
    }

    /// Documents holding the rarest term: an upper bound of the phrase's matches.
    pub(crate) fn candidates(&self) -> u32 {
        self.postings.first().map_or(0, |(_, p)| p.doc_freq())
    }

    /// Terms in the phrase.
    pub(crate) fn terms(&self) -> usize {
        self.postings.len()
    }

    /// Where the phrase starts in the current document, in order (empty when its terms
    /// are all there but not in a row). Needs positions (see [`run`]).
    pub(crate) fn starts(&mut self) -> &[u32] {
        if let [(shift, only)] = self.postings.as_mut_slice() {
            only.positions_with_offset(*shift, &mut self.left);
        } else {
            self.count();
        }
        let last = self.last;
        for p in &mut self.left {
            *p -= last;
        }
        &self.left
    }

    /// Moves to the first document at or after `target` holding every term.
    fn align(&mut self, mut target: DocId) -> DocId {
        'candidates: while target != TERMINATED {
            for (_, p) in &mut self.postings {
                let mut doc = p.doc();
                if doc < target {
                    doc = p.seek(target);
                }
                if doc > target {
                    target = doc;
                    continue 'candidates;
                }
            }
            break;
        }
        self.doc = target;
        target
    }

    /// Moves forward to `target` unless already there or past it.
    pub(crate) fn at_least(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.align(target)
        } else {
            self.doc
        }
    }

    /// How often the phrase occurs in the current document.
    pub(crate) fn count(&mut self) -> u32 {
        if let [(_, only)] = self.postings.as_slice() {
            return only.term_freq();
        }
        let (first, rest) = self.postings.split_at_mut(1);
        let (shift, p) = &mut first[0];
        p.positions_with_offset(*shift, &mut self.left);
        for (shift, p) in rest {
            p.positions_with_offset(*shift, &mut self.right);
            let right = &self.right;
            // Both are sorted: keep what `right` also holds.
            let mut j = 0;
            self.left.retain(|&x| {
                while j < right.len() && right[j] < x {
                    j += 1;
                }
                j < right.len() && right[j] == x
            });
            if self.left.is_empty() {
                return 0;
            }
        }
        self.left.len() as u32
    }

    /// The most [`Run::score`] can give in the current document: a phrase occurs no more
    /// often than its least frequent term there (term frequencies come with the postings;
    /// positions are not read).
    pub(crate) fn bound(&self) -> Score {
        self.score(self.most())
    }

    /// The most the phrase can occur in the current document.
    pub(crate) fn most(&self) -> u32 {
        self.postings
            .iter()
            .map(|(_, p)| p.term_freq())
            .min()
            .unwrap_or(0)
    }

    /// The most [`Run::score`] can give in any document of `reader`'s segment (which the
    /// run is in), counting as the run does; with `counted`, a count of that run's rarest
    /// term instead (a dictionary word's count given to a bigram run, see `implied`).
    pub(crate) fn segment_bound(
        &self,
        reader: &SegmentReader,
        counted: Option<&Run>,
    ) -> tantivy::Result<Score> {
        let Some(bm25) = &self.bm25 else {
            return Ok(1.0);
        };
        let term = counted.map_or(&self.rarest, |r| &r.rarest);
        let frontier = maxima::frontier(reader, term, self.rarest.field(), &self.norms)?;
        Ok(frontier.best(bm25, self.length))
    }

    pub(crate) fn score(&self, count: u32) -> Score {
        match &self.bm25 {
            Some(bm25) => {
                let length = self
                    .length
                    .unwrap_or_else(|| self.norms.fieldnorm_id(self.doc));
                bm25.score(length, count)
            }
            None => 1.0,
        }
    }

    /// Scores every document as if its field were `length` (a field length id) long, when
    /// given, instead of its own length.
    pub(crate) fn at_length(mut self, length: Option<u8>) -> Run {
        self.length = length;
        self
    }
}

pub(crate) struct SectionScorer {
    ja: Option<Run>,
    gram: Option<Run>,
    implied: bool,
    doc: DocId,
    score: Score,
}

impl TwoPhase for SectionScorer {
    /// Moves to the first document at or after `target` holding every term of a side (a
    /// candidate: its terms may not be in a row).
    fn candidate(&mut self, target: DocId) -> DocId {
        let ja_doc = self.ja.as_mut().map_or(TERMINATED, |r| r.at_least(target));
        let gram_doc = self
            .gram
            .as_mut()
            .map_or(TERMINATED, |r| r.at_least(target));
        self.doc = ja_doc.min(gram_doc);
        self.score = 0.0;
        self.doc
    }

    /// Whether the candidate matches, scoring it if so.
    fn verify(&mut self) -> bool {
        let doc = self.doc;
        let mut score = 0.0;
        let mut ja_count = 0;
        if let Some(ja) = self.ja.as_mut().filter(|r| r.doc == doc) {
            ja_count = ja.count();
            if ja_count > 0 {
                score += ja.score(ja_count);
            }
        }
        let mut gram_count = 0;
        if let Some(gram) = self.gram.as_mut().filter(|r| r.doc == doc) {
            gram_count = if self.implied && ja_count > 0 {
                ja_count
            } else {
                gram.count()
            };
            if gram_count > 0 {
                score += gram.score(gram_count);
            }
        }
        self.score = score;
        ja_count > 0 || gram_count > 0
    }

    fn bound(&self) -> Score {
        let doc = self.doc;
        let ja = self.ja.as_ref().filter(|r| r.doc == doc);
        let mut bound = ja.map_or(0.0, Run::bound);
        if let Some(gram) = self.gram.as_ref().filter(|r| r.doc == doc) {
            // Implied, the bigram side counts what the dictionary side does.
            let most = match ja {
                Some(ja) if self.implied => gram.most().max(ja.most()),
                _ => gram.most(),
            };
            bound += gram.score(most);
        }
        bound
    }

    /// Counts the dictionary side's occurrences on the bigram side where one implies the
    /// other, as [`TwoPhase::bound`] does.
    fn segment_bound(&self, reader: &SegmentReader) -> tantivy::Result<Score> {
        let mut bound = match &self.ja {
            Some(ja) => ja.segment_bound(reader, None)?,
            None => 0.0,
        };
        if let Some(gram) = &self.gram {
            let mut most = gram.segment_bound(reader, None)?;
            if let (Some(ja), true) = (&self.ja, self.implied) {
                most = most.max(gram.segment_bound(reader, Some(ja))?);
            }
            bound += most;
        }
        Ok(bound)
    }
}

impl DocSet for SectionScorer {
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
        let hint = |run: &Option<Run>| {
            run.as_ref()
                .and_then(|r| r.postings.first())
                .map_or(0, |(_, p)| p.doc_freq())
        };
        hint(&self.ja).max(hint(&self.gram))
    }

    /// As tantivy's own scorers count it, so an intersection is led by the cheapest part: a
    /// term costs its documents; a phrase, ten times its terms for each candidate, whose
    /// positions are read.
    fn cost(&self) -> u64 {
        let cost = |run: &Option<Run>| {
            run.as_ref().map_or(0, |r| {
                let candidates = r.postings.first().map_or(0, |(_, p)| p.doc_freq() as u64);
                match r.postings.len() {
                    1 => candidates,
                    terms => candidates * 10 * terms as u64,
                }
            })
        };
        cost(&self.ja) + cost(&self.gram)
    }
}

impl Scorer for SectionScorer {
    fn score(&mut self) -> Score {
        self.score
    }
}

/// An empty in-memory index with talknotes' schema and analysers, and a one-thread writer:
/// what the test corpora are built in.
#[cfg(test)]
pub(crate) fn ram_index() -> (
    crate::search::schema::Fields,
    tantivy::Index,
    tantivy::IndexWriter,
) {
    let fields = crate::search::schema::Fields::new();
    let index = tantivy::Index::create_in_ram(fields.schema.clone());
    crate::search::schema::register_tokenizers(&index).expect("dictionary loads");
    let writer = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("writer");
    (fields, index, writer)
}

/// Picks numbers below `n`, deterministically from `seed` (xorshift: good enough to build
/// test corpora).
#[cfg(test)]
pub(crate) fn picker(mut state: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::LazyLock;

    use proptest::prelude::*;
    use tantivy::collector::TopDocs;
    use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, TermQuery};
    use tantivy::{DocAddress, IndexReader, TantivyDocument};

    use super::*;
    use crate::search::analysis::{self, Morphology, Normal};
    use crate::search::query::positioned;
    use crate::search::schema::{Fields, Section};

    /// Pieces of text chosen so that phrases occur often, split by spaces and sentence ends,
    /// inside katakana compounds (and other katakana words: ログ in ブログ, joined by ・)
    /// and next to English words.
    const PIECES: [&str; 25] = [
        "可",
        "観測",
        "性",
        "の",
        "自動",
        "化",
        "運用",
        "オブザーバビリティ",
        "ツール",
        "監視",
        "を",
        "する",
        " ",
        "。",
        "k8s",
        "データ",
        "可観測性",
        "自動化",
        "運用の自動化",
        "オブザーバビリティツール",
        "監視ツール",
        "データの可観測性",
        "ログ",
        "ブログ",
        "・",
    ];

    struct Corpus {
        fields: Fields,
        reader: IndexReader,
    }

    fn text(pieces: &[usize]) -> String {
        pieces.iter().map(|&i| PIECES[i]).collect()
    }

    /// An in-memory index of one talk per body (takeaways only), committed every
    /// `per_segment` talks.
    fn corpus(bodies: impl IntoIterator<Item = String>, per_segment: usize) -> Corpus {
        let (fields, index, mut writer) = super::ram_index();
        let f = fields.section(Section::Takeaways);
        for (i, body) in bodies.into_iter().enumerate() {
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.key, format!("e/t{i}"));
            doc.add_text(f.ja, &body);
            doc.add_text(f.gram, &body);
            writer.add_document(doc).expect("add");
            if i % per_segment == per_segment - 1 {
                writer.commit().expect("commit");
            }
        }
        writer.commit().expect("commit");
        let reader = index.reader().expect("reader");
        Corpus { fields, reader }
    }

    /// 300 takeaways made of 3 to 14 pieces, in a few segments.
    static CORPUS: LazyLock<Corpus> = LazyLock::new(|| {
        let mut next = picker(0x2545_f491_4f6c_dd1d);
        let bodies: Vec<String> = (0..300)
            .map(|_| {
                let len = 3 + next(12);
                let pieces: Vec<usize> = (0..len).map(|_| next(PIECES.len())).collect();
                text(&pieces)
            })
            .collect();
        corpus(bodies, 100)
    });

    fn scores(query: &dyn Query) -> BTreeMap<DocAddress, Score> {
        scores_in(&CORPUS, query)
    }

    fn scores_in(corpus: &Corpus, query: &dyn Query) -> BTreeMap<DocAddress, Score> {
        let searcher = corpus.reader.searcher();
        searcher
            .search(query, &TopDocs::with_limit(1_000).order_by_score())
            .expect("search")
            .into_iter()
            .map(|(score, doc)| (doc, score))
            .collect()
    }

    /// What the section query replaces: a tantivy phrase (or term) query per view.
    fn two_phrases(
        fields: &Fields,
        words: &[analysis::Gram],
        grams: &[analysis::Gram],
    ) -> BooleanQuery {
        let f = fields.section(Section::Takeaways);
        let phrase = |field, tokens: &[analysis::Gram], boost: Score| -> (Occur, Box<dyn Query>) {
            let terms = positioned(field, tokens);
            let query: Box<dyn Query> = if terms.len() == 1 {
                Box::new(TermQuery::new(
                    terms[0].1.clone(),
                    IndexRecordOption::WithFreqs,
                ))
            } else {
                Box::new(PhraseQuery::new_with_offset(terms))
            };
            (Occur::Should, Box::new(BoostQuery::new(query, boost)))
        };
        let mut clauses = vec![phrase(f.gram, grams, 1.0)];
        if !words.is_empty() {
            clauses.push(phrase(f.ja, words, 1.5));
        }
        BooleanQuery::new(clauses)
    }

    fn section_query(
        fields: &Fields,
        words: &[analysis::Gram],
        grams: &[analysis::Gram],
        implied: bool,
    ) -> SectionQuery {
        let f = fields.section(Section::Takeaways);
        SectionQuery {
            ja: positioned(f.ja, words),
            gram: positioned(f.gram, grams),
            ja_boost: 1.5,
            gram_boost: 1.0,
            implied,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The section query, with pair terms for the dictionary words, matches exactly the
        /// talks that the two phrase queries it replaces match. Without pairs and without the
        /// shortcut, the scores are the same too.
        #[test]
        fn matches_what_the_two_phrases_match(query in proptest::collection::vec(0..PIECES.len(), 1..5)) {
            let normal = Normal::new(&text(&query));
            let normalized = normal.as_str();
            let morphology = Morphology::shared().expect("dictionary loads");
            let words = morphology.tokens(&normal);
            let grams = analysis::query_grams(normalized, false);
            prop_assume!(!grams.is_empty());
            let fields = &CORPUS.fields;
            let expected = scores(&two_phrases(fields, &words, &grams));
            let paired = analysis::paired(&words);
            for implied in [false, true] {
                // The shortcut is only taken for a word that is one CJK run.
                if implied && !normalized.chars().all(analysis::is_cjk) {
                    continue;
                }
                let got = scores(&section_query(fields, &paired, &grams, implied));
                prop_assert_eq!(got.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>(),
                    "{:?} implied={}", normalized, implied);
            }
            let got = scores(&section_query(fields, &words, &grams, false));
            prop_assert_eq!(got.keys().collect::<Vec<_>>(), expected.keys().collect::<Vec<_>>());
            for (doc, score) in &expected {
                prop_assert!((got[doc] - score).abs() < 1e-4, "{:?}: {} vs {}", normalized, got[doc], score);
            }
        }
    }

    /// Where the dictionary side implies the bigram side, the bigram side counts the
    /// dictionary side's occurrences, which may be more than its own terms': the segment's
    /// bound then comes from the dictionary side's frequencies at the bigram field's lengths.
    #[test]
    fn a_segments_bound_covers_counts_the_dictionary_side_gives() {
        let (fields, index, mut writer) = ram_index();
        let f = fields.section(Section::Takeaways);
        // Every bigram of 可観測性 once (not in a row), its dictionary words in a row more often.
        for text in [
            "可観 測性 可 観測 性 可 観測 性 可 観測 性",
            "可観測性",
            "観測 する",
        ] {
            let mut doc = TantivyDocument::default();
            doc.add_text(f.ja, text);
            doc.add_text(f.gram, text);
            writer.add_document(doc).expect("add");
        }
        writer.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let normal = Normal::new("可観測性");
        let morphology = Morphology::shared().expect("dictionary loads");
        let words = analysis::paired(&morphology.tokens(&normal));
        let grams = analysis::query_grams(normal.as_str(), false);
        let query = section_query(&fields, &words, &grams, true);
        let enable = EnableScoring::enabled_from_searcher(&searcher);
        let weight = query.section_weight(enable).expect("weight");
        let reader = &searcher.segment_readers()[0];
        let mut scorer = weight
            .unpositioned(reader, 1.0)
            .expect("scorer")
            .expect("matches");
        let segment = scorer.segment_bound(reader).expect("segment bound");
        let mut given = 0;
        let mut doc = scorer.candidate(0);
        while doc != TERMINATED {
            assert!(
                segment >= scorer.bound(),
                "#{doc}: {segment} < {}",
                scorer.bound()
            );
            if let (Some(ja), Some(gram)) = (&scorer.ja, &scorer.gram)
                && ja.doc == doc
                && gram.doc == doc
                && ja.most() > gram.most()
            {
                given += 1;
            }
            doc = scorer.candidate(doc + 1);
        }
        assert!(given > 0, "no talk where the dictionary side counts more");
    }

    #[test]
    fn the_corpus_holds_the_hard_cases() {
        // The property above is only as good as its corpus: common phrases must match many
        // talks, across segments, and some words must sit inside compounds.
        let fields = &CORPUS.fields;
        let morphology = Morphology::shared().expect("dictionary loads");
        for (query, at_least) in [
            ("可観測性", 20),
            ("自動化", 20),
            ("オブザーバビリティ", 20),
            ("観測", 20),
        ] {
            let normal = Normal::new(query);
            let words = morphology.tokens(&normal);
            let grams = analysis::query_grams(normal.as_str(), false);
            let n = scores(&two_phrases(fields, &words, &grams)).len();
            assert!(n >= at_least, "{query}: {n}");
        }
        assert!(CORPUS.reader.searcher().segment_readers().len() >= 3);
        // And some talks must match by their bigrams only (測性 is inside 観測 性), or a
        // shortcut that skipped bigram-only matches would pass.
        let query = "測性";
        let words = morphology.tokens(&Normal::new(query));
        let grams = analysis::query_grams(query, false);
        let both = scores(&two_phrases(fields, &words, &grams)).len();
        let f = fields.section(Section::Takeaways);
        let words_only = PhraseQuery::new_with_offset(positioned(f.ja, &words));
        let by_words = scores(&words_only).len();
        assert!(both > by_words + 10, "{both} vs {by_words}");
    }

    #[test]
    fn the_shortcut_scores_a_word_written_whole_as_its_bigrams_would() {
        let bodies = [
            "可観測性の話",
            "可観測性と可観測性",
            "データの可観測性を上げる。可観測性",
            "運用の話",
            "可、観測性",
            "可、観測性。不可観",
        ];
        let corpus = corpus(bodies.iter().map(|b| b.to_string()), 2);
        let fields = &corpus.fields;
        let morphology = Morphology::shared().expect("dictionary loads");
        let words = analysis::paired(&morphology.tokens(&Normal::new("可観測性")));
        let grams = analysis::query_grams("可観測性", false);
        let checked = scores_in(&corpus, &section_query(fields, &words, &grams, false));
        let shortcut = scores_in(&corpus, &section_query(fields, &words, &grams, true));
        assert_eq!(checked.len(), 5, "{checked:?}");
        assert_eq!(
            checked.keys().collect::<Vec<_>>(),
            shortcut.keys().collect::<Vec<_>>()
        );
        let searcher = corpus.reader.searcher();
        for (doc, score) in &checked {
            let body = searcher
                .doc::<TantivyDocument>(*doc)
                .expect("doc")
                .get_first(fields.key)
                .and_then(|v| tantivy::schema::Value::as_str(&v).map(str::to_owned))
                .and_then(|key| key.strip_prefix("e/t")?.parse::<usize>().ok())
                .map(|i| bodies[i])
                .expect("body");
            if body.contains("可観測性") {
                // Written whole: the same score, without reading the bigrams' positions.
                assert!((shortcut[doc] - score).abs() < 1e-5, "{body}");
            } else if body.contains("可観") {
                // Split by a comma: the words match, the bigram run does not, but all its
                // bigrams occur, so the shortcut adds their score anyway (module docs).
                assert!(shortcut[doc] > *score, "{body}");
            } else {
                // Without all the bigrams in the talk there is nothing to add.
                assert!((shortcut[doc] - score).abs() < 1e-5, "{body}");
            }
        }
    }
}
