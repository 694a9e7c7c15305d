//! Alpine package version order, as apk-tools (`apk version -t`) defines it.
//!
//! Grammar: `N{.N}[letter]{_suffix[N]}[~hash][-rN]` where `N` is a run of
//! ASCII digits, `letter` one of `a`–`z`, `suffix` one of `alpha`, `beta`,
//! `pre`, `rc` (pre-releases) or `cvs`, `svn`, `git`, `hg`, `p` (post-releases),
//! `hash` a run of lowercase hex digits and `-rN` the package revision.
//! Nothing else is valid: no upper case, no empty parts (`1.`, `_`, `-r`),
//! a letter only right after a number, no `.`/letter after a suffix, no
//! suffix after `~hash`, nothing after `-rN`.
//!
//! Order: both versions are read as token streams (first number, `.N`
//! numbers, letter, suffix, suffix number, hash, revision) side by side.
//! While the tokens at the same position are of the same kind they compare
//! by value:
//! - the first number, suffix numbers and revisions numerically (leading
//!   zeros ignored);
//! - a `.N` number numerically, except that when either of the two starts
//!   with `0` both compare as text (`1.05 < 1.5`, `8.2.0 < 8.2.001`);
//! - letters and hashes as text (bytes), suffixes in the order
//!   `alpha < beta < pre < rc < cvs < svn < git < hg < p`.
//!
//! At the first position where the kinds differ (or one version ends), a
//! pre-release suffix sorts lower than anything else (`1.0_rc1 < 1.0`,
//! `1.0_alpha_pre2 < 1.0_alpha`); otherwise the token that comes *later* in
//! the grammar sorts lower, the end of the version being later than every
//! token: so `1.0 < 1.0.1`, `1.0a < 1.0.1`, `1.0_p1 < 1.0a`, `1.0 < 1.0_p1`,
//! `1.0 < 1.0-r1`.
//!
//! Invalid versions, deterministically: apk-tools compares the tokens up to
//! the first invalid spot and treats "invalid" as a token kind that comes
//! after the end (`1.0_foo < 1.0`, `1.0 < 1.0bc`, `23_foo > 4_beta`); so does
//! this order. Where apk-tools would call two different invalid versions
//! equal (same tokens up to the same invalid spot), they compare by their
//! text instead, so that only identical invalid strings are equal.
//!
//! Numbers compare by value at any length (apk-tools reads them into 64
//! bits); the fuzzy `~` operator of `apk version` is not part of the order.

use std::cmp::Ordering;
use std::fmt;

/// A suffix, in its sort order; the ones before [`Suffix::Cvs`] are
/// pre-releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Suffix {
    Alpha,
    Beta,
    Pre,
    Rc,
    Cvs,
    Svn,
    Git,
    Hg,
    P,
}

impl Suffix {
    const ALL: [(Suffix, &'static str); 9] = [
        (Suffix::Alpha, "alpha"),
        (Suffix::Beta, "beta"),
        (Suffix::Pre, "pre"),
        (Suffix::Rc, "rc"),
        (Suffix::Cvs, "cvs"),
        (Suffix::Svn, "svn"),
        (Suffix::Git, "git"),
        (Suffix::Hg, "hg"),
        (Suffix::P, "p"),
    ];

    fn from_name(s: &str) -> Option<Suffix> {
        Suffix::ALL.iter().find(|(_, n)| *n == s).map(|(x, _)| *x)
    }

    pub fn name(self) -> &'static str {
        Suffix::ALL
            .iter()
            .find(|(x, _)| *x == self)
            .map_or("", |(_, n)| n)
    }

    fn is_pre_release(self) -> bool {
        self < Suffix::Cvs
    }
}

