//! The `git` binary, as tn runs it.
//!
//! Sharing notes goes through the `git` users already have (and that the merge driver protocol
//! is built on) rather than a git library: the user's configuration, credentials, hooks and
//! remotes then behave exactly as with their own `git pull`. Every run is bounded: a time limit
//! after which git is stopped, a cap on what is read of its output, no terminal prompt
//! (`GIT_TERMINAL_PROMPT=0`, standard input closed), and errors that say which command failed
//! and what git said.

use std::ffi::{OsStr, OsString};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

use wait_timeout::ChildExt;

/// What tn reads of git's standard output: file lists of a large knowledge base fit easily.
const STDOUT_LIMIT: u64 = 64 * 1024 * 1024;
/// Error messages are short; a runaway one is cut.
const STDERR_LIMIT: u64 = 64 * 1024;

/// Quick local queries (config, rev-parse, status).
pub const LOCAL: Duration = Duration::from_secs(30);
/// Commands that may talk to a remote (pull, push).
pub const NETWORK: Duration = Duration::from_secs(300);

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("git is not installed (or not on PATH)")]
    NotInstalled,

    #[error("`git {command}` did not finish within {} s and was stopped", after.as_secs())]
    TimedOut { command: String, after: Duration },

    #[error("`git {command}` failed: {message}")]
    Failed { command: String, message: String },

    #[error("`git {command}` wrote more output than tn reads ({} MiB)", STDOUT_LIMIT / (1024 * 1024))]
    TooMuchOutput { command: String },

    #[error("cannot run git: {0}")]
    Io(#[from] io::Error),
}

impl GitError {
    /// What to do about it, kept out of the message like [`crate::error::Error::hint`]: each
    /// front end places it.
    pub fn hint(&self) -> Option<String> {
        match self {
            GitError::NotInstalled => {
                Some("install git (e.g. `apt-get install git`) to share notes".into())
            }
            GitError::TimedOut { .. } => {
                Some("check the network and the remote, then run the command again".into())
            }
            GitError::Failed { .. } | GitError::TooMuchOutput { .. } | GitError::Io(_) => None,
        }
    }
}

/// The result of one git run that finished, whatever its exit status.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// Standard output as text, without the trailing line break.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout)
            .trim_end_matches(['\n', '\r'])
            .to_owned()
    }

    /// What git said, in one line: its `fatal:`/`error:` lines, else its last line.
    pub fn message(&self) -> String {
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let errors: Vec<&str> = lines
            .iter()
            .copied()
            .filter(|l| l.starts_with("fatal:") || l.starts_with("error:"))
            .collect();
        let chosen = if errors.is_empty() {
            lines.last().copied().unwrap_or("no message").to_owned()
        } else {
            errors.join("; ")
        };
        crate::display::line(&chosen).into_owned()
    }
}

/// Runs git in one directory (`git -C DIR …`), with extra environment if asked.
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
    env: Vec<(OsString, OsString)>,
}

impl Git {
    pub fn new(dir: impl Into<PathBuf>) -> Git {
        Git {
            dir: dir.into(),
            env: Vec::new(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The same, with `key=value` in git's environment (and so in the merge driver's).
    pub fn with_env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Git {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Runs `git ARGS` to its end (or stops it after `timeout`), whatever its exit status.
    pub fn run<I, S>(&self, args: I, timeout: Duration) -> Result<Run, GitError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let command = describe(&args);
        let mut cmd = Command::new("git");
        // `-C`, not current_dir: a missing directory is then git's error, and "cannot start
        // the program" always means git itself is missing.
        cmd.arg("-C")
            .arg(&self.dir)
            .args(&args)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GCM_INTERACTIVE", "never")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in &self.env {
            cmd.env(key, value);
        }
        let mut child = match cmd.spawn() {
            Ok(child) => child,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(GitError::NotInstalled),
            Err(e) => return Err(GitError::Io(e)),
        };
        let stdout = drain(child.stdout.take(), STDOUT_LIMIT);
        let stderr = drain(child.stderr.take(), STDERR_LIMIT);
        let status = match child.wait_timeout(timeout)? {
            Some(status) => status,
            None => {
                let _ = child.kill();
                let _ = child.wait();
                // The readers are left to finish on their own: a grandchild (ssh) may still
                // hold the pipes open.
                return Err(GitError::TimedOut {
                    command,
                    after: timeout,
                });
            }
        };
        let (stdout, cut) = join(stdout);
        if cut {
            return Err(GitError::TooMuchOutput { command });
        }
        let (stderr, _) = join(stderr);
        Ok(Run {
            code: status.code(),
            stdout,
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        })
    }

    /// Runs `git ARGS` and returns its output; a non-zero exit is [`GitError::Failed`].
    pub fn ok<I, S>(&self, args: I, timeout: Duration) -> Result<Run, GitError>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let args: Vec<OsString> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let run = self.run(&args, timeout)?;
        if run.success() {
            Ok(run)
        } else {
            Err(GitError::Failed {
                command: describe(&args),
                message: run.message(),
            })
        }
    }

