//! Snippets and highlights, computed from the stored original text.
//!
//! tantivy's `SnippetGenerator` works from token offsets, which for bigram and prefix matches
//! give noisy or empty highlights. Instead the query words are normalised the way the index
//! normalises text and searched in the normalised text; each match is mapped back to the
//! original bytes, so highlights fall on whole characters of what the user wrote (full-width
//! letters, サーバー vs サーバ and all). A word that starts or ends with katakana is marked
//! only where the search finds it: not inside another katakana word (ログ in ブログ), by the
//! word boundaries of `analysis`. A word of letters and digits likewise only as a whole word
//! or a camelCase part of one, as both views take them (`container` not in containerd).

use std::ops::Range;

use serde::Serialize;

use crate::concepts::Expansion;
use crate::concepts::matcher::Pattern;
use crate::search::analysis::{
    Morphology, Normalized, is_hump, is_katakana, is_word_char, normalize_mapped,
};
use crate::search::concepts::CONTENT_SECTIONS;
use crate::search::schema::Section;

/// A piece of a note with the query's matches marked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges of `text`, sorted and disjoint.
    #[serde(skip)]
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// Highlights as character offsets, for JSON consumers.
    pub fn char_highlights(&self) -> Vec<[usize; 2]> {
        self.highlights
            .iter()
            .map(|r| {
                let start = self.text[..r.start].chars().count();
                [start, start + self.text[r.clone()].chars().count()]
            })
            .collect()
    }
}

/// The normalised forms to look for: each query word, and the stem of English words (so
/// "deploying" also marks "deployment").
fn needle_forms(needles: &[String]) -> Vec<String> {
    let mut forms = Vec::new();
    for needle in needles {
        let form = normalize_mapped(needle).text;
        let form = form.trim().to_owned();
        if form.is_empty() {
            continue;
        }
        if form.is_ascii() && !form.contains(' ') {
            let stem = english_stem(&form);
            if stem.len() >= 3 && stem != form {
                forms.push(stem);
            }
        }
        forms.push(form);
    }
    forms
}

/// What to highlight: the query's words, each a group of needles. A plain word is looked
/// for as its normal form (and stem); a word that names a concept as each of its spellings,
/// with their flags (see [`crate::concepts::matcher`]), so the snippet shows the spelling
/// that matched (コンテナ for `container`).
#[derive(Debug, Default)]
pub struct Needles {
    needles: Vec<Needle>,
    groups: usize,
}

#[derive(Debug)]
struct Needle {
    group: usize,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// Normalised forms (see [`needle_forms`]), found anywhere but across the edge of a word
    /// of letters and digits: there, only where the index matches the word as typed.
    Plain(Plain),
    /// A concept's spelling; `typed` is looked for in every section, the others in what a
    /// talk is about (as the search matches them).
    Spelling {
        pattern: Box<Pattern>,
        text: String,
        word: String,
        typed: bool,
    },
}

#[derive(Debug)]
struct Plain {
    forms: Vec<String>,
    /// The English stem of the word's last Latin word: a form may end inside a word that
    /// stems alike (`deploy` in deploying for `deployment`), as the dictionary view matches.
    stem: Option<String>,
    /// The last word of a search as you type: it may end inside a word.
    open_end: bool,
}

/// For one query word that names a concept: the spellings of it a talk writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Matched {
    /// The word or phrase as typed.
    pub word: String,
    /// Its spellings found in the talk (the typed one as the data spells it).
    pub spellings: Vec<String>,
}

impl Needles {
    /// A word matched as typed; with `prefix`, as the start of a word (search as you type).
    pub fn add_word(&mut self, word: &str, prefix: bool) {
        let form = normalize_mapped(word).text;
        // A prefix is matched as typed (`containe`): its stem (contain) would mark contains,
        // which a prefix search does not find.
        if prefix {
            let form = form.trim().to_owned();
            if !form.is_empty() {
                self.needles.push(Needle {
                    group: self.groups,
                    kind: Kind::Plain(Plain {
                        forms: vec![form],
                        stem: None,
                        open_end: true,
                    }),
                });
            }
            self.groups += 1;
            return;
        }
        let forms = needle_forms(&[word.to_owned()]);
        let stem = form
            .trim()
            .rsplit(|c: char| !is_word_char(c))
            .next()
            .filter(|last| !last.is_empty() && last.is_ascii())
            .map(english_stem);
        self.needles.push(Needle {
            group: self.groups,
            kind: Kind::Plain(Plain {
                forms,
                stem,
                open_end: prefix,
            }),
        });
        self.groups += 1;
    }

