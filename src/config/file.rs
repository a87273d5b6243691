//! `zaiti.toml`: the command line's flags, written down. Each key is the
//! long name of a flag (`listen`, `database-url`, `max-complexity`, …) and
//! becomes that flag's default wherever a command has it, so environment
//! variables and flags still override the file: flag > env > file > built-in
//! default. A key no command knows is refused, naming the file.
//!
//! The file is found by `--config FILE` or `ZAITI_CONFIG`; there is no
//! implicit search, so what configures a server is visible in how it was
//! started.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Command, CommandFactory as _};

/// The environment variable naming the config file.
pub const CONFIG_ENV: &str = "ZAITI_CONFIG";
/// The flag naming the config file.
pub const CONFIG_FLAG: &str = "config";

/// A config file that cannot be used, with what is wrong and where.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {}: {source}", path.display())]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the config file {} is not valid TOML: {message}", path.display())]
    NotToml { path: PathBuf, message: String },
    #[error(
        "the config file {} has the key '{key}', which no command takes; keys are the long names of flags (see `zaiti serve --help` and examples/zaiti.toml){hint}",
        path.display()
    )]
    UnknownKey {
        path: PathBuf,
        key: String,
        hint: String,
    },
    #[error("the config file {} gives '{key}' a table; a key holds a string, number, boolean or array", path.display())]
    NotAValue { path: PathBuf, key: String },
}

/// The config file's path: `--config FILE` (or `--config=FILE`) among
/// `args`, else `$ZAITI_CONFIG`; `None` when neither names one.
pub fn path_from(args: &[OsString]) -> Option<PathBuf> {
    let flag = format!("--{CONFIG_FLAG}");
    let prefixed = format!("--{CONFIG_FLAG}=");
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        if text == flag {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = text.strip_prefix(&prefixed) {
            return Some(PathBuf::from(path));
        }
        if text == "--" {
            break;
        }
    }
    std::env::var_os(CONFIG_ENV)
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
}

/// The settings of a config file: each key with its values as flags take them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub path: PathBuf,
    pub values: Vec<(String, Vec<String>)>,
}

impl Settings {
    /// Reads and parses the file at `path`.
    pub fn read(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(path, &text)
    }

    /// Parses `text`, the contents of the file at `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self, ConfigError> {
        let table: toml::Table =
            text.parse()
                .map_err(|err: toml::de::Error| ConfigError::NotToml {
                    path: path.to_owned(),
                    message: err.to_string(),
                })?;
        let mut values = Vec::with_capacity(table.len());
        for (key, value) in table {
            let flat = flag_values(&value).ok_or_else(|| ConfigError::NotAValue {
                path: path.to_owned(),
                key: key.clone(),
            })?;
            values.push((key, flat));
        }
        Ok(Self {
            path: path.to_owned(),
            values,
        })
    }

    /// Whether the file sets flag `key`.
    pub fn sets(&self, key: &str) -> bool {
        self.values.iter().any(|(name, _)| name == key)
    }

    /// `command` with each setting as the default of the flag of that long
    /// name, in every subcommand that has one. Refuses a key none has.
    pub fn apply(&self, command: Command) -> Result<Command, ConfigError> {
        let mut command = command;
        for (key, values) in &self.values {
            let (applied, found) = set_default(command, key, values);
            command = applied;
            if !found {
                return Err(ConfigError::UnknownKey {
                    path: self.path.clone(),
                    key: key.clone(),
                    hint: closest_flag(&command, key)
                        .map(|flag| format!(" (did you mean '{flag}'?)"))
                        .unwrap_or_default(),
                });
            }
        }
        Ok(command)
    }
}

