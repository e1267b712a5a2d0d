//! Reading and writing note files as RON.
//!
//! Parsing turns every failure into a [`NoteError`] with `line:column` and a hint, because
//! `tn check` prints exactly these. Writing is canonical pretty RON (4-space indent, struct
//! names, Japanese as UTF-8, multi-line text kept multi-line) so that diffs in git stay small.

use std::path::Path;

use ron::extensions::Extensions;
use ron::ser::PrettyConfig;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::NoteError;
use crate::note::{Conflict, Event, Problem, SCHEMA_VERSION, ScheduleKind, Talk};

/// The UTF-8 byte order mark some editors (Windows Notepad) put at the start of a file. It is
/// invisible and not part of the note: readers skip it, so positions in messages count from
/// the first character an editor shows. A rewrite keeps it (see `Store::update`).
pub const BOM: &str = "\u{feff}";

/// `text` without a leading byte order mark: for every reader of a file (notes, imports).
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix(BOM).unwrap_or(text)
}

/// Optional fields are written bare (`url: "…"`), not `Some("…")`, in files and when reading.
fn options() -> ron::Options {
    ron::Options::default().with_default_extension(Extensions::IMPLICIT_SOME)
}

fn pretty() -> PrettyConfig {
    PrettyConfig::new()
        .indentor("    ")
        .struct_names(true)
        .escape_strings(false)
        .extensions(Extensions::IMPLICIT_SOME)
}

/// Serializes a note to its canonical file text, ending with a newline.
pub fn to_ron<T: Serialize>(value: &T) -> Result<String, ron::Error> {
    let mut text = options().to_string_pretty(value, pretty())?;
    text.push('\n');
    Ok(text)
}

/// Notes that can be read from a file: both kinds share the checks below.
pub trait NoteDoc: DeserializeOwned + Serialize {
    const WHAT: &'static str;
    fn schema(&self) -> u32;
    fn id_str(&self) -> &str;
    fn semantic_problems(&self) -> Vec<Problem>;
    /// Unresolved merge conflicts recorded in the note.
    fn conflicts(&self) -> &[Conflict];
    /// What `tn check` warns about in a note that reads (`text`, without its byte order
    /// mark) but holds something that looks wrong, each at its place.
    fn warnings(&self, _path: &Path, _text: &str, _key: &str) -> Vec<NoteError> {
        Vec::new()
    }
}

impl NoteDoc for Event {
    const WHAT: &'static str = "event";
    fn schema(&self) -> u32 {
        self.schema
    }
    fn id_str(&self) -> &str {
        self.id.as_str()
    }
    fn semantic_problems(&self) -> Vec<Problem> {
        Event::semantic_problems(self)
    }
    fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }
}

impl NoteDoc for Talk {
    const WHAT: &'static str = "talk";
    fn schema(&self) -> u32 {
        self.schema
    }
    fn id_str(&self) -> &str {
        self.id.as_str()
    }
    fn semantic_problems(&self) -> Vec<Problem> {
        Talk::semantic_problems(self)
    }
    fn conflicts(&self) -> &[Conflict] {
        &self.conflicts
    }
    fn warnings(&self, path: &Path, text: &str, key: &str) -> Vec<NoteError> {
        tool_url_warnings(self, path, text, key)
    }
}

