//! The loanword table, `src/concepts/loanwords.tsv`: katakana words and the English word
//! UniDic records as their origin (`コンテナ` ← container), filtered to this field by
//! `scripts/concepts/unidic_loanwords.py` (see `src/concepts/README.md`). Embedded in the
//! binary, parsed on first use.
//!
//! Each English word and its katakana spellings become one concept, `unidic:<english>`.
//! They are translations rather than reviewed concepts, so a search weighs them below the
//! glossary (see [`super::Source::weight`]), and where the glossary has the same spelling its
//! flags win (ポッド keeps its `not_in`).

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

/// The embedded table's pairs.
pub fn embedded() -> Result<Vec<Pair>, String> {
    parse(EMBEDDED)
}

/// Parses the table: `#` comments, a header, then `katakana<TAB>english<TAB>evidence`.
pub fn parse(text: &str) -> Result<Vec<Pair>, String> {
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
            let mut cells = line.split('\t');
            match (cells.next(), cells.next()) {
                (Some(katakana), Some(english))
                    if !katakana.trim().is_empty() && !english.trim().is_empty() =>
                {
                    Ok(Pair {
                        katakana: katakana.trim().to_owned(),
                        english: english.trim().to_owned(),
                    })
                }
                _ => Err(format!("line {}: expected katakana<TAB>english", n + 1)),
            }
        })
        .collect()
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
