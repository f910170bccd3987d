//! The tables, written by hand: one schema for both backends (the migrations under
//! `migrations/sqlite` and `migrations/postgres` create the same columns).

diesel::table! {
    customers (id) {
        id -> Integer,
        customer_reference -> Text,
        email -> Text,
        email_normalized -> Text,
        salutation -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        gender -> Nullable<Text>,
        date_of_birth -> Nullable<Date>,
        password_hash -> Nullable<Text>,
        registered_at -> Nullable<Timestamp>,
        anonymized_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sequences (name) {
        name -> Text,
        value -> BigInt,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        customer_id -> Integer,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Integer,
        token_hash -> Text,
        session_id -> Text,
        customer_id -> Integer,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(sessions -> customers (customer_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::allow_tables_to_appear_in_same_query!(customers, sequences, sessions, refresh_tokens);
