//! The interchange JSON: `{"talknotes": 1, "events": [{…event fields…, "talks": [{…}]}]}`.
//!
//! This module is the codec only: notes to JSON ([`to_json`], with what to export gathered by
//! [`collect`]), JSON to notes ([`from_json`], validating the whole document and naming the
//! JSON path of a mistake), and the format's JSON Schema. Importing is `crate::import`'s.
//!
//! Field names are those of [`crate::note`]; talks nest inside their event. Notes carry their
//! schema version per file, JSON once at the top, so the per-note `schema` field is left out
//! here.

use std::collections::BTreeSet;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::note::{Event, Slug, Talk};
use crate::store::{Store, codec};

/// The interchange format's version; the JSON's `talknotes` field.
pub const FORMAT_VERSION: u32 = 1;

/// One event and its talks, as carried by the interchange JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventBundle {
    pub event: Event,
    pub talks: Vec<Talk>,
}

/// Only used to generate the JSON Schema; (de)serialization goes through [`to_json`] and
/// [`from_json`], which keep unknown fields an error.
#[derive(Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "talknotes interchange")]
struct DocumentSchema {
    /// Interchange format version.
    #[schemars(range(min = 1, max = 1))]
    talknotes: u32,
    events: Vec<EventSchema>,
}

#[derive(Serialize, Deserialize, JsonSchema)]
struct EventSchema {
    #[serde(flatten)]
    event: Event,
    #[serde(default)]
    talks: Vec<Talk>,
}

/// The JSON Schema of the interchange format, with the definitions `generator` already holds
/// (`tn schema` adds those of its `--json` output).
pub fn json_schema_with(generator: schemars::SchemaGenerator) -> Value {
    let mut schema = serde_json::to_value(generator.into_root_schema_for::<DocumentSchema>())
        .unwrap_or_else(|e| unreachable!("a generated schema is valid JSON: {e}"));
    // `flatten` cannot carry `deny_unknown_fields`; state it for event objects explicitly.
    if let Some(event) = schema.pointer_mut("/$defs/EventSchema") {
        event["unevaluatedProperties"] = Value::Bool(false);
    }
    schema
}

pub fn to_json(bundles: &[EventBundle]) -> Result<String> {
    let events = bundles
        .iter()
        .map(|bundle| {
            let mut event = note_object(&bundle.event)?;
            let talks = bundle
                .talks
                .iter()
                .map(|t| note_object(t).map(Value::Object))
                .collect::<Result<Vec<_>>>()?;
            event.insert("talks".into(), Value::Array(talks));
            Ok(Value::Object(event))
        })
        .collect::<Result<Vec<_>>>()?;
    let document = serde_json::json!({ "talknotes": FORMAT_VERSION, "events": events });
    let mut text =
        serde_json::to_string_pretty(&document).map_err(|e| Error::Invalid(e.to_string()))?;
    text.push('\n');
    Ok(text)
}

/// A note as a JSON object in the interchange field names (without the per-file `schema`).
pub fn note_object<T: Serialize>(note: &T) -> Result<Map<String, Value>> {
    match serde_json::to_value(note).map_err(|e| Error::Invalid(e.to_string()))? {
        Value::Object(mut map) => {
            map.remove("schema");
            Ok(map)
        }
        _ => Err(Error::Invalid(
            "a note did not serialize to an object".into(),
        )),
    }
}

/// Parses and validates a whole interchange document. Errors name the JSON path.
pub fn from_json(path: &Path, text: &str) -> Result<Vec<EventBundle>> {
    let fail = |place: &str, message: String| {
        Error::input(
            format!("{}: {place}: {message}", path.display()),
            "see schemas/talknotes.schema.json for the format",
        )
    };
    let document: Value = serde_json::from_str(codec::without_bom(text)).map_err(|e| {
        fail(
            &format!("line {} column {}", e.line(), e.column()),
            e.to_string(),
        )
    })?;
    let Value::Object(mut document) = document else {
        return Err(fail("$", "expected a JSON object".into()));
    };
    match document.remove("talknotes") {
        Some(Value::Number(n)) if n.as_u64() == Some(u64::from(FORMAT_VERSION)) => {}
        Some(other) => {
            return Err(fail(
                "$.talknotes",
                format!(
                    "unsupported format version {other}; this tn reads version {FORMAT_VERSION}"
                ),
            ));
        }
        None => {
            return Err(fail(
                "$",
                "missing `\"talknotes\": 1`; this does not look like a talknotes export".into(),
            ));
        }
    }
    let events = match document.remove("events") {
        Some(Value::Array(events)) => events,
        Some(_) => return Err(fail("$.events", "expected an array".into())),
        None => return Err(fail("$", "missing field `events`".into())),
    };
    if let Some(unknown) = document.keys().next() {
        return Err(fail("$", format!("unknown field `{unknown}`")));
    }

    let mut bundles = Vec::with_capacity(events.len());
    let mut seen_events = BTreeSet::new();
    for (i, event) in events.into_iter().enumerate() {
        let place = format!("$.events[{i}]");
        let Value::Object(mut event) = event else {
            return Err(fail(&place, "expected an object".into()));
        };
        let talks = match event.remove("talks") {
            Some(Value::Array(talks)) => talks,
            Some(_) => return Err(fail(&format!("{place}.talks"), "expected an array".into())),
            None => Vec::new(),
        };
        let event: Event =
            parse_note(Value::Object(event)).map_err(|(p, m)| fail(&join(&place, &p), m))?;
        check_semantics(event.semantic_problems()).map_err(|(p, m)| fail(&join(&place, &p), m))?;
        if !seen_events.insert(event.id.clone()) {
            return Err(fail(
                &format!("{place}.id"),
                format!("event `{}` appears twice", event.id),
            ));
        }
        let mut seen_talks = BTreeSet::new();
        let mut parsed = Vec::with_capacity(talks.len());
        for (j, talk) in talks.into_iter().enumerate() {
            let place = format!("{place}.talks[{j}]");
            let talk: Talk = parse_note(talk).map_err(|(p, m)| fail(&join(&place, &p), m))?;
            check_semantics(talk.semantic_problems())
                .map_err(|(p, m)| fail(&join(&place, &p), m))?;
            if !seen_talks.insert(talk.id.clone()) {
                return Err(fail(
                    &format!("{place}.id"),
                    format!("talk `{}` appears twice", talk.id),
                ));
            }
            parsed.push(talk);
        }
        bundles.push(EventBundle {
            event,
            talks: parsed,
        });
    }
    Ok(bundles)
}

