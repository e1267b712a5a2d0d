//! Snippets and highlights, computed from the stored original text.
//!
//! tantivy's `SnippetGenerator` works from token offsets, which for bigram and prefix matches
//! give noisy or empty highlights. Instead the query words are normalised the way the index
//! normalises text and searched in the normalised text; each match is mapped back to the
//! original bytes, so highlights fall on whole characters of what the user wrote (full-width
//! letters, サーバー vs サーバ and all). A word that starts or ends with katakana is marked
//! only where the search finds it: not inside another katakana word (ログ in ブログ), by the
//! word boundaries of `analysis`.

use std::ops::Range;

use serde::Serialize;

use crate::search::analysis::{Morphology, is_katakana, normalize_mapped};

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
    let stemmer = rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English);
    let mut forms = Vec::new();
    for needle in needles {
        let form = normalize_mapped(needle).text;
        let form = form.trim().to_owned();
        if form.is_empty() {
            continue;
        }
        if form.is_ascii() && !form.contains(' ') {
            let stem = stemmer.stem(&form).into_owned();
            if stem.len() >= 3 && stem != form {
                forms.push(stem);
            }
        }
        forms.push(form);
    }
    forms
}

/// Byte ranges of `text` matching any needle.
pub fn highlights(text: &str, needles: &[String]) -> Vec<Range<usize>> {
    find(text, &needle_forms(needles)).0
}

/// (ranges, number of distinct needles found).
fn find(text: &str, forms: &[String]) -> (Vec<Range<usize>>, usize) {
    if forms.is_empty() || text.is_empty() {
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
    let mut ranges = Vec::new();
    let mut distinct = 0;
    for form in forms {
        let mut found = false;
        for (b, m) in normalized.text.match_indices(form.as_str()) {
            let first = char_at[b];
            let last = first + m.chars().count() - 1;
            let (Some(a), Some(z)) = (normalized.origins.get(first), normalized.origins.get(last))
            else {
                continue;
            };
            // Inside a run of katakana, a katakana edge must be a word boundary.
            let inside = |edge: usize, outside: Option<usize>| {
                is_katakana(chars[edge])
                    && outside
                        .and_then(|o| chars.get(o))
                        .is_some_and(|&c| is_katakana(c))
            };
            if inside(first, first.checked_sub(1)) && !is_cut(a.start) {
                continue;
            }
            if inside(last, Some(last + 1))
                && !normalized
                    .origins
                    .get(last + 1)
                    .is_some_and(|next| is_cut(next.start))
            {
                continue;
            }
            ranges.push(a.start..z.end);
            found = true;
        }
        distinct += usize::from(found);
    }
    (merge(ranges), distinct)
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
    let forms = needle_forms(needles);
    let mut best: Option<(usize, &str, Vec<Range<usize>>)> = None;
    for text in texts {
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let (ranges, distinct) = find(line, &forms);
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
}
