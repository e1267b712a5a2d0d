//! Pairs written side by side in notes: `オブザーバビリティ（Observability）`,
//! `可観測性 (o11y)`, `Infrastructure as Code (IaC)`. Writers give a term and its other
//! spelling in parentheses; a pair written so in enough talks is an equivalence.
//!
//! Mined when a talk is indexed (the index keeps each talk's pairs as terms of a field of
//! their own, so "in how many talks" is a document frequency and stays current as notes
//! change; see `search::concepts`). Parentheses hold much else (examples, lists, asides), so
//! a pair is kept only when it looks like two names of one thing:
//!
//! - a translation: one side Latin and the other Japanese (`可観測性 (Observability)`), or one
//!   katakana and the other kanji (`オブザーバビリティ（可観測性）`);
//! - an abbreviation: two Latin sides where one abbreviates the other by its initials, its
//!   camelCase humps or as a numeronym (`Open Policy Agent (OPA)`, `OpenTelemetry (OTel)`,
//!   `Kubernetes (k8s)`), which refuses `Kubernetes (EKS)`;
//!
//! and never when the parentheses hold a list, a sentence, a URL or an example (`、`, `,`,
//! `;`, `/`, hiragana, `例`, `など`, `e.g.`). [`MIN_TALKS`] says how many talks make a pair an
//! equivalence.

use super::key;

/// A pair counts once it is written in this many talks. Measured on the 613 CloudNative
/// Days talks of `tests/data/concepts/`: the mined pairs seen in one talk only are mostly
/// one-off glosses (`Kubernetes (AWS EKS)`, `サービスメッシュ (Istio)`-like examples the
/// filters let through), while those seen in two or more were all real equivalences
/// (docs/concepts.md has the counts).
pub const MIN_TALKS: u64 = 2;

/// Joins the two spellings of a pair in the index's term: control characters never occur in
/// a key, so the join is unambiguous.
pub const PAIR_JOIN: char = '\u{1f}';

/// The index term of `a` written with `b`.
pub fn encode(a: &str, b: &str) -> String {
    format!("{a}{PAIR_JOIN}{b}")
}

/// The two keys of an index term.
pub fn decode(term: &str) -> Option<(&str, &str)> {
    term.split_once(PAIR_JOIN)
}

/// The index terms for the pairs of a talk's texts: each pair in both orders, each once.
pub fn terms<'a>(texts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out = Vec::new();
    for text in texts {
        for (a, b) in pairs(text) {
            for term in [encode(&a, &b), encode(&b, &a)] {
                if !out.contains(&term) {
                    out.push(term);
                }
            }
        }
    }
    out
}

/// The pairs written in `text`, as keys (see [`super::key`]), each once.
pub fn pairs(text: &str) -> Vec<(String, String)> {
    let text = crate::search::analysis::normalize(text);
    let chars: Vec<char> = text.chars().collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for (open, _) in chars.iter().enumerate().filter(|(_, c)| **c == '(') {
        let Some(close) = chars[open + 1..]
            .iter()
            .take(48)
            .position(|&c| matches!(c, ')' | '(' | '\n' | '。'))
            .map(|p| open + 1 + p)
            .filter(|&p| chars[p] == ')')
        else {
            continue;
        };
        let inner: String = chars[open + 1..close].iter().collect();
        let before: String = chars[..open].iter().collect();
        if let Some((a, b)) = pair(before.trim_end(), inner.trim()) {
            let (a, b) = (key(&a), key(&b));
            if !a.is_empty() && !b.is_empty() && a != b && !out.contains(&(a.clone(), b.clone())) {
                out.push((a, b));
            }
        }
    }
    out
}

