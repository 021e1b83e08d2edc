"""The canonical schema of an annual report (SCHEMA.md v1), as data.

Everything that names a cell lives here: the parser matches labels against it, the fixture
generator renders from it, and the data dictionary is generated from it. Keys never change
meaning; labels are simplified Chinese as printed on the national templates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

SCHEMA_VERSION = "1"

TEMPLATES = ("2019", "2021")
TABLES = ("active", "requests", "appeals")

TABLE_TITLES = {
    "active": ("二、主动公开政府信息情况", "Proactive disclosure"),
    "requests": ("三、收到和处理政府信息公开申请情况", "Requests received and handled"),
    "appeals": ("四、政府信息公开行政复议、行政诉讼情况", "Administrative review and litigation"),
}


@dataclass(frozen=True)
class Col:
    key: str
    label: str
    meaning: str
    unit: str | None


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    meaning: str
    cols: tuple[Col, ...]
    # Distinctive phrases: a label matches this row when its normalised text contains one
    # (``keys``) or equals one (``exact``).
    keys: tuple[str, ...] = ()
    exact: tuple[str, ...] = ()
    # The block heading printed above the row (table ``active``), e.g. 第二十条第（一）项.
    block: str | None = None
    # The printed label, numbering included, as it appears in the template's first column(s).
    printed: tuple[str, ...] = field(default=())


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: cheap as a cache key
class Table:
    key: str
    template: str
    rows: tuple[Row, ...]

    def row(self, key: str) -> Row:
        for row in self.rows:
            if row.key == key:
                return row
        raise KeyError(key)

    @property
    def cells(self) -> list[tuple[str, str]]:
        return [(r.key, c.key) for r in self.rows for c in r.cols]


# --- table active ---------------------------------------------------------------------------

_NEWLY_2019 = (
    Col("newly_made", "本年新制作数量", "documents newly made this year", "件"),
    Col("newly_published", "本年新公开数量", "documents newly published this year", "件"),
    Col("published_total", "对外公开总数量", "documents published in total", "件"),
)
_ITEMS_2019 = (
    Col("items_prev_year", "上一年项目数量", "items at the end of the previous year", "项"),
    Col("items_change", "本年增/减", "change in items this year", "项"),
    Col("decisions", "处理决定数量", "decisions made", "件"),
)
_ISSUED_2021 = (
    Col("issued", "本年制发件数", "documents issued this year", "件"),
    Col("repealed", "本年废止件数", "documents repealed this year", "件"),
    Col("in_force", "现行有效件数", "documents in force", "件"),
)
_DECISIONS_2021 = (Col("decisions", "本年处理决定数量", "decisions made this year", "件"),)

ACTIVE_2019 = Table("active", "2019", (
    Row("art20_1.rules", "规章", "rules (规章)", _NEWLY_2019, keys=("规章",),
        block="第二十条第（一）项"),
    Row("art20_1.normative", "规范性文件", "normative documents", _NEWLY_2019,
        keys=("规范性文件", "规范性档案"), block="第二十条第（一）项"),
    Row("art20_5.licensing", "行政许可", "administrative licensing", _ITEMS_2019,
        keys=("行政许可",), block="第二十条第（五）项"),
    Row("art20_5.other_services", "其他对外管理服务事项", "other external management services",
        _ITEMS_2019, keys=("其他对外管理服务", "对外管理服务"), block="第二十条第（五）项"),
    Row("art20_6.penalty", "行政处罚", "administrative penalties", _ITEMS_2019,
        keys=("行政处罚",), block="第二十条第（六）项"),
    Row("art20_6.coercion", "行政强制", "administrative coercion", _ITEMS_2019,
        keys=("行政强制",), block="第二十条第（六）项"),
    Row("art20_8.fees", "行政事业性收费", "administrative fees", _ITEMS_2019[:2],
        keys=("行政事业性收费", "事业性收费"), block="第二十条第（八）项"),
    Row("art20_9.procurement", "政府集中采购", "centralised government procurement", (
        Col("projects", "采购项目数量", "procurement projects", "项"),
        Col("amount_wan_yuan", "采购总金额", "procurement amount, 10,000 yuan", "万元"),
    ), keys=("政府集中采购", "集中采购"), block="第二十条第（九）项"),
))

ACTIVE_2021 = Table("active", "2021", (
    Row("art20_1.rules", "规章", "rules (规章)", _ISSUED_2021, keys=("规章",),
        block="第二十条第（一）项"),
    Row("art20_1.normative", "行政规范性文件", "administrative normative documents", _ISSUED_2021,
        keys=("规范性文件", "规范性档案"), block="第二十条第（一）项"),
    Row("art20_5.licensing", "行政许可", "administrative licensing", _DECISIONS_2021,
        keys=("行政许可",), block="第二十条第（五）项"),
    Row("art20_6.penalty", "行政处罚", "administrative penalties", _DECISIONS_2021,
        keys=("行政处罚",), block="第二十条第（六）项"),
    Row("art20_6.coercion", "行政强制", "administrative coercion", _DECISIONS_2021,
        keys=("行政强制",), block="第二十条第（六）项"),
    Row("art20_8.fees", "行政事业性收费", "administrative fees", (
        Col("amount_wan_yuan", "本年收费金额（单位：万元）", "fees collected, 10,000 yuan", "万元"),
    ), keys=("行政事业性收费", "事业性收费"), block="第二十条第（八）项"),
))

# --- table requests -------------------------------------------------------------------------

REQUEST_COLS = (
    Col("natural_person", "自然人", "natural persons", "件"),
    Col("commercial", "商业企业", "commercial enterprises", "件"),
    Col("research", "科研机构", "research institutions", "件"),
    Col("nonprofit", "社会公益组织", "public-interest organisations", "件"),
    Col("legal_services", "法律服务机构", "legal service providers", "件"),
    Col("other_org", "其他", "other organisations", "件"),
    Col("total", "总计", "total", "件"),
)


def _req(key: str, label: str, meaning: str, printed: tuple[str, ...], keys: tuple[str, ...] = (),
         exact: tuple[str, ...] = ()) -> Row:
    return Row(key, label, meaning, REQUEST_COLS, keys=keys, exact=exact, printed=printed)


_REQ_HEAD = (
    _req("received_new", "本年新收政府信息公开申请数量", "new requests received this year",
         ("一、本年新收政府信息公开申请数量",), keys=("本年新收",)),
    _req("carried_over", "上年结转政府信息公开申请数量", "requests carried over from last year",
         ("二、上年结转政府信息公开申请数量",), keys=("上年结转",)),
    _req("granted", "予以公开", "granted", ("三、本年度办理结果", "（一）予以公开"),
         keys=("予以公开",)),
    _req("partially_granted", "部分公开", "partially granted",
         ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）",), keys=("部分公开",)),
    _req("withheld.state_secret", "属于国家秘密", "withheld: state secret",
         ("（三）不予公开", "1.属于国家秘密"), keys=("国家秘密",)),
    _req("withheld.prohibited_by_law", "其他法律行政法规禁止公开",
         "withheld: prohibited by other laws or regulations", ("2.其他法律行政法规禁止公开",),
         keys=("法律行政法规禁止", "法律法规禁止")),
    _req("withheld.security_stability", "危及“三安全一稳定”",
         "withheld: endangers security or stability", ("3.危及“三安全一稳定”",),
         keys=("三安全一稳定",)),
    _req("withheld.third_party_rights", "保护第三方合法权益",
         "withheld: protects third-party rights", ("4.保护第三方合法权益",),
         keys=("第三方合法权益",)),
    _req("withheld.internal_affairs", "属于三类内部事务信息", "withheld: internal affairs",
         ("5.属于三类内部事务信息",), keys=("内部事务",)),
    _req("withheld.process_info", "属于四类过程性信息", "withheld: process information",
         ("6.属于四类过程性信息",), keys=("过程性信息",)),
    _req("withheld.enforcement_files", "属于行政执法案卷", "withheld: enforcement case files",
         ("7.属于行政执法案卷",), keys=("行政执法案卷",)),
    _req("withheld.inquiry_matter", "属于行政查询事项", "withheld: administrative inquiry matter",
         ("8.属于行政查询事项",), keys=("行政查询事项",)),
    _req("unavailable.not_held", "本机关不掌握相关政府信息", "unavailable: not held",
         ("（四）无法提供", "1.本机关不掌握相关政府信息"), keys=("不掌握",)),
    _req("unavailable.needs_creation", "没有现成信息需要另行制作",
         "unavailable: would have to be created", ("2.没有现成信息需要另行制作",),
         keys=("另行制作",)),
    _req("unavailable.still_unclear", "补正后申请内容仍不明确",
         "unavailable: still unclear after correction", ("3.补正后申请内容仍不明确",),
         keys=("仍不明确", "仍然不明确", "内容不明确")),
    _req("not_handled.petition_complaint", "信访举报投诉类申请",
         "not handled: petition, report or complaint", ("（五）不予处理", "1.信访举报投诉类申请"),
         keys=("信访举报投诉",)),
    _req("not_handled.repeated", "重复申请", "not handled: repeated request", ("2.重复申请",),
         keys=("重复申请",)),
    _req("not_handled.publication", "要求提供公开出版物", "not handled: asks for a publication",
         ("3.要求提供公开出版物",), keys=("公开出版物",)),
    _req("not_handled.excessive", "无正当理由大量反复申请",
         "not handled: excessive repeated requests", ("4.无正当理由大量反复申请",),
         keys=("大量反复",)),
    _req("not_handled.confirm_existing", "要求行政机关确认或重新出具已获取信息",
         "not handled: asks to confirm or reissue information already obtained",
         ("5.要求行政机关确认或重新出具已获取信息",), keys=("确认或重新出具", "重新出具")),
)
_REQ_TAIL = (
    _req("closed_total", "总计", "total closed", ("（七）总计",), exact=("总计", "合计")),
    _req("carried_forward", "结转下年度继续办理", "carried forward to next year",
         ("四、结转下年度继续办理",), keys=("结转下年度", "结转下一年度")),
)

REQUESTS_2019 = Table("requests", "2019", _REQ_HEAD + (
    _req("other", "其他处理", "other handling", ("（六）其他处理",),
         exact=("其他处理", "其它处理")),
) + _REQ_TAIL)

REQUESTS_2021 = Table("requests", "2021", _REQ_HEAD + (
    _req("other.no_correction",
         "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
         "other: applicant did not correct in time",
         ("（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
         keys=("逾期不补正", "逾期不予补正")),
    _req("other.fee_unpaid",
         "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
         "other: applicant did not pay the fee in time",
         ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",),
         keys=("缴纳费用", "收费通知")),
    _req("other.other", "其他", "other: other", ("3.其他",), exact=("其他", "其它")),
) + _REQ_TAIL)

# Labels of groups of rows: printed before a sub-row's own label, never rows themselves.
REQUEST_GROUPS = ("本年度办理结果", "不予公开", "无法提供", "不予处理", "其他处理", "其它处理")

# --- table appeals --------------------------------------------------------------------------

APPEAL_COLS = (
    Col("upheld", "结果维持", "decision upheld", "件"),
    Col("corrected", "结果纠正", "decision corrected", "件"),
    Col("other", "其他结果", "other outcome", "件"),
    Col("pending", "尚未审结", "not yet concluded", "件"),
    Col("total", "总计", "total", "件"),
)
_APPEAL_ROWS = (
    Row("review", "行政复议", "administrative review", APPEAL_COLS, exact=("行政复议",)),
    Row("litigation_direct", "未经复议直接起诉", "litigation without prior review", APPEAL_COLS,
        keys=("未经复议",)),
    Row("litigation_after_review", "复议后起诉", "litigation after review", APPEAL_COLS,
        exact=("复议后起诉",)),
)
APPEALS_2019 = Table("appeals", "2019", _APPEAL_ROWS)
APPEALS_2021 = Table("appeals", "2021", _APPEAL_ROWS)

SCHEMAS: dict[str, dict[str, Table]] = {
    "2019": {"active": ACTIVE_2019, "requests": REQUESTS_2019, "appeals": APPEALS_2019},
    "2021": {"active": ACTIVE_2021, "requests": REQUESTS_2021, "appeals": APPEALS_2021},
}

# Header words that tell the templates apart (normalised: no spaces, no punctuation), found
# anywhere in a label, or in two consecutive labels (a header split over two lines:
# 本年新 / 制作数量). Shortened forms seen on real pages are included (本年新制作, 现行有效).
TEMPLATE_MARKERS = {
    "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "政府集中采购",
             "采购总金额", "第二十条第九项", "本年新制作", "本年新公开", "对外公开总数",
             "上一年项目数", "上年项目数量", "采购项目数量"),
    "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "本年处理决定数量", "本年收费金额",
             "逾期不补正", "缴纳费用", "本年制发", "本年废止", "现行有效件"),
}
# Header cells shortened to a stem that only one template prints as a whole label.
TEMPLATE_HEADERS = {"2019": ("本年新", "本年新制", "本年新公"), "2021": ("本年制", "本年废")}

# Column headings of every table of both templates, as printed (the cells of the lowest
# header row), and the words of the header rows above them (groups of columns).
COLUMN_LABELS = tuple(dict.fromkeys(c.label for t in SCHEMAS.values() for tb in t.values()
                                    for r in tb.rows for c in r.cols))
HEADER_GROUPS = ("申请人情况", "法人或其他组织", "行政复议", "行政诉讼", "未经复议直接起诉",
                 "复议后起诉")


def table(template: str, key: str) -> Table:
    return SCHEMAS[template][key]
