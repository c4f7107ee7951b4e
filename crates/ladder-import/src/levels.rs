//! The words that name a level in a role's title or a page's heading, and
//! the order levels come in.
//!
//! Three kinds of names are understood:
//! - the usual words of individual-contributor ladders (`Junior`, `Senior`,
//!   `Staff`, `Principal`, `Lead`, …);
//! - the management ladder (`Manager`, `Senior Manager`, `Director`,
//!   `Head of …`, `VP`/`Vice President`, C-level titles such as `CTO` or
//!   `Chief Technology Officer`);
//! - numbered schemes: `IC1`–`IC9`, `M1`–`M9`, `P1`–`P9`, `L1`–`L10`,
//!   `Level 3`, and Roman numerals after a title (`Engineer II`).
//!
//! A level word is read only where a title puts a level: a word after `of`,
//! `to` or `for` belongs to the role's name (`Chief of Staff`), and words
//! that are the family's own name are taken out first (see
//! [`level_in_heading`]).

use crate::outline;

/// Levels of the individual-contributor ladder, in their usual order, with
/// the words that name them.
pub(crate) const LEVEL_WORDS: &[(&str, &str, &[&str])] = &[
    ("intern", "Intern", &["intern", "interns"]),
    ("junior", "Junior", &["junior", "juniors"]),
    ("associate", "Associate", &["associate", "associates"]),
    (
        "intermediate",
        "Intermediate",
        &["intermediate", "intermediates", "mid"],
    ),
    ("senior", "Senior", &["senior", "seniors"]),
    ("staff", "Staff", &["staff"]),
    ("lead", "Lead", &["lead"]),
    ("principal", "Principal", &["principal", "principals"]),
    ("distinguished", "Distinguished", &["distinguished"]),
    ("fellow", "Fellow", &["fellow", "fellows"]),
];

/// Levels of the management ladder, in order.
pub(crate) const MANAGER_LEVELS: &[(&str, &str)] = &[
    ("manager", "Manager"),
    ("senior-manager", "Senior Manager"),
    ("director", "Director"),
    ("senior-director", "Senior Director"),
    ("head", "Head"),
    ("vp", "VP"),
    ("senior-vp", "Senior VP"),
    ("c-level", "C-level"),
];

/// Words that end a role's name and are not part of the family's title:
/// `Backend Engineering Roles at GitLab` → `Backend Engineering`.
const TITLE_NOISE: &[&str] = &["roles", "role", "job", "family", "families"];

