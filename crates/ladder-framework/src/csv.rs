//! RFC 4180 CSV, small and exact: the reader keeps each row's line number
//! so errors can name it, and the writer quotes only what must be quoted.
//! Shared by the competency-matrix importer and the people import.

use std::fmt::Write as _;

/// Appends one field, quoted when it holds a comma, quote, line break or
/// edge spaces.
pub fn field(out: &mut String, v: &str) {
    if v.contains([',', '"', '\n', '\r']) || v.starts_with(' ') || v.ends_with(' ') {
        let _ = write!(out, "\"{}\"", v.replace('"', "\"\""));
    } else {
        out.push_str(v);
    }
}

/// What makes a spreadsheet read a cell as a formula when it comes first.
const FORMULA: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Appends one field of a file people open in a spreadsheet (exports): a
/// value a spreadsheet would run as a formula (`=…`, `+…`, `-…`, `@…`)
/// gets a leading `'`, as OWASP advises against CSV injection. The
/// imports take it off again ([`unescape_formula`]), so an export reads
/// back to the same records.
pub fn spreadsheet_field(out: &mut String, v: &str) {
    if v.starts_with(FORMULA) {
        field(out, &format!("'{v}"));
    } else {
        field(out, v);
    }
}

/// Appends one row of [`spreadsheet_field`]s and its line break.
pub fn spreadsheet_row<S: AsRef<str>>(out: &mut String, cells: &[S]) {
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        spreadsheet_field(out, c.as_ref());
    }
    out.push('\n');
}

/// A cell as [`spreadsheet_field`] wrote it, back: `'=x` is `=x`.
pub fn unescape_formula(v: &str) -> &str {
    match v.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA) => rest,
        _ => v,
    }
}

/// Reads RFC 4180 CSV: (row number, fields), or the line where a quoted
/// field never closes.
pub fn parse(text: &str) -> Result<Vec<(u32, Vec<String>)>, u32> {
    let mut rows = Vec::new();
    let mut chars = text
        .strip_prefix('\u{feff}')
        .unwrap_or(text)
        .chars()
        .peekable();
    let mut line = 1u32;
    let mut row_line = 1u32;
    let mut fields: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cur.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    cur.push('\n');
                }
                _ => cur.push(c),
            }
            continue;
        }
        match c {
            '"' if cur.is_empty() => quoted = true,
            ',' => fields.push(std::mem::take(&mut cur)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                fields.push(std::mem::take(&mut cur));
                rows.push((row_line, std::mem::take(&mut fields)));
                line += 1;
                row_line = line;
                any = false;
            }
            _ => cur.push(c),
        }
    }
    if quoted {
        return Err(row_line);
    }
    if any {
        fields.push(cur);
        rows.push((row_line, fields));
    }
    Ok(rows)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_for_spreadsheets_and_read_back() {
        for v in [
            "=cmd|' /C calc'!A0",
            "+1+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "plain",
            "'quoted",
        ] {
            let mut out = String::new();
            spreadsheet_field(&mut out, v);
            let cell = &parse(&out).unwrap()[0].1[0];
            assert!(!cell.starts_with(FORMULA), "{v} → {cell}");
            assert_eq!(unescape_formula(cell), v);
        }
    }

    #[test]
    fn quoted_fields_and_rows() {
        let rows = parse("a,b\n\"x, \"\"y\"\"\",z\n").unwrap();
        assert_eq!(
            rows,
            vec![
                (1, vec!["a".to_owned(), "b".to_owned()]),
                (2, vec!["x, \"y\"".to_owned(), "z".to_owned()])
            ]
        );
        assert_eq!(parse("a\n\"open\n"), Err(2));
        let mut s = String::new();
        field(&mut s, "x, \"y\"");
        assert_eq!(s, "\"x, \"\"y\"\"\"");
    }
}
