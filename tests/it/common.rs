//! Shared helpers: a temporary knowledge base and a `tn` command isolated from the environment.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

use talknotes::note::{Event, Talk};
use talknotes::store::codec;

/// A scratch directory holding a knowledge base (`kb/`) and a private temp dir (`tmp/`, used as
/// `TMPDIR` so editor drafts land somewhere the test can inspect).
pub struct Kb {
    _dir: TempDir,
    pub base: PathBuf,
    pub root: PathBuf,
    pub tmp: PathBuf,
}

impl Kb {
    /// An empty directory that is not yet a knowledge base.
    pub fn bare() -> Kb {
        let dir = tempfile::tempdir().expect("tempdir");
        // Canonical, so paths printed relative to the working directory strip cleanly.
        let base = dir.path().canonicalize().expect("canonicalize");
        let root = base.join("kb");
        let tmp = base.join("tmp");
        fs::create_dir_all(&root).unwrap();
        fs::create_dir_all(&tmp).unwrap();
        Kb {
            _dir: dir,
            base,
            root,
            tmp,
        }
    }

    /// A knowledge base created by `tn init`.
    pub fn new() -> Kb {
        let kb = Kb::bare();
        kb.tn().arg("init").arg(&kb.root).assert().success();
        kb
    }

    /// A knowledge base with event `ev` (the current event).
    pub fn with_event() -> Kb {
        let kb = Kb::new();
        kb.ok(&[
            "event",
            "new",
            "ev",
            "--name",
            "Example Conf",
            "--date",
            "2024-06-01",
        ]);
        kb
    }

    /// `tn` with a clean environment, `--dir` pointing at this knowledge base, working directory
    /// the knowledge base root, and stdin not a terminal (empty).
    pub fn tn(&self) -> Command {
        let mut cmd = self.tn_no_dir();
        cmd.arg("--dir").arg(&self.root);
        cmd
    }

    /// Like [`Kb::tn`] but without `--dir` (for `TALKNOTES_DIR` and discovery tests).
    pub fn tn_no_dir(&self) -> Command {
        let mut cmd = Command::cargo_bin("tn").expect("the tn binary is built");
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .env("HOME", &self.base)
            .env("XDG_DATA_HOME", self.base.join("xdg-data"))
            // Captures record git's user.name: none from the machine's git setup.
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("TMPDIR", &self.tmp)
            .env("LANG", "C.UTF-8")
            .env("TZ", "UTC")
            .current_dir(&self.root)
            .write_stdin("");
        cmd
    }

    /// A plain `std::process::Command` for `tn` with the same environment as [`Kb::tn`], for
    /// spawning several processes at once.
    pub fn std_tn(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("tn"));
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .env("HOME", &self.base)
            .env("XDG_DATA_HOME", self.base.join("xdg-data"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("TMPDIR", &self.tmp)
            .current_dir(&self.root)
            .arg("--dir")
            .arg(&self.root);
        cmd
    }

    /// `tn` with an explicit `$EDITOR`.
    pub fn tn_with_editor(&self, editor: &Path) -> Command {
        let mut cmd = self.tn();
        cmd.env("EDITOR", editor);
        cmd
    }

    /// Runs `tn ARGS`, asserts success, returns the output.
    pub fn ok(&self, args: &[&str]) -> Output {
        let out = self.tn().args(args).output().expect("run tn");
        assert!(
            out.status.success(),
            "tn {args:?} failed ({:?})\nstdout:\n{}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Runs `tn ARGS`, asserts exit code 1, returns the output.
    pub fn fails(&self, args: &[&str]) -> Output {
        self.fails_with(args, 1)
    }

    /// Runs `tn ARGS`, asserts the given exit code, returns the output.
    pub fn fails_with(&self, args: &[&str], code: i32) -> Output {
        let out = self.tn().args(args).output().expect("run tn");
        assert_eq!(
            out.status.code(),
            Some(code),
            "tn {args:?}: unexpected exit status\nstdout:\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn read(&self, rel: &str) -> String {
        let path = self.path(rel);
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn read_bytes(&self, rel: &str) -> Vec<u8> {
        let path = self.path(rel);
        fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    /// Parses `notes/<event>/<talk>.ron` with the library's own reader (which validates it).
    pub fn talk(&self, event: &str, talk: &str) -> Talk {
        let rel = format!("notes/{event}/{talk}.ron");
        let bytes = self.read_bytes(&rel);
        codec::parse::<Talk>(&self.path(&rel), &bytes, talk).unwrap_or_else(|e| {
            panic!(
                "{rel} does not parse: {e:?}\n{}",
                String::from_utf8_lossy(&bytes)
            )
        })
    }

    pub fn event(&self, event: &str) -> Event {
        let rel = format!("notes/{event}/event.ron");
        let bytes = self.read_bytes(&rel);
        codec::parse::<Event>(&self.path(&rel), &bytes, event).unwrap_or_else(|e| {
            panic!(
                "{rel} does not parse: {e:?}\n{}",
                String::from_utf8_lossy(&bytes)
            )
        })
    }

    /// Every file below the root (relative path → contents), except the writer lock, whose
    /// existence is an implementation detail.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        snapshot(&self.root)
    }

    /// Writes an executable `sh` script into the private temp dir and returns its path.
    pub fn script(&self, name: &str, body: &str) -> PathBuf {
        let path = self.base.join(name);
        fs::write(&path, format!("#!/bin/sh\nset -e\n{body}\n")).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        }
        path
    }

    /// Paths of files whose name starts with `prefix`, anywhere below the root.
    pub fn files_named_like(&self, prefix: &str) -> Vec<PathBuf> {
        snapshot_with_lock(&self.root)
            .into_keys()
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(prefix))
            })
            .collect()
    }
}

pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut all = snapshot_with_lock(root);
    all.retain(|p, _| p.file_name().and_then(|n| n.to_str()) != Some(".write.lock"));
    all
}

