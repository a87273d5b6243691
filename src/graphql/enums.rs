//! The API's enumerations, mirroring `domain::carrier` with documentation for clients.

use async_graphql::Enum;

use crate::domain::carrier as domain;

/// 载体类型: the kind of a carrier, along the chain 众创空间—孵化器—加速器—科创综合体.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::CarrierKind")]
pub enum CarrierKind {
    /// 众创空间: makerspace, for teams and start-ups at the idea stage.
    Makerspace,
    /// 科技企业孵化器: technology business incubator.
    Incubator,
    /// 加速器: accelerator, for firms growing past incubation.
    Accelerator,
    /// 科创综合体: science and technology innovation complex.
    ScienceComplex,
}

/// Where a carrier is in its life.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::CarrierStatus")]
pub enum CarrierStatus {
    /// 规划中: planned, not yet built.
    Planned,
    /// 建设中: under construction.
    UnderConstruction,
    /// 运营中: open and operating.
    Operating,
    /// 暂停运营: temporarily not operating.
    Suspended,
    /// 已关闭: closed for good.
    Closed,
}

/// 级别: the level at which a carrier is recognised, from none to national.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::Level")]
pub enum Level {
    /// 未认定: not recognised (or recognition withdrawn).
    None,
    /// 区级 / 县级: recognised below the city: by a district or the development
    /// zone (区级), or by a county-level city, 江阴市 or 宜兴市 (县级); `levelNameZh` says which.
    District,
    /// 市级: recognised by the city.
    City,
    /// 省级: recognised by the province.
    Provincial,
    /// 国家级 (incubators) / 国家备案 (makerspaces, which are filed nationally, not recognised).
    National,
}

/// Who owns an operator (运营主体所有制).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::Ownership")]
pub enum Ownership {
    /// 市属国企: owned by the city's state-owned assets.
    CityStateOwned,
    /// 区属国企: owned by a district's state-owned assets.
    DistrictStateOwned,
    /// 民营: privately owned.
    Private,
    /// 高校院所: a university or research institute.
    UniversityOrInstitute,
    /// 其他: any other ownership.
    Other,
}

/// Where the floor area of a space phase came from.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::SpaceSource")]
pub enum SpaceSource {
    /// 新建: newly built.
    NewBuild,
    /// 腾退整合低效闲置厂房: idle or inefficient factory space taken back, transferred or swapped, and renovated.
    IdleFactoryRenovation,
    /// 工业上楼: multi-storey industrial buildings.
    IndustrialHighRise,
    /// 城市更新: urban renewal.
    UrbanRenewal,
    /// 其他: any other source.
    Other,
}

/// The kind of an administrative unit.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::DistrictKind")]
pub enum DistrictKind {
    /// 区: an urban district.
    District,
    /// 县级市: a county-level city.
    CountyLevelCity,
    /// 开发区: a development zone administered like a district.
    DevelopmentZone,
}

/// Which group of the "465" industries a cluster belongs to.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::IndustryGroup")]
pub enum IndustryGroup {
    /// 地标产业: the four landmark industries.
    Landmark,
    /// 优势产业: the six advantage industries.
    Advantage,
    /// 未来产业: the future industries.
    Future,
    /// Outside the "465" clusters (现代农业), named by the incubation rules.
    Other,
}

/// 产业: the "465" modern industrial clusters of Wuxi, the future industries
/// of the 2024 action plan, and modern agriculture (which the national
/// incubator rules give 60 months of incubation).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "domain::Industry")]
pub enum Industry {
    /// 物联网: Internet of Things (landmark).
    Iot,
    /// 集成电路: integrated circuits (landmark).
    IntegratedCircuits,
    /// 生物医药: biomedicine (landmark).
    Biomedicine,
    /// 软件与信息技术服务: software and IT services (landmark).
    SoftwareIt,
    /// 高端装备: high-end equipment (advantage).
    HighEndEquipment,
    /// 高端纺织服装: high-end textiles and apparel (advantage).
    HighEndTextiles,
    /// 节能环保: energy saving and environmental protection (advantage).
    EnergySavingEnv,
    /// 特色新材料: specialty new materials (advantage).
    NewMaterials,
    /// 新能源: new energy (advantage).
    NewEnergy,
    /// 汽车及零部件: automobiles and parts (advantage).
    Automotive,
    /// 人工智能和元宇宙: artificial intelligence and the metaverse (future).
    AiMetaverse,
    /// 量子科技: quantum technology (future).
    Quantum,
    /// 第三代半导体: third-generation semiconductors (future).
    ThirdGenSemiconductors,
    /// 氢能和储能: hydrogen energy and storage (future).
    HydrogenStorage,
    /// 深海装备: deep-sea equipment (future).
    DeepSeaEquipment,
    /// 合成生物: synthetic biology (future, named by the 2024 action plan).
    SyntheticBiology,
    /// 现代农业: modern agriculture (outside the "465"; 60 months of incubation).
    ModernAgriculture,
}

/// Sort direction.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest first (A to Z).
    #[default]
    Asc,
    /// Largest first (Z to A).
    Desc,
}

