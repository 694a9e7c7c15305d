//! The `bulkhead` binary: argument parsing, configuration, wiring of
//! sources → analyzers → findings → reporters, and exit codes. Analyzers and
//! reporters live in the library crates; nothing here decides a finding.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `print!` to standard output, where a closed pipe (`| head`) ends the
/// output quietly instead of panicking.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout().lock(), $($t)*);
    }};
}

/// `println!` to standard output, quiet on a closed pipe.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($t)*);
    }};
}

mod cli;
mod commands;
mod settings;

use clap::FromArgMatches as _;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::from_arg_matches(&cli::command().get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            let text = format!("{e:#}");
            eprintln!(
                "bulkhead: error: {}",
                bulkhead_core::source::printable(&text, 2000)
            );
            2
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}
