//! RPM version order: `rpmvercmp` on each part of an EVR
//! `[epoch:]version[-release]`, as rpm's `rpmverCmp` compares them.
//!
//! Splitting: leading ASCII digits followed by `:` are the epoch (an empty
//! one, `:1.0`, is 0; a missing one is 0 as well); the release is what
//! follows the last `-`; the version is the rest, and must not be empty.
//!
//! Order: epoch, then version, then release, each with `rpmvercmp`; a
//! missing release sorts below any release (`1.0 < 1.0-1`).
//!
//! `rpmvercmp(a, b)`: identical strings are equal. Otherwise both strings
//! are walked side by side, skipping separators (every byte other than an
//! ASCII letter, digit, `~` or `^`; several count as one, and which one does
//! not matter: `1.0 == 1_0`), and then:
//! - `~` sorts before everything, even the end of the string
//!   (`1.0~rc1 < 1.0`); two `~` match and the walk goes on;
//! - `^` sorts after the end of the string but before anything else
//!   (`1.0 < 1.0^git1 < 1.0.1`); two `^` match;
//! - if either string has ended the walk stops;
//! - otherwise a maximal run of digits or of letters is taken from each: a
//!   digit run is newer than a letter run; digit runs compare as numbers
//!   (leading zeros ignored, any length: `10.0001 == 10.1`), letter runs as
//!   bytes (case matters, `a < aa < b`).
//!
//! When the walk stops, the string with something left (letters or digits)
//! is newer; if both are used up they are equal, whatever separators
//! trailed (`1.0. == 1.0`).

use std::cmp::Ordering;
use std::fmt;

/// A parsed EVR, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version<'a> {
    /// The digits before `:` (maybe empty), when there is a `:` after them.
    pub epoch: Option<&'a str>,
    pub version: &'a str,
    /// What follows the last `-`, when there is one.
    pub release: Option<&'a str>,
}

/// Splits an EVR; `None` when the version part is empty.
pub fn parse(evr: &str) -> Option<Version<'_>> {
    let digits = evr.bytes().take_while(u8::is_ascii_digit).count();
    let (epoch, rest) = match evr[digits..].strip_prefix(':') {
        Some(rest) => (Some(&evr[..digits]), rest),
        None => (None, evr),
    };
    let (version, release) = match rest.rsplit_once('-') {
        Some((v, r)) => (v, Some(r)),
        None => (rest, None),
    };
    if version.is_empty() {
        return None;
    }
    Some(Version {
        epoch,
        version,
        release,
    })
}

fn is_separator(c: u8) -> bool {
    !c.is_ascii_alphanumeric() && c != b'~' && c != b'^'
}

/// The length of the run at the start of `s` whose bytes satisfy `f`.
fn run(s: &[u8], f: impl Fn(&u8) -> bool) -> usize {
    s.iter().take_while(|c| f(c)).count()
}

/// rpm's `rpmvercmp` on one part (epoch, version or release).
pub fn vercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    loop {
        a = &a[run(a, |&c| is_separator(c))..];
        b = &b[run(b, |&c| is_separator(c))..];
        let (x, y) = (a.first().copied(), b.first().copied());
        if x.is_none() && y.is_none() {
            return Ordering::Equal;
        }
        if x == Some(b'~') || y == Some(b'~') {
            if x != Some(b'~') {
                return Ordering::Greater;
            }
            if y != Some(b'~') {
                return Ordering::Less;
            }
            (a, b) = (&a[1..], &b[1..]);
            continue;
        }
        if x == Some(b'^') || y == Some(b'^') {
            match (x, y) {
                (None, _) => return Ordering::Less,
                (_, None) => return Ordering::Greater,
                (Some(b'^'), Some(b'^')) => {
                    (a, b) = (&a[1..], &b[1..]);
                    continue;
                }
                (Some(b'^'), _) => return Ordering::Less,
                _ => return Ordering::Greater,
            }
        }
        let (Some(x), Some(_)) = (x, y) else {
            // One has ended: the other, with something left, is newer.
            return if x.is_none() {
                Ordering::Less
            } else {
                Ordering::Greater
            };
        };
        let numeric = x.is_ascii_digit();
        let class = |c: &u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let (n, m) = (run(a, class), run(b, class));
        if m == 0 {
            // Different kinds: digits are newer than letters.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let o = if numeric {
            crate::cmp_digits(&a[..n], &b[..m])
        } else {
            a[..n].cmp(&b[..m])
        };
        if o != Ordering::Equal {
            return o;
        }
        (a, b) = (&a[n..], &b[m..]);
    }
}

impl Ord for Version<'_> {
    fn cmp(&self, o: &Self) -> Ordering {
        let epoch = |v: &Self| match v.epoch {
            None | Some("") => "0",
            Some(e) => e,
        };
        vercmp(epoch(self), epoch(o))
            .then_with(|| vercmp(self.version, o.version))
            .then_with(|| match (self.release, o.release) {
                (Some(x), Some(y)) => vercmp(x, y),
                (x, y) => x.is_some().cmp(&y.is_some()),
            })
    }
}

impl PartialOrd for Version<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(e) = self.epoch {
            write!(f, "{e}:")?;
        }
        f.write_str(self.version)?;
        if let Some(r) = self.release {
            write!(f, "-{r}")?;
        }
        Ok(())
    }
}