/// How a list is put in order of names.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NameOrder {
    /// By the name as written, character by character (Unicode code points).
    #[default]
    Name,
    /// 拼音顺序: by the pinyin of the name, as a Chinese reader expects a list
    /// (滨湖区 before 宜兴市); homophones by creation order.
    NamePinyin,
}

/// Maps a list of API enum values to domain values.
pub fn to_domain<A: Copy + Into<D>, D>(values: Option<Vec<A>>) -> Vec<D> {
    values
        .unwrap_or_default()
        .into_iter()
        .map(Into::into)
        .collect()
}

/// What an API token may do.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::access::Role")]
pub enum Role {
    /// Everything, including levels, targets, rules and operators.
    Admin,
    /// Writes one operator's carriers and everything under them; reads the portfolio.
    Operator,
    /// Reads everything (the natural-resources and science bureaus); writes nothing.
    Bureau,
    /// Reads the portfolio without confidential fields.
    Viewer,
    /// 入驻申请令牌: submits entry applications to one operator's carriers
    /// (`submitApplication`) and reads back those it submitted
    /// (`myApplications`); nothing else.
    Applicant,
}

/// What a change did to its record.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::store::audit::Operation")]
pub enum AuditOperation {
    /// The record was created.
    Create,
    /// The record was changed.
    Update,
    /// The record was deleted.
    Delete,
    /// 更正: the record was corrected, with a reason.
    Amend,
    /// 作废: the record was voided as entered in error, with a reason; it is kept but counts nowhere.
    Void,
    /// 批准: a designation request was approved by the bureau.
    Approve,
    /// 驳回: a designation request was rejected by the bureau, with a reason.
    Reject,
}

/// Enterprise qualifications (资质), each valid between dates.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::enterprise::QualificationKind")]
pub enum QualificationKind {
    /// 科技型中小企业: technology-based SME (evaluated yearly; one year by default).
    TechSme,
    /// 高新技术企业: high-tech enterprise (three years by default).
    HighTech,
    /// 省级专精特新: provincial specialised, refined, distinctive and innovative SME (three years by default).
    ProvincialSpecialized,
    /// 专精特新"小巨人": national "little giant" (three years by default).
    LittleGiant,
    /// 雏鹰企业: eaglet enterprise, on Wuxi's yearly list (one year by default).
    Eaglet,
    /// 瞪羚企业: gazelle enterprise, on Wuxi's yearly list (one year by default).
    Gazelle,
    /// 准独角兽企业: quasi-unicorn, on Wuxi's yearly list (one year by default).
    QuasiUnicorn,
}

/// The four routes by which a tenant graduates (毕业), per the 2018 national incubator rules.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::enterprise::GraduationRoute")]
pub enum GraduationRoute {
    /// Recognised as a high-tech enterprise.
    HighTechRecognised,
    /// Raised at least 5,000,000 CNY of financing.
    FinancingRaised,
    /// At least 10,000,000 CNY of revenue over two consecutive years.
    RevenueTwoYears,
    /// Merged, acquired or listed.
    MergedAcquiredOrListed,
}

/// Where a tenant stands on a date.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::tenancy::TenancyStatus")]
pub enum TenancyStatus {
    /// 在孵: incubating.
    Incubating,
    /// 已毕业: graduated.
    Graduated,
    /// 已迁出: moved out without graduating.
    Left,
}

/// 公共技术服务平台类型: what a public technology service platform does.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::support::PlatformKind")]
pub enum PlatformKind {
    /// 概念验证: proof of concept.
    ProofOfConcept,
    /// 研发设计: research, development and design.
    RdDesign,
    /// 工程试验: engineering tests.
    EngineeringTest,
    /// 检验检测: testing and inspection.
    TestingInspection,
    /// 技术转移转化: technology transfer.
    TechTransfer,
    /// 中试: pilot plant (scale-up).
    PilotPlant,
    /// 其他: any other service.
    Other,
}

/// 配套设施类型: the kind of a supporting facility.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::support::FacilityKind")]
pub enum FacilityKind {
    /// 共享会议及路演空间: shared meeting and roadshow space.
    SharedMeetingRoadshow,
    /// 食堂: canteen.
    Canteen,
    /// 人才公寓: talent apartments.
    TalentApartments,
    /// 实验室: laboratory.
    Laboratory,
    /// 停车: parking.
    Parking,
    /// 展示: exhibition space.
    Exhibition,
    /// 其他: any other facility.
    Other,
}

/// One of 五有, the five musts of a fully functional (功能完备) carrier.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::domain::compliance::Criterion")]
pub enum ComplianceCriterion {
    /// 有主导产业: enough of the tenants work in the carrier's leading industries.
    LeadingIndustry,
    /// 有创新平台: a public technology service platform is open in the carrier.
    InnovationPlatform,
    /// 有投资基金: an investment fund serves the carrier.
    InvestmentFund,
    /// 有专业团队: an operating team with enough staff and mentors for its tenants.
    ProfessionalTeam,
    /// 有配套设施: the required supporting facilities are open.
    SupportingFacilities,
}