/// A TOML value as a flag's values: arrays give several; tables none.
fn flag_values(value: &toml::Value) -> Option<Vec<String>> {
    let one = |value: &toml::Value| match value {
        toml::Value::String(text) => Some(text.clone()),
        toml::Value::Integer(n) => Some(n.to_string()),
        toml::Value::Float(x) => Some(x.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Datetime(at) => Some(at.to_string()),
        toml::Value::Array(_) | toml::Value::Table(_) => None,
    };
    match value {
        toml::Value::Array(items) => items.iter().map(one).collect(),
        other => one(other).map(|text| vec![text]),
    }
}

/// Sets `values` as the default of the flag `--key` in `command` and all its
/// subcommands; whether any had it.
fn set_default(command: Command, key: &str, values: &[String]) -> (Command, bool) {
    let mut found = false;
    let has_flag = command
        .get_arguments()
        .any(|arg| arg.get_long() == Some(key));
    let mut command = command;
    if has_flag {
        let id = command
            .get_arguments()
            .find(|arg| arg.get_long() == Some(key))
            .map(|arg| arg.get_id().clone());
        if let Some(id) = id {
            let defaults: Vec<clap::builder::OsStr> =
                values.iter().map(|v| v.clone().into()).collect();
            command = command.mut_arg(id, |arg| arg.default_values(defaults));
            found = true;
        }
    }
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    for name in names {
        let mut found_below = false;
        command = command.mut_subcommand(name, |sub| {
            let (sub, found) = set_default(sub, key, values);
            found_below = found;
            sub
        });
        found |= found_below;
    }
    (command, found)
}

/// The long flag of `command` (or a subcommand) closest in spelling to `key`, if close.
fn closest_flag(command: &Command, key: &str) -> Option<String> {
    let mut flags = Vec::new();
    collect_flags(command, &mut flags);
    flags
        .into_iter()
        .map(|flag| (edit_distance(&flag, key), flag))
        .filter(|(distance, _)| *distance <= 3)
        .min()
        .map(|(_, flag)| flag)
}

fn collect_flags(command: &Command, flags: &mut Vec<String>) {
    flags.extend(
        command
            .get_arguments()
            .filter_map(|arg| arg.get_long().map(str::to_owned)),
    );
    for sub in command.get_subcommands() {
        collect_flags(sub, flags);
    }
}

/// Levenshtein distance, for "did you mean".
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// Whether a flag's value must not be printed: passwords in URLs are masked
/// by [`super::redacted`]; these are hidden whole.
fn is_secret(key: &str) -> bool {
    ["secret", "password", "token-value", "api-key"]
        .iter()
        .any(|word| key.contains(word))
}

/// Where an effective setting came from.
fn source_of(
    matches: &clap::ArgMatches,
    id: &str,
    key: &str,
    env: Option<&str>,
    settings: Option<&Settings>,
) -> String {
    match matches.value_source(id) {
        Some(clap::parser::ValueSource::CommandLine) => "command line".to_owned(),
        Some(clap::parser::ValueSource::EnvVariable) => {
            format!("environment ({})", env.unwrap_or("?"))
        }
        _ if settings.is_some_and(|file| file.sets(key)) => settings
            .map(|file| format!("config file ({})", file.path.display()))
            .unwrap_or_default(),
        _ => "built-in default".to_owned(),
    }
}

/// The effective configuration of `subcommand` (as parsed into `matches`),
/// as TOML a config file could hold, each key with its source; secrets and
/// passwords redacted.
pub fn describe(
    command: &Command,
    matches: &clap::ArgMatches,
    settings: Option<&Settings>,
) -> String {
    let mut out = String::new();
    // A setting applied from the file moved its flag to the end: list them
    // in the order the flags are declared, as `--help` does.
    let plain = crate::config::Cli::command();
    let declared: Vec<&str> = plain
        .find_subcommand(command.get_name())
        .into_iter()
        .flat_map(|sub| sub.get_arguments())
        .filter_map(|arg| arg.get_long())
        .collect();
    let mut args: Vec<&clap::Arg> = command.get_arguments().collect();
    args.sort_by_key(|arg| {
        arg.get_long()
            .and_then(|long| declared.iter().position(|name| *name == long))
            .unwrap_or(usize::MAX)
    });
    for arg in args {
        let Some(key) = arg.get_long() else {
            continue;
        };
        if matches!(key, "help" | "version" | CONFIG_FLAG) {
            continue;
        }
        let id = arg.get_id().as_str();
        let values: Vec<String> = matches
            .get_raw(id)
            .map(|raw| raw.map(|v| v.to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        let values: Vec<String> = values
            .into_iter()
            .map(|value| {
                if is_secret(key) {
                    "***".to_owned()
                } else if key == "database-url" {
                    super::redacted(&value)
                } else {
                    value
                }
            })
            .collect();
        let env = arg.get_env().map(|env| env.to_string_lossy().into_owned());
        let source = source_of(matches, id, key, env.as_deref(), settings);
        if values.is_empty() {
            let _ = writeln!(out, "# {key}: not set  # {source}");
        } else {
            let _ = writeln!(out, "{key} = {}  # {source}", toml_value(arg, &values));
        }
    }
    out
}

/// `values` written as TOML: a bare number or boolean, a string, or an
/// array for a flag that takes several.
pub fn toml_value(arg: &clap::Arg, values: &[String]) -> String {
    let one = |value: &String| {
        if value.parse::<i64>().is_ok()
            || value.parse::<f64>().is_ok_and(f64::is_finite)
            || matches!(value.as_str(), "true" | "false")
        {
            value.clone()
        } else {
            toml::Value::String(value.clone()).to_string()
        }
    };
    let several = arg.get_num_args().is_some_and(|n| n.max_values() > 1)
        || arg.get_value_delimiter().is_some();
    match values {
        [value] if !several => one(value),
        [] if !several => "\"\"".to_owned(),
        values => format!(
            "[{}]",
            values.iter().map(one).collect::<Vec<_>>().join(", ")
        ),
    }
}

/// An example config file: every flag of `commands`, with its help text,
/// its environment variable and its built-in default, commented out.
pub fn example(commands: &[&Command]) -> String {
    let mut out = String::from(
        "# zaiti.toml: every flag of `zaiti serve`, as a key. Start with\n\
         #   zaiti serve --config zaiti.toml      (or ZAITI_CONFIG=zaiti.toml zaiti serve)\n\
         # Environment variables and flags override the file. Check a file with\n\
         #   zaiti config check --config zaiti.toml\n\
         # Generated by `zaiti config example`; each key below shows its built-in default.\n",
    );
    for arg in commands.iter().flat_map(|command| command.get_arguments()) {
        let Some(key) = arg.get_long() else {
            continue;
        };
        if matches!(key, "help" | "version" | CONFIG_FLAG) {
            continue;
        }
        out.push('\n');
        let help = arg
            .get_long_help()
            .or_else(|| arg.get_help())
            .map(ToString::to_string)
            .unwrap_or_default();
        for line in wrap(&help, 76) {
            let _ = writeln!(out, "# {line}");
        }
        if let Some(env) = arg.get_env() {
            let _ = writeln!(out, "# Environment: {}", env.to_string_lossy());
        }
        let defaults: Vec<String> = arg
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .collect();
        let flag = matches!(
            arg.get_action(),
            clap::ArgAction::SetTrue | clap::ArgAction::SetFalse
        );
        let value = match (defaults.is_empty(), flag) {
            (true, true) => "false".to_owned(),
            (true, false) => "\"\"  # no default".to_owned(),
            (false, _) => toml_value(arg, &defaults),
        };
        let _ = writeln!(out, "#{key} = {value}");
    }
    out
}

/// `text` in lines of at most `width` characters, broken at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn the_path_comes_from_the_flag() {
        let path = path_from(&args(&["zaiti", "serve", "--config", "a.toml"]));
        assert_eq!(path, Some(PathBuf::from("a.toml")));
        let path = path_from(&args(&["zaiti", "--config=b.toml", "serve"]));
        assert_eq!(path, Some(PathBuf::from("b.toml")));
    }

    #[test]
    fn values_flatten_as_flags_take_them() {
        let settings = Settings::parse(
            Path::new("z.toml"),
            "listen = \"0.0.0.0:80\"\nmax-depth = 20\npublic-read = true\ncors-origins = [\"https://a.cn\", \"https://b.cn\"]\n",
        )
        .unwrap();
        assert_eq!(settings.values.len(), 4);
        assert!(settings.values.contains(&(
            "cors-origins".to_owned(),
            vec!["https://a.cn".to_owned(), "https://b.cn".to_owned()]
        )));
        assert!(
            settings
                .values
                .contains(&("max-depth".to_owned(), vec!["20".to_owned()]))
        );
        let table = Settings::parse(Path::new("z.toml"), "[serve]\nlisten = \"x\"\n");
        assert!(matches!(table, Err(ConfigError::NotAValue { .. })));
    }

    #[test]
    fn distances_suggest_the_flag_meant() {
        assert_eq!(edit_distance("max-dept", "max-depth"), 1);
        assert_eq!(edit_distance("listen", "listen"), 0);
    }
}
