//! RubyGems version order, as `Gem::Version#<=>` defines it (RubyGems 3.5
//! and later).
//!
//! Valid versions: `N(.X)*(-Y(.Y)*)?` with surrounding ASCII whitespace
//! allowed, where `N` is ASCII digits, `X` ASCII letters and digits, `Y`
//! ASCII letters, digits and `-`; a blank version is `0`. The version is
//! then trimmed and every `-` becomes `.pre.` (`1.0-rc1` is `1.0.pre.rc1`,
//! that text being what RubyGems prints). It is a prerelease when it
//! contains a letter.
//!
//! Segments: the maximal runs of digits (numbers) and of letters (strings,
//! case kept) of the canonical text, which is the version with
//! - a trailing run of `0` and `.` removed from its first position that
//!   follows a letter or a `.` (trailing zero segments: `1.0.0` is `1`,
//!   `1.0.a.1.0` is `1.0.a.1`);
//! - for a prerelease, then, the first run of `0` and `.` that starts the
//!   text or follows a `.` and is followed by a letter removed (zero
//!   segments before a letter: `1.0.a.1` is `1.a.1`, `0.0.beta.1` is
//!   `beta.1`).
//!
//! Order: identical text or segments are equal; otherwise the segments
//! compare one by one, the shorter list padded with zeros: a string is
//! lower than any number (prereleases sort first: `1.0.a < 1.0`,
//! `1.8.2.a < 1.8.2`), strings compare as bytes, numbers by value (any
//! size). Text that is not a valid version sorts below every valid one (see
//! [`crate::compare_parsed`]): RubyGems refuses it.

use std::cmp::Ordering;
use std::fmt;

/// A parsed version: its text as RubyGems keeps it (trimmed, `-` as `.pre.`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub text: String,
}

fn is_blank(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r')
}

fn segments_ok(s: &str, first_digits: bool, dash: bool) -> bool {
    s.split('.').enumerate().all(|(i, seg)| {
        !seg.is_empty()
            && seg.bytes().all(|b| {
                if i == 0 && first_digits {
                    b.is_ascii_digit()
                } else {
                    b.is_ascii_alphanumeric() || (dash && b == b'-')
                }
            })
    })
}

/// Parses a version; `None` when RubyGems would call it malformed.
pub fn parse(v: &str) -> Option<Version> {
    let t = v.trim_matches(is_blank);
    if t.is_empty() {
        return Some(Version { text: "0".into() });
    }
    let (head, tail) = match t.split_once('-') {
        Some((h, r)) => (h, Some(r)),
        None => (t, None),
    };
    if !segments_ok(head, true, false) || !tail.is_none_or(|r| segments_ok(r, false, true)) {
        return None;
    }
    Some(Version {
        text: t.replace('-', ".pre."),
    })
}

/// One segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    Number(&'a str),
    String(&'a str),
}

impl Ord for Segment<'_> {
    fn cmp(&self, o: &Self) -> Ordering {
        match (self, o) {
            (Segment::Number(x), Segment::Number(y)) => {
                crate::cmp_digits(x.as_bytes(), y.as_bytes())
            }
            (Segment::String(x), Segment::String(y)) => x.as_bytes().cmp(y.as_bytes()),
            (Segment::String(_), Segment::Number(_)) => Ordering::Less,
            (Segment::Number(_), Segment::String(_)) => Ordering::Greater,
        }
    }
}

