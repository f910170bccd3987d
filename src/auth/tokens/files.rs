//! Reading the configured key files, and creating the key of a single-key set-up on first start.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use rand::rngs::OsRng;
use rsa::pkcs8::{EncodePrivateKey, LineEnding};
use rsa::RsaPrivateKey;

use super::KeyError;

/// The PEM of every file, in the configured order. Only a lone file is created when missing:
/// in a list, a missing file is a typo or a key not yet copied, and a fresh key in its place
/// would sign (or fail to verify) tokens that no other instance knows.
pub(super) fn read_key_files(paths: &[PathBuf]) -> Result<Vec<(String, String)>, KeyError> {
    let alone = paths.len() == 1;
    paths
        .iter()
        .map(|path| {
            let label = path.display().to_string();
            match std::fs::read_to_string(path) {
                Ok(pem) => Ok((label, pem)),
                Err(e) if e.kind() == ErrorKind::NotFound && alone => {
                    Ok((label, create_key_file(path)?))
                }
                Err(e) if e.kind() == ErrorKind::NotFound => Err(KeyError::File {
                    path: label,
                    reason: "does not exist (only a single configured key file is created \
                             when missing)"
                        .to_owned(),
                }),
                Err(e) => Err(file_error(path, e)),
            }
        })
        .collect()
}

fn file_error(path: &Path, err: impl std::fmt::Display) -> KeyError {
    KeyError::File {
        path: path.display().to_string(),
        reason: err.to_string(),
    }
}

/// Creates a new 2048-bit RSA key at `path` (mode 0600) and returns its PEM.
pub fn create_key_file(path: &Path) -> Result<String, KeyError> {
    tracing::info!(path = %path.display(), "creating a new RSA key for signing access tokens");
    let key = RsaPrivateKey::new(&mut OsRng, 2048).map_err(|e| KeyError::Key(e.to_string()))?;
    let pem = key
        .to_pkcs8_pem(LineEnding::LF)
        .map_err(|e| KeyError::Key(e.to_string()))?
        .to_string();
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| file_error(path, e))?;
    }
    write_private(path, &pem).map_err(|e| file_error(path, e))?;
    Ok(pem)
}

#[cfg(unix)]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(contents.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    std::fs::write(path, contents)
}
