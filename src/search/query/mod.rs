//! Search requests: parsing what a user typed, and turning it into ranked hits.
//!
//! Parsing is lenient: half-typed input (an open quote, a dangling `OR`, `tag:` with nothing
//! after it, an unknown `field:`) is never an error, because the TUI searches on every
//! keystroke. Terms are ANDed; each term matches when its dictionary words (as a phrase) or its
//! bigrams (as a contiguous run) occur in any section, so a word inside a katakana compound
//! is found, and a scattered set of bigrams is not.
//!
//! Parsing and query building stay in one file (over 600 lines with tests) because each filter's
//! syntax and the tantivy query it becomes are read together; the scorer of one word in one
//! section is [`section`], the exclusion wrapper [`exclusion`].

mod exclusion;
mod maxima;
mod pruned;
mod section;
mod spelling;

use std::ops::Bound;
use std::path::Path;

use tantivy::collector::TopDocs;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhrasePrefixQuery,
    Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, Order, TantivyDocument, Term};

use crate::concepts::user::UserConcepts;
use crate::concepts::{Expanded, Expansion, Shipped, Thesaurus};
use crate::error::{Error, Result};
use crate::note::{Date, Rating, Speaker, TalkKind, TalkRef, TalkStatus};
use crate::search::analysis::{self, Morphology, Normal};
use crate::search::concepts;
use crate::search::index::{SearchIndex, date_number, stored_text};
use crate::search::schema::{self, DocType, Fields, Section, Weight};
use crate::search::snippet::{self, Matched, Needles, Snippet};
use pruned::{Leaf, Pruned};
use section::SectionQuery;

/// Longest query text considered; the rest is ignored (a pasted page is not a query).
const MAX_QUERY_CHARS: usize = 1_000;
/// Most terms considered.
const MAX_ATOMS: usize = 32;
/// Dictionary-word matches rank above bigram matches of the same section.
const JA_BOOST: f32 = 1.5;

/// What a user asks for.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    /// Most hits wanted; any number, since there can never be more hits than documents (see
    /// [`cap`]).
    pub limit: usize,
    /// Let the last word match as a prefix (search as you type).
    pub prefix: bool,
    /// Match every word as typed: no concept expansion (`tn search --literal`).
    pub literal: bool,
    /// When nothing matches, let each word that matches no talk as a whole word match as a
    /// prefix (`Kuber` finds Kubernetes); [`SearchResults::prefixed`] says which did. The CLI
    /// asks for it; the TUI already matches its last word as a prefix.
    pub prefix_fallback: bool,
}

/// One ranked result, read back from the index's stored fields (the note file is not read).
/// It serializes as the middle of the JSON hit (`cli::output::HitRow`), which adds its id,
/// event and snippet around it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, schemars::JsonSchema)]
pub struct Hit {
    #[serde(skip)]
    pub id: TalkRef,
    pub event_name: Option<String>,
    pub title: String,
    pub url: Option<String>,
    pub kind: TalkKind,
    /// The talk's date, else its event's first day.
    pub date: Option<Date>,
    pub speakers: Vec<Speaker>,
    /// Where the talk stands for its reader (starred, attended, to watch, ...).
    pub status: Option<TalkStatus>,
    pub rating: Option<Rating>,
    /// Relevance (BM25 with section boosts); 0 when no words were searched.
    pub score: f32,
    #[serde(skip)]
    pub snippet: Snippet,
    /// Highlights within the title (byte ranges).
    #[serde(skip)]
    pub title_highlights: Vec<std::ops::Range<usize>>,
    /// For each query word that names a concept, the spellings of it this talk writes.
    pub matched: Vec<Matched>,
}

#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub hits: Vec<Hit>,
    /// The query's words and what each matched (`tn search --explain`, the TUI's `also:`).
    pub words: Vec<QueryWord>,
    /// Parts of the query that were ignored, and why.
    pub warnings: Vec<String>,
    /// Why the user's concepts file was not used (the search went on without it).
    pub concepts_problems: Vec<crate::error::NoteError>,
    /// Set when the index was found damaged and rebuilt to answer (see
    /// [`crate::search::Engine`]): the one-line notice for the user.
    pub notice: Option<String>,
    /// Words that matched no talk as whole words and were matched as prefixes instead (see
    /// [`SearchRequest::prefix_fallback`]).
    pub prefixed: Vec<String>,
    /// No talk had the words in its own text: these hits have them in their event's name or
    /// track only.
    pub by_context: bool,
    /// The query's one word, when fewer talks than asked for were found and `--prefix` finds
    /// more, through longer words that start with it; how many it finds, up to the limit; and
    /// whether that is the limit (there may be more). See [`could_prefix`].
    pub could_prefix: Option<(String, usize, bool)>,
}

impl SearchResults {
    /// The one line that tells the user about [`SearchResults::by_context`], if set.
    pub fn context_notice(&self) -> Option<String> {
        self.by_context.then(|| {
            "no talk has these words in its own text; showing talks whose event name or track has them"
                .to_owned()
        })
    }

    /// The one line that tells the user about [`SearchResults::could_prefix`], if set.
    pub fn could_prefix_notice(&self) -> Option<String> {
        let (word, found, more) = self.could_prefix.as_ref()?;
        let or_more = if *more { " or more" } else { "" };
        Some(format!(
            "{found}{or_more} talks have words that start with `{word}` (this search found {}); \
             add --prefix to find them",
            self.hits.len()
        ))
    }

    /// The one line that tells the user about [`SearchResults::prefixed`], if any.
    pub fn prefixed_notice(&self) -> Option<String> {
        let words: Vec<String> = self.prefixed.iter().map(|w| format!("`{w}`")).collect();
        match words.as_slice() {
            [] => None,
            [word] => Some(format!(
                "no talk has the word {word}; showing talks with words that start with it"
            )),
            _ => Some(format!(
                "no talk has the words {}; showing talks with words that start with them",
                words.join(", ")
            )),
        }
    }
}

impl SearchResults {
    /// What the query's words matched besides themselves, in query order (excluded words
    /// left out).
    pub fn expansions(&self) -> impl Iterator<Item = &Expansion> {
        self.words
            .iter()
            .filter(|w| !w.negated)
            .filter_map(|w| w.expansion.as_ref())
    }
}

/// A word (or phrase) of a query, as searched.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryWord {
    pub text: String,
    /// Excluded (`-word`).
    pub negated: bool,
    /// Matched as typed only (`=word` or `--literal`).
    pub literal: bool,
    /// The other spellings it matched, when it names a concept.
    pub expansion: Option<Expansion>,
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedQuery {
    pub clauses: Vec<Clause>,
    pub warnings: Vec<String>,
    /// `sort:rating` or `sort:date`; relevance (or recency, without words) otherwise.
    pub sort: Sort,
}

/// The order of the hits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// By relevance; the most recent first when no words were searched.
    #[default]
    Relevance,
    /// Best rated first (unrated last), then by relevance or recency.
    Rating,
    /// Most recent first, then by relevance.
    Date,
}

impl ParsedQuery {
    /// Whether any word (not a filter) is looked for.
    pub fn has_words(&self) -> bool {
        self.clauses
            .iter()
            .any(|c| !c.negated && c.any_of.iter().any(|a| matches!(a, Atom::Text { .. })))
    }
}

