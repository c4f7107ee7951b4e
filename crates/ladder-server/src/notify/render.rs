//! One template per notification kind, as text and HTML, filled from a
//! message's parameters when it is sent (bodies are never stored).
//!
//! Every template names only what its parameters carry: names the
//! recipient may see, dates, counts, a link. The privacy test renders
//! every kind with hostile parameters and checks the bodies.

use crate::access::Params;
use ladder_site::escape;

/// Every kind a person may receive, with the words the preferences page
/// shows. Webhooks carry the public ones ([`crate::access::is_public`]).
pub const KINDS: &[(&str, &str)] = &[
    (
        "cycle.nominations_open",
        "A 360 cycle opens for nominations",
    ),
    (
        "cycle.feedback_open",
        "A 360 cycle opens for feedback, with questionnaires for you",
    ),
    ("cycle.closed", "A 360 cycle you were reviewed in closes"),
    (
        "nominations.sent",
        "A report sends their nominations for your approval",
    ),
    (
        "nominations.approved",
        "Your manager approves your nominations",
    ),
    (
        "checkpoint.opened",
        "A checkpoint of yours or a report's is opened",
    ),
    (
        "checkpoint.closed",
        "A checkpoint of yours or a report's is closed",
    ),
    ("meeting.created", "A 1:1 is scheduled with you"),
    ("action.assigned", "You are given an action item in a 1:1"),
    (
        "proposal.waiting",
        "A level-change proposal waits for your decision",
    ),
    ("proposal.decided", "A level change you proposed is decided"),
    (
        "internship.requested",
        "An internship request needs your decision",
    ),
    ("internship.decided", "Your internship request is decided"),
    ("candidate.to_score", "A candidate waits for your scorecard"),
    (
        "framework.changed",
        "A new version of the career framework changes what your role expects",
    ),
    (
        "reminder.nominations",
        "Reminder: nominate peers before the deadline",
    ),
    (
        "reminder.approvals",
        "Reminder: approve your reports' nominations",
    ),
    (
        "reminder.feedback",
        "Reminder: answer your questionnaires before the deadline",
    ),
    (
        "reminder.checkpoint",
        "Reminder: an overdue checkpoint (weekly)",
    ),
    (
        "reminder.one_on_one",
        "Reminder: tomorrow's 1:1, add to its agenda",
    ),
    (
        "reminder.proposal",
        "Reminder: a proposal waiting on you for over three days",
    ),
];

/// A message ready to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The absolute link, for chat.
    pub link: String,
}

fn get<'a>(p: &'a Params, k: &str) -> &'a str {
    p.get(k).map_or("", String::as_str)
}

/// What chat says of a public kind: to a team, naming nobody.
fn team_words(kind: &str, p: &Params) -> Option<(String, Vec<String>)> {
    let (cycle, due) = (get(p, "cycle"), get(p, "due"));
    let early = match get(p, "early") {
        "" => String::new(),
        why => format!(" The people team moved it early: {why}"),
    };
    Some(match kind {
        "cycle.nominations_open" => (
            format!("{cycle}: nominate your peers"),
            vec![format!(
                "The 360 cycle {cycle} is open for nominations until {due}: everyone chooses the colleagues they would like feedback from.{early}"
            )],
        ),
        "cycle.feedback_open" => (
            format!("{cycle}: feedback is open"),
            vec![format!(
                "The 360 cycle {cycle} is open for feedback until {due}: answer the questionnaires you were asked for.{early}"
            )],
        ),
        "cycle.closed" => (
            format!("{cycle} has closed"),
            vec![format!(
                "The 360 cycle {cycle} has closed; the people reviewed can read their feedback.{early}"
            )],
        ),
        "internship.requested" => (
            format!("A colleague asks to intern with {}", get(p, "department")),
            vec![format!(
                "A colleague asks to spend part of their time with {} to learn; see the internship board.",
                get(p, "department")
            )],
        ),
        _ => return None,
    })
}