/// The level names a handbook uses that cannot be guessed, given with
/// `--levels map.yaml`: for each level id, the names pages use for it
/// (`Engineer II`, `SWE 3`), and optionally its title and grade.
///
/// ```yaml
/// intermediate: ["Engineer II", "Software Engineer 2"]
/// senior:
///   names: ["Engineer III"]
///   title: Senior
///   grade: 7
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LevelMap {
    /// (the name's words, level id), longest names first.
    names: Vec<(Vec<String>, String)>,
    pub titles: std::collections::BTreeMap<String, String>,
    pub grades: std::collections::BTreeMap<String, f64>,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum LevelSpec {
    Names(Vec<String>),
    Full {
        #[serde(default)]
        names: Vec<String>,
        title: Option<String>,
        grade: Option<f64>,
    },
}

impl LevelMap {
    /// Reads a map; the error says what is wrong and where it can be seen.
    pub fn parse(text: &str) -> Result<LevelMap, String> {
        let raw: std::collections::BTreeMap<String, LevelSpec> = serde_saphyr::from_str(text)
            .map_err(|e| {
                format!("{e}; each key is a level id, each value a list of the names pages use for it, or {{names: [...], title: ..., grade: ...}}")
            })?;
        let mut map = LevelMap::default();
        for (id, spec) in raw {
            if !ladder_framework::is_valid_id(&id) {
                return Err(format!(
                    "`{id}` is not a valid level id (lowercase letters, digits, `-`, `_`)"
                ));
            }
            let (names, title, grade) = match spec {
                LevelSpec::Names(n) => (n, None, None),
                LevelSpec::Full {
                    names,
                    title,
                    grade,
                } => (names, title, grade),
            };
            for n in names {
                let w = words_of(&n);
                if w.is_empty() {
                    return Err(format!("level `{id}`: the name `{n}` has no words"));
                }
                map.names.push((w, id.clone()));
            }
            if let Some(t) = title {
                map.titles.insert(id.clone(), t);
            }
            if let Some(g) = grade {
                if !g.is_finite() || g < 0.0 {
                    return Err(format!(
                        "level `{id}`: grade {g} must be a number of 0 or more"
                    ));
                }
                map.grades.insert(id, g);
            }
        }
        map.names.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
        Ok(map)
    }

    /// The longest name of the map in `w`: (where it starts, its length,
    /// the level).
    fn find(&self, w: &[String]) -> Option<(usize, usize, &str)> {
        self.names.iter().find_map(|(name, id)| {
            if name.len() > w.len() {
                return None;
            }
            w.windows(name.len())
                .position(|x| x == name.as_slice())
                .map(|at| (at, name.len(), id.as_str()))
        })
    }

    /// The level the words name: by the map first, else as
    /// [`level_in_words`] reads them.
    pub(crate) fn level_in(&self, w: &[String]) -> Option<String> {
        match self.find(w) {
            Some((_, _, id)) => Some(id.to_owned()),
            None => level_in_words(w),
        }
    }

    /// [`level_in_heading`], by the map first.
    pub(crate) fn level_in_heading(&self, heading: &str, family: &[String]) -> Option<String> {
        let w = words_of(heading);
        if let Some((_, _, id)) = self.find(&w) {
            return Some(id.to_owned());
        }
        level_in_heading(heading, family)
    }

    /// [`level_in_title`], by the map first.
    pub(crate) fn level_in_title(&self, text: &str) -> Option<String> {
        self.level_in(&words_of(text))
    }

    /// [`split_title`], by the map first: the family's title is the title
    /// without the name the map matched.
    pub(crate) fn split_title(&self, title: &str) -> (String, Option<String>) {
        let tokens: Vec<&str> = title.split_whitespace().collect();
        let words: Vec<String> = tokens
            .iter()
            .map(|t| outline::normalise(t).replace(' ', ""))
            .collect();
        if let Some((at, len, id)) = self.find(&words) {
            let kept: Vec<&str> = tokens
                .iter()
                .enumerate()
                .filter(|(i, _)| *i < at || *i >= at + len)
                .map(|(_, t)| *t)
                .collect();
            let family = tidy(&kept);
            if !family.is_empty() {
                let (family, _) = split_title(&family);
                return (family, Some(id.to_owned()));
            }
            return (role_title(title), Some(id.to_owned()));
        }
        split_title(title)
    }
}

/// The words of a text, lowercased, without punctuation.
pub(crate) fn words_of(text: &str) -> Vec<String> {
    outline::normalise(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The level a single word of the usual ladder names, if any.
pub(crate) fn level_word(w: &str) -> Option<&'static str> {
    LEVEL_WORDS.iter().find(|l| l.2.contains(&w)).map(|l| l.0)
}

fn roman(w: &str) -> Option<u32> {
    match w {
        "i" => Some(1),
        "ii" => Some(2),
        "iii" => Some(3),
        "iv" => Some(4),
        "v" => Some(5),
        "vi" => Some(6),
        "vii" => Some(7),
        _ => None,
    }
}

/// `ic3`, `m2`, `p4`, `l10` → the level id it names (itself).
fn numbered(w: &str) -> Option<String> {
    let (scheme, n) = w.split_at(w.find(|c: char| c.is_ascii_digit())?);
    if !matches!(scheme, "ic" | "m" | "p" | "l" | "e") {
        return None;
    }
    let n: u32 = n.parse().ok()?;
    (1..=20).contains(&n).then(|| format!("{scheme}{n}"))
}

fn is_c_level(w: &str) -> bool {
    w.len() == 3 && w.starts_with('c') && w.ends_with('o') && w != "cmo" || w == "ciso"
}

/// The level the words of a title name, if any: `Senior Backend Engineer` →
/// senior, `Backend Engineering Manager` → manager, `Senior Manager, …` →
/// senior-manager, `VP of Quality` → vp, `Engineer II` → level-2, `IC4` →
/// ic4, `Level 3 Engineer` → level-3. A word after `of`, `to` or `for` is
/// part of the role's name, not a level (`Chief of Staff to the CTO`).
pub(crate) fn level_in_words(w: &[String]) -> Option<String> {
    // `The Senior Backend Engineer is a grade 7`.
    let w = match w.first().map(String::as_str) {
        Some("the" | "a" | "an") => w.get(1..).unwrap_or(&[]),
        _ => w,
    };
    let counts = |i: usize| {
        i == 0
            || !w
                .get(i - 1)
                .is_some_and(|p| matches!(p.as_str(), "of" | "to" | "for" | "the" | "and"))
    };
    let has = |x: &str| w.iter().enumerate().any(|(i, y)| y == x && counts(i));
    let senior = has("senior") || has("sr");
    if has("chief") && has("officer")
        || w.iter()
            .enumerate()
            .any(|(i, x)| is_c_level(x) && counts(i))
    {
        return Some("c-level".to_owned());
    }
    if has("vp") || has("svp") || (has("vice") && has("president")) {
        return Some(
            if senior || has("svp") {
                "senior-vp"
            } else {
                "vp"
            }
            .to_owned(),
        );
    }
    if w.first().is_some_and(|f| f == "head") {
        return Some("head".to_owned());
    }
    if has("director") || has("directors") {
        return Some(
            if senior {
                "senior-director"
            } else {
                "director"
            }
            .to_owned(),
        );
    }
    if has("manager") || has("managers") {
        return Some(if senior { "senior-manager" } else { "manager" }.to_owned());
    }
    for (i, x) in w.iter().enumerate() {
        if let Some(l) = level_word(x).filter(|_| counts(i)) {
            return Some(l.to_owned());
        }
        if let Some(l) = numbered(x) {
            return Some(l);
        }
        if x == "level"
            && let Some(n) = w.get(i + 1).and_then(|n| n.parse::<u32>().ok())
        {
            return Some(format!("level-{n}"));
        }
    }
    // A Roman numeral at the end of a title: `Backend Engineer II`.
    if w.len() >= 2
        && let Some(n) = w.last().and_then(|x| roman(x))
    {
        return Some(format!("level-{n}"));
    }
    None
}

/// The level a role title names (see [`level_in_words`]).
pub(crate) fn level_in_title(text: &str) -> Option<String> {
    level_in_words(&words_of(text))
}

/// The level a heading names once the family's own title is taken out of
/// it: in family `Engineering Manager`, `Engineering Manager` names no
/// level of its own and `Senior Engineering Manager` names senior.
pub(crate) fn level_in_heading(heading: &str, family: &[String]) -> Option<String> {
    let w = words_of(heading);
    let rest = without(&w, family);
    level_in_words(&rest)
}

/// A word of a role's name, so that `Backend Engineers`, `Backend
/// Engineer` and `Backend Engineering` name the same role.
pub(crate) fn stem(w: &str) -> &str {
    let w = w.strip_suffix('s').filter(|s| s.len() > 3).unwrap_or(w);
    let w = w.strip_suffix("ing").filter(|s| s.len() > 3).unwrap_or(w);
    let w = w.strip_suffix("ment").filter(|s| s.len() > 3).unwrap_or(w);
    let w = w.strip_suffix("er").filter(|s| s.len() > 3).unwrap_or(w);
    w.strip_suffix('e').filter(|s| s.len() > 3).unwrap_or(w)
}

/// Whether `w` holds the run of words `role`, word by word by [`stem`].
pub(crate) fn holds_role(w: &[String], role: &[String]) -> Option<usize> {
    if role.is_empty() || role.len() > w.len() {
        return None;
    }
    w.windows(role.len())
        .position(|x| x.iter().zip(role).all(|(a, b)| stem(a) == stem(b)))
}

/// `w` with the first run of `family`'s words taken out.
pub(crate) fn without(w: &[String], family: &[String]) -> Vec<String> {
    let at = holds_role(w, family);
    match at {
        Some(i) => w
            .iter()
            .enumerate()
            .filter(|(j, _)| *j < i || *j >= i + family.len())
            .map(|(_, x)| x.clone())
            .collect(),
        None => w.to_vec(),
    }
}

/// Where a level sorts: the individual-contributor ladder first, numbered
/// schemes by number, the management ladder after, unknown last.
pub(crate) fn rank(level: &str) -> usize {
    if let Some(i) = LEVEL_WORDS.iter().position(|l| l.0 == level) {
        return i;
    }
    if let Some(i) = MANAGER_LEVELS.iter().position(|l| l.0 == level) {
        return 500 + i;
    }
    let digits = level.trim_start_matches(|c: char| !c.is_ascii_digit());
    let n: usize = digits.parse().unwrap_or(0);
    match level.strip_suffix(digits) {
        Some("level-") => 100 + n,
        Some("ic") => 130 + n,
        Some("p") => 160 + n,
        Some("l") => 190 + n,
        Some("e") => 220 + n,
        Some("m") => 600 + n,
        _ => 1000,
    }
}

/// Whether a level is on the management ladder.
pub(crate) fn is_manager_level(level: &str) -> bool {
    (500..1000).contains(&rank(level))
}

pub(crate) fn level_title(id: &str) -> String {
    if let Some(l) = LEVEL_WORDS.iter().find(|l| l.0 == id) {
        return l.1.to_owned();
    }
    if let Some(l) = MANAGER_LEVELS.iter().find(|l| l.0 == id) {
        return l.1.to_owned();
    }
    if let Some(n) = id.strip_prefix("level-") {
        return format!("Level {n}");
    }
    if numbered(id).is_some() {
        return id.to_uppercase();
    }
    title_case(id)
}

pub(crate) fn title_case(id: &str) -> String {
    id.split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Words that say nothing of a family by themselves: a title that is only
/// these once its level is taken out (`Distinguished Engineer`,
/// `Engineering Manager`) keeps its level word in the family's name.
fn generic(w: &str) -> bool {
    matches!(
        w,
        "engineer" | "engineers" | "engineering" | "management" | "leadership" | "a" | "an"
    )
}

/// A page's title read as a role: the family's title (the page's own words,
/// in its own case, without the level and without `Roles at X`) and the
/// level it names, if any. `Senior Backend Engineer` → (`Backend Engineer`,
/// senior); `Intern, Backend Engineer` → (`Backend Engineer`, intern);
/// `Distinguished Engineer` → (`Distinguished Engineer`, distinguished);
/// `Acting Chief of Staff to the CTO` → (the same, none).
pub(crate) fn split_title(title: &str) -> (String, Option<String>) {
    let (family, level, _) = split_title_full(title);
    (family, level)
}

/// [`split_title`], and the whole title without its `Roles at X`.
fn split_title_full(title: &str) -> (String, Option<String>, String) {
    // Drop `… Roles at GitLab`, `… Job Family`.
    let mut tokens: Vec<&str> = title.split_whitespace().collect();
    let norm = |t: &str| outline::normalise(t).replace(' ', "");
    if let Some(at) = tokens.iter().rposition(|t| norm(t) == "at")
        && at > 0
        && at + 3 >= tokens.len()
    {
        tokens.truncate(at);
    }
    // `… Roles & Responsibilities`, `… Job Family`.
    if let Some(at) = tokens
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, t)| matches!(norm(t).as_str(), "roles" | "role"))
        .map(|(i, _)| i)
    {
        tokens.truncate(at);
    }
    while tokens.len() > 1
        && tokens
            .last()
            .is_some_and(|t| TITLE_NOISE.contains(&norm(t).as_str()))
    {
        tokens.pop();
    }
    let words: Vec<String> = tokens.iter().map(|t| norm(t)).collect();
    let level = level_in_words(&words);
    let full = tidy(&tokens);
    let Some(l) = &level else {
        return (full.clone(), None, full);
    };
    // Take out the tokens that named the level.
    let named: Vec<bool> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let after_of = i > 0
                && words
                    .get(i - 1)
                    .is_some_and(|p| matches!(p.as_str(), "of" | "to" | "for" | "the"));
            !after_of
                && (level_word(w) == Some(l.as_str())
                    || (matches!(w.as_str(), "senior" | "sr") && l.starts_with("senior-"))
                    || (w == "manager" || w == "managers") && l.ends_with("manager")
                    || (w == "director" || w == "directors") && l.ends_with("director")
                    || (matches!(w.as_str(), "vp" | "svp") && l.ends_with("vp"))
                    || numbered(w).as_deref() == Some(l.as_str())
                    || (l.starts_with("level-") && roman(w).is_some() && i + 1 == words.len())
                    || (w == "head" && l == "head" && i == 0))
        })
        .collect();
    let mut kept: Vec<&str> = tokens
        .iter()
        .zip(&named)
        .filter(|(_, n)| !**n)
        .map(|(t, _)| *t)
        .collect();
    // `VP of Quality` → `Quality`.
    while kept
        .first()
        .is_some_and(|t| matches!(norm(t).as_str(), "of" | "for"))
    {
        kept.remove(0);
    }
    let kept_words: Vec<String> = kept.iter().map(|t| norm(t)).collect();
    if kept_words.iter().all(|w| generic(w) || w.is_empty()) {
        return (full.clone(), level, full);
    }
    (tidy(&kept), level, full)
}

