//! A wrapper that makes any query safe to use as a `MustNot` clause.
//!
//! tantivy 0.27 checks exclusion sets with `DocSet::seek_danger`, and `PhraseScorer`'s
//! override asserts `target >= doc()` even though the trait allows a target below the current
//! document (tantivy issue #2811). A negated phrase (`移行 -データプレーン`, where the excluded
//! words are a bigram run) then panics in debug builds. The wrapper hides the override, so the
//! trait's default, which seeks only forward and never leaves the scorer invalid, is used.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader};

/// `inner`, matched through plain `seek` only.
#[derive(Debug)]
pub(crate) struct SeekSafe(pub(crate) Box<dyn Query>);

impl Clone for SeekSafe {
    fn clone(&self) -> Self {
        SeekSafe(self.0.box_clone())
    }
}

impl Query for SeekSafe {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(SeekSafeWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a tantivy::Term, bool)) {
        self.0.query_terms(visitor);
    }
}

struct SeekSafeWeight(Box<dyn Weight>);

impl Weight for SeekSafeWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(SeekSafeScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

struct SeekSafeScorer(Box<dyn Scorer>);

// `seek_danger` is deliberately not forwarded: see the module docs.
impl DocSet for SeekSafeScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.0.seek(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }
}

impl Scorer for SeekSafeScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}
