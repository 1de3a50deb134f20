"""A city's approved figures of a period, sent up to a province's installation of this
product through its API, where they become the city's report in the province's workflow.

The city sends its own totals as one unit (the total row of its summary, the one every page
and file reads). At the province the unit's report is saved and submitted like any unit's
(``PUT …/report/``); sent again unchanged, nothing happens; a changed figure goes as a
correction (``POST …/report/correction/``): the province's report is reopened and
resubmitted with it, for the province's office to review again. Nothing is overwritten.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from urllib.parse import quote, urlsplit

from districts.models import Unit
from indicators import levels
from indicators.models import Period, Report
from indicators.selectors import summarize

from .payloads import dec

TIMEOUT_SECONDS = 30
RESPONSE_MAX_BYTES = 1024 * 1024
TOKEN_FILE_MAX_BYTES = 1024

# (method, url, headers, body or None) → (status, parsed JSON body or None)
Transport = Callable[[str, str, dict, bytes | None], tuple[int, object]]


class PushError(Exception):
    """Why the figures were not sent (in Chinese, for the command's message)."""


@dataclass
class PushResult:
    outcome: str  # "submitted", "corrected" or "unchanged"
    state: str
    version: int

    @property
    def message(self) -> str:
        return {
            "submitted": "已报送，等待上级审核。",
            "corrected": "上级已有的数据与本次不同，已作为更正重新报送，等待上级重新审核。",
            "unchanged": "上级已有相同的数据，未做任何修改。",
        }[self.outcome]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is refused, never followed: urllib would carry the token's header to
    wherever it points (another host, plain http), past check_url."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise PushError(
            f"上级系统把请求转到了另一个地址（{code}），为保护令牌没有跟随。"
            "请在 --to 中写上级系统的准确地址。"
        )


_OPENER = urllib.request.build_opener(_NoRedirects)


def urllib_transport(method: str, url: str, headers: dict, body: bytes | None):
    """HTTP with the standard library: a bounded wait and a bounded answer, no redirects."""
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, _json(response.read(RESPONSE_MAX_BYTES + 1))
    except urllib.error.HTTPError as exc:
        return exc.code, _json(exc.read(RESPONSE_MAX_BYTES + 1))
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise PushError(f"无法连接上级系统 {url}：{reason}") from None


def _json(data: bytes):
    if len(data) > RESPONSE_MAX_BYTES:
        raise PushError("上级系统的应答过大。")
    try:
        return json.loads(data.decode("utf-8")) if data else None
    except (UnicodeDecodeError, ValueError):
        return None


def read_token(path: str) -> str:
    try:
        with open(path, "rb") as f:
            data = f.read(TOKEN_FILE_MAX_BYTES + 1)
    except OSError as exc:
        raise PushError(f"无法读取令牌文件“{path}”：{exc.strerror or exc}") from None
    token = data.decode("ascii", errors="replace").strip()
    if len(data) > TOKEN_FILE_MAX_BYTES or not token or any(c.isspace() for c in token):
        raise PushError(f"令牌文件“{path}”应只有一行令牌。")
    return token


def approved_totals(period: Period, unit: Unit) -> dict[str, Decimal]:
    """The unit's own totals of the period, once every report below it is approved."""
    waiting = [u.name for u in levels.unapproved_below(unit, period)]
    if waiting:
        listed = "、".join(waiting[:10]) + ("等" if len(waiting) > 10 else "")
        raise PushError(
            f"{unit.name}{period.title}还有 {len(waiting)} 个单位的数据未经审核（{listed}），"
            "审核通过后才能上报。"
        )
    total = summarize(period, unit).total
    return {code: cell.value for code, cell in total.cells.items() if cell.value is not None}


def check_url(base: str) -> str:
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise PushError(f"上级系统地址“{base[:100]}”不对，应如 https://省级系统/ 。")
    if parts.scheme == "http" and parts.hostname not in ("localhost", "127.0.0.1", "::1"):
        # The token would cross the network in clear text.
        raise PushError("上级系统地址须以 https:// 开头（令牌不能明文传送）。")
    return base.rstrip("/")


def push_period(
    *,
    period: Period,
    unit: Unit,
    base_url: str,
    token: str,
    remote_unit: str | None = None,
    transport: Transport | None = None,
) -> PushResult:
    send = transport or urllib_transport
    values = approved_totals(period, unit)
    url = (
        f"{check_url(base_url)}/api/v1/periods/{quote(period.code)}"
        f"/units/{quote(remote_unit or unit.code)}/report/"
    )
    headers = {
        "Authorization": f"Bearer {token}",
        "Accept": "application/json",
        "Content-Type": "application/json",
    }

    def call(method: str, address: str, payload: dict | None = None) -> dict:
        body = json.dumps(payload).encode() if payload is not None else None
        status, data = send(method, address, headers, body)
        detail = data.get("detail") if isinstance(data, dict) else None
        if status >= 400 or not isinstance(data, dict):
            errors = data.get("errors") if isinstance(data, dict) else None
            more = "；".join(f"{k or '整表'}：{'，'.join(v)}" for k, v in (errors or {}).items())
            raise PushError(
                f"上级系统拒绝（HTTP {status}）：{detail or '无说明'}"
                + (f"（{more}）" if more else "")
            )
        return data

    remote = call("GET", url)
    wanted = [line["indicator"] for line in remote.get("lines", [])]
    missing = [code for code in wanted if code not in values]
    if missing:
        raise PushError(f"上级要求的指标本级没有数值：{'、'.join(missing)}。")
    figures = {code: dec(values[code]) for code in wanted}
    stored = {line["indicator"]: _decimal(line.get("value")) for line in remote["lines"]}
    state, version = remote.get("state"), remote.get("version", 0)
    if state in (Report.State.SUBMITTED, Report.State.APPROVED):
        if all(stored.get(code) == values[code] for code in wanted):
            return PushResult("unchanged", state, version)
        changed = [c for c in wanted if stored.get(c) != values[c]]
        reason = "本级数据更正：" + "；".join(
            f"{c} {dec(stored.get(c)) or '（空）'} → {figures[c]}" for c in changed
        )
        done = call(
            "POST",
            url + "correction/",
            {"version": version, "figures": figures, "reason": reason[:2000]},
        )
        return PushResult("corrected", done["state"], done["version"])
    done = call("PUT", url, {"version": version, "figures": figures, "submit": True})
    return PushResult("submitted", done["state"], done["version"])


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(value) if value is not None else None
    except (InvalidOperation, TypeError):
        return None
