//! Debian version ordering, as `dpkg --compare-versions` defines it:
//! `[epoch:]upstream[-revision]`; upstream and revision compared by
//! alternating non-digit and digit runs, where in non-digit runs `~` sorts
//! before everything (even the end), letters before other characters, and
//! digit runs compare numerically.

use std::cmp::Ordering;

/// A parsed dpkg version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version<'a> {
    pub epoch: u64,
    pub upstream: &'a str,
    pub revision: &'a str,
}

/// Parses `[epoch:]upstream[-revision]`; `None` for an empty upstream or a bad epoch.
pub fn parse(v: &str) -> Option<Version<'_>> {
    let v = v.trim();
    let (epoch, rest) = match v.split_once(':') {
        Some((e, r)) => (e.parse().ok()?, r),
        None => (0, v),
    };
    let (upstream, revision) = match rest.rsplit_once('-') {
        Some((u, r)) => (u, r),
        None => (rest, ""),
    };
    if upstream.is_empty() {
        return None;
    }
    Some(Version {
        epoch,
        upstream,
        revision,
    })
}

fn order(c: Option<u8>) -> i32 {
    match c {
        None => 0,
        Some(b'~') => -1,
        Some(c) if c.is_ascii_digit() => 0,
        Some(c) if c.is_ascii_alphabetic() => i32::from(c),
        Some(c) => i32::from(c) + 256,
    }
}

/// dpkg's `verrevcmp`.
fn part(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        // Non-digit run.
        while (i < a.len() && !a[i].is_ascii_digit()) || (j < b.len() && !b[j].is_ascii_digit()) {
            let ac = order(a.get(i).copied().filter(|c| !c.is_ascii_digit()));
            let bc = order(b.get(j).copied().filter(|c| !c.is_ascii_digit()));
            if ac != bc {
                return ac.cmp(&bc);
            }
            if i < a.len() && !a[i].is_ascii_digit() {
                i += 1;
            }
            if j < b.len() && !b[j].is_ascii_digit() {
                j += 1;
            }
        }
        // Digit run, numerically.
        let si = i;
        while i < a.len() && a[i].is_ascii_digit() {
            i += 1;
        }
        let sj = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        let c = crate::cmp_digits(&a[si..i], &b[sj..j]);
        if c != Ordering::Equal {
            return c;
        }
    }
    Ordering::Equal
}

/// Compares two dpkg versions; unparsable versions sort by their text.
pub fn compare(a: &str, b: &str) -> Ordering {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x
            .epoch
            .cmp(&y.epoch)
            .then_with(|| part(x.upstream, y.upstream))
            .then_with(|| part(x.revision, y.revision)),
        _ => a.cmp(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_orderings() {
        // (a, b, expected) — facts from dpkg's own test suite and policy §5.6.12.
        let cases = [
            ("1.0", "1.0", Ordering::Equal),
            ("1.0~rc1", "1.0", Ordering::Less),
            ("1.0", "1.0+b1", Ordering::Less),
            ("1:0.1", "2.0", Ordering::Greater),
            ("1.0-1", "1.0-1~deb12u1", Ordering::Greater),
            ("3.0.11-1~deb12u2", "3.0.15-1~deb12u1", Ordering::Less),
            ("2.36-9+deb12u4", "2.36-9+deb12u10", Ordering::Less),
            ("1.2.3", "1.2.3-0", Ordering::Equal),
            ("a", "b", Ordering::Less),
            ("1.0a", "1.0-", Ordering::Greater),
            ("0001", "1", Ordering::Equal),
            ("~~", "~~a", Ordering::Less),
            ("1.0~", "1.0", Ordering::Less),
            ("1.0.", "1.0", Ordering::Greater),
            ("1.0+", "1.0.", Ordering::Less),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(a, b), want, "{a} vs {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    fn version() -> impl Strategy<Value = String> {
        "([0-9]:)?[0-9][0-9a-z.+~]{0,6}(-[0-9a-z.+~]{1,4})?"
    }

    proptest! {
        #[test]
        fn total_order(a in version(), b in version(), c in version()) {
            crate::check_total_order(compare, &a, &b, &c)?;
        }
    }
}
