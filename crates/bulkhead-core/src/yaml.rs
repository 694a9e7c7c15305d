//! A YAML (and JSON) document tree that keeps the position of every node.
//!
//! Why not `serde_yaml`/`k8s-openapi` structs: findings must point at the
//! exact line of every field, `--fix` edits the original text in place, and
//! Kubernetes decodes YAML with YAML 1.1 scalar rules (`yes`/`on` are
//! booleans) that a typed serde model would not reproduce. So the events of
//! `saphyr-parser` (a maintained YAML 1.2 parser with spans) are built here
//! into a small tree with start/end positions, with:
//! - aliases expanded under a node budget (a "billion laughs" document is an
//!   error, not an out-of-memory), and nesting depth bounded;
//! - YAML 1.1 merge keys (`<<: *base`) applied, as Kubernetes' decoder does;
//! - duplicate mapping keys rejected, as `kubectl` rejects them (otherwise a
//!   later `privileged: true` could hide behind an earlier `false`).

use saphyr_parser::{Event, Parser, ScalarStyle, Span};
use std::collections::HashMap;
use std::fmt;

/// A position in the source: 1-based line and column, 0-based byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
    pub byte: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub start: Pos,
    pub end: Pos,
    /// Flow style (`{...}` / `[...]`) collection.
    pub flow: bool,
    /// The node was copied from an anchor (alias or merge key): its positions
    /// are those of the anchor, and editing it in place would change every use.
    pub aliased: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Scalar { text: String, plain: bool },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// 0-based index in the stream.
    pub index: u32,
    pub root: Node,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: u32,
    pub col: u32,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {} column {}: {}",
            self.line, self.col, self.message
        )
    }
}

/// Bounds that keep hostile input from exhausting the process.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Nodes (after alias expansion) per stream, beyond one per source byte.
    pub max_extra_nodes: usize,
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_extra_nodes: 1_000_000,
            max_depth: 256,
        }
    }
}

impl Node {
    fn new(value: Value, start: Pos, end: Pos) -> Self {
        Node {
            value,
            start,
            end,
            flow: false,
            aliased: false,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.value, Value::Seq(_))
    }

