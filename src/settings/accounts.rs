//! Customer accounts: references and double opt-in.

use super::source::Source;
use super::SettingsError;

#[derive(Debug, Clone)]
pub struct AccountSettings {
    /// customerReference prefix: `DE--1`, `DE--2`, ... (CONTRACT §3 item 11).
    pub store: String,
    /// Email confirmation before the first login (CONTRACT §3 item 10).
    pub double_opt_in: bool,
}

impl AccountSettings {
    pub fn from_source(src: &Source) -> Result<Self, SettingsError> {
        Ok(Self {
            store: src.parsed("GLUE_STORE", "DE".to_owned(), |v| {
                if v.chars().all(|c| c.is_ascii_alphanumeric()) {
                    Ok(v.to_owned())
                } else {
                    Err("letters and digits only, e.g. DE".to_owned())
                }
            })?,
            double_opt_in: src.boolean("GLUE_DOUBLE_OPT_IN", true)?,
        })
    }
}
