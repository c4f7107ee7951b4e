//! `framework.json`: the fully resolved model. Its schema is documented in
//! `docs/site.md`; bump [`SCHEMA_VERSION`] on any breaking change.

use ladder_framework::resolve::{RoleView, role};
use ladder_framework::{Framework, Layer, Placement, Source};
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

/// The whole file, as serde would write it; [`write_framework_json`]
/// writes the same bytes faster.
#[derive(Serialize)]
#[cfg_attr(not(test), allow(dead_code))]
struct Document<'a> {
    schema_version: u32,
    /// The compiled model: config, items by id, layers with placements, families.
    framework: &'a Framework,
    /// Every role (family × level × specialty or none), resolved cumulatively.
    roles: Roles<'a>,
}

/// Every role, resolved one at a time as it is written: holding them all
/// at once would keep every role's cumulative expectations in memory.
struct Roles<'a>(&'a Framework);

impl Serialize for Roles<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(role_views(self.0))
    }
}

/// Every role of the framework, in family, specialty (none first), level
/// order, resolved lazily.
fn role_views(fw: &Framework) -> impl Iterator<Item = RoleView> + '_ {
    fw.families.iter().flat_map(move |f| {
        std::iter::once(None)
            .chain(f.specialties.iter().map(|s| Some(s.id.as_str())))
            .flat_map(move |spec| {
                f.levels
                    .iter()
                    .filter_map(move |l| role(fw, &f.id, &l.level, spec, false).ok())
            })
    })
}

/// Writes `framework.json` to `w` as it is serialised: what serde would
/// write for [`Document`], with the layers, whose placements are most of
/// the file, written by hand (a test holds the two byte for byte equal).
pub fn write_framework_json(fw: &Framework, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut out = Chunks {
        buf: Vec::with_capacity(Chunks::SIZE + 4096),
        out: w,
    };
    out.buf.extend_from_slice(b"{\"schema_version\":");
    serde_json::to_writer(&mut out, &SCHEMA_VERSION)?;
    out.buf.extend_from_slice(b",\"framework\":{\"config\":");
    serde_json::to_writer(&mut out, &fw.config)?;
    out.buf.extend_from_slice(b",\"items\":");
    serde_json::to_writer(&mut out, &fw.items)?;
    out.buf.extend_from_slice(b",\"layers\":[");
    for (i, layer) in fw.layers.iter().enumerate() {
        if i > 0 {
            out.buf.push(b',');
        }
        write_layer(&mut out.buf, layer);
        out.spill()?;
    }
    out.buf.extend_from_slice(b"],\"families\":");
    serde_json::to_writer(&mut out, &fw.families)?;
    out.buf.extend_from_slice(b"},\"roles\":");
    serde_json::to_writer(&mut out, &Roles(fw))?;
    out.buf.extend_from_slice(b"}\n");
    out.out.write_all(&out.buf)
}

/// A layer as serde writes [`Layer`]: its fields in declaration order.
fn write_layer(out: &mut Vec<u8>, l: &Layer) {
    out.extend_from_slice(b"{\"id\":");
    string(out, &l.id);
    out.extend_from_slice(b",\"title\":");
    string(out, &l.title);
    out.extend_from_slice(b",\"extends\":");
    match &l.extends {
        Some(e) => string(out, e),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"description\":");
    string(out, &l.description);
    out.extend_from_slice(b",\"source\":");
    source(out, &l.source);
    out.extend_from_slice(b",\"placements\":[");
    for (i, p) in l.placements.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_placement(out, p);
    }
    out.extend_from_slice(b"]}");
}

/// A placement as serde writes [`Placement`]: `via` and `group` only when
/// present.
fn write_placement(out: &mut Vec<u8>, p: &Placement) {
    out.extend_from_slice(b"{\"item\":");
    string(out, &p.item);
    out.extend_from_slice(b",\"level\":");
    string(out, &p.level);
    out.extend_from_slice(b",\"category\":");
    string(out, &p.category);
    if let Some(via) = &p.via {
        out.extend_from_slice(b",\"via\":");
        source(out, via);
    }
    if let Some(g) = &p.group {
        out.extend_from_slice(b",\"group\":");
        string(out, g);
    }
    out.push(b'}');
}

fn source(out: &mut Vec<u8>, s: &Source) {
    out.extend_from_slice(b"{\"file\":");
    string(out, &s.file);
    out.extend_from_slice(b",\"line\":");
    number(out, s.line);
    out.extend_from_slice(b",\"column\":");
    number(out, s.column);
    out.push(b'}');
}

fn number(out: &mut Vec<u8>, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        if let Some(d) = digits.get_mut(at) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || at == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(at..).unwrap_or_default());
}

