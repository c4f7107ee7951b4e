//! Job-family pages: a family, its levels and specialties, their lists,
//! grades and hiring process, each at the scope its section gives it.

use super::*;
use crate::levels::{holds_role, role_title};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Resp,
    Req,
    Nice,
    Pi,
}

fn list_kind(heading: &str) -> Option<(Kind, bool)> {
    let w: Vec<String> = words_of(heading)
        .into_iter()
        .filter(|w| w.len() > 1)
        .collect();
    let last = w.last()?.as_str();
    if w.iter().any(|x| x == "nice") && w.len() <= 4 {
        return Some((Kind::Nice, true));
    }
    let (kind, exact) = match last {
        "responsibilities" => (Kind::Resp, true),
        "requirements" => (Kind::Req, true),
        "haves" | "have" if w.iter().any(|x| x == "nice") => (Kind::Nice, true),
        "indicators" if w.iter().any(|x| x == "performance") => (Kind::Pi, true),
        other if levenshtein(other, "responsibilities") <= 2 => (Kind::Resp, false),
        other if levenshtein(other, "requirements") <= 2 => (Kind::Req, false),
        _ => return None,
    };
    Some((kind, exact))
}

fn is_specialties(text: &str) -> bool {
    let w = words_of(text);
    w.first().is_some_and(|f| {
        matches!(
            f.as_str(),
            "specialties" | "specialities" | "specializations" | "specialisations" | "specialty"
        )
    })
}

/// `a 30 minute screening call with one of our Technical Recruiters`.
pub fn hiring_stage(text: &str) -> Option<StageOut> {
    let plain = outline::plain(text);
    let lower = plain.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    let orig: Vec<&str> = plain.split_whitespace().collect();
    let (i, minutes) = words.iter().enumerate().find_map(|(i, w)| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-');
        let (num, unit) = match w.split_once('-') {
            Some((n, u)) => (n.to_owned(), u.to_owned()),
            None => (
                w.to_owned(),
                words
                    .get(i + 1)
                    .map(|u| u.trim_matches(|c: char| !c.is_alphanumeric()).to_owned())
                    .unwrap_or_default(),
            ),
        };
        let n: u32 = num.parse().ok()?;
        (unit.starts_with("min")).then_some((i, n))
    })?;
    let after_unit = if words.get(i).is_some_and(|w| w.contains('-')) {
        i + 1
    } else {
        i + 2
    };
    let rest: Vec<&str> = orig.get(after_unit..).unwrap_or(&[]).to_vec();
    let with = rest.iter().position(|w| w.eq_ignore_ascii_case("with"));
    let name_words = match with {
        Some(k) => rest.get(..k).unwrap_or(&[]),
        None => &rest[..],
    };
    let mut name = name_words
        .join(" ")
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_owned();
    if name.is_empty() {
        name = "Interview".to_owned();
    }
    let mut name_chars = name.chars();
    let name: String = name_chars
        .next()
        .map(|f| f.to_uppercase().chain(name_chars).collect())
        .unwrap_or_default();
    let interviewer = with
        .map(|k| rest.get(k + 1..).unwrap_or(&[]).join(" "))
        .unwrap_or_default();
    let mut iv = interviewer.as_str();
    for p in [
        "one of our ",
        "a member of the ",
        "a member of our ",
        "members of the ",
        "our ",
        "the ",
        "a ",
        "an ",
    ] {
        if let Some(r) = iv.strip_prefix(p) {
            iv = r;
        }
    }
    let iv = iv
        .split(['.', ',', ';', '('])
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();
    let interviewer = if iv.is_empty() {
        "Hiring team".to_owned()
    } else {
        iv
    };
    let name = if ["interview", "interviews"].contains(&name.to_lowercase().as_str())
        && interviewer != "Hiring team"
    {
        format!("{name} with {interviewer}")
    } else {
        name
    };
    Some(StageOut {
        name,
        minutes,
        interviewer,
    })
}

/// `The Senior Backend Engineer is a grade 7` / `[grade 9.5](…)` → 7 / 9.5.
pub fn grade_in(text: &str) -> Option<f64> {
    let plain = outline::plain(text).to_lowercase();
    let i = plain.find("grade ")?;
    let num: String = plain
        .get(i + 6..)?
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    num.trim_end_matches('.').parse().ok()
}

/// Whose lists the lists under a heading are.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Owner {
    /// A level of the family: its index in `level_lists`.
    Level(usize),
    /// A specialty: its index in `specialties`.
    Specialty(usize),
    /// A heading that looks like a level the import cannot name: its
    /// section kept as prose (index in `other`).
    Unmapped(usize),
}

/// Where the blocks after a heading go.
#[derive(Clone, Copy, Debug, PartialEq)]
enum At {
    /// Before any section: the description.
    Top,
    /// A family-wide list.
    List(Kind),
    /// Inside `## Levels`, before any level.
    Levels,
    /// Right under the heading of the innermost owner.
    Owner,
    LevelList(usize, Kind),
    /// A level's competencies under a category heading: (level, category).
    LevelCategory(usize, usize),
    Specialties,
    SpecialtyList(usize, Kind),
    Other(usize),
    Hiring(usize),
}

