//! The internship rules the pages and the API share: a request checked
//! (dates, share, mentor, competencies, activities), the activity kinds.

use crate::AppError;
use crate::access::{Access, InternshipView, Viewer};
use crate::http::date_field;
use crate::http::{Fields, text_field};
use ladder_framework::Framework;
use ladder_framework::similar::did_you_mean;
use ladder_store::{Activity, Id, Internship, NewInternship};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The kinds of planned activity.
pub const ACTIVITY_KINDS: [(&str, &str); 4] = [
    ("pairing", "Pairing on named issues"),
    (
        "on_call_shadow",
        "Shadowing the on-call rotation (two weeks)",
    ),
    ("release_shadow", "Shadowing the release team"),
    ("other", "Other"),
];

pub fn activity_label(kind: &str) -> &str {
    ACTIVITY_KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind, |(_, l)| *l)
}

/// What a person sends to ask for an internship.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct InternshipInput {
    pub host_department: String,
    /// The mentor's person id.
    pub mentor_id: Id,
    pub goals: String,
    /// Competency statement ids to grow, optional.
    #[serde(default)]
    pub competencies: Vec<String>,
    /// Percent of their time, 1 to 100.
    pub share: i64,
    pub start_date: String,
    pub end_date: String,
    #[serde(default)]
    pub activities: Vec<ActivityInput>,
    #[serde(default)]
    pub access: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct ActivityInput {
    /// `pairing`, `on_call_shadow`, `release_shadow` or `other`.
    pub kind: String,
    /// The issues, the rotation, or what else.
    pub detail: String,
}

/// Checks a request field by field; the first problem names its field.
pub fn check_request(
    input: &InternshipInput,
    person: Id,
    fw: &Framework,
) -> Result<NewInternship, AppError> {
    let host_department = text_field("host_department", &input.host_department, true)?;
    let goals = text_field("goals", &input.goals, true)?;
    if !(1..=100).contains(&input.share) {
        return Err(AppError::BadRequest(format!(
            "share: {}% is not a share of time; write a percent from 1 to 100, e.g. 20",
            input.share
        )));
    }
    let start = date_field("start_date", &input.start_date)?;
    let end = date_field("end_date", &input.end_date)?;
    if end < start {
        return Err(AppError::BadRequest(format!(
            "end_date: {end} is before the start, {start}"
        )));
    }
    let mut competencies = Vec::new();
    for c in input
        .competencies
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
    {
        if !fw.items.contains_key(c) {
            let hint = did_you_mean(c, fw.items.keys().map(String::as_str))
                .map_or_else(String::new, |s| format!("; did you mean `{s}`?"));
            return Err(AppError::BadRequest(format!(
                "competencies: `{c}` is not a statement id of the framework{hint}"
            )));
        }
        if !competencies.iter().any(|x: &String| x == c) {
            competencies.push(c.to_owned());
        }
    }
    let mut activities = Vec::new();
    for (i, a) in input.activities.iter().enumerate() {
        let kind = a.kind.trim();
        if !ACTIVITY_KINDS.iter().any(|(k, _)| *k == kind) {
            return Err(AppError::BadRequest(format!(
                "activities[{i}].kind: `{kind}` is not an activity; use one of pairing, on_call_shadow, release_shadow, other"
            )));
        }
        let detail = text_field(
            &format!("activities[{i}].detail"),
            &a.detail,
            kind == "pairing" || kind == "other",
        )?;
        activities.push(Activity {
            kind: kind.to_owned(),
            detail,
        });
    }
    Ok(NewInternship {
        person_id: person,
        host_department,
        mentor_id: input.mentor_id,
        goals,
        competencies,
        share: input.share,
        start_date: start.to_string(),
        end_date: end.to_string(),
        activities,
        access: text_field("access", &input.access, false)?,
    })
}

/// The request form's fields as an [`InternshipInput`]. Activities come
/// as checkboxes (`activity_<kind>`) with a detail each.
pub(crate) fn form_input(f: &Fields) -> InternshipInput {
    InternshipInput {
        host_department: f.get("host_department").to_owned(),
        mentor_id: f.get("mentor_id").trim().parse().unwrap_or(0),
        goals: f.get("goals").to_owned(),
        // Ticked on the form (`competency`), or typed as ids.
        competencies: {
            let mut c: Vec<String> = f
                .all("competency")
                .into_iter()
                .chain(f.get("competencies").split([',', ' ', '\n']))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            c.dedup();
            c
        },
        share: f.get("share").trim().parse().unwrap_or(0),
        start_date: f.get("start_date").to_owned(),
        end_date: f.get("end_date").to_owned(),
        activities: ACTIVITY_KINDS
            .iter()
            .filter(|(k, _)| !f.get(&format!("activity_{k}")).is_empty())
            .map(|(k, _)| ActivityInput {
                kind: (*k).to_owned(),
                detail: f.get(&format!("detail_{k}")).to_owned(),
            })
            .collect(),
        access: f.get("access").to_owned(),
    }
}

/// The statements an internship moved are among those it set out to grow.
pub(crate) fn check_moved(moved: &[String], i: &Internship) -> Result<(), AppError> {
    match moved.iter().find(|m| !i.new.competencies.contains(m)) {
        Some(m) => Err(AppError::BadRequest(format!(
            "moved: `{m}` is not one of the competencies this internship set out to grow ({})",
            i.new.competencies.join(", ")
        ))),
        None => Ok(()),
    }
}

// ---- The writes: each checks its input, then writes through its capability

/// Asks for an internship for the viewer's own person, checked against
/// the framework (competencies) and the organisation (mentor, host team).
pub async fn request(
    access: &Access,
    v: &Viewer,
    input: &InternshipInput,
    fw: &Framework,
    now: i64,
) -> Result<Id, AppError> {
    let me = v.person_id().ok_or(AppError::Forbidden)?;
    let req = check_request(input, me, fw)?;
    access.request_internship(v, &req, now).await
}

/// Records the viewer's side's decision on a requested internship.
pub async fn decide(
    view: &InternshipView<'_>,
    approve: bool,
    comment: &str,
    now: i64,
) -> Result<(), AppError> {
    if view.parts.decides().is_none() {
        return Err(AppError::Forbidden);
    }
    view.decide(approve, &text_field("comment", comment, false)?, now)
        .await
        .map(|_| ())
}

/// Adds a dated entry to the internship's log.
pub async fn add_log(
    view: &InternshipView<'_>,
    date: &str,
    text: &str,
    now: i64,
) -> Result<(), AppError> {
    if !view.parts.logs() {
        return Err(AppError::Forbidden);
    }
    let day = date_field("date", date)?;
    let text = text_field("text", text, true)?;
    view.add_log(&day.to_string(), &text, now).await.map(|_| ())
}

/// Ends the internship with its outcome, keeping the ratings of the
/// statements it `moved`.
pub async fn complete(
    view: &InternshipView<'_>,
    outcome: &str,
    moved: &[String],
    now: i64,
) -> Result<(), AppError> {
    if !view.parts.completes() {
        return Err(AppError::Forbidden);
    }
    let outcome = text_field("outcome", outcome, true)?;
    check_moved(moved, &view.internship)?;
    view.complete(&outcome, moved, now).await
}
