//! What handlers and extractors read: the pool, the token keys, the settings. Built once by
//! `startup`; services never see it (they take plain values).

use crate::auth::tokens::TokenKeys;
use crate::db::Db;
use crate::settings::Settings;

pub struct AppState {
    pub db: Db,
    pub keys: TokenKeys,
    pub settings: Settings,
}