    /// A word that names a concept: every spelling it matches.
    pub fn add_expansion(&mut self, expansion: &Expansion) {
        for s in &expansion.spellings {
            if let Some(pattern) = Pattern::new(&s.spelling.term) {
                self.needles.push(Needle {
                    group: self.groups,
                    kind: Kind::Spelling {
                        pattern: Box::new(pattern),
                        text: s.spelling.term.text.clone(),
                        word: expansion.word.clone(),
                        typed: s.typed,
                    },
                });
            }
        }
        self.groups += 1;
    }

    /// For each word that names a concept, the spellings found in a talk's sections.
    pub fn matched(&self, sections: &[(Section, String)]) -> Vec<Matched> {
        let mut out: Vec<Matched> = Vec::new();
        let spellings: Vec<_> = self
            .needles
            .iter()
            .filter_map(|n| match &n.kind {
                Kind::Spelling {
                    pattern,
                    text,
                    word,
                    typed,
                } => Some((pattern, text, word, *typed)),
                Kind::Plain(_) => None,
            })
            .collect();
        if spellings.is_empty() {
            return out;
        }
        // Each section normalised once, for every spelling.
        let normalized: Vec<(Section, &str, Normalized)> = sections
            .iter()
            .map(|(section, body)| (*section, body.as_str(), normalize_mapped(body)))
            .collect();
        for (pattern, text, word, typed) in spellings {
            let found = normalized.iter().any(|(section, body, n)| {
                (typed || CONTENT_SECTIONS.contains(section)) && !pattern.find(body, n).is_empty()
            });
            let entry = match out.iter_mut().position(|m| m.word == *word) {
                Some(i) => &mut out[i],
                None => {
                    out.push(Matched {
                        word: word.clone(),
                        spellings: Vec::new(),
                    });
                    out.last_mut().expect("just pushed")
                }
            };
            if found && !entry.spellings.contains(text) {
                entry.spellings.push(text.clone());
            }
        }
        out
    }
}

/// Byte ranges of `text` matching any needle.
pub fn highlights(text: &str, needles: &[String]) -> Vec<Range<usize>> {
    highlights_of(text, &plain(needles))
}

/// Byte ranges of `text` matching any of `needles`.
pub fn highlights_of(text: &str, needles: &Needles) -> Vec<Range<usize>> {
    find(text, needles).0
}

fn plain(words: &[String]) -> Needles {
    let mut needles = Needles::default();
    for word in words {
        needles.add_word(word, false);
    }
    needles
}

fn english_stem(word: &str) -> String {
    rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English)
        .stem(word)
        .into_owned()
}

