//! The `zaiti` command: parses the CLI, starts logging, calls the library.

use anyhow::Context;
use clap::{Arg, ArgAction, CommandFactory, FromArgMatches};
use tracing_subscriber::EnvFilter;
use zaiti::config::{
    Cli, Command, ConfigCommand, DatabaseArgs, ExportCommand, ImportCommand, TokenCommand, file,
    redacted,
};
use zaiti::{demo, domain, features, graphql, http, import, store, telemetry};

/// jemalloc instead of glibc's malloc: under many simultaneous requests the
/// server's worker threads allocate and free a great deal, and glibc's arenas
/// contend for a lock and keep what was freed; jemalloc's per-thread caches
/// do not contend, and its background thread hands idle memory back to the
/// system about a second after a request freed it (`.cargo/config.toml`
/// compiles that decay in; see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Runs the command; a failure is printed as one line of causes, each once,
/// without a backtrace (even with `RUST_BACKTRACE=1`): start-up and import
/// refusals are expected outcomes, not crashes. Exit status 1.
#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", causes(&err));
            std::process::ExitCode::FAILURE
        }
    }
}

/// `err` and its causes, joined by ": ", skipping a cause whose text the
/// message before it already contains (database errors repeat their source).
fn causes(err: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line
}

async fn run() -> anyhow::Result<()> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let settings = match file::path_from(&args).map(|path| file::Settings::read(&path)) {
        Some(Ok(settings)) => Some(settings),
        Some(Err(err)) => exit_with(&err),
        None => None,
    };
    let command = match &settings {
        Some(settings) => settings
            .apply(cli_with_own_flags())
            .unwrap_or_else(|err| exit_with(&err)),
        None => cli_with_own_flags(),
    };
    let matches = command.clone().get_matches_from(&args);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|err| err.exit());
    let otlp_endpoint = match &cli.command {
        Command::Serve(args) => args.otlp_endpoint.clone(),
        _ => None,
    };
    // Flushes the spans still waiting when the command ends.
    let _exporter = init_tracing(cli.log_json, otlp_endpoint.as_deref())?;
    match cli.command {
        Command::Config(ConfigCommand::Check) => check_config(command, settings.as_ref()),
        Command::Config(ConfigCommand::Example) => {
            let plain = cli_with_own_flags();
            let serve = plain
                .find_subcommand("serve")
                .expect("zaiti has a serve command");
            print!("{}", file::example(&[&plain, serve]));
        }
        Command::Schema if schema_flag(&matches, POSSIBLE_TYPES) => {
            println!(
                "{}",
                serde_json::to_string_pretty(&graphql::possible_types())?
            );
        }
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
        Command::Token(args) => {
            let db = open(&args.database).await?;
            token(&db, args.command).await?;
        }
        Command::Import(args) => import(&args.database, args.command).await?,
        Command::Export(args) => export(&args.database, args.command).await?,
        Command::Serve(args) => {
            // Before the database opens: its statements are counted from the start.
            telemetry::install();
            let db = open(&args.database).await?;
            if args.demo {
                let summary = demo::load(&db).await.context("loading demo data")?;
                tracing::info!(%summary, "demo data");
                let token = demo_admin_token(&db, &args.database.database_url).await?;
                println!("demo admin token: {}", token.secret());
            }
            let listener = http::listen(args.listen)
                .with_context(|| format!("cannot listen on {}", args.listen))?;
            let address = listener.local_addr()?;
            tracing::info!("GraphQL at http://{address}/graphql (GraphiQL in a browser)");
            let options = args.http_options();
            if let Some(address) = args.metrics_listen {
                serve_metrics(address, db.clone())?;
            }
            let router = http::router(db, &options);
            http::serve_with(
                listener,
                router,
                options.connections,
                http::shutdown_signal(),
            )
            .await?;
        }
    }
    Ok(())
}

