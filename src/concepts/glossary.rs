//! The shipped glossary, `src/concepts/glossary.ron` (format: `schemas/glossary.schema.json`
//! and `src/concepts/README.md`), embedded in the binary and parsed on first use.
//!
//! Entries with the same id are one concept: a curated entry adds spellings to a generated
//! (cncf) one. A term is a string, or `(text: …, flags)` when it needs flags; the same
//! [`Term`] reader serves the user's file, so both accept the same spellings and report the
//! same errors (a term that is empty, a `not_in` word that does not contain its term).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, MapAccess, Visitor};

use super::{Concept, Flags, Source, Spelling, Term, key};

const EMBEDDED: &str = include_str!("glossary.ron");

/// The glossary's concepts, entries of one id merged, in the order of first appearance.
pub fn embedded() -> Result<Vec<Concept>, String> {
    parse(EMBEDDED)
}

#[derive(Deserialize)]
#[serde(rename = "Glossary", deny_unknown_fields)]
struct File {
    schema: u32,
    concepts: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(rename = "Concept", deny_unknown_fields)]
struct Entry {
    id: String,
    source: EntrySource,
    terms: Vec<Term>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum EntrySource {
    Cncf,
    Curated,
    /// Reserved in the format for concepts taken from the loanword table.
    Unidic,
}

/// Parses glossary text (the embedded file, or another in tests).
pub fn parse(text: &str) -> Result<Vec<Concept>, String> {
    let file: File = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(text)
        .map_err(|e| e.to_string())?;
    if file.schema != 1 {
        return Err(format!("schema {} is not 1", file.schema));
    }
    let mut concepts: Vec<Concept> = Vec::new();
    // Where each id's concept is: comparing every entry's id with every concept's was a
    // tenth of the parse.
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for entry in file.concepts {
        let source = match entry.source {
            EntrySource::Cncf => Source::Cncf,
            EntrySource::Curated => Source::Curated,
            EntrySource::Unidic => Source::Loanword,
        };
        let spellings = entry.terms.into_iter().map(|t| Spelling::new(t, source));
        match at.get(&entry.id).map(|&i| &mut concepts[i]) {
            Some(concept) => {
                concept.spellings.extend(spellings);
                if concept.note.is_none() {
                    concept.note = entry.note;
                }
            }
            None => {
                at.insert(entry.id.clone(), concepts.len());
                concepts.push(Concept {
                    id: entry.id,
                    spellings: spellings.collect(),
                    note: entry.note,
                });
            }
        }
    }
    Ok(concepts)
}

impl<'de> Deserialize<'de> for Term {
    fn deserialize<D: de::Deserializer<'de>>(deserializer: D) -> Result<Term, D::Error> {
        deserializer.deserialize_any(TermVisitor)
    }
}

struct TermVisitor;

const TERM_FIELDS: &[&str] = &[
    "text",
    "abbr",
    "word",
    "case",
    "not_in",
    "expand_from",
    "expand_to",
];

impl<'de> Visitor<'de> for TermVisitor {
    type Value = Term;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a spelling: \"text\" or (text: \"…\", abbr: true, …)")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Term, E> {
        checked(Term::plain(text))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Term, A::Error> {
        let mut text: Option<String> = None;
        let mut flags = Flags::default();
        while let Some(name) = map.next_key::<String>()? {
            match name.as_str() {
                "text" => text = Some(map.next_value()?),
                "abbr" => flags.abbr = map.next_value()?,
                "word" => flags.word = map.next_value()?,
                "case" => flags.case = map.next_value()?,
                "not_in" => flags.not_in = map.next_value()?,
                "expand_from" => flags.expand_from = map.next_value()?,
                "expand_to" => flags.expand_to = map.next_value()?,
                other => return Err(de::Error::unknown_field(other, TERM_FIELDS)),
            }
        }
        let text = text.ok_or_else(|| de::Error::missing_field("text"))?;
        checked(Term { text, flags })
    }
}

