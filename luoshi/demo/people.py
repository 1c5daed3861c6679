"""The organisation of the Mangya (茫崖) demo: units, posts, and deterministic Chinese names.

Names are drawn from common surnames and given-name characters with a fixed seed, so every load
gives the same people; the demo personas have fixed names. Phone numbers are made up.
"""

import random
from dataclasses import dataclass, field

from luoshi.org.models import UnitKind

SEED = 2022

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙马朱胡郭何林罗高郑梁谢宋唐韩冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡"
    "贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段"
    "祁冶鲁铁李马韩马"
)
MALE_CHARS = "建国伟强军磊涛斌鹏辉刚明杰峰海波宇浩博文志永成春晓俊德林振兴学忠荣彬涌源毅铭轩"
FEMALE_CHARS = "丽娟敏静燕霞芳婷慧琳雪梅玲晶萍红蓉倩佳欣悦瑶洁颖莉媛琴兰雯怡菲"
# Tibetan, Mongolian and Hui names are common in Haixi; used whole.
WHOLE_NAMES = (
    "才让多杰",
    "卓玛吉",
    "索南才旦",
    "央金卓玛",
    "巴图孟和",
    "其其格",
    "桑杰加",
    "拉毛措",
    "斗拉加",
    "尕藏措",
)
PHONE_PREFIXES: tuple[str, ...] = (
    "130",
    "133",
    "135",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "158",
    "159",
)
PHONE_PREFIXES += ("180", "181", "183", "186", "187", "188", "189")


@dataclass
class Post:
    """One person's post in a unit; the flags say which roles the builder grants them."""

    position: str
    key: str = ""
    name: str = ""
    username: str = ""
    head: bool = False  # Unit.leader
    leader_role: bool = False  # 领导, scope: the unit and its subtree
    liaison: bool = False  # 联络员, scope: the unit and its subtree
    office: bool = False  # 行动办, scope: 茫崖市 and its subtree
    worker: bool = False  # the default owner of the unit's tasks
    also: tuple[tuple[str, str], ...] = ()  # 兼职: (unit key, position)
    female: bool | None = None


@dataclass
class UnitSpec:
    key: str
    name: str
    kind: str
    parent: str = ""
    posts: list[Post] = field(default_factory=list)
    short_name: str = ""


def _dept(key, name, head, *, short="", extra=(), parent="city"):
    """A department with a head (leader), a deputy (default owner), an office director (liaison)."""
    return UnitSpec(
        key,
        name,
        UnitKind.DEPARTMENT,
        parent,
        [
            Post(head, key=f"{key}_head", head=True, leader_role=True),
            Post(f"副{head}", worker=True),
            Post("办公室主任", key=f"{key}_liaison", liaison=True),
            *extra,
        ],
        short,
    )


def _community(key, name, parent, extra=1):
    return UnitSpec(
        key,
        name,
        UnitKind.COMMUNITY,
        parent,
        [
            Post("党支部书记、主任", head=True),
            Post("副主任", liaison=True, worker=True),
            *[Post("网格员") for _ in range(extra)],
        ],
    )


