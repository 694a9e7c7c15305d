//! The Dockerfile as rules see it: stages (base image with `ARG`s expanded,
//! alias, platform), the shell in effect for each `RUN` (POSIX or not), and
//! each `RUN`'s commands read as shell.

use crate::parser::{Instruction, Parsed};
use crate::shell::{self, Command};
use std::collections::HashMap;

#[derive(Debug, Clone)]
pub struct Stage {
    /// Index of the FROM instruction.
    pub from: usize,
    /// Base image as written.
    pub raw_image: String,
    /// Base image with ARG defaults expanded (equal to `raw_image` when nothing to expand).
    pub image: String,
    pub alias: Option<String>,
    pub platform: Option<String>,
    /// Instructions of the stage (after FROM), by index.
    pub body: Vec<usize>,
    /// The stage's shell is POSIX at its end (a stage built FROM it inherits that).
    pub posix: bool,
}

#[derive(Debug, Clone)]
pub struct Run {
    pub index: usize,
    pub stage: usize,
    /// The stage's shell is POSIX (not PowerShell or cmd).
    pub posix: bool,
    pub commands: Vec<Command>,
}

#[derive(Debug)]
pub struct Model<'p> {
    pub parsed: &'p Parsed,
    pub stages: Vec<Stage>,
    pub runs: Vec<Run>,
    /// `ARG`s before the first FROM with their defaults.
    pub global_args: HashMap<String, String>,
}

/// Expands `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:+a}` from `vars`;
/// unknown variables are left as written.
pub fn expand(s: &str, vars: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        if it.peek() == Some(&'{') {
            it.next();
            let mut inner = String::new();
            for n in it.by_ref() {
                if n == '}' {
                    break;
                }
                inner.push(n);
            }
            let (name, op, arg) = match inner.find([':', '-', '+']) {
                Some(i) => {
                    let rest = &inner[i..];
                    let (op, arg) = if let Some(a) = rest.strip_prefix(":-") {
                        (":-", a)
                    } else if let Some(a) = rest.strip_prefix(":+") {
                        (":+", a)
                    } else if let Some(a) = rest.strip_prefix('-') {
                        ("-", a)
                    } else if let Some(a) = rest.strip_prefix('+') {
                        ("+", a)
                    } else {
                        ("", "")
                    };
                    (&inner[..i], op, arg)
                }
                None => (inner.as_str(), "", ""),
            };
            let val = vars.get(name);
            match (op, val) {
                (":-", Some(v)) if !v.is_empty() => out.push_str(v),
                (":-", _) => out.push_str(arg),
                ("-", Some(v)) => out.push_str(v),
                ("-", None) => out.push_str(arg),
                (":+", Some(v)) if !v.is_empty() => out.push_str(arg),
                ("+", Some(_)) => out.push_str(arg),
                (":+" | "+", _) => {}
                (_, Some(v)) => out.push_str(v),
                (_, None) => {
                    out.push_str("${");
                    out.push_str(&inner);
                    out.push('}');
                }
            }
        } else {
            let mut name = String::new();
            while let Some(n) = it.peek() {
                if n.is_ascii_alphanumeric() || *n == '_' {
                    name.push(*n);
                    it.next();
                } else {
                    break;
                }
            }
            match vars.get(&name) {
                Some(v) if !name.is_empty() => out.push_str(v),
                _ => {
                    out.push('$');
                    out.push_str(&name);
                }
            }
        }
    }
    out
}

fn is_windows_image(image: &str) -> bool {
    let i = image.to_ascii_lowercase();
    i.contains("windows/")
        || i.contains("servercore")
        || i.contains("nanoserver")
        || i.contains("windowsservercore")
}

fn shell_is_posix(inst: &Instruction) -> bool {
    let first = inst.strings().next().unwrap_or("");
    let base = first
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(first)
        .to_ascii_lowercase();
    let base = base.trim_end_matches(".exe");
    !matches!(base, "pwsh" | "powershell" | "cmd")
}

/// The scripts a RUN executes: the shell-form text, plus heredoc bodies fed to a shell.
fn run_scripts(inst: &Instruction) -> Vec<String> {
    if inst.json {
        return vec![
            inst.strings()
                .map(shell_quote)
                .collect::<Vec<_>>()
                .join(" "),
        ];
    }
    let mut scripts = vec![inst.rest.clone()];
    let first = shell::commands(&inst.rest);
    let feeds_shell = inst.rest.trim_start().starts_with("<<")
        || first
            .first()
            .is_some_and(|c| matches!(c.program(), "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh"));
    if feeds_shell {
        for h in &inst.heredocs {
            scripts.push(h.content.clone());
        }
    }
    scripts
}

fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

