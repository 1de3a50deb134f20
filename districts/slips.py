"""The one-time passwords of accounts created in bulk, handed out once, in one workbook.

Sheet 1 lists the accounts (for the administrator's record of who got what); sheet 2 holds
one slip per account, cut along the dashed lines and handed to each person. The passwords
are never stored in plain text: this file, written once as the import is confirmed, is the
only place they appear.
"""

from __future__ import annotations

from dataclasses import dataclass

import openpyxl
from openpyxl.styles import Alignment, Border, Side
from openpyxl.worksheet.pagebreak import Break

from spreadsheets.writing import (
    BODY_FONT,
    BORDER,
    CENTER,
    HEADER_FILL,
    HEADER_FONT,
    LEFT,
    NOTE_FONT,
    TITLE_FONT,
    put,
    save,
)

SLIPS_PER_PAGE = 6  # A4 portrait, six slips of six rows
SLIP_ROWS = 6  # five lines and a gap to cut along
DASHED = Side(style="dashed", color="888888")
SLIP_BORDER = Border(left=DASHED, right=DASHED, top=DASHED, bottom=DASHED)
PASSWORD_FONT = openpyxl.styles.Font(name="Consolas", size=14, bold=True)


@dataclass(frozen=True)
class Created:
    """An account just created, with the password it was given (only ever held in memory)."""

    username: str
    name: str
    unit: str
    role: str
    password: str


def _list_sheet(ws, created: list[Created], *, title: str, note: str) -> None:
    ws.title = "账号清单"
    headers = ["序号", "用户名", "姓名", "单位", "角色", "初始密码"]
    put(ws, 1, 1, title, font=TITLE_FONT)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    put(ws, 2, 1, note, font=NOTE_FONT, align=LEFT)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    ws.row_dimensions[2].height = 36
    for c, header in enumerate(headers, start=1):
        cell = put(ws, 3, c, header, font=HEADER_FONT)
        cell.fill, cell.border = HEADER_FILL, BORDER
    for r, account in enumerate(created, start=4):
        values = [r - 3, account.username, account.name, account.unit, account.role]
        for c, value in enumerate([*values, account.password], start=1):
            cell = put(ws, r, c, value, font=BODY_FONT, align=CENTER if c == 1 else LEFT)
            cell.border = BORDER
    for letter, width in zip("ABCDEF", [6, 18, 12, 24, 18, 22], strict=True):
        ws.column_dimensions[letter].width = width
    ws.print_title_rows = "3:3"
    ws.freeze_panes = "A4"


def _slip_sheet(ws, created: list[Created], *, system_name: str, login_url: str) -> None:
    ws.column_dimensions["A"].width = 14
    ws.column_dimensions["B"].width = 56
    for index, account in enumerate(created):
        top = index * SLIP_ROWS + 1
        lines = [
            (system_name, ""),
            ("用户名", account.username),
            ("姓名", f"{account.name}（{account.unit}，{account.role}）"),
            ("初始密码", account.password),
            ("", f"登录地址：{login_url}　首次登录后须立即修改密码；请勿转交他人。"),
        ]
        for offset, (label, value) in enumerate(lines):
            row = top + offset
            if offset == 0:
                put(ws, row, 1, label, font=HEADER_FONT, align=LEFT)
                ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
            else:
                put(ws, row, 1, label, font=BODY_FONT, align=LEFT)
                font = PASSWORD_FONT if label == "初始密码" else BODY_FONT
                if not label:
                    font = NOTE_FONT
                put(ws, row, 2, value, font=font, align=Alignment(vertical="center"))
            ws.row_dimensions[row].height = 24
            for col in (1, 2):
                ws.cell(row, col).border = Border(
                    left=DASHED if col == 1 else None,
                    right=DASHED if col == 2 else None,
                    top=DASHED if offset == 0 else None,
                    bottom=DASHED if offset == len(lines) - 1 else None,
                )
        ws.row_dimensions[top + SLIP_ROWS - 1].height = 18  # the gap
        if (index + 1) % SLIPS_PER_PAGE == 0 and index + 1 < len(created):
            ws.row_breaks.append(Break(id=top + SLIP_ROWS - 1))
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_PORTRAIT
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def password_book(created: list[Created], *, system_name: str, login_url: str) -> bytes:
    """The workbook of ``created``: the list, then one slip per account."""
    wb = openpyxl.Workbook()
    _list_sheet(
        wb.active,
        created,
        title=f"{system_name}：新建账号及初始密码",
        note="初始密码只在本文件中出现一次，系统不保存明文。首次登录时必须修改密码。"
        "请妥善保管本文件，分发完毕后删除。",
    )
    slips = wb.create_sheet("密码条")
    _slip_sheet(slips, created, system_name=system_name, login_url=login_url)
    return save(wb, lock_structure=False)
