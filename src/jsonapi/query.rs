//! Query parameters as JSON:API defines them (`include`, `fields[type]`, `sort`, `page[...]`,
//! `filter[...]`), checked against what each endpoint supports. CONTRACT §3 item 23: anything
//! unsupported or malformed is a 400 with `source.parameter`.

use std::future::{ready, Ready};
use std::marker::PhantomData;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};

use crate::error::ApiError;

/// What one endpoint supports.
#[derive(Debug, Clone, Copy)]
pub struct QuerySpec {
    /// Relationship paths allowed in `include`; empty: the endpoint does not support `include`.
    pub include: &'static [&'static str],
    /// Resource types with their attribute (and relationship) names, for `fields[type]`.
    pub fields: &'static [(&'static str, &'static [&'static str])],
    /// Sortable fields; empty: the endpoint does not support `sort`.
    pub sort: &'static [&'static str],
    /// Names allowed in `filter[name]`; empty: the endpoint does not support filtering.
    pub filter: &'static [&'static str],
    /// Paging of a collection; `None`: well-formed `page[offset]`/`page[limit]` are accepted and
    /// mean nothing (Spryker's clients send them everywhere), anything else under `page` is a 400.
    pub page: Option<PageSpec>,
}

/// How a collection pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSpec {
    /// The page size when the client names none.
    pub default_limit: u64,
    /// The largest `page[limit]` accepted (a larger one is a 400, not silently cut).
    pub max_limit: u64,
    /// Whether keyset paging (`page[after]=<cursor>`) is offered beside offsets.
    pub cursor: bool,
}

impl QuerySpec {
    /// An endpoint that takes no query parameters at all (beyond well-formed, ignored `page`).
    pub const NONE: QuerySpec = QuerySpec {
        include: &[],
        fields: &[],
        sort: &[],
        filter: &[],
        page: None,
    };
}

/// Names an endpoint's [`QuerySpec`] as a type, for the [`JsonApiQuery`] extractor.
pub trait QuerySpecOf {
    const SPEC: QuerySpec;
}

/// The spec of endpoints that take no query parameters.
pub struct NoQuery;

impl QuerySpecOf for NoQuery {
    const SPEC: QuerySpec = QuerySpec::NONE;
}

/// The query string parsed once against the endpoint's spec, or a 400 naming the parameter.
/// Put it first among a handler's arguments: its error is then the one answered when several
/// extractors fail, whatever the others wait for.
pub struct JsonApiQuery<S>(pub QueryParams, PhantomData<S>);

impl<S> std::ops::Deref for JsonApiQuery<S> {
    type Target = QueryParams;

    fn deref(&self) -> &QueryParams {
        &self.0
    }
}

impl<S: QuerySpecOf> FromRequest for JsonApiQuery<S> {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(QueryParams::parse(req.query_string(), &S::SPEC).map(|q| Self(q, PhantomData)))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SortField {
    pub name: String,
    pub descending: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub offset: u64,
    pub limit: u64,
}

#[derive(Debug, Clone, Default)]
pub struct QueryParams {
    include: Option<Vec<String>>,
    fields: Vec<(String, Vec<String>)>,
    sort: Vec<SortField>,
    filters: Vec<(String, String)>,
    page: Option<Page>,
    cursor: Option<String>,
    /// The decoded pairs, in the client's order, for re-encoding in links.
    pairs: Vec<(String, String)>,
}

const PAGE_INVALID: &str = "Pagination parameters are invalid.";

impl QueryParams {
    pub fn parse(raw: &str, spec: &QuerySpec) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
            .into_owned()
            .collect();
        let mut out = QueryParams::default();
        let mut seen: Vec<&str> = Vec::new();
        let (mut offset, mut limit, mut after) = (None, None, None);
        let cursor_paging = spec.page.is_some_and(|p| p.cursor);
        for (name, value) in &pairs {
            if seen.contains(&name.as_str()) {
                return Err(ApiError::query(
                    name,
                    format!("Parameter `{name}` is given more than once."),
                ));
            }
            seen.push(name);
            if name == "include" {
                out.include = Some(parse_include(value, spec)?);
            } else if let Some(kind) = bracketed(name, "fields") {
                out.fields
                    .push((kind.to_owned(), parse_fields(name, kind, value, spec)?));
            } else if name == "sort" {
                out.sort = parse_sort(value, spec)?;
            } else if name == "page[offset]" {
                offset = Some(parse_page_number(name, value, 0)?);
            } else if name == "page[limit]" {
                limit = Some(parse_page_number(name, value, 1)?);
            } else if name == "page[after]" && cursor_paging {
                // Empty: keyset paging from the beginning.
                after = Some(value.clone());
            } else if bracketed(name, "page").is_some() {
                return Err(ApiError::query(name, PAGE_INVALID));
            } else if let Some(field) = bracketed(name, "filter") {
                if !spec.filter.contains(&field) {
                    return Err(ApiError::query(
                        name,
                        "Filtering by this field is not supported.",
                    ));
                }
                out.filters.push((field.to_owned(), value.clone()));
            } else {
                return Err(ApiError::query(
                    name,
                    format!("Unknown query parameter `{name}`."),
                ));
            }
        }
        out.page = match spec.page {
            None => match (offset, limit) {
                (None, None) => None,
                // reference §1.4: an offset without a limit is invalid.
                (Some(_), None) => return Err(ApiError::query("page[limit]", PAGE_INVALID)),
                (offset, Some(limit)) => Some(Page {
                    offset: offset.unwrap_or(0),
                    limit,
                }),
            },
            Some(paging) => {
                if after.is_some() && offset.is_some() {
                    return Err(ApiError::query(
                        "page[after]",
                        "page[after] and page[offset] cannot be combined.",
                    ));
                }
                let limit = limit.unwrap_or(paging.default_limit);
                if limit > paging.max_limit {
                    return Err(ApiError::query(
                        "page[limit]",
                        format!("page[limit] must be at most {}.", paging.max_limit),
                    ));
                }
                Some(Page {
                    offset: offset.unwrap_or(0),
                    limit,
                })
            }
        };
        out.cursor = after;
        out.pairs = pairs;
        Ok(out)
    }

