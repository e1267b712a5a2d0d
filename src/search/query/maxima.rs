//! The most a term can score in one segment: its postings' best pairs of field length and
//! term frequency, read once per segment and remembered.
//!
//! WAND ([`super::pruned`]) skips a talk when the leaves on it could not together beat the
//! k-th best score, and it knows of each leaf only a bound. A bound that holds for the whole
//! index must allow a term to occur without end in a field of length zero, which no talk
//! does: on the generated corpus at 100k, `Kubernetes` in an abstract was bounded at 15.4
//! where no talk scored above 7.7. With such bounds any two sections of a talk holding the
//! word summed above the 10th best, and some 60,000 talks per query were taken up and then
//! turned down one by one. The best a term really scores in a segment follows from the
//! pairs (field length, frequency) its postings hold that no other pair beats on both
//! counts; BM25 falls with length and rises with frequency, so for any weight (any idf,
//! boost, or average length) the best score is that of one of them. A segment never
//! changes, so the pairs are read once, by one pass over the postings, and kept per process
//! (a search that types on in the TUI, or the same word searched again, reads none).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use tantivy::fieldnorm::FieldNormReader;
use tantivy::index::SegmentId;
use tantivy::query::Bm25Weight;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Score, SegmentReader, Term};

/// Pairs (field length id, term frequency), shorter first, each more frequent than every
/// shorter one: none is beaten on both counts by another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Frontier(Vec<(u8, u32)>);

impl Frontier {
    /// From the highest frequency seen at each field length id.
    fn of(most_at: &[u32; 256]) -> Frontier {
        let mut pairs = Vec::new();
        let mut best = 0;
        for (id, &tf) in most_at.iter().enumerate() {
            if tf > best {
                best = tf;
                pairs.push((id as u8, tf));
            }
        }
        Frontier(pairs)
    }

    /// The most `bm25` scores any of the postings, each at its own length or, when given,
    /// every one at `length`.
    pub(crate) fn best(&self, bm25: &Bm25Weight, length: Option<u8>) -> Score {
        match length {
            // At one length the most frequent pair is best: it is the last.
            Some(length) => self.0.last().map_or(0.0, |&(_, tf)| bm25.score(length, tf)),
            None => self
                .0
                .iter()
                .map(|&(id, tf)| bm25.score(id, tf))
                .fold(0.0, Score::max),
        }
    }
}

/// What a frontier is kept under: the segment, the term, and the field whose lengths it
/// was read with (a dictionary word's frequency may be scored at its bigram field's length).
type Key = (SegmentId, Term, Field);

/// Frontiers kept per process, for segments that never change. Bounded: when full, it is
/// emptied (a long TUI session over many indexes re-reads what it needs).
static KEPT: OnceLock<Mutex<HashMap<Key, Arc<Frontier>>>> = OnceLock::new();
const KEPT_MOST: usize = 50_000;

/// `term`'s frontier in `reader`'s segment, with the lengths of `lengths` (a field of the
/// same segment, read by `norms`). Empty when the term is not there.
pub(crate) fn frontier(
    reader: &SegmentReader,
    term: &Term,
    lengths: Field,
    norms: &FieldNormReader,
) -> tantivy::Result<Arc<Frontier>> {
    let key = (reader.segment_id(), term.clone(), lengths);
    let kept = KEPT.get_or_init(Default::default);
    // A panic elsewhere while it was held leaves whole frontiers: keep using them.
    let lock = || kept.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(found) = lock().get(&key).cloned() {
        return Ok(found);
    }
    let mut most_at = [0u32; 256];
    let inverted = reader.inverted_index(term.field())?;
    if let Some(info) = inverted.get_term_info(term)? {
        let mut block =
            inverted.read_block_postings_from_terminfo(&info, IndexRecordOption::WithFreqs)?;
        while !block.docs().is_empty() {
            let freqs = block.freqs();
            for (i, &doc) in block.docs().iter().enumerate() {
                // A field indexed without frequencies scores each posting as occurring once.
                let tf = freqs.get(i).copied().unwrap_or(1);
                let id = &mut most_at[norms.fieldnorm_id(doc) as usize];
                *id = (*id).max(tf);
            }
            block.advance();
        }
    }
    let found = Arc::new(Frontier::of(&most_at));
    let mut k = lock();
    if k.len() >= KEPT_MOST {
        k.clear();
    }
    k.insert(key, found.clone());
    Ok(found)
}

/// The most `bm25` scores `term` in `reader`'s segment, each posting at its own length.
pub(crate) fn term_bound(
    reader: &SegmentReader,
    term: &Term,
    bm25: &Bm25Weight,
) -> tantivy::Result<Score> {
    let field = term.field();
    Ok(frontier(reader, term, field, &lengths(reader, field)?)?.best(bm25, None))
}

/// The lengths of `field` in `reader`'s segment, as tantivy's term scorer reads them: one
/// token each in a field that keeps none.
pub(crate) fn lengths(reader: &SegmentReader, field: Field) -> tantivy::Result<FieldNormReader> {
    Ok(match reader.fieldnorms_readers().get_field(field)? {
        Some(norms) => norms,
        None => FieldNormReader::constant(reader.max_doc(), 1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_frontier_keeps_only_pairs_no_other_beats_on_both_counts() {
        let mut most_at = [0u32; 256];
        most_at[3] = 2;
        most_at[5] = 1; // longer and rarer than (3, 2): beaten
        most_at[9] = 4;
        most_at[20] = 4; // as frequent as (9, 4) but longer: beaten
        most_at[40] = 7;
        assert_eq!(Frontier::of(&most_at).0, vec![(3, 2), (9, 4), (40, 7)]);
        assert_eq!(Frontier::of(&[0; 256]).0, vec![]);
    }

    #[test]
    fn the_best_score_is_that_of_the_best_posting() {
        let bm25 = Bm25Weight::for_one_term(100, 10_000, 30.0);
        let mut most_at = [0u32; 256];
        let pairs = [(3u8, 1u32), (12, 2), (12, 1), (30, 5), (31, 2), (80, 9)];
        for &(id, tf) in &pairs {
            most_at[id as usize] = most_at[id as usize].max(tf);
        }
        let frontier = Frontier::of(&most_at);
        let by_hand = pairs
            .iter()
            .map(|&(id, tf)| bm25.score(id, tf))
            .fold(0.0, Score::max);
        assert_eq!(frontier.best(&bm25, None), by_hand);
        assert!(by_hand < bm25.max_score());
        // At one length, the most frequent posting.
        assert_eq!(frontier.best(&bm25, Some(12)), bm25.score(12, 9));
        assert_eq!(Frontier::of(&[0; 256]).best(&bm25, None), 0.0);
    }
}