/// The subject and the lines of a kind, in plain words.
fn words(kind: &str, p: &Params) -> (String, Vec<String>) {
    let name = get(p, "name");
    let cycle = get(p, "cycle");
    let due = get(p, "due");
    let early = match get(p, "early") {
        "" => None,
        why => Some(format!("The people team moved it early: {why}")),
    };
    if get(p, "audience") == "team"
        && let Some(team) = team_words(kind, p)
    {
        return team;
    }
    let (subject, mut lines) = match kind {
        "cycle.nominations_open" => (
            format!("{cycle}: nominate your peers"),
            vec![format!(
                "The 360 cycle {cycle} is open for nominations. Choose the colleagues you would like feedback from by {due}."
            )],
        ),
        "cycle.feedback_open" => (
            format!("{cycle}: feedback is open"),
            vec![format!(
                "The 360 cycle {cycle} is open for feedback. You have {} questionnaire(s) to answer by {due}.",
                get(p, "count")
            )],
        ),
        "cycle.closed" => (
            format!("{cycle} has closed"),
            vec![format!(
                "The 360 cycle {cycle} has closed. The feedback about you is ready to read, in groups large enough to keep everyone anonymous."
            )],
        ),
        "nominations.sent" => (
            format!("{name} sent their nominations"),
            vec![format!(
                "{name} chose the peers they would like feedback from in {cycle}. Approve the list, or change it, by {due}."
            )],
        ),
        "nominations.approved" => (
            format!("{cycle}: your nominations are approved"),
            vec![format!(
                "Your manager approved the peers you chose for {cycle}."
            )],
        ),
        "checkpoint.opened" => (
            format!("{} checkpoint opened for {name}", get(p, "quarter")),
            vec![format!(
                "The {} checkpoint for {name} is open, with its focus areas.",
                get(p, "quarter")
            )],
        ),
        "checkpoint.closed" => (
            format!("{} checkpoint closed for {name}", get(p, "quarter")),
            vec![format!(
                "The {} checkpoint for {name} is closed, with a summary per focus area.",
                get(p, "quarter")
            )],
        ),
        "meeting.created" => (
            format!("1:1 with {name} on {}", get(p, "date")),
            vec![format!(
                "A 1:1 with {name} is scheduled for {}. Add what you want to talk about to its agenda.",
                get(p, "date")
            )],
        ),
        "action.assigned" => (
            format!("An action item from your 1:1 with {name}"),
            vec![format!(
                "You took an action item in your 1:1 with {name}. It stays on the 1:1 until it is done."
            )],
        ),
        "proposal.waiting" => (
            format!("A level change for {name} waits for you"),
            vec![format!(
                "A level-change proposal for {name} is waiting for your decision."
            )],
        ),
        "proposal.decided" => (
            format!("The level change for {name} was {}", get(p, "outcome")),
            vec![format!(
                "The level-change proposal you made for {name} was {}.",
                get(p, "outcome")
            )],
        ),
        "internship.requested" => (
            format!("{name} asks to intern with {}", get(p, "department")),
            vec![format!(
                "{name} asks to spend part of their time with {} to learn. Approve or decline their request.",
                get(p, "department")
            )],
        ),
        "internship.decided" => (
            format!(
                "{} {} your internship with {}",
                get(p, "side"),
                get(p, "decision"),
                get(p, "department")
            ),
            vec![format!(
                "{} {} your request to intern with {}. The request is now {}.",
                get(p, "side"),
                get(p, "decision"),
                get(p, "department"),
                get(p, "state")
            )],
        ),
        "candidate.to_score" => (
            format!(
                "A candidate for {} waits for your scorecard",
                get(p, "opening")
            ),
            vec![format!(
                "A candidate for {} is at a stage you have not scored yet.",
                get(p, "opening")
            )],
        ),
        "reminder.nominations" => (
            format!("Reminder: nominate your peers for {cycle} by {due}"),
            vec![format!(
                "You have not chosen the peers you would like feedback from in {cycle}. Nominations close on {due}."
            )],
        ),
        "reminder.approvals" => (
            format!("Reminder: approve {name}'s nominations by {due}"),
            vec![format!(
                "{name}'s nominations for {cycle} wait for your approval. Nominations close on {due}."
            )],
        ),
        "reminder.feedback" => (
            format!(
                "Reminder: {} questionnaire(s) to answer by {due}",
                get(p, "count")
            ),
            vec![format!(
                "You still have {} questionnaire(s) to answer in {cycle}. Feedback closes on {due}.",
                get(p, "count")
            )],
        ),
        "reminder.checkpoint" => (
            format!(
                "Reminder: {} {} checkpoint is overdue",
                get(p, "whose"),
                get(p, "quarter")
            ),
            vec![if get(p, "what") == "close" {
                format!(
                    "The {} checkpoint for {name} is still open: write a summary per focus area and close it.",
                    get(p, "quarter")
                )
            } else {
                format!(
                    "No {} checkpoint is open for {name} yet: pick its focus areas at the next 1:1.",
                    get(p, "quarter")
                )
            }],
        ),
        "reminder.one_on_one" => (
            format!("Tomorrow: 1:1 with {name}"),
            vec![format!(
                "Your 1:1 with {name} is tomorrow, {}. Add what you want to talk about to its agenda.",
                get(p, "date")
            )],
        ),
        "framework.changed" => (
            "What changed for you in the career framework".to_owned(),
            vec![format!(
                "A new version of the career framework is live. At your level and the next: {} expectation(s) added, {} reworded, {} removed. Your worksheet shows each one, and the ratings to look at again.",
                get(p, "added"),
                get(p, "reworded"),
                get(p, "removed")
            )],
        ),
        "reminder.proposal" => (
            format!("Reminder: the level change for {name} waits for you"),
            vec![format!(
                "A level-change proposal for {name} has waited for your decision for more than three days."
            )],
        ),
        other => (
            format!("Ladder: {other}"),
            vec!["Something in Ladder needs you.".to_owned()],
        ),
    };
    lines.extend(early);
    (subject, lines)
}

