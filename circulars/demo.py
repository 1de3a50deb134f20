"""Zaozhuang's document settings for the demo (``manage.py demo``): the seed circular's
number, addressees and signature, and which of the demo's indicators each section reports."""

from districts.access import SYSTEM
from indicators.models import Indicator

from .models import DocumentSettings
from .services import settings_save

ZAOZHUANG = {
    "issuer_mark": "枣庄市政府知识产权战略实施工作领导小组办公室",
    "number_pattern": "枣知战办〔{year}〕{n:02d}号",
    "addressees": (
        "各区（市）人民政府、枣庄高新区管委会，市政府知识产权战略实施工作领导小组成员单位，有关企业"
    ),
    "signature": "枣庄市政府知识产权战略实施工作领导小组办公室",
    "printer": "枣庄市政府知识产权战略实施工作领导小组办公室",
    "colophon": True,
}
SECTIONS = {
    "creation": [
        "invention_grants",
        "valid_inventions",
        "pct_applications",
        "new_trademarks",
        "valid_trademarks",
        "well_known_marks",
        "gi_products",
        "gi_marks",
        "madrid_marks",
    ],
    "protection": ["infringement_rulings", "aid_cases", "ecommerce_cases"],
    "use": [
        "certified_enterprises",
        "insured_enterprises",
        "insured_patents",
        "insurance_premium",
        "insurance_subsidy",
    ],
}


def load_demo_settings() -> None:
    """Fills the settings once; what the office changed since is kept."""
    if DocumentSettings.objects.exists():
        return
    codes = [c for cs in SECTIONS.values() for c in cs]
    found = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    settings_save(
        actor=SYSTEM,
        **ZAOZHUANG,
        sections={
            name: [found[c] for c in codes if c in found] for name, codes in SECTIONS.items()
        },
    )
