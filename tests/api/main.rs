//! The API suite: the real server, real databases (SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set), real HTTP.

mod helpers;

mod auth;
mod customers;
mod jsonapi;
mod openapi;
mod operations;
mod registration;
mod settings;