/// A page's title without `Roles at X` and the like, level words kept.
pub(crate) fn role_title(title: &str) -> String {
    let (_, _, full) = split_title_full(title);
    full
}

/// Tokens joined back, without the punctuation left at the ends or doubled
/// (`, Backend Engineer` → `Backend Engineer`), nor empty brackets.
fn tidy(tokens: &[&str]) -> String {
    let joined = tokens.join(" ").replace("()", "").replace(" ,", ",");
    let joined = joined.replace(",,", ",");
    joined
        .trim_matches(|c: char| c == ',' || c == '-' || c == ':' || c.is_whitespace())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(t: &str) -> Option<String> {
        level_in_title(t)
    }

    #[test]
    fn levels_are_read_where_a_title_puts_them() {
        assert_eq!(l("Senior Backend Engineer").as_deref(), Some("senior"));
        assert_eq!(l("Backend Engineering Manager").as_deref(), Some("manager"));
        assert_eq!(
            l("Senior Manager, Quality").as_deref(),
            Some("senior-manager")
        );
        assert_eq!(l("VP of Quality").as_deref(), Some("vp"));
        assert_eq!(l("Vice President, Engineering").as_deref(), Some("vp"));
        assert_eq!(l("Head of Security").as_deref(), Some("head"));
        assert_eq!(l("Chief Technology Officer").as_deref(), Some("c-level"));
        assert_eq!(l("CTO").as_deref(), Some("c-level"));
        assert_eq!(l("Acting Chief of Staff to the CTO"), None);
        assert_eq!(l("Software Engineer II").as_deref(), Some("level-2"));
        assert_eq!(l("IC4").as_deref(), Some("ic4"));
        assert_eq!(l("M2 Engineering Manager").as_deref(), Some("manager"));
        assert_eq!(l("P3").as_deref(), Some("p3"));
        assert_eq!(l("L10 engineer").as_deref(), Some("l10"));
        assert_eq!(l("Level 3 Engineer").as_deref(), Some("level-3"));
        assert_eq!(l("Lead Engineer").as_deref(), Some("lead"));
        assert_eq!(
            l("Security Engineer, Automation (Intermediate)").as_deref(),
            Some("intermediate")
        );
        assert_eq!(l("Site Reliability Engineer"), None);
        assert_eq!(
            l("The Distinguished Security Engineer").as_deref(),
            Some("distinguished")
        );
    }

    #[test]
    fn a_role_is_named_the_same_in_any_form() {
        let role = words_of("Backend Engineering");
        assert_eq!(
            holds_role(&words_of("Senior Backend Engineers"), &role),
            Some(1)
        );
        assert_eq!(holds_role(&words_of("Frontend Engineer"), &role), None);
        assert_eq!(stem("management"), stem("manager"));
    }

    #[test]
    fn the_family_title_is_taken_out_first() {
        let fam = words_of("Engineering Manager");
        assert_eq!(level_in_heading("Engineering Manager", &fam), None);
        assert_eq!(
            level_in_heading("Senior Engineering Manager", &fam).as_deref(),
            Some("senior")
        );
        let fam = words_of("Staff Augmentation Engineer");
        assert_eq!(
            level_in_heading("Senior Staff Augmentation Engineer", &fam).as_deref(),
            Some("senior")
        );
        assert_eq!(level_in_heading("Staff Augmentation Engineer", &fam), None);
    }

    #[test]
    fn titles_split_into_family_and_level() {
        let s = |t: &str| split_title(t);
        assert_eq!(
            s("Senior Backend Engineer"),
            ("Backend Engineer".into(), Some("senior".into()))
        );
        assert_eq!(
            s("Intern, Backend Engineer"),
            ("Backend Engineer".into(), Some("intern".into()))
        );
        assert_eq!(
            s("Backend Engineering Roles at GitLab"),
            ("Backend Engineering".into(), None)
        );
        assert_eq!(
            s("Distinguished Engineer"),
            (
                "Distinguished Engineer".into(),
                Some("distinguished".into())
            )
        );
        assert_eq!(
            s("Acting Chief of Staff to the CTO"),
            ("Acting Chief of Staff to the CTO".into(), None)
        );
        assert_eq!(
            s("Engineering Manager"),
            ("Engineering Manager".into(), Some("manager".into()))
        );
        assert_eq!(
            s("Backend Engineering Manager"),
            ("Backend Engineering".into(), Some("manager".into()))
        );
        assert_eq!(s("VP of Quality"), ("Quality".into(), Some("vp".into())));
        assert_eq!(
            s("Head of Security"),
            ("Security".into(), Some("head".into()))
        );
        assert_eq!(
            s("Software Engineer II"),
            ("Software Engineer".into(), Some("level-2".into()))
        );
        assert_eq!(
            s("VP of Incubation Engineering"),
            ("Incubation Engineering".into(), Some("vp".into()))
        );
        assert_eq!(
            s("Security Logging Roles & Responsibilities"),
            ("Security Logging".into(), None)
        );
        assert_eq!(
            role_title("Distinguished Engineer, Infrastructure Roles at GitLab"),
            "Distinguished Engineer, Infrastructure"
        );
    }

    #[test]
    fn a_level_map_names_what_cannot_be_guessed() {
        let map = LevelMap::parse(
            "intermediate: [\"Engineer II\", \"SWE 2\"]\nsenior:\n  names: [\"Engineer III\"]\n  title: Senior\n  grade: 7\n",
        )
        .unwrap();
        assert_eq!(
            map.level_in_title("Backend Engineer III").as_deref(),
            Some("senior")
        );
        assert_eq!(
            map.level_in_title("SWE 2, Platform").as_deref(),
            Some("intermediate")
        );
        // Names the map does not hold are read as before.
        assert_eq!(
            map.level_in_title("Staff Engineer").as_deref(),
            Some("staff")
        );
        assert_eq!(
            map.split_title("Backend Engineer III"),
            ("Backend".into(), Some("senior".into()))
        );
        assert_eq!(map.grades.get("senior"), Some(&7.0));
        assert!(
            LevelMap::parse("Senior Level: [x]")
                .unwrap_err()
                .contains("not a valid level id")
        );
        assert!(LevelMap::parse("senior: 7").is_err());
    }

    #[test]
    fn levels_sort_by_ladder_then_number() {
        assert!(rank("intern") < rank("junior"));
        assert!(rank("staff") < rank("principal"));
        assert!(rank("ic2") < rank("ic10"));
        assert!(rank("level-2") < rank("level-3"));
        assert!(rank("fellow") < rank("manager"));
        assert!(rank("m1") > rank("manager"));
        assert!(is_manager_level("vp") && !is_manager_level("ic3"));
    }
}
