//! What the commands print: styles, aligned tables, warnings about skipped notes, search hits
//! as text, and the JSON of every `--json`.
//!
//! JSON has one shape per entity, whichever command prints it: a [`TalkRow`] (`list`, `show`),
//! a [`HitRow`] (`search`, `related`), an [`EventRow`] (`list --events`, `show EVENT`), a
//! [`ToolRow`] (`tools`) and a [`SpeakerRow`] (`speakers`). The rows are typed and derive both
//! `Serialize` and `JsonSchema`, so `tn schema` documents exactly what is printed; a talk's and
//! an event's own fields are those of the interchange format ([`crate::interchange`]), so a new
//! note field appears in both at once. Speakers are always `{name, affiliation?, role?}`, and
//! an `id` is always what `tn show` takes (`EVENT/TALK` for a talk).

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anstyle::{AnsiColor, Style};
use anyhow::Result;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::concepts::{Expansion, Source, Spelling};
use crate::display::{self, line};
use crate::error::NoteError;
use crate::interchange;
use crate::note::{Event, Slug, Speaker, Talk, TalkRef, Tool};
use crate::present;
use crate::registry::Entry;
use crate::search::{Engine, Hit, QueryWord, SearchResults};
use crate::store::Store;

pub const ID: Style = AnsiColor::Cyan.on_default();
pub const DIM: Style = Style::new().dimmed();
pub const BOLD: Style = Style::new().bold();
pub const WARN: Style = AnsiColor::Yellow.on_default().bold();
const MATCH: Style = AnsiColor::Yellow.on_default().bold();

/// Prints problems of notes that a command skipped (every command but `check`).
pub fn warn_skipped(problems: &[NoteError]) {
    if problems.is_empty() {
        return;
    }
    let mut err = anstream::stderr().lock();
    for problem in problems {
        let first = relative(problem).to_string();
        let first = first.lines().next().unwrap_or_default();
        let _ = writeln!(err, "{WARN}warning{WARN:#}: skipped: {}", line(first));
    }
    let _ = writeln!(
        err,
        "{WARN}warning{WARN:#}: {} problem(s) in notes; run `tn check` for details",
        problems.len()
    );
}

/// Says that `count` notes could not be read, so results and counts leave them out.
pub fn warn_unreadable(count: usize) {
    match count {
        0 => {}
        1 => warning("1 note cannot be read and is left out of search; run `tn check`"),
        n => warning(&format!(
            "{n} notes cannot be read and are left out of search; run `tn check`"
        )),
    }
}

/// A notice (`note:`) or warning for the user, on standard error.
pub fn notice(text: &str) {
    anstream::eprintln!("{WARN}note{WARN:#}: {}", line(text));
}

pub fn warning(text: &str) {
    anstream::eprintln!("{WARN}warning{WARN:#}: {}", line(text));
}

/// The problem with its path relative to the working directory when it lies below it, the way
/// compilers print paths, so `notes/x/y.ron:3:5` can be pasted into an editor.
pub fn relative(problem: &NoteError) -> NoteError {
    let mut problem = problem.clone();
    problem.path = rel(&problem.path);
    problem
}

pub fn rel(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_owned))
        .unwrap_or_else(|| path.to_owned())
}

/// The terminal's width when standard output is one (tables are cut to fit it).
pub fn terminal_width() -> Option<usize> {
    if !io::stdout().is_terminal() {
        return None;
    }
    crossterm::terminal::size()
        .ok()
        .map(|(w, _)| usize::from(w))
        .filter(|w| *w > 20)
}

/// Writes aligned rows (cells already escaped), the first column (an id) coloured.
pub fn write_table(out: &mut impl Write, rows: &[Vec<String>]) -> io::Result<()> {
    for (text, row) in display::table(rows, terminal_width()).iter().zip(rows) {
        // The first cell is ASCII (an id) and starts the line, so it splits off exactly.
        let (id, rest) = text.split_at(row[0].len().min(text.len()));
        writeln!(out, "{ID}{id}{ID:#}{rest}")?;
    }
    Ok(())
}

