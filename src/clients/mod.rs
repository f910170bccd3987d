//! OAuth 2.0 clients: the public storefront client and confidential partner clients, their
//! registration from the command line, and the deny-list of revoked client access tokens.

pub mod cli;
pub mod model;
pub mod repo;
pub mod service;
