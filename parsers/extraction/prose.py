"""The figures a report's own text states for its table cells, read strictly, and checks on them.

Reports state their key totals twice: in the prose before the tables (全年共收到政府信息公开申请
25件, 结转下年度继续办理2件, 被申请行政复议1件, 制发行政规范性文件5件) and in the tables. Read:
the requests table's totals (received_new, carried_over, granted, closed_total,
carried_forward), the review total and the two litigation rows together, and in the 2021
template the rules and normative documents issued / repealed / in force and the 行政事业性收费
amount. Not read, for no cell holds them: items published (主动公开政府信息1,234条) and the
fees for answering requests (收取费用0元). The prose is a second,
independent reading: a table that disagrees with its text gets a failed ``prose.*`` check, and a
cell the tables lost (left out as ambiguous, unreadable OCR) is taken from the text as a fact
with ``origin`` ``prose`` — never over a cell the tables have.

A wrong pairing is worse than none, so only one shape of clause is read: the subject and one
number in the same clause (between ，；。), the report's own agency-level total, no comparison
(同比, 较上年, 增长), no percentage or rate, no other year, no approximate figure (余, 多, 约),
no breakdown by applicant or channel (自然人, 网上), no sum over several agencies (全市, 各部门)
and, after a 其中, nothing but the granted count of a whole-year total just stated. Only the
text before the first table is read. Pure: no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from nianbao.parsers.document import Document
from nianbao.parsers.extraction.segments import MAX_LABEL, heading_region
from nianbao.parsers.model import Check, Fact, Number
from nianbao.parsers.normalize import label_key, nfkc, to_simplified
from nianbao.parsers.values import money_in_wan, read_value, to_number, too_long

# Lines of prose read at most: the 总体情况 section is a few dozen paragraphs.
MAX_CELLS = 400

# A paragraph worth reading holds a count or an amount: digits and then a unit.
_HAS_COUNT = re.compile(r"\d\s*(?:件|起|宗|例|万元|元)")
_SENTENCE = re.compile(r"[。；;！!？?\n]+")
# NFKC makes every comma half-width: one between digits groups thousands (1,234).
_CLAUSE = re.compile(r"[，：:]+|(?<!\d),|,(?!\d{3}(?:\D|$))")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?")
_SPACES = re.compile(r"\s+")
# Not a table heading: a sentence (digits, sentence punctuation) or a bracketed sub-heading.
_NOT_HEADING = re.compile(r"\d|[。，,；;]|^\s*[(（]")
_TABLE_REGIONS = ("active", "requests", "appeals")

# Words that make a whole sentence about more than this agency or a part of the year, or make
# a total include something (含上年结转).
_SENTENCE_REFUSED = re.compile(
    r"全市|全区|全县|全省|全州|全盟|全旗|全镇|全乡|全街道|全国|全系统|各级|各部门|各单位|各乡|"
    r"各镇|各街道|各县|各区|各地|各委|所属|下属|系统内|半年|季度|月份|\d+月|累计|历年|以来|"
    r"含|包括")
# Words that make a clause a comparison, a share, a breakdown or an approximate figure.
_CLAUSE_REFUSED = re.compile(
    r"同比|环比|较|比上|比去|增长|增加|减少|下降|上升|持平|%|％|百分|率|占|平均|均|人次|"
    r"自然人|法人|企业|机构|组织|网上|网络|在线|当面|现场|信函|邮寄|传真|电子邮件|邮箱|电话|"
    r"分别|各\d|各为|各有|均为|约|近|逾|超过|不到|以上|以下|左右|或|和|及|与|含|包括|"
    r"明年|下一步|计划|预计|力争")
_OTHER_YEARS = re.compile(r"上年|去年|上一年|前年|下年|下一年|次年")
# A count unit right after the figure, and nothing approximate around it.
_APPROX_AFTER = re.compile(r"^\s*(?:余|多)")
_APPROX_BEFORE = re.compile(r"(?:余|多|约|近|逾|超|达)$")
# Subjects that are not requests for government information.
_NOT_REQUESTS = re.compile(r"投诉|建议|留言|咨询|信访|举报|热线|来信|来电|诉求|案件|事项|复议|诉讼|"
                           r"许可|审批|登记|备案|补贴|救助|服务")
# A request for government information (not a licence application, not a review application).
_OGI_REQUEST = re.compile(r"信息公开申请|依申请公开|公开申请|申请公开")
# A clause naming its own cause (因行政处罚被申请行政复议5件) is about that cause.
_CAUSE = re.compile(r"因|涉及|关于|针对|引起|引发")
# A total whose breakdown names carried-over requests counted them: it is not 本年新收.
_COUNTS_CARRIED = re.compile(r"其中.*?(?:上年|上一年|去年|结转)")
# The text speaks of information disclosure (for review and litigation: the agency's own cases).
_OGI = re.compile(r"信息公开")


@dataclass(frozen=True, slots=True)
class _Rule:
    """One cell and the only clause shape that states it: ``subject`` then the figure."""

    table: str
    row: str
    col: str
    subject: re.Pattern[str]  # must precede the figure in the clause
    units: tuple[str, ...]  # units allowed right after the figure (longest first)
    refused: re.Pattern[str]  # words that make the clause about something else
    templates: tuple[str, ...] = ("2019", "2021")
    # The sentence (or, when it names no application at all, the one before it in the
    # paragraph) speaks of requests for government information and of nothing else.
    needs_requests: bool = False
    # The clause, or one before it in the sentence, names 信息公开, and the clause no other cause.
    needs_ogi: bool = False
    other_years: bool = False  # 上年/下年 belong to the subject (结转)
    object: re.Pattern[str] | None = None  # must come before the figure, or right after its unit
    money: bool = False  # an amount: decimals allowed, converted to 万元


_COUNT = ("件",)
_CASES = ("件", "起", "宗", "例")
_MONEY = ("万元", "元")
# Table 二 of the 2021 template: documents issued, repealed, in force. Another row's words, or
# a verb of another column, in the clause make it about something else.
_DOCS_REFUSED = "清理|审查|审核|备案|修订|修改|起草|征求|解读|公开|转发|执行"
_NORMATIVE = re.compile(r"规范性文件")
_RULES_DOC = re.compile(r"规章")


def _active(row: str, col: str, verb: str, obj: re.Pattern[str], other: str) -> _Rule:
    return _Rule("active", row, col, re.compile(verb), _COUNT,
                 re.compile(f"{other}|{_DOCS_REFUSED}"), templates=("2021",), object=obj)


_ISSUED, _REPEALED, _IN_FORCE = r"制发|印发|出台", r"废止", r"现行有效"
_RULES = (
    _active("art20_1.normative", "issued", _ISSUED, _NORMATIVE,
            f"规章|{_REPEALED}|{_IN_FORCE}"),
    _active("art20_1.normative", "repealed", _REPEALED, _NORMATIVE,
            f"规章|{_ISSUED}|{_IN_FORCE}"),
    _active("art20_1.normative", "in_force", _IN_FORCE, _NORMATIVE,
            f"规章|{_ISSUED}|{_REPEALED}"),
    _active("art20_1.rules", "issued", r"制发|制定|出台", _RULES_DOC,
            f"规范性文件|{_REPEALED}|{_IN_FORCE}"),
    _active("art20_1.rules", "repealed", _REPEALED, _RULES_DOC,
            f"规范性文件|{_ISSUED}|{_IN_FORCE}"),
    _active("art20_1.rules", "in_force", _IN_FORCE, _RULES_DOC,
            f"规范性文件|{_ISSUED}|{_REPEALED}"),
    # 行政事业性收费 collected (table 二, 2021): never the fees for answering requests (处理费).
    _Rule("active", "art20_8.fees", "amount_wan_yuan", re.compile(r"行政事业性收费"), _MONEY,
          re.compile(r"处理费|信息公开|申请|检索|复制|邮寄|减免|项目|事项|标准|清单|目录"),
          templates=("2021",), money=True),
    _Rule("requests", "received_new", "total", re.compile(r"收到|新收|受理|接收|接到"), _COUNT,
          re.compile(r"结转|办结|办理完毕|答复|予以|不予|转办|退回|撤回|复议|诉讼"),
          needs_requests=True, object=_OGI_REQUEST),
    _Rule("requests", "carried_over", "total", re.compile(r"(?:上年度?|上一年度?|去年)结转"),
          _COUNT, re.compile(r"下一?年|次年|办结|收到|新收|受理"), needs_requests=True,
          other_years=True),
    _Rule("requests", "closed_total", "total", re.compile(r"办结|办理完毕|处理完毕"), _COUNT,
          re.compile(r"结转|按时|按期|予以|部分|收到|新收|受理|正在|尚未|未办结"),
          needs_requests=True),
    _Rule("requests", "carried_forward", "total",
          re.compile(r"(?:结转|转入|顺延)(?:至|到|入)?(?:下一?年度?|次年)"), _COUNT,
          re.compile(r"上年|上一年|去年|收到|新收|受理|办结|案件|复议|诉讼"), needs_requests=True,
          other_years=True),
    _Rule("requests", "granted", "total", re.compile(r"予以公开|同意公开"), _COUNT,
          re.compile(r"部分|不予|主动|办结|收到|受理|结转"), needs_requests=True),
    _Rule("appeals", "review", "total", re.compile(r"行政复议"), _CASES,
          re.compile(r"诉讼|起诉|纠错|纠正|维持|撤销|确认|审结|办理|审理|受理|收到|承办|作出|决定|"
                     r"终止|驳回|调解|和解"), needs_ogi=True),
    # Both litigation rows together: the text rarely tells direct suits from suits after review.
    _Rule("appeals", "litigation", "total", re.compile(r"行政诉讼"), _CASES,
          re.compile(r"复议|起诉|一审|二审|再审|败诉|胜诉|判决|裁定|纠错|纠正|维持|撤销|审结|审理|"
                     r"受理|收到|办理|作出|终止|驳回|调解|和解"), needs_ogi=True),
)
_LITIGATION_ROWS = ("litigation_direct", "litigation_after_review")
_GRANTED_AFTER = frozenset({"received_new", "closed_total"})  # totals a 其中 may break down


@dataclass(frozen=True, slots=True)
class Figure:
    """A number the text states for one cell (``row`` ``litigation``: both litigation rows)."""

    table: str
    row: str
    col: str
    value: Number
    raw: str  # the figure as printed (25件)
    unit: str  # 件, or 万元 for an amount (converted)
    clause: str  # the clause it was read from (normalised), for the warning


def prose_text(doc: Document) -> list[str]:
    """The paragraphs before the first table: cells up to a table heading or a number cell.
    Rows of a page's layout or navigation tables (no number in them) are read on as text."""
    out: list[str] = []
    for line in doc.lines:
        for cell in line.cells:
            if not cell:
                continue
            if _ends_prose(cell):
                return out
            out.append(cell)
            if len(out) >= MAX_CELLS:
                return out
    return out


