//! A talk's status and rating: `tn star`, `tn attend`, `tn watch-later`, `tn mark STATUS`
//! and `tn rate N`, on the talks named (`EVENT/TALK`, several at once) or the current talk.
//!
//! The status follows a talk around its event: starred (`planned`) before it, `attended`
//! (which writing a takeaway also sets), `to-watch` when the recording is for later, then
//! `watched` or `skipped`. Ratings are 1 to 5. Both are private: recaps leave them out.

use std::process::ExitCode;

use anyhow::Result;

use super::{not_found_talk, talk_ref};
use crate::capture::{self, StatusChange};
use crate::display::line;
use crate::note::{Rating, TalkRef, TalkStatus};
use crate::present;
use crate::store::Store;

/// The talks a command applies to.
#[derive(Debug, clap::Args)]
pub struct Talks {
    /// EVENT/TALK ids (default: the current talk).
    #[arg(value_name = "EVENT/TALK")]
    talks: Vec<String>,
}

impl Talks {
    fn resolve(&self, store: &Store) -> Result<Vec<TalkRef>> {
        if self.talks.is_empty() {
            return Ok(vec![store.current()?]);
        }
        self.talks
            .iter()
            .map(|text| {
                // A talk id without its event is looked up, and the error says which
                // `EVENT/TALK` to write (the command's own words vary: none before it).
                let id = talk_ref(store, text, "")?;
                if !store.talk_exists(&id) {
                    return Err(not_found_talk(store, &id, "").into());
                }
                Ok(id)
            })
            .collect()
    }
}

#[derive(Debug, clap::Args)]
pub struct StarArgs {
    #[command(flatten)]
    talks: Talks,
    /// Take the star away (a talk only starred goes back to no status).
    #[arg(long)]
    off: bool,
}

impl StarArgs {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        for id in self.talks.resolve(store)? {
            let change = if self.off {
                StatusChange::Unset(TalkStatus::Planned)
            } else {
                StatusChange::Set(Some(TalkStatus::Planned))
            };
            let talk = capture::change_status(store, &id, change)?;
            said(&id, talk.status, talk.rating, &talk.title);
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// `tn attend` and `tn watch-later`: one status, set.
#[derive(Debug, clap::Args)]
pub struct SetArgs {
    #[command(flatten)]
    talks: Talks,
}

impl SetArgs {
    pub fn run(self, store: &Store, status: TalkStatus) -> Result<ExitCode> {
        set(store, &self.talks, Some(status))
    }
}

/// What `tn mark` takes: a status, or `none` to clear it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MarkValue {
    Planned,
    Attended,
    #[value(name = "to-watch")]
    ToWatch,
    Watched,
    Skipped,
    /// No status.
    None,
}

impl MarkValue {
    fn status(self) -> Option<TalkStatus> {
        match self {
            MarkValue::Planned => Some(TalkStatus::Planned),
            MarkValue::Attended => Some(TalkStatus::Attended),
            MarkValue::ToWatch => Some(TalkStatus::ToWatch),
            MarkValue::Watched => Some(TalkStatus::Watched),
            MarkValue::Skipped => Some(TalkStatus::Skipped),
            MarkValue::None => None,
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct MarkArgs {
    /// The status: planned (starred), attended, to-watch, watched, skipped, or none.
    #[arg(value_enum)]
    status: MarkValue,
    #[command(flatten)]
    talks: Talks,
}

impl MarkArgs {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        set(store, &self.talks, self.status.status())
    }
}

fn set(store: &Store, talks: &Talks, status: Option<TalkStatus>) -> Result<ExitCode> {
    for id in talks.resolve(store)? {
        let talk = capture::set_status(store, &id, status)?;
        said(&id, talk.status, talk.rating, &talk.title);
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, clap::Args)]
pub struct RateArgs {
    /// The rating, 1 to 5, then EVENT/TALK ids (default: the current talk); with `--clear`,
    /// only the ids.
    #[arg(value_name = "1-5 EVENT/TALK", required_unless_present = "clear")]
    args: Vec<String>,
    /// Remove the rating instead.
    #[arg(long)]
    clear: bool,
}

impl RateArgs {
    pub fn run(self, store: &Store) -> Result<ExitCode> {
        let (rating, talks) = match (self.clear, self.args.split_first()) {
            (true, _) => (None, self.args.clone()),
            (false, Some((first, rest))) => (
                Some(first.parse::<Rating>().map_err(anyhow::Error::msg)?),
                rest.to_vec(),
            ),
            (false, None) => anyhow::bail!("give a rating from 1 to 5, or --clear"),
        };
        for id in (Talks { talks }).resolve(store)? {
            let talk = capture::set_rating(store, &id, rating)?;
            said(&id, talk.status, talk.rating, &talk.title);
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// `cnds2026/x: planned ★★★★☆  Title`.
fn said(id: &TalkRef, status: Option<TalkStatus>, rating: Option<Rating>, title: &str) {
    let standing = present::standing(status, rating);
    let standing = if standing.is_empty() {
        "no status".to_owned()
    } else {
        standing
    };
    anstream::eprintln!("{id}: {standing}  {}", line(title));
}
