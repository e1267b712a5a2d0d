//! Text analysis for search: normalisation and the two tokenizers.
//!
//! Japanese is written without spaces, so words must be found before they can be indexed. Two
//! views of every text are indexed, because each fixes the other's blind spot:
//!
//! - **morphological** (`ja`): lindera with the embedded IPADIC (plus a small user dictionary
//!   of tech terms) cuts text into dictionary words. Matches are precise and rank well, but
//!   IPADIC segments unknown loanwords inconsistently ("クラウドネイティブ" is one token in one
//!   sentence and three in another) and a word inside a compound cannot be found.
//! - **sub-word** (`gram`): every CJK run as overlapping bigrams (plus unigrams), with sequential
//!   positions, so a query term matches as a contiguous run anywhere, like grep, including
//!   1-character words. tantivy's `NgramTokenizer` puts every gram at position 0, which breaks
//!   phrase matching, hence this tokenizer.
//!
//! Runs of letters and digits (English words, identifiers, versions) are cut out before either
//! view sees them, so both treat them alike: lower-cased; stemmed in `ja` ("deploying" finds
//! "deployment"); split at camelCase humps in `gram` ("argo" finds "ArgoCD").
//!
//! Both views see [`normalize`]d text: NFKC (full-width letters become ASCII), katakana
//! prolonged sound marks dropped (サーバー = サーバ), iteration marks expanded (様々 = 様様).
//!
//! One file (about 900 lines with tests) because the two views must cut, normalise and
//! position text identically; splitting them apart would invite them to drift.

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use lindera::dictionary::{UserDictionary, load_dictionary};
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};

/// Bumped whenever indexed tokens would change; an index built by another version is rebuilt.
pub const ANALYZER_VERSION: u32 = 3;

/// URI of the IPADIC dictionary embedded by lindera's `embed-ipadic` feature.
const EMBEDDED_IPADIC: &str = "embedded://ipadic";

/// Tech terms that IPADIC would otherwise cut differently from one sentence to the next. Each
/// entry is atomic (no entry is a prefix or part of another), because overlapping entries make
/// segmentation depend on context again.
const USER_DICTIONARY: &str = include_str!("analysis/user_dictionary.csv");

/// What kind of character a character is, for cutting text into runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Han, hiragana, katakana: written without spaces.
    Cjk,
    /// Letters and digits of other scripts: words separated by spaces or punctuation.
    Word,
    /// Everything else separates.
    Other,
}

fn class(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphanumeric() {
        Class::Word
    } else {
        Class::Other
    }
}

pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3041}'..='\u{309f}'   // hiragana (with iteration marks)
        | '\u{30a0}'..='\u{30ff}' // katakana (with ー and iteration marks)
        | '\u{31f0}'..='\u{31ff}' // katakana phonetic extensions
        | '\u{3005}' | '\u{3006}' | '\u{3007}' // 々 〆 〇
        | '\u{3400}'..='\u{4dbf}' // CJK extension A
        | '\u{4e00}'..='\u{9fff}' // CJK unified ideographs
        | '\u{f900}'..='\u{faff}' // compatibility ideographs
        | '\u{20000}'..='\u{2fa1f}')
}

fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30a1}'..='\u{30fa}' | '\u{30fd}' | '\u{30fe}' | '\u{31f0}'..='\u{31ff}')
}

/// Text normalised for matching, with the origin of every character in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    /// For each char of `text`, the byte range in the original text it came from.
    pub origins: Vec<std::ops::Range<usize>>,
}

/// Normalises text for indexing and querying (case is kept; tokens are lower-cased later so
/// camelCase can still be seen).
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    normalize_into(text, false, &mut out, None);
    out
}

/// The key names are compared by: tags, tools, speakers, titles and rooms match whatever
/// their width, case, accents or surrounding space ("ArgoCD", "argocd", "ＡｒｇｏＣＤ" are one
/// tool; "Nóva" is "nova").
pub fn name_key(name: &str) -> String {
    let key = normalize(name.trim()).to_lowercase();
    if key.is_ascii() {
        return key;
    }
    // Only the combining accents of Latin letters go: kana keep their voicing marks.
    key.nfd()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .nfc()
        .collect()
}

