"""Domain errors of document generation. Each message names the template and what is wrong."""

from __future__ import annotations


class DocumentError(ValueError):
    """Base class: anything that stops one document from being produced."""


class TemplateNotFoundError(DocumentError, LookupError):
    """No such template id or version in the registry."""


class TemplateSyntaxProblem(DocumentError):
    """A template tag Jinja cannot parse. `tag` is the tag text as the author typed it."""

    def __init__(self, template: str, tag: str, reason: str, paragraph: str = "") -> None:
        self.template, self.tag, self.reason, self.paragraph = template, tag, reason, paragraph
        where = f' in paragraph "{paragraph}"' if paragraph and paragraph != tag else ""
        super().__init__(f"template {template}: syntax error in tag {tag}{where}: {reason}")


class MissingFieldError(DocumentError):
    """The template used a field the context does not have (StrictUndefined)."""

    def __init__(self, template: str, field: str, detail: str = "") -> None:
        self.template, self.field = template, field
        extra = f" ({detail})" if detail else ""
        super().__init__(f"template {template}: missing field {field}{extra}")


class SandboxViolation(DocumentError):
    """The template tried to reach something the sandbox forbids (Python internals)."""

    def __init__(self, template: str, detail: str) -> None:
        self.template = template
        super().__init__(f"template {template}: refused by the sandbox: {detail}")


class TemplateRenderError(DocumentError):
    """Any other failure while rendering (a filter refused a value, a corrupt .docx)."""


class MetadataError(DocumentError):
    """A template's metadata (.toml) or sample context (.json) is invalid."""


class PreflightFailed(DocumentError):
    """A case failed preflight; `problems` lists every blocking problem."""

    def __init__(self, template: str, case_ref: str, problems: list) -> None:
        self.template, self.case_ref, self.problems = template, case_ref, problems
        text = "; ".join(p.message for p in problems)
        super().__init__(f"template {template}, case {case_ref}: preflight failed: {text}")


class ConversionUnavailable(DocumentError):
    """LibreOffice is not installed (or not configured): only .docx can be produced."""


class ConversionFailed(DocumentError):
    """LibreOffice ran but did not produce the PDF."""
