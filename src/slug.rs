//! Ids derived from titles, Japanese included.
//!
//! Ids name files, so they are ASCII slugs. A Japanese title is romanised from its readings
//! (IPADIC gives each word's katakana reading; `wana_kana` turns kana into romaji), so
//! "サービスメッシュ入門" becomes `sabisu-messhu-nyuumon` rather than an opaque number, and the
//! file name still tells a person what the note is about. Accented Latin letters lose their
//! accents ("Überblick" → `uberblick`).

use unicode_normalization::UnicodeNormalization;

use crate::note::Slug;

/// Longest derived slug; leaves room for a `-2` suffix within the 64-character limit.
const MAX_DERIVED: usize = 48;

/// Derives a slug from `title`. `reading` gives the kana reading of each word of a Japanese
/// text (see [`crate::search::analysis::readings`]); words without a reading are skipped.
pub fn derive(title: &str, readings: &[(String, Option<String>)]) -> Option<Slug> {
    let mut words: Vec<String> = Vec::new();
    // Whether the last word is a run of ASCII letters and digits that the next one continues
    // when it is one too: the dictionary cuts `K8s` into `K`, `8`, `s`, but k8s, o11y, s3 and
    // p99 are one word each, and the pieces are adjacent (a space would be a word of its own).
    let mut in_run = false;
    for (surface, reading) in readings {
        let surface: String = surface.nfkc().collect::<String>().to_lowercase();
        let alphanumeric =
            !surface.is_empty() && surface.chars().all(|c| c.is_ascii_alphanumeric());
        if alphanumeric
            && in_run
            && let Some(last) = words.last_mut()
        {
            last.push_str(&surface);
            continue;
        }
        in_run = alphanumeric;
        let word = if surface.chars().any(|c| c.is_ascii_alphanumeric()) {
            surface
        } else {
            // Words IPADIC does not know (new katakana loanwords) have no reading: their kana
            // spelling is the reading. Prolonged sound marks are dropped ("サーバー" → "saba"),
            // so the id does not depend on whether a writer spelled サーバ or サーバー.
            let kana = reading.as_deref().unwrap_or(&surface).replace('ー', "");
            wana_kana::ConvertJapanese::to_romaji(kana.as_str())
        };
        // Decomposed, accents are separate marks that the filter below drops.
        let cleaned: String = word
            .nfkd()
            .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        words.push(cleaned);
    }
    if words.is_empty() {
        words.push(title.nfkc().collect::<String>().to_lowercase());
    }
    let joined = words.join("-");
    let mut slug = String::new();
    for part in joined.split('-').filter(|p| !p.is_empty()) {
        let extra = if slug.is_empty() {
            part.len()
        } else {
            part.len() + 1
        };
        if slug.len() + extra > MAX_DERIVED {
            if slug.is_empty() {
                slug.push_str(&part[..MAX_DERIVED]);
            }
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(part);
    }
    slug.parse().ok()
}

/// `base`, or `base-2`, `base-3`, … : the first candidate for which `taken` is false.
pub fn unique(base: &Slug, mut taken: impl FnMut(&Slug) -> bool) -> Slug {
    if !taken(base) {
        return base.clone();
    }
    (2..)
        .filter_map(|n| {
            let stem = &base.as_str()[..base.as_str().len().min(Slug::MAX_LEN - 6)];
            format!("{}-{n}", stem.trim_end_matches('-')).parse().ok()
        })
        .find(|candidate| !taken(candidate))
        .unwrap_or_else(|| base.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
        list.iter()
            .map(|(s, r)| (s.to_string(), r.map(str::to_string)))
            .collect()
    }

    #[test]
    fn english_titles_become_slugs() {
        let w = words(&[
            ("Cilium", None),
            (" ", None),
            ("Deep", None),
            (" ", None),
            ("Dive", None),
            ("!", None),
        ]);
        assert_eq!(
            derive("Cilium Deep Dive!", &w).unwrap().as_str(),
            "cilium-deep-dive"
        );
    }

    #[test]
    fn japanese_is_romanised_from_readings() {
        let w = words(&[
            ("Kubernetes", None),
            ("で", Some("デ")),
            ("始める", Some("ハジメル")),
            ("オブザーバビリティ", None),
            ("入門", Some("ニュウモン")),
            ("概論", None),
        ]);
        assert_eq!(
            derive("", &w).unwrap().as_str(),
            "kubernetes-de-hajimeru-obuzababiritei-nyuumon"
        );
    }

    #[test]
    fn full_width_ascii_is_folded_and_length_is_capped() {
        let w = words(&[("サーバー", Some("サーバー"))]);
        assert_eq!(derive("", &w).unwrap().as_str(), "saba");
        let w = words(&[("ＥＢＰＦ", None)]);
        assert_eq!(derive("", &w).unwrap().as_str(), "ebpf");
        let long = "word ".repeat(30);
        let w = words(&[(long.as_str(), None)]);
        assert!(derive("", &w).unwrap().as_str().len() <= MAX_DERIVED);
    }

    #[test]
    fn accents_are_dropped_not_the_letters() {
        let w = words(&[
            ("Ça", None),
            (" ", None),
            ("va", None),
            (" ", None),
            ("Überblick", None),
        ]);
        assert_eq!(derive("", &w).unwrap().as_str(), "ca-va-uberblick");
    }

    #[test]
    fn letter_digit_runs_stay_whole() {
        // As the dictionary cuts them: letters and digits apart.
        let w = words(&[
            ("How", None),
            (" ", None),
            ("to", None),
            (" ", None),
            ("Love", None),
            (" ", None),
            ("K", None),
            ("8", None),
            ("s", None),
            (" ", None),
            ("and", None),
            (" ", None),
            ("o", None),
            ("11", None),
            ("y", None),
            ("、", None),
            ("S", None),
            ("3", None),
            ("と", Some("ト")),
            ("p", None),
            ("99", None),
            (" ", None),
            ("2024", None),
        ]);
        assert_eq!(
            derive("", &w).unwrap().as_str(),
            "how-to-love-k8s-and-o11y-s3-to-p99-2024"
        );
    }

    #[test]
    fn titles_with_letter_digit_words_keep_them() {
        for (title, slug) in [
            (
                "How to Love K8s and Not Wreck the Planet",
                "how-to-love-k8s-and-not-wreck-the-planet",
            ),
            ("i18n and a11y at scale", "i18n-and-a11y-at-scale"),
            ("S3互換ストレージ", "s3-gokan-sutoreji"),
        ] {
            let readings = crate::search::analysis::readings(title);
            assert_eq!(derive(title, &readings).unwrap().as_str(), slug, "{title}");
        }
    }

    #[test]
    fn nothing_usable_gives_none() {
        let w = words(&[("🎉", None)]);
        assert!(derive("🎉", &w).is_none());
    }

    #[test]
    fn unique_appends_a_counter() {
        let base: Slug = "talk".parse().unwrap();
        let taken = ["talk", "talk-2"];
        assert_eq!(
            unique(&base, |s| taken.contains(&s.as_str())).as_str(),
            "talk-3"
        );
    }
}
