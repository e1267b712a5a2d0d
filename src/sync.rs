//! Sharing a knowledge base through git: setting up the merge driver, `tn sync`, and the
//! driver itself (`tn merge-driver`).
//!
//! A team keeps one knowledge base in a git repository; each member works in a clone. Two
//! people adding takeaways to the same talk would get a conflict inside a RON file from git's
//! line merge, so the note files are marked (`.gitattributes`) to be merged by `tn
//! merge-driver`, which merges them by meaning (see [`crate::merge`]). The driver must also be
//! named in each clone's own git config, which is not cloned: [`setup`] writes both, and
//! [`sync`] runs it first, so a fresh clone is ready after its first `tn sync`.
//!
//! `tn sync` only ever commits note files (and the two files [`setup`] writes); the search
//! index and anything else in the working tree are left alone. Its pull is `git pull
//! --rebase` in two steps, a fetch and then the rebase under the store's writer lock, since
//! the rebase rewrites notes that tn's own writers may be about to rewrite too.

use std::ffi::OsString;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::{Error, NoteError};
use crate::git::{self, Git, GitError};
use crate::merge::{self, MergeError, MergeOptions, MergeReport, Outcome};
use crate::store::atomic::{WriteMode, write_atomic};
use crate::store::{INDEX_DIR, MAX_NOTE_BYTES, NOTES_DIR, NoteKey, Store};

