//! `framework.json`: the fully resolved model. Its schema is documented in
//! `docs/framework-json.md`; bump [`SCHEMA_VERSION`] on any breaking change.

use ladder_framework::Framework;
use ladder_framework::resolve::{RoleView, role};
use serde::Serialize;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
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

/// Writes `framework.json` to `w` as it is serialised.
pub fn write_framework_json(fw: &Framework, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        framework: fw,
        roles: Roles(fw),
    };
    let mut out = Chunks {
        buf: Vec::with_capacity(Chunks::SIZE + 4096),
        out: w,
    };
    serde_json::to_writer(&mut out, &doc)?;
    out.buf.push(b'\n');
    out.out.write_all(&out.buf)
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
        if self.buf.len() >= Self::SIZE {
            self.out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
