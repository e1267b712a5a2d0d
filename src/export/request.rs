//! Carrying out `tn export`: gather the events, choose the talks (searching for `--query`),
//! and write them in the format asked for.

use super::{Recap, RecapOptions, Selection, html, markdown};
use crate::display;
use crate::error::{Error, NoteError, Result};
use crate::interchange;
use crate::note::Slug;
use crate::search::{Engine, SearchEngine, SearchRequest};
use crate::store::Store;

/// What `tn export` writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The interchange JSON (lossless; `tn import` reads it back).
    #[default]
    Json,
    /// A Markdown recap for Zenn, Qiita, Hatena Blog, note or GitHub (`tn import` reads it back).
    #[value(alias = "markdown")]
    Md,
    /// The same recap as one self-contained HTML page.
    Html,
}

/// Everything `tn export` can be asked for.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub format: Format,
    /// Events, all when empty; and which of their talks.
    pub selection: Selection,
    /// Only talks matching this search query (same syntax as `tn search`).
    pub query: Option<String>,
    pub recap: RecapOptions,
    /// Leave out notes of the chosen events that cannot be read (they are reported in
    /// [`Exported::skipped`]) instead of refusing to export.
    pub skip_invalid: bool,
}

/// An export, and what the user should hear about it.
#[derive(Debug, Clone, Default)]
pub struct Exported {
    pub text: String,
    /// Notes left out because they could not be read (only with [`Request::skip_invalid`]).
    pub skipped: Vec<NoteError>,
    /// What the search for `--query` had to say: an index rebuilt, parts of the query ignored.
    pub notices: Vec<String>,
    pub warnings: Vec<String>,
}

impl Request {
    /// Whether this is the plain interchange export of whole events, exactly what it always
    /// was.
    fn is_plain(&self) -> bool {
        self.format == Format::Json && !self.selection.filters_talks() && self.query.is_none()
    }

    /// The filters, described for a derived title ("タグ: ebpf").
    fn topic(&self) -> Vec<String> {
        [
            ("タグ", &self.selection.tag),
            ("ツール", &self.selection.tool),
            ("検索", &self.query),
        ]
        .into_iter()
        .filter_map(|(label, value)| {
            value
                .as_ref()
                .map(|value| format!("{label}: {}", value.trim()))
        })
        .collect()
    }
}

/// Gathers, chooses and writes what `request` asks for.
///
/// A note of the chosen events that cannot be read stops the export unless
/// [`Request::skip_invalid`] says to leave it out: a recap is published and a JSON export is a
/// backup, and either one silently missing a talk would look complete when it is not. Whether
/// the broken note would have passed the filters cannot be known, so any filter still stops.
pub fn export(store: &Store, request: &Request) -> Result<Exported> {
    let (bundles, problems) = interchange::collect(store, &request.selection.events)?;
    let problems = of_events(problems, store, &request.selection.events);
    if !problems.is_empty() && !request.skip_invalid {
        let events = &request.selection.events;
        return Err(Error::Unreadable {
            doing: if events.is_empty() {
                "cannot export".into()
            } else {
                let names: Vec<&str> = events.iter().map(|e| e.as_str()).collect();
                format!("cannot export {}", names.join(", "))
            },
            hint: format!(
                "fix {} (`tn check` lists every problem), or pass --skip-invalid to export the rest without {}",
                if problems.len() == 1 { "it" } else { "them" },
                if problems.len() == 1 { "it" } else { "them" },
            ),
            problems,
        });
    }
    let mut exported = Exported {
        skipped: problems,
        ..Exported::default()
    };
    if request.is_plain() {
        exported.text = display::json_safe(interchange::to_json(&bundles)?);
        return Ok(exported);
    }
    let mut selection = request.selection.clone();
    if let Some(query) = &request.query {
        let (mut engine, report) = Engine::open(store)?;
        exported.notices.extend(report.notice());
        let total: usize = bundles.iter().map(|b| b.talks.len()).sum();
        let results = engine.search(&SearchRequest {
            query: query.clone(),
            limit: total.max(1),
            prefix: false,
            literal: false,
            prefix_fallback: false,
        })?;
        exported.notices.extend(results.notice);
        exported.warnings = results.warnings;
        selection.talks = Some(results.hits.into_iter().map(|h| h.id).collect());
    }
    let bundles = selection.apply(bundles);
    if request.format != Format::Json && bundles.is_empty() {
        return Err(Error::Invalid(format!(
            "nothing to export: {}",
            if selection.filters_talks() {
                "no talks match"
            } else if !exported.skipped.is_empty() {
                "the chosen events cannot be read (`tn check` lists the problems)"
            } else {
                "there are no events (create one with `tn event new`)"
            }
        )));
    }
    let options = RecapOptions {
        topic: request.topic(),
        ..request.recap.clone()
    };
    exported.text = match request.format {
        Format::Json => display::json_safe(interchange::to_json(&bundles)?),
        Format::Md => {
            let recap = Recap::build(&bundles, &options);
            exported
                .warnings
                .extend(markdown::platform::warnings(&recap, options.platform));
            markdown::render(&recap, &options)
        }
        Format::Html => html::html(&bundles, &options),
    };
    Ok(exported)
}

/// The problems that concern the export of `events` (all of them when none are named): those
/// under one of their directories. A problem elsewhere (another event's note) is not theirs.
fn of_events(problems: Vec<NoteError>, store: &Store, events: &[Slug]) -> Vec<NoteError> {
    if events.is_empty() {
        return problems;
    }
    let dirs: Vec<std::path::PathBuf> = events.iter().map(|e| store.event_dir(e)).collect();
    problems
        .into_iter()
        .filter(|p| dirs.iter().any(|dir| p.path.starts_with(dir)))
        .collect()
}
