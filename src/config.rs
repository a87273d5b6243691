//! The one typed configuration: command-line flags, each with an environment
//! variable, each with a documented default.

pub mod file;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::builder::{BoolishValueParser, TypedValueParser as _};
use clap::{Args, Parser, Subcommand};

use crate::domain::Language;
use crate::domain::access::Role;
use crate::domain::geometry::DEFAULT_MAX_VERTICES;
use crate::domain::token;
use crate::graphql::cost::{self, CostLimits};
use crate::graphql::{DEFAULT_MAX_COMPLEXITY, DEFAULT_MAX_DEPTH, Limits};
use crate::http::{
    ConnectionLimits, DEFAULT_BODY_LIMIT_BYTES, DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT,
    DEFAULT_INIT_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_SOCKETS, DEFAULT_TOKEN_RECHECK,
    HttpOptions, SocketLimits, rate_limit,
};
use crate::store::page::DEFAULT_MAX_PAGE_SIZE;

/// The embedded default: an SQLite file in the working directory, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://zaiti.db?mode=rwc";
/// Where `serve` listens by default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// zaiti: the system of record for science and technology incubation carriers.
#[derive(Debug, Parser)]
#[command(name = "zaiti", version, about)]
pub struct Cli {
    /// Log as JSON lines instead of human-readable text.
    #[arg(long, env = "ZAITI_LOG_JSON", global = true, value_parser = BoolishValueParser::new())]
    pub log_json: bool,
    /// A config file (TOML) whose keys are the long names of these flags
    /// (`listen = "0.0.0.0:8080"`); environment variables and flags override it.
    #[arg(long, env = "ZAITI_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the GraphQL server (migrating the database first).
    Serve(Box<ServeArgs>),
    /// Bring the database schema up to date, then exit.
    Migrate(DatabaseArgs),
    /// Print the GraphQL schema (SDL); `schema.graphql` is its output.
    Schema,
    /// Load the made-up demo portfolio into the database (idempotent), then exit.
    Demo(DatabaseArgs),
    /// Issue, list and revoke API tokens.
    Token(TokenArgs),
    /// Import records from a spreadsheet, all or nothing.
    Import(ImportArgs),
    /// Export data: GeoJSON for GIS tools, torch statistics as CSV.
    Export(ExportArgs),
    /// Check a config file, or print an example of one.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Validate the configuration `zaiti serve` would run with (the file of
    /// `--config`/`ZAITI_CONFIG`, environment variables, built-in defaults)
    /// and print it as TOML, each key with its source, secrets redacted.
    Check,
    /// Print an example config file: every key, documented, at its default.
    Example,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub command: ExportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A GeoJSON FeatureCollection (RFC 7946, WGS84), as `/ogc` serves it,
    /// on standard output: carrier footprints (MultiPolygons), carriers known
    /// only by a location (Points), district boundaries (MultiPolygons) or
    /// platforms (Points at their host carrier).
    Geojson {
        /// Which collection: `carriers`, `carrier-locations`, `districts` or `platforms`.
        #[arg(long, default_value = "carriers", value_parser = ["carriers", "carrier-locations", "districts", "platforms"])]
        collection: String,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Carrier figures grouped like `carrierStatistics`: carriers, floor
    /// area, leased area and tenants per combination of the dimensions, with
    /// a totals row (合计); CSV (UTF-8 with a BOM) or, for an `.xlsx` output, a workbook.
    Statistics {
        /// Dimensions, comma-separated: district, kind, level, status,
        /// operator_ownership, industry (or their Chinese column names).
        #[arg(long, value_delimiter = ',')]
        group_by: Vec<String>,
        /// The date of the figures (default today).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
        /// Only carriers of these kinds (e.g. INCUBATOR,MAKERSPACE).
        #[arg(long, value_delimiter = ',')]
        kind: Vec<String>,
        /// Only carriers in these districts, by code (e.g. xinwu,liangxi).
        #[arg(long, value_delimiter = ',')]
        district: Vec<String>,
        /// Write to this file instead of standard output; a name ending in
        /// `.xlsx` gets a workbook.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// The national torch statistics survey's indicators (火炬统计) per
    /// incubator and makerspace for a year, as CSV with Chinese headers
    /// (UTF-8 with a BOM, so Excel opens it as such).
    Torch {
        /// The survey year; figures are as on 31 December (or today, for the current year).
        #[arg(long)]
        year: i32,
        /// Add the tenants' figures summed from their annual reports (企业年报:
        /// revenue, R&D spending, staff, intellectual property, financing, 填报率),
        /// which are confidential: for the bureau's own file.
        #[arg(long)]
        tenants: bool,
        /// Write to this file instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub command: ImportCommand,
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Tenancies (在孵企业入驻), one a row, registering their enterprises by USCC.
    ///
    /// Columns (English or Chinese headers): carrier_id/载体ID, uscc/统一社会信用代码,
    /// enterprise_name/企业名称, founded_on/成立日期, area_m2/租赁面积,
    /// moved_in_on/入驻日期; optional landed_on/落地日期, industry/行业,
    /// headcount/从业人数, unit/房号, moved_out_on/迁出日期. Any bad row refuses
    /// the whole file: every bad row is listed and the exit status is 1.
    Tenancies {
        /// The spreadsheet: .csv (UTF-8 or GB18030), .xlsx, .xls or .ods (first sheet).
        file: PathBuf,
        /// Check every row, against the database too, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Units (房源) of carriers' buildings, one a row, recording the buildings they name.
    ///
    /// Columns (English or Chinese headers): carrier_id/载体ID, building/楼栋,
    /// floor/楼层, code/房号, area_m2/面积, use/用途 (办公, 实验室, 厂房, 共享空间,
    /// 仓储, 其他); optional status/状态 (可出租, 装修中, 停用) and
    /// space_phase_id/空间分期ID (default: the carrier's first delivered phase
    /// with room). Any bad row refuses the whole file: every bad row is listed
    /// and the exit status is 1.
    Units {
        /// The spreadsheet: .csv (UTF-8 or GB18030), .xlsx, .xls or .ods (first sheet).
        file: PathBuf,
        /// Check every row, against the database too, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Leases (租赁合同) of tenancies, one a row; each names its tenancy by
    /// carrier and tenant (the tenancy holding the term's first day).
    ///
    /// Columns (English or Chinese headers): carrier_id/载体ID,
    /// uscc/统一社会信用代码, contract_number/合同编号, starts_on/租期开始,
    /// ends_on/租期结束 (inclusive), rent_rate/租金单价 (元/㎡·天),
    /// signed_on/签订日期; optional deposit/押金 (元), rent_free_months/免租期
    /// (months), incubation_discount_percent/孵化优惠 (%), area_m2/租赁面积
    /// (default: the tenancy's). Any bad row refuses the whole file: every bad
    /// row is listed and the exit status is 1.
    Leases {
        /// The spreadsheet: .csv (UTF-8 or GB18030), .xlsx, .xls or .ods (first sheet).
        file: PathBuf,
        /// Check every row, against the database too, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Tenants' annual data (企业年报), one enterprise and year a row; a year
    /// already reported is replaced.
    ///
    /// Columns (English or Chinese headers): uscc/统一社会信用代码, year/年度,
    /// revenue/营业收入, rd_spend/研发投入, tax/上缴税费 (元), staff/从业人员,
    /// rd_staff/研发人员; optional new_graduates/吸纳应届毕业生,
    /// new_patents/知识产权授权数, new_invention_patents/发明专利授权数,
    /// financing_rounds/投融资轮次, financing/投融资金额 (元),
    /// reported_on/填报日期. Any bad row refuses the whole file: every bad row
    /// is listed and the exit status is 1.
    AnnualData {
        /// The spreadsheet: .csv (UTF-8 or GB18030), .xlsx, .xls or .ods (first sheet).
        file: PathBuf,
        /// Check every row, against the database too, and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// District boundaries from a GeoJSON FeatureCollection, all or nothing.
    ///
    /// Each feature is a Polygon or MultiPolygon matched to a district by its
    /// `code` property (e.g. `xinwu`), else by `name` (梁溪区 or Liangxi District).
    Districts {
        /// The .geojson file.
        file: PathBuf,
        /// The file's coordinate system: `wgs84` (RFC 7946) or `gcj02` (as AMap's boundary downloads are).
        #[arg(long, default_value = "wgs84", value_parser = ["wgs84", "gcj02"])]
        coordinate_system: String,
        /// Most vertices of one boundary (all its rings and parts); raise it
        /// for detailed boundaries: validity checks take time growing with its square.
        #[arg(long, env = "ZAITI_MAX_POLYGON_VERTICES", default_value_t = DEFAULT_MAX_VERTICES)]
        max_polygon_vertices: usize,
    },
}

#[derive(Debug, Args)]
pub struct TokenArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(subcommand)]
    pub command: TokenCommand,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Issue a token and print its secret, once: only a hash is kept.
    Create {
        /// Who holds it, e.g. "新吴区科技局 dashboard"; audit events name it.
        #[arg(long)]
        name: String,
        /// ADMIN, OPERATOR, BUREAU, VIEWER or APPLICANT.
        #[arg(long)]
        role: Role,
        /// For OPERATOR and APPLICANT tokens: the operator (its database id or global ID).
        #[arg(long)]
        operator: Option<String>,
        /// 有效期至: the last day the token is accepted (YYYY-MM-DD, China
        /// Standard Time); default: `--lifetime-days` from today.
        #[arg(long)]
        valid_through: Option<chrono::NaiveDate>,
        /// Days the token lasts when `--valid-through` is not given.
        #[arg(long, env = "ZAITI_TOKEN_LIFETIME_DAYS", default_value_t = token::DEFAULT_LIFETIME_DAYS,
              value_parser = clap::value_parser!(u32).range(1..=i64::from(token::MAX_LIFETIME_DAYS)))]
        lifetime_days: u32,
    },
    /// List every token issued (never their secrets).
    List,
    /// Revoke the active tokens with this id or name; takes effect at once.
    Revoke {
        /// A token id (from `token list`) or name.
        id_or_name: String,
    },
}

/// Which database to use.
#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Database URL: `sqlite://FILE?mode=rwc` (embedded) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, hide_env_values = true, global = true)]
    pub database_url: String,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address and port to listen on.
    #[arg(long, env = "ZAITI_LISTEN", default_value = DEFAULT_LISTEN)]
    pub listen: SocketAddr,
    /// Load the made-up demo portfolio (idempotent) before serving.
    #[arg(long)]
    pub demo: bool,
    /// Also serve `/metrics` (Prometheus) on this address, to anyone who
    /// reaches it: bind it where only Prometheus can. On the main address
    /// `/metrics` answers ADMIN tokens only.
    #[arg(long, env = "ZAITI_METRICS_LISTEN")]
    pub metrics_listen: Option<SocketAddr>,
    /// Export traces over OTLP/HTTP (protobuf) to this collector, e.g.
    /// `http://127.0.0.1:4318` (`/v1/traces` is added); none exported without it.
    #[arg(long, env = "ZAITI_OTLP_ENDPOINT", value_parser = otlp_endpoint)]
    pub otlp_endpoint: Option<String>,
    /// Browser origins allowed to call the API (comma-separated); `*` allows any.
    #[arg(
        long,
        env = "ZAITI_CORS_ORIGINS",
        value_delimiter = ',',
        default_value = "*"
    )]
    pub cors_origins: Vec<String>,
    /// Request headers browser pages may send (comma-separated); the default
    /// adds W3C trace context, the request id and Apollo Client's headers to
    /// those the API reads.
    #[arg(
        long,
        env = "ZAITI_CORS_ALLOW_HEADERS",
        value_delimiter = ',',
        default_values = crate::http::DEFAULT_CORS_ALLOW_HEADERS
    )]
    pub cors_allow_headers: Vec<String>,
    /// Response headers browser pages may read (comma-separated).
    #[arg(
        long,
        env = "ZAITI_CORS_EXPOSE_HEADERS",
        value_delimiter = ',',
        default_values = crate::http::DEFAULT_CORS_EXPOSE_HEADERS
    )]
    pub cors_expose_headers: Vec<String>,
    /// Deepest query accepted (stay at 15 or more: front-end tools introspect about 13 deep).
    #[arg(long, env = "ZAITI_MAX_DEPTH", default_value_t = DEFAULT_MAX_DEPTH)]
    pub max_depth: usize,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "ZAITI_BODY_LIMIT_BYTES", default_value_t = DEFAULT_BODY_LIMIT_BYTES)]
    pub body_limit_bytes: usize,
    /// Seconds a request's body may take to arrive (refused with 408, BODY_TIMEOUT).
    #[arg(long, env = "ZAITI_BODY_TIMEOUT_SECS", default_value_t = DEFAULT_BODY_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub body_timeout_secs: u64,
    /// Seconds a connection may take to send a request's headers, counted from
    /// when it is ready for a request: so also how long an idle keep-alive
    /// connection stays open.
    #[arg(long, env = "ZAITI_HEADER_TIMEOUT_SECS", default_value_t = DEFAULT_HEADER_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_secs: u64,
    /// Connections open at once; one more is closed at once, with 503 TOO_MANY_CONNECTIONS
    /// if that can be written without waiting (WebSockets count separately).
    #[arg(long, env = "ZAITI_MAX_CONNECTIONS", default_value_t = DEFAULT_MAX_CONNECTIONS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_connections: usize,
    /// WebSockets open at once; an upgrade over the cap gets 503, TOO_MANY_CONNECTIONS.
    #[arg(long, env = "ZAITI_MAX_WEBSOCKETS", default_value_t = DEFAULT_MAX_SOCKETS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_websockets: usize,
    /// Seconds a new WebSocket may take to send `connection_init` (else closed with 4408).
    #[arg(long, env = "ZAITI_WEBSOCKET_INIT_TIMEOUT_SECS", default_value_t = DEFAULT_INIT_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub websocket_init_timeout_secs: u64,
    /// Seconds between checks of an open WebSocket's token, so a revoked token's idle socket closes (4403).
    #[arg(long, env = "ZAITI_WEBSOCKET_TOKEN_RECHECK_SECS", default_value_t = DEFAULT_TOKEN_RECHECK.as_secs(), value_parser = clap::value_parser!(u64).range(1..))]
    pub websocket_token_recheck_secs: u64,
    /// Requests a minute per token (per address for anonymous readers), in each process; 0 for no limit.
    #[arg(long, env = "ZAITI_RATE_LIMIT_PER_MINUTE", default_value_t = rate_limit::DEFAULT_PER_MINUTE)]
    pub rate_limit_per_minute: u32,
    /// The URL clients reach the server at (e.g. `https://gis.example.cn/zaiti`
    /// behind a reverse proxy): every link the OGC API writes starts with it.
    /// Default: `http://` and the listen address (`localhost` for 0.0.0.0 or ::).
    #[arg(long, env = "ZAITI_PUBLIC_URL", value_parser = public_url)]
    pub public_url: Option<String>,
    /// Let requests without a token read the portfolio as VIEWER (never write).
    #[arg(long, env = "ZAITI_PUBLIC_READ", value_parser = BoolishValueParser::new())]
    pub public_read: bool,
    /// Refuse schema introspection (on by default: front-end tools need it).
    #[arg(long, env = "ZAITI_DISABLE_INTROSPECTION", value_parser = BoolishValueParser::new())]
    pub disable_introspection: bool,
    /// Language of error messages when a request's Accept-Language names
    /// neither Chinese nor English (both are always in extensions.messageZh
    /// and extensions.messageEn).
    #[arg(long, env = "ZAITI_DEFAULT_LANGUAGE", default_value = "zh",
          value_parser = clap::builder::PossibleValuesParser::new(["zh", "en"])
              .map(|tag| tag.parse::<Language>().unwrap_or_default()))]
    pub default_language: Language,
    /// Days an API token issued without a last day lasts (`createToken`, `zaiti token create`).
    #[arg(long, env = "ZAITI_TOKEN_LIFETIME_DAYS", default_value_t = token::DEFAULT_LIFETIME_DAYS,
          value_parser = clap::value_parser!(u32).range(1..=i64::from(token::MAX_LIFETIME_DAYS)))]
    pub token_lifetime_days: u32,
    #[command(flatten)]
    pub cost: CostArgs,
    #[command(flatten)]
    pub webhooks: WebhookArgs,
}

