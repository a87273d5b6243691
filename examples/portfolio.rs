//! Generates the load benchmark's portfolio (issue 13, `bench/load.sh`):
//! operators, carriers with 1–3 space phases, and a fixed number of
//! tenancies per carrier, each with an enterprise of its own, in a database
//! emptied first. The same flags give the same rows on every run and on
//! both databases (a fixed-seed generator, fixed timestamps); only the API
//! token it issues is new each time.
//!
//! ```sh
//! cargo run --release --example portfolio -- \
//!   --database-url postgres://postgres@127.0.0.1:5432/zaiti_load \
//!   --carriers 2000 --tenancies-per-carrier 20 --token-file target/bench-load/token
//! ```
//!
//! A PostgreSQL database must exist; its `public` schema is dropped and made
//! again. An SQLite file is deleted (with its `-wal`/`-shm`) and created.
//! The rows themselves come from `zaiti::demo::portfolio`, which the
//! statement-count tests use too.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::Parser;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend};
use zaiti::demo::portfolio::{self, Size};
use zaiti::domain::access::Role;
use zaiti::store;

/// Generate the load benchmark's portfolio in an emptied database.
#[derive(Parser, Debug)]
struct Args {
    /// `postgres://USER@HOST/DB` (its `public` schema is dropped) or
    /// `sqlite://FILE?mode=rwc` (the file is deleted).
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    /// Carriers to generate.
    #[arg(long, default_value_t = 2000)]
    carriers: u32,
    /// Tenancies of each carrier, each with an enterprise of its own.
    #[arg(long, default_value_t = 20)]
    tenancies_per_carrier: u32,
    /// Operators the carriers are spread over.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..))]
    operators: u32,
    /// Seed of the generator: the same seed gives the same rows.
    #[arg(long, default_value_t = 0x5A17_1D00_0013_2026)]
    seed: u64,
    /// Write an ADMIN token's secret to this file (mode 0600); without it the
    /// secret is printed on standard output.
    #[arg(long)]
    token_file: Option<PathBuf>,
}

/// Empties the database: a fresh `public` schema, or a deleted SQLite file.
async fn emptied(url: &str) -> anyhow::Result<DatabaseConnection> {
    if url.starts_with("sqlite:") {
        if url.contains(":memory:") || url.contains("mode=memory") {
            bail!("an in-memory database would vanish when the generator exits");
        }
        let path = url
            .trim_start_matches("sqlite:")
            .trim_start_matches("//")
            .split('?')
            .next()
            .unwrap_or_default();
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{path}{suffix}");
            match std::fs::remove_file(&file) {
                Ok(()) => {}
                Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
                Err(err) => return Err(err).with_context(|| format!("cannot delete {file}")),
            }
        }
    }
    let db = store::connect(url)
        .await
        .with_context(|| format!("cannot connect to {url}"))?;
    if db.get_database_backend() == DbBackend::Postgres {
        db.execute_unprepared("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
            .await
            .context("emptying the database")?;
    }
    Ok(db)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let started = Instant::now();
    let db = emptied(&args.database_url).await?;
    store::migrate(&db).await.context("migrating")?;
    let size = Size {
        carriers: args.carriers,
        tenancies_per_carrier: args.tenancies_per_carrier,
        operators: args.operators,
        seed: args.seed,
    };
    let counts = portfolio::fill(&db, &size)
        .await
        .context("writing the portfolio")?;
    let issued = store::token::create(&db, "load benchmark", Role::Admin, None).await?;
    match &args.token_file {
        Some(path) => write_secret(path, &issued.secret)?,
        None => println!("{}", issued.secret),
    }
    eprintln!(
        "portfolio: {counts} in {:.1} s; ADMIN token {}{}",
        started.elapsed().as_secs_f64(),
        issued.token.id,
        args.token_file
            .as_ref()
            .map(|p| format!(" written to {}", p.display()))
            .unwrap_or_default()
    );
    Ok(())
}

/// Writes the token's secret to `path`, readable by its owner only.
fn write_secret(path: &std::path::Path, secret: &str) -> anyhow::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    options.mode(0o600);
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    writeln!(file, "{secret}").with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