/// Alternatives joined by `OR`; a negated clause excludes what it matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    pub negated: bool,
    pub any_of: Vec<Atom>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Atom {
    /// A word or phrase; `literal` (`=word`) when it must not expand to a concept's other
    /// spellings.
    Text {
        text: String,
        prefix: bool,
        literal: bool,
    },
    Filter(Filter),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Event(String),
    Speaker(String),
    Tool(String),
    Tag(String),
    Kind(String),
    Year(u64),
    Date(Bound<u64>, Bound<u64>),
    Lang(String),
    /// A [`TalkStatus`] keyword, or `none`.
    Status(String),
    Rating(Bound<u64>, Bound<u64>),
    /// Any URL of the talk (its own, its links', its tools') holds these words, the last one
    /// as a prefix: `url:speakerdeck`, `url:event.cloudnativedays.jp/cnds2024`.
    Url(String),
    /// A value that does not read (`status:wathced`): no talk.
    Nothing,
}

/// Splits input into words, honouring quotes (`"…"`, `“…”`, `「…」`); an unclosed quote runs
/// to the end. Returns (word, was_quoted).
fn words(input: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut chars = input.chars().peekable();
    let mut current = String::new();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        let close = match c {
            '"' => Some('"'),
            '“' => Some('”'),
            '「' => Some('」'),
            _ => None,
        };
        if let Some(close) = close {
            // A quote opens a phrase; text glued before it (`-`, `speaker:`) stays its prefix.
            let mut phrase = String::new();
            for c in chars.by_ref() {
                if c == close || (close == '"' && c == '”') {
                    break;
                }
                phrase.push(c);
            }
            current.push_str(&phrase);
            quoted = true;
            continue;
        }
        if c.is_whitespace() {
            if !current.is_empty() || quoted {
                out.push((std::mem::take(&mut current), quoted));
            }
            quoted = false;
        } else {
            current.push(c);
        }
    }
    if !current.is_empty() || quoted {
        out.push((current, quoted));
    }
    out
}

/// Parses a query. `prefix` marks the last plain word as a prefix unless the input ends with
/// a space (the word is complete).
pub fn parse(input: &str, prefix: bool) -> ParsedQuery {
    let mut parsed = ParsedQuery::default();
    let input: String = input.chars().take(MAX_QUERY_CHARS).collect();
    // Full-width spaces, letters and signs become ASCII first: `ｔａｇ：ebpf` is a filter.
    let normalized: String = input
        .chars()
        .map(|c| if c == '\u{3000}' { ' ' } else { c })
        .collect();
    let mut join_next = false;
    for (word, quoted) in words(&normalized) {
        if parsed.clauses.iter().map(|c| c.any_of.len()).sum::<usize>() >= MAX_ATOMS {
            parsed
                .warnings
                .push(format!("only the first {MAX_ATOMS} terms are used"));
            break;
        }
        if !quoted && word == "OR" {
            join_next = !parsed.clauses.is_empty();
            continue;
        }
        let (negated, body) = match word.strip_prefix(['-', '－']) {
            Some(rest) if !rest.is_empty() || quoted => (true, rest.to_owned()),
            Some(_) => continue, // a lone `-` while typing
            None => (false, word.clone()),
        };
        // `=word`: this word as typed, without its concept's other spellings.
        let (literal, body) = match body.strip_prefix(['=', '＝']) {
            Some(rest) if !rest.is_empty() || quoted => (true, rest.to_owned()),
            Some(_) => continue, // a lone `=` while typing
            None => (false, body),
        };
        let mut sort = None;
        let found = atom(&body, quoted, &mut parsed.warnings, &mut sort);
        if let Some(sort) = sort {
            parsed.sort = sort;
        }
        let Some(mut atom) = found else {
            continue;
        };
        if let Atom::Text { literal: l, .. } = &mut atom {
            *l = literal;
        }
        match parsed.clauses.last_mut() {
            Some(last) if join_next && last.negated == negated => last.any_of.push(atom),
            _ => parsed.clauses.push(Clause {
                negated,
                any_of: vec![atom],
            }),
        }
        join_next = false;
    }
    if prefix && !input.ends_with(char::is_whitespace) {
        let last = parsed
            .clauses
            .last_mut()
            .filter(|c| !c.negated)
            .and_then(|c| c.any_of.last_mut());
        if let Some(Atom::Text { text, prefix, .. }) = last
            && !text.contains(' ')
        {
            *prefix = true;
        }
    }
    parsed
}

/// The filter names `atom` reads, for the warning about one it does not.
const FILTER_NAMES: &str =
    "event:, speaker:, tool:, tag:, kind:, lang:, url:, year:, status:, rating:, date: and sort:";

fn atom(
    word: &str,
    quoted: bool,
    warnings: &mut Vec<String>,
    sort: &mut Option<Sort>,
) -> Option<Atom> {
    let text_atom = |text: &str| {
        let text = text.trim();
        (!text.is_empty()).then(|| Atom::Text {
            text: text.to_owned(),
            prefix: false,
            literal: false,
        })
    };
    // `field:value`, with the field name in any width or case.
    if let Some((name, value)) = word.split_once([':', '：'])
        && !name.is_empty()
    {
        let name = analysis::name_key(name);
        let value = value.trim();
        if name == "sort" {
            match analysis::name_key(value).as_str() {
                "" => {}
                "rating" | "rate" | "stars" => *sort = Some(Sort::Rating),
                "date" | "new" | "newest" => *sort = Some(Sort::Date),
                _ => warnings.push(format!(
                    "ignored `sort:{value}`: write sort:rating or sort:date"
                )),
            }
            return None;
        }
        let filter = match name.as_str() {
            "event" => Some(Filter::Event(value.to_lowercase())),
            "speaker" => Some(Filter::Speaker(value.to_owned())),
            "tool" => Some(Filter::Tool(value.to_owned())),
            "tag" => Some(Filter::Tag(value.to_owned())),
            "kind" => Some(Filter::Kind(value.to_lowercase())),
            "lang" => Some(Filter::Lang(value.to_lowercase())),
            "url" => Some(Filter::Url(value.to_owned())),
            "year" => checked(
                &name,
                value,
                "a year is a number like 2024",
                warnings,
                |v| analysis::normalize(v).parse::<u64>().ok().map(Filter::Year),
            ),
            "status" => checked(
                &name,
                value,
                "write planned, attended, to-watch, watched, skipped or none",
                warnings,
                |v| status_value(v).map(|s| Filter::Status(s.to_owned())),
            ),
            "rating" => checked(
                &name,
                value,
                "write rating:4, rating:>=4 or rating:<3 (1 to 5)",
                warnings,
                rating_filter,
            ),
            "date" => checked(
                &name,
                value,
                "write date:2024-06-15, date:>=2024-01-01 or date:<2025-01-01",
                warnings,
                date_filter,
            ),
            // Not a filter name: search the text as typed (`C++:`, `http://…`), and say so
            // when the name reads like a mistyped filter (`speakr:…`, `foo:bar`): a typo
            // would otherwise look like a search with no results.
            _ => {
                if name.len() >= 2
                    && name.chars().all(|c| c.is_ascii_alphabetic())
                    && !value.is_empty()
                    && !value.starts_with("//")
                    && !value.starts_with([':', '：'])
                {
                    warnings.push(format!(
                        "`{name}:` is no filter, so `{word}` was searched as words; the filters \
                         are {FILTER_NAMES}"
                    ));
                }
                return text_atom(word);
            }
        };
        if value.is_empty() {
            // `tag:` while the value is still being typed.
            return None;
        }
        return filter.map(Atom::Filter);
    }
    let _ = quoted;
    text_atom(word)
}

/// The filter `name:value` stands for, read by `parse`; nothing while the value is still
/// empty (being typed). A value that does not read matches no talk, with a warning that says
/// what to write: dropping it instead listed every talk, as if they all matched a typo.
fn checked(
    name: &str,
    value: &str,
    hint: &str,
    warnings: &mut Vec<String>,
    parse: impl FnOnce(&str) -> Option<Filter>,
) -> Option<Filter> {
    if value.is_empty() {
        return None;
    }
    Some(parse(value).unwrap_or_else(|| {
        warnings.push(format!("no talk matches `{name}:{value}`: {hint}"));
        Filter::Nothing
    }))
}

