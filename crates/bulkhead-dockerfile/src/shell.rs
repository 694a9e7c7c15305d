//! Reads the shell of a `RUN` as shell, not as text: splits a script into
//! simple commands on `&&`, `||`, `;`, `|`, `&`, newlines, subshells and
//! braces, with quotes, escapes, comments, redirections and `$(...)`
//! command substitutions (whose commands are read too). `sh -c 'script'`
//! and `bash -c` scripts are read recursively.
//!
//! Hand-written: the rules only need words and command boundaries, which a
//! POSIX tokenizer gives; a full shell parser (ShellCheck's) would add a
//! large dependency for no rule that needs more.

/// One simple command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Command {
    /// Words with quotes removed (variables kept as written).
    pub words: Vec<String>,
    /// Leading `NAME=value` assignments.
    pub env: Vec<(String, String)>,
    /// Output goes into a pipe (`cmd | next`).
    pub pipes_to_next: bool,
    /// Input comes from a pipe.
    pub piped_from_prev: bool,
}

impl Command {
    /// The program as written (`apt-get`, `/usr/bin/curl`).
    pub fn name(&self) -> &str {
        self.words.first().map_or("", String::as_str)
    }

    /// The program's base name (`curl` for `/usr/bin/curl`).
    pub fn program(&self) -> &str {
        let n = self.name();
        n.rsplit('/').next().unwrap_or(n)
    }

    pub fn args(&self) -> &[String] {
        self.words.get(1..).unwrap_or(&[])
    }

    pub fn has_arg(&self, a: &str) -> bool {
        self.args().iter().any(|x| x == a)
    }

    /// hadolint's flag view: `--name[=v]` gives `name`; `-abc` gives a, b, c.
    pub fn flags(&self) -> Vec<&str> {
        let mut out = Vec::new();
        for a in self.args() {
            if a == "--" || a == "-" {
                continue;
            }
            if let Some(long) = a.strip_prefix("--") {
                out.push(long.split('=').next().unwrap_or(long));
            } else if let Some(short) = a.strip_prefix('-') {
                for (i, _) in short.char_indices() {
                    out.push(&short[i..i + short[i..].chars().next().map_or(1, char::len_utf8)]);
                }
            }
        }
        out
    }

    pub fn has_flag(&self, f: &str) -> bool {
        self.flags().contains(&f)
    }

    /// Arguments that are not flags.
    pub fn positional(&self) -> Vec<&str> {
        self.args()
            .iter()
            .filter(|a| !a.starts_with('-') || a.as_str() == "-")
            .map(String::as_str)
            .collect()
    }

    /// Positional arguments, skipping the values of the given option flags
    /// (`-t`, `--target-release x`) unless written inline (`--opt=x`).
    pub fn positional_skipping(&self, value_flags: &[&str]) -> Vec<&str> {
        let mut out = Vec::new();
        let mut skip = false;
        for a in self.args() {
            if skip {
                skip = false;
                continue;
            }
            if a.starts_with('-') && a != "-" {
                if !a.contains('=') {
                    let name = a.trim_start_matches('-');
                    let takes = if a.starts_with("--") {
                        value_flags.contains(&name)
                    } else {
                        name.chars()
                            .last()
                            .is_some_and(|c| value_flags.contains(&c.to_string().as_str()))
                    };
                    skip = takes;
                }
                continue;
            }
            out.push(a.as_str());
        }
        out
    }

    /// `apt-get install ...`: the program and any argument equal to `sub`.
    pub fn is(&self, program: &str, sub: &str) -> bool {
        self.name() == program && self.has_arg(sub)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    None,
    Pipe,
    Other,
}

struct Lexer<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    subs: Vec<String>,
}