/// The merge driver's name in `.gitattributes` and git's config.
pub const DRIVER: &str = "talknotes";
/// What `.gitattributes` says about note files.
pub const ATTRIBUTES_LINE: &str = "notes/**/*.ron merge=talknotes";
const DRIVER_TITLE: &str = "talknotes: merge notes by meaning";
/// Tells `tn merge-driver` who wrote "their" version (set by `tn sync` for its pull, where
/// theirs is the local commits being replayed).
pub const THEIRS_BY_ENV: &str = "TALKNOTES_MERGE_THEIRS_BY";
/// How many times `tn sync` pulls again when its push is refused (someone pushed meanwhile).
const PUSH_ATTEMPTS: usize = 3;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Git(#[from] GitError),

    #[error(transparent)]
    Store(#[from] Error),

    #[error("{} is not in a git repository", root.display())]
    NoRepository { root: PathBuf },

    #[error("{}nothing to sync with: this repository has no remote", committed_prefix(*committed))]
    NoRemote { branch: String, committed: usize },

    #[error("{}branch `{branch}` has no upstream to sync with", committed_prefix(*committed))]
    NoUpstream {
        branch: String,
        remote: String,
        committed: usize,
    },

    #[error("HEAD is not on a branch (detached), so there is nothing to sync it with")]
    Detached,

    #[error("a git {what} is in progress in this repository")]
    InProgress { what: &'static str },

    #[error("git does not know who you are, so it cannot commit")]
    NoIdentity,

    #[error("the pull stopped on a conflict tn could not merge in {}", list(files))]
    Unresolved { files: Vec<String> },
}

impl SyncError {
    /// What to do about it, kept out of the message like [`Error::hint`]: each front end
    /// places it (the CLI on a `hint:` line of its own).
    pub fn hint(&self) -> Option<String> {
        Some(match self {
            SyncError::Git(e) => return e.hint(),
            SyncError::Store(e) => return e.hint(),
            SyncError::NoRepository { .. } => "run `tn init --git` there (or `git init` and `tn git setup`), add a remote, then `tn sync`".into(),
            SyncError::NoRemote { branch, .. } => format!(
                "`git remote add origin URL`, then `git push -u origin {branch}` once; after that `tn sync` does the rest"
            ),
            SyncError::NoUpstream { branch, remote, .. } => format!(
                "`git push -u {remote} {branch}` once; after that `tn sync` does the rest"
            ),
            SyncError::Detached => "`git switch BRANCH`, then `tn sync`".into(),
            SyncError::InProgress { what } => format!(
                "finish it (`git status` says how) or abort it (`git {what} --abort`), then `tn sync`"
            ),
            SyncError::NoIdentity => "`git config user.name \"Your Name\"` and `git config user.email you@example.com`, then `tn sync`".into(),
            SyncError::Unresolved { files } => {
                let them = if files.len() == 1 { "it" } else { "them" };
                format!(
                    "fix {them}, `git add` {them}, `git rebase --continue`, then `tn sync` (or `git rebase --abort` to undo the pull)"
                )
            }
        })
    }

    /// The library error inside, when it is one (its problems are listed line by line).
    pub fn store_error(&self) -> Option<&Error> {
        match self {
            SyncError::Store(e) => Some(e),
            _ => None,
        }
    }
}

fn committed_prefix(committed: usize) -> String {
    if committed == 0 {
        String::new()
    } else {
        format!("committed {committed} changed file(s) locally, but ")
    }
}

fn list(files: &[String]) -> String {
    let shown: Vec<&str> = files.iter().take(5).map(String::as_str).collect();
    let mut text = shown.join(", ");
    if files.len() > shown.len() {
        text.push_str(&format!(" and {} more", files.len() - shown.len()));
    }
    text
}

/// What [`setup`] changed; all `false` when everything was already in place.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetupReport {
    /// `git init` ran (only with `init_repository`).
    pub created_repository: bool,
    pub attributes: bool,
    pub ignore: bool,
    pub driver: bool,
}

impl SetupReport {
    pub fn changed(&self) -> bool {
        self.created_repository || self.attributes || self.ignore || self.driver
    }
}

/// A knowledge base inside a git work tree.
struct Repo {
    git: Git,
    /// Where the knowledge base sits below the work tree's top (`""` or `kb/`).
    prefix: String,
}

impl Repo {
    fn open(root: &Path) -> Result<Repo, SyncError> {
        let git = Git::new(root);
        let run = git.run(
            ["rev-parse", "--is-inside-work-tree", "--show-prefix"],
            git::LOCAL,
        )?;
        let text = run.text();
        let mut lines = text.lines();
        if !run.success() || lines.next() != Some("true") {
            return Err(SyncError::NoRepository {
                root: root.to_owned(),
            });
        }
        Ok(Repo {
            prefix: lines.next().unwrap_or_default().to_owned(),
            git,
        })
    }

    /// A path git printed (relative to the top of the work tree) relative to the knowledge
    /// base, or `None` when it lies outside it.
    fn in_kb<'a>(&self, top_relative: &'a str) -> Option<&'a str> {
        top_relative.strip_prefix(&self.prefix)
    }

    fn in_progress(&self) -> Result<Option<&'static str>, SyncError> {
        let dir = self
            .git
            .ok(["rev-parse", "--absolute-git-dir"], git::LOCAL)?;
        let dir = PathBuf::from(dir.text());
        for (marker, what) in [
            ("rebase-merge", "rebase"),
            ("rebase-apply", "rebase"),
            ("MERGE_HEAD", "merge"),
            ("CHERRY_PICK_HEAD", "cherry-pick"),
        ] {
            if fs::symlink_metadata(dir.join(marker)).is_ok() {
                return Ok(Some(what));
            }
        }
        Ok(None)
    }
}

/// Creates a git repository at the knowledge base unless it is already inside one.
pub fn init_repository(root: &Path) -> Result<bool, SyncError> {
    match Repo::open(root) {
        Ok(_) => Ok(false),
        Err(SyncError::NoRepository { .. }) => {
            Git::new(root).ok(["init", "--quiet"], git::LOCAL)?;
            Ok(true)
        }
        Err(other) => Err(other),
    }
}

/// Marks note files for the merge driver (`.gitattributes`), keeps `index/` out of git
/// (`.gitignore`), and names the driver in the repository's git config. Idempotent.
pub fn setup(store: &Store) -> Result<SetupReport, SyncError> {
    let repo = Repo::open(store.root())?;
    let mut report = SetupReport {
        attributes: ensure_line(&store.root().join(".gitattributes"), ATTRIBUTES_LINE, |l| {
            l == ATTRIBUTES_LINE
        })?,
        ignore: ensure_line(&store.root().join(".gitignore"), "/index/", |l| {
            let l = l.trim_start_matches('/').trim_end_matches('/');
            l == INDEX_DIR
        })?,
        ..SetupReport::default()
    };
    let command = driver_command();
    for (key, value) in [
        (format!("merge.{DRIVER}.name"), DRIVER_TITLE.to_owned()),
        (format!("merge.{DRIVER}.driver"), command),
    ] {
        if repo.git.config_value(&key, git::LOCAL)?.as_deref() != Some(value.as_str()) {
            repo.git
                .ok(["config", "--local", &key, &value], git::LOCAL)?;
            report.driver = true;
        }
    }
    Ok(report)
}