    /// The text of a scalar (plain or quoted), `None` for null and collections.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A boolean as Kubernetes' YAML decoder reads it (YAML 1.1: `true`,
    /// `yes`, `on`, `y` and their case variants). Quoted strings are not
    /// booleans.
    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar { text, plain: true } => match text.as_str() {
                "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "y"
                | "Y" => Some(true),
                "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "n"
                | "N" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// An integer as YAML 1.1 reads a plain scalar (`0x1F`, `0o17`, `017`,
    /// `0b101`, `1_000`).
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Scalar { text, plain: true } => parse_int(text),
            _ => None,
        }
    }

    pub fn entries(&self) -> &[Entry] {
        match &self.value {
            Value::Map(e) => e,
            _ => &[],
        }
    }

    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(v) => v,
            _ => &[],
        }
    }

    /// The entry for `key` in a mapping, whatever its value.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries().iter().find(|e| e.key.as_str() == Some(key))
    }

    /// The value of `key` in a mapping, `None` when absent or null (the way a
    /// Go pointer field decodes).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value).filter(|v| !v.is_null())
    }

    /// Follows a dotted path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    /// Converts to JSON keeping every scalar as the string it is written as
    /// (`1.10` stays "1.10", not the number 1.1): for documents whose
    /// scalars are all text, such as version lists.
    pub fn to_json_text(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Scalar { text, .. } => J::String(text.clone()),
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json_text).collect()),
            Value::Map(entries) => J::Object(
                entries
                    .iter()
                    .map(|e| {
                        let k = match &e.key.value {
                            Value::Scalar { text, .. } => text.clone(),
                            _ => e.key.to_json_text().to_string(),
                        };
                        (k, e.value.to_json_text())
                    })
                    .collect(),
            ),
        }
    }

    /// A tree from JSON that was parsed already (an AdmissionReview's
    /// object), without positions: strings stay strings (quoted), numbers
    /// and booleans are plain scalars, so [`Node::to_json`] gives `v` back.
    pub fn from_json(v: &serde_json::Value) -> Node {
        use serde_json::Value as J;
        let value = match v {
            J::Null => Value::Null,
            J::Bool(b) => Value::Scalar {
                text: b.to_string(),
                plain: true,
            },
            J::Number(n) => Value::Scalar {
                text: n.to_string(),
                plain: true,
            },
            J::String(s) => Value::Scalar {
                text: s.clone(),
                plain: false,
            },
            J::Array(a) => Value::Seq(a.iter().map(Node::from_json).collect()),
            J::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| Entry {
                        key: Node::new(
                            Value::Scalar {
                                text: k.clone(),
                                plain: false,
                            },
                            Pos::default(),
                            Pos::default(),
                        ),
                        value: Node::from_json(v),
                    })
                    .collect(),
            ),
        };
        let mut n = Node::new(value, Pos::default(), Pos::default());
        n.flow = matches!(v, J::Array(_) | J::Object(_));
        n
    }

    /// Converts to JSON with YAML 1.1 scalar resolution, as Kubernetes does.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Scalar { text, plain } => {
                if !plain {
                    return J::String(text.clone());
                }
                if let Some(b) = self.as_bool() {
                    return J::Bool(b);
                }
                if let Some(i) = parse_int(text) {
                    return J::from(i);
                }
                if let Some(f) = parse_float(text)
                    && let Some(n) = serde_json::Number::from_f64(f)
                {
                    return J::Number(n);
                }
                J::String(text.clone())
            }
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let mut m = serde_json::Map::new();
                for e in entries {
                    let k = match &e.key.value {
                        Value::Scalar { text, .. } => text.clone(),
                        Value::Null => "null".to_string(),
                        _ => e.key.to_json().to_string(),
                    };
                    m.insert(k, e.value.to_json());
                }
                J::Object(m)
            }
        }
    }

    fn count(&self) -> usize {
        1 + match &self.value {
            Value::Seq(v) => v.iter().map(Node::count).sum(),
            Value::Map(e) => e.iter().map(|e| e.key.count() + e.value.count()).sum(),
            _ => 0,
        }
    }

    fn mark_aliased(&mut self) {
        self.aliased = true;
        match &mut self.value {
            Value::Seq(v) => v.iter_mut().for_each(Node::mark_aliased),
            Value::Map(e) => e.iter_mut().for_each(|e| {
                e.key.mark_aliased();
                e.value.mark_aliased();
            }),
            _ => {}
        }
    }
}

fn parse_int(text: &str) -> Option<i64> {
    let t = text.replace('_', "");
    let (neg, digits) = match t.as_bytes().first()? {
        b'-' => (true, &t[1..]),
        b'+' => (false, &t[1..]),
        _ => (false, t.as_str()),
    };
    if digits.is_empty() {
        return None;
    }
    let v = if let Some(h) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(o) = digits.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()?
    } else if let Some(b) = digits.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8).ok()?
    } else if digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(if neg { -v } else { v })
}

fn parse_float(text: &str) -> Option<f64> {
    let t = text.replace('_', "");
    let looks_numeric = t
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && t.bytes().any(|b| b.is_ascii_digit());
    if looks_numeric { t.parse().ok() } else { None }
}

/// Spaces inserted by [`reindent_flow`]: (char index in the parsed text
/// where they start, how many, 1-based line).
type Shift = (usize, usize, usize);

/// Maps the parser's character indices to byte offsets (and, for a text
/// re-indented by [`reindent_flow`], back to the original's positions).
struct Offsets {
    ascii: bool,
    bytes: Vec<usize>,
    /// Spaces inserted: (char index in the parsed text where they start,
    /// how many, line), in text order.
    shifts: Vec<Shift>,
}

impl Offsets {
    fn new(src: &str) -> Self {
        if src.is_ascii() {
            Offsets {
                ascii: true,
                bytes: Vec::new(),
                shifts: Vec::new(),
            }
        } else {
            let mut bytes: Vec<usize> = src.char_indices().map(|(b, _)| b).collect();
            bytes.push(src.len());
            Offsets {
                ascii: false,
                bytes,
                shifts: Vec::new(),
            }
        }
    }

