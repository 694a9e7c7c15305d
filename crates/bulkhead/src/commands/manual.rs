//! `bulkhead completions SHELL` and `bulkhead man`: the shell completion
//! scripts and the man pages, generated from the same command definition
//! the parser uses (`cli::command()`), so they cannot drift from it.

use anyhow::{Context, Result};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Args, Debug, Clone)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, powershell or elvish.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug, Clone)]
pub struct ManArgs {
    /// Write one page per command into DIR (bulkhead.1, bulkhead-k8s.1,
    /// bulkhead-rbac-who-can.1, ...) instead of printing bulkhead(1).
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

pub fn completions(args: &CompletionsArgs) -> Result<i32> {
    let mut cmd = crate::cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "bulkhead", &mut buf);
    out!("{}", String::from_utf8_lossy(&buf));
    Ok(0)
}

pub fn man(args: &ManArgs) -> Result<i32> {
    let mut cmd = crate::cli::command().disable_help_subcommand(true);
    // Sets each subcommand's `bulkhead k8s` usage and `bulkhead-k8s` page name.
    cmd.build();
    match &args.dir {
        None => {
            out!("{}", String::from_utf8_lossy(&render(&cmd)?));
        }
        Some(dir) => {
            let mut pages = Vec::new();
            collect(&cmd, &mut pages);
            std::fs::create_dir_all(dir)
                .with_context(|| format!("{}: cannot create the directory", dir.display()))?;
            for page in &pages {
                write_page(dir, page)?;
            }
            eprintln!(
                "bulkhead: wrote {} man pages to {} (try: man -l {})",
                pages.len(),
                dir.display(),
                dir.join("bulkhead.1").display()
            );
        }
    }
    Ok(0)
}

/// `cmd` and every visible subcommand below it, parents first.
fn collect<'a>(cmd: &'a clap::Command, out: &mut Vec<&'a clap::Command>) {
    out.push(cmd);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, out);
    }
}

/// The page of `cmd`; every page names bulkhead's version as its source
/// (a subcommand has no version of its own).
fn page(cmd: &clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd.clone()).source(format!("bulkhead {}", env!("CARGO_PKG_VERSION")))
}

fn render(cmd: &clap::Command) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    page(cmd)
        .render(&mut buf)
        .context("cannot render the man page")?;
    Ok(buf)
}

fn write_page(dir: &Path, cmd: &clap::Command) -> Result<()> {
    let path = dir.join(page(cmd).get_filename());
    let text = render(cmd)?;
    std::fs::write(&path, text).with_context(|| format!("{}: cannot write", path.display()))
}
