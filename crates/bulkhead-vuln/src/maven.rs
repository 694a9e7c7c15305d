//! Maven version order, as Maven 3.9's `ComparableVersion` defines it (the
//! same in every 3.9.x release).
//!
//! Parsing, after lower-casing the whole version:
//! - `.` ends an item; `-` ends an item and opens a sub-list that holds
//!   everything after it; an empty item (`1..2`, `-1`) is the number 0;
//! - a change from digits to a non-digit, or from a non-digit to digits,
//!   also opens a sub-list (`1alpha2` is `1-alpha-2`); a qualifier that
//!   is followed by digits, or that ends the version, goes into a sub-list of
//!   its own unless it is the first thing in its list (`1.0.RC1` is
//!   `1.0-RC1`), while one followed by `.` or `-` stays where it is;
//! - digit runs are numbers (leading zeros ignored, any size); anything
//!   else that is not `.`, `-` or an ASCII digit is a qualifier;
//! - `a`, `b`, `m` directly followed by digits stand for `alpha`, `beta`,
//!   `milestone`; `cr` is `rc`; `ga`, `final` and `release` are the empty
//!   qualifier;
//! - each list, innermost first, is trimmed from its end: "null" items (the
//!   number 0, the empty qualifier, an empty list) are dropped, going past
//!   non-empty sub-lists, up to the first other item (`1.0.0 == 1`,
//!   `1.0-1 == 1-1`, `1-ga == 1`).
//!
//! Order, item by item; where one list has run out, the other's item is
//! compared with "nothing":
//! - numbers: by value; a number is greater than any qualifier or list;
//!   against nothing, 0 is equal and any other number greater;
//! - qualifiers: `alpha < beta < milestone < rc < snapshot < "" < sp <`
//!   every other qualifier, those in lexical order (UTF-16 units, as Java
//!   compares); a qualifier is less than a list; against nothing, it
//!   compares as the empty qualifier would (`1-rc < 1 < 1-sp`);
//! - lists: item by item the same way; against nothing, the first item
//!   that differs from nothing decides.
//!
//! Maven's order is not transitive on some unusual versions, and neither
//! is this copy of it: where a zero or a release qualifier is followed by
//! more (`1-0-alpha`, `1-GA-SNAPSHOT`, `1-alpha0-beta`), or a qualifier
//! written after a `.` is followed by more (`2.0.alpha.1`, `1.sp-1`), e.g.
//! `2.0.alpha.1 < 2 < 2-1 < 2.0.alpha.1` and `1-0.alpha < 1 < 1-sp <
//! 1-0.alpha`. Versions as projects write them (numbers, then parts such
//! as `-rc`, `-M2`, `RC1`, `-beta-3`, `-beta.3`, `-1`, with a zero or a
//! release qualifier only at the end) are ordered consistently: the
//! property test checks that, and an exhaustive check of about 80,000 such
//! versions found no cycle.
//!
//! Two differences from Java, both in corners: only ASCII digits are
//! digits (Java also takes other Unicode decimal digits), and numbers
//! compare by value only (Maven keeps a run of ten or more zeros as a
//! "long" zero that sorts above every small number).

use std::cmp::Ordering;
use std::fmt;

/// One item of a parsed version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// A number, without leading zeros (`"0"` for zero).
    Number(String),
    /// A qualifier, lower case, aliases resolved (`""` for `ga`, `final`,
    /// `release`).
    Qualifier(String),
    /// A sub-list (after `-` or a digit/non-digit change).
    List(Vec<Item>),
}

impl Item {
    fn number(digits: &str) -> Item {
        let n = digits.trim_start_matches('0');
        Item::Number(if n.is_empty() { "0" } else { n }.to_string())
    }

    fn qualifier(q: &str, followed_by_digit: bool) -> Item {
        let q = match q {
            "a" if followed_by_digit => "alpha",
            "b" if followed_by_digit => "beta",
            "m" if followed_by_digit => "milestone",
            "ga" | "final" | "release" => "",
            "cr" => "rc",
            q => q,
        };
        Item::Qualifier(q.to_string())
    }

    fn parse(digits: bool, s: &str) -> Item {
        if digits {
            Item::number(s)
        } else {
            Item::qualifier(s, false)
        }
    }

    fn is_null(&self) -> bool {
        match self {
            Item::Number(n) => n == "0",
            Item::Qualifier(q) => q.is_empty(),
            Item::List(l) => l.is_empty(),
        }
    }
}

