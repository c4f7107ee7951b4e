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
    roles: Vec<RoleView>,
}

/// Every role of the framework, in family, specialty (none first), level order.
pub fn roles(fw: &Framework) -> Vec<RoleView> {
    let mut out = Vec::new();
    for f in &fw.families {
        let specs = std::iter::once(None).chain(f.specialties.iter().map(|s| Some(s.id.as_str())));
        for spec in specs {
            for l in &f.levels {
                if let Ok(v) = role(fw, &f.id, &l.level, spec, false) {
                    out.push(v);
                }
            }
        }
    }
    out
}

pub fn framework_json(fw: &Framework) -> Result<Vec<u8>, serde_json::Error> {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        framework: fw,
        roles: roles(fw),
    };
    let mut out = serde_json::to_vec(&doc)?;
    out.push(b'\n');
    Ok(out)
}
