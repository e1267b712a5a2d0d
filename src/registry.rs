//! Registries across all notes: the tools talks link to, and the people who gave them.
//!
//! Names are grouped by [`name_key`] without its spaces, so case, width, accents and spacing do
//! not split one name ("ArgoCD", "argocd", "ＡｒｇｏＣＤ", "Argo CD" are one tool; "佐藤 花子" and
//! "佐藤花子" one person), keeping the spelling seen most often for display. A lookup matches
//! the same way, inside the name, and for speakers inside an affiliation or a role too
//! (`tn speakers Shopify`, `tn speakers SRE`, as `speaker:` in a search).

use std::collections::BTreeMap;

use crate::note::TalkRef;
use crate::search::analysis::name_key;
use crate::store::Scan;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The spelling seen most often.
    pub name: String,
    /// Tool URLs, or speaker affiliations, first seen first.
    pub details: Vec<String>,
    pub talks: Vec<TalkRef>,
}

#[derive(Default)]
struct Group {
    spellings: BTreeMap<String, usize>,
    details: Vec<String>,
    /// Text a lookup also matches but that is not shown: speakers' roles.
    searched: Vec<String>,
    talks: Vec<TalkRef>,
}

/// How names are compared here: [`name_key`] without whitespace, since people write the same
/// name with and without a space between family and given name, or inside a product name.
fn key(name: &str) -> String {
    name_key(name).split_whitespace().collect()
}

/// Which details a lookup also searches: affiliations do (`tn speakers Shopify`), URLs do not.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Details {
    Searched,
    Shown,
}

fn collect(groups: BTreeMap<String, Group>, filter: Option<&str>, details: Details) -> Vec<Entry> {
    let wanted = filter.map(key);
    let matches = |k: &str, g: &Group| {
        wanted.as_deref().is_none_or(|w| {
            k.contains(w)
                || (details == Details::Searched
                    && g.details
                        .iter()
                        .chain(&g.searched)
                        .any(|d| key(d).contains(w)))
        })
    };
    let mut entries: Vec<Entry> = groups
        .into_iter()
        .filter(|(k, g)| matches(k, g))
        .map(|(_, g)| Entry {
            name: g
                .spellings
                .iter()
                .max_by_key(|(_, n)| **n)
                .map(|(s, _)| s.clone())
                .unwrap_or_default(),
            details: g.details,
            talks: g.talks,
        })
        .collect();
    entries.sort_by(|a, b| {
        b.talks
            .len()
            .cmp(&a.talks.len())
            .then_with(|| key(&a.name).cmp(&key(&b.name)))
    });
    entries
}

/// Adds one mention of `name` (with a detail shown beside it) to its group, and returns the
/// group.
fn add<'a>(
    groups: &'a mut BTreeMap<String, Group>,
    name: &str,
    detail: Option<&str>,
    talk: &TalkRef,
) -> &'a mut Group {
    let group = groups.entry(key(name)).or_default();
    *group.spellings.entry(name.trim().to_owned()).or_default() += 1;
    push_once(&mut group.details, detail);
    if !group.talks.contains(talk) {
        group.talks.push(talk.clone());
    }
    group
}

/// Adds `text`, trimmed, unless it is blank or already there.
fn push_once(list: &mut Vec<String>, text: Option<&str>) {
    if let Some(text) = text.map(str::trim).filter(|t| !t.is_empty())
        && !list.iter().any(|t| t == text)
    {
        list.push(text.to_owned());
    }
}

/// Every tool linked from any talk; with `filter`, those whose name contains it.
pub fn tools(scan: &Scan, filter: Option<&str>) -> Vec<Entry> {
    let mut groups = BTreeMap::new();
    for (id, talk) in &scan.talks {
        for tool in &talk.value.tools {
            add(&mut groups, &tool.name, tool.url.as_deref(), id);
        }
    }
    collect(groups, filter, Details::Shown)
}

