//! Who may do what. Every rule of access lives here, as plain functions of
//! the caller and the record, so the API layer only asks.

use super::carrier::stored_enum;
use super::message::Message;

stored_enum! {
    /// What a token may do.
    pub enum Role { Admin, Operator, Bureau, Viewer, Applicant }
}

/// The caller of a request, as its token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The token's name; audit events record it.
    pub name: String,
    pub role: Role,
    /// For `OPERATOR` tokens: the operator whose carriers it may write; for
    /// `APPLICANT` tokens: the operator whose carriers it may apply to.
    pub operator_id: Option<i32>,
    /// The token used, if any.
    pub token_id: Option<i32>,
}

impl Actor {
    /// An unauthenticated caller on a server started with public read access.
    pub fn anonymous() -> Self {
        Self {
            name: "anonymous".into(),
            role: Role::Viewer,
            operator_id: None,
            token_id: None,
        }
    }

    /// The system itself, e.g. loading demo data from the command line.
    pub fn system(name: &str) -> Self {
        Self {
            name: name.into(),
            role: Role::Admin,
            operator_id: None,
            token_id: None,
        }
    }
}

/// Why a caller was refused, in words that say what would be allowed, in
/// English and in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Denied(pub Message);

impl Denied {
    fn new(en: impl Into<String>, zh: impl Into<String>) -> Self {
        Self(Message::new(en, zh))
    }

    /// A token of `role` writes nothing.
    fn read_only(role: Role) -> Self {
        Self::new(
            format!("a {role} token may not write"),
            format!("{role} 令牌无写入权限"),
        )
    }
}

/// Which callers a mutation admits before looking at the record it touches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteRule {
    /// Only ADMIN: levels, targets, rules, operators, tokens.
    AdminOnly,
    /// ADMIN, or an OPERATOR for records of its own operator.
    OwnData,
    /// Geometry: ADMIN and BUREAU for any record, an OPERATOR for its own
    /// carriers' (see [`may_write_geometry_for`]).
    Geometry,
    /// An entry application: ADMIN, or an OPERATOR or APPLICANT token for its
    /// operator's carriers (see [`may_apply_to`]).
    Application,
}

/// The rule of each mutation, by its GraphQL name. A mutation not listed
/// here is ADMIN-only, so a new mutation is closed until someone opens it.
pub fn mutation_rule(mutation: &str) -> WriteRule {
    match mutation {
        "createCarrier"
        | "updateCarrier"
        | "addSpacePhase"
        | "amendSpacePhase"
        | "voidSpacePhase"
        | "updateOperator"
        | "registerEnterprise"
        | "recordQualification"
        | "amendQualification"
        | "voidQualification"
        | "setEnterpriseCustodian"
        | "moveIn"
        | "changeTenancyArea"
        | "amendTenancy"
        | "voidTenancy"
        | "moveOut"
        | "graduate"
        | "importTenancies"
        | "createPlatform"
        | "updatePlatform"
        | "createFund"
        | "updateFund"
        | "createOperatingTeam"
        | "updateOperatingTeam"
        | "createFacility"
        | "updateFacility"
        | "voidPlatform"
        | "voidOperatingTeam"
        | "voidFacility"
        | "voidFund"
        | "amendPlatform"
        | "amendOperatingTeam"
        | "amendFacility"
        | "amendFund"
        | "requestDesignation"
        | "addBuilding"
        | "amendBuilding"
        | "addUnit"
        | "amendUnit"
        | "setTenancyUnits"
        | "reportAnnualData"
        | "addLease"
        | "amendLease"
        | "voidLease"
        | "startEntryApplicationReview"
        | "approveEntryApplication"
        | "rejectEntryApplication"
        | "withdrawEntryApplication"
        | "confirmEntryApplicationMoveIn" => WriteRule::OwnData,
        "submitApplication" => WriteRule::Application,
        "setCarrierGeometry" | "setDistrictBoundary" => WriteRule::Geometry,
        _ => WriteRule::AdminOnly,
    }
}