/// Prints `error` and exits with status 2, as clap does for bad arguments.
fn exit_with(error: &file::ConfigError) -> ! {
    eprintln!("error: {error}");
    std::process::exit(2)
}

/// `zaiti config check`: the configuration `zaiti serve` would run with,
/// validated by parsing it as `serve` would, printed with each key's source.
fn check_config(command: clap::Command, settings: Option<&file::Settings>) {
    let mut command = command;
    command.build();
    let serve = command
        .find_subcommand("serve")
        .expect("zaiti has a serve command")
        .clone();
    let matches = serve
        .clone()
        .try_get_matches_from(["serve"])
        .unwrap_or_else(|err| err.exit());
    if let Err(err) = zaiti::config::ServeArgs::from_arg_matches(&matches) {
        err.exit();
    }
    match settings {
        Some(settings) => println!("# zaiti serve with {}", settings.path.display()),
        None => println!("# zaiti serve without a config file"),
    }
    print!("{}", file::describe(&serve, &matches, settings));
    eprintln!("configuration OK");
}

/// The demo admin token of `serve --demo`: the one the previous start wrote
/// down for this database if it is still valid (a browser that kept it keeps
/// working), else a new one, written down for the next start. Demo mode only:
/// without `--demo` no secret is ever written to a file.
async fn demo_admin_token(
    db: &sea_orm::DatabaseConnection,
    database_url: &str,
) -> anyhow::Result<store::token::DemoAdmin> {
    let file = demo_token_file(database_url);
    let kept = file
        .as_deref()
        .and_then(|file| std::fs::read_to_string(file).ok())
        .map(|text| text.trim().to_owned());
    let token = store::token::demo_admin(db, kept.as_deref()).await?;
    match (&token, &file) {
        (store::token::DemoAdmin::Kept(_), Some(file)) => {
            eprintln!(
                "the demo admin token kept in {} is still valid",
                file.display()
            );
        }
        (store::token::DemoAdmin::Issued(secret), Some(file)) => {
            match write_private(file, secret) {
                Ok(()) => eprintln!(
                    "a new demo admin token, kept in {} for the next start",
                    file.display()
                ),
                Err(err) => {
                    tracing::warn!(%err, file = %file.display(), "cannot keep the demo token; the next start issues another")
                }
            }
        }
        (_, None) => {}
    }
    Ok(token)
}

/// Where `serve --demo` keeps its admin token for a database: under the
/// user's state directory (`$XDG_STATE_HOME`, else `~/.local/state`), one
/// file per database URL; `None` without a home directory.
fn demo_token_file(database_url: &str) -> Option<std::path::PathBuf> {
    use sha2::{Digest, Sha256};
    let state = std::env::var_os("XDG_STATE_HOME")
        .filter(|dir| !dir.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".local/state"))
        })?;
    let database = hex::encode(Sha256::digest(database_url.as_bytes()));
    Some(
        state
            .join("zaiti")
            .join(format!("demo-token-{}", &database[..16])),
    )
}

/// Writes `secret` to `file`, readable by its owner only.
fn write_private(file: &std::path::Path, secret: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut opened = options.open(file)?;
    // A file made by an earlier version, or by hand, may be wider open.
    #[cfg(unix)]
    opened.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    writeln!(opened, "{secret}")
}

/// `schema --possible-types`: print Apollo Client's `possibleTypes` map instead of the SDL.
const POSSIBLE_TYPES: &str = "possible-types";

/// The CLI of `zaiti::config`, with the flags only this command reads.
fn cli_with_own_flags() -> clap::Command {
    Cli::command().mut_subcommand("schema", |schema| {
        schema.arg(
            Arg::new(POSSIBLE_TYPES)
                .long(POSSIBLE_TYPES)
                .action(ArgAction::SetTrue)
                .help(
                    "Print Apollo Client's possibleTypes map (each interface and union with \
                     the object types implementing it) as JSON instead of the SDL",
                ),
        )
    })
}

