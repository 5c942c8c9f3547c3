"""Defences against hostile documents: the URL policy and the size limits (DESIGN section 9)."""
from .limits import ENV_VARS, Limits, check_document, check_document_bytes
from .url_policy import ENV_ALLOW_LOCAL, UrlPolicy, is_public_address

__all__ = ["ENV_ALLOW_LOCAL", "ENV_VARS", "Limits", "UrlPolicy", "check_document", "check_document_bytes",
           "is_public_address"]
