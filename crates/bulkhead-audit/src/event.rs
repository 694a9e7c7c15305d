//! One `audit.k8s.io/v1` (or `v1beta1`) Event, deserialised without copying:
//! strings borrow from the line when they hold no escapes, and the request
//! and response objects stay raw JSON until a rule needs them (a pod or role
//! create), so the common event costs one pass over its bytes.

use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;

/// A string borrowed from the line when it has no escapes, else owned
/// (serde borrows a bare `Cow<str>` field only, not one inside an `Option`
/// or a `Vec`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct S<'a>(pub Cow<'a, str>);

impl std::ops::Deref for S<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for S<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = S<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<S<'de>, E> {
                Ok(S(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<S<'de>, E> {
                Ok(S(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<S<'de>, E> {
                Ok(S(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event<'a> {
    #[serde(borrow, default)]
    pub kind: Option<S<'a>>,
    #[serde(borrow, default)]
    pub api_version: Option<S<'a>>,
    #[serde(borrow, default)]
    pub level: Option<S<'a>>,
    #[serde(borrow, default, rename = "auditID")]
    pub audit_id: Option<S<'a>>,
    #[serde(borrow, default)]
    pub stage: Option<S<'a>>,
    #[serde(borrow, default, rename = "requestURI")]
    pub request_uri: Option<S<'a>>,
    #[serde(borrow, default)]
    pub verb: Option<S<'a>>,
    #[serde(borrow, default)]
    pub user: Option<UserInfo<'a>>,
    #[serde(borrow, default)]
    pub impersonated_user: Option<UserInfo<'a>>,
    #[serde(borrow, default, rename = "sourceIPs")]
    pub source_ips: Vec<S<'a>>,
    #[serde(borrow, default)]
    pub user_agent: Option<S<'a>>,
    #[serde(borrow, default)]
    pub object_ref: Option<ObjectRef<'a>>,
    #[serde(borrow, default)]
    pub response_status: Option<Status<'a>>,
    #[serde(borrow, default)]
    pub request_object: Option<&'a RawValue>,
    #[serde(borrow, default)]
    pub request_received_timestamp: Option<S<'a>>,
    #[serde(borrow, default)]
    pub stage_timestamp: Option<S<'a>>,
    /// v1beta1 events carry `timestamp`.
    #[serde(borrow, default)]
    pub timestamp: Option<S<'a>>,
    #[serde(borrow, default)]
    pub annotations: Option<Annotations<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct UserInfo<'a> {
    #[serde(borrow, default)]
    pub username: S<'a>,
    #[serde(borrow, default)]
    pub groups: Vec<S<'a>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectRef<'a> {
    #[serde(borrow, default)]
    pub resource: S<'a>,
    #[serde(borrow, default)]
    pub namespace: S<'a>,
    #[serde(borrow, default)]
    pub name: S<'a>,
    #[serde(borrow, default)]
    pub api_group: S<'a>,
    #[serde(borrow, default)]
    pub api_version: S<'a>,
    #[serde(borrow, default)]
    pub subresource: S<'a>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Status<'a> {
    #[serde(default)]
    pub code: Option<i64>,
    #[serde(borrow, default)]
    pub reason: Option<S<'a>>,
}

/// The two annotations the analysis reads; others are skipped unparsed.
#[derive(Debug, Default, Deserialize)]
pub struct Annotations<'a> {
    #[serde(borrow, default, rename = "authorization.k8s.io/decision")]
    pub decision: Option<S<'a>>,
    #[serde(borrow, default, rename = "authorization.k8s.io/reason")]
    pub reason: Option<S<'a>>,
}

/// Why a line is not an event.
pub fn not_an_event(e: &Event<'_>) -> Option<String> {
    match e.kind.as_deref() {
        Some("Event") | None => {}
        Some(k) => return Some(format!("kind {k:?} is not an audit Event")),
    }
    if let Some(v) = e.api_version.as_deref()
        && !v.starts_with("audit.k8s.io/")
    {
        return Some(format!("apiVersion {v:?} is not audit.k8s.io"));
    }
    if e.verb.is_none() || (e.request_uri.is_none() && e.audit_id.is_none()) {
        return Some("not an audit Event (no verb, requestURI or auditID)".into());
    }
    None
}

impl<'a> Event<'a> {
    pub fn verb(&self) -> &str {
        self.verb.as_deref().unwrap_or("")
    }

    /// The identity the request acted as: the impersonated user when there
    /// is one (the authorizer judged that identity), else the user.
    pub fn subject(&self) -> (&str, &[S<'a>]) {
        match (&self.impersonated_user, &self.user) {
            (Some(u), _) if !u.username.is_empty() => (&u.username, &u.groups),
            (_, Some(u)) => (&u.username, &u.groups),
            _ => ("", &[]),
        }
    }

    /// The authenticated user (who sent the request).
    pub fn username(&self) -> &str {
        self.user.as_ref().map_or("", |u| &u.username)
    }

    pub fn code(&self) -> Option<i64> {
        self.response_status.as_ref().and_then(|s| s.code)
    }

    /// Allowed by the authorizer: the decision annotation when present,
    /// else a response that is not 401/403.
    pub fn allowed(&self) -> bool {
        if let Some(d) = self
            .annotations
            .as_ref()
            .and_then(|a| a.decision.as_deref())
        {
            return d == "allow";
        }
        !matches!(self.code(), Some(401 | 403))
    }

    pub fn forbidden(&self) -> bool {
        !self.allowed()
    }

    /// A request that succeeded (2xx, or no status recorded).
    pub fn succeeded(&self) -> bool {
        self.code().is_none_or(|c| (200..300).contains(&c))
    }

    /// Events at `RequestReceived` / `ResponseStarted` repeat the
    /// `ResponseComplete` one; only final stages are analysed.
    pub fn is_final(&self) -> bool {
        !matches!(
            self.stage.as_deref(),
            Some("RequestReceived" | "ResponseStarted")
        )
    }

    pub fn time(&self) -> &str {
        self.stage_timestamp
            .as_deref()
            .or(self.request_received_timestamp.as_deref())
            .or(self.timestamp.as_deref())
            .unwrap_or("")
    }

    pub fn resource(&self) -> &str {
        self.object_ref.as_ref().map_or("", |o| &o.resource)
    }

    pub fn subresource(&self) -> &str {
        self.object_ref.as_ref().map_or("", |o| &o.subresource)
    }

    pub fn namespace(&self) -> &str {
        self.object_ref.as_ref().map_or("", |o| &o.namespace)
    }

    pub fn name(&self) -> &str {
        self.object_ref.as_ref().map_or("", |o| &o.name)
    }

    pub fn api_group(&self) -> &str {
        self.object_ref.as_ref().map_or("", |o| &o.api_group)
    }

    /// `pods`, `pods/exec`.
    pub fn resource_path(&self) -> String {
        match (self.resource(), self.subresource()) {
            ("", _) => String::new(),
            (r, "") => r.to_string(),
            (r, s) => format!("{r}/{s}"),
        }
    }

    /// Non-resource requests (`/healthz`, `/api`) have no objectRef.
    pub fn non_resource_path(&self) -> Option<&str> {
        if self.object_ref.is_some() {
            return None;
        }
        let uri = self.request_uri.as_deref()?;
        Some(uri.split('?').next().unwrap_or(uri))
    }

    pub fn source_ip(&self) -> &str {
        self.source_ips.first().map_or("", |s| s)
    }

    pub fn is_write(&self) -> bool {
        matches!(
            self.verb(),
            "create" | "update" | "patch" | "delete" | "deletecollection"
        )
    }

    /// One line naming the request: `create pods/exec default/web-1`.
    pub fn describe(&self) -> String {
        let mut s = self.verb().to_string();
        if let Some(p) = self.non_resource_path() {
            s.push(' ');
            s.push_str(p);
            return s;
        }
        s.push(' ');
        let g = self.api_group();
        if !g.is_empty() {
            s.push_str(&self.resource_path());
            s.push('.');
            s.push_str(g);
        } else {
            s.push_str(&self.resource_path());
        }
        match (self.namespace(), self.name()) {
            ("", "") => {}
            ("", n) => {
                s.push(' ');
                s.push_str(n);
            }
            (ns, "") => {
                s.push_str(" in ");
                s.push_str(ns);
            }
            (ns, n) => {
                s.push(' ');
                s.push_str(ns);
                s.push('/');
                s.push_str(n);
            }
        }
        s
    }

    /// The request object as JSON (parsed on demand).
    pub fn request_json(&self) -> Option<serde_json::Value> {
        self.request_object
            .and_then(|r| serde_json::from_str(r.get()).ok())
            .filter(|v: &serde_json::Value| v.is_object())
    }
}
