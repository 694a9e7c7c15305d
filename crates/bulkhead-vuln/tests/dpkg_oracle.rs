//! dpkg's own `dpkg --compare-versions` as the oracle for generated versions
//! (skipped loudly where dpkg is not installed).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // test code

use bulkhead_vuln::dpkg::compare;
use proptest::prelude::*;
use std::cmp::Ordering;
use std::process::Command;

fn dpkg_says(a: &str, op: &str, b: &str) -> Option<bool> {
    Command::new("dpkg")
        .args(["--compare-versions", a, op, b])
        .status()
        .ok()
        .map(|s| s.success())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]
    #[test]
    fn agrees_with_dpkg(a in "([0-3]:)?[0-9][0-9a-z.+~]{0,5}(-[0-9a-z.+~]{1,4})?", b in "([0-3]:)?[0-9][0-9a-z.+~]{0,5}(-[0-9a-z.+~]{1,4})?") {
        let Some(lt) = dpkg_says(&a, "lt", &b) else {
            // Once, not per generated case.
            static SKIP: std::sync::Once = std::sync::Once::new();
            SKIP.call_once(|| bulkhead_core::testing::skip("agrees_with_dpkg", "dpkg not available"));
            return Ok(());
        };
        let eq = dpkg_says(&a, "eq", &b).unwrap_or(false);
        let want = if lt { Ordering::Less } else if eq { Ordering::Equal } else { Ordering::Greater };
        prop_assert_eq!(compare(&a, &b), want, "{} vs {}", a, b);
    }
}