/// A tool whose `url` is no address (`Grafana` with `url: "Mimir"`, as `tn tool Grafana
/// Mimir` saved before it was refused, or a hand edit). The note still reads, so a warning.
fn tool_url_warnings(talk: &Talk, path: &Path, text: &str, key: &str) -> Vec<NoteError> {
    let mut places = None;
    let mut warnings = Vec::new();
    for (i, tool) in talk.tools.iter().enumerate() {
        let Some(url) = tool.url.as_deref() else {
            continue;
        };
        if crate::capture::looks_like_url(url.trim()) {
            continue;
        }
        let places = places.get_or_insert_with(|| entry_field_positions(text, "tools", "url"));
        let name = &tool.name;
        let (message, hint) = if url.trim().is_empty() {
            (
                format!("field `url` of tool \"{name}\" is empty"),
                format!(
                    "run `tn edit {key}` and write the address of {name} there (`https://…`), \
                     or remove the url"
                ),
            )
        } else {
            (
                format!("field `url` of tool \"{name}\": \"{url}\" is not an address"),
                format!(
                    "run `tn edit {key}` and write the address of {name} there (`https://…`); \
                     if {url} is a tool of its own, remove the url and add `(name: \"{url}\")` \
                     to `tools`; if it is part of the name, write `name: \"{name} {url}\"`"
                ),
            )
        };
        warnings.push(
            NoteError::new(path, message)
                .at(places
                    .get(i)
                    .copied()
                    .flatten()
                    .or_else(|| field_position(text, "tools")))
                .hint(hint),
        );
    }
    warnings
}

/// Decodes raw file bytes. All problems found are returned, not only the first.
///
/// `expected_id` is the id implied by the file's path; the `id` field must agree with it.
pub fn parse<T: NoteDoc>(
    path: &Path,
    bytes: &[u8],
    expected_id: &str,
) -> Result<T, Vec<NoteError>> {
    let text = without_bom(decode_utf8(path, bytes).map_err(|e| vec![e])?);
    if let Some(blank) = blank(text) {
        return Err(vec![
            NoteError::new(path, format!("the {} file {blank}", T::WHAT)).hint(
                "delete it, or write the note (`tn new` and `tn event new` create valid ones)",
            ),
        ]);
    }
    let value: T = options()
        .from_str(text)
        .map_err(|e| vec![syntax_error(path, text, &e, T::WHAT, SCHEMA_VERSION)])?;

    let mut errors = Vec::new();
    if value.schema() > SCHEMA_VERSION {
        errors.push(
            NoteError::new(
                path,
                format!(
                    "written for note schema {}, but this tn understands up to {SCHEMA_VERSION}",
                    value.schema()
                ),
            )
            .at(field_position(text, "schema"))
            .hint("upgrade talknotes to read this note"),
        );
    } else if value.schema() == 0 {
        errors.push(
            NoteError::new(path, "schema version 0 does not exist")
                .at(field_position(text, "schema"))
                .hint(format!("write `schema: {SCHEMA_VERSION},`")),
        );
    }
    if value.id_str() != expected_id {
        errors.push(
            NoteError::new(
                path,
                format!(
                    "field `id`: \"{}\" does not match the file's name \"{expected_id}\"",
                    value.id_str()
                ),
            )
            .at(field_position(text, "id"))
            .hint(format!(
                "set `id: \"{expected_id}\",` or rename the file to match the id"
            )),
        );
    }
    for problem in value.semantic_problems() {
        errors.push(
            NoteError::new(
                path,
                format!("field `{}`: {}", problem.field, problem.message),
            )
            .at(field_position(text, problem.field)),
        );
    }
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(errors)
    }
}

/// The file's bytes as text, or a problem at the line and column of the first byte that is
/// not UTF-8, with how to convert it (for every RON file: notes and the concepts file).
pub fn decode_utf8<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, NoteError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let valid = &bytes[..e.valid_up_to()];
        // The prefix is valid UTF-8 by construction, so this cannot fail.
        let prefix = without_bom(std::str::from_utf8(valid).unwrap_or_default());
        NoteError::new(
            path,
            format!(
                "the file is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
        .at(Some(end_position(prefix)))
        .hint("save the file as UTF-8 (for example `iconv -f SHIFT_JIS -t UTF-8`)")
    })
}

