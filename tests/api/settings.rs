//! Every setting the code reads is documented: `.env.example` lists each with its default, the
//! README's table names each, and neither lists a setting the code no longer reads.

use std::collections::BTreeSet;
use std::path::Path;

use glue_customers::settings::Settings;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Keys the code reads outside the settings sections: `RUST_LOG` (by the log filter).
const OUTSIDE_SECTIONS: &[&str] = &["RUST_LOG"];

fn env_example_keys() -> BTreeSet<String> {
    let text = std::fs::read_to_string(Path::new(ROOT).join(".env.example")).expect(".env.example");
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| line.split_once('='))
        .map(|(key, _)| key.trim().to_owned())
        .collect()
}

/// `"GLUE_..."` and `"DATABASE_URL"` string literals anywhere under `src/`: settings read
/// outside the sections (the log format, the config file's name) count too.
fn keys_named_in_source() -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let mut dirs = vec![Path::new(ROOT).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src").flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read source");
            for (i, _) in text
                .match_indices("\"GLUE_")
                .chain(text.match_indices("\"DATABASE_URL\""))
            {
                let rest = &text[i + 1..];
                let end = rest
                    .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
                    .unwrap_or(rest.len());
                if end > "GLUE_".len() && rest[end..].starts_with('"') {
                    keys.insert(rest[..end].to_owned());
                }
            }
        }
    }
    keys
}

fn keys_the_code_reads() -> BTreeSet<String> {
    let mut keys: BTreeSet<String> = Settings::keys().into_iter().map(str::to_owned).collect();
    keys.extend(keys_named_in_source());
    keys.extend(OUTSIDE_SECTIONS.iter().map(|k| (*k).to_owned()));
    keys
}

#[test]
fn every_setting_the_code_reads_is_in_env_example_and_nothing_else_is() {
    let documented = env_example_keys();
    let read = keys_the_code_reads();
    assert!(read.contains("GLUE_BCRYPT_COST") && read.contains("GLUE_LOG_FORMAT"));
    let missing: Vec<_> = read.difference(&documented).collect();
    assert!(missing.is_empty(), ".env.example lacks {missing:?}");
    let stale: Vec<_> = documented.difference(&read).collect();
    assert!(
        stale.is_empty(),
        ".env.example lists settings nothing reads: {stale:?}"
    );
}

#[test]
fn every_setting_is_in_the_readme() {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).expect("README");
    let missing: Vec<_> = keys_the_code_reads()
        .into_iter()
        .filter(|key| !readme.contains(&format!("`{key}`")))
        .collect();
    assert!(missing.is_empty(), "README does not name {missing:?}");
}
