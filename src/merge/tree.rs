//! The three-way merge of a note's serde value tree, field by field, without knowing the
//! fields: a field added to the model later merges by the same rules as the ones here today.
//!
//! - A value only one side changed takes that change; a value both sides changed to the same
//!   thing takes it.
//! - Objects merge field by field; lists merge item by item (see [`merge_list`]).
//! - A value one side removed and the other changed keeps the change: nothing written is lost.
//! - A value both sides changed differently keeps ours, and theirs is returned as a conflict
//!   (its path and value) for the caller to record beside it. Attribution (`by`) is the one
//!   exception: which of two people is named does not deserve a conflict, so the smaller name
//!   is kept, the same whichever side merges.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

/// A conflict found while merging: where, and the value the other side wanted.
pub(crate) type Found = Vec<(String, Value)>;

/// Lists whose items have a name of their own: an item is the same item on both sides when
/// this field is equal, and its other fields then merge one by one (a tool's URL added on one
/// side, its author on the other). Every other list (takeaways, tags, lists added later)
/// identifies an item by its whole value, so an edited item is the old one removed and a new
/// one added: both sides' edits survive, and none conflicts.
const NAMED_ITEMS: &[(&str, &str)] = &[("tools", "name"), ("links", "url"), ("speakers", "name")];

/// The field that names the items of the list at `path`, if it has one.
pub(crate) fn identity_field(path: &str) -> Option<&'static str> {
    NAMED_ITEMS
        .iter()
        .find(|(list, _)| *list == path)
        .map(|(_, field)| *field)
}

/// `title`, `source.id`: a field below `parent`.
pub(crate) fn field_path(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// `tools[Istio]`: the item of the list at `parent` named `label`.
pub(crate) fn item_path(parent: &str, label: &str) -> String {
    format!("{parent}[{label}]")
}

fn is_attribution(path: &str) -> bool {
    path == "by" || path.ends_with(".by")
}

/// Merges one value, any of which may be absent. `None` means the result has no value.
pub(crate) fn merge_value<'a>(
    path: &str,
    base: Option<&'a Value>,
    ours: Option<&'a Value>,
    theirs: Option<&'a Value>,
    found: &mut Found,
) -> Option<Value> {
    // An empty list is not written at all: where one version has a list, a missing one is an
    // empty list, merged item by item, not a removed value.
    let empty = Value::Array(Vec::new());
    let list = [base, ours, theirs]
        .iter()
        .any(|v| v.is_some_and(Value::is_array));
    let or_empty = |v: Option<&'a Value>| if list { v.or(Some(&empty)) } else { v };
    let (base, ours, theirs) = (or_empty(base), or_empty(ours), or_empty(theirs));
    if ours == theirs {
        return ours.cloned();
    }
    if base == ours {
        return theirs.cloned();
    }
    if base == theirs {
        return ours.cloned();
    }
    match (ours, theirs) {
        // One side removed what the other changed: the change is kept.
        (None, Some(t)) => Some(t.clone()),
        (Some(o), None) => Some(o.clone()),
        (Some(Value::Object(o)), Some(Value::Object(t))) => {
            let base = base.and_then(Value::as_object);
            Some(Value::Object(merge_object(path, base, o, t, found)))
        }
        (Some(Value::Array(o)), Some(Value::Array(t))) => {
            let base = base
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            Some(Value::Array(merge_list(path, base, o, t, found)))
        }
        (Some(o), Some(t)) if is_attribution(path) => Some(canonical_min(o, t).clone()),
        (Some(o), Some(t)) => {
            found.push((path.to_owned(), t.clone()));
            Some(o.clone())
        }
        (None, None) => None,
    }
}

/// Merges two objects field by field.
pub(crate) fn merge_object(
    path: &str,
    base: Option<&Map<String, Value>>,
    ours: &Map<String, Value>,
    theirs: &Map<String, Value>,
    found: &mut Found,
) -> Map<String, Value> {
    let mut merged = Map::new();
    // A field only the base has was removed on both sides: it stays removed.
    let names = ours
        .keys()
        .chain(theirs.keys().filter(|k| !ours.contains_key(*k)));
    for name in names {
        let value = merge_value(
            &field_path(path, name),
            base.and_then(|b| b.get(name)),
            ours.get(name),
            theirs.get(name),
            found,
        );
        if let Some(value) = value {
            merged.insert(name.clone(), value);
        }
    }
    merged
}

/// An item's identity within its list: its name (for [`NAMED_ITEMS`]) or its whole value,
/// and which occurrence of that identity it is (a list may hold the same takeaway twice).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    id: Id,
    nth: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Id {
    Named(String),
    Whole(String),
}

impl Key {
    fn label(&self) -> &str {
        match &self.id {
            Id::Named(name) | Id::Whole(name) => name,
        }
    }
}

fn keyed<'a>(list: &'a [Value], field: Option<&str>) -> Vec<(Key, &'a Value)> {
    let mut seen: HashMap<Id, usize> = HashMap::new();
    list.iter()
        .map(|value| {
            let id = match field.and_then(|f| value.get(f)).and_then(Value::as_str) {
                Some(name) => Id::Named(name.to_owned()),
                None => Id::Whole(canonical(value)),
            };
            let count = seen.entry(id.clone()).or_insert(0);
            let key = Key { id, nth: *count };
            *count += 1;
            (key, value)
        })
        .collect()
}

/// A text that is equal for equal values: what whole-value identities compare.
fn canonical(value: &Value) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn canonical_min<'a>(a: &'a Value, b: &'a Value) -> &'a Value {
    if canonical(a) <= canonical(b) { a } else { b }
}

