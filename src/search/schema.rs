//! The tantivy schema: the only place that names index fields and document types.
//!
//! Every searchable part of a note is a *section* indexed twice, once per analysis view (see
//! [`super::analysis`]): `<section>_ja` (dictionary words) and `<section>_gram` (bigrams).
//! Sections carry the weights that make a title match outrank a memo match, and keep the
//! event a talk belongs to as context only ([`Weight::Context`]). The remaining fields
//! identify documents, detect changed files, and serve filters and sorting. Other modules
//! reach fields through [`Fields`]; where tantivy wants a name (fast-field readers), they use
//! the constants here.

use std::cell::RefCell;
use std::sync::Arc;

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, Token, TokenStream, Tokenizer,
};

use crate::search::analysis::{self, Analysis, Morphology, Normal, Tokens};

/// Bumped whenever fields change; an index with another version is rebuilt.
/// 2: speakers stored as JSON objects (name, affiliation, role), not display strings.
/// 3: `lang` holds the detected language of talks that give none; tags fold accents.
/// 4: speakers' affiliations and roles, and the event's name and track, in sections of their
/// own; every URL of a talk in `urls`, for `url:`.
/// 5: `cased` and `pairs` for concept search (see `search::concepts`).
/// 6: a talk's status and rating, for `status:` and `rating:` filters and `sort:rating`.
/// 7: `stamp_hash`, so a search tells that no note changed without reading the keys.
pub const SCHEMA_VERSION: u32 = 7;

/// Names of the fields that are read by name (fast fields).
pub const KEY: &str = "key";
pub const MTIME: &str = "mtime";
pub const SIZE: &str = "size";
pub const STAMP_HASH: &str = "stamp_hash";
pub const DATE: &str = "date";
pub const RATING: &str = "rating";

/// What a document stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocType {
    Talk,
    /// Events are indexed only to notice when they change.
    Event,
    /// A note that does not parse, recorded so it is not re-read on every search.
    Invalid,
}

impl DocType {
    pub fn as_str(self) -> &'static str {
        match self {
            DocType::Talk => "talk",
            DocType::Event => "event",
            DocType::Invalid => "invalid",
        }
    }
}

pub const JA_TOKENIZER: &str = "tn_ja";
pub const GRAM_TOKENIZER: &str = "tn_gram";
pub const URL_TOKENIZER: &str = "tn_url";

/// The searchable parts of a talk, from most to least telling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Title,
    /// The user's own judgement of what the talk is about.
    Tags,
    /// Speakers' names.
    Speakers,
    Tools,
    Takeaways,
    Abstract,
    /// Speakers' affiliations and roles: what a talk is about only by chance (a speaker whose
    /// role says "Specialist", a company called "Aqua Security").
    Affiliations,
    Memo,
    /// Link titles.
    Extra,
    /// The event's name and the talk's track: every talk of the event shares them.
    Context,
}

/// How a match in a section counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Weight {
    /// BM25, multiplied by this boost.
    Ranked(f32),
    /// A constant [`CONTEXT_SCORE`], like a filter: a word matched only there still finds the
    /// talk (`kubecon ebpf`: the eBPF talks of a KubeCon), below every talk whose own text
    /// has it.
    Context,
}

impl Weight {
    /// The boost of a BM25 match here (1 for the context, whose score is set apart).
    pub fn boost(self) -> f32 {
        match self {
            Weight::Ranked(boost) => boost,
            Weight::Context => 1.0,
        }
    }
}

/// What a word matched only in [`Section::Context`] adds to a score: less than any BM25 match
/// of the talk's own text (a memo match of a word in every talk still scores about 0.01).
pub const CONTEXT_SCORE: f32 = 0.001;

impl Section {
    pub const ALL: [Section; 10] = [
        Section::Title,
        Section::Tags,
        Section::Speakers,
        Section::Tools,
        Section::Takeaways,
        Section::Abstract,
        Section::Affiliations,
        Section::Memo,
        Section::Extra,
        Section::Context,
    ];

    fn name(self) -> &'static str {
        match self {
            Section::Title => "title",
            Section::Tags => "tags",
            Section::Speakers => "speakers",
            Section::Tools => "tools",
            Section::Takeaways => "takeaways",
            Section::Abstract => "abstract",
            Section::Affiliations => "affiliations",
            Section::Memo => "memo",
            Section::Extra => "extra",
            Section::Context => "context",
        }
    }

    /// Title and tags > tools and speakers' names > takeaways > abstract, affiliations and
    /// roles > memo > link titles; the event only as context.
    pub fn weight(self) -> Weight {
        Weight::Ranked(match self {
            Section::Title | Section::Tags => 4.0,
            Section::Speakers | Section::Tools => 2.5,
            Section::Takeaways => 1.5,
            Section::Abstract | Section::Affiliations => 1.0,
            Section::Memo => 0.7,
            Section::Extra => 0.5,
            Section::Context => return Weight::Context,
        })
    }
}

