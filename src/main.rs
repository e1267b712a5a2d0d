//! The `tn` binary: parse the command line, run it, report errors.

use std::io;
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = talknotes::cli::Cli::parse();
    match talknotes::commands::run(cli) {
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
            let message = format!("{error:#}");
            eprintln!("error: {}", talknotes::display::escape(&message, true));
            ExitCode::FAILURE
        }
    }
}