/// [`normalize`], lower-cased, with a map back to the original text (for highlighting).
pub fn normalize_mapped(text: &str) -> Normalized {
    let mut out = String::with_capacity(text.len());
    let mut origins = Vec::with_capacity(text.len());
    normalize_into(text, true, &mut out, Some(&mut origins));
    Normalized { text: out, origins }
}

/// The one implementation of both: `origins`, when wanted, gets the source range of every
/// char pushed to `out` (indexing does not need them, and they cost as much as the text).
fn normalize_into(
    text: &str,
    lowercase: bool,
    out: &mut String,
    mut origins: Option<&mut Vec<std::ops::Range<usize>>>,
) {
    let mut prev: Option<char> = None;
    for (start, c) in text.char_indices() {
        let origin = start..start + c.len_utf8();
        // Most characters (ASCII, kana, kanji) are their own NFKC form: skip the decomposer.
        let quick = c.is_ascii()
            || unicode_normalization::is_nfkc_quick(std::iter::once(c))
                == unicode_normalization::IsNormalized::Yes;
        let mut single = quick.then_some(c).into_iter();
        let mut decomposed = (!quick)
            .then(|| std::iter::once(c).nfkc())
            .into_iter()
            .flatten();
        // Characters are normalised one by one, so each output char has one origin.
        for n in single.by_ref().chain(decomposed.by_ref()) {
            // Half-width kana carry voicing marks as separate characters (ﾊﾞ): compose them.
            if matches!(n, '\u{3099}' | '\u{309a}')
                && let Some(last) = out.pop()
            {
                let mut composed = [last, n].into_iter().nfc();
                match (composed.next(), composed.next()) {
                    (Some(single), None) => {
                        out.push(single);
                        if let Some(o) = origins.as_mut().and_then(|o| o.last_mut()) {
                            o.end = origin.end;
                        }
                        prev = Some(single);
                        continue;
                    }
                    _ => out.push(last),
                }
            }
            let n = match n {
                // Prolonged sound mark after katakana: サーバー and サーバ are the same word.
                // The mark is folded into the previous character's origin for highlighting.
                'ー' if prev.is_some_and(is_katakana) => {
                    if let Some(o) = origins.as_mut().and_then(|o| o.last_mut()) {
                        o.end = origin.end;
                    }
                    continue;
                }
                // Iteration marks repeat the previous character.
                '々' | 'ゝ' | 'ゞ' | 'ヽ' | 'ヾ' => match prev {
                    Some(p) if is_cjk(p) => p,
                    _ => n,
                },
                n => n,
            };
            prev = Some(n);
            if lowercase && n.is_uppercase() {
                for l in n.to_lowercase() {
                    out.push(l);
                    if let Some(o) = origins.as_mut() {
                        o.push(origin.clone());
                    }
                }
            } else {
                out.push(n);
                if let Some(o) = origins.as_mut() {
                    o.push(origin.clone());
                }
            }
        }
    }
}

/// Cuts normalised text into runs of one class, skipping separators.
/// Line breaks and sentence ends: no phrase or multi-gram word matches across them, so a
/// word is never found in the end of one takeaway and the start of the next. (Not `.`, which
/// sits inside versions and host names.)
fn ends_phrase(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '。' | '!' | '?')
}

/// How far apart tokens on either side of a phrase end are put: further than the 2 positions
/// a sparse query cover steps over (see [`Side::Query`]).
const PHRASE_GAP: usize = 3;

/// The script runs of `text`; other characters are left out, except runs holding a phrase
/// end, returned as `Class::Other`.
fn runs(text: &str) -> impl Iterator<Item = (Class, &str)> {
    let mut rest = text;
    std::iter::from_fn(move || {
        loop {
            let first = rest.chars().next()?;
            let kind = class(first);
            let end = rest
                .char_indices()
                .find(|(_, c)| class(*c) != kind)
                .map_or(rest.len(), |(i, _)| i);
            let (run, tail) = rest.split_at(end);
            rest = tail;
            if kind != Class::Other || run.chars().any(ends_phrase) {
                return Some((kind, run));
            }
        }
    })
}

