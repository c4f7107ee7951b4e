//! Releasing 360 results, sans-IO: what a release keeps beside the results
//! it shows, and whether a person's results may move on to a new release.
//!
//! Results are never computed live. Each release freezes what each person
//! reviewed may see ([`crate::feedback::results`] on the answers of that
//! moment), and a frozen release never changes. Two releases of the same
//! person are two views that could be compared, so a person's results move
//! on to a new release only when, for each relation whose answers are
//! anonymous (peers and reports), each count the results are built from
//! (respondents, and per question ratings and comments) is unchanged or
//! has grown by at least the threshold. Otherwise the person keeps their
//! earlier release: no two views anyone can reach differ by fewer answers
//! than the threshold, in any group, question or merge of groups (a
//! merged group is a union of relations, so its counts change by sums of
//! theirs).
//!
//! The person's own answers and their manager's are shown as theirs, so
//! their counts do not hold a release back. Nor do those of a relation no
//! release has shown yet, alone or merged into "others": no view holds
//! anything of theirs to compare with. Answers are only ever added, so a
//! rule kept between each release and the next holds between any two.

use crate::feedback::{Group, Results};
use ladder_store::{Answer, FeedbackRelation};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The counts a person's released results were built from: no answer, no
/// text, no respondent; kept to compare the next release with.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// `"peer"` (respondents), `"peer rated <question>"` (ratings),
    /// `"peer comments <question>"` (comments), likewise for the other
    /// relations.
    pub counts: BTreeMap<String, usize>,
    /// The anonymous relations this release or an earlier one showed, in a
    /// group of their own or merged.
    #[serde(default)]
    pub shown: BTreeSet<String>,
}

impl Tally {
    /// Records the relations `results` shows, with those shown before.
    pub fn showing(mut self, results: &Results, before: Option<&Tally>) -> Tally {
        if let Some(b) = before {
            self.shown.extend(b.shown.iter().cloned());
        }
        for g in &results.groups {
            let relations: &[FeedbackRelation] = match g.group {
                Group::Peers => &[FeedbackRelation::Peer],
                Group::Reports => &[FeedbackRelation::Report],
                Group::Others => &[FeedbackRelation::Peer, FeedbackRelation::Report],
                Group::Myself | Group::Manager => &[],
            };
            self.shown
                .extend(relations.iter().map(|r| r.as_str().to_owned()));
        }
        self
    }
}

/// The tally of one person's answers, with `answered` respondents per
/// relation (from the nominations).
pub fn tally(answers: &[Answer], answered: &BTreeMap<FeedbackRelation, usize>) -> Tally {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (r, n) in answered {
        if *n > 0 {
            counts.insert(r.as_str().to_owned(), *n);
        }
    }
    for a in answers {
        let r = a.relation.as_str();
        if a.value.is_some() {
            *counts
                .entry(format!("{r} rated {}", a.question))
                .or_default() += 1;
        }
        if !a.comment.trim().is_empty() {
            *counts
                .entry(format!("{r} comments {}", a.question))
                .or_default() += 1;
        }
    }
    Tally {
        counts,
        shown: BTreeSet::new(),
    }
}

/// What a release does for one person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Nothing answered about them yet: nothing to release.
    Nothing,
    /// Their first release.
    First,
    /// Answers arrived in every place in numbers of at least the
    /// threshold: a new release.
    Next,
    /// Nothing changed since their last release.
    Unchanged,
    /// Too few answers arrived somewhere since their last release (the
    /// smallest such change is given): they keep the release they had.
    HeldBack { smallest: usize },
}

impl Step {
    /// Whether this step stores a new release for the person.
    pub fn releases(self) -> bool {
        matches!(self, Step::First | Step::Next)
    }
}

