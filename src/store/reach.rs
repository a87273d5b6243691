//! Before the pool: one plain connection to a PostgreSQL server, so a
//! start-up that cannot reach its database says why at once and what to do.
//! The pool would retry a refused connection until its acquire timeout and
//! then report only "pool timed out".

use std::time::Duration;

use sea_orm::sqlx::Connection as _;
use sea_orm::sqlx::postgres::{PgConnectOptions, PgConnection};

/// How long the first connection may take before start-up gives up.
const FIRST_CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the database at a URL cannot be used, in words that say what to do.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unreachable(String);

/// Checks that the PostgreSQL server of `url` accepts a connection to its
/// database; SQLite URLs (files, created on first start) pass untouched.
pub async fn check_reachable(url: &str) -> Result<(), Unreachable> {
    if !(url.starts_with("postgres:") || url.starts_with("postgresql:")) {
        return Ok(());
    }
    let options: PgConnectOptions = url
        .parse()
        .map_err(|err| Unreachable(format!("the database URL is not valid: {err}")))?;
    let place = format!("{}:{}", options.get_host(), options.get_port());
    let database = options
        .get_database()
        .unwrap_or(options.get_username())
        .to_owned();
    let user = options.get_username().to_owned();
    let attempt = tokio::time::timeout(
        FIRST_CONNECTION_TIMEOUT,
        PgConnection::connect_with(&options),
    );
    let error = match attempt.await {
        Ok(Ok(connection)) => {
            let _ = connection.close().await;
            return Ok(());
        }
        Ok(Err(error)) => error,
        Err(_) => {
            return Err(Unreachable(format!(
                "PostgreSQL at {place} did not answer within {} s; check the host, port and firewall",
                FIRST_CONNECTION_TIMEOUT.as_secs()
            )));
        }
    };
    Err(Unreachable(explain(&error, &place, &database, &user)))
}

/// The message for a failed first connection.
fn explain(error: &sea_orm::sqlx::Error, place: &str, database: &str, user: &str) -> String {
    use sea_orm::sqlx::Error;
    match error {
        Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => format!(
            "PostgreSQL at {place} refused the connection: is it running and listening there? \
             (on Debian: `pg_ctlcluster <version> main start`)"
        ),
        Error::Io(io) => format!("cannot reach PostgreSQL at {place}: {io}"),
        Error::Database(db) => match db.code().as_deref() {
            // invalid_catalog_name
            Some("3D000") => format!(
                "the database \"{database}\" does not exist on {place}; create it with \
                 `createdb -h {host} -p {port} -U {user} {database}`",
                host = place.rsplit_once(':').map_or(place, |(host, _)| host),
                port = place.rsplit_once(':').map_or("5432", |(_, port)| port),
            ),
            // invalid_password, invalid_authorization_specification
            Some("28P01" | "28000") => format!(
                "PostgreSQL at {place} refused user \"{user}\": {}; check the user and password in the database URL",
                db.message()
            ),
            _ => format!(
                "PostgreSQL at {place} refused the connection: {}",
                db.message()
            ),
        },
        other => format!("cannot connect to PostgreSQL at {place}: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sqlite_urls_pass_untouched() {
        assert!(check_reachable("sqlite://zaiti.db?mode=rwc").await.is_ok());
    }

    #[tokio::test]
    async fn a_closed_port_is_refused_at_once() {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .expect("a free port")
            .port();
        let started = std::time::Instant::now();
        let refused = check_reachable(&format!("postgres://postgres@127.0.0.1:{port}/test"))
            .await
            .expect_err("nothing listens there");
        assert!(started.elapsed() < Duration::from_secs(2));
        assert!(
            refused.to_string().contains("refused the connection"),
            "{refused}"
        );
    }
}