/// May `actor` call a mutation under `rule` at all?
pub fn may_call(actor: &Actor, mutation: &str, rule: WriteRule) -> Result<(), Denied> {
    match (actor.role, rule) {
        (Role::Admin, _) => Ok(()),
        (Role::Operator, WriteRule::OwnData) => Ok(()),
        (Role::Operator | Role::Bureau, WriteRule::Geometry) => Ok(()),
        (Role::Operator | Role::Applicant, WriteRule::Application) => Ok(()),
        (Role::Operator, WriteRule::AdminOnly) => Err(Denied::new(
            format!("{mutation} is reserved to ADMIN tokens"),
            format!("{mutation} 仅限 ADMIN（管理员）令牌调用"),
        )),
        (role, _) => {
            let (en, zh) = match rule {
                WriteRule::OwnData => (
                    " or the owning OPERATOR's",
                    "或所属运营主体的 OPERATOR 令牌",
                ),
                WriteRule::Geometry => (
                    ", a BUREAU token or the owning OPERATOR's",
                    "、BUREAU 令牌或所属运营主体的 OPERATOR 令牌",
                ),
                WriteRule::AdminOnly | WriteRule::Application => ("", ""),
            };
            Err(Denied::new(
                format!("a {role} token may not write; {mutation} needs an ADMIN token{en}"),
                format!("{role} 令牌无写入权限；{mutation} 需要 ADMIN 令牌{zh}"),
            ))
        }
    }
}

/// May `actor` write a record that belongs to operator `owner`?
pub fn may_write_for(actor: &Actor, owner: i32) -> Result<(), Denied> {
    match actor.role {
        Role::Admin => Ok(()),
        Role::Operator if actor.operator_id == Some(owner) => Ok(()),
        Role::Operator => Err(Denied::new(
            "this record belongs to another operator; an OPERATOR token writes only its own operator's records",
            "该记录属于其他运营主体；OPERATOR 令牌只能修改本运营主体的记录",
        )),
        role => Err(Denied::read_only(role)),
    }
}

/// May `actor` write the geometry of a carrier of operator `owner` (`None`:
/// a record no operator owns, such as a district boundary)? The
/// natural-resources and planning bureau (BUREAU) leads the spatial work and
/// may write any; an OPERATOR only its own carriers'.
pub fn may_write_geometry_for(actor: &Actor, owner: Option<i32>) -> Result<(), Denied> {
    match actor.role {
        Role::Admin | Role::Bureau => Ok(()),
        Role::Operator if owner.is_some() && actor.operator_id == owner => Ok(()),
        Role::Operator => Err(match owner {
            Some(_) => Denied::new(
                "this carrier belongs to another operator; an OPERATOR token writes only its own carriers' geometry",
                "该载体属于其他运营主体；OPERATOR 令牌只能修改本运营主体载体的空间位置和范围",
            ),
            None => Denied::new(
                "district boundaries are written by ADMIN and BUREAU tokens",
                "行政区边界只能由 ADMIN 或 BUREAU 令牌修改",
            ),
        }),
        role => Err(Denied::read_only(role)),
    }
}

/// May `actor` keep an enterprise whose custodian (保管方) is operator
/// `custodian`: change its facts, read and write its confidential figures
/// (financing, revenue), record its qualifications, hand it to another
/// operator? ADMIN and the custodian may. Enterprises are shared by every
/// carrier that hosts them, and hosts compete: one keeper, named on the
/// record, so that moving a tenant in is never a way into its figures.
pub fn may_keep_enterprise(actor: &Actor, custodian: Option<i32>) -> Result<(), Denied> {
    match actor.role {
        Role::Admin => Ok(()),
        Role::Operator if custodian.is_some() && actor.operator_id == custodian => Ok(()),
        Role::Operator => Err(Denied::new(
            "this enterprise is kept by another operator (or by the bureau); only its custodian or ADMIN may change it",
            "该企业由其他运营主体（或主管部门）保管，仅保管方或管理员可修改",
        )),
        role => Err(Denied::read_only(role)),
    }
}

/// May `actor` read the confidential figures of an enterprise kept by `custodian`?
pub fn may_read_enterprise_confidential(actor: &Actor, custodian: Option<i32>) -> bool {
    may_keep_enterprise(actor, custodian).is_ok()
}