/// `Levels`, `Levels for Site Reliability Engineer`, `Career levels`.
fn is_levels_heading(text: &str) -> bool {
    let w = words_of(text);
    match w.first().map(String::as_str) {
        Some("levels") => w.len() == 1 || w.get(1).is_some_and(|x| x == "for" || x == "of"),
        Some("career" | "job") => w.get(1).is_some_and(|x| x == "levels") && w.len() == 2,
        _ => false,
    }
}

/// A job-family page read: the family, with what the page said about where
/// it sits (its own level, when the page is one level's page).
pub(super) struct FamilyPage {
    pub fam: FamilyOut,
    /// The level the page's title names, when it is one level's page.
    pub page_level: Option<String>,
    /// The words of the family's title, lowercased.
    pub words: Vec<String>,
    /// The line of the page's title, for the report.
    pub line: u32,
}

impl<'s> Importer<'s> {
    /// Reads one job-family page. Every list lands at the scope of the
    /// section it is written in: under a heading that names a level (at any
    /// depth, `### Senior Backend Engineer` → `#### Responsibilities`, or
    /// the page's own title when the page is one level's), that level's;
    /// under a specialty, that specialty's; a category heading under a level
    /// (`##### Technical`) holds that level's competencies, which go to the
    /// family's own layer. Only lists outside any level or specialty are
    /// family-wide.
    pub(super) fn family_page(&mut self, path: &str) -> Option<FamilyPage> {
        let text = self.src.get(path)?;
        let (yaml, body, first) = outline::front_matter(text);
        let blocks = outline::parse(body, first);
        let h1 = blocks.iter().find_map(|b| match b {
            Block::Heading { depth: 1, text, .. } => Some(outline::plain(text)),
            _ => None,
        });
        let title = front_title(yaml)
            .or(h1)
            .or_else(|| {
                blocks.iter().find_map(|b| match b {
                    Block::Heading { text, .. } => Some(outline::plain(text)),
                    _ => None,
                })
            })
            .unwrap_or_else(|| title_case(page_stem(path.rsplit('/').next().unwrap_or(path))));
        let map = self.level_map.clone();
        let (stripped, title_level) = map.split_title(&title);
        // One level's page of a family (`backend/senior/index.html.md`,
        // `fullstack/intermediate-fullstack-engineer.html.md`): its folder
        // or file is named by the level alone. A page whose folder names the
        // role with its level (`distinguished-engineer/`) is a role of its
        // own, and keeps the level in its title.
        let name = path.rsplit('/').next().unwrap_or(path);
        let segment = if matches!(page_stem(name), "index" | "_index") {
            path.rsplit('/').nth(1).unwrap_or("")
        } else {
            page_stem(name)
        };
        let stripped_words = words_of(&stripped);
        // A file name that names nothing (`002.md`) says nothing either way.
        let seg: Vec<&str> = segment
            .split(['-', '_'])
            .filter(|w| w.chars().any(char::is_alphabetic))
            .collect();
        let is_level = |w: &str| level_word(w).is_some() || level_in_title(w).is_some();
        let generic = |w: &str| matches!(w, "engineer" | "engineers" | "engineering");
        let level_page = title_level.is_some()
            && (seg.iter().all(|w| is_level(w))
                || seg
                    .iter()
                    .any(|w| !generic(w) && stripped_words.iter().any(|s| s == w))
                    && seg
                        .iter()
                        .filter(|w| !stripped_words.iter().any(|s| s == *w))
                        .all(|w| is_level(w)));
        let fam_title = if title_level.is_some() && !level_page {
            role_title(&title)
        } else if stripped.is_empty() {
            title.clone()
        } else {
            stripped
        };
        let base_words = words_of(&fam_title);
        // The level a heading that is only the family's title names: the
        // title's own (`Engineering Manager` → manager) or the base level.
        let base_level = title_level
            .clone()
            .unwrap_or_else(|| "intermediate".to_owned());
        let mut fam = FamilyOut {
            id: slugify(&fam_title),
            title: fam_title.clone(),
            source: path.to_owned(),
            ..FamilyOut::default()
        };
        // Names a level: `Senior Backend Engineer`, `Backend Engineer` (the
        // base level), `Intern, Backend Engineer`, `IC3`.
        let level_of = |heading: &str| -> Option<String> {
            let w = words_of(heading);
            if w.len() > 10 {
                return None;
            }
            if let Some(l) = map.level_in_heading(heading, &base_words) {
                return Some(l);
            }
            (w.len() == base_words.len() && holds_role(&w, &base_words) == Some(0))
                .then(|| base_level.clone())
        };
        // A heading that looks like a level (the role's name and more, or
        // the word `level`) without naming one the import knows.
        let looks_like_level = |heading: &str| -> bool {
            let w = words_of(heading);
            (w.len() > base_words.len() && holds_role(&w, &base_words).is_some())
                || w.iter().any(|x| x == "level")
        };
        let mut owners: Vec<(usize, Owner)> = Vec::new();
        // A level's page: everything on it is that level's, unless a
        // section says otherwise.
        if let Some(l) = &title_level {
            let li = self.family_level(&mut fam, l);
            owners.push((0, Owner::Level(li)));
        }
        let mut at = At::Top;
        let mut description_done = false;
        let mut hiring_done = false;
        // Inside `## Levels` (true) or `## Specialties` (false), at that depth.
        let mut container: Option<(bool, usize)> = None;
        // The section whose stray items were already reported.
        let mut stray_warned: Option<(usize, At)> = None;
        // The family's own competencies, by level: (level, entries, category).
        let mut cats: Vec<String> = Vec::new();
        // The depth of the heading of the list being read.
        let mut list_depth = 0usize;
        let mut i = 0;
        while let Some(b) = blocks.get(i) {
            i += 1;
            let owner = owners.last().map(|o| o.1);
            match b {
                Block::Heading { depth, text, line } => {
                    let depth = *depth;
                    let plain = outline::plain(text);
                    if depth == 1 && !description_done {
                        continue; // the page title
                    }
                    if is_toc_heading(text) {
                        continue;
                    }
                    description_done = true;
                    owners.retain(|(d, _)| *d < depth);
                    if container.is_some_and(|(_, d)| depth <= d) {
                        container = None;
                    }
                    let owner = owners.last().map(|o| o.1);
                    if let Some((kind, exact)) = list_kind(&plain) {
                        if !exact {
                            self.report.push(
                                Severity::Warning,
                                path,
                                *line,
                                "misspelt-heading",
                                format!("heading `{plain}` read as `{}`", kind.title()),
                                None,
                            );
                        }
                        // `#### Senior Responsibilities`: that level's list.
                        let prefixed = map.level_in_heading(&plain, &base_words);
                        at = match (prefixed, owner) {
                            (Some(l), _) if kind.per_level() => {
                                let li = self.family_level(&mut fam, &l);
                                At::LevelList(li, kind)
                            }
                            (_, Some(Owner::Level(li))) if kind.per_level() => {
                                At::LevelList(li, kind)
                            }
                            (_, Some(Owner::Level(li))) if kind == Kind::Nice => {
                                let l = fam.level_lists.get(li).map_or("", |x| x.0.as_str());
                                self.report.warn(
                                    path,
                                    *line,
                                    "level-section",
                                    format!(
                                        "`{plain}` under level `{l}`: a family's levels hold responsibilities and requirements only, so it is kept as prose about that level, not as the family's"
                                    ),
                                );
                                At::Owner
                            }
                            (_, Some(Owner::Specialty(si))) if kind != Kind::Pi => {
                                At::SpecialtyList(si, kind)
                            }
                            (_, Some(Owner::Unmapped(oi))) => At::Other(oi),
                            _ => At::List(kind),
                        };
                        list_depth = depth;
                        continue;
                    }
                    if is_levels_heading(&plain) {
                        container = Some((true, depth));
                        at = At::Levels;
                        continue;
                    }
                    if is_specialties(&plain) {
                        container = Some((false, depth));
                        at = At::Specialties;
                        continue;
                    }
                    let w = words_of(&plain);
                    if (w.iter().any(|x| x == "hiring") || w.iter().any(|x| x == "interview"))
                        && w.iter().any(|x| x == "process")
                    {
                        fam.other.push((plain.clone(), Vec::new()));
                        at = At::Hiring(fam.other.len() - 1);
                        continue;
                    }
                    if (w == ["job", "grade"] || w == ["grade"])
                        && matches!(owner, Some(Owner::Level(_)))
                        && owners.last().is_some_and(|(d, _)| *d > 0)
                    {
                        // Prose about the level, the grade sentence with it.
                        at = At::Owner;
                        continue;
                    }
                    if w == ["job", "grade"] || w == ["grade"] {
                        let about = match owner {
                            Some(Owner::Level(li)) => fam
                                .level_lists
                                .get(li)
                                .map_or_else(|| fam_title.clone(), |x| level_title(&x.0)),
                            _ => fam_title.clone(),
                        };
                        fam.other.push((format!("{about} job grade"), Vec::new()));
                        at = At::Other(fam.other.len() - 1);
                        continue;
                    }
                    // A sub-heading inside a list (`### Requirements` →
                    // `#### Technical`): the list goes on; its label is
                    // kept as the list's prose.
                    if matches!(at, At::List(_) | At::LevelList(..) | At::SpecialtyList(..))
                        && depth > list_depth
                        && level_of(&plain).is_none()
                        && self.holds_list(&blocks, i)
                    {
                        let label = format!("**{plain}**");
                        self.family_prose(&mut fam, at, owner, label);
                        continue;
                    }
                    let in_specialty = container.is_some_and(|(levels, _)| !levels)
                        || matches!(owner, Some(Owner::Specialty(_)));
                    // In a specialty, only a heading with the role's own
                    // name in it (`### Senior Support Engineer`) is a level.
                    let names_role = holds_role(&words_of(&plain), &base_words).is_some();
                    if (!in_specialty || names_role)
                        && let Some(l) = level_of(&plain)
                    {
                        let li = self.family_level(&mut fam, &l);
                        owners.push((depth, Owner::Level(li)));
                        at = At::Owner;
                        continue;
                    }
                    let in_levels = container.is_some_and(|(levels, _)| levels);
                    if in_levels && owner.is_none() && looks_like_level(&plain) {
                        self.report.warn(
                            path,
                            *line,
                            "unknown-level",
                            format!(
                                "heading `{plain}` looks like a level, but names none the import knows; its lists are kept as prose, not given to the whole family (a levels map, or a level word in the heading, places them)"
                            ),
                        );
                        fam.other.push((plain.clone(), Vec::new()));
                        let oi = fam.other.len() - 1;
                        owners.push((depth, Owner::Unmapped(oi)));
                        at = At::Other(oi);
                        continue;
                    }
                    // A specialty: under `Specialties`, or beside the levels,
                    // but not inside a level or another specialty.
                    // (The page's own level, on one level's page, is no
                    // section: specialties sit beside it.)
                    let section = owners.last().filter(|(d, _)| *d > 0).map(|o| o.1);
                    if container.is_some()
                        && !matches!(section, Some(Owner::Specialty(_) | Owner::Level(_)))
                        || container.is_some_and(|(levels, _)| !levels)
                            && !matches!(section, Some(Owner::Specialty(_)))
                    {
                        let id = slugify(&plain);
                        let si = match fam.specialties.iter().position(|s| s.id == id) {
                            Some(si) => si,
                            None => {
                                fam.specialties.push(SpecialtyOut {
                                    id,
                                    title: plain.clone(),
                                    ..SpecialtyOut::default()
                                });
                                fam.specialties.len() - 1
                            }
                        };
                        owners.push((depth, Owner::Specialty(si)));
                        at = At::Owner;
                        continue;
                    }
                    // Under a level, a heading with a list: a category of
                    // that level's competencies (`##### Technical`).
                    if let Some(Owner::Level(li)) = owner
                        && owners.last().is_some_and(|(d, _)| *d > 0)
                        && self.holds_list(&blocks, i)
                    {
                        let id = self.category(&plain);
                        let ci = slot_str(&mut cats, id);
                        at = At::LevelCategory(li, ci);
                        continue;
                    }
                    if let Some(o) = owner
                        && owners.last().is_some_and(|(d, _)| *d > 0)
                    {
                        // Prose about the owner, under its own heading.
                        let about = self.owner_name(&fam, o);
                        self.report.warn(
                            path,
                            *line,
                            "unknown-heading",
                            format!("heading `{plain}` is not a family section; kept as prose about {about}"),
                        );
                        let oi = slot(&mut fam.other, format!("{plain} ({about})"));
                        at = At::Other(oi);
                        continue;
                    }
                    self.report.warn(
                        path,
                        *line,
                        "unknown-heading",
                        format!("heading `{plain}` is not a family section; kept as prose"),
                    );
                    fam.other.push((plain, Vec::new()));
                    at = At::Other(fam.other.len() - 1);
                }
                Block::Para { text, line } => {
                    let plain = outline::plain(text);
                    if description_done
                        && is_specialties(&plain)
                        && plain.trim_matches('*').split_whitespace().count() <= 4
                    {
                        // `**Specialties**` as a bold line.
                        container = Some((false, 3));
                        at = At::Specialties;
                        continue;
                    }
                    if matches!(at, At::Hiring(..)) && !fam.hiring.is_empty() {
                        hiring_done = true;
                    }
                    if let Some(g) = grade_in(text) {
                        // The section a grade sentence sits in says whose it
                        // is; the sentence's own words only outside one.
                        let l = match owner {
                            Some(Owner::Level(li)) => fam.level_lists.get(li).map(|x| x.0.clone()),
                            _ => None,
                        }
                        .or_else(|| level_of_sentence(&map, &plain, &base_words, &base_level))
                        .unwrap_or_else(|| base_level.clone());
                        self.grade(&mut fam, &l, g, path, *line);
                    }
                    if description_done {
                        self.family_prose(&mut fam, at, owner, text.clone());
                    } else {
                        fam.description.push(text.clone());
                    }
                }
                Block::Item { text, .. } if is_toc_item(text) => {}
                Block::Item { text, line } => match at {
                    At::Levels => {
                        // The list of levels: `[Intermediate](…)`, `Senior`.
                        let plain = outline::plain(text);
                        if let Some(l) = level_of(&plain) {
                            self.family_level(&mut fam, &l);
                        }
                        let oi = slot(&mut fam.other, "Levels".to_owned());
                        if let Some(o) = fam.other.get_mut(oi) {
                            o.1.push(text.clone());
                        }
                    }
                    At::Hiring(oi) => {
                        if !hiring_done && let Some(st) = hiring_stage(text) {
                            fam.hiring.push(st);
                        }
                        if let Some(o) = fam.other.get_mut(oi) {
                            o.1.push(format!("- {text}"));
                        }
                    }
                    At::LevelCategory(li, ci) => {
                        let level = fam.level_lists.get(li).map(|x| x.0.clone());
                        let cat = cats.get(ci).cloned();
                        if let (Some(level), Some(cat)) = (level, cat) {
                            let es = entry(&mut fam.competencies, level);
                            let last_cat = es.iter().rev().find_map(|e| match e {
                                Entry::Category(c) => Some(c.clone()),
                                _ => None,
                            });
                            if last_cat.as_deref() != Some(cat.as_str()) {
                                es.push(Entry::Category(cat));
                            }
                            if !es.iter().any(|e| matches!(e, Entry::Statement { text: t, .. } if outline::normalise(t) == outline::normalise(text))) {
                                es.push(Entry::Statement {
                                    text: text.clone(),
                                    id: None,
                                });
                            }
                        }
                    }
                    At::Owner if matches!(owner, Some(Owner::Level(_))) => {
                        // Items right under a level's heading describe it.
                        let Some(Owner::Level(li)) = owner else {
                            continue;
                        };
                        if stray_warned != Some((li, at)) {
                            stray_warned = Some((li, at));
                            let l = fam.level_lists.get(li).map_or("", |x| x.0.as_str());
                            self.report.warn(path, *line, "level-items", format!("list items right under level `{l}`'s heading, in no Responsibilities or Requirements section; imported as that level's responsibilities"));
                        }
                        self.family_item(&mut fam, At::LevelList(li, Kind::Resp), text);
                    }
                    _ => {
                        if !self.family_item(&mut fam, at, text) {
                            let section = (fam.other.len(), at);
                            if stray_warned != Some(section) {
                                stray_warned = Some(section);
                                self.report.warn(path, *line, "stray-item", "list items outside a Responsibilities, Requirements, Nice-to-haves or Performance indicators section; kept as prose".to_owned());
                            }
                            self.family_prose(&mut fam, at, owner, text.clone());
                        }
                    }
                },
                Block::Table { text, .. } => self.family_prose(&mut fam, at, owner, text.clone()),
                Block::Html { text, line } => {
                    self.html_block(path, *line);
                    self.family_prose(&mut fam, at, owner, text.clone());
                }
                Block::Erb { text, line } => self.erb(path, *line, text),
                Block::Include { path: p, line } | Block::Partial { path: p, line } => {
                    self.report.warn(
                        path,
                        *line,
                        "unresolved-include",
                        format!("include `{p}` in a job-family page is not imported"),
                    );
                }
                Block::Malformed {
                    text,
                    path: p,
                    line,
                } => self.malformed(path, *line, text, p),
                Block::Noise { .. } => {}
            }
            if !matches!(at, At::Hiring(..)) && !fam.hiring.is_empty() {
                hiring_done = true;
            }
        }
        if fam.levels.is_empty() {
            fam.levels.push(base_level.clone());
        }
        let line = blocks
            .iter()
            .find_map(|b| match b {
                Block::Heading { line, .. } => Some(*line),
                _ => None,
            })
            .unwrap_or(1);
        Some(FamilyPage {
            fam,
            page_level: title_level.filter(|_| level_page),
            words: base_words,
            line,
        })
    }

