//! The API suite: the real server, real databases (SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set), real HTTP.

mod binary;
mod helpers;
mod smtp_sink;

mod abuse;
mod addresses;
mod auth;
mod backend;
mod concurrency;
mod cors;
mod customers;
mod data_at_rest;
mod emails;
mod jsonapi;
mod logs;
mod oauth;
mod openapi;
mod operations;
mod outage;
mod registration;
mod settings;
mod transfer;