/// How webhooks are delivered (README, "Webhooks").
#[derive(Debug, Clone, Args)]
pub struct WebhookArgs {
    /// Do not deliver webhooks from this process (another process on the same database may).
    #[arg(long, env = "ZAITI_WEBHOOKS_DISABLED")]
    pub webhooks_disabled: bool,
    /// Milliseconds to wait after a delivery's first failed attempt; doubled after each further one.
    #[arg(long, env = "ZAITI_WEBHOOK_RETRY_BASE_MS", default_value_t = duration_ms(crate::webhooks::DEFAULT_RETRY_BASE),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_retry_base_ms: u64,
    /// Longest wait between two attempts of a delivery, in milliseconds.
    #[arg(long, env = "ZAITI_WEBHOOK_RETRY_CAP_MS", default_value_t = duration_ms(crate::webhooks::DEFAULT_RETRY_CAP),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_retry_cap_ms: u64,
    /// How long a failing delivery is retried before it is FAILED, in milliseconds (default a day).
    #[arg(long, env = "ZAITI_WEBHOOK_RETRY_WINDOW_MS", default_value_t = duration_ms(crate::webhooks::DEFAULT_RETRY_WINDOW),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_retry_window_ms: u64,
    /// Longest one delivery attempt may take (connect, send, answer), in milliseconds.
    #[arg(long, env = "ZAITI_WEBHOOK_TIMEOUT_MS", default_value_t = duration_ms(crate::webhooks::DEFAULT_ATTEMPT_TIMEOUT),
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    pub webhook_timeout_ms: u64,
    /// Longest the delivery worker sleeps between looks at the outbox, in
    /// milliseconds (it is woken at once by this process's writes, and on
    /// PostgreSQL by every process's).
    #[arg(long, env = "ZAITI_WEBHOOK_POLL_MS", default_value_t = duration_ms(crate::webhooks::DEFAULT_POLL_INTERVAL),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_poll_ms: u64,
    /// How long delivered webhook deliveries and spent outbox events are
    /// kept, in milliseconds (default 30 days); 0 keeps them for ever.
    /// PENDING and FAILED deliveries, and their events, are always kept.
    #[arg(long, env = "ZAITI_OUTBOX_RETENTION_MS", default_value_t = duration_ms(crate::webhooks::DEFAULT_RETENTION))]
    pub outbox_retention_ms: u64,
}