/// Splits an identifier at case humps and letter/digit changes: `ArgoCD` → `Argo`, `CD`;
/// `BizDevOps` → `Biz`, `Dev`, `Ops`; `k8s` stays whole (digits inside short words are common).
fn humps(word: &str) -> Vec<&str> {
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut parts = Vec::new();
    let mut start = 0;
    for i in 1..chars.len() {
        let (at, c) = chars[i];
        let prev = chars[i - 1].1;
        let next = chars.get(i + 1).map(|x| x.1);
        let boundary = (prev.is_lowercase() && c.is_uppercase())
            || (prev.is_uppercase() && c.is_uppercase() && next.is_some_and(char::is_lowercase));
        if boundary {
            parts.push(&word[start..at]);
            start = at;
        }
    }
    parts.push(&word[start..]);
    parts
}

/// A token of one of the views: text and position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gram {
    pub text: String,
    pub position: usize,
}

/// Whether grams are for the index or for a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Index: bigrams plus unigrams; identifiers plus their humps and joined humps.
    Index,
    /// Query: every other bigram and the last (unigram for a 1-char run); identifiers whole.
    /// Positions match the index side's, so a multi-gram query is a phrase that matches a
    /// contiguous run.
    Query,
}

/// The tokens of one text, their texts kept end to end in one buffer. Indexing makes
/// millions of tokens, and a heap string per token cost a fifth of a build in the allocator.
#[derive(Debug, Default)]
pub struct Tokens {
    text: String,
    /// Byte range in `text` and position, per token.
    spans: Vec<(std::ops::Range<usize>, usize)>,
}

impl Tokens {
    fn push(&mut self, text: &str, position: usize) {
        let start = self.text.len();
        self.text.push_str(text);
        self.spans.push((start..self.text.len(), position));
    }

    fn push_lowercase(&mut self, text: &str, position: usize) {
        let start = self.text.len();
        lowercase_into(text, &mut self.text);
        self.spans.push((start..self.text.len(), position));
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Empties the buffer, keeping its allocations.
    pub fn clear(&mut self) {
        self.text.clear();
        self.spans.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The `i`th token: text and position.
    pub fn get(&self, i: usize) -> Option<(&str, usize)> {
        let (range, position) = self.spans.get(i)?;
        Some((&self.text[range.clone()], *position))
    }

    pub fn to_grams(&self) -> Vec<Gram> {
        (0..self.len())
            .filter_map(|i| self.get(i))
            .map(|(text, position)| Gram {
                text: text.to_owned(),
                position,
            })
            .collect()
    }
}

/// Appends `text` lower-cased: `str::to_lowercase` without a new string for ASCII words
/// (other scripts keep its context rules, such as Greek final sigma).
fn lowercase_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        out.extend(text.chars().map(|c| c.to_ascii_lowercase()));
    } else {
        out.push_str(&text.to_lowercase());
    }
}

/// The sub-word view of normalised text.
pub fn grams(text: &str, side: Side) -> Vec<Gram> {
    let mut tokens = Tokens::default();
    grams_into(text, side, &mut tokens);
    tokens.to_grams()
}