ORGANISATION: list[UnitSpec] = [
    UnitSpec("haixi", "海西蒙古族藏族自治州", UnitKind.PREFECTURE, short_name="海西州"),
    UnitSpec(
        "city",
        "茫崖市",
        UnitKind.CITY,
        "haixi",
        [
            Post("市委书记", key="secretary", head=True, leader_role=True),
            Post(
                "市委副书记",
                key="leader",
                name="陈志远",
                username="leader",
                leader_role=True,
                female=False,
            ),
            Post("副市长", key="vice_mayor", leader_role=True),
        ],
    ),
    UnitSpec(
        "xcb",
        "市委宣传部",
        UnitKind.DEPARTMENT,
        "city",
        [
            Post("市委常委、宣传部部长", key="minister", head=True, leader_role=True),
            Post("常务副部长", key="xcb_deputy", worker=True),
            Post("副部长、网信办主任", key="xcb_deputy2"),
            Post(
                "办公室主任（行动办）",
                key="office",
                name="周婧怡",
                username="office",
                office=True,
                female=True,
            ),
            Post("宣传科科长", key="xcb_liaison", liaison=True),
            Post("理论科科长", key="xcb_theory"),
            Post("文艺科科长", key="xcb_arts"),
            Post("干事（行动办）", key="office2", office=True),
            Post("干事（行动办）", key="office3", office=True),
            Post("干事"),
            Post("干事"),
        ],
    ),
    UnitSpec(
        "xcb_net",
        "网络信息中心",
        UnitKind.SECTION,
        "xcb",
        [
            Post("主任"),
            Post("系统管理员", key="sysadmin", name="韩斌", username="sysadmin", female=False),
            Post("安全管理员", key="secadmin", name="祁晓燕", username="secadmin", female=True),
            Post("审计管理员", key="auditor", name="鲁振华", username="auditor", female=False),
            Post("网评员"),
        ],
    ),
    _dept(
        "zzb",
        "市委组织部",
        "部长",
        extra=[Post("组织科科长"), Post("干部科科长"), Post("科员"), Post("科员")],
    ),
    UnitSpec(
        "wtl",
        "市文体旅游广电局",
        UnitKind.DEPARTMENT,
        "city",
        [
            Post("局长", key="wtl_head", head=True, leader_role=True),
            Post("副局长", key="wtl_dep1", worker=True),
            Post("副局长", key="wtl_dep2"),
            Post(
                "办公室主任（专项行动联络员）",
                key="wtl",
                name="李晓梅",
                username="wtl",
                liaison=True,
                also=(("wtl_office", "办公室主任"),),
                female=True,
            ),
            Post("科员", key="staff", name="张文博", username="staff", female=False),
            Post("文化艺术科科长", key="wtl_arts"),
            Post("科员", key="wtl_clerk1"),
            Post("科员", key="wtl_clerk2", also=(("wtl_law", "执法队员"),)),
            Post("科员", key="wtl_clerk3"),
        ],
    ),
    UnitSpec(
        "wtl_office",
        "办公室",
        UnitKind.SECTION,
        "wtl",
        [Post("副主任"), Post("科员"), Post("科员")],
    ),
    UnitSpec(
        "wtl_law",
        "文化市场综合执法大队",
        UnitKind.SECTION,
        "wtl",
        [Post("大队长", head=True), Post("副大队长"), Post("执法队员"), Post("执法队员")],
    ),
    UnitSpec(
        "wtl_tour",
        "旅游发展股",
        UnitKind.SECTION,
        "wtl",
        [Post("股长", head=True), Post("科员"), Post("科员")],
    ),
    _dept(
        "rmt",
        "市融媒体中心",
        "主任",
        extra=[
            Post("总编辑", key="rmt_editor"),
            Post("记者", key="rmt_rep1", also=(("xcb_net", "网评员"),)),
            Post("记者", key="rmt_rep2"),
            Post("记者", key="rmt_rep3"),
            Post("记者"),
            Post("编辑"),
            Post("编辑"),
        ],
    ),
    UnitSpec(
        "wmsj",
        "市新时代文明实践中心",
        UnitKind.DEPARTMENT,
        "city",
        [
            Post("主任", key="wmsj_head", head=True, leader_role=True),
            Post("副主任", worker=True),
            Post("办公室主任", key="wmsj_liaison", liaison=True),
            Post("志愿服务专干", also=(("xcb", "宣传干事"),)),
            Post("志愿服务专干"),
            Post("志愿服务专干"),
        ],
    ),
    _dept(
        "jyj",
        "市教育局",
        "局长",
        extra=[
            Post("副局长", also=(("school1", "党支部书记"),)),
            Post("科员"),
            Post("科员"),
            Post("科员"),
        ],
    ),
    UnitSpec(
        "school1",
        "茫崖市第一中学",
        UnitKind.SCHOOL,
        "jyj",
        [
            Post("校长", head=True),
            Post("副校长", worker=True),
            Post("德育处主任", liaison=True),
            Post("教师"),
            Post("教师"),
            Post("教师"),
        ],
    ),
    UnitSpec(
        "school2",
        "花土沟镇中心学校",
        UnitKind.SCHOOL,
        "jyj",
        [
            Post("校长", head=True),
            Post("教导主任", liaison=True, worker=True),
            Post("教师"),
            Post("教师"),
        ],
    ),
    _dept(
        "wjw",
        "市卫生健康委员会",
        "主任",
        short="市卫生健康委",
        extra=[Post("科员"), Post("科员"), Post("科员")],
    ),
    _dept("sfj", "市司法局", "局长", extra=[Post("科员"), Post("科员"), Post("科员")]),
    _dept(
        "scj",
        "市市场监督管理局",
        "局长",
        short="市市场监管局",
        extra=[Post("执法人员"), Post("执法人员")],
    ),
    UnitSpec(
        "htg",
        "花土沟镇",
        UnitKind.TOWN,
        "city",
        [
            Post("党委书记", key="htg_head", head=True, leader_role=True),
            Post("镇长"),
            Post("党委委员、宣传委员", worker=True),
            Post("党政办主任", key="htg_liaison", liaison=True),
            Post("干事"),
            Post("干事"),
            Post("干事"),
            Post("干事"),
        ],
    ),
    _community("htg_base", "石油基地社区", "htg", 2),
    _community("htg_htg", "花土沟社区", "htg", 2),
    _community("htg_alr", "阿拉尔社区", "htg", 1),
    UnitSpec(
        "my",
        "茫崖镇",
        UnitKind.TOWN,
        "city",
        [
            Post("党委书记", key="my_head", head=True, leader_role=True),
            Post("镇长"),
            Post("党委委员、宣传委员", key="my_worker", worker=True),
            Post("党政办主任", key="my_liaison", liaison=True),
            Post("干事"),
            Post("干事"),
            Post("干事"),
        ],
    ),
    _community("my_my", "茫崖社区", "my", 1),
    _community("my_gs", "尕斯社区", "my", 1),
    UnitSpec(
        "lh",
        "冷湖镇",
        UnitKind.TOWN,
        "city",
        [
            Post("党委书记", key="lh_head", head=True, leader_role=True),
            Post("镇长"),
            Post("党委委员、宣传委员", key="lh_worker", worker=True),
            Post(
                "党政办主任",
                key="outsider",
                name="马海燕",
                username="outsider",
                liaison=True,
                female=True,
            ),
            Post("干事", key="lh_clerk"),
            Post("干事"),
            Post("干事"),
        ],
    ),
    _community("lh_lh", "冷湖社区", "lh", 1),
    _community("lh_kl", "昆仑社区", "lh", 1),
    UnitSpec(
        "ent_tour",
        "茫崖市文化旅游投资有限公司",
        UnitKind.ENTERPRISE,
        "city",
        [
            Post("总经理", head=True),
            Post("党支部书记", worker=True),
            Post("综合部经理", liaison=True),
            Post("职员"),
        ],
    ),
    UnitSpec(
        "ent_oil",
        "油田花土沟基地生活服务公司",
        UnitKind.ENTERPRISE,
        "city",
        [
            Post("经理", head=True),
            Post("党支部副书记", worker=True),
            Post("办公室主任", liaison=True),
            Post("职员"),
        ],
    ),
]