/// What a file with nothing to parse holds, for its problem: `is empty` (white space at
/// most) or `holds nothing but comments`; `None` when there is something else.
pub fn blank(text: &str) -> Option<&'static str> {
    let mut rest = text.trim_start();
    let mut comments = false;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |i| &after[i..]);
        } else if let Some(after) = rest.strip_prefix("/*") {
            // RON's block comments nest.
            let mut depth = 1;
            let mut i = 0;
            let bytes = after.as_bytes();
            while depth > 0 && i < bytes.len() {
                match (bytes[i], bytes.get(i + 1)) {
                    (b'/', Some(b'*')) => (depth, i) = (depth + 1, i + 2),
                    (b'*', Some(b'/')) => (depth, i) = (depth - 1, i + 2),
                    _ => i += 1,
                }
            }
            rest = &after[i..];
        } else {
            return None;
        }
        comments = true;
        rest = rest.trim_start();
    }
    Some(if comments {
        "holds nothing but comments"
    } else {
        "is empty"
    })
}

/// 1-based line and column just after `prefix`, counting columns in characters.
fn end_position(prefix: &str) -> (usize, usize) {
    let line = prefix.matches('\n').count() + 1;
    let column = prefix
        .rsplit('\n')
        .next()
        .map_or(0, |last| last.chars().count())
        + 1;
    (line, column)
}

/// A RON error of a file holding one `what` (a talk, an event, the concepts file) as a
/// problem at its line and column, with a hint where one helps; `text` is the file's text and
/// `schema` the version such files are written at (for the hint of a missing `schema`).
pub fn syntax_error(
    path: &Path,
    text: &str,
    error: &ron::error::SpannedError,
    what: &str,
    schema: u32,
) -> NoteError {
    use ron::error::Error as E;
    let position = Some((error.span.start.line, error.span.start.col));
    let (message, hint): (String, Option<String>) = match &error.code {
        E::NoSuchStructField {
            expected, found, ..
        } => (
            format!("unknown field `{found}`"),
            Some(format!(
                "fix its spelling or remove it; allowed here: {}",
                expected.join(", ")
            )),
        ),
        E::MissingStructField { field, .. } => (
            format!("missing required field `{field}`"),
            Some(missing_field_hint(field, schema)),
        ),
        E::DuplicateStructField { field, .. } => (
            format!("field `{field}` appears twice"),
            Some("keep only one of them".into()),
        ),
        E::NoSuchEnumVariant {
            expected, found, ..
        } => (
            format!("unknown value `{found}`"),
            Some(format!("use one of: {}", expected.join(", "))),
        ),
        E::ExpectedDifferentStructName { expected, found } => (
            format!("expected `{expected}(…)` but found `{found}(…)`"),
            Some(format!("a {what} file starts with `{expected}(`")),
        ),
        E::Message(message) => (message.clone(), None),
        E::Eof => (
            "the file ends in the middle of a note".into(),
            Some("a closing `)`, `]` or `\"` is probably missing".into()),
        ),
        E::TrailingCharacters => (
            "unexpected text after the end of the note".into(),
            Some("a file holds exactly one note; remove what follows the closing `)`".into()),
        ),
        other => {
            // A Japanese input method types `，` `：` `（` `”` and full-width spaces where the
            // syntax needs ASCII: name the character and its ASCII twin, at its own column.
            if let Some(found) = lookalike_at(text, error.span.start.line, error.span.start.col) {
                let problem = NoteError::new(
                    path,
                    format!(
                        "{} (U+{:04X}) outside quoted text: {other}",
                        found.name,
                        u32::from(found.char)
                    ),
                )
                .at(Some(found.position))
                .hint(found.hint());
                return problem;
            }
            (
                other.to_string(),
                Some(
                    "check for a missing comma, quote or bracket at or just before this place"
                        .into(),
                ),
            )
        }
    };
    // Values rejected by a validating newtype point at the value itself, which is right.
    let mut error = NoteError::new(path, message).at(position);
    if let Some(hint) = hint {
        error = error.hint(hint);
    }
    error
}

