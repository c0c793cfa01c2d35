//! The `nepenthe scan` front-end as a stand-alone binary, for testing it
//! without the rest of the workspace: `cargo run -p nepenthe-detect --example scan_cli -- FILE`.

#[path = "../../nepenthe/src/scan.rs"]
mod scan;

use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: scan::ScanArgs,
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = scan::run(cli.args) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}