/// `s` as a JSON string, escaped as serde_json escapes: `"` and `\\`, the
/// short escapes for backspace, form feed, newline, carriage return and
/// tab, `\\u00xx` for the other control characters, nothing else.
fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    // Written up to here.
    let mut clean = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        // Most text needs no escape: skip it eight bytes at a time.
        if let Some(word) = bytes
            .get(i..i + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            && !needs_escape(u64::from_le_bytes(word))
        {
            i += 8;
            continue;
        }
        let short: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..0x20 => b"",
            _ => {
                i += 1;
                continue;
            }
        };
        out.extend_from_slice(bytes.get(clean..i).unwrap_or_default());
        clean = i + 1;
        i += 1;
        if short.is_empty() {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(b"\\u00");
            out.push(HEX.get(usize::from(b >> 4)).copied().unwrap_or(b'0'));
            out.push(HEX.get(usize::from(b & 0xf)).copied().unwrap_or(b'0'));
        } else {
            out.extend_from_slice(short);
        }
    }
    out.extend_from_slice(bytes.get(clean..).unwrap_or_default());
    out.push(b'"');
}

/// Whether any of the eight bytes of `w` is a control character, `"` or
/// `\\` (the word-at-a-time tests of "Bit Twiddling Hacks": a byte below
/// n sets its high bit in `(w - n·ONES) & !w & HIGH`, exactly when some
/// byte is below n).
fn needs_escape(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    let quote = w ^ (ONES * u64::from(b'"'));
    let backslash = w ^ (ONES * u64::from(b'\\'));
    (below(w, 0x20) | below(quote, 1) | below(backslash, 1)) != 0
}

/// Gathers the serialiser's many small writes (a quote, a key, a few
/// bytes between escapes) in a buffer the compiler can inline appends to,
/// and hands them on in large chunks: through `dyn Write`, each small write
/// would be a call of its own.
struct Chunks<'w> {
    buf: Vec<u8>,
    out: &'w mut dyn std::io::Write,
}

impl Chunks<'_> {
    const SIZE: usize = 1 << 16;

    /// Hands the buffer on once it is a chunk's worth.
    #[inline]
    fn spill(&mut self) -> std::io::Result<()> {
        if self.buf.len() >= Self::SIZE {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

impl std::io::Write for Chunks<'_> {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.buf.extend_from_slice(bytes);
        self.spill()
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn by_serde(fw: &Framework) -> Vec<u8> {
        let doc = Document {
            schema_version: SCHEMA_VERSION,
            framework: fw,
            roles: Roles(fw),
        };
        let mut v = serde_json::to_vec(&doc).unwrap();
        v.push(b'\n');
        v
    }

    fn by_hand(fw: &Framework) -> Vec<u8> {
        let mut v = Vec::new();
        write_framework_json(fw, &mut v).unwrap();
        v
    }

    #[test]
    fn a_word_needs_escaping_exactly_when_one_of_its_bytes_does() {
        for b in 0..=255u8 {
            let escaped = b < 0x20 || b == b'"' || b == b'\\';
            for at in 0..8 {
                for fill in [b'a', 0xc3, 0xff, 0x7f, 0x21] {
                    let mut word = [fill; 8];
                    word[at] = b;
                    assert_eq!(
                        needs_escape(u64::from_le_bytes(word)),
                        escaped,
                        "{b:#x} at {at} among {fill:#x}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_hand_written_layers_are_what_serde_writes() {
        let mut files = ladder_framework::FileSet::new();
        for (path, text) in ladder_framework::example::FILES {
            files.insert_text(path, *text);
        }
        let (mut fw, _) = ladder_framework::compile(&files);
        assert!(
            fw.layers
                .iter()
                .any(|l| l.placements.iter().any(|p| p.via.is_some()))
        );
        assert_eq!(by_hand(&fw), by_serde(&fw));
        // Every escape, groups, a layer that extends none, and enough
        // layers to fill several chunks.
        let nasty = "q\" b\\ \u{8}\u{c}\n\r\t \u{1}\u{1f} é ✓ </script>";
        let first = fw.layers.first().cloned().unwrap();
        for i in 0..400 {
            let mut l = first.clone();
            l.id = format!("{nasty}{i}");
            l.title = nasty.to_owned();
            l.description = nasty.to_owned();
            l.extends = (i % 2 == 0).then(|| nasty.to_owned());
            l.source.file = nasty.to_owned();
            l.source.line = i * 1_000_003;
            for p in &mut l.placements {
                p.group = Some(nasty.into());
                p.level = nasty.into();
            }
            fw.layers.push(l);
        }
        let hand = by_hand(&fw);
        assert!(hand.len() > 4 * Chunks::SIZE);
        assert_eq!(
            String::from_utf8(hand).unwrap(),
            String::from_utf8(by_serde(&fw)).unwrap()
        );
    }
}
