//! `tn init [DIR]`: create a knowledge base.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::store::Store;
use crate::sync;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to create it; defaults to --dir, $TALKNOTES_DIR, else the current directory.
    #[arg(value_name = "DIR")]
    target: Option<PathBuf>,
    /// Also make it a git repository (unless it is in one) set up for `tn sync`.
    #[arg(long)]
    git: bool,
}

impl Args {
    /// `dir` is `--dir` or `$TALKNOTES_DIR`, where the other commands would look for it.
    pub fn run(self, dir: Option<PathBuf>) -> Result<ExitCode> {
        let root = match self.target.or(dir) {
            Some(dir) => dir,
            None => std::env::current_dir().context("cannot read the current directory")?,
        };
        let store = Store::init(&root)?;
        if self.git {
            let created = sync::init_repository(store.root())?;
            let mut report = sync::setup(&store)?;
            report.created_repository = created;
            super::git::write_setup(&report)?;
        }
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
}
