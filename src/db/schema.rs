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
        registration_key_hash -> Nullable<Text>,
        restore_key_hash -> Nullable<Text>,
        restore_key_expires_at -> Nullable<Timestamp>,
        default_billing_address_id -> Nullable<Integer>,
        default_shipping_address_id -> Nullable<Integer>,
        group_id -> Nullable<Integer>,
        blocked_at -> Nullable<Timestamp>,
        accepted_marketing -> Bool,
        last_login_at -> Nullable<Timestamp>,
        first_name_normalized -> Nullable<Text>,
        last_name_normalized -> Nullable<Text>,
    }
}

diesel::table! {
    customer_groups (id) {
        id -> Integer,
        key -> Text,
        name -> Text,
        description -> Nullable<Text>,
        is_default -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    addresses (id) {
        id -> Integer,
        uuid -> Text,
        customer_id -> Integer,
        salutation -> Nullable<Text>,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        address1 -> Nullable<Text>,
        address2 -> Nullable<Text>,
        address3 -> Nullable<Text>,
        zip_code -> Nullable<Text>,
        city -> Nullable<Text>,
        iso2_code -> Text,
        company -> Nullable<Text>,
        phone -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        anonymized_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    outbox (id) {
        id -> Text,
        kind -> Text,
        recipient -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Text,
        created_at -> Timestamp,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
        sent_at -> Nullable<Timestamp>,
        failed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
    }
}

diesel::table! {
    password_reset_requests (email_normalized) {
        email_normalized -> Text,
        reason -> Text,
        requested_at -> Timestamp,
        processed_at -> Nullable<Timestamp>,
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
        client_id -> Text,
    }
}

diesel::table! {
    clients (id) {
        id -> Text,
        name -> Text,
        secret_hash -> Nullable<Text>,
        auth_method -> Text,
        grant_types -> Text,
        scopes -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    login_failures (key) {
        key -> Text,
        window_start -> Timestamp,
        failures -> Integer,
        blocked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    revoked_access_tokens (jti) {
        jti -> Text,
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
diesel::joinable!(addresses -> customers (customer_id));
diesel::joinable!(customers -> customer_groups (group_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::allow_tables_to_appear_in_same_query!(
    customers,
    sequences,
    sessions,
    refresh_tokens,
    outbox,
    password_reset_requests,
    clients,
    revoked_access_tokens,
    login_failures,
    addresses,
    customer_groups
);
