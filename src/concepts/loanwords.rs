//! The loanword table, `src/concepts/loanwords.tsv`: katakana words and the English word
//! UniDic records as their origin (`コンテナ` ← container), filtered to this field by
//! `scripts/concepts/unidic_loanwords.py` (see `src/concepts/README.md`). Embedded in the
//! binary, parsed on first use.
//!
//! Each English word and its katakana spellings become one concept, `unidic:<english>`.
//! They are translations rather than reviewed concepts, so a search weighs them below the
//! glossary (see [`super::Source::weight`]), and where the glossary has the same spelling its
//! flags win (ポッド keeps its `not_in`).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use super::{Concept, Source, Spelling, Term};

const EMBEDDED: &str = include_str!("loanwords.tsv");

/// Concept ids of loanword pairs start with this.
pub const ID_PREFIX: &str = "unidic:";

/// Concept ids of compounds of two loanword parts start with this (see [`compound`]).
pub const COMPOUND_PREFIX: &str = "compound:";

const PARTS: &str = include_str!("loanword_parts.tsv");
const KEYS: &str = include_str!("loanword_keys.tsv");

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

/// The lines of an embedded table after its header (`#` comments before it), or nothing
/// when the header is not `header` (a table that does not read names no compound).
fn body(table: &'static str, header: &str) -> &'static str {
    let Some(line) = table.lines().find(|l| !l.starts_with('#')) else {
        return "";
    };
    if line.trim_end() != header {
        return "";
    }
    let at = line.as_ptr() as usize - table.as_ptr() as usize + line.len();
    table[at..].trim_start_matches(['\r', '\n'])
}

/// The parts table's lines: `english<TAB>katakana<TAB>flags`, sorted as bytes (so by
/// English word); flags hold `f` for
/// a pair of the shipped table (a word of this field) and `w` for a spelling compounds are
/// written with. Both tables are searched in place, by binary search: nothing is parsed or
/// built, so a search that looks a word up pays microseconds.
fn part_lines() -> &'static str {
    body(PARTS, "english\tkatakana\tflags")
}

/// The keys table's lines: `key<TAB>english<TAB>flags`, one per key (the katakana as search
/// normalises it), sorted as bytes.
fn key_lines() -> &'static str {
    body(KEYS, "key\tenglish\tflags")
}