/// Every speaker; with `filter`, those whose name, affiliation or role contains it.
pub fn speakers(scan: &Scan, filter: Option<&str>) -> Vec<Entry> {
    let mut groups = BTreeMap::new();
    for (id, talk) in &scan.talks {
        for speaker in &talk.value.speakers {
            let group = add(
                &mut groups,
                &speaker.name,
                speaker.affiliation.as_deref(),
                id,
            );
            push_once(&mut group.searched, speaker.role.as_deref());
        }
    }
    collect(groups, filter, Details::Searched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{Speaker, Talk, Tool};
    use crate::store::{Fingerprint, Loaded, Scan};

    fn scan(talks: Vec<Talk>) -> Scan {
        let mut scan = Scan::default();
        for talk in talks {
            let id = TalkRef {
                event: "ev".parse().unwrap(),
                talk: talk.id.clone(),
            };
            let loaded = Loaded {
                value: talk,
                path: "notes/ev/t.ron".into(),
                fingerprint: Fingerprint::of(b""),
            };
            scan.talks.push((id, loaded));
        }
        scan
    }

    fn talk(id: &str, speakers: &[(&str, Option<&str>)], tools: &[&str]) -> Talk {
        let mut talk = Talk::new(id.parse().unwrap(), id);
        talk.speakers = speakers
            .iter()
            .map(|(name, affiliation)| Speaker {
                name: (*name).into(),
                affiliation: affiliation.map(Into::into),
                role: None,
            })
            .collect();
        talk.tools = tools
            .iter()
            .map(|name| Tool {
                name: (*name).into(),
                url: None,
                by: None,
            })
            .collect();
        talk
    }

    fn names(entries: &[Entry]) -> Vec<&str> {
        entries.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn speakers_match_without_spaces_in_any_width_and_by_affiliation() {
        // Regression: `佐藤花子` did not find "佐藤 花子", nor `Shopify` its speaker.
        let scan = scan(vec![
            talk("a", &[("佐藤 花子", Some("サイボウズ"))], &[]),
            talk("b", &[("Jane Doe", Some("Shopify"))], &[]),
            talk("c", &[("佐藤花子", None)], &[]),
        ]);
        for lookup in ["佐藤花子", "佐藤 花子", "佐藤　花子", "花子"] {
            let found = speakers(&scan, Some(lookup));
            assert_eq!(found.len(), 1, "{lookup}: {found:?}");
            assert_eq!(found[0].talks.len(), 2, "one person in both talks");
        }
        for lookup in ["Shopify", "shopify", "ＳＨＯＰＩＦＹ", "janedoe"] {
            assert_eq!(
                names(&speakers(&scan, Some(lookup))),
                ["Jane Doe"],
                "{lookup}"
            );
        }
        assert_eq!(names(&speakers(&scan, Some("サイボウズ"))).len(), 1);
        // Accents fold; kana keep their voicing marks (サイボウズ is not サイホウス).
        let accented = speakers(
            &self::scan(vec![talk("d", &[("Kris Nóva", None)], &[])]),
            Some("kris nova"),
        );
        assert_eq!(names(&accented), ["Kris Nóva"]);
        assert!(speakers(&scan, Some("サイホウス")).is_empty());
        assert!(speakers(&scan, Some("nobody")).is_empty());
    }

    #[test]
    fn speakers_match_by_role_which_is_not_shown() {
        // A new user's week: `speaker:SRE` found the talks of speakers whose role says SRE,
        // and `tn speakers SRE` found nobody.
        let mut t = talk("a", &[("Jane Doe", Some("Shopify"))], &[]);
        t.speakers[0].role = Some("Staff SRE".into());
        let scan = scan(vec![t, talk("b", &[("John Roe", Some("Example"))], &[])]);
        let found = speakers(&scan, Some("sre"));
        assert_eq!(names(&found), ["Jane Doe"]);
        assert_eq!(
            found[0].details,
            ["Shopify"],
            "the role is matched, not listed"
        );
        assert!(speakers(&scan, Some("staffsre")).len() == 1);
    }

    #[test]
    fn tools_match_without_spaces_but_not_by_url() {
        let mut with_url = talk("a", &[], &["Argo CD"]);
        with_url.tools[0].url = Some("https://argoproj.github.io/cd/".into());
        let scan = scan(vec![with_url, talk("b", &[], &["ArgoCD"])]);
        let found = tools(&scan, Some("argocd"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].talks.len(), 2);
        assert!(tools(&scan, Some("github")).is_empty());
    }
}
