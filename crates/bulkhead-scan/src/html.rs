//! `--format html`: one self-contained file — no network request, no CDN;
//! CSS and JS inline and small, the data as one JSON island. A summary, the
//! breakdowns, the attack paths drawn as chains, the findings table with
//! filters (layer, severity, workload, rule, text) and each rule's
//! explanation, the image inventory, and the NetworkPolicy and RBAC graphs
//! (the layers' own SVG renderers).
//!
//! The table renders from the JSON island in pages of 500 rows, so a report
//! of 50,000 findings opens as fast as one of 500; filters run over the data,
//! not the DOM. A Content-Security-Policy forbids every fetch, so the file
//! stays offline even if a message quotes a URL.

use crate::run::ImageRow;
use bulkhead_core::report::escape_markup as esc;
use bulkhead_core::{Catalogue, Report};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Extra pictures for the report.
#[derive(Debug, Default, Clone)]
pub struct Graphs {
    pub netpol: Option<String>,
    pub rbac: Option<String>,
}

/// JSON safe inside `<script type="application/json">`: no `</`, no `<!--`.
fn island(v: &Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_else(|_| "null".into())
        .replace("</", "<\\/")
        .replace("<!--", "<\\u0021--")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// An SVG document made embeddable: the XML declaration and doctype dropped.
fn inline_svg(svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    svg[start..].to_string()
}

const CSS: &str = r#"
:root{--bg:#fff;--fg:#1d2330;--mute:#5b6475;--line:#dde1e8;--crit:#8b0000;--high:#c62828;--med:#e08a00;--low:#2e7d32;--info:#546e7a}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header{padding:18px 24px;border-bottom:1px solid var(--line)}h1{margin:0 0 4px;font-size:20px}h2{font-size:16px;margin:24px 0 8px}
main{padding:0 24px 40px}.mute{color:var(--mute)}.cards{display:flex;gap:10px;flex-wrap:wrap;margin-top:10px}
.card{border:1px solid var(--line);border-radius:6px;padding:6px 12px;min-width:90px}.card b{display:block;font-size:20px}
.sev{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px;text-transform:uppercase}
.sev-critical{background:var(--crit)}.sev-high{background:var(--high)}.sev-medium{background:var(--med)}.sev-low{background:var(--low)}.sev-info{background:var(--info)}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:#f5f6f8;position:sticky;top:0}td.msg{max-width:70ch;overflow-wrap:anywhere}td.loc{max-width:40ch;overflow-wrap:anywhere}tr.finding{cursor:pointer}tr.finding:hover{background:#f7f9fc}
tr.explain td{background:#fafbfc;white-space:pre-wrap}.filters{display:flex;gap:8px;flex-wrap:wrap;align-items:center;margin:8px 0}
select,input{font:inherit;padding:3px 6px}.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:16px}
.path{display:flex;align-items:stretch;gap:0;flex-wrap:wrap;margin:8px 0 16px}.step{border:2px solid var(--high);border-radius:6px;padding:6px 10px;max-width:340px;background:#fff6f6}
.step:first-child{border-color:#1565c0;background:#f1f6fd}.step:last-child{border-color:var(--crit);background:#fdeeee}
.arrow{align-self:center;padding:0 6px;font-size:22px;color:var(--mute)}details{margin:8px 0}.graph{overflow:auto;border:1px solid var(--line);max-height:640px}
button{font:inherit;padding:3px 10px}code{background:#f1f2f4;padding:0 3px;border-radius:3px}
"#;

const JS: &str = r#"
(function(){
'use strict';
var t0=performance.now();
window.addEventListener('error',function(e){document.body.setAttribute('data-js-error',String(e.message));});
var D=JSON.parse(document.getElementById('data').textContent);
var F=D.findings,R=D.rules,PAGE=500,shown=PAGE,cur=F;
function el(t,c,x){var e=document.createElement(t);if(c)e.className=c;if(x!==undefined)e.textContent=x;return e;}
function opts(id,vals){var s=document.getElementById(id);vals.forEach(function(v){var o=el('option',null,v);o.value=v;s.appendChild(o);});s.addEventListener('change',apply);}
function uniq(i){var m={};F.forEach(function(f){m[f[i]]=1;});return Object.keys(m).filter(function(k){return k;}).sort();}
opts('f-layer',uniq(2));opts('f-sev',['critical','high','medium','low','info'].filter(function(s){return F.some(function(f){return f[1]===s;});}));
opts('f-workload',uniq(3));opts('f-rule',uniq(0));
document.getElementById('f-text').addEventListener('input',apply);
document.getElementById('more').addEventListener('click',function(){shown+=PAGE;draw();});
function val(id){return document.getElementById(id).value;}
function apply(){var l=val('f-layer'),s=val('f-sev'),w=val('f-workload'),r=val('f-rule'),q=val('f-text').toLowerCase();
cur=F.filter(function(f){return(!l||f[2]===l)&&(!s||f[1]===s)&&(!w||f[3]===w)&&(!r||f[0]===r)&&(!q||(f[6]+' '+f[4]+' '+f[3]).toLowerCase().indexOf(q)>=0);});
shown=PAGE;draw();}
function explain(tr,f){var n=tr.nextSibling;if(n&&n.className==='explain'){n.remove();return;}
var x=el('tr','explain'),td=el('td');td.colSpan=6;var m=R[f[0]]||{};
td.appendChild(el('b',null,f[0]+' '+(m.title||'')));td.appendChild(el('div',null,'What: '+(m.what||'')));
td.appendChild(el('div',null,'Why: '+(m.why||'')));td.appendChild(el('div',null,'Fix: '+(m.fix||'')));
if(f[7])td.appendChild(el('div','mute',f[7]));x.appendChild(td);tr.parentNode.insertBefore(x,tr.nextSibling);}
function draw(){var tb=document.getElementById('rows');tb.textContent='';var frag=document.createDocumentFragment();
cur.slice(0,shown).forEach(function(f){var tr=el('tr','finding');var s=el('td');s.appendChild(el('span','sev sev-'+f[1],f[1]));tr.appendChild(s);
tr.appendChild(el('td',null,f[0]));tr.appendChild(el('td',null,f[2]));tr.appendChild(el('td',null,f[3]||''));
tr.appendChild(el('td','loc',(f[8]?f[8]+' ':'')+f[4]+(f[5]?':'+f[5]:'')));tr.appendChild(el('td','msg',f[6]));
tr.addEventListener('click',function(){explain(tr,f);});frag.appendChild(tr);});
tb.appendChild(frag);document.getElementById('count').textContent=cur.length+' of '+F.length+' findings';
document.getElementById('more').style.display=cur.length>shown?'':'none';}
draw();
document.body.setAttribute('data-render-ms',String(Math.round(performance.now()-t0)));
document.body.setAttribute('data-ready','1');
})();
"#;

/// A section another command adds to the page (already escaped HTML).
#[derive(Debug, Clone)]
pub struct Section {
    pub id: String,
    pub title: String,
    pub html: String,
}

/// The report as one HTML page.
pub fn render(
    report: &Report,
    catalogue: &Catalogue,
    images: &[ImageRow],
    graphs: &Graphs,
) -> String {
    render_with(report, catalogue, images, graphs, &[], "bulkhead scan")
}

/// [`render`] with a title and extra sections placed before the findings
/// (`audit summary`: subjects and timeline).
pub fn render_with(
    report: &Report,
    catalogue: &Catalogue,
    images: &[ImageRow],
    graphs: &Graphs,
    sections: &[Section],
    title: &str,
) -> String {
    let mut rules: BTreeMap<&str, Value> = BTreeMap::new();
    let findings: Vec<Value> = report
        .active()
        .map(|f| {
            if let Some(m) = catalogue.get(&f.rule_id) {
                rules.entry(m.id).or_insert_with(|| {
                    json!({"title": m.title, "what": m.what, "why": m.why, "fix": m.fix, "slug": m.slug})
                });
            }
            let workload = f
                .location
                .object
                .as_deref()
                .and_then(crate::workload_key)
                .unwrap_or_default();
            let evidence: Vec<String> = f.evidence.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            json!([
                f.rule_id,
                f.severity.as_str(),
                crate::family(&f.rule_id),
                workload,
                f.location.file,
                f.location.line,
                f.message,
                evidence.join(" · "),
                f.location
                    .object
                    .as_deref()
                    .filter(|o| !crate::is_object(o))
                    .unwrap_or_default(),
            ])
        })
        .collect();
    let data = json!({"findings": findings, "rules": rules});
    let mut h = String::with_capacity(64 * 1024 + findings_len(&data));
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    h.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    h.push_str(&esc(title));
    h.push_str("</title>\n<style>");
    h.push_str(CSS);
    h.push_str("</style></head><body>\n<header><h1>");
    h.push_str(&esc(title));
    h.push_str("</h1><div class=\"mute\">");
    let settings: Vec<String> = report
        .settings
        .iter()
        .map(|(k, v)| format!("{k}: {v}"))
        .collect();
    h.push_str(&esc(&settings.join(" · ")));
    h.push_str("</div><div class=\"cards\" id=\"summary\">");
    let active = report.active().count();
    let _ = write!(h, "<div class=\"card\"><b>{active}</b>findings</div>");
    for (s, n) in report.counts() {
        let _ = write!(
            h,
            "<div class=\"card\"><b>{n}</b><span class=\"sev sev-{0}\">{0}</span></div>",
            s.as_str()
        );
    }
    let _ = write!(
        h,
        "<div class=\"card\"><b>{}</b>input errors</div></div></header>\n<main>\n",
        report.errors.len()
    );
    // Breakdowns.
    h.push_str("<div class=\"grid\">");
    for (dim, groups) in &report.breakdown {
        let _ = write!(
            h,
            "<section id=\"by-{0}\"><h2>By {0}</h2><table><tr><th>{0}</th><th>findings</th><th>severities</th></tr>",
            esc(dim)
        );
        for g in groups.iter().take(50) {
            let sev: Vec<String> = g
                .by_severity
                .iter()
                .map(|(s, n)| format!("<span class=\"sev sev-{s}\">{n} {s}</span>"))
                .collect();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&g.key),
                g.findings,
                sev.join(" ")
            );
        }
        if groups.len() > 50 {
            let _ = write!(
                h,
                "<tr><td colspan=\"3\" class=\"mute\">… {} more</td></tr>",
                groups.len() - 50
            );
        }
        h.push_str("</table></section>");
    }
    h.push_str("</div>\n");
    for sec in sections {
        let _ = writeln!(
            h,
            "<section id=\"{}\"><h2>{}</h2>{}</section>",
            esc(&sec.id),
            esc(&sec.title),
            sec.html
        );
    }
    // Attack paths.
    h.push_str("<section id=\"attack-paths\"><h2>Attack paths</h2>");
    let mut paths = 0;
    for f in report
        .active()
        .filter(|f| f.evidence.contains_key("attack_path"))
    {
        paths += 1;
        let _ = write!(
            h,
            "<div class=\"attack\"><div><span class=\"sev sev-{}\">{}</span> <b>{}</b> {}</div><div class=\"path\">",
            f.severity.as_str(),
            f.severity.as_str(),
            esc(&f.rule_id),
            esc(f.location.object.as_deref().unwrap_or(""))
        );
        let steps: Vec<&str> = f
            .evidence
            .get("attack_path")
            .map_or(Vec::new(), |p| p.split(" → ").collect());
        for (i, s) in steps.iter().enumerate() {
            if i > 0 {
                h.push_str("<div class=\"arrow\">→</div>");
            }
            let _ = write!(h, "<div class=\"step\">{}</div>", esc(s));
        }
        h.push_str("</div></div>");
    }
    if paths == 0 {
        h.push_str("<p class=\"mute\">No attack path: no reachable workload with host access or an escalating token.</p>");
    }
    h.push_str("</section>\n");
    // Findings.
    h.push_str("<section id=\"findings\"><h2>Findings</h2><div class=\"filters\" id=\"filters\">");
    for (id, label) in [
        ("f-layer", "layer"),
        ("f-sev", "severity"),
        ("f-workload", "workload"),
        ("f-rule", "rule"),
    ] {
        let _ = write!(
            h,
            "<label>{label} <select id=\"{id}\"><option value=\"\">all</option></select></label>"
        );
    }
    h.push_str("<input id=\"f-text\" type=\"search\" placeholder=\"search messages, files\"> <span id=\"count\" class=\"mute\"></span></div>");
    h.push_str("<table id=\"findings-table\"><thead><tr><th>severity</th><th>rule</th><th>layer</th><th>workload</th><th>location</th><th>message</th></tr></thead><tbody id=\"rows\"></tbody></table>");
    h.push_str("<p><button id=\"more\" type=\"button\">show more</button></p></section>\n");
    // Images.
    h.push_str("<section id=\"images\"><h2>Images</h2><table><tr><th>reference</th><th>read from</th><th>user</th><th>digest</th><th>findings</th><th>workloads</th></tr>");
    for i in images {
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&i.reference),
            esc(&i.origin),
            esc(&i.user),
            esc(i.digest.as_deref().unwrap_or("")),
            i.findings,
            esc(&i.workloads.join(", "))
        );
    }
    h.push_str("</table></section>\n");
    // Graphs.
    for (id, title, svg) in [
        ("netpol-graph", "NetworkPolicy reachability", &graphs.netpol),
        ("rbac-graph", "RBAC: subjects, roles, rights", &graphs.rbac),
    ] {
        let _ = write!(h, "<section id=\"{id}\"><h2>{title}</h2>");
        match svg {
            Some(s) => {
                let _ = write!(
                    h,
                    "<details open><summary>graph</summary><div class=\"graph\">{}</div></details>",
                    inline_svg(s)
                );
            }
            None => h.push_str(
                "<p class=\"mute\">Not drawn (nothing to draw, or too large: see the notes).</p>",
            ),
        }
        h.push_str("</section>\n");
    }
    if !report.errors.is_empty() || !report.notes.is_empty() {
        h.push_str("<section id=\"notes\"><h2>Input errors and notes</h2><ul>");
        for e in &report.errors {
            let _ = write!(h, "<li><b>error</b> {}</li>", esc(&e.to_string()));
        }
        for n in &report.notes {
            let _ = write!(h, "<li>{}</li>", esc(n));
        }
        h.push_str("</ul></section>\n");
    }
    h.push_str("</main>\n<script type=\"application/json\" id=\"data\">");
    h.push_str(&island(&data));
    h.push_str("</script>\n<script>");
    h.push_str(JS);
    h.push_str("</script></body></html>\n");
    h
}

fn findings_len(v: &Value) -> usize {
    v.get("findings")
        .and_then(Value::as_array)
        .map_or(0, |a| a.len() * 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_island_cannot_close_its_script() {
        let v = json!({"m": "</script><script>alert(1)</script><!-- x"});
        let s = island(&v);
        assert!(!s.contains("</"));
        assert!(!s.contains("<!--"));
        let back: Value = serde_json::from_str(&s).unwrap_or(Value::Null);
        assert_eq!(back, v);
    }

    #[test]
    fn escaping() {
        assert_eq!(
            esc("<a href=\"x\">&'</a>\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;"
        );
    }
}
