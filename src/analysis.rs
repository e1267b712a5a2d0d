//! Japanese text analysis (morphological segmentation).
//!
//! Japanese is written without spaces between words, so full-text search
//! over talk notes cannot split on whitespace: "東京スカイツリーの最寄り駅"
//! must be cut into dictionary words ("東京", "スカイツリー", "の", "最寄り駅")
//! before it can be indexed or matched. This module does that with
//! [lindera](https://docs.rs/lindera) and the IPADIC dictionary.
//!
//! The dictionary is compiled into the binary (`embed-ipadic`), so `tn` needs
//! no data files at run time. At build time `lindera-ipadic` would normally
//! download IPADIC; `.cargo/config.toml` points its build cache at
//! `.cache/lindera`, and `scripts/offline-dictionary.sh` (`make dict`)
//! pre-builds it from Debian's `mecab-ipadic`, so builds also work offline.
//!
//! In lindera 6 the segmenter (`lindera::segmenter::Segmenter`) is the
//! tokenizer; the filter-chain `Tokenizer` lives in the separate
//! `lindera-analysis` crate, which we do not need.

use std::borrow::Cow;

use lindera::dictionary::load_dictionary;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;

use crate::error::{Error, Result};

/// URI of the IPADIC dictionary embedded by lindera's `embed-ipadic` feature.
const EMBEDDED_IPADIC: &str = "embedded://ipadic";

/// Segments Japanese (and mixed) text into words using the embedded IPADIC.
///
/// Loading the dictionary is the expensive part; build one `Analyzer` and
/// reuse it for many texts.
pub struct Analyzer {
    segmenter: Segmenter,
}

impl Analyzer {
    /// Loads the embedded IPADIC and builds a segmenter in normal mode.
    pub fn new() -> Result<Self> {
        let dictionary = load_dictionary(EMBEDDED_IPADIC)
            .map_err(|e| Error::Analysis(format!("loading the embedded IPADIC dictionary: {e}")))?;
        Ok(Self {
            segmenter: Segmenter::new(Mode::Normal, dictionary, None),
        })
    }

    /// Returns the surface form of every token of `text`, in order.
    ///
    /// Whitespace is dropped (MeCab-compatible), everything else is kept, so
    /// for text without whitespace the tokens concatenate back to `text`.
    pub fn surface_forms(&self, text: &str) -> Result<Vec<String>> {
        let tokens = self
            .segmenter
            .segment(Cow::Borrowed(text))
            .map_err(|e| Error::Analysis(format!("segmenting text: {e}")))?;
        Ok(tokens
            .into_iter()
            .map(|token| token.surface.into_owned())
            .collect())
    }
}

/// Each word of `text` with its katakana reading, when IPADIC knows one (used to romanise
/// Japanese titles into ids). Whitespace is kept as words of its own, so word boundaries that
/// the writer typed survive.
pub fn readings(text: &str) -> Vec<(String, Option<String>)> {
    let Ok(analyzer) = Analyzer::new() else {
        return vec![(text.to_owned(), None)];
    };
    let Ok(tokens) = analyzer.segmenter.segment(Cow::Borrowed(text)) else {
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

/// Convenience wrapper: segments `text` with a freshly loaded [`Analyzer`].
pub fn surface_forms(text: &str) -> Result<Vec<String>> {
    Analyzer::new()?.surface_forms(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_place_names_into_dictionary_words() {
        let text = "東京スカイツリーの最寄り駅はとうきょうスカイツリー駅です";
        let words = surface_forms(text).expect("segmentation works");
        // "スカイツリー" is one word in lindera's IPADIC 2.7.0-20250920 but
        // "スカイ" + "ツリー" in Debian's 2.7.0-20070801 (used for offline
        // builds), so only words both dictionaries agree on are asserted.
        for expected in ["東京", "の", "最寄り駅", "は", "駅", "です"] {
            assert!(
                words.iter().any(|w| w == expected),
                "{expected:?} missing from {words:?}"
            );
        }
        assert_eq!(words.concat(), text, "segmentation must be lossless");
        assert!(words.len() >= 8, "too coarse: {words:?}");
    }

    #[test]
    fn segments_a_tech_sentence() {
        let analyzer = Analyzer::new().expect("dictionary loads");
        let text = "クラウドネイティブなアプリケーションを開発する";
        let words = analyzer.surface_forms(text).expect("segmentation works");
        for expected in ["アプリケーション", "を", "開発", "する"] {
            assert!(
                words.iter().any(|w| w == expected),
                "{expected:?} missing from {words:?}"
            );
        }
        assert_eq!(words.concat(), text);
    }

    #[test]
    fn drops_whitespace() {
        let words = surface_forms("Rust で 書く").expect("segmentation works");
        assert_eq!(words, ["Rust", "で", "書く"]);
    }
}