/// May `actor` read the confidential fields of operator `owner`'s records?
/// Only ADMIN and the owning OPERATOR may.
pub fn may_read_confidential(actor: &Actor, owner: i32) -> bool {
    match actor.role {
        Role::Admin => true,
        Role::Operator => actor.operator_id == Some(owner),
        Role::Bureau | Role::Viewer | Role::Applicant => false,
    }
}

/// May `actor` set `fact` directly? Facts that count toward the plan's
/// targets (landmark status, levels, professional teams) are the bureau's
/// (ADMIN's) to designate: the measured operator proposes them through a
/// designation request instead.
pub fn may_designate(actor: &Actor, fact: &str, kind: &str) -> Result<(), Denied> {
    match actor.role {
        Role::Admin => Ok(()),
        _ => {
            let fact_zh = match kind {
                "LANDMARK" => "地标型科创综合体",
                "CARRIER_LEVEL" => "载体级别",
                "PLATFORM_LEVEL" => "公共技术服务平台级别",
                "PROFESSIONAL_TEAM" => "专业化运营团队",
                _ => "该事项",
            };
            Err(Denied::new(
                format!(
                    "{fact} counts toward the plan's targets and is designated by the bureau: submit requestDesignation(kind: {kind}) with its evidence"
                ),
                format!(
                    "{fact_zh}计入行动方案目标，由市科技局认定：请提交认定申请（requestDesignation，kind: {kind}）并附证明材料"
                ),
            ))
        }
    }
}

/// Whose designation requests may `actor` read: `Ok(None)` all, `Ok(Some(op))`
/// those of one operator's carriers.
pub fn designation_scope(actor: &Actor) -> Result<Option<i32>, Denied> {
    audit_scope(actor).map_err(|_| {
        Denied::new(
            "designation requests are open to ADMIN and OPERATOR tokens",
            "认定申请仅向 ADMIN 和 OPERATOR 令牌开放",
        )
    })
}

/// Whose audit events may `actor` read: `Ok(None)` all, `Ok(Some(op))` one operator's.
pub fn audit_scope(actor: &Actor) -> Result<Option<i32>, Denied> {
    match (actor.role, actor.operator_id) {
        (Role::Admin, _) => Ok(None),
        (Role::Operator, Some(operator)) => Ok(Some(operator)),
        _ => Err(Denied::new(
            "the audit trail is open to ADMIN and OPERATOR tokens",
            "审计记录仅向 ADMIN 和 OPERATOR 令牌开放",
        )),
    }
}

/// A token's role and operator must fit: an OPERATOR token names its
/// operator, and no other role has one.
pub fn check_token_scope(
    role: Role,
    operator_id: Option<i32>,
) -> Result<(), super::ValidationError> {
    match (role, operator_id) {
        (Role::Operator, None) => Err(super::ValidationError::new(
            "operator",
            "an OPERATOR token must name the operator it writes for",
            "OPERATOR 令牌须指明其所代表的运营主体",
        )),
        (Role::Applicant, None) => Err(super::ValidationError::new(
            "operator",
            "an APPLICANT token must name the operator whose carriers it applies to",
            "APPLICANT 令牌须指明可申请入驻的载体所属运营主体",
        )),
        (Role::Operator | Role::Applicant, Some(_)) | (_, None) => Ok(()),
        (role, Some(_)) => Err(super::ValidationError::new(
            "operator",
            format!(
                "only OPERATOR and APPLICANT tokens are scoped to an operator, not {role} tokens"
            ),
            format!("只有 OPERATOR 和 APPLICANT 令牌可以指定运营主体，{role} 令牌不能指定"),
        )),
    }
}

/// The root fields an APPLICANT token may call: it submits applications to
/// its operator's carriers and reads back those it submitted, and nothing
/// else (the public application form of a front end holds it).
pub const APPLICANT_FIELDS: [&str; 3] = ["submitApplication", "myApplications", "__typename"];

/// May `actor` call root field `field` (of a query, mutation or
/// subscription) at all? Every role may, but an APPLICANT token only
/// [`APPLICANT_FIELDS`].
pub fn may_use_root_field(actor: &Actor, field: &str) -> Result<(), Denied> {
    if actor.role != Role::Applicant || APPLICANT_FIELDS.contains(&field) {
        return Ok(());
    }
    Err(applicant_only())
}

