//! Gatekeeper suites for `admission test`: `gator verify` semantics through
//! `bulkhead_gatekeeper::suite`, each case as an `offline::Case`.

use anyhow::{Result, anyhow};
use bulkhead_admission::offline::Case;
use std::path::Path;

pub fn suite(path: &Path, templates_root: Option<&Path>) -> Result<Vec<Case>> {
    let results = bulkhead_gatekeeper::suite::run(path, templates_root).map_err(|e| anyhow!(e))?;
    Ok(results
        .into_iter()
        .map(|r| Case {
            file: path.display().to_string(),
            format: "gatekeeper",
            policy: format!("{} / {}", r.suite, r.test),
            case: r.case,
            expected: r.expected,
            actual: r.actual,
            passed: r.passed,
            detail: r.detail,
        })
        .collect())
}
