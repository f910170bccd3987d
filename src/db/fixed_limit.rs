//! `LIMIT n` written into a statement's text rather than bound as a parameter.
//!
//! PostgreSQL plans a prepared statement afresh on every execution until a generic plan looks
//! as cheap as the custom ones; with `LIMIT $n` the generic plan is costed as if a tenth of the
//! table were read, so on a large table it never looks cheap and every execution pays for a
//! new plan (about 0.2 ms at a million customers, more than the rest of the query). With the
//! limit in the text the generic plan is costed for the page it reads, and PostgreSQL keeps it
//! after five executions. The statement's text then differs per limit: diesel caches one
//! prepared statement per text on every connection, so callers use it for a few fixed limits
//! only (the partner listing: its usual page sizes).
//!
//! Only for statements whose best plan does not depend on their other parameters' values: a
//! generic plan estimates a bound range or a bound foreign key at an average selectivity.

use diesel::backend::Backend;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::{QueryResult, RunQueryDsl};

/// `query LIMIT limit`, for a query that has no LIMIT or OFFSET of its own.
#[derive(Debug, Clone, Copy)]
pub struct FixedLimit<Q> {
    query: Q,
    limit: u16,
}

impl<Q> FixedLimit<Q> {
    pub fn new(query: Q, limit: u16) -> Self {
        Self { query, limit }
    }
}

impl<Q: Query> Query for FixedLimit<Q> {
    type SqlType = Q::SqlType;
}

impl<Q, DB> QueryFragment<DB> for FixedLimit<Q>
where
    DB: Backend,
    Q: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.query.walk_ast(out.reborrow())?;
        out.push_sql(" LIMIT ");
        out.push_sql(&self.limit.to_string());
        Ok(())
    }
}

impl<Q> QueryId for FixedLimit<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q, Conn> RunQueryDsl<Conn> for FixedLimit<Q> {}