    /// `git config --get KEY`: `None` when it is not set.
    pub fn config_value(&self, key: &str, timeout: Duration) -> Result<Option<String>, GitError> {
        let run = self.run(["config", "--get", key], timeout)?;
        match run.code {
            Some(0) => Ok(Some(run.text())),
            // 1: the key is not set.
            Some(1) => Ok(None),
            _ => Err(GitError::Failed {
                command: format!("config --get {key}"),
                message: run.message(),
            }),
        }
    }
}

fn describe(args: &[OsString]) -> String {
    let words: Vec<String> = args
        .iter()
        .take(4)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let mut text = words.join(" ");
    if args.len() > 4 {
        text.push_str(" …");
    }
    crate::display::line(&text).into_owned()
}

/// Reads a pipe on a thread, keeping at most `limit` bytes and discarding the rest, so the
/// child never blocks on a full pipe. Returns the bytes and whether anything was cut.
fn drain<R: Read + Send + 'static>(
    pipe: Option<R>,
    limit: u64,
) -> Option<JoinHandle<(Vec<u8>, bool)>> {
    let pipe = pipe?;
    Some(std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut pipe = pipe;
        let _ = (&mut pipe).take(limit).read_to_end(&mut kept);
        let rest = io::copy(&mut pipe, &mut io::sink()).unwrap_or(0);
        (kept, rest > 0)
    }))
}

fn join(handle: Option<JoinHandle<(Vec<u8>, bool)>>) -> (Vec<u8>, bool) {
    handle
        .and_then(|h| h.join().ok())
        .unwrap_or_else(|| (Vec::new(), false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_names_the_command_and_what_git_said() {
        let dir = tempfile::tempdir().unwrap();
        let err = Git::new(dir.path())
            .ok(["rev-parse", "--show-toplevel"], LOCAL)
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("`git rev-parse --show-toplevel` failed: fatal:"),
            "{text}"
        );
    }

    #[test]
    fn config_reads_set_and_unset_keys() {
        let dir = tempfile::tempdir().unwrap();
        let git = Git::new(dir.path())
            .with_env("GIT_CONFIG_GLOBAL", dir.path().join("gitconfig"))
            .with_env("GIT_CONFIG_NOSYSTEM", "1");
        git.ok(["init", "-q"], LOCAL).unwrap();
        assert_eq!(git.config_value("talknotes.test", LOCAL).unwrap(), None);
        git.ok(["config", "talknotes.test", "名前 x"], LOCAL)
            .unwrap();
        assert_eq!(
            git.config_value("talknotes.test", LOCAL)
                .unwrap()
                .as_deref(),
            Some("名前 x")
        );
    }

    #[test]
    fn a_run_past_its_time_is_stopped() {
        let dir = tempfile::tempdir().unwrap();
        // An alias to a shell command that outlives the limit.
        let err = Git::new(dir.path())
            .run(
                ["-c", "alias.wait=!sleep 3", "wait"],
                Duration::from_millis(200),
            )
            .unwrap_err();
        assert!(matches!(err, GitError::TimedOut { .. }), "{err}");
    }
}