/// The status a `status:` value names: a keyword, an alias (`starred`, `later`) or the
/// start of exactly one of them (the TUI searches while the word is typed).
fn status_value(value: &str) -> Option<&'static str> {
    const NAMES: &[(&str, &str)] = &[
        ("planned", "planned"),
        ("starred", "planned"),
        ("star", "planned"),
        ("attended", "attended"),
        ("to-watch", "to-watch"),
        ("towatch", "to-watch"),
        ("watch-later", "to-watch"),
        ("later", "to-watch"),
        ("watched", "watched"),
        ("skipped", "skipped"),
        ("none", "none"),
    ];
    let value = analysis::name_key(value).replace('_', "-");
    if value.is_empty() {
        return None;
    }
    if let Some((_, status)) = NAMES.iter().find(|(name, _)| *name == value) {
        return Some(status);
    }
    let mut matches: Vec<&str> = NAMES
        .iter()
        .filter(|(name, _)| name.starts_with(&value))
        .map(|(_, status)| *status)
        .collect();
    matches.dedup();
    match matches.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// `rating:4`, `rating:>=4`, `rating:<3`: ratings are 1 to 5; an unrated talk (0) never
/// satisfies a rating filter.
fn rating_filter(value: &str) -> Option<Filter> {
    let value = analysis::normalize(value);
    let (op, number) = ["<=", ">=", "<", ">", "="]
        .iter()
        .find_map(|op| value.strip_prefix(op).map(|rest| (*op, rest)))
        .unwrap_or(("=", value.as_str()));
    let n = Rating::new(number.trim().parse().ok()?)?.get().into();
    let (lo, hi) = match op {
        ">=" => (Bound::Included(n), Bound::Unbounded),
        ">" => (Bound::Excluded(n), Bound::Unbounded),
        "<=" => (Bound::Included(1), Bound::Included(n)),
        "<" => (Bound::Included(1), Bound::Excluded(n)),
        _ => (Bound::Included(n), Bound::Included(n)),
    };
    Some(Filter::Rating(lo, hi))
}

fn date_filter(value: &str) -> Option<Filter> {
    let value = analysis::normalize(value);
    let (op, date) = ["<=", ">=", "<", ">", "="]
        .iter()
        .find_map(|op| value.strip_prefix(op).map(|rest| (*op, rest)))
        .unwrap_or(("=", value.as_str()));
    let n = date_number(date.trim().parse::<Date>().ok()?);
    // 0 marks "no date": it never satisfies a date filter.
    let (lo, hi) = match op {
        ">=" => (Bound::Included(n), Bound::Unbounded),
        ">" => (Bound::Excluded(n), Bound::Unbounded),
        "<=" => (Bound::Included(1), Bound::Included(n)),
        "<" => (Bound::Included(1), Bound::Excluded(n)),
        _ => (Bound::Included(n), Bound::Included(n)),
    };
    Some(Filter::Date(lo, hi))
}

/// How talks are ordered when the query has no words to rank them by (empty, or filters
/// only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unranked {
    /// The talk's date (else its event's first day), newest first: `tn search`.
    #[default]
    Date,
    /// The note file's modification time, newest first: the TUI's recent talks.
    Changed,
}

/// Runs a search on an up-to-date index; `user` is the knowledge base's own concepts file
/// (see [`crate::concepts::user`]), if it has a valid one.
pub fn search(
    index: &SearchIndex,
    request: &SearchRequest,
    user: Option<&UserConcepts>,
) -> Result<SearchResults> {
    search_ordered(index, request, user, Unranked::Date)
}

/// Runs a search on an up-to-date index, listing talks in `unranked` order when there are no
/// words to rank them by.
pub fn search_ordered(
    index: &SearchIndex,
    request: &SearchRequest,
    user: Option<&UserConcepts>,
    unranked: Unranked,
) -> Result<SearchResults> {
    let mut parsed = parse(&request.query, request.prefix);
    let morphology = Morphology::shared()?;
    let searcher = index.searcher();
    let thesaurus = Thesaurus::new(Shipped::get(), user);
    let learned = concepts::IndexLearned::new(&searcher, index.fields().pairs);
    if !request.literal {
        concepts::merge_phrases(&mut parsed.clauses, &thesaurus, &learned);
    }
    let terms = Terms {
        morphology: &morphology,
        thesaurus: (!request.literal).then_some((&thesaurus, &learned)),
    };
    let mut results = run_with_context(index, &terms, &parsed, request.limit, unranked)?;
    if request.prefix_fallback && results.hits.is_empty() {
        let prefixed = widen(index, &morphology, &mut parsed)?;
        if !prefixed.is_empty() {
            results = run_with_context(index, &terms, &parsed, request.limit, unranked)?;
            results.prefixed = prefixed;
        }
    } else if request.prefix_fallback && !request.prefix && results.hits.len() < request.limit {
        results.could_prefix =
            could_prefix(index, &terms, &parsed, &results, request.limit, unranked)?;
    }
    Ok(results)
}

/// How a query's words become index terms: the dictionary, and the concepts a word names
/// (`None` for `--literal`).
struct Terms<'a> {
    morphology: &'a Morphology,
    thesaurus: Option<(&'a Thesaurus<'a>, &'a concepts::IndexLearned<'a>)>,
}

impl Terms<'_> {
    /// The other spellings `atom` matches, when it names a concept and may be expanded.
    fn expand(&self, atom: &Atom) -> Option<Expansion> {
        let (thesaurus, learned) = self.thesaurus?;
        concepts::expand(atom, thesaurus, learned)
    }

    /// A word in `sections`: its concept's spellings when it names one, else as typed.
    fn word(
        &self,
        fields: &Fields,
        text: &str,
        prefix: bool,
        expansion: Option<&Expansion>,
        sections: &[Section],
    ) -> Vec<Leaf> {
        match expansion {
            Some(e) => spelling::expansion_leaves(fields, self.morphology, e, prefix, sections),
            None => text_leaves(fields, self.morphology, text, prefix, sections),
        }
    }
}

/// Where a word may match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// Every word in the talk's own text or its context (its event's name, its track), and
    /// at least one word in its own text: the context only narrows (`kubecon ebpf`).
    OwnText,
    /// Every word in the talk's own text or its context: when nothing matches the talks' own
    /// text, a word found only in event names (`kubecon`) finds the talks of those events.
    Context,
}

/// Runs a parsed query on the talks' own text; when nothing matches there, on their context
/// too ([`Reach`]).
fn run_with_context(
    index: &SearchIndex,
    terms: &Terms,
    parsed: &ParsedQuery,
    limit: usize,
    unranked: Unranked,
) -> Result<SearchResults> {
    let results = run(index, terms, parsed, limit, unranked, Reach::OwnText)?;
    if !results.hits.is_empty() || !parsed.has_words() {
        return Ok(results);
    }
    let mut results = run(index, terms, parsed, limit, unranked, Reach::Context)?;
    results.by_context = !results.hits.is_empty();
    Ok(results)
}

/// The sections of a talk's own text: all but its context.
const OWN_TEXT: [Section; 9] = [
    Section::Title,
    Section::Tags,
    Section::Speakers,
    Section::Tools,
    Section::Takeaways,
    Section::Abstract,
    Section::Affiliations,
    Section::Memo,
    Section::Extra,
];

