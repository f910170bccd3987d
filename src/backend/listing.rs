//! `GET /backend/customers` parameters turned into a typed listing: filters, sort, and offset or
//! keyset paging (`page[after]`). Every bad value is a 400 naming its parameter.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use serde::{Deserialize, Serialize};

use crate::customers::domain::{normalize_email, normalize_name};
use crate::customers::model::Status;
use crate::error::ApiError;
use crate::jsonapi::{PageSpec, QueryParams, QuerySpec, QuerySpecOf};

/// The sort keys partners may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortKey {
    CreatedAt,
    UpdatedAt,
    LastName,
    Email,
}

impl SortKey {
    fn parse(name: &str) -> Option<Self> {
        match name {
            "createdAt" => Some(Self::CreatedAt),
            "updatedAt" => Some(Self::UpdatedAt),
            "lastName" => Some(Self::LastName),
            "email" => Some(Self::Email),
            _ => None,
        }
    }
}

/// Where a keyset page starts: after the row with these values of the sort key and this id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort key the cursor was made for (`None`: by id).
    pub key: Option<SortKey>,
    pub descending: bool,
    /// The sort key's value in the last row (text; timestamps as the database stores them).
    pub value: Option<String>,
    pub id: i32,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        serde_json::from_slice(&bytes).ok()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paging {
    Offset {
        offset: i64,
        limit: i64,
    },
    /// Keyset paging: `after` is `None` on the first page.
    Keyset {
        after: Option<Cursor>,
        limit: i64,
    },
}

#[derive(Debug, Clone, Default)]
pub struct Filters {
    /// Normalized: compared with `email_normalized`.
    pub email: Option<String>,
    /// Normalized prefix of first name, last name or email.
    pub q: Option<String>,
    pub status: Option<Status>,
    /// A group's key (its id on the wire).
    pub group: Option<String>,
    pub created_gte: Option<NaiveDateTime>,
    pub created_lt: Option<NaiveDateTime>,
    pub updated_gte: Option<NaiveDateTime>,
}

#[derive(Debug, Clone)]
pub struct Listing {
    pub filters: Filters,
    /// Sort keys in order; the id breaks ties, in the direction of the last key.
    pub sort: Vec<(SortKey, bool)>,
    pub paging: Paging,
}

/// The attribute and relationship names of a partner's customer, for `fields[customers]`.
pub const FIELDSET: &[&str] = &[
    "firstName",
    "lastName",
    "email",
    "gender",
    "dateOfBirth",
    "salutation",
    "status",
    "acceptedMarketing",
    "createdAt",
    "updatedAt",
    "confirmedAt",
    "lastLoginAt",
    "group",
    "addresses",
];

pub const GROUP_FIELDS: &[&str] = &["name", "description", "isDefault"];

const FILTERS: &[&str] = &[
    "email",
    "q",
    "status",
    "group",
    "createdAt][gte",
    "createdAt][lt",
    "updatedAt][gte",
];

/// The collection's query parameters (issue: partner API).
pub struct ListQuery;

impl QuerySpecOf for ListQuery {
    const SPEC: QuerySpec = QuerySpec {
        include: &["group", "addresses"],
        fields: &[
            ("customers", FIELDSET),
            ("addresses", crate::addresses::resource::FIELDS),
            ("customer-groups", GROUP_FIELDS),
        ],
        sort: &["createdAt", "updatedAt", "lastName", "email"],
        filter: FILTERS,
        page: Some(PageSpec {
            default_limit: 20,
            max_limit: 500,
            cursor: true,
        }),
    };
}

/// One customer's parameters: include and fieldsets.
pub struct OneQuery;

impl QuerySpecOf for OneQuery {
    const SPEC: QuerySpec = QuerySpec {
        include: &["group", "addresses"],
        fields: ListQuery::SPEC.fields,
        ..QuerySpec::NONE
    };
}