/// Merges two lists item by item against their base:
///
/// - the union of both sides' items, each once; an item one side removed and the other did
///   not touch is removed; an item one side removed and the other changed is kept, changed;
///   an item both sides have merges its fields;
/// - in order: the items both sides have, in the order both give them (when one side
///   reordered them, its order; when both did, the smaller of the two orders, so the result
///   does not depend on which side merges); each item only one side has stays after the item
///   it followed on that side, and where both sides added items at the same place they are
///   interleaved by time (`at`) and then by identity, again the same from either side.
pub(crate) fn merge_list(
    path: &str,
    base: &[Value],
    ours: &[Value],
    theirs: &[Value],
    found: &mut Found,
) -> Vec<Value> {
    let field = identity_field(path);
    let base = keyed(base, field);
    let ours = keyed(ours, field);
    let theirs = keyed(theirs, field);
    let base_map: HashMap<&Key, &Value> = base.iter().map(|(k, v)| (k, *v)).collect();
    let ours_map: HashMap<&Key, &Value> = ours.iter().map(|(k, v)| (k, *v)).collect();
    let theirs_map: HashMap<&Key, &Value> = theirs.iter().map(|(k, v)| (k, *v)).collect();

    // What survives, with its merged value.
    let mut merged: HashMap<&Key, Value> = HashMap::with_capacity(ours.len() + theirs.len());
    for (key, value) in &ours {
        let in_base = base_map.get(key).copied();
        match theirs_map.get(key) {
            Some(their) => {
                let item = item_path(path, key.label());
                if let Some(value) = merge_value(&item, in_base, Some(value), Some(their), found) {
                    merged.insert(key, value);
                }
            }
            // Theirs removed it: gone unless ours changed it (or added it).
            None if in_base == Some(*value) => {}
            None => {
                merged.insert(key, (*value).clone());
            }
        }
    }
    for (key, value) in &theirs {
        if ours_map.contains_key(key) {
            continue;
        }
        if base_map.get(key).copied() != Some(*value) {
            merged.insert(key, (*value).clone());
        }
    }

    // The items both sides have: the spine the rest hangs from, in one agreed order.
    let common: HashSet<&Key> = ours
        .iter()
        .map(|(k, _)| k)
        .filter(|k| theirs_map.contains_key(k))
        .collect();
    let ours_order = order_of(&ours, &common, None);
    let theirs_order = order_of(&theirs, &common, None);
    let spine = if ours_order == theirs_order {
        ours_order
    } else {
        let base_order = order_of(&base, &common, Some(&base_map));
        let ours_kept = order_of(&ours, &common, Some(&base_map)) == base_order;
        let theirs_kept = order_of(&theirs, &common, Some(&base_map)) == base_order;
        match (ours_kept, theirs_kept) {
            (true, false) => theirs_order,
            (false, true) => ours_order,
            _ => ours_order.min(theirs_order),
        }
    };

    let mut ours_runs = runs(&ours, &common, &merged);
    let mut theirs_runs = runs(&theirs, &common, &merged);
    let mut result = Vec::with_capacity(merged.len());
    let mut take_runs = |anchor, merged: &mut HashMap<&Key, Value>, result: &mut Vec<Value>| {
        let a = ours_runs.remove(&anchor).unwrap_or_default();
        let b = theirs_runs.remove(&anchor).unwrap_or_default();
        for key in interleave(a, b, merged) {
            result.extend(merged.remove(key));
        }
    };
    take_runs(None, &mut merged, &mut result);
    for key in spine {
        result.extend(merged.remove(key));
        take_runs(Some(key), &mut merged, &mut result);
    }
    result
}

/// The items of `side` that both sides have (and, with `base`, that the base has too), in
/// `side`'s order.
fn order_of<'k>(
    side: &'k [(Key, &Value)],
    common: &HashSet<&Key>,
    base: Option<&HashMap<&Key, &Value>>,
) -> Vec<&'k Key> {
    side.iter()
        .map(|(k, _)| k)
        .filter(|k| common.contains(k) && base.is_none_or(|b| b.contains_key(k)))
        .collect()
}

/// The surviving items only `side` has, grouped under the common item they follow there
/// (`None`: before any).
fn runs<'k>(
    side: &'k [(Key, &Value)],
    common: &HashSet<&Key>,
    merged: &HashMap<&Key, Value>,
) -> HashMap<Option<&'k Key>, Vec<&'k Key>> {
    let mut runs: HashMap<Option<&Key>, Vec<&Key>> = HashMap::new();
    let mut anchor = None;
    for (key, _) in side {
        if common.contains(key) {
            anchor = Some(key);
        } else if merged.contains_key(key) {
            runs.entry(anchor).or_default().push(key);
        }
    }
    runs
}

/// Interleaves two runs of different items, each kept in its own order, taking at each step
/// the item that comes first by (time, identity). The comparison never looks at which run an
/// item came from, so `interleave(a, b)` and `interleave(b, a)` are the same sequence.
fn interleave<'k>(
    a: Vec<&'k Key>,
    b: Vec<&'k Key>,
    merged: &HashMap<&'k Key, Value>,
) -> Vec<&'k Key> {
    let rank = |key: &'k Key| {
        let at = merged
            .get(key)
            .and_then(|v| v.get("at"))
            .and_then(Value::as_str);
        (at, key)
    };
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if rank(a[i]) <= rank(b[j]) {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}