# Departments of 茫崖市 that campaign-wide tasks go to (the office's own department included).
DEPARTMENTS = ["xcb", "zzb", "wtl", "rmt", "wmsj", "jyj", "wjw", "sfj", "scj"]
TOWNS = ["htg", "my", "lh"]

# The demo accounts: username → what the table shows as the role.
DEMO_ACCOUNTS = [
    ("office", "行动办（市委宣传部）", "Campaign office"),
    ("wtl", "联络员（市文体旅游广电局）", "Unit liaison"),
    ("staff", "干部职工（市文体旅游广电局）", "Staff"),
    ("leader", "领导（茫崖市）", "Leader"),
    ("outsider", "联络员（冷湖镇）", "Liaison of another unit"),
    ("wmzx", "文明实践中心（茫崖市新时代文明实践中心）", "Civilisation Practice Centre"),
    ("volunteer", "志愿者（阿拉尔社区居民）", "Volunteer (resident)"),
    ("sysadmin", "系统管理员", "System admin"),
    ("secadmin", "安全管理员", "Security admin"),
    ("auditor", "审计管理员", "Audit admin"),
]


class NameMaker:
    """Deterministic, unique, unremarkable Chinese names and phone numbers."""

    def __init__(self, seed: int = SEED, taken: set[str] | None = None):
        self.random = random.Random(seed)
        self.taken: set[str] = set(taken or ())
        self.whole = list(WHOLE_NAMES)
        self.random.shuffle(self.whole)
        self.phones: set[str] = set()

    def name(self, female: bool | None = None) -> str:
        rnd = self.random
        while True:
            if self.whole and rnd.random() < 0.07:
                candidate = self.whole.pop()
            else:
                is_female = rnd.random() < 0.45 if female is None else female
                chars = FEMALE_CHARS if is_female else MALE_CHARS
                given = rnd.choice(chars)
                if rnd.random() < 0.75:
                    given += rnd.choice(chars)
                candidate = rnd.choice(SURNAMES) + given
            if candidate not in self.taken and len(set(candidate)) == len(candidate):
                self.taken.add(candidate)
                return candidate

    def phone(self) -> str:
        while True:
            number = self.random.choice(PHONE_PREFIXES) + f"{self.random.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number