/// A section's two fields.
#[derive(Debug, Clone, Copy)]
pub struct SectionFields {
    pub section: Section,
    pub ja: Field,
    pub gram: Field,
}

/// Handles to every field, resolved once.
#[derive(Debug, Clone)]
pub struct Fields {
    pub schema: Schema,
    /// A [`DocType`].
    pub doc_type: Field,
    /// `EVENT/TALK` for talks, `EVENT` for events: the unique key of a document.
    pub key: Field,
    /// Modification time (ns since the epoch) and size of the note file when indexed.
    pub mtime: Field,
    pub size: Field,
    /// The key, modification time and size hashed together (see `index::Recorded`).
    pub stamp_hash: Field,
    pub event: Field,
    pub kind: Field,
    /// YYYYMMDD of the talk (or of its event), 0 when unknown.
    pub date: Field,
    pub year: Field,
    pub lang: Field,
    /// Normalised tags, for exact `tag:` filters.
    pub tag: Field,
    /// The talk's status (`planned`, `to-watch`, …), for `status:` filters and display.
    pub status: Field,
    /// The talk's rating, 1 to 5, 0 when unrated: `rating:` filters and `sort:rating`.
    pub rating: Field,
    /// Every URL of the talk (its own, its links', its tools'), for `url:` filters.
    pub urls: Field,
    /// Stored for display.
    pub title: Field,
    pub url: Field,
    pub event_name: Field,
    /// One JSON object per speaker (`note::Speaker`), for display.
    pub speakers: Field,
    pub sections: Vec<SectionFields>,
    /// Latin words with capitals, as written (concept spellings flagged `case`).
    pub cased: Field,
    /// The pairs of spellings the talk writes side by side (learned concepts).
    pub pairs: Field,
}

impl Fields {
    pub fn new() -> Fields {
        let mut b = Schema::builder();
        let text = |tokenizer: &str, stored: bool| {
            let options = TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(IndexRecordOption::WithFreqsAndPositions),
            );
            if stored {
                options.set_stored()
            } else {
                options
            }
        };
        let doc_type = b.add_text_field("doc_type", STRING);
        let key = b.add_text_field(KEY, STRING | STORED | FAST);
        let mtime = b.add_u64_field(MTIME, FAST | STORED);
        let size = b.add_u64_field(SIZE, FAST | STORED);
        let stamp_hash = b.add_u64_field(STAMP_HASH, FAST);
        let event = b.add_text_field("event", STRING | STORED | FAST);
        let kind = b.add_text_field("kind", STRING | STORED);
        let date = b.add_u64_field(DATE, INDEXED | FAST | STORED);
        let year = b.add_u64_field("year", INDEXED | FAST);
        let lang = b.add_text_field("lang", STRING);
        let tag = b.add_text_field("tag", STRING);
        let status = b.add_text_field("status", STRING | STORED);
        let rating = b.add_u64_field(RATING, INDEXED | FAST | STORED);
        let urls = b.add_text_field("urls", text(URL_TOKENIZER, false));
        let title = b.add_text_field("title", STORED);
        let url = b.add_text_field("url", STORED);
        let event_name = b.add_text_field("event_name", STORED);
        let speakers = b.add_text_field("speakers", STORED);
        // Only whether a talk holds the word: no frequencies, no positions.
        let cased = b.add_text_field(
            "cased",
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(crate::search::concepts::CASED_TOKENIZER)
                    .set_index_option(IndexRecordOption::Basic),
            ),
        );
        let pairs = b.add_text_field("pairs", STRING);
        let sections = Section::ALL
            .iter()
            .map(|&section| SectionFields {
                section,
                // The original text is stored once, with the `ja` field, for snippets.
                ja: b.add_text_field(&format!("{}_ja", section.name()), text(JA_TOKENIZER, true)),
                gram: b.add_text_field(
                    &format!("{}_gram", section.name()),
                    text(GRAM_TOKENIZER, false),
                ),
            })
            .collect();
        Fields {
            schema: b.build(),
            doc_type,
            key,
            mtime,
            size,
            stamp_hash,
            event,
            kind,
            date,
            year,
            lang,
            tag,
            status,
            rating,
            urls,
            title,
            url,
            event_name,
            speakers,
            sections,
            cased,
            pairs,
        }
    }

    pub fn section(&self, section: Section) -> SectionFields {
        self.sections[section as usize]
    }
}

impl Default for Fields {
    fn default() -> Self {
        Fields::new()
    }
}

/// Registers both analysers on an index; done on every open, as tantivy does not persist them.
pub fn register_tokenizers(index: &tantivy::Index) -> crate::error::Result<()> {
    let morphology = Morphology::shared()?;
    index.tokenizers().register(
        JA_TOKENIZER,
        TextAnalyzer::from(JaTokenizer {
            morphology: morphology.clone(),
        }),
    );
    index.tokenizers().register(
        GRAM_TOKENIZER,
        TextAnalyzer::from(GramTokenizer { morphology }),
    );
    index.tokenizers().register(URL_TOKENIZER, url_analyzer());
    index.tokenizers().register(
        crate::search::concepts::CASED_TOKENIZER,
        TextAnalyzer::from(crate::search::concepts::CasedTokenizer),
    );
    Ok(())
}