/// [`grams`] into a reusable token buffer.
pub fn grams_into(text: &str, side: Side, out: &mut Tokens) {
    let mut position = 0;
    // Char boundaries of the current CJK run: bounds[i]..bounds[i + 1] is char i.
    let mut bounds: Vec<usize> = Vec::new();
    for (kind, run) in runs(text) {
        match kind {
            Class::Cjk => {
                bounds.clear();
                bounds.extend(run.char_indices().map(|(i, _)| i));
                bounds.push(run.len());
                let chars = bounds.len() - 1;
                if chars == 1 {
                    out.push(run, position);
                    position += 1;
                    continue;
                }
                let last = chars - 2;
                for i in 0..chars - 1 {
                    // A query needs only every other bigram (and the last): with their
                    // positions they still pin down the whole run, and a phrase of half the
                    // terms reads half the postings.
                    if side == Side::Query && i % 2 == 1 && i != last {
                        continue;
                    }
                    out.push(&run[bounds[i]..bounds[i + 2]], position + i);
                }
                if side == Side::Index {
                    for i in 0..chars {
                        out.push(&run[bounds[i]..bounds[i + 1]], position + i);
                    }
                }
                // The last unigram sits one past the last bigram.
                position += chars;
            }
            Class::Word => {
                out.push_lowercase(run, position);
                if side == Side::Index {
                    let parts = humps(run);
                    if parts.len() > 1 {
                        // Parts are consecutive slices of `run`: part i starts at starts[i].
                        let mut starts = Vec::with_capacity(parts.len() + 1);
                        let mut at = 0;
                        for part in &parts {
                            starts.push(at);
                            at += part.len();
                        }
                        starts.push(at);
                        for i in 0..parts.len() {
                            for j in i + 1..=parts.len() {
                                if i == 0 && j == parts.len() {
                                    continue; // the whole word, already emitted
                                }
                                out.push_lowercase(&run[starts[i]..starts[j]], position);
                            }
                        }
                    }
                }
                position += 1;
            }
            Class::Other => position += PHRASE_GAP,
        }
    }
}

/// Joins the two words of a pair in the morphological view. Control characters never reach
/// a token otherwise, so a pair cannot be mistaken for a word.
const PAIR_JOIN: char = '\u{1f}';

/// Whether two adjacent words of the morphological view are also indexed as one pair term.
///
/// Why pairs: one-character words (の, 性, 化, 可) occur in nearly every talk, many times, and a
/// phrase holding one (可観測性 is 可 観測 性) had to read and compare all their positions. A
/// pair term is as rare as its rarer word, so such a phrase becomes a phrase of rare terms, or
/// a single term (自動化 is the pair 自動+化). Only pairs with a one-character CJK word are
/// kept, which adds about one term for every two words rather than one for each.
fn pairs((a, p): (&str, usize), (b, q): (&str, usize)) -> bool {
    let cjk = |w: &str| w.chars().all(is_cjk);
    let single = |w: &str| w.chars().nth(1).is_none();
    q == p + 1 && (single(a) || single(b)) && cjk(a) && cjk(b)
}

/// Writes the pair term of two words into `out`, replacing what it held.
fn pair_term(a: &str, b: &str, out: &mut String) {
    out.clear();
    out.push_str(a);
    out.push(PAIR_JOIN);
    out.push_str(b);
}

/// A query's dictionary words as the phrase to look for: each adjacent pair that the index
/// holds as one term (see [`pairs`]) is looked up as that term, and only the words that no
/// pair covers are looked up on their own. Matches exactly where the words do.
pub fn paired(words: &[Gram]) -> Vec<Gram> {
    let mut phrase = Vec::with_capacity(words.len());
    let mut covered = vec![false; words.len()];
    for (i, w) in words.windows(2).enumerate() {
        if pairs((&w[0].text, w[0].position), (&w[1].text, w[1].position)) {
            let mut text = String::new();
            pair_term(&w[0].text, &w[1].text, &mut text);
            phrase.push(Gram {
                text,
                position: w[0].position,
            });
            covered[i] = true;
            covered[i + 1] = true;
        }
    }
    phrase.extend(
        words
            .iter()
            .zip(&covered)
            .filter(|(_, covered)| !**covered)
            .map(|(w, _)| w.clone()),
    );
    phrase.sort_by_key(|g| g.position);
    phrase
}

/// lindera over the embedded IPADIC plus the user dictionary, loaded once per process.
pub struct Morphology {
    segmenter: Segmenter,
    stemmer: Stemmer,
}

impl Morphology {
    fn load() -> Result<Morphology> {
        let dictionary = load_dictionary(EMBEDDED_IPADIC)
            .map_err(|e| Error::Analysis(format!("loading the embedded IPADIC dictionary: {e}")))?;
        let user = user_dictionary(&dictionary.metadata)?;
        Ok(Morphology {
            segmenter: Segmenter::new(Mode::Normal, dictionary, Some(user)),
            stemmer: Stemmer::create(Algorithm::English),
        })
    }

