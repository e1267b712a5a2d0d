//! The loanword table, `src/concepts/loanwords.tsv`: katakana words and the English word
//! UniDic records as their origin (`コンテナ` ← container), filtered to this field by
//! `scripts/concepts/unidic_loanwords.py` (see `src/concepts/README.md`). Embedded in the
//! binary, parsed on first use.
//!
//! Each English word and its katakana spellings become one concept, `unidic:<english>`.
//! They are translations rather than reviewed concepts, so a search weighs them below the
//! glossary (see [`super::Source::weight`]), and where the glossary has the same spelling its
//! flags win (ポッド keeps its `not_in`).

use std::sync::LazyLock;

use super::{Concept, Source, Spelling, Term};

const EMBEDDED: &str = include_str!("loanwords.tsv");

/// Concept ids of loanword pairs start with this.
pub const ID_PREFIX: &str = "unidic:";

/// One row: a katakana spelling and its English origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub katakana: String,
    pub english: String,
}

/// The embedded table's rows, parsed on first use and borrowed from the binary: a search
/// looks a word up by scanning them (a few thousand short comparisons), which is cheaper
/// than building a map of every row's key in each new process.
pub fn rows() -> Result<&'static [Row], &'static str> {
    static ROWS: LazyLock<Result<Vec<Row>, String>> = LazyLock::new(|| parse_rows(EMBEDDED));
    ROWS.as_deref().map_err(String::as_str)
}

/// A row of the embedded table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    pub katakana: &'static str,
    pub english: &'static str,
}

impl Row {
    /// Whether the row's katakana, normalised as search normalises it, is `k` (prolonged
    /// sound marks after katakana dropped; the table holds no other variant forms).
    fn katakana_is(&self, k: &str) -> bool {
        let mut wanted = k.chars();
        let mut prev_katakana = false;
        for c in self.katakana.chars() {
            if c == 'ー' && prev_katakana {
                continue;
            }
            prev_katakana = matches!(c, '\u{30a1}'..='\u{30fa}');
            if wanted.next() != Some(c) {
                return false;
            }
        }
        wanted.next().is_none()
    }
}

fn parse_rows(text: &'static str) -> Result<Vec<Row>, String> {
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.starts_with('#') && !l.trim().is_empty());
    match lines.next() {
        Some((_, header)) if header.starts_with("katakana\tenglish") => {}
        Some((n, header)) => return Err(format!("line {}: unexpected header {header:?}", n + 1)),
        None => return Err("no header".into()),
    }
    lines
        .map(|(n, line)| {
            let mut cells = line.split('\t').map(str::trim);
            match (cells.next(), cells.next()) {
                (Some(katakana), Some(english)) if !katakana.is_empty() && !english.is_empty() => {
                    Ok(Row { katakana, english })
                }
                _ => Err(format!("line {}: expected katakana<TAB>english", n + 1)),
            }
        })
        .collect()
}

/// The embedded table as pairs.
pub fn embedded() -> Result<Vec<Pair>, String> {
    parse(EMBEDDED)
}

/// Parses a table: `#` comments, a header, then `katakana<TAB>english<TAB>evidence`.
pub fn parse(text: &str) -> Result<Vec<Pair>, String> {
    // The rows borrow their text; a table that is not the embedded one is leaked only in
    // tests, so parse a copy there.
    let text: &'static str = if std::ptr::eq(text, EMBEDDED) {
        EMBEDDED
    } else {
        Box::leak(text.to_owned().into_boxed_str())
    };
    Ok(parse_rows(text)?
        .into_iter()
        .map(|r| Pair {
            katakana: r.katakana.to_owned(),
            english: r.english.to_owned(),
        })
        .collect())
}

/// The concept of each row whose spelling has key `k`: `(id, spelling)`.
pub fn lookup(rows: &[Row], k: &str) -> Vec<(String, Spelling)> {
    let latin = k.is_ascii();
    rows.iter()
        .filter_map(|row| {
            if latin && row.english.eq_ignore_ascii_case(k) {
                Some((row.english, row.english))
            } else if !latin && row.katakana_is(k) {
                Some((row.english, row.katakana))
            } else {
                None
            }
        })
        .map(|(english, text)| {
            (
                format!("{ID_PREFIX}{english}"),
                Spelling::new(Term::plain(text), Source::Loanword),
            )
        })
        .collect()
}

