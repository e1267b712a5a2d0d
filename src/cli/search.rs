//! `tn search QUERY…`: ranked hits, as text with highlights or as JSON.

use std::process::ExitCode;

use anyhow::Result;

use super::output::{notice, open_engine, warn_unreadable, write_explanation, write_hits};
use crate::search::{SearchEngine, SearchRequest};
use crate::store::Store;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The query; several words are joined with spaces. Quote a query that excludes words
    /// (`tn search "ebpf -istio"`) or put it after `--`.
    #[arg(required = true)]
    query: Vec<String>,
    /// Most results to show.
    #[arg(short = 'n', long, default_value_t = 10)]
    limit: usize,
    /// Let the last word match as a prefix (`kube` finds Kubernetes). Without it, a word no
    /// talk has as a whole word is matched as a prefix anyway, with a note.
    #[arg(long)]
    prefix: bool,
    /// Print a JSON array in rank order.
    #[arg(long)]
    json: bool,
    /// Order: by relevance (default), best rated first, or newest first; the same as
    /// `sort:rating` or `sort:date` in the query.
    #[arg(long, value_enum)]
    sort: Option<Sort>,
    /// Match every word as typed: no other spellings of its concept (`=word` does this for
    /// one word).
    #[arg(long)]
    literal: bool,
    /// First print what each word matches: the other spellings of its concept and where
    /// each comes from.
    #[arg(long, conflicts_with = "json")]
    explain: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Sort {
    Relevance,
    Rating,
    Date,
}

impl Args {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let mut engine = open_engine(store)?;
        let mut query = self.query.join(" ");
        match self.sort {
            Some(Sort::Rating) => query.push_str(" sort:rating"),
            Some(Sort::Date) => query.push_str(" sort:date"),
            Some(Sort::Relevance) | None => {}
        }
        let results = engine.search(&SearchRequest {
            query,
            limit: self.limit,
            prefix: self.prefix,
            literal: self.literal,
            prefix_fallback: true,
        })?;
        if self.explain {
            write_explanation(&results.words)?;
        }
        // Warnings and notices go to stderr, so that `--json` stays a pure array.
        warn_unreadable(engine.unreadable()?);
        for text in [
            results.prefixed_notice(),
            results.context_notice(),
            results.could_prefix_notice(),
        ]
        .into_iter()
        .flatten()
        {
            notice(&text);
        }
        write_hits(&results, self.json)?;
        if results.hits.is_empty() && !self.json {
            anstream::eprintln!("no talks match");
        }
        Ok(ExitCode::SUCCESS)
    }
}