/// Runs a parsed query.
fn run(
    index: &SearchIndex,
    terms: &Terms,
    parsed: &ParsedQuery,
    limit: usize,
    unranked: Unranked,
    reach: Reach,
) -> Result<SearchResults> {
    let fields = index.fields();
    let morphology = terms.morphology;
    let mut must: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, is_talk(fields))];
    let mut has_text = false;
    let mut needles = Needles::default();
    let mut words = Vec::new();
    // Each word in the talk's own text; at least one of them must match (see `Reach`).
    let mut own_text: Vec<Box<dyn Query>> = Vec::new();
    // What a query of one word, filters and exclusions is made of: see `Pruned`.
    let mut required: Vec<Box<dyn Query>> = vec![is_talk(fields)];
    let mut excluded: Vec<Box<dyn Query>> = Vec::new();
    let mut scored: Vec<Vec<Leaf>> = Vec::new();
    let mut mixed = false;
    let word_count = parsed
        .clauses
        .iter()
        .filter(|c| !c.negated && c.any_of.iter().any(|a| matches!(a, Atom::Text { .. })))
        .count();
    for clause in &parsed.clauses {
        let mut leaves: Vec<Leaf> = Vec::new();
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        for atom in &clause.any_of {
            let (text, prefix, literal) = match atom {
                Atom::Text {
                    text,
                    prefix,
                    literal,
                } => (text, prefix, literal),
                // A filter narrows; it adds nothing to a score.
                Atom::Filter(filter) => {
                    filters.extend(
                        filter_query(fields, morphology, filter)
                            .map(|q| boxed(ConstScoreQuery::new(q, 0.0))),
                    );
                    continue;
                }
            };
            let expansion = terms.expand(atom);
            words.push(QueryWord {
                text: text.clone(),
                negated: clause.negated,
                literal: *literal || terms.thesaurus.is_none(),
                expansion: expansion.clone(),
            });
            if clause.negated {
                // An excluded word excludes every spelling of its concept, wherever it is.
                leaves.extend(terms.word(fields, text, *prefix, expansion.as_ref(), &Section::ALL));
                continue;
            }
            has_text = true;
            match &expansion {
                Some(e) => needles.add_expansion(e),
                None => needles.add_word(text, *prefix),
            }
            let own = terms.word(fields, text, *prefix, expansion.as_ref(), &OWN_TEXT);
            if !own.is_empty() {
                own_text.push(boxed(pruned::union(&own)));
                leaves.extend(own);
            }
            // One word alone that must match the talk's own text needs no context.
            let alone = word_count == 1 && reach == Reach::OwnText;
            if !alone {
                // The context (event name, track) is matched as typed: it only narrows.
                leaves.extend(text_leaves(
                    fields,
                    morphology,
                    text,
                    *prefix,
                    &[Section::Context],
                ));
            }
        }
        if leaves.is_empty() && filters.is_empty() {
            continue;
        }
        // What the clause is made of, for the pruned query (see below).
        let (has_leaves, has_filters) = (!leaves.is_empty(), !filters.is_empty());
        let mut alternatives = filters;
        if has_leaves {
            alternatives.push(boxed(pruned::union(&leaves)));
        }
        let query: Box<dyn Query> = if alternatives.len() == 1 {
            alternatives
                .into_iter()
                .next()
                .unwrap_or_else(|| Box::new(AllQuery))
        } else {
            Box::new(BooleanQuery::new(
                alternatives
                    .into_iter()
                    .map(|q| (Occur::Should, q))
                    .collect(),
            ))
        };
        if clause.negated {
            let query = exclusion::SeekSafe(query);
            excluded.push(Box::new(query.clone()));
            must.push((Occur::MustNot, Box::new(query)));
        } else {
            match (has_leaves, has_filters) {
                (false, _) => required.push(query.box_clone()),
                (true, false) => scored.push(leaves),
                (true, true) => mixed = true,
            }
            must.push((Occur::Must, query));
        }
    }
    if reach == Reach::OwnText && word_count > 1 && !own_text.is_empty() {
        // Scores nothing: the words' scores are counted by their own clauses. A required
        // filter of the pruned query too: a word that makes no terms (`&`) still counts in
        // `word_count`, which lets the context in.
        let any = BooleanQuery::new(own_text.into_iter().map(|q| (Occur::Should, q)).collect());
        let any = boxed(ConstScoreQuery::new(boxed(any), 0.0));
        required.push(any.box_clone());
        must.push((Occur::Must, any));
    }
    // One word (with filters and exclusions) skips talks that cannot make the top hits.
    let query: Box<dyn Query> = if scored.len() == 1 && !mixed {
        let leaves = scored.pop().unwrap_or_default();
        boxed(Pruned {
            required,
            excluded,
            leaves,
        })
    } else {
        boxed(BooleanQuery::new(must))
    };
    let order = HitOrder {
        has_text,
        sort: parsed.sort,
        unranked,
    };
    let hits = collect_hits(index, query.as_ref(), limit, order, &needles)?;
    Ok(SearchResults {
        hits,
        words,
        warnings: parsed.warnings.clone(),
        ..SearchResults::default()
    })
}

/// Makes a prefix of each word of `parsed` that no talk has as a whole word but some talk has
/// as the start of one (`Kuber`, `Falc`, `オブザ`); returns those words.
fn widen(
    index: &SearchIndex,
    morphology: &Morphology,
    parsed: &mut ParsedQuery,
) -> Result<Vec<String>> {
    let talks = |text: &str, prefix: bool| count_talks(index, morphology, text, prefix);
    let mut widened = Vec::new();
    for clause in parsed.clauses.iter_mut().filter(|c| !c.negated) {
        for atom in &mut clause.any_of {
            if let Atom::Text { text, prefix, .. } = atom
                && !*prefix
                && !text.contains(' ')
                && analysis::can_end_inside_a_word(text)
                && talks(text, false)? == 0
                && talks(text, true)? > 0
            {
                *prefix = true;
                widened.push(text.clone());
            }
        }
    }
    Ok(widened)
}

/// How many talks hold `text` (as a whole word, or with `prefix` as the start of one),
/// taken literally, anywhere in the talk.
fn count_talks(
    index: &SearchIndex,
    morphology: &Morphology,
    text: &str,
    prefix: bool,
) -> Result<usize> {
    let fields = index.fields();
    let Some(query) = text_query(fields, morphology, text, prefix, &Section::ALL) else {
        return Ok(0);
    };
    let query = BooleanQuery::new(vec![(Occur::Must, is_talk(fields)), (Occur::Must, query)]);
    let searcher = index.searcher();
    read(|| searcher.search(&query, &tantivy::collector::Count))
}

/// When a one-word search found fewer talks than asked for: the word, if `--prefix` finds
/// more talks, and how many it finds up to the limit (`kube` finds SpinKube, while the
/// Kubernetes talks are one flag away). The same search is run with the word as a prefix,
/// so the count is what `--prefix` shows. Only for a query of that one word (a note about
/// one of several words would not say which talks the others keep); not for a word that
/// names a concept (a whole word by what it means) nor one of one or two characters.
fn could_prefix(
    index: &SearchIndex,
    terms: &Terms,
    parsed: &ParsedQuery,
    results: &SearchResults,
    limit: usize,
    unranked: Unranked,
) -> Result<Option<(String, usize, bool)>> {
    let [clause] = parsed.clauses.as_slice() else {
        return Ok(None);
    };
    let [Atom::Text { text, prefix, .. }] = clause.any_of.as_slice() else {
        return Ok(None);
    };
    let named = results
        .words
        .iter()
        .any(|w| &w.text == text && w.expansion.is_some());
    if clause.negated
        || *prefix
        || named
        || text.contains(' ')
        || text.chars().count() < 3
        || !analysis::can_end_inside_a_word(text)
    {
        return Ok(None);
    }
    let mut prefixed = parsed.clone();
    if let Some(Atom::Text { prefix, .. }) = prefixed.clauses[0].any_of.first_mut() {
        *prefix = true;
    }
    let found = run_with_context(index, terms, &prefixed, limit, unranked)?
        .hits
        .len();
    Ok((found > results.hits.len()).then(|| (text.clone(), found, found >= limit)))
}

