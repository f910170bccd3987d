//! What handlers and extractors read: the pool, the token keys, the settings, the mail context
//! and the background worker's waker. Built once by
//! `startup`; services never see it (they take plain values).

use crate::auth::tokens::TokenKeys;
use crate::background::Waker;
use crate::db::Db;
use crate::mail::MailContext;
use crate::settings::Settings;

pub struct AppState {
    pub db: Db,
    pub keys: TokenKeys,
    pub settings: Settings,
    /// Branding and links for the emails services queue.
    pub mail: MailContext,
    /// Wakes the background worker after a transaction queued an email or a reset request.
    pub background: Waker,
}
