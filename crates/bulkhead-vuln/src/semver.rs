//! Semantic Versioning 2.0 order, as OSV `SEMVER` ranges and the Go, npm and
//! crates.io ecosystems use it: `[v]MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]`.
//!
//! Precedence: the numeric core, then a release sorts after any of its
//! pre-releases, and pre-release identifiers compare one by one (numeric
//! ones numerically and below alphanumeric ones; a longer list wins a tie).
//! Build metadata is ignored, so Go's `+incompatible` compares as the plain
//! version and Go pseudo-versions (`v0.0.0-20210101000000-abcdef`) order as
//! the pre-releases they are. A leading `v` is accepted (Go module versions).
//!
//! Hand-rolled rather than the `semver` crate: that crate is strict (no `v`,
//! no short cores such as `1.2` that advisories do contain) and its
//! comparison includes build metadata, which OSV says to ignore.

use std::cmp::Ordering;

/// A parsed version; `core` holds at least three numbers (missing ones are 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version<'a> {
    pub core: Vec<u64>,
    pub pre: Vec<&'a str>,
    pub build: Option<&'a str>,
}

/// Parses a version; `None` when the core is not dot-separated numbers.
pub fn parse(v: &str) -> Option<Version<'_>> {
    let v = v.trim();
    let v = v.strip_prefix('v').unwrap_or(v);
    let (rest, build) = match v.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (v, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, p.split('.').collect()),
        None => (rest, Vec::new()),
    };
    let mut nums = Vec::with_capacity(3);
    for part in core.split('.') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        nums.push(part.parse().ok()?);
    }
    while nums.len() < 3 {
        nums.push(0);
    }
    Some(Version {
        core: nums,
        pre,
        build,
    })
}

fn ident(a: &str, b: &str) -> Ordering {
    let an = !a.is_empty() && a.bytes().all(|c| c.is_ascii_digit());
    let bn = !b.is_empty() && b.bytes().all(|c| c.is_ascii_digit());
    match (an, bn) {
        (true, true) => crate::cmp_digits(a.as_bytes(), b.as_bytes()),
        (true, false) => Ordering::Less,
        (false, true) => Ordering::Greater,
        (false, false) => a.cmp(b),
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.core.len().max(other.core.len());
        for i in 0..n {
            let (a, b) = (
                self.core.get(i).copied().unwrap_or(0),
                other.core.get(i).copied().unwrap_or(0),
            );
            if a != b {
                return a.cmp(&b);
            }
        }
        match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => return Ordering::Equal,
            (true, false) => return Ordering::Greater,
            (false, true) => return Ordering::Less,
            _ => {}
        }
        for (a, b) in self.pre.iter().zip(&other.pre) {
            let o = ident(a, b);
            if o != Ordering::Equal {
                return o;
            }
        }
        self.pre.len().cmp(&other.pre.len())
    }
}

impl PartialOrd for Version<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl std::fmt::Display for Version<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let core: Vec<String> = self.core.iter().map(u64::to_string).collect();
        write!(f, "{}", core.join("."))?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre.join("."))?;
        }
        if let Some(b) = self.build {
            write!(f, "+{b}")?;
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
        // The precedence example of semver.org §11, in order.
        let chain = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "2.0.0",
            "2.1.0",
            "2.1.1",
        ];
        for w in chain.windows(2) {
            assert_eq!(compare(w[0], w[1]), Ordering::Less, "{} < {}", w[0], w[1]);
            assert_eq!(compare(w[1], w[0]), Ordering::Greater);
        }
        assert_eq!(compare("v1.2.3", "1.2.3"), Ordering::Equal);
        assert_eq!(compare("1.0.0+build.1", "1.0.0+build.2"), Ordering::Equal);
        assert_eq!(compare("v2.0.0+incompatible", "2.0.0"), Ordering::Equal);
        assert_eq!(compare("1.10.0", "1.9.0"), Ordering::Greater);
        assert_eq!(compare("1.2", "1.2.0"), Ordering::Equal);
        // Go pseudo-versions: below the release they precede, ordered by time.
        assert_eq!(
            compare(
                "v0.0.0-20210101000000-abcdef012345",
                "v0.0.0-20220101000000-abcdef012345"
            ),
            Ordering::Less
        );
        assert_eq!(
            compare("v1.2.4-0.20210101000000-abcdef012345", "v1.2.4"),
            Ordering::Less
        );
        assert_eq!(
            compare("v1.2.4-0.20210101000000-abcdef012345", "v1.2.3"),
            Ordering::Greater
        );
        assert_eq!(compare("1.0.0-2", "1.0.0-10"), Ordering::Less);
        assert_eq!(compare("garbage", "0.0.0"), Ordering::Less);
    }

    fn version() -> impl Strategy<Value = String> {
        (
            0u64..4,
            0u64..12,
            0u64..12,
            proptest::collection::vec("(0|[1-9][0-9]?|[a-z]{1,3}|[a-z]+-[0-9])", 0..3),
            proptest::option::of("[a-z0-9]{1,4}"),
        )
            .prop_map(|(a, b, c, pre, build)| {
                let mut s = format!("{a}.{b}.{c}");
                if !pre.is_empty() {
                    s.push('-');
                    s.push_str(&pre.join("."));
                }
                if let Some(b) = build {
                    s.push('+');
                    s.push_str(&b);
                }
                s
            })
    }

    proptest! {
        #[test]
        fn total_order(a in version(), b in version(), c in version()) {
            crate::check_total_order(compare, &a, &b, &c)?;
        }

        #[test]
        fn parse_print_roundtrip(a in version()) {
            let v = parse(&a).expect("generated versions parse");
            prop_assert_eq!(v.to_string(), a);
        }
    }
}
