"""Table cells checked by their length alone get the schema field's own verdict and message."""
import pytest
from marshmallow import ValidationError

from app.registry import columns
from app.registry.schemas import (AddressSchema, AliasSchema, EntityImportSchema, IdentifierSchema, LicenceSchema,
                                  PersonRoleSchema)

LENGTH_CHECKED = [EntityImportSchema._declared_fields["legal_name"], EntityImportSchema._declared_fields["website"],
                  AliasSchema._declared_fields["name"], IdentifierSchema._declared_fields["value"],
                  AddressSchema._declared_fields["line"], AddressSchema._declared_fields["city"],
                  PersonRoleSchema._declared_fields["name"], LicenceSchema._declared_fields["authority"],
                  LicenceSchema._declared_fields["number"], LicenceSchema._declared_fields["status_raw"]]


def verdict(check, value):
    try:
        return True, check(value)
    except ValidationError as err:
        return False, err.messages


@pytest.mark.parametrize("field", LENGTH_CHECKED)
def test_a_cell_checked_by_length_gets_the_fields_own_verdict(field):
    low, high = columns.length_limits(field)
    checker = columns.Checker()
    for length in sorted({0, 1, low, high, high + 1, 1000}):
        for value in ("x" * length, "ü" * length):
            assert verdict(lambda v: checker.check(field, v), value) == verdict(field.deserialize, value)


def test_fields_with_other_checks_go_through_the_field():
    assert columns.length_limits(EntityImportSchema._declared_fields["kind"]) is None
    assert columns.length_limits(EntityImportSchema._declared_fields["country"]) is None
    assert columns.length_limits(IdentifierSchema._declared_fields["scheme"]) is None
    assert columns.length_limits(LicenceSchema._declared_fields["valid_until"]) is None


def test_a_too_long_name_is_reported_with_the_schemas_message():
    record, problems = columns.validate_row(columns.Checker(), {"legal_name": "A" * 301, "country": "NP"})
    assert problems == {"legal_name": ["Length must be between 1 and 300."]}
