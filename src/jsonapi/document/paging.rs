//! Top-level links and paging (JSON:API 1.1 "Top Level", "Pagination").
//!
//! Every link is built from an already percent-encoded query string, and the page parameters are
//! encoded the same way (`page%5Blimit%5D`): links must be valid URIs (CONTRACT §3 item 25).

use serde::Serialize;
use serde_json::{Map, Value};

/// The top-level `links` of a document. Absent pagination links are omitted rather than `null`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TopLevelLinks {
    #[serde(rename = "self")]
    pub self_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prev: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last: Option<String>,
}

impl TopLevelLinks {
    pub fn self_only(self_link: String) -> Self {
        Self {
            self_: self_link,
            first: None,
            prev: None,
            next: None,
            last: None,
        }
    }
}

/// One page of an offset-paged collection.
#[derive(Debug, Clone, Copy)]
pub struct OffsetPaging<'a> {
    /// The collection's URL, without a query.
    pub base_url: &'a str,
    /// The request's other parameters, percent-encoded, to repeat in every link (may be empty).
    /// `page[...]` parameters in it are dropped: the links set their own.
    pub kept_query: &'a str,
    pub offset: u64,
    /// At least 1; 0 is treated as 1 (the query parser never yields 0, and a zero-sized page
    /// has no "last page").
    pub limit: u64,
    pub total: u64,
}

impl OffsetPaging<'_> {
    /// `self`, `first` and `last` always; `prev` when not at offset 0, `next` when items follow.
    pub fn links(&self) -> TopLevelLinks {
        let limit = self.limit.max(1);
        let link = |offset: u64| self.link(offset, limit);
        TopLevelLinks {
            self_: link(self.offset),
            first: Some(link(0)),
            prev: (self.offset > 0).then(|| link(self.offset.saturating_sub(limit))),
            next: (self.offset.saturating_add(limit) < self.total)
                .then(|| link(self.offset + limit)),
            // The last page on the grid that starts at offset 0, full or not; an empty
            // collection still has one empty page, which is both first and last.
            last: Some(link(self.total.saturating_sub(1) / limit * limit)),
        }
    }

    /// `{"page": {"total": N, "offset": o, "limit": l}}`, to merge into the top-level `meta`.
    pub fn meta(&self) -> Map<String, Value> {
        let mut page = Map::new();
        page.insert("total".into(), self.total.into());
        page.insert("offset".into(), self.offset.into());
        page.insert("limit".into(), self.limit.max(1).into());
        let mut meta = Map::new();
        meta.insert("page".into(), Value::Object(page));
        meta
    }

    fn link(&self, offset: u64, limit: u64) -> String {
        page_link(
            self.base_url,
            self.kept_query,
            &[
                ("page[offset]", &offset.to_string()),
                ("page[limit]", &limit.to_string()),
            ],
        )
    }
}

/// One page of a cursor-paged (keyset) collection. There is no `last` (reaching it would mean
/// reading the whole collection) and no `prev` (cursors only lead forwards).
#[derive(Debug, Clone, Copy)]
pub struct CursorPaging<'a> {
    /// The collection's URL, without a query.
    pub base_url: &'a str,
    /// As in [`OffsetPaging::kept_query`].
    pub kept_query: &'a str,
    /// As in [`OffsetPaging::limit`].
    pub limit: u64,
    /// The cursor this page starts after; `None` on the first page.
    pub after: Option<&'a str>,
    /// The cursor of the next page; `None` when this page is the last.
    pub next_after: Option<&'a str>,
}

impl CursorPaging<'_> {
    pub fn links(&self) -> TopLevelLinks {
        let limit = self.limit.max(1).to_string();
        let link = |after: Option<&str>| match after {
            Some(cursor) => page_link(
                self.base_url,
                self.kept_query,
                &[("page[after]", cursor), ("page[limit]", &limit)],
            ),
            // `page[after]=` (empty) asks for the first page of keyset paging.
            None => page_link(
                self.base_url,
                self.kept_query,
                &[("page[after]", ""), ("page[limit]", &limit)],
            ),
        };
        TopLevelLinks {
            self_: link(self.after),
            first: Some(link(None)),
            prev: None,
            next: self.next_after.map(|cursor| link(Some(cursor))),
            last: None,
        }
    }
}