/// May `actor` use an interface other than GraphQL (OGC API Features,
/// subscriptions over WebSocket)? Everyone but an APPLICANT token.
pub fn may_use_other_interfaces(actor: &Actor) -> Result<(), Denied> {
    match actor.role {
        Role::Applicant => Err(applicant_only()),
        _ => Ok(()),
    }
}

fn applicant_only() -> Denied {
    Denied::new(
        "an APPLICANT token may only call submitApplication and myApplications",
        "APPLICANT 令牌只能调用 submitApplication（提交入驻申请）和 myApplications（查看本令牌提交的申请）",
    )
}

/// May `actor` submit an entry application to a carrier of operator
/// `owner`? ADMIN for any; an OPERATOR or APPLICANT token for its operator's.
pub fn may_apply_to(actor: &Actor, owner: i32) -> Result<(), Denied> {
    match actor.role {
        Role::Admin => Ok(()),
        Role::Operator | Role::Applicant if actor.operator_id == Some(owner) => Ok(()),
        Role::Operator | Role::Applicant => Err(Denied::new(
            "this carrier belongs to another operator; a token applies only to its own operator's carriers",
            "该载体属于其他运营主体；令牌只能提交本运营主体载体的入驻申请",
        )),
        role => Err(Denied::read_only(role)),
    }
}

/// Whose entry applications a caller reads. Applications hold personal
/// data (the contact person and phone), so readers of the portfolio
/// (BUREAU, VIEWER, anonymous) read none, without being told there are any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplicationScope {
    /// Every application (ADMIN).
    All,
    /// Those of one operator's carriers (an OPERATOR token).
    Operator(i32),
    /// Those submitted with one token (an APPLICANT token).
    Token(i32),
    /// None.
    Nothing,
}

