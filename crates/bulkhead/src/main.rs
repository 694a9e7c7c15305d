//! The `bulkhead` binary: argument parsing, configuration, wiring of
//! sources → analyzers → findings → reporters, and exit codes. Analyzers and
//! reporters live in the library crates; nothing here decides a finding.

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli;
mod commands;
mod settings;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("bulkhead: error: {e:#}");
            2
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(2))
}