/// `base?kept&page…`: the page parameters come last and are encoded like the query layer's
/// canonical form, so that a cursor can hold any character.
fn page_link(base_url: &str, kept_query: &str, page: &[(&str, &str)]) -> String {
    let page = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(page)
        .finish();
    // The kept segments are already encoded by the caller: joined as they are, never re-encoded.
    let kept: Vec<&str> = kept_query
        .split('&')
        .filter(|s| !s.is_empty() && !is_page_parameter(s))
        .collect();
    if kept.is_empty() {
        format!("{base_url}?{page}")
    } else {
        format!("{base_url}?{}&{page}", kept.join("&"))
    }
}

/// Whether one `name=value` segment of an encoded query is a `page[...]` parameter, however
/// its brackets are encoded: repeating one would make the link a 400 (duplicate parameter).
fn is_page_parameter(segment: &str) -> bool {
    form_urlencoded::parse(segment.as_bytes())
        .next()
        .is_some_and(|(name, _)| name.starts_with("page["))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::schema_check::assert_valid;
    use super::super::Document;
    use super::*;

    const BASE: &str = "http://localhost/customers";
    const KEPT: &str = "filter%5Bemail%5D=a%40b.c&sort=-createdAt";

    /// The links of one offset page, after checking the whole document against the schema.
    fn offset_page(kept_query: &str, offset: u64, limit: u64, total: u64) -> TopLevelLinks {
        let paging = OffsetPaging {
            base_url: BASE,
            kept_query,
            offset,
            limit,
            total,
        };
        let links = paging.links();
        let document =
            Document::paged_collection(Vec::new(), links.clone()).with_meta(paging.meta());
        let value = assert_valid(&document);
        assert_eq!(value["links"], serde_json::to_value(&links).expect("links"));
        links
    }

    fn cursor_page(after: Option<&str>, next_after: Option<&str>) -> TopLevelLinks {
        let links = CursorPaging {
            base_url: BASE,
            kept_query: KEPT,
            limit: 2,
            after,
            next_after,
        }
        .links();
        assert_valid(&Document::paged_collection(Vec::new(), links.clone()));
        links
    }

    fn at(offset: u64, limit: u64) -> String {
        format!("{BASE}?{KEPT}&page%5Boffset%5D={offset}&page%5Blimit%5D={limit}")
    }

    #[test]
    fn offset_paging_first_page_has_next_and_last_but_no_prev() {
        let links = offset_page(KEPT, 0, 10, 25);
        assert_eq!(
            links.self_,
            "http://localhost/customers?filter%5Bemail%5D=a%40b.c&sort=-createdAt\
             &page%5Boffset%5D=0&page%5Blimit%5D=10"
        );
        assert_eq!(links.first, Some(at(0, 10)));
        assert_eq!(links.prev, None);
        assert_eq!(links.next, Some(at(10, 10)));
        assert_eq!(links.last, Some(at(20, 10)));
    }

    #[test]
    fn offset_paging_middle_page_has_every_link() {
        let links = offset_page(KEPT, 10, 10, 25);
        assert_eq!(links.self_, at(10, 10));
        assert_eq!(links.first, Some(at(0, 10)));
        assert_eq!(links.prev, Some(at(0, 10)));
        assert_eq!(links.next, Some(at(20, 10)));
        assert_eq!(links.last, Some(at(20, 10)));
    }

    #[test]
    fn offset_paging_last_page_has_prev_but_no_next() {
        let links = offset_page(KEPT, 20, 10, 25);
        assert_eq!(links.self_, at(20, 10));
        assert_eq!(links.prev, Some(at(10, 10)));
        assert_eq!(links.next, None);
        assert_eq!(links.last, Some(at(20, 10)));
    }

    #[test]
    fn offset_paging_of_an_empty_collection_is_one_empty_page() {
        let links = offset_page(KEPT, 0, 10, 0);
        assert_eq!(links.self_, at(0, 10));
        assert_eq!(links.first, Some(at(0, 10)));
        assert_eq!(links.prev, None);
        assert_eq!(links.next, None);
        assert_eq!(links.last, Some(at(0, 10)));
    }

    #[test]
    fn offset_paging_of_an_exact_multiple_of_the_limit_ends_on_a_full_page() {
        let second = offset_page(KEPT, 10, 10, 30);
        assert_eq!(second.next, Some(at(20, 10)));
        assert_eq!(second.last, Some(at(20, 10)));
        let last = offset_page(KEPT, 20, 10, 30);
        assert_eq!(last.next, None);
        assert_eq!(last.last, Some(at(20, 10)));
    }

    #[test]
    fn offset_paging_prev_is_clamped_at_offset_zero() {
        let links = offset_page(KEPT, 5, 10, 30);
        assert_eq!(links.prev, Some(at(0, 10)));
        assert_eq!(links.next, Some(at(15, 10)));
    }

    #[test]
    fn offset_paging_without_kept_parameters_starts_the_query_with_the_page() {
        let links = offset_page("", 0, 1, 2);
        assert_eq!(
            links.next.as_deref(),
            Some("http://localhost/customers?page%5Boffset%5D=1&page%5Blimit%5D=1")
        );
    }

    #[test]
    fn page_parameters_in_the_kept_query_are_replaced_not_repeated() {
        let kept = "page%5Boffset%5D=40&sort=-createdAt&page[limit]=3";
        let links = offset_page(kept, 0, 10, 25);
        assert_eq!(
            links.next.as_deref(),
            Some(
                "http://localhost/customers?sort=-createdAt&page%5Boffset%5D=10&page%5Blimit%5D=10"
            )
        );
    }

    #[test]
    fn offset_paging_meta_has_total_offset_and_limit() {
        let paging = OffsetPaging {
            base_url: BASE,
            kept_query: "",
            offset: 20,
            limit: 10,
            total: 25,
        };
        assert_eq!(
            Value::Object(paging.meta()),
            json!({"page": {"total": 25, "offset": 20, "limit": 10}})
        );
    }

    #[test]
    fn cursor_paging_with_a_next_cursor_links_next_after_it() {
        let links = cursor_page(Some("c2"), Some("c4"));
        let base = format!("{BASE}?{KEPT}");
        assert_eq!(
            links.self_,
            format!("{base}&page%5Bafter%5D=c2&page%5Blimit%5D=2")
        );
        assert_eq!(
            links.first,
            Some(format!("{base}&page%5Bafter%5D=&page%5Blimit%5D=2"))
        );
        assert_eq!(
            links.next,
            Some(format!("{base}&page%5Bafter%5D=c4&page%5Blimit%5D=2"))
        );
        assert_eq!((links.prev, links.last), (None, None));
    }

    #[test]
    fn cursor_paging_without_a_next_cursor_has_no_next() {
        let first_and_only = cursor_page(None, None);
        let first = format!("{BASE}?{KEPT}&page%5Bafter%5D=&page%5Blimit%5D=2");
        assert_eq!(first_and_only.self_, first);
        assert_eq!(first_and_only.first, Some(first));
        assert_eq!(first_and_only.next, None);
        assert_eq!(first_and_only.last, None);
    }

    #[test]
    fn cursors_are_percent_encoded() {
        let links = cursor_page(None, Some("a+b/c=="));
        assert_eq!(
            links.next,
            Some(format!(
                "{BASE}?{KEPT}&page%5Bafter%5D=a%2Bb%2Fc%3D%3D&page%5Blimit%5D=2"
            ))
        );
    }

    #[test]
    fn collection_links_without_paging_are_only_self() {
        let links = TopLevelLinks::self_only(format!("{BASE}?{KEPT}"));
        assert_eq!(
            serde_json::to_value(links).expect("links"),
            json!({"self": "http://localhost/customers?filter%5Bemail%5D=a%40b.c&sort=-createdAt"})
        );
    }
}