const fn duration_ms(duration: Duration) -> u64 {
    duration.as_millis() as u64
}

impl WebhookArgs {
    fn options(&self) -> crate::webhooks::WebhookOptions {
        crate::webhooks::WebhookOptions {
            enabled: !self.webhooks_disabled,
            retry_base: Duration::from_millis(self.webhook_retry_base_ms),
            retry_cap: Duration::from_millis(self.webhook_retry_cap_ms),
            retry_window: Duration::from_millis(self.webhook_retry_window_ms),
            attempt_timeout: Duration::from_millis(self.webhook_timeout_ms),
            poll_interval: Duration::from_millis(self.webhook_poll_ms),
            retention: (self.outbox_retention_ms > 0)
                .then(|| Duration::from_millis(self.outbox_retention_ms)),
        }
    }
}

/// What one request may cost (README, "Limits"); each refusal names the figure and the limit.
#[derive(Debug, Clone, Args)]
pub struct CostArgs {
    /// Largest query complexity accepted: each field counts 1, a list its
    /// items' selection once per item (a page's size, `nodes` by its ids,
    /// other lists an assumed size).
    #[arg(long, env = "ZAITI_MAX_COMPLEXITY", default_value_t = DEFAULT_MAX_COMPLEXITY)]
    pub max_complexity: usize,
    /// Most fields and directives a document may expand to, each fragment spread in place.
    #[arg(long, env = "ZAITI_MAX_SELECTIONS", default_value_t = cost::DEFAULT_MAX_SELECTIONS)]
    pub max_selections: usize,
    /// Most uses of `knownAt` (figures as known at a past moment) in one document.
    #[arg(long, env = "ZAITI_MAX_KNOWN_AT", default_value_t = cost::DEFAULT_MAX_KNOWN_AT)]
    pub max_known_at: usize,
    /// Most whole-portfolio figures (goalProgress, torchStatistics,
    /// occupancySummary, 五有 carrier filters) in one document.
    #[arg(long, env = "ZAITI_MAX_AGGREGATES", default_value_t = cost::DEFAULT_MAX_AGGREGATES)]
    pub max_aggregates: usize,
    /// How many whole-portfolio figures are computed at once in this process; others wait their turn.
    #[arg(long, env = "ZAITI_CONCURRENT_AGGREGATES", default_value_t = cost::DEFAULT_CONCURRENT_AGGREGATES,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub concurrent_aggregates: u32,
    /// How many queries (pages and lookups; not whole-portfolio figures or
    /// mutations) execute at once in this process (default: two per core);
    /// others wait their turn in arrival order, within the time limit.
    #[arg(long, env = "ZAITI_CONCURRENT_EXECUTIONS", default_value_t = cost::default_concurrent_executions(),
          value_parser = clap::value_parser!(u32).range(1..))]
    pub concurrent_executions: u32,
    /// Longest a request (or a WebSocket operation, or one event of a subscription) may run, in seconds.
    #[arg(long, env = "ZAITI_REQUEST_TIMEOUT_SECONDS", default_value_t = cost::DEFAULT_REQUEST_TIMEOUT.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_seconds: u64,
    /// Largest answer sent, in bytes of JSON; a larger one is withheld.
    #[arg(long, env = "ZAITI_MAX_RESPONSE_BYTES", default_value_t = cost::DEFAULT_MAX_RESPONSE_BYTES)]
    pub max_response_bytes: usize,
    /// Most fields one execution may resolve; past it the execution is stopped
    /// (lists can be far longer than complexity assumes).
    #[arg(long, env = "ZAITI_MAX_RESOLVED_FIELDS", default_value_t = cost::DEFAULT_MAX_RESOLVED_FIELDS)]
    pub max_resolved_fields: usize,
    /// Largest page of any list (`first`/`last`).
    #[arg(long, env = "ZAITI_MAX_PAGE_SIZE", default_value_t = DEFAULT_MAX_PAGE_SIZE)]
    pub max_page_size: u64,
    /// Most vertices of a GeoJSON input (filters, footprints, boundaries), all rings and parts counted.
    #[arg(long, env = "ZAITI_MAX_POLYGON_VERTICES", default_value_t = DEFAULT_MAX_VERTICES)]
    pub max_polygon_vertices: usize,
}