/// (ranges, number of distinct query words found).
fn find(text: &str, needles: &Needles) -> (Vec<Range<usize>>, usize) {
    if needles.needles.is_empty() || text.is_empty() {
        return (Vec::new(), 0);
    }
    let normalized = normalize_mapped(text);
    // Byte offset in the normalised text → char index, to reach `origins`.
    let char_at: Vec<usize> = {
        let mut map = vec![0; normalized.text.len() + 1];
        for (i, (b, _)) in normalized.text.char_indices().enumerate() {
            map[b] = i;
        }
        map
    };
    let chars: Vec<char> = normalized.text.chars().collect();
    // Where katakana words begin and end inside runs of katakana, as offsets in `text`;
    // computed only when a match touches a longer run of katakana.
    let mut cuts: Option<Vec<usize>> = None;
    let mut is_cut = |at: usize| -> bool {
        let cuts = cuts.get_or_insert_with(|| match Morphology::shared() {
            Ok(m) => m.katakana_cuts(text),
            Err(_) => Vec::new(),
        });
        cuts.binary_search(&at).is_ok()
    };
    // Whether a word of letters and digits may begin or end before char `i`: not inside one,
    // unless on a camelCase hump (`Argo|CD`), read off the original's letter case.
    let cased = |i: usize| {
        normalized
            .origins
            .get(i)
            .and_then(|o| text.get(o.clone()))
            .and_then(|s| s.chars().next())
    };
    let word_edge = |i: usize| -> bool {
        let inside =
            i > 0 && chars.get(i).is_some_and(|&c| is_word_char(c)) && is_word_char(chars[i - 1]);
        !inside
            || match (cased(i - 1), cased(i)) {
                (Some(prev), Some(c)) => is_hump(prev, c, cased(i + 1)),
                _ => false,
            }
    };
    let mut ranges = Vec::new();
    let mut found = vec![false; needles.groups];
    for needle in &needles.needles {
        let spans: Vec<Range<usize>> = match &needle.kind {
            Kind::Plain(Plain {
                forms,
                stem,
                open_end,
            }) => forms
                .iter()
                .flat_map(|form| {
                    normalized
                        .text
                        .match_indices(form.as_str())
                        .map(|(b, m)| b..b + m.len())
                })
                .filter(|span| {
                    // Inside a run of katakana, a katakana edge must be a word boundary.
                    let first = char_at[span.start];
                    let last = first + normalized.text[span.clone()].chars().count() - 1;
                    let inside = |edge: usize, outside: Option<usize>| {
                        is_katakana(chars[edge])
                            && outside
                                .and_then(|o| chars.get(o))
                                .is_some_and(|&c| is_katakana(c))
                    };
                    let starts_inside = inside(first, first.checked_sub(1))
                        && !normalized
                            .origins
                            .get(first)
                            .is_some_and(|o| is_cut(o.start));
                    let ends_inside = inside(last, Some(last + 1))
                        && !normalized
                            .origins
                            .get(last + 1)
                            .is_some_and(|next| is_cut(next.start));
                    !starts_inside && !ends_inside
                })
                .filter(|span| {
                    // At the edge of a word of letters and digits, the index's word must
                    // begin or end there (`container` is not in containerd); the end may
                    // also be inside a word that stems alike, or anywhere for a prefix.
                    let first = char_at[span.start];
                    let end = first + normalized.text[span.clone()].chars().count();
                    let starts = !is_word_char(chars[first]) || word_edge(first);
                    let ends = !is_word_char(chars[end - 1])
                        || word_edge(end)
                        || *open_end
                        || stem.as_deref().is_some_and(|stem| {
                            let word = word_around(&chars, end - 1);
                            word.is_ascii() && english_stem(&word) == stem
                        });
                    starts && ends
                })
                .collect(),
            // A concept's spelling carries its own word boundaries.
            Kind::Spelling { pattern, .. } => pattern.find(text, &normalized),
        };
        for span in spans {
            if let Some(original) = original_range(&normalized, &char_at, span) {
                ranges.push(original);
                found[needle.group] = true;
            }
        }
    }
    (merge(ranges), found.iter().filter(|f| **f).count())
}

/// The word of letters and digits around char `i` of `chars`, whole (not cut at its humps):
/// as the dictionary view stems it.
fn word_around(chars: &[char], i: usize) -> String {
    let start = chars[..i]
        .iter()
        .rposition(|&c| !is_word_char(c))
        .map_or(0, |p| p + 1);
    let end = chars[i..]
        .iter()
        .position(|&c| !is_word_char(c))
        .map_or(chars.len(), |p| i + p);
    chars[start..end].iter().collect()
}

/// The bytes of the original text a byte range of its normalised form came from.
fn original_range(
    normalized: &Normalized,
    char_at: &[usize],
    span: Range<usize>,
) -> Option<Range<usize>> {
    if span.is_empty() {
        return None;
    }
    let first = *char_at.get(span.start)?;
    let last = first + normalized.text.get(span)?.chars().count() - 1;
    let a = normalized.origins.get(first)?;
    let z = normalized.origins.get(last)?;
    Some(a.start..z.end)
}

fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// The line of `texts` (in priority order) that matches the most distinct needles, cut to
/// about `width` characters around its first match. Without any match, the first line.
pub fn best(texts: &[&str], needles: &[String], width: usize) -> Snippet {
    best_of(texts, &plain(needles), width)
}

/// [`best`] for the needles of a search.
pub fn best_of(texts: &[&str], needles: &Needles, width: usize) -> Snippet {
    let mut best: Option<(usize, &str, Vec<Range<usize>>)> = None;
    for text in texts {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let (ranges, distinct) = find(line, needles);
            if best.as_ref().is_none_or(|(d, _, _)| distinct > *d) {
                best = Some((distinct, line, ranges));
            }
        }
    }
    match best {
        Some((_, line, ranges)) => window(line, &ranges, width),
        None => Snippet::default(),
    }
}

