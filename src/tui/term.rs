//! The real terminal: raw mode, the alternate screen, bracketed paste, crossterm events, and
//! the side effects that need the desktop (browser, clipboard, `$EDITOR`).
//!
//! The terminal is restored on every way out: a guard restores it when [`run`] returns (with
//! or without an error), and a panic hook restores it before the panic message is printed, so
//! a bug never leaves the user's shell in raw mode on the alternate screen.
//!
//! `$EDITOR` runs on the TUI's alternate screen, in cooked mode: whatever it prints there is
//! gone with that screen, its standard error is captured, and what the edit says ("no
//! changes", where a draft is kept) comes back for the status line, so nothing of it lands in
//! the shell after the TUI quits. Meanwhile Ctrl-C (a signal again in cooked mode) is the
//! editor's alone: it would otherwise end the TUI with the terminal still on its screen.

use std::io::{self, IsTerminal, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, Sender};
use std::time::Duration;

use crossterm::clipboard::CopyToClipboard;
use crossterm::cursor::MoveTo;
use crossterm::event::{self, DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::error::{Error, Result};
use crate::store::{NoteKey, Store};

use super::{EventSource, Host, Next, Session};

pub(super) fn run(store: Store) -> Result<()> {
    if !io::stdin().is_terminal() || !io::stdout().is_terminal() {
        return Err(Error::input(
            "the TUI needs a terminal",
            "use `tn search`, `tn list` and `tn jot` in scripts",
        ));
    }
    install_panic_hook();
    let _guard = Guard::enter().map_err(|e| Error::io(std::path::Path::new("<terminal>"), e))?;
    let mut terminal =
        Terminal::new(CrosstermBackend::new(io::stdout())).map_err(super::terminal_error)?;
    let mut session = Session::new(store);
    let (tx, rx) = std::sync::mpsc::channel();
    let mut host = DesktopHost { tx, rx };
    let result = super::start(
        &mut terminal,
        &mut session,
        &mut CrosstermEvents,
        &mut host,
        &super::Options::interactive(),
    );
    drop(terminal);
    drop(_guard);
    // On the restored screen, so it is the last thing the shell shows.
    if let Some(note) = session.app().drafts_note() {
        eprintln!("tn: {note}");
    }
    result
}

fn enter() -> io::Result<()> {
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)
}

fn leave() -> io::Result<()> {
    let mut stdout = io::stdout();
    let screen = execute!(
        stdout,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let raw = disable_raw_mode();
    screen.and(raw)
}

/// Restores the terminal when dropped.
struct Guard;

impl Guard {
    fn enter() -> io::Result<Guard> {
        if let Err(e) = enter() {
            let _ = leave();
            return Err(e);
        }
        Ok(Guard)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = leave();
    }
}

/// Restores the terminal before the default panic output, then runs the previous hook.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        // A panic caught as index damage is not the end of the TUI.
        if crate::guard::is_guarded() {
            return;
        }
        let _ = leave();
        previous(info);
    }));
}

/// Events from the terminal (keys, pastes, resizes).
struct CrosstermEvents;

impl EventSource for CrosstermEvents {
    fn next(&mut self, timeout: Duration) -> io::Result<Next> {
        if event::poll(timeout)? {
            Ok(Next::Event(event::read()?))
        } else {
            Ok(Next::Timeout)
        }
    }
}

/// Browser, clipboard and editor of the desktop the terminal runs on.
struct DesktopHost {
    tx: Sender<(String, bool)>,
    rx: Receiver<(String, bool)>,
}

impl Host for DesktopHost {
    fn open_url(&mut self, url: &str) -> std::result::Result<String, String> {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        let mut command = Command::new(opener);
        command
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        detach(&mut command);
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot open the URL: {opener}: {e}"))?;
        let tx = self.tx.clone();
        let opener = opener.to_owned();
        // Reap it in the background and report a failure.
        std::thread::spawn(move || match child.wait() {
            Ok(status) if !status.success() => {
                let _ = tx.send((format!("cannot open the URL: {opener} {status}"), true));
            }
            _ => {}
        });
        Ok(format!(
            "opened {} in the browser",
            crate::display::line(url)
        ))
    }

    fn copy(&mut self, text: &str) -> std::result::Result<String, String> {
        let mut ways = Vec::new();
        // OSC 52: the terminal puts it on the clipboard, even over ssh.
        if execute!(io::stdout(), CopyToClipboard::to_clipboard_from(text)).is_ok() {
            ways.push("OSC 52".to_owned());
        }
        if let Some((program, args)) = clipboard_tool() {
            let mut command = Command::new(program);
            command
                .args(args)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            detach(&mut command);
            if let Ok(mut child) = command.spawn() {
                let written = child
                    .stdin
                    .take()
                    .is_some_and(|mut stdin| stdin.write_all(text.as_bytes()).is_ok());
                std::thread::spawn(move || {
                    let _ = child.wait();
                });
                if written {
                    ways.push(program.to_owned());
                }
            }
        }
        if ways.is_empty() {
            Err("could not copy: no clipboard tool and the terminal refused OSC 52".into())
        } else {
            Ok(format!("copied the URL ({})", ways.join(", ")))
        }
    }

