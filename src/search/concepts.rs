//! Concept search in the index: what concept expansion needs from it, and how a query's
//! words become concepts.
//!
//! - **Learned pairs**: each talk's mined pairs (see [`crate::concepts::learn`]) are terms of
//!   the `pairs` field, `a␟b` in both orders, so the talks that write a pair are the documents
//!   holding its term: [`IndexLearned`] finds a word's partners with one range of the term
//!   dictionary per segment and counts the live documents (tantivy's document frequency
//!   still counts a replaced note's old document until a merge drops it, so a talk edited
//!   twice would count three times). A refresh that re-indexes a changed note keeps the
//!   counts current with no other bookkeeping.
//! - **Letter case**: the other fields are lower-cased, so a spelling flagged `case` (AI, not
//!   the given name Ai) is checked against the `cased` field, which holds every Latin word
//!   with a capital letter as written ([`CasedTokenizer`]).
//! - **Phrases**: [`merge_phrases`] finds words typed one after another that name a concept
//!   together (`Infrastructure as Code`, `service mesh`) and makes them one term.

use std::cell::RefCell;
use std::collections::HashMap;

use tantivy::TantivyDocument;
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{DocSet, Searcher, TERMINATED};

use crate::concepts::learn::{self, MIN_TALKS};
use crate::concepts::{Expansion, Learned, Thesaurus, key};
use crate::search::analysis;
use crate::search::query::{Atom, Clause};
use crate::search::schema::{Fields, Section};

pub const CASED_TOKENIZER: &str = "tn_cased";

/// The sections a concept's other spellings are looked for in: what a talk is about, not
/// who gave it (a speaker whose role is "SRE" does not make a talk about SRE) nor the
/// event's name. The spelling as typed is looked for everywhere, as any word is.
pub const CONTENT_SECTIONS: [Section; 6] = [
    Section::Title,
    Section::Tools,
    Section::Tags,
    Section::Takeaways,
    Section::Abstract,
    Section::Memo,
];

/// The Latin words of `text` that hold a capital letter, as written (after NFKC): what the
/// `cased` field indexes and a `case` spelling looks up.
pub fn cased_words(text: &str) -> impl Iterator<Item = &str> {
    // Cheap tests first: `is_alphanumeric` searches a table for every kana and kanji.
    text.split(|c: char| {
        !c.is_ascii_alphanumeric() && (analysis::is_cjk(c) || !c.is_alphanumeric())
    })
    .filter(|w| w.chars().any(char::is_uppercase))
}

/// tantivy adapter: the `cased` field's tokens.
#[derive(Clone)]
pub struct CasedTokenizer;

impl Tokenizer for CasedTokenizer {
    type TokenStream<'a> = CasedStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CasedStream {
        let normalized = analysis::normalize(text);
        let mut words: Vec<String> = cased_words(&normalized).map(str::to_owned).collect();
        words.sort();
        words.dedup();
        CasedStream {
            words,
            next: 0,
            token: Token::default(),
        }
    }
}

pub struct CasedStream {
    words: Vec<String>,
    next: usize,
    token: Token,
}

impl TokenStream for CasedStream {
    fn advance(&mut self) -> bool {
        let Some(word) = self.words.get(self.next) else {
            return false;
        };
        self.token.text.clear();
        self.token.text.push_str(word);
        self.token.position = self.next;
        self.next += 1;
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// What a talk document holds for concept search: its capitalised words (from every
/// section) and the pairs its own text writes side by side (title, abstract, takeaways,
/// memo: what the talk's writers wrote, not names, tags or the event's).
pub fn add_to_doc(fields: &Fields, texts: &[(Section, String)], doc: &mut TantivyDocument) {
    let all: Vec<&str> = texts
        .iter()
        .map(|(_, t)| t.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    if !all.is_empty() {
        doc.add_text(fields.cased, all.join("\n"));
    }
    let written = texts
        .iter()
        .filter(|(s, _)| {
            matches!(
                s,
                Section::Title | Section::Takeaways | Section::Abstract | Section::Memo
            )
        })
        .map(|(_, t)| t.as_str());
    for term in learn::terms(written) {
        doc.add_text(fields.pairs, term);
    }
}

/// Learned pairs as the index holds them.
pub struct IndexLearned<'a> {
    searcher: &'a Searcher,
    field: Field,
    /// Partners already looked up in this search.
    cache: RefCell<HashMap<String, Vec<(String, u64)>>>,
}

impl<'a> IndexLearned<'a> {
    pub fn new(searcher: &'a Searcher, field: Field) -> IndexLearned<'a> {
        IndexLearned {
            searcher,
            field,
            cache: RefCell::default(),
        }
    }

    /// Every term of the pairs field between `from` (included) and `to` (excluded), with
    /// the number of live talks holding it.
    fn terms(&self, from: &[u8], to: Option<&[u8]>) -> tantivy::Result<Vec<(String, u64)>> {
        let mut counts: HashMap<String, u64> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let inverted = segment.inverted_index(self.field)?;
            let mut range = inverted.terms().range().ge(from);
            if let Some(to) = to {
                range = range.lt(to);
            }
            let mut stream = range.into_stream()?;
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                let info = stream.value();
                let live = match segment.alive_bitset() {
                    None => u64::from(info.doc_freq),
                    Some(alive) => {
                        let mut postings =
                            inverted.read_postings_from_terminfo(info, IndexRecordOption::Basic)?;
                        let mut n = 0;
                        let mut doc = postings.doc();
                        while doc != TERMINATED {
                            n += u64::from(alive.is_alive(doc));
                            doc = postings.advance();
                        }
                        n
                    }
                };
                *counts.entry(term.to_owned()).or_default() += live;
            }
        }
        Ok(counts.into_iter().collect())
    }

    /// Every learned pair in force (seen in at least [`MIN_TALKS`] talks), each once, most
    /// talks first: for `tn concepts`.
    pub fn all(&self) -> tantivy::Result<Vec<(String, String, u64)>> {
        let mut pairs: Vec<(String, String, u64)> = self
            .terms(b"", None)?
            .into_iter()
            .filter(|(_, n)| *n >= MIN_TALKS)
            .filter_map(|(term, n)| {
                let (a, b) = learn::decode(&term)?;
                (a < b).then(|| (a.to_owned(), b.to_owned(), n))
            })
            .collect();
        pairs.sort_by(|x, y| y.2.cmp(&x.2).then_with(|| (&x.0, &x.1).cmp(&(&y.0, &y.1))));
        Ok(pairs)
    }
}

impl Learned for IndexLearned<'_> {
    fn partners(&self, k: &str) -> Vec<(String, u64)> {
        if let Some(found) = self.cache.borrow().get(k) {
            return found.clone();
        }
        let from = learn::encode(k, "");
        // The next string after every `k␟…`: the join character plus one.
        let to = format!(
            "{k}{}",
            char::from_u32(learn::PAIR_JOIN as u32 + 1).unwrap_or('~')
        );
        let found: Vec<(String, u64)> = self
            .terms(from.as_bytes(), Some(to.as_bytes()))
            .unwrap_or_default()
            .into_iter()
            .filter(|(_, n)| *n >= MIN_TALKS)
            .filter_map(|(term, n)| Some((learn::decode(&term)?.1.to_owned(), n)))
            .collect();
        self.cache.borrow_mut().insert(k.to_owned(), found.clone());
        found
    }
}