impl Listing {
    pub fn parse(query: &QueryParams) -> Result<Self, ApiError> {
        let sort: Vec<(SortKey, bool)> = query
            .sort()
            .iter()
            .filter_map(|s| SortKey::parse(&s.name).map(|key| (key, s.descending)))
            .collect();
        let page = query.page().unwrap_or(crate::jsonapi::Page {
            offset: 0,
            limit: 20,
        });
        let limit = i64::try_from(page.limit).unwrap_or(500);
        let paging = match query.cursor() {
            // `page[after]=` (empty) starts keyset paging at the beginning.
            Some("") => Paging::Keyset { after: None, limit },
            Some(text) => {
                let cursor = Cursor::decode(text)
                    .filter(|c| cursor_fits(c, &sort))
                    .ok_or_else(|| bad("page[after]", "The cursor is not valid for this sort."))?;
                Paging::Keyset {
                    after: Some(cursor),
                    limit,
                }
            }
            // An offset beyond what SQL takes (2^63 and up) is past the end of any collection,
            // like every offset past its end: an empty page, not an error.
            None => Paging::Offset {
                offset: i64::try_from(page.offset).unwrap_or(i64::MAX),
                limit,
            },
        };
        let keyset = matches!(paging, Paging::Keyset { .. });
        if keyset && (sort.len() > 1 || sort.first().is_some_and(|(k, _)| *k == SortKey::LastName))
        {
            return Err(bad(
                "page[after]",
                "Keyset paging sorts by one key at most: createdAt, updatedAt or email.",
            ));
        }
        Ok(Self {
            filters: parse_filters(query)?,
            sort,
            paging,
        })
    }

    /// The one sort key of keyset paging, with its direction (`None`: by id ascending).
    pub fn keyset_key(&self) -> (Option<SortKey>, bool) {
        self.sort
            .first()
            .map_or((None, false), |(key, desc)| (Some(*key), *desc))
    }
}

/// A cursor belongs to one sort: reusing it under another would skip or repeat rows. Keyset
/// paging by the nullable last name is refused (a missing name has no place in the order).
/// Its value must be one the server could have written (a forged one is a 400, not a 500).
fn cursor_fits(cursor: &Cursor, sort: &[(SortKey, bool)]) -> bool {
    let (key, descending) = sort.first().map_or((None, false), |(k, d)| (Some(*k), *d));
    let value_fits = match (key, cursor.value.as_deref()) {
        (None, _) => true,
        (Some(SortKey::CreatedAt | SortKey::UpdatedAt), Some(text)) => {
            NaiveDateTime::parse_from_str(text, super::repo::CURSOR_TIMESTAMP).is_ok()
        }
        (Some(SortKey::Email), Some(text)) => !text.contains('\0'),
        _ => false,
    };
    cursor.key == key
        && cursor.descending == descending
        && key != Some(SortKey::LastName)
        && value_fits
}

fn bad(parameter: &str, detail: &str) -> ApiError {
    ApiError::query(parameter, detail)
}

fn parse_filters(query: &QueryParams) -> Result<Filters, ApiError> {
    let status = match query.filter("status") {
        None => None,
        Some(text) => Some(Status::parse(text).ok_or_else(|| {
            bad(
                "filter[status]",
                "filter[status] is one of active, blocked, unconfirmed, anonymized.",
            )
        })?),
    };
    // PostgreSQL refuses a NUL in text outright: a 400 here, not a 500 there.
    for name in ["email", "q", "group"] {
        if query.filter(name).is_some_and(|v| v.contains('\0')) {
            return Err(bad(
                &format!("filter[{name}]"),
                "A filter value cannot contain a NUL character.",
            ));
        }
    }
    let text = |name: &str| query.filter(name).filter(|v| !v.is_empty());
    Ok(Filters {
        email: text("email").map(normalize_email),
        q: text("q").map(normalize_name),
        status,
        group: text("group").map(str::to_owned),
        created_gte: timestamp(query, "createdAt][gte")?,
        created_lt: timestamp(query, "createdAt][lt")?,
        updated_gte: timestamp(query, "updatedAt][gte")?,
    })
}

