//! `ladder.yaml`: levels, categories, rating scale and policy.

use crate::diagnostic::{Diagnostic, Span};
use crate::markdown::is_valid_id;
use crate::model::{
    Approver, Bounds, Category, Config, Level, Policy, ReadinessPolicy, ScalePoint, Source,
};
use crate::similar::slugify;
use crate::yaml::Doc;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::{BTreeSet, HashMap, HashSet};

pub const CONFIG_FILE: &str = "ladder.yaml";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    organisation: String,
    levels: Vec<RawLevel>,
    categories: Vec<RawCategory>,
    #[serde(default)]
    rating_scale: Option<Vec<RawScalePoint>>,
    #[serde(default)]
    policy: RawPolicy,
    #[serde(default)]
    source_url: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    id: Spanned<String>,
    title: String,
    grade: Spanned<f64>,
    #[serde(default)]
    below: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategory {
    id: Spanned<String>,
    title: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScalePoint {
    value: Spanned<i32>,
    label: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    focus_areas: Option<RawBounds>,
    #[serde(default)]
    feedback: Option<RawFeedback>,
    #[serde(default)]
    readiness: Option<RawReadiness>,
    #[serde(default)]
    promotion: Option<RawPromotion>,
    #[serde(default)]
    pay: Option<RawPay>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPay {
    #[serde(default)]
    zones: Vec<RawZone>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawZone {
    id: Spanned<String>,
    locations: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPromotion {
    #[serde(default)]
    require_ready: Option<bool>,
    #[serde(default)]
    min_months_at_level: Option<u32>,
    #[serde(default)]
    approvals: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBounds {
    min: Spanned<u32>,
    max: Spanned<u32>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeedback {
    #[serde(default)]
    anonymity_threshold: Option<Spanned<u32>>,
    #[serde(default)]
    peers: Option<RawBounds>,
    #[serde(default)]
    open_questions: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReadiness {
    demonstrated_at: Spanned<i32>,
    share: Spanned<f64>,
    consecutive_quarters: Spanned<u32>,
}

fn default_scale() -> Vec<ScalePoint> {
    [
        (1, "Not yet", "Not yet seen in their work."),
        (2, "Developing", "Seen sometimes, or with support."),
        (3, "Demonstrated", "Seen consistently, without support."),
        (4, "Role model", "Others learn this from them."),
    ]
    .into_iter()
    .map(|(value, label, description)| ScalePoint {
        value,
        label: label.to_owned(),
        description: description.to_owned(),
    })
    .collect()
}

/// Parses and validates `ladder.yaml`. Always returns a config (possibly
/// partial) so later passes can go on reporting.
pub fn load(file: &str, text: &str, diags: &mut Vec<Diagnostic>) -> Config {
    let doc = Doc::new(file, text, 0, text.len());
    let raw: RawConfig = match doc.parse("ladder.yaml") {
        Ok(r) => r,
        Err(d) => {
            diags.push(*d);
            return Config::default();
        }
    };
    let levels = levels(&doc, &raw.levels, diags);
    check_level_order(&doc, &raw.levels, &levels, diags);
    let categories = categories(&doc, &raw.categories, diags);
    let rating_scale = rating_scale(&doc, raw.rating_scale.as_deref(), diags);
    let policy = policy(&doc, &raw.policy, &rating_scale, diags);
    let source_url = raw.source_url.and_then(|u| {
        let v = u.value.trim().trim_end_matches('/').to_owned();
        if v.starts_with("https://") || v.starts_with("http://") {
            Some(v)
        } else {
            diags.push(
                Diagnostic::error(
                    "invalid-value",
                    doc.span_of(&u),
                    format!("`source_url: {}` is not an http or https address", u.value),
                )
                .with_help("the address the framework's source site is published at, e.g. `https://handbook.example.com`"),
            );
            None
        }
    });
    Config {
        organisation: raw.organisation,
        levels,
        categories,
        rating_scale,
        policy,
        source_url,
    }
}

/// The levels, each checked: a valid id, defined once, a grade of 0 or
/// more. Their order (`below`) is [`check_level_order`]'s.
fn levels(doc: &Doc<'_>, raw: &[RawLevel], diags: &mut Vec<Diagnostic>) -> Vec<Level> {
    let file = doc.file;
    let mut levels = Vec::new();
    let mut seen = BTreeSet::new();
    if raw.is_empty() {
        diags.push(
            Diagnostic::error(
                "empty-section",
                Span::file_start(file),
                "`levels` is empty",
            )
            .with_help("list the levels in order, e.g. `- { id: senior, title: Senior, grade: 7, below: intermediate }`"),
        );
    }
    for l in raw {
        let id = &l.id.value;
        if !is_valid_id(id) {
            diags.push(
                Diagnostic::error(
                    "bad-id",
                    doc.span_of(&l.id),
                    format!("`{id}` is not a valid level id"),
                )
                .with_help("ids use lowercase letters, digits, `-`, `_` and `.`")
                .with_suggestion(slugify(id)),
            );
        }
        if !seen.insert(id.clone()) {
            diags.push(Diagnostic::error(
                "duplicate-level",
                doc.span_of(&l.id),
                format!("level `{id}` is defined twice"),
            ));
            continue;
        }
        let grade = l.grade.value;
        if !grade.is_finite() || grade < 0.0 {
            diags.push(
                Diagnostic::error(
                    "invalid-value",
                    doc.span_of_location(&l.grade.referenced, 1),
                    format!("grade of `{id}` must be a number of 0 or more"),
                )
                .with_help("grades may be fractional, e.g. `9.5`"),
            );
        }
        let span = doc.span_of(&l.id);
        levels.push(Level {
            id: id.clone(),
            title: l.title.clone(),
            grade,
            below: l.below.as_ref().map(|b| b.value.clone()),
            source: Source::from(&span),
        });
    }

    levels
}

/// The competency categories: a valid id, each defined once.
fn categories(doc: &Doc<'_>, raw: &[RawCategory], diags: &mut Vec<Diagnostic>) -> Vec<Category> {
    let file = doc.file;
    let mut categories = Vec::new();
    let mut seen = BTreeSet::new();
    if raw.is_empty() {
        diags.push(Diagnostic::error(
            "empty-section",
            Span::file_start(file),
            "`categories` is empty",
        ));
    }
    for c in raw {
        let id = &c.id.value;
        if !is_valid_id(id) {
            diags.push(
                Diagnostic::error(
                    "bad-id",
                    doc.span_of(&c.id),
                    format!("`{id}` is not a valid category id"),
                )
                .with_suggestion(slugify(id)),
            );
        }
        if !seen.insert(id.clone()) {
            diags.push(Diagnostic::error(
                "duplicate-category",
                doc.span_of(&c.id),
                format!("category `{id}` is defined twice"),
            ));
            continue;
        }
        categories.push(Category {
            id: id.clone(),
            title: c.title.clone(),
        });
    }

    categories
}

/// The rating scale: the default when none is given; values increase and
/// there are at least two.
fn rating_scale(
    doc: &Doc<'_>,
    raw: Option<&[RawScalePoint]>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<ScalePoint> {
    let file = doc.file;
    match raw {
        None => default_scale(),
        Some(points) => {
            let mut prev: Option<i32> = None;
            for p in points {
                if prev.is_some_and(|v| p.value.value <= v) {
                    diags.push(
                        Diagnostic::error(
                            "invalid-value",
                            doc.span_of_location(&p.value.referenced, 1),
                            format!(
                                "rating scale values must increase; {} follows {}",
                                p.value.value,
                                prev.unwrap_or_default()
                            ),
                        )
                        .with_help("list the scale from lowest to highest value"),
                    );
                }
                prev = Some(p.value.value);
            }
            if points.len() < 2 {
                diags.push(Diagnostic::error(
                    "invalid-value",
                    Span::file_start(file),
                    "the rating scale needs at least two points",
                ));
            }
            points
                .iter()
                .map(|p| ScalePoint {
                    value: p.value.value,
                    label: p.label.clone(),
                    description: p.description.clone(),
                })
                .collect()
        }
    }
}

/// The policy: focus-area bounds, 360 feedback, promotion, pay zones and
/// readiness, each checked where it is written.
fn policy(
    doc: &Doc<'_>,
    raw: &RawPolicy,
    scale: &[ScalePoint],
    diags: &mut Vec<Diagnostic>,
) -> Policy {
    let mut policy = Policy::default();
    if let Some(b) = &raw.focus_areas {
        focus_areas(doc, b, &mut policy, diags);
    }
    if let Some(f) = &raw.feedback {
        feedback(doc, f, &mut policy, diags);
    }
    if let Some(p) = &raw.promotion {
        promotion(doc, p, &mut policy, diags);
    }
    if let Some(p) = &raw.pay {
        pay(doc, p, &mut policy, diags);
    }
    if let Some(r) = &raw.readiness {
        readiness(doc, r, scale, &mut policy, diags);
    }
    policy
}

/// How many focus areas a checkpoint takes.
fn focus_areas(doc: &Doc<'_>, b: &RawBounds, policy: &mut Policy, diags: &mut Vec<Diagnostic>) {
    if b.min.value < 1 {
        diags.push(Diagnostic::error(
            "invalid-value",
            doc.span_of_location(&b.min.referenced, 1),
            "`focus_areas.min` must be at least 1",
        ));
    }
    if b.min.value > b.max.value {
        diags.push(
            Diagnostic::error(
                "invalid-value",
                doc.span_of_location(&b.max.referenced, 1),
                format!(
                    "`focus_areas.max` ({}) is below `focus_areas.min` ({})",
                    b.max.value, b.min.value
                ),
            )
            .with_help("set `max` to at least `min`")
            .with_suggestion(b.min.value.to_string()),
        );
    }
    policy.focus_areas = Bounds {
        min: b.min.value,
        max: b.max.value,
    };
}

/// 360 feedback: the anonymity threshold, peer bounds, open questions.
fn feedback(doc: &Doc<'_>, f: &RawFeedback, policy: &mut Policy, diags: &mut Vec<Diagnostic>) {
    if let Some(t) = &f.anonymity_threshold {
        if t.value < 2 {
            diags.push(
                Diagnostic::error(
                    "invalid-value",
                    doc.span_of_location(&t.referenced, 1),
                    "`anonymity_threshold` below 2 would show single answers attributed",
                )
                .with_suggestion("3"),
            );
        }
        policy.feedback.anonymity_threshold = t.value;
    }
    if let Some(b) = &f.peers {
        if b.max.value < b.min.value {
            diags.push(
                Diagnostic::error(
                    "invalid-value",
                    doc.span_of_location(&b.max.referenced, 1),
                    format!(
                        "`peers.max` ({}) is below `peers.min` ({})",
                        b.max.value, b.min.value
                    ),
                )
                .with_help("set `max` to at least `min`")
                .with_suggestion(b.min.value.to_string()),
            );
        }
        policy.feedback.peers = Bounds {
            min: b.min.value,
            max: b.max.value,
        };
    }
    if let Some(q) = &f.open_questions {
        policy.feedback.open_questions = q
            .iter()
            .map(|q| q.trim().to_owned())
            .filter(|q| !q.is_empty())
            .collect();
    }
}

/// Promotion: readiness required, months at level, the approval chain.
fn promotion(doc: &Doc<'_>, p: &RawPromotion, policy: &mut Policy, diags: &mut Vec<Diagnostic>) {
    let file = doc.file;
    if let Some(r) = p.require_ready {
        policy.promotion.require_ready = r;
    }
    if let Some(m) = p.min_months_at_level {
        policy.promotion.min_months_at_level = m;
    }
    if let Some(list) = &p.approvals {
        let mut chain = Vec::new();
        for a in list {
            match Approver::parse(&a.value) {
                Some(x) if !chain.contains(&x) => chain.push(x),
                Some(_) => diags.push(Diagnostic::error(
                    "invalid-value",
                    doc.span_of_location(&a.referenced, 1),
                    format!("`{}` is listed twice in `approvals`", a.value),
                )),
                None => diags.push(
                    Diagnostic::error(
                        "invalid-value",
                        doc.span_of_location(&a.referenced, 1),
                        format!("`{}` is not an approver", a.value),
                    )
                    .with_help("approvers are `skip_level` and `people_team`")
                    .with_suggestion(if a.value.contains("people") {
                        "people_team"
                    } else {
                        "skip_level"
                    }),
                ),
            }
        }
        if chain.is_empty() {
            diags.push(
                Diagnostic::error(
                    "invalid-value",
                    Span::file_start(file),
                    "`promotion.approvals` is empty: a level change needs at least one approval",
                )
                .with_help("e.g. `approvals: [skip_level, people_team]`"),
            );
        } else {
            policy.promotion.approvals = chain;
        }
    }
}

/// Pay zones: valid ids, each defined once, each location in one zone.
fn pay(doc: &Doc<'_>, p: &RawPay, policy: &mut Policy, diags: &mut Vec<Diagnostic>) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut places: BTreeSet<String> = BTreeSet::new();
    for z in &p.zones {
        if !is_valid_id(&z.id.value) {
            diags.push(
                Diagnostic::error(
                    "invalid-id",
                    doc.span_of_location(&z.id.referenced, 1),
                    format!("`{}` is not a valid zone id", z.id.value),
                )
                .with_help("ids are lowercase letters, digits and dashes")
                .with_suggestion(slugify(&z.id.value)),
            );
        } else if !seen.insert(z.id.value.clone()) {
            diags.push(Diagnostic::error(
                "duplicate-id",
                doc.span_of_location(&z.id.referenced, 1),
                format!("zone `{}` is defined twice", z.id.value),
            ));
        }
        for l in &z.locations {
            if !places.insert(l.value.trim().to_lowercase()) {
                diags.push(
                    Diagnostic::error(
                        "invalid-value",
                        doc.span_of_location(&l.referenced, 1),
                        format!("location `{}` is in more than one zone", l.value),
                    )
                    .with_help("a location is paid in one zone; keep it in one list"),
                );
            }
        }
        policy.pay.zones.push(crate::model::Zone {
            id: z.id.value.clone(),
            locations: z
                .locations
                .iter()
                .map(|l| l.value.trim().to_owned())
                .collect(),
        });
    }
}

/// Readiness: the share of next-level statements demonstrated (a value on
/// the rating scale), for how many consecutive quarters.
fn readiness(
    doc: &Doc<'_>,
    r: &RawReadiness,
    scale: &[ScalePoint],
    policy: &mut Policy,
    diags: &mut Vec<Diagnostic>,
) {
    if !(r.share.value > 0.0 && r.share.value <= 1.0) {
        diags.push(
            Diagnostic::error(
                "invalid-value",
                doc.span_of_location(&r.share.referenced, 1),
                "`readiness.share` is a fraction above 0 and at most 1",
            )
            .with_help("e.g. `0.9` for 90%"),
        );
    }
    if !scale.iter().any(|p| p.value == r.demonstrated_at.value) {
        let values: Vec<String> = scale.iter().map(|p| p.value.to_string()).collect();
        diags.push(
            Diagnostic::error(
                "invalid-value",
                doc.span_of_location(&r.demonstrated_at.referenced, 1),
                format!(
                    "`readiness.demonstrated_at` is {}, which is not on the rating scale",
                    r.demonstrated_at.value
                ),
            )
            .with_help(format!("use one of: {}", values.join(", "))),
        );
    }
    if r.consecutive_quarters.value < 1 {
        diags.push(Diagnostic::error(
            "invalid-value",
            doc.span_of_location(&r.consecutive_quarters.referenced, 1),
            "`readiness.consecutive_quarters` must be at least 1",
        ));
    }
    policy.readiness = ReadinessPolicy {
        demonstrated_at: r.demonstrated_at.value,
        share: r.share.value,
        consecutive_quarters: r.consecutive_quarters.value,
    };
}

/// `below` must name a known level, not the level itself, and not loop.
/// Each level has at most one `below`, so the levels form chains: each is
/// walked once, in time proportional to the number of levels.
fn check_level_order(
    doc: &Doc<'_>,
    raw: &[RawLevel],
    levels: &[Level],
    diags: &mut Vec<Diagnostic>,
) {
    let known: HashSet<&str> = levels.iter().map(|l| l.id.as_str()).collect();
    // Where each level leads down to, for the levels whose `below` is sound.
    let mut below: HashMap<&str, &str> = HashMap::new();
    // Each level's place in the file, to report a circle once, at its first
    // member, as it is written.
    let mut rank: HashMap<&str, usize> = HashMap::new();
    for (i, r) in raw.iter().enumerate() {
        rank.entry(r.id.value.as_str()).or_insert(i);
        let Some(b) = &r.below else { continue };
        if b.value == r.id.value {
            diags.push(
                Diagnostic::error(
                    "level-self-reference",
                    doc.span_of(b),
                    format!("level `{}` says it includes itself", r.id.value),
                )
                .with_help("`below` names the level whose expectations this one includes, e.g. the one listed before it"),
            );
        } else if !known.contains(b.value.as_str()) {
            let ids: Vec<&str> = levels.iter().map(|l| l.id.as_str()).collect();
            diags.push(
                Diagnostic::error(
                    "unknown-level",
                    doc.span_of(b),
                    format!("`below: {}` names no level", b.value),
                )
                .with_did_you_mean(&b.value, ids.iter().copied()),
            );
        } else {
            below.entry(r.id.value.as_str()).or_insert(b.value.as_str());
        }
    }
    // 1 while on the walk under way, 2 once known to end or to be reported.
    let mut circled = false;
    let mut state: HashMap<&str, u8> = HashMap::new();
    for r in raw {
        let mut path: Vec<&str> = Vec::new();
        let mut cur = Some(r.id.value.as_str());
        while let Some(at) = cur {
            match state.get(at) {
                Some(2) => break,
                Some(_) => {
                    // Back on this walk: the levels from `at` on are a circle.
                    let from = path.iter().position(|p| *p == at).unwrap_or(0);
                    let circle = path.get(from..).unwrap_or_default();
                    report_circle(doc, raw, circle, &rank, &below, diags);
                    circled = true;
                    break;
                }
                None => {
                    state.insert(at, 1);
                    path.push(at);
                    cur = below.get(at).copied();
                }
            }
        }
        for p in path {
            state.insert(p, 2);
        }
    }
    // Once the order is sound: a level whose grade is below the grade of the
    // level it builds on contradicts it.
    let grade: HashMap<&str, f64> = levels.iter().map(|l| (l.id.as_str(), l.grade)).collect();
    for r in raw.iter().filter(|_| !circled) {
        let (Some(b), Some(g)) = (
            below.get(r.id.value.as_str()),
            grade.get(r.id.value.as_str()),
        ) else {
            continue;
        };
        if let Some(bg) = grade.get(b)
            && bg > g
        {
            diags.push(
                Diagnostic::warning(
                    "grade-order",
                    doc.span_of_location(&r.grade.referenced, 1),
                    format!(
                        "level `{}` has grade {g}, lower than the grade {bg} of `{b}`, which it builds on",
                        r.id.value
                    ),
                )
                .with_help(format!(
                    "give `{}` a grade of {bg} or more, or check its `below`",
                    r.id.value
                )),
            );
        }
    }
}

/// One error for a circle of levels, at the `below` of the member written
/// first, naming the circle from there.
fn report_circle(
    doc: &Doc<'_>,
    raw: &[RawLevel],
    circle: &[&str],
    rank: &HashMap<&str, usize>,
    below: &HashMap<&str, &str>,
    diags: &mut Vec<Diagnostic>,
) {
    let Some(first) = circle
        .iter()
        .min_by_key(|c| rank.get(**c).copied().unwrap_or(usize::MAX))
    else {
        return;
    };
    let Some(span) = rank
        .get(first)
        .and_then(|i| raw.get(*i))
        .and_then(|r| r.below.as_ref())
        .map(|b| doc.span_of(b))
    else {
        return;
    };
    let mut names = vec![*first];
    let mut cur = *first;
    while let Some(next) = below.get(cur) {
        names.push(next);
        if next == first || names.len() > circle.len() {
            break;
        }
        cur = next;
    }
    diags.push(
        Diagnostic::error(
            "level-cycle",
            span,
            format!(
                "levels include each other in a circle: {}",
                names.join(" → ")
            ),
        )
        .with_help("each level's `below` must lead down to an entry level with no `below`"),
    );
}
