//! Arbitrary bytes, split on 0xFF into framework files, through the compiler,
//! `ladder ids` and every view. Any panic is a bug.
#![no_main]

use ladder_framework::{FileSet, compile, example, ids, resolve};
use libfuzzer_sys::fuzz_target;

const PATHS: &[&str] = &[
    "ladder.yaml",
    "layers/a.md",
    "layers/b.md",
    "families/f.md",
    "includes/i.md",
];

fuzz_target!(|data: &[u8]| {
    let mut files = FileSet::new();
    // Start from the example so the fuzzer explores past the config.
    if data.first() == Some(&b'E') {
        for (p, t) in example::FILES {
            files.insert_text(p, *t);
        }
    }
    for (path, chunk) in PATHS.iter().zip(data.split(|b| *b == 0xFF)) {
        files.insert(path, chunk.to_vec());
    }
    let (fw, _diags) = compile(&files);
    let _ = ids::apply(&files);
    for f in &fw.families {
        for l in &f.levels {
            let _ = resolve::role(&fw, &f.id, &l.level, None, false);
        }
    }
    for layer in &fw.layers {
        for level in &fw.config.levels {
            let _ = resolve::layer(&fw, &layer.id, &level.id, false);
        }
    }
});