/// Prints `value` as pretty JSON that is also safe on a terminal (see
/// [`display::json_safe`]).
pub fn print_json<T: Serialize + ?Sized>(value: &T) -> Result<()> {
    let text = display::json_safe(serde_json::to_string_pretty(value)?);
    writeln!(anstream::stdout().lock(), "{text}")?;
    Ok(())
}

/// The warning for a user's concepts file that cannot be used: its first problem (`tn
/// check` lists them all).
pub fn unused_concepts(problem: &NoteError) -> String {
    format!(
        "{}; your concepts are not used until it is fixed (`tn check` lists every problem)",
        relative(problem)
    )
}

/// Opens the search engine, bringing the index up to date, and prints its notice (rebuilt,
/// stale) if any.
pub fn open_engine(store: &Store) -> Result<Engine> {
    let (engine, report) = Engine::open(store)?;
    if let Some(text) = report.notice() {
        notice(&text);
    }
    Ok(engine)
}

/// Prints search hits as text (ranked, with highlights) or as a JSON array of [`HitRow`]s.
pub fn write_hits(results: &SearchResults, as_json: bool) -> Result<()> {
    if let Some(text) = &results.notice {
        notice(text);
    }
    for text in &results.warnings {
        warning(text);
    }
    if let Some(first) = results.concepts_problems.first() {
        warning(&unused_concepts(first));
    }
    if as_json {
        let rows: Vec<HitRow> = results.hits.iter().map(HitRow::from).collect();
        return print_json(&rows);
    }
    let mut out = anstream::stdout().lock();
    for (rank, h) in results.hits.iter().enumerate() {
        writeln!(
            out,
            "{BOLD}{:>2}.{BOLD:#} {}",
            rank + 1,
            highlighted(&h.title, &h.title_highlights, BOLD)
        )?;
        let facts = line(&present::hit_facts(h).join(" · ")).into_owned();
        writeln!(out, "    {DIM}{ID}{}{ID:#} · {facts}{DIM:#}", h.id)?;
        if !h.snippet.text.is_empty() {
            writeln!(
                out,
                "    {}",
                highlighted(&h.snippet.text, &h.snippet.highlights, Style::new())
            )?;
        }
    }
    Ok(())
}

/// `tn search --explain`: what each word of the query matched, and why.
pub fn write_explanation(words: &[QueryWord]) -> Result<()> {
    let mut out = anstream::stdout().lock();
    for word in words {
        let sign = if word.negated { "-" } else { "" };
        let shown = format!("{sign}{}", word.text);
        match &word.expansion {
            Some(expansion) => write_expansion(&mut out, &shown, expansion)?,
            None if word.literal => writeln!(
                out,
                "{BOLD}{}{BOLD:#}  {DIM}as typed only (literal){DIM:#}",
                line(&shown)
            )?,
            None => writeln!(
                out,
                "{BOLD}{}{BOLD:#}  {DIM}as typed: no known concept{DIM:#}",
                line(&shown)
            )?,
        }
    }
    writeln!(out)?;
    Ok(())
}

/// A word's expansion: the concepts it names, then each spelling, where it comes from and
/// how it matches. The typed spelling matches anywhere in a talk; the others in what the
/// talk is about (title, abstract, takeaways, memo, tools, tags).
pub fn write_expansion(out: &mut impl Write, shown: &str, expansion: &Expansion) -> io::Result<()> {
    writeln!(
        out,
        "{BOLD}{}{BOLD:#}  {DIM}concept {}{DIM:#}",
        line(shown),
        line(&expansion.concepts.join(", "))
    )?;
    let rows: Vec<Vec<String>> = expansion
        .spellings
        .iter()
        .map(|s| {
            let what = match (s.typed, s.spelling.source) {
                // A word no data knows (only learned pairs expand it): no source to name.
                (true, Source::Typed) => "as typed".to_owned(),
                (true, _) => format!("as typed ({})", s.spelling.origin()),
                (false, _) => s.spelling.origin(),
            };
            vec![
                format!("  {}", line(&s.spelling.term.text)),
                what,
                how_it_matches(&s.spelling),
            ]
        })
        .collect();
    for row in display::table(&rows, terminal_width()) {
        writeln!(out, "{}", row.trim_end())?;
    }
    Ok(())
}