fn snapshot_with_lock(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            let rel = path.strip_prefix(root).unwrap().to_owned();
            if kind.is_dir() {
                // Directories are recorded too, so a created empty directory shows up.
                files.insert(rel.join(""), Vec::new());
                stack.push(path);
            } else {
                files.insert(rel, fs::read(&path).unwrap_or_default());
            }
        }
    }
    files
}

/// The string under `key` in each object of a JSON list: the ids of hits, talks or events,
/// the names of speakers.
pub fn field_strs<'a>(
    items: impl IntoIterator<Item = &'a serde_json::Value>,
    key: &str,
) -> Vec<&'a str> {
    items
        .into_iter()
        .map(|item| {
            item[key]
                .as_str()
                .unwrap_or_else(|| panic!("no string {key:?} in {item}"))
        })
        .collect()
}

/// `tn ARGS` on `kb`, started by `sh` after the shell commands `setup` (a `ulimit`, a `trap`),
/// with the environment [`Kb::tn`] gives it.
pub fn tn_after_shell(kb: &Kb, setup: &str, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg(format!("{setup}\nexec \"$@\""))
        .arg("sh")
        .arg(assert_cmd::cargo::cargo_bin("tn"))
        .arg("--dir")
        .arg(&kb.root)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .env("HOME", &kb.base)
        .env("TMPDIR", &kb.tmp)
        .env("LANG", "C.UTF-8")
        .env("TZ", "UTC")
        .current_dir(&kb.root);
    cmd
}

/// Asserts that `out` exited with `code`, showing its output otherwise.
pub fn expect_code(out: &Output, code: i32, what: &str) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{what}: unexpected exit status\nstdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every entry below `root` with what it holds, never opening anything but regular files
/// (unlike [`snapshot`], which reads through links, and would block on a named pipe).
pub fn tree(root: &Path) -> BTreeMap<PathBuf, String> {
    use std::os::unix::fs::PermissionsExt;
    let mut entries = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let rel = path.strip_prefix(root).unwrap().to_owned();
            let metadata = fs::symlink_metadata(&path).unwrap();
            let what = if metadata.is_symlink() {
                format!("link to {}", fs::read_link(&path).unwrap().display())
            } else if metadata.is_dir() {
                stack.push(path);
                "directory".into()
            } else if metadata.is_file() {
                String::from_utf8_lossy(&fs::read(&path).unwrap()).into_owned()
            } else {
                format!("special {:o}", metadata.permissions().mode())
            };
            if rel.file_name().and_then(|n| n.to_str()) != Some(".write.lock") {
                entries.insert(rel, what);
            }
        }
    }
    entries
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).expect("stderr is UTF-8")
}

/// The path that follows `marker` in `text`, up to the next whitespace (or end of line).
pub fn path_after(text: &str, marker: &str) -> PathBuf {
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("`{marker}` not found in:\n{text}"))
        + marker.len();
    let rest = &text[start..];
    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
    PathBuf::from(&rest[..end])
}