    fn pos(&self, m: saphyr_parser::Marker) -> Pos {
        let mut index = m.index();
        let mut col = m.col();
        let mut removed = 0;
        for &(at, k, line) in &self.shifts {
            if at > index {
                break;
            }
            removed += k.min(index - at);
            if line == m.line() {
                col = col.saturating_sub(k);
            }
        }
        index -= removed;
        let byte = if self.ascii {
            index
        } else {
            self.bytes
                .get(index)
                .copied()
                .unwrap_or_else(|| self.bytes.last().copied().unwrap_or(0))
        };
        Pos {
            line: u32::try_from(m.line()).unwrap_or(u32::MAX),
            col: u32::try_from(col + 1).unwrap_or(u32::MAX),
            byte,
        }
    }
}

/// go-yaml and libyaml (so `docker compose`, `kubectl` and PyYAML) accept a
/// flow collection whose continuation lines — typically the closing `]` —
/// sit at or left of the indentation of the key that opened it; YAML 1.2
/// and saphyr reject it ("invalid indentation"). This re-indents such lines
/// one column past the opening line, tracking brackets outside quoted
/// scalars and comments, and returns the new text with the insertions (for
/// [`Offsets`]), or `None` when no line needed it.
fn reindent_flow(src: &str) -> Option<(String, Vec<Shift>)> {
    let mut out = String::with_capacity(src.len() + 64);
    let mut shifts = Vec::new();
    let mut depth = 0usize;
    let mut opener = 0usize;
    let mut quote: Option<char> = None;
    let mut chars = 0usize;
    for (n, line) in src.split_inclusive('\n').enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if depth > 0 && quote.is_none() && indent <= opener && !line.trim().is_empty() {
            let k = opener + 1 - indent;
            shifts.push((chars, k, n + 1));
            out.extend(std::iter::repeat_n(' ', k));
            chars += k;
        }
        let mut prev = ' ';
        let mut it = line.chars().peekable();
        let mut at_value_start = quote.is_none();
        while let Some(c) = it.next() {
            match quote {
                Some('\'') if c == '\'' => {
                    if it.peek() == Some(&'\'') {
                        it.next();
                    } else {
                        quote = None;
                    }
                }
                Some('"') if c == '\\' => {
                    it.next();
                }
                Some('"') if c == '"' => quote = None,
                Some(_) => {}
                None => match c {
                    '#' if prev == ' ' || prev == '\t' => break,
                    '\'' | '"' if depth > 0 || at_value_start => quote = Some(c),
                    '[' | '{' if depth > 0 || at_value_start => {
                        if depth == 0 {
                            opener = indent;
                        }
                        depth += 1;
                    }
                    ']' | '}' if depth > 0 => depth -= 1,
                    _ => {}
                },
            }
            // A flow collection or a quoted scalar starts a value: at the
            // start of the line, or after `key: ` or `- `.
            at_value_start = quote.is_none()
                && (c == ' ' || c == '\t')
                && (at_value_start || prev == ':' || prev == '-');
            prev = c;
        }
        out.push_str(line);
        chars += line.chars().count();
    }
    (!shifts.is_empty()).then_some((out, shifts))
}

enum Frame {
    Seq {
        start: Pos,
        flow: bool,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: Pos,
        flow: bool,
        anchor: usize,
        entries: Vec<Entry>,
        pending_key: Option<Node>,
    },
}

struct Builder<'a> {
    src: &'a str,
    offsets: Offsets,
    limits: Limits,
    budget: usize,
    used: usize,
    stack: Vec<Frame>,
    anchors: HashMap<usize, (Node, usize)>,
    docs: Vec<Document>,
    root: Option<Node>,
}

fn err_at(p: Pos, message: impl Into<String>) -> YamlError {
    YamlError {
        line: p.line,
        col: p.col,
        message: message.into(),
    }
}