    /// `Some(paths)` when the client sent `include` (possibly empty: include nothing).
    pub fn include(&self) -> Option<&[String]> {
        self.include.as_deref()
    }

    pub fn includes(&self, path: &str) -> bool {
        self.include
            .as_ref()
            .is_some_and(|paths| paths.iter().any(|p| p == path))
    }

    pub fn fields_for(&self, kind: &str) -> Option<&[String]> {
        self.fields
            .iter()
            .find(|(k, _)| k == kind)
            .map(|(_, f)| f.as_slice())
    }

    pub fn sort(&self) -> &[SortField] {
        &self.sort
    }

    pub fn page(&self) -> Option<Page> {
        self.page
    }

    /// The value of `filter[name]`, if the client sent it.
    pub fn filter(&self, name: &str) -> Option<&str> {
        self.filters
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The keyset cursor of `page[after]`, on endpoints that offer cursor paging.
    pub fn cursor(&self) -> Option<&str> {
        self.cursor.as_deref()
    }

    /// The query string re-encoded for links: brackets and other characters RFC 3986 does not
    /// allow in a query are percent-encoded (CONTRACT §3 item 25). Empty when there was none.
    pub fn canonical(&self) -> String {
        encode(self.pairs.iter())
    }

    /// [`canonical`](Self::canonical) without the `page[...]` parameters: what paging links
    /// keep while they set their own page.
    pub fn canonical_without_page(&self) -> String {
        encode(
            self.pairs
                .iter()
                .filter(|(name, _)| !name.starts_with("page[")),
        )
    }

    /// `url` with the canonical query string appended, if there is one.
    pub fn link(&self, url: String) -> String {
        let query = self.canonical();
        if query.is_empty() {
            url
        } else {
            format!("{url}?{query}")
        }
    }
}

fn encode<'a>(pairs: impl Iterator<Item = &'a (String, String)>) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

fn bracketed<'a>(name: &'a str, family: &str) -> Option<&'a str> {
    name.strip_prefix(family)?
        .strip_prefix('[')?
        .strip_suffix(']')
}

fn parse_include(value: &str, spec: &QuerySpec) -> Result<Vec<String>, ApiError> {
    // An empty value asks for nothing, which every endpoint can honour (CONTRACT §3 item 23).
    if value.is_empty() {
        return Ok(Vec::new());
    }
    if spec.include.is_empty() {
        return Err(ApiError::query(
            "include",
            "This endpoint does not support the include parameter.",
        ));
    }
    value
        .split(',')
        .map(|path| {
            if spec.include.contains(&path) {
                Ok(path.to_owned())
            } else {
                Err(ApiError::query(
                    "include",
                    format!("Relationship `{path}` cannot be included."),
                ))
            }
        })
        .collect()
}

fn parse_fields(
    name: &str,
    kind: &str,
    value: &str,
    spec: &QuerySpec,
) -> Result<Vec<String>, ApiError> {
    let Some((_, known)) = spec.fields.iter().find(|(k, _)| *k == kind) else {
        return Err(ApiError::query(
            name,
            format!("Resource type `{kind}` is not part of this response."),
        ));
    };
    if value.is_empty() {
        return Ok(Vec::new());
    }
    value
        .split(',')
        .map(|field| {
            if known.contains(&field) {
                Ok(field.to_owned())
            } else {
                Err(ApiError::query(
                    name,
                    format!("`{field}` is not a field of `{kind}`."),
                ))
            }
        })
        .collect()
}

fn parse_sort(value: &str, spec: &QuerySpec) -> Result<Vec<SortField>, ApiError> {
    if spec.sort.is_empty() {
        return Err(ApiError::query(
            "sort",
            "This endpoint does not support sorting.",
        ));
    }
    value
        .split(',')
        .map(|item| {
            let (name, descending) = match item.strip_prefix('-') {
                Some(rest) => (rest, true),
                None => (item, false),
            };
            if spec.sort.contains(&name) {
                Ok(SortField {
                    name: name.to_owned(),
                    descending,
                })
            } else {
                Err(ApiError::query(
                    "sort",
                    format!("Sorting by `{item}` is not supported."),
                ))
            }
        })
        .collect()
}

fn parse_page_number(name: &str, value: &str, min: u64) -> Result<u64, ApiError> {
    match value.parse::<u64>() {
        Ok(n) if n >= min && value.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(ApiError::query(name, PAGE_INVALID)),
    }
}

#[cfg(test)]
mod tests;
