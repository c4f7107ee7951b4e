//! "Download my data" (GDPR articles 15 and 20): one ZIP of JSON and CSV
//! files holding everything Ladder keeps about the signed-in person that
//! they may see, read through [`MyData`]. `README.md` inside the file says
//! what each file holds; `docs/privacy.md` documents every field.

use crate::access::MyData;
use crate::http::api::{ApiError, ApiViewer, ErrorBody};
use crate::{AppError, AppState, access::Viewer};
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use ladder_framework::csv::spreadsheet_row;
use ladder_org::Date;
use serde_json::{Value, json};
use std::io::Write as _;

const README: &str = "\
# Your data in Ladder

Everything Ladder keeps about you that you may see, as of the day you
downloaded it. Times are Unix seconds (UTC); days are YYYY-MM-DD. CSV files
prefix a cell that starts with =, +, -, @, a tab or a carriage return with
a ' so that a spreadsheet shows it as text.

- profile.json: your person record (name, email, job family, level,
  specialty, grade, department, location, start date, manager) and your
  account (email, name, roles, when it was made, whether it signs in with
  a password).
- role_history.csv: every role you held, from the day it took effect, and
  why it changed.
- ratings.csv: your worksheet as it stands, both sides (self and
  manager): statement id, its text when rated, rating, evidence, the
  framework version, who rated and when.
- rating_history.csv: every change to a rating, old and new.
- checkpoints.json: your quarterly checkpoints and their focus areas.
- one_on_ones.json: each 1:1 you take part in: meetings with their shared
  notes and agenda, your own private note on each (never the other
  person's), standing agenda items and action items.
- feedback.json: per 360 cycle, your results as released to you, who was
  asked about you (not whether they answered), and whom you were asked
  about and on which day you answered. The answers you gave are stored
  apart from you, so that nobody, you included, can find them again.
- pay.csv: your salary history, as shown to you.
- internships.json: your internships with other teams.
- notifications.json: how you chose to be told of each kind of event.
- audit.csv: every audit entry about you: who read your private data
  (worksheet, pay, 1:1 documents, results) or changed your record, and when.
";

fn json_file(value: &impl serde::Serialize) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec_pretty(value).map_err(|e| AppError::Internal(e.to_string()))
}

/// A CSV file: a header row, then rows, every cell safe for spreadsheets.
fn csv_file(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) -> Vec<u8> {
    let mut out = String::new();
    spreadsheet_row(&mut out, header);
    for r in rows {
        spreadsheet_row(&mut out, &r);
    }
    out.into_bytes()
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_default()
}

