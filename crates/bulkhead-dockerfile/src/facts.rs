//! What a Dockerfile tells about the image it builds, for layers that join
//! it with other inputs (`bulkhead scan`): the user the final stage runs as,
//! its base image and the ports it exposes.

use crate::model::{Model, expand};
use crate::parser;
use crate::rules::{self, Config, Ctx};

/// Facts about the image a Dockerfile builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The last `USER` of the final stage's lineage (line, user with ARGs
    /// and ENVs expanded); `None`: the base image's user is kept.
    pub user: Option<(u32, String)>,
    /// The base image of the final stage's lineage (ARG defaults expanded).
    pub base: String,
    /// Ports `EXPOSE`d by the final stage's lineage (line, port, protocol).
    pub exposed: Vec<(u32, u16, String)>,
}

/// Is a `USER` value root (`root`, `0`, `root:…`, `0:…`)?
pub fn is_root_user(user: &str) -> bool {
    rules::is_root(user)
}

/// Reads the facts; an unparsable Dockerfile is an error with its line.
pub fn facts(text: &str) -> Result<Facts, (u32, String)> {
    let parsed = parser::parse(text).map_err(|e| (e.line, e.message))?;
    let model = Model::new(&parsed);
    let config = Config::default();
    let ctx = Ctx {
        model: &model,
        lines: text.lines().collect(),
        config: &config,
    };
    let user = rules::last_user(&ctx).map(|(i, u)| (model.inst(i).start_line, u));
    let lineage = model.final_lineage();
    let base = lineage
        .last()
        .and_then(|&si| model.stages.get(si))
        .map(|s| s.image.clone())
        .unwrap_or_default();
    let mut exposed = Vec::new();
    for &si in lineage.iter().rev() {
        let Some(stage) = model.stages.get(si) else {
            continue;
        };
        for &i in &stage.body {
            let inst = model.inst(i);
            if !inst.is("expose") {
                continue;
            }
            for w in inst.strings() {
                let w = expand(w, &model.global_args);
                let (port, proto) = w.split_once('/').unwrap_or((w.as_str(), "tcp"));
                // A range (`8000-8010`) exposes its first port here; enough
                // to compare with the container ports a manifest declares.
                let first = port.split('-').next().unwrap_or(port);
                if let Ok(p) = first.parse::<u16>() {
                    exposed.push((inst.start_line, p, proto.to_ascii_lowercase()));
                }
            }
        }
    }
    Ok(Facts {
        user,
        base,
        exposed,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn user_base_and_ports_of_the_final_stage() {
        let f = facts(
            "FROM golang:1.22 AS build\nUSER 0\nFROM gcr.io/distroless/static AS run\nARG U=app\nUSER $U\nEXPOSE 8080/tcp 53/udp\n",
        )
        .unwrap();
        assert_eq!(f.user, Some((5, "app".to_string())));
        assert_eq!(f.base, "gcr.io/distroless/static");
        assert_eq!(
            f.exposed,
            vec![(6, 8080, "tcp".into()), (6, 53, "udp".into())]
        );
        let f = facts("FROM alpine:3.20 AS base\nUSER root\nFROM base\nRUN true\n").unwrap();
        assert_eq!(f.user, Some((2, "root".to_string())));
        assert_eq!(f.base, "alpine:3.20");
    }
}
