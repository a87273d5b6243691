//! The config file (`zaiti.toml`): alone it starts a server, environment
//! variables and flags override it, a mistake is named before anything
//! starts, `zaiti config check` shows the effective configuration with
//! secrets redacted, and the example file is what `zaiti config example`
//! prints. Boolean environment variables take 1/0 as well as true/false.

mod common;

use std::process::{Command, Stdio};

use common::{Backend, ServerProcess, answer_of, empty_database, free_port};
use serde_json::json;

const ZAITI: &str = env!("CARGO_BIN_EXE_zaiti");

/// `zaiti` with `args`, none of the environment's zaiti settings, and `env`.
fn zaiti(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(ZAITI);
    for (key, _) in std::env::vars() {
        if key.starts_with("ZAITI_") || key == "DATABASE_URL" {
            command.env_remove(key);
        }
    }
    command.args(args).envs(env.iter().copied());
    command
}

/// `zaiti config check --config <config>` with `env`: its output.
fn check(config: &std::path::Path, env: &[(&str, &str)]) -> std::process::Output {
    let config = config.to_str().expect("a UTF-8 path");
    zaiti(&["config", "check", "--config", config], env)
        .output()
        .expect("zaiti runs")
}

fn write_config(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("zaiti.toml");
    std::fs::write(&path, text).expect("the config file is written");
    path
}

/// A query nested four fields deep.
const DEEP: &str = "{ carriers { nodes { operator { name } } } }";

async fn depth_refused(server: &ServerProcess) -> bool {
    let body = answer_of(&server.base_url, None, false, DEEP, json!({})).await;
    body["errors"][0]["extensions"]["code"] == "QUERY_TOO_DEEP"
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_file_alone_starts_the_server_and_env_overrides_it() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let (database_url, _guard) = empty_database(backend).await;
        let dir = tempdir();
        let port = free_port();
        let config = write_config(
            &dir,
            &format!(
                "# every key is a flag's long name\n\
                 database-url = \"{database_url}\"\n\
                 listen = \"127.0.0.1:{port}\"\n\
                 public-read = true\n\
                 max-depth = 3\n"
            ),
        );
        let config = config.to_str().expect("a UTF-8 path");
        let mut command = zaiti(&["serve", "--config", config], &[("RUST_LOG", "warn")]);
        command.stdout(Stdio::null()).stderr(Stdio::null());
        let server = ServerProcess::launch(command, port).await;
        // The file's database (migrated), listen address, public reading and depth limit.
        assert!(
            depth_refused(&server).await,
            "{backend:?}: max-depth = 3 applies"
        );
        drop(server);

        // An environment variable overrides the file; so does a flag.
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut command = zaiti(
            &["serve", "--listen", &listen],
            &[
                ("ZAITI_CONFIG", config),
                ("ZAITI_MAX_DEPTH", "16"),
                ("RUST_LOG", "warn"),
            ],
        );
        command.stdout(Stdio::null()).stderr(Stdio::null());
        let server = ServerProcess::launch(command, port).await;
        assert!(
            !depth_refused(&server).await,
            "{backend:?}: the env's depth wins"
        );
    }
}

