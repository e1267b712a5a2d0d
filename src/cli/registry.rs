//! `tn tools [NAME]` and `tn speakers [NAME]`: the registries across all talks. One file for
//! both commands, since they differ only in which registry they print.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use super::output::{BOLD, ID, SpeakerRow, ToolRow, print_json, terminal_width, warn_skipped};
use crate::display::{self, line};
use crate::error::Error;
use crate::registry;
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only those whose name contains NAME (ignoring case, width, accents and spaces; for
    /// speakers, or whose affiliation does). Exits with 1 when none does.
    name: Option<String>,
    #[arg(long)]
    json: bool,
}

/// Which registry.
pub enum Registry {
    Tools,
    Speakers,
}

impl Args {
    pub fn run(self, store: &Store, which: Registry) -> Result<ExitCode> {
        let scan = store.scan()?;
        let name = self.name.as_deref();
        let entries = match which {
            Registry::Tools => registry::tools(&scan, name),
            Registry::Speakers => registry::speakers(&scan, name),
        };
        if self.json {
            match which {
                Registry::Tools => {
                    print_json(&entries.iter().map(ToolRow::from).collect::<Vec<_>>())?
                }
                Registry::Speakers => {
                    print_json(&entries.iter().map(SpeakerRow::from).collect::<Vec<_>>())?
                }
            }
        } else if name.is_some() {
            let mut out = anstream::stdout().lock();
            for entry in &entries {
                writeln!(
                    out,
                    "{BOLD}{}{BOLD:#}  {}",
                    line(&entry.name),
                    line(&entry.details.join("  "))
                )?;
                for talk in &entry.talks {
                    let title = scan.talk(talk).map_or("", |t| t.title.as_str());
                    writeln!(out, "  {ID}{talk}{ID:#}  {}", line(title))?;
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
            let mut out = anstream::stdout().lock();
            for row in display::table(&rows, terminal_width()) {
                writeln!(out, "{row}")?;
            }
        }
        warn_skipped(&scan.problems);
        if entries.is_empty() {
            let (what, hint) = match which {
                Registry::Tools => ("tool", "list every tool with `tn tools`"),
                Registry::Speakers => (
                    "speaker",
                    "list every speaker with `tn speakers`; a name matches without its spaces, and so does an affiliation",
                ),
            };
            return match name {
                // A lookup that finds nothing fails, so a script can tell.
                Some(name) => Err(Error::input(format!("no {what} matches `{name}`"), hint).into()),
                None => {
                    anstream::eprintln!("no {what}s yet");
                    Ok(ExitCode::SUCCESS)
                }
            };
        }
        Ok(ExitCode::SUCCESS)
    }
}