/// RFC 3339 (`2026-11-29T08:00:00Z`) or the service's own `2026-11-29 08:00:00.123456` (UTC).
fn timestamp(query: &QueryParams, name: &str) -> Result<Option<NaiveDateTime>, ApiError> {
    let Some(text) = query.filter(name) else {
        return Ok(None);
    };
    parse_timestamp(text).map(Some).ok_or_else(|| {
        bad(
            &format!("filter[{name}]"),
            "Expected a timestamp: 2026-11-29T08:00:00Z or 2026-11-29 08:00:00.",
        )
    })
}

/// A timestamp filter's value, in UTC: RFC 3339 (`T`, `t` or a space between date and time;
/// `Z`, `z` or `+hh:mm`/`-hh:mm`), or the service's own form (a space, no offset: UTC). A
/// fraction of a second has one to nine digits; no leap second. Exactly what
/// [`timestamp_pattern`] matches, so the document states what is accepted.
pub fn parse_timestamp(text: &str) -> Option<NaiveDateTime> {
    let bytes = text.as_bytes();
    let number = |from: usize, to: usize| -> Option<u32> {
        let digits = bytes.get(from..to)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let at = |i: usize, allowed: &[u8]| bytes.get(i).is_some_and(|b| allowed.contains(b));
    let shape = at(4, b"-") && at(7, b"-") && at(10, b"Tt ") && at(13, b":") && at(16, b":");
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    if !shape || second > 59 {
        return None;
    }
    // The first 19 bytes are ASCII: a character boundary.
    let mut rest = &text[19..];
    let mut nanos = 0;
    if let Some(fraction) = rest.strip_prefix('.') {
        let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if !(1..=9).contains(&len) {
            return None;
        }
        let digits: u32 = fraction[..len].parse().ok()?;
        nanos = digits * 10u32.pow(u32::try_from(9 - len).ok()?);
        rest = &fraction[len..];
    }
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
    let local = date.and_time(NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?);
    let east_minutes = match rest.as_bytes() {
        [] if bytes[10] == b' ' => 0,
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |a: u8, b: u8| {
                (a.is_ascii_digit() && b.is_ascii_digit())
                    .then(|| i64::from((a - b'0') * 10 + (b - b'0')))
            };
            let (hours, minutes) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let east = hours * 60 + minutes;
            if *sign == b'-' {
                -east
            } else {
                east
            }
        }
        _ => return None,
    };
    local.checked_sub_signed(TimeDelta::minutes(east_minutes))
}

/// [`parse_timestamp`] as an ECMA-262 pattern: the calendar (month lengths, leap years of the
/// Gregorian rule) included, so that every string it matches is a valid timestamp.
pub fn timestamp_pattern() -> String {
    let leap = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)";
    let date = format!(
        "(?:[0-9]{{4}}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])\
         |(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|{leap}-02-29)"
    );
    let hours_minutes = "(?:[01][0-9]|2[0-3]):[0-5][0-9]";
    let time = format!("{hours_minutes}:[0-5][0-9](?:\\.[0-9]{{1,9}})?");
    let offset = format!("(?:[Zz]|[+-]{hours_minutes})");
    format!("^{date}(?:[Tt]{time}{offset}| {time}{offset}?)$")
}

/// The cursors of a keyset page, encoded for its links.
pub struct CursorInfo {
    /// `""` on the first page (`page[after]=`).
    pub after: Option<String>,
    pub next: Option<String>,
}

impl CursorInfo {
    pub fn new(after: Option<&Cursor>, next: Option<&Cursor>) -> Self {
        Self {
            after: after.map(Cursor::encode),
            next: next.map(Cursor::encode),
        }
    }
}