    /// The shared instance; the dictionary is loaded on first use.
    pub fn shared() -> Result<Arc<Morphology>> {
        static SHARED: OnceLock<std::result::Result<Arc<Morphology>, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| Morphology::load().map(Arc::new).map_err(|e| e.to_string()))
            .clone()
            .map_err(Error::Analysis)
    }

    /// Dictionary words of a CJK run, as lindera cuts them.
    pub fn words<'a>(&self, run: &'a str) -> Vec<&'a str> {
        match self.segmenter.segment(Cow::Borrowed(run)) {
            Ok(tokens) => tokens
                .iter()
                .filter_map(|t| run.get(t.byte_start..t.byte_end))
                .collect(),
            // Segmentation of valid UTF-8 does not fail; fall back to the whole run anyway.
            Err(_) => vec![run],
        }
    }

    /// The morphological view of normalised text: CJK runs cut into dictionary words, other
    /// words lower-cased and stemmed.
    pub fn tokens(&self, text: &str) -> Vec<Gram> {
        let mut tokens = Tokens::default();
        self.tokens_into(text, &mut tokens);
        tokens.to_grams()
    }

    /// [`Morphology::tokens`] into a reusable token buffer.
    pub fn tokens_into(&self, text: &str, out: &mut Tokens) {
        let mut position = 0;
        let mut lower = String::new();
        for (kind, run) in runs(text) {
            match kind {
                Class::Cjk => {
                    for word in self.words(run) {
                        if word.chars().any(|c| class(c) != Class::Other) {
                            out.push(word, position);
                            position += 1;
                        }
                    }
                }
                Class::Word => {
                    lower.clear();
                    lowercase_into(run, &mut lower);
                    if lower.is_ascii() {
                        out.push(&self.stemmer.stem(&lower), position);
                    } else {
                        out.push(&lower, position);
                    }
                    position += 1;
                }
                Class::Other => position += PHRASE_GAP,
            }
        }
    }

    /// The morphological view as indexed: [`Morphology::tokens_into`] plus the pair terms
    /// of adjacent words (see [`pairs`]), each at its first word's position.
    pub fn index_tokens_into(&self, text: &str, out: &mut Tokens) {
        let start = out.len();
        self.tokens_into(text, out);
        let words = out.len();
        let mut pair = String::new();
        for i in start..words.saturating_sub(1) {
            let (Some(a), Some(b)) = (out.get(i), out.get(i + 1)) else {
                continue;
            };
            if pairs(a, b) {
                pair_term(a.0, b.0, &mut pair);
                out.push(&pair, a.1);
            }
        }
    }

    /// The words of `text`, as the morphological view indexes them, that say nothing about
    /// its topic: particles, auxiliaries, symbols, pronouns, numbers, suffixes, light verbs
    /// (IPADIC parts of speech) and English function words. Used as stop words when looking
    /// for similar talks, so that two talks sharing only "の" and "する" are not similar.
    pub fn function_words(&self, text: &str) -> std::collections::BTreeSet<String> {
        const LIGHT_VERBS: [&str; 10] = [
            "する",
            "ある",
            "いる",
            "なる",
            "できる",
            "いう",
            "やる",
            "くる",
            "思う",
            "行う",
        ];
        const ENGLISH: [&str; 24] = [
            "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "it", "of",
            "on", "or", "that", "the", "this", "to", "was", "we", "with", "you",
        ];
        let normalized = normalize(text);
        let mut words = std::collections::BTreeSet::new();
        for (kind, run) in runs(&normalized) {
            match kind {
                Class::Cjk => {
                    let Ok(tokens) = self.segmenter.segment(Cow::Borrowed(run)) else {
                        continue;
                    };
                    for mut token in tokens {
                        let pos = token.get_detail(0).unwrap_or_default().to_owned();
                        let sub = token.get_detail(1).unwrap_or_default().to_owned();
                        let base = token.get_detail(6).unwrap_or_default().to_owned();
                        let topical = match pos.as_str() {
                            "名詞" => !matches!(
                                sub.as_str(),
                                "数" | "非自立" | "代名詞" | "接尾" | "特殊" | "副詞可能"
                            ),
                            "動詞" => sub == "自立" && !LIGHT_VERBS.contains(&base.as_str()),
                            "形容詞" => sub == "自立",
                            // Unknown words and the user dictionary's terms.
                            "UNK" | "カスタム名詞" => true,
                            _ => false,
                        };
                        if !topical {
                            words.insert(token.surface.into_owned());
                        }
                    }
                }
                Class::Word => {
                    let lower = run.to_lowercase();
                    if ENGLISH.contains(&lower.as_str()) {
                        words.insert(self.stemmer.stem(&lower).into_owned());
                    }
                }
                Class::Other => {}
            }
        }
        words
    }

    /// Each word of `text` with its katakana reading when IPADIC knows one (used to romanise
    /// Japanese titles into ids). Separators are kept as words of their own, so the word
    /// boundaries the writer typed survive.
    pub fn readings(&self, text: &str) -> Vec<(String, Option<String>)> {
        let Ok(tokens) = self.segmenter.segment(Cow::Borrowed(text)) else {
            return vec![(text.to_owned(), None)];
        };
        let mut words = Vec::with_capacity(tokens.len());
        let mut last_end = 0;
        for mut token in tokens {
            if token.byte_start > last_end {
                words.push((text[last_end..token.byte_start].to_owned(), None));
            }
            last_end = token.byte_end;
            // IPADIC details: POS (4), conjugation (2), base form, reading, pronunciation.
            let reading = token
                .get_detail(7)
                .filter(|r| *r != "*" && !r.is_empty())
                .map(str::to_owned);
            words.push((token.surface.into_owned(), reading));
        }
        if last_end < text.len() {
            words.push((text[last_end..].to_owned(), None));
        }
        words
    }
}