/// The lines of `lines` (sorted as bytes) from the first whose first cell is not below
/// `target`.
fn from_first(lines: &'static str, target: &str) -> &'static str {
    // By bytes: a position halfway may fall inside a character, a newline never does.
    let bytes = lines.as_bytes();
    let line_at = |pos: usize| {
        let start = bytes[..pos]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = bytes[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| pos + i);
        (start, end)
    };
    let (mut lo, mut hi) = (0, lines.len());
    while lo < hi {
        let (start, end) = line_at((lo + hi) / 2);
        let first = lines[start..end].split('\t').next().unwrap_or("");
        if first < target {
            lo = end + 1;
        } else {
            hi = start;
        }
    }
    lines.get(lo.min(lines.len())..).unwrap_or("")
}

/// One line of the parts table.
#[derive(Debug, Clone, Copy)]
struct Part {
    english: &'static str,
    katakana: &'static str,
    /// In the shipped table: a word of this field.
    field: bool,
    /// A spelling compounds are written with.
    written: bool,
}

fn part(line: &'static str) -> Option<Part> {
    let mut cells = line.trim_end_matches('\r').split('\t');
    let (english, katakana) = (cells.next()?, cells.next()?);
    let flags = cells.next().unwrap_or("");
    Some(Part {
        english,
        katakana,
        field: flags.contains('f'),
        written: flags.contains('w'),
    })
}

/// The parts whose English word is `english`.
fn parts_of(english: &str) -> impl Iterator<Item = Part> {
    let english = english.to_owned();
    from_first(part_lines(), &english)
        .lines()
        .map_while(part)
        .take_while(move |p| p.english == english)
}

/// The part a katakana key is, if any: its English word and whether it is a field word.
fn part_by_key(key: &str) -> Option<(&'static str, bool)> {
    let line = from_first(key_lines(), key).lines().next()?;
    let mut cells = line.trim_end_matches('\r').split('\t');
    (cells.next()? == key).then_some(())?;
    let english = cells.next()?;
    Some((english, cells.next().unwrap_or("").contains('f')))
}

/// A word's two English parts, if it is a compound.
type Split = Option<(String, String)>;

/// A compound of two loanword parts that `k` (a key, one word) spells: an English word of
/// two parts of four letters or more (`troubleshooting` = trouble + shooting, `workflow`),
/// or a katakana word of two parts of the list (トラブルシューティング, ワークフロー). At
/// least one part must be a word of this field (the shipped table's), and `k` must not be a
/// part itself (アナリスト is analyst, not anari + suit). Its concept is `compound:<left>
/// <right>`, and `k`'s spelling of it. Dictionaries list few such compounds; notes write
/// them all the time. Two words typed apart are never one (`container security` stays two).
pub fn compound(k: &str) -> Option<(String, Spelling)> {
    // The table is read only for a word of a compound's shape.
    let latin = k.len() >= 8 && k.bytes().all(|c| c.is_ascii_lowercase());
    let katakana =
        k.chars().count() >= 4 && k.chars().all(|c| matches!(c, '\u{30a1}'..='\u{30fa}'));
    if !latin && !katakana {
        return None;
    }
    // A search asks for a word several times (phrases, expansion, the prefix fallback).
    static SPLITS: LazyLock<Mutex<HashMap<String, Split>>> = LazyLock::new(Default::default);
    let known = SPLITS.lock().ok().and_then(|m| m.get(k).cloned());
    let (left, right) = match known {
        Some(found) => found?,
        None => {
            let found = if latin {
                split_english(k)
            } else {
                split_katakana(k)
            };
            if let Ok(mut m) = SPLITS.lock()
                && m.len() < 10_000
            {
                m.insert(k.to_owned(), found.clone());
            }
            found?
        }
    };
    let id = format!("{COMPOUND_PREFIX}{left} {right}");
    // As the data spells it (トラブルシューティング, with its prolonged sound marks).
    let spelling = compound_spellings(&id)
        .into_iter()
        .find(|s| super::key(&s.term.text) == k)
        .unwrap_or_else(|| Spelling::new(Term::plain(k), Source::Compound));
    Some((id, spelling))
}

/// Of the ways to cut a word in two, the best: most parts of the field, then halves most
/// alike in length (リスクベース is risk + base, not lease + couveuse); none without a
/// field word.
fn best(splits: impl Iterator<Item = (usize, usize, String, String, usize)>) -> Split {
    splits
        .filter(|(.., fields)| *fields > 0)
        .max_by_key(|(a, b, _, _, fields)| (*fields, std::cmp::Reverse(a.abs_diff(*b))))
        .map(|(_, _, left, right, _)| (left, right))
}

fn split_english(k: &str) -> Split {
    if parts_of(k).next().is_some() {
        return None;
    }
    let field = |w: &str| -> Option<bool> {
        let mut parts = parts_of(w).peekable();
        parts.peek()?;
        Some(parts.any(|p| p.field))
    };
    best((4..=k.len() - 4).filter_map(|i| {
        let (a, b) = k.split_at(i);
        let fields = usize::from(field(a)?) + usize::from(field(b)?);
        Some((a.len(), b.len(), a.to_owned(), b.to_owned(), fields))
    }))
}

fn split_katakana(k: &str) -> Split {
    if part_by_key(k).is_some() {
        return None;
    }
    // Keys drop prolonged sound marks: ワークフロー is ワクフロ, of parts ワク and フロ.
    let cuts: Vec<usize> = k.char_indices().map(|(i, _)| i).collect();
    best(
        cuts.iter()
            .skip(2)
            .take(cuts.len().saturating_sub(3))
            .filter_map(|&i| {
                let (a, b) = k.split_at(i);
                let ((left, fa), (right, fb)) = (part_by_key(a)?, part_by_key(b)?);
                let fields = usize::from(fa) + usize::from(fb);
                Some((
                    a.chars().count(),
                    b.chars().count(),
                    left.to_owned(),
                    right.to_owned(),
                    fields,
                ))
            }),
    )
}

/// Every spelling of the compound concept `compound:<left> <right>`: the English words
/// apart (which also match them joined or hyphenated: trouble shooting, troubleshooting) and
/// joined, and the parts' katakana written together (each part's written spellings, at most
/// two). Nothing for an id whose words are not parts.
pub fn compound_spellings(id: &str) -> Vec<Spelling> {
    let Some((left, right)) = id
        .strip_prefix(COMPOUND_PREFIX)
        .and_then(|words| words.split_once(' '))
    else {
        return Vec::new();
    };
    let written = |w: &str| -> Vec<&'static str> {
        parts_of(w)
            .filter(|p| p.written)
            .map(|p| p.katakana)
            .collect()
    };
    let (lefts, rights) = (written(left), written(right));
    if lefts.is_empty() || rights.is_empty() {
        return Vec::new();
    }
    let mut out = vec![
        Spelling::new(Term::plain(format!("{left}{right}")), Source::Compound),
        Spelling::new(Term::plain(format!("{left} {right}")), Source::Compound),
    ];
    for a in &lefts {
        for b in &rights {
            out.push(Spelling::new(
                Term::plain(format!("{a}{b}")),
                Source::Compound,
            ));
        }
    }
    out
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

    /// The parts table reads, is sorted as bytes (the binary search needs it), and its keys
    /// are the search's.
    #[test]
    fn the_parts_table_is_sorted_and_keyed_as_the_search_keys() {
        let lines: Vec<&str> = part_lines().lines().collect();
        assert!(lines.len() > 10_000, "{}", lines.len());
        assert!(lines.windows(2).all(|w| w[0] <= w[1]));
        for line in lines {
            let p = part(line).expect(line);
            assert!(p.english.len() >= 4 && p.english.bytes().all(|c| c.is_ascii_lowercase()));
            // Its key, as the search computes it, is in the keys table.
            assert!(part_by_key(&key(p.katakana)).is_some(), "{line}");
        }
        let katakana = |w: &str| parts_of(w).map(|p| p.katakana).collect::<Vec<_>>();
        assert_eq!(katakana("trouble"), ["トラブル"]);
        assert_eq!(katakana("aardwolf").len(), 1);
        assert!(katakana("zzzz").is_empty());
        assert!(part_by_key(&key("トラブル")).is_some_and(|(e, field)| e == "trouble" && field));
        assert_eq!(part_by_key("ンンンン"), None);
        // The keys table: sorted as bytes too, one line per key, each the key of a part.
        let keys: Vec<&str> = key_lines().lines().collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]));
        let of_parts: std::collections::HashSet<String> = part_lines()
            .lines()
            .filter_map(part)
            .map(|p| key(p.katakana))
            .collect();
        assert_eq!(keys.len(), of_parts.len());
        for line in keys {
            let k = line.split('\t').next().unwrap_or("");
            assert!(of_parts.contains(k), "{line}");
        }
    }

    #[test]
    fn compounds_are_composed_from_two_parts_either_way() {
        let texts = |id: &str| -> Vec<String> {
            compound_spellings(id)
                .into_iter()
                .map(|s| s.term.text)
                .collect()
        };
        let (id, typed) = compound("troubleshooting").unwrap();
        assert_eq!(id, "compound:trouble shooting");
        assert_eq!(typed.term.text, "troubleshooting");
        assert_eq!(
            texts(&id),
            [
                "troubleshooting",
                "trouble shooting",
                "トラブルシューティング"
            ]
        );
        // From katakana, by its key (no prolonged sound marks), spelled as the data has it.
        let (id, typed) = compound(&key("トラブルシューティング")).unwrap();
        assert_eq!(id, "compound:trouble shooting");
        assert_eq!(typed.term.text, "トラブルシューティング");
        assert_eq!(
            compound(&key("ワークフロー")).unwrap().0,
            "compound:work flow"
        );
        // Not for short words or words of other scripts; not for a word that is a part itself
        // (アナリスト is analyst, not anari + suit; shopping is no shop + ping); not without a
        // word of the field among its parts.
        for word in [
            "workflo",
            "可観測性",
            "コンテ",
            "アナリスト",
            "shopping",
            "carpenter",
        ] {
            assert_eq!(compound(&key(word)), None, "{word}");
        }
        // The better cut: risk + base, not a shorter first part.
        assert_eq!(
            compound(&key("リスクベース")).unwrap().0,
            "compound:risk base"
        );
        // Written as the field writes its parts (ヘルスチェック, not ヘルスチッキ alone).
        let id = compound("healthcheck").unwrap().0;
        assert!(
            texts(&id).contains(&"ヘルスチェック".to_owned()),
            "{:?}",
            texts(&id)
        );
        // An id whose words are no parts names nothing.
        assert!(compound_spellings("compound:zzzz yyyy").is_empty());
    }

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