    fn edit(&mut self, store: &Store, key: &NoteKey) -> std::result::Result<String, String> {
        suspend().map_err(|e| e.to_string())?;
        // Ctrl-C is a signal again: let it reach the editor only (a handler, unlike an
        // ignored signal, is not inherited by the editor).
        let interrupted = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let handlers: Vec<_> = [signal_hook::consts::SIGINT, signal_hook::consts::SIGQUIT]
            .into_iter()
            .filter_map(|signal| signal_hook::flag::register(signal, interrupted.clone()).ok())
            .collect();
        let mut talk = Suspended::default();
        let outcome = crate::editor::edit_note_with(store, key, &mut talk);
        for handler in handlers {
            signal_hook::low_level::unregister(handler);
        }
        resume().map_err(|e| e.to_string())?;
        let said = talk.said.join(" · ");
        match outcome {
            Ok(()) if said.is_empty() => Ok(format!("editor closed; {key} reloaded")),
            Ok(()) => Ok(format!("editor closed: {said}")),
            Err(e) => {
                let error = super::app::error_text(&e, super::app::STATUS_HINT);
                Err(if said.is_empty() {
                    error
                } else {
                    format!("{error}\n{said}")
                })
            }
        }
    }

    fn poll(&mut self) -> Vec<(String, bool)> {
        self.rx.try_iter().collect()
    }
}

/// Hands the terminal to the editor without leaving the alternate screen: cooked mode, the
/// cursor shown, a clear screen.
fn suspend() -> io::Result<()> {
    execute!(
        io::stdout(),
        DisableBracketedPaste,
        Clear(ClearType::All),
        MoveTo(0, 0),
        crossterm::cursor::Show
    )?;
    disable_raw_mode()
}

/// Takes the terminal back after the editor: on the alternate screen again (an editor that
/// uses it leaves it when it exits), raw mode, bracketed paste.
fn resume() -> io::Result<()> {
    enable_raw_mode()?;
    execute!(io::stdout(), EnterAlternateScreen, EnableBracketedPaste)
}

/// The conversation of an edit run from the TUI: what it says is kept for the status line,
/// the editor's standard error is captured into a file and added to it, and the question
/// after an invalid edit is asked on the alternate screen.
#[derive(Default)]
struct Suspended {
    said: Vec<String>,
    stderr: Option<std::fs::File>,
}

/// The most of the editor's standard error that is read back.
const EDITOR_STDERR_BYTES: u64 = 64 * 1024;
/// The most lines of it shown on the status line.
const EDITOR_STDERR_LINES: usize = 3;

impl crate::editor::Conversation for Suspended {
    fn say(&mut self, line: &str) {
        self.said.push(line.to_owned());
    }

    fn reopen(&mut self, problems: &[String]) -> Result<bool> {
        self.said.extend(problems.iter().cloned());
        let mut out = io::stdout();
        let shown = execute!(
            out,
            EnterAlternateScreen,
            Clear(ClearType::All),
            MoveTo(0, 0)
        )
        .and_then(|()| {
            writeln!(out, "The edited note is not valid:\n")?;
            for problem in problems {
                writeln!(out, "{problem}")?;
            }
            write!(out, "\nre-open the editor to fix it? [Y/n] ")?;
            out.flush()
        });
        shown.map_err(|e| Error::io(std::path::Path::new("<terminal>"), e))?;
        let mut answer = String::new();
        io::stdin()
            .read_line(&mut answer)
            .map_err(|e| Error::io(std::path::Path::new("<stdin>"), e))?;
        let again = !matches!(answer.trim(), "n" | "N" | "no");
        if again {
            self.said.clear();
        }
        Ok(again)
    }

    fn editor_stderr(&mut self) -> Stdio {
        let file = tempfile::tempfile().and_then(|file| Ok((file.try_clone()?, file)));
        match file {
            Ok((theirs, ours)) => {
                self.stderr = Some(ours);
                Stdio::from(theirs)
            }
            // Nowhere to capture it: the editor writes to the alternate screen.
            Err(_) => Stdio::inherit(),
        }
    }

    fn editor_done(&mut self) {
        use std::io::{Read, Seek};
        let Some(mut file) = self.stderr.take() else {
            return;
        };
        let mut bytes = Vec::new();
        if file.rewind().is_err()
            || file
                .take(EDITOR_STDERR_BYTES)
                .read_to_end(&mut bytes)
                .is_err()
        {
            return;
        }
        let text = String::from_utf8_lossy(&bytes);
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let skip = lines.len().saturating_sub(EDITOR_STDERR_LINES);
        for line in &lines[skip..] {
            self.said.push(format!("editor: {line}"));
        }
    }
}

/// A new process group, so the browser or clipboard tool outlives the TUI and gets no
/// terminal signals meant for it.
fn detach(command: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    #[cfg(not(unix))]
    {
        let _ = command;
    }
}

/// The first clipboard program that can work here.
fn clipboard_tool() -> Option<(&'static str, &'static [&'static str])> {
    let has = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    let candidates: [(&str, &[&str], bool); 4] = [
        ("pbcopy", &[], cfg!(target_os = "macos")),
        ("wl-copy", &[], has("WAYLAND_DISPLAY")),
        ("xclip", &["-selection", "clipboard"], has("DISPLAY")),
        ("xsel", &["--clipboard", "--input"], has("DISPLAY")),
    ];
    candidates
        .into_iter()
        .find(|(program, _, usable)| *usable && on_path(program))
        .map(|(program, args, _)| (program, args))
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}