fn schema_flag(matches: &clap::ArgMatches, flag: &str) -> bool {
    matches
        .subcommand_matches("schema")
        .is_some_and(|schema| schema.get_flag(flag))
}

/// The `token` subcommands.
async fn token(db: &sea_orm::DatabaseConnection, command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Create {
            name,
            role,
            operator,
            valid_through,
            lifetime_days,
        } => {
            let operator_id = operator.as_deref().map(operator_id).transpose()?;
            let last_day =
                domain::token::last_valid_day(store::today(), valid_through, lifetime_days)?;
            let request = store::token::TokenRequest {
                name,
                role,
                operator_id,
                expires_at: Some(domain::token::expires_at(last_day)),
            };
            let issued = store::token::issue(db, &store::token::issuer(), request).await?;
            eprintln!(
                "token {} ({}) issued for {}, valid through {last_day}; the secret below is shown only now:",
                issued.token.id, issued.token.role, issued.token.name
            );
            println!("{}", issued.secret);
        }
        TokenCommand::List => {
            println!(
                "{:>5}  {:<9}  {:>8}  {:<25}  {:<13}  {:<25}  name",
                "id", "role", "operator", "created", "valid through", "revoked"
            );
            for token in store::token::list(db).await? {
                println!(
                    "{:>5}  {:<9}  {:>8}  {:<25}  {:<13}  {:<25}  {}",
                    token.id,
                    token.role,
                    token
                        .operator_id
                        .map(|id| id.to_string())
                        .unwrap_or_default(),
                    token.created_at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
                    token
                        .expires_at
                        .map(|at| domain::token::valid_through(at).to_string())
                        .unwrap_or_else(|| "never".to_owned()),
                    token
                        .revoked_at
                        .map(|at| at.format("%Y-%m-%d %H:%M:%S UTC").to_string())
                        .unwrap_or_default(),
                    token.name,
                );
            }
        }
        TokenCommand::Revoke { id_or_name } => {
            let revoked = store::token::revoke(db, &id_or_name).await?;
            if revoked == 0 {
                anyhow::bail!("no active token has the id or name '{id_or_name}'");
            }
            println!("revoked {revoked} token(s)");
        }
    }
    Ok(())
}

/// The `import` subcommands: progress on standard error, the outcome on
/// standard output, every bad row on standard error and exit status 1.
async fn import(database: &DatabaseArgs, command: ImportCommand) -> anyhow::Result<()> {
    let (file, dry_run) = match command {
        ImportCommand::Tenancies { file, dry_run } => (file, dry_run),
        ImportCommand::Units { file, dry_run } => {
            return import_units(database, &file, dry_run).await;
        }
        ImportCommand::Leases { file, dry_run } => {
            return import_leases(database, &file, dry_run).await;
        }
        ImportCommand::AnnualData { file, dry_run } => {
            return import_annual_data(database, &file, dry_run).await;
        }
        ImportCommand::Districts {
            file,
            coordinate_system,
            max_polygon_vertices,
        } => {
            return import_districts(database, &file, &coordinate_system, max_polygon_vertices)
                .await;
        }
    };
    let (name, bytes) = read_import_file(&file)?;
    let plan = import::tenancies::plan(&name, &bytes)
        .map_err(|err| anyhow::anyhow!("{}: {}", file.display(), err.message))?;
    let db = open(database).await?;
    let actor = zaiti::domain::access::Actor::system(&format!("import: {name}"));
    let progress: Box<dyn import::Progress> = if plan.rows_read >= import::PROGRESS_MIN_ROWS {
        Box::new(import::TerminalProgress::default())
    } else {
        Box::new(import::Silent)
    };
    let summary = import::tenancies::run(&db, &actor, plan, dry_run, progress.as_ref()).await?;
    report_refusals(&file, &summary.ignored_columns, &summary.errors)?;
    let carriers: Vec<String> = summary
        .carrier_ids
        .iter()
        .map(ToString::to_string)
        .collect();
    println!(
        "{}{} rows read; {} new enterprise(s) and {} tenancies {}; carriers {}",
        if dry_run { "dry run: " } else { "" },
        summary.rows_read,
        summary.enterprises_created,
        summary.tenancies_created,
        if dry_run {
            "would be written (nothing was)"
        } else {
            "written"
        },
        carriers.join(", ")
    );
    Ok(())
}