impl Lexer<'_> {
    /// Reads `$( ... )` or `` `...` `` raw, balancing parentheses.
    fn substitution(&mut self, close: char) -> String {
        let mut depth = 1;
        let mut s = String::new();
        while let Some(c) = self.chars.next() {
            match c {
                '\\' => {
                    s.push(c);
                    if let Some(n) = self.chars.next() {
                        s.push(n);
                    }
                }
                '(' if close == ')' => {
                    depth += 1;
                    s.push(c);
                }
                c if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                    s.push(c);
                }
                '\'' => {
                    s.push(c);
                    for n in self.chars.by_ref() {
                        s.push(n);
                        if n == '\'' {
                            break;
                        }
                    }
                }
                c => s.push(c),
            }
        }
        s
    }
}

/// The command run by a wrapper (`sudo -u x cmd`, `env A=1 cmd`, `nohup cmd`).
fn unwrap(c: &Command) -> Option<Command> {
    let value_opts: &[&str] = match c.program() {
        "sudo" | "doas" => &["-u", "-g", "-C", "-D", "-h", "-p", "-U", "-r", "-t"],
        "env" => &["-u", "-C", "-S"],
        "nohup" | "exec" | "time" | "nice" | "gosu" | "su-exec" | "chroot" => &["-n"],
        _ => return None,
    };
    let mut rest = c.args().iter().peekable();
    let mut env = Vec::new();
    // gosu/su-exec take the user first.
    if matches!(c.program(), "gosu" | "su-exec") {
        rest.next();
    }
    while let Some(a) = rest.peek() {
        if a.starts_with('-') {
            let takes = value_opts.contains(&a.as_str());
            rest.next();
            if takes {
                rest.next();
            }
        } else if c.program() == "env" && a.contains('=') {
            if let Some((k, v)) = a.split_once('=') {
                env.push((k.to_string(), v.to_string()));
            }
            rest.next();
        } else {
            break;
        }
    }
    let words: Vec<String> = rest.cloned().collect();
    if words.is_empty() {
        return None;
    }
    Some(Command {
        words,
        env,
        pipes_to_next: c.pipes_to_next,
        piped_from_prev: c.piped_from_prev,
    })
}

/// Splits a script into simple commands.
pub fn commands(script: &str) -> Vec<Command> {
    let mut out = Vec::new();
    parse_into(script, &mut out, 0);
    out
}

/// How deep `sh -c` and `$(…)` nesting is read. Deeper text is not parsed
/// (bounded time on hostile input); a [`TOO_DEEP`] command marks the cut so
/// the analyzer says so instead of reporting a clean RUN.
pub const MAX_DEPTH: u32 = 64;

/// The program name of the marker left where nesting passed [`MAX_DEPTH`].
pub const TOO_DEEP: &str = "\u{0}nested-too-deep";

