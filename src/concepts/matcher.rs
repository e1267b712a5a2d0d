//! A spelling found in text with its flags: for highlighting the spelling a talk matched and
//! for saying which one it was. The search index decides what matches (see
//! `search::concepts`); this reads the same rules off the stored text:
//!
//! - Latin spellings match whole words (not inside a longer run of letters and digits), with
//!   the regular inflections of their last word (`network` finds networks and networking,
//!   `metrics` finds metric) unless they are whole-word abbreviations (plural only: SREs) or
//!   case-sensitive (exact only); their words may be joined by spaces, hyphens, slashes or
//!   nothing (`service mesh` = `service-mesh` = `ServiceMesh`);
//! - CJK spellings match anywhere, except inside an occurrence of a `not_in` word;
//! - a `case` spelling matches only where the original text has its letter case.

use std::ops::Range;

use regex::Regex;

use super::{Term, is_latin};
use crate::search::analysis::{Normalized, normalize, normalize_mapped};

/// A compiled spelling.
#[derive(Debug, Clone)]
pub struct Pattern {
    regex: Regex,
    latin_start: bool,
    latin_end: bool,
    not_in: Vec<String>,
    /// The spelling's normal form with its case, when the case must match.
    case: Option<String>,
    /// A camelCase hump counts as a word boundary (`metrics` in VictoriaMetrics), as the
    /// index's bigram view has it; not for whole-word spellings.
    humps: bool,
}

/// The forms of an English word a spelling also matches: a plural spelling's singular
/// (metrics → metric), and for words of five letters or more the plural and the -ing and -ed
/// forms (`upgrade`: upgrades, upgraded, upgrading), as in the reference matcher of the
/// concept test set; beyond it, a final y after a consonant as -ies and -ied (`policy`:
/// policies, `dependency`: dependencies; a plural in -ies also keeps -ie, cookies → cookie)
/// and a final consonant doubled after one vowel (`debug`: debugging, debugged; a form no
/// text writes, `clusterring`, costs nothing). Returns the stem and the suffixes that may
/// follow it.
pub fn inflections(word: &str) -> (String, Vec<String>) {
    let owned = |suffixes: &[&str]| suffixes.iter().map(|s| s.to_string()).collect();
    let inflect = word.len() > 4 && word.chars().all(|c| c.is_ascii_alphabetic());
    if !inflect {
        return (word.to_owned(), owned(&["", "s", "es"]));
    }
    if let Some(stem) = word.strip_suffix("ies") {
        return (stem.to_owned(), owned(&["y", "ies", "ied", "ying", "ie"]));
    }
    let base = match word.strip_suffix('s') {
        Some(singular) if !word.ends_with("ss") => singular,
        _ => word,
    };
    let b = base.as_bytes();
    if let Some(stem) = base.strip_suffix('y')
        && b.len() >= 2
        && !is_vowel(b[b.len() - 2])
    {
        return (stem.to_owned(), owned(&["y", "ies", "ied", "ying"]));
    }
    if let Some(stem) = base.strip_suffix('e') {
        return (stem.to_owned(), owned(&["e", "es", "ed", "ing"]));
    }
    let mut suffixes: Vec<String> = owned(&["", "s", "es", "ing", "ed"]);
    if doubles_its_last_letter(base) {
        let last = char::from(b[b.len() - 1]);
        suffixes.push(format!("{last}ing"));
        suffixes.push(format!("{last}ed"));
    }
    (base.to_owned(), suffixes)
}

