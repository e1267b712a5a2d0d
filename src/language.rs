//! The language a talk is given in, guessed from its title and abstract when nobody said.
//!
//! `lang:ja` filters on a talk's `language`, which `tn new` and most imports never set, so it
//! matched nothing. The script a title and abstract are written in says enough for the case
//! that matters here, Japanese or English: Japanese text is kana and kanji with English terms
//! in between, English text is Latin letters with perhaps a Japanese name. Letters are not
//! what to count (`Kubernetes` would weigh ten times `で`, and `サイバーエージェント` ten times
//! `at`), so the text is cut into runs of one script, each about a word: a run of Latin
//! letters or of katakana counts one, a run of kanji or hiragana one per two characters (their
//! words are short, and particles are words). A Japanese title has well over a third of its
//! words in Japanese script, an English one with a Japanese name well under. Other languages
//! in Latin letters read as English; `tn new --lang` (or the schedule) says otherwise, and
//! what is given is never guessed over.
//!
//! A guess is written into a talk only when it is created (`tn new`, the TUI's form, an
//! import); for notes without a language the index uses the same guess without writing it
//! (`src/search/index.rs`).

/// At least this share of the words must be in Japanese script for a text to read as
/// Japanese.
const JAPANESE_SHARE: f64 = 1.0 / 3.0;

/// The scripts runs are cut by.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    Katakana,
    /// Kanji and hiragana: words of a character or two.
    Dense,
    Other,
}

fn script(c: char) -> Script {
    match c {
        '\u{30a0}'..='\u{30ff}' | '\u{31f0}'..='\u{31ff}' | '\u{ff66}'..='\u{ff9f}' => {
            Script::Katakana
        }
        '\u{3041}'..='\u{309f}'
        | '\u{3005}'
        | '\u{3006}'
        | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{20000}'..='\u{2fa1f}' => Script::Dense,
        c if is_latin(c) => Script::Latin,
        _ => Script::Other,
    }
}

/// The language code for a talk's title and abstract (`ja` or `en`), or `None` when they are
/// too short or in neither script (a title of digits and symbols, one Latin word).
pub fn detect(title: &str, r#abstract: Option<&str>) -> Option<&'static str> {
    let (mut japanese, mut latin) = (0usize, 0usize);
    let mut run = (Script::Other, 0usize);
    let mut close = |(script, length): (Script, usize)| match script {
        Script::Latin => latin += 1,
        Script::Katakana => japanese += 1,
        Script::Dense => japanese += length.div_ceil(2),
        Script::Other => {}
    };
    let text = title
        .chars()
        .chain(['\n'])
        .chain(r#abstract.unwrap_or("").chars());
    for c in text {
        let next = match script(c) {
            // Digits and apostrophes stay inside a Latin word (k8s, don't).
            Script::Other if run.0 == Script::Latin && (c.is_ascii_digit() || c == '\'') => {
                Script::Latin
            }
            other => other,
        };
        if next == run.0 {
            run.1 += 1;
        } else {
            close(run);
            run = (next, 1);
        }
    }
    close(run);
    let words = japanese + latin;
    if japanese > 0 && japanese as f64 >= JAPANESE_SHARE * words as f64 {
        Some("ja")
    } else if latin >= 2 {
        Some("en")
    } else {
        None
    }
}

/// Latin letters, full-width ones included (ｅＢＰＦ).
fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{c0}'..='\u{24f}' | '\u{1e00}'..='\u{1eff}' | '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn japanese_titles_with_english_terms_are_japanese() {
        for title in [
            "Kubernetesで始めるオブザーバビリティ入門",
            "eBPFを使ったOpenTelemetryのGo自動計装ライブラリを調べる",
            "次世代のクラウドネイティブ基盤、Wasmの今と未来",
            "基調講演",
            "ＣＮＣＦコミュニティへの貢献",
            "Platform Engineering を支える Backstage と Crossplane の実践",
        ] {
            assert_eq!(detect(title, None), Some("ja"), "{title}");
        }
    }

    #[test]
    fn english_titles_with_a_japanese_name_are_english() {
        for title in [
            "Open Source Intrusion Detection for Containers",
            "How to Love K8s and Not Wreck the Planet",
            "How we run Kubernetes at メルカリ",
            "Überblick über Kubernetes",
        ] {
            assert_eq!(detect(title, None), Some("en"), "{title}");
        }
    }

    #[test]
    fn the_abstract_counts_and_too_little_text_says_nothing() {
        assert_eq!(
            detect(
                "Keynote",
                Some("クラウドネイティブな省エネサービスの内製開発について話します")
            ),
            Some("ja")
        );
        assert_eq!(
            detect(
                "Keynote",
                Some("We moved every service to eBPF-based networking.")
            ),
            Some("en")
        );
        assert_eq!(
            detect("Scaling Kubernetes at サイバーエージェント", None),
            Some("en")
        );
        for title in ["Keynote", "LT", "2024", "🎉", "", "k8s 1.30"] {
            assert_eq!(detect(title, None), None, "{title}");
        }
    }
}
