//! Gatekeeper policies in the admission policy: ConstraintTemplates and
//! Constraints loaded from the files `admission.gatekeeper` names, evaluated
//! (through `bulkhead_gatekeeper`, Rego on regorus) with Gatekeeper's input
//! for each review; each violation is an ADM005 finding whose message names
//! the constraint, and whose `enforcementAction` (deny, warn, dryrun) decides
//! whether it denies, warns or only annotates.

use bulkhead_core::config::GatekeeperPolicy;
use bulkhead_core::{Finding, Location, RuleMeta};
use bulkhead_gatekeeper::{Constraint, Policies, Template, Violation};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The input of ADM005: the violations of one review, and where it was.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Violations {
    pub object: String,
    pub file: String,
    pub violations: Vec<(String, String, String, String)>,
}

fn yaml_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    crate::offline::walk(paths, &|p| {
        matches!(
            p.extension().and_then(|x| x.to_str()),
            Some("yaml" | "yml" | "json")
        )
    })
}

fn docs(path: &Path) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let parsed = bulkhead_core::yaml::parse(&text, bulkhead_core::yaml::Limits::default())
        .map_err(|e| format!("{}:{}: invalid YAML: {}", path.display(), e.line, e.message))?;
    Ok(parsed
        .into_iter()
        .map(|d| d.root.to_json())
        .filter(Value::is_object)
        .collect())
}

/// Loads every template, then every constraint; `None` when none is named.
pub fn load(p: &GatekeeperPolicy) -> Result<Option<Policies>, String> {
    if p.templates.is_empty() && p.constraints.is_empty() {
        return Ok(None);
    }
    let mut templates = Vec::new();
    let mut constraints = Vec::new();
    for f in yaml_files(&p.templates)?
        .iter()
        .chain(&yaml_files(&p.constraints)?)
    {
        for (i, d) in docs(f)?.into_iter().enumerate() {
            let name = format!("{} (document {})", f.display(), i + 1);
            if d["kind"] == "ConstraintTemplate" {
                templates.push(Template::from_json(&d, &name)?);
            } else if d["apiVersion"]
                .as_str()
                .is_some_and(|a| a.starts_with("constraints.gatekeeper.sh/"))
            {
                constraints.push(Constraint::from_json(&d, &name)?);
            }
        }
    }
    if templates.is_empty() {
        return Err("admission.gatekeeper: no ConstraintTemplate found in the files named".into());
    }
    let mut policies = Policies::new();
    for t in templates {
        policies.add_template(t)?;
    }
    for c in constraints {
        policies.add_constraint(c)?;
    }
    Ok(Some(policies))
}

/// The violations as the input of ADM005.
pub fn input(object: &str, file: &str, vs: &[Violation]) -> Violations {
    Violations {
        object: object.to_string(),
        file: file.to_string(),
        violations: vs
            .iter()
            .map(|v| {
                (
                    v.constraint_kind.clone(),
                    v.constraint_name.clone(),
                    v.msg.clone(),
                    v.enforcement_action.clone(),
                )
            })
            .collect(),
    }
}

/// ADM005 findings of `input`; the enforcement action is the finding's
/// `enforcement` evidence (`deny`, `warn`, `dryrun`).
pub fn findings(input: &Violations, enabled: &dyn Fn(&RuleMeta) -> bool) -> Vec<Finding> {
    crate::rules::GATEKEEPER.run(input, enabled)
}

pub(crate) fn location(input: &Violations) -> Location {
    Location {
        file: input.file.clone(),
        object: Some(input.object.clone()),
        ..Default::default()
    }
}