/// The flags of a spelling, for people: `whole word`, `this case only`, `not in ブログ, …`.
fn how_it_matches(spelling: &Spelling) -> String {
    let flags = &spelling.term.flags;
    let mut how = Vec::new();
    if flags.whole_word() {
        how.push("whole word".to_owned());
    }
    if flags.case {
        how.push("this case only".to_owned());
    }
    if !flags.not_in.is_empty() {
        let mut words: Vec<&str> = flags.not_in.iter().map(String::as_str).take(3).collect();
        if flags.not_in.len() > 3 {
            words.push("…");
        }
        how.push(format!("not in {}", words.join(", ")));
    }
    line(&how.join("; ")).into_owned()
}

/// Text with its highlighted ranges styled; every piece is escaped separately, so the ranges
/// stay valid and no control character reaches the terminal.
fn highlighted(text: &str, ranges: &[std::ops::Range<usize>], base: Style) -> String {
    present::marks(text, ranges)
        .into_iter()
        .map(|(piece, hit)| {
            let style = if hit { MATCH } else { base };
            format!("{style}{}{style:#}", line(piece))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// JSON rows

/// A note's own fields as JSON: those of the interchange format, without `id` (a row names
/// the note by the id commands take instead).
#[derive(Debug, Clone)]
pub struct NoteFields<T>(T);

impl<T: Serialize> Serialize for NoteFields<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut fields = interchange::note_object(&self.0).map_err(serde::ser::Error::custom)?;
        fields.remove("id");
        fields.serialize(serializer)
    }
}

impl<T: JsonSchema> JsonSchema for NoteFields<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("{}Fields", T::schema_name()).into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = T::json_schema(generator);
        if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            properties.remove("id");
        }
        if let Some(Value::Array(required)) = schema.get_mut("required") {
            required.retain(|name| name != "id");
        }
        // Rows add their own fields; output is not held to the note's closed field list.
        schema.remove("additionalProperties");
        schema
    }
}

/// A talk: its note's fields, named by `EVENT/TALK`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct TalkRow {
    /// `EVENT/TALK`, as `tn show` takes it.
    pub id: String,
    /// The event's id.
    pub event: Slug,
    #[serde(flatten)]
    pub fields: NoteFields<Talk>,
}

impl TalkRow {
    pub fn new(id: &TalkRef, talk: &Talk) -> TalkRow {
        TalkRow {
            id: id.to_string(),
            event: id.event.clone(),
            fields: NoteFields(talk.clone()),
        }
    }
}

/// An event: its note's fields, how many talks it has, and in `tn show EVENT` the talks.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct EventRow {
    pub id: Slug,
    #[serde(flatten)]
    pub fields: NoteFields<Event>,
    pub talk_count: usize,
    /// Present in `tn show EVENT`: every talk, in schedule order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub talks: Option<Vec<TalkRow>>,
}

impl EventRow {
    pub fn new(event: &Event, talk_count: usize) -> EventRow {
        EventRow {
            id: event.id.clone(),
            fields: NoteFields(event.clone()),
            talk_count,
            talks: None,
        }
    }
}

/// A search hit: what the index holds about the talk, its score and the best snippet. Every
/// field is always there (`null` when unknown), so a script can rely on the set.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct HitRow {
    /// `EVENT/TALK`, as `tn show` takes it.
    pub id: String,
    pub event: Slug,
    /// `event_name`, `title`, `url`, `kind`, `date` (the talk's, else its event's first day),
    /// `speakers`, `score`.
    #[serde(flatten)]
    pub hit: Hit,
    pub snippet: String,
    /// Matches in `snippet`, as `[start, end)` character offsets.
    pub highlights: Vec<[usize; 2]>,
}

impl From<&Hit> for HitRow {
    fn from(hit: &Hit) -> HitRow {
        HitRow {
            id: hit.id.to_string(),
            event: hit.id.event.clone(),
            hit: hit.clone(),
            snippet: hit.snippet.text.clone(),
            highlights: hit.snippet.char_highlights(),
        }
    }
}

