//! The partner API under `/backend` (issue: partner API): integration partners, authenticated as
//! confidential OAuth clients with scopes, list, search, sync and manage customers and groups.

pub mod listing;
pub mod repo;