/// Whether `next` may be released for a person whose last release was
/// built from `last`.
pub fn step(last: Option<&Tally>, next: &Tally, threshold: usize) -> Step {
    let threshold = threshold.max(2);
    let Some(last) = last else {
        return if next.counts.is_empty() {
            Step::Nothing
        } else {
            Step::First
        };
    };
    if last.counts == next.counts {
        return Step::Unchanged;
    }
    // A relation counts when its answers are anonymous and some release
    // showed them already.
    let anonymous = |key: &str| {
        key.split(' ').next().is_some_and(|r| {
            (r == FeedbackRelation::Peer.as_str() || r == FeedbackRelation::Report.as_str())
                && last.shown.contains(r)
        })
    };
    let mut smallest: Option<usize> = None;
    for key in last.counts.keys().chain(next.counts.keys()) {
        if !anonymous(key) {
            continue;
        }
        let before = last.counts.get(key).copied().unwrap_or(0);
        let after = next.counts.get(key).copied().unwrap_or(0);
        let change = after.abs_diff(before);
        if change > 0 && change < threshold {
            smallest = Some(smallest.map_or(change, |s| s.min(change)));
        }
    }
    match smallest {
        Some(smallest) => Step::HeldBack { smallest },
        None => Step::Next,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn answer(
        relation: FeedbackRelation,
        question: &str,
        value: Option<i64>,
        comment: &str,
    ) -> Answer {
        Answer {
            id: String::new(),
            cycle_id: 1,
            person_id: 1,
            relation,
            question: question.to_owned(),
            value,
            comment: comment.to_owned(),
        }
    }

    fn t(peers: &[(Option<i64>, &str)], reports: usize) -> Tally {
        let mut answers: Vec<Answer> = peers
            .iter()
            .map(|(v, c)| answer(FeedbackRelation::Peer, "q1", *v, c))
            .collect();
        answers.extend((0..reports).map(|_| answer(FeedbackRelation::Report, "q1", Some(4), "")));
        let answered = BTreeMap::from([
            (FeedbackRelation::Peer, peers.len()),
            (FeedbackRelation::Report, reports),
        ]);
        let mut t = tally(&answers, &answered);
        t.shown = ["peer", "report"].iter().map(|s| (*s).to_owned()).collect();
        t
    }

    #[test]
    fn the_first_release_is_whatever_there_is() {
        assert_eq!(step(None, &Tally::default(), 3), Step::Nothing);
        assert_eq!(step(None, &t(&[(Some(1), "")], 0), 3), Step::First);
    }

    #[test]
    fn one_more_peer_is_held_back_and_three_more_move_on() {
        let a = t(&[(Some(1), ""), (Some(4), ""), (Some(4), "")], 0);
        let one_more = t(
            &[(Some(1), ""), (Some(4), ""), (Some(4), ""), (Some(2), "")],
            0,
        );
        assert_eq!(step(Some(&a), &one_more, 3), Step::HeldBack { smallest: 1 });
        let three_more = t(
            &[
                (Some(1), ""),
                (Some(4), ""),
                (Some(4), ""),
                (Some(2), ""),
                (Some(2), ""),
                (Some(5), ""),
            ],
            0,
        );
        assert_eq!(step(Some(&a), &three_more, 3), Step::Next);
        assert_eq!(step(Some(&a), &a.clone(), 3), Step::Unchanged);
    }

    #[test]
    fn cant_say_and_comments_count_per_question() {
        // Three more peers answered, but only one of them rated: the
        // ratings of the question moved by one.
        let a = t(&[(Some(1), ""), (Some(4), ""), (Some(4), "")], 0);
        let b = t(
            &[
                (Some(1), ""),
                (Some(4), ""),
                (Some(4), ""),
                (Some(2), ""),
                (None, "x"),
                (None, "y"),
            ],
            0,
        );
        assert_eq!(step(Some(&a), &b, 3), Step::HeldBack { smallest: 1 });
    }

    #[test]
    fn a_relation_moving_by_one_holds_back_even_when_another_moves_by_many() {
        let a = t(&[(Some(1), ""), (Some(4), "")], 1);
        let b = t(
            &[
                (Some(1), ""),
                (Some(4), ""),
                (Some(3), ""),
                (Some(3), ""),
                (Some(3), ""),
            ],
            2,
        );
        assert_eq!(step(Some(&a), &b, 3), Step::HeldBack { smallest: 1 });
    }

    #[test]
    fn a_relation_never_shown_moves_freely() {
        let mut a = t(&[(Some(1), "")], 0);
        a.shown.clear();
        let b = t(&[(Some(1), ""), (Some(2), "")], 0);
        assert_eq!(step(Some(&a), &b, 3), Step::Next);
    }

    #[test]
    fn the_persons_own_and_the_managers_answers_never_hold_back() {
        let a = t(&[(Some(1), ""), (Some(4), ""), (Some(4), "")], 0);
        let mut b = a.clone();
        b.counts.insert("self".to_owned(), 1);
        b.counts.insert("self rated q1".to_owned(), 1);
        b.counts.insert("manager".to_owned(), 1);
        assert_eq!(step(Some(&a), &b, 3), Step::Next);
    }
}
