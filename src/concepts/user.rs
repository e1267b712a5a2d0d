//! The user's own concepts: `notes/concepts.ron`, beside the event directories.
//!
//! It lives in `notes/` because that is what a knowledge base shares: `tn sync` commits it
//! with the notes, so a team searches with the same vocabulary. The store lists only
//! directories there as events, so the file is never taken for one. It adds equivalences the
//! shipped data lacks and vetoes any equivalence, whatever its source:
//!
//! ```ron
//! Concepts(
//!     schema: 1,
//!     concepts: [
//!         Concept(terms: ["内製", "内製化", "in-house development"]),
//!         Concept(id: "kubernetes", terms: ["キューベ"]),
//!     ],
//!     vetoes: [
//!         Veto(term: "Lambda"),
//!         Veto(term: "ランチャー", concept: "rancher"),
//!         Veto(pair: ("Kubernetes", "EKS")),
//!     ],
//! )
//! ```
//!
//! A `Concept` with the id of a known concept adds spellings to it; without one (or with a
//! new id) it is a concept of its own and needs two spellings. A `Veto(term)` removes a
//! spelling from every concept (or from `concept` only); a `Veto(pair)` keeps two spellings
//! from ever expanding to each other, even when both stay in a concept. `tn check` reports
//! problems as `path:line:column`, and warns of repeats, which change nothing; a search with a
//! broken file goes on without it and says so.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use ron::extensions::Extensions;
use serde::Deserialize;

use super::{Concept, Shipped, Source, Spelling, Term, key};
use crate::error::NoteError;
use crate::store::Store;

/// The file's name in `notes/`.
pub const FILE_NAME: &str = "concepts.ron";

/// The version of the file's format this tn reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// Larger files are refused (it is a list of words, not a dictionary dump).
const MAX_BYTES: u64 = 1 << 20;

/// Where a knowledge base keeps the user's concepts.
pub fn path(store: &Store) -> PathBuf {
    store.notes_dir().join(FILE_NAME)
}

/// An empty file to start from, with the syntax explained.
pub const TEMPLATE: &str = r#"// Your own concepts for `tn search` (see the README, "Search across scripts").
Concepts(
    schema: 1,
    concepts: [
        // Concept(terms: ["内製", "内製化", "in-house development"]),
        // Concept(id: "kubernetes", terms: ["キューベ"]),   // more spellings of a known concept
    ],
    vetoes: [
        // Veto(term: "Lambda"),                         // not a spelling of any concept
        // Veto(term: "ランチャー", concept: "rancher"),  // not a spelling of this one
        // Veto(pair: ("Kubernetes", "EKS")),            // never expand one to the other
    ],
)
"#;

#[derive(Deserialize)]
#[serde(rename = "Concepts", deny_unknown_fields)]
struct File {
    schema: u32,
    #[serde(default)]
    concepts: Vec<Entry>,
    #[serde(default)]
    vetoes: Vec<VetoEntry>,
}

#[derive(Deserialize)]
#[serde(rename = "Concept", deny_unknown_fields)]
struct Entry {
    #[serde(default)]
    id: Option<String>,
    terms: Vec<Term>,
}

#[derive(Deserialize)]
#[serde(rename = "Veto", deny_unknown_fields)]
struct VetoEntry {
    #[serde(default)]
    term: Option<String>,
    #[serde(default)]
    concept: Option<String>,
    #[serde(default)]
    pair: Option<(String, String)>,
}

/// One veto, as written.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Veto {
    /// The spelling belongs to no concept (`concept: None`) or not to this one.
    Term {
        term: String,
        concept: Option<String>,
        line: usize,
        /// Where on its line (for `tn check`; not part of the JSON).
        #[serde(skip)]
        #[schemars(skip)]
        column: usize,
    },
    /// The two never expand to each other.
    Pair {
        pair: (String, String),
        line: usize,
        #[serde(skip)]
        #[schemars(skip)]
        column: usize,
    },
}

