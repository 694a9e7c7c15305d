//! A Dockerfile parser with BuildKit's grammar (moby/buildkit
//! `frontend/dockerfile/parser`): parser directives (`# syntax=`,
//! `# escape=`, `# check=`), line continuations with either escape token,
//! comments inside continuations, empty-continuation warnings, heredocs
//! (`<<EOF`, `<<-EOF`, quoted delimiters, several per line), JSON versus
//! shell form, builder flags, and the per-instruction argument parsers.
//!
//! Hand-written because no maintained Rust crate parses Dockerfiles the way
//! BuildKit does (heredocs and `--mount` flags are where the others fail);
//! the conformance test replays BuildKit's own parser fixtures and compares
//! our dump with BuildKit's byte for byte.

use std::fmt::Write as _;

/// One instruction as BuildKit's parser sees it, with positions.
#[derive(Debug, Clone, PartialEq)]
pub struct Instruction {
    /// The keyword as written (`RUN`, `from`).
    pub keyword: String,
    /// Builder flags as written (`--mount=type=cache,target=/root/.cache`).
    pub flags: Vec<String>,
    /// The parsed arguments (BuildKit's `Next` chain).
    pub args: Vec<Arg>,
    /// JSON (exec) form.
    pub json: bool,
    /// The argument text after the flags (shell form source).
    pub rest: String,
    /// The whole logical line, continuations joined.
    pub original: String,
    pub heredocs: Vec<Heredoc>,
    /// 1-based first and last line (heredoc bodies included).
    pub start_line: u32,
    pub end_line: u32,
    /// 1-based column of the keyword.
    pub column: u32,
    /// Comment lines immediately above the instruction (without `#`).
    pub comments: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Str(String),
    /// ONBUILD's trigger instruction.
    Sub(Box<Instruction>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    pub name: String,
    pub file_descriptor: u32,
    /// Unquoted delimiter: variables expand in the body.
    pub expand: bool,
    /// `<<-`: leading tabs are stripped.
    pub chomp: bool,
    pub content: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    pub name: String,
    pub value: String,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub line: u32,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub directives: Vec<Directive>,
    pub escape: char,
    pub instructions: Vec<Instruction>,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: u32,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

fn err(line: u32, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

impl Instruction {
    /// Lower-cased keyword.
    pub fn name(&self) -> String {
        self.keyword.to_ascii_lowercase()
    }

    pub fn is(&self, kw: &str) -> bool {
        self.keyword.eq_ignore_ascii_case(kw)
    }

    /// String arguments (ONBUILD's sub-instruction excluded).
    pub fn strings(&self) -> impl Iterator<Item = &str> {
        self.args.iter().filter_map(|a| match a {
            Arg::Str(s) => Some(s.as_str()),
            Arg::Sub(_) => None,
        })
    }

    /// The value of `--name=value` / `--name value`-less flag, if present.
    pub fn flag(&self, name: &str) -> Option<&str> {
        self.flags.iter().find_map(|f| {
            let f = f.strip_prefix("--")?;
            match f.split_once('=') {
                Some((k, v)) if k == name => Some(v),
                None if f == name => Some(""),
                _ => None,
            }
        })
    }

    /// ONBUILD's trigger.
    pub fn sub(&self) -> Option<&Instruction> {
        self.args.iter().find_map(|a| match a {
            Arg::Sub(i) => Some(i.as_ref()),
            Arg::Str(_) => None,
        })
    }

    /// BuildKit's `Node.Dump()` of this instruction.
    pub fn dump(&self) -> String {
        let mut s = self.keyword.to_lowercase();
        if !self.flags.is_empty() {
            s.push_str(" [");
            for (i, f) in self.flags.iter().enumerate() {
                if i > 0 {
                    s.push(' ');
                }
                s.push_str(&go_quote(f));
            }
            s.push(']');
        }
        for a in &self.args {
            s.push(' ');
            match a {
                Arg::Str(v) => s.push_str(&go_quote(v)),
                Arg::Sub(i) => {
                    let _ = write!(s, "({})", i.dump());
                }
            }
        }
        s.trim().to_string()
    }
}

/// Go's `strconv.Quote`.
pub fn go_quote(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\u{7}' => o.push_str("\\a"),
            '\u{8}' => o.push_str("\\b"),
            '\u{c}' => o.push_str("\\f"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            '\u{b}' => o.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(o, "\\x{:02x}", c as u32);
            }
            c if c.is_control() => {
                let _ = write!(o, "\\u{:04x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// BuildKit's `[\t\v\f\r ]+`.
fn is_ws_re(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ')
}

fn split_ws(s: &str, n: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = s;
    loop {
        if n > 0 && out.len() + 1 == n {
            out.push(rest);
            return out;
        }
        match rest.find(is_ws_re) {
            Some(i) => {
                out.push(&rest[..i]);
                let after = &rest[i..];
                let skip = after.find(|c: char| !is_ws_re(c)).unwrap_or(after.len());
                rest = &after[skip..];
            }
            None => {
                out.push(rest);
                return out;
            }
        }
    }
}

struct DirectiveState {
    done: bool,
    seen: Vec<String>,
    line: u32,
}

fn parse_directive_line(
    st: &mut DirectiveState,
    line: &str,
) -> Result<Option<(String, String)>, String> {
    st.line += 1;
    if st.done {
        return Ok(None);
    }
    let Some(rest) = line.strip_prefix('#') else {
        st.done = true;
        return Ok(None);
    };
    let rest = rest.trim_start_matches(is_space);
    // ^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$
    let name_len = rest
        .char_indices()
        .take_while(|(i, c)| {
            if *i == 0 {
                c.is_ascii_alphabetic()
            } else {
                c.is_ascii_alphanumeric()
            }
        })
        .count();
    if name_len == 0 {
        st.done = true;
        return Ok(None);
    }
    let name = &rest[..name_len];
    let after = rest[name_len..].trim_start_matches(is_space);
    let Some(value) = after.strip_prefix('=') else {
        st.done = true;
        return Ok(None);
    };
    let value = value.trim_matches(is_space);
    if value.is_empty() {
        st.done = true;
        return Ok(None);
    }
    let key = name.to_ascii_lowercase();
    if !matches!(key.as_str(), "syntax" | "escape" | "check") {
        st.done = true;
        return Ok(None);
    }
    if st.seen.contains(&key) {
        return Err(format!("only one {key} parser directive can be used"));
    }
    st.seen.push(key.clone());
    Ok(Some((key, value.to_string())))
}

fn trim_newline(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}

fn is_comment(s: &str) -> bool {
    s.trim_start_matches(is_space).starts_with('#')
}

/// Strips a trailing continuation escape; `None` when the line does not continue.
fn continuation(line: &str, esc: char) -> Option<String> {
    let t = line.trim_end_matches([' ', '\t']);
    let before = t.strip_suffix(esc)?;
    if before.is_empty() {
        return Some(String::new());
    }
    if before.ends_with(esc) {
        return None;
    }
    Some(before.to_string())
}

/// Parses a whole Dockerfile.
pub fn parse(src: &str) -> Result<Parsed, ParseError> {
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    let lines: Vec<&str> = src.split_inclusive('\n').collect();
    let mut escape = '\\';
    let mut dstate = DirectiveState {
        done: false,
        seen: Vec::new(),
        line: 0,
    };
    let mut directives = Vec::new();
    let mut instructions = Vec::new();
    let mut warnings = Vec::new();
    let mut comments: Vec<String> = Vec::new();
    let mut i = 0usize;
    let mut current: u32 = 0;
    // processLine: trim newline, maybe leading space, parse directive, drop comments.
    let mut process = |raw: &str,
                       strip_left: bool,
                       escape: &mut char,
                       at: u32,
                       directives: &mut Vec<Directive>|
     -> Result<(String, bool), ParseError> {
        let mut t = trim_newline(raw);
        if strip_left {
            t = t.trim_start_matches(is_space);
        }
        let mut ok = false;
        match parse_directive_line(&mut dstate, t) {
            Ok(Some((k, v))) => {
                if k == "escape" {
                    if v != "`" && v != "\\" {
                        return Err(err(
                            at,
                            format!("invalid escape token '{v}' does not match ` or \\"),
                        ));
                    }
                    *escape = v.chars().next().unwrap_or('\\');
                }
                directives.push(Directive {
                    name: k,
                    value: v,
                    line: at,
                });
                ok = true;
            }
            Ok(None) => {}
            Err(e) => return Err(err(at, e)),
        }
        let out = if is_comment(t) {
            String::new()
        } else {
            t.to_string()
        };
        Ok((out, ok))
    };
    while i < lines.len() {
        let raw = lines[i];
        i += 1;
        if is_comment(raw) {
            let c = trim_newline(raw.trim_start_matches(is_space))
                .trim_start_matches('#')
                .trim();
            if c.is_empty() {
                comments.clear();
            } else {
                comments.push(c.to_string());
            }
        }
        let (text, directive_ok) = process(raw, true, &mut escape, current + 1, &mut directives)?;
        if directive_ok {
            comments.pop();
        }
        current += 1;
        let start = current;
        let column = (raw.len() - raw.trim_start_matches(is_space).len()) as u32 + 1;
        let (first, mut end_of_line) = match continuation(&text, escape) {
            Some(t) => (t, false),
            None => (text, true),
        };
        if end_of_line && first.is_empty() {
            continue;
        }
        let mut buf = first;
        let mut empty_continuation = false;
        while !end_of_line && i < lines.len() {
            let raw = lines[i];
            i += 1;
            let (text, _) = process(raw, false, &mut escape, current + 1, &mut directives)?;
            current += 1;
            if is_comment(raw) {
                continue;
            }
            if trim_newline(&text).trim_start_matches(is_space).is_empty() {
                empty_continuation = true;
                continue;
            }
            match continuation(&text, escape) {
                Some(t) => buf.push_str(&t),
                None => {
                    buf.push_str(&text);
                    end_of_line = true;
                }
            }
        }
        if empty_continuation {
            warnings.push(Warning {
                line: current,
                message: format!("empty continuation line found in: {buf}"),
            });
        }
        let mut inst = node_from_line(&buf, escape, start).map_err(|m| err(start, m))?;
        inst.comments = std::mem::take(&mut comments);
        if can_contain_heredoc(&inst) && buf.contains("<<") {
            let docs = heredocs_from_line(&buf, escape).map_err(|m| err(start, m))?;
            for mut h in docs {
                let mut content = String::new();
                let mut terminated = false;
                while i < lines.len() {
                    let raw = lines[i];
                    i += 1;
                    current += 1;
                    let mut candidate = trim_newline(raw);
                    if h.chomp {
                        candidate = candidate.trim_start_matches('\t');
                    }
                    if candidate == h.name {
                        terminated = true;
                        break;
                    }
                    content.push_str(raw);
                }
                if !terminated {
                    return Err(err(
                        start,
                        format!(
                            "unterminated heredoc <<{} (no line '{}' after line {start})",
                            h.name, h.name
                        ),
                    ));
                }
                h.content = content;
                inst.heredocs.push(h);
            }
        }
        inst.start_line = start;
        inst.end_line = current;
        inst.column = column;
        instructions.push(inst);
    }
    if instructions.is_empty() {
        return Err(err(current.max(1), "file with no instructions"));
    }
    Ok(Parsed {
        directives,
        escape,
        instructions,
        warnings,
    })
}

fn can_contain_heredoc(inst: &Instruction) -> bool {
    let target = if inst.is("onbuild") {
        match inst.sub() {
            Some(s) => s,
            None => return false,
        }
    } else {
        inst
    };
    (target.is("add") || target.is("copy") || target.is("run")) && !target.json
}

fn node_from_line(line: &str, esc: char, at: u32) -> Result<Instruction, String> {
    let trimmed = line.trim_matches(is_space);
    let parts = split_ws(trimmed, 2);
    let cmd = parts.first().copied().unwrap_or("").to_string();
    let (rest, flags) = match parts.get(1) {
        Some(a) => extract_flags(a, esc)?,
        None => (String::new(), Vec::new()),
    };
    let rest = rest.trim_matches(is_space).to_string();
    let (args, json) = match cmd.to_ascii_lowercase().as_str() {
        "add" | "copy" | "volume" => parse_maybe_json_to_list(&rest)?,
        "arg" => (
            parse_words(&rest, esc).into_iter().map(Arg::Str).collect(),
            false,
        ),
        "cmd" | "entrypoint" | "run" | "shell" => parse_maybe_json(&rest)?,
        "env" => (parse_name_val(&rest, "ENV", esc)?, false),
        "label" => (parse_name_val(&rest, "LABEL", esc)?, false),
        "expose" | "from" => (ws_list(&rest), false),
        "healthcheck" => parse_health(&rest)?,
        "maintainer" | "stopsignal" | "user" | "workdir" => (
            if rest.is_empty() {
                Vec::new()
            } else {
                vec![Arg::Str(rest.clone())]
            },
            false,
        ),
        "onbuild" => {
            if rest.is_empty() {
                (Vec::new(), false)
            } else {
                let mut child = node_from_line(&rest, esc, at)?;
                child.start_line = at;
                child.end_line = at;
                (vec![Arg::Sub(Box::new(child))], false)
            }
        }
        _ => (vec![Arg::Str(String::new())], false),
    };
    Ok(Instruction {
        keyword: cmd,
        flags,
        args,
        json,
        rest,
        original: line.to_string(),
        heredocs: Vec::new(),
        start_line: at,
        end_line: at,
        column: 1,
        comments: Vec::new(),
    })
}

fn ws_list(rest: &str) -> Vec<Arg> {
    if rest.is_empty() {
        return Vec::new();
    }
    split_ws(rest, 0)
        .into_iter()
        .map(|s| Arg::Str(s.to_string()))
        .collect()
}

fn parse_json(rest: &str) -> Result<Option<Vec<Arg>>, String> {
    let r = rest.trim_start_matches(is_space);
    if !r.starts_with('[') {
        return Ok(None);
    }
    let Ok(v) = serde_json::from_str::<Vec<serde_json::Value>>(r) else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(v.len());
    for x in v {
        match x {
            serde_json::Value::String(s) => out.push(Arg::Str(s)),
            _ => {
                return Err(
                    "when using JSON array syntax, arrays must be comprised of strings only".into(),
                );
            }
        }
    }
    Ok(Some(out))
}

fn parse_maybe_json(rest: &str) -> Result<(Vec<Arg>, bool), String> {
    if rest.is_empty() {
        return Ok((Vec::new(), false));
    }
    Ok(match parse_json(rest)? {
        Some(a) => (a, true),
        None => (vec![Arg::Str(rest.to_string())], false),
    })
}

fn parse_maybe_json_to_list(rest: &str) -> Result<(Vec<Arg>, bool), String> {
    Ok(match parse_json(rest)? {
        Some(a) => (a, true),
        None => (ws_list(rest), false),
    })
}

fn parse_health(rest: &str) -> Result<(Vec<Arg>, bool), String> {
    let bytes = rest.as_bytes();
    let sep = bytes
        .iter()
        .position(|b| (*b as char).is_whitespace())
        .unwrap_or(bytes.len());
    if sep == 0 {
        return Ok((Vec::new(), false));
    }
    let next = bytes[sep..]
        .iter()
        .position(|b| !(*b as char).is_whitespace())
        .map_or(bytes.len(), |p| sep + p);
    let (mut cmd, json) = parse_maybe_json(&rest[next..])?;
    let mut out = vec![Arg::Str(rest[..sep].to_string())];
    out.append(&mut cmd);
    Ok((out, json))
}

/// BuildKit's `parseWords`: whitespace-separated words, quotes kept,
/// the escape token kept with the character it escapes.
pub fn parse_words(rest: &str, esc: char) -> Vec<String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let chars: Vec<char> = rest.chars().collect();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut b = String::new();
    let mut pos = 0;
    while pos <= chars.len() {
        let ch = chars.get(pos).copied().unwrap_or('\0');
        if phase == Phase::Spaces {
            if pos == chars.len() {
                break;
            }
            if ch.is_whitespace() {
                pos += 1;
                continue;
            }
            phase = Phase::Word;
        }
        if (phase == Phase::Word || phase == Phase::Quote) && pos == chars.len() {
            if blank_ok || !b.is_empty() {
                words.push(std::mem::take(&mut b));
            }
            break;
        }
        if phase == Phase::Word {
            if ch.is_whitespace() {
                phase = Phase::Spaces;
                if blank_ok || !b.is_empty() {
                    words.push(std::mem::take(&mut b));
                }
                b.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            let mut ch = ch;
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == esc {
                if pos + 1 == chars.len() {
                    pos += 1;
                    continue;
                }
                b.push(ch);
                pos += 1;
                ch = chars[pos];
            }
            b.push(ch);
            pos += 1;
            continue;
        }
        if phase == Phase::Quote {
            let mut ch = ch;
            if ch == quote {
                phase = Phase::Word;
            }
            if ch == esc && quote != '\'' {
                if pos + 1 == chars.len() {
                    phase = Phase::Word;
                    pos += 1;
                    continue;
                }
                pos += 1;
                b.push(ch);
                ch = chars[pos];
            }
            b.push(ch);
            pos += 1;
        }
    }
    words
}

fn parse_name_val(rest: &str, key: &str, esc: char) -> Result<Vec<Arg>, String> {
    let words = parse_words(rest, esc);
    if words.is_empty() {
        return Ok(Vec::new());
    }
    if !words[0].contains('=') {
        let parts = split_ws(rest, 2);
        if parts.len() < 2 {
            return Err(format!("{key} must have two arguments"));
        }
        return Ok(vec![
            Arg::Str(parts[0].into()),
            Arg::Str(parts[1].into()),
            Arg::Str(String::new()),
        ]);
    }
    let mut out = Vec::new();
    for w in words {
        let Some((k, v)) = w.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {w:?}. Must be of the form: name=value"
            ));
        };
        out.push(Arg::Str(k.into()));
        out.push(Arg::Str(v.into()));
        out.push(Arg::Str("=".into()));
    }
    Ok(out)
}

/// BuildKit's `extractBuilderFlags` (byte-wise, as upstream).
fn extract_flags(line: &str, esc: char) -> Result<(String, Vec<String>), String> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let bytes = line.as_bytes();
    let esc = esc as u32 as u8;
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut b: Vec<u8> = Vec::new();
    let mut quote = 0u8;
    let mut blank_ok = false;
    let mut pos = 0;
    let to_s = |v: &[u8]| String::from_utf8_lossy(v).to_string();
    while pos <= bytes.len() {
        let mut ch = bytes.get(pos).copied().unwrap_or(0);
        if phase == Phase::Spaces {
            if pos == bytes.len() {
                break;
            }
            if (ch as char).is_whitespace() {
                pos += 1;
                continue;
            }
            if ch != b'-' || pos + 1 == bytes.len() || bytes[pos + 1] != b'-' {
                return Ok((line[pos..].to_string(), words));
            }
            phase = Phase::Word;
        }
        if (phase == Phase::Word || phase == Phase::Quote) && pos == bytes.len() {
            let w = to_s(&b);
            if w != "--" && (blank_ok || !w.is_empty()) {
                words.push(w);
            }
            break;
        }
        if phase == Phase::Word {
            if (ch as char).is_whitespace() {
                let w = to_s(&b);
                phase = Phase::Spaces;
                if w == "--" {
                    return Ok((line[pos..].to_string(), words));
                }
                if blank_ok || !w.is_empty() {
                    words.push(w);
                }
                b.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == b'\'' || ch == b'"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
            if ch == esc {
                if pos + 1 == bytes.len() {
                    pos += 1;
                    continue;
                }
                pos += 1;
                ch = bytes[pos];
            }
            b.push(ch);
            pos += 1;
            continue;
        }
        if phase == Phase::Quote {
            if ch == quote {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            if ch == esc {
                if pos + 1 == bytes.len() {
                    phase = Phase::Word;
                    pos += 1;
                    continue;
                }
                pos += 1;
                ch = bytes[pos];
            }
            b.push(ch);
        }
        pos += 1;
    }
    Ok((String::new(), words))
}

/// Splits a line into shell words keeping quotes and escapes raw
/// (BuildKit's lexer with RawQuotes and RawEscapes).
fn raw_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\\' => {
                in_word = true;
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '\'' | '"' => {
                in_word = true;
                cur.push(c);
                while let Some(n) = chars.next() {
                    cur.push(n);
                    if n == '\\' && c == '"' {
                        if let Some(m) = chars.next() {
                            cur.push(m);
                        }
                        continue;
                    }
                    if n == c {
                        break;
                    }
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// Removes quotes and escapes from one shell word; `None` if it is not
/// exactly one word.
fn unquote_word(s: &str) -> Option<String> {
    let w = raw_words(s);
    if w.len() != 1 {
        return None;
    }
    let mut out = String::new();
    let mut chars = w[0].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '\'' => {
                for n in chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                    out.push(n);
                }
            }
            '"' => {
                while let Some(n) = chars.next() {
                    match n {
                        '"' => break,
                        '\\' => out.extend(chars.next()),
                        n => out.push(n),
                    }
                }
            }
            c => out.push(c),
        }
    }
    Some(out)
}

/// `^(\d*)<<(-?)\s*([^<]*)$` on one raw word.
pub fn parse_heredoc_word(word: &str) -> Option<Heredoc> {
    let digits = word.chars().take_while(char::is_ascii_digit).count();
    let rest = word[digits..].strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let rest = rest.trim_start_matches(is_space);
    if rest.is_empty() || rest.contains('<') {
        return None;
    }
    let name = unquote_word(rest)?;
    let quotes = |s: &str| s.matches(['\'', '"']).count();
    Some(Heredoc {
        expand: quotes(&name) == quotes(rest),
        name,
        file_descriptor: word[..digits].parse().unwrap_or(0),
        chomp,
        content: String::new(),
    })
}

fn heredocs_from_line(line: &str, _esc: char) -> Result<Vec<Heredoc>, String> {
    Ok(raw_words(line)
        .iter()
        .filter_map(|w| parse_heredoc_word(w))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dump(src: &str) -> Vec<String> {
        parse(src)
            .expect("parse")
            .instructions
            .iter()
            .map(|i| format!("({})", i.dump()))
            .collect()
    }

    #[test]
    fn heredocs_several_per_line_and_chomp() {
        let p = parse("FROM alpine\nRUN <<A cat - <<-\"B\"\nfirst\nA\n\tsecond\n\tB\nCOPY --chmod=755 <<\"EOF\" /usr/bin/x\n#!/bin/sh\nEOF\nADD <<-EOT /etc/y\n\tz\n\tEOT\n").expect("parse");
        let run = &p.instructions[1];
        assert_eq!(run.heredocs.len(), 2);
        assert_eq!(run.heredocs[0].name, "A");
        assert!(run.heredocs[0].expand);
        assert_eq!(run.heredocs[1].name, "B");
        assert!(run.heredocs[1].chomp && !run.heredocs[1].expand);
        assert_eq!((run.start_line, run.end_line), (2, 6));
        let copy = &p.instructions[2];
        assert_eq!(copy.flag("chmod"), Some("755"));
        assert_eq!(copy.heredocs[0].content, "#!/bin/sh\n");
        assert_eq!(p.instructions[3].heredocs[0].name, "EOT");
        assert_eq!(p.instructions[3].start_line, 10);
    }

    #[test]
    fn flags_continuations_and_escape_directive() {
        let p = parse(
            "# escape=`\nFROM mcr.microsoft.com/windows/servercore\nRUN Write-Host `\n  hello\n",
        )
        .expect("parse");
        assert_eq!(p.escape, '`');
        assert_eq!(p.instructions[1].rest, "Write-Host   hello");
        let d = dump("FROM x\nRUN --mount=from=build,src=/out,target=/in --network=none make\n");
        assert_eq!(
            d[1],
            "(run [\"--mount=from=build,src=/out,target=/in\" \"--network=none\"] \"make\")"
        );
    }

    #[test]
    fn errors() {
        assert!(parse("").is_err());
        assert!(parse("# only\n# comments\n").is_err());
        let e = parse("FROM x\nRUN <<EOF\necho\n").expect_err("unterminated");
        assert_eq!(e.line, 2);
        assert!(e.message.contains("unterminated heredoc"));
        assert!(parse("# escape=x\nFROM a\n").is_err());
        assert!(parse("FROM a\nENV PATH\n").is_err());
        assert!(parse("CMD [\"a\", [\"b\"]]\n").is_err());
    }
}
