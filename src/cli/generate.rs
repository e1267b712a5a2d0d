//! `tn schema`, `tn completions SHELL` and `tn man`: text generated from tn's own
//! definitions, needing no knowledge base.

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;

use super::{Cli, output};

#[derive(Debug, clap::Args)]
pub struct SchemaArgs {}

impl SchemaArgs {
    pub fn run(self) -> Result<ExitCode> {
        io::stdout()
            .lock()
            .write_all(output::json_schema().as_bytes())?;
        Ok(ExitCode::SUCCESS)
    }
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

impl CompletionsArgs {
    pub fn run(self) -> Result<ExitCode> {
        clap_complete::generate(self.shell, &mut Cli::command(), "tn", &mut io::stdout());
        Ok(ExitCode::SUCCESS)
    }
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {}

impl ManArgs {
    pub fn run(self) -> Result<ExitCode> {
        clap_mangen::Man::new(Cli::command()).render(&mut io::stdout())?;
        Ok(ExitCode::SUCCESS)
    }
}