impl Veto {
    /// Its line and column in the user's file, when found there.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            Veto::Term { line, column, .. } | Veto::Pair { line, column, .. } => {
                (*line > 0).then_some((*line, *column))
            }
        }
    }
}

/// The vetoes of the file, by key.
#[derive(Debug, Default)]
pub struct Vetoes {
    everywhere: HashSet<String>,
    in_concept: HashSet<(String, String)>,
    pairs: HashSet<(String, String)>,
    /// As written, for `tn concepts`.
    pub list: Vec<Veto>,
}

impl Vetoes {
    /// Whether the spelling `k` is vetoed in concept `id`.
    pub fn removes(&self, id: &str, k: &str) -> bool {
        self.everywhere.contains(k) || self.in_concept.contains(&(id.to_owned(), k.to_owned()))
    }

    /// Whether the spelling `k` is vetoed in every concept.
    pub fn removes_everywhere(&self, k: &str) -> bool {
        self.everywhere.contains(k)
    }

    /// Whether `a` and `b` must not expand to each other.
    pub fn splits(&self, a: &str, b: &str) -> bool {
        self.pairs.contains(&(a.to_owned(), b.to_owned()))
    }

    /// The veto, as written, that keeps the word `word` (a key) from matching the spelling
    /// `spelling` (a key) of one of `concepts`: the spelling's own veto, the word's (a vetoed
    /// word names no concept), or the pair of the two.
    pub fn hiding(&self, word: &str, spelling: &str, concepts: &[String]) -> Option<&Veto> {
        self.list.iter().find(|veto| match veto {
            Veto::Term { term, concept, .. } => {
                let k = key(term);
                (k == spelling || k == word)
                    && concept.as_ref().is_none_or(|id| concepts.contains(id))
            }
            Veto::Pair { pair, .. } => {
                let (a, b) = (key(&pair.0), key(&pair.1));
                (a == word && b == spelling) || (a == spelling && b == word)
            }
        })
    }
}

/// The user's concepts and vetoes, read and checked.
#[derive(Debug)]
pub struct UserConcepts {
    pub path: PathBuf,
    pub concepts: Vec<Concept>,
    by_id: HashMap<String, usize>,
    by_key: HashMap<String, Vec<(usize, usize)>>,
    pub vetoes: Vetoes,
    /// Entries that repeat earlier ones and so change nothing (`tn check` warns of them).
    pub warnings: Vec<NoteError>,
}

impl UserConcepts {
    /// `f` of this file as if it had no vetoes: what they hide is what differs.
    pub fn without_vetoes<T>(&mut self, f: impl FnOnce(&UserConcepts) -> T) -> T {
        let vetoes = std::mem::take(&mut self.vetoes);
        let out = f(self);
        self.vetoes = vetoes;
        out
    }

    pub fn concept(&self, id: &str) -> Option<&Concept> {
        self.by_id.get(id).map(|&i| &self.concepts[i])
    }

    pub(super) fn lookup(&self, k: &str) -> impl Iterator<Item = (&Concept, &Spelling)> {
        self.by_key.get(k).into_iter().flatten().map(|&(c, s)| {
            let concept = &self.concepts[c];
            (concept, &concept.spellings[s])
        })
    }
}

/// Reads the knowledge base's file: `Ok(None)` when there is none, every problem found when
/// it cannot be used.
pub fn load(store: &Store) -> Result<Option<UserConcepts>, Vec<NoteError>> {
    let path = path(store);
    let bytes = match crate::regular_file::read_small(&path, MAX_BYTES) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => return Ok(None),
        Err(e) => return Err(vec![e.to_note_error(&path)]),
    };
    let text = crate::store::codec::decode_utf8(&path, &bytes).map_err(|e| vec![e])?;
    parse(
        &path,
        crate::store::codec::without_bom(text),
        Shipped::get(),
    )
    .map(Some)
}

/// The smallest valid file, for the hint of an empty one.
pub const MINIMAL: &str = "Concepts(schema: 1, concepts: [], vetoes: [])";

