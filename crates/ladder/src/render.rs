//! Terminal output: diagnostics in rustc style (miette) and role views.

use ladder_framework::resolve::{Expectation, LayerView, RoleItem, RoleView};
use ladder_framework::{Diagnostic, FileSet, Framework, Severity};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::Path;

pub fn counts(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (e, 0) => plural(e, "error"),
        (0, w) => plural(w, "warning"),
        (e, w) => format!("{} and {}", plural(e, "error"), plural(w, "warning")),
    }
}

/// Prints every diagnostic to stderr with the source line underlined.
pub fn diagnostics(dir: &Path, files: &FileSet, diags: &[Diagnostic]) {
    eprint!("{}", for_stderr(dir, files, diags));
}

/// What [`diagnostics`] prints, to be printed later.
pub fn for_stderr(dir: &Path, files: &FileSet, diags: &[Diagnostic]) -> String {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut all = String::new();
    for out in diagnostics_text(dir, files, diags, color) {
        all.push_str(&out);
        all.push('\n');
    }
    all
}

/// Each diagnostic rendered rustc-style, with colour or without.
pub fn diagnostics_text(
    dir: &Path,
    files: &FileSet,
    diags: &[Diagnostic],
    color: bool,
) -> Vec<String> {
    let mut all = Vec::with_capacity(diags.len());
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme.clone()).with_width(100);
    for d in diags {
        let mut help = d.help.clone();
        if let (Some(s), Some(h)) = (&d.suggestion, &help)
            && !h.contains(s.as_str())
        {
            help = Some(format!("{h}\nsuggested replacement: {s}"));
        }
        let mut m = MietteDiagnostic::new(d.message.clone())
            .with_code(format!("ladder::{}", d.code))
            .with_severity(match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            });
        if let Some(h) = help {
            m = m.with_help(h);
        }
        let shown_path = dir.join(&d.span.file).display().to_string();
        let mut out = String::new();
        let rendered = match files.text(&d.span.file) {
            Some(text) => {
                m = m.with_label(LabeledSpan::new_primary_with_span(
                    Some(format!("{}:{}", d.span.line, d.span.column)),
                    (d.span.offset, d.span.len),
                ));
                // Rendered directly: a `miette::Report` would copy the
                // file and probe the terminal again for each diagnostic.
                let shown = WithSource {
                    diag: m,
                    source: Named {
                        name: shown_path,
                        text,
                    },
                };
                handler.render_report(&mut out, &shown)
            }
            None => {
                let m = MietteDiagnostic {
                    message: format!(
                        "{shown_path}:{}:{}: {}",
                        d.span.line, d.span.column, m.message
                    ),
                    ..m
                };
                // No source to show: keep the place on one unwrapped line.
                GraphicalReportHandler::new_themed(theme.clone())
                    .with_width(usize::MAX / 4)
                    .render_report(&mut out, &m)
            }
        };
        if rendered.is_err() {
            out = format!("{d}\n");
        }
        all.push(out);
    }
    all
}

/// A source file by the name it is shown with, borrowed from the file set.
struct Named<'a> {
    name: String,
    text: &'a str,
}

impl SourceCode for Named<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, miette::MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}

/// A diagnostic with the source it points into.
#[derive(Debug)]
struct WithSource<'a> {
    diag: MietteDiagnostic,
    source: Named<'a>,
}

impl std::fmt::Debug for Named<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl std::fmt::Display for WithSource<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(&self.diag, f)
    }
}

impl std::error::Error for WithSource<'_> {}

impl miette::Diagnostic for WithSource<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diag.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.diag.severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.diag.help()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.diag.labels()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
}

fn provenance(e: &Expectation) -> String {
    let mut s = e.level.clone();
    if let Some(g) = &e.group {
        let _ = write!(s, " · {g}");
    }
    let _ = write!(s, " · {}", e.source);
    if let Some(via) = &e.via {
        let _ = write!(s, " via {via}");
    }
    s
}

fn competencies(fw: &Framework, list: &[Expectation], out: &mut String) {
    if list.is_empty() {
        out.push_str("  (none)\n");
        return;
    }
    let mut category = "";
    let mut layer = "";
    for e in list {
        if e.category != category {
            category = &e.category;
            layer = "";
            let title = fw.category(category).map_or(category, |c| c.title.as_str());
            let _ = writeln!(out, "\n{title}");
        }
        if e.layer != layer {
            layer = &e.layer;
            let title = fw.layer(layer).map_or(layer, |l| l.title.as_str());
            let _ = writeln!(out, "  {title} ({layer})");
        }
        let _ = writeln!(out, "    - {}", e.text);
        let _ = writeln!(out, "      [{}] {}", e.id, provenance(e));
    }
}

fn items(title: &str, list: &[RoleItem], out: &mut String) {
    if list.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    for i in list {
        let _ = writeln!(out, "  - {}", i.text);
        let _ = writeln!(out, "    [{}] {} · {}", i.id, i.scope, i.source);
    }
}

pub fn role(fw: &Framework, v: &RoleView) -> String {
    let mut out = String::new();
    let spec = v
        .specialty
        .as_ref()
        .map(|s| format!(", {}", s.title))
        .unwrap_or_default();
    let _ = writeln!(out, "{}{spec} (grade {})", v.title, v.grade);
    let _ = writeln!(
        out,
        "layers: {}; levels: {}",
        v.layers.join(" → "),
        v.levels.join(", ")
    );
    let _ = writeln!(out, "\nCompetencies ({})", v.competencies.len());
    competencies(fw, &v.competencies, &mut out);
    items("Responsibilities", &v.responsibilities, &mut out);
    items("Requirements", &v.requirements, &mut out);
    items("Nice to have", &v.nice_to_have, &mut out);
    items(
        "Performance indicators",
        &v.performance_indicators,
        &mut out,
    );
    if !v.hiring_process.is_empty() {
        let _ = writeln!(out, "\nHiring process");
        for (n, s) in v.hiring_process.iter().enumerate() {
            let _ = writeln!(
                out,
                "  {}. {} — {} min, {} [{}]",
                n + 1,
                s.name,
                s.minutes,
                s.interviewer,
                s.id
            );
        }
    }
    out
}

pub fn layer(fw: &Framework, v: &LayerView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", v.layer_title, v.level_title);
    let _ = writeln!(
        out,
        "layers: {}; levels: {}",
        v.layers.join(" → "),
        v.levels.join(", ")
    );
    let _ = writeln!(out, "\nCompetencies ({})", v.competencies.len());
    competencies(fw, &v.competencies, &mut out);
    out
}