    /// Whether the first block from `i` on (noise aside) is a list item.
    fn holds_list(&self, blocks: &[Block], i: usize) -> bool {
        matches!(
            blocks
                .get(i..)
                .unwrap_or(&[])
                .iter()
                .find(|b| !matches!(b, Block::Noise { .. })),
            Some(Block::Item { text, .. }) if !outline::is_only_links(text) && !is_toc_item(text)
        )
    }

    fn owner_name(&self, fam: &FamilyOut, o: Owner) -> String {
        match o {
            Owner::Level(li) => fam
                .level_lists
                .get(li)
                .map_or_else(String::new, |x| format!("the {} level", level_title(&x.0))),
            Owner::Specialty(si) => fam
                .specialties
                .get(si)
                .map_or_else(String::new, |s| format!("the {} specialty", s.title)),
            Owner::Unmapped(oi) => fam
                .other
                .get(oi)
                .map_or_else(String::new, |x| format!("`{}`", x.0)),
        }
    }

    /// Gives a family its layer and a unique id, and adds it.
    pub(super) fn add_family(&mut self, mut fam: FamilyOut, line: u32) {
        for l in fam.levels.clone() {
            self.see_level(&l);
        }
        for (l, g) in &fam.grades {
            self.grade_votes
                .entry(l.clone())
                .or_default()
                .push((*g, fam.source.clone()));
        }
        // The matrix layer that best matches the family's name, by the
        // words that tell families apart (not `engineer` or `manager`).
        let fam_words: BTreeSet<String> = words_of(&fam.title)
            .into_iter()
            .filter(|w| {
                level_word(w).is_none()
                    && !matches!(
                        w.as_str(),
                        "engineer"
                            | "engineers"
                            | "engineering"
                            | "manager"
                            | "managers"
                            | "management"
                            | "and"
                            | "of"
                            | "the"
                            | "to"
                    )
            })
            .collect();
        let best = self
            .fw
            .layers
            .iter()
            .filter(|l| !l.levels.is_empty() && !l.id.starts_with("families/"))
            .map(|l| {
                let lw: BTreeSet<String> = words_of(&l.id.replace('/', " ")).into_iter().collect();
                (
                    fam_words.intersection(&lw).count(),
                    std::cmp::Reverse(l.id.len()),
                    l.id.clone(),
                )
            })
            .filter(|(n, _, _)| *n > 0)
            .max()
            .map(|(_, _, id)| id);
        merge_other(&mut fam.other);
        if self.fw.families.iter().any(|f| f.id == fam.id) {
            let base = fam.id.clone();
            let first = self
                .fw
                .families
                .iter()
                .find(|f| f.id == base)
                .map(|f| f.source.clone())
                .unwrap_or_default();
            let mut n = 2;
            while self.fw.families.iter().any(|f| f.id == fam.id) {
                fam.id = format!("{base}-{n}");
                n += 1;
            }
            self.report.push(
                Severity::Warning,
                &fam.source.clone(),
                line,
                "duplicate-family",
                format!(
                    "`{first}` already describes family `{base}` (\"{}\"); this page is imported beside it as `{}`, so that neither is lost",
                    fam.title, fam.id
                ),
                Some("keep one page per family: merge the two, or remove the older one (then import again)".to_owned()),
            );
        }
        let scope = crate::FamilyScope::of(&fam);
        fam.layer = if fam.competencies.is_empty() {
            match best {
                Some(id) => id,
                None => {
                    let id = format!("families/{}", fam.id);
                    self.layer_mut(&id, Some(&fam.title));
                    id
                }
            }
        } else {
            // The family's own competencies by level, in a layer of its
            // own on top of the matrix layer it matches.
            let id = format!("families/{}", fam.id);
            let l = self.layer_mut(&id, Some(&fam.title));
            l.extends = best;
            for (level, es) in std::mem::take(&mut fam.competencies) {
                let e = entry(&mut l.levels, level);
                e.extend(es);
                *e = sections::regroup(std::mem::take(e));
            }
            id
        };
        self.report.families.push(scope);
        self.fw.families.push(fam);
    }

