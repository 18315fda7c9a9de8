"""Name rules shared by teams and apps (Heroku's: 3-30 chars, lowercase letters, digits, dashes)."""

from django.core.validators import RegexValidator

NAME_RULE = "3 to 30 characters: lowercase letters, digits and dashes, starting with a letter"

validate_name = RegexValidator(
    regex=r"\A[a-z][a-z0-9-]{2,29}\Z",
    message=f"Use {NAME_RULE}.",
    code="invalid_name",
)
