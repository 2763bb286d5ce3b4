"""The consultation file format: YAML in, a validated ``SurveyDefinition`` (or every error) out.

``parse_definition`` never raises on bad input: it returns a ``ParseResult`` listing every
error with its file, line and question key. ``load_definition`` is the strict convenience for
callers that only want a definition. The format itself is described in ``surveys/examples``.
"""

from surveys.format.document import load_definition, parse_definition
from surveys.format.errors import InvalidSurveyError, ParseResult, ValidationError
from surveys.format.messages import MESSAGES

__all__ = [
    "MESSAGES",
    "InvalidSurveyError",
    "ParseResult",
    "ValidationError",
    "load_definition",
    "parse_definition",
]