    /// Joins level pages (`backend/senior/index.html.md`) into the family
    /// of their folder's index page (`backend/index.html.md.erb`), so that a
    /// family written on several pages is one family.
    pub(super) fn join_level_pages(&mut self, pages: Vec<FamilyPage>) -> Vec<FamilyPage> {
        // A page's folder: `a/b/index.html.md` → `a/b`, `a/b/x.html.md` → `a/b`.
        fn folder(path: &str) -> &str {
            path.rsplit_once('/').map_or("", |x| x.0)
        }
        fn is_index(path: &str) -> bool {
            let name = path.rsplit('/').next().unwrap_or(path);
            page_stem(name) == "index" || page_stem(name) == "_index"
        }
        // The family a level page belongs to: the index page of the folder
        // above its own (for an index page) or of its own folder.
        let index_of: BTreeMap<String, usize> = pages
            .iter()
            .enumerate()
            .filter(|(_, p)| is_index(&p.fam.source))
            .map(|(i, p)| (folder(&p.fam.source).to_owned(), i))
            .collect();
        let mut parent: Vec<Option<usize>> = vec![None; pages.len()];
        for (i, p) in pages.iter().enumerate() {
            if p.page_level.is_none() {
                continue;
            }
            let own = folder(&p.fam.source);
            let up = if is_index(&p.fam.source) {
                own.rsplit_once('/').map_or("", |x| x.0)
            } else {
                own
            };
            // Joined when the page's folder or file is named by the level
            // alone (`senior/`), or its role is the family's
            // (`intermediate-fullstack-engineer` in `fullstack/`).
            let name = p.fam.source.rsplit('/').next().unwrap_or("");
            let segment = if is_index(&p.fam.source) {
                own.rsplit('/').next().unwrap_or("")
            } else {
                page_stem(name)
            };
            let by_level = segment
                .split(['-', '_'])
                .filter(|w| !w.is_empty())
                .all(|w| level_word(w).is_some() || level_in_title(w).is_some());
            let distinct = |w: &[String]| -> BTreeSet<String> {
                w.iter()
                    .filter(|x| {
                        !matches!(
                            x.as_str(),
                            "engineer" | "engineers" | "engineering" | "manager" | "management"
                        )
                    })
                    .map(|x| x.trim_end_matches('s').to_owned())
                    .collect()
            };
            if let Some(&j) = index_of.get(up)
                && j != i
                && pages.get(j).is_some_and(|q| {
                    q.page_level.is_none()
                        && (by_level || distinct(&p.words).is_subset(&distinct(&q.words)))
                })
                && let Some(slot) = parent.get_mut(i)
            {
                *slot = Some(j);
            }
        }
        let mut out: Vec<Option<FamilyPage>> = pages.into_iter().map(Some).collect();
        for i in 0..out.len() {
            let Some(Some(j)) = parent.get(i).copied() else {
                continue;
            };
            let Some(child) = out.get_mut(i).and_then(Option::take) else {
                continue;
            };
            let Some(Some(host)) = out.get_mut(j) else {
                continue;
            };
            let level = child.page_level.clone().unwrap_or_default();
            self.report.warn(
                &child.fam.source,
                child.line,
                "level-page",
                format!(
                    "a page of level `{level}` of the family on `{}`; joined to that family",
                    host.fam.source
                ),
            );
            merge_family(&mut host.fam, child.fam, &level);
        }
        out.into_iter().flatten().collect()
    }

