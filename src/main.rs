//! The `tn` binary: parse the command line, run it, report errors.

use std::io;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    catch_file_size_limit();
    let cli = match talknotes::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => error.exit(),
        Err(error) => {
            // clap quotes the offending argument back, and an argument can carry escape
            // sequences (a pasted title): show them escaped, never raw.
            let text = error.render().to_string();
            eprint!("{}", talknotes::display::escape(&text, true));
            return ExitCode::from(2);
        }
    };
    let outcome = talknotes::cli::run(cli);
    // After the command (the TUI has given the terminal back by then).
    if let Some(warning) = talknotes::clock::take_warning() {
        eprintln!("warning: {}", talknotes::display::escape(&warning, true));
    }
    match outcome {
        Ok(code) => code,
        Err(error) => {
            // `tn list | head` closes the pipe early; that is not an error worth a message.
            if error
                .chain()
                .filter_map(|e| e.downcast_ref::<io::Error>())
                .any(|e| e.kind() == io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            talknotes::cli::report_error(&error);
            ExitCode::FAILURE
        }
    }
}

/// A write past the file-size limit (`ulimit -f`) raises SIGXFSZ, whose default action kills
/// the process without a word. Caught (by a handler that does nothing), the write fails with
/// EFBIG instead, and the save reports it naming the note. A handler rather than an ignored
/// signal, because an ignored one would be inherited by the editor `tn edit` starts.
fn catch_file_size_limit() {
    #[cfg(unix)]
    {
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        // Registration fails only for signals that cannot be caught; SIGXFSZ can.
        let _ = signal_hook::flag::register(signal_hook::consts::SIGXFSZ, flag);
    }
}

/// mimalloc gives memory back to the system soon after it is freed; glibc's malloc kept the
/// ~200 MB a full index build's threads had freed until the process ended, so the merges
/// that follow the build added their mapped segments on top of it (`tn reindex` at 100k
/// notes peaked at 428 MB, now under 200). Builds are also ~10% faster with it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