def _ends_prose(cell: str) -> bool:
    """A table's heading (三、收到和处理政府信息公开申请情况) or a bare number: the tables begin.
    A sentence naming the same words (…被申请行政复议3件，未被提起行政诉讼) and a numbered
    sub-heading of 总体情况 (（三）行政复议和行政诉讼) do not end the prose."""
    if read_value(cell) is not None:
        return cell.strip() not in ("", "|")
    if len(cell) > MAX_LABEL + 8 or _NOT_HEADING.search(cell):
        return False
    key = label_key(cell)
    return len(key) <= MAX_LABEL and heading_region(key) in _TABLE_REGIONS


def _pieces(sentence: str) -> list[str]:
    """Clauses: split at ，：, and at 、 after a figure (予以公开12件、部分公开3件), never between
    two subjects that share one figure (行政复议、行政诉讼共3件 stays one clause)."""
    out: list[str] = []
    for clause in _CLAUSE.split(sentence):
        parts = clause.split("、")
        held = ""
        for part in parts:
            held = f"{held}、{part}" if held else part
            if _NUMBER.search(part):
                out.append(held)
                held = ""
        if held:
            out.append(held)
    return [p for p in out if p]


def _figure(clause: str, rule: _Rule, year: int | None) -> tuple[Number, str] | None:
    """The one figure of ``clause`` for ``rule``, or ``None`` when the clause is not that
    rule's shape."""
    m = rule.subject.search(clause)
    if m is None or rule.refused.search(clause):
        return None
    if not rule.other_years and _OTHER_YEARS.search(clause):
        return None
    text = clause
    if year is not None:
        text = text.replace(f"{year}年度", "").replace(f"{year}年", "")
    numbers = list(_NUMBER.finditer(text))
    if len(numbers) != 1:
        return None
    n = numbers[0]
    after, before = text[n.end():], text[:n.start()]
    unit = next((u for u in rule.units if after.startswith(u)), None)
    if unit is None or _APPROX_AFTER.match(after[len(unit):]):
        return None
    if _APPROX_BEFORE.search(before) or ("." in n.group() and not rule.money):
        return None
    start = rule.subject.search(text)
    if start is None or start.start() > n.start():
        return None
    if rule.object is not None:
        placed = rule.object.search(before, start.end()) or rule.object.search(after, len(unit))
        if placed is None:
            return None
    digits = n.group().replace(",", "")
    if too_long(digits):
        return None  # no figure of the tables is that long (values.MAX_INTEGER_DIGITS)
    number = Decimal(digits)
    if rule.money:
        number = money_in_wan(number, unit)
    return to_number(number), f"{n.group()}{unit}"