    pub(super) fn grade(
        &mut self,
        fam: &mut FamilyOut,
        level: &str,
        g: f64,
        path: &str,
        line: u32,
    ) {
        if !fam.levels.iter().any(|l| l == level) {
            fam.levels.push(level.to_owned());
        }
        if let Some(old) = fam.grades.insert(level.to_owned(), g)
            && (old - g).abs() > f64::EPSILON
        {
            self.report.warn(
                path,
                line,
                "grade",
                format!("level `{level}` is given grade {old} and grade {g}; {g} is used"),
            );
        }
    }

    fn family_level(&mut self, fam: &mut FamilyOut, level: &str) -> usize {
        if !fam.levels.iter().any(|l| l == level) {
            fam.levels.push(level.to_owned());
        }
        match fam.level_lists.iter().position(|x| x.0 == level) {
            Some(i) => i,
            None => {
                fam.level_lists
                    .push((level.to_owned(), ListOut::default(), ListOut::default()));
                fam.level_lists.len() - 1
            }
        }
    }

    fn family_item(&mut self, fam: &mut FamilyOut, at: At, text: &str) -> bool {
        let list = match at {
            At::List(k) => Some(match k {
                Kind::Resp => &mut fam.responsibilities,
                Kind::Req => &mut fam.requirements,
                Kind::Nice => &mut fam.nice_to_have,
                Kind::Pi => &mut fam.performance_indicators,
            }),
            At::LevelList(li, k) => fam
                .level_lists
                .get_mut(li)
                .map(|x| if k == Kind::Resp { &mut x.1 } else { &mut x.2 }),
            At::SpecialtyList(si, k) => fam.specialties.get_mut(si).map(|s| match k {
                Kind::Resp => &mut s.responsibilities,
                Kind::Nice => &mut s.nice_to_have,
                _ => &mut s.requirements,
            }),
            _ => None,
        };
        match list {
            Some(l) => {
                push_item(l, text);
                true
            }
            None => false,
        }
    }