impl CostArgs {
    fn limits(&self) -> CostLimits {
        CostLimits {
            max_complexity: self.max_complexity,
            max_page_size: self.max_page_size,
            max_selections: self.max_selections,
            max_known_at: self.max_known_at,
            max_aggregates: self.max_aggregates,
            concurrent_aggregates: self.concurrent_aggregates as usize,
            concurrent_executions: self.concurrent_executions as usize,
            request_timeout: std::time::Duration::from_secs(self.request_timeout_seconds),
            max_response_bytes: self.max_response_bytes,
            max_resolved_fields: self.max_resolved_fields,
        }
    }
}

impl ServeArgs {
    pub fn http_options(&self) -> HttpOptions {
        HttpOptions {
            cors_origins: self.cors_origins.clone(),
            cors_allow_headers: self.cors_allow_headers.clone(),
            cors_expose_headers: self.cors_expose_headers.clone(),
            limits: Limits {
                max_depth: self.max_depth,
                introspection: !self.disable_introspection,
                cost: self.cost.limits(),
                max_polygon_vertices: self.cost.max_polygon_vertices,
                token_lifetime_days: self.token_lifetime_days,
            },
            body_limit_bytes: self.body_limit_bytes,
            body_timeout: Duration::from_secs(self.body_timeout_secs),
            rate_limit_per_minute: self.rate_limit_per_minute,
            public_read: self.public_read,
            public_url: Some(
                self.public_url
                    .clone()
                    .unwrap_or_else(|| default_public_url(self.listen)),
            ),
            default_language: self.default_language,
            websockets: SocketLimits {
                max_open: self.max_websockets,
                init_timeout: Duration::from_secs(self.websocket_init_timeout_secs),
                token_recheck: Duration::from_secs(self.websocket_token_recheck_secs),
            },
            connections: ConnectionLimits {
                max_open: self.max_connections,
                header_timeout: Duration::from_secs(self.header_timeout_secs),
                language: self.default_language,
            },
            webhooks: self.webhooks.options(),
        }
    }
}