def read_figures(doc: Document, template: str, year: int | None) -> list[Figure]:
    """Every figure the prose before the tables states for a cell of ``template``; a cell stated
    twice with different numbers is left out (the text contradicts itself)."""
    found: dict[tuple[str, str, str], list[Figure]] = {}
    rules = [r for r in _RULES if template in r.templates]
    for paragraph in prose_text(doc):
        if not _HAS_COUNT.search(paragraph):
            continue
        text = _SPACES.sub("", to_simplified(nfkc(paragraph)))
        context = False  # the sentence before spoke of requests for information only
        for sentence in _SENTENCE.split(text):
            named = _OGI_REQUEST.search(sentence) or (context and "申请" not in sentence)
            requests_only = bool(named) and not _NOT_REQUESTS.search(sentence)
            context = requests_only
            if not _HAS_COUNT.search(sentence) or _SENTENCE_REFUSED.search(sentence):
                continue
            ogi = False
            carried_in = bool(_COUNTS_CARRIED.search(sentence))
            totals: set[str] = set()  # whole-year totals read so far in the sentence
            broken_down: set[str] = set()  # the totals a 其中 breaks down
            under_breakdown = False  # a 其中 came: what follows is a part of something
            for clause in _pieces(sentence):
                if "其中" in clause:
                    if not under_breakdown:
                        broken_down = set(totals)
                    under_breakdown = True
                    clause = clause.replace("其中", "")
                own = bool(_OGI.search(clause))
                ogi = ogi or own
                if _CLAUSE_REFUSED.search(clause):
                    continue
                cause_ok = own or not _CAUSE.search(clause)
                hits = []
                for rule in rules:
                    if rule.needs_requests and not requests_only:
                        continue
                    if rule.needs_ogi and not (ogi and cause_ok):
                        continue
                    if carried_in and rule.row == "received_new":
                        continue
                    got = _figure(clause, rule, year)
                    if got is not None:
                        hits.append((rule, got))
                if len(hits) != 1:  # none, or one clause that could be two cells
                    continue
                rule, (value, raw) = hits[0]
                unit = "万元" if rule.money else "件"
                if under_breakdown and not (rule.row == "granted" and broken_down & _GRANTED_AFTER):
                    continue
                if not under_breakdown:
                    totals.add(rule.row)
                found.setdefault((rule.table, rule.row, rule.col), []).append(
                    Figure(rule.table, rule.row, rule.col, value, raw, unit, clause))
    out: list[Figure] = []
    for figures in found.values():
        if len({f.value for f in figures}) == 1:
            out.append(figures[0])
    return out


