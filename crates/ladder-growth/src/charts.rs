//! The charts, drawn with plotters into SVG strings: a radar of self and
//! manager ratings by category against the level's expectation, readiness
//! over quarters, a team heatmap, and rating distributions per level.
//!
//! Every chart carries `<title>` and `<desc>` (with the numbers, so a
//! screen reader gets the data), `role="img"`, and works in print: series
//! differ by marker shape and line weight as well as colour, and the
//! heatmap prints each cell's value.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::f64::consts::PI;

const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const GRID: RGBColor = RGBColor(0xbb, 0xbb, 0xbb);
const SELF: RGBColor = RGBColor(0x1f, 0x5f, 0xbf);
const MANAGER: RGBColor = RGBColor(0xb3, 0x4a, 0x00);
const FONT: &str = "sans-serif";

/// Failure to draw (plotters reports errors even for in-memory SVG).
pub type DrawError = String;

fn err(e: impl std::fmt::Display) -> DrawError {
    format!("drawing the chart failed: {e}")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Adds `role="img"`, `<title>` and `<desc>` to a drawn SVG. `id` makes
/// the element ids unique on a page.
pub fn accessible(svg: &str, id: &str, title: &str, desc: &str) -> String {
    let Some(open_end) = svg.find('>') else {
        return svg.to_owned();
    };
    let (head, rest) = svg.split_at(open_end);
    format!(
        "{head} role=\"img\" aria-labelledby=\"{id}-t {id}-d\" class=\"chart\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>{}",
        escape(title),
        escape(desc),
        rest.get(1..).unwrap_or("")
    )
}

/// One radar axis: a category with the average self and manager ratings
/// of its statements (`None`: not rated yet).
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    pub label: String,
    pub self_rating: Option<f64>,
    pub manager_rating: Option<f64>,
}

fn polar(cx: f64, cy: f64, r: f64, i: usize, n: usize) -> (i32, i32) {
    #[allow(clippy::cast_precision_loss)]
    let a = -PI / 2.0 + 2.0 * PI * i as f64 / n.max(1) as f64;
    #[allow(clippy::cast_possible_truncation)]
    (
        (cx + r * a.cos()).round() as i32,
        (cy + r * a.sin()).round() as i32,
    )
}

/// Self vs manager by category against `expected` (the scale value the
/// level expects), on a scale up to `max`.
pub fn radar(
    id: &str,
    title: &str,
    axes: &[Axis],
    expected: f64,
    max: f64,
) -> Result<String, DrawError> {
    let (w, h) = (460u32, 420u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (cx, cy, radius) = (230.0, 230.0, 140.0);
        let n = axes.len().max(1);
        let scale = |v: f64| radius * (v / max).clamp(0.0, 1.0);
        let ring = |r: f64| -> Vec<(i32, i32)> {
            let mut pts: Vec<(i32, i32)> = (0..n).map(|i| polar(cx, cy, r, i, n)).collect();
            if let Some(first) = pts.first().copied() {
                pts.push(first);
            }
            pts
        };
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        for step in 1..=(max.round().max(1.0) as u32) {
            root.draw(&PathElement::new(
                ring(scale(f64::from(step))),
                GRID.stroke_width(1),
            ))
            .map_err(err)?;
        }
        for (i, a) in axes.iter().enumerate() {
            let (x, y) = polar(cx, cy, radius, i, n);
            #[allow(clippy::cast_possible_truncation)]
            root.draw(&PathElement::new(
                vec![(cx as i32, cy as i32), (x, y)],
                GRID.stroke_width(1),
            ))
            .map_err(err)?;
            let (lx, ly) = polar(cx, cy, radius + 22.0, i, n);
            let anchor = if lx < cx as i32 - 5 {
                HPos::Right
            } else if lx > cx as i32 + 5 {
                HPos::Left
            } else {
                HPos::Center
            };
            let style = TextStyle::from((FONT, 13).into_font())
                .color(&INK)
                .pos(Pos::new(anchor, VPos::Center));
            root.draw(&Text::new(a.label.clone(), (lx, ly), style))
                .map_err(err)?;
        }
        // The expectation: a heavy grey ring.
        root.draw(&PathElement::new(
            ring(scale(expected)),
            INK.mix(0.6).stroke_width(3),
        ))
        .map_err(err)?;
        let series = |pick: fn(&Axis) -> Option<f64>| -> Vec<(i32, i32)> {
            let mut pts: Vec<(i32, i32)> = axes
                .iter()
                .enumerate()
                .map(|(i, a)| polar(cx, cy, scale(pick(a).unwrap_or(0.0)), i, n))
                .collect();
            if let Some(first) = pts.first().copied() {
                pts.push(first);
            }
            pts
        };
        let own = series(|a| a.self_rating);
        let mgr = series(|a| a.manager_rating);
        root.draw(&PathElement::new(own.clone(), SELF.stroke_width(2)))
            .map_err(err)?;
        root.draw(&PathElement::new(mgr.clone(), MANAGER.stroke_width(2)))
            .map_err(err)?;
        for p in own.iter().take(axes.len()) {
            root.draw(&Circle::new(*p, 5, SELF.filled())).map_err(err)?;
        }
        for (x, y) in mgr.iter().take(axes.len()) {
            root.draw(&Rectangle::new(
                [(x - 4, y - 4), (x + 4, y + 4)],
                MANAGER.filled(),
            ))
            .map_err(err)?;
        }
        legend(&root)?;
        root.present().map_err(err)?;
    }
    let fmt = |v: Option<f64>| v.map_or_else(|| "not rated".to_owned(), |v| format!("{v:.1}"));
    let desc = axes
        .iter()
        .map(|a| {
            format!(
                "{}: self {}, manager {}",
                a.label,
                fmt(a.self_rating),
                fmt(a.manager_rating)
            )
        })
        .collect::<Vec<_>>()
        .join("; ");
    Ok(accessible(
        &svg,
        id,
        title,
        &format!(
            "Average rating per category on a scale to {max}, against the level's expectation of {expected}. {desc}."
        ),
    ))
}

