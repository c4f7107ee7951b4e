//! 360 feedback, sans-IO: the questions a person is asked about, the
//! anonymity rules that decide which answers anyone may see, completion,
//! and the policy a level-change proposal must meet.
//!
//! The anonymity rules, all in [`results`]:
//! - answers are grouped by relation: self, manager, peers, reports;
//! - the person's own answers and their manager's are shown as theirs;
//! - peers and reports are shown only as a group of at least `threshold`
//!   answers. Groups below it are merged into "others" when the merged
//!   group reaches the threshold, and hidden otherwise. A group that is
//!   shown is never also part of "others", so no group can be subtracted
//!   from another;
//! - within a shown group, a rating question's figures appear only when
//!   at least `threshold` answers rated it (a "can't say" is no rating);
//! - comments come in an order that depends only on their text, never on
//!   when or by whom they were written; there are no times at all;
//! - a hidden group says nothing about how many answered.

use crate::Worksheet;
use ladder_framework::PromotionPolicy;
use ladder_org::Date;
use ladder_store::{Answer, FeedbackRelation, Nomination};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// One question of the form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Question {
    /// `category:<id>` or `open:<n>`.
    pub key: String,
    pub title: String,
    /// Rated on the scale (a category) or free text only.
    pub rated: bool,
    /// For a category: the level's statements it covers, as context.
    pub statements: Vec<String>,
    /// Their stable ids, in the same order: what the answers speak of,
    /// so a framework change can say which questions it touches.
    pub statement_ids: Vec<String>,
}

/// The questions about a person: one per competency category of their
/// current level (rated, with a comment), then the open questions.
pub fn questions(ws: &Worksheet, open: &[String]) -> Vec<Question> {
    let mut out: Vec<Question> = Vec::new();
    for row in ws.rows.iter().filter(|r| !r.new_at_next) {
        let key = format!("category:{}", row.category);
        match out.iter_mut().find(|q| q.key == key) {
            Some(q) => {
                q.statements.push(row.text.clone());
                q.statement_ids.push(row.id.clone());
            }
            None => out.push(Question {
                key,
                title: row.category_title.clone(),
                rated: true,
                statements: vec![row.text.clone()],
                statement_ids: vec![row.id.clone()],
            }),
        }
    }
    out.extend(open.iter().enumerate().map(|(i, q)| Question {
        key: format!("open:{}", i + 1),
        title: q.clone(),
        rated: false,
        statements: Vec::new(),
        statement_ids: Vec::new(),
    }));
    out
}

/// A group of answers as shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Group {
    #[serde(rename = "self")]
    Myself,
    Manager,
    Peers,
    Reports,
    /// Peers and reports too few to show on their own, together.
    Others,
}

