//! Where setting values come from, and the one place each setting is read: a section asks the
//! [`Source`] for a key with its default and its check, and the source remembers every key
//! asked for. That list is the registry: the config file may hold only those keys, and a test
//! holds `.env.example` to it.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Display;
use std::str::FromStr;

use super::SettingsError;

/// The merged values (file, then environment) and the keys read so far.
pub struct Source {
    values: HashMap<String, String>,
    read: RefCell<Vec<&'static str>>,
}

impl Source {
    pub fn new(values: HashMap<String, String>) -> Self {
        Self {
            values,
            read: RefCell::new(Vec::new()),
        }
    }

    /// Every key asked for, in the order the sections asked.
    pub fn keys_read(&self) -> Vec<&'static str> {
        self.read.borrow().clone()
    }

    /// The trimmed value, or `None` when unset. An empty value counts as unset (a copied
    /// `.env.example` leaves some empty).
    pub fn get(&self, key: &'static str) -> Option<String> {
        {
            let mut read = self.read.borrow_mut();
            if !read.contains(&key) {
                read.push(key);
            }
        }
        self.values
            .get(key)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    pub fn text(&self, key: &'static str, default: &str) -> String {
        self.get(key).unwrap_or_else(|| default.to_owned())
    }

    /// A value parsed by `parse`, whose error message names what was expected.
    pub fn parsed<T>(
        &self,
        key: &'static str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<T, SettingsError> {
        match self.get(key) {
            None => Ok(default),
            Some(v) => parse(&v).map_err(|reason| SettingsError::invalid(key, reason)),
        }
    }

    /// A number within `range` (inclusive bounds).
    pub fn number<T>(
        &self,
        key: &'static str,
        default: T,
        range: std::ops::RangeInclusive<T>,
    ) -> Result<T, SettingsError>
    where
        T: FromStr + PartialOrd + Display + Copy,
    {
        let value = self.parsed(key, default, |v| {
            v.parse()
                .map_err(|_| format!("`{v}` is not a valid number"))
        })?;
        if range.contains(&value) {
            Ok(value)
        } else {
            Err(SettingsError::invalid(
                key,
                format!("must be between {} and {}", range.start(), range.end()),
            ))
        }
    }

    pub fn boolean(&self, key: &'static str, default: bool) -> Result<bool, SettingsError> {
        self.parsed(key, default, |v| match v.to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" | "on" => Ok(true),
            "0" | "false" | "no" | "off" => Ok(false),
            _ => Err(format!("`{v}` is not true or false")),
        })
    }

    /// A comma-separated list; empty items are dropped.
    pub fn list(&self, key: &'static str) -> Vec<String> {
        self.get(key)
            .map(|v| {
                v.split(',')
                    .map(|item| item.trim().to_owned())
                    .filter(|item| !item.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// A base URL (`http://` or `https://`, no query or fragment), without a trailing slash.
pub fn base_url(value: &str) -> Result<String, String> {
    let trimmed = value.trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("http://")
        .or_else(|| trimmed.strip_prefix("https://"))
        .ok_or("must be an http:// or https:// URL")?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err("must be a base URL without query or fragment".to_owned());
    }
    Ok(trimmed.to_owned())
}