fn legend(root: &DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), DrawError> {
    let style = TextStyle::from((FONT, 13).into_font()).color(&INK);
    root.draw(&Circle::new((16, 16), 5, SELF.filled()))
        .map_err(err)?;
    root.draw(&Text::new("Self (circles)", (28, 10), style.clone()))
        .map_err(err)?;
    root.draw(&Rectangle::new([(12, 32), (20, 40)], MANAGER.filled()))
        .map_err(err)?;
    root.draw(&Text::new("Manager (squares)", (28, 30), style.clone()))
        .map_err(err)?;
    root.draw(&PathElement::new(
        vec![(8, 56), (22, 56)],
        INK.mix(0.6).stroke_width(3),
    ))
    .map_err(err)?;
    root.draw(&Text::new("Expected at this level", (28, 50), style))
        .map_err(err)?;
    Ok(())
}

/// Readiness per quarter (shares 0 to 1) against the policy's share.
pub fn readiness(
    id: &str,
    title: &str,
    points: &[(String, f64)],
    threshold: f64,
) -> Result<String, DrawError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (560, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        #[allow(clippy::cast_precision_loss)]
        let last = points.len().saturating_sub(1).max(1) as f64;
        let mut chart = ChartBuilder::on(&root)
            .margin(16)
            .x_label_area_size(32)
            .y_label_area_size(48)
            .build_cartesian_2d(-0.3f64..last + 0.3, 0f64..1.0)
            .map_err(err)?;
        let labels: Vec<String> = points.iter().map(|p| p.0.clone()).collect();
        chart
            .configure_mesh()
            .x_labels(points.len().max(2))
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() > 0.01 || i < 0.0 {
                    return String::new();
                }
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                labels.get(i as usize).cloned().unwrap_or_default()
            })
            .y_labels(6)
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .y_desc("Next-level competencies demonstrated")
            .label_style((FONT, 12).into_font().color(&INK))
            .light_line_style(WHITE)
            .bold_line_style(GRID.mix(0.5))
            .draw()
            .map_err(err)?;
        chart
            .draw_series(LineSeries::new(
                vec![(-0.3, threshold), (last + 0.3, threshold)],
                INK.mix(0.6).stroke_width(2),
            ))
            .map_err(err)?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!("Ready at {:.0}%", threshold * 100.0),
                (-0.25, (threshold + 0.03).min(0.98)),
                (FONT, 12).into_font().color(&INK),
            )))
            .map_err(err)?;
        #[allow(clippy::cast_precision_loss)]
        let data: Vec<(f64, f64)> = points
            .iter()
            .enumerate()
            .map(|(i, p)| (i as f64, p.1))
            .collect();
        chart
            .draw_series(LineSeries::new(data.clone(), SELF.stroke_width(3)))
            .map_err(err)?;
        chart
            .draw_series(data.iter().map(|p| Circle::new(*p, 5, SELF.filled())))
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    let desc = points
        .iter()
        .map(|(q, s)| format!("{q}: {:.0}%", s * 100.0))
        .collect::<Vec<_>>()
        .join(", ");
    Ok(accessible(
        &svg,
        id,
        title,
        &format!(
            "Share of the next level's competencies the manager rates as demonstrated, per quarter; the line marks the {:.0}% the policy asks for. {desc}.",
            threshold * 100.0
        ),
    ))
}

