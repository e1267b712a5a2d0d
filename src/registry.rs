//! Registries across all notes: the tools talks link to, and the people who gave them.
//!
//! Names are grouped case- and width-insensitively ("ArgoCD", "argocd", "ＡｒｇｏＣＤ" are one
//! tool), keeping the spelling seen most often for display.

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
    talks: Vec<TalkRef>,
}

fn collect(groups: BTreeMap<String, Group>, filter: Option<&str>) -> Vec<Entry> {
    let wanted = filter.map(name_key);
    let mut entries: Vec<Entry> = groups
        .into_iter()
        .filter(|(k, _)| wanted.as_ref().is_none_or(|w| k.contains(w.as_str())))
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
            .then_with(|| name_key(&a.name).cmp(&name_key(&b.name)))
    });
    entries
}

fn add(groups: &mut BTreeMap<String, Group>, name: &str, detail: Option<&str>, talk: &TalkRef) {
    let group = groups.entry(name_key(name)).or_default();
    *group.spellings.entry(name.trim().to_owned()).or_default() += 1;
    if let Some(detail) = detail.map(str::trim).filter(|d| !d.is_empty())
        && !group.details.iter().any(|d| d == detail)
    {
        group.details.push(detail.to_owned());
    }
    if !group.talks.contains(talk) {
        group.talks.push(talk.clone());
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
    collect(groups, filter)
}

/// Every speaker; with `filter`, those whose name contains it.
pub fn speakers(scan: &Scan, filter: Option<&str>) -> Vec<Entry> {
    let mut groups = BTreeMap::new();
    for (id, talk) in &scan.talks {
        for speaker in &talk.value.speakers {
            add(
                &mut groups,
                &speaker.name,
                speaker.affiliation.as_deref(),
                id,
            );
        }
    }
    collect(groups, filter)
}