impl Builder<'_> {
    fn charge(&mut self, n: usize, at: Pos) -> Result<(), YamlError> {
        self.used = self.used.saturating_add(n);
        if self.used > self.budget {
            return Err(err_at(
                at,
                format!(
                    "document expands to more than {} nodes through aliases (a \"billion laughs\" document?)",
                    self.budget
                ),
            ));
        }
        Ok(())
    }

    fn push_node(&mut self, node: Node, anchor: usize) -> Result<(), YamlError> {
        if anchor != 0 {
            let n = node.count();
            self.anchors.insert(anchor, (node.clone(), n));
        }
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                pending_key,
                ..
            }) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => entries.push(Entry { key, value: node }),
            },
        }
        Ok(())
    }

    fn on_event(&mut self, ev: Event<'_>, span: Span) -> Result<(), YamlError> {
        let start = self.offsets.pos(span.start);
        let end = self.offsets.pos(span.end);
        match ev {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart(_) => {
                self.root = None;
                self.anchors.clear();
            }
            Event::DocumentEnd => {
                let index = u32::try_from(self.docs.len()).unwrap_or(u32::MAX);
                let root = self
                    .root
                    .take()
                    .unwrap_or_else(|| Node::new(Value::Null, start, start));
                self.docs.push(Document { index, root });
            }
            Event::Alias(id) => {
                let Some((node, n)) = self.anchors.get(&id) else {
                    return Err(err_at(start, "alias refers to an unknown anchor"));
                };
                let n = *n;
                let mut node = node.clone();
                self.charge(n, start)?;
                node.mark_aliased();
                self.push_node(node, 0)?;
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.charge(1, start)?;
                let plain = matches!(style, ScalarStyle::Plain);
                let is_str_tag = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let null = plain
                    && !is_str_tag
                    && matches!(text.as_ref(), "" | "~" | "null" | "Null" | "NULL");
                let value = if null {
                    Value::Null
                } else {
                    Value::Scalar {
                        text: text.into_owned(),
                        plain: plain && !is_str_tag,
                    }
                };
                self.push_node(Node::new(value, start, end), anchor)?;
            }
            Event::SequenceStart(anchor, _) => {
                self.charge(1, start)?;
                self.check_depth(start)?;
                let flow = self.src.as_bytes().get(start.byte) == Some(&b'[');
                self.stack.push(Frame::Seq {
                    start,
                    flow,
                    anchor,
                    items: Vec::new(),
                });
            }
            Event::MappingStart(anchor, _) => {
                self.charge(1, start)?;
                self.check_depth(start)?;
                let flow = self.src.as_bytes().get(start.byte) == Some(&b'{');
                self.stack.push(Frame::Map {
                    start,
                    flow,
                    anchor,
                    entries: Vec::new(),
                    pending_key: None,
                });
            }
            Event::SequenceEnd => {
                let Some(Frame::Seq {
                    start: s,
                    flow,
                    anchor,
                    items,
                }) = self.stack.pop()
                else {
                    return Err(err_at(start, "unbalanced sequence end"));
                };
                let e = if flow {
                    end
                } else {
                    items.last().map_or(s, |n| n.end)
                };
                let mut node = Node::new(Value::Seq(items), s, e);
                node.flow = flow;
                self.push_node(node, anchor)?;
            }
            Event::MappingEnd => {
                let Some(Frame::Map {
                    start: s,
                    flow,
                    anchor,
                    entries,
                    ..
                }) = self.stack.pop()
                else {
                    return Err(err_at(start, "unbalanced mapping end"));
                };
                let entries = merge_keys(entries)?;
                check_duplicates(&entries)?;
                let e = if flow {
                    end
                } else {
                    entries
                        .last()
                        .map_or(s, |en| en.value.end.max_by_byte(en.key.end))
                };
                let mut node = Node::new(Value::Map(entries), s, e);
                node.flow = flow;
                self.push_node(node, anchor)?;
            }
        }
        Ok(())
    }

    fn check_depth(&self, at: Pos) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(err_at(
                at,
                format!("nesting deeper than {} levels", self.limits.max_depth),
            ));
        }
        Ok(())
    }
}

impl Pos {
    fn max_by_byte(self, other: Pos) -> Pos {
        if other.byte > self.byte { other } else { self }
    }
}