impl Group {
    pub fn label(self) -> &'static str {
        match self {
            Group::Myself => "Self",
            Group::Manager => "Manager",
            Group::Peers => "Peers",
            Group::Reports => "Reports",
            Group::Others => "Others (peers and reports together)",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuestionResult {
    pub key: String,
    pub title: String,
    pub rated: bool,
    /// How many rated it; `None` when too few to show.
    pub rated_by: Option<usize>,
    pub mean: Option<f64>,
    /// (scale value, how many), for the values given; empty when hidden.
    pub distribution: Vec<(i64, usize)>,
    pub comments: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    pub group: Group,
    pub label: String,
    /// How many answered, for groups shown.
    pub answers: usize,
    /// The self and manager groups are attributed; the others never.
    pub attributed: bool,
    pub questions: Vec<QuestionResult>,
}

/// What may be shown of a person's feedback.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Results {
    pub threshold: usize,
    pub groups: Vec<GroupResult>,
    /// Groups with answers too few to show; no counts.
    pub hidden: Vec<Group>,
}

/// The results that may be shown. `answered` is how many respondents of
/// each relation have answered (from the nominations); `salt` varies the
/// comment order between people (their id), so it does not line up
/// across pages.
pub fn results(
    questions: &[Question],
    answers: &[Answer],
    answered: &BTreeMap<FeedbackRelation, usize>,
    threshold: usize,
    salt: i64,
) -> Results {
    let threshold = threshold.max(2);
    let count = |r: FeedbackRelation| answered.get(&r).copied().unwrap_or(0);
    let mut groups: Vec<(Group, Vec<FeedbackRelation>, usize)> = Vec::new();
    let mut hidden = Vec::new();
    for (g, r) in [
        (Group::Myself, FeedbackRelation::Myself),
        (Group::Manager, FeedbackRelation::Manager),
    ] {
        if count(r) > 0 {
            groups.push((g, vec![r], count(r)));
        }
    }
    let mut small: Vec<FeedbackRelation> = Vec::new();
    for (g, r) in [
        (Group::Peers, FeedbackRelation::Peer),
        (Group::Reports, FeedbackRelation::Report),
    ] {
        let n = count(r);
        if n >= threshold {
            groups.push((g, vec![r], n));
        } else if n > 0 {
            small.push(r);
        }
    }
    let merged: usize = small.iter().map(|r| count(*r)).sum();
    if merged >= threshold && small.len() > 1 {
        groups.push((Group::Others, small, merged));
    } else {
        hidden.extend(small.into_iter().map(|r| match r {
            FeedbackRelation::Peer => Group::Peers,
            _ => Group::Reports,
        }));
    }
    let groups = groups
        .into_iter()
        .map(|(group, relations, n)| {
            let attributed = matches!(group, Group::Myself | Group::Manager);
            // The person's own and the manager's answers are theirs: no
            // threshold on what they rated.
            let min = if attributed { 1 } else { threshold };
            let mine: Vec<&Answer> = answers
                .iter()
                .filter(|a| relations.contains(&a.relation))
                .collect();
            GroupResult {
                group,
                label: group.label().to_owned(),
                answers: n,
                attributed,
                questions: questions
                    .iter()
                    .map(|q| question_result(q, &mine, min, salt))
                    .collect(),
            }
        })
        .collect();
    Results {
        threshold,
        groups,
        hidden,
    }
}

fn question_result(q: &Question, answers: &[&Answer], min: usize, salt: i64) -> QuestionResult {
    let these: Vec<&&Answer> = answers.iter().filter(|a| a.question == q.key).collect();
    let values: Vec<i64> = these.iter().filter_map(|a| a.value).collect();
    let shown = q.rated && values.len() >= min;
    let mut dist: BTreeMap<i64, usize> = BTreeMap::new();
    if shown {
        for v in &values {
            *dist.entry(*v).or_default() += 1;
        }
    }
    #[allow(clippy::cast_precision_loss)]
    let mean = (shown && !values.is_empty())
        .then(|| values.iter().sum::<i64>() as f64 / values.len() as f64);
    let mut comments: Vec<String> = these
        .iter()
        .map(|a| a.comment.trim())
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    comments.sort_by_key(|c| (order_key(salt, c), c.clone()));
    QuestionResult {
        key: q.key.clone(),
        title: q.title.clone(),
        rated: q.rated,
        rated_by: shown.then_some(values.len()),
        mean,
        distribution: dist.into_iter().collect(),
        comments,
    }
}

/// A stable order for comments that depends on nothing but the text (and
/// the salt): shuffled, yet the same on every visit.
fn order_key(salt: i64, text: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    salt.hash(&mut h);
    text.hash(&mut h);
    h.finish()
}

/// How many of a person's respondents have answered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Completion {
    pub asked: usize,
    pub answered: usize,
}

impl Completion {
    /// Whole percent, 0 when nobody was asked.
    pub fn percent(self) -> usize {
        (self.answered * 100).checked_div(self.asked).unwrap_or(0)
    }
}

/// Completion per person of a cycle's nominations, and answers per
/// relation for one person.
pub fn completion(nominations: &[Nomination]) -> BTreeMap<i64, Completion> {
    let mut out: BTreeMap<i64, Completion> = BTreeMap::new();
    for n in nominations {
        let c = out.entry(n.person_id).or_default();
        c.asked += 1;
        c.answered += usize::from(n.answered_on.is_some());
    }
    out
}