/// The hint for a missing required field: the field as it is written. Most are text; the
/// few that are not are shown with a value of their own type.
fn missing_field_hint(field: &str, schema: u32) -> String {
    match field {
        "schema" => format!("add `schema: {schema},`"),
        // A talk's `source`: the schedule kind is a bare word.
        "schedule" => {
            let kinds: Vec<&str> = ScheduleKind::ALL.iter().map(|k| k.as_str()).collect();
            format!(
                "add `schedule: {},` (the kinds: {})",
                ScheduleKind::default(),
                kinds.join(", ")
            )
        }
        // A concept's spellings.
        "terms" => "add `terms: [\"…\", \"…\"],`".to_owned(),
        _ => format!("add `{field}: \"…\",`"),
    }
}

/// A full-width or curly character found where the note's syntax needs ASCII.
struct Lookalike {
    char: char,
    /// What it is called, with the character: "the full-width comma `，`".
    name: String,
    /// What to type instead: `,`, or a space for a full-width space.
    ascii: char,
    /// 1-based line and column (in characters) of the character.
    position: (usize, usize),
}

impl Lookalike {
    fn hint(&self) -> String {
        let inside = "full-width characters belong only inside quoted text (\"…\")";
        if self.ascii == ' ' {
            format!("type an ordinary space instead, or remove it; {inside}")
        } else {
            format!(
                "type the ASCII `{}` instead, in half-width input (半角); {inside}",
                self.ascii
            )
        }
    }
}

/// The character at `line:column` of `text`, or the first after the spaces there (the parser
/// points at the space before a value it could not read), when it is a full-width or curly
/// stand-in for ASCII syntax.
fn lookalike_at(text: &str, line: usize, column: usize) -> Option<Lookalike> {
    let row = text.split('\n').nth(line.checked_sub(1)?)?;
    let (skipped, c) = row
        .chars()
        .skip(column.checked_sub(1)?)
        .enumerate()
        .find(|(_, c)| !matches!(c, ' ' | '\t' | '\r'))?;
    let (what, ascii) = match c {
        '，' => ("full-width comma", ','),
        '、' => ("ideographic comma", ','),
        '：' => ("full-width colon", ':'),
        '（' | '）' => ("full-width parenthesis", if c == '（' { '(' } else { ')' }),
        '［' | '］' => ("full-width bracket", if c == '［' { '[' } else { ']' }),
        '＂' => ("full-width quotation mark", '"'),
        '“' | '”' => ("curly quotation mark", '"'),
        '\u{3000}' => ("full-width space", ' '),
        // Any other full-width form of an ASCII character (`１`, `ｔ`, `＿`): its twin is
        // 0xFEE0 below it.
        '\u{ff01}'..='\u{ff5e}' => (
            "full-width",
            char::from_u32(u32::from(c) - 0xfee0).unwrap_or_else(|| unreachable!()),
        ),
        _ => return None,
    };
    let name = if c == '\u{3000}' {
        format!("the {what}")
    } else {
        format!("the {what} `{c}`")
    };
    Some(Lookalike {
        char: c,
        name,
        ascii,
        position: (line, column + skipped),
    })
}

/// Position of a field's name at the start of a line, for problems found after parsing.
pub fn field_position(text: &str, field: &str) -> Option<(usize, usize)> {
    for (index, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(field)
            && rest.trim_start().starts_with(':')
        {
            let column = line[..line.len() - trimmed.len()].chars().count() + 1;
            return Some((index + 1, column));
        }
    }
    None
}

