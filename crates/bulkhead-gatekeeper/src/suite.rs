//! Gatekeeper test suites (`kind: Suite`, `test.gatekeeper.sh/v1alpha1`),
//! run as `gator verify` runs them: per test a template and a constraint,
//! per case one object (a bare object or an AdmissionReview), optional
//! inventory files, and assertions `{violations: yes|no|N, message?}` where
//! `message` is a regular expression the counted messages must match.

use crate::{
    Constraint, Policies, Template, inventory_from_objects, is_admission_review, parse_yaml_doc,
    parse_yaml_docs, review_for_object, review_from_admission_request, str_at,
};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    pub suite: String,
    pub test: String,
    pub case: String,
    /// The assertions, e.g. `violations: 1 /initContainer/; violations: no`.
    pub expected: String,
    /// What the review gave, e.g. `2 violations: ["msg", "msg"]`, or the error.
    pub actual: String,
    pub passed: bool,
    /// Why it failed (the first failing assertion or the error); empty on success.
    pub detail: String,
}

/// Expected count of an assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Count {
    Yes,
    No,
    Exactly(u64),
}

struct Assertion {
    count: Count,
    message: Option<String>,
}

impl Assertion {
    fn describe(&self) -> String {
        let c = match self.count {
            Count::Yes => "yes".to_string(),
            Count::No => "no".to_string(),
            Count::Exactly(n) => n.to_string(),
        };
        match &self.message {
            Some(m) => format!("violations: {c} /{m}/"),
            None => format!("violations: {c}"),
        }
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs one suite file. `templates_root` is where a template that is not
/// beside the suite is looked up, as `<root>/<category>/<name>/template.yaml`
/// (category and name: the suite directory's parent's name and its own).
///
/// Problems with the suite, a template or a constraint are an `Err`;
/// problems with one case (an unreadable object, a review error) fail that
/// case.
pub fn run(suite_path: &Path, templates_root: Option<&Path>) -> Result<Vec<CaseResult>, String> {
    let shown = suite_path.display().to_string();
    let suite = parse_yaml_doc(&read(suite_path)?, &shown)?;
    if str_at(&suite, &["kind"]) != Some("Suite") {
        return Err(format!("{shown}: not a Suite (kind must be Suite)"));
    }
    let dir = suite_path.parent().unwrap_or(Path::new("."));
    let dir_name = dir
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let suite_name = str_at(&suite, &["metadata", "name"])
        .map(str::to_string)
        .unwrap_or_else(|| dir_name.clone());
    let tests = match suite.get("tests") {
        Some(Value::Array(t)) => t.as_slice(),
        None | Some(Value::Null) => &[],
        Some(_) => return Err(format!("{shown}: tests must be a list")),
    };
    let mut out = Vec::new();
    for (ti, test) in tests.iter().enumerate() {
        let test_name = str_at(test, &["name"])
            .map(str::to_string)
            .unwrap_or_else(|| format!("tests[{ti}]"));
        let ctx = format!("{shown}: test {test_name}");
        if test.get("skip").and_then(Value::as_bool) == Some(true) {
            continue;
        }
        let tpath = str_at(test, &["template"])
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("{ctx}: missing template"))?;
        let template_file = resolve_template(dir, tpath, templates_root)
            .ok_or_else(|| format!("{ctx}: template {tpath} not found"))?;
        let template =
            Template::parse(&read(&template_file)?, &template_file.display().to_string())?;
        let cpath = str_at(test, &["constraint"])
            .filter(|s| !s.is_empty())
            .ok_or_else(|| format!("{ctx}: missing constraint"))?;
        let cfile = dir.join(cpath);
        let constraint = Constraint::parse(&read(&cfile)?, &cfile.display().to_string())?;
        if constraint.kind != template.kind {
            return Err(format!(
                "{ctx}: constraint kind {} does not match template kind {}",
                constraint.kind, template.kind
            ));
        }
        let mut policies = Policies::new();
        policies.add_template(template)?;
        policies.add_constraint(constraint)?;
        let cases = match test.get("cases") {
            Some(Value::Array(c)) => c.as_slice(),
            None | Some(Value::Null) => &[],
            Some(_) => return Err(format!("{ctx}: cases must be a list")),
        };
        for (ci, case) in cases.iter().enumerate() {
            let case_name = str_at(case, &["name"])
                .map(str::to_string)
                .unwrap_or_else(|| format!("cases[{ci}]"));
            if case.get("skip").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            let (expected, actual, detail) = run_case(&policies, dir, case);
            out.push(CaseResult {
                suite: suite_name.clone(),
                test: test_name.clone(),
                case: case_name,
                expected,
                actual,
                passed: detail.is_empty(),
                detail,
            });
        }
    }
    Ok(out)
}

fn resolve_template(dir: &Path, rel: &str, root: Option<&Path>) -> Option<PathBuf> {
    let beside = dir.join(rel);
    if beside.is_file() {
        return Some(beside);
    }
    let root = root?;
    let name = dir.file_name()?;
    let category = dir.parent()?.file_name()?;
    let p = root.join(category).join(name).join("template.yaml");
    p.is_file().then_some(p)
}

/// Runs one case: (expected, actual, detail — empty when it passes).
fn run_case(policies: &Policies, dir: &Path, case: &Value) -> (String, String, String) {
    let assertions = match parse_assertions(case) {
        Ok(a) => a,
        Err(e) => return (String::new(), String::new(), e),
    };
    let expected = assertions
        .iter()
        .map(Assertion::describe)
        .collect::<Vec<_>>()
        .join("; ");
    let fail = |actual: String, e: String| (expected.clone(), actual, e);
    if assertions.is_empty() {
        return fail(String::new(), "assertions must be non-empty".to_string());
    }
    let msgs = match review_case(policies, dir, case) {
        Ok(m) => m,
        Err(e) => return fail(format!("error: {e}"), e),
    };
    let actual = format!(
        "{} violation{}: {:?}",
        msgs.len(),
        if msgs.len() == 1 { "" } else { "s" },
        msgs
    );
    for a in &assertions {
        let re = match &a.message {
            Some(m) => match regex::Regex::new(m) {
                Ok(r) => Some(r),
                Err(e) => return fail(actual, format!("invalid message regex {m:?}: {e}")),
            },
            None => None,
        };
        let n = msgs
            .iter()
            .filter(|m| re.as_ref().is_none_or(|r| r.is_match(m)))
            .count() as u64;
        let ok = match a.count {
            Count::Yes => n > 0,
            Count::No => n == 0,
            Count::Exactly(want) => n == want,
        };
        if !ok {
            let what = match &a.message {
                Some(m) => format!("violations matching /{m}/"),
                None => "violations".to_string(),
            };
            let want = match a.count {
                Count::Yes => "at least 1".to_string(),
                Count::No => "none".to_string(),
                Count::Exactly(w) => format!("exactly {w}"),
            };
            return fail(actual, format!("got {n} {what}, want {want}"));
        }
    }
    (expected, actual, String::new())
}

fn parse_assertions(case: &Value) -> Result<Vec<Assertion>, String> {
    let items = match case.get("assertions") {
        Some(Value::Array(a)) => a.as_slice(),
        None | Some(Value::Null) => &[],
        Some(_) => return Err("assertions must be a list".to_string()),
    };
    items
        .iter()
        .map(|a| {
            let count = match a.get("violations") {
                None | Some(Value::Null) => Count::Yes,
                Some(Value::Bool(true)) => Count::Yes,
                Some(Value::Bool(false)) => Count::No,
                Some(Value::String(s)) if s == "yes" => Count::Yes,
                Some(Value::String(s)) if s == "no" => Count::No,
                Some(Value::Number(n)) if n.as_u64().is_some() => {
                    Count::Exactly(n.as_u64().unwrap_or(0))
                }
                Some(other) => {
                    return Err(format!(
                        "assertion violations {other} must be a nonnegative integer, \"yes\", or \"no\""
                    ));
                }
            };
            let message = match a.get("message") {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(other) => Some(other.to_string()),
            };
            Ok(Assertion { count, message })
        })
        .collect()
}

/// Reviews the case's object with its inventory; the violation messages.
fn review_case(policies: &Policies, dir: &Path, case: &Value) -> Result<Vec<String>, String> {
    let opath = str_at(case, &["object"])
        .filter(|s| !s.is_empty())
        .ok_or("must define object")?;
    let ofile = dir.join(opath);
    let objs = parse_yaml_docs(&read(&ofile)?, &ofile.display().to_string())?;
    let obj = match objs.as_slice() {
        [one] => one,
        [] => return Err(format!("{}: defines no YAML objects", ofile.display())),
        many => {
            return Err(format!(
                "{}: defines {} objects, want 1",
                ofile.display(),
                many.len()
            ));
        }
    };
    let mut inv_objs = Vec::new();
    match case.get("inventory") {
        None | Some(Value::Null) => {}
        Some(Value::Array(paths)) => {
            for p in paths {
                let p = p.as_str().ok_or("inventory must be a list of paths")?;
                let f = dir.join(p);
                let docs = parse_yaml_docs(&read(&f)?, &f.display().to_string())?;
                if docs.is_empty() {
                    return Err(format!("{}: defines no YAML objects", f.display()));
                }
                inv_objs.extend(docs);
            }
        }
        Some(_) => return Err("inventory must be a list of paths".to_string()),
    }
    let inventory = inventory_from_objects(&inv_objs)?;
    let review = if is_admission_review(obj) {
        review_from_admission_request(obj.get("request").unwrap_or(&Value::Null))
            .map_err(|e| format!("{}: {e}", ofile.display()))?
    } else {
        review_for_object(obj)
    };
    let violations = policies.evaluate(&review, Some(&inventory))?;
    Ok(violations.into_iter().map(|v| v.msg).collect())
}
