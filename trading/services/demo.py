"""Demo organisations and accounts for every role, seeded through the services (idempotent)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction

from trading.domain import uscc
from trading.models import BusinessType, Desk, Industry, Jurisdiction, Organisation, Region, User
from trading.services.grants import grant_assign
from trading.services.organisations import organisation_register, organisation_verify, user_create
from trading.services.reference import reference_data_seed

DEMO_PASSWORD = "tianping-demo"  # noqa: S105 - printed by `make run`; demo mode only
ADMIN_USERNAME = "admin"


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    kind: str
    region: str
    # 统一社会信用代码 prefix: registration authority + organisation category (GB 32100 表1).
    prefix: str
    serial: int
    verified: bool = True


@dataclass(frozen=True)
class DemoUser:
    username: str
    organisation: str
    display_name: str
    role: str
    admin: bool = False
    desks: list[tuple[str, str]] = field(default_factory=list)  # (region code or *, type code)
    jurisdictions: list[str] = field(default_factory=list)


ORGANISATIONS = [
    DemoOrganisation("center", "海南省公共资源交易服务中心", "center", "460100", "12", 1),
    DemoOrganisation("housing", "海口市住房和城乡建设局", "regulator", "460100", "11", 2),
    DemoOrganisation("finance", "海南省财政厅", "regulator", "460100", "11", 3),
    DemoOrganisation("land", "海南省自然资源和规划厅", "regulator", "460100", "11", 4),
    DemoOrganisation("school", "海口市教育局", "owner", "460100", "11", 5),
    DemoOrganisation("landbureau", "三亚市自然资源和规划局", "owner", "460200", "11", 6),
    DemoOrganisation("agency", "海南诚信招标代理有限公司", "agency", "460100", "91", 7),
    DemoOrganisation("builder1", "海南建工集团有限公司", "bidder", "460100", "91", 8),
    DemoOrganisation("builder2", "琼海路桥工程有限公司", "bidder", "469002", "91", 9),
    DemoOrganisation("builder3", "三亚宏图建设有限公司", "bidder", "460200", "91", 10),
    DemoOrganisation(
        "newcomer", "文昌椰风科技有限公司", "bidder", "469005", "91", 11, verified=False
    ),
    DemoOrganisation("experts", "海南省综合评标专家库", "expert_pool", "460100", "12", 12),
]

ALL = "*"
USERS = [
    DemoUser("center_admin", "center", "中心管理员", "center", admin=True),
    DemoUser(
        "staff_haikou",
        "center",
        "王海 (海口工程·政采)",
        "center",
        desks=[("460100", "engineering"), ("460100", "procurement")],
    ),
    DemoUser(
        "staff_sanya",
        "center",
        "林晓 (三亚全部业务)",
        "center",
        desks=[("460200", ALL)],
    ),
    DemoUser(
        "staff_land",
        "center",
        "陈土 (全省土地·矿业)",
        "center",
        desks=[(ALL, "land"), (ALL, "mining")],
    ),
    DemoUser(
        "reg_housing",
        "housing",
        "住建监管员",
        "regulator",
        jurisdictions=["海口市房屋建筑和市政工程"],
    ),
    DemoUser(
        "reg_finance",
        "finance",
        "财政监管员",
        "regulator",
        jurisdictions=["全省政府采购", "海口市国有产权"],
    ),
    DemoUser(
        "reg_land",
        "land",
        "自然资源监管员",
        "regulator",
        jurisdictions=["全省国有建设用地", "全省矿业权"],
    ),
    DemoUser("owner_school", "school", "教育局基建科", "owner", admin=True),
    DemoUser("owner_land", "landbureau", "三亚土地出让科", "owner", admin=True),
    DemoUser("agency", "agency", "诚信代理项目经理", "agency", admin=True),
    DemoUser("bidder1", "builder1", "海南建工投标专员", "bidder", admin=True),
    DemoUser("bidder2", "builder2", "琼海路桥投标专员", "bidder", admin=True),
    DemoUser("bidder3", "builder3", "三亚宏图投标专员", "bidder", admin=True),
    DemoUser("bidder_new", "newcomer", "椰风科技（待核验）", "bidder", admin=True),
    DemoUser("expert1", "experts", "评标专家 张工", "expert"),
    DemoUser("expert2", "experts", "评标专家 李工", "expert"),
]

# (regulator key, name, region codes or *, business type codes, industry codes)
JURISDICTIONS = [
    ("housing", "海口市房屋建筑和市政工程", ["460100"], ["engineering"], ["E-housing"]),
    ("finance", "全省政府采购", [ALL], ["procurement"], []),
    ("finance", "海口市国有产权", ["460100"], ["property"], []),
    ("land", "全省国有建设用地", [ALL], ["land"], []),
    ("land", "全省矿业权", [ALL], ["mining"], []),
]


def demo_uscc(org: DemoOrganisation) -> str:
    body = f"{org.prefix}{org.region}{'MA' if org.prefix == '91' else 'PD'}{org.serial:07d}"
    return body + uscc.check_character(body)


def demo_licence_pdf(code: str) -> bytes:
    """A one-page PDF standing in for a scanned business licence (demo mode only)."""
    text = f"BUSINESS LICENCE (DEMO)  USCC {code}".encode("ascii")
    stream = b"BT /F1 18 Tf 60 760 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\n".encode()
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return out


def _admin() -> User:
    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    if admin is None:
        admin = User.objects.create_superuser(ADMIN_USERNAME, "", DEMO_PASSWORD)
    return admin


def _desks(region: str, business_type: str) -> list[Desk]:
    desks = Desk.objects.all()
    if region != ALL:
        desks = desks.filter(region__code=region)
    if business_type != ALL:
        desks = desks.filter(business_type__code=business_type)
    return list(desks)


# Other apps' demo data, seeded after the accounts (and tenders): registered from their
# AppConfig.ready(), since trading never imports them. Each takes `tenders` and returns counts.
DemoSeeder = Callable[..., dict[str, int]]
_SEEDERS: dict[str, DemoSeeder] = {}


def demo_seeder_register(name: str, seeder: DemoSeeder) -> None:
    """Run `seeder(tenders=…)` at the end of every demo seed (idempotent, as the seed is)."""
    _SEEDERS[name] = seeder


def demo_seed(*, tenders: bool = True) -> dict[str, int]:
    """Reference data, demo organisations, accounts, grants and tenders (demo mode only)."""
    counts = _demo_accounts_seed()
    if tenders:
        # demo_tenders plays its tenders with this module's accounts: import it once they exist.
        from trading.services.demo_tenders import demo_tenders_seed

        counts.update(demo_tenders_seed())
    for seeder in _SEEDERS.values():
        counts.update(seeder(tenders=tenders))
    return counts


@transaction.atomic
def _demo_accounts_seed() -> dict[str, int]:
    if not settings.DEMO:
        raise ImproperlyConfigured("Demo accounts are only seeded in demo mode (TIANPING_DEMO).")
    counts = reference_data_seed()
    admin = _admin()
    organisations: dict[str, Organisation] = {}
    for org in ORGANISATIONS:
        code = demo_uscc(org)
        existing = Organisation.objects.filter(uscc=code).first()
        organisations[org.key] = existing or organisation_register(
            name=org.name,
            kind=org.kind,
            uscc_code=code,
            region=Region.objects.get(code=org.region),
            # A Haikou/Sanya landline (区号 0898): documents print it as the contact.
            contact_phone=f"0898-6653{org.serial:04d}",
            actor=admin,
        )
    for org in ORGANISATIONS:
        organisation = organisations[org.key]
        if org.kind in ("bidder", "owner", "agency") and not organisation.licence:
            organisation.licence.save(
                f"{organisation.uscc}.pdf", ContentFile(demo_licence_pdf(organisation.uscc))
            )
    users: dict[str, User] = {}
    for demo in USERS:
        existing_user = User.objects.filter(username=demo.username).first()
        users[demo.username] = existing_user or user_create(
            organisation=organisations[demo.organisation],
            username=demo.username,
            password=DEMO_PASSWORD,
            display_name=demo.display_name,
            email=f"{demo.username}@demo.tianping.localhost",
            phone="13800000000",
            is_organisation_admin=demo.admin,
        )
    for org in ORGANISATIONS:
        if org.kind in ("center", "regulator"):
            organisation_verify(organisation=organisations[org.key], actor=admin)
    for key, name, regions, types, industries in JURISDICTIONS:
        jurisdiction, created = Jurisdiction.objects.get_or_create(
            regulator=organisations[key], name=name
        )
        if created:
            region_rows = Region.objects.filter(parent__isnull=True)
            if regions != [ALL]:
                region_rows = region_rows.filter(code__in=regions)
            jurisdiction.regions.set(region_rows)
            jurisdiction.business_types.set(BusinessType.objects.filter(code__in=types))
            jurisdiction.industries.set(Industry.objects.filter(code__in=industries))
    for demo in USERS:
        user = users[demo.username]
        for region, business_type in demo.desks:
            for desk in _desks(region, business_type):
                if not user.has_perm("trading.operate_desk", desk):
                    grant_assign(user=user, target=desk, actor=admin)
        for name in demo.jurisdictions:
            jurisdiction = Jurisdiction.objects.get(name=name)
            if not user.has_perm("trading.supervise_jurisdiction", jurisdiction):
                grant_assign(user=user, target=jurisdiction, actor=admin)
    _center_admin_rights(users["center_admin"])
    staff = users["staff_haikou"]
    for org in ORGANISATIONS:
        if org.verified and org.kind not in ("center", "regulator"):
            organisation_verify(organisation=organisations[org.key], actor=staff)
    counts.update(
        organisations=Organisation.objects.count(),
        users=User.objects.count(),
        jurisdictions=Jurisdiction.objects.count(),
    )
    return counts


# The center's administrator keeps the rule rows and the holiday table in the admin site; it
# manages reference data there, as the platform administrator does, and no transaction.
CENTER_ADMIN_PERMISSIONS = [
    f"{verb}_{model}"
    for model in ("timelinerule", "calendarday")
    for verb in ("view", "add", "change")
]


def _center_admin_rights(user: User) -> None:
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="trading", codename__in=CENTER_ADMIN_PERMISSIONS
        )
    )


ROLE_LABELS = {
    "admin": "平台管理员 platform administrator",
    "center": "交易中心 trading center",
    "regulator": "行政监督 regulator",
    "owner": "招标人/出让人 owner",
    "agency": "代理机构 agency",
    "bidder": "投标人 bidder",
    "expert": "评标专家 expert",
}


def demo_accounts() -> list[tuple[str, str, str, str]]:
    """(role, username, password, who) of every demo account, for `make run` to print."""
    rows = [(ROLE_LABELS["admin"], ADMIN_USERNAME, DEMO_PASSWORD, "/admin/ reference data")]
    names = {org.key: org.name for org in ORGANISATIONS}
    for demo in USERS:
        rows.append(
            (
                ROLE_LABELS[demo.role],
                demo.username,
                DEMO_PASSWORD,
                f"{names[demo.organisation]} · {demo.display_name}",
            )
        )
    return rows
