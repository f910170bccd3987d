//! The two ceilings `make bench` divides by (bench only; the service never runs this).
//!
//! ```text
//! bench-ceiling [serve] [--listen 127.0.0.1:0] [--workers N]
//!     actix-web serving `GET /noop` -> `{"ok":true}` (application/json) and nothing else: what
//!     the framework alone does on these cores with the service's worker count. N defaults to
//!     GLUE_WORKERS, then the number of cores, as the service's own default.
//! bench-ceiling bcrypt [--cost 10] [--seconds 5] [--threads N]
//!     bcrypt verifies per second, one thread per core (N defaults to the number of cores),
//!     in-process, with the `bcrypt` crate the service uses.
//! ```
//!
//! Each mode prints one JSON line on stdout (`"mode"` first) for bench/run.sh to read: serve
//! prints it once listening (with the bound address, so `--listen 127.0.0.1:0` works), bcrypt at
//! the end.

use std::process::ExitCode;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::json;

const USAGE: &str = "usage: bench-ceiling [serve] [--listen HOST:PORT] [--workers N] | \
bench-ceiling bcrypt [--cost C] [--seconds S] [--threads N]";

/// The password verified by the hashing ceiling: as long as the bench's own (12 characters).
const PASSWORD: &str = "Kx9!vTq2#mWz";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (mode, rest) = match args.first().map(String::as_str) {
        Some("bcrypt") => ("bcrypt", &args[1..]),
        Some("serve") => ("serve", &args[1..]),
        _ => ("serve", &args[..]),
    };
    let result = Options::parse(rest).and_then(|options| match mode {
        "bcrypt" => bcrypt_ceiling(&options),
        _ => serve(&options),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("bench-ceiling: {message}\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Run(message)) => {
            eprintln!("bench-ceiling: {message}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Usage(String),
    Run(String),
}

/// `--name value` pairs; nothing else is accepted.
struct Options(Vec<(String, String)>);

impl Options {
    fn parse(args: &[String]) -> Result<Self, Failure> {
        let mut pairs = Vec::new();
        let mut iter = args.iter();
        while let Some(name) = iter.next() {
            if !name.starts_with("--") {
                return Err(Failure::Usage(format!("unexpected argument `{name}`")));
            }
            let value = iter
                .next()
                .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))?;
            pairs.push((name.clone(), value.clone()));
        }
        Ok(Self(pairs))
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn number<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, Failure> {
        match self.text(name) {
            None => Ok(default),
            Some(value) => value
                .parse()
                .map_err(|_| Failure::Usage(format!("{name} {value}: not a number"))),
        }
    }

    fn reject_unknown(&self, known: &[&str]) -> Result<(), Failure> {
        match self.0.iter().find(|(n, _)| !known.contains(&n.as_str())) {
            Some((name, _)) => Err(Failure::Usage(format!("unknown option {name}"))),
            None => Ok(()),
        }
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

/// The service's rule for its worker count: `GLUE_WORKERS`, else the number of cores.
fn default_workers() -> Result<usize, Failure> {
    match std::env::var("GLUE_WORKERS") {
        Ok(value) if !value.is_empty() => value
            .parse()
            .map_err(|_| Failure::Usage(format!("GLUE_WORKERS={value}: not a number"))),
        _ => Ok(cores()),
    }
}

async fn noop() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "ok": true }))
}

fn serve(options: &Options) -> Result<(), Failure> {
    options.reject_unknown(&["--listen", "--workers"])?;
    let listen = options.text("--listen").unwrap_or("127.0.0.1:0").to_owned();
    let workers = options.number("--workers", default_workers()?)?;
    if workers == 0 {
        return Err(Failure::Usage("--workers must be at least 1".to_owned()));
    }
    let listener = std::net::TcpListener::bind(&listen)
        .map_err(|e| Failure::Run(format!("cannot listen on {listen}: {e}")))?;
    let address = listener
        .local_addr()
        .map_err(|e| Failure::Run(format!("no local address for {listen}: {e}")))?;
    actix_web::rt::System::new()
        .block_on(async move {
            let server = HttpServer::new(|| App::new().route("/noop", web::get().to(noop)))
                .workers(workers)
                .listen(listener)?
                .run();
            println!(
                "{}",
                json!({ "mode": "serve", "listen": address.to_string(), "workers": workers })
            );
            server.await
        })
        .map_err(|e| Failure::Run(format!("server: {e}")))
}

fn bcrypt_ceiling(options: &Options) -> Result<(), Failure> {
    options.reject_unknown(&["--cost", "--seconds", "--threads"])?;
    let cost: u32 = options.number("--cost", 10)?;
    let seconds: f64 = options.number("--seconds", 5.0)?;
    let threads: usize = options.number("--threads", cores())?;
    if !(4..=31).contains(&cost) || !seconds.is_finite() || seconds <= 0.0 || threads == 0 {
        return Err(Failure::Usage(
            "--cost is 4-31, --seconds and --threads above 0".to_owned(),
        ));
    }
    let hash = bcrypt::hash(PASSWORD, cost)
        .map_err(|e| Failure::Run(format!("bcrypt::hash at cost {cost}: {e}")))?;
    let hash = Arc::new(hash);
    let window = Duration::from_secs_f64(seconds);
    // Every thread starts its clock at the same moment, after the others are spawned.
    let start = Arc::new(Barrier::new(threads));
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let hash = Arc::clone(&hash);
            let start = Arc::clone(&start);
            std::thread::spawn(move || verify_for(&hash, window, &start))
        })
        .collect();
    let mut verifies = 0u64;
    let mut per_second = 0.0;
    let mut longest = Duration::ZERO;
    for handle in handles {
        let (count, elapsed) = handle
            .join()
            .map_err(|_| Failure::Run("a hashing thread panicked".to_owned()))??;
        verifies += count;
        // Each thread's own rate: the last verify overruns the window by up to one hash.
        per_second += count as f64 / elapsed.as_secs_f64();
        longest = longest.max(elapsed);
    }
    println!(
        "{}",
        json!({
            "mode": "bcrypt",
            "cost": cost,
            "threads": threads,
            "seconds": (longest.as_secs_f64() * 1000.0).round() / 1000.0,
            "verifies": verifies,
            "per_second": (per_second * 100.0).round() / 100.0,
        })
    );
    Ok(())
}

/// Verifies until the window has passed; answers the count and the time it took.
fn verify_for(hash: &str, window: Duration, start: &Barrier) -> Result<(u64, Duration), Failure> {
    start.wait();
    let began = Instant::now();
    let mut count = 0u64;
    while began.elapsed() < window {
        let ok = bcrypt::verify(PASSWORD, hash)
            .map_err(|e| Failure::Run(format!("bcrypt::verify: {e}")))?;
        if !ok {
            return Err(Failure::Run(
                "bcrypt::verify refused its own hash".to_owned(),
            ));
        }
        count += 1;
    }
    Ok((count, began.elapsed()))
}
