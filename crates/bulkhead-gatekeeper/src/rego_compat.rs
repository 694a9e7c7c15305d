//! Source rewrites of Rego v0 modules that make regorus 0.14.1 evaluate
//! them as OPA does. Each one keeps line numbers (insertions stay on their
//! line), works on code only (not strings or comments), and is a no-op for
//! code that does not have the pattern:
//!
//! 1. A rule with several bodies, `p[x] { a } { b }`, is in OPA several
//!    definitions of `p` (OR). regorus reads the extra bodies as `else`
//!    branches and rejects them on set rules ("else cannot be used with set
//!    rules"), or for functions keeps only the first body that succeeds.
//!    Rewritten: `p[x] { a }` then `p[x] { b }` on the following line.
//! 2. A body line that starts with `(` after a line that ends with a term
//!    is, in OPA, a new expression; regorus continues the previous line's
//!    term into a call (`input.parameters.x` + `(a - b) >= c` becomes "could
//!    not find function input.parameters.x"). Rewritten: `;` after the term.
//! 3. `not f(a.b)` with a user-defined `f`: OPA hoists the reference out of
//!    the negation (`__v = a.b; not f(__v)`), so an undefined `a.b` makes the
//!    whole expression undefined (OPA issue #1877); regorus evaluates `not`
//!    of the undefined call as true. Rewritten the way OPA does.
//! 4. `sprintf("… %v …", [args])` with fewer args than verbs: OPA (Go's fmt)
//!    prints `%!v(MISSING)` for each missing one; regorus fails, so the
//!    rule is silently undefined (horizontalpodautoscaler's range message).
//!    Rewritten: the array literal is padded with the string
//!    `"%!v(MISSING)"`, which `%v` prints as Go would. Only for array
//!    literals on one line whose missing verbs are all `%v`.

use std::collections::BTreeSet;

