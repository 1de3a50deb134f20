"""Writes the circular of one period (GB/T 9704 layout, with its attachment table) to Word."""

from indicators.exports.docx import circular_docx_bytes, circular_filename
from indicators.management.commands import export_summary


class Command(export_summary.Command):
    """export_summary's command (same arguments, messages and audit record), writing Word."""

    help = (
        "导出通报（Word，GB/T 9704 版式）：由数据生成的通报文字开头，附件为通报附件表；"
        "文字与表格出自同一份汇总数据。"
    )
    kind = "Word 通报"
    format = "docx"
    example = "2023年上半年全市知识产权工作情况通报.docx"

    def content(self, summary) -> tuple[bytes, str]:
        return circular_docx_bytes(summary), circular_filename(summary)