/// Applies YAML 1.1 merge keys: entries of `<<: map` or `<<: [maps]` are
/// added where the mapping does not define the key itself.
fn merge_keys(entries: Vec<Entry>) -> Result<Vec<Entry>, YamlError> {
    let is_merge =
        |e: &Entry| matches!(&e.key.value, Value::Scalar { text, plain: true } if text == "<<");
    if !entries.iter().any(is_merge) {
        return Ok(entries);
    }
    let (merges, mut own): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(is_merge);
    for m in merges {
        let sources: Vec<Node> = match m.value.value {
            Value::Map(_) => vec![m.value],
            Value::Seq(items) => items,
            _ => {
                return Err(err_at(
                    m.value.start,
                    "merge key '<<' needs a mapping or a list of mappings",
                ));
            }
        };
        for src in sources {
            let Value::Map(src_entries) = src.value else {
                return Err(err_at(
                    src.start,
                    "merge key '<<' needs a mapping or a list of mappings",
                ));
            };
            for mut e in src_entries {
                let k = e.key.as_str().map(str::to_owned);
                if k.is_some() && own.iter().any(|o| o.key.as_str() == k.as_deref()) {
                    continue;
                }
                e.key.mark_aliased();
                e.value.mark_aliased();
                own.push(e);
            }
        }
    }
    Ok(own)
}

fn check_duplicates(entries: &[Entry]) -> Result<(), YamlError> {
    if entries.len() < 2 {
        return Ok(());
    }
    let mut seen: HashMap<&str, Pos> = HashMap::with_capacity(entries.len());
    for e in entries {
        if let Some(k) = e.key.as_str()
            && let Some(first) = seen.insert(k, e.key.start)
        {
            return Err(err_at(
                e.key.start,
                format!("duplicate key '{k}' (first defined at line {})", first.line),
            ));
        }
    }
    Ok(())
}

/// Parses a YAML (or JSON) stream into documents.
pub fn parse(src: &str, limits: Limits) -> Result<Vec<Document>, YamlError> {
    match parse_with(src, src, limits, Vec::new()) {
        Err(e) if e.message.starts_with("invalid indentation") => match reindent_flow(src) {
            Some((fixed, shifts)) => parse_with(src, &fixed, limits, shifts).map_err(|_| e),
            None => Err(e),
        },
        other => other,
    }
}