/// Which bytes of `src` are code (not in a string, raw string or comment).
fn code_mask(src: &[u8]) -> Vec<bool> {
    let mut mask = vec![true; src.len()];
    let mut i = 0;
    while i < src.len() {
        match src[i] {
            b'#' => {
                while i < src.len() && src[i] != b'\n' {
                    mask[i] = false;
                    i += 1;
                }
            }
            b'"' => {
                mask[i] = false;
                i += 1;
                while i < src.len() && src[i] != b'"' && src[i] != b'\n' {
                    mask[i] = false;
                    if src[i] == b'\\' && i + 1 < src.len() {
                        mask[i + 1] = false;
                        i += 1;
                    }
                    i += 1;
                }
                if i < src.len() && src[i] == b'"' {
                    mask[i] = false;
                    i += 1;
                }
            }
            b'`' => {
                mask[i] = false;
                i += 1;
                while i < src.len() && src[i] != b'`' {
                    mask[i] = false;
                    i += 1;
                }
                if i < src.len() {
                    mask[i] = false;
                    i += 1;
                }
            }
            _ => i += 1,
        }
    }
    mask
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Applies the rewrites to one module; `functions` are the names of
/// user-defined functions of the template (all its modules).
pub(crate) fn rewrite(src: &str, functions: &BTreeSet<String>) -> String {
    let s = split_multi_bodies(src);
    let s = split_paren_lines(&s);
    let s = pad_sprintf_args(&s);
    hoist_negated_call_refs(&s, functions)
}

/// Rewrite 1.
fn split_multi_bodies(src: &str) -> String {
    let b = src.as_bytes();
    let mask = code_mask(b);
    let mut inserts: Vec<(usize, String)> = Vec::new();
    // Openers, each with whether it opens a rule body (a `{` at the top
    // level not preceded by `=`, which would make it the head's value).
    let mut stack: Vec<(u8, bool)> = Vec::new();
    let mut at_line_start = true;
    let mut head_start: Option<usize> = None;
    let mut head: Option<String> = None;
    let mut last_sig: Option<u8> = None;
    let mut closed_body = false;
    for i in 0..b.len() {
        let c = b[i];
        if !mask[i] {
            continue;
        }
        if c == b'\n' {
            at_line_start = true;
            continue;
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        let top = stack.is_empty();
        if at_line_start && top && c != b'{' && !src[i..].starts_with("else") {
            head_start = Some(i);
            head = None;
        }
        at_line_start = false;
        match c {
            b'{' | b'[' | b'(' => {
                let mut body = false;
                if c == b'{' && top && last_sig != Some(b'=') {
                    body = true;
                    if last_sig == Some(b'}') && closed_body {
                        if let Some(h) = &head {
                            inserts.push((i, format!("\n{h} ")));
                        }
                    } else if let Some(hs) = head_start
                        && head.is_none()
                    {
                        head = Some(src[hs..i].trim_end().to_string());
                    }
                }
                stack.push((c, body));
            }
            b'}' | b']' | b')' => {
                closed_body = stack.pop().is_some_and(|(_, body)| body) && stack.is_empty();
            }
            _ => {}
        }
        last_sig = Some(c);
    }
    apply(src, inserts)
}

/// Rewrite 2.
fn split_paren_lines(src: &str) -> String {
    let b = src.as_bytes();
    let mask = code_mask(b);
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut stack: Vec<u8> = Vec::new();
    let mut newline_since_sig = false;
    let mut last_sig: Option<(usize, u8)> = None;
    for i in 0..b.len() {
        let c = b[i];
        if c == b'\n' {
            newline_since_sig = true;
            continue;
        }
        if !mask[i] {
            // A string or comment: a string is a term.
            if (c == b'"' || c == b'`') && (i + 1 == b.len() || mask.get(i + 1) == Some(&true)) {
                last_sig = Some((i, c));
                newline_since_sig = false;
            }
            continue;
        }
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'('
            && newline_since_sig
            && stack.last() == Some(&b'{')
            && let Some((p, lc)) = last_sig
            && (is_ident(lc) || matches!(lc, b']' | b')' | b'"' | b'`'))
        {
            inserts.push((p + 1, ";".to_string()));
        }
        match c {
            b'{' | b'[' | b'(' => stack.push(c),
            b'}' | b']' | b')' => {
                stack.pop();
            }
            _ => {}
        }
        last_sig = Some((i, c));
        newline_since_sig = false;
    }
    apply(src, inserts)
}

/// Names of functions defined at the top level of a module (`name(` at the
/// start of a line).
pub(crate) fn function_names(src: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in src.lines() {
        if line.starts_with(char::is_whitespace) {
            continue;
        }
        let t = line;
        let name: String = t
            .bytes()
            .take_while(|b| is_ident(*b))
            .map(char::from)
            .collect();
        if !name.is_empty()
            && t[name.len()..].starts_with('(')
            && !matches!(name.as_str(), "package" | "import" | "default" | "not")
        {
            out.insert(name);
        }
    }
    out
}

/// Rewrite 3.
fn hoist_negated_call_refs(src: &str, functions: &BTreeSet<String>) -> String {
    let mut out = String::with_capacity(src.len());
    let mut n = 0usize;
    for (li, line) in src.split_inclusive('\n').enumerate() {
        match hoist_line(line, functions, li, &mut n) {
            Some(l) => out.push_str(&l),
            None => out.push_str(line),
        }
    }
    out
}

fn hoist_line(
    line: &str,
    functions: &BTreeSet<String>,
    li: usize,
    n: &mut usize,
) -> Option<String> {
    let body = line.trim_start();
    let indent = &line[..line.len() - body.len()];
    if indent.is_empty() {
        return None;
    }
    let rest = body.strip_prefix("not ")?.trim_start();
    let name_len = rest
        .bytes()
        .take_while(|b| is_ident(*b) || *b == b'.')
        .count();
    let name = &rest[..name_len];
    let short = name.rsplit('.').next().unwrap_or(name);
    if !functions.contains(short) || !rest[name_len..].starts_with('(') {
        return None;
    }
    let args_src = &rest[name_len + 1..];
    let ab = args_src.as_bytes();
    let mask = code_mask(ab);
    let mut depth = 0i64;
    let mut args = Vec::new();
    let mut start = 0;
    let mut close = None;
    for (i, &c) in ab.iter().enumerate() {
        if !mask[i] {
            continue;
        }
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' if depth == 0 => {
                args.push(&args_src[start..i]);
                close = Some(i);
                break;
            }
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => {
                args.push(&args_src[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    let close = close?;
    let tail = &args_src[close + 1..];
    let tail_trim = tail.trim();
    if !(tail_trim.is_empty() || tail_trim.starts_with('#')) {
        return None;
    }
    let mut pre = String::new();
    let mut new_args = Vec::new();
    let mut changed = false;
    for a in args {
        let t = a.trim();
        let tb = t.as_bytes();
        let tmask = code_mask(tb);
        let first = tb.first().copied().unwrap_or(b'0');
        let is_ref = (first.is_ascii_alphabetic() || first == b'_')
            && tb
                .iter()
                .zip(&tmask)
                .any(|(c, m)| *m && matches!(c, b'.' | b'['))
            && tb
                .iter()
                .zip(&tmask)
                .all(|(c, m)| !*m || is_ident(*c) || matches!(c, b'.' | b'[' | b']' | b'"' | b'_'));
        if is_ref {
            let v = format!("__bulkhead_arg_{li}_{}", *n);
            *n += 1;
            pre.push_str(&format!("{v} := {t}; "));
            new_args.push(v);
            changed = true;
        } else {
            new_args.push(t.to_string());
        }
    }
    if !changed {
        return None;
    }
    Some(format!(
        "{indent}{pre}not {name}({}){tail}",
        new_args.join(", ")
    ))
}

/// Rewrite 4.
fn pad_sprintf_args(src: &str) -> String {
    let b = src.as_bytes();
    let mask = code_mask(b);
    let mut inserts = Vec::new();
    let mut from = 0;
    while let Some(off) = src[from..].find("sprintf(") {
        let at = from + off;
        from = at + 8;
        if !mask[at] || (at > 0 && is_ident(b[at - 1])) {
            continue;
        }
        // The format string literal.
        let mut i = at + 8;
        while i < b.len() && b[i] == b' ' {
            i += 1;
        }
        if b.get(i) != Some(&b'"') {
            continue;
        }
        let fstart = i + 1;
        i += 1;
        while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
            if b[i] == b'\\' {
                i += 1;
            }
            i += 1;
        }
        if b.get(i) != Some(&b'"') {
            continue;
        }
        let verbs = format_verbs(&src[fstart..i]);
        i += 1;
        while i < b.len() && matches!(b[i], b' ' | b',') {
            i += 1;
        }
        if b.get(i) != Some(&b'[') {
            continue;
        }
        // Count the top-level elements of the array literal.
        let mut depth = 0i64;
        let mut elems = 0usize;
        let mut any = false;
        let mut close = None;
        for (j, &c) in b.iter().enumerate().skip(i + 1) {
            if c == b'\n' {
                break;
            }
            if !mask[j] {
                any = true;
                continue;
            }
            match c {
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    any = true;
                }
                b']' if depth == 0 => {
                    close = Some(j);
                    break;
                }
                b')' | b']' | b'}' => depth -= 1,
                b',' if depth == 0 => elems += 1,
                c if !c.is_ascii_whitespace() => any = true,
                _ => {}
            }
        }
        let Some(close) = close else { continue };
        let n = if any { elems + 1 } else { 0 };
        if n < verbs.len() && verbs[n..].iter().all(|v| *v == 'v') {
            let pad = vec!["\"%!v(MISSING)\""; verbs.len() - n].join(", ");
            let text = if n == 0 { pad } else { format!(", {pad}") };
            inserts.push((close, text));
        }
    }
    apply(src, inserts)
}

/// The verbs of a Go format string (`%%` is not one).
fn format_verbs(f: &str) -> Vec<char> {
    let mut out = Vec::new();
    let mut chars = f.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        for v in chars.by_ref() {
            if v == '%' {
                break;
            }
            if v.is_ascii_alphabetic() {
                out.push(v);
                break;
            }
        }
    }
    out
}

fn apply(src: &str, mut inserts: Vec<(usize, String)>) -> String {
    if inserts.is_empty() {
        return src.to_string();
    }
    inserts.sort_by_key(|(p, _)| *p);
    let mut out = String::with_capacity(src.len() + 64);
    let mut last = 0;
    for (p, text) in inserts {
        out.push_str(&src[last..p]);
        out.push_str(&text);
        last = p;
    }
    out.push_str(&src[last..]);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code
    use super::*;

    #[test]
    fn multi_bodies_become_definitions() {
        let src = "package p\nviolation[{\"msg\": m}] {\n  a\n} {\n  b\n}\nf(x) = y { y := 1 } else = 2 { true }\n";
        let out = split_multi_bodies(src);
        assert_eq!(
            out,
            "package p\nviolation[{\"msg\": m}] {\n  a\n} \nviolation[{\"msg\": m}] {\n  b\n}\nf(x) = y { y := 1 } else = 2 { true }\n"
        );
    }

    #[test]
    fn paren_line_is_a_new_expression() {
        let src = "p {\n  input.x\n  (1 + 2) > 0\n  f(1,\n    (2))\n}\n";
        assert_eq!(
            split_paren_lines(src),
            "p {\n  input.x;\n  (1 + 2) > 0\n  f(1,\n    (2))\n}\n"
        );
    }

    #[test]
    fn negated_call_refs_are_hoisted() {
        let fns: BTreeSet<String> = ["accept".to_string()].into();
        let src = "p {\n  not accept(rule, v, params.ranges) # c\n  not other(a.b)\n}\n";
        let out = hoist_negated_call_refs(src, &fns);
        assert_eq!(
            out,
            "p {\n  __bulkhead_arg_1_0 := params.ranges; not accept(rule, v, __bulkhead_arg_1_0) # c\n  not other(a.b)\n}\n"
        );
    }

    #[test]
    fn sprintf_missing_args_are_padded() {
        let src = "m := sprintf(\"%v <%v> %v\", [a, f(b, c)])\nn := sprintf(\"%v\", [x])\n";
        assert_eq!(
            pad_sprintf_args(src),
            "m := sprintf(\"%v <%v> %v\", [a, f(b, c), \"%!v(MISSING)\"])\nn := sprintf(\"%v\", [x])\n"
        );
    }

    #[test]
    fn head_value_object_is_not_a_body() {
        let src = "f(c) = {\"a\": 1} {\n  c\n}\n";
        assert_eq!(split_multi_bodies(src), src);
    }

    #[test]
    fn strings_and_comments_are_left_alone() {
        let src = "p { x := \"} {\" } # } {\n";
        assert_eq!(split_multi_bodies(src), src);
    }
}