#[test]
fn a_mistake_in_the_file_is_named_before_anything_starts() {
    let dir = tempdir();
    let config = write_config(&dir, "lisen = \"127.0.0.1:1\"\n");
    let output = zaiti(&["serve", "--config", config.to_str().unwrap()], &[])
        .output()
        .expect("zaiti runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("'lisen'"), "{stderr}");
    assert!(stderr.contains("did you mean 'listen'"), "{stderr}");

    let config = write_config(&dir, "max-depth = \"deep\"\n");
    let output = check(&config, &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("max-depth") && stderr.contains("deep"),
        "{stderr}"
    );

    let config = write_config(&dir, "listen = \n");
    let output = check(&config, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not valid TOML"));
}

#[test]
fn config_check_prints_the_effective_configuration_with_secrets_redacted() {
    let dir = tempdir();
    let config = write_config(
        &dir,
        "database-url = \"postgres://zaiti:s3cret@db.example.cn/zaiti\"\nmax-complexity = 5000\n",
    );
    let output = check(&config, &[("ZAITI_RATE_LIMIT_PER_MINUTE", "120")]);
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!stdout.contains("s3cret"), "{stdout}");
    let line = |key: &str| {
        stdout
            .lines()
            .find(|line| line.starts_with(&format!("{key} =")))
            .unwrap_or_else(|| panic!("no {key} in {stdout}"))
            .to_owned()
    };
    assert!(line("database-url").contains("zaiti:***@db.example.cn"));
    assert!(line("database-url").contains("config file"));
    assert!(line("max-complexity").starts_with("max-complexity = 5000"));
    assert!(line("rate-limit-per-minute").contains("environment (ZAITI_RATE_LIMIT_PER_MINUTE)"));
    assert!(line("max-depth").contains("built-in default"));
    // What it prints is itself a config file that checks.
    let effective: String = stdout
        .lines()
        .filter(|line| !line.starts_with('#'))
        .map(|line| format!("{}\n", line.split("  #").next().unwrap_or(line)))
        .collect();
    let reused = dir.join("effective.toml");
    std::fs::write(&reused, effective).unwrap();
    let again = check(&reused, &[]);
    assert!(again.status.success(), "{again:?}");
}

#[test]
fn the_example_file_is_what_config_example_prints_and_covers_every_flag() {
    let output = zaiti(&["config", "example"], &[])
        .output()
        .expect("zaiti runs");
    assert!(output.status.success());
    let generated = String::from_utf8(output.stdout).expect("UTF-8");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/zaiti.toml");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "examples/zaiti.toml is out of date; regenerate it with\n    cargo run -- config example > examples/zaiti.toml"
    );
    let help = zaiti(&["serve", "--help"], &[])
        .output()
        .expect("zaiti runs");
    let help = String::from_utf8_lossy(&help.stdout);
    let flags: Vec<&str> = help
        .split_whitespace()
        .filter_map(|word| word.strip_prefix("--"))
        .map(|flag| flag.split(['=', '<', ',']).next().unwrap_or(flag))
        .filter(|flag| !flag.is_empty() && !matches!(*flag, "help" | "version" | "config"))
        .collect();
    assert!(flags.len() > 20, "{flags:?}");
    for flag in flags {
        assert!(
            generated.contains(&format!("#{flag} = ")),
            "examples/zaiti.toml lacks {flag}"
        );
    }
    // Uncommented, the example's defaults form a file that checks.
    let dir = tempdir();
    let uncommented: String = generated
        .lines()
        .filter_map(|line| line.strip_prefix('#'))
        .filter(|line| line.contains(" = ") && !line.contains("# no default"))
        .map(|line| format!("{line}\n"))
        .collect();
    let config = write_config(&dir, &uncommented);
    let output = check(&config, &[]);
    assert!(output.status.success(), "{output:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn boolean_environment_variables_take_one_and_zero() {
    let (database_url, _guard) = empty_database(Backend::Sqlite).await;
    for (value, reads) in [("1", true), ("0", false), ("true", true), ("false", false)] {
        let port = free_port();
        let listen = format!("127.0.0.1:{port}");
        let mut command = zaiti(
            &[
                "serve",
                "--database-url",
                &database_url,
                "--listen",
                &listen,
            ],
            &[("ZAITI_PUBLIC_READ", value), ("RUST_LOG", "warn")],
        );
        command.stdout(Stdio::null()).stderr(Stdio::null());
        let server = ServerProcess::launch(command, port).await;
        let body = answer_of(
            &server.base_url,
            None,
            false,
            "{ districts { code } }",
            json!({}),
        )
        .await;
        assert_eq!(
            body["errors"].is_null(),
            reads,
            "ZAITI_PUBLIC_READ={value}: {body}"
        );
    }
}

/// A fresh directory under the system's temporary directory.
fn tempdir() -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "zaiti-config-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

/// Start-up and import refusals: said at once, once, with what to do, and
/// never with a backtrace, even when `RUST_BACKTRACE=1` asks for one.
#[test]
fn refusals_say_what_to_do_once_without_a_backtrace() {
    let closed = format!("postgres://postgres@127.0.0.1:{}/test", free_port());
    let started = std::time::Instant::now();
    let output = zaiti(
        &["migrate", "--database-url", &closed],
        &[("RUST_BACKTRACE", "1")],
    )
    .output()
    .expect("zaiti runs");
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.matches("refused the connection").count(),
        1,
        "{stderr}"
    );
    assert!(!stderr.contains("pool timed out"), "{stderr}");

    let missing = "postgres://postgres@127.0.0.1:5432/zaiti_no_such_database";
    let output = zaiti(
        &["migrate", "--database-url", missing],
        &[("RUST_BACKTRACE", "1")],
    )
    .output()
    .expect("zaiti runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("createdb -h 127.0.0.1 -p 5432 -U postgres zaiti_no_such_database"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("does not exist").count(), 1, "{stderr}");

    let dir = tempdir();
    let file = dir.join("tenancies.csv");
    std::fs::write(&file, "uscc,name\n1,x\n").expect("a file");
    let database = format!("sqlite://{}?mode=rwc", dir.join("z.db").display());
    let output = zaiti(
        &[
            "import",
            "tenancies",
            file.to_str().expect("UTF-8"),
            "--database-url",
            &database,
        ],
        &[("RUST_BACKTRACE", "1"), ("RUST_LOG", "warn")],
    )
    .output()
    .expect("zaiti runs");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(
        !stderr.contains("backtrace") && !stderr.contains("   0: "),
        "{stderr}"
    );
}