/// The rules a term must keep, checked while it is read so an error points at it.
fn checked<E: de::Error>(term: Term) -> Result<Term, E> {
    let k = key(&term.text);
    if k.is_empty() {
        return Err(E::custom(format!(
            "`{}` is not a spelling: it has no letters, digits or Japanese characters",
            term.text
        )));
    }
    for word in &term.flags.not_in {
        let w = key(word);
        if w == k || !w.replace(' ', "").contains(&k.replace(' ', "")) {
            return Err(E::custom(format!(
                "`not_in` word `{word}` does not contain the term `{}`: list longer words that contain it (ログ in ブログ)",
                term.text
            )));
        }
    }
    Ok(term)
}

#[cfg(test)]
mod tests {
    use std::collections::{HashMap, HashSet};

    use super::*;

    /// A broken glossary fails here, not in a user's search.
    #[test]
    fn the_embedded_glossary_parses_and_keeps_its_rules() {
        let concepts = embedded().expect("src/concepts/glossary.ron parses");
        assert!(concepts.len() >= 300, "{} concepts", concepts.len());
        let terms: usize = concepts.iter().map(|c| c.spellings.len()).sum();
        assert!(terms >= 1_000, "{terms} terms");
        let mut ids = HashSet::new();
        for concept in &concepts {
            assert!(
                ids.insert(&concept.id),
                "{} twice after merging",
                concept.id
            );
            assert!(
                concept
                    .id
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{}",
                concept.id
            );
            // No spelling twice in one concept, after the search's normalisation (as
            // scripts/concepts/check_glossary.py checks it).
            let mut keys = HashMap::new();
            for s in &concept.spellings {
                let k = crate::search::analysis::normalize(&s.term.text).to_lowercase();
                assert!(
                    keys.insert(k.clone(), &s.term.text).is_none(),
                    "{}: `{}` and `{}` are one spelling",
                    concept.id,
                    keys[&k],
                    s.term.text
                );
            }
        }
        let o11y = concepts.iter().find(|c| c.id == "observability").unwrap();
        let texts: Vec<&str> = o11y
            .spellings
            .iter()
            .map(|s| s.term.text.as_str())
            .collect();
        assert!(
            texts.contains(&"o11y") && texts.contains(&"可観測性"),
            "{texts:?}"
        );
        assert!(o11y.spellings.iter().any(|s| s.source == Source::Cncf));
        assert!(o11y.spellings.iter().any(|s| s.source == Source::Curated));
    }

    #[test]
    fn terms_read_as_strings_or_with_flags() {
        let text = r#"Glossary(schema: 1, concepts: [
            Concept(id: "a", source: curated, terms: ["Plain", (text: "IaC", abbr: true), (text: "ログ", not_in: ["ブログ"], expand_to: false)]),
            Concept(id: "a", source: cncf, terms: ["More"], note: "why"),
        ])"#;
        let concepts = parse(text).unwrap();
        assert_eq!(concepts.len(), 1);
        let s = &concepts[0].spellings;
        assert_eq!(s[0].term, Term::plain("Plain"));
        assert!(s[1].term.flags.abbr && s[1].term.flags.whole_word());
        assert_eq!(s[2].term.flags.not_in, ["ブログ"]);
        assert!(!s[2].term.flags.expand_to && s[2].term.flags.expand_from);
        assert_eq!(s[3].source, Source::Cncf);
        assert_eq!(concepts[0].note.as_deref(), Some("why"));
    }

    #[test]
    fn broken_terms_are_refused_with_a_reason() {
        for (text, why) in [
            (r#"(text: "ログ", not_in: ["カタ"])"#, "does not contain"),
            (r#"(text: "--")"#, "not a spelling"),
            (r#"(text: "x", colour: true)"#, "colour"),
            (r#"(abbr: true)"#, "text"),
        ] {
            let doc = format!(
                r#"Glossary(schema: 1, concepts: [Concept(id: "a", source: curated, terms: [{text}])])"#
            );
            let error = parse(&doc).unwrap_err();
            assert!(error.contains(why), "{text}: {error}");
        }
    }
}