/// Appends `line` to the text file at `path` (creating it) unless a line satisfies `present`.
fn ensure_line(path: &Path, line: &str, present: impl Fn(&str) -> bool) -> Result<bool, Error> {
    let old = match fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::io(path, e)),
    };
    if old.lines().map(str::trim).any(present) {
        return Ok(false);
    }
    let mut text = old;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(line);
    text.push('\n');
    write_atomic(path, text.as_bytes(), WriteMode::Replace)?;
    Ok(true)
}

/// How git should call this `tn`: by name when the `tn` on PATH is this very binary, else by
/// its full path (quoted for the shell git runs it with).
pub fn driver_command() -> String {
    let args = "merge-driver %O %A %B %P";
    let exe = std::env::current_exe().ok();
    let exe = exe.as_ref().and_then(|e| e.canonicalize().ok());
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("tn"))
            .find(|candidate| candidate.is_file())
            .and_then(|candidate| candidate.canonicalize().ok())
    });
    match exe {
        Some(exe) if on_path.as_ref() != Some(&exe) => {
            let quoted = exe.to_string_lossy().replace('\'', r"'\''");
            format!("'{quoted}' {args}")
        }
        _ => format!("tn {args}"),
    }
}

/// What `tn sync` did.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    pub setup: SetupReport,
    /// The notes committed (as ids), and the commit message, if anything was committed.
    pub committed: Vec<String>,
    pub message: Option<String>,
    /// `remote/branch` synced with.
    pub upstream: String,
    /// Commits that came in with the pull.
    pub pulled: usize,
    /// Commits pushed.
    pub pushed: usize,
    /// Problems of the notes this sync committed or pulled: above all the conflicts the
    /// merge driver recorded, and any note that came in unreadable.
    pub problems: Vec<NoteError>,
}