    fn family_prose(&mut self, fam: &mut FamilyOut, at: At, owner: Option<Owner>, text: String) {
        let about_level = |fam: &mut FamilyOut, li: usize| {
            let l = fam
                .level_lists
                .get(li)
                .map_or_else(String::new, |x| level_title(&x.0));
            slot(&mut fam.other, format!("About the {l} level"))
        };
        let oi = match at {
            At::Top => {
                fam.description.push(text);
                return;
            }
            At::List(k) => {
                match k {
                    Kind::Resp => fam.responsibilities.prose.push(text),
                    Kind::Req => fam.requirements.prose.push(text),
                    Kind::Nice => fam.nice_to_have.prose.push(text),
                    Kind::Pi => fam.performance_indicators.prose.push(text),
                }
                return;
            }
            At::SpecialtyList(si, _) => {
                if let Some(s) = fam.specialties.get_mut(si) {
                    s.description.push(text);
                }
                return;
            }
            At::Owner => match owner {
                Some(Owner::Specialty(si)) => {
                    if let Some(s) = fam.specialties.get_mut(si) {
                        s.description.push(text);
                    }
                    return;
                }
                Some(Owner::Level(li)) => about_level(fam, li),
                Some(Owner::Unmapped(oi)) => oi,
                None => slot(&mut fam.other, "About the levels".to_owned()),
            },
            At::Other(oi) | At::Hiring(oi) => oi,
            At::Specialties => slot(&mut fam.other, "About the specialties".to_owned()),
            At::Levels => slot(&mut fam.other, "Levels".to_owned()),
            At::LevelList(li, _) | At::LevelCategory(li, _) => about_level(fam, li),
        };
        if let Some(o) = fam.other.get_mut(oi) {
            o.1.push(text);
        }
    }
}