impl<'p> Model<'p> {
    pub fn new(parsed: &'p Parsed) -> Self {
        let mut stages: Vec<Stage> = Vec::new();
        let mut runs = Vec::new();
        let mut global_args = HashMap::new();
        let mut posix = true;
        for (i, inst) in parsed.instructions.iter().enumerate() {
            let target = if inst.is("onbuild") {
                inst.sub()
            } else {
                Some(inst)
            };
            if inst.is("arg") && stages.is_empty() {
                for w in inst.strings() {
                    match w.split_once('=') {
                        Some((k, v)) => global_args
                            .insert(k.to_string(), v.trim_matches(['"', '\'']).to_string()),
                        None => global_args.insert(w.to_string(), String::new()),
                    };
                }
                continue;
            }
            if inst.is("from") {
                let args: Vec<&str> = inst.strings().collect();
                let raw = args.first().copied().unwrap_or("").to_string();
                let alias = match args.get(1) {
                    Some(a) if a.eq_ignore_ascii_case("as") => args.get(2).map(|s| s.to_string()),
                    _ => None,
                };
                let image = expand(&raw, &global_args);
                let inherits = stages.iter().find(|s| {
                    s.alias
                        .as_deref()
                        .is_some_and(|a| a.eq_ignore_ascii_case(&image))
                });
                posix = match inherits {
                    Some(parent) => parent.posix,
                    None => !is_windows_image(&image),
                };
                stages.push(Stage {
                    from: i,
                    raw_image: raw,
                    image,
                    alias,
                    platform: inst.flag("platform").map(str::to_string),
                    body: Vec::new(),
                    posix,
                });
                continue;
            }
            let stage = stages.len().saturating_sub(1);
            if let Some(s) = stages.last_mut() {
                s.body.push(i);
            }
            if inst.is("shell") {
                posix = shell_is_posix(inst);
                if let Some(s) = stages.last_mut() {
                    s.posix = posix;
                }
            }
            if let Some(t) = target.filter(|t| t.is("run")) {
                let commands = if posix {
                    run_scripts(t)
                        .iter()
                        .flat_map(|s| shell::commands(s))
                        .collect()
                } else {
                    Vec::new()
                };
                runs.push(Run {
                    index: i,
                    stage,
                    posix,
                    commands,
                });
            }
        }
        Model {
            parsed,
            stages,
            runs,
            global_args,
        }
    }

    pub fn inst(&self, i: usize) -> &Instruction {
        &self.parsed.instructions[i]
    }

    /// The final stage and the stages it is built FROM, final first.
    pub fn final_lineage(&self) -> Vec<usize> {
        let mut chain = Vec::new();
        let mut cur = self.stages.len().checked_sub(1);
        while let Some(si) = cur {
            if chain.contains(&si) {
                break;
            }
            chain.push(si);
            let image = &self.stages[si].image;
            cur = self.stages[..si].iter().position(|s| {
                s.alias
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(image))
            });
        }
        chain
    }

    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// Is `image` the alias of an earlier stage (before stage `before`)?
    pub fn is_stage_ref(&self, image: &str, before: usize) -> bool {
        self.stages[..before.min(self.stages.len())]
            .iter()
            .any(|s| {
                s.alias
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(image))
            })
    }
}

/// A parsed image reference: registry (if any), repository, tag, digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    pub registry: Option<&'a str>,
    pub name: &'a str,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

pub fn image_ref(image: &str) -> ImageRef<'_> {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name_part, tag) = match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..])),
        None => (rest, None),
    };
    let registry = name_part.split_once('/').and_then(|(first, _)| {
        (first.contains('.') || first.contains(':') || first == "localhost").then_some(first)
    });
    ImageRef {
        registry,
        name: name_part,
        tag,
        digest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expansion() {
        let mut v = HashMap::new();
        v.insert("V".to_string(), "3.12".to_string());
        v.insert("E".to_string(), String::new());
        assert_eq!(expand("python:${V}-slim", &v), "python:3.12-slim");
        assert_eq!(expand("a:$V", &v), "a:3.12");
        assert_eq!(
            expand("${E:-x} ${E-y} ${U:-z} ${V:+set} $U", &v),
            "x  z set $U"
        );
    }

    #[test]
    fn image_refs() {
        assert_eq!(
            image_ref("localhost:5000/a/b:1@sha256:x").registry,
            Some("localhost:5000")
        );
        assert_eq!(image_ref("library/nginx").registry, None);
        assert_eq!(image_ref("nginx:1.2").tag, Some("1.2"));
        assert_eq!(image_ref("ghcr.io/x/y").name, "ghcr.io/x/y");
    }

    #[test]
    fn stages_shell_and_runs() {
        let p = crate::parser::parse("ARG V=3\nFROM python:${V} AS build\nRUN pip install x && curl -k https://a | sh\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN iwr https://x | iex\nFROM build\nRUN <<EOF\napt-get update\nEOF\n").expect("parse");
        let m = Model::new(&p);
        assert_eq!(m.stages.len(), 3);
        assert_eq!(m.stages[0].image, "python:3");
        assert_eq!(m.stages[0].alias.as_deref(), Some("build"));
        assert!(m.runs[0].posix && m.runs[0].commands.len() == 3);
        assert!(!m.runs[1].posix && m.runs[1].commands.is_empty());
        assert!(m.runs[2].posix);
        assert!(m.runs[2].commands.iter().any(|c| c.is("apt-get", "update")));
    }
}