/// The pair that `before (inner)` writes, if it is one.
fn pair(before: &str, inner: &str) -> Option<(String, String)> {
    if !plausible_inside(inner) {
        return None;
    }
    let inner_cjk = inner.chars().any(is_kana_or_kanji);
    let last = before.chars().next_back()?;
    if inner_cjk {
        if last.is_ascii_alphanumeric() {
            // `PersistentVolume（永続ボリューム）`: a Latin name and its Japanese.
            let words = latin_tail(before);
            return (!words.is_empty() && words.len() <= 4)
                .then(|| (words.join(" "), inner.to_owned()));
        }
        let run = cjk_run(before)?;
        // Katakana and kanji: two renderings of one loanword (オブザーバビリティ（可観測性）).
        let katakana_only = |s: &str| s.chars().all(|c| is_katakana(c) || c == 'ー');
        let has_kanji = |s: &str| s.chars().any(is_kanji);
        let differ = (katakana_only(&run)
            && has_kanji(inner)
            && !inner.chars().any(|c| c.is_ascii_alphanumeric()))
            || (katakana_only(inner)
                && has_kanji(&run)
                && !run.chars().any(|c| c.is_ascii_alphanumeric()));
        return differ.then(|| (run, inner.to_owned()));
    }
    // Latin inside.
    let inner_words: Vec<&str> = inner.split_whitespace().collect();
    if inner_words.len() > 5 {
        return None;
    }
    // Digits inside make a version, an issue number or a year, unless a numeronym (k8s).
    let letters: Vec<char> = inner.to_lowercase().chars().collect();
    if inner.chars().any(|c| c.is_ascii_digit())
        && (inner_words.len() > 1 || numeronym(&letters).is_none())
    {
        return None;
    }
    if is_kana_or_kanji(last) {
        // `可観測性 (o11y)`, `オブザーバビリティ (Observability)`: a translation. Katakana is
        // the English word's sound, so it must sound like it: `コンテナ (Docker)` names an
        // example, not a translation.
        let run = cjk_run(before)?;
        let katakana = run.chars().all(|c| is_katakana(c) || c == 'ー');
        let abbreviation = inner_words.len() == 1 && looks_abbreviated(inner);
        if katakana && !abbreviation && !sounds_alike(&run, inner) {
            return None;
        }
        return Some((run, inner.to_owned()));
    }
    if !last.is_ascii_alphanumeric() {
        return None;
    }
    let words = latin_tail(before);
    if inner_words.len() == 1 && looks_abbreviated(inner) {
        // `Infrastructure as Code (IaC)`: the fewest words the abbreviation stands for.
        return (1..=words.len().min(8)).find_map(|n| {
            let tail = &words[words.len() - n..];
            abbreviates(inner, tail).then(|| (tail.join(" "), inner.to_owned()))
        });
    }
    // `SLO (Service Level Objective)`: the abbreviation before, its words inside.
    let abbr = words.last()?;
    (looks_abbreviated(abbr) && abbreviates(abbr, &inner_words))
        .then(|| (abbr.to_string(), inner.to_owned()))
}

/// Whether katakana `kana` renders the sound of Latin `latin`: their consonants, grouped by
/// how Japanese renders them (b/v/p/f, r/l, s/z/c/th/sh/j, t/d, k/g/q, m/n), share a common
/// sequence of at least half of the longer one. オブザーバビリティ and observability do
/// (b-z-b-r-t against b-s-r-v-b-l-t); サービスメッシュ and Istio do not.
fn sounds_alike(kana: &str, latin: &str) -> bool {
    let romaji = wana_kana::ConvertJapanese::to_romaji(kana);
    let (a, b) = (skeleton(&romaji), skeleton(latin));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let longest = a.len().max(b.len());
    2 * common(&a, &b) >= longest
}

/// The consonant classes of a word, in order, repeats merged.
fn skeleton(word: &str) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::new();
    for c in word.to_lowercase().chars() {
        let class = match c {
            'b' | 'v' | 'p' | 'f' => b'B',
            'r' | 'l' => b'R',
            's' | 'z' | 'c' | 'j' | 'x' => b'S',
            't' | 'd' => b'T',
            'k' | 'g' | 'q' => b'K',
            'm' | 'n' => b'N',
            _ => continue,
        };
        if out.last() != Some(&class) {
            out.push(class);
        }
    }
    out
}

/// Length of the longest common subsequence.
fn common(a: &[u8], b: &[u8]) -> usize {
    let mut row = vec![0usize; b.len() + 1];
    for &x in a {
        let mut diagonal = 0;
        for (j, &y) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = if x == y {
                diagonal + 1
            } else {
                above.max(row[j])
            };
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Whether the text in parentheses can be a name: short, no list, sentence, URL or example.
fn plausible_inside(inner: &str) -> bool {
    let chars = inner.chars().count();
    if !(2..=40).contains(&chars) {
        return false;
    }
    if inner.chars().any(|c| {
        matches!(
            c,
            ',' | '、' | ';' | ':' | '/' | '=' | '「' | '」' | '※' | '→' | '?' | '!'
        ) || is_hiragana(c)
    }) {
        return false;
    }
    let lower = inner.to_lowercase();
    if [
        "http", "e.g", "i.e", "etc", "例", "等", "以下", "含む", "参照",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        return false;
    }
    inner.chars().any(|c| c.is_alphabetic())
}

/// The Latin words at the end of `text` (letters, digits and `.+#-` inside words), up to a
/// character that is neither such a word nor a single space.
fn latin_tail(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut rest = text;
    loop {
        let start = rest
            .char_indices()
            .rev()
            .take_while(|(_, c)| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '#' | '-'))
            .last()
            .map(|(i, _)| i);
        let Some(start) = start else { break };
        let word = &rest[start..];
        if !word.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            break;
        }
        words.push(word);
        rest = &rest[..start];
        match rest.strip_suffix(' ') {
            Some(r) if r.ends_with(|c: char| c.is_ascii_alphanumeric() || c == '.') => rest = r,
            _ => break,
        }
        if words.len() > 8 {
            break;
        }
    }
    words.reverse();
    words
}

