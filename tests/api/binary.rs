//! The real binary as a child process, for what only a process shows: its logs, its files on
//! disk, a restart with other settings, a signal. Its stdout and stderr are captured.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Binary {
    /// `None` once it has been waited for.
    child: Option<Child>,
    pub address: String,
    logs: Arc<Mutex<String>>,
}

impl Drop for Binary {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn capture(stream: impl Read + Send + 'static, logs: Arc<Mutex<String>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            let mut logs = logs.lock().expect("log buffer");
            logs.push_str(&line);
            logs.push('\n');
        }
    });
}

impl Binary {
    /// Starts `glue-customers serve` in `dir` (its `var/` holds the database and key) with only
    /// these settings, on a free port, and waits until it answers.
    pub async fn start(dir: &Path, env: &[(&str, &str)]) -> Binary {
        let port = free_port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_glue-customers"));
        command
            .current_dir(dir)
            .env_clear()
            .env("GLUE_LISTEN", format!("127.0.0.1:{port}"))
            .env("GLUE_BCRYPT_COST", "4")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("start the binary");
        let logs = Arc::new(Mutex::new(String::new()));
        capture(child.stdout.take().expect("stdout"), logs.clone());
        capture(child.stderr.take().expect("stderr"), logs.clone());
        let address = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if client.get(format!("{address}/health")).send().await.is_ok() {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!(
                    "the binary exited with {status}: {}",
                    logs.lock().expect("logs")
                );
            }
            assert!(Instant::now() < deadline, "the binary did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Binary {
            child: Some(child),
            address,
            logs,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Sends SIGTERM (a graceful stop).
    pub fn terminate(&self) {
        let child = self.child.as_ref().expect("still running");
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Waits for the process to end; returns its exit status and everything it printed.
    pub async fn wait(&mut self) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("still running");
        let status = tokio::task::spawn_blocking(move || child.wait())
            .await
            .expect("join")
            .expect("wait");
        // The reader threads see end-of-file once the process is gone.
        tokio::time::sleep(Duration::from_millis(100)).await;
        (status, self.logs())
    }

    /// Stops the process with SIGTERM and returns everything it printed.
    pub async fn stop(mut self) -> String {
        self.terminate();
        self.wait().await.1
    }

    /// What it printed so far.
    pub fn logs(&self) -> String {
        self.logs.lock().expect("logs").clone()
    }
}