fn parse_with(
    src: &str,
    text: &str,
    limits: Limits,
    shifts: Vec<Shift>,
) -> Result<Vec<Document>, YamlError> {
    let mut offsets = Offsets::new(src);
    offsets.shifts = shifts;
    let mut b = Builder {
        src,
        offsets,
        limits,
        budget: src.len().saturating_add(limits.max_extra_nodes),
        used: 0,
        stack: Vec::new(),
        anchors: HashMap::new(),
        docs: Vec::new(),
        root: None,
    };
    let mut parser = Parser::new_from_str(text);
    for item in &mut parser {
        match item {
            Ok((ev, span)) => b.on_event(ev, span)?,
            Err(e) => {
                let p = b.offsets.pos(*e.marker());
                return Err(YamlError {
                    line: p.line,
                    col: p.col,
                    message: e.info().to_string(),
                });
            }
        }
    }
    Ok(b.docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_json_round_trips() {
        let v = serde_json::json!({"a": [1, 2.5, true, null, "true", "007", {"b": "x"}], "c": {}});
        assert_eq!(Node::from_json(&v).to_json(), v);
    }

    fn one(src: &str) -> Node {
        let mut d = parse(src, Limits::default()).expect("parse");
        assert_eq!(d.len(), 1);
        d.remove(0).root
    }

    #[test]
    fn flow_collections_closed_left_of_their_key_parse_as_go_yaml_does() {
        // getsentry/self-hosted's healthcheck: the `]` sits at the key's column.
        let src = "svc:\n  test: [\n      \"CMD-SHELL\",\n      # a comment with ] in it\n      'it''s [x'\n  ]\n  interval: 30s\n";
        let root = one(src);
        let test = root.get("svc").and_then(|s| s.get("test")).expect("test");
        let Value::Seq(items) = &test.value else {
            panic!("{test:?}")
        };
        assert_eq!(items.len(), 2);
        assert_eq!(items[1].as_str(), Some("it's [x"));
        // Positions are the original text's: line 5, column 7, its byte offset.
        assert_eq!((items[1].start.line, items[1].start.col), (5, 7));
        assert_eq!(&src[items[1].start.byte..items[1].start.byte + 4], "'it'");
        let interval = root
            .get("svc")
            .and_then(|s| s.get("interval"))
            .expect("interval");
        assert_eq!((interval.start.line, interval.start.col), (7, 13));
        assert_eq!(&src[interval.start.byte..interval.end.byte], "30s");
        // A real indentation error still is one.
        assert!(parse("a:\n  b: 1\n c: 2\n", Limits::default()).is_err());
    }

    #[test]
    fn positions_of_fields() {
        let n = one("a: 1\nb:\n  c: true # comment\n  d: [x, 'y']\n");
        let c = n.path(&["b", "c"]).expect("c");
        assert_eq!((c.start.line, c.start.col), (3, 6));
        assert_eq!(c.as_bool(), Some(true));
        let d = n.path(&["b", "d"]).expect("d");
        assert!(d.flow);
        assert_eq!(d.items()[1].as_str(), Some("y"));
        assert_eq!(
            &"a: 1\nb:\n  c: true # comment\n  d: [x, 'y']\n"[d.start.byte..d.end.byte],
            "[x, 'y']"
        );
    }

    #[test]
    fn yaml11_scalars() {
        let n = one("a: yes\nb: 'yes'\nc: 0x10\nd: 017\ne: ~\nf:\ng: 1_000\n");
        assert_eq!(n.get("a").and_then(Node::as_bool), Some(true));
        assert_eq!(n.get("b").and_then(Node::as_bool), None);
        assert_eq!(n.get("c").and_then(Node::as_i64), Some(16));
        assert_eq!(n.get("d").and_then(Node::as_i64), Some(15));
        assert!(n.get("e").is_none() && n.entry("e").is_some());
        assert!(n.get("f").is_none());
        assert_eq!(n.get("g").and_then(Node::as_i64), Some(1000));
    }

    #[test]
    fn anchors_and_merge_keys() {
        let n = one("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nlist: [*b]\n");
        let u = n.get("use").expect("use");
        assert_eq!(u.get("x").and_then(Node::as_i64), Some(1));
        assert_eq!(u.get("y").and_then(Node::as_i64), Some(3));
        assert!(u.get("x").is_some_and(|x| x.aliased));
        assert!(n.get("list").expect("list").items()[0].aliased);
    }

    #[test]
    fn billion_laughs_is_an_error() {
        let mut s = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        let names = ["b", "c", "d", "e", "f", "g", "h", "i"];
        let mut prev = "a";
        for n in names {
            s.push_str(&format!("{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
            prev = n;
        }
        let e = parse(&s, Limits::default()).expect_err("must fail");
        assert!(e.message.contains("billion laughs"), "{e}");
    }

    #[test]
    fn deep_nesting_is_an_error() {
        let s = "a:\n".to_string() + &"[".repeat(100_000);
        assert!(parse(&s, Limits::default()).is_err());
        let mut deep = String::new();
        for i in 0..400 {
            deep.push_str(&" ".repeat(i));
            deep.push_str("k:\n");
        }
        let e = parse(&deep, Limits::default()).expect_err("too deep");
        assert!(e.message.contains("nesting"), "{e}");
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let e = parse("a: 1\nb: 2\na: 3\n", Limits::default()).expect_err("dup");
        assert_eq!(e.line, 3);
        assert!(e.message.contains("duplicate key 'a'"));
    }

    #[test]
    fn json_and_multi_docs() {
        let d = parse("{\"kind\": \"Pod\", \"n\": [1, 2]}\n", Limits::default()).expect("json");
        assert_eq!(d[0].root.get("kind").and_then(Node::as_str), Some("Pod"));
        let d = parse("a: 1\n---\n---\nb: 2\n", Limits::default()).expect("multi");
        assert_eq!(d.len(), 3);
        assert!(d[1].root.is_null());
        assert_eq!(d[2].index, 2);
    }

    #[test]
    fn non_ascii_offsets() {
        let src = "é: ü\nk: v\n";
        let n = one(src);
        let v = n.get("k").expect("k");
        assert_eq!(&src[v.start.byte..v.end.byte], "v");
    }
}