impl PartialOrd for Segment<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The runs of digits and of letters.
fn segments(s: &str) -> Vec<Segment<'_>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let digit = b[i].is_ascii_digit();
        let class = |c: u8| {
            if digit {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        if !digit && !b[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let n = b[i..].iter().take_while(|&&c| class(c)).count();
        let run = &s[i..i + n];
        out.push(if digit {
            Segment::Number(run)
        } else {
            Segment::String(run)
        });
        i += n;
    }
    out
}

fn is_zero_or_dot(c: u8) -> bool {
    c == b'0' || c == b'.'
}

impl Version {
    pub fn prerelease(&self) -> bool {
        self.text.bytes().any(|b| b.is_ascii_alphabetic())
    }

    /// The canonical text (see the module doc).
    fn canonical_text(&self) -> String {
        let s = self.text.as_str();
        let b = s.as_bytes();
        // Trailing zero segments.
        let run = b.iter().rev().take_while(|&&c| is_zero_or_dot(c)).count();
        let cut = (b.len() - run..b.len())
            .find(|&p| p > 0 && (b[p - 1].is_ascii_alphabetic() || b[p - 1] == b'.'))
            .unwrap_or(b.len());
        let s = &s[..cut];
        if !self.prerelease() {
            return s.to_string();
        }
        // Zero segments before a letter.
        let b = s.as_bytes();
        for p in 0..b.len() {
            if is_zero_or_dot(b[p]) && (p == 0 || b[p - 1] == b'.') {
                let end = p + b[p..].iter().take_while(|&&c| is_zero_or_dot(c)).count();
                if b.get(end).is_some_and(u8::is_ascii_alphabetic) {
                    return format!("{}{}", &s[..p], &s[end..]);
                }
            }
        }
        s.to_string()
    }
}

impl Ord for Version {
    fn cmp(&self, o: &Self) -> Ordering {
        if self.text == o.text {
            return Ordering::Equal;
        }
        let (x, y) = (self.canonical_text(), o.canonical_text());
        let (x, y) = (segments(&x), segments(&y));
        let zero = Segment::Number("0");
        (0..x.len().max(y.len()))
            .map(|i| {
                let a = x.get(i).unwrap_or(&zero);
                let b = y.get(i).unwrap_or(&zero);
                a.cmp(b)
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// What `Gem::Version#to_s` prints.
impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Compares two versions (see [`crate::compare_parsed`] for malformed text).
pub fn compare(a: &str, b: &str) -> Ordering {
    crate::compare_parsed(a, b, parse(a), parse(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn canonical(v: &str) -> Vec<String> {
        let v = parse(v).expect("valid");
        segments(&v.canonical_text())
            .iter()
            .map(|s| match s {
                Segment::Number(n) | Segment::String(n) => n.to_string(),
            })
            .collect()
    }

    #[test]
    fn known_orderings() {
        // Facts from RubyGems' test suite (test/rubygems/test_gem_version.rb).
        let cases = [
            ("1.0", "1.0.0", Ordering::Equal),
            ("1.0", "1.0.a", Ordering::Greater),
            ("1.8.2", "0.0.0", Ordering::Greater),
            ("1.8.2", "1.8.2.a", Ordering::Greater),
            ("1.8.2.b", "1.8.2.a", Ordering::Greater),
            ("1.8.2.a", "1.8.2", Ordering::Less),
            ("1.8.2.a10", "1.8.2.a9", Ordering::Greater),
            ("", "0", Ordering::Equal),
            ("0.beta.1", "0.0.beta.1", Ordering::Equal),
            ("0.0.beta", "0.0.beta.1", Ordering::Less),
            ("0.0.beta", "0.beta.1", Ordering::Less),
            ("5.a", "5.0.0.rc2", Ordering::Less),
            ("5.x", "5.0.0.rc2", Ordering::Greater),
            ("1.9.3", "1.9.2.99", Ordering::Greater),
            ("1.9.3", "1.9.3.1", Ordering::Less),
            ("1.2", "1.3", Ordering::Less),
            ("1.2.b1", "1.2.b.1", Ordering::Equal),
            ("1.2.pre.1", "1.2.0.pre.1.0", Ordering::Equal),
            ("1.0.0-alpha", "1.0.0-alpha.1", Ordering::Less),
            ("1.0.0-alpha.1", "1.0.0-beta.2", Ordering::Less),
            ("1.0.0-beta.2", "1.0.0-beta.11", Ordering::Less),
            ("1.0.0-beta.11", "1.0.0-rc.1", Ordering::Less),
            ("1.0.0-rc1", "1.0.0", Ordering::Less),
            ("1.0.0-1", "1", Ordering::Less),
            ("1.freeze.test", "1", Ordering::Less),
            (" 1.0 ", "1.0", Ordering::Equal),
            ("\n1.0\n", "1.0", Ordering::Equal),
            // Derived from the rules in the module doc.
            ("1.A", "1.a", Ordering::Less),
            ("1.10", "1.9", Ordering::Greater),
            ("1.0.1", "1.0.a", Ordering::Greater),
            ("1.a.0.b", "1.a.b", Ordering::Equal),
            ("2.0.0.pre1", "2.0.0.rc1", Ordering::Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b), want, "{a:?} vs {b:?}");
            assert_eq!(compare(b, a), want.reverse(), "{b:?} vs {a:?}");
        }
        assert_eq!(canonical("1.0.0"), ["1"]);
        assert_eq!(canonical("1.0.0.a.1.0"), ["1", "a", "1"]);
        assert_eq!(canonical("1.2.3-1"), ["1", "2", "3", "pre", "1"]);
        for blank in ["", "   ", " "] {
            assert_eq!(parse(blank).map(|v| v.to_string()).as_deref(), Some("0"));
        }
        assert_eq!(
            parse("5.2.4").map(|v| v.to_string()).as_deref(),
            Some("5.2.4")
        );
        for bad in [
            "junk",
            "1.0\n2.0",
            "1..2",
            "1.2 3.4",
            "2.3422222.222.222222222.22222.ads0as.dasd0.ddd2222.2.qd3e.",
            "1.",
            "1-",
            "a.1",
        ] {
            assert!(parse(bad).is_none(), "{bad:?} is malformed");
        }
        assert_eq!(compare("junk", "0"), Ordering::Less);
        for pre in [
            "1.2.0.a",
            "2.9.b",
            "22.1.50.0.d",
            "1.2.d.42",
            "1.A",
            "1-1",
            "1-a",
        ] {
            assert!(parse(pre).is_some_and(|v| v.prerelease()), "{pre}");
        }
        for rel in ["1.2.0", "2.9", "22.1.50.0"] {
            assert!(parse(rel).is_some_and(|v| !v.prerelease()), "{rel}");
        }
    }

    fn segment() -> impl Strategy<Value = String> {
        prop_oneof![
            "0|[1-9][0-9]?",
            Just("0".to_string()),
            "[a-c]{1,2}|pre|rc|A",
            "[0-9][a-c]|[a-c][0-9]|0[a-c]",
        ]
    }

    /// Versions in the form RubyGems prints them (no `-`, no blanks).
    fn printed() -> impl Strategy<Value = String> {
        ("0|[1-9][0-9]?", proptest::collection::vec(segment(), 0..5)).prop_map(|(first, rest)| {
            std::iter::once(first)
                .chain(rest)
                .collect::<Vec<_>>()
                .join(".")
        })
    }

    /// Versions with a `-` part; `odd` adds `-` next to `-` or `.`, which
    /// RubyGems accepts but prints as text it would not accept back.
    fn version_with(odd: bool) -> impl Strategy<Value = String> {
        let part = if odd {
            "[0-9a-c]{1,2}|-a|a-"
        } else {
            "[0-9a-c]{1,2}"
        };
        (
            printed(),
            proptest::option::of(proptest::collection::vec((part, "[.-]"), 1..3)),
        )
            .prop_map(|(v, tail)| match tail {
                Some(t) => {
                    let t: Vec<String> = t.into_iter().map(|(p, sep)| sep + &p).collect();
                    format!("{v}-{}", &t.concat()[1..])
                }
                None => v,
            })
    }

    fn version() -> impl Strategy<Value = String> {
        version_with(true)
    }

    proptest! {
        #[test]
        fn total_order(a in version(), b in version(), c in version()) {
            crate::check_total_order(compare, &a, &b, &c)?;
        }

        #[test]
        fn total_order_any_text(a in "[0-9a-c. -]{0,8}", b in "[0-9a-c. -]{0,8}", c in "[0-9a-c. -]{0,8}") {
            crate::check_total_order(compare, &a, &b, &c)?;
        }

        #[test]
        fn parse_print_roundtrip(a in printed()) {
            let v = parse(&a).expect("generated versions parse");
            prop_assert_eq!(v.to_string(), a);
        }

        #[test]
        fn printed_form_is_the_same_version(a in version_with(false)) {
            let v = parse(&a).expect("generated versions parse");
            prop_assert_eq!(compare(&a, &v.to_string()), Ordering::Equal);
        }
    }
}
