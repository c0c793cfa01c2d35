//! Prints the role matrix as a Markdown table for the README:
//! `cargo run -p nepenthe-server --example role_matrix`.

fn main() {
    print!("{}", nepenthe_server::routes::role_matrix_markdown());
}