/// Commits the knowledge base's changed notes, pulls with rebase (merging notes with the
/// driver), and pushes. Errors say in one line what to do.
pub fn sync(store: &Store) -> Result<SyncReport, SyncError> {
    let repo = Repo::open(store.root())?;
    if let Some(what) = repo.in_progress()? {
        return Err(SyncError::InProgress { what });
    }
    let branch = repo
        .git
        .run(["symbolic-ref", "--quiet", "--short", "HEAD"], git::LOCAL)?;
    if !branch.success() {
        return Err(SyncError::Detached);
    }
    let branch = branch.text();
    let mut report = SyncReport {
        setup: setup(store)?,
        ..SyncReport::default()
    };

    let changed = changed_paths(&repo)?;
    if !changed.is_empty() {
        if !repo
            .git
            .run(["var", "GIT_AUTHOR_IDENT"], git::LOCAL)?
            .success()
        {
            return Err(SyncError::NoIdentity);
        }
        report.committed = changed.iter().filter_map(|p| note_id(p)).collect();
        let message = commit_message(&report.committed, &changed);
        let list = pathspec_file(&changed)?;
        let from = OsString::from(format!("--pathspec-from-file={}", list.path().display()));
        let literal = repo.git.clone().with_env("GIT_LITERAL_PATHSPECS", "1");
        literal.ok(
            [
                OsString::from("add"),
                "--all".into(),
                from.clone(),
                "--pathspec-file-nul".into(),
            ],
            git::LOCAL,
        )?;
        // The user's commit hooks run, and may take their time.
        literal.ok(
            [
                OsString::from("commit"),
                "--quiet".into(),
                "--message".into(),
                message.clone().into(),
                from,
                "--pathspec-file-nul".into(),
            ],
            git::NETWORK,
        )?;
        report.message = Some(message);
    }

    let upstream = repo.git.run(
        [
            "rev-parse",
            "--abbrev-ref",
            "--symbolic-full-name",
            "@{upstream}",
        ],
        git::LOCAL,
    )?;
    if !upstream.success() {
        let remotes = repo.git.ok(["remote"], git::LOCAL)?.text();
        let committed = changed.len();
        return Err(match remotes.lines().next() {
            None => SyncError::NoRemote { branch, committed },
            Some(remote) => SyncError::NoUpstream {
                branch,
                remote: remote.to_owned(),
                committed,
            },
        });
    }
    report.upstream = upstream.text();
    let remote = repo
        .git
        .config_value(&format!("branch.{branch}.remote"), git::LOCAL)?
        .unwrap_or_else(|| "origin".into());
    let merge_ref = repo
        .git
        .config_value(&format!("branch.{branch}.merge"), git::LOCAL)?
        .unwrap_or_else(|| format!("refs/heads/{branch}"));

    let network = without_prompts(&repo.git)?;
    // Theirs, in the merges of a rebase, is the local commits: written by this user.
    let mut rebasing = repo.git.clone();
    if let Some(name) = store.author() {
        rebasing = rebasing.with_env(THEIRS_BY_ENV, name);
    }
    let before = rev(&repo.git, "@{upstream}")?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        // `git pull --rebase` in two steps: the network part without holding anything, and
        // the rebase (which rewrites notes) under the writer lock, so that a `tn jot` or a
        // TUI capture meanwhile waits for it instead of writing over a note git just merged.
        network.ok(["fetch", "--quiet", &remote], git::NETWORK)?;
        let rebase = {
            let _lock = store.write_lock()?;
            rebasing.run(["rebase", "--autostash", "--quiet"], git::NETWORK)?
        };
        if !rebase.success() {
            let unmerged = repo
                .git
                .ok(["diff", "--name-only", "--diff-filter=U", "-z"], git::LOCAL)?;
            let files = split_nul(&unmerged.stdout);
            if files.is_empty() {
                return Err(GitError::Failed {
                    command: "rebase".into(),
                    message: rebase.message(),
                }
                .into());
            }
            return Err(SyncError::Unresolved { files });
        }
        let ahead = count(&repo.git, "@{upstream}..HEAD")?;
        if ahead == 0 {
            break;
        }
        let push = network.run(
            ["push", "--quiet", &remote, &format!("HEAD:{merge_ref}")],
            git::NETWORK,
        )?;
        if push.success() {
            report.pushed = ahead;
            break;
        }
        if attempt == PUSH_ATTEMPTS {
            return Err(GitError::Failed {
                command: "push".into(),
                message: push.message(),
            }
            .into());
        }
    }
    let after = rev(&repo.git, "@{upstream}")?;
    report.pulled = count(&repo.git, &format!("{before}..{after}"))?.saturating_sub(report.pushed);

    // Conflicts the driver recorded land in the notes that came in or went out.
    let incoming = repo.git.ok(
        ["diff", "--name-only", "-z", "--no-renames", &before, "HEAD"],
        git::LOCAL,
    )?;
    let mut touched: Vec<String> = split_nul(&incoming.stdout)
        .iter()
        .filter_map(|p| repo.in_kb(p).map(str::to_owned))
        .chain(changed)
        .collect();
    touched.sort();
    touched.dedup();
    for path in &touched {
        if let Some(key) = note_id(path).and_then(|id| id.parse::<NoteKey>().ok()) {
            report.problems.extend(store.problems_of(&key));
        }
    }
    Ok(report)
}

