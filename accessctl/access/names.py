"""Name rules shared by teams and apps (Heroku's: 3-30 chars, lowercase letters, digits, dashes)."""

import unicodedata

from django.core.validators import RegexValidator

NAME_RULE = "3 to 30 characters: lowercase letters, digits and dashes, starting with a letter"

validate_name = RegexValidator(
    regex=r"\A[a-z][a-z0-9-]{2,29}\Z",
    message=f"Use {NAME_RULE}.",
    code="invalid_name",
)


# Characters that make text read differently from what it is: control characters (C0, C1, DEL) and the
# invisible formatting ones, among them the right-to-left overrides and isolates that reorder what follows.
def hidden_characters(text: str) -> list[str]:
    """The code points (``U+202E``) of the control and formatting characters in ``text``."""
    return [f"U+{ord(char):04X}" for char in text if unicodedata.category(char) in ("Cc", "Cf")]


def plain_text_problem(text: str, *, what: str) -> str | None:
    """A message when free text holds control or direction characters, else ``None``."""
    hidden = hidden_characters(text)
    if not hidden:
        return None
    return (
        f"The {what} contains invisible control or text-direction characters ({', '.join(hidden[:3])}). "
        "Type it again in plain text."
    )