/// The run of kanji, katakana and Latin letters (no spaces) at the end of `text`, holding
/// some kanji or katakana and at most 24 characters: `可観測性`, `生成AI`.
fn cjk_run(text: &str) -> Option<String> {
    let run: Vec<char> = text
        .chars()
        .rev()
        .take_while(|&c| is_kana_or_kanji(c) || c == 'ー' || c.is_ascii_alphanumeric())
        .collect();
    let run: String = run.into_iter().rev().collect();
    let count = run.chars().count();
    (run.chars().any(is_kana_or_kanji) && (2..=24).contains(&count)).then_some(run)
}

/// Whether a single Latin token reads as an abbreviation: short, and capitals after the
/// first letter or digits (`IaC`, `OTel`, `SRE`, `k8s`), not a plain word.
fn looks_abbreviated(token: &str) -> bool {
    let n = token.chars().count();
    (2..=8).contains(&n)
        && token.chars().all(|c| c.is_ascii_alphanumeric())
        && token
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
        && (token
            .chars()
            .skip(1)
            .any(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
}

/// Words an abbreviation may skip.
const STOP_WORDS: [&str; 12] = [
    "a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "the", "to",
];

/// Whether `abbr` abbreviates `words`: a numeronym of one word (`k8s`, `o11y`), or letters
/// taken in order from the starts of the words (or of their camelCase humps), each word
/// giving at least its first letter, stop words optional (`IaC`, `OTel`, `DevEx`, `SBOM`).
pub fn abbreviates(abbr: &str, words: &[&str]) -> bool {
    let letters: Vec<char> = abbr.to_lowercase().chars().collect();
    if let [word] = words
        && let Some(inner) = numeronym(&letters)
    {
        let w: Vec<char> = word.to_lowercase().chars().collect();
        return w.len() == inner + 2
            && w[0] == letters[0]
            && w[w.len() - 1] == letters[letters.len() - 1];
    }
    if letters.iter().any(|c| !c.is_alphabetic()) {
        return false;
    }
    let mut parts: Vec<(String, bool)> = Vec::new();
    for word in words {
        let stop = STOP_WORDS.contains(&word.to_lowercase().as_str());
        for hump in humps(word) {
            parts.push((hump.to_lowercase(), stop));
        }
    }
    initials(&letters, &parts)
}

/// `k8s` → Some(8): a letter, a number, a letter.
fn numeronym(letters: &[char]) -> Option<usize> {
    let (first, rest) = letters.split_first()?;
    let (last, digits) = rest.split_last()?;
    if !first.is_alphabetic() || !last.is_alphabetic() || digits.is_empty() {
        return None;
    }
    let digits: String = digits.iter().collect();
    digits.parse().ok()
}

/// Whether `letters` are the starts of `parts` in order: each part gives a prefix of itself
/// (at least its first letter, unless it is a stop word, which may give nothing).
fn initials(letters: &[char], parts: &[(String, bool)]) -> bool {
    let Some(((part, stop), rest)) = parts.split_first() else {
        return letters.is_empty();
    };
    if *stop && initials(letters, rest) {
        return true;
    }
    let part: Vec<char> = part.chars().collect();
    (1..=part.len().min(letters.len()))
        .take_while(|&n| part[n - 1] == letters[n - 1])
        .any(|n| initials(&letters[n..], rest))
}

/// camelCase humps: `OpenTelemetry` → `Open`, `Telemetry`; `DevEx` → `Dev`, `Ex`.
fn humps(word: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    for i in 1..chars.len() {
        if chars[i].1.is_uppercase() && chars[i - 1].1.is_lowercase() {
            out.push(&word[start..chars[i].0]);
            start = chars[i].0;
        }
    }
    out.push(&word[start..]);
    out.retain(|h| !h.is_empty());
    out
}

fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30a1}'..='\u{30fa}' | '\u{31f0}'..='\u{31ff}')
}

fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309f}')
}

fn is_kanji(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '々')
}

fn is_kana_or_kanji(c: char) -> bool {
    is_katakana(c) || is_kanji(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mined(text: &str) -> Vec<(String, String)> {
        pairs(text)
    }

    fn pair(a: &str, b: &str) -> (String, String) {
        (key(a), key(b))
    }

    #[test]
    fn translations_and_abbreviations_are_mined() {
        assert_eq!(
            mined("今日はオブザーバビリティ（Observability）の話"),
            [pair("オブザーバビリティ", "Observability")]
        );
        assert_eq!(
            mined("つまり可観測性 (o11y) が大事"),
            [pair("可観測性", "o11y")]
        );
        assert_eq!(
            mined("Infrastructure as Code (IaC) で管理"),
            [pair("Infrastructure as Code", "IaC")]
        );
        assert_eq!(
            mined("オブザーバビリティ(可観測性)とは"),
            [pair("オブザーバビリティ", "可観測性")]
        );
        assert_eq!(
            mined("Open Policy Agent（OPA）を使う"),
            [pair("Open Policy Agent", "OPA")]
        );
        assert_eq!(
            mined("SLO (Service Level Objective) を決める"),
            [pair("SLO", "Service Level Objective")]
        );
        assert_eq!(
            mined("Amazon Elastic Kubernetes Service (EKS)"),
            [pair("Elastic Kubernetes Service", "EKS")]
        );
        assert_eq!(
            mined("OpenTelemetry (OTel) の計装"),
            [pair("OpenTelemetry", "OTel")]
        );
        assert_eq!(mined("Kubernetes (k8s) 入門"), [pair("Kubernetes", "k8s")]);
        assert_eq!(
            mined("PersistentVolume（永続ボリューム）"),
            [pair("PersistentVolume", "永続ボリューム")]
        );
        assert_eq!(
            mined("デジタルトランスフォーメーション（DX）"),
            [pair("デジタルトランスフォーメーション", "DX")]
        );
        assert_eq!(
            mined("サービスメッシュ (Service Mesh)"),
            [pair("サービスメッシュ", "Service Mesh")]
        );
        assert_eq!(
            mined("ハンズオン（hands-on）"),
            [pair("ハンズオン", "hands-on")]
        );
    }

    #[test]
    fn lists_examples_asides_and_hypernyms_are_not() {
        for text in [
            "Kubernetes (EKS) で動かす",
            "Kubernetes (AWS EKS)",
            "コンテナ（Docker, k8s）",
            "パブリッククラウド（AWS/Azure/GCP）",
            "コンテナ技術（とその使い方）",
            "アーティファクト（バイナリ）",
            "プラットフォーム（例: macOS, Linux）",
            "発表（https://sched.co/eoJ0）",
            "Amazon Elastic Kubernetes Service（以下EKS）",
            "機能 (KEP-3294)",
            "運用 (2024)",
            "ここ(笑)",
            "this (and that)",
            "サービスメッシュ (Istio)",
            "コンテナ (Docker)",
            "Kubernetes 1.30 (v1.30)",
        ] {
            assert_eq!(mined(text), Vec::<(String, String)>::new(), "{text}");
        }
    }

    #[test]
    fn abbreviations_are_checked_letter_by_letter() {
        assert!(abbreviates("IaC", &["Infrastructure", "as", "Code"]));
        assert!(abbreviates("PaaS", &["Platform", "as", "a", "Service"]));
        assert!(abbreviates("DevEx", &["Developer", "Experience"]));
        assert!(abbreviates(
            "SBOM",
            &["Software", "Bill", "of", "Materials"]
        ));
        assert!(abbreviates("o11y", &["observability"]));
        assert!(abbreviates("OTel", &["OpenTelemetry"]));
        assert!(!abbreviates("EKS", &["Kubernetes"]));
        assert!(!abbreviates("k9s", &["Kubernetes"]));
        assert!(!abbreviates("CD", &["Continuous", "Integration"]));
        assert!(!abbreviates("OPA", &["Policy", "Agent"]));
        assert!(!abbreviates("SLO", &["Service", "Objective", "Level"]));
    }

    #[test]
    fn index_terms_hold_both_orders_once() {
        let terms = terms(["可観測性 (o11y)", "また可観測性 (o11y)"]);
        assert_eq!(
            terms,
            [encode("可観測性", "o11y"), encode("o11y", "可観測性")]
        );
        assert_eq!(decode(&terms[0]), Some(("可観測性", "o11y")));
    }
}