/// One token, as written (numbers keep their leading zeros).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    /// The leading number.
    First(&'a str),
    /// A number after a `.` (without the dot).
    Digits(&'a str),
    Letter(u8),
    Suffix(Suffix),
    /// The number right after a suffix.
    SuffixNumber(&'a str),
    /// The hex digits after `~`.
    Hash(&'a str),
    /// The digits after `-r`.
    Revision(&'a str),
}

/// Token kinds in grammar order; `END` and `INVALID` follow every token.
const FIRST: u8 = 0;
const DIGITS: u8 = 1;
const LETTER: u8 = 2;
const SUFFIX: u8 = 3;
const SUFFIX_NUMBER: u8 = 4;
const HASH: u8 = 5;
const REVISION: u8 = 6;
const END: u8 = 7;
const INVALID: u8 = 8;

impl Token<'_> {
    fn kind(&self) -> u8 {
        match self {
            Token::First(_) => FIRST,
            Token::Digits(_) => DIGITS,
            Token::Letter(_) => LETTER,
            Token::Suffix(_) => SUFFIX,
            Token::SuffixNumber(_) => SUFFIX_NUMBER,
            Token::Hash(_) => HASH,
            Token::Revision(_) => REVISION,
        }
    }
}

/// A valid apk version: its tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version<'a> {
    pub tokens: Vec<Token<'a>>,
}

/// The run at the start of `s` whose bytes satisfy `f`, and the rest.
fn run(s: &str, f: impl Fn(u8) -> bool) -> (&str, &str) {
    let n = s.bytes().take_while(|&b| f(b)).count();
    s.split_at(n)
}

/// The tokens of `v` up to its end or its first invalid spot, and whether
/// it ended validly.
fn lex(v: &str) -> (Vec<Token<'_>>, bool) {
    let mut out = Vec::new();
    let (n, mut s) = run(v, |b| b.is_ascii_digit());
    if n.is_empty() {
        return (out, false);
    }
    out.push(Token::First(n));
    let mut prev = FIRST;
    while let Some(&c) = s.as_bytes().first() {
        let next = match c {
            b'a'..=b'z' if prev <= DIGITS => {
                s = &s[1..];
                Some(Token::Letter(c))
            }
            b'.' if prev <= DIGITS => {
                let (n, rest) = run(&s[1..], |b| b.is_ascii_digit());
                s = rest;
                (!n.is_empty()).then_some(Token::Digits(n))
            }
            b'0'..=b'9' if prev == SUFFIX => {
                let (n, rest) = run(s, |b| b.is_ascii_digit());
                s = rest;
                Some(Token::SuffixNumber(n))
            }
            b'_' if prev <= SUFFIX_NUMBER => {
                let (name, rest) = run(&s[1..], |b| b.is_ascii_lowercase());
                s = rest;
                Suffix::from_name(name).map(Token::Suffix)
            }
            b'~' if prev < HASH => {
                let (h, rest) = run(&s[1..], |b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
                s = rest;
                (!h.is_empty()).then_some(Token::Hash(h))
            }
            b'-' if prev < REVISION => s.strip_prefix("-r").and_then(|r| {
                let (n, rest) = run(r, |b| b.is_ascii_digit());
                s = rest;
                (!n.is_empty()).then_some(Token::Revision(n))
            }),
            _ => None,
        };
        let Some(t) = next else {
            return (out, false);
        };
        prev = t.kind();
        out.push(t);
    }
    (out, true)
}

/// Parses a version; `None` when apk-tools would not accept it.
pub fn parse(v: &str) -> Option<Version<'_>> {
    match lex(v) {
        (tokens, true) => Some(Version { tokens }),
        _ => None,
    }
}

/// Two tokens of the same kind.
fn token_cmp(a: &Token, b: &Token) -> Ordering {
    match (a, b) {
        (Token::Digits(x), Token::Digits(y)) if x.starts_with('0') || y.starts_with('0') => {
            x.as_bytes().cmp(y.as_bytes())
        }
        (Token::First(x), Token::First(y))
        | (Token::Digits(x), Token::Digits(y))
        | (Token::SuffixNumber(x), Token::SuffixNumber(y))
        | (Token::Revision(x), Token::Revision(y)) => crate::cmp_digits(x.as_bytes(), y.as_bytes()),
        (Token::Letter(x), Token::Letter(y)) => x.cmp(y),
        (Token::Suffix(x), Token::Suffix(y)) => x.cmp(y),
        (Token::Hash(x), Token::Hash(y)) => x.as_bytes().cmp(y.as_bytes()),
        _ => a.kind().cmp(&b.kind()),
    }
}

/// Compares two apk versions (invalid ones as the module doc says).
pub fn compare(a: &str, b: &str) -> Ordering {
    let ((ta, va), (tb, vb)) = (lex(a), lex(b));
    let term = |valid: bool| if valid { END } else { INVALID };
    let mut i = 0;
    loop {
        let (x, y) = (ta.get(i), tb.get(i));
        let kx = x.map_or(term(va), Token::kind);
        let ky = y.map_or(term(vb), Token::kind);
        if kx == ky {
            match (x, y) {
                (Some(x), Some(y)) => {
                    let o = token_cmp(x, y);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                // Both ended the same way.
                _ if kx == INVALID => return a.cmp(b),
                _ => return Ordering::Equal,
            }
            i += 1;
            continue;
        }
        let pre = |t: Option<&Token>| matches!(t, Some(Token::Suffix(s)) if s.is_pre_release());
        return if pre(x) {
            Ordering::Less
        } else if pre(y) {
            Ordering::Greater
        } else {
            // The later kind in the grammar is the lower version.
            ky.cmp(&kx)
        };
    }
}

impl fmt::Display for Version<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for t in &self.tokens {
            match t {
                Token::First(n) | Token::SuffixNumber(n) => f.write_str(n)?,
                Token::Digits(n) => write!(f, ".{n}")?,
                Token::Letter(c) => write!(f, "{}", char::from(*c))?,
                Token::Suffix(s) => write!(f, "_{}", s.name())?,
                Token::Hash(h) => write!(f, "~{h}")?,
                Token::Revision(n) => write!(f, "-r{n}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_orderings() {
        // Facts from apk-tools' own test vectors (test/unit/version.data),
        // including the ones it marks as invalid versions.
        let cases = [
            ("2.34", ">", "0.1.0_alpha"),
            ("23_foo", ">", "4_beta"),
            ("1.0", "<", "1.0bc"),
            ("0.1.0_alpha", "=", "0.1.0_alpha"),
            ("0.1.0_alpha2", ">", "0.1.0_alpha"),
            ("0.1.0_alpha", "<", "2.2.39-r1"),
            ("1.0.4-r3", "<", "1.0.4-r4"),
            ("1.1", ">", "1.1_alpha1"),
            ("1.2.1", ">", "1.2"),
            ("1.3_alpha2", "<", "1.3_alpha3"),
            ("0.7.0", "<", "0.8_beta1"),
            ("3.10.18-r1", ">", "2.3.0b-r1"),
            ("2.3.0b-r1", "<", "2.3.0b-r2"),
            ("0.12.3", ">", "0.12"),
            ("1.2.12.1", "<", "1.2.13"),
            ("3.1_p16", "<", "3.1_p17"),
            ("1.06-r6", "<", "006"),
            ("006", ">", "1.0.0"),
            ("1.2.2-r1", ">", "1.2.2"),
            ("20050718-r1", "<", "20050718-r2"),
            ("2.01.01_alpha10", ">", "0.94"),
            ("1.00_beta2", ">", "0.9.2"),
            ("4.2.52_p2-r1", "<", "4.2.52_p4-r2"),
            ("1.02.07", "<", "1.02.10-r1"),
            ("2.18.3-r10", ">", "1.05-r18"),
            ("3.0.20060720", "<", "20060720"),
            ("2.5.1-r8", "<", "2.5.1a-r1"),
            ("1.3.5-r10", ">", "1.3.5-r8"),
            ("20040401", ">", "2.0.0_rc3-r1"),
            ("3.0.0-r2", "<", "021109-r3"),
            ("0.9.16-r1", "<", "3.9_pre20060124"),
            ("0.01", "<", "0.06"),
            ("1.1.7", "<", "6b-r7"),
            ("0.10.0", "<", "0.10.1_rc1"),
            ("1.06-r2", ">", "0.15.1b-r2"),
            ("0.15.1b-r2", ">", "0.15.1b"),
            ("22.7-r1", "<", "22.7.3-r1"),
            ("2.1_pre20", "<", "2.1_pre26"),
            ("2.10.1", ">", "02.08.01b"),
            ("1.2.07.8", "<", "1.2.12.04"),
            ("1.2.12.04", "<", "1.2.12.05"),
            ("0.59s-r11", "<", "0.65"),
            ("4.20", ">", "0.20070118"),
            ("0.20070118", "<", "0.20070207_rc1"),
            ("4.5_p1-r1", ">", "4.5_p1"),
            ("0.9.8c-r1", "<", "0.9.8d"),
            ("1.7", "<", "1.7b"),
            ("1.8.5", "<", "1.8.5_p2"),
            ("2.9.11_pre20051101-r3", ">", "2.9.11_pre20051101"),
            ("1.6.8_p12-r1", ">", "1.6.8_p9-r2"),
            ("0.9.28-r2", "<", "0.9.28.1"),
            ("0.9.28.1", "<", "087-r1"),
            ("2.12r-r4", "<", "2.12r-r5"),
            ("7.0.17", "<", "7.0.174"),
            ("1.3-r0", "<", "1.3.1-r0"),
            ("1.3_pre1-r1", "<", "1.3.2"),
            ("1.0_p10-r0", ">", "1.0_p9-r0"),
            ("0.1.0_alpha_pre2", "<", "0.1.0_alpha"),
            (
                "1.0.0_pre20191002222144-r0",
                "<",
                "1.0.0_pre20210530193627-r0",
            ),
            ("6.0_pre1", "<", "6.0"),
            ("6.0_p1", ">", "6.0"),
            ("8.2.0", "<", "8.2.001"),
            ("8.2.0015", "<", "8.2.002"),
            ("1.0~1234", "<", "1.0~2345"),
            ("1.0~1234-r1", "<", "1.0~2345-r0"),
            ("1.0~1234-r1", ">", "1.0~1234-r0"),
        ];
        for (a, op, b) in cases {
            let want = match op {
                "<" => Ordering::Less,
                ">" => Ordering::Greater,
                _ => Ordering::Equal,
            };
            assert_eq!(compare(a, b), want, "{a} {op} {b}");
            assert_eq!(compare(b, a), want.reverse(), "{b} vs {a}");
        }
        // Derived from the rules above.
        assert_eq!(compare("1.0_foo", "1.0"), Ordering::Less);
        assert_eq!(compare("1.0_p1", "1.0a"), Ordering::Less);
        assert_eq!(compare("1.0", "1.0-r0"), Ordering::Less);
        assert_eq!(compare("001", "1"), Ordering::Equal);
        // Same tokens up to the same invalid spot: by text.
        assert_eq!(compare("1.0_foo", "1.0_bar"), Ordering::Greater);
    }

    #[test]
    fn validity() {
        // apk-tools' valid / invalid vectors (test/unit/version.data).
        for v in [
            "1.2",
            "0.1_pre2",
            "0.1_pre2~1234abcd",
            "0.1_p1_pre2",
            "0.1_alpha1_pre2",
            "0.1_git20240101_pre1",
            "2.3.0b-r1",
            "1.0~1234-r1",
        ] {
            let p = parse(v).unwrap_or_else(|| panic!("{v} is valid"));
            assert_eq!(p.to_string(), v);
        }
        for v in [
            "",
            "0.1bc",
            "0.1bc1",
            "0.1a1",
            "0.1a.1",
            "0.1_pre2~",
            "0.1_pre2~1234xbcd",
            "0.1_pre2~1234abcd_pre1",
            "0.1_pre2-r1~1234xbcd",
            "0.1_foobar",
            "0.1_foobar1",
            "0.1-pre1.1",
            "0.1-r",
            "0.1-r2_pre1",
            "0.1-r2_p3_pre1",
            "0.1-r2-r3",
            "0.1-r2.1",
            ".1",
            "a",
            "_pre1",
            "-r1",
            "0.1_",
            "0.1_-r0",
            "0.1__alpha",
            "0.1_1_alpha",
        ] {
            assert!(parse(v).is_none(), "{v} is invalid");
        }
    }

    fn version() -> impl Strategy<Value = String> {
        (
            "0|[1-9][0-9]{0,2}|0[0-9]",
            proptest::collection::vec("[0-9]{1,3}", 0..3),
            proptest::option::of("[a-z]"),
            proptest::collection::vec(("alpha|beta|pre|rc|cvs|svn|git|hg|p", "[0-9]{0,2}"), 0..3),
            proptest::option::of("[0-9a-f]{1,4}"),
            proptest::option::of("[0-9]{1,2}"),
        )
            .prop_map(|(first, dots, letter, suffixes, hash, rev)| {
                let mut s = first;
                for d in dots {
                    s.push('.');
                    s.push_str(&d);
                }
                s.extend(letter);
                for (name, n) in suffixes {
                    s.push('_');
                    s.push_str(&name);
                    s.push_str(&n);
                }
                if let Some(h) = hash {
                    s.push('~');
                    s.push_str(&h);
                }
                if let Some(r) = rev {
                    s.push_str("-r");
                    s.push_str(&r);
                }
                s
            })
    }

    /// Valid versions and junk around them.
    fn any() -> impl Strategy<Value = String> {
        prop_oneof![version(), "[0-9a-z._~-]{0,8}", "[0-9][0-9a-z._~-]{0,4}"]
    }

    proptest! {
        #[test]
        fn total_order(a in version(), b in version(), c in version()) {
            crate::check_total_order(compare, &a, &b, &c)?;
        }

        #[test]
        fn total_order_with_invalid(a in any(), b in any(), c in any()) {
            crate::check_total_order(compare, &a, &b, &c)?;
        }

        #[test]
        fn parse_print_roundtrip(a in version()) {
            let v = parse(&a).expect("generated versions parse");
            prop_assert_eq!(v.to_string(), a);
        }
    }
}