/// For each entry of the top-level list field `list` (`tools: [...]`), in file order, the line
/// and column of its field `key` (`url`), if it has one. Quoted text and comments are
/// skipped, so a `url:` inside a name or a comment is not taken for the field.
pub fn entry_field_positions(text: &str, list: &str, key: &str) -> Vec<Option<(usize, usize)>> {
    let bytes = text.as_bytes();
    let mut entries = Vec::new();
    let mut depth = 0usize;
    // The depth of the note's fields once `list:` is met, until its list closes.
    let mut inside: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = text[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
            }
            b'"' => i = skip_quoted(bytes, i + 1, b'"'),
            b'\'' => i = skip_quoted(bytes, i + 1, b'\''),
            b'r' if is_raw_string_start(bytes, i) => i = skip_raw_string(bytes, i + 1),
            b'(' | b'[' | b'{' => {
                depth += 1;
                // An entry opens two levels below the note's fields: `[` then `(`.
                if inside.is_some_and(|d| depth == d + 2) {
                    entries.push(None);
                }
                i += 1;
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if inside.is_some_and(|d| depth <= d) {
                    break;
                }
                i += 1;
            }
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = &text[start..i];
                if !text[i..].trim_start().starts_with(':') {
                    continue;
                }
                match inside {
                    None if depth == 1 && word == list => inside = Some(depth),
                    Some(d) if depth == d + 2 && word == key => {
                        if let Some(entry) = entries.last_mut() {
                            let before = &text[..start];
                            let line = before.matches('\n').count() + 1;
                            let column =
                                before.rsplit('\n').next().map_or(0, |l| l.chars().count());
                            *entry = Some((line, column + 1));
                        }
                    }
                    _ => {}
                }
            }
            _ => i += 1,
        }
    }
    entries
}

/// Whether the RON text has a `//` or `/* */` comment outside string literals.
///
/// tn rewrites notes through serde, which cannot carry comments, so a file with comments is
/// never rewritten by a command (see `Error::WouldDropComments`).
pub fn has_comments(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if matches!(bytes.get(i + 1), Some(b'/' | b'*')) => return true,
            b'"' => i = skip_quoted(bytes, i + 1, b'"'),
            b'\'' => i = skip_quoted(bytes, i + 1, b'\''),
            b'r' if is_raw_string_start(bytes, i) => i = skip_raw_string(bytes, i + 1),
            _ => i += 1,
        }
    }
    false
}

fn skip_quoted(bytes: &[u8], mut i: usize, quote: u8) -> usize {
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    i
}

fn is_raw_string_start(bytes: &[u8], i: usize) -> bool {
    // `r` begins a raw string only when it is not the tail of an identifier.
    let prev_is_ident = i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
    if prev_is_ident {
        return false;
    }
    let mut j = i + 1;
    while bytes.get(j) == Some(&b'#') {
        j += 1;
    }
    bytes.get(j) == Some(&b'"')
}