/// How many respondents of each relation have answered about each person,
/// in one pass over the cycle's nominations (a cycle of 100,000 people
/// is read once, not once per person).
pub fn answered_by_person(
    nominations: &[Nomination],
) -> std::collections::HashMap<i64, BTreeMap<FeedbackRelation, usize>> {
    let mut out: std::collections::HashMap<i64, BTreeMap<FeedbackRelation, usize>> =
        std::collections::HashMap::new();
    for n in nominations.iter().filter(|n| n.answered_on.is_some()) {
        *out.entry(n.person_id)
            .or_default()
            .entry(n.relation)
            .or_default() += 1;
    }
    out
}

/// Whole months from `from` to `to` (0 if `to` is earlier).
pub fn months_between(from: Date, to: Date) -> u32 {
    let months = (i64::from(to.year()) - i64::from(from.year())) * 12 + i64::from(to.month())
        - i64::from(from.month())
        - i64::from(to.day() < from.day());
    u32::try_from(months.max(0)).unwrap_or(u32::MAX)
}

/// A kind of level change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// To the family's next level.
    Promotion,
    /// The same level, another specialty.
    Lateral,
    /// Any other level of the family.
    Other,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Promotion => "promotion",
            ChangeKind::Lateral => "lateral",
            ChangeKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<ChangeKind> {
        match s {
            "promotion" => Some(ChangeKind::Promotion),
            "lateral" => Some(ChangeKind::Lateral),
            "other" => Some(ChangeKind::Other),
            _ => None,
        }
    }
}