/// Cuts `line` to about `width` characters, keeping the first highlight in view.
fn window(line: &str, ranges: &[Range<usize>], width: usize) -> Snippet {
    let total = line.chars().count();
    if total <= width {
        return Snippet {
            text: line.to_owned(),
            highlights: ranges.to_vec(),
        };
    }
    let first_char = ranges
        .first()
        .map_or(0, |r| line[..r.start].chars().count());
    let start_char = first_char.saturating_sub(width / 4).min(total - width);
    let byte_of = |c: usize| line.char_indices().nth(c).map_or(line.len(), |(b, _)| b);
    let (start, end) = (byte_of(start_char), byte_of(start_char + width));
    let mut text = String::new();
    let prefix = if start > 0 { "…" } else { "" };
    text.push_str(prefix);
    text.push_str(&line[start..end]);
    if end < line.len() {
        text.push('…');
    }
    let shift = prefix.len();
    let highlights = ranges
        .iter()
        .filter(|r| r.start >= start && r.end <= end)
        .map(|r| r.start - start + shift..r.end - start + shift)
        .collect();
    Snippet { text, highlights }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(s: &Snippet) -> String {
        let mut out = String::new();
        let mut at = 0;
        for r in &s.highlights {
            out.push_str(&s.text[at..r.start]);
            out.push('[');
            out.push_str(&s.text[r.clone()]);
            out.push(']');
            at = r.end;
        }
        out.push_str(&s.text[at..]);
        out
    }

    #[test]
    fn highlights_map_back_to_the_original_characters() {
        let s = best(
            &["ＥＢＰＦでサーバーを観測する"],
            &["ebpf".into(), "サーバ".into()],
            100,
        );
        assert_eq!(marked(&s), "[ＥＢＰＦ]で[サーバー]を観測する");
        let s = best(&["サービスメッシュの導入"], &["メッシュ".into()], 100);
        assert_eq!(marked(&s), "サービス[メッシュ]の導入");
    }

    #[test]
    fn the_line_with_most_terms_wins() {
        let s = best(
            &["one kubernetes\ntwo kubernetes and ebpf"],
            &["kubernetes".into(), "ebpf".into()],
            100,
        );
        assert_eq!(marked(&s), "two [kubernetes] and [ebpf]");
    }

    #[test]
    fn stems_and_long_lines() {
        let s = best(&["We are deploying it"], &["deployment".into()], 100);
        assert_eq!(marked(&s), "We are [deploy]ing it");
        let long = format!("{}目的の語{}", "あ".repeat(200), "い".repeat(200));
        let s = best(&[&long], &["目的".into()], 40);
        assert!(s.text.starts_with('…') && s.text.ends_with('…'));
        assert!(marked(&s).contains("[目的]"));
        assert!(s.text.chars().count() <= 42);
    }

    #[test]
    fn a_latin_word_is_marked_only_where_the_index_matches_it() {
        let one = |word: &str, prefix: bool, text: &str| {
            let mut needles = Needles::default();
            needles.add_word(word, prefix);
            marked(&best_of(&[text], &needles, 200))
        };
        // Regression: `=container` marked container inside containerd, which the search
        // (whole words) does not match.
        let text = "containerd runs containers, a container (ContainerRuntime)";
        assert_eq!(
            one("container", false, text),
            "containerd runs [container]s, a [container] ([Container]Runtime)"
        );
        // As the start of a word only when it is being typed (`--prefix`, the TUI).
        assert_eq!(
            one("containe", true, text),
            "[containe]rd runs [containe]rs, a [containe]r ([Containe]rRuntime)"
        );
        assert_eq!(one("ontainer", true, text), text);
        // The stem of a prefix (contain, of containe) is no prefix: contains is not marked.
        assert_eq!(
            one("containe", true, "it contains a container"),
            "it contains a [containe]r"
        );
        // camelCase parts are words, as in the index (`CD|Server` too); not a lower-case run.
        assert_eq!(
            one("cd", false, "ArgoCDServer, abcd"),
            "Argo[CD]Server, abcd"
        );
        assert_eq!(one("server", false, "ArgoCDServer"), "ArgoCD[Server]");
        // CJK words are still found inside compounds, and next to Latin words.
        assert_eq!(
            one("コンテナ", false, "containerdはコンテナランタイム"),
            "containerdは[コンテナ]ランタイム"
        );
        assert_eq!(
            one("生成ai", false, "生成AIと生成aiops"),
            "[生成AI]と生成aiops"
        );
    }
}
