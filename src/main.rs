//! The `zaiti` command: parses the CLI, starts logging, calls the library.

use anyhow::Context;
use clap::Parser;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;
use zaiti::config::{Cli, Command, DatabaseArgs, redacted};
use zaiti::{demo, graphql, http, store};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_tracing(cli.log_json);
    match cli.command {
        Command::Schema => print!("{}", graphql::sdl()),
        Command::Migrate(database) => {
            open(&database).await?;
            tracing::info!("database is up to date");
        }
        Command::Demo(database) => {
            let db = open(&database).await?;
            let summary = demo::load(&db).await.context("loading demo data")?;
            tracing::info!(%summary, "demo data");
        }
        Command::Serve(args) => {
            let db = open(&args.database).await?;
            if args.demo {
                let summary = demo::load(&db).await.context("loading demo data")?;
                tracing::info!(%summary, "demo data");
            }
            let listener = TcpListener::bind(args.listen)
                .await
                .with_context(|| format!("cannot listen on {}", args.listen))?;
            let address = listener.local_addr()?;
            tracing::info!("GraphQL at http://{address}/graphql (GraphiQL in a browser)");
            let router = http::router(db, &args.http_options());
            http::serve(listener, router, http::shutdown_signal()).await?;
        }
    }
    Ok(())
}

/// Connects to the configured database and migrates it.
async fn open(database: &DatabaseArgs) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let url = redacted(&database.database_url);
    tracing::info!(database = %url, "connecting");
    let db = store::connect(&database.database_url)
        .await
        .with_context(|| format!("cannot connect to {url}"))?;
    store::migrate(&db)
        .await
        .context("migrating the database")?;
    Ok(db)
}

fn init_tracing(json: bool) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}