fn join(base: &str, path: &str) -> String {
    if path.is_empty() || path == "." {
        base.to_owned()
    } else if path.starts_with('[') {
        format!("{base}{path}")
    } else {
        format!("{base}.{path}")
    }
}

fn parse_note<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, (String, String)> {
    if let Value::Object(map) = &value
        && map.contains_key("schema")
    {
        return Err((
            "schema".into(),
            "unknown field `schema`; the version is the top-level `talknotes`".into(),
        ));
    }
    serde_path_to_error::deserialize(value)
        .map_err(|e| (e.path().to_string(), e.inner().to_string()))
}

fn check_semantics(problems: Vec<crate::note::Problem>) -> Result<(), (String, String)> {
    match problems.into_iter().next() {
        Some(problem) => Err((problem.field.to_owned(), problem.message)),
        None => Ok(()),
    }
}

/// Gathers events (all, or those named) with their talks, for export.
pub fn collect(
    store: &Store,
    events: &[Slug],
) -> Result<(Vec<EventBundle>, Vec<crate::error::NoteError>)> {
    let scan = store.scan()?;
    for wanted in events {
        // An event whose file is there but cannot be read is one of the problems, not unknown.
        if !scan.events.contains_key(wanted) && !store.event_exists(wanted) {
            return Err(Error::NotFound {
                what: "event",
                id: wanted.to_string(),
                hint: "list events with `tn list --events`".into(),
            });
        }
    }
    let mut bundles: Vec<EventBundle> = scan
        .events
        .values()
        .filter(|e| events.is_empty() || events.contains(&e.value.id))
        .map(|e| EventBundle {
            event: e.value.clone(),
            talks: Vec::new(),
        })
        .collect();
    for (id, talk) in &scan.talks {
        if let Some(bundle) = bundles.iter_mut().find(|b| b.event.id == id.event) {
            bundle.talks.push(talk.value.clone());
        }
    }
    Ok((bundles, scan.problems))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::codec;

    /// A file of `schemas/`.
    pub(crate) fn repo_file(name: &str) -> String {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schemas")
            .join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    #[test]
    fn templates_are_valid_notes_that_use_every_field() {
        let event: Event = codec::parse(
            Path::new("event.ron"),
            repo_file("event.ron").as_bytes(),
            "example-event",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let talk: Talk = codec::parse(
            Path::new("talk.ron"),
            repo_file("talk.ron").as_bytes(),
            "example-talk",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        // Every optional field is filled, so the templates document the whole format.
        let json = to_json(&[EventBundle {
            event,
            talks: vec![talk],
        }])
        .unwrap();
        let value: Value = serde_json::from_str(&json).unwrap();
        let event_fields = value["events"][0].as_object().unwrap().len();
        let talk_fields = value["events"][0]["talks"][0].as_object().unwrap().len();
        assert_eq!(event_fields, 11, "event fields + talks");
        assert_eq!(talk_fields, 17);
    }

    #[test]
    fn json_round_trip_and_errors_name_the_place() {
        let talk: Talk = codec::parse(
            Path::new("t.ron"),
            repo_file("talk.ron").as_bytes(),
            "example-talk",
        )
        .unwrap();
        let event = Event::new("ev".parse().unwrap(), "Ev");
        let bundles = vec![EventBundle {
            event,
            talks: vec![talk],
        }];
        let text = to_json(&bundles).unwrap();
        assert_eq!(from_json(Path::new("x.json"), &text).unwrap(), bundles);

        let bad = text.replace("\"13:00\"", "\"25:00\"");
        let err = from_json(Path::new("x.json"), &bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("$.events[0].talks[0].start"), "{err}");
        let bad = text.replace("\"rating\"", "\"stars\"");
        let err = from_json(Path::new("x.json"), &bad)
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `stars`"), "{err}");
    }
}
