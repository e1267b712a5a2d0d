//! Runs the parsed command line. This is the edge: library errors become `anyhow` messages
//! here, and output is written through `anstream`, which drops colour when the output is not
//! a terminal or `NO_COLOR` is set.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use anyhow::{Context, Result, bail};
use clap::CommandFactory;
use serde_json::{Value, json};

use crate::capture::{self, NewTalk};
use crate::cli::{
    Cli, Command, EventCommand, EventNewArgs, ExportArgs, ImportArgs, ListArgs, Target,
};
use crate::display::{self, escape, line};
use crate::editor;
use crate::error::{Error, NoteError};
use crate::interchange;
use crate::note::{Event, Speaker, Talk, TalkKind, TalkRef};
use crate::present;
use crate::registry;
use crate::search::{Engine, Hit, SearchEngine, SearchRequest, SearchResults};
use crate::store::atomic::{WriteMode, write_atomic};
use crate::store::{NoteKey, Scan, Store};

const ID: Style = AnsiColor::Cyan.on_default();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();
const MATCH: Style = AnsiColor::Yellow.on_default().bold();

pub fn run(cli: Cli) -> Result<ExitCode> {
    let command = match cli.command {
        Some(command) => command,
        // `tn` alone opens the TUI; without a terminal (a script, a pipe) it prints help.
        None if io::stdin().is_terminal() && io::stdout().is_terminal() => Command::Tui,
        None => {
            Cli::command().print_help()?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let dir = cli.dir.as_deref();
    match command {
        Command::Init { dir: target } => init(target.as_deref().or(dir)),
        Command::Completions { shell } => {
            clap_complete::generate(shell, &mut Cli::command(), "tn", &mut io::stdout());
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command()).render(&mut io::stdout())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema => {
            io::stdout()
                .lock()
                .write_all(interchange::json_schema().as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
        command => {
            let store = open_store(dir)?;
            run_in(&store, command)
        }
    }
}

fn run_in(store: &Store, command: Command) -> Result<ExitCode> {
    match command {
        Command::Event(EventCommand::New(args)) => event_new(store, args),
        Command::New(args) => {
            let no_edit = args.no_edit;
            let spec = NewTalk {
                event: args.event,
                id: args.id,
                title: args.title,
                url: args.url,
                speakers: args
                    .speakers
                    .iter()
                    .map(|s| Speaker::parse_cli(s))
                    .collect(),
                kind: args.kind.map(Into::into),
                date: args.date,
                start: args.start,
                end: args.end,
                track: args.track,
                tags: args.tags,
            };
            let id = capture::new_talk(store, spec)?;
            let path = store.talk_path(&id);
            anstream::eprintln!(
                "created {id} ({}); it is now the current talk",
                path.display()
            );
            if !no_edit {
                editor::edit_note(store, &NoteKey::Talk(id))?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Jot { text, target, at } => jot(store, &text, &target, at),
        Command::Tool { name, url, target } => {
            let id = resolve_target(store, &target)?;
            capture::add_tool(store, &id, &name, url)?;
            anstream::eprintln!("added tool {} to {id}", line(&name));
            Ok(ExitCode::SUCCESS)
        }
        Command::Link { url, title, target } => {
            let id = resolve_target(store, &target)?;
            capture::add_link(store, &id, &url, title)?;
            anstream::eprintln!("added link to {id}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Tag { tags, target } => {
            let id = resolve_target(store, &target)?;
            let talk = capture::add_tags(store, &id, &tags)?;
            anstream::eprintln!("{id} tags: {}", line(&talk.tags.join(", ")));
            Ok(ExitCode::SUCCESS)
        }
        Command::List(args) => list(store, &args),
        Command::Show { id, json } => show(store, &id, json),
        Command::Edit { id } => {
            let id: NoteKey = id.parse().map_err(anyhow::Error::msg)?;
            editor::edit_note(store, &id)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Current { id } => current(store, id.as_deref()),
        Command::Check => check(store),
        Command::Search(args) => search(store, &args),
        Command::Reindex => {
            let (_, report) = Engine::reindex(store)?;
            anstream::eprintln!("search index rebuilt: {} talks indexed", report.indexed);
            Ok(ExitCode::SUCCESS)
        }
        Command::Tools { name, json } => {
            registry_list(store, name.as_deref(), json, Registry::Tools)
        }
        Command::Speakers { name, json } => {
            registry_list(store, name.as_deref(), json, Registry::Speakers)
        }
        Command::Related { id, limit, json } => related(store, &id, limit, json),
        Command::Import(args) => import(store, &args),
        Command::Export(args) => export(store, &args),
        Command::Now(args) => now(store, &args),
        Command::Tui => {
            crate::tui::run(store.clone())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { .. } | Command::Completions { .. } | Command::Man | Command::Schema => {
            unreachable!("handled before opening a store")
        }
    }
}

/// Prints an error for the user: `error: message`, then what to do on a `hint:` line (a line
/// per problem of an invalid note, each followed by its own hint).
pub fn report_error(error: &anyhow::Error) {
    // Library errors already include their cause; print each cause only once.
    let mut message = error.to_string();
    for cause in error.chain().skip(1) {
        let cause = cause.to_string();
        if !message.contains(&cause) {
            message.push_str(": ");
            message.push_str(&cause);
        }
    }
    let library = error.chain().find_map(|e| e.downcast_ref::<Error>());
    let lines = match library {
        // The whole message is the problems: each gets its hint right after it.
        Some(e @ Error::InvalidNote(_)) if e.to_string() == message => e.hints(),
        Some(e) => vec![(message, e.hint())],
        None => vec![(message, None)],
    };
    let mut err = io::stderr().lock();
    for (i, (text, hint)) in lines.iter().enumerate() {
        let prefix = if i == 0 { "error: " } else { "" };
        let _ = writeln!(err, "{prefix}{}", escape(text, true));
        if let Some(hint) = hint {
            let _ = writeln!(err, "  hint: {}", escape(hint, true));
        }
    }
}

fn open_store(dir: Option<&Path>) -> Result<Store> {
    let env_dir = std::env::var_os("TALKNOTES_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let root = Store::locate(dir, env_dir.as_deref(), &cwd)?;
    Ok(Store::open(root)?)
}

fn init(dir: Option<&Path>) -> Result<ExitCode> {
    let root = match dir {
        Some(dir) => dir.to_owned(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let store = Store::init(&root)?;
    // println! would panic on a full disk or a closed pipe; a write error is reported.
    let mut out = io::stdout().lock();
    writeln!(out, "knowledge base ready at {}", store.root().display())?;
    writeln!(
        out,
        "next: tn --dir {} event new my-event --name \"My Event\"",
        store.root().display()
    )?;
    Ok(ExitCode::SUCCESS)
}

fn parse_talk_ref(text: &str) -> Result<TalkRef> {
    text.parse::<TalkRef>().map_err(anyhow::Error::msg)
}

fn resolve_target(store: &Store, target: &Target) -> Result<TalkRef> {
    match &target.talk {
        Some(id) => {
            let id = parse_talk_ref(id)?;
            if !store.talk_exists(&id) {
                return Err(Error::NotFound {
                    what: "talk",
                    id: id.to_string(),
                    hint: "list talks with `tn list`".into(),
                }
                .into());
            }
            Ok(id)
        }
        None => Ok(store.current()?),
    }
}

fn event_new(store: &Store, args: EventNewArgs) -> Result<ExitCode> {
    let mut event = Event::new(args.id, args.name.trim());
    event.kind = args.kind.map(Into::into).unwrap_or_default();
    event.starts_on = args.date;
    event.ends_on = args.end_date;
    event.location = args.location;
    event.url = args.url;
    event.hashtag = args.hashtag;
    event.tags = args.tags;
    if let Some(problem) = event.semantic_problems().into_iter().next() {
        bail!("{}: {}", problem.field, problem.message);
    }
    let path = store.create_event(&event)?;
    store.set_current(&NoteKey::Event(event.id.clone()))?;
    anstream::eprintln!(
        "created event {} ({}); new talks go to it by default",
        event.id,
        rel(&path).display()
    );
    Ok(ExitCode::SUCCESS)
}

fn jot(
    store: &Store,
    text: &[String],
    target: &Target,
    at: Option<crate::note::ClockTime>,
) -> Result<ExitCode> {
    let id = resolve_target(store, target)?;
    if text.len() == 1 && text[0] == "-" {
        // One takeaway per line, each saved before the next is read, so a crash or Ctrl-C
        // loses nothing already entered.
        let stdin = io::stdin();
        let mut saved = 0usize;
        for input in stdin.lock().lines() {
            let input = input.context("cannot read standard input")?;
            if capture::jot(store, &id, &input, at.unwrap_or_else(capture::now))?.is_some() {
                saved += 1;
            }
        }
        anstream::eprintln!("saved {saved} takeaway(s) to {id}");
    } else {
        let joined = text.join(" ");
        match capture::jot(store, &id, &joined, at.unwrap_or_else(capture::now))? {
            Some(talk) => anstream::eprintln!("{id}: {} takeaway(s)", talk.takeaways.len()),
            None => bail!("nothing to jot: the text is empty"),
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints problems of notes that commands other than `check` skipped.
fn warn_skipped(problems: &[NoteError]) {
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

/// The problem with its path relative to the working directory when it lies below it, the way
/// compilers print paths, so `notes/x/y.ron:3:5` can be pasted into an editor.
fn relative(problem: &NoteError) -> NoteError {
    let mut problem = problem.clone();
    problem.path = rel(&problem.path);
    problem
}

fn rel(path: &Path) -> PathBuf {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_owned))
        .unwrap_or_else(|| path.to_owned())
}

fn terminal_width() -> Option<usize> {
    if !io::stdout().is_terminal() {
        return None;
    }
    crossterm::terminal::size()
        .ok()
        .map(|(w, _)| usize::from(w))
        .filter(|w| *w > 20)
}

fn talk_matches(args: &ListArgs, id: &TalkRef, talk: &Talk) -> bool {
    args.event.as_ref().is_none_or(|e| *e == id.event)
        && args
            .tag
            .as_ref()
            .is_none_or(|t| talk.tags.iter().any(|x| x == t))
        && args.kind.is_none_or(|k| TalkKind::from(k) == talk.kind)
}

fn sorted_talks<'a>(scan: &'a Scan, args: &ListArgs) -> Vec<(&'a TalkRef, &'a Talk)> {
    let mut talks: Vec<_> = scan
        .talks
        .iter()
        .filter(|(id, t)| talk_matches(args, id, &t.value))
        .map(|(id, t)| (id, &t.value))
        .collect();
    talks.sort_by(|(a_id, a), (b_id, b)| talk_order(a_id, a).cmp(&talk_order(b_id, b)));
    talks
}

/// Talks are listed by event, then in schedule order.
fn talk_order<'a>(id: &'a TalkRef, talk: &Talk) -> impl Ord + 'a {
    (&id.event, talk.date, talk.start, &id.talk)
}

/// Pretty JSON that is also safe to print on a terminal (see [`display::json_safe`]).
fn json_text<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string_pretty(value).map(display::json_safe)
}

fn list(store: &Store, args: &ListArgs) -> Result<ExitCode> {
    let scan = store.scan()?;
    if let Some(event) = &args.event
        && !scan.events.contains_key(event)
    {
        return Err(Error::NotFound {
            what: "event",
            id: event.to_string(),
            hint: "list events with `tn list --events`".into(),
        }
        .into());
    }
    let mut out = anstream::stdout().lock();
    if args.events {
        if args.json {
            let events: Vec<Value> = scan
                .events
                .values()
                .map(|e| {
                    let talks = scan
                        .talks
                        .iter()
                        .filter(|(id, _)| id.event == e.value.id)
                        .count();
                    let mut v = note_json(&e.value);
                    v["talk_count"] = json!(talks);
                    v
                })
                .collect();
            writeln!(out, "{}", json_text(&events)?)?;
        } else {
            let rows: Vec<Vec<String>> = scan
                .events
                .values()
                .map(|e| {
                    let e = &e.value;
                    let talks = scan.talks.iter().filter(|(id, _)| id.event == e.id).count();
                    vec![
                        e.id.to_string(),
                        e.kind.to_string(),
                        e.starts_on.map(|d| d.to_string()).unwrap_or_default(),
                        format!("{talks:>3} talks"),
                        line(&e.name).into_owned(),
                    ]
                })
                .collect();
            write_table(&mut out, &rows)?;
        }
    } else {
        let talks = sorted_talks(&scan, args);
        if args.json {
            let items: Vec<Value> = talks
                .iter()
                .map(|(id, t)| {
                    json!({
                        "id": id.to_string(),
                        "event": id.event.as_str(),
                        "kind": t.kind.as_str(),
                        "title": t.title,
                        "url": t.url,
                        "date": t.date.map(|d| d.to_string()),
                        "speakers": t.speakers.iter().map(ToString::to_string).collect::<Vec<_>>(),
                        "tags": t.tags,
                        "takeaways": t.takeaways.len(),
                    })
                })
                .collect();
            writeln!(out, "{}", json_text(&items)?)?;
        } else {
            let rows: Vec<Vec<String>> = talks
                .iter()
                .map(|(id, t)| {
                    vec![
                        id.to_string(),
                        t.kind.to_string(),
                        t.date.map(|d| d.to_string()).unwrap_or_default(),
                        line(&t.title).into_owned(),
                    ]
                })
                .collect();
            write_table(&mut out, &rows)?;
            if talks.is_empty() {
                anstream::eprintln!("no talks match");
            }
        }
    }
    drop(out);
    warn_skipped(&scan.problems);
    Ok(ExitCode::SUCCESS)
}

/// Writes aligned rows (cells already escaped), the first column (an id) coloured.
fn write_table(out: &mut impl Write, rows: &[Vec<String>]) -> io::Result<()> {
    for (text, row) in display::table(rows, terminal_width()).iter().zip(rows) {
        // The first cell is ASCII (an id) and starts the line, so it splits off exactly.
        let (id, rest) = text.split_at(row[0].len().min(text.len()));
        writeln!(out, "{ID}{id}{ID:#}{rest}")?;
    }
    Ok(())
}

/// A note as JSON, in the interchange field names (without the per-file schema version).
fn note_json<T: serde::Serialize>(note: &T) -> Value {
    let mut value = serde_json::to_value(note).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut value {
        map.remove("schema");
    }
    value
}

fn show(store: &Store, id: &str, as_json: bool) -> Result<ExitCode> {
    let mut out = anstream::stdout().lock();
    match id.parse::<NoteKey>().map_err(anyhow::Error::msg)? {
        NoteKey::Talk(id) => {
            let talk = store.read_talk(&id)?.value;
            if as_json {
                let mut value = note_json(&talk);
                value["event"] = json!(id.event.as_str());
                writeln!(out, "{}", json_text(&value)?)?;
            } else {
                let event = store.read_event(&id.event).ok().map(|e| e.value);
                write_talk(&mut out, &id, &talk, event.as_ref())?;
            }
        }
        NoteKey::Event(id) => {
            let event = store.read_event(&id)?.value;
            let scan = store.scan()?;
            let mut talks: Vec<_> = scan.talks.iter().filter(|(t, _)| t.event == id).collect();
            talks.sort_by(|(a_id, a), (b_id, b)| {
                talk_order(a_id, &a.value).cmp(&talk_order(b_id, &b.value))
            });
            if as_json {
                let mut value = note_json(&event);
                value["talks"] = talks.iter().map(|(_, t)| note_json(&t.value)).collect();
                writeln!(out, "{}", json_text(&value)?)?;
            } else {
                write_event(&mut out, &event, &talks)?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn field(out: &mut impl Write, name: &str, value: &str) -> io::Result<()> {
    writeln!(
        out,
        "{DIM}{}{DIM:#} {}",
        display::pad(name, 10),
        line(value)
    )
}

fn write_event(
    out: &mut impl Write,
    event: &Event,
    talks: &[&(TalkRef, crate::store::Loaded<Talk>)],
) -> io::Result<()> {
    writeln!(
        out,
        "{BOLD}{}{BOLD:#}  {ID}{}{ID:#}",
        line(&event.name),
        event.id
    )?;
    field(out, "kind", event.kind.as_str())?;
    if let Some(days) = present::days(event.starts_on, event.ends_on, present::DETAIL) {
        field(out, "date", &days)?;
    }
    for (name, value) in [
        ("location", &event.location),
        ("url", &event.url),
        ("hashtag", &event.hashtag),
    ] {
        if let Some(value) = value {
            field(out, name, value)?;
        }
    }
    if !event.tags.is_empty() {
        field(out, "tags", &event.tags.join(", "))?;
    }
    if let Some(memo) = &event.memo {
        writeln!(out, "\n{}", escape(memo, true))?;
    }
    writeln!(out, "\n{BOLD}{} talks{BOLD:#}", talks.len())?;
    for (id, talk) in talks {
        writeln!(
            out,
            "  {ID}{}{ID:#}  {}  {}",
            id.talk,
            talk.value.kind,
            line(&talk.value.title)
        )?;
    }
    Ok(())
}

fn write_talk(
    out: &mut impl Write,
    id: &TalkRef,
    talk: &Talk,
    event: Option<&Event>,
) -> io::Result<()> {
    writeln!(out, "{BOLD}{}{BOLD:#}", line(&talk.title))?;
    field(out, "id", &id.to_string())?;
    let event_name = event.map_or_else(|| id.event.to_string(), |e| e.name.clone());
    field(out, "event", &event_name)?;
    field(out, "kind", talk.kind.as_str())?;
    if let Some(url) = &talk.url {
        field(out, "url", url)?;
    }
    if !talk.speakers.is_empty() {
        let speakers = present::speakers(&talk.speakers, present::DETAIL, str::to_owned);
        field(out, "speakers", &speakers)?;
    }
    if let Some(when) = present::when(talk.date, talk.start, talk.end, present::DETAIL) {
        field(out, "when", &when)?;
    }
    for (name, value) in [("track", &talk.track), ("language", &talk.language)] {
        if let Some(value) = value {
            field(out, name, value)?;
        }
    }
    if !talk.tags.is_empty() {
        field(out, "tags", &talk.tags.join(", "))?;
    }
    if let Some(rating) = talk.rating {
        field(out, "rating", &present::stars(rating))?;
    }
    if let Some(text) = &talk.r#abstract {
        writeln!(out, "\n{BOLD}abstract{BOLD:#}\n{}", escape(text, true))?;
    }
    if !talk.takeaways.is_empty() {
        writeln!(out, "\n{BOLD}takeaways{BOLD:#}")?;
        for t in &talk.takeaways {
            match t.at {
                Some(at) => writeln!(out, "  {DIM}{at}{DIM:#} {}", line(&t.text))?,
                None => writeln!(out, "  - {}", line(&t.text))?,
            }
        }
    }
    if !talk.tools.is_empty() {
        writeln!(out, "\n{BOLD}tools{BOLD:#}")?;
        for tool in &talk.tools {
            let url = tool
                .url
                .as_deref()
                .map(|u| format!("  {}", line(u)))
                .unwrap_or_default();
            writeln!(out, "  {}{url}", line(&tool.name))?;
        }
    }
    if !talk.links.is_empty() {
        writeln!(out, "\n{BOLD}links{BOLD:#}")?;
        for link in &talk.links {
            match &link.title {
                Some(title) => writeln!(out, "  {}  {}", line(title), line(&link.url))?,
                None => writeln!(out, "  {}", line(&link.url))?,
            }
        }
    }
    if let Some(memo) = &talk.memo {
        writeln!(out, "\n{BOLD}memo{BOLD:#}\n{}", escape(memo, true))?;
    }
    Ok(())
}

fn current(store: &Store, id: Option<&str>) -> Result<ExitCode> {
    match id {
        Some(id) => {
            let key: NoteKey = id.parse().map_err(anyhow::Error::msg)?;
            store.set_current(&key)?;
            anstream::eprintln!("current {}: {key}", key.what());
        }
        None => match store.current_key()? {
            Some(NoteKey::Talk(id)) => {
                let talk = store.read_talk(&id)?.value;
                writeln!(io::stdout().lock(), "{id}\t{}", line(&talk.title))?;
            }
            Some(NoteKey::Event(id)) => {
                writeln!(io::stdout().lock(), "{id}\t(event; no current talk yet)")?;
            }
            None => return Err(Error::NoCurrentTalk.into()),
        },
    }
    Ok(ExitCode::SUCCESS)
}

fn check(store: &Store) -> Result<ExitCode> {
    let problems = store.check()?;
    let (files, _) = store.list_files()?;
    let mut out = anstream::stdout().lock();
    for problem in &problems {
        writeln!(out, "{}", escape(&relative(problem).with_hint_line(), true))?;
    }
    if problems.is_empty() {
        anstream::eprintln!("{} notes checked, no problems", files.len());
        Ok(ExitCode::SUCCESS)
    } else {
        anstream::eprintln!(
            "{} problem(s) in {} notes checked",
            problems.len(),
            files.len()
        );
        Ok(ExitCode::FAILURE)
    }
}

fn import(store: &Store, args: &ImportArgs) -> Result<ExitCode> {
    use crate::import::{self, Action};
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        anyhow::anyhow!(
            "{}: not valid UTF-8 (byte {})",
            args.file.display(),
            e.valid_up_to()
        )
    })?;
    let options = import::Options {
        event: args.event.clone(),
        update: args.update,
    };
    let plan = import::prepare(store, &args.file, text, &options)?;
    if !args.dry_run {
        import::apply(store, &plan)?;
    }
    let (create, update) = if args.dry_run {
        ("would create", "would update")
    } else {
        ("created", "updated")
    };
    let mut out = anstream::stdout().lock();
    for change in &plan.changes {
        match &change.action {
            Action::Create => writeln!(out, "{create} {}", change.key)?,
            Action::Update { fields } if fields.is_empty() => {
                writeln!(out, "{update} {}", change.key)?
            }
            Action::Update { fields } => {
                writeln!(out, "{update} {} ({})", change.key, fields.join(", "))?
            }
            Action::Skipped => writeln!(
                out,
                "skipped {} (exists and differs; use --update to overwrite)",
                change.key
            )?,
            Action::Unchanged => {}
        }
    }
    drop(out);
    anstream::eprintln!(
        "{} created, {} updated, {} unchanged, {} skipped{}",
        plan.count(|a| matches!(a, Action::Create)),
        plan.count(|a| matches!(a, Action::Update { .. })),
        plan.count(|a| matches!(a, Action::Unchanged)),
        plan.count(|a| matches!(a, Action::Skipped)),
        if args.dry_run {
            " (dry run: nothing written)"
        } else {
            ""
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn export(store: &Store, args: &ExportArgs) -> Result<ExitCode> {
    if export_is_recap_or_filtered(args) {
        return export_recap(store, args);
    }
    let (bundles, problems) = interchange::collect(store, &args.events)?;
    let text = display::json_safe(interchange::to_json(&bundles)?);
    match &args.output {
        Some(path) => {
            write_atomic(path, text.as_bytes(), WriteMode::Replace)?;
            anstream::eprintln!("wrote {}", path.display());
        }
        None => io::stdout().lock().write_all(text.as_bytes())?,
    }
    warn_skipped(&problems);
    Ok(ExitCode::SUCCESS)
}

/// Opens the search engine, bringing the index up to date, and prints its notice (rebuilt,
/// stale) if any.
fn open_engine(store: &Store) -> Result<Engine> {
    let (engine, report) = Engine::open(store)?;
    if let Some(notice) = report.notice() {
        anstream::eprintln!("{WARN}note{WARN:#}: {notice}");
    }
    Ok(engine)
}

/// Prints what a search has to say besides its hits: a rebuild, ignored parts of the query.
fn print_notices(results: &SearchResults) {
    if let Some(notice) = &results.notice {
        anstream::eprintln!("{WARN}note{WARN:#}: {}", line(notice));
    }
    for warning in &results.warnings {
        anstream::eprintln!("{WARN}warning{WARN:#}: {}", line(warning));
    }
}

fn search(store: &Store, args: &crate::cli::SearchArgs) -> Result<ExitCode> {
    let mut engine = open_engine(store)?;
    let request = SearchRequest {
        query: args.query.join(" "),
        limit: args.limit,
        prefix: args.prefix,
    };
    let results = engine.search(&request)?;
    print_notices(&results);
    write_hits(&results.hits, args.json)?;
    if results.hits.is_empty() && !args.json {
        anstream::eprintln!("no talks match");
    }
    Ok(ExitCode::SUCCESS)
}

fn write_hits(hits: &[Hit], as_json: bool) -> Result<()> {
    let mut out = anstream::stdout().lock();
    if as_json {
        let items: Vec<Value> = hits
            .iter()
            .map(|h| {
                json!({
                    "id": h.id.to_string(),
                    "event": h.id.event.as_str(),
                    "title": h.title,
                    "url": h.url,
                    "score": h.score,
                    "snippet": h.snippet.text,
                    "highlights": h.snippet.char_highlights(),
                    "kind": h.kind,
                    "date": h.date,
                })
            })
            .collect();
        writeln!(out, "{}", json_text(&items)?)?;
        return Ok(());
    }
    for (rank, h) in hits.iter().enumerate() {
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

enum Registry {
    Tools,
    Speakers,
}

fn registry_list(
    store: &Store,
    name: Option<&str>,
    as_json: bool,
    which: Registry,
) -> Result<ExitCode> {
    let scan = store.scan()?;
    let entries = match which {
        Registry::Tools => registry::tools(&scan, name),
        Registry::Speakers => registry::speakers(&scan, name),
    };
    let mut out = anstream::stdout().lock();
    if as_json {
        writeln!(out, "{}", json_text(&entries)?)?;
    } else if name.is_some() {
        for entry in &entries {
            writeln!(
                out,
                "{BOLD}{}{BOLD:#}  {}",
                line(&entry.name),
                line(&entry.details.join("  "))
            )?;
            for talk in &entry.talks {
                let title = talk
                    .parse::<TalkRef>()
                    .ok()
                    .and_then(|id| scan.talk(&id).map(|t| t.title.clone()))
                    .unwrap_or_default();
                writeln!(out, "  {ID}{talk}{ID:#}  {}", line(&title))?;
            }
        }
    } else {
        let rows: Vec<Vec<String>> = entries
            .iter()
            .map(|e| {
                vec![
                    line(&e.name).into_owned(),
                    format!("{:>3}", e.talks.len()),
                    line(&e.details.join("  ")).into_owned(),
                ]
            })
            .collect();
        for row in display::table(&rows, terminal_width()) {
            writeln!(out, "{row}")?;
        }
    }
    drop(out);
    if entries.is_empty() {
        anstream::eprintln!("none found");
    }
    warn_skipped(&scan.problems);
    Ok(ExitCode::SUCCESS)
}

fn related(store: &Store, id: &str, limit: usize, as_json: bool) -> Result<ExitCode> {
    let id = parse_talk_ref(id)?;
    let mut engine = open_engine(store)?;
    match engine.related(&id, limit)? {
        Some(results) => {
            print_notices(&results);
            write_hits(&results.hits, as_json)?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            // Not a valid talk in the index: say why in the note's own words if its file
            // exists but does not parse.
            store.read_talk(&id)?;
            Err(Error::NotFound {
                what: "talk",
                id: id.to_string(),
                hint: "list talks with `tn list`".into(),
            }
            .into())
        }
    }
}

/// Whether `tn export` needs more than the plain interchange export of whole events.
fn export_is_recap_or_filtered(args: &ExportArgs) -> bool {
    args.format != crate::cli::ExportFormat::Json
        || args.front_matter.is_some()
        || args.title.is_some()
        || args.group_by != crate::export::GroupBy::Kind
        || args.since.is_some()
        || args.until.is_some()
        || args.tag.is_some()
        || args.tool.is_some()
        || args.query.is_some()
}

/// `tn export --format md|html`, and any export narrowed by --since/--until/--tag/--tool/--query.
fn export_recap(store: &Store, args: &ExportArgs) -> Result<ExitCode> {
    use crate::cli::ExportFormat;
    use crate::export::{self, RecapOptions, Selection};
    let recap = args.format != ExportFormat::Json;
    if !recap
        && (args.front_matter.is_some()
            || args.title.is_some()
            || args.group_by != export::GroupBy::Kind)
    {
        bail!("--group-by, --front-matter and --title apply to --format md or html");
    }
    if args.front_matter.is_some() && args.format != ExportFormat::Md {
        bail!("--front-matter applies to --format md");
    }
    let (bundles, problems) = interchange::collect(store, &args.events)?;
    let talks = match &args.query {
        Some(query) => {
            let mut engine = open_engine(store)?;
            let total: usize = bundles.iter().map(|b| b.talks.len()).sum();
            let request = SearchRequest {
                query: query.clone(),
                limit: total.max(1),
                prefix: false,
            };
            let results = engine.search(&request)?;
            print_notices(&results);
            Some(results.hits.into_iter().map(|h| h.id).collect())
        }
        None => None,
    };
    let selection = Selection {
        events: args.events.clone(),
        since: args.since,
        until: args.until,
        tag: args.tag.clone(),
        tool: args.tool.clone(),
        talks,
    };
    let bundles = selection.apply(bundles);
    if recap && bundles.is_empty() {
        bail!(
            "nothing to export: {}",
            if selection.filters_talks() {
                "no talks match"
            } else {
                "there are no events (create one with `tn event new`)"
            }
        );
    }
    let mut topic = Vec::new();
    for (label, value) in [
        ("タグ", &args.tag),
        ("ツール", &args.tool),
        ("検索", &args.query),
    ] {
        if let Some(value) = value {
            topic.push(format!("{label}: {}", value.trim()));
        }
    }
    let options = RecapOptions {
        group_by: args.group_by,
        front_matter: args.front_matter,
        title: args.title.clone(),
        topic,
    };
    let text = match args.format {
        ExportFormat::Json => display::json_safe(interchange::to_json(&bundles)?),
        ExportFormat::Md => export::markdown::markdown(&bundles, &options),
        ExportFormat::Html => export::html::html(&bundles, &options),
    };
    match &args.output {
        Some(path) => {
            write_atomic(path, text.as_bytes(), WriteMode::Replace)?;
            anstream::eprintln!("wrote {}", path.display());
        }
        None => io::stdout().lock().write_all(text.as_bytes())?,
    }
    warn_skipped(&problems);
    Ok(ExitCode::SUCCESS)
}

/// `tn now`: the talks on now or soon; `--pick` makes the earliest the current talk.
fn now(store: &Store, args: &crate::cli::NowArgs) -> Result<ExitCode> {
    let at = args.at.unwrap_or_else(crate::now::Moment::now);
    let scan = store.scan()?;
    let on_now = crate::now::on_now(&scan, at, args.room.as_deref());
    let rows: Vec<Vec<String>> = on_now
        .iter()
        .map(|o| {
            vec![
                o.id.to_string(),
                o.status.to_string(),
                o.time_range(),
                line(o.talk.track.as_deref().unwrap_or("")).into_owned(),
                line(&o.talk.title).into_owned(),
            ]
        })
        .collect();
    write_table(&mut anstream::stdout().lock(), &rows)?;
    warn_skipped(&scan.problems);
    let Some(picked) = crate::now::pick(&on_now) else {
        let room = args
            .room
            .as_deref()
            .map(|r| format!(" in room {}", line(r)))
            .unwrap_or_default();
        let message = format!(
            "no talks in progress or starting within {} minutes at {at}{room}",
            crate::now::SOON_MINUTES
        );
        if args.pick {
            return Err(Error::input(
                message,
                "pass --at \"YYYY-MM-DD HH:MM\" or --room, or pick with `tn current EVENT/TALK`",
            )
            .into());
        }
        anstream::eprintln!("{message}");
        return Ok(ExitCode::SUCCESS);
    };
    if args.pick {
        store.set_current(&NoteKey::Talk(picked.id.clone()))?;
        anstream::eprintln!(
            "current talk: {}  {} ({})",
            picked.id,
            line(&picked.talk.title),
            picked.status
        );
    }
    Ok(ExitCode::SUCCESS)
}
