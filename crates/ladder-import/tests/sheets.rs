//! `ladder import sheet` readers against real workbook files: an XLSX and
//! an ODS written here cell by cell (inline strings, a merged-looking
//! blank category, a cell listing several bullets), read by calamine as a
//! spreadsheet application would save them.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use ladder_framework::{FileSet, compile};
use ladder_import::sheet::{self, Grid, Options};
use std::io::Write as _;

/// The grid every test writes: categories in A (blank under the first
/// row of each, as merged cells read), competencies in B, three levels.
const ROWS: &[&[&str]] = &[
    &["Area", "Competency", "Associate", "Senior", "Principal"],
    &[
        "Craft",
        "Testing",
        "Writes unit tests.",
        "Designs the test strategy of a service.",
        "",
    ],
    &[
        "",
        "Reviews",
        "- Reviews small changes.\n- Asks for review early.",
        "",
        "Sets review norms across teams.",
    ],
    &[
        "People",
        "Mentoring",
        "",
        "Mentors an associate.",
        "Grows senior engineers.",
    ],
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\n', "&#10;")
}

fn zip(files: &[(&str, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, text) in files {
        w.start_file(*name, opts).unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut sheet = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, row) in rows.iter().enumerate() {
        sheet.push_str(&format!(r#"<row r="{}">"#, r + 1));
        for (c, cell) in row.iter().enumerate() {
            if cell.is_empty() {
                continue;
            }
            let at = format!("{}{}", sheet::column_letter(c), r + 1);
            sheet.push_str(&format!(
                r#"<c r="{at}" t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                escape(cell)
            ));
        }
        sheet.push_str("</row>");
    }
    sheet.push_str("</sheetData></worksheet>");
    zip(&[
        ("[Content_Types].xml", r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#.to_owned()),
        ("_rels/.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_owned()),
        ("xl/workbook.xml", r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Notes" sheetId="1" r:id="rId2"/><sheet name="Engineering matrix" sheetId="2" r:id="rId1"/></sheets></workbook>"#.to_owned()),
        ("xl/_rels/workbook.xml.rels", r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/></Relationships>"#.to_owned()),
        ("xl/worksheets/sheet1.xml", sheet),
        ("xl/worksheets/sheet2.xml", r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Read me first</t></is></c></row></sheetData></worksheet>"#.to_owned()),
    ])
}

fn ods(rows: &[&[&str]]) -> Vec<u8> {
    let mut table = String::new();
    for row in rows {
        table.push_str("<table:table-row>");
        for cell in *row {
            if cell.is_empty() {
                table.push_str("<table:table-cell/>");
            } else {
                table.push_str(r#"<table:table-cell office:value-type="string">"#);
                for line in cell.lines() {
                    table.push_str(&format!("<text:p>{}</text:p>", escape(line)));
                }
                table.push_str("</table:table-cell>");
            }
        }
        table.push_str("</table:table-row>");
    }
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Engineering matrix">{table}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zip(&[
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet".to_owned()),
        ("META-INF/manifest.xml", r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#.to_owned()),
        ("content.xml", content),
    ])
}

fn opts() -> Options {
    Options {
        organisation: "Acme".into(),
        ..Options::default()
    }
}

/// The import checks, and each statement is at its column's level, in its
/// row's category, one per bullet.
fn assert_imported(grids: &[Grid], file: &str) {
    let import = sheet::import(file, grids, &opts());
    assert!(!import.report.has_errors(), "{:#?}", import.report.problems);
    let mut set = FileSet::new();
    for (p, t) in &import.files {
        set.insert_text(p, t.clone());
    }
    let (fw, diags) = compile(&set);
    assert!(diags.iter().all(|d| !d.is_error()), "{diags:?}");
    let levels: Vec<&str> = fw.config.levels.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(levels, ["associate", "senior", "principal"]);
    let layer = fw.layers.first().unwrap();
    assert_eq!(layer.title, "Engineering matrix");
    let at = |text: &str| -> (String, String) {
        let p = layer
            .placements
            .iter()
            .find(|p| fw.items[&p.item.to_string()].text == text)
            .unwrap_or_else(|| panic!("`{text}` is not placed"));
        (p.level.to_string(), p.category.to_string())
    };
    assert_eq!(
        at("Writes unit tests."),
        ("associate".into(), "craft".into())
    );
    // The blank category under `Craft` is still `Craft`.
    assert_eq!(
        at("Asks for review early."),
        ("associate".into(), "craft".into())
    );
    assert_eq!(
        at("Sets review norms across teams."),
        ("principal".into(), "craft".into())
    );
    assert_eq!(
        at("Mentors an associate."),
        ("senior".into(), "people".into())
    );
    assert_eq!(layer.placements.len(), 7);
}

#[test]
fn an_xlsx_grid_imports_cell_by_cell() {
    let grids = sheet::read_workbook(&xlsx(ROWS)).unwrap();
    assert_eq!(grids.len(), 2);
    assert_imported(&grids, "matrix.xlsx");
}

#[test]
fn an_ods_grid_imports_cell_by_cell() {
    let grids = sheet::read_workbook(&ods(ROWS)).unwrap();
    assert_imported(&grids, "matrix.ods");
}

#[test]
fn a_markdown_table_and_an_html_table_import_like_a_sheet() {
    let md = "# Matrix\n\n| Area | Competency | Associate | Senior | Principal |\n|---|---|---|---|---|\n| Craft | Testing | Writes unit tests. | Designs the test strategy of a service. | |\n| | Reviews | - Reviews small changes.<br>- Asks for review early. | | Sets review norms across teams. |\n| People | Mentoring | | Mentors an associate. | Grows senior engineers. |\n";
    let mut grids = sheet::read_tables(md);
    grids[0].name = "Engineering matrix".into();
    assert_imported(&grids, "matrix.md");
    let html = "<table><tr><th>Area</th><th>Competency</th><th>Associate</th><th>Senior</th><th>Principal</th></tr>\
        <tr><td>Craft</td><td>Testing</td><td>Writes unit tests.</td><td>Designs the test strategy of a service.</td><td></td></tr>\
        <tr><td></td><td>Reviews</td><td><ul><li>Reviews small changes.</li><li>Asks for review early.</li></ul></td><td></td><td>Sets review norms across teams.</td></tr>\
        <tr><td>People</td><td>Mentoring</td><td></td><td>Mentors an associate.</td><td>Grows senior engineers.</td></tr></table>";
    let mut grids = sheet::read_tables(html);
    grids[0].name = "Engineering matrix".into();
    assert_imported(&grids, "matrix.html");
}

#[test]
fn a_file_that_is_no_spreadsheet_is_refused_with_the_formats_named() {
    let e = sheet::read_workbook(b"not a zip at all").unwrap_err();
    assert!(e.contains("XLSX") && e.contains("ODS"), "{e}");
}