/// Whose entry applications `actor` reads.
pub fn application_scope(actor: &Actor) -> ApplicationScope {
    match (actor.role, actor.operator_id, actor.token_id) {
        (Role::Admin, _, _) => ApplicationScope::All,
        (Role::Operator, Some(operator), _) => ApplicationScope::Operator(operator),
        (Role::Applicant, _, Some(token)) => ApplicationScope::Token(token),
        _ => ApplicationScope::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, operator_id: Option<i32>) -> Actor {
        Actor {
            name: "t".into(),
            role,
            operator_id,
            token_id: None,
        }
    }

    #[test]
    fn an_operator_writes_its_own_records_only() {
        let operator = actor(Role::Operator, Some(7));
        assert!(may_write_for(&operator, 7).is_ok());
        assert!(may_write_for(&operator, 8).is_err());
    }

    #[test]
    fn readers_never_write() {
        for role in [Role::Bureau, Role::Viewer] {
            assert!(may_call(&actor(role, None), "updateCarrier", WriteRule::OwnData).is_err());
            assert!(may_write_for(&actor(role, None), 1).is_err());
        }
    }

    #[test]
    fn an_unlisted_mutation_is_admin_only() {
        assert_eq!(
            mutation_rule("somethingAddedNextYear"),
            WriteRule::AdminOnly
        );
        let operator = actor(Role::Operator, Some(1));
        assert!(
            may_call(
                &operator,
                "recordLevelRecognition",
                mutation_rule("recordLevelRecognition")
            )
            .is_err()
        );
        assert!(
            may_call(
                &actor(Role::Admin, None),
                "somethingAddedNextYear",
                WriteRule::AdminOnly
            )
            .is_ok()
        );
    }

    #[test]
    fn the_bureau_writes_any_geometry_and_an_operator_its_own_carriers() {
        let bureau = actor(Role::Bureau, None);
        let operator = actor(Role::Operator, Some(7));
        let table = [
            (&bureau, Some(7), true),
            (&bureau, None, true),
            (&operator, Some(7), true),
            (&operator, Some(8), false),
            (&operator, None, false),
        ];
        for (who, owner, allowed) in table {
            assert_eq!(may_write_geometry_for(who, owner).is_ok(), allowed);
        }
        assert!(may_write_geometry_for(&actor(Role::Viewer, None), Some(7)).is_err());
        assert!(
            may_call(
                &bureau,
                "setCarrierGeometry",
                mutation_rule("setCarrierGeometry")
            )
            .is_ok()
        );
        assert!(may_call(&bureau, "updateCarrier", mutation_rule("updateCarrier")).is_err());
    }

    #[test]
    fn an_enterprise_is_kept_by_admin_and_its_custodian_only() {
        let keeper = actor(Role::Operator, Some(3));
        let host = actor(Role::Operator, Some(4));
        assert!(may_keep_enterprise(&keeper, Some(3)).is_ok());
        assert!(may_keep_enterprise(&host, Some(3)).is_err());
        assert!(may_keep_enterprise(&host, None).is_err());
        assert!(may_keep_enterprise(&actor(Role::Admin, None), None).is_ok());
        assert!(!may_read_enterprise_confidential(
            &actor(Role::Bureau, None),
            Some(3)
        ));
        assert!(!may_read_enterprise_confidential(
            &actor(Role::Operator, None),
            None
        ));
    }

    #[test]
    fn confidential_fields_are_for_admin_and_the_owner() {
        assert!(may_read_confidential(&actor(Role::Admin, None), 3));
        assert!(may_read_confidential(&actor(Role::Operator, Some(3)), 3));
        assert!(!may_read_confidential(&actor(Role::Operator, Some(4)), 3));
        assert!(!may_read_confidential(&actor(Role::Bureau, None), 3));
        assert!(!may_read_confidential(&Actor::anonymous(), 3));
    }

    #[test]
    fn only_operator_tokens_name_an_operator() {
        assert!(check_token_scope(Role::Operator, Some(1)).is_ok());
        assert!(check_token_scope(Role::Operator, None).is_err());
        assert!(check_token_scope(Role::Viewer, Some(1)).is_err());
        assert!(check_token_scope(Role::Admin, None).is_ok());
    }

    #[test]
    fn an_applicant_token_submits_and_reads_its_own_and_nothing_else() {
        let applicant = Actor {
            token_id: Some(9),
            ..actor(Role::Applicant, Some(3))
        };
        assert!(may_use_root_field(&applicant, "submitApplication").is_ok());
        assert!(may_use_root_field(&applicant, "myApplications").is_ok());
        for field in [
            "carriers",
            "enterprises",
            "node",
            "entryApplications",
            "moveIn",
        ] {
            assert!(may_use_root_field(&applicant, field).is_err(), "{field}");
            assert!(may_use_root_field(&actor(Role::Viewer, None), field).is_ok());
        }
        assert!(may_use_other_interfaces(&applicant).is_err());
        assert!(may_apply_to(&applicant, 3).is_ok());
        assert!(may_apply_to(&applicant, 4).is_err());
        assert!(may_apply_to(&actor(Role::Bureau, None), 3).is_err());
        assert!(may_call(&applicant, "submitApplication", WriteRule::Application).is_ok());
        assert!(may_call(&applicant, "moveIn", mutation_rule("moveIn")).is_err());
        assert!(
            may_call(
                &actor(Role::Viewer, None),
                "submitApplication",
                WriteRule::Application
            )
            .is_err()
        );
        assert!(may_write_for(&applicant, 3).is_err());
        assert!(!may_read_confidential(&applicant, 3));
        assert_eq!(application_scope(&applicant), ApplicationScope::Token(9));
        assert!(check_token_scope(Role::Applicant, None).is_err());
        assert!(check_token_scope(Role::Applicant, Some(3)).is_ok());
    }

    #[test]
    fn applications_are_read_by_admin_and_their_operator_only() {
        assert_eq!(
            application_scope(&actor(Role::Admin, None)),
            ApplicationScope::All
        );
        assert_eq!(
            application_scope(&actor(Role::Operator, Some(2))),
            ApplicationScope::Operator(2)
        );
        for role in [Role::Bureau, Role::Viewer] {
            assert_eq!(
                application_scope(&actor(role, None)),
                ApplicationScope::Nothing
            );
        }
        assert_eq!(
            application_scope(&Actor::anonymous()),
            ApplicationScope::Nothing
        );
    }

    #[test]
    fn the_audit_trail_is_scoped() {
        assert_eq!(audit_scope(&actor(Role::Admin, None)), Ok(None));
        assert_eq!(audit_scope(&actor(Role::Operator, Some(2))), Ok(Some(2)));
        assert!(audit_scope(&actor(Role::Viewer, None)).is_err());
    }
}