/// A tool across all talks: `{name, url?}` as in a talk, and the talks that link it.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ToolRow {
    #[serde(flatten)]
    pub tool: Tool,
    /// `EVENT/TALK` of each talk that links the tool.
    pub talks: Vec<String>,
}

impl From<&Entry> for ToolRow {
    /// The name in its most frequent spelling and the first URL given (`tn tools NAME` lists
    /// every one).
    fn from(entry: &Entry) -> ToolRow {
        ToolRow {
            tool: Tool {
                name: entry.name.clone(),
                url: entry.details.first().cloned(),
                by: None,
            },
            talks: entry.talks.iter().map(ToString::to_string).collect(),
        }
    }
}

/// A speaker across all talks: `{name, affiliation?, role?}` as in a talk, and their talks.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SpeakerRow {
    #[serde(flatten)]
    pub speaker: Speaker,
    /// `EVENT/TALK` of each of their talks.
    pub talks: Vec<String>,
}

impl From<&Entry> for SpeakerRow {
    /// The name in its most frequent spelling and the first affiliation given (`tn speakers
    /// NAME` lists every one); a role belongs to one talk, so there is none here.
    fn from(entry: &Entry) -> SpeakerRow {
        SpeakerRow {
            speaker: Speaker {
                name: entry.name.clone(),
                affiliation: entry.details.first().cloned(),
                role: None,
            },
            talks: entry.talks.iter().map(ToString::to_string).collect(),
        }
    }
}

/// The rows, for the JSON Schema only.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct Rows {
    talk: TalkRow,
    hit: HitRow,
    event: EventRow,
    tool: ToolRow,
    speaker: SpeakerRow,
    expansion: Expansion,
    equivalences: crate::search::concepts::Equivalences,
}

/// The JSON Schema `tn schema` prints: the interchange document at the top, and under `$defs`
/// every row `--json` prints (`TalkRow`, `HitRow`, `EventRow`, `ToolRow`, `SpeakerRow`, and
/// `tn concepts`'s `Expansion` and `Equivalences`).
pub fn json_schema() -> String {
    let mut generator = schemars::generate::SchemaSettings::default().into_generator();
    generator.subschema_for::<Rows>();
    let mut schema = interchange::json_schema_with(generator);
    if let Some(defs) = schema.get_mut("$defs").and_then(Value::as_object_mut) {
        // Only a carrier for the rows' definitions.
        defs.remove("Rows");
    }
    let mut text = serde_json::to_string_pretty(&schema)
        .unwrap_or_else(|e| unreachable!("a JSON value always serializes: {e}"));
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interchange::tests::repo_file;

    #[test]
    fn committed_json_schema_is_current() {
        assert!(
            repo_file("talknotes.schema.json") == json_schema(),
            "schemas/talknotes.schema.json is stale: run `cargo run -- schema > schemas/talknotes.schema.json`"
        );
    }

    #[test]
    fn rows_serialize_as_their_schema_says() {
        let id: TalkRef = "ev/talk".parse().unwrap();
        let mut talk = Talk::new(id.talk.clone(), "Title");
        talk.speakers = vec![Speaker::parse_cli("山田 (Example)")];
        let row = serde_json::to_value(TalkRow::new(&id, &talk)).unwrap();
        assert_eq!(row["id"], "ev/talk");
        assert_eq!(row["event"], "ev");
        assert_eq!(row["title"], "Title");
        assert_eq!(
            row["speakers"],
            serde_json::json!([{"name": "山田", "affiliation": "Example"}])
        );
        assert!(row.get("schema").is_none(), "{row}");
        let schema: Value = serde_json::from_str(&json_schema()).unwrap();
        let properties = &schema["$defs"]["TalkRow"]["properties"];
        for key in row.as_object().unwrap().keys() {
            assert!(properties.get(key).is_some(), "{key} is not in the schema");
        }
        assert!(schema["$defs"]["HitRow"]["properties"]["speakers"].is_object());
    }
}
