//! Objects in, findings out: runs the enabled PSS controls and hardening
//! rules on every workload and attaches locations, snippets and
//! suppressions (annotation and inline comments). Pure: no I/O.

use crate::harden;
use crate::load::Object;
use crate::path::{FieldPath, Seg};
use crate::pod::pod_template;
use crate::pss::{self, Level, Version, Violation};
use bulkhead_core::suppress::{ANNOTATION, Directive};
use bulkhead_core::yaml::{Node, Pos};
use bulkhead_core::{Catalogue, Finding, Location, RuleMeta, SuppressionKind, Target};

#[derive(Debug, Clone, Copy)]
pub struct Options {
    pub level: Level,
    pub version: Version,
}

/// The position to show for a field: the key of the deepest part of `path`
/// that exists in the object.
pub fn locate(root: &Node, path: &[Seg]) -> Pos {
    let mut node = root;
    let mut pos = root.start;
    for seg in path {
        match seg {
            Seg::Key(k) => match node.entry(k) {
                Some(e) => {
                    pos = e.key.start;
                    node = &e.value;
                }
                None => break,
            },
            Seg::Index(i) => match node.items().get(*i) {
                Some(n) => {
                    pos = n.start;
                    node = n;
                }
                None => break,
            },
        }
    }
    pos
}

fn relative<'p>(obj: &Object, path: &'p FieldPath) -> &'p [Seg] {
    path.0
        .strip_prefix(obj.base.0.as_slice())
        .unwrap_or(&path.0)
}

/// Where a finding on field `path` of `obj` is: the field's position (its
/// deepest existing part), the object as `object` names it, the field path
/// and the quoted line. Every Kubernetes layer places its findings with this.
pub fn field_location(obj: &Object, object: String, path: &FieldPath) -> Location {
    let pos = locate(&obj.root, relative(obj, path));
    Location {
        file: obj.source.name.clone(),
        line: Some(pos.line),
        column: Some(pos.col),
        document: Some(obj.doc),
        object: Some(object),
        field: Some(path.render()),
        layer: None,
        snippet: obj
            .source
            .line(pos.line)
            .map(|l| bulkhead_core::finding::snippet(l, Some(pos.col))),
    }
}

/// Result of analysing one object.
pub struct ObjectResult {
    pub target: Option<Target>,
    pub findings: Vec<Finding>,
}

pub fn analyze_object(
    obj: &Object,
    opts: &Options,
    enabled: &dyn Fn(&RuleMeta) -> bool,
    catalogue: &Catalogue,
) -> ObjectResult {
    let Some(pod) = pod_template(obj) else {
        return ObjectResult {
            target: None,
            findings: Vec::new(),
        };
    };
    let target = obj.target();
    let mut violations: Vec<(Violation, bool)> =
        pss::check(&pod, opts.level, opts.version, enabled)
            .into_iter()
            .map(|v| (v, true))
            .collect();
    let ctx = harden::Ctx {
        obj,
        pod: &pod,
        level: opts.level,
        version: opts.version,
    };
    violations.extend(harden::check(&ctx, enabled).into_iter().map(|v| (v, false)));
    let annotation = obj
        .metadata()
        .and_then(|m| m.path(&["annotations", ANNOTATION]))
        .and_then(Node::as_str)
        .and_then(Directive::parse);
    let display = obj.display();
    let level = opts.level.to_string();
    let version = opts.version.min(pss::LATEST).to_string();
    let findings = violations
        .into_iter()
        .map(|(v, is_pss)| {
            let location = field_location(obj, display.clone(), &v.path);
            let mut f = Finding::new(v.rule, location, v.message);
            if is_pss {
                if let Some(control) = pss::CHECKS.iter().find(|c| std::ptr::eq(c.rule, v.rule)) {
                    f = f.with_evidence("control", control.id);
                }
                f = f
                    .with_evidence("pss_level", level.clone())
                    .with_evidence("pss_version", version.clone());
            }
            f.fix = v.fix;
            if let Some(d) = annotation
                .as_ref()
                .filter(|d| d.covers(v.rule.id, catalogue))
            {
                f.suppressed = Some(d.to_suppression(
                    SuppressionKind::Annotation,
                    Some(format!("{} annotation {ANNOTATION}", obj.display())),
                ));
            } else {
                let field_line = f.location.line.unwrap_or(obj.root.start.line);
                for line in [field_line, obj.root.start.line] {
                    if let Some((at, d)) = obj.source.directives.get(&line)
                        && d.covers(v.rule.id, catalogue)
                    {
                        f.suppressed = Some(d.to_suppression(
                            SuppressionKind::Inline,
                            Some(format!("{}:{at}", obj.source.name)),
                        ));
                        break;
                    }
                }
            }
            f
        })
        .collect();
    ObjectResult {
        target: Some(target),
        findings,
    }
}
