//! `mlflow-tui annotate SOURCE TRACE_ID --feedback NAME=VALUE [--rationale TEXT] [--span ID]
//! [--expectation NAME=VALUE] [--tag KEY=VALUE] [--delete-tag KEY] [--delete NAME|ID]`: writes
//! a reviewer's notes to a tracking server through MLflow's REST API (v3 assessments, trace
//! tags), one line per write saying what the server stored. A feedback the reviewer already
//! gave is updated, an LLM judge's is overridden (`crate::model::review`). Exit code 0 when
//! every write was stored. The same writes as the explorer's review keys.

use anyhow::Result;

use crate::source::Annotation;

/// The writes the flags ask for, in order: feedback, expectations, tags set, tags deleted.
pub fn annotations(
    feedback: &[String],
    rationale: Option<&str>,
    span: Option<&str>,
    expectation: &[String],
    tag: &[String],
    delete_tag: &[String],
    delete: &[String],
) -> Result<Vec<Annotation>, String> {
    let mut out = Vec::new();
    for f in feedback {
        let (name, value) = Annotation::split_pair(f)?;
        out.push(Annotation::Feedback {
            name,
            value: Annotation::parse_value(&value),
            rationale: rationale.map(str::to_string),
            span_id: span.map(str::to_string),
        });
    }
    for e in expectation {
        let (name, value) = Annotation::split_pair(e)?;
        out.push(Annotation::Expectation {
            name,
            value: Annotation::parse_value(&value),
            span_id: span.map(str::to_string),
        });
    }
    for t in tag {
        let (key, value) = Annotation::split_pair(t)?;
        out.push(Annotation::SetTag { key, value });
    }
    for k in delete_tag {
        out.push(Annotation::DeleteTag { key: k.clone() });
    }
    for what in delete {
        out.push(Annotation::Delete {
            what: what.clone(),
            span_id: span.map(str::to_string),
        });
    }
    if out.is_empty() {
        return Err(
            "nothing to write: give --feedback NAME=VALUE, --expectation NAME=VALUE, --tag KEY=VALUE, --delete-tag KEY or --delete NAME"
                .into(),
        );
    }
    if rationale.is_some() && feedback.is_empty() {
        return Err("--rationale goes with --feedback".into());
    }
    Ok(out)
}

pub async fn run(src: &str, trace_id: &str, writes: Vec<Annotation>) -> Result<()> {
    let src = super::open_source(Some(src))?;
    for a in &writes {
        match src.annotate(trace_id, a).await {
            Ok(written) => println!("{}", written.said),
            Err(e) => anyhow::bail!(
                "{}: not written: {e}",
                crate::text::sanitize_line(&a.describe())
            ),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flags_become_writes_and_values_their_types() {
        let w = annotations(
            &["correctness=yes".into(), "score=0.8".into()],
            Some("looks right"),
            None,
            &["answer=Paris is the capital".into()],
            &["reviewed=true".into()],
            &["draft".into()],
            &["relevance".into()],
        )
        .unwrap();
        assert_eq!(w.len(), 6);
        assert!(
            matches!(&w[0], Annotation::Feedback { value, rationale: Some(r), .. }
            if *value == json!(true) && r == "looks right")
        );
        assert!(matches!(&w[1], Annotation::Feedback { value, .. } if *value == json!(0.8)));
        assert!(matches!(&w[2], Annotation::Expectation { value, .. }
            if *value == json!("Paris is the capital")));
        // a tag's value stays text
        assert_eq!(
            w[3],
            Annotation::SetTag {
                key: "reviewed".into(),
                value: "true".into()
            }
        );
        assert!(matches!(&w[5], Annotation::Delete { what, span_id: None } if what == "relevance"));
        assert!(annotations(&[], None, None, &[], &[], &[], &[]).is_err());
        assert!(annotations(&["=1".into()], None, None, &[], &[], &[], &[]).is_err());
        assert!(annotations(&[], Some("why"), None, &[], &["a=b".into()], &[], &[]).is_err());
    }
}