/// Renders a message for `base` (the public URL, without a trailing
/// slash).
pub fn render(kind: &str, p: &Params, base: &str) -> Rendered {
    let (subject, lines) = words(kind, p);
    let link = format!("{base}{}", p.get("link").map_or("/", String::as_str));
    layout(subject, &lines, link)
}

/// A digest: one line per held message, each with its link.
pub fn render_digest(data: &serde_json::Value, base: &str) -> Rendered {
    let items = data.get("items").and_then(|v| v.as_array());
    let mut lines = Vec::new();
    let mut links = Vec::new();
    for item in items.into_iter().flatten() {
        let kind = item.get("kind").and_then(|v| v.as_str()).unwrap_or("");
        let p: Params = item
            .get("params")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        let (subject, _) = words(kind, &p);
        let link = format!("{base}{}", p.get("link").map_or("/", String::as_str));
        lines.push(subject);
        links.push(link);
    }
    let date = data.get("date").and_then(|v| v.as_str()).unwrap_or("");
    let subject = format!("Your Ladder digest for {date}: {} update(s)", lines.len());
    let text = format!(
        "{subject}\n\n{}\n\nChange what you receive: {base}/me/notifications\n",
        lines
            .iter()
            .zip(&links)
            .map(|(l, k)| format!("- {l}\n  {k}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
    let html = format!(
        "<!doctype html><html lang=\"en\"><body><h1>{}</h1><ul>{}</ul><p><a href=\"{}/me/notifications\">Change what you receive</a></p></body></html>",
        escape(&subject),
        lines
            .iter()
            .zip(&links)
            .map(|(l, k)| format!("<li><a href=\"{}\">{}</a></li>", escape(k), escape(l)))
            .collect::<String>(),
        escape(base)
    );
    Rendered {
        subject,
        text,
        html,
        link: format!("{base}/"),
    }
}

fn layout(subject: String, lines: &[String], link: String) -> Rendered {
    let text = format!("{}\n\nOpen it in Ladder: {link}\n", lines.join("\n\n"));
    let html = format!(
        "<!doctype html><html lang=\"en\"><body>{}<p><a href=\"{}\">Open it in Ladder</a></p></body></html>",
        lines
            .iter()
            .map(|l| format!("<p>{}</p>", escape(l)))
            .collect::<String>(),
        escape(&link)
    );
    Rendered {
        subject,
        text,
        html,
        link,
    }
}