/// Whether `s` is a valid id: `[a-z0-9][a-z0-9-]{0,63}`.
pub fn is_slug(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// Whether `s` is a wall-clock time written HH:MM.
pub fn is_hhmm(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && b[..2].iter().chain(&b[3..]).all(u8::is_ascii_digit)
        && s[..2].parse::<u8>().unwrap() < 24
        && s[3..].parse::<u8>().unwrap() < 60
}

/// Runs a command to its end, or kills it and fails if it is still running after `watchdog`:
/// for commands that must never hang (a named pipe opened for reading would block forever).
/// Output goes through pipes, not files, which a file-size limit would also cut short.
pub fn run_bounded(
    mut cmd: std::process::Command,
    watchdog: std::time::Duration,
    what: &str,
) -> Output {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > watchdog {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {watchdog:?}: it hung");
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    };
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

/// A private tmux server for driving the real binary in a terminal, killed when dropped.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    /// A server whose socket name is unique to this process and `tag`.
    pub fn new(tag: &str) -> Tmux {
        Tmux {
            socket: format!("tn-{tag}-{}", std::process::id()),
        }
    }

    pub fn cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new("tmux");
        // UTF-8 and a terminal type even where CI runs without them.
        cmd.args(["-u", "-L", &self.socket, "-f", "/dev/null"])
            .env("LANG", "C.UTF-8");
        if std::env::var_os("TERM").is_none_or(|t| t.is_empty() || t == "dumb") {
            cmd.env("TERM", "xterm-256color");
        }
        cmd
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Starts `tn` on `kb` as the pane's own process (so its pid is the pane's) in a session
    /// `tn` of the given size, with the environment the other tests give it.
    pub fn start_tn(&self, kb: &Kb, columns: u16, rows: u16) {
        self.start_tn_with(kb, columns, rows, &[], false);
    }

    /// [`Tmux::start_tn`] with more environment (`NAME=value`), and with `in_shell`, run from
    /// a shell that stays after `tn` exits and then prints `TN-EXITED`, so the test sees what
    /// `tn` left in the terminal.
    pub fn start_tn_with(&self, kb: &Kb, columns: u16, rows: u16, env: &[&str], in_shell: bool) {
        let tn = format!(
            "env NO_COLOR=1 TZ=UTC HOME='{}' TMPDIR='{}' {} '{}' --dir '{}'",
            kb.base.display(),
            kb.tmp.display(),
            env.iter()
                .map(|e| format!("'{e}'"))
                .collect::<Vec<_>>()
                .join(" "),
            assert_cmd::cargo::cargo_bin("tn").display(),
            kb.root.display()
        );
        let command = if in_shell {
            format!("{tn}; echo TN-EXITED; sleep 600")
        } else {
            format!("exec {tn}")
        };
        let (columns, rows) = (columns.to_string(), rows.to_string());
        self.run(&[
            "new-session",
            "-d",
            "-x",
            &columns,
            "-y",
            &rows,
            "-s",
            "tn",
            &command,
        ]);
    }

    pub fn alive(&self) -> bool {
        self.cmd()
            .args(["has-session", "-t", "tn"])
            .stderr(std::process::Stdio::null())
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// What the pane shows; empty once the session is gone (a killed TUI).
    pub fn screen(&self) -> String {
        self.cmd()
            .args(["capture-pane", "-p", "-t", "tn"])
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    }

    /// Waits until the screen contains `text`; fails with the screen after `timeout`.
    pub fn wait_for(&self, text: &str, timeout: std::time::Duration) -> String {
        let started = std::time::Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                started.elapsed() < timeout,
                "`{text}` did not appear within {timeout:?}; the screen:\n{screen}"
            );
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    /// The process id of the pane's program (`tn` itself when started by
    /// [`Tmux::start_tn`]).
    pub fn pane_pid(&self) -> u32 {
        self.run(&["display-message", "-p", "-t", "tn", "#{pane_pid}"])
            .trim()
            .parse()
            .expect("a pane pid")
    }

    /// Waits until the session has closed (its process exited or was killed).
    pub fn wait_until_gone(&self) {
        while self.alive() {
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "tn"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    pub fn literal(&self, text: &str) {
        self.run(&["send-keys", "-t", "tn", "-l", text]);
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
    }
}

/// Copies a directory tree (the bundled notes, a knowledge base to compare against).
pub fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}
