//! How a reviewer's note lands among the assessments a trace already has, as MLflow's own
//! review tools do it: a person's second verdict on the same question replaces their first
//! (an update), a verdict on what an LLM judge or code decided overrides it (the judge's stays,
//! marked replaced, and comes back if the override is deleted), and another person's verdict
//! stands beside theirs. Pure: the source asks the server for the trace's assessments, plans,
//! then writes.

use super::Assessment;

/// What writing a feedback or expectation does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// A new assessment.
    Create,
    /// The reviewer's own assessment of that name, changed in place.
    Update(String),
    /// A new assessment that replaces this one (an LLM judge's or code's feedback).
    Override(String),
}

/// The assessment in force of `kind` and `name` on the trace (`span` `None`) or that span.
fn in_force<'a>(
    existing: &'a [Assessment],
    kind: &'a str,
    name: &'a str,
    span: Option<&'a str>,
) -> impl Iterator<Item = &'a Assessment> + 'a {
    existing.iter().filter(move |a| {
        a.kind == kind && a.name == name && a.is_valid() && a.span_id.as_deref() == span
    })
}

fn by_person(a: &Assessment) -> bool {
    a.source_type
        .as_deref()
        .is_none_or(|t| t.eq_ignore_ascii_case("HUMAN"))
}

fn by(a: &Assessment, reviewer: &str) -> bool {
    by_person(a) && a.source_id.as_deref() == Some(reviewer)
}

/// How `reviewer`'s `kind` (`feedback` or `expectation`) named `name` is written.
pub fn plan(
    existing: &[Assessment],
    kind: &str,
    name: &str,
    span: Option<&str>,
    reviewer: &str,
) -> Plan {
    if let Some(mine) = in_force(existing, kind, name, span).find(|a| by(a, reviewer)) {
        return Plan::Update(mine.id.clone());
    }
    // only feedback is overridden (MLflow's `override_feedback`); expectations stand side by side
    if kind == "feedback"
        && let Some(judged) = in_force(existing, kind, name, span).find(|a| !by_person(a))
    {
        return Plan::Override(judged.id.clone());
    }
    Plan::Create
}

/// The assessment `what` (an assessment id, or a name) names on the trace or span: by id
/// exactly; by name, the reviewer's own in force, else the only one in force. Several by other
/// people or judges: an error listing them, to be deleted by id.
pub fn to_delete<'a>(
    existing: &'a [Assessment],
    what: &str,
    span: Option<&str>,
    reviewer: &str,
) -> Result<&'a Assessment, String> {
    if let Some(a) = existing.iter().find(|a| a.id == what) {
        return Ok(a);
    }
    let named: Vec<&Assessment> = existing
        .iter()
        .filter(|a| a.name == what && a.is_valid() && a.span_id.as_deref() == span)
        .collect();
    if let Some(mine) = named.iter().find(|a| by(a, reviewer)) {
        return Ok(mine);
    }
    match named.as_slice() {
        [] => Err(format!(
            "no assessment {what} in force on {}",
            span.map_or("the trace".to_string(), |s| format!("span {s}"))
        )),
        [one] => Ok(one),
        several => Err(format!(
            "{} assessments named {what}: delete one by id ({})",
            several.len(),
            several
                .iter()
                .map(|a| format!("{} by {}", a.id, a.source_label()))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(id: &str, name: &str, source: &str, by: &str, valid: bool) -> Assessment {
        Assessment {
            id: id.into(),
            name: name.into(),
            kind: "feedback".into(),
            source_type: Some(source.into()),
            source_id: Some(by.into()),
            valid: Some(valid),
            ..Default::default()
        }
    }

    #[test]
    fn own_verdicts_update_judges_are_overridden_and_others_stand_beside() {
        let judge = a("a-1", "relevance", "LLM_JUDGE", "gpt", true);
        let mine = a("a-2", "resolved", "HUMAN", "maria", true);
        let theirs = a("a-3", "tone", "HUMAN", "li", true);
        let all = vec![judge, mine, theirs];
        assert_eq!(
            plan(&all, "feedback", "relevance", None, "maria"),
            Plan::Override("a-1".into())
        );
        assert_eq!(
            plan(&all, "feedback", "resolved", None, "maria"),
            Plan::Update("a-2".into())
        );
        assert_eq!(plan(&all, "feedback", "tone", None, "maria"), Plan::Create);
        assert_eq!(plan(&all, "feedback", "new", None, "maria"), Plan::Create);
        // another span, another kind: not the same question
        assert_eq!(
            plan(&all, "feedback", "relevance", Some("s1"), "maria"),
            Plan::Create
        );
        assert_eq!(
            plan(&all, "expectation", "relevance", None, "maria"),
            Plan::Create
        );
    }

    #[test]
    fn a_replaced_verdict_is_not_in_force() {
        // maria overrode the judge: her override is updated, the judge's is left alone
        let all = vec![
            a("a-1", "relevance", "LLM_JUDGE", "gpt", false),
            a("a-2", "relevance", "HUMAN", "maria", true),
        ];
        assert_eq!(
            plan(&all, "feedback", "relevance", None, "maria"),
            Plan::Update("a-2".into())
        );
        assert_eq!(
            plan(&all, "feedback", "relevance", None, "li"),
            Plan::Create
        );
    }

    #[test]
    fn deleting_by_name_finds_ones_own_or_the_only_one() {
        let all = vec![
            a("a-1", "relevance", "LLM_JUDGE", "gpt", true),
            a("a-2", "tone", "HUMAN", "maria", true),
            a("a-3", "tone", "HUMAN", "li", true),
            a("a-4", "old", "HUMAN", "li", false),
        ];
        assert_eq!(to_delete(&all, "tone", None, "maria").unwrap().id, "a-2");
        assert_eq!(
            to_delete(&all, "relevance", None, "maria").unwrap().id,
            "a-1"
        );
        assert_eq!(to_delete(&all, "a-4", None, "maria").unwrap().id, "a-4");
        let e = to_delete(&all, "tone", None, "bob").unwrap_err();
        assert!(
            e.contains("a-2 by person maria") && e.contains("a-3 by person li"),
            "{e}"
        );
        assert!(
            to_delete(&all, "old", None, "maria").is_err(),
            "replaced: by id only"
        );
        assert!(to_delete(&all, "nothing", None, "maria").is_err());
    }
}