/// How hits are ordered: by `sort` when one is asked for (`sort:rating`, `sort:date`), else
/// by relevance when there are words, else in the `unranked` order.
#[derive(Debug, Clone, Copy)]
struct HitOrder {
    has_text: bool,
    sort: Sort,
    unranked: Unranked,
}

/// Runs the query and turns the top documents into hits, in `order`.
fn collect_hits(
    index: &SearchIndex,
    query: &dyn Query,
    limit: usize,
    order: HitOrder,
    needles: &Needles,
) -> Result<Vec<Hit>> {
    let fields = index.fields();
    let searcher = index.searcher();
    let limit = cap(limit, &searcher);
    // Without words to rank by, the most recent talks come first.
    let docs: Vec<(f32, DocAddress)> = if order.sort != Sort::Relevance {
        let has_text = order.has_text;
        read(|| searcher.search(query, &sorted(limit, order.sort)))?
            .into_iter()
            .map(|((_, _, score), addr)| (if has_text { score } else { 0.0 }, addr))
            .collect()
    } else if !order.has_text {
        let by = match order.unranked {
            Unranked::Date => schema::DATE,
            Unranked::Changed => schema::MTIME,
        };
        read(|| {
            searcher.search(
                query,
                &TopDocs::with_limit(limit).order_by_fast_field::<u64>(by, Order::Desc),
            )
        })?
        .into_iter()
        .map(|(_, addr)| (0.0, addr))
        .collect()
    } else {
        let stats = spelling::CachedStats::new(&searcher);
        read(|| {
            searcher.search_with_statistics_provider(query, &pruned::TopHits::new(limit), &stats)
        })?
    };
    // The hits' documents are read on the index's search threads, as its segments were
    // searched; their snippets are cut in two halves, one on a thread of its own: cutting
    // snippets was a fifth of a concept word's search at 100k talks, done on one core.
    let executor = searcher.index().search_executor();
    let read_docs = read(|| {
        executor.map(
            |(score, address)| Ok((score, searcher.doc::<TantivyDocument>(address)?)),
            docs.into_iter(),
        )
    })?;
    let several_cores = matches!(executor, tantivy::Executor::ThreadPool(_));
    let hits = in_two(&read_docs, several_cores, |(score, doc)| {
        hit(fields, doc, *score, needles)
    });
    Ok(hits.into_iter().flatten().collect())
}

/// `f` of each of `items`, in order; with `split`, the second half on a thread of its own.
/// Outside the index's guard (see `read`): a panic in `f` is tn's own bug, and shows as one.
fn in_two<T: Sync, R: Send>(items: &[T], split: bool, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if !split || items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let (first, second) = items.split_at(items.len() / 2);
    std::thread::scope(|scope| {
        let other = std::thread::Builder::new()
            .name("tn-hits".into())
            .spawn_scoped(scope, || second.iter().map(&f).collect::<Vec<R>>());
        let mut out: Vec<R> = first.iter().map(&f).collect();
        match other {
            Ok(other) => match other.join() {
                Ok(rest) => out.extend(rest),
                Err(panic) => std::panic::resume_unwind(panic),
            },
            // No thread to be had: the second half here too.
            Err(_) => out.extend(second.iter().map(&f)),
        }
        out
    })
}

/// A collector of the top `limit` documents by `sort` (rating or date, best first), ties
/// broken by the other of the two and then by relevance.
fn sorted(
    limit: usize,
    sort: Sort,
) -> impl tantivy::collector::Collector<Fruit = Vec<((u64, u64, f32), DocAddress)>> {
    TopDocs::with_limit(limit).tweak_score(move |segment: &tantivy::SegmentReader| {
        let column = |name: &str| {
            segment
                .fast_fields()
                .u64(name)
                .ok()
                .map(|c| c.first_or_default_col(0))
        };
        let (rating, date) = (column(schema::RATING), column(schema::DATE));
        move |doc: tantivy::DocId, score: f32| {
            let value = |c: &Option<std::sync::Arc<dyn tantivy::columnar::ColumnValues<u64>>>| {
                c.as_ref().map_or(0, |c| c.get_val(doc))
            };
            match sort {
                Sort::Date => (value(&date), value(&rating), score),
                _ => (value(&rating), value(&date), score),
            }
        }
    })
}

/// The number of hits to ask tantivy for: `limit`, but no more than the documents in the
/// index. tantivy reserves room for the limit up front, so `tn search -n 1000000000000000`
/// aborted on an 8e15-byte allocation, and `-n 18446744073709551615` overflowed into a panic
/// that was taken for a damaged index and rebuilt it: a caller's number is not damage.
fn cap(limit: usize, searcher: &tantivy::Searcher) -> usize {
    let documents = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
    limit.min(documents).max(1)
}

/// One read of the index. tantivy trusts its files, so a damaged one can make it panic: that
/// is reported as [`Error::Index`] too (see [`crate::guard`]), which callers answer with a
/// rebuild. Only tantivy's calls are guarded, so a bug in tn's own code still shows as one.
/// A request tantivy refuses (an argument out of its range) is the caller's error, not
/// damage, and is not answered with a rebuild.
fn read<T>(f: impl FnOnce() -> tantivy::Result<T>) -> Result<T> {
    let path = Path::new("index");
    crate::guard::index_call(path, || {
        f().map_err(|e| match e {
            tantivy::TantivyError::InvalidArgument(why) => {
                Error::Invalid(format!("search: invalid request: {why}"))
            }
            e => Error::Index {
                path: path.to_owned(),
                message: e.to_string(),
            },
        })
    })
}

/// Only talk documents; a filter, so it adds nothing to a score (as a scored term it added the
/// same small number to every hit, lifting a talk matched only by context above its worth).
fn is_talk(fields: &Fields) -> Box<dyn Query> {
    let term = TermQuery::new(
        Term::from_field_text(fields.doc_type, DocType::Talk.as_str()),
        IndexRecordOption::Basic,
    );
    Box::new(ConstScoreQuery::new(Box::new(term), 0.0))
}

