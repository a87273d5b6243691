//! Relay global object identification: `node(id)`, `nodes(ids)` and global IDs.
//!
//! A global ID is the URL-safe base64 of `Type:databaseId`. Clients must treat
//! it as opaque; it is stable for the life of the row.

use std::io::Write as _;

use async_graphql::{Context, ID, Interface, Object};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use strum::{AsRefStr, EnumIter, EnumString};

use super::carrier::Carrier;
use super::compliance::Setting;
use super::designation::DesignationRequest;
use super::district::District;
use super::enterprise::{Enterprise, Qualification};
use super::error::ApiResult;
use super::inventory::{Building, Unit};
use super::lease::Lease;
use super::loaders::{self, one};
use super::operator::Operator;
use super::period::ReportingPeriod;
use super::recognition::LevelRecognition;
use super::space_phase::SpacePhase;
use super::support::{Facility, Fund, OperatingTeam, Platform};
use super::tenancy::Tenancy;
use crate::error::{AppError, entity_name_zh};

/// Most ids `nodes` resolves at once.
pub const MAX_NODES: usize = 100;

/// The object types that have global IDs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsRefStr, EnumString, EnumIter)]
pub enum NodeType {
    Carrier,
    Operator,
    District,
    SpacePhase,
    LevelRecognition,
    Enterprise,
    Qualification,
    Tenancy,
    Platform,
    Fund,
    OperatingTeam,
    Facility,
    Setting,
    /// An API token; it appears only in the audit trail (issued, revoked).
    ApiToken,
    DesignationRequest,
    ReportingPeriod,
    Building,
    Unit,
    Lease,
    /// An entry application (入驻申请), also read through `entryApplications`.
    EntryApplication,
    /// An annual report (企业年报); it appears only in the audit trail, and is
    /// read through `Enterprise.annualReports`.
    AnnualReport,
    /// A webhook endpoint; read through `webhooks` (ADMIN only), not `node`.
    Webhook,
    /// One event to one webhook endpoint; read through `webhookDeliveries`, not `node`.
    WebhookDelivery,
}

/// The global ID of row `id` of type `kind`.
pub fn global_id(kind: NodeType, id: i32) -> ID {
    global_id_wide(kind, id.into())
}

/// The global ID of row `id` of type `kind`, for the tables whose ids are
/// 64-bit (webhook deliveries); decoded by [`expect_wide`].
pub fn global_id_wide(kind: NodeType, id: i64) -> ID {
    // A page holds thousands of ids: the plain text is put together on the
    // stack, so the encoded string is the one allocation.
    let name = kind.as_ref().as_bytes();
    let mut plain = [0u8; 48];
    let (head, tail) = plain.split_at_mut(name.len() + 1);
    head[..name.len()].copy_from_slice(name);
    head[name.len()] = b':';
    let mut digits = &mut tail[..];
    let room = digits.len();
    write!(digits, "{id}").expect("a type name and an i64 fit in 48 bytes");
    let written = room - digits.len();
    ID(URL_SAFE_NO_PAD.encode(&plain[..name.len() + 1 + written]))
}

/// Decodes a global ID into its type and database id.
pub fn decode(field: &str, id: &ID) -> Result<(NodeType, i32), AppError> {
    decode_as(field, id)
}

fn decode_as<T: std::str::FromStr>(field: &str, id: &ID) -> Result<(NodeType, T), AppError> {
    let invalid = || {
        AppError::invalid(
            field,
            format!("'{}' is not an ID this API issued", id.0),
            format!("“{}”不是本接口签发的 ID", id.0),
        )
    };
    let text = URL_SAFE_NO_PAD
        .decode(id.0.as_bytes())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(invalid)?;
    let (kind, number) = text.split_once(':').ok_or_else(invalid)?;
    Ok((
        kind.parse().map_err(|_| invalid())?,
        number.parse().map_err(|_| invalid())?,
    ))
}

/// Decodes a global ID that must be of type `expected` (e.g. a `carrierId` input).
pub fn expect(field: &str, id: &ID, expected: NodeType) -> Result<i32, AppError> {
    expect_as(field, id, expected)
}

/// [`expect`] for the ids of [`global_id_wide`].
pub fn expect_wide(field: &str, id: &ID, expected: NodeType) -> Result<i64, AppError> {
    expect_as(field, id, expected)
}

fn expect_as<T: std::str::FromStr>(
    field: &str,
    id: &ID,
    expected: NodeType,
) -> Result<T, AppError> {
    match decode_as(field, id)? {
        (kind, number) if kind == expected => Ok(number),
        (kind, _) => Err(AppError::invalid(
            field,
            format!(
                "expected the ID of a {}, got that of a {}",
                expected.as_ref(),
                kind.as_ref()
            ),
            format!(
                "应为{}的 ID，提交的是{}的 ID",
                entity_name_zh(expected.as_ref()),
                entity_name_zh(kind.as_ref())
            ),
        )),
    }
}

/// Decodes a list of global IDs of one type.
pub fn expect_all(field: &str, ids: &[ID], expected: NodeType) -> Result<Vec<i32>, AppError> {
    ids.iter().map(|id| expect(field, id, expected)).collect()
}

/// An object with a global ID, fetchable through `node(id)`.
#[derive(Interface)]
#[graphql(field(name = "id", ty = "ID", desc = "The global ID of the object."))]
pub enum Node {
    Carrier(Carrier),
    Operator(Operator),
    District(District),
    SpacePhase(SpacePhase),
    LevelRecognition(LevelRecognition),
    Enterprise(Enterprise),
    Qualification(Qualification),
    Tenancy(Tenancy),
    Platform(Platform),
    Fund(Fund),
    OperatingTeam(OperatingTeam),
    Facility(Facility),
    Setting(Setting),
    DesignationRequest(DesignationRequest),
    ReportingPeriod(ReportingPeriod),
    Building(Building),
    Unit(Unit),
    Lease(Lease),
    EntryApplication(super::application::EntryApplication),
}