/// Every spelling of the loanword concept `unidic:<english>`: the English word and each of
/// its katakana renderings.
pub fn spellings(rows: &[Row], id: &str) -> Vec<Spelling> {
    let Some(english) = id.strip_prefix(ID_PREFIX) else {
        return Vec::new();
    };
    let katakana = rows.iter().filter(|r| r.english == english);
    let mut out: Vec<Spelling> = katakana
        .map(|r| Spelling::new(Term::plain(r.katakana), Source::Loanword))
        .collect();
    if !out.is_empty() {
        out.insert(0, Spelling::new(Term::plain(english), Source::Loanword));
    }
    out
}

/// One concept per English word, with every katakana spelling of it.
pub fn concepts(pairs: &[Pair]) -> Vec<Concept> {
    let mut concepts: Vec<Concept> = Vec::new();
    let mut by_english: std::collections::HashMap<&str, usize> = Default::default();
    for pair in pairs {
        let index = *by_english.entry(&pair.english).or_insert_with(|| {
            concepts.push(Concept {
                id: format!("{ID_PREFIX}{}", pair.english),
                spellings: vec![Spelling::new(
                    Term::plain(pair.english.clone()),
                    Source::Loanword,
                )],
                note: None,
            });
            concepts.len() - 1
        });
        concepts[index].spellings.push(Spelling::new(
            Term::plain(pair.katakana.clone()),
            Source::Loanword,
        ));
    }
    concepts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::concepts::{is_latin, key};

    /// A broken table fails here, not in a user's search.
    #[test]
    fn the_embedded_table_parses() {
        let pairs = embedded().expect("src/concepts/loanwords.tsv parses");
        assert!(pairs.len() > 3_000, "{}", pairs.len());
        for pair in &pairs {
            assert!(is_latin(&pair.english), "{pair:?}");
            assert!(
                key(&pair.katakana)
                    .chars()
                    .all(|c| matches!(c, '\u{30a0}'..='\u{30ff}')),
                "{pair:?}"
            );
        }
        assert!(pairs.contains(&Pair {
            katakana: "コンテナ".into(),
            english: "container".into()
        }));
        let concepts = concepts(&pairs);
        let window = concepts.iter().find(|c| c.id == "unidic:window").unwrap();
        assert!(window.spellings.len() > 2);
        assert!(
            window
                .spellings
                .iter()
                .all(|s| s.source == Source::Loanword)
        );
    }

    /// Regression: UniDic's セキュリテ (a mora cut in half) matched inside every
    /// セキュリティ, doubling the work of the most common loanword search, and メモリィ
    /// only repeated what メモリ matches. No spelling of a word may be another of its
    /// spellings cut before a small kana, or that spelling with one added (two characters
    /// match as whole words only, so they are not inside another).
    #[test]
    fn no_spelling_is_another_cut_inside_a_mora() {
        let pairs = embedded().unwrap();
        let small = |c: char| "ァィゥェォャュョヮ".contains(c);
        for a in pairs
            .iter()
            .filter(|a| key(&a.katakana).chars().count() >= 3)
        {
            for b in pairs.iter().filter(|b| b.english == a.english) {
                let (ka, kb) = (key(&a.katakana), key(&b.katakana));
                let rest = kb.strip_prefix(ka.as_str()).unwrap_or_default();
                assert!(
                    !rest.starts_with(small),
                    "{} is {} cut inside a mora",
                    a.katakana,
                    b.katakana
                );
            }
        }
        assert!(!pairs.iter().any(|p| p.katakana == "プロフ"));
    }

    #[test]
    fn malformed_tables_are_refused() {
        assert!(parse("").is_err());
        assert!(parse("katakana\tenglish\tevidence\nコンテナ\n").is_err());
        assert!(parse("wrong\theader\n").is_err());
        assert_eq!(
            parse("# c\nkatakana\tenglish\tevidence\nコンテナ\tcontainer\t3\n").unwrap(),
            [Pair {
                katakana: "コンテナ".into(),
                english: "container".into()
            }]
        );
    }
}