/// A public URL as `--public-url` takes it: http or https, a host, perhaps a
/// path; no query or fragment. Kept without a trailing slash.
fn public_url(text: &str) -> Result<String, String> {
    let trimmed = text.trim().trim_end_matches('/');
    let uri: http::Uri = trimmed
        .parse()
        .map_err(|err| format!("'{text}' is not a URL: {err}"))?;
    if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
        return Err(format!(
            "'{text}' must be an absolute http:// or https:// URL, e.g. https://gis.example.cn/zaiti"
        ));
    }
    if uri.query().is_some() || trimmed.contains('#') {
        return Err(format!("'{text}' must have no query or fragment"));
    }
    Ok(trimmed.to_owned())
}

/// An OTLP collector's address as `--otlp-endpoint` takes it: an http:// URL
/// (TLS is not compiled in: the collector runs beside the server).
fn otlp_endpoint(text: &str) -> Result<String, String> {
    let uri: http::Uri = text
        .trim()
        .parse()
        .map_err(|err| format!("'{text}' is not a URL: {err}"))?;
    if uri.scheme_str() != Some("http") || uri.host().is_none() {
        return Err(format!(
            "'{text}' must be an http:// URL of an OTLP collector, e.g. http://127.0.0.1:4318"
        ));
    }
    Ok(text.trim().to_owned())
}