def _check(name: str, lhs: Number, rhs: Number) -> Check:
    """Amounts in 万元 compare to six decimals (1.25 from 12500元 is 1.25)."""
    lhs, rhs = (x if isinstance(x, int) else round(x, 6) for x in (lhs, rhs))
    return Check(name, lhs == rhs, lhs, rhs)


def apply(figures: list[Figure], facts: list[Fact]) -> tuple[list[Fact], list[Check], list[str]]:
    """Checks of the table against its text, and the text's figures for cells the tables lost
    (only in a table that was read: a table missing as a whole is not rebuilt from prose)."""
    if not figures:  # most reports: no index of the facts to build
        return facts[:], [], []
    index = {(f.table, f.row, f.col): f for f in facts}
    tables = {f.table for f in facts}
    added: list[Fact] = []
    checks: list[Check] = []
    warnings: list[str] = []
    for fig in figures:
        name = f"prose.{fig.table}.{fig.row}.{fig.col}"
        if fig.row == "litigation":
            cells = [index.get((fig.table, row, fig.col)) for row in _LITIGATION_ROWS]
            if all(c is None for c in cells):
                continue
            lhs: Number = sum(c.value for c in cells if c is not None and c.value is not None)
            checks.append(_check(name, lhs, fig.value))
            continue
        cell = index.get((fig.table, fig.row, fig.col))
        if cell is not None:
            checks.append(_check(name, cell.value if cell.value is not None else 0, fig.value))
        elif fig.table in tables:
            added.append(Fact(fig.table, fig.row, fig.col, fig.value, fig.raw, fig.unit,
                              "prose"))
            warnings.append(f"{fig.table}.{fig.row}.{fig.col}: not read from the table; "
                            f"{fig.value} taken from the text ({fig.clause})")
    return facts + added, checks, warnings
