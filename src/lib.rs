//! A customer-account service speaking JSON:API 1.1, wire-compatible with Spryker's Glue
//! Storefront API. See README.md for the architecture.

pub mod addresses;
pub mod auth;
pub mod backend;
pub mod background;
pub mod clients;
pub mod cors;
pub mod credentials;
pub mod customers;
pub mod db;
pub mod error;
pub mod groups;
pub mod jsonapi;
pub mod lockout;
pub mod mail;
pub mod net;
pub mod oauth;
pub mod openapi;
pub mod ops;
pub mod passwords;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod text;
pub mod transfer;
pub mod validation;
