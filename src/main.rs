//! Thin binary: parse the command line, start telemetry, run. Errors are one line on stderr.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    std::panic::set_hook(Box::new(|info| {
        eprintln!("error: internal failure: {info}");
    }));
    let cli = match zhanggui::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                let _ = e.print();
                return ExitCode::SUCCESS;
            }
            let rendered = e.render().to_string();
            eprintln!(
                "{}",
                rendered
                    .lines()
                    .next()
                    .unwrap_or("error: invalid arguments")
            );
            return ExitCode::from(2);
        }
    };
    // The server logs at info; one-shot commands only warn.
    let serving = matches!(cli.command, zhanggui::cli::Command::Serve { .. });
    let format = match &cli.command {
        zhanggui::cli::Command::Serve { log_format, .. } => *log_format,
        _ => zhanggui::telemetry::LogFormat::Text,
    };
    zhanggui::telemetry::init_with(if serving { "info" } else { "warn" }, format);
    let system = actix_web::rt::System::new();
    match system.block_on(zhanggui::cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