/// A parsed version: the top-level list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    pub items: Vec<Item>,
}

/// Drops trailing null items, going past non-empty sub-lists.
fn trim(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

/// Parses a version; every string is a Maven version.
pub fn parse(v: &str) -> Version {
    let s = v.to_lowercase();
    // The open lists, outermost first: a sub-list is always the last item
    // of its parent, so the tree is a chain.
    let mut lists: Vec<Vec<Item>> = vec![Vec::new()];
    fn top(lists: &mut [Vec<Item>]) -> &mut Vec<Item> {
        let n = lists.len();
        &mut lists[n - 1]
    }
    let mut digits = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if c == '.' || c == '-' {
            let item = if i == start {
                Item::number("0")
            } else {
                Item::parse(digits, &s[start..i])
            };
            top(&mut lists).push(item);
            start = i + 1;
            if c == '-' {
                lists.push(Vec::new());
            }
        } else if c.is_ascii_digit() {
            if !digits && i > start {
                if !top(&mut lists).is_empty() {
                    lists.push(Vec::new());
                }
                top(&mut lists).push(Item::qualifier(&s[start..i], true));
                start = i;
                lists.push(Vec::new());
            }
            digits = true;
        } else {
            if digits && i > start {
                top(&mut lists).push(Item::number(&s[start..i]));
                start = i;
                lists.push(Vec::new());
            }
            digits = false;
        }
    }
    if s.len() > start {
        if !digits && !top(&mut lists).is_empty() {
            lists.push(Vec::new());
        }
        top(&mut lists).push(Item::parse(digits, &s[start..]));
    }
    // Close the lists, innermost first.
    let mut inner: Option<Vec<Item>> = None;
    while let Some(mut list) = lists.pop() {
        list.extend(inner.take().map(Item::List));
        trim(&mut list);
        inner = Some(list);
    }
    Version {
        items: inner.unwrap_or_default(),
    }
}

/// Known qualifiers' ranks; every other qualifier ranks after them.
fn rank(q: &str) -> usize {
    ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"]
        .iter()
        .position(|k| *k == q)
        .unwrap_or(7)
}

fn qualifier_cmp(a: &str, b: &str) -> Ordering {
    rank(a)
        .cmp(&rank(b))
        .then_with(|| a.encode_utf16().cmp(b.encode_utf16()))
}

/// Compares an item with another or, for `None`, with "nothing".
fn item_cmp(a: &Item, b: Option<&Item>) -> Ordering {
    use Item::*;
    match (a, b) {
        (Number(x), None) => x.as_str().cmp("0"),
        (Number(x), Some(Number(y))) => crate::cmp_digits(x.as_bytes(), y.as_bytes()),
        (Number(_), Some(_)) => Ordering::Greater,
        (Qualifier(x), None) => qualifier_cmp(x, ""),
        (Qualifier(x), Some(Qualifier(y))) => qualifier_cmp(x, y),
        (Qualifier(_), Some(_)) => Ordering::Less,
        (List(x), None) => x
            .iter()
            .map(|i| item_cmp(i, None))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal),
        (List(x), Some(List(y))) => list_cmp(x, y),
        (List(_), Some(Number(_))) => Ordering::Less,
        (List(_), Some(Qualifier(_))) => Ordering::Greater,
    }
}

fn list_cmp(a: &[Item], b: &[Item]) -> Ordering {
    for i in 0..a.len().max(b.len()) {
        let o = match (a.get(i), b.get(i)) {
            (Some(x), y) => item_cmp(x, y),
            (None, Some(y)) => item_cmp(y, None).reverse(),
            (None, None) => Ordering::Equal,
        };
        if o.is_ne() {
            return o;
        }
    }
    Ordering::Equal
}

impl Version {
    /// Maven's order (not a total order in general: see the module doc).
    pub fn compare(&self, other: &Version) -> Ordering {
        list_cmp(&self.items, &other.items)
    }
}

fn write_list(f: &mut fmt::Formatter<'_>, items: &[Item]) -> fmt::Result {
    // Like Maven, a separator goes only after something was written.
    let mut written = false;
    for item in items {
        if written {
            f.write_str(if matches!(item, Item::List(_)) {
                "-"
            } else {
                "."
            })?;
        }
        match item {
            Item::Number(s) | Item::Qualifier(s) => {
                f.write_str(s)?;
                written |= !s.is_empty();
            }
            Item::List(l) => {
                written |= !l.is_empty();
                write_list(f, l)?;
            }
        }
    }
    Ok(())
}

