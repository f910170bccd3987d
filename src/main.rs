use std::process::ExitCode;

use glue_customers::db::Db;
use glue_customers::settings::Settings;
use glue_customers::startup::Application;
use glue_customers::{clients, openapi, telemetry, transfer};

const USAGE: &str =
    "usage: glue-customers [serve | migrate | openapi | client ... | import FILE | export [FILE]]";

fn main() -> ExitCode {
    let command = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "serve".to_owned());
    if command == "openapi" {
        return match openapi::document_json() {
            Ok(doc) => {
                print!("{doc}");
                ExitCode::SUCCESS
            }
            Err(err) => fail(&err),
        };
    }
    if command == "client" {
        return client(&std::env::args().skip(2).collect::<Vec<_>>());
    }
    // Like `client`: no log subscriber, the report alone on stdout.
    if command == "import" || command == "export" {
        return transfer::cli::main(&command, &std::env::args().skip(2).collect::<Vec<_>>());
    }
    let json_logs = std::env::var("GLUE_LOG_FORMAT").map_or(true, |v| v != "text");
    telemetry::init("info", json_logs);
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(err) => return fail(&err),
    };
    match command.as_str() {
        "serve" => serve(settings),
        "migrate" => match Db::connect(&settings.database.url, 1) {
            Ok(_) => ExitCode::SUCCESS,
            Err(err) => fail(&err),
        },
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn serve(settings: Settings) -> ExitCode {
    tracing::info!(?settings, "starting");
    let result = actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings).map_err(|e| e.to_string())?;
        app.run_until_stopped().await.map_err(|e| e.to_string())
    });
    match result {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(err) => fail(&err),
    }
}

/// `client ...`: no log subscriber, so that stdout holds only the answer (`--json` is parsed).
fn client(args: &[String]) -> ExitCode {
    let settings = match Settings::load() {
        Ok(settings) => settings,
        Err(err) => return fail(&err),
    };
    match clients::cli::run(args, &settings) {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(err @ clients::cli::CliError::Usage(_)) => {
            eprintln!("glue-customers: {err}");
            ExitCode::from(2)
        }
        Err(err) => fail(&err),
    }
}

fn fail(err: &dyn std::fmt::Display) -> ExitCode {
    tracing::error!(error = %err, "failed");
    eprintln!("glue-customers: {err}");
    ExitCode::FAILURE
}