impl Kind {
    fn title(self) -> &'static str {
        match self {
            Kind::Resp => "Responsibilities",
            Kind::Req => "Requirements",
            Kind::Nice => "Nice to have",
            Kind::Pi => "Performance indicators",
        }
    }

    /// Whether a level of a family may hold this list.
    fn per_level(self) -> bool {
        matches!(self, Kind::Resp | Kind::Req)
    }
}

fn push_item(l: &mut ListOut, text: &str) {
    if !l
        .items
        .iter()
        .any(|x| outline::normalise(&x.0) == outline::normalise(text))
    {
        l.items.push((text.to_owned(), None));
    }
}

fn slot_str(v: &mut Vec<String>, s: String) -> usize {
    match v.iter().position(|x| *x == s) {
        Some(i) => i,
        None => {
            v.push(s);
            v.len() - 1
        }
    }
}

/// Whether a page read as a family holds anything a family is made of:
/// lists, levels with lists or competencies, specialties, a hiring
/// process, or grades.
pub(super) fn is_family(f: &FamilyOut) -> bool {
    let lists = |l: &ListOut| !l.items.is_empty();
    lists(&f.responsibilities)
        || lists(&f.requirements)
        || lists(&f.nice_to_have)
        || lists(&f.performance_indicators)
        || f.level_lists.iter().any(|(_, a, b)| lists(a) || lists(b))
        || !f.competencies.is_empty()
        || !f.specialties.is_empty()
        || !f.hiring.is_empty()
        || !f.grades.is_empty()
}