/// How URLs are indexed and `url:` values read: words of letters and digits, lower-cased
/// (`https://event.cloudnativedays.jp/cnds2024` is https, event, cloudnativedays, jp, cnds2024).
pub fn url_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(100))
        .filter(LowerCaser)
        .build()
}

/// tantivy adapter over [`Morphology::analyse`]'s words.
#[derive(Clone)]
struct JaTokenizer {
    morphology: Arc<Morphology>,
}

impl Tokenizer for JaTokenizer {
    type TokenStream<'a> = TokensStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TokensStream {
        let tokens = with_analysis(&self.morphology, text, |_, analysis| analysis.words.clone());
        TokensStream::new(tokens)
    }
}

/// tantivy adapter over [`analysis::index_grams_into`], with the cuts of
/// [`Morphology::analyse`].
#[derive(Clone)]
struct GramTokenizer {
    morphology: Arc<Morphology>,
}

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = TokensStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> TokensStream {
        let mut tokens = Tokens::default();
        with_analysis(&self.morphology, text, |normal, analysis| {
            analysis::index_grams_into(normal.as_str(), &analysis.cuts, &mut tokens)
        });
        TokensStream::new(tokens)
    }
}

thread_local! {
    /// The last text analysed by this indexing thread, with its normal form and analysis.
    /// Each section is indexed by both views one right after the other (`<section>_ja`, then
    /// `<section>_gram`), so the second view finds the first one's work here: the dictionary
    /// cuts each text once.
    static LAST_ANALYSED: RefCell<(String, Normal, Analysis)> =
        RefCell::new((String::new(), Normal::default(), Analysis::default()));
}

fn with_analysis<R>(
    morphology: &Morphology,
    text: &str,
    f: impl FnOnce(&Normal, &Analysis) -> R,
) -> R {
    LAST_ANALYSED.with(|last| match last.try_borrow_mut() {
        Ok(mut last) => {
            let (source, normal, analysis) = &mut *last;
            if source != text {
                *normal = Normal::new(text);
                *analysis = morphology.analyse(normal);
                source.clear();
                source.push_str(text);
            }
            f(normal, analysis)
        }
        // Not reentrant: a nested call (there is none today) just analyses again.
        Err(_) => {
            let normal = Normal::new(text);
            f(&normal, &morphology.analyse(&normal))
        }
    })
}

/// Tokens computed up front. Offsets are not used: snippets are highlighted from the stored
/// text (see `snippet`), because bigram offsets make poor highlights.
struct TokensStream {
    tokens: Tokens,
    next: usize,
    token: Token,
}

impl TokensStream {
    fn new(tokens: Tokens) -> TokensStream {
        TokensStream {
            tokens,
            next: 0,
            token: Token::default(),
        }
    }
}

impl TokenStream for TokensStream {
    fn advance(&mut self) -> bool {
        match self.tokens.get(self.next) {
            Some((text, position)) => {
                self.next += 1;
                // Reuses the token's buffer: no allocation per token.
                self.token.text.clear();
                self.token.text.push_str(text);
                self.token.position = position;
                self.token.position_length = 1;
                true
            }
            None => false,
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(mut stream: impl TokenStream) -> Vec<(String, usize)> {
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.token().text.clone(), stream.token().position));
        }
        out
    }

    #[test]
    fn both_views_see_the_right_text_when_sections_alternate() {
        // The analysis of the previous text is reused only for the same text.
        let morphology = Morphology::shared().expect("dictionary loads");
        let mut ja = JaTokenizer {
            morphology: morphology.clone(),
        };
        let mut gram = GramTokenizer {
            morphology: morphology.clone(),
        };
        for text in [
            "ＫＵＢＥ監視",
            "サーバー",
            "サーバー",
            "ブログのログ",
            "ＫＵＢＥ監視",
            "",
        ] {
            let normal = Normal::new(text);
            let analysis = morphology.analyse(&normal);
            let mut grams = Tokens::default();
            analysis::index_grams_into(normal.as_str(), &analysis.cuts, &mut grams);
            let pairs = |tokens: &Tokens| -> Vec<(String, usize)> {
                tokens
                    .to_grams()
                    .into_iter()
                    .map(|g| (g.text, g.position))
                    .collect()
            };
            assert_eq!(texts(gram.token_stream(text)), pairs(&grams), "{text}");
            let mut indexed = Tokens::default();
            morphology.index_tokens_into(&normal, &mut indexed);
            assert_eq!(pairs(&analysis.words), pairs(&indexed), "{text}");
            assert_eq!(texts(ja.token_stream(text)), pairs(&indexed), "{text}");
        }
    }
}
