//! `sinfra-lsp`: the language server, speaking LSP over stdio.

fn main() -> std::process::ExitCode {
    let (connection, io_threads) = lsp_server::Connection::stdio();
    let outcome = sinfra_lsp::run(connection);
    if let Err(e) = io_threads.join() {
        eprintln!("sinfra-lsp: {e}");
    }
    match outcome {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sinfra-lsp: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