/// Where a proposal falls short of the policy, in words; empty when it
/// meets it. `ready` is the readiness for the next level;
/// `months_at_level` the time since the person's level last changed
/// (`None` when unknown).
pub fn policy_gaps(
    policy: &PromotionPolicy,
    kind: ChangeKind,
    ready: bool,
    months_at_level: Option<u32>,
) -> Vec<String> {
    let mut gaps = Vec::new();
    if kind == ChangeKind::Promotion && policy.require_ready && !ready {
        gaps.push(
            "readiness for the next level is not \"ready\" (see the worksheet's readiness)"
                .to_owned(),
        );
    }
    if let Some(m) = months_at_level
        && m < policy.min_months_at_level
    {
        gaps.push(format!(
            "{m} month(s) at the current level; the policy asks for {}",
            policy.min_months_at_level
        ));
    }
    gaps
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn q() -> Vec<Question> {
        vec![
            Question {
                key: "category:craft".to_owned(),
                title: "Craft".to_owned(),
                rated: true,
                statements: vec![],
                statement_ids: vec![],
            },
            Question {
                key: "open:1".to_owned(),
                title: "Keep doing?".to_owned(),
                rated: false,
                statements: vec![],
                statement_ids: vec![],
            },
        ]
    }

    fn answer(relation: FeedbackRelation, value: Option<i64>, comment: &str) -> Answer {
        Answer {
            id: comment.to_owned(),
            cycle_id: 1,
            person_id: 1,
            relation,
            question: "category:craft".to_owned(),
            value,
            comment: comment.to_owned(),
        }
    }

    fn counts(list: &[(FeedbackRelation, usize)]) -> BTreeMap<FeedbackRelation, usize> {
        list.iter().copied().collect()
    }

    fn group(r: &Results, g: Group) -> Option<&GroupResult> {
        r.groups.iter().find(|x| x.group == g)
    }

    #[test]
    fn peers_appear_only_at_the_threshold() {
        use FeedbackRelation::Peer;
        let all: Vec<Answer> = (1..=4)
            .map(|i| answer(Peer, Some(i), &format!("c{i}")))
            .collect();
        for n in [2, 3, 4] {
            let r = results(&q(), &all[..n], &counts(&[(Peer, n)]), 3, 7);
            match group(&r, Group::Peers) {
                Some(g) => {
                    assert!(n >= 3);
                    assert_eq!(g.answers, n);
                    assert!(!g.attributed);
                    assert_eq!(g.questions[0].rated_by, Some(n));
                    assert_eq!(g.questions[0].comments.len(), n);
                }
                None => {
                    assert_eq!(n, 2);
                    assert_eq!(r.hidden, [Group::Peers]);
                    assert!(r.groups.is_empty());
                }
            }
        }
    }

    #[test]
    fn small_groups_merge_into_others_only_when_that_reaches_the_threshold() {
        use FeedbackRelation::{Peer, Report};
        let a = [
            answer(Peer, Some(2), "p1"),
            answer(Peer, Some(3), "p2"),
            answer(Report, Some(4), "r1"),
        ];
        let r = results(&q(), &a, &counts(&[(Peer, 2), (Report, 1)]), 3, 0);
        let others = group(&r, Group::Others).unwrap();
        assert_eq!(others.answers, 3);
        assert_eq!(others.questions[0].mean, Some(3.0));
        assert!(group(&r, Group::Peers).is_none() && group(&r, Group::Reports).is_none());
        // Peers shown on their own: the lone report is not merged (it could
        // be subtracted), it is hidden.
        let mut a = a.to_vec();
        a.push(answer(Peer, Some(1), "p3"));
        let r = results(&q(), &a, &counts(&[(Peer, 3), (Report, 1)]), 3, 0);
        assert!(group(&r, Group::Peers).is_some());
        assert!(group(&r, Group::Others).is_none());
        assert_eq!(r.hidden, [Group::Reports]);
        let peers = &group(&r, Group::Peers).unwrap().questions[0];
        assert!(!peers.comments.contains(&"r1".to_owned()));
        // One small group alone is never "others".
        let r = results(&q(), &a[..2], &counts(&[(Peer, 2)]), 3, 0);
        assert!(r.groups.is_empty());
    }

    #[test]
    fn a_question_too_few_rated_shows_no_figures() {
        use FeedbackRelation::{Manager, Peer};
        let a = [
            answer(Peer, Some(2), "a"),
            answer(Peer, None, "b"),
            answer(Peer, Some(4), "c"),
            answer(Manager, Some(3), "m"),
        ];
        let r = results(&q(), &a, &counts(&[(Peer, 3), (Manager, 1)]), 3, 0);
        let peers = &group(&r, Group::Peers).unwrap().questions[0];
        assert_eq!((peers.mean, peers.rated_by), (None, None));
        assert!(peers.distribution.is_empty());
        let manager = group(&r, Group::Manager).unwrap();
        assert!(manager.attributed);
        assert_eq!(manager.questions[0].mean, Some(3.0));
    }

    #[test]
    fn comment_order_does_not_follow_answer_order() {
        use FeedbackRelation::Peer;
        let a: Vec<Answer> = ["zeta", "alpha", "mid"]
            .iter()
            .map(|c| answer(Peer, Some(3), c))
            .collect();
        let mut b = a.clone();
        b.reverse();
        let n = counts(&[(Peer, 3)]);
        let x = results(&q(), &a, &n, 3, 5);
        let y = results(&q(), &b, &n, 3, 5);
        assert_eq!(x, y);
    }

    #[test]
    fn months_and_policy() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(months_between(d("2025-01-15"), d("2026-01-15")), 12);
        assert_eq!(months_between(d("2025-01-15"), d("2026-01-14")), 11);
        assert_eq!(months_between(d("2026-01-15"), d("2025-01-14")), 0);
        let p = PromotionPolicy {
            require_ready: true,
            min_months_at_level: 12,
            approvals: vec![],
        };
        assert!(policy_gaps(&p, ChangeKind::Promotion, true, Some(12)).is_empty());
        assert_eq!(
            policy_gaps(&p, ChangeKind::Promotion, false, Some(3)).len(),
            2
        );
        assert!(policy_gaps(&p, ChangeKind::Lateral, false, None).is_empty());
    }
}