fn skip_raw_string(bytes: &[u8], mut i: usize) -> usize {
    let mut hashes = 0;
    while bytes.get(i) == Some(&b'#') {
        hashes += 1;
        i += 1;
    }
    i += 1; // opening quote
    while i < bytes.len() {
        if bytes[i] == b'"'
            && bytes[i + 1..]
                .iter()
                .take(hashes)
                .filter(|b| **b == b'#')
                .count()
                == hashes
        {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::note::{Takeaway, Talk};

    fn talk(text: &str) -> Result<Talk, Vec<NoteError>> {
        parse::<Talk>(Path::new("ev/t.ron"), text.as_bytes(), "t")
    }

    #[test]
    fn round_trip_keeps_japanese_and_multiline_text_readable() {
        let mut t = Talk::new("t".parse().unwrap(), "サービスメッシュ入門");
        t.memo = Some("line one\n```yaml\nkey: \"value\"\n```".into());
        t.takeaways.push(Takeaway {
            text: "eBPFで可観測性".into(),
            at: Some("10:05".parse().unwrap()),
            by: None,
        });
        let text = to_ron(&t).unwrap();
        assert!(
            text.starts_with("Talk(\n    schema: 1,\n    id: \"t\",\n"),
            "{text}"
        );
        assert!(text.contains("title: \"サービスメッシュ入門\""), "{text}");
        assert!(text.contains("at: \"10:05\""), "{text}");
        assert!(text.contains("```yaml\n"), "memo stays multi-line: {text}");
        assert!(!text.contains("Some("), "{text}");
        assert_eq!(talk(&text).unwrap(), t);
    }

    #[test]
    fn errors_carry_line_and_column() {
        let errors =
            talk("Talk(\n    id: \"t\",\n    title: \"x\",\n    colour: 3,\n)").unwrap_err();
        assert_eq!(errors[0].position, Some((4, 5)), "{errors:?}");
        assert!(errors[0].message.contains("unknown field `colour`"));

        let errors = talk("Talk(\n    id: \"t\",\n    title: \"x\",\n    date: \"2024-13-01\",\n)")
            .unwrap_err();
        assert_eq!(errors[0].position.map(|p| p.0), Some(4), "{errors:?}");
        assert!(errors[0].message.contains("not a valid date"));

        let errors = talk("Talk(\n    id: \"other\",\n    title: \"x\",\n)").unwrap_err();
        assert_eq!(errors[0].position, Some((2, 5)));
    }

    #[test]
    fn blank_files_are_told_from_files_with_something_in_them() {
        assert_eq!(blank(""), Some("is empty"));
        assert_eq!(blank(" \n\t\n"), Some("is empty"));
        assert_eq!(
            blank("// a\n  /* b /* nested */ c */\n// d"),
            Some("holds nothing but comments")
        );
        assert_eq!(blank("// a\nTalk()"), None);
        assert_eq!(blank("/* a */ x"), None);
        assert!(
            talk("// nothing yet\n").unwrap_err()[0]
                .message
                .contains("the talk file holds nothing but comments")
        );
    }

    /// Regression: a missing field was always hinted as text (`schema: "…",`), also for the
    /// fields that are not.
    #[test]
    fn a_missing_field_is_hinted_with_a_value_of_its_type() {
        let hint = |text: &str| talk(text).unwrap_err()[0].hint.clone().unwrap_or_default();
        assert_eq!(hint("Talk(schema: 1, id: \"t\")"), "add `title: \"…\",`");
        let source = hint("Talk(id: \"t\", title: \"x\", source: (id: \"42\"))");
        assert!(
            source.starts_with("add `schedule: frab,` (the kinds: sched, frab"),
            "{source}"
        );
        assert!(!source.contains('"'), "{source}");
        // What the hint says to write is valid.
        talk("Talk(id: \"t\", title: \"x\", source: (schedule: frab, id: \"42\"))").unwrap();
    }

    #[test]
    fn full_width_syntax_is_named_with_what_to_type_at_its_own_column() {
        // Regression: a full-width `，` was reported as "Expected comma", with no word about
        // the character, and a full-width `”` or `［` one column early (at the space).
        let note = "Talk(\n    schema: 1,\n    id: \"t\",\n    title: \"日本語のタイトル\",\n    tags: [\"a\"],\n)\n";
        for (from, to, position, name, ascii) in [
            (
                "のタイトル\",",
                "のタイトル\"，",
                (4, 22),
                "the full-width comma `，`",
                "the ASCII `,`",
            ),
            (
                "id: ",
                "id： ",
                (3, 7),
                "the full-width colon `：`",
                "the ASCII `:`",
            ),
            (
                "Talk(",
                "Talk（",
                (1, 5),
                "the full-width parenthesis `（`",
                "the ASCII `(`",
            ),
            (
                "\n)\n",
                "\n）\n",
                (6, 1),
                "the full-width parenthesis `）`",
                "the ASCII `)`",
            ),
            (
                "tags: [",
                "tags: ［",
                (5, 11),
                "the full-width bracket `［`",
                "the ASCII `[`",
            ),
            (
                "[\"a\"]",
                "[\"a\"］",
                (5, 15),
                "the full-width bracket `］`",
                "the ASCII `]`",
            ),
            (
                "title: \"",
                "title: ”",
                (4, 12),
                "the curly quotation mark `”`",
                "the ASCII `\"`",
            ),
            (
                "title: \"",
                "title: “",
                (4, 12),
                "the curly quotation mark `“`",
                "the ASCII `\"`",
            ),
            (
                "id: ",
                "id:\u{3000}",
                (3, 8),
                "the full-width space (U+3000)",
                "an ordinary space",
            ),
            (
                "schema: 1",
                "schema: １",
                (2, 13),
                "the full-width `１`",
                "the ASCII `1`",
            ),
        ] {
            let text = note.replacen(from, to, 1);
            assert_ne!(text, note, "{from}");
            let errors = talk(&text).unwrap_err();
            let error = &errors[0];
            assert_eq!(error.position, Some(position), "{to}: {error:?}\n{text}");
            assert!(error.message.starts_with(name), "{to}: {error:?}");
            let hint = error.hint.as_deref().unwrap_or_default();
            assert!(
                hint.starts_with(&format!("type {ascii} instead")),
                "{to}: {hint}"
            );
        }
        // Inside quoted text they are text.
        let text = note.replacen("日本語", "“日本語”、（注）：　［１］，", 1);
        assert!(talk(&text).is_ok(), "{text}");
    }

    #[test]
    fn empty_and_non_utf8_files_are_reported() {
        assert!(talk("  \n").unwrap_err()[0].message.contains("empty"));
        let errors =
            parse::<Talk>(Path::new("x.ron"), b"Talk(\n  title: \"\xff\"", "x").unwrap_err();
        assert_eq!(errors[0].position, Some((2, 11)));
    }

    #[test]
    fn a_byte_order_mark_is_skipped_and_positions_count_from_after_it() {
        let valid = "\u{feff}Talk(\n    schema: 1,\n    id: \"t\",\n    title: \"x\",\n)\n";
        assert_eq!(talk(valid).unwrap().title, "x");
        let errors = talk("\u{feff}Talk(\n    id: \"t\",\n    title: \"x\",\n    colour: 3,\n)")
            .unwrap_err();
        assert_eq!(errors[0].position, Some((4, 5)), "{errors:?}");
        let errors = talk("\u{feff}Talk(\n    id: \"other\",\n    title: \"x\",\n)").unwrap_err();
        assert_eq!(errors[0].position, Some((2, 5)));
        let errors = talk("\u{feff}Tlak(\n)").unwrap_err();
        assert_eq!(errors[0].position, Some((1, 1)), "{errors:?}");
        let mut bytes = BOM.as_bytes().to_vec();
        bytes.extend_from_slice(b"Talk(\n  title: \"\xff\"");
        let errors = parse::<Talk>(Path::new("x.ron"), &bytes, "x").unwrap_err();
        assert_eq!(errors[0].position, Some((2, 11)));
        assert!(errors[0].message.contains("offset 19"), "{errors:?}");
    }

    #[test]
    fn comments_are_found_only_outside_strings() {
        assert!(has_comments("Talk( // note\n)"));
        assert!(has_comments("Talk( /* x */ )"));
        assert!(!has_comments("Talk(url: \"https://example.com//x\")"));
        assert!(!has_comments("Talk(memo: r#\"a \"// not\" b\"#)"));
        assert!(!has_comments("Talk(memo: \"esc \\\" // still string\")"));
        assert!(has_comments("Talk(memo: \"s\") // after"));
    }

    #[test]
    fn entry_fields_are_found_per_entry_of_their_list_only() {
        // On one line, with the note's own `url` and a link's after the list: only the
        // tools' entries count, one slot each, `None` for an entry without the field.
        let text = "Talk(id: \"t\", tools: [(name: \"a:\"), Tool(url: \"x\", name: \"b\")], url: \"u\", links: [(url: \"l\")])";
        assert_eq!(
            entry_field_positions(text, "tools", "url"),
            [None, Some((1, 42))]
        );
        assert_eq!(entry_field_positions(text, "speakers", "name"), []);
    }
}
