"""Upload forms for the target sheet and the district template: they only collect the file."""

from django import forms

from spreadsheets.reading import SheetError, check_size


class SheetUploadForm(forms.Form):
    file = forms.FileField(
        label="选择填好的 Excel 文件（.xlsx）",
        error_messages={
            "required": "请选择要上传的文件。",
            "empty": "文件是空的（0 字节）。请选择填好数据的 Excel 文件。",
            "invalid": "没有收到文件，请重新选择。",
        },
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except SheetError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload

    def data_bytes(self) -> bytes:
        upload = self.cleaned_data["file"]
        return b"".join(upload.chunks())


class ConfirmForm(forms.Form):
    """The preview's confirmation: a signed copy of what was checked, nothing else."""

    payload = forms.CharField(widget=forms.HiddenInput)
