"""Validation of form input: every rule has a message naming the field, Chinese first."""

from app.validation.form import FormResult, validate_form
from app.validation.rules import FieldError, FieldInvalid

__all__ = ["FieldError", "FieldInvalid", "FormResult", "validate_form"]