/// Maven's canonical form (`ComparableVersion.getCanonical()`): `1.0-RC1`
/// prints as `1-rc-1`.
impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_list(f, &self.items)
    }
}

/// Compares two Maven versions.
pub fn compare(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    parse(a).compare(&parse(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn canonical(v: &str) -> String {
        parse(v).to_string()
    }

    #[test]
    fn known_orderings() {
        // Facts from Maven 3.9's ComparableVersionTest.
        let ascending = [
            [
                "1-alpha2snapshot",
                "1-alpha2",
                "1-alpha-123",
                "1-beta-2",
                "1-beta123",
                "1-m2",
                "1-m11",
                "1-rc",
                "1-cr2",
                "1-rc123",
                "1-SNAPSHOT",
                "1",
                "1-sp",
                "1-sp2",
                "1-sp123",
                "1-abc",
                "1-def",
                "1-pom-1",
                "1-1-snapshot",
                "1-1",
                "1-2",
                "1-123",
            ]
            .as_slice(),
            &[
                "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c",
                "2.1-1", "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2",
                "11.m11", "11", "11.a", "11b", "11c", "11m",
            ],
        ];
        for list in ascending {
            for (i, a) in list.iter().enumerate() {
                for b in &list[i + 1..] {
                    assert_eq!(compare(a, b), Ordering::Less, "{a} < {b}");
                    assert_eq!(compare(b, a), Ordering::Greater, "{b} > {a}");
                }
            }
        }
        let less = [
            ("1", "2"),
            ("1.5", "2"),
            ("1", "2.5"),
            ("1.0", "1.1"),
            ("1.0.0", "1.1"),
            ("1.0.1", "1.1"),
            ("1.1", "1.2.0"),
            ("1.0-alpha-1", "1.0"),
            ("1.0-alpha-1", "1.0-alpha-2"),
            ("1.0-alpha-1", "1.0-beta-1"),
            ("1.0-beta-1", "1.0-SNAPSHOT"),
            ("1.0-SNAPSHOT", "1.0"),
            ("1.0-alpha-1-SNAPSHOT", "1.0-alpha-1"),
            ("1.0", "1.0-1"),
            ("1.0-1", "1.0-2"),
            ("1.0.0", "1.0-1"),
            ("2.0-1", "2.0.1"),
            ("2.0.1-klm", "2.0.1-lmn"),
            ("2.0.1", "2.0.1-xyz"),
            ("2.0.1", "2.0.1-123"),
            ("2.0.1-xyz", "2.0.1-123"),
            // MNG-5568
            ("6.1.0rc3", "6.1.0"),
            ("6.1.0rc3", "6.1H.5-beta"),
            ("6.1.0", "6.1H.5-beta"),
            // MNG-6572
            ("20190126.230843", "1234567890.12345"),
            ("1234567890.12345", "123456789012345.1H.5-beta"),
            (
                "123456789012345.1H.5-beta",
                "12345678901234567890.1H.5-beta",
            ),
            // MNG-6964
            ("1-0.alpha", "1"),
            ("1-0.beta", "1"),
            ("1-0.alpha", "1-0.beta"),
        ];
        for (a, b) in less {
            assert_eq!(compare(a, b), Ordering::Less, "{a} < {b}");
            assert_eq!(compare(b, a), Ordering::Greater, "{b} > {a}");
        }
        let equal = [
            ("1", "1.0"),
            ("1", "1.0.0"),
            ("1", "1-0"),
            ("1", "1.0-0"),
            ("1a", "1-a"),
            ("1a", "1.0.0-a"),
            ("1.0a", "1-a"),
            ("1x", "1.0-x"),
            ("1.0.0x", "1-x"),
            ("1ga", "1"),
            ("1release", "1"),
            ("1final", "1"),
            ("1cr", "1rc"),
            ("1a1", "1-alpha-1"),
            ("1b2", "1-beta-2"),
            ("1m3", "1-milestone-3"),
            ("1X", "1x"),
            ("1GA", "1"),
            ("1RELeaSE", "1"),
            ("1cR", "1rC"),
            ("1m3", "1MILESTONE3"),
            ("0000000000000000001", "1"),
            ("0000000000000000000", "0"),
            (
                "1-abcdefghijklmnopqrstuvwxyz",
                "1-ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            ),
        ];
        for (a, b) in equal {
            assert_eq!(compare(a, b), Ordering::Equal, "{a} == {b}");
        }
        // MNG-7644: .X1 < -X2, and 2-X == 2.0.X == 2.0.0.X.
        for x in [
            "abc",
            "alpha",
            "a",
            "beta",
            "b",
            "def",
            "milestone",
            "m",
            "RC",
        ] {
            let (a, b) = (format!("1.0.0.{x}1"), format!("1.0.0-{x}2"));
            assert_eq!(compare(&a, &b), Ordering::Less, "{a} < {b}");
            for (a, b) in [("2-", "2.0."), ("2-", "2.0.0."), ("2.0.", "2.0.0.")] {
                let (a, b) = (format!("{a}{x}"), format!("{b}{x}"));
                assert_eq!(compare(&a, &b), Ordering::Equal, "{a} == {b}");
            }
        }
        // Canonical forms (ComparableVersion's `main` prints them).
        assert_eq!(canonical("1.0-RC1"), "1-rc-1");
        assert_eq!(canonical("1.2.7"), "1.2.7");
        assert_eq!(canonical("1.0.0.Final"), "1");
        assert_eq!(canonical("2.0.a"), "2-a");
    }

    #[test]
    fn known_cycles() {
        // Maven's own answers, pairwise; together they are not transitive.
        assert_eq!(compare("2.0.alpha.1", "2"), Ordering::Less);
        assert_eq!(compare("2", "2-1"), Ordering::Less);
        assert_eq!(compare("2-1", "2.0.alpha.1"), Ordering::Less);
        assert_eq!(compare("1-0.alpha", "1"), Ordering::Less);
        assert_eq!(compare("1", "1-sp"), Ordering::Less);
        assert_eq!(compare("1-sp", "1-0.alpha"), Ordering::Less);
    }

    /// Versions as projects write them: numbers, then parts such as
    /// `-rc`, `-M2`, `RC1`, `-beta-3`, `-beta.3`, `-1`, with a zero or a release
    /// qualifier (`-0`, `-GA`, `.Final`, `-alpha0`) only at the end.
    fn version() -> impl Strategy<Value = String> {
        let qualifier = || {
            prop_oneof![
                Just("alpha"),
                Just("Beta"),
                Just("a"),
                Just("b"),
                Just("M"),
                Just("milestone"),
                Just("RC"),
                Just("cr"),
                Just("SNAPSHOT"),
                Just("sp"),
                Just("jre"),
                Just("android"),
                Just("incubating"),
            ]
        };
        let tail = prop_oneof![
            qualifier().prop_map(|q| format!("-{q}")),
            (qualifier(), 1u32..12).prop_map(|(q, n)| format!("-{q}{n}")),
            (qualifier(), 1u32..12).prop_map(|(q, n)| format!("-{q}-{n}")),
            (qualifier(), 1u32..12).prop_map(|(q, n)| format!("-{q}.{n}")),
            (qualifier(), 1u32..12).prop_map(|(q, n)| format!("{q}{n}")),
            (1u32..12).prop_map(|n| format!("-{n}")),
        ];
        let end = prop_oneof![
            Just(String::new()),
            Just("-0".to_string()),
            Just("-GA".to_string()),
            Just(".Final".to_string()),
            Just("-RELEASE".to_string()),
            qualifier().prop_map(|q| format!("-{q}0")),
        ];
        (
            proptest::collection::vec(0u32..12, 1..5),
            proptest::collection::vec(tail, 0..3),
            end,
        )
            .prop_map(|(nums, tails, end)| {
                let n: Vec<String> = nums.iter().map(u32::to_string).collect();
                n.join(".") + &tails.concat() + &end
            })
    }

    proptest! {
        #[test]
        fn total_order(a in version(), b in version(), c in version()) {
            crate::check_total_order(compare, &a, &b, &c)?;
        }

        /// Maven's own test property: the canonical form is its own
        /// canonical form. (It need not compare equal to the version:
        /// `0-sp` prints as `sp`, which Maven orders lower.)
        #[test]
        fn canonical_roundtrip(a in version()) {
            let c = canonical(&a);
            prop_assert_eq!(canonical(&c), c);
        }

        #[test]
        fn any_text_is_deterministic(a in "[0-9a-zA-Z.-]{0,10}", b in "[0-9a-zA-Z.-]{0,10}") {
            prop_assert_eq!(compare(&a, &b), compare(&b, &a).reverse());
            prop_assert_eq!(compare(&a, &a), Ordering::Equal);
        }
    }
}