/// The public URL when none is configured: the listen address, with
/// `localhost` for an address that listens everywhere.
fn default_public_url(listen: SocketAddr) -> String {
    if listen.ip().is_unspecified() {
        format!("http://localhost:{}", listen.port())
    } else {
        format!("http://{listen}")
    }
}

/// The database URL with any password masked, for logs.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_url_is_masked() {
        assert_eq!(
            redacted("postgres://zaiti:secret@db:5432/zaiti"),
            "postgres://zaiti:***@db:5432/zaiti"
        );
    }

    fn serve_args(flags: &[&str]) -> ServeArgs {
        let cli =
            Cli::try_parse_from(["zaiti", "serve"].iter().chain(flags)).expect("the flags parse");
        match cli.command {
            Command::Serve(args) => *args,
            _ => panic!("not serve"),
        }
    }

    #[test]
    fn the_cost_limits_default_to_the_documented_values_and_follow_their_flags() {
        let defaults = serve_args(&[]).http_options().limits;
        assert_eq!(defaults.cost, CostLimits::default());
        assert_eq!(defaults.max_polygon_vertices, DEFAULT_MAX_VERTICES);
        let limits = serve_args(&[
            "--max-complexity=1",
            "--max-selections=2",
            "--max-known-at=3",
            "--max-aggregates=4",
            "--concurrent-aggregates=5",
            "--concurrent-executions=10",
            "--request-timeout-seconds=6",
            "--max-response-bytes=7",
            "--max-resolved-fields=8",
            "--max-polygon-vertices=9",
            "--max-page-size=11",
        ])
        .http_options()
        .limits;
        assert_eq!(
            limits.cost,
            CostLimits {
                max_complexity: 1,
                max_page_size: 11,
                max_selections: 2,
                max_known_at: 3,
                max_aggregates: 4,
                concurrent_aggregates: 5,
                concurrent_executions: 10,
                request_timeout: std::time::Duration::from_secs(6),
                max_response_bytes: 7,
                max_resolved_fields: 8,
            }
        );
        assert_eq!(limits.max_polygon_vertices, 9);
        for refused in [
            "--request-timeout-seconds=0",
            "--concurrent-aggregates=0",
            "--concurrent-executions=0",
        ] {
            assert!(
                Cli::try_parse_from(["zaiti", "serve", refused]).is_err(),
                "{refused}"
            );
        }
    }

    #[test]
    fn messages_default_to_chinese_and_follow_the_flag() {
        assert_eq!(
            serve_args(&[]).http_options().default_language,
            Language::Zh
        );
        let english = serve_args(&["--default-language=en"]).http_options();
        assert_eq!(english.default_language, Language::En);
        assert_eq!(english.connections.language, Language::En);
        assert!(Cli::try_parse_from(["zaiti", "serve", "--default-language=fr"]).is_err());
    }

    #[test]
    fn the_public_url_is_checked_and_defaults_to_the_listen_address() {
        let options = serve_args(&["--public-url", "https://gis.example.cn/zaiti/"]).http_options();
        assert_eq!(
            options.public_url.as_deref(),
            Some("https://gis.example.cn/zaiti")
        );
        let options = serve_args(&["--listen", "0.0.0.0:9000"]).http_options();
        assert_eq!(options.public_url.as_deref(), Some("http://localhost:9000"));
        let options = serve_args(&[]).http_options();
        assert_eq!(options.public_url.as_deref(), Some("http://127.0.0.1:8080"));
        for bad in [
            "gis.example.cn",
            "ftp://gis.example.cn",
            "https://gis.example.cn/?a=1",
        ] {
            let parsed = Cli::try_parse_from(["zaiti", "serve", "--public-url", bad]);
            assert!(parsed.is_err(), "{bad}");
        }
    }

    #[test]
    fn the_metrics_address_and_otlp_endpoint_are_optional_and_checked() {
        let args = serve_args(&[]);
        assert_eq!((args.metrics_listen, args.otlp_endpoint), (None, None));
        let args = serve_args(&[
            "--metrics-listen=127.0.0.1:9464",
            "--otlp-endpoint=http://127.0.0.1:4318",
        ]);
        assert_eq!(args.metrics_listen, "127.0.0.1:9464".parse().ok());
        assert_eq!(args.otlp_endpoint.as_deref(), Some("http://127.0.0.1:4318"));
        for bad in ["collector:4318", "https://collector:4318", "grpc://x:4317"] {
            let parsed = Cli::try_parse_from(["zaiti", "serve", "--otlp-endpoint", bad]);
            assert!(parsed.is_err(), "{bad}");
        }
    }

    #[test]
    fn a_url_without_password_is_unchanged() {
        assert_eq!(redacted(DEFAULT_DATABASE_URL), DEFAULT_DATABASE_URL);
    }
}