/// Parses the file's text; problems name `path`, line and column.
pub fn parse(path: &Path, text: &str, shipped: &Shipped) -> Result<UserConcepts, Vec<NoteError>> {
    // A problem like an empty note, not "no concepts": an empty file is more often a save
    // that went wrong than a wish, and taking it for none would drop every veto unsaid.
    if let Some(blank) = crate::store::codec::blank(text) {
        return Err(vec![
            NoteError::new(path, format!("the concepts file {blank}")).hint(format!(
                "write at least `{MINIMAL}` (the README shows a whole file), or delete the file if you have no concepts of your own"
            )),
        ]);
    }
    let file: File = ron::Options::default()
        .with_default_extension(Extensions::IMPLICIT_SOME)
        .from_str(text)
        .map_err(|e| {
            vec![crate::store::codec::syntax_error(
                path,
                text,
                &e,
                "concepts",
                SCHEMA_VERSION,
            )]
        })?;
    let problem = |message: String, at: Option<(usize, usize)>, hint: &str| {
        NoteError::new(path, message).at(at).hint(hint)
    };
    let mut problems = Vec::new();
    if file.schema != SCHEMA_VERSION {
        problems.push(problem(
            format!("schema {} is not one this tn reads", file.schema),
            crate::store::codec::field_position(text, "schema"),
            &format!("write `schema: {SCHEMA_VERSION},`"),
        ));
    }
    // Repeats change nothing, so they are warnings, each naming the place of the first.
    let mut warnings = Vec::new();
    let remove_one = "remove one of them";
    let mut concepts: Vec<Concept> = Vec::new();
    // Each entry's literals are looked for after the previous entry's, each term after the
    // one before it: a spelling written twice gets the place of each.
    let mut searched_from = field_offset(text, "concepts").unwrap_or(0);
    // Each entry as written (its id, its spellings' keys) and where.
    let mut entries: Vec<(Option<String>, BTreeSet<String>, Place)> = Vec::new();
    // Each concept's spellings so far, by key: as written and where.
    let mut spelled: HashMap<(String, String), (String, Place)> = HashMap::new();
    for entry in file.concepts {
        let entry_from = searched_from;
        let id_at = entry
            .id
            .as_deref()
            .and_then(|id| literal_position_from(text, id, entry_from));
        let mut term_from = entry_from;
        let term_at: Vec<Option<(usize, usize)>> = entry
            .terms
            .iter()
            .map(
                |term| match literal_position_from(text, &term.text, term_from) {
                    Some((line, column, end)) => {
                        term_from = end;
                        Some((line, column))
                    }
                    None => literal_position(text, &term.text),
                },
            )
            .collect();
        searched_from = term_from.max(id_at.map_or(0, |(_, _, end)| end));
        let first = entry
            .terms
            .first()
            .map(|t| t.text.clone())
            .unwrap_or_default();
        let at = id_at
            .map(|(line, column, _)| (line, column))
            .or(term_at.first().copied().flatten())
            .or_else(|| crate::store::codec::field_position(text, "terms"));
        if let Some(id) = &entry.id
            && !is_slug(id)
        {
            problems.push(problem(
                format!("concept id `{id}` is not an id"),
                at,
                "ids are lower-case letters, digits and `-` (`tn concepts WORD` shows a concept's id)",
            ));
            continue;
        }
        let known = entry.id.as_deref().is_some_and(|id| shipped.has(id));
        if !known && entry.terms.len() < 2 {
            let message = match &entry.id {
                Some(id) => format!(
                    "no shipped concept has the id `{id}`, and a new concept needs two spellings"
                ),
                None => "a new concept needs at least two spellings".to_owned(),
            };
            problems.push(problem(
                message,
                at,
                "list every spelling of the concept in `terms`, or give the id of a known concept to add to it",
            ));
            continue;
        }
        let keys: BTreeSet<String> = entry.terms.iter().map(|t| key(&t.text)).collect();
        let earlier = entries
            .iter()
            .find(|(id, k, _)| *id == entry.id && *k == keys)
            .map(|(_, _, at)| *at);
        entries.push((entry.id.clone(), keys, at));
        let joins = entry.id.is_none();
        let id = entry.id.unwrap_or_else(|| format!("user:{}", key(&first)));
        if let Some(earlier) = earlier {
            warnings.push(problem(
                format!("this concept repeats the one at {}", place(earlier)),
                at,
                remove_one,
            ));
        }
        let shipped_spellings = if known {
            shipped.spellings(&id)
        } else {
            Vec::new()
        };
        let mut spellings = Vec::new();
        // An entry without an id joins the concept named by its first spelling: written
        // again there, that spelling is what joins the two entries, not a repeat.
        for (i, (term, term_at)) in entry.terms.into_iter().zip(term_at).enumerate() {
            let k = key(&term.text);
            // A whole concept repeated is one warning, not one per spelling.
            if earlier.is_none() && !(joins && i == 0) {
                if let Some((text_before, at_before)) = spelled.get(&(id.clone(), k.clone())) {
                    warnings.push(problem(
                        format!(
                            "`{}` is already a spelling of this concept at {}{}",
                            term.text,
                            place(*at_before),
                            written_as(text_before, &term.text)
                        ),
                        term_at,
                        remove_one,
                    ));
                } else if let Some(kept) = shipped_spellings.iter().find(|s| key(&s.term.text) == k)
                {
                    let has = if kept.term.text == term.text {
                        format!(" in the {}", kept.source.describe())
                    } else {
                        format!(
                            ": the {} has `{}`, the same to search",
                            kept.source.describe(),
                            kept.term.text
                        )
                    };
                    warnings.push(problem(
                        format!(
                            "`{}` is already a spelling of concept `{id}`{has}; yours replaces it, flags included",
                            term.text,
                        ),
                        term_at,
                        "remove it, unless you mean to change how the spelling matches (its flags)",
                    ));
                }
            }
            spelled
                .entry((id.clone(), k))
                .or_insert_with(|| (term.text.clone(), term_at));
            spellings.push(Spelling {
                line: term_at.map(|(line, _)| line),
                ..Spelling::new(term, Source::User)
            });
        }
        match concepts.iter_mut().find(|c| c.id == id) {
            Some(c) => c.spellings.extend(spellings),
            None => concepts.push(Concept {
                id,
                spellings,
                note: None,
            }),
        }
    }
    let mut vetoes = Vetoes::default();
    // Each veto's subject is looked for after the previous one's: two vetoes of one word
    // (`Veto(pair: ("container", …))` twice) each get their own line.
    let mut searched_from = field_offset(text, "vetoes").unwrap_or(0);
    for entry in file.vetoes {
        let subject = entry
            .term
            .as_deref()
            .or(entry.pair.as_ref().map(|p| p.0.as_str()))
            .unwrap_or_default();
        let at = match literal_position_from(text, subject, searched_from) {
            Some((line, column, end)) => {
                searched_from = end;
                // Past the pair's second spelling too: a later veto of it is another line.
                if let Some((_, b)) = &entry.pair
                    && let Some((_, _, end)) = literal_position_from(text, b, searched_from)
                {
                    searched_from = end;
                }
                Some((line, column))
            }
            None => literal_position(text, subject),
        }
        .or_else(|| crate::store::codec::field_position(text, "vetoes"));
        let (line, column) = at.unwrap_or_default();
        match (entry.term, entry.pair, entry.concept) {
            (Some(term), None, concept) => {
                let k = key(&term);
                if k.is_empty() {
                    problems.push(problem(
                        format!("`{term}` is not a spelling"),
                        at,
                        "write the spelling to veto",
                    ));
                    continue;
                }
                let earlier = vetoes.list.iter().find_map(|veto| match veto {
                    Veto::Term {
                        term: before,
                        concept: concept_before,
                        ..
                    } if key(before) == k && *concept_before == concept => Some((veto, before)),
                    _ => None,
                });
                if let Some((veto, before)) = earlier {
                    warnings.push(problem(
                        format!(
                            "this veto repeats the one at {}{}",
                            place(veto.position()),
                            written_as(before, &term)
                        ),
                        at,
                        remove_one,
                    ));
                }
                match &concept {
                    Some(id) if !shipped.has(id) && !concepts.iter().any(|c| c.id == *id) => {
                        problems.push(problem(
                            format!("no concept has the id `{id}`"),
                            literal_position(text, id).or(at),
                            "`tn concepts WORD` shows the ids of a word's concepts; or leave `concept` out to veto the spelling everywhere",
                        ));
                        continue;
                    }
                    Some(id) => {
                        vetoes.in_concept.insert((id.clone(), k));
                    }
                    None => {
                        vetoes.everywhere.insert(k);
                    }
                }
                vetoes.list.push(Veto::Term {
                    term,
                    concept,
                    line,
                    column,
                });
            }
            (None, Some((a, b)), None) => {
                let (ka, kb) = (key(&a), key(&b));
                if ka.is_empty() || kb.is_empty() || ka == kb {
                    problems.push(problem(
                        format!("`(\"{a}\", \"{b}\")` is not a pair of two spellings"),
                        at,
                        "name two different spellings: Veto(pair: (\"Kubernetes\", \"EKS\"))",
                    ));
                    continue;
                }
                let earlier = vetoes.list.iter().find_map(|veto| match veto {
                    Veto::Pair { pair: before, .. } => {
                        let keys = (key(&before.0), key(&before.1));
                        (keys == (ka.clone(), kb.clone()) || keys == (kb.clone(), ka.clone()))
                            .then_some((veto, keys.0 == ka))
                    }
                    Veto::Term { .. } => None,
                });
                if let Some((veto, same_way)) = earlier {
                    let how = if same_way {
                        ""
                    } else {
                        " (the same pair, the other way round)"
                    };
                    warnings.push(problem(
                        format!(
                            "this veto repeats the one at {}{how}",
                            place(veto.position())
                        ),
                        at,
                        remove_one,
                    ));
                }
                vetoes.pairs.insert((ka.clone(), kb.clone()));
                vetoes.pairs.insert((kb, ka));
                vetoes.list.push(Veto::Pair {
                    pair: (a, b),
                    line,
                    column,
                });
            }
            _ => problems.push(problem(
                "a veto names either a `term` (and maybe its `concept`) or a `pair`".to_owned(),
                at,
                "write Veto(term: \"…\"), Veto(term: \"…\", concept: \"id\") or Veto(pair: (\"…\", \"…\"))",
            )),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    // A veto within a concept says nothing more than one of the same spelling everywhere,
    // wherever that one is.
    for veto in &vetoes.list {
        if let Veto::Term {
            term,
            concept: Some(id),
            ..
        } = veto
            && let Some(everywhere) = vetoes.list.iter().find(
                |v| matches!(v, Veto::Term { term: t, concept: None, .. } if key(t) == key(term)),
            )
        {
            warnings.push(problem(
                format!(
                    "this veto changes nothing: the one at {} removes `{term}` from every concept, `{id}` included",
                    place(everywhere.position())
                ),
                veto.position(),
                remove_one,
            ));
        }
    }
    let mut by_id = HashMap::new();
    let mut by_key: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
    for (c, concept) in concepts.iter().enumerate() {
        by_id.insert(concept.id.clone(), c);
        for (s, spelling) in concept.spellings.iter().enumerate() {
            let k = key(&spelling.term.text);
            if let Some(joined) = super::joined_key(&k) {
                by_key.entry(joined).or_default().push((c, s));
            }
            by_key.entry(k).or_default().push((c, s));
        }
    }
    Ok(UserConcepts {
        path: path.to_owned(),
        concepts,
        by_id,
        by_key,
        vetoes,
        warnings,
    })
}

/// Line and column of something in the file, when it was found there.
type Place = Option<(usize, usize)>;

/// Where an earlier entry is, for a warning that names it.
fn place(at: Place) -> String {
    match at {
        Some((line, column)) => format!("line {line}, column {column}"),
        None => "an earlier line".to_owned(),
    }
}

/// How an earlier entry wrote what a repeat writes as `now`, when not the same way (`k8s`
/// before `K8s`): the tail of the repeat's warning.
fn written_as(before: &str, now: &str) -> String {
    if before == now {
        String::new()
    } else {
        format!(" (`{before}`, the same to search)")
    }
}

/// Whether byte `at` of `text` is in a `//` comment (the template's commented-out examples).
fn in_line_comment(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..at].contains("//")
}

/// Byte offset of the field `name:` (outside `//` comments), where its entries begin.
fn field_offset(text: &str, name: &str) -> Option<usize> {
    text.match_indices(name).map(|(at, _)| at).find(|&at| {
        let word_start = text[..at]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        word_start
            && !in_line_comment(text, at)
            && text[at + name.len()..].trim_start().starts_with(':')
    })
}

fn is_slug(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Line and column (1-based, in characters) of the first string literal `"value"` in `text`.
fn literal_position(text: &str, value: &str) -> Option<(usize, usize)> {
    literal_position_from(text, value, 0).map(|(line, column, _)| (line, column))
}

/// Line and column of the first `"value"` at or after byte `from`, and the byte after it.
fn literal_position_from(text: &str, value: &str, from: usize) -> Option<(usize, usize, usize)> {
    if value.is_empty() {
        return None;
    }
    let literal = format!("\"{value}\"");
    let mut at = from;
    let at = loop {
        let found = at + text.get(at..)?.find(&literal)?;
        if !in_line_comment(text, found) {
            break found;
        }
        at = found + literal.len();
    };
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some((line, column, at + literal.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::concepts::{NothingLearned, Thesaurus};

    fn parsed(text: &str) -> Result<UserConcepts, Vec<NoteError>> {
        parse(Path::new("notes/concepts.ron"), text, Shipped::get())
    }

    fn lines(problems: &[NoteError]) -> Vec<String> {
        problems.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn the_template_is_a_valid_empty_file() {
        let user = parsed(TEMPLATE).expect("template parses");
        assert!(user.concepts.is_empty() && user.vetoes.list.is_empty());
    }

    #[test]
    fn concepts_add_and_vetoes_remove() {
        let user = parsed(
            r#"Concepts(
    schema: 1,
    concepts: [
        Concept(terms: ["内製", "in-house development"]),
        Concept(id: "kubernetes", terms: ["キューベ"]),
    ],
    vetoes: [
        Veto(term: "k8s"),
        Veto(term: "監視", concept: "monitoring"),
        Veto(pair: ("Observability", "可観測性")),
    ],
)"#,
        )
        .expect("valid");
        assert_eq!(user.concepts[0].id, "user:内製");
        assert_eq!(user.concepts[0].spellings[0].line, Some(4));
        let t = Thesaurus::new(Shipped::get(), Some(&user));
        let texts = |word: &str| -> Vec<String> {
            t.expand(word, &NothingLearned)
                .map(|e| e.others().map(|s| s.spelling.term.text.clone()).collect())
                .unwrap_or_default()
        };
        assert_eq!(texts("内製"), ["in-house development"]);
        assert!(texts("kubernetes").contains(&"キューベ".to_owned()));
        assert!(!texts("kubernetes").contains(&"k8s".to_owned()));
        assert!(
            texts("k8s").is_empty(),
            "a vetoed spelling names no concept"
        );
        assert!(!texts("monitoring").contains(&"監視".to_owned()));
        assert!(texts("monitoring").contains(&"モニタリング".to_owned()));
        // The pair is split, but both keep the rest of their concept.
        assert!(!texts("observability").contains(&"可観測性".to_owned()));
        assert!(texts("observability").contains(&"オブザーバビリティ".to_owned()));
        assert!(texts("可観測性").contains(&"o11y".to_owned()));
        let e = t.expand("内製", &NothingLearned).unwrap();
        assert_eq!(
            e.spellings[1].spelling.origin(),
            "your notes/concepts.ron:4"
        );
    }

    #[test]
    fn problems_point_at_their_place() {
        let problems = parsed(
            r#"Concepts(
    schema: 1,
    concepts: [
        Concept(terms: ["ひとつ"]),
        Concept(id: "kubernets", terms: ["キューベ"]),
    ],
    vetoes: [
        Veto(term: "Lambda", concept: "lambda-x"),
        Veto(pair: ("a", "A")),
        Veto(term: "x", pair: ("a", "b")),
    ],
)"#,
        )
        .unwrap_err();
        let found = lines(&problems);
        assert_eq!(found.len(), 5, "{found:#?}");
        assert!(
            found[0].starts_with("notes/concepts.ron:4:25: a new concept needs at least two"),
            "{}",
            found[0]
        );
        assert!(
            found[1]
                .starts_with("notes/concepts.ron:5:21: no shipped concept has the id `kubernets`"),
            "{}",
            found[1]
        );
        assert!(
            found[2].starts_with("notes/concepts.ron:8:39: no concept has the id `lambda-x`"),
            "{}",
            found[2]
        );
        assert!(
            found[3].contains("not a pair of two spellings"),
            "{}",
            found[3]
        );
        assert!(found[4].contains("either a `term`"), "{}", found[4]);

        let syntax = lines(&parsed("Concepts(schema: 1, concepts: [Concept(terms: [\"a\", (text: \"ログ\", not_in: [\"カタ\"])])])").unwrap_err());
        assert!(syntax[0].starts_with("notes/concepts.ron:1:"), "{syntax:?}");
        assert!(
            syntax[0].contains("does not contain the term"),
            "{syntax:?}"
        );
        let unknown = lines(&parsed("Concepts(schema: 1, colour: [])").unwrap_err());
        assert!(unknown[0].contains("unknown field `colour`"), "{unknown:?}");
    }

    /// The README shows a whole file (users saw only fragments): it must stay valid, with
    /// nothing to warn of.
    #[test]
    fn the_readme_shows_a_whole_valid_file() {
        let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
            .expect("README.md");
        let start = readme
            .find("```ron\n  Concepts(")
            .expect("a whole file in the README");
        let block = &readme[start + "```ron\n".len()..];
        let block = &block[..block.find("```").expect("closed")];
        let text: String = block
            .lines()
            .map(|l| l.strip_prefix("  ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n");
        let user = parsed(&text).expect("the README's file is valid");
        assert!(user.warnings.is_empty(), "{:?}", user.warnings);
        assert_eq!(user.concepts.len(), 2);
        assert_eq!(user.vetoes.list.len(), 3);
        assert!(readme.contains(&format!("`{MINIMAL}`")));
    }

    /// Regression (outside review): the first spelling of an entry without an id names the
    /// concept it joins, so writing it again is what joins two entries. It was warned of as
    /// a repeat, and either fix the hint offered split the concept or broke the file.
    #[test]
    fn a_first_spelling_that_joins_two_entries_is_no_repeat() {
        let user = parsed(
            r#"Concepts(
    schema: 1,
    concepts: [
        Concept(terms: ["内製", "in-house"]),
        Concept(terms: ["内製", "内製化", "insourcing"]),
        Concept(terms: ["内製", "in-house development", "インハウス"]),
    ],
)"#,
        )
        .unwrap();
        assert_eq!(lines(&user.warnings), Vec::<String>::new());
        assert_eq!(user.concepts.len(), 1);
        let keys: BTreeSet<String> = user.concepts[0]
            .spellings
            .iter()
            .map(|s| key(&s.term.text))
            .collect();
        assert_eq!(keys.len(), 6, "{keys:?}");
    }

    /// Regression (new user's trial): repeats passed silently. Each is a warning at its own
    /// place, naming the first; the file stays valid.
    #[test]
    fn repeats_are_warned_of_at_their_place_naming_the_first() {
        let user = parsed(
            r#"Concepts(
    schema: 1,
    vetoes: [
        Veto(term: "k8s"),
        Veto(pair: ("container", "コンテナ")),
        Veto(term: "K8s"),
        Veto(pair: ("コンテナ", "container")),
        Veto(term: "k8s", concept: "kubernetes"),
        Veto(term: "k8s"),
    ],
    concepts: [
        Concept(terms: ["監視", "監視", "k8s"]),
        Concept(terms: ["内製", "in-house"]),
        Concept(terms: ["内製", "in-house"]),
        Concept(terms: ["In-House", "内製"]),
        Concept(id: "kubernetes", terms: ["クーバネティス", "キューベ"]),
    ],
)"#,
        )
        .expect("repeats do not make the file invalid");
        let mut found = lines(&user.warnings);
        found.sort();
        assert_eq!(
            found,
            [
                "notes/concepts.ron:12:31: `監視` is already a spelling of this concept at line 12, column 25",
                "notes/concepts.ron:14:25: this concept repeats the one at line 13, column 25",
                // The same spellings in another order, written the other way.
                "notes/concepts.ron:15:25: this concept repeats the one at line 13, column 25",
                "notes/concepts.ron:16:43: `クーバネティス` is already a spelling of concept `kubernetes`: the glossary (curated) has `クバネティス`, the same to search; yours replaces it, flags included",
                "notes/concepts.ron:6:20: this veto repeats the one at line 4, column 20 (`k8s`, the same to search)",
                "notes/concepts.ron:7:21: this veto repeats the one at line 5, column 21 (the same pair, the other way round)",
                "notes/concepts.ron:8:20: this veto changes nothing: the one at line 4, column 20 removes `k8s` from every concept, `kubernetes` included",
                "notes/concepts.ron:9:20: this veto repeats the one at line 4, column 20",
            ],
            "{found:#?}"
        );
        // A spelling of two concepts (k8s, of 監視 here and of the glossary's kubernetes) is
        // no repeat; the template has none.
        assert!(parsed(TEMPLATE).unwrap().warnings.is_empty());
    }

    /// Regression (new user's trial): an empty or comment-only file gave a parser's message
    /// (`Expected opening \`(\``) at 1:1 and no word of what to write.
    #[test]
    fn an_empty_file_is_said_to_be_empty_with_the_smallest_valid_file() {
        for (text, what) in [
            ("", "is empty"),
            ("\n  \n", "is empty"),
            ("// later\n/* maybe */\n", "holds nothing but comments"),
        ] {
            let found = lines(&parsed(text).unwrap_err());
            assert_eq!(
                found,
                [format!("notes/concepts.ron: the concepts file {what}")],
                "{text:?}"
            );
            let hint = parsed(text).unwrap_err()[0].hint.clone().unwrap();
            assert!(
                hint.contains("`Concepts(schema: 1, concepts: [], vetoes: [])`"),
                "{hint}"
            );
        }
        // The smallest valid file is one.
        parsed(MINIMAL).expect("valid");
    }

    /// Regression (new user's trial): a missing `schema` was hinted as text, `schema: "…",`.
    #[test]
    fn missing_fields_are_hinted_with_values_of_their_type() {
        let hint = |text: &str| {
            parsed(text).unwrap_err()[0]
                .hint
                .clone()
                .unwrap_or_default()
        };
        assert_eq!(hint("Concepts(concepts: [])"), "add `schema: 1,`");
        assert_eq!(
            hint("Concepts(schema: 1, concepts: [Concept(id: \"kubernetes\")])"),
            "add `terms: [\"…\", \"…\"],`"
        );
    }
}
