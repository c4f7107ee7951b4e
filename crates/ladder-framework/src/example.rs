//! The example framework that `ladder init` writes, embedded in the binary.
//! Its files live in `crates/ladder-framework/example/`.

macro_rules! files {
    ($($path:literal),* $(,)?) => {
        /// Every file of the example framework: (relative path, contents).
        pub const FILES: &[(&str, &str)] = &[
            $(($path, include_str!(concat!("../example/", $path))),)*
        ];
    };
}

files![
    "ladder.yaml",
    "families/backend-engineer.md",
    "families/site-reliability-engineer.md",
    "includes/engineering/code-review.md",
    "includes/requirements/remote-work.md",
    "includes/values/everyday.md",
    "includes/values/senior.md",
    "layers/build-release.md",
    "layers/engineering.md",
    "layers/observability.md",
    "layers/operations.md",
    "layers/platform.md",
    "layers/product-engineering.md",
];