/// The `export` subcommands.
async fn export(database: &DatabaseArgs, command: ExportCommand) -> anyhow::Result<()> {
    let db = open(database).await?;
    let (text, output) = match command {
        ExportCommand::Geojson { collection, output } => {
            let collection: features::Collection = collection
                .parse()
                .map_err(|_| anyhow::anyhow!("no collection '{collection}'"))?;
            (features::export(&db, collection).await?.to_string(), output)
        }
        ExportCommand::Torch {
            year,
            tenants,
            output,
        } => {
            let csv = if tenants {
                zaiti::store::torch::torch_csv_with_tenants(&db, year).await?
            } else {
                zaiti::store::torch::torch_csv(&db, year).await?
            };
            (csv, output)
        }
        ExportCommand::Statistics {
            group_by,
            as_of,
            kind,
            district,
            output,
        } => return export_statistics(&db, &group_by, as_of, &kind, &district, output).await,
    };
    match output {
        Some(path) => std::fs::write(&path, text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => println!("{text}"),
    }
    Ok(())
}

/// `export statistics`: the grouped figures as CSV, or XLSX for an `.xlsx` output.
async fn export_statistics(
    db: &sea_orm::DatabaseConnection,
    group_by: &[String],
    as_of: Option<chrono::NaiveDate>,
    kinds: &[String],
    districts: &[String],
    output: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    use zaiti::domain::statistics::{Dimension, check_dimensions};
    let dimensions = group_by
        .iter()
        .map(|name| {
            Dimension::named(name).ok_or_else(|| {
                let known: Vec<_> = Dimension::ALL.iter().map(|d| d.api_name()).collect();
                anyhow::anyhow!("no dimension '{name}'; one of {}", known.join(", "))
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    check_dimensions(&dimensions).map_err(|error| anyhow::anyhow!(error.message))?;
    let filter = zaiti::store::carrier::CarrierFilter {
        kinds: kinds
            .iter()
            .map(|kind| {
                kind.parse()
                    .map_err(|_| anyhow::anyhow!("no carrier kind '{kind}'"))
            })
            .collect::<anyhow::Result<_>>()?,
        district_ids: if districts.is_empty() {
            Vec::new()
        } else {
            zaiti::store::district::ids_for_codes(db, "district", districts).await?
        },
        ..Default::default()
    };
    let as_of = as_of.unwrap_or_else(zaiti::store::today);
    let (header, rows) = zaiti::store::statistics::table(db, &filter, &dimensions, as_of).await?;
    match output {
        Some(path)
            if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("xlsx")) =>
        {
            let sheet = format!("载体统计{}", as_of.format("%Y%m%d"));
            let bytes = zaiti::table::xlsx(&sheet, &header, &rows)?;
            std::fs::write(&path, bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        output => {
            let text = zaiti::table::csv(
                &header,
                rows.iter()
                    .map(|row| row.iter().map(zaiti::table::cell_text).collect::<Vec<_>>()),
            );
            match output {
                Some(path) => std::fs::write(&path, text)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{text}"),
            }
        }
    }
    Ok(())
}

/// An import file's name (for messages) and bytes.
fn read_import_file(file: &std::path::Path) -> anyhow::Result<(String, Vec<u8>)> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let name = file.file_name().map_or_else(
        || file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok((name, bytes))
}

/// Warns of the columns an import ignored; lists its refused rows on
/// standard error and fails when there are any.
fn report_refusals(
    file: &std::path::Path,
    ignored_columns: &[String],
    errors: &[import::RowError],
) -> anyhow::Result<()> {
    for column in ignored_columns {
        eprintln!("warning: column '{column}' is not one zaiti reads; its cells were ignored");
    }
    if !errors.is_empty() {
        for err in errors {
            eprintln!("{err}");
        }
        anyhow::bail!(
            "{} refused: {} error(s); nothing was written",
            file.display(),
            errors.len()
        );
    }
    Ok(())
}

/// `import units`: all or nothing; every bad row on standard error.
async fn import_units(
    database: &DatabaseArgs,
    file: &std::path::Path,
    dry_run: bool,
) -> anyhow::Result<()> {
    let (name, bytes) = read_import_file(file)?;
    let plan = import::units::plan(&name, &bytes)
        .map_err(|err| anyhow::anyhow!("{}: {}", file.display(), err.message))?;
    let db = open(database).await?;
    let actor = zaiti::domain::access::Actor::system(&format!("import: {name}"));
    let summary = import::units::run(&db, &actor, plan, dry_run).await?;
    let outcome = &summary.outcome;
    report_refusals(file, &outcome.ignored_columns, &outcome.errors)?;
    let written = format!(
        "{} new building(s) and {} units",
        summary.buildings_created, outcome.written
    );
    println!("{}", import::outcome_line(outcome, &written));
    Ok(())
}

/// `import leases`: all or nothing; every refused row on standard error.
async fn import_leases(
    database: &DatabaseArgs,
    file: &std::path::Path,
    dry_run: bool,
) -> anyhow::Result<()> {
    let (name, bytes) = read_import_file(file)?;
    let plan = import::leases::plan(&name, &bytes)
        .map_err(|err| anyhow::anyhow!("{}: {}", file.display(), err.message))?;
    let db = open(database).await?;
    let actor = zaiti::domain::access::Actor::system(&format!("import: {name}"));
    let outcome = import::leases::run(&db, &actor, plan, dry_run).await?;
    report_refusals(file, &outcome.ignored_columns, &outcome.errors)?;
    let written = format!("{} leases", outcome.written);
    println!("{}", import::outcome_line(&outcome, &written));
    Ok(())
}

/// `import annual-data`: all or nothing; every bad row on standard error.
async fn import_annual_data(
    database: &DatabaseArgs,
    file: &std::path::Path,
    dry_run: bool,
) -> anyhow::Result<()> {
    let (name, bytes) = read_import_file(file)?;
    let plan = import::annual_data::plan(&name, &bytes)
        .map_err(|err| anyhow::anyhow!("{}: {}", file.display(), err.message))?;
    let db = open(database).await?;
    let actor = zaiti::domain::access::Actor::system(&format!("import: {name}"));
    let outcome = import::annual_data::run(&db, &actor, plan, dry_run).await?;
    report_refusals(file, &outcome.ignored_columns, &outcome.errors)?;
    let written = format!("{} annual reports", outcome.written);
    println!("{}", import::outcome_line(&outcome, &written));
    Ok(())
}

/// `import districts`: boundaries from GeoJSON, all or nothing; every problem on standard error.
async fn import_districts(
    database: &DatabaseArgs,
    file: &std::path::Path,
    coordinate_system: &str,
    max_vertices: usize,
) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let system = match coordinate_system {
        "gcj02" => zaiti::domain::geometry::CoordinateSystem::Gcj02,
        _ => zaiti::domain::geometry::CoordinateSystem::Wgs84,
    };
    let db = open(database).await?;
    let actor = zaiti::domain::access::Actor::system(&format!("import: {}", file.display()));
    match features::import_districts(&db, &actor, &text, system, max_vertices).await {
        Ok(written) => {
            for boundary in &written {
                println!(
                    "{}: boundary of {:.1} km²",
                    boundary.code,
                    boundary.area_m2 / 1e6
                );
            }
            println!("{} district boundaries written", written.len());
            Ok(())
        }
        Err(problems) => {
            for problem in &problems {
                eprintln!("{problem}");
            }
            anyhow::bail!(
                "{} refused: {} problem(s); nothing was written",
                file.display(),
                problems.len()
            )
        }
    }
}

/// An operator given as a database id or a global ID.
fn operator_id(text: &str) -> anyhow::Result<i32> {
    if let Ok(id) = text.parse() {
        return Ok(id);
    }
    let id = async_graphql::ID(text.to_owned());
    Ok(graphql::node::expect(
        "operator",
        &id,
        graphql::node::NodeType::Operator,
    )?)
}

/// Connects to the configured database and migrates it.
async fn open(database: &DatabaseArgs) -> anyhow::Result<sea_orm::DatabaseConnection> {
    let url = redacted(&database.database_url);
    tracing::info!(database = %url, "connecting");
    store::reach::check_reachable(&database.database_url).await?;
    let db = store::connect(&database.database_url)
        .await
        .with_context(|| format!("cannot connect to {url}"))?;
    store::migrate(&db)
        .await
        .context("migrating the database")?;
    Ok(db)
}

/// Libraries whose most verbose levels print what crosses the wire (a
/// WebSocket message, a request head), which can carry confidential figures
/// and tokens: whatever `RUST_LOG` asks, they log at most at these levels.
const WIRE_LOG_CAPS: [&str; 4] = [
    "tungstenite=debug",
    "tokio_tungstenite=debug",
    "hyper=debug",
    "hyper_util=debug",
];

/// Serves `/metrics` alone on `address`, in the background, until the process ends.
fn serve_metrics(
    address: std::net::SocketAddr,
    db: sea_orm::DatabaseConnection,
) -> anyhow::Result<()> {
    let listener =
        http::listen(address).with_context(|| format!("cannot listen on {address} for metrics"))?;
    tracing::info!("metrics at http://{}/metrics", listener.local_addr()?);
    let limits = http::ConnectionLimits {
        max_open: 16,
        ..http::ConnectionLimits::default()
    };
    let router = http::metrics_router(db);
    tokio::spawn(async move {
        if let Err(err) = http::serve_with(listener, router, limits, std::future::pending()).await {
            tracing::error!(%err, "the metrics listener stopped");
        }
    });
    Ok(())
}

/// Logs to standard error, filtered by `RUST_LOG`; with `otlp_endpoint`, also
/// exports spans there (the returned exporter flushes them at the end).
fn init_tracing(
    json: bool,
    otlp_endpoint: Option<&str>,
) -> anyhow::Result<Option<telemetry::otlp::Exporter>> {
    use tracing_subscriber::Layer as _;
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let mut filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // Only TRACE goes past the caps; below it they would raise, not cap.
    if filter.max_level_hint() == Some(tracing::level_filters::LevelFilter::TRACE) {
        for cap in WIRE_LOG_CAPS {
            if let Ok(directive) = cap.parse() {
                filter = filter.add_directive(directive);
            }
        }
    }
    // Colours for a terminal only: not as escape codes in a log file or journal.
    let log = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    let log = if json {
        log.json().boxed()
    } else {
        log.boxed()
    };
    let registry = tracing_subscriber::registry().with(log.with_filter(filter));
    let Some(endpoint) = otlp_endpoint else {
        registry.init();
        return Ok(None);
    };
    let (traces, exporter) = telemetry::otlp::layer(endpoint)
        .with_context(|| format!("cannot export traces to {endpoint}"))?;
    // Our own spans (each request's), not every library's.
    let ours =
        tracing_subscriber::filter::Targets::new().with_target("zaiti", tracing::Level::INFO);
    registry.with(traces.with_filter(ours)).init();
    tracing::info!(endpoint, "exporting traces over OTLP/HTTP");
    Ok(Some(exporter))
}