fn user_dictionary(
    metadata: &lindera_dictionary::dictionary::metadata::Metadata,
) -> Result<UserDictionary> {
    // Entries are matched against normalised text, so they are normalised too.
    let csv: String = USER_DICTIONARY
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|line| {
            let mut fields = line.splitn(3, ',');
            let surface = normalize(fields.next().unwrap_or_default());
            let pos = fields.next().unwrap_or("カスタム名詞");
            let reading = fields.next().unwrap_or_default();
            format!("{surface},{pos},{reading}\n")
        })
        .collect();
    lindera_dictionary::builder::DictionaryBuilder::new(metadata.clone())
        .build_user_dict_from_reader(csv.as_bytes())
        .map_err(|e| Error::Analysis(format!("building the user dictionary: {e}")))
}

/// Each word of `text` with its reading; see [`Morphology::readings`]. Without a dictionary,
/// the whole text is one word without a reading.
pub fn readings(text: &str) -> Vec<(String, Option<String>)> {
    match Morphology::shared() {
        Ok(m) => m.readings(text),
        Err(_) => vec![(text.to_owned(), None)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(grams: &[Gram]) -> Vec<&str> {
        grams.iter().map(|g| g.text.as_str()).collect()
    }

    #[test]
    fn normalisation_folds_width_case_marks_and_iterations() {
        assert_eq!(
            normalize("ＫｕｂｅｒｎｅｔｅｓとｅＢＰＦ"),
            "KubernetesとeBPF"
        );
        assert_eq!(normalize("サーバー"), normalize("サーバ"));
        assert_eq!(normalize("ユーザーインターフェース"), "ユザインタフェス");
        assert_eq!(normalize("様々な"), "様様な");
        assert_eq!(normalize("ｻｰﾊﾞｰ"), "サバ");
        // A prolonged mark after hiragana or alone is kept.
        assert_eq!(normalize("らーめん ー"), "らーめん ー");
    }

    #[test]
    fn characters_nfkc_leaves_alone_are_skipped_rightly() {
        // The premise of normalisation's fast path, checked for every char.
        for c in (0..=0x10ffff_u32).filter_map(char::from_u32) {
            if unicode_normalization::is_nfkc_quick(std::iter::once(c))
                == unicode_normalization::IsNormalized::Yes
            {
                let mut n = std::iter::once(c).nfkc();
                assert_eq!((n.next(), n.next()), (Some(c), None), "U+{:04X}", c as u32);
            }
        }
        // And the slow path still runs where it matters.
        assert_eq!(normalize("ﬁ①㍻Ａ"), "fi1平成A");
        assert_eq!(normalize_mapped("ＡΣ").text, "aσ");
    }

    #[test]
    fn mapped_normalisation_points_back_into_the_original() {
        let original = "ＥＢＰＦとサーバー";
        let n = normalize_mapped(original);
        assert_eq!(n.text, "ebpfとサバ");
        assert_eq!(n.origins.len(), n.text.chars().count());
        // The dropped prolonged mark belongs to the character before it.
        let last = n.origins.last().unwrap().clone();
        assert_eq!(&original[last], "バー");
    }

    #[test]
    fn phrases_do_not_run_across_line_or_sentence_ends() {
        // Regression: "分散処理" matched a talk whose takeaways were "…分散" and "処理…", and
        // ranked it above the talk that says 分散処理.
        let position = |g: &[Gram], text: &str| g.iter().find(|g| g.text == text).unwrap().position;
        for text in ["分散\n処理", "分散。処理", "分散!処理"] {
            let g = grams(&normalize(text), Side::Index);
            let query = grams("分散処理", Side::Query);
            let gap = position(&g, "処理") - position(&g, "分散");
            let wanted = query[1].position - query[0].position;
            assert!(gap > wanted, "{text:?}: {gap} vs {wanted}");
            let m = Morphology::shared().expect("dictionary loads");
            let t = m.tokens(&normalize(text));
            assert!(position(&t, "処理") - position(&t, "分散") > 1, "{text:?}");
        }
        // Spaces and other punctuation keep words adjacent: "cloud native" is a phrase.
        let g = grams("cloud native", Side::Index);
        assert_eq!(position(&g, "native") - position(&g, "cloud"), 1);
        let g = grams("v1.2", Side::Index);
        assert_eq!(position(&g, "2") - position(&g, "v1"), 1);
    }

    #[test]
    fn one_character_words_are_looked_up_in_pairs() {
        let m = Morphology::shared().expect("dictionary loads");
        let phrase = |q: &str| -> Vec<(String, usize)> {
            paired(&m.tokens(&normalize(q)))
                .into_iter()
                .map(|g| (g.text.replace(PAIR_JOIN, "+"), g.position))
                .collect()
        };
        let owned = |v: &[(&str, usize)]| -> Vec<(String, usize)> {
            v.iter().map(|(t, p)| (t.to_string(), *p)).collect()
        };
        // 可 観測 性: two rare pairs instead of two of the commonest words.
        assert_eq!(phrase("可観測性"), owned(&[("可+観測", 0), ("観測+性", 1)]));
        // 自動 化: one term, no positions to compare.
        assert_eq!(phrase("自動化"), owned(&[("自動+化", 0)]));
        // Words of two characters or more stay as they are, and so do English words and
        // words on either side of a sentence end.
        assert_eq!(phrase("運用監視"), owned(&[("運用", 0), ("監視", 1)]));
        assert!(phrase("k8s化").iter().all(|(t, _)| !t.contains('+')));
        assert!(phrase("性。可").iter().all(|(t, _)| !t.contains('+')));

        // The index holds every pair a query looks up, at the first word's position.
        let mut indexed = Tokens::default();
        m.index_tokens_into(&normalize("データの可観測性と自動化"), &mut indexed);
        let indexed: Vec<(String, usize)> = indexed
            .to_grams()
            .into_iter()
            .map(|g| (g.text.replace(PAIR_JOIN, "+"), g.position))
            .collect();
        let at = |t: &str| indexed.iter().find(|(x, _)| x == t).map(|(_, p)| *p);
        assert_eq!(at("可+観測"), Some(at("可").unwrap()));
        assert_eq!(at("観測+性"), Some(at("観測").unwrap()));
        assert_eq!(at("自動+化"), Some(at("自動").unwrap()));
        assert_eq!(at("デタ+の"), Some(0)); // データ, normalised
        assert_eq!(at("と+自動"), Some(at("と").expect("と is a word")));
        // Two words of two characters or more make no pair.
        let mut indexed = Tokens::default();
        m.index_tokens_into("運用監視", &mut indexed);
        assert_eq!(indexed.len(), 2);
    }

    #[test]
    fn grams_have_sequential_positions() {
        let g = grams(&normalize("サービスメッシュ"), Side::Index);
        let bigrams: Vec<&Gram> = g.iter().filter(|g| g.text.chars().count() == 2).collect();
        assert_eq!(
            bigrams.iter().map(|g| g.text.as_str()).collect::<Vec<_>>(),
            ["サビ", "ビス", "スメ", "メッ", "ッシ", "シュ"]
        );
        assert_eq!(
            bigrams.iter().map(|g| g.position).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4, 5]
        );
        // A query keeps every other bigram and the last, at the same positions: together
        // they still cover every character of the run.
        let g = grams(&normalize("サービスメッシュ"), Side::Query);
        assert_eq!(texts(&g), ["サビ", "スメ", "ッシ", "シュ"]);
        assert_eq!(
            g.iter().map(|g| g.position).collect::<Vec<_>>(),
            [0, 2, 4, 5]
        );
        let g = grams("可観測性", Side::Query);
        assert_eq!(texts(&g), ["可観", "測性"]);
        assert_eq!(g.iter().map(|g| g.position).collect::<Vec<_>>(), [0, 2]);
        // Index side adds unigrams at the same positions, and one after the last bigram.
        let g = grams("鍵を", Side::Index);
        assert!(g.contains(&Gram {
            text: "鍵".into(),
            position: 0
        }));
        assert!(g.contains(&Gram {
            text: "を".into(),
            position: 1
        }));
        assert_eq!(
            grams("鍵", Side::Query),
            [Gram {
                text: "鍵".into(),
                position: 0
            }]
        );
    }

    #[test]
    fn identifiers_are_split_at_humps_on_the_index_side() {
        let g = grams("BizDevOps", Side::Index);
        for part in ["bizdevops", "biz", "dev", "ops", "devops", "bizdev"] {
            assert!(texts(&g).contains(&part), "{part} in {g:?}");
        }
        assert!(g.iter().all(|g| g.position == 0));
        assert_eq!(
            texts(&grams("ArgoCD", Side::Index)),
            ["argocd", "argo", "cd"]
        );
        assert_eq!(texts(&grams("ArgoCD", Side::Query)), ["argocd"]);
    }

    #[test]
    fn mixed_text_keeps_positions_across_scripts() {
        let g = grams("Kubernetes 移行", Side::Query);
        assert_eq!(
            g,
            [
                Gram {
                    text: "kubernetes".into(),
                    position: 0
                },
                Gram {
                    text: "移行".into(),
                    position: 1
                },
            ]
        );
        let g = grams("Kubernetes移行の話", Side::Query);
        assert_eq!(g[0].position, 0);
        assert_eq!(
            g[1],
            Gram {
                text: "移行".into(),
                position: 1
            }
        );
    }

    #[test]
    fn morphology_cuts_words_and_stems_english() {
        let m = Morphology::shared().expect("dictionary loads");
        let tokens = m.tokens(&normalize("東京の最寄り駅でDeploying Services"));
        let t = texts(&tokens);
        for expected in ["東京", "の", "最寄り駅", "で", "deploy", "servic"] {
            assert!(t.contains(&expected), "{expected} in {t:?}");
        }
        let positions: Vec<usize> = tokens.iter().map(|g| g.position).collect();
        assert_eq!(positions, (0..tokens.len()).collect::<Vec<_>>());
    }

    #[test]
    fn user_dictionary_keeps_tech_terms_whole() {
        let m = Morphology::shared().expect("dictionary loads");
        for term in [
            "クラウドネイティブ",
            "オブザーバビリティ",
            "サービスメッシュ",
        ] {
            let text = normalize(&format!("これは{term}の話です"));
            let t = m.tokens(&text);
            assert!(
                t.iter().any(|g| g.text == normalize(term)),
                "{term} not whole in {t:?}"
            );
        }
    }

    #[test]
    fn readings_cover_the_whole_text() {
        let words = readings("Rust で 書く");
        let joined: String = words.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(joined, "Rust で 書く");
        assert!(
            words
                .iter()
                .any(|(s, r)| s == "書く" && r.as_deref() == Some("カク"))
        );
    }
}