/// The complexity of `nodes(ids)`: the selection once per id. Past the limit
/// of ids it counts as the limit, so too many ids get the clearer refusal.
fn nodes_complexity(ids: usize, child_complexity: usize) -> usize {
    super::cost::list_complexity(ids.clamp(1, MAX_NODES), child_complexity)
}

#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// Fetches any object by its global ID; null when it does not exist.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global ID.")] id: ID,
    ) -> ApiResult<Option<Node>> {
        let (kind, number) = decode("id", &id)?;
        load(ctx, kind, number).await
    }

    /// Fetches objects by their global IDs, in the order given (at most 100);
    /// null for each that does not exist.
    #[graphql(complexity = "nodes_complexity(ids.len(), child_complexity)")]
    async fn nodes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Global IDs, at most 100.")] ids: Vec<ID>,
    ) -> ApiResult<Vec<Option<Node>>> {
        if ids.len() > MAX_NODES {
            return Err(AppError::invalid(
                "ids",
                format!("at most {MAX_NODES} ids at once"),
                format!("一次最多查询 {MAX_NODES} 个 ID"),
            )
            .into());
        }
        let decoded: Vec<_> = ids
            .iter()
            .map(|id| decode("ids", id))
            .collect::<Result<_, _>>()?;
        let lookups = decoded
            .into_iter()
            .map(|(kind, number)| load(ctx, kind, number));
        futures_util::future::try_join_all(lookups).await
    }
}

async fn load(ctx: &Context<'_>, kind: NodeType, id: i32) -> ApiResult<Option<Node>> {
    let loaders = loaders::of(ctx)?;
    Ok(match kind {
        NodeType::Carrier => loaders.carrier(id).await?.map(Node::Carrier),
        NodeType::Operator => loaders.operator(id).await?.map(Node::Operator),
        NodeType::District => loaders.district(id).await?.map(Node::District),
        NodeType::SpacePhase => loaders.space_phase(id).await?.map(Node::SpacePhase),
        NodeType::LevelRecognition => loaders.recognition(id).await?.map(Node::LevelRecognition),
        NodeType::Enterprise => one(&loaders.enterprises, id)
            .await?
            .map(|row| Node::Enterprise(Enterprise::new(row))),
        NodeType::Qualification => one(&loaders.qualifications, id)
            .await?
            .map(Qualification::try_from)
            .transpose()?
            .map(Node::Qualification),
        NodeType::Tenancy => one(&loaders.tenancies, id)
            .await?
            .map(|row| Node::Tenancy(Tenancy::new(row))),
        NodeType::Platform => one(&loaders.platforms, id)
            .await?
            .map(Platform::try_from)
            .transpose()?
            .map(Node::Platform),
        NodeType::Fund => one(&loaders.funds, id)
            .await?
            .map(|row| Node::Fund(row.into())),
        NodeType::OperatingTeam => one(&loaders.teams, id)
            .await?
            .map(|row| Node::OperatingTeam(row.into())),
        NodeType::Facility => one(&loaders.facilities, id)
            .await?
            .map(Facility::try_from)
            .transpose()?
            .map(Node::Facility),
        NodeType::Setting => one(&loaders.settings, id)
            .await?
            .map(|row| Node::Setting(Setting(row))),
        // Tokens are listed by `tokens` (ADMIN), annual reports read through
        // their enterprise, webhooks and their deliveries by `webhooks` and
        // `webhookDeliveries` (ADMIN); their ids name them in the audit trail.
        NodeType::ApiToken
        | NodeType::AnnualReport
        | NodeType::Webhook
        | NodeType::WebhookDelivery => None,
        NodeType::EntryApplication => super::application::load(ctx, id)
            .await?
            .map(Node::EntryApplication),
        NodeType::DesignationRequest => super::designation::load(ctx, id)
            .await?
            .map(Node::DesignationRequest),
        NodeType::ReportingPeriod => crate::store::period::by_id(super::db(ctx)?, id)
            .await?
            .map(ReportingPeriod::try_from)
            .transpose()?
            .map(Node::ReportingPeriod),
        NodeType::Building => super::inventory::load_building(ctx, id)
            .await?
            .map(Node::Building),
        NodeType::Unit => super::inventory::load_unit(ctx, id).await?.map(Node::Unit),
        NodeType::Lease => super::lease::load(ctx, id).await?.map(Node::Lease),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    #[test]
    fn global_ids_are_the_type_and_id_in_url_safe_base64_and_decode_back() {
        assert_eq!(global_id(NodeType::Carrier, 12).0, "Q2FycmllcjoxMg");
        for kind in NodeType::iter() {
            for id in [i32::MIN, -1, 0, 7, 123_456, i32::MAX] {
                let global = global_id(kind, id);
                let expected = URL_SAFE_NO_PAD.encode(format!("{}:{id}", kind.as_ref()));
                assert_eq!(global.0, expected);
                assert_eq!(decode("id", &global).expect("decodes"), (kind, id));
            }
            for id in [i64::MIN, i64::from(i32::MAX) + 1, i64::MAX] {
                let global = global_id_wide(kind, id);
                assert_eq!(expect_wide("id", &global, kind).expect("decodes"), id);
                assert!(decode("id", &global).is_err(), "too wide for an i32 id");
            }
        }
    }
}
