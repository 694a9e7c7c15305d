//! PEP 440 version order (PyPI): `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`,
//! with the spelling variants PEP 440 normalises (`alpha`, `beta`, `c`,
//! `pre`, `preview`, `-N` / `rev` / `r` for post, `_` and `-` separators,
//! a leading `v`, case).
//!
//! Order, as the `packaging` library sorts: epoch; release with trailing
//! zeros ignored; then a dev release of a final (`1.0.dev1`) sorts before
//! its pre-releases, pre-releases before the final, the final before its
//! post-releases; a `.devN` sorts before the same version without it; a
//! local label sorts after the version without one, numeric local segments
//! after alphanumeric ones.
//!
//! Hand-rolled: the `pep440_rs` crate would bring its specifier machinery
//! (not needed: OSV gives explicit ranges); this is the key function alone.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub epoch: u64,
    pub release: Vec<u64>,
    /// (0 = a, 1 = b, 2 = rc, number)
    pub pre: Option<(u8, u64)>,
    pub post: Option<u64>,
    pub dev: Option<u64>,
    pub local: Vec<String>,
}

/// Splits `s` at the first non-digit; the number (0 when absent) and the rest.
fn number(s: &str) -> (Option<u64>, &str) {
    let end = s.bytes().take_while(u8::is_ascii_digit).count();
    if end == 0 {
        (None, s)
    } else {
        (s[..end].parse().ok(), &s[end..])
    }
}

fn strip_sep(s: &str) -> &str {
    s.strip_prefix(['.', '-', '_']).unwrap_or(s)
}

/// Parses a version; `None` when it is not PEP 440.
pub fn parse(v: &str) -> Option<Version> {
    let lower = v.trim().to_ascii_lowercase();
    let mut s = lower.strip_prefix('v').unwrap_or(&lower);
    let (s_main, local) = match s.split_once('+') {
        Some((m, l)) => (m, Some(l)),
        None => (s, None),
    };
    s = s_main;
    let mut epoch = 0;
    if let Some((e, r)) = s.split_once('!') {
        epoch = e.parse().ok()?;
        s = r;
    }
    let mut release = Vec::new();
    loop {
        let (n, rest) = number(s);
        release.push(n?);
        s = rest;
        match s.strip_prefix('.') {
            Some(r) if r.starts_with(|c: char| c.is_ascii_digit()) => s = r,
            _ => break,
        }
    }
    let mut pre = None;
    {
        let t = strip_sep(s);
        for (word, kind) in [
            ("alpha", 0),
            ("a", 0),
            ("beta", 1),
            ("b", 1),
            ("preview", 2),
            ("pre", 2),
            ("rc", 2),
            ("c", 2),
        ] {
            if let Some(r) = t.strip_prefix(word) {
                let (n, rest) = number(strip_sep(r));
                let rest = if n.is_none() { r } else { rest };
                pre = Some((kind, n.unwrap_or(0)));
                s = rest;
                break;
            }
        }
    }
    let mut post = None;
    {
        let t = strip_sep(s);
        let mut found = false;
        for word in ["post", "rev", "r"] {
            if let Some(r) = t.strip_prefix(word) {
                let (n, rest) = number(strip_sep(r));
                post = Some(n.unwrap_or(0));
                s = if n.is_none() { r } else { rest };
                found = true;
                break;
            }
        }
        if !found && let Some(r) = s.strip_prefix('-') {
            let (n, rest) = number(r);
            if let Some(n) = n {
                post = Some(n);
                s = rest;
            }
        }
    }
    let mut dev = None;
    {
        let t = strip_sep(s);
        if let Some(r) = t.strip_prefix("dev") {
            let (n, rest) = number(strip_sep(r));
            dev = Some(n.unwrap_or(0));
            s = if n.is_none() { r } else { rest };
        }
    }
    if !s.is_empty() {
        return None;
    }
    let local = match local {
        Some("") => return None,
        Some(l) => l
            .split(['.', '-', '_'])
            .map(|x| {
                if x.is_empty() || !x.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    None
                } else {
                    Some(x.to_string())
                }
            })
            .collect::<Option<Vec<_>>>()?,
        None => Vec::new(),
    };
    Some(Version {
        epoch,
        release,
        pre,
        post,
        dev,
        local,
    })
}

/// Sort key parts with PEP 440's "below everything" / "above everything".
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Bound<T> {
    Below,
    At(T),
    Above,
}