/// The files of the export, by name, in the order written.
pub async fn files(d: &MyData<'_>) -> Result<Vec<(&'static str, Vec<u8>)>, AppError> {
    let v = d.viewer();
    let mut files = vec![("README.md", README.as_bytes().to_vec())];
    let person = d.person().map(|p| {
        json!({
            "id": p.id,
            "name": p.record.name,
            "email": p.record.email,
            "job_family": p.record.role.family,
            "level": p.record.role.level,
            "specialty": p.record.role.specialty,
            "grade": p.record.role.grade,
            "department": p.record.department,
            "location": p.record.location,
            "start_date": p.record.start_date.map(|d| d.to_string()),
            "active": p.record.active,
            "manager": p.manager_id.map(|m| d.name_of(m)),
        })
    });
    files.push((
        "profile.json",
        json_file(&json!({
            "person": person,
            "account": {
                "email": v.account.email,
                "name": v.account.name,
                "roles": v.account.roles,
                "created_at": v.account.created_at,
                "signs_in_with_a_password": v.account.password_hash.is_some(),
            },
        }))?,
    ));
    files.push((
        "role_history.csv",
        csv_file(
            &[
                "effective",
                "job_family",
                "level",
                "specialty",
                "grade",
                "reason",
            ],
            d.role_history().await?.into_iter().map(|h| {
                vec![
                    h.effective,
                    h.role.family,
                    h.role.level,
                    opt(h.role.specialty),
                    h.role.grade,
                    h.reason,
                ]
            }),
        ),
    ));
    let (ratings, history) = d.ratings().await?;
    files.push((
        "ratings.csv",
        csv_file(
            &[
                "statement_id",
                "statement_text",
                "side",
                "rating",
                "evidence",
                "framework_version",
                "rated_by",
                "rated_at",
            ],
            ratings.into_iter().map(|r| {
                vec![
                    r.statement_id,
                    r.statement_text,
                    r.rater.as_str().to_owned(),
                    r.value.to_string(),
                    r.evidence,
                    r.framework_hash,
                    r.rated_by.map(|a| a.to_string()).unwrap_or_default(),
                    r.rated_at.to_string(),
                ]
            }),
        ),
    ));
    files.push((
        "rating_history.csv",
        csv_file(
            &[
                "statement_id",
                "side",
                "old_rating",
                "new_rating",
                "old_evidence",
                "new_evidence",
                "framework_version",
                "changed_at",
            ],
            history.into_iter().map(|h| {
                vec![
                    h.statement_id,
                    h.rater.as_str().to_owned(),
                    opt(h.old_value),
                    h.new_value.to_string(),
                    h.old_evidence.unwrap_or_default(),
                    h.new_evidence,
                    h.framework_hash,
                    h.changed_at.to_string(),
                ]
            }),
        ),
    ));
    files.push(("checkpoints.json", json_file(&d.checkpoints().await?)?));
    let mut pairs = Vec::new();
    for p in d.one_on_ones().await? {
        let me = v.person_id();
        let (with, my_side) = if Some(p.manager_id) == me {
            (p.report_id, "manager")
        } else {
            (p.manager_id, "report")
        };
        let meetings: Vec<Value> = p
            .meetings
            .iter()
            .map(|(m, agenda, note)| {
                json!({
                    "date": m.date,
                    "shared_notes": m.shared_notes,
                    "agenda": agenda.iter().map(|a| json!({
                        "author": d.name_of(a.author_id),
                        "text": a.text,
                        "created_at": a.created_at,
                    })).collect::<Vec<_>>(),
                    "my_private_note": note.as_ref().map(|n| json!({
                        "text": n.text,
                        "updated_at": n.updated_at,
                    })),
                })
            })
            .collect();
        pairs.push(json!({
            "with": d.name_of(with),
            "you_are_the": my_side,
            "meetings": meetings,
            "standing_items": p.standing.iter().map(|s| json!({
                "author": d.name_of(s.author_id),
                "text": s.text,
            })).collect::<Vec<_>>(),
            "action_items": p.actions.iter().map(|a| json!({
                "owner": d.name_of(a.owner_id),
                "text": a.text,
                "created_at": a.created_at,
                "done_at": a.done_at,
            })).collect::<Vec<_>>(),
        }));
    }
    files.push(("one_on_ones.json", json_file(&pairs)?));
    let mut cycles = Vec::new();
    for c in d.feedback().await? {
        let results: Option<Value> = c
            .released
            .as_ref()
            .and_then(|s| serde_json::from_str(&s.results).ok());
        cycles.push(json!({
            "cycle": c.cycle.plan.name,
            "state": c.cycle.state.as_str(),
            "results_released_on": c.released.as_ref().map(|s| Date::from_unix(s.released_at).to_string()),
            "results": results,
            "asked_about_you": c.asked_about_me.iter().map(|n| json!({
                "name": d.name_of(n.respondent_id),
                "relation": n.relation.as_str(),
            })).collect::<Vec<_>>(),
            "you_were_asked_about": c.asked_of_me.iter().map(|n| json!({
                "name": d.name_of(n.person_id),
                "relation": n.relation.as_str(),
                "answered_on": n.answered_on,
            })).collect::<Vec<_>>(),
        }));
    }
    files.push(("feedback.json", json_file(&cycles)?));
    files.push((
        "pay.csv",
        csv_file(
            &["effective_from", "amount", "currency"],
            d.pay().await?.into_iter().map(|s| {
                vec![
                    s.effective_from.to_string(),
                    ladder_org::pay::format_amount(s.amount),
                    s.currency,
                ]
            }),
        ),
    ));
    files.push(("internships.json", json_file(&d.internships().await?)?));
    let prefs: Vec<Value> = d
        .notification_prefs()
        .await?
        .into_iter()
        .map(|(kind, how)| json!({"kind": kind, "delivery": how.as_str()}))
        .collect();
    files.push(("notifications.json", json_file(&prefs)?));
    files.push((
        "audit.csv",
        csv_file(
            &["at", "day", "by", "action", "detail"],
            d.audit_about_me().await?.into_iter().map(|e| {
                vec![
                    e.at.to_string(),
                    Date::from_unix(e.at).to_string(),
                    e.actor,
                    e.action,
                    e.detail,
                ]
            }),
        ),
    ));
    Ok(files)
}

/// The files as one ZIP (stored, not compressed: the files are small and
/// the format stays readable everywhere).
pub fn zip(files: &[(&str, Vec<u8>)]) -> Result<Vec<u8>, AppError> {
    let fail = |e: &dyn std::fmt::Display| AppError::Internal(format!("writing the ZIP: {e}"));
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in files {
        w.start_file(*name, options).map_err(|e| fail(&e))?;
        w.write_all(bytes).map_err(|e| fail(&e))?;
    }
    Ok(w.finish().map_err(|e| fail(&e))?.into_inner())
}

async fn download(s: &AppState, v: &Viewer) -> Result<Response, AppError> {
    let d = s.access().my_data(v).await?;
    let body = zip(&files(&d).await?)?;
    d.record_export(s.now()).await?;
    let name = format!(
        "attachment; filename=\"ladder-my-data-{}.zip\"",
        Date::from_unix(s.now())
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_owned()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// `GET /me/export`: the download, from the account page.
pub async fn page(State(s): State<AppState>, v: Viewer) -> Result<Response, AppError> {
    download(&s, &v).await
}

#[utoipa::path(get, path = "/api/v1/me/export", responses(
    (status = 200, content_type = "application/zip", description = "A ZIP of JSON and CSV files: everything Ladder holds about the caller that they may see (see docs/privacy.md)"),
    (status = 401, body = ErrorBody)
))]
/// Download my data.
pub async fn api(State(s): State<AppState>, ApiViewer(v): ApiViewer) -> Result<Response, ApiError> {
    Ok(download(&s, &v).await?)
}
