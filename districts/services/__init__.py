"""Writes about people and units. Each checks access, validates, locks what it changes and is
audited: accounts and passwords (``accounts``; sign-in itself is districts.signin), the unit
tree and populations (``units``), the installation's words (``wording``)."""

from .accounts import (
    account_create,
    account_create_errors,
    account_password_set,
    account_rule_errors,
    account_update,
    generated_password,
    password_changed,
    username_errors,
    username_taken,
)
from .units import (
    POPULATION_PLACES,
    UNIT_FIELDS,
    Saved,
    population_errors,
    population_save,
    unit_errors,
    unit_save,
)
from .wording import Level, level_errors, wording_errors, wording_save

__all__ = [
    "POPULATION_PLACES",
    "UNIT_FIELDS",
    "Level",
    "Saved",
    "account_create",
    "account_create_errors",
    "account_password_set",
    "account_rule_errors",
    "account_update",
    "generated_password",
    "level_errors",
    "password_changed",
    "population_errors",
    "population_save",
    "unit_errors",
    "unit_save",
    "username_errors",
    "username_taken",
    "wording_errors",
    "wording_save",
]