fn is_vowel(c: u8) -> bool {
    matches!(c.to_ascii_lowercase(), b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Whether an English word may double its last letter before -ing and -ed: it ends with one
/// vowel and then a consonant, not w, x or y, nor l, s, f or z, which end words already
/// doubled (install, pass): debug → debugging, commit → committing.
pub fn doubles_its_last_letter(word: &str) -> bool {
    let b = word.as_bytes();
    let n = b.len();
    n >= 3
        && word.is_ascii()
        && b[n - 1].is_ascii_alphabetic()
        && !is_vowel(b[n - 1])
        && !b"wxylsfzWXYLSFZ".contains(&b[n - 1])
        && is_vowel(b[n - 2])
        && !is_vowel(b[n - 3])
}

/// Whether `c` continues a Latin word.
fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
}

impl Pattern {
    /// The pattern of `term`; `None` for a term with nothing to find.
    pub fn new(term: &Term) -> Option<Pattern> {
        let form = normalize_mapped(&term.text).text;
        let words = words(&form);
        let (last, head) = words.split_last()?;
        let latin = is_latin(&term.text);
        let mut pattern = String::new();
        for word in head {
            pattern.push_str(&regex::escape(word));
            pattern.push_str(r"[\s\-_/.・]*");
        }
        let latin_end = last.chars().last().is_some_and(is_word_char);
        if latin && latin_end && !term.flags.case {
            let suffixes: Vec<String> = if term.flags.whole_word() {
                vec!["".into(), "s".into(), "es".into()]
            } else {
                inflections(last).1
            };
            let stem = if term.flags.whole_word() {
                last.to_string()
            } else {
                inflections(last).0
            };
            pattern.push_str(&regex::escape(&stem));
            // Longest first: the regex takes the first alternative that matches, and a
            // shorter one would stop before the rest of the word (and fail the boundary).
            let mut alternatives: Vec<String> = suffixes.iter().map(|s| regex::escape(s)).collect();
            alternatives.sort_by_key(|a| std::cmp::Reverse(a.len()));
            pattern.push_str(&format!("(?:{})", alternatives.join("|")));
        } else {
            pattern.push_str(&regex::escape(last));
        }
        let regex = Regex::new(&pattern).ok()?;
        Some(Pattern {
            regex,
            latin_start: form.chars().next().is_some_and(is_word_char),
            latin_end,
            not_in: term
                .flags
                .not_in
                .iter()
                .map(|w| normalize_mapped(w).text)
                .collect(),
            case: term.flags.case.then(|| normalize(&term.text)),
            humps: latin && !term.flags.whole_word() && !term.flags.case,
        })
    }

    /// Byte ranges of `text` (as [`normalize_mapped`] made it from `original`) where the
    /// spelling occurs.
    pub fn find(&self, original: &str, text: &Normalized) -> Vec<Range<usize>> {
        let s = text.text.as_str();
        let blocked: Vec<Range<usize>> = self
            .not_in
            .iter()
            .flat_map(|w| s.match_indices(w.as_str()).map(|(at, m)| at..at + m.len()))
            .collect();
        let mut out = Vec::new();
        // Overlapping starts matter (a rejected candidate may hide a good one right after).
        let mut from = 0;
        while let Some(m) = self.regex.find_at(s, from) {
            from = m.start() + s[m.start()..].chars().next().map_or(1, char::len_utf8);
            let before = s[..m.start()].chars().next_back();
            let after = s[m.end()..].chars().next();
            let hump = |at: usize| self.humps && hump_at(original, text, at);
            if self.latin_start && before.is_some_and(is_word_char) && !hump(m.start()) {
                continue;
            }
            if self.latin_end && after.is_some_and(is_word_char) && !hump(m.end()) {
                continue;
            }
            if blocked
                .iter()
                .any(|b| b.start <= m.start() && m.end() <= b.end)
            {
                continue;
            }
            if let Some(case) = &self.case
                && !same_case(original, text, m.range(), case)
            {
                continue;
            }
            out.push(m.range());
        }
        out
    }

    /// Whether the spelling occurs in `original`.
    pub fn occurs_in(&self, original: &str) -> bool {
        !self.find(original, &normalize_mapped(original)).is_empty()
    }
}

/// The words of a normal form: runs of letters, digits and CJK, cut where Latin meets CJK
/// too (`生成ai` is `生成`, `ai`, found in `生成 AI`), as the index's views cut them.
fn words(form: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut prev_cjk = false;
    for (i, c) in form.char_indices() {
        let cjk = crate::search::analysis::is_cjk(c);
        let part = cjk || c.is_alphanumeric() || matches!(c, '+' | '#');
        match start {
            Some(s) if !part || cjk != prev_cjk => {
                out.push(&form[s..i]);
                start = part.then_some(i);
            }
            None if part => start = Some(i),
            _ => {}
        }
        prev_cjk = cjk;
    }
    if let Some(s) = start {
        out.push(&form[s..]);
    }
    out
}

/// Whether byte `at` of the normalised text falls on a camelCase hump of the original, as
/// the index splits identifiers ([`crate::search::analysis::is_hump`]): `Victoria|Metrics`,
/// `Argo|CD`, `CD|Server`.
fn hump_at(original: &str, text: &Normalized, at: usize) -> bool {
    let i = text.text[..at].chars().count();
    let char_of = |k: Option<usize>, last: bool| {
        let range = text.origins.get(k?)?;
        let s = original.get(range.clone())?;
        if last {
            s.chars().next_back()
        } else {
            s.chars().next()
        }
    };
    match (char_of(i.checked_sub(1), true), char_of(Some(i), false)) {
        (Some(prev), Some(c)) => {
            crate::search::analysis::is_hump(prev, c, char_of(Some(i + 1), false))
        }
        _ => false,
    }
}

/// Whether the original characters under `range` of the normalised text read `case` once
/// normalised with their case kept.
fn same_case(original: &str, text: &Normalized, range: Range<usize>, case: &str) -> bool {
    let first = text.text[..range.start].chars().count();
    let count = text.text[range].chars().count();
    let (Some(a), Some(z)) = (
        text.origins.get(first),
        text.origins.get(first + count.saturating_sub(1)),
    ) else {
        return false;
    };
    original
        .get(a.start..z.end)
        .is_some_and(|slice| normalize(slice) == *case)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::concepts::Flags;

    fn found(term: Term, text: &str) -> Vec<String> {
        let pattern = Pattern::new(&term).unwrap();
        let normalized = normalize_mapped(text);
        pattern
            .find(text, &normalized)
            .into_iter()
            .map(|r| normalized.text[r].to_owned())
            .collect()
    }

    fn flagged(text: &str, set: impl FnOnce(&mut Flags)) -> Term {
        let mut term = Term::plain(text);
        set(&mut term.flags);
        term
    }

    #[test]
    fn latin_words_match_whole_with_their_inflections() {
        let network = Term::plain("network");
        assert_eq!(
            found(network.clone(), "Networking and networks"),
            ["networking", "networks"]
        );
        assert!(found(network, "subnetworks").is_empty());
        assert_eq!(
            found(Term::plain("metrics"), "a metric, two metrics"),
            ["metric", "metrics"]
        );
        assert_eq!(
            found(Term::plain("upgrade"), "upgraded / upgrading"),
            ["upgraded", "upgrading"]
        );
        assert!(found(Term::plain("container"), "containerd contains").is_empty());
        assert_eq!(
            found(Term::plain("policy"), "one policy, two policies"),
            ["policy", "policies"]
        );
        assert_eq!(
            found(Term::plain("dependencies"), "a dependency"),
            ["dependency"]
        );
        assert_eq!(
            found(Term::plain("debug"), "debugging, debugged, debugs"),
            ["debugging", "debugged", "debugs"]
        );
        assert_eq!(
            found(Term::plain("cookies"), "a cookie, cookies"),
            ["cookie", "cookies"]
        );
        // camelCase humps are boundaries, as in the index (`CD|Server` too, not `v2|Beta`);
        // a whole-word spelling keeps out.
        assert_eq!(found(Term::plain("server"), "ArgoCDServer"), ["server"]);
        assert!(found(Term::plain("beta"), "v2Beta").is_empty());
        assert_eq!(
            found(Term::plain("metrics"), "VictoriaMetrics"),
            ["metrics"]
        );
        assert!(found(flagged("CD", |f| f.abbr = true), "ArgoCD").is_empty());
        assert_eq!(found(Term::plain("生成AI"), "生成 AI の話"), ["生成 ai"]);
        assert_eq!(
            found(
                Term::plain("service mesh"),
                "Service-Mesh, ServiceMesh, service meshes"
            ),
            ["service-mesh", "servicemesh", "service meshes"]
        );
    }

    #[test]
    fn flags_are_honoured() {
        let sre = flagged("SRE", |f| f.abbr = true);
        assert_eq!(found(sre.clone(), "SREs and SRE"), ["sres", "sre"]);
        assert!(found(sre, "presre").is_empty());
        let ai = flagged("AI", |f| f.case = true);
        assert_eq!(found(ai.clone(), "生成AIとＡＩ"), ["ai", "ai"]);
        assert!(found(ai, "Ai Tanaka, ai").is_empty());
        let log = flagged("ログ", |f| {
            f.not_in = vec!["ブログ".into(), "ログイン".into()]
        });
        assert_eq!(found(log, "ブログにログを書く。ログイン"), ["ログ"]);
        assert_eq!(found(Term::plain("サーバー"), "サーバの話"), ["サバ"]);
    }
}