/// Git for talking to the remote without ever asking on the terminal: git's own prompts are
/// off for every run ([`crate::git`]); ssh's (a passphrase, an unknown host) are turned off
/// here with `BatchMode`, unless the user chose an ssh command of their own.
fn without_prompts(git: &Git) -> Result<Git, SyncError> {
    let chosen = ["GIT_SSH_COMMAND", "GIT_SSH"]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()))
        || git.config_value("core.sshCommand", git::LOCAL)?.is_some();
    Ok(if chosen {
        git.clone()
    } else {
        git.clone()
            .with_env("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    })
}

/// The note files (and setup files) of the knowledge base that differ from HEAD, relative
/// to the knowledge base root: what `tn sync` commits.
fn changed_paths(repo: &Repo) -> Result<Vec<String>, SyncError> {
    let status = repo.git.ok(
        [
            "status",
            "--porcelain=v1",
            "-z",
            "--untracked-files=all",
            "--",
            ".",
        ],
        git::LOCAL,
    )?;
    let entries = split_nul(&status.stdout);
    let mut paths = Vec::new();
    let mut unmerged = Vec::new();
    let mut entries = entries.iter();
    while let Some(entry) = entries.next() {
        let (code, path) = entry.split_at(3.min(entry.len()));
        let code = code.trim_end();
        // A rename or copy is followed by the path it came from.
        let from = if code.contains(['R', 'C']) {
            entries.next()
        } else {
            None
        };
        if matches!(code, "DD" | "AU" | "UD" | "UA" | "DU" | "AA" | "UU") {
            unmerged.push(path.to_owned());
            continue;
        }
        for path in std::iter::once(path).chain(from.map(String::as_str)) {
            if let Some(rel) = repo.in_kb(path)
                && is_shared(rel)
            {
                paths.push(rel.to_owned());
            }
        }
    }
    if !unmerged.is_empty() {
        return Err(SyncError::Unresolved { files: unmerged });
    }
    paths.sort();
    paths.dedup();
    Ok(paths)
}

/// Whether `tn sync` shares this file (a path relative to the knowledge base): a note that
/// is not hidden (no temporary or swap file), or one of the two files [`setup`] writes.
pub fn is_shared(path: &str) -> bool {
    if path == ".gitattributes" || path == ".gitignore" {
        return true;
    }
    let Some(rest) = path
        .strip_prefix(NOTES_DIR)
        .and_then(|r| r.strip_prefix('/'))
    else {
        return false;
    };
    rest.ends_with(".ron") && !rest.split('/').any(|part| part.starts_with('.'))
}

/// `ev/talk` for `notes/ev/talk.ron`, `ev` for `notes/ev/event.ron`.
fn note_id(path: &str) -> Option<String> {
    let rest = path.strip_prefix(NOTES_DIR)?.strip_prefix('/')?;
    let (event, file) = rest.split_once('/')?;
    let stem = file.strip_suffix(".ron")?;
    if stem.contains('/') {
        return None;
    }
    let id = if stem == crate::note::EVENT_FILE_STEM {
        event.to_owned()
    } else {
        format!("{event}/{stem}")
    };
    id.parse::<NoteKey>().ok().map(|_| id)
}

/// `tn sync: 3 notes (ev/a, ev/b, ev/c)`, with at most three ids.
fn commit_message(notes: &[String], paths: &[String]) -> String {
    if notes.is_empty() {
        return format!("tn sync: {}", paths.join(", "));
    }
    let shown: Vec<&str> = notes.iter().take(3).map(String::as_str).collect();
    let more = if notes.len() > shown.len() {
        ", …"
    } else {
        ""
    };
    let noun = if notes.len() == 1 { "note" } else { "notes" };
    format!(
        "tn sync: {} {noun} ({}{more})",
        notes.len(),
        shown.join(", ")
    )
}

/// The paths, NUL-separated, in a temporary file: a knowledge base can change more notes at
/// once than a command line holds.
fn pathspec_file(paths: &[String]) -> Result<tempfile::NamedTempFile, SyncError> {
    use std::io::Write;
    let mut file = tempfile::NamedTempFile::new().map_err(|e| Error::io(Path::new("TMPDIR"), e))?;
    for path in paths {
        file.write_all(path.as_bytes())
            .and_then(|()| file.write_all(b"\0"))
            .map_err(|e| Error::io(file.path(), e))?;
    }
    file.flush().map_err(|e| Error::io(file.path(), e))?;
    Ok(file)
}

fn split_nul(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect()
}

fn rev(git: &Git, name: &str) -> Result<String, SyncError> {
    Ok(git
        .ok(["rev-parse", "--verify", "--quiet", name], git::LOCAL)?
        .text())
}

fn count(git: &Git, range: &str) -> Result<usize, SyncError> {
    let text = git.ok(["rev-list", "--count", range], git::LOCAL)?.text();
    Ok(text.trim().parse().unwrap_or(0))
}

/// What `tn merge-driver` did with a note.
#[derive(Debug)]
pub enum DriverOutcome {
    /// Merged by meaning; the result is in "ours".
    Merged(MergeReport),
    /// A side has comments, which a merged note cannot keep; git's own line merge was clean
    /// and its result is a valid note, so it stands.
    TextMerged,
    /// The user's concepts file (`notes/concepts.ron`, shared like the notes): git's line
    /// merge was clean and its result is a valid concepts file.
    ConceptsMerged,
}

/// Why `tn merge-driver` left a note to git: "ours" then holds git's usual conflict.
#[derive(Debug, thiserror::Error)]
#[error("{reason}")]
pub struct DriverRefused {
    pub reason: String,
    /// What to do about it, when there is something to say (placed by the front end).
    pub hint: Option<String>,
}

/// The merge driver: merges `base`, `ours` and `theirs` (git's temporary files) of the note
/// at `name` and leaves the result in `ours`. When the notes cannot be merged by meaning (a
/// side does not parse), `ours` gets git's line merge with conflict markers instead, as if
/// there were no driver, and the note is reported as conflicted.
pub fn merge_driver(
    base: &Path,
    ours: &Path,
    theirs: &Path,
    name: &Path,
) -> Result<DriverOutcome, DriverRefused> {
    if is_concepts_file(name) {
        // Not a note: a list of words, merged line by line as git would, then checked.
        let valid = || {
            read_bounded(ours).is_ok_and(|bytes| {
                std::str::from_utf8(&bytes).is_ok_and(|text| {
                    crate::concepts::user::parse(name, text, crate::concepts::Shipped::get())
                        .is_ok()
                })
            })
        };
        return match text_merge(base, ours, theirs, name) {
            Some(true) if valid() => Ok(DriverOutcome::ConceptsMerged),
            Some(true) => Err(DriverRefused {
                reason: "the concepts files merged line by line, but the result is not a valid concepts file".into(),
                hint: Some("fix notes/concepts.ron by hand; `tn check` says what is wrong".into()),
            }),
            _ => Err(DriverRefused {
                reason: "both sides changed the same lines of the concepts file".into(),
                hint: Some("resolve the conflict in notes/concepts.ron by hand, then `tn check`".into()),
            }),
        };
    }
    let refuse = |error: &Error| DriverRefused {
        reason: error.to_string(),
        hint: error.hint(),
    };
    let read = |path: &Path| read_bounded(path).map_err(|e| refuse(&e));
    let (base_text, ours_text, theirs_text) = (read(base)?, read(ours)?, read(theirs)?);
    let options = MergeOptions {
        theirs_by: std::env::var(THEIRS_BY_ENV)
            .ok()
            .and_then(|n| crate::author::clean(&n)),
    };
    match merge::merge_texts_with(&base_text, &ours_text, &theirs_text, name, &options) {
        Ok(merged) => {
            if merged.outcome != Outcome::Ours {
                write_atomic(ours, merged.text.as_bytes(), WriteMode::Replace)
                    .map_err(|e| refuse(&e))?;
            }
            Ok(DriverOutcome::Merged(merged.report))
        }
        Err(error) => {
            let clean = text_merge(base, ours, theirs, name);
            let valid =
                || read_bounded(ours).is_ok_and(|text| merge::check_text(&text, name).is_ok());
            match error {
                MergeError::Comments { .. } if clean == Some(true) && valid() => {
                    Ok(DriverOutcome::TextMerged)
                }
                error => Err(DriverRefused {
                    reason: error.to_string(),
                    hint: error.hint(),
                }),
            }
        }
    }
}

/// Whether a path in the repository is the user's concepts file.
fn is_concepts_file(name: &Path) -> bool {
    name == Path::new(NOTES_DIR).join(crate::concepts::user::FILE_NAME)
}

/// git's line merge into `ours` (`git merge-file`); whether it was clean, `None` if it could
/// not run (then `ours` is as it was).
fn text_merge(base: &Path, ours: &Path, theirs: &Path, name: &Path) -> Option<bool> {
    let label = name.to_string_lossy().into_owned();
    let run = Git::new(".")
        .run(
            [
                OsString::from("merge-file"),
                "-L".into(),
                format!("ours:{label}").into(),
                "-L".into(),
                format!("base:{label}").into(),
                "-L".into(),
                format!("theirs:{label}").into(),
                ours.into(),
                base.into(),
                theirs.into(),
            ],
            git::LOCAL,
        )
        .ok()?;
    // Its exit status is the number of conflicts; negative (here > 127) on an error.
    match run.code {
        Some(0) => Some(true),
        Some(1..=127) => Some(false),
        _ => None,
    }
}

fn read_bounded(path: &Path) -> Result<Vec<u8>, Error> {
    let file = fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(MAX_NOTE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > MAX_NOTE_BYTES {
        return Err(Error::TooLarge {
            path: path.to_owned(),
            size: bytes.len() as u64,
            limit: MAX_NOTE_BYTES,
            writing: false,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_notes_and_setup_files_are_shared() {
        for shared in [
            "notes/ev/talk.ron",
            "notes/ev/event.ron",
            ".gitattributes",
            ".gitignore",
        ] {
            assert!(is_shared(shared), "{shared}");
        }
        for private in [
            "index/current",
            "index/tantivy/meta.json",
            "notes/ev/.tn-1.tmp",
            "notes/ev/.talk.ron.swp",
            "notes/ev/.#talk.ron",
            "notes/.hidden/t.ron",
            "notes/ev/talk.ron~",
            "other.txt",
            "notesx/a.ron",
        ] {
            assert!(!is_shared(private), "{private}");
        }
    }

    #[test]
    fn messages_keep_their_hints_apart() {
        // Regression: these errors wrote `\n  hint: …` into their message, unlike the
        // library's own errors, whose hint each front end places (`Error::hint`).
        let errors: Vec<(String, Option<String>)> = [
            SyncError::NoRepository { root: "kb".into() },
            SyncError::NoRemote {
                branch: "main".into(),
                committed: 2,
            },
            SyncError::NoUpstream {
                branch: "main".into(),
                remote: "origin".into(),
                committed: 0,
            },
            SyncError::Detached,
            SyncError::InProgress { what: "rebase" },
            SyncError::NoIdentity,
            SyncError::Unresolved {
                files: vec!["notes/ev/t.ron".into()],
            },
            SyncError::Git(GitError::NotInstalled),
            SyncError::Git(GitError::TimedOut {
                command: "pull".into(),
                after: std::time::Duration::from_secs(300),
            }),
            SyncError::Store(Error::NoCurrentTalk),
        ]
        .iter()
        .map(|e| (e.to_string(), e.hint()))
        .chain(std::iter::once({
            let e = MergeError::Comments {
                side: merge::Side::Theirs,
                path: "notes/ev/t.ron".into(),
            };
            (e.to_string(), e.hint())
        }))
        .collect();
        for (message, hint) in &errors {
            assert!(
                !message.contains("hint") && !message.contains('\n'),
                "{message}"
            );
            assert!(hint.as_deref().is_some_and(|h| !h.is_empty()), "{message}");
        }
        // The content stayed: the message, then what to do.
        let e = SyncError::NoRemote {
            branch: "main".into(),
            committed: 2,
        };
        assert_eq!(
            e.to_string(),
            "committed 2 changed file(s) locally, but nothing to sync with: this repository has no remote"
        );
        assert_eq!(
            e.hint().unwrap(),
            "`git remote add origin URL`, then `git push -u origin main` once; after that `tn sync` does the rest"
        );
    }

    #[test]
    fn commit_messages_name_a_few_notes() {
        let ids = |n: usize| (0..n).map(|i| format!("ev/t{i}")).collect::<Vec<_>>();
        assert_eq!(commit_message(&ids(1), &[]), "tn sync: 1 note (ev/t0)");
        assert_eq!(
            commit_message(&ids(4), &[]),
            "tn sync: 4 notes (ev/t0, ev/t1, ev/t2, …)"
        );
        assert_eq!(
            commit_message(&[], &[".gitattributes".into()]),
            "tn sync: .gitattributes"
        );
        assert_eq!(note_id("notes/ev/event.ron").as_deref(), Some("ev"));
        assert_eq!(note_id("notes/ev/t.ron").as_deref(), Some("ev/t"));
        assert_eq!(note_id(".gitattributes"), None);
    }
}