fn local_cmp(a: &[String], b: &[String]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let xn = x.bytes().all(|c| c.is_ascii_digit());
        let yn = y.bytes().all(|c| c.is_ascii_digit());
        let o = match (xn, yn) {
            (true, true) => crate::cmp_digits(x.as_bytes(), y.as_bytes()),
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => x.cmp(y),
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

impl Ord for Version {
    fn cmp(&self, o: &Self) -> Ordering {
        let rel = |v: &Version| {
            let mut r = v.release.clone();
            while r.len() > 1 && r.last() == Some(&0) {
                r.pop();
            }
            r
        };
        let pre = |v: &Version| match (v.pre, v.post, v.dev) {
            (None, None, Some(_)) => Bound::Below,
            (None, _, _) => Bound::Above,
            (Some(p), _, _) => Bound::At(p),
        };
        let post = |v: &Version| v.post.map_or(Bound::Below, Bound::At);
        let dev = |v: &Version| v.dev.map_or(Bound::Above, Bound::At);
        self.epoch
            .cmp(&o.epoch)
            .then_with(|| rel(self).cmp(&rel(o)))
            .then_with(|| pre(self).cmp(&pre(o)))
            .then_with(|| post(self).cmp(&post(o)))
            .then_with(|| dev(self).cmp(&dev(o)))
            .then_with(|| match (self.local.is_empty(), o.local.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => local_cmp(&self.local, &o.local),
            })
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The normal form PEP 440 defines.
impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.epoch != 0 {
            write!(f, "{}!", self.epoch)?;
        }
        let r: Vec<String> = self.release.iter().map(u64::to_string).collect();
        write!(f, "{}", r.join("."))?;
        if let Some((k, n)) = self.pre {
            write!(f, "{}{n}", ["a", "b", "rc"][usize::from(k.min(2))])?;
        }
        if let Some(n) = self.post {
            write!(f, ".post{n}")?;
        }
        if let Some(n) = self.dev {
            write!(f, ".dev{n}")?;
        }
        if !self.local.is_empty() {
            write!(f, "+{}", self.local.join("."))?;
        }
        Ok(())
    }
}

/// Compares two versions (see [`crate::compare_parsed`] for text that does not parse).
pub fn compare(a: &str, b: &str) -> Ordering {
    crate::compare_parsed(a, b, parse(a), parse(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_orderings() {
        // The ordering example of PEP 440's "Summary of permitted suffixes".
        let chain = [
            "1.dev0",
            "1.0.dev456",
            "1.0a1",
            "1.0a2.dev456",
            "1.0a12.dev456",
            "1.0a12",
            "1.0b1.dev456",
            "1.0b2",
            "1.0b2.post345.dev456",
            "1.0b2.post345",
            "1.0rc1.dev456",
            "1.0rc1",
            "1.0",
            "1.0+abc.5",
            "1.0+abc.7",
            "1.0+5",
            "1.0.post456.dev34",
            "1.0.post456",
            "1.0.15",
            "1.1.dev1",
            "1!0.1",
        ];
        for w in chain.windows(2) {
            assert_eq!(compare(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
        }
        for (a, b) in [
            ("1.0", "1.0.0"),
            ("1.0alpha1", "1.0a1"),
            ("1.0-beta.2", "1.0b2"),
            ("1.0c1", "1.0rc1"),
            ("1.0-1", "1.0.post1"),
            ("1.0.rev1", "1.0.post1"),
            ("1.0.dev", "1.0.dev0"),
            ("v2.25.0", "2.25.0"),
            ("1.0RC1", "1.0rc1"),
        ] {
            assert_eq!(compare(a, b), Ordering::Equal, "{a} == {b}");
        }
        assert!(parse("1.0+").is_none());
        assert!(parse("not a version").is_none());
        assert!(parse("1.0.x").is_none());
    }

    fn version() -> impl Strategy<Value = String> {
        (
            0u64..2,
            proptest::collection::vec(0u64..12, 1..4),
            proptest::option::of((0u8..3, 0u64..4)),
            proptest::option::of(0u64..3),
            proptest::option::of(0u64..3),
            proptest::collection::vec("[a-z]{1,2}|[0-9]{1,2}", 0..2),
        )
            .prop_map(|(epoch, release, pre, post, dev, local)| {
                Version {
                    epoch,
                    release,
                    pre,
                    post,
                    dev,
                    local,
                }
                .to_string()
            })
    }

    proptest! {
        #[test]
        fn total_order(a in version(), b in version(), c in version()) {
            crate::check_total_order(compare, &a, &b, &c)?;
        }

        #[test]
        fn parse_print_roundtrip(a in version()) {
            let v = parse(&a).expect("normal forms parse");
            prop_assert_eq!(v.to_string(), a);
        }
    }
}
