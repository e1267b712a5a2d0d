//! The tantivy schema: the only place that names index fields.
//!
//! Every searchable part of a note is a *section* indexed twice, once per analysis view (see
//! [`crate::analysis`]): `<section>_ja` (dictionary words) and `<section>_gram` (bigrams).
//! Sections carry the boosts that make a title match outrank a memo match. The remaining
//! fields identify documents, detect changed files, and serve filters and sorting.

use std::sync::Arc;

use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

use crate::analysis::{self, Gram, Morphology, Side};

/// Bumped whenever fields change; an index with another version is rebuilt.
pub const SCHEMA_VERSION: u32 = 1;

pub const JA_TOKENIZER: &str = "tn_ja";
pub const GRAM_TOKENIZER: &str = "tn_gram";

/// The searchable parts of a talk, from most to least telling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Title,
    Speakers,
    Tools,
    Tags,
    Takeaways,
    Abstract,
    Memo,
    /// Event name, track, link titles.
    Extra,
}

impl Section {
    pub const ALL: [Section; 8] = [
        Section::Title,
        Section::Speakers,
        Section::Tools,
        Section::Tags,
        Section::Takeaways,
        Section::Abstract,
        Section::Memo,
        Section::Extra,
    ];

    fn name(self) -> &'static str {
        match self {
            Section::Title => "title",
            Section::Speakers => "speakers",
            Section::Tools => "tools",
            Section::Tags => "tags",
            Section::Takeaways => "takeaways",
            Section::Abstract => "abstract",
            Section::Memo => "memo",
            Section::Extra => "extra",
        }
    }

    /// BM25 boost: title > tools/tags/speakers > takeaways > abstract > memo.
    pub fn boost(self) -> f32 {
        match self {
            Section::Title => 4.0,
            Section::Speakers | Section::Tools | Section::Tags => 2.5,
            Section::Takeaways => 1.5,
            Section::Abstract => 1.0,
            Section::Memo => 0.7,
            Section::Extra => 0.5,
        }
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
    /// `talk` or `event` (events are indexed only to notice when they change) or `invalid`.
    pub doc_type: Field,
    /// `EVENT/TALK` for talks, `EVENT` for events: the unique key of a document.
    pub key: Field,
    /// Modification time (ns since the epoch) and size of the note file when indexed.
    pub mtime: Field,
    pub size: Field,
    pub event: Field,
    pub kind: Field,
    /// YYYYMMDD of the talk (or of its event), 0 when unknown.
    pub date: Field,
    pub year: Field,
    pub lang: Field,
    /// Normalised tags, for exact `tag:` filters.
    pub tag: Field,
    /// Stored for display.
    pub title: Field,
    pub url: Field,
    pub event_name: Field,
    /// "Name (Affiliation)" per speaker, for display.
    pub speaker_names: Field,
    pub sections: Vec<SectionFields>,
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
        let key = b.add_text_field("key", STRING | STORED | FAST);
        let mtime = b.add_u64_field("mtime", FAST | STORED);
        let size = b.add_u64_field("size", FAST | STORED);
        let event = b.add_text_field("event", STRING | STORED | FAST);
        let kind = b.add_text_field("kind", STRING | STORED);
        let date = b.add_u64_field("date", INDEXED | FAST | STORED);
        let year = b.add_u64_field("year", INDEXED | FAST);
        let lang = b.add_text_field("lang", STRING);
        let tag = b.add_text_field("tag", STRING);
        let title = b.add_text_field("title", STORED);
        let url = b.add_text_field("url", STORED);
        let event_name = b.add_text_field("event_name", STORED);
        let speaker_names = b.add_text_field("speaker_names", STORED);
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
            event,
            kind,
            date,
            year,
            lang,
            tag,
            title,
            url,
            event_name,
            speaker_names,
            sections,
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
    index
        .tokenizers()
        .register(JA_TOKENIZER, TextAnalyzer::from(JaTokenizer { morphology }));
    index
        .tokenizers()
        .register(GRAM_TOKENIZER, TextAnalyzer::from(GramTokenizer));
    Ok(())
}

/// tantivy adapter over [`Morphology::tokens`].
#[derive(Clone)]
struct JaTokenizer {
    morphology: Arc<Morphology>,
}

impl Tokenizer for JaTokenizer {
    type TokenStream<'a> = GramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GramStream {
        GramStream::new(self.morphology.tokens(&analysis::normalize(text)))
    }
}

/// tantivy adapter over [`analysis::grams`] (index side).
#[derive(Clone)]
struct GramTokenizer;

impl Tokenizer for GramTokenizer {
    type TokenStream<'a> = GramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> GramStream {
        GramStream::new(analysis::grams(&analysis::normalize(text), Side::Index))
    }
}

/// Tokens computed up front. Offsets are not used: snippets are highlighted from the stored
/// text (see `snippet`), because bigram offsets make poor highlights.
struct GramStream {
    grams: std::vec::IntoIter<Gram>,
    token: Token,
}

impl GramStream {
    fn new(grams: Vec<Gram>) -> GramStream {
        GramStream {
            grams: grams.into_iter(),
            token: Token::default(),
        }
    }
}

impl TokenStream for GramStream {
    fn advance(&mut self) -> bool {
        match self.grams.next() {
            Some(gram) => {
                self.token.text = gram.text;
                self.token.position = gram.position;
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
