//! Unit tests of query-parameter parsing (split out to keep `query.rs` readable).

use super::*;

const SPEC: QuerySpec = QuerySpec {
    include: &["addresses"],
    fields: &[
        ("customers", &["firstName", "email"]),
        ("addresses", &["city"]),
    ],
    ..QuerySpec::NONE
};

fn parameter_of(raw: &str) -> String {
    match QueryParams::parse(raw, &SPEC) {
        Err(ApiError::Query { parameter, .. }) => parameter,
        other => panic!("{raw}: expected a query error, got {other:?}"),
    }
}

#[test]
fn encoded_and_unencoded_brackets_are_the_same_request() {
    let a = QueryParams::parse("fields[customers]=firstName", &SPEC).expect("valid");
    let b = QueryParams::parse("fields%5Bcustomers%5D=firstName", &SPEC).expect("valid");
    assert_eq!(a.fields_for("customers"), b.fields_for("customers"));
    assert_eq!(a.canonical(), "fields%5Bcustomers%5D=firstName");
    assert_eq!(a.canonical(), b.canonical());
}

#[test]
fn unsupported_or_malformed_parameters_name_themselves() {
    assert_eq!(parameter_of("include=wishlists"), "include");
    assert_eq!(parameter_of("sort=firstName"), "sort");
    assert_eq!(
        parameter_of("fields[customers]=password"),
        "fields[customers]"
    );
    assert_eq!(parameter_of("fields[orders]=id"), "fields[orders]");
    assert_eq!(parameter_of("page[limit]=0"), "page[limit]");
    assert_eq!(parameter_of("page[limit]=abc"), "page[limit]");
    assert_eq!(parameter_of("page[limit]=-1"), "page[limit]");
    assert_eq!(parameter_of("page[offset]=3"), "page[limit]");
    assert_eq!(parameter_of("filter[email]=x"), "filter[email]");
    assert_eq!(parameter_of("foo=1"), "foo");
    assert_eq!(parameter_of("fooBar=1"), "fooBar");
    assert_eq!(
        parameter_of("include=addresses&include=addresses"),
        "include"
    );
}

#[test]
fn sort_and_page_are_parsed_for_endpoints_that_support_them() {
    const SORTABLE: QuerySpec = QuerySpec {
        sort: &["city", "zipCode"],
        ..QuerySpec::NONE
    };
    let q = QueryParams::parse(
        "sort=-city,zipCode&page[offset]=20&page[limit]=10",
        &SORTABLE,
    )
    .expect("valid");
    assert_eq!(
        q.sort(),
        [
            SortField {
                name: "city".into(),
                descending: true
            },
            SortField {
                name: "zipCode".into(),
                descending: false
            },
        ]
    );
    assert_eq!(
        q.page(),
        Some(Page {
            offset: 20,
            limit: 10
        })
    );
    let limit_only = QueryParams::parse("page[limit]=5", &SORTABLE).expect("valid");
    assert_eq!(
        limit_only.page(),
        Some(Page {
            offset: 0,
            limit: 5
        })
    );
    match QueryParams::parse("sort=-nope", &SORTABLE) {
        Err(ApiError::Query { parameter, .. }) => assert_eq!(parameter, "sort"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn empty_include_includes_nothing() {
    let q = QueryParams::parse("include=", &SPEC).expect("valid");
    assert_eq!(q.include(), Some(&[][..]));
    assert!(!q.includes("addresses"));
}

const LISTING: QuerySpec = QuerySpec {
    filter: &["email", "updatedSince"],
    sort: &["createdAt"],
    page: Some(PageSpec {
        default_limit: 20,
        max_limit: 500,
        cursor: true,
    }),
    ..QuerySpec::NONE
};

fn listing_error(raw: &str) -> (String, String) {
    match QueryParams::parse(raw, &LISTING) {
        Err(ApiError::Query { parameter, detail }) => (parameter, detail),
        other => panic!("{raw}: expected a query error, got {other:?}"),
    }
}

#[test]
fn allowed_filters_are_kept_and_others_refused() {
    let q = QueryParams::parse("filter[email]=a%40b.c&filter%5BupdatedSince%5D=", &LISTING)
        .expect("valid");
    assert_eq!(q.filter("email"), Some("a@b.c"));
    assert_eq!(q.filter("updatedSince"), Some(""));
    assert_eq!(q.filter("status"), None);
    assert_eq!(listing_error("filter[status]=x").0, "filter[status]");
    assert_eq!(parameter_of("filter[email]=x"), "filter[email]");
}

#[test]
fn paged_endpoints_apply_their_default_and_maximum() {
    let q = QueryParams::parse("", &LISTING).expect("valid");
    assert_eq!(
        q.page(),
        Some(Page {
            offset: 0,
            limit: 20
        })
    );
    let q = QueryParams::parse("page[offset]=40", &LISTING).expect("an offset alone is fine");
    assert_eq!(
        q.page(),
        Some(Page {
            offset: 40,
            limit: 20
        })
    );
    let q = QueryParams::parse("page[limit]=500", &LISTING).expect("the maximum is allowed");
    assert_eq!(q.page().map(|p| p.limit), Some(500));
    let (parameter, detail) = listing_error("page[limit]=501");
    assert_eq!(parameter, "page[limit]");
    assert!(detail.contains("500"), "{detail}");
    assert_eq!(listing_error("page[size]=5").0, "page[size]");
}

#[test]
fn cursor_paging_only_where_offered_and_never_with_an_offset() {
    let q = QueryParams::parse("page[after]=abc-_1&page[limit]=5", &LISTING).expect("valid");
    assert_eq!(q.cursor(), Some("abc-_1"));
    assert_eq!(
        q.page(),
        Some(Page {
            offset: 0,
            limit: 5
        })
    );
    assert_eq!(
        QueryParams::parse("page[after]=", &LISTING)
            .expect("valid")
            .cursor(),
        Some("")
    );
    assert_eq!(
        listing_error("page[after]=x&page[offset]=3").0,
        "page[after]"
    );
    assert_eq!(parameter_of("page[after]=x"), "page[after]");
    assert_eq!(QueryParams::parse("", &SPEC).expect("valid").page(), None);
}

#[test]
fn links_keep_other_parameters_and_drop_page_ones() {
    let q = QueryParams::parse(
        "filter[email]=a%40b.c&page[limit]=5&sort=-createdAt&page[after]=x",
        &LISTING,
    )
    .expect("valid");
    assert_eq!(
        q.canonical_without_page(),
        "filter%5Bemail%5D=a%40b.c&sort=-createdAt"
    );
    assert_eq!(
        q.link("http://h/c".into()),
        "http://h/c?filter%5Bemail%5D=a%40b.c&page%5Blimit%5D=5&sort=-createdAt&page%5Bafter%5D=x"
    );
}
