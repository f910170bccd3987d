//! Work that runs beside the HTTP server, owned by `Application`: password reset requests
//! become keys and emails, queued emails are delivered, and stale counters are swept. A request that queues work wakes
//! the loop at once; otherwise it looks every `GLUE_MAIL_POLL_INTERVAL_MS` (other instances
//! queue too). On shutdown it finishes the email in hand, then stops.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{watch, Notify};

use crate::clients::repo as clients_repo;
use crate::db::{now, Db};
use crate::lockout::{self, LockoutRules};
use crate::mail::worker::Delivery;
use crate::mail::MailContext;
use crate::passwords;

/// Everything the loop needs, by value.
pub struct Jobs {
    pub db: Db,
    pub delivery: Delivery,
    pub mail: MailContext,
    /// `GLUE_FORGOTTEN_PASSWORD_THROTTLE`, seconds.
    pub reset_throttle: i64,
    pub lockout: LockoutRules,
    pub poll_interval: Duration,
}

/// How often stale rows (expired failure counters, deny-list entries of expired tokens) go.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(60);

/// Nudges the loop after a transaction queued work; cheap to clone into the app state.
#[derive(Clone, Default)]
pub struct Waker(Arc<Notify>);

impl Waker {
    pub fn wake(&self) {
        self.0.notify_one();
    }
}

pub struct Background {
    waker: Waker,
    stop: watch::Sender<bool>,
    task: actix_web::rt::task::JoinHandle<()>,
}

impl Background {
    /// Spawns the loop on the current actix system.
    pub fn start(jobs: Jobs) -> Self {
        let waker = Waker::default();
        let (stop, stopped) = watch::channel(false);
        let task = actix_web::rt::spawn(run(jobs, waker.clone(), stopped));
        Self { waker, stop, task }
    }

    pub fn waker(&self) -> Waker {
        self.waker.clone()
    }

    /// Asks the loop to stop and waits until it has finished the email in hand.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

async fn run(jobs: Jobs, waker: Waker, mut stopped: watch::Receiver<bool>) {
    let mut housekept: Option<Instant> = None;
    loop {
        if *stopped.borrow() {
            return;
        }
        if housekept.is_none_or(|at| at.elapsed() >= HOUSEKEEPING_EVERY) {
            housekept = Some(Instant::now());
            let rules = jobs.lockout;
            let swept = jobs
                .db
                .write(move |conn| {
                    let now = now();
                    lockout::forget_stale(conn, rules, now)?;
                    Ok(clients_repo::forget_expired_revocations(conn, now)?)
                })
                .await;
            if let Err(err) = swept {
                tracing::error!(error = %err, "housekeeping failed");
            }
        }
        if let Err(err) =
            passwords::service::process_reset_requests(&jobs.db, &jobs.mail, jobs.reset_throttle)
                .await
        {
            tracing::error!(error = %err, "password reset requests could not be processed");
        }
        let stopping = || *stopped.borrow();
        if let Err(err) = jobs.delivery.deliver_due(stopping).await {
            tracing::error!(error = %err, "email delivery failed");
        }
        tokio::select! {
            _ = waker.0.notified() => {}
            _ = actix_web::rt::time::sleep(jobs.poll_interval) => {}
            _ = stopped.changed() => {}
        }
    }
}