/// Joins a level page's family into the family of its index page: the
/// page's lists are that level's (its family-wide lists too, since the page
/// is about the level), its specialties join theirs.
fn merge_family(host: &mut FamilyOut, child: FamilyOut, level: &str) {
    for l in &child.levels {
        if !host.levels.contains(l) {
            host.levels.push(l.clone());
        }
    }
    for (l, g) in child.grades {
        host.grades.entry(l).or_insert(g);
    }
    let li = match host.level_lists.iter().position(|x| x.0 == level) {
        Some(i) => i,
        None => {
            host.level_lists
                .push((level.to_owned(), ListOut::default(), ListOut::default()));
            host.level_lists.len() - 1
        }
    };
    if let Some(x) = host.level_lists.get_mut(li) {
        for (t, _) in &child.responsibilities.items {
            push_item(&mut x.1, t);
        }
        for (t, _) in &child.requirements.items {
            push_item(&mut x.2, t);
        }
        x.1.prose.extend(child.responsibilities.prose);
        x.2.prose.extend(child.requirements.prose);
    }
    for (l, resp, req) in child.level_lists {
        let i = match host.level_lists.iter().position(|x| x.0 == l) {
            Some(i) => i,
            None => {
                host.level_lists
                    .push((l.clone(), ListOut::default(), ListOut::default()));
                host.level_lists.len() - 1
            }
        };
        if let Some(x) = host.level_lists.get_mut(i) {
            for (t, _) in &resp.items {
                push_item(&mut x.1, t);
            }
            for (t, _) in &req.items {
                push_item(&mut x.2, t);
            }
            x.1.prose.extend(resp.prose);
            x.2.prose.extend(req.prose);
        }
    }
    let title = level_title(level);
    let mut about = child.description;
    about.extend(
        child
            .nice_to_have
            .items
            .iter()
            .map(|(t, _)| format!("- {t}")),
    );
    about.extend(child.nice_to_have.prose);
    if !about.is_empty() {
        let oi = slot(&mut host.other, format!("About the {title} level"));
        if let Some(o) = host.other.get_mut(oi) {
            o.1.extend(about);
        }
    }
    for (t, _) in child.performance_indicators.items {
        push_item(&mut host.performance_indicators, &t);
    }
    for p in child.performance_indicators.prose {
        if !host.performance_indicators.prose.contains(&p) {
            host.performance_indicators.prose.push(p);
        }
    }
    for s in child.specialties {
        match host.specialties.iter_mut().find(|h| h.id == s.id) {
            Some(h) => {
                for (t, _) in &s.responsibilities.items {
                    push_item(&mut h.responsibilities, t);
                }
                for (t, _) in &s.requirements.items {
                    push_item(&mut h.requirements, t);
                }
                for (t, _) in &s.nice_to_have.items {
                    push_item(&mut h.nice_to_have, t);
                }
                for p in s.description {
                    if !h.description.contains(&p) {
                        h.description.push(p);
                    }
                }
            }
            None => host.specialties.push(s),
        }
    }
    for (l, es) in child.competencies {
        entry(&mut host.competencies, l).extend(es);
    }
    if host.hiring.is_empty() {
        host.hiring = child.hiring;
    }
    for (h, p) in child.other {
        let h = if h.contains(&title) || h.contains("level") {
            h
        } else {
            format!("{h} ({title})")
        };
        let oi = slot(&mut host.other, h);
        if let Some(o) = host.other.get_mut(oi) {
            o.1.extend(p);
        }
    }
}

/// Which level a sentence is about: `The Senior Backend Engineer is a grade 7`.
fn level_of_sentence(
    map: &crate::LevelMap,
    plain: &str,
    family: &[String],
    base_level: &str,
) -> Option<String> {
    let before = plain.to_lowercase();
    let before = before.split(" is ").next().unwrap_or("");
    if let Some(l) = map.level_in_heading(before, family) {
        return Some(l);
    }
    holds_role(&words_of(before), family).map(|_| base_level.to_owned())
}

/// Joins sections kept as prose that share a heading.
fn merge_other(other: &mut Vec<(String, Vec<String>)>) {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for (h, p) in other.drain(..) {
        match out.iter_mut().find(|x| x.0 == h) {
            Some(x) => x.1.extend(p),
            None => out.push((h, p)),
        }
    }
    *other = out;
}