/// A talk document as a hit; `None` for a document that is not one (it has no valid key).
fn hit(fields: &Fields, doc: &TantivyDocument, score: f32, needles: &Needles) -> Option<Hit> {
    let text = |field| stored_text(doc, field);
    let id: TalkRef = text(fields.key)?.parse().ok()?;
    let title = text(fields.title).unwrap_or_default();
    // Each section's stored text, read once: the snippet and `matched` both need them.
    let sections: Vec<(Section, String)> = Section::ALL
        .iter()
        .filter_map(|s| Some((*s, text(fields.section(*s).ja)?)))
        .collect();
    let of = |wanted: &[Section]| -> Vec<&str> {
        sections
            .iter()
            .filter(|(s, _)| wanted.contains(s))
            .map(|(_, t)| t.as_str())
            .collect()
    };
    let speakers: Vec<Speaker> = doc
        .get_all(fields.speakers)
        .filter_map(|v| {
            tantivy::schema::Value::as_str(&v).and_then(|s| serde_json::from_str(s).ok())
        })
        .collect();
    // A talk found through its tags, tools, link titles or a speaker's role or affiliation
    // (none of which a hit shows otherwise), and not through its own text, says so in its
    // snippet.
    let tags: Vec<String> = of(&[Section::Tags])
        .into_iter()
        .map(|t| {
            t.lines()
                .map(|tag| format!("#{tag}"))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let people: Vec<String> = speakers
        .iter()
        .filter_map(|s| {
            let about: Vec<&str> = [s.role.as_deref(), s.affiliation.as_deref()]
                .into_iter()
                .flatten()
                .collect();
            (!about.is_empty()).then(|| format!("{}: {}", s.name, about.join(", ")))
        })
        .collect();
    let mut snippet = snippet::best_of(
        &of(&[Section::Takeaways, Section::Abstract, Section::Memo]),
        needles,
        160,
    );
    if snippet.highlights.is_empty() {
        let why: Vec<&str> = tags
            .iter()
            .chain(&people)
            .map(String::as_str)
            .chain(of(&[Section::Tools, Section::Extra]))
            .collect();
        let why = snippet::best_of(&why, needles, 160);
        if !why.highlights.is_empty() {
            snippet = why;
        }
    }
    let title_highlights = snippet::highlights_of(&title, needles);
    let matched = needles.matched(&sections);
    let date = doc
        .get_first(fields.date)
        .and_then(|v| tantivy::schema::Value::as_u64(&v))
        .and_then(date_of_number);
    let status = text(fields.status).and_then(|s| s.parse().ok());
    let rating = doc
        .get_first(fields.rating)
        .and_then(|v| tantivy::schema::Value::as_u64(&v))
        .and_then(|r| u8::try_from(r).ok())
        .and_then(Rating::new);
    Some(Hit {
        event_name: text(fields.event_name),
        id,
        title,
        url: text(fields.url),
        kind: text(fields.kind)
            .and_then(|k| k.parse().ok())
            .unwrap_or_default(),
        date,
        speakers,
        status,
        rating,
        score,
        snippet,
        title_highlights,
        matched,
    })
}

/// The inverse of [`date_number`]; 0 (no date) and impossible dates give `None`.
fn date_of_number(n: u64) -> Option<Date> {
    let part = |n: u64| i8::try_from(n).ok();
    let year = i16::try_from(n / 10_000).ok()?;
    jiff::civil::Date::new(year, part(n / 100 % 100)?, part(n % 100)?)
        .ok()
        .map(Date)
}

fn boxed(query: impl Query) -> Box<dyn Query> {
    Box::new(query)
}

/// A term or phrase in the given sections: dictionary words as a phrase, or bigrams as a
/// contiguous run; any section will do.
fn text_query(
    fields: &Fields,
    morphology: &Morphology,
    text: &str,
    prefix: bool,
    sections: &[Section],
) -> Option<Box<dyn Query>> {
    let leaves = text_leaves(fields, morphology, text, prefix, sections);
    (!leaves.is_empty()).then(|| boxed(pruned::union(&leaves)))
}

/// The leaves of [`text_query`]: the word in each section, in each view.
fn text_leaves(
    fields: &Fields,
    morphology: &Morphology,
    text: &str,
    prefix: bool,
    sections: &[Section],
) -> Vec<Leaf> {
    let normal = Normal::new(text);
    let normalized = normal.as_str();
    let ja = analysis::paired(&morphology.tokens(&normal));
    // A word that ends in katakana and is still being typed may end inside a longer word:
    // its grams ask for no word boundary after it.
    let grams = analysis::query_grams(normalized, prefix);
    if ja.is_empty() && grams.is_empty() {
        return Vec::new();
    }
    // A prefix of letters is a prefix of the word's last term; CJK runs already match inside
    // words (see above for katakana).
    let prefix = prefix
        && grams.last().is_some_and(|g| {
            g.text
                .chars()
                .all(|c| c.is_alphanumeric() && !analysis::is_cjk(c))
        });
    // The dictionary words of a word that is one CJK run are the same characters as its
    // bigram run, so where they match the bigram run is not checked again (see `section`).
    let implied = !normalized.is_empty() && normalized.chars().all(analysis::is_cjk);
    let mut leaves = Vec::new();
    for section in sections {
        let f = fields.section(*section);
        let boost = section.weight().boost();
        let mut parts: Vec<Leaf> = Vec::new();
        if prefix {
            let query = PhrasePrefixQuery::new_with_offset(positioned(f.gram, &grams));
            parts.push(Leaf::Unbounded(boxed(BoostQuery::new(boxed(query), boost))));
        } else if ja.len() <= 1 && grams.len() <= 1 {
            // Single terms: tantivy's own term scorers (which, in a query of several words,
            // skip blocks that cannot reach the top results).
            for (tokens, field, boost) in [(&ja, f.ja, boost * JA_BOOST), (&grams, f.gram, boost)] {
                if let Some(token) = tokens.first() {
                    let term = Term::from_field_text(field, &token.text);
                    parts.push(Leaf::Term { term, boost });
                }
            }
        } else {
            parts.push(Leaf::Section(SectionQuery {
                ja: positioned(f.ja, &ja),
                gram: positioned(f.gram, &grams),
                ja_boost: boost * JA_BOOST,
                gram_boost: boost,
                implied,
            }));
        }
        match section.weight() {
            Weight::Ranked(_) => leaves.extend(parts),
            Weight::Context => leaves.push(Leaf::Fixed {
                query: boxed(pruned::union(&parts)),
                score: schema::CONTEXT_SCORE,
            }),
        }
    }
    leaves
}

/// Tokens as the terms of a phrase in `field`, with their offsets from the first one.
fn positioned(field: Field, tokens: &[analysis::Gram]) -> Vec<(usize, Term)> {
    let base = tokens.first().map_or(0, |t| t.position);
    tokens
        .iter()
        .map(|t| (t.position - base, Term::from_field_text(field, &t.text)))
        .collect()
}

fn filter_query(
    fields: &Fields,
    morphology: &Morphology,
    filter: &Filter,
) -> Option<Box<dyn Query>> {
    let exact = |field: Field, value: &str| -> Box<dyn Query> {
        boxed(TermQuery::new(
            Term::from_field_text(field, value),
            IndexRecordOption::Basic,
        ))
    };
    Some(match filter {
        // Event ids are long; a prefix (`event:cnds`) is enough.
        Filter::Event(id) => boxed(PhrasePrefixQuery::new_with_offset(vec![(
            0,
            Term::from_field_text(fields.event, id),
        )])),
        Filter::Kind(kind) => exact(fields.kind, kind),
        Filter::Lang(lang) => exact(fields.lang, lang),
        Filter::Tag(tag) => exact(fields.tag, &analysis::name_key(tag)),
        // Names, and affiliations and roles too: `speaker:サイボウズ` finds its people's talks.
        Filter::Speaker(name) => text_query(
            fields,
            morphology,
            name,
            false,
            &[Section::Speakers, Section::Affiliations],
        )?,
        Filter::Url(url) => {
            let mut analyzer = schema::url_analyzer();
            let mut stream = analyzer.token_stream(url);
            let mut terms = Vec::new();
            while let Some(token) = stream.next() {
                terms.push((terms.len(), Term::from_field_text(fields.urls, &token.text)));
            }
            if terms.is_empty() {
                return None;
            }
            boxed(PhrasePrefixQuery::new_with_offset(terms))
        }
        Filter::Tool(name) => text_query(fields, morphology, name, false, &[Section::Tools])?,
        Filter::Year(year) => boxed(TermQuery::new(
            Term::from_field_u64(fields.year, *year),
            IndexRecordOption::Basic,
        )),
        Filter::Date(lo, hi) => {
            let term = |n: &u64| Term::from_field_u64(fields.date, *n);
            boxed(RangeQuery::new(
                lo.as_ref().map(term),
                hi.as_ref().map(term),
            ))
        }
        Filter::Status(status) => exact(fields.status, status),
        Filter::Nothing => boxed(EmptyQuery),
        Filter::Rating(lo, hi) => {
            let term = |n: &u64| Term::from_field_u64(fields.rating, *n);
            boxed(RangeQuery::new(
                lo.as_ref().map(term),
                hi.as_ref().map(term),
            ))
        }
    })
}

/// Talks similar to `id`: the talk's most distinctive dictionary words, searched across the
/// index, the talk itself left out. `None` when the index holds no valid talk under that id
/// (an unknown id, or a note that does not parse).
///
/// A word of the talk that names a concept stands for its other spellings too (with the
/// user's concepts file, `user`, as a search reads it): a talk about コンテナ is related to
/// one about containers.
pub fn related(
    index: &SearchIndex,
    id: &TalkRef,
    limit: usize,
    user: Option<&crate::concepts::user::UserConcepts>,
) -> Result<Option<Vec<Hit>>> {
    let fields = index.fields();
    let searcher = index.searcher();
    let key_term = Term::from_field_text(fields.key, &id.to_string());
    let found = read(|| {
        searcher.search(
            &BooleanQuery::new(vec![
                (
                    Occur::Must,
                    boxed(TermQuery::new(key_term.clone(), IndexRecordOption::Basic)),
                ),
                (Occur::Must, is_talk(fields)),
            ]),
            &TopDocs::with_limit(1).order_by_score(),
        )
    })?;
    let Some((_, address)) = found.into_iter().next() else {
        return Ok(None);
    };
    let doc: TantivyDocument = read(|| searcher.doc(address))?;
    let title = stored_text(&doc, fields.title).unwrap_or_default();
    // Only the morphological views, so the shared event or kind does not make talks similar,
    // and the talk's own function words are stop words. The event's name, indexed among the
    // extra text, is left out too: every talk of the event has it.
    let event_name = stored_text(&doc, fields.event_name).unwrap_or_default();
    let without_event = |text: String| match text.strip_prefix(event_name.as_str()) {
        Some(rest) if !event_name.is_empty() && (rest.is_empty() || rest.starts_with('\n')) => {
            rest.trim_start_matches('\n').to_owned()
        }
        _ => text,
    };
    let morphology = Morphology::shared()?;
    let thesaurus = Thesaurus::new(Shipped::get(), user);
    let learned = concepts::IndexLearned::new(&searcher, fields.pairs);
    let mut texts = Vec::new();
    let mut sections = Vec::new();
    // Not the event's name or track: every talk of the event shares them.
    for section in Section::ALL.into_iter().filter(|s| *s != Section::Context) {
        let field = fields.section(section).ja;
        let values: Vec<tantivy::tokenizer::PreTokenizedString> = doc
            .get_all(field)
            .filter_map(|v| tantivy::schema::Value::as_str(&v).map(str::to_owned))
            .map(|text| match section {
                Section::Extra => without_event(text),
                _ => text,
            })
            .filter(|text| !text.is_empty())
            .map(|text| {
                let words = words_of(&morphology, &text);
                texts.push(text);
                words
            })
            .collect();
        if !values.is_empty() {
            sections.push((field, values));
        }
    }
    // The other spellings of the concepts the talk names, apart: the talk itself has none of
    // them (those it has are left out), so one other note with one is enough.
    let own: std::collections::HashSet<&str> = sections
        .iter()
        .flat_map(|(_, values)| values.iter().flat_map(|v| &v.tokens))
        .map(|t| t.text.as_str())
        .collect();
    let stop_words: Vec<String> = morphology
        .function_words(&texts.join("\n"))
        .into_iter()
        .collect();
    let stop: std::collections::HashSet<&str> = stop_words.iter().map(String::as_str).collect();
    let mut seen = std::collections::HashMap::new();
    let other_fields: Vec<(Field, Vec<tantivy::schema::OwnedValue>)> = sections
        .iter()
        .map(|(field, values)| {
            let others = values.iter().map(|words| {
                let mut tokens =
                    other_spellings(words, &morphology, &thesaurus, &learned, &stop, &mut seen);
                tokens.retain(|t| !own.contains(t.text.as_str()));
                tantivy::schema::OwnedValue::PreTokStr(tantivy::tokenizer::PreTokenizedString {
                    text: String::new(),
                    tokens,
                })
            });
            (*field, others.collect())
        })
        .collect();
    let doc_fields: Vec<(Field, Vec<tantivy::schema::OwnedValue>)> = sections
        .into_iter()
        .map(|(field, values)| {
            let values = values
                .into_iter()
                .map(tantivy::schema::OwnedValue::PreTokStr);
            (field, values.collect())
        })
        .collect();
    // The query keeps the talk's 40 most distinctive words, and a word no other note has is
    // the most distinctive of all: a talk with many words of its own (a long abstract) got
    // only those, which match nothing else, and its related list was empty while others
    // listed it first. So a word must be in another note too (the talk counts once). That
    // count comes from the index statistics, which also count a deleted older version of the
    // talk until segments merge: when the best words still find nothing, every word of the
    // talk is asked for, so any other talk that shares one is found. The other spellings of
    // its concepts (which the talk does not write) need one note, and weigh as a search weighs
    // a glossary spelling against the word as typed: below the talk's own words.
    let more_like = |fields, min_doc_frequency: u64, max_query_terms: usize| {
        tantivy::query::MoreLikeThisQuery::builder()
            .with_min_doc_frequency(min_doc_frequency)
            .with_min_term_frequency(1)
            .with_max_query_terms(max_query_terms)
            .with_stop_words(stop_words.clone())
            .with_document_fields(fields)
    };
    let like = |min_doc_frequency: u64, max_query_terms: usize| {
        let like = BooleanQuery::new(vec![
            (
                Occur::Should,
                boxed(more_like(
                    doc_fields.clone(),
                    min_doc_frequency,
                    max_query_terms,
                )),
            ),
            (
                Occur::Should,
                boxed(BoostQuery::new(
                    boxed(more_like(other_fields.clone(), 1, max_query_terms)),
                    crate::concepts::Source::Curated.weight(),
                )),
            ),
        ]);
        BooleanQuery::new(vec![
            (Occur::Must, boxed(like)),
            (Occur::Must, is_talk(fields)),
            (
                Occur::MustNot,
                boxed(TermQuery::new(key_term.clone(), IndexRecordOption::Basic)),
            ),
        ])
    };
    let limit = cap(limit, &searcher);
    let top = TopDocs::with_limit(limit).order_by_score();
    let mut docs = read(|| searcher.search(&like(2, 40), &top))?;
    if docs.is_empty() {
        docs = read(|| searcher.search(&like(1, usize::MAX), &top))?;
    }
    let mut needles = Needles::default();
    needles.add_word(&title, false);
    let mut hits = Vec::with_capacity(docs.len());
    for (score, address) in docs {
        let doc: TantivyDocument = read(|| searcher.doc(address))?;
        hits.extend(hit(fields, &doc, score, &needles));
    }
    Ok(Some(hits))
}

/// The words of the other spellings of every concept `words` names: what the talk is about,
/// in every spelling another talk may use. Dictionary words are looked up as they are,
/// alone and up to three in a row; Latin words as written (the dictionary view stems them:
/// `container` is indexed as `contain`), alone and up to six in a row. A spelling that must
/// be written with its capitals (`Go`) counts only so written; function words (`stop`) name
/// nothing. `seen` holds each word's answer, so a word is looked up once per talk. The
/// tokens carry no positions: the similarity query reads none.
fn other_spellings(
    words: &tantivy::tokenizer::PreTokenizedString,
    morphology: &Morphology,
    thesaurus: &Thesaurus,
    learned: &concepts::IndexLearned,
    stop: &std::collections::HashSet<&str>,
    seen: &mut std::collections::HashMap<String, Vec<String>>,
) -> Vec<tantivy::tokenizer::Token> {
    let mut named = Vec::new();
    // Runs of Latin words, and in each every word and every few words in a row
    // (`service mesh`, `Infrastructure as Code`).
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '/';
    for run in words.text.split(|c: char| !(is_word(c) || c == ' ')) {
        let run: Vec<&str> = run.split(' ').filter(|w| !w.is_empty()).collect();
        for start in 0..run.len() {
            for end in start + 1..=run.len().min(start + concepts::MAX_PHRASE_WORDS) {
                named.push(run[start..end].join(" "));
            }
        }
    }
    // Dictionary words, alone and a few in a row (`サービス` `メッシュ`: `サービスメッシュ`).
    let cjk: Vec<&tantivy::tokenizer::Token> = words
        .tokens
        .iter()
        .filter(|t| !crate::concepts::is_latin(&t.text))
        .collect();
    for start in 0..cjk.len() {
        let mut joined = String::new();
        for (k, token) in cjk[start..].iter().take(3).enumerate() {
            if k > 0 && token.position != cjk[start + k - 1].position + 1 {
                break;
            }
            joined.push_str(&token.text);
            named.push(joined.clone());
        }
    }
    let mut tokens = Vec::new();
    for word in named {
        if stop.contains(word.to_lowercase().as_str()) {
            continue;
        }
        let spellings = seen.entry(word).or_insert_with_key(|word| {
            let Some(expansion) = thesaurus.expand(word, learned) else {
                return Vec::new();
            };
            let cased = |s: &Expanded| s.spelling.term.flags.case && s.spelling.term.text != *word;
            if expansion.spellings.iter().any(|s| s.typed && cased(s)) {
                return Vec::new();
            }
            expansion
                .spellings
                .iter()
                .filter(|s| !s.typed)
                .flat_map(|s| morphology.tokens(&Normal::new(&s.spelling.term.text)))
                .map(|gram| gram.text)
                .collect()
        });
        tokens.extend(spellings.iter().map(|text| tantivy::tokenizer::Token {
            text: text.clone(),
            ..tantivy::tokenizer::Token::default()
        }));
    }
    tokens
}

/// A text as the similarity query reads it: the morphological view's words without the
/// pair terms the index adds (see `analysis::paired`), which only repeat the words and, as
/// rare terms, would crowd them out of the query.
fn words_of(morphology: &Morphology, text: &str) -> tantivy::tokenizer::PreTokenizedString {
    let tokens = morphology
        .tokens(&Normal::new(text))
        .into_iter()
        .map(|word| tantivy::tokenizer::Token {
            text: word.text,
            position: word.position,
            ..tantivy::tokenizer::Token::default()
        })
        .collect();
    tantivy::tokenizer::PreTokenizedString {
        text: text.to_owned(),
        tokens,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hits cut in two halves come back in their order, whatever the halves' sizes; a panic
    /// on the second thread reaches the caller as a panic (tn's own bug), not an error.
    #[test]
    fn hits_cut_in_two_halves_keep_their_order() {
        for n in 0..12 {
            let items: Vec<usize> = (0..n).collect();
            let doubled: Vec<usize> = items.iter().map(|i| i * 2).collect();
            assert_eq!(in_two(&items, true, |i| i * 2), doubled);
            assert_eq!(in_two(&items, false, |i| i * 2), doubled);
        }
        let items: Vec<usize> = (0..10).collect();
        let caught = std::panic::catch_unwind(|| {
            in_two(&items, true, |&i| {
                assert!(i < 8, "a bug in cutting hit {i}");
                i
            })
        });
        assert!(caught.is_err());
    }

    fn text(t: &str) -> Atom {
        Atom::Text {
            text: t.into(),
            prefix: false,
            literal: false,
        }
    }

    #[test]
    fn terms_phrases_negation_and_or() {
        let q = parse(r#"eBPF "service mesh" -istio kubernetes OR k8s"#, false);
        assert_eq!(q.clauses.len(), 4);
        assert_eq!(q.clauses[1].any_of, [text("service mesh")]);
        assert!(q.clauses[2].negated);
        assert_eq!(q.clauses[3].any_of, [text("kubernetes"), text("k8s")]);
    }

    #[test]
    fn filters_are_recognised_in_any_width() {
        let q = parse(
            "ｔａｇ：ebpf year:2024 date:>=2024-01-01 speaker:山田 kind:Keynote",
            false,
        );
        let atoms: Vec<&Atom> = q.clauses.iter().flat_map(|c| &c.any_of).collect();
        assert_eq!(atoms[0], &Atom::Filter(Filter::Tag("ebpf".into())));
        assert_eq!(atoms[1], &Atom::Filter(Filter::Year(2024)));
        assert_eq!(
            atoms[2],
            &Atom::Filter(Filter::Date(Bound::Included(20240101), Bound::Unbounded))
        );
        assert_eq!(atoms[3], &Atom::Filter(Filter::Speaker("山田".into())));
        assert_eq!(atoms[4], &Atom::Filter(Filter::Kind("keynote".into())));
    }

    #[test]
    fn half_typed_input_is_never_an_error() {
        for input in [
            "\"unclosed phrase",
            "tag:",
            "OR",
            "- ",
            "a OR",
            "date:>=20",
            "year:abc",
            "foo:bar",
            "",
            "   ",
            "\"\"",
        ] {
            let _ = parse(input, true);
        }
        assert_eq!(
            parse("\"unclosed phrase", false).clauses[0].any_of,
            [text("unclosed phrase")]
        );
        assert_eq!(parse("foo:bar", false).clauses[0].any_of, [text("foo:bar")]);
        assert!(parse("date:>=20", false).warnings[0].contains("date:"));
        assert!(parse("tag:", false).clauses.is_empty());
    }

    #[test]
    fn prefix_applies_to_the_last_word_while_typing() {
        let q = parse("ebpf kube", true);
        assert_eq!(
            q.clauses[1].any_of[0],
            Atom::Text {
                text: "kube".into(),
                prefix: true,
                literal: false,
            }
        );
        let q = parse("ebpf kube ", true);
        assert_eq!(q.clauses[1].any_of[0], text("kube"));
    }

    #[test]
    fn an_equals_sign_makes_a_word_literal() {
        let q = parse(r#"=ログ -=Kubernetes ="service mesh" = tag:=x"#, false);
        let atoms: Vec<&Atom> = q.clauses.iter().flat_map(|c| &c.any_of).collect();
        let literal = |t: &str| Atom::Text {
            text: t.into(),
            prefix: false,
            literal: true,
        };
        assert_eq!(atoms[0], &literal("ログ"));
        assert!(q.clauses[1].negated);
        assert_eq!(atoms[1], &literal("Kubernetes"));
        assert_eq!(atoms[2], &literal("service mesh"));
        // A lone `=` while typing is nothing; a filter value is taken as written.
        assert_eq!(atoms[3], &Atom::Filter(Filter::Tag("=x".into())));
        assert_eq!(atoms.len(), 4);
    }

    #[test]
    fn japanese_quotes_make_phrases() {
        let q = parse("「サービス メッシュ」 導入", false);
        assert_eq!(q.clauses[0].any_of, [text("サービス メッシュ")]);
    }

    #[test]
    fn date_numbers_read_back() {
        let date: Date = "2024-06-15".parse().unwrap();
        assert_eq!(date_of_number(date_number(date)), Some(date));
        assert_eq!(date_of_number(0), None);
        assert_eq!(date_of_number(20240230), None);
    }

    #[test]
    fn very_long_queries_are_capped() {
        let long = "a ".repeat(10_000);
        let q = parse(&long, false);
        assert!(q.clauses.len() <= MAX_ATOMS);
    }
}