/// Compares two EVRs (see [`crate::compare_parsed`] for an empty version).
pub fn compare(a: &str, b: &str) -> Ordering {
    crate::compare_parsed(a, b, parse(a), parse(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_orderings() {
        // rpmvercmp facts from rpm's test suite (tests/rpmvercmp.at).
        let cases = [
            ("1.0", "1.0", 0),
            ("1.0", "2.0", -1),
            ("2.0.1", "2.0.1", 0),
            ("2.0", "2.0.1", -1),
            ("2.0.1a", "2.0.1", 1),
            ("5.5p1", "5.5p2", -1),
            ("5.5p1", "5.5p10", -1),
            ("10xyz", "10.1xyz", -1),
            ("xyz10", "xyz10.1", -1),
            ("xyz.4", "8", -1),
            ("xyz.4", "2", -1),
            ("5.5p2", "5.6p1", -1),
            ("5.6p1", "6.5p1", -1),
            ("6.0.rc1", "6.0", 1),
            ("10b2", "10a1", 1),
            ("10a2", "10b2", -1),
            ("1.0a", "1.0aa", -1),
            ("10.0001", "10.1", 0),
            ("10.0001", "10.0039", -1),
            ("4.999.9", "5.0", -1),
            ("20101121", "20101122", -1),
            ("2.0", "2_0", 0),
            ("a+", "a_", 0),
            ("+a", "_a", 0),
            ("_+", "+_", 0),
            ("+", "_", 0),
            ("1.0~rc1", "1.0", -1),
            ("1.0~rc1", "1.0~rc2", -1),
            ("1.0~rc1~git123", "1.0~rc1", -1),
            ("1.0^", "1.0", 1),
            ("1.0^git1", "1.0", 1),
            ("1.0^git1", "1.0^git2", -1),
            ("1.0^git1", "1.01", -1),
            ("1.0^20160101", "1.0.1", -1),
            ("1.0^20160102", "1.0^20160101^git1", 1),
            ("1.0~rc1^git1", "1.0~rc1", 1),
            ("1.0^git1", "1.0^git1~pre", 1),
        ];
        for (a, b, want) in cases {
            let want = want.cmp(&0);
            assert_eq!(vercmp(a, b), want, "{a} vs {b}");
            assert_eq!(vercmp(b, a), want.reverse(), "{b} vs {a}");
        }
        // EVR facts from rpm's Python and Lua bindings tests
        // (tests/rpmpython.at, tests/rpmmacro.at), which use rpmverCmp.
        let evr = [
            ("1.0", "4:1.0", Ordering::Less),
            ("4:1.0", "1.5-1", Ordering::Greater),
            ("1.5-1", "3:2.0-1", Ordering::Less),
            ("1:4.16-5", "4.4-1", Ordering::Greater),
            // Epoch 0 is the missing epoch; a missing release is the lowest.
            ("0:1.0-1", "1.0-1", Ordering::Equal),
            (":1.0-1", "1.0-1", Ordering::Equal),
            ("1.0", "1.0-1", Ordering::Less),
            ("2:1.0-1.el9", "10:0.1-1.el9", Ordering::Less),
            ("1.2.3-4.el9_2", "1.2.3-4.el9_10", Ordering::Less),
            ("1.2.3-4.el9", "1.2.3-4.el9_1", Ordering::Less),
            ("3.0.7-24.el9", "3.0.7-27.el9", Ordering::Less),
        ];
        for (a, b, want) in evr {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
        let v = parse("1:4.16-5").expect("parses");
        assert_eq!(
            (v.epoch, v.version, v.release),
            (Some("1"), "4.16", Some("5"))
        );
        let v = parse("4.16-1").expect("parses");
        assert_eq!((v.epoch, v.version, v.release), (None, "4.16", Some("1")));
        let v = parse("a:1-2-3").expect("parses");
        assert_eq!((v.epoch, v.version, v.release), (None, "a:1-2", Some("3")));
        assert!(parse("").is_none());
        assert!(parse("1:-1").is_none());
        assert_eq!(compare("", "0"), Ordering::Less);
    }

    fn part(n: usize) -> impl Strategy<Value = String> {
        proptest::string::string_regex(&format!("[0-9a-zA-Z._+~^]{{1,{n}}}")).expect("valid regex")
    }

    fn evr() -> impl Strategy<Value = String> {
        (
            proptest::option::of("[0-9]{0,2}"),
            part(8),
            proptest::option::of(part(6)),
        )
            .prop_map(|(e, v, r)| {
                let mut s = e.map(|e| format!("{e}:")).unwrap_or_default();
                s.push_str(&v);
                if let Some(r) = r {
                    s.push('-');
                    s.push_str(&r);
                }
                s
            })
    }

    proptest! {
        #[test]
        fn total_order(a in evr(), b in evr(), c in evr()) {
            crate::check_total_order(compare, &a, &b, &c)?;
        }

        #[test]
        fn total_order_any_text(a in "[0-9a-z.~^:_-]{0,8}", b in "[0-9a-z.~^:_-]{0,8}", c in "[0-9a-z.~^:_-]{0,8}") {
            crate::check_total_order(compare, &a, &b, &c)?;
        }

        #[test]
        fn parse_print_roundtrip(a in evr()) {
            let v = parse(&a).expect("generated EVRs parse");
            prop_assert_eq!(v.to_string(), a);
        }
    }
}
