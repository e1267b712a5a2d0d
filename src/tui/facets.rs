//! Facet filters: pick an event, tag, tool, kind or year from a list instead of typing
//! `event:…` syntax.
//!
//! A picked value becomes the same query filter a user could type (`tag:ebpf`), so the TUI and
//! `tn search` give the same answers. The lists are counted from a scan of every note, which is
//! slow on a large knowledge base, so the event loop computes them off the UI thread and only
//! when a change on disk made them stale.

use std::collections::BTreeMap;

use crate::note::Slug;
use crate::search::analysis::name_key;
use crate::store::Scan;

/// The kinds of facet, in the order the picker shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FacetKind {
    Event,
    Tag,
    Tool,
    Kind,
    Year,
}

impl FacetKind {
    pub const ALL: [FacetKind; 5] = [
        FacetKind::Event,
        FacetKind::Tag,
        FacetKind::Tool,
        FacetKind::Kind,
        FacetKind::Year,
    ];

    /// The query filter name (`event:` …).
    pub fn name(self) -> &'static str {
        match self {
            FacetKind::Event => "event",
            FacetKind::Tag => "tag",
            FacetKind::Tool => "tool",
            FacetKind::Kind => "kind",
            FacetKind::Year => "year",
        }
    }

    /// A talk has one event, kind and year: picking another replaces the filter. Tags and
    /// tools accumulate (all of them must match).
    pub fn single_valued(self) -> bool {
        matches!(self, FacetKind::Event | FacetKind::Kind | FacetKind::Year)
    }

    pub fn index(self) -> usize {
        FacetKind::ALL.iter().position(|k| *k == self).unwrap_or(0)
    }
}

/// An active filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub kind: FacetKind,
    pub value: String,
}

impl Filter {
    /// The filter in query syntax; values with spaces are quoted (quotes inside are dropped,
    /// they cannot be part of a filter value anyway).
    pub fn query(&self) -> String {
        let value: String = self.value.chars().filter(|c| *c != '"').collect();
        if value.chars().any(char::is_whitespace) {
            format!("{}:\"{value}\"", self.kind.name())
        } else {
            format!("{}:{value}", self.kind.name())
        }
    }

    /// How the filter is shown on the query line.
    pub fn label(&self) -> String {
        format!("{}:{}", self.kind.name(), self.value)
    }
}

/// One pickable value and how many talks have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetValue {
    pub value: String,
    /// Shown next to the value (the event's name).
    pub label: Option<String>,
    pub count: usize,
}

/// Every facet value of the knowledge base.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    lists: BTreeMap<FacetKind, Vec<FacetValue>>,
}

impl Facets {
    pub fn values(&self, kind: FacetKind) -> &[FacetValue] {
        self.lists.get(&kind).map_or(&[], Vec::as_slice)
    }

    /// Counts the values of every facet. Tags and tools are grouped case- and
    /// width-insensitively, shown in their most frequent spelling.
    pub fn from_scan(scan: &Scan) -> Facets {
        let mut events: BTreeMap<&Slug, usize> = BTreeMap::new();
        let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
        let mut years: BTreeMap<String, usize> = BTreeMap::new();
        let mut tags = Grouped::default();
        let mut tools = Grouped::default();
        for (id, loaded) in &scan.talks {
            let talk = &loaded.value;
            *events.entry(&id.event).or_default() += 1;
            *kinds.entry(talk.kind.to_string()).or_default() += 1;
            let date = talk
                .date
                .or_else(|| scan.events.get(&id.event).and_then(|e| e.value.starts_on));
            if let Some(date) = date {
                *years.entry(date.year().to_string()).or_default() += 1;
            }
            let mut seen = Vec::new();
            for tag in &talk.tags {
                tags.add(tag, &mut seen);
            }
            let mut seen = Vec::new();
            for tool in &talk.tools {
                tools.add(&tool.name, &mut seen);
            }
        }
        let mut lists = BTreeMap::new();
        let mut event_values: Vec<FacetValue> = events
            .into_iter()
            .map(|(id, count)| FacetValue {
                value: id.to_string(),
                label: scan.events.get(id).map(|e| e.value.name.clone()),
                count,
            })
            .collect();
        // Newest events first: ids usually end with a date or year.
        event_values.sort_by(|a, b| b.value.cmp(&a.value));
        lists.insert(FacetKind::Event, event_values);
        lists.insert(FacetKind::Tag, tags.into_values());
        lists.insert(FacetKind::Tool, tools.into_values());
        lists.insert(FacetKind::Kind, by_count(kinds));
        let mut year_values = plain(years);
        year_values.sort_by(|a, b| b.value.cmp(&a.value));
        lists.insert(FacetKind::Year, year_values);
        Facets { lists }
    }
}

fn plain(counts: BTreeMap<String, usize>) -> Vec<FacetValue> {
    counts
        .into_iter()
        .map(|(value, count)| FacetValue {
            value,
            label: None,
            count,
        })
        .collect()
}

fn by_count(counts: BTreeMap<String, usize>) -> Vec<FacetValue> {
    let mut values = plain(counts);
    values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    values
}

/// Values grouped by their normalised form.
#[derive(Default)]
struct Grouped {
    groups: BTreeMap<String, (BTreeMap<String, usize>, usize)>,
}

impl Grouped {
    /// Counts `name` once per talk (`seen` holds the keys already counted for this talk).
    fn add(&mut self, name: &str, seen: &mut Vec<String>) {
        let name = name.trim();
        if name.is_empty() {
            return;
        }
        let key = name_key(name);
        if seen.contains(&key) {
            return;
        }
        let group = self.groups.entry(key.clone()).or_default();
        *group.0.entry(name.to_owned()).or_default() += 1;
        group.1 += 1;
        seen.push(key);
    }

    fn into_values(self) -> Vec<FacetValue> {
        let mut values: Vec<FacetValue> = self
            .groups
            .into_values()
            .map(|(spellings, count)| FacetValue {
                value: spellings
                    .iter()
                    .max_by_key(|(_, n)| **n)
                    .map(|(s, _)| s.clone())
                    .unwrap_or_default(),
                label: None,
                count,
            })
            .collect();
        values.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.value.to_lowercase().cmp(&b.value.to_lowercase()))
        });
        values
    }
}

/// The facet picker's state: which kind, the narrowing text, the highlighted row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Picker {
    pub kind_index: usize,
    pub filter: super::form::LineInput,
    pub selected: usize,
}

impl Picker {
    pub fn kind(&self) -> FacetKind {
        FacetKind::ALL[self.kind_index % FacetKind::ALL.len()]
    }

    /// The values of the current kind that contain the narrowing text (normalised, so
    /// `ｅＢＰＦ` finds `eBPF`).
    pub fn visible<'a>(&self, facets: &'a Facets) -> Vec<&'a FacetValue> {
        let needle = name_key(self.filter.text());
        facets
            .values(self.kind())
            .iter()
            .filter(|v| {
                needle.is_empty()
                    || name_key(&v.value).contains(&needle)
                    || v.label
                        .as_deref()
                        .is_some_and(|l| name_key(l).contains(&needle))
            })
            .collect()
    }
}