/// A pair learned from the notes, as `tn concepts` lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
pub struct LearnedPair {
    pub a: String,
    pub b: String,
    /// In how many talks the two are written side by side.
    pub talks: u64,
}

/// Every equivalence in force in a knowledge base.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct Equivalences {
    /// The glossary's concepts and the user's, vetoes applied.
    pub concepts: Vec<crate::concepts::Concept>,
    /// Pairs written side by side in enough talks.
    pub learned: Vec<LearnedPair>,
    /// The user's vetoes.
    pub vetoes: Vec<crate::concepts::user::Veto>,
    /// Why the user's file is not used, if it is not.
    #[serde(skip)]
    pub problems: Vec<crate::error::NoteError>,
}

/// The most words typed one after another that are tried as one concept.
pub const MAX_PHRASE_WORDS: usize = 6;

/// Whether a clause is one plain word that may join a phrase.
fn plain_word(clause: &Clause) -> Option<&str> {
    match clause.any_of.as_slice() {
        [
            Atom::Text {
                text,
                prefix: false,
                literal: false,
            },
        ] if !clause.negated => Some(text),
        _ => None,
    }
}

/// Joins words typed one after another into one term where together they name a concept
/// (`Infrastructure as Code` is matched as that phrase, in any of its spellings, not as
/// three words anywhere in a talk). The longest such run wins, from the left.
pub fn merge_phrases(clauses: &mut Vec<Clause>, thesaurus: &Thesaurus, learned: &dyn Learned) {
    let mut i = 0;
    while i < clauses.len() {
        let mut merged = None;
        let most = (clauses.len() - i).min(MAX_PHRASE_WORDS);
        for n in (2..=most).rev() {
            let words: Option<Vec<&str>> = clauses[i..i + n].iter().map(plain_word).collect();
            let Some(words) = words else { continue };
            let phrase = words.join(" ");
            if key(&phrase).contains(' ') && thesaurus.names_phrase(&phrase, learned) {
                merged = Some((n, phrase));
                break;
            }
        }
        if let Some((n, phrase)) = merged {
            clauses.splice(
                i..i + n,
                [Clause {
                    negated: false,
                    any_of: vec![Atom::Text {
                        text: phrase,
                        prefix: false,
                        literal: false,
                    }],
                }],
            );
        }
        i += 1;
    }
}

/// What a query word expands to, unless it is literal.
pub fn expand(atom: &Atom, thesaurus: &Thesaurus, learned: &dyn Learned) -> Option<Expansion> {
    match atom {
        Atom::Text {
            text,
            literal: false,
            ..
        } => thesaurus.expand(text, learned),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::concepts::NothingLearned;
    use crate::search::query::parse;

    #[test]
    fn cased_words_keep_their_capitals() {
        let words: Vec<&str> = cased_words("生成AIとAi Tanaka、ai and Rust").collect();
        assert_eq!(words, ["AI", "Ai", "Tanaka", "Rust"]);
    }

    #[test]
    fn words_that_name_a_concept_together_become_one_term() {
        let t = Thesaurus::shipped();
        let mut q = parse("Infrastructure as Code 入門 service mesh", false);
        merge_phrases(&mut q.clauses, &t, &NothingLearned);
        let texts: Vec<String> = q
            .clauses
            .iter()
            .map(|c| match &c.any_of[0] {
                Atom::Text { text, .. } => text.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(texts, ["Infrastructure as Code", "入門", "service mesh"]);
        // Literal words, negations and alternatives stay as they are.
        for query in ["=service mesh", "-service mesh", "service OR mesh"] {
            let mut q = parse(query, false);
            let before = q.clauses.clone();
            merge_phrases(&mut q.clauses, &t, &NothingLearned);
            assert_eq!(q.clauses, before, "{query}");
        }
    }
}