fn parse_into(script: &str, out: &mut Vec<Command>, depth: u32) {
    if depth > MAX_DEPTH {
        if !out.iter().any(|c| c.program() == TOO_DEEP) {
            out.push(Command {
                words: vec![TOO_DEEP.to_string()],
                ..Command::default()
            });
        }
        return;
    }
    let mut lx = Lexer {
        chars: script.chars().peekable(),
        subs: Vec::new(),
    };
    let mut cmds: Vec<(Command, Sep)> = Vec::new();
    let mut cur = Command::default();
    let mut word = String::new();
    let mut in_word = false;
    let mut skip_next_word = false;
    let mut prev_sep = Sep::None;

    let finish_word =
        |cur: &mut Command, word: &mut String, in_word: &mut bool, skip: &mut bool| {
            if !*in_word {
                return;
            }
            let w = std::mem::take(word);
            *in_word = false;
            if *skip {
                *skip = false;
                return;
            }
            if cur.words.is_empty()
                && (w == "{"
                    || w == "}"
                    || w == "!"
                    || w == "then"
                    || w == "do"
                    || w == "else"
                    || w == "if"
                    || w == "while"
                    || w == "fi"
                    || w == "done")
            {
                return;
            }
            if cur.words.is_empty()
                && let Some((k, v)) = w.split_once('=')
                && !k.is_empty()
                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !k.starts_with(|c: char| c.is_ascii_digit())
            {
                cur.env.push((k.to_string(), v.to_string()));
                return;
            }
            cur.words.push(w);
        };
    let end_cmd = |cur: &mut Command, cmds: &mut Vec<(Command, Sep)>, sep: Sep, prev: &mut Sep| {
        let mut c = std::mem::take(cur);
        if !c.words.is_empty() || !c.env.is_empty() {
            c.piped_from_prev = *prev == Sep::Pipe;
            c.pipes_to_next = sep == Sep::Pipe;
            cmds.push((c, sep));
            *prev = sep;
        } else if sep != Sep::Pipe {
            *prev = sep;
        }
    };

    while let Some(c) = lx.chars.next() {
        match c {
            '\\' => match lx.chars.next() {
                Some('\n') => {}
                Some(n) => {
                    in_word = true;
                    word.push(n);
                }
                None => {}
            },
            '\'' => {
                in_word = true;
                for n in lx.chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                    word.push(n);
                }
            }
            '"' => {
                in_word = true;
                while let Some(n) = lx.chars.next() {
                    match n {
                        '"' => break,
                        '\\' => {
                            if let Some(m) = lx.chars.next() {
                                if !matches!(m, '"' | '\\' | '$' | '`' | '\n') {
                                    word.push('\\');
                                }
                                if m != '\n' {
                                    word.push(m);
                                }
                            }
                        }
                        '$' if lx.chars.peek() == Some(&'(') => {
                            lx.chars.next();
                            let s = lx.substitution(')');
                            word.push_str("$(");
                            word.push_str(&s);
                            word.push(')');
                            lx.subs.push(s);
                        }
                        '`' => {
                            let s = lx.substitution('`');
                            word.push('`');
                            word.push_str(&s);
                            word.push('`');
                            lx.subs.push(s);
                        }
                        n => word.push(n),
                    }
                }
            }
            '$' if lx.chars.peek() == Some(&'(') => {
                lx.chars.next();
                in_word = true;
                let s = lx.substitution(')');
                word.push_str("$(");
                word.push_str(&s);
                word.push(')');
                lx.subs.push(s);
            }
            '`' => {
                in_word = true;
                let s = lx.substitution('`');
                word.push('`');
                word.push_str(&s);
                word.push('`');
                lx.subs.push(s);
            }
            '#' if !in_word => {
                for n in lx.chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                finish_word(&mut cur, &mut word, &mut in_word, &mut skip_next_word);
                end_cmd(&mut cur, &mut cmds, Sep::Other, &mut prev_sep);
            }
            '|' | '&' | ';' | '\n' | '(' | ')' => {
                finish_word(&mut cur, &mut word, &mut in_word, &mut skip_next_word);
                let sep = match c {
                    '|' if lx.chars.peek() == Some(&'|') => {
                        lx.chars.next();
                        Sep::Other
                    }
                    '|' => Sep::Pipe,
                    '&' if lx.chars.peek() == Some(&'&') => {
                        lx.chars.next();
                        Sep::Other
                    }
                    '&' if cur.words.is_empty() && word.is_empty() => Sep::Other,
                    _ => Sep::Other,
                };
                end_cmd(&mut cur, &mut cmds, sep, &mut prev_sep);
            }
            '>' | '<' => {
                // A redirection: `2>&1`, `> file`, `<<EOF`, `>>log`.
                if in_word && word.chars().all(|d| d.is_ascii_digit()) {
                    word.clear();
                    in_word = false;
                } else {
                    finish_word(&mut cur, &mut word, &mut in_word, &mut skip_next_word);
                }
                while matches!(
                    lx.chars.peek(),
                    Some('>') | Some('<') | Some('&') | Some('|') | Some('-')
                ) {
                    lx.chars.next();
                }
                if lx.chars.peek().is_some_and(|n| n.is_ascii_digit()) {
                    while lx.chars.peek().is_some_and(|n| n.is_ascii_digit()) {
                        lx.chars.next();
                    }
                } else {
                    skip_next_word = true;
                }
            }
            c if c.is_whitespace() => {
                finish_word(&mut cur, &mut word, &mut in_word, &mut skip_next_word)
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    finish_word(&mut cur, &mut word, &mut in_word, &mut skip_next_word);
    end_cmd(&mut cur, &mut cmds, Sep::None, &mut prev_sep);
    for (c, _) in cmds {
        // `sudo chmod 777 x`, `env A=1 curl ...`: the wrapped command is a command too.
        // `sudo sudo sh`, `env env curl`: unwrap until a real command (bounded).
        let mut wrapped = Vec::new();
        let mut cur_w = unwrap(&c);
        while let Some(w) = cur_w {
            if wrapped.len() >= 16 {
                break;
            }
            cur_w = unwrap(&w);
            wrapped.push(w);
        }
        let nested = matches!(c.program(), "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh")
            .then(|| {
                c.args().iter().position(|a| {
                    a == "-c" || (a.starts_with('-') && !a.starts_with("--") && a.ends_with('c'))
                })
            })
            .flatten()
            .and_then(|i| c.args().get(i + 1).cloned());
        // A wrapped shell (`sudo sh -c '…'`) runs its script too.
        let nested = nested.or_else(|| {
            wrapped.last().and_then(|w| {
                matches!(w.program(), "sh" | "bash" | "ash" | "dash" | "zsh" | "ksh")
                    .then(|| {
                        w.args().iter().position(|a| {
                            a == "-c"
                                || (a.starts_with('-') && !a.starts_with("--") && a.ends_with('c'))
                        })
                    })
                    .flatten()
                    .and_then(|i| w.args().get(i + 1).cloned())
            })
        });
        out.push(c);
        out.extend(wrapped);
        if let Some(s) = nested {
            parse_into(&s, out, depth + 1);
        }
    }
    for s in std::mem::take(&mut lx.subs) {
        parse_into(&s, out, depth + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(s: &str) -> Vec<String> {
        commands(s)
            .iter()
            .filter(|c| !c.words.is_empty())
            .map(|c| c.words.join(" "))
            .collect()
    }

    #[test]
    fn splitting() {
        assert_eq!(
            names("apt-get update && apt-get install -y curl; rm -rf /var/lib/apt/lists/*"),
            vec![
                "apt-get update",
                "apt-get install -y curl",
                "rm -rf /var/lib/apt/lists/*"
            ]
        );
        assert_eq!(
            names("echo 'a && b' \"c;d\" e\\ f"),
            vec!["echo a && b c;d e f"]
        );
        assert_eq!(
            names("(cd /x && make) || true"),
            vec!["cd /x", "make", "true"]
        );
        assert_eq!(
            names("FOO=1 BAR=2 make install 2>&1 > /dev/null"),
            vec!["make install"]
        );
        assert_eq!(names("# comment\necho hi # trailing"), vec!["echo hi"]);
        assert_eq!(
            names("x=$(curl -s https://a | sh)"),
            vec!["curl -s https://a", "sh"]
        );
        assert_eq!(
            names("sh -c 'wget -O- https://x | bash'"),
            vec![
                "sh -c wget -O- https://x | bash",
                "wget -O- https://x",
                "bash"
            ]
        );
    }

    #[test]
    fn pipes_and_flags() {
        let c = commands("curl -fsSL https://get.example | sudo sh -");
        assert!(c[0].pipes_to_next && c[1].piped_from_prev);
        assert_eq!(c[1].program(), "sudo");
        assert_eq!(c[2].words, vec!["sh", "-"]);
        assert!(c[2].piped_from_prev);
        let w = commands("sudo -u root chmod 777 /x && env -i A=1 curl -k u");
        assert!(w.iter().any(|c| c.words == vec!["chmod", "777", "/x"]));
        assert!(w.iter().any(|c| c.program() == "curl" && c.env == vec![("A".to_string(), "1".to_string())]));
        let a =
            &commands("apt-get install -y --no-install-recommends -t bookworm-backports pkg=1.2")
                [0];
        assert!(a.has_flag("y") && a.has_flag("no-install-recommends"));
        assert_eq!(
            a.positional_skipping(&["t", "target-release"]),
            vec!["install", "pkg=1.2"]
        );
        let c = commands("a | b || c");
        assert!(c[0].pipes_to_next && !c[1].pipes_to_next && !c[2].piped_from_prev);
    }
}