/// A team heatmap: one row per person, one column per category, each cell
/// the average manager rating (`None`: not rated), on a scale to `max`.
pub fn heatmap(
    id: &str,
    title: &str,
    people: &[String],
    categories: &[String],
    cells: &[Vec<Option<f64>>],
    max: f64,
) -> Result<String, DrawError> {
    let (left, top, cw, ch) = (190i32, 140i32, 96i32, 28i32);
    let w =
        u32::try_from(left + cw * i32::try_from(categories.len()).unwrap_or(0) + 20).unwrap_or(400);
    let h = u32::try_from(top + ch * i32::try_from(people.len()).unwrap_or(0) + 20).unwrap_or(200);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w.max(300), h.max(120))).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let text = |size: i32| TextStyle::from((FONT, size).into_font()).color(&INK);
        for (j, c) in (0i32..).zip(categories) {
            let style = text(12)
                .pos(Pos::new(HPos::Left, VPos::Center))
                .transform(FontTransform::Rotate270);
            root.draw(&Text::new(
                c.clone(),
                (left + j * cw + cw / 2, top - 6),
                style,
            ))
            .map_err(err)?;
        }
        for (i, (name, row)) in (0i32..).zip(people.iter().zip(cells)) {
            let y = top + i * ch;
            let style = text(12).pos(Pos::new(HPos::Right, VPos::Center));
            root.draw(&Text::new(name.clone(), (left - 8, y + ch / 2), style))
                .map_err(err)?;
            for (j, v) in (0i32..).zip(row) {
                let x = left + j * cw;
                let fill = match v {
                    None => RGBColor(0xf4, 0xf4, 0xf4),
                    Some(v) => {
                        let t = (v / max).clamp(0.0, 1.0);
                        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                        let shade = |lo: f64, hi: f64| (hi - (hi - lo) * t).round() as u8;
                        RGBColor(
                            shade(0x1f as f64, 0xe8 as f64),
                            shade(0x4f as f64, 0xf0 as f64),
                            shade(0x8f as f64, 0xfa as f64),
                        )
                    }
                };
                root.draw(&Rectangle::new(
                    [(x, y), (x + cw - 2, y + ch - 2)],
                    fill.filled(),
                ))
                .map_err(err)?;
                let label = v.map_or_else(|| "–".to_owned(), |v| format!("{v:.1}"));
                let dark = v.is_some_and(|v| v / max > 0.55);
                let color = if dark { WHITE } else { INK };
                let style = text(12)
                    .color(&color)
                    .pos(Pos::new(HPos::Center, VPos::Center));
                root.draw(&Text::new(label, (x + cw / 2, y + ch / 2), style))
                    .map_err(err)?;
            }
        }
        root.present().map_err(err)?;
    }
    let desc = people
        .iter()
        .zip(cells)
        .map(|(p, row)| {
            let vals = categories
                .iter()
                .zip(row)
                .map(|(c, v)| {
                    format!(
                        "{c} {}",
                        v.map_or_else(|| "not rated".to_owned(), |v| format!("{v:.1}"))
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!("{p}: {vals}")
        })
        .collect::<Vec<_>>()
        .join("; ");
    Ok(accessible(
        &svg,
        id,
        title,
        &format!("Average manager rating per person and category, on a scale to {max}. {desc}."),
    ))
}

/// Rating distributions: one stacked bar per row (a level), one segment
/// per scale value, each labelled with its count, so it reads in print.
/// `scale` is (value, label), lowest first; the legend shows the value
/// before the label when `numbered`. `counted` says what the counts are,
/// for the text alternative ("Manager ratings per scale value").
pub fn distribution(
    id: &str,
    title: &str,
    counted: &str,
    numbered: bool,
    rows: &[(String, Vec<(i64, usize)>)],
    scale: &[(i64, String)],
) -> Result<String, DrawError> {
    let (left, top, width, bh) = (160i32, 40i32, 520i32, 30i32);
    let n = i32::try_from(rows.len()).unwrap_or(0);
    let h = u32::try_from(top + bh * n + 30).unwrap_or(200);
    let shades = [
        RGBColor(0xe8, 0xf0, 0xfa),
        RGBColor(0xa8, 0xc4, 0xe8),
        RGBColor(0x5a, 0x8c, 0xcf),
        RGBColor(0x1f, 0x4f, 0x8f),
        RGBColor(0x10, 0x2a, 0x55),
    ];
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(
            &mut svg,
            (u32::try_from(left + width + 30).unwrap_or(700), h.max(120)),
        )
        .into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let text = |size: i32| TextStyle::from((FONT, size).into_font()).color(&INK);
        // The legend.
        for (k, (value, label)) in (0i32..).zip(scale) {
            let x = left + k * 110;
            let fill = shades
                .get(usize::try_from(k).unwrap_or(0) % shades.len())
                .copied()
                .unwrap_or(GRID);
            root.draw(&Rectangle::new([(x, 8), (x + 14, 22)], fill.filled()))
                .map_err(err)?;
            root.draw(&Rectangle::new([(x, 8), (x + 14, 22)], INK.stroke_width(1)))
                .map_err(err)?;
            root.draw(&Text::new(
                if numbered {
                    format!("{value} {label}")
                } else {
                    label.clone()
                },
                (x + 18, 15),
                text(11).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
        }
        for (i, (label, counts)) in (0i32..).zip(rows) {
            let y = top + i * bh;
            root.draw(&Text::new(
                label.clone(),
                (left - 8, y + bh / 2),
                text(12).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
            let total: usize = counts.iter().map(|c| c.1).sum();
            let mut x = left;
            for (k, (value, _)) in scale.iter().enumerate() {
                let c = counts.iter().find(|c| c.0 == *value).map_or(0, |c| c.1);
                if c == 0 || total == 0 {
                    continue;
                }
                let w = i32::try_from(c * usize::try_from(width).unwrap_or(0) / total).unwrap_or(0);
                let fill = shades.get(k % shades.len()).copied().unwrap_or(GRID);
                root.draw(&Rectangle::new(
                    [(x, y + 3), (x + w, y + bh - 3)],
                    fill.filled(),
                ))
                .map_err(err)?;
                root.draw(&Rectangle::new(
                    [(x, y + 3), (x + w, y + bh - 3)],
                    INK.stroke_width(1),
                ))
                .map_err(err)?;
                let color = if k >= 2 { WHITE } else { INK };
                root.draw(&Text::new(
                    c.to_string(),
                    (x + w / 2, y + bh / 2),
                    text(11)
                        .color(&color)
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                ))
                .map_err(err)?;
                x += w;
            }
        }
        root.present().map_err(err)?;
    }
    let desc = rows
        .iter()
        .map(|(label, counts)| {
            let parts = scale
                .iter()
                .map(|(v, l)| {
                    let c = counts.iter().find(|c| c.0 == *v).map_or(0, |c| c.1);
                    format!("{l} {c}")
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!("{label}: {parts}")
        })
        .collect::<Vec<_>>()
        .join("; ");
    Ok(accessible(&svg, id, title, &format!("{counted}. {desc}.")))
}

/// One bar of a comparison: a group's average and how many rated.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub mean: f64,
    pub count: usize,
}

/// Groups side by side per row (360 results: self, manager, peers and
/// reports per category): one horizontal bar per group, on a scale from 0
/// to `max`, each labelled with its group, average and count so it reads
/// in print and in grey.
pub fn comparison(
    id: &str,
    title: &str,
    rows: &[(String, Vec<Bar>)],
    max: f64,
) -> Result<String, DrawError> {
    let (left, width, bar, gap) = (190i32, 400i32, 18i32, 14i32);
    let palette = [
        SELF,
        MANAGER,
        RGBColor(0x2e, 0x7d, 0x32),
        RGBColor(0x6a, 0x1b, 0x9a),
        RGBColor(0x55, 0x55, 0x55),
    ];
    let heights: Vec<i32> = rows
        .iter()
        .map(|(_, bars)| i32::try_from(bars.len().max(1)).unwrap_or(1) * bar + gap + 18)
        .collect();
    let total_h: i32 = heights.iter().sum::<i32>() + 30;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(
            &mut svg,
            (
                u32::try_from(left + width + 150).unwrap_or(740),
                u32::try_from(total_h).unwrap_or(200).max(80),
            ),
        )
        .into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let text = |size: i32| TextStyle::from((FONT, size).into_font()).color(&INK);
        let scale_x = |v: f64| {
            #[allow(clippy::cast_possible_truncation)]
            let w = (f64::from(width) * (v / max.max(1.0)).clamp(0.0, 1.0)).round() as i32;
            left + w
        };
        // The scale's ticks, once at the top.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let ticks = max.max(1.0).round() as u32;
        for t in 0..=ticks {
            let x = scale_x(f64::from(t));
            root.draw(&PathElement::new(
                vec![(x, 18), (x, total_h - 8)],
                GRID.stroke_width(1),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                t.to_string(),
                (x, 9),
                text(11).pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .map_err(err)?;
        }
        let mut y = 24;
        for ((label, bars), h) in rows.iter().zip(&heights) {
            root.draw(&Text::new(
                label.clone(),
                (8, y + 8),
                text(13).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
            let mut by = y + 18;
            for (k, b) in bars.iter().enumerate() {
                let color = palette.get(k % palette.len()).copied().unwrap_or(INK);
                root.draw(&Text::new(
                    b.label.clone(),
                    (left - 8, by + bar / 2),
                    text(11).pos(Pos::new(HPos::Right, VPos::Center)),
                ))
                .map_err(err)?;
                root.draw(&Rectangle::new(
                    [(left, by + 2), (scale_x(b.mean), by + bar - 2)],
                    color.filled(),
                ))
                .map_err(err)?;
                root.draw(&Text::new(
                    format!("{:.1} (n={})", b.mean, b.count),
                    (scale_x(b.mean) + 6, by + bar / 2),
                    text(11).pos(Pos::new(HPos::Left, VPos::Center)),
                ))
                .map_err(err)?;
                by += bar;
            }
            y += h;
        }
        root.present().map_err(err)?;
    }
    let desc = rows
        .iter()
        .map(|(label, bars)| {
            let parts = bars
                .iter()
                .map(|b| format!("{} {:.1} from {}", b.label, b.mean, b.count))
                .collect::<Vec<_>>()
                .join(", ");
            format!("{label}: {parts}")
        })
        .collect::<Vec<_>>()
        .join("; ");
    Ok(accessible(
        &svg,
        id,
        title,
        &format!("Average rating per group, on a scale to {max}. {desc}."),
    ))
}

/// Counts as horizontal bars, one per row (people per level), each
/// labelled with its count; `counted` says what is counted.
pub fn counts(
    id: &str,
    title: &str,
    counted: &str,
    rows: &[(String, usize)],
) -> Result<String, DrawError> {
    let (left, width, bh) = (170i32, 380i32, 26i32);
    let n = i32::try_from(rows.len()).unwrap_or(0);
    let most = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(
            &mut svg,
            (
                u32::try_from(left + width + 60).unwrap_or(610),
                u32::try_from(bh * n + 16).unwrap_or(60).max(40),
            ),
        )
        .into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let text = |size: i32| TextStyle::from((FONT, size).into_font()).color(&INK);
        for (i, (label, count)) in (0i32..).zip(rows) {
            let y = 8 + i * bh;
            root.draw(&Text::new(
                label.clone(),
                (left - 8, y + bh / 2),
                text(12).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
            let w = i32::try_from(*count * usize::try_from(width).unwrap_or(0) / most).unwrap_or(0);
            root.draw(&Rectangle::new(
                [(left, y + 3), (left + w, y + bh - 3)],
                SELF.filled(),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                count.to_string(),
                (left + w + 6, y + bh / 2),
                text(12).pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    let desc = rows
        .iter()
        .map(|(l, c)| format!("{l}: {c}"))
        .collect::<Vec<_>>()
        .join("; ");
    Ok(accessible(&svg, id, title, &format!("{counted}. {desc}.")))
}

/// A person placed on the 9-box: their position on each axis, from 0 to
/// 1, and the label drawn (initials or a number the page explains).
#[derive(Clone, Debug, PartialEq)]
pub struct Placed {
    pub label: String,
    /// Manager-rated performance: the share of the scale reached.
    pub performance: f64,
    /// Readiness for the next level: the share of its competencies shown.
    pub readiness: f64,
}

/// Which third of an axis a value falls in: 0 (low), 1, 2 (high).
pub fn third(v: f64) -> usize {
    if v < 1.0 / 3.0 {
        0
    } else if v < 2.0 / 3.0 {
        1
    } else {
        2
    }
}

/// The 9-box: performance across, readiness up, three by three, with each
/// person's label in their box. The text alternative names every box's
/// people.
pub fn nine_box(id: &str, title: &str, people: &[Placed]) -> Result<String, DrawError> {
    let (left, top, cell) = (70i32, 20i32, 150i32);
    let mut boxes: Vec<Vec<&str>> = vec![Vec::new(); 9];
    for p in people {
        let k = third(p.readiness) * 3 + third(p.performance);
        if let Some(b) = boxes.get_mut(k) {
            b.push(&p.label);
        }
    }
    let mut svg = String::new();
    let names = ["low", "medium", "high"];
    {
        let root = SVGBackend::with_string(
            &mut svg,
            (
                u32::try_from(left + 3 * cell + 20).unwrap_or(540),
                u32::try_from(top + 3 * cell + 50).unwrap_or(520),
            ),
        )
        .into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let text = |size: i32| TextStyle::from((FONT, size).into_font()).color(&INK);
        for r in 0..3i32 {
            for c in 0..3i32 {
                let x = left + c * cell;
                // Readiness grows upwards: row 0 (low) at the bottom.
                let y = top + (2 - r) * cell;
                let shade = match r + c {
                    4 => RGBColor(0xd8, 0xec, 0xdc),
                    0 => RGBColor(0xf7, 0xe1, 0xdf),
                    _ => RGBColor(0xf4, 0xf6, 0xf9),
                };
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    shade.filled(),
                ))
                .map_err(err)?;
                root.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    INK.stroke_width(1),
                ))
                .map_err(err)?;
                let k = usize::try_from(r * 3 + c).unwrap_or(0);
                let here = boxes.get(k).map_or(&[][..], Vec::as_slice);
                for (i, label) in (0i32..).zip(here.iter().take(8)) {
                    root.draw(&Text::new(
                        (*label).to_owned(),
                        (x + 8, y + 14 + i * 16),
                        text(12).pos(Pos::new(HPos::Left, VPos::Center)),
                    ))
                    .map_err(err)?;
                }
                if here.len() > 8 {
                    root.draw(&Text::new(
                        format!("and {} more", here.len() - 8),
                        (x + 8, y + 14 + 8 * 16),
                        text(11).pos(Pos::new(HPos::Left, VPos::Center)),
                    ))
                    .map_err(err)?;
                }
            }
        }
        for (i, n) in (0i32..).zip(names) {
            root.draw(&Text::new(
                n,
                (left + i * cell + cell / 2, top + 3 * cell + 12),
                text(11).pos(Pos::new(HPos::Center, VPos::Center)),
            ))
            .map_err(err)?;
            root.draw(&Text::new(
                n,
                (left - 6, top + (2 - i) * cell + cell / 2),
                text(11).pos(Pos::new(HPos::Right, VPos::Center)),
            ))
            .map_err(err)?;
        }
        root.draw(&Text::new(
            "Performance (manager ratings) →",
            (left + 3 * cell / 2, top + 3 * cell + 32),
            text(12).pos(Pos::new(HPos::Center, VPos::Center)),
        ))
        .map_err(err)?;
        root.draw(&Text::new(
            "Readiness ↑",
            (8, top - 8),
            text(12).pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(err)?;
        root.present().map_err(err)?;
    }
    let desc = (0..9)
        .filter_map(|k| {
            let here = boxes.get(k)?;
            (!here.is_empty()).then(|| {
                format!(
                    "readiness {}, performance {}: {}",
                    names.get(k / 3).unwrap_or(&""),
                    names.get(k % 3).unwrap_or(&""),
                    here.join(", ")
                )
            })
        })
        .collect::<Vec<_>>()
        .join("; ");
    Ok(accessible(
        &svg,
        id,
        title,
        &format!(
            "{} people placed by manager-rated performance (across) and readiness for the next level (up). {desc}.",
            people.len()
        ),
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn radar_is_an_accessible_svg_that_moves_with_the_ratings() {
        let axes = |v: Option<f64>| {
            vec![
                Axis {
                    label: "Craft <&>".into(),
                    self_rating: v,
                    manager_rating: Some(2.0),
                },
                Axis {
                    label: "Impact".into(),
                    self_rating: Some(3.0),
                    manager_rating: None,
                },
                Axis {
                    label: "People".into(),
                    self_rating: Some(1.0),
                    manager_rating: Some(4.0),
                },
            ]
        };
        let a = radar("r", "Ratings of Ana", &axes(Some(2.0)), 3.0, 4.0).unwrap();
        assert!(a.starts_with("<svg") && a.contains("role=\"img\""), "{a}");
        assert!(a.contains("<title id=\"r-t\">Ratings of Ana</title>"));
        assert!(a.contains("Craft &lt;&amp;&gt;: self 2.0, manager 2.0"));
        assert!(a.contains("Impact: self 3.0, manager not rated"));
        let b = radar("r", "Ratings of Ana", &axes(Some(4.0)), 3.0, 4.0).unwrap();
        assert_ne!(a, b, "a new self rating changes the picture");
    }

    #[test]
    fn readiness_and_heatmap_describe_their_numbers() {
        let r = readiness(
            "q",
            "Readiness",
            &[("2026-Q1".into(), 0.5), ("2026-Q2".into(), 0.95)],
            0.9,
        )
        .unwrap();
        assert!(r.contains("2026-Q1: 50%, 2026-Q2: 95%"), "{r}");
        assert!(
            r.contains("Ready at 90%"),
            "the policy line is labelled for print"
        );
        assert!(
            r.contains(">2026-Q2<") || r.contains("2026-Q2\n"),
            "quarters label the axis"
        );
        let h = heatmap(
            "h",
            "Team",
            &["Ana".into(), "Bo".into()],
            &["Craft".into(), "Impact".into()],
            &[vec![Some(3.5), None], vec![Some(1.0), Some(4.0)]],
            4.0,
        )
        .unwrap();
        assert!(
            h.contains("Ana: Craft 3.5, Impact not rated; Bo: Craft 1.0, Impact 4.0"),
            "{h}"
        );
        assert!(h.contains("3.5") && h.contains('–'));
    }

    #[test]
    fn distribution_counts_each_value_per_row() {
        let scale = vec![(1, "Not yet".to_owned()), (3, "Shown".to_owned())];
        let svg = distribution(
            "d",
            "Ratings",
            "Manager ratings per scale value",
            true,
            &[
                ("Senior".to_owned(), vec![(1, 2), (3, 5)]),
                ("Staff".to_owned(), vec![(3, 1)]),
            ],
            &scale,
        )
        .unwrap();
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains(
            "Manager ratings per scale value. Senior: Not yet 2, Shown 5; Staff: Not yet 0, Shown 1"
        ));
    }

    #[test]
    fn comparison_and_nine_box_say_their_numbers() {
        let rows = vec![(
            "Craft".to_owned(),
            vec![
                Bar {
                    label: "Self".into(),
                    mean: 3.0,
                    count: 1,
                },
                Bar {
                    label: "Peers".into(),
                    mean: 2.5,
                    count: 4,
                },
            ],
        )];
        let c = comparison("c", "Feedback", &rows, 4.0).unwrap();
        assert!(
            c.contains("Craft: Self 3.0 from 1, Peers 2.5 from 4"),
            "{c}"
        );
        assert!(c.contains("2.5 (n=4)"));
        let people = [
            Placed {
                label: "AK".into(),
                performance: 0.9,
                readiness: 0.95,
            },
            Placed {
                label: "BO".into(),
                performance: 0.1,
                readiness: 0.5,
            },
        ];
        let n = nine_box("n", "9-box", &people).unwrap();
        assert!(n.contains("readiness high, performance high: AK"), "{n}");
        assert!(n.contains("readiness medium, performance low: BO"), "{n}");
        assert_eq!(
            (third(0.0), third(0.34), third(0.67), third(1.0)),
            (0, 1, 2, 2)
        );
    }
}
